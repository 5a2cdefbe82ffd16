//! Local PMTiles v3 raster archives: written with the crate's small writer, read back through
//! `TileSource::fetch`, and refused with clear errors when they are not what they claim.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, Rgba, RgbaImage};
use sitewatch::export::LayerSources;
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::imagery::layer_file::{is_imagery_path, layer_for_file};
use sitewatch::imagery::pmtiles::{
    PmTilesError, PmTilesSource, TileType, WriteOptions, write_pmtiles,
};
use sitewatch::imagery::{TileError, TileKey, TileSource};

fn key(z: u8, x: u32, y: u32) -> TileKey {
    TileKey { z, x, y }
}

/// A 256² tile whose pixels depend on the key, so a tile served for the wrong key shows.
fn tile_image(k: TileKey) -> RgbaImage {
    RgbaImage::from_fn(256, 256, |px, py| {
        Rgba([
            (k.x * 40 + px) as u8,
            (k.y * 40 + py) as u8,
            k.z * 60,
            if (px + py) % 7 == 0 { 128 } else { 255 },
        ])
    })
}

fn encode(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(image.clone())
            .to_rgb8()
            .write_to(&mut out, format)
            .unwrap(),
        _ => image.write_to(&mut out, format).unwrap(),
    }
    out.into_inner()
}

fn keys() -> Vec<TileKey> {
    vec![
        key(2, 0, 0),
        key(2, 3, 1),
        key(2, 1, 2),
        key(3, 5, 2),
        key(3, 0, 7),
        key(3, 7, 7),
    ]
}

fn png_tiles() -> Vec<(TileKey, Vec<u8>)> {
    keys()
        .into_iter()
        .map(|k| (k, encode(&tile_image(k), ImageFormat::Png)))
        .collect()
}

fn write(dir: &Path, name: &str, tiles: &[(TileKey, Vec<u8>)], options: &WriteOptions) -> PathBuf {
    let path = dir.join(name);
    write_pmtiles(&path, tiles, options).unwrap();
    path
}

#[test]
fn png_tiles_at_zooms_two_and_three_read_back_pixel_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "site.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let source = PmTilesSource::open(&path, "© Drone survey").unwrap();
    for k in keys() {
        let got = source.fetch(k).unwrap();
        assert!(got == tile_image(k), "tile {k} differs");
    }
    assert_eq!(source.min_zoom(), 2);
    assert_eq!(source.max_zoom(), 3);
    assert_eq!(source.name(), "site");
    assert_eq!(source.attribution(), "© Drone survey");
}

#[test]
fn a_tile_absent_from_the_archive_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "site.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let source = PmTilesSource::open(&path, "").unwrap();
    for k in [
        key(2, 2, 2),
        key(3, 6, 7),
        key(1, 0, 0),
        key(4, 0, 0),
        key(2, 4, 0),
    ] {
        assert!(
            matches!(source.fetch(k), Err(TileError::OutOfRange(got)) if got == k),
            "{k} should be out of range"
        );
    }
}

#[test]
fn a_gzip_compressed_directory_and_gzip_tiles_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let options = WriteOptions {
        gzip_directories: true,
        gzip_tiles: true,
        ..WriteOptions::default()
    };
    let path = write(dir.path(), "gz.pmtiles", &png_tiles(), &options);
    let source = PmTilesSource::open(&path, "").unwrap();
    for k in keys() {
        assert!(
            source.fetch(k).unwrap() == tile_image(k),
            "tile {k} differs"
        );
    }
    assert!(matches!(
        source.fetch(key(3, 1, 1)),
        Err(TileError::OutOfRange(_))
    ));
}

