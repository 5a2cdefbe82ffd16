//! A zoomed-out view of a 10000 × 10000 cloud-optimized GeoTIFF over HTTP: bytes and requests
//! the server answered, and time, for Sitewatch drawing every tile of the whole raster at the
//! zoom where it is about 1900 px wide, against GDAL reading the same view
//! (`gdal_translate -outsize 1900 0 /vsicurl/…`) from the same 127.0.0.1 server in the same run.
//! Target: under 5 % of the file, no byte of the full-resolution tiles.
//!
//! `cargo bench --bench cog_http` (release). `SITEWATCH_BENCH_PX=4000` for a smaller raster.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;
#[allow(dead_code, clippy::unwrap_used)]
#[path = "../tests/common/range_server.rs"]
mod range_server;

use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Instant;

use geo::Coord;
use range_server::{Behaviour, RangeServer};
use sitewatch::imagery::raster::http_bytes::Retry;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};
use sitewatch::spatial::mercator::world_px_from_lonlat;

/// How wide the view draws the raster, screen pixels.
const VIEW_PX: f64 = 1900.0;

fn main() {
    let side = common::side_px();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("cog_{side}.tif"));
    common::generate_cog(&path, side);
    let bytes = std::fs::read(&path).unwrap();
    let file_len = bytes.len() as f64;
    println!(
        "# cog_http: {side} × {side} px RGB Deflate COG (512 px tiles), {:.0} MB",
        file_len / 1e6
    );

    let server = RangeServer::start(bytes, Behaviour::Ranges);
    let url = server.url("cog.tif");
    let t = Instant::now();
    let source =
        RasterTileSource::open_url(&url, &OpenOptions::default(), Retry::default()).unwrap();
    let open_s = t.elapsed().as_secs_f64();
    let b = source.bounds_lonlat();
    let zoom = {
        let w0 = world_px_from_lonlat(
            Coord {
                x: b.west,
                y: b.north,
            },
            0.0,
        );
        let w1 = world_px_from_lonlat(
            Coord {
                x: b.east,
                y: b.south,
            },
            0.0,
        );
        (VIEW_PX / (w1.x - w0.x)).log2().floor() as u8
    };
    let nw = world_px_from_lonlat(
        Coord {
            x: b.west,
            y: b.north,
        },
        f64::from(zoom),
    );
    let se = world_px_from_lonlat(
        Coord {
            x: b.east,
            y: b.south,
        },
        f64::from(zoom),
    );
    let mut tiles = 0;
    for y in (nw.y / 256.0) as u32..=(se.y / 256.0) as u32 {
        for x in (nw.x / 256.0) as u32..=(se.x / 256.0) as u32 {
            std::hint::black_box(source.fetch(TileKey { z: zoom, x, y }).unwrap());
            tiles += 1;
        }
    }
    let ours_s = t.elapsed().as_secs_f64();
    let (ours_bytes, ours_requests) = (
        server.bytes_sent.load(Ordering::SeqCst),
        server.requests.load(Ordering::SeqCst),
    );
    println!(
        "view: zoom {zoom}, {tiles} tiles of 256 px (the raster {:.0} px wide); open {open_s:.2} s",
        se.x - nw.x
    );
    println!();
    println!("| reader | bytes read | share of file | requests | seconds |");
    println!("|---|---|---|---|---|");
    println!(
        "| sitewatch (open + every tile of the view) | {ours_bytes} | {:.2} % | {ours_requests} | {ours_s:.2} |",
        100.0 * ours_bytes as f64 / file_len
    );

    let before = (
        server.bytes_sent.load(Ordering::SeqCst),
        server.requests.load(Ordering::SeqCst),
    );
    let out = dir.path().join("gdal.tif");
    let t = Instant::now();
    let gdal = Command::new("gdal_translate")
        .args(["-q", "-outsize", &format!("{:.0}", se.x - nw.x), "0"])
        .arg(format!("/vsicurl/{url}"))
        .arg(&out)
        .env("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
        .status();
    let gdal_s = t.elapsed().as_secs_f64();
    match gdal {
        Ok(s) if s.success() => {
            let gdal_bytes = server.bytes_sent.load(Ordering::SeqCst) - before.0;
            let gdal_requests = server.requests.load(Ordering::SeqCst) - before.1;
            println!(
                "| GDAL gdal_translate -outsize (the same width) /vsicurl/ | {gdal_bytes} | {:.2} % | {gdal_requests} | {gdal_s:.2} |",
                100.0 * gdal_bytes as f64 / file_len
            );
        }
        Ok(s) => println!("| GDAL | – | – | – | – | ({s})"),
        Err(e) => println!("| GDAL | – | – | – | – | (not run: {e})"),
    }
    println!();
    println!("target: under 5 % of the file for a zoomed-out view");
}
