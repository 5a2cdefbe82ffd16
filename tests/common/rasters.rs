//! Small GeoTIFFs the tests write for themselves.

use std::path::Path;

use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::write::{GeoTiffSpec, write_geotiff};

/// Writes a `side` × `side` 3-band 8-bit GeoTIFF in EPSG:4326 with its north-west corner at
/// `top_left` (lon, lat), `step` degrees per pixel, the given RGB samples, and a TIFF `DateTime`
/// when one is given.
pub fn rgb_geotiff(
    path: &Path,
    side: u32,
    top_left: (f64, f64),
    step: f64,
    datetime: Option<&str>,
    samples: &[u8],
) {
    let mut spec = GeoTiffSpec::new(side, side, 3);
    spec.alpha = false;
    spec.epsg = Some((4326, true));
    spec.transform = Some(GeoTransform::north_up(
        geo::Coord {
            x: top_left.0,
            y: top_left.1,
        },
        step,
        step,
    ));
    spec.datetime = datetime.map(str::to_owned);
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, samples).unwrap();
}

/// A textured RGB pattern for a `side` × `side` raster (no two neighbours alike).
pub fn pattern(side: u32) -> Vec<u8> {
    (0..side * side * 3).map(|i| (i % 251) as u8).collect()
}
