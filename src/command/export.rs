//! Figure export from the window.

use std::path::PathBuf;

/// The Export… dialog and a running export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportCommand {
    /// Open the Export… dialog (Ctrl+E).
    OpenExportDialog,
    /// Close it.
    CloseExportDialog,
    /// Ask where to write the export (a save or folder dialog), then export.
    ExportSnapshotDialog,
    /// Export to this path (a PNG, a GIF, or a folder for all stages).
    ExportSnapshot(PathBuf),
    /// Stop the running export.
    CancelExport,
}
