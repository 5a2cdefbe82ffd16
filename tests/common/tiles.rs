//! Map tiles over the test rasters, and remote reads whose retries never sleep.

use std::sync::Arc;

use geo::Coord;
use sitewatch::imagery::TileKey;
use sitewatch::imagery::raster::http_bytes::Retry;
use sitewatch::spatial::mercator::world_px_from_lonlat;

/// The tile at `zoom` over the centre of a `side` × `side` px raster whose north-west corner is
/// (`west`, `north`), `step` degrees a pixel.
pub fn centre_key((west, north): (f64, f64), side: u32, step: f64, zoom: u8) -> TileKey {
    let centre = Coord {
        x: west + f64::from(side) * step / 2.0,
        y: north - f64::from(side) * step / 2.0,
    };
    let world = world_px_from_lonlat(centre, f64::from(zoom));
    TileKey {
        z: zoom,
        x: (world.x / 256.0) as u32,
        y: (world.y / 256.0) as u32,
    }
}

/// The default retries with a sleep that returns at once: a test never waits on a clock.
pub fn no_wait() -> Retry {
    Retry {
        sleep: Arc::new(|_| {}),
        ..Retry::default()
    }
}

/// The spec of a `side` × `side` RGB cloud-optimized GeoTIFF in EPSG:4326 with 256 px tiles,
/// its north-west corner at (`west`, `north`), `step` degrees a pixel.
pub fn cog_spec(
    (west, north): (f64, f64),
    side: u32,
    step: f64,
    compression: sitewatch::imagery::raster::write::Compression,
) -> sitewatch::imagery::raster::write::GeoTiffSpec {
    use sitewatch::imagery::raster::write::{GeoTiffSpec, Layout};
    let mut spec = GeoTiffSpec::new(side, side, 3);
    spec.rgb = true;
    spec.epsg = Some((4326, true));
    spec.layout = Layout::Tiles { edge_px: 256 };
    spec.compression = compression;
    spec.transform = Some(sitewatch::imagery::raster::georef::GeoTransform::north_up(
        Coord { x: west, y: north },
        step,
        step,
    ));
    spec
}
