//! The Progress window: the chart of tracked measures and its CSV.

use std::path::PathBuf;

/// Open or close the chart, export its CSV.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgressCommand {
    /// Show the Progress window (View ▸ Progress chart…).
    Open,
    /// Close it.
    Close,
    /// Ask where to write the measures as CSV.
    ExportCsvDialog,
    /// Write the measures as CSV to this file.
    ExportCsv(PathBuf),
}
