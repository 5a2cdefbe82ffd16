//! Autosave and recovery: unsaved work is written to a recovery slot in the user's data folder
//! while the project has changes, and offered back on the next start if the app did not close
//! normally. A normal save or close removes it.
//!
//! Each running instance owns one slot (a folder named by its process id, with a lock file it
//! holds while it runs); at start, every slot whose lock nobody holds is an orphan and is offered.
//! Writes and clears go through one generation counter under a mutex: a write that began before
//! the last clear never renames into place, so an autosave can never outlive a save.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::io::{Loaded, ProjectError, parse, try_to_json_string};
use super::project::Project;

/// Why the recovery file could not be written, read or removed.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// A file operation failed.
    #[error("cannot use the recovery file: {origin}")]
    Io {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The recovered project does not parse, or the project cannot be written as text.
    #[error("the recovered work cannot be read or written")]
    Project(#[from] ProjectError),
    /// The description inside it does not parse.
    #[error("the recovery description is damaged: {origin}")]
    Meta {
        /// Which file.
        origin: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// What is known about recovered work. Stored inside the recovery file's `sitewatch` member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The project's file (absolute) when the work was autosaved; `None` for a project never saved.
    pub project_path: Option<PathBuf>,
    /// The project's name.
    pub name: String,
    /// When it was written (local time, RFC 3339).
    pub saved_at: String,
}

/// Recovered work: the project, where it came from, and the slot it lies in.
#[derive(Debug)]
pub struct Recovered {
    /// The project as autosaved.
    pub loaded: Loaded,
    /// Where it came from.
    pub info: RecoveryInfo,
    /// The slot's folder.
    slot: PathBuf,
    /// The dead instance's lock, held while its work is offered so no other instance offers it.
    _lock: Option<File>,
}

/// Where a recovery write stands when the store's hook is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryStep {
    /// The temp file is written and synced; the generation is not yet checked, nothing renamed.
    TempWritten,
}

/// A hook called at each [`RecoveryStep`] (tests block the writer there).
pub type RecoveryHook = Arc<dyn Fn(RecoveryStep) + Send + Sync>;

/// The generation a write was started in; see [`RecoveryStore::ticket`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

struct Inner {
    root: PathBuf,
    slot: PathBuf,
    /// Bumped by every clear; renames happen only while holding it.
    generation: Mutex<u64>,
    /// This instance's lock on its slot, held for the store's life.
    _lock: Option<File>,
    hook: Option<RecoveryHook>,
}

/// This instance's recovery slot in a folder of slots. Clones share the slot and its generation.
#[derive(Clone)]
pub struct RecoveryStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RecoveryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryStore")
            .field("slot", &self.inner.slot)
            .finish_non_exhaustive()
    }
}

const PROJECT_FILE: &str = "recovery.geojson";
const LOCK_FILE: &str = "lock";
const INFO_MEMBER: &str = "recovery";

/// Tells slots of stores in one process apart (tests run several "instances" in one process).
static NEXT_SLOT: AtomicU64 = AtomicU64::new(0);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecoveryError + '_ {
    move |source| RecoveryError::Io {
        origin: path.display().to_string(),
        source,
    }
}

/// Opens a slot's lock file and takes its lock without waiting; `None` when another instance
/// holds it (or it cannot be opened).
fn try_lock(slot: &Path) -> Option<File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(slot.join(LOCK_FILE))
        .ok()?;
    file.try_lock().ok()?;
    Some(file)
}

