//! Tiled GeoTIFFs with overviews (cloud-optimized GeoTIFFs), local and on a 127.0.0.1 server,
//! are read tile by tile from the overview that fits the view; nothing is decoded up front.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::range_server::{Behaviour, RangeServer};
use common::tiles::{mean_red_blue, no_wait};
use sitewatch::imagery::raster::bytes::{ByteSource, MemoryBytes};
use sitewatch::imagery::raster::decode::TiffFile;
use sitewatch::imagery::raster::http_bytes::Retry;
use sitewatch::imagery::raster::write::{Compression, write_geotiff_levels_with};
use sitewatch::imagery::raster::{Limits, OpenOptions, RasterError, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const SIDE: u32 = 2048;
const STEP_DEG: f64 = 1e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;

/// A 2048² RGB COG in EPSG:4326 (256 px Deflate tiles, three overviews) whose full-resolution
/// pixels are red and whose overviews are blue, both with noise that does not compress away:
/// a tile's colour says which level it was drawn from.
fn red_and_blue_cog(overviews: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    write_red_and_blue(&mut out, overviews);
    out.into_inner()
}

fn write_red_and_blue(out: &mut std::io::Cursor<Vec<u8>>, overviews: u32) {
    let spec = common::tiles::cog_spec((WEST, NORTH), SIDE, STEP_DEG, Compression::Deflate);
    write_geotiff_levels_with(
        out,
        &spec,
        overviews,
        |k, x0, y0, w, h, block: &mut Vec<u8>| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    let noise = (common::rasters::hash(u64::from(k), i64::from(x), i64::from(y))
                        * 30.0) as u8;
                    let (main, other) = (200 + noise / 2, 30 + noise);
                    if k == 0 {
                        block.extend([main, other, other]);
                    } else {
                        block.extend([other, other, main]);
                    }
                }
            }
        },
    )
    .unwrap();
}

/// The bytes of each full-resolution tile of a TIFF.
fn full_resolution_tiles(bytes: &[u8]) -> Vec<std::ops::Range<u64>> {
    let mem: Arc<dyn ByteSource> = Arc::new(MemoryBytes::new(bytes.to_vec(), "mem"));
    let tiff = TiffFile::open_source(mem, 0, &Limits::default()).unwrap();
    let (across, down) = tiff.chunk_grid();
    (0..across * down)
        .flat_map(|q| tiff.chunk_byte_ranges(q))
        .collect()
}

/// The tile at `zoom` over the raster's centre.
fn centre_key(zoom: u8) -> TileKey {
    common::tiles::centre_key((WEST, NORTH), SIDE, STEP_DEG, zoom)
}

/// Zoom 13 shows the whole raster in about 120 px (its 256 px overview); zoom 18 is finer
/// than its pixels.
const ZOOMED_OUT: u8 = 13;
const ZOOMED_IN: u8 = 18;

#[test]
fn a_local_cog_draws_a_zoomed_out_view_from_its_overview_and_reads_little_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cog.tif");
    let bytes = red_and_blue_cog(3);
    std::fs::write(&path, &bytes).unwrap();
    let source = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    assert!(source.is_streamed(), "tiled with overviews: streamed");
    assert_eq!(source.size_px(), (SIDE, SIDE));
    let (memory, spilled) = source.memory_bytes();
    assert_eq!(spilled, 0);
    assert!(
        memory < (SIDE * SIDE) as usize,
        "nothing like the full raster decoded on opening: {memory} bytes"
    );

    let (red, blue) = mean_red_blue(&source.fetch(centre_key(ZOOMED_OUT)).unwrap());
    assert!(
        blue > 150.0 && red < 90.0,
        "overview pixels: red {red}, blue {blue}"
    );
    let bytes_read = source.bytes_read();
    assert!(
        bytes_read * 20 < bytes.len() as u64,
        "a zoomed-out view read {bytes_read} of {} bytes (under 5 % expected)",
        bytes.len()
    );

    let (red, blue) = mean_red_blue(&source.fetch(centre_key(ZOOMED_IN)).unwrap());
    assert!(
        red > 150.0 && blue < 90.0,
        "full-resolution pixels: red {red}, blue {blue}"
    );
}

