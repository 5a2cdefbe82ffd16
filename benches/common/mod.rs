//! Helpers shared by the export and frame-time benches: the test raster (the same 10000 × 10000
//! RGB Deflate `GeoTIFF` in UTM 52N that `raster_open` writes), its extent, and measuring a child
//! process's time and peak memory.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each bench uses a part of these helpers; a benchmark fails loudly"
)]

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::Command;

use geo::Coord;
use sitewatch::imagery::raster::GeoTransform;
use sitewatch::imagery::raster::utm::lonlat_from_utm;
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, write_geotiff_levels_with, write_geotiff_with,
};
use sitewatch::spatial::LonLatBox;

/// Top-left corner of the test raster, UTM 52N metres.
const TOP_LEFT_UTM: Coord<f64> = Coord {
    x: 630_000.0,
    y: 4_700_000.0,
};
/// Pixel size of the test raster, metres.
const PIXEL_M: f64 = 0.5;

/// The raster side in pixels: `SITEWATCH_BENCH_PX`, or 10 000.
pub fn side_px() -> u32 {
    std::env::var("SITEWATCH_BENCH_PX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn spec(side: u32, layout: Layout) -> GeoTiffSpec {
    let mut spec = GeoTiffSpec::new(side, side, 3);
    spec.alpha = false;
    spec.compression = Compression::Deflate;
    spec.layout = layout;
    spec.epsg = Some((32652, false));
    spec.transform = Some(GeoTransform::north_up(TOP_LEFT_UTM, PIXEL_M, PIXEL_M));
    spec
}

/// The bench raster's pixels of a block at level `k` (2^k full-resolution pixels a pixel):
/// smooth fields plus a little noise, so it compresses like imagery, not like a flat colour.
#[allow(
    clippy::many_single_char_names,
    reason = "x, y, w, h, k as in the TIFF layout"
)]
fn fill_block(seed: &mut u64, k: u32, (x0, y0, w, h): (u32, u32, u32, u32), out: &mut Vec<u8>) {
    let f = 1u32 << k;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let n = (*seed & 0x0F) as u8;
            let (x, y) = (x * f, y * f);
            out.extend_from_slice(&[
                ((x / 40 + y / 60) % 200) as u8 + n,
                ((x / 25) % 180) as u8 + n,
                ((y / 33) % 160) as u8 + n,
            ]);
        }
    }
}

/// Writes a `side` × `side` RGB Deflate `GeoTIFF` in UTM 52N, 16-row strips, no overviews.
pub fn generate(path: &Path, side: u32) {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    write_geotiff_with(
        BufWriter::new(File::create(path).unwrap()),
        &spec(side, Layout::Strips { rows: 16 }),
        |x0, y0, w, h, out: &mut Vec<u8>| fill_block(&mut seed, 0, (x0, y0, w, h), out),
    )
    .unwrap();
}

/// The same raster as a cloud-optimized GeoTIFF: 512 px Deflate tiles and overviews down to
/// one tile, the coarsest first in the file (as GDAL's COG driver lays them out).
pub fn generate_cog(path: &Path, side: u32) {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut overviews = 0;
    while side.div_ceil(1 << overviews) > 512 {
        overviews += 1;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .unwrap();
    write_geotiff_levels_with(
        file,
        &spec(side, Layout::Tiles { edge_px: 512 }),
        overviews,
        |k, x0, y0, w, h, out: &mut Vec<u8>| fill_block(&mut seed, k, (x0, y0, w, h), out),
    )
    .unwrap();
}

/// The lon/lat box around the test raster of `side` pixels (its four corners, unprojected).
pub fn extent(side: u32) -> LonLatBox {
    let size_m = f64::from(side) * PIXEL_M;
    let corners: Vec<Coord<f64>> = [(0.0, 0.0), (size_m, 0.0), (0.0, -size_m), (size_m, -size_m)]
        .iter()
        .map(|&(dx, dy)| {
            lonlat_from_utm(
                Coord {
                    x: TOP_LEFT_UTM.x + dx,
                    y: TOP_LEFT_UTM.y + dy,
                },
                52,
                true,
            )
            .unwrap()
        })
        .collect();
    LonLatBox {
        west: corners.iter().map(|c| c.x).fold(f64::INFINITY, f64::min),
        south: corners.iter().map(|c| c.y).fold(f64::INFINITY, f64::min),
        east: corners
            .iter()
            .map(|c| c.x)
            .fold(f64::NEG_INFINITY, f64::max),
        north: corners
            .iter()
            .map(|c| c.y)
            .fold(f64::NEG_INFINITY, f64::max),
    }
}

/// Peak resident memory of this process so far, KiB.
pub fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs this binary as `child ARGS…` and returns its report line (its last line of output).
pub fn measure(args: &[&str]) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("child")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().last().unwrap_or_default().trim().to_owned()
}

/// The value of `key=value` in a report line; NaN when absent.
pub fn field(report: &str, key: &str) -> f64 {
    report
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Drops the page cache; why not, if it cannot.
pub fn drop_caches() -> Result<(), String> {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").map_err(|e| e.to_string())
}
