//! The "Add WMTS layers" window: reading a service's capabilities and adding one of its layers,
//! or a `Time` dimension's values as a dated series.

use chrono::NaiveDate;

use crate::imagery::wmts::XyzOptions;

/// A layer of the loaded service and how to tile it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WmtsChoice {
    /// The layer's identifier.
    pub layer: String,
    /// Style, image format and tile matrix set (the time is filled when adding).
    pub options: XyzOptions,
    /// The days whose `Time` values count (both included); `None`: all.
    pub range: Option<(NaiveDate, NaiveDate)>,
}

/// What the WMTS window asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WmtsCommand {
    /// Show the window, or hide it.
    Toggle,
    /// Hide the window (the loaded service is kept).
    Close,
    /// Read the capabilities document at this URL on a worker.
    Load(String),
    /// Add the layer: for a dated one, the value nearest the slider's day within the range.
    Add(Box<WmtsChoice>),
    /// Add every `Time` value within the range as dated layers on one track, in one edit.
    AddSeries(Box<WmtsChoice>),
}
