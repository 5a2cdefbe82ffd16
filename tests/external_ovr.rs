//! A tiled GeoTIFF without internal overviews is streamed from the `.ovr` beside it (the
//! external overviews GDAL's `gdaladdo -ro` writes); an `.ovr` of no use is passed over and the
//! file opens as it would without one.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const SIDE: u32 = 2048;
const STEP_DEG: f64 = 1e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;
/// Zoom 13 shows the whole raster in about 120 px; zoom 18 is finer than its pixels.
const ZOOMED_OUT: u8 = 13;
const ZOOMED_IN: u8 = 18;

/// Writes a tiled RGB GeoTIFF `side` px a side over the site with `overviews` internal
/// overviews, noise around `rgb`.
fn write_tiled(path: &Path, side: u32, overviews: u32, bands: u16, rgb: [u8; 3]) {
    common::tiles::write_noise_tiff(path, (WEST, NORTH), (side, STEP_DEG), overviews, bands, rgb);
}

/// A red 2048² tiled file without overviews at `path`.
fn red_base(path: &Path) {
    write_tiled(path, SIDE, 0, 3, [200, 30, 30]);
}

/// An `.ovr` for it as GDAL lays one out: its first image half the raster's size, then two
/// more halvings; blue, so a tile drawn from it says so.
fn blue_ovr(path: &Path, bands: u16) {
    write_tiled(path, SIDE / 2, 2, bands, [30, 30, 200]);
}

/// The tile at `zoom` over the raster's centre.
fn centre_key(zoom: u8) -> TileKey {
    common::tiles::centre_key((WEST, NORTH), SIDE, STEP_DEG, zoom)
}

/// Mean red and blue of the centre tile at `zoom`.
fn red_blue(source: &RasterTileSource, zoom: u8) -> (f64, f64) {
    common::tiles::mean_red_blue(&source.fetch(centre_key(zoom)).unwrap())
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_tiled_file_streams_a_zoomed_out_view_from_its_ovr_and_full_detail_from_itself() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("site.tif");
    let ovr = dir.path().join("site.tif.ovr");
    red_base(&base);
    blue_ovr(&ovr, 3);
    let source = RasterTileSource::open(&base, &OpenOptions::default()).unwrap();
    assert!(source.is_streamed(), "streamed from the .ovr's levels");
    let (memory, spilled) = source.memory_bytes();
    assert_eq!(spilled, 0);
    assert!(
        memory < (SIDE * SIDE) as usize,
        "nothing like the full raster decoded on opening: {memory} bytes"
    );
    let (red, blue) = red_blue(&source, ZOOMED_OUT);
    assert!(
        blue > 150.0 && red < 90.0,
        "from the .ovr: red {red}, blue {blue}"
    );
    let bytes_read = source.bytes_read();
    let total = file_len(&base) + file_len(&ovr);
    assert!(
        bytes_read * 20 < total,
        "a zoomed-out view read {bytes_read} of {total} bytes (under 5 % expected)"
    );
    let (red, blue) = red_blue(&source, ZOOMED_IN);
    assert!(
        red > 150.0 && blue < 90.0,
        "full detail: red {red}, blue {blue}"
    );
}

#[test]
fn an_ovr_that_is_no_tiff_or_has_other_bands_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("site.tif");
    red_base(&base);
    let ovr = dir.path().join("site.tif.ovr");
    for (what, write) in [
        (
            "not a TIFF",
            Box::new(|p: &Path| std::fs::write(p, b"II*\0 this is not a TIFF").unwrap())
                as Box<dyn Fn(&Path)>,
        ),
        ("one band", Box::new(|p: &Path| blue_ovr(p, 1))),
    ] {
        write(&ovr);
        let source = RasterTileSource::open(&base, &OpenOptions::default()).unwrap();
        assert!(
            !source.is_streamed(),
            "{what}: decoded whole, as without it"
        );
        let (red, blue) = red_blue(&source, ZOOMED_OUT);
        assert!(
            red > 150.0 && blue < 90.0,
            "{what}: averaged from the file itself: red {red}, blue {blue}"
        );
    }
}

/// GDAL's own external overviews (`gdaladdo -ro`, Deflate, 128 px tiles), when GDAL is here.
#[test]
fn gdals_external_overviews_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("site.tif");
    red_base(&base);
    let status = std::process::Command::new("gdaladdo")
        .args([
            "-q",
            "-ro",
            "-r",
            "average",
            "--config",
            "COMPRESS_OVERVIEW",
            "DEFLATE",
        ])
        .arg(&base)
        .args(["2", "4", "8"])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("gdaladdo is not available: skipping the GDAL .ovr check");
        return;
    }
    let ovr = dir.path().join("site.tif.ovr");
    assert!(ovr.is_file(), "gdaladdo -ro writes site.tif.ovr");
    let source = RasterTileSource::open(&base, &OpenOptions::default()).unwrap();
    assert!(source.is_streamed(), "GDAL's .ovr levels are used");
    // GDAL averages the red raster: still red, read from the .ovr alone.
    let (red, _) = red_blue(&source, ZOOMED_OUT);
    assert!(red > 150.0, "red {red}");
    let bytes_read = source.bytes_read();
    assert!(
        bytes_read * 20 < file_len(&base),
        "a zoomed-out view read {bytes_read} bytes of a {} byte file",
        file_len(&base)
    );
}