impl RecoveryStore {
    /// A new slot for this instance in the folder `root` (created now, with its lock taken).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self::build(root.into(), None)
    }

    /// [`RecoveryStore::new`] with a hook called at each step of a write.
    pub fn with_hook(root: impl Into<PathBuf>, hook: RecoveryHook) -> Self {
        Self::build(root.into(), Some(hook))
    }

    fn build(root: PathBuf, hook: Option<RecoveryHook>) -> Self {
        let n = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
        let slot = root.join(format!("{}-{n}", std::process::id()));
        // Best effort: without a lock, the slot looks orphaned to others, which only means they
        // offer work that is still autosaved here; writes report their own errors.
        let lock = std::fs::create_dir_all(&slot)
            .ok()
            .and_then(|()| try_lock(&slot));
        Self {
            inner: Arc::new(Inner {
                root,
                slot,
                generation: Mutex::new(0),
                _lock: lock,
                hook,
            }),
        }
    }

    /// The slots in the user's data folder (`~/.local/share/sitewatch/recovery` on Linux).
    #[must_use]
    pub fn in_user_data() -> Option<Self> {
        directories::ProjectDirs::from("org", "Sitewatch", "sitewatch")
            .map(|d| Self::new(d.data_dir().join("recovery")))
    }

    /// The folder of slots.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.inner.root
    }

    /// This instance's slot.
    #[must_use]
    pub fn slot_dir(&self) -> &Path {
        &self.inner.slot
    }

    /// The current generation: take it when deciding to autosave, on the thread that also clears,
    /// so a clear after that moment makes the write stale.
    #[must_use]
    pub fn ticket(&self) -> Ticket {
        Ticket(*self.generation())
    }

    fn generation(&self) -> std::sync::MutexGuard<'_, u64> {
        self.inner
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the project with its description as one file, atomically. Returns false, leaving
    /// nothing behind, when the store was cleared since `ticket` was taken.
    pub fn write(
        &self,
        ticket: Ticket,
        project: &Project,
        project_path: Option<&Path>,
    ) -> Result<bool, RecoveryError> {
        let slot = &self.inner.slot;
        std::fs::create_dir_all(slot).map_err(io(slot))?;
        let info = RecoveryInfo {
            project_path: project_path.map(|p| std::path::absolute(p).unwrap_or(p.to_path_buf())),
            name: project.name.clone(),
            saved_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        };
        let mut with_info = project.clone();
        let info_json = serde_json::to_value(&info).map_err(|source| RecoveryError::Meta {
            origin: slot.display().to_string(),
            source,
        })?;
        with_info.extra.insert(INFO_MEMBER.into(), info_json);
        let origin = slot.join(PROJECT_FILE).display().to_string();
        let text = try_to_json_string(&with_info, &origin)?;

        let n = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
        let tmp = slot.join(format!(".{PROJECT_FILE}.sitewatch-{n}.tmp"));
        let result = self.write_then_rename(ticket, &tmp, text.as_bytes());
        if !matches!(result, Ok(true)) {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn write_then_rename(
        &self,
        ticket: Ticket,
        tmp: &Path,
        bytes: &[u8],
    ) -> Result<bool, RecoveryError> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(io(tmp))?;
        file.write_all(bytes).map_err(io(tmp))?;
        file.sync_all().map_err(io(tmp))?;
        drop(file);
        if let Some(hook) = &self.inner.hook {
            hook(RecoveryStep::TempWritten);
        }
        let generation = self.generation();
        if *generation != ticket.0 {
            return Ok(false);
        }
        let target = self.inner.slot.join(PROJECT_FILE);
        std::fs::rename(tmp, &target).map_err(io(&target))?;
        if let Ok(d) = File::open(&self.inner.slot) {
            let _ = d.sync_all();
        }
        drop(generation);
        Ok(true)
    }

    /// This instance's autosaved work, if any.
    pub fn read(&self) -> Result<Option<Recovered>, RecoveryError> {
        read_slot(&self.inner.slot, None)
    }

    /// The work in every slot no running instance holds, with what could not be read.
    #[must_use]
    pub fn orphans(&self) -> (Vec<Recovered>, Vec<RecoveryError>) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.inner.root) else {
            return (found, errors);
        };
        let mut slots: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && *p != self.inner.slot)
            .collect();
        slots.sort();
        for slot in slots {
            let Some(lock) = try_lock(&slot) else {
                continue; // a running instance's slot
            };
            match read_slot(&slot, Some(lock)) {
                Ok(Some(recovered)) => found.push(recovered),
                // An empty orphan: nothing to offer, nothing to keep.
                Ok(None) => {
                    let _ = std::fs::remove_dir_all(&slot);
                }
                Err(e) => errors.push(e),
            }
        }
        (found, errors)
    }

    /// True when the work lies in this instance's own slot (not an orphan's).
    #[must_use]
    pub fn owns(&self, recovered: &Recovered) -> bool {
        recovered.slot == self.inner.slot
    }

    /// Lets go of offered work once restored or declined: an orphan's slot is removed, this
    /// instance's own slot is cleared.
    pub fn release(&self, recovered: Recovered) -> Result<(), RecoveryError> {
        // Taken apart: the dead instance's lock goes only once its slot is gone.
        let Recovered {
            slot, _lock: held, ..
        } = recovered;
        if slot == self.inner.slot {
            return self.clear();
        }
        let removed = std::fs::remove_dir_all(&slot).map_err(io(&slot));
        drop(held);
        removed
    }

    /// Removes this instance's recovery file (after a normal save, open or close) and makes every
    /// write started before now stale.
    pub fn clear(&self) -> Result<(), RecoveryError> {
        let mut generation = self.generation();
        *generation += 1;
        let path = self.inner.slot.join(PROJECT_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&path)(e)),
        }
    }
}

fn read_slot(slot: &Path, lock: Option<File>) -> Result<Option<Recovered>, RecoveryError> {
    let file = slot.join(PROJECT_FILE);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&file)(e)),
    };
    let origin = file.display().to_string();
    let mut loaded = parse(&text, &origin)?;
    let info = match loaded.project.extra.remove(INFO_MEMBER) {
        Some(value) => serde_json::from_value(value)
            .map_err(|source| RecoveryError::Meta { origin, source })?,
        None => RecoveryInfo {
            project_path: None,
            name: loaded.project.name.clone(),
            saved_at: String::new(),
        },
    };
    Ok(Some(Recovered {
        loaded,
        info,
        slot: slot.to_path_buf(),
        _lock: lock,
    }))
}
