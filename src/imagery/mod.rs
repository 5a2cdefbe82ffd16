//! Imagery: tile sources (HTTP with a disk cache, the offline overview), no UI in here.

pub mod basemap;
pub mod disk_cache;
pub mod http;
pub mod overview;
pub mod tile_loader;
pub mod tile_source;

pub use tile_source::{TileError, TileKey, TileSource};
