//! Opening a large `GeoTIFF`: a 10000 × 10000 RGB Deflate `GeoTIFF` in UTM 52N, generated in a temp
//! folder, opened as a tile source (decoded, pyramid built: ready to draw), against merely
//! decoding it with `tiff`; each measured in a fresh child process for its own peak memory
//! (`VmHWM`), cold (page cache dropped, when allowed) and warm; and `gdalwarp` to a 3840 × 2160
//! Web Mercator image when GDAL is installed.
//!
//! `cargo bench --bench raster_open` (release). `SITEWATCH_BENCH_PX=4000` for a smaller raster.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;

use common::{drop_caches, field, generate, peak_kib};
use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use geo::Coord;
use sitewatch::imagery::raster::decode::{Block, BlockSink, TiffFile};
use sitewatch::imagery::raster::{Limits, OpenOptions, RasterError, RasterTileSource, SampleKind};
use sitewatch::imagery::{TileKey, TileSource};
use sitewatch::spatial::mercator::world_px_from_lonlat;

fn child(mode: &str, path: &Path) {
    let start = Instant::now();
    if mode == "ours" {
        /// Counts what arrives, keeps nothing.
        struct Null(usize);
        impl BlockSink for Null {
            fn put(&mut self, block: Block<'_>) {
                self.0 += (block.at.w * block.at.h) as usize;
            }
            fn complete_rows(&mut self, _rows: u32) -> Result<(), RasterError> {
                Ok(())
            }
            fn keep_going(&mut self, _fraction: f64) -> bool {
                true
            }
        }
        let mut file = TiffFile::open(path, &Limits::default()).unwrap();
        let mut sink = Null(0);
        file.decode(&mut sink).unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!("secs={secs:.3} peak_kib={} px={}", peak_kib(), sink.0);
    } else if mode == "decode" {
        let mut decoder =
            tiff::decoder::Decoder::new(std::io::BufReader::new(File::open(path).unwrap()))
                .unwrap()
                .with_limits(tiff::decoder::Limits::unlimited());
        let image = decoder.read_image().unwrap();
        let secs = start.elapsed().as_secs_f64();
        let bytes = match &image {
            tiff::decoder::DecodingResult::U8(v) => v.len(),
            _ => 0,
        };
        println!("secs={secs:.3} peak_kib={} bytes={bytes}", peak_kib());
    } else {
        let src = RasterTileSource::open(path, &OpenOptions::default()).unwrap();
        let secs = start.elapsed().as_secs_f64();
        let peak = peak_kib();
        // First tiles: the whole raster (zoom to layer) and one at full resolution.
        let b = src.bounds_lonlat();
        let t = Instant::now();
        let centre = b.center();
        let mut tiles = 0;
        for z in [11u8, 17] {
            let w = world_px_from_lonlat(
                Coord {
                    x: centre.x,
                    y: centre.y,
                },
                f64::from(z),
            );
            let key = TileKey {
                z,
                x: (w.x / 256.0) as u32,
                y: (w.y / 256.0) as u32,
            };
            std::hint::black_box(src.fetch(key).unwrap());
            tiles += 1;
        }
        let tile_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(tiles);
        let (held, spilled) = src.memory_bytes();
        println!(
            "secs={secs:.3} peak_kib={peak} held={held} spilled={spilled} levels={} tile_ms={tile_ms:.1}",
            src.level_count()
        );
    }
}

/// Runs this binary as `child MODE PATH` and returns its report line.
fn measure(mode: &str, path: &Path) -> String {
    common::measure(&[mode, &path.display().to_string()])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    let side: u32 = std::env::var("SITEWATCH_BENCH_PX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("SITEWATCH_BENCH_FILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join(format!("utm52n_{side}.tif")),
    };
    if !path.exists() {
        let t = Instant::now();
        generate(&path, side);
        println!(
            "generated {} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let file_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let header = TiffFile::open(&path, &Limits::default())
        .unwrap()
        .header()
        .clone();
    let sample_bytes = header.kind.map_or(1, SampleKind::bytes);
    let decoded_mb = f64::from(header.width_px)
        * f64::from(header.height_px)
        * (header.bands * sample_bytes) as f64
        / 1e6;
    println!("# raster_open: {}", path.display());
    println!(
        "{} × {} px, {} bands; file {file_mb:.0} MB, decoded {decoded_mb:.0} MB",
        header.width_px, header.height_px, header.bands
    );

    let mut rows = Vec::new();
    for pass in ["cold", "warm"] {
        let cold_note = if pass == "cold" {
            match drop_caches() {
                Ok(()) => String::new(),
                Err(e) => format!(" (page cache not dropped: {e})"),
            }
        } else {
            String::new()
        };
        let decode = measure("decode", &path);
        if pass == "cold" {
            let _ = drop_caches();
        }
        let open = measure("open", &path);
        rows.push((format!("{pass}{cold_note}"), decode, open));
    }
    let ours = measure("ours", &path);
    println!();
    println!(
        "| pass | tiff decode s | open (ready to draw) s | ratio | decode peak MB | open peak MB | peak / decoded size |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (pass, decode, open) in &rows {
        let (ds, os) = (field(decode, "secs"), field(open, "secs"));
        let (dp, op) = (
            field(decode, "peak_kib") * 1024.0 / 1e6,
            field(open, "peak_kib") * 1024.0 / 1e6,
        );
        println!(
            "| {pass} | {ds:.2} | {os:.2} | {:.2}× | {dp:.0} | {op:.0} | {:.2}× |",
            os / ds,
            op / decoded_mb
        );
    }
    if let Some((_, _, open)) = rows.last() {
        println!();
        println!(
            "open: {} levels, {:.0} MB held, {:.0} MB spilled, first tiles {:.1} ms each",
            field(open, "levels"),
            field(open, "held") / 1e6,
            field(open, "spilled") / 1e6,
            field(open, "tile_ms")
        );
    }
    println!(
        "our strip/tile reader alone, into no pyramid (warm): {:.2} s",
        field(&ours, "secs")
    );

    let warped = dir.path().join("warped.tif");
    let t = Instant::now();
    match Command::new("gdalwarp")
        .args([
            "-q",
            "-overwrite",
            "-t_srs",
            "EPSG:3857",
            "-r",
            "bilinear",
            "-ts",
            "3840",
            "2160",
        ])
        .arg(&path)
        .arg(&warped)
        .status()
    {
        Ok(s) if s.success() => println!(
            "gdalwarp -t_srs EPSG:3857 -r bilinear -ts 3840 2160: {:.2} s (warm)",
            t.elapsed().as_secs_f64()
        ),
        Ok(s) => println!("gdalwarp failed: {s}"),
        Err(e) => println!("gdalwarp not run: {e}"),
    }
}
