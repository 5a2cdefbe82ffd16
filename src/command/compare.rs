//! Comparing two dates on the map: swipe, blend and blink.

use chrono::NaiveDate;

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

/// Comparing dates.
#[derive(Clone, Copy, Debug, PartialEq)]
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
}
