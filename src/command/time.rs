//! The time slider's commands.

use chrono::NaiveDate;

/// Moving through time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeCommand {
    /// Move the time slider to a date.
    SetDate(NaiveDate),
    /// Jump to the next stage's date (→).
    NextStage,
    /// Jump to the previous stage's date (←).
    PreviousStage,
    /// Start or stop playing through the stages (Space).
    TogglePlay,
    /// Keep the map's view, shown layers and figure options with the stage at this index.
    KeepStageView(usize),
    /// Forget the view kept with the stage at this index.
    ForgetStageView(usize),
    /// Go to the stage at this index and restore the view kept with it.
    RestoreStageView(usize),
}
