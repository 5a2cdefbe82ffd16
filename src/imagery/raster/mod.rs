//! Georeferenced rasters (GeoTIFF, image + world file) as tile sources.

pub mod crs;
pub mod utm;
