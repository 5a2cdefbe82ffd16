//! What the UI asks for. UI functions return commands; the app applies them once per frame.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::imagery::basemap::Basemap;

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
}
