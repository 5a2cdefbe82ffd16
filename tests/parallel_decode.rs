//! A raster read whole is decoded on several threads, each with its own reader, and handed to
//! the pyramid in file order: the pixels are the same as one thread's, for strips and tiles,
//! 8 and 16 bits, LZW and Deflate; a corrupt strip met by a decoding thread is an error naming
//! the file, not a hang or a panic.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use sitewatch::imagery::TileSource;
use sitewatch::imagery::raster::write::{Compression, GeoTiffSpec, Layout, write_geotiff};
use sitewatch::imagery::raster::{OpenOptions, RasterError, RasterTileSource};

const W: u32 = 700;
const H: u32 = 613;
const STEP: f64 = 1e-4;
const TOP_LEFT: (f64, f64) = (130.61, 42.44);

fn spec(bands: u16, layout: Layout, compression: Compression) -> GeoTiffSpec {
    let mut spec = GeoTiffSpec::new(W, H, bands);
    spec.epsg = Some((4326, true));
    spec.layout = layout;
    spec.compression = compression;
    spec.transform = Some(sitewatch::imagery::raster::georef::GeoTransform::north_up(
        geo::Coord {
            x: TOP_LEFT.0,
            y: TOP_LEFT.1,
        },
        STEP,
        STEP,
    ));
    spec
}

fn open(path: &std::path::Path, threads: usize) -> RasterTileSource {
    let options = OpenOptions {
        decode_threads: threads,
        ..OpenOptions::default()
    };
    RasterTileSource::open(path, &options).unwrap()
}

/// Every tile at the native zoom, from one thread's decode and from `threads` threads'.
fn same_tiles(path: &std::path::Path) {
    let one = open(path, 1);
    let zoom = one.native_zoom().ceil() as u8;
    for threads in [2, 3, 5] {
        let many = open(path, threads);
        let key = common::tiles::centre_key(TOP_LEFT, W.min(H), STEP, zoom);
        for dx in 0..3 {
            for dy in 0..3 {
                let key = sitewatch::imagery::TileKey {
                    x: key.x + dx - 1,
                    y: key.y + dy - 1,
                    ..key
                };
                assert_eq!(
                    one.fetch(key).unwrap(),
                    many.fetch(key).unwrap(),
                    "{key} with {threads} threads"
                );
            }
        }
        assert_eq!(one.histograms(), many.histograms(), "{threads} threads");
    }
}

#[test]
fn strips_and_tiles_of_8_and_16_bits_decode_the_same_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (3u16, Layout::Strips { rows: 16 }, Compression::Deflate, 1),
        (3, Layout::Strips { rows: 7 }, Compression::Lzw, 1),
        (1, Layout::Strips { rows: 16 }, Compression::Deflate, 2),
        (3, Layout::Tiles { edge_px: 128 }, Compression::Lzw, 1),
    ];
    for (i, (bands, layout, compression, bytes)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case{i}.tif"));
        let mut spec = spec(bands, layout, compression);
        let n = (W * H * u32::from(bands)) as usize;
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        if bytes == 1 {
            spec.rgb = bands == 3;
            let samples: Vec<u8> = (0..n)
                .map(|k| (common::rasters::hash(3, k as i64, 0) * 255.0) as u8)
                .collect();
            write_geotiff(file, &spec, &samples).unwrap();
        } else {
            let samples: Vec<u16> = (0..n)
                .map(|k| (common::rasters::hash(5, k as i64, 1) * 60000.0) as u16)
                .collect();
            write_geotiff(file, &spec, &samples).unwrap();
        }
        same_tiles(&path);
    }
}

#[test]
fn a_corrupt_strip_read_by_a_decoding_thread_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.tif");
    let spec = spec(3, Layout::Strips { rows: 16 }, Compression::Deflate);
    let samples = common::rasters::pattern(W.max(H))[..(W * H * 3) as usize].to_vec();
    write_geotiff(
        std::io::BufWriter::new(std::fs::File::create(&path).unwrap()),
        &spec,
        &samples,
    )
    .unwrap();
    // Scribble over the middle of the file: some strips' Deflate streams break.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let options = OpenOptions {
        decode_threads: 3,
        ..OpenOptions::default()
    };
    let err = RasterTileSource::open(&path, &options).unwrap_err();
    assert!(
        matches!(err, RasterError::Corrupt { .. } | RasterError::Io { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("torn.tif"), "{err}");
}
