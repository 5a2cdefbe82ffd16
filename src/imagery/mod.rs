//! Imagery: tile sources (HTTP with a disk cache, the offline overview), no UI in here.

pub mod basemap;
pub mod dated;
pub mod disk_cache;
pub mod file_date;
pub mod http;
pub mod layer_file;
pub mod overview;
pub mod pmtiles;
pub mod raster;
pub mod stac;
pub mod synthetic;
pub mod tile_cover;
pub mod tile_loader;
pub mod tile_source;
pub mod view_rect;
pub mod wayback;
pub mod wayback_capture_layer;
pub mod wayback_changes;
pub mod wayback_metadata;
pub mod wayback_service;
pub mod wayback_tilemap;
pub mod wmts;

pub use tile_source::{TileError, TileKey, TileSource};
pub use view_rect::ViewRect;
