//! Backends that draw what the core describes.

pub mod egui_scene;
pub mod egui_tiles;
pub mod layers;
pub mod raster;
pub mod raster_text;
