//! The Preferences window in the app: the tile cache counted and cleared on a worker (a big
//! cache is many thousand files), its cap kept in the preferences and given to every cache.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::SitewatchApp;
use crate::command::{Command, PreferencesCommand};
use crate::imagery::disk_cache::DiskCache;
use crate::imagery::raster::memory_budget::MemoryBudget;
use crate::ui::preferences::{PreferencesView, human_bytes, preferences_ui};

/// What a worker found: the bytes a clear freed (`None` for a count), the size after, or why a
/// clear failed.
type Outcome = (Option<Result<u64, String>>, u64);

/// The window's state between frames.
pub(crate) struct PreferencesState {
    /// Whether it shows.
    open: bool,
    /// The tile cache's folder.
    cache_root: Option<PathBuf>,
    /// Its size as last counted.
    size_bytes: Option<u64>,
    /// The count or clear in progress.
    job: Option<Receiver<Outcome>>,
    /// What the last clear said.
    said: Option<String>,
}

impl Default for PreferencesState {
    fn default() -> Self {
        Self {
            open: false,
            cache_root: DiskCache::default_root(),
            size_bytes: None,
            job: None,
            said: None,
        }
    }
}

impl SitewatchApp {
    /// Whether the Preferences window is open.
    #[must_use]
    pub fn preferences_open(&self) -> bool {
        self.preferences.open
    }

    /// The tile cache's size cap, bytes.
    #[must_use]
    pub fn tile_cache_cap(&self) -> u64 {
        self.prefs.tile_cache_max_bytes
    }

    /// The memory budget of decoded imagery, all layers together, bytes.
    #[must_use]
    pub fn imagery_memory_budget(&self) -> u64 {
        self.prefs.imagery_memory_max_bytes
    }

    /// The tile cache's size as last counted by the Preferences window; `None` while counting.
    #[must_use]
    pub fn tile_cache_size(&self) -> Option<u64> {
        self.preferences.size_bytes
    }

    /// Whether the Preferences window is counting or clearing the cache.
    #[must_use]
    pub fn preferences_busy(&self) -> bool {
        self.preferences.job.is_some()
    }

    /// Points the Preferences window at another tile cache folder (tests use a temporary one,
    /// leaving the user's cache alone).
    pub fn set_tile_cache_root(&mut self, root: PathBuf) {
        self.preferences.cache_root = Some(root);
        self.preferences.size_bytes = None;
    }

    pub(crate) fn apply_preferences(&mut self, ctx: &egui::Context, command: PreferencesCommand) {
        match command {
            PreferencesCommand::Toggle => {
                self.preferences.open = !self.preferences.open;
                if self.preferences.open {
                    self.preferences.said = None;
                    self.start_cache_job(ctx, false);
                }
            }
            PreferencesCommand::Close => self.preferences.open = false,
            PreferencesCommand::SetCacheCap(bytes) => {
                self.prefs.tile_cache_max_bytes = bytes;
                DiskCache::set_shared_max_bytes(bytes);
            }
            PreferencesCommand::ClearCache => self.start_cache_job(ctx, true),
            PreferencesCommand::SetMemoryBudget(bytes) => {
                self.prefs.imagery_memory_max_bytes = bytes;
                MemoryBudget::global().set_limit(usize::try_from(bytes).unwrap_or(usize::MAX));
            }
        }
    }

    /// Counts the cache, clearing it first when `clear`, on a worker.
    fn start_cache_job(&mut self, ctx: &egui::Context, clear: bool) {
        let Some(root) = self.preferences.cache_root.clone() else {
            return;
        };
        if self.preferences.job.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        std::thread::spawn(move || {
            let cache = DiskCache::new(root, DiskCache::DEFAULT_MAX_AGE);
            let before = cache.size_bytes();
            let cleared = clear.then(|| match cache.clear() {
                Ok(()) => Ok(before.saturating_sub(cache.size_bytes())),
                Err(e) => Err(format!("Could not clear the cache: {e}")),
            });
            let _ = tx.send((cleared, cache.size_bytes()));
            repaint.request_repaint();
        });
        self.preferences.job = Some(rx);
        self.preferences.size_bytes = None;
    }

    fn poll_preferences(&mut self) {
        let state = &mut self.preferences;
        let Some(rx) = &state.job else {
            return;
        };
        match rx.try_recv() {
            Ok((cleared, size)) => {
                state.size_bytes = Some(size);
                match cleared {
                    Some(Ok(freed)) => state.said = Some(format!("Freed {}.", human_bytes(freed))),
                    Some(Err(why)) => state.said = Some(why),
                    None => {}
                }
                state.job = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => state.job = None,
        }
    }

    /// The window, when open; what it asks for.
    pub(crate) fn preferences_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        self.poll_preferences();
        if !self.preferences.open {
            return Vec::new();
        }
        let state = &self.preferences;
        let view = PreferencesView {
            cache_root: state.cache_root.as_deref(),
            cache_size_bytes: state.size_bytes,
            cap_bytes: self.prefs.tile_cache_max_bytes,
            memory_budget_bytes: self.prefs.imagery_memory_max_bytes,
            memory_used_bytes: MemoryBudget::global().used() as u64,
            busy: state.job.is_some(),
            said: state.said.as_deref(),
        };
        let mut open = true;
        let mut commands = Vec::new();
        egui::Window::new("Preferences")
            .id(egui::Id::unique("sitewatch-preferences"))
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| commands.extend(preferences_ui(ui, &view)));
        if !open {
            commands.push(PreferencesCommand::Close.into());
        }
        commands
    }
}
