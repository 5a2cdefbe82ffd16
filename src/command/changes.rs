//! The change finder in the window: its window, a run, and the review of what it found.

use crate::analysis::change::ChangeOptions;
use crate::model::FuzzyDate;

/// What a run compares: the layers shown at two dates on a track, with the user's options.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangesRequest {
    /// Date A (the earlier).
    pub from: FuzzyDate,
    /// Date B (the later).
    pub to: FuzzyDate,
    /// The track (`None`: the one track with layers at both dates).
    pub track: Option<String>,
    /// Area of interest, minimum area, sensitivity and areas left out.
    pub options: ChangeOptions,
}

/// The Find changes window and the review of its candidates.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangesCommand {
    /// Show the window (key F, View ▸ Find changes…), or hide it.
    Toggle,
    /// Hide the window and its overlay (the candidates are kept).
    Close,
    /// Run the finder on a worker.
    Find(Box<ChangesRequest>),
    /// Stop the run in progress.
    Cancel,
    /// Review this candidate (its index in the list) and zoom to it.
    Select(usize),
    /// The next candidate (J, ↓).
    Next,
    /// The previous candidate (K, ↑).
    Previous,
    /// Accept the selected candidate: an annotation, or the end of the one it removed (A).
    Accept,
    /// Reject the selected candidate (R).
    Reject,
    /// Accept a removal as the end (`seen_until`) of the annotation it overlaps.
    ConfirmEnd,
    /// Accept a removal as a new annotation of its own instead.
    AcceptAsNew,
    /// Drop a proposed end without accepting anything.
    DismissEnd,
}
