//! Imagery: tile sources (HTTP with a disk cache, the offline overview), no UI in here.

pub mod tile_source;

pub use tile_source::{TileError, TileKey, TileSource};
