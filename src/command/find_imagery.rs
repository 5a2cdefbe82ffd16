//! The "Find imagery" window: searching a STAC API or reading a STAC file for dated scenes over
//! the view, and adding what it found as dated layers.

use std::path::PathBuf;

use crate::imagery::stac::{SearchParams, StacApi, Thinning};

/// Where a search goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ImagerySource {
    /// Element 84's Earth Search (Sentinel-2 L2A).
    #[default]
    EarthSearch,
    /// Microsoft's Planetary Computer (its assets are signed with SAS tokens).
    PlanetaryComputer,
    /// Any STAC API by its root URL.
    Custom(String),
    /// A STAC API described in full, with how its assets are signed (a mirror of a preset, or
    /// a replica in tests).
    Api(Box<StacApi>),
}

/// One search: where, and what.
#[derive(Clone, Debug, PartialEq)]
pub struct ImagerySearch {
    /// The API.
    pub source: ImagerySource,
    /// The view's box, the dates, the collection and the cloud cover.
    pub params: SearchParams,
}

/// What the Find imagery window asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum FindImageryCommand {
    /// Show the window (key I, View ▸ Find imagery…), or hide it.
    Toggle,
    /// Hide the window and its footprints (the results are kept).
    Close,
    /// Search an API on a worker.
    Search(Box<ImagerySearch>),
    /// Pick an item collection or catalogue file.
    OpenFileDialog,
    /// Read an item collection or catalogue file on a worker.
    OpenFile(PathBuf),
    /// Stop the search in progress (its answer is dropped).
    Cancel,
    /// Select a result (its index in the list), or none.
    Select(Option<usize>),
    /// Add the selected result as a dated layer.
    Add,
    /// Add every result as one dated series on its track, thinned.
    AddSeries(Thinning),
}
