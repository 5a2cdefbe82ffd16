//! Projects and annotation files.

use std::path::PathBuf;

use crate::interchange::{Format, ImportOptions};

/// Open, save, import, export and recovery.
#[derive(Clone, Debug, PartialEq)]
pub enum FileCommand {
    /// Ask for a project file with the file dialog.
    OpenProjectDialog,
    /// Open a project file; on failure the current project stays.
    OpenProject(PathBuf),
    /// Start a new, empty project (asks first when there is unsaved work).
    NewProject,
    /// Start a new project holding the features of a plain `GeoJSON` file (as one undoable
    /// import; asks first when there is unsaved work).
    NewProjectFrom(PathBuf),
    /// Save to the project's file; asks for one when it has none (Ctrl+S).
    Save,
    /// Save under a new name (Ctrl+Shift+S).
    SaveAsDialog,
    /// Save to this file and make it the project's file.
    SaveTo(PathBuf),
    /// Ask for `GeoJSON` or KML files to import annotations from.
    ImportDialog,
    /// Import annotations from a file (`GeoJSON`, KML, KMZ, Shapefile, `GeoPackage`, CSV, GPX), as
    /// one undoable step; a CSV asks for its columns first.
    Import(PathBuf),
    /// Import with the choices the import dialog made (a CSV's columns, a Shapefile's encoding).
    ImportWith(PathBuf, Box<ImportOptions>),
    /// Close the import dialog without importing.
    CancelImport,
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
    /// Autosave unsaved work every this many seconds (a preference, kept between runs).
    SetAutosaveInterval(u32),
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
