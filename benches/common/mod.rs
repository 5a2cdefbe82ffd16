//! Helpers shared by the benches: the test raster (a 10000 × 10000 RGB Deflate `GeoTIFF` in UTM
//! 52N, as strips without overviews or as a COG), generated once per run when `scripts/bench`
//! names a folder for it; its extent and the views drawn of it; measuring a child process's (or
//! GDAL's) time and peak memory; and the machine-readable result lines `scripts/bench` gathers
//! into one table (see `bench_table`).

#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    reason = "each bench uses a part of these helpers; a benchmark fails loudly"
)]

mod results;

pub use results::{Row, Target, record};

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use geo::Coord;
use sitewatch::imagery::TileKey;
use sitewatch::imagery::raster::GeoTransform;
use sitewatch::imagery::raster::utm::lonlat_from_utm;
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, write_geotiff_levels_with, write_geotiff_with,
};
use sitewatch::spatial::LonLatBox;
use sitewatch::spatial::mercator::world_px_from_lonlat;

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

/// How the test raster's pixels are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 16-row strips, no overviews (decoded whole).
    Strips,
    /// A cloud-optimized GeoTIFF: 512 px tiles, overviews (streamed).
    Cog,
}

impl Kind {
    /// Its short name, as in result ids and file names.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Strips => "strips",
            Kind::Cog => "cog",
        }
    }

    /// How the table names the file.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Strips => "no-overview file",
            Kind::Cog => "COG",
        }
    }
}

/// The test raster of one layout, and the temporary folder it lies in when this bench made it.
pub struct Input {
    /// The file.
    pub path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// The test raster of `kind` at [`side_px`]: in `SITEWATCH_BENCH_DIR` when set (generated there
/// if missing, so one run of `scripts/bench` writes each file once), else in a temporary folder
/// removed with the [`Input`].
pub fn input(kind: Kind) -> Input {
    let side = side_px();
    let (folder, dir) = if let Some(d) = std::env::var_os("SITEWATCH_BENCH_DIR") {
        (PathBuf::from(d), None)
    } else {
        let dir = tempfile::tempdir().unwrap();
        (dir.path().to_path_buf(), Some(dir))
    };
    let path = folder.join(format!("utm52n_{side}_{}.tif", kind.name()));
    if !path.exists() {
        let part = path.with_extension("part");
        let t = Instant::now();
        match kind {
            Kind::Strips => generate(&part, side),
            Kind::Cog => generate_cog(&part, side),
        }
        std::fs::rename(&part, &path).unwrap();
        println!(
            "generated {} ({:.0} MB) in {:.1} s",
            path.display(),
            std::fs::metadata(&path).unwrap().len() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    Input { path, _dir: dir }
}

/// How wide the zoomed-out view draws the raster, screen pixels.
pub const VIEW_PX: f64 = 1900.0;
/// The full-detail screen: this many pixels at the raster's native zoom, around its centre.
pub const SCREEN_PX: [f64; 2] = [1920.0, 1080.0];

/// The zoomed-out view of a raster covering `b`: the zoom where it is about [`VIEW_PX`] wide
/// (at most), how wide it is there, and every 256 px tile over it, nearest the centre first.
pub fn view_tiles(b: &LonLatBox) -> (u8, f64, Vec<TileKey>) {
    let corners = |z: f64| {
        let nw = world_px_from_lonlat(
            Coord {
                x: b.west,
                y: b.north,
            },
            z,
        );
        let se = world_px_from_lonlat(
            Coord {
                x: b.east,
                y: b.south,
            },
            z,
        );
        (nw, se)
    };
    let (nw0, se0) = corners(0.0);
    let zoom = (VIEW_PX / (se0.x - nw0.x)).log2().floor() as u8;
    let (nw, se) = corners(f64::from(zoom));
    let tiles = tiles_between(zoom, nw, se);
    (zoom, se.x - nw.x, tiles)
}

/// The tiles of a [`SCREEN_PX`] screen at the native zoom `native` (rounded up) around the
/// centre of `b`, nearest the centre first.
pub fn detail_tiles(b: &LonLatBox, native: f64) -> (u8, Vec<TileKey>) {
    let zoom = native.ceil() as u8;
    let c = world_px_from_lonlat(b.center(), f64::from(zoom));
    let half = Coord {
        x: SCREEN_PX[0] / 2.0,
        y: SCREEN_PX[1] / 2.0,
    };
    (zoom, tiles_between(zoom, c - half, c + half))
}

/// The lon/lat box of the [`SCREEN_PX`] screen of [`detail_tiles`].
pub fn detail_box(b: &LonLatBox, native: f64) -> LonLatBox {
    let zoom = f64::from(native.ceil() as u8);
    let c = world_px_from_lonlat(b.center(), zoom);
    let half = Coord {
        x: SCREEN_PX[0] / 2.0,
        y: SCREEN_PX[1] / 2.0,
    };
    let (nw, se) = (
        sitewatch::spatial::mercator::lonlat_from_world_px(c - half, zoom),
        sitewatch::spatial::mercator::lonlat_from_world_px(c + half, zoom),
    );
    LonLatBox {
        west: nw.x,
        south: se.y,
        east: se.x,
        north: nw.y,
    }
}

fn tiles_between(z: u8, nw: Coord<f64>, se: Coord<f64>) -> Vec<TileKey> {
    let mid = (nw + se) / 2.0;
    let mut tiles = Vec::new();
    for y in (nw.y / 256.0) as u32..=((se.y - 1.0) / 256.0) as u32 {
        for x in (nw.x / 256.0) as u32..=((se.x - 1.0) / 256.0) as u32 {
            tiles.push(TileKey { z, x, y });
        }
    }
    let away = |t: &TileKey| {
        let dx = (f64::from(t.x) + 0.5) * 256.0 - mid.x;
        let dy = (f64::from(t.y) + 0.5) * 256.0 - mid.y;
        dx * dx + dy * dy
    };
    tiles.sort_by(|a, b| away(a).total_cmp(&away(b)));
    tiles
}

/// What a GDAL command measured: seconds and peak memory (KiB; NaN without `/usr/bin/time`).
#[derive(Clone, Copy, Debug)]
pub struct Gdal {
    /// Wall-clock seconds.
    pub secs: f64,
    /// Peak resident memory, KiB.
    pub peak_kib: f64,
}

impl Gdal {
    /// Peak memory, MB.
    pub fn peak_mb(&self) -> f64 {
        self.peak_kib * 1024.0 / 1e6
    }
}

/// Runs a GDAL `program` with `args` (and `env`), timed, its peak memory read through
/// `/usr/bin/time` when there is one; why not, when it did not run or failed.
pub fn gdal(program: &str, args: &[String], env: &[(&str, &str)]) -> Result<Gdal, String> {
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "maxrss_kib=%M", program]);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let output = cmd
        .output()
        .map_err(|e| format!("{program} not run: {e}"))?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{program} failed: {}", stderr.trim()));
    }
    let peak_kib = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("maxrss_kib="))
        .find_map(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    Ok(Gdal { secs, peak_kib })
}

/// `gdal_translate -q -of MEM` with `args` before the input: the pixels read and kept in
/// memory, nothing written.
pub fn gdal_to_memory(input: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Gdal, String> {
    let args: Vec<String> = ["-q", "-of", "MEM"]
        .iter()
        .chain(args)
        .map(|s| (*s).to_owned())
        .chain([input.to_owned(), "mem".to_owned()])
        .collect();
    gdal("gdal_translate", &args, env)
}
