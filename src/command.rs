//! What the UI asks for. UI functions return commands; the app applies them once per frame.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::editing::{Edit, Tool};
use crate::imagery::basemap::Basemap;
use crate::interchange::Format;

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Move the time slider to a date.
    SetDate(NaiveDate),
    /// Jump to the next stage's date (→).
    NextStage,
    /// Jump to the previous stage's date (←).
    PreviousStage,
    /// Start or stop playing through the stages (Space).
    TogglePlay,
    /// Select an annotation (or clear the selection).
    Select(Option<String>),
    /// Select an annotation and fit the map to it.
    ZoomToAnnotation(String),
    /// Fit the map to the project's home view.
    GoHome,
    /// Switch the basemap.
    SetBasemap(Basemap),
    /// Ask for a project file with the file dialog.
    OpenProjectDialog,
    /// Open a project file; on failure the current project stays.
    OpenProject(PathBuf),
    /// Close the error banner.
    DismissMessage,
    /// Show or hide the side panel.
    ToggleSidePanel,
    /// Change the project through the undo history. Edits with the same `coalesce` key in quick
    /// succession (a drag, typing) make one undo step.
    Edit {
        /// The change.
        edit: Edit,
        /// Merge key of a continuous gesture.
        coalesce: Option<String>,
    },
    /// Fit the map to a box (zoom to layer).
    ZoomToBox(crate::spatial::LonLatBox),
    /// Add an imagery layer (a dated service preset) on top of the stack.
    AddLayer(Box<crate::model::ImageryLayer>),
    /// Ask for imagery files with the file dialog.
    AddLayerFilesDialog,
    /// Add imagery files as layers (dialog or drop).
    AddLayerFiles(Vec<PathBuf>),
    /// Change a raster layer's bands or stretch (a view setting, not saved in the project).
    SetRasterDisplay(String, crate::imagery::raster::Display),
    /// Show or hide the layer panel.
    ToggleLayerPanel,
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
    /// Undo the last edit (Ctrl+Z).
    Undo,
    /// Redo the last undone edit (Ctrl+Shift+Z, Ctrl+Y).
    Redo,
    /// Pick a map tool (V, P, L, A, R, T, W, M).
    SetTool(Tool),
    /// Start a new, empty project (asks first when there is unsaved work).
    NewProject,
    /// Save to the project's file; asks for one when it has none (Ctrl+S).
    Save,
    /// Save under a new name (Ctrl+Shift+S).
    SaveAsDialog,
    /// Save to this file and make it the project's file.
    SaveTo(PathBuf),
    /// Ask for `GeoJSON` or KML files to import annotations from.
    ImportDialog,
    /// Import annotations from a `GeoJSON` or KML file, as one undoable step.
    Import(PathBuf),
    /// Ask where to export the annotations to.
    ExportAnnotationsDialog(Format),
    /// Export the annotations to a file.
    ExportAnnotations(PathBuf, Format),
    /// Answer the unsaved-work question.
    ResolveUnsaved(UnsavedChoice),
    /// Take back the work recovered from the last session's autosave.
    RestoreRecovery,
    /// Throw away the work recovered from the last session's autosave.
    DiscardRecovery,
}

/// The answers to "save the changes first?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsavedChoice {
    /// Save, then go on.
    Save,
    /// Go on without saving.
    Discard,
    /// Stay.
    Cancel,
}
