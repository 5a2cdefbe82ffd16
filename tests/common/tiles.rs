//! Map tiles over the test rasters, and remote reads whose retries never sleep.
// Included whole by several test binaries (some by path), each using a part.
#![allow(dead_code)]

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

/// Mean red and blue of the tile's opaque pixels (a test raster's colour says which level or
/// file it was drawn from).
pub fn mean_red_blue(tile: &image::RgbaImage) -> (f64, f64) {
    let opaque: Vec<_> = tile.pixels().filter(|p| p.0[3] > 0).collect();
    assert!(!opaque.is_empty(), "the tile shows the raster");
    let n = opaque.len() as f64;
    (
        opaque.iter().map(|p| f64::from(p.0[0])).sum::<f64>() / n,
        opaque.iter().map(|p| f64::from(p.0[2])).sum::<f64>() / n,
    )
}

/// Writes a tiled `side`² GeoTIFF in EPSG:4326 (as [`cog_spec`], Deflate) with `overviews`
/// internal overviews and `bands` bands: each pixel noise (that does not compress away, so
/// bytes read mean something) around `rgb`, its first `bands` channels.
pub fn write_noise_tiff(
    path: &std::path::Path,
    corner: (f64, f64),
    (side, step): (u32, f64),
    overviews: u32,
    bands: u16,
    rgb: [u8; 3],
) {
    use sitewatch::imagery::raster::write::{Compression, GeoTiffSpec};
    let mut spec = cog_spec(corner, side, step, Compression::Deflate);
    if bands != 3 {
        spec = GeoTiffSpec {
            bands,
            rgb: false,
            ..spec
        };
    }
    let bytes = cog_bytes(&spec, overviews, |k, x, y, block| {
        // 0–31 from the level and position (splitmix64's mixer), so that it does not compress
        // away.
        let mut z = (u64::from(k) << 42) ^ (u64::from(x) << 21) ^ u64::from(y);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let noise = ((z ^ (z >> 31)) >> 59) as u8;
        let px = rgb.map(|c| c.saturating_add(noise));
        block.extend(&px[..usize::from(bands)]);
    });
    std::fs::write(path, bytes).unwrap();
}

/// The bytes of a GeoTIFF of `spec` with `overviews` overviews, 8-bit, whose pixel (`x`, `y`)
/// of level `k` (in that level's pixels) `pixel(k, x, y, block)` appends, every band.
pub fn cog_bytes(
    spec: &sitewatch::imagery::raster::write::GeoTiffSpec,
    overviews: u32,
    pixel: impl Fn(u32, u32, u32, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    sitewatch::imagery::raster::write::write_geotiff_levels_with(
        &mut out,
        spec,
        overviews,
        |k, x0, y0, w, h, block: &mut Vec<u8>| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    pixel(k, x, y, block);
                }
            }
        },
    )
    .unwrap();
    out.into_inner()
}
