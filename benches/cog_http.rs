//! A zoomed-out view of a 10000 × 10000 cloud-optimized GeoTIFF over HTTP: bytes and requests
//! the server answered, time and peak memory, for Sitewatch (in a child process) drawing every
//! tile of the whole raster at the zoom where it is about 1900 px wide, against GDAL reading the
//! same view (`gdal_translate -outsize <that width> 0 /vsicurl/…`) from the same 127.0.0.1 server
//! in the same run. Target: under 5 % of the file, no byte of the full-resolution tiles.
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

use std::sync::atomic::Ordering;
use std::time::Instant;

use common::{Kind, Row, Target, field, gdal_to_memory, peak_kib, record, view_tiles};
use range_server::{Behaviour, RangeServer};
use sitewatch::imagery::TileSource;
use sitewatch::imagery::raster::http_bytes::Retry;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};

const BENCH: &str = "cog_http";

/// Opens `url` and draws every tile of the zoomed-out view; prints times and peak memory.
fn child(url: &str) {
    let t = Instant::now();
    let source =
        RasterTileSource::open_url(url, &OpenOptions::default(), Retry::default()).unwrap();
    let open_s = t.elapsed().as_secs_f64();
    let (zoom, view_w, tiles) = view_tiles(&source.bounds_lonlat());
    for &key in &tiles {
        std::hint::black_box(source.fetch(key).unwrap());
    }
    println!(
        "open_s={open_s:.3} secs={:.3} peak_kib={} zoom={zoom} view_w={view_w:.0} tiles={}",
        t.elapsed().as_secs_f64(),
        peak_kib(),
        tiles.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2]);
        return;
    }
    let side = common::side_px();
    let input = common::input(Kind::Cog);
    let bytes = std::fs::read(&input.path).unwrap();
    let file_len = bytes.len() as f64;
    println!(
        "# cog_http: {side} × {side} px RGB Deflate COG (512 px tiles), {:.0} MB",
        file_len / 1e6
    );

    let server = RangeServer::start(bytes, Behaviour::Ranges);
    let url = server.url("cog.tif");
    let counters = || {
        (
            server.bytes_sent.load(Ordering::SeqCst),
            server.requests.load(Ordering::SeqCst),
        )
    };
    let ours = common::measure(&[&url]);
    let (ours_bytes, ours_requests) = counters();
    let (secs, peak_mb) = (
        field(&ours, "secs"),
        field(&ours, "peak_kib") * 1024.0 / 1e6,
    );
    let view_w = format!("{:.0}", field(&ours, "view_w"));
    println!(
        "view: zoom {}, {} tiles of 256 px (the raster {view_w} px wide); open {:.2} s",
        field(&ours, "zoom"),
        field(&ours, "tiles"),
        field(&ours, "open_s")
    );
    println!();
    println!("| reader | bytes read | share of file | requests | seconds | peak MB |");
    println!("|---|---|---|---|---|---|");
    let share = |b: u64| 100.0 * b as f64 / file_len;
    println!(
        "| sitewatch (open + every tile of the view) | {ours_bytes} | {:.2} % | {ours_requests} | {secs:.2} | {peak_mb:.0} |",
        share(ours_bytes)
    );

    let gdal = gdal_to_memory(
        &format!("/vsicurl/{url}"),
        &["-outsize", &view_w, "0"],
        &[("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")],
    );
    let (all_bytes, all_requests) = counters();
    let (gdal_bytes, gdal_requests) = (all_bytes - ours_bytes, all_requests - ours_requests);
    match &gdal {
        Ok(g) => println!(
            "| GDAL gdal_translate -outsize (the same width) /vsicurl/ | {gdal_bytes} | {:.2} % | {gdal_requests} | {:.2} | {:.0} |",
            share(gdal_bytes),
            g.secs,
            g.peak_mb()
        ),
        Err(e) => println!("| GDAL | – | – | – | – | – | ({e}) |"),
    }
    println!();
    println!("target: under 5 % of the file for a zoomed-out view");

    let ok = gdal.as_ref().ok();
    record(&Row {
        bench: BENCH,
        id: "cog.http_share".to_owned(),
        work: format!(
            "COG over HTTP, zoomed-out view ({view_w} px wide): share of the {:.0} MB file read (Sitewatch {:.2} MB in {ours_requests} requests, GDAL {:.2} MB in {gdal_requests}) · GDAL `/vsicurl/` `-outsize {view_w} 0`",
            file_len / 1e6,
            ours_bytes as f64 / 1e6,
            gdal_bytes as f64 / 1e6
        ),
        unit: "%",
        value: share(ours_bytes),
        gdal: ok.map(|_| share(gdal_bytes)),
        targets: vec![Target::at_most("< 5 % of the file", 5.0)],
        ..Row::default()
    });
    record(&Row {
        bench: BENCH,
        id: "cog.http_time".to_owned(),
        work: format!("COG over HTTP, zoomed-out view ({view_w} px wide): time, 127.0.0.1"),
        unit: "s",
        value: secs,
        peak_mb: Some(peak_mb),
        gdal: ok.map(|g| g.secs),
        gdal_peak_mb: ok.map(common::Gdal::peak_mb),
        targets: Vec::new(),
    });
}