#[test]
fn a_tiled_file_without_overviews_is_still_decoded_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.tif");
    std::fs::write(&path, red_and_blue_cog(0)).unwrap();
    let source = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    assert!(!source.is_streamed());
    let (red, blue) = mean_red_blue(&source.fetch(centre_key(ZOOMED_OUT)).unwrap());
    assert!(
        red > 150.0 && blue < 90.0,
        "averaged from full resolution: red {red}"
    );
}

#[test]
fn a_remote_cog_reads_under_five_percent_and_no_full_resolution_tile_for_a_zoomed_out_view() {
    let bytes = red_and_blue_cog(3);
    let full_res_tiles = full_resolution_tiles(&bytes);
    let server = RangeServer::start(bytes.clone(), Behaviour::Ranges);
    let source =
        RasterTileSource::open_url(&server.url("scene.tif"), &OpenOptions::default(), no_wait())
            .unwrap();
    assert!(source.is_streamed());
    let (red, blue) = mean_red_blue(&source.fetch(centre_key(ZOOMED_OUT)).unwrap());
    assert!(
        blue > 150.0 && red < 90.0,
        "overview pixels: red {red}, blue {blue}"
    );
    let sent = server.sent();
    assert!(
        sent * 20 < bytes.len() as u64,
        "sent {sent} of {} bytes for a zoomed-out view",
        bytes.len()
    );
    assert_eq!(
        source.bytes_read(),
        sent,
        "the source counts what came over the wire"
    );
    // This writer puts each overview's directory just before the next level's tiles, so the
    // decoder's read-ahead past a directory may touch the start of one; no tile is read whole.
    for &(a, b) in server.ranges.lock().unwrap().iter() {
        for tile in &full_res_tiles {
            assert!(
                !(a <= tile.start && b + 1 >= tile.end),
                "range {a}-{b} reads a full-resolution tile ({tile:?})"
            );
        }
    }
    // Each directory of this writer's file lies after its level's tiles: a request or two each.
    let requests = server.request_count();
    assert!(
        requests <= 16,
        "{requests} requests for four directories and one tile"
    );

    // Zoomed in, the same pixels as the file read locally.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cog.tif");
    std::fs::write(&path, &bytes).unwrap();
    let local = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    let key = centre_key(ZOOMED_IN);
    assert_eq!(source.fetch(key).unwrap(), local.fetch(key).unwrap());
}

#[test]
fn a_server_without_range_support_serves_a_small_file_whole_and_a_large_one_is_refused() {
    let bytes = red_and_blue_cog(3);
    let whole = RangeServer::start(bytes.clone(), Behaviour::NoRanges);
    let source =
        RasterTileSource::open_url(&whole.url("small.tif"), &OpenOptions::default(), no_wait())
            .unwrap();
    let (_, blue) = mean_red_blue(&source.fetch(centre_key(ZOOMED_OUT)).unwrap());
    assert!(blue > 150.0);
    assert_eq!(whole.request_count(), 1, "read once, whole");

    let huge = RangeServer::start(Vec::new(), Behaviour::NoRangesClaiming(100 << 20));
    let url = huge.url("huge.tif");
    let err = RasterTileSource::open_url(&url, &OpenOptions::default(), no_wait()).unwrap_err();
    let chain = chain_of(&err);
    assert!(chain.contains("does not answer range requests"), "{chain}");
    assert!(chain.contains("127.0.0.1"), "names the server: {chain}");
    assert_eq!(chain.matches(&url).count(), 1, "the URL once: {chain}");
}

#[test]
fn a_missing_remote_file_is_one_request_and_a_message_naming_its_url_once() {
    let server = RangeServer::start(Vec::new(), Behaviour::Status(404));
    let url = server.url("gone.tif");
    let err = RasterTileSource::open_url(&url, &OpenOptions::default(), no_wait()).unwrap_err();
    let chain = chain_of(&err);
    assert!(chain.contains("HTTP 404"), "{chain}");
    assert_eq!(chain.matches(&url).count(), 1, "{chain}");
    assert_eq!(server.request_count(), 1, "a 404 is not retried");
}

