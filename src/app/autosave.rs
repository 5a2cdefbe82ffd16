//! Autosave and recovery: unsaved work is written off the UI thread every few seconds into this
//! instance's recovery slot, and offered back after a crash. Saves, opens and closes clear the
//! slot, which makes an autosave still in flight stale: it never lands.

use std::sync::mpsc;

use super::SitewatchApp;
use crate::editing::History;
use crate::model::recovery::{Recovered, RecoveryStore};

impl SitewatchApp {
    /// Uses this recovery store for autosaves, and offers what it holds and every orphaned slot.
    pub fn set_recovery_store(&mut self, store: Option<RecoveryStore>) {
        self.files.recovered.clear();
        if let Some(store) = &store {
            match store.read() {
                Ok(found) => self.files.recovered.extend(found),
                Err(e) => self.report(&format!("{e} (it was left in place)")),
            }
            let (orphans, errors) = store.orphans();
            self.files.recovered.extend(orphans);
            for e in errors {
                self.report(&format!("{e} (it was left in place)"));
            }
        }
        self.files.recovery = store;
    }

    /// Seconds between autosaves (a preference, 30 by default).
    #[must_use]
    pub fn autosave_interval(&self) -> f64 {
        self.files.autosave_interval_s
    }

    /// Seconds between autosaves (30 by default; tests shorten it).
    pub fn set_autosave_interval(&mut self, seconds: f64) {
        self.files.autosave_interval_s = seconds;
    }

    /// True while recovered work is offered.
    #[must_use]
    pub fn offers_recovery(&self) -> bool {
        !self.files.recovered.is_empty()
    }

    /// Clears this instance's recovery slot; an autosave in flight becomes stale and never lands.
    pub(crate) fn clear_recovery(&mut self) {
        if let Some(store) = &self.files.recovery
            && let Err(e) = store.clear()
        {
            self.report(&crate::app::error_chain(&e));
        }
    }

    pub(crate) fn restore_recovery(&mut self) {
        if self.files.recovered.is_empty() {
            return;
        }
        let recovered = self.files.recovered.remove(0);
        let warnings = recovered.loaded.warnings.clone();
        let info = recovered.info.clone();
        let project = recovered.loaded.project.clone();
        let mut warnings = warnings;
        warnings.push(format!(
            "Recovered unsaved work from {}; save it to keep it",
            if info.saved_at.is_empty() {
                "the last session"
            } else {
                &info.saved_at
            }
        ));
        self.replace_project(project, info.project_path, warnings, History::unsaved());
        // Keep the work safe in this instance's slot before letting the old one go.
        if let Some(store) = self.files.recovery.clone()
            && !store.owns(&recovered)
        {
            let written = store.write(store.ticket(), &self.project, self.project_path.as_deref());
            match written {
                Ok(_) => {
                    if let Err(e) = store.release(recovered) {
                        self.report(&crate::app::error_chain(&e));
                    }
                }
                Err(e) => self.report(&format!("Autosave failed: {e}")),
            }
        }
    }

    pub(crate) fn discard_recovery(&mut self) {
        if self.files.recovered.is_empty() {
            return;
        }
        let recovered: Recovered = self.files.recovered.remove(0);
        if let Some(store) = &self.files.recovery
            && let Err(e) = store.release(recovered)
        {
            self.report(&crate::app::error_chain(&e));
        }
    }

    pub(crate) fn autosave_tick(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.files.autosave_job {
            match rx.try_recv() {
                Ok(Ok(_)) | Err(mpsc::TryRecvError::Disconnected) => {
                    self.files.autosave_job = None;
                }
                Ok(Err(e)) => {
                    self.report(&format!("Autosave failed: {e}"));
                    self.files.autosave_job = None;
                }
                Err(mpsc::TryRecvError::Empty) => return,
            }
        }
        if !self.history.is_dirty()
            || self.is_saving()
            || self.files.recovery.is_none()
            || !self.files.recovered.is_empty()
        {
            self.files.last_autosave_s = None;
            return;
        }
        let now = ctx.input(|i| i.time);
        let since = *self.files.last_autosave_s.get_or_insert(now);
        let interval = self.files.autosave_interval_s;
        if now - since < interval {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                (interval - (now - since)).max(0.1),
            ));
            return;
        }
        self.files.last_autosave_s = Some(now);
        let Some(store) = self.files.recovery.clone() else {
            return;
        };
        // Taken here, on the thread that saves and clears: a save from now on makes it stale.
        let ticket = store.ticket();
        let project = self.project.clone();
        let path = self.project_path.clone();
        let (tx, rx) = mpsc::channel();
        // Serialising thousands of annotations takes a moment: off the UI thread.
        std::thread::spawn(move || {
            let result = store
                .write(ticket, &project, path.as_deref())
                .map_err(|e| crate::app::error_chain(&e));
            let _ = tx.send(result);
        });
        self.files.autosave_job = Some(rx);
    }

    /// Blocks until a running autosave has finished (tests; the app never waits, because a
    /// save makes a running autosave stale instead).
    pub fn wait_for_autosave(&mut self) {
        if let Some(rx) = self.files.autosave_job.take()
            && let Ok(Err(e)) = rx.recv()
        {
            self.report(&format!("Autosave failed: {e}"));
        }
    }
}
