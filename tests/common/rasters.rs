//! Small GeoTIFFs the tests write for themselves.

use std::path::Path;

use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::write::{GeoTiffSpec, write_geotiff};

/// A north-up EPSG:4326 GeoTIFF spec with its north-west corner at `top_left` (lon, lat),
/// `step` degrees per pixel.
fn lonlat_spec(
    (width, height): (u32, u32),
    bands: u16,
    top_left: (f64, f64),
    step: f64,
) -> GeoTiffSpec {
    let mut spec = GeoTiffSpec::new(width, height, bands);
    spec.epsg = Some((4326, true));
    spec.transform = Some(GeoTransform::north_up(
        geo::Coord {
            x: top_left.0,
            y: top_left.1,
        },
        step,
        step,
    ));
    spec
}

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
    let mut spec = lonlat_spec((side, side), 3, top_left, step);
    spec.alpha = false;
    spec.datetime = datetime.map(str::to_owned);
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, samples).unwrap();
}

/// A textured RGB pattern for a `side` × `side` raster (no two neighbours alike).
pub fn pattern(side: u32) -> Vec<u8> {
    (0..side * side * 3).map(|i| (i % 251) as u8).collect()
}

/// A deterministic hash to [0, 1).
pub fn hash(seed: u64, x: i64, y: i64) -> f64 {
    let mut h = seed
        ^ (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth value noise at `scale` pixels, continuous in (x, y).
#[allow(clippy::many_single_char_names)] // u, v, x, y, s: the noise's own coordinates
pub fn value_noise(seed: u64, x: f64, y: f64, scale: f64) -> f64 {
    let (u, v) = (x / scale, y / scale);
    let (x0, y0) = (u.floor(), v.floor());
    let (fx, fy) = (u - x0, v - y0);
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let (sx, sy) = (s(fx), s(fy));
    let at = |dx: i64, dy: i64| hash(seed, x0 as i64 + dx, y0 as i64 + dy);
    let top = at(0, 0) * (1.0 - sx) + at(1, 0) * sx;
    let bottom = at(0, 1) * (1.0 - sx) + at(1, 1) * sx;
    top * (1.0 - sy) + bottom * sy
}

/// Writes a `width` × `height` one-band 16-bit GeoTIFF in EPSG:4326 with its north-west corner
/// at `top_left` (lon, lat), `step` degrees per pixel, whose value at the fraction `x` of its
/// width (pixel centres) is `value(x)`.
pub fn gray16_gradient(
    path: &Path,
    (width, height): (u32, u32),
    top_left: (f64, f64),
    step: f64,
    value: impl Fn(f64) -> f64,
) {
    let spec = lonlat_spec((width, height), 1, top_left, step);
    let samples: Vec<u16> = (0..height)
        .flat_map(|_| 0..width)
        .map(|x| value((f64::from(x) + 0.5) / f64::from(width)).round() as u16)
        .collect();
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, &samples).unwrap();
}

/// The spec of a `side` × `side` single-band cloud-optimized GeoTIFF in EPSG:4326 (256 px
/// Deflate tiles, nodata 0), its north-west corner at `top_left` (lon, lat), `step` degrees a
/// pixel.
fn single_band_cog_spec(side: u32, top_left: (f64, f64), step: f64) -> GeoTiffSpec {
    use sitewatch::imagery::raster::write::{Compression, Layout};
    let mut spec = lonlat_spec((side, side), 1, top_left, step);
    spec.layout = Layout::Tiles { edge_px: 256 };
    spec.compression = Compression::Deflate;
    spec.nodata = Some(0.0);
    spec
}

/// A `side` × `side` single-band 16-bit cloud-optimized GeoTIFF in EPSG:4326 of one stored
/// `value` (256 px Deflate tiles, one overview, nodata 0), its north-west corner at
/// `top_left` (lon, lat), `step` degrees a pixel: one band of a STAC band composite.
pub fn gray16_cog(value: u16, side: u32, top_left: (f64, f64), step: f64) -> Vec<u8> {
    use sitewatch::imagery::raster::write::write_geotiff_levels_with;
    let spec = single_band_cog_spec(side, top_left, step);
    let mut out = std::io::Cursor::new(Vec::new());
    write_geotiff_levels_with(&mut out, &spec, 1, |_, _, _, w, h, block: &mut Vec<u16>| {
        block.extend(std::iter::repeat_n(value, (w * h) as usize));
    })
    .unwrap();
    out.into_inner()
}

/// A `side` × `side` single-band 8-bit cloud-optimized GeoTIFF in EPSG:4326 (256 px Deflate
/// tiles, `overviews` overviews, nodata 0) whose full-resolution pixel (`x`, `y`) holds
/// `value(x, y)` and whose overview pixels take the value of their top-left full-resolution
/// pixel (as GDAL's nearest resampling does): a classification band such as Sentinel-2's SCL.
pub fn classes_cog(
    side: u32,
    top_left: (f64, f64),
    step: f64,
    overviews: u32,
    value: impl Fn(u32, u32) -> u8,
) -> Vec<u8> {
    let spec = single_band_cog_spec(side, top_left, step);
    super::tiles::cog_bytes(&spec, overviews, |k, x, y, block| {
        block.push(value(x << k, y << k));
    })
}
