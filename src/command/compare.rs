//! Comparing two dates on the map: swipe, blend and blink.

use chrono::NaiveDate;

pub use crate::imagery::raster::CompareStretch;

/// Blink rates offered, switches per second.
pub const BLINK_RATES: [f32; 4] = [0.5, 1.0, 2.0, 4.0];

/// How the map compares date A with the slider's date B.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CompareMode {
    /// One date: the slider's.
    #[default]
    Off,
    /// A left of a draggable divider, B right of it.
    Swipe,
    /// B's imagery faded over A's.
    Blend,
    /// A and B in turn at a chosen rate.
    Blink,
    /// A and B in panes side by side, panned and zoomed together.
    SideBySide,
}

/// Side by side shows this many panes at most (and at least two).
pub const MAX_PANES: usize = 4;

/// A side of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareSide {
    /// Date A (pinned, or the stage before B).
    A,
    /// Date B (the slider's).
    B,
}

/// Comparing dates.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareCommand {
    /// Choose the mode.
    SetMode(CompareMode),
    /// Swipe on, or off again (key S).
    ToggleSwipe,
    /// Fix date A (`None`: A follows the slider, one stage before B).
    PinA(Option<NaiveDate>),
    /// Move the divider (a fraction of the map's width, 0–1).
    SetDivider(f32),
    /// Set the blend from A (0) to B (1).
    SetBlend(f32),
    /// Set how many times a second the blink switches dates.
    SetBlinkRate(f32),
    /// Stretch the compared rasters each on its own, with one stretch, or B matched to A.
    SetStretch(CompareStretch),
    /// Show one layer on a side instead of every layer at its date (`None`: all at the date).
    PickLayer(CompareSide, Option<String>),
    /// How many panes side by side shows (2 to [`MAX_PANES`]).
    SetPanes(usize),
    /// The date of a middle pane (1 is the one after A); `None`: the stages spread between A
    /// and B.
    SetPaneDate(usize, Option<NaiveDate>),
}
