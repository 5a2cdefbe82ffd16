//! The Preferences window: the tile cache's size cap, clearing it, and the memory budget of
//! decoded imagery.

/// What the Preferences window asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreferencesCommand {
    /// Show the window (counting the cache), or hide it.
    Toggle,
    /// Hide the window.
    Close,
    /// Cap the tile cache at this many bytes (kept between runs).
    SetCacheCap(u64),
    /// Delete every cached tile, on a worker, and say how many bytes that freed.
    ClearCache,
    /// Keep at most this many bytes of decoded imagery, all layers together (kept between
    /// runs).
    SetMemoryBudget(u64),
}
