//! Figures in the format their name asks for: `.png`, `.jpg` (with a quality and a `.jgw`) and
//! `.tif` (a GeoTIFF with its CRS and georeference inside); any other extension is refused
//! before anything is written, never PNG bytes under another name.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::{Path, PathBuf};

use sitewatch::export::files::parse_world_file;
use sitewatch::imagery::raster::{Crs, OpenOptions, RasterTileSource};

/// Exports the default project at 14 Oct 2025, 480 × 270, to `name` in `dir`.
fn export(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec![
        "export",
        "default",
        "--date",
        "2025-10-14",
        "--size",
        "480x270",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    common::cli::succeeds(&args);
    out
}

/// The RGB samples of an 8-bit RGB TIFF, read with the `tiff` crate (not the app's reader).
fn tiff_rgb(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut decoder = tiff::decoder::Decoder::new(std::fs::File::open(path).unwrap()).unwrap();
    let (w, h) = decoder.dimensions().unwrap();
    let tiff::decoder::DecodingResult::U8(samples) = decoder.read_image().unwrap() else {
        panic!("not 8-bit");
    };
    (w, h, samples)
}

#[test]
fn a_geotiff_figure_has_the_png_pixels_and_the_world_file_georeference_inside() {
    let dir = tempfile::tempdir().unwrap();
    let png = export(dir.path(), "fig.png", &[]);
    let tif = export(dir.path(), "fig.tif", &[]);
    let png_rgb = image::open(&png).unwrap().to_rgb8();
    let (w, h, samples) = tiff_rgb(&tif);
    assert_eq!((w, h), png_rgb.dimensions());
    assert_eq!(samples, png_rgb.into_raw(), "lossless: the same pixels");
    // The georeference inside the GeoTIFF is the PNG's world file's.
    let world =
        parse_world_file(&std::fs::read_to_string(png.with_extension("pgw")).unwrap()).unwrap();
    let src = RasterTileSource::open(&tif, &OpenOptions::default()).unwrap();
    assert_eq!(src.crs(), &Crs::WebMercator);
    let t = src.geo_transform().0;
    let px = world[0];
    assert!(
        (t[1] - px).abs() < 1e-9 && (t[5] + px).abs() < 1e-9,
        "{t:?} vs {world:?}"
    );
    // A world file names the top-left pixel's centre; a GeoTIFF's transform its corner.
    assert!(
        (t[0] + px / 2.0 - world[4]).abs() < 1e-6,
        "{t:?} vs {world:?}"
    );
    assert!(
        (t[3] - px / 2.0 - world[5]).abs() < 1e-6,
        "{t:?} vs {world:?}"
    );
    // CRS inside: no world file beside it (the PNG's stays); the sidecar names the format.
    assert!(!tif.with_extension("tfw").exists());
    assert!(
        png.with_extension("pgw").exists(),
        "the PNG's world file is left alone"
    );
    assert_eq!(common::cli::sidecar(&tif)["image"]["format"], "GeoTIFF");
    let bytes = std::fs::read(&tif).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("Software: Sitewatch"),
        "provenance in ImageDescription"
    );
}

#[test]
fn a_jpeg_figure_is_a_jpeg_with_its_world_file_and_quality() {
    let dir = tempfile::tempdir().unwrap();
    let png = export(dir.path(), "fig.png", &[]);
    let fine = export(dir.path(), "fine.jpg", &["--jpeg-quality", "95"]);
    let coarse = export(dir.path(), "coarse.jpeg", &["--jpeg-quality", "30"]);
    let bytes = std::fs::read(&fine).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "JPEG bytes");
    assert!(String::from_utf8_lossy(&bytes).contains("Software: Sitewatch"));
    assert!(std::fs::metadata(&coarse).unwrap().len() < bytes.len() as u64);
    let decoded = image::open(&fine).unwrap().to_rgb8();
    let reference = image::open(&png).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), reference.dimensions());
    let diff: u64 = decoded
        .as_raw()
        .iter()
        .zip(reference.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = diff as f64 / reference.as_raw().len() as f64;
    assert!(
        mean < 4.0,
        "quality 95 stays close to the PNG: mean error {mean}"
    );
    assert_eq!(
        std::fs::read_to_string(fine.with_extension("jgw")).unwrap(),
        std::fs::read_to_string(png.with_extension("pgw")).unwrap()
    );
    assert!(fine.with_extension("prj").exists());
    assert_eq!(common::cli::sidecar(&fine)["image"]["format"], "JPEG");
}

#[test]
fn other_extensions_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["fig.eps", "fig.webp", "fig"] {
        let out = dir.path().join(name);
        common::cli::refused(
            &["export", "default", "--out", out.to_str().unwrap()],
            "is not a figure format Sitewatch writes: use .png, .jpg",
        );
        assert!(!out.exists(), "{name}");
    }
    let out = dir.path().join("fig.jpg");
    common::cli::refused(
        &[
            "export",
            "default",
            "--jpeg-quality",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        "JPEG quality 0 is not 1–100",
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_panels_figure_can_be_a_jpeg_and_carries_no_georeference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("panels.jpg");
    common::cli::succeeds(&[
        "export",
        "default",
        "--panels",
        "2025-06-02,2025-10-14",
        "--size",
        "640x360",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(image::open(&out).unwrap().width(), 640);
    assert!(!out.with_extension("jgw").exists());
    assert_eq!(common::cli::sidecar(&out)["image"]["format"], "JPEG");
}