#[test]
fn a_failing_server_is_retried_with_a_doubling_backoff() {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&waits);
    let retry = Retry {
        sleep: Arc::new(move |d| recorded.lock().unwrap().push(d)),
        first_backoff: Duration::from_millis(100),
        ..Retry::default()
    };
    let server = RangeServer::start(red_and_blue_cog(3), Behaviour::FailFirst(2));
    let source =
        RasterTileSource::open_url(&server.url("flaky.tif"), &OpenOptions::default(), retry)
            .unwrap();
    assert!(source.is_streamed());
    assert_eq!(
        *waits.lock().unwrap(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );

    let always = RangeServer::start(Vec::new(), Behaviour::Status(503));
    let err =
        RasterTileSource::open_url(&always.url("down.tif"), &OpenOptions::default(), no_wait())
            .unwrap_err();
    assert!(chain_of(&err).contains("HTTP 503"));
    assert_eq!(always.request_count(), 3, "three attempts, then the error");
}

#[test]
fn a_server_that_never_answers_ends_in_a_timeout_after_the_set_attempts() {
    let server = RangeServer::start(Vec::new(), Behaviour::Hang);
    let retry = Retry {
        attempts: 2,
        timeout: Duration::from_millis(300),
        ..no_wait()
    };
    let err = RasterTileSource::open_url(&server.url("hang.tif"), &OpenOptions::default(), retry)
        .unwrap_err();
    assert!(chain_of(&err).contains("timed out"), "{}", chain_of(&err));
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_remote_layer_round_trips_through_the_project_file() {
    let layer: sitewatch::model::ImageryLayer = serde_json::from_value(serde_json::json!({
        "id": "s2",
        "name": "Sentinel-2 visual",
        "date": "2025-06-14",
        "source": {"kind": "remote", "url": "s3://sentinel-cogs/a/TCI.tif"}
    }))
    .unwrap();
    assert_eq!(
        layer.source,
        sitewatch::model::LayerSource::Remote {
            url: "s3://sentinel-cogs/a/TCI.tif".to_owned()
        }
    );
    let back = serde_json::to_value(&layer).unwrap();
    assert_eq!(back["source"]["url"], "s3://sentinel-cogs/a/TCI.tif");
}

fn chain_of(err: &RasterError) -> String {
    let mut out = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// A cloud-optimized GeoTIFF as GDAL writes one (`gdal_translate -of COG`): header and every
/// directory first, then the overviews' tiles, the full resolution last. `None` without GDAL.
fn gdal_cog(dir: &std::path::Path) -> Option<Vec<u8>> {
    let plain = dir.join("plain.tif");
    std::fs::write(&plain, red_and_blue_cog(0)).unwrap();
    let cog = dir.join("gdal-cog.tif");
    let status = std::process::Command::new("gdal_translate")
        .args([
            "-q",
            "-of",
            "COG",
            "-co",
            "BLOCKSIZE=256",
            "-co",
            "COMPRESS=DEFLATE",
        ])
        .arg(&plain)
        .arg(&cog)
        .status();
    match status {
        Ok(s) if s.success() => Some(std::fs::read(&cog).unwrap()),
        _ => {
            eprintln!("gdal_translate is not available: skipping the GDAL COG check");
            None
        }
    }
}

#[test]
fn a_gdal_cog_over_http_reads_no_byte_of_its_full_resolution_tiles_for_a_zoomed_out_view() {
    let dir = tempfile::tempdir().unwrap();
    let Some(bytes) = gdal_cog(dir.path()) else {
        return;
    };
    let full_res_tiles = full_resolution_tiles(&bytes);
    let server = RangeServer::start(bytes.clone(), Behaviour::Ranges);
    let source =
        RasterTileSource::open_url(&server.url("gdal.tif"), &OpenOptions::default(), no_wait())
            .unwrap();
    assert!(source.is_streamed(), "GDAL's overviews are used");
    // GDAL's overviews average the red full resolution: still red, drawn from an overview.
    let (red, _) = mean_red_blue(&source.fetch(centre_key(ZOOMED_OUT)).unwrap());
    assert!(red > 150.0);
    let sent = server.sent();
    assert!(
        sent * 20 < bytes.len() as u64,
        "sent {sent} of {}",
        bytes.len()
    );
    let requests = server.request_count();
    assert!(
        requests <= 3,
        "{requests} requests: the header, then one overview's tiles"
    );
    for &(a, b) in server.ranges.lock().unwrap().iter() {
        for tile in &full_res_tiles {
            assert!(
                b < tile.start || a >= tile.end,
                "range {a}-{b} reads a byte of a full-resolution tile ({tile:?})"
            );
        }
    }
}