#[test]
fn identical_neighbouring_tiles_resolve_through_one_run_length_entry() {
    // The whole of zoom 2 is one blob: sixteen consecutive ids, one entry with run length 16.
    let same = encode(&tile_image(key(0, 0, 0)), ImageFormat::Png);
    let mut tiles: Vec<(TileKey, Vec<u8>)> = (0..4)
        .flat_map(|x| (0..4).map(move |y| key(2, x, y)))
        .map(|k| (k, same.clone()))
        .collect();
    tiles.push((
        key(3, 4, 4),
        encode(&tile_image(key(3, 4, 4)), ImageFormat::Png),
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "runs.pmtiles", &tiles, &WriteOptions::default());
    let source = PmTilesSource::open(&path, "").unwrap();
    assert_eq!(source.header().addressed_tiles, 17);
    assert_eq!(source.header().tile_entries, 2);
    for x in 0..4 {
        for y in 0..4 {
            assert!(source.fetch(key(2, x, y)).unwrap() == tile_image(key(0, 0, 0)));
        }
    }
    assert!(source.fetch(key(3, 4, 4)).unwrap() == tile_image(key(3, 4, 4)));
    assert!(matches!(
        source.fetch(key(3, 4, 5)),
        Err(TileError::OutOfRange(_))
    ));
}

#[test]
fn a_jpeg_archive_reads_back_close_to_its_pixels() {
    let at = key(2, 1, 1);
    let flat = RgbaImage::from_pixel(256, 256, Rgba([200, 120, 40, 255]));
    let dir = tempfile::tempdir().unwrap();
    let options = WriteOptions {
        tile_type: TileType::Jpeg,
        ..WriteOptions::default()
    };
    let path = write(
        dir.path(),
        "photo.pmtiles",
        &[(at, encode(&flat, ImageFormat::Jpeg))],
        &options,
    );
    let got = PmTilesSource::open(&path, "").unwrap().fetch(at).unwrap();
    let Rgba([r, g, b, a]) = *got.get_pixel(128, 128);
    assert!(
        r.abs_diff(200) < 6 && g.abs_diff(120) < 6 && b.abs_diff(40) < 6,
        "{r} {g} {b}"
    );
    assert_eq!(a, 255);
}

#[test]
fn the_header_bounds_are_reported_in_degrees() {
    let dir = tempfile::tempdir().unwrap();
    let options = WriteOptions {
        bounds_lonlat: sitewatch::spatial::LonLatBox {
            west: 11.25,
            south: 43.5,
            east: 11.5,
            north: 43.75,
        },
        ..WriteOptions::default()
    };
    let path = write(dir.path(), "b.pmtiles", &png_tiles(), &options);
    let b = PmTilesSource::open(&path, "").unwrap().bounds_lonlat();
    assert!((b.west - 11.25).abs() < 1e-7 && (b.south - 43.5).abs() < 1e-7);
    assert!((b.east - 11.5).abs() < 1e-7 && (b.north - 43.75).abs() < 1e-7);
}

fn open_err(path: &Path) -> PmTilesError {
    PmTilesSource::open(path, "").unwrap_err()
}

fn assert_names_file(err: &PmTilesError, path: &Path, words: &str) {
    let message = err.to_string();
    assert!(message.contains(words), "{message}");
    assert!(message.ends_with(&path.display().to_string()), "{message}");
}

#[test]
fn a_truncated_file_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cut.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..60]).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, PmTilesError::Truncated { .. }), "{err:?}");
    assert_names_file(&err, &path, "truncated");
    // A file cut inside the root directory.
    std::fs::write(&path, &bytes[..130]).unwrap();
    assert_names_file(&open_err(&path), &path, "root directory");
}

#[test]
fn a_tile_cut_off_by_truncation_fails_with_a_reason_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cut.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let source = PmTilesSource::open(&path, "").unwrap();
    let last = keys()
        .into_iter()
        .max_by_key(|k| sitewatch::imagery::pmtiles::tile_id(*k))
        .unwrap();
    let err = source.fetch(last).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_file_without_the_magic_is_not_a_pmtiles_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "fake.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] = b'Q';
    std::fs::write(&path, &bytes).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, PmTilesError::NotPmTiles { .. }), "{err:?}");
    assert_names_file(&err, &path, "not a PMTiles archive");
}

#[test]
fn a_version_two_archive_is_refused_by_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "old.pmtiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[7] = 2;
    std::fs::write(&path, &bytes).unwrap();
    let err = open_err(&path);
    assert!(
        matches!(err, PmTilesError::Version { version: 2, .. }),
        "{err:?}"
    );
    assert_names_file(&err, &path, "version 2 is not supported");
}

#[test]
fn a_vector_archive_is_refused_as_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let options = WriteOptions {
        tile_type: TileType::Mvt,
        ..WriteOptions::default()
    };
    let path = write(
        dir.path(),
        "roads.pmtiles",
        &[(key(0, 0, 0), vec![0x1a, 0x00])],
        &options,
    );
    let err = open_err(&path);
    assert_names_file(
        &err,
        &path,
        "vector PMTiles are not supported, only raster (png/jpeg)",
    );
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.pmtiles");
    assert_names_file(&open_err(&path), &path, "cannot read");
}

#[test]
fn a_pmtiles_file_is_accepted_as_imagery_and_exported_from() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "2025-07-05 site.PMTiles",
        &png_tiles(),
        &WriteOptions::default(),
    );
    assert!(is_imagery_path(&path));
    let layer = layer_for_file(&path, dir.path(), &[]);
    let sources = ProjectLayerSources::without_cache(dir.path().to_path_buf());
    let source = sources.source(&layer).unwrap().unwrap();
    assert_eq!(source.max_zoom(), 3);
    assert!(source.fetch(key(3, 5, 2)).unwrap() == tile_image(key(3, 5, 2)));
}
