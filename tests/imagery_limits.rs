//! One size limit for every decode path: crafted headers that claim huge images, strips or
//! tiles are refused with [`RasterError::TooLarge`] naming the file once, before anything of
//! that size is allocated; images inside the limits are not refused by a decoder's own caps.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly; the crafted headers are tiny"
)]

use std::path::Path;

use sitewatch::imagery::raster::{Limits, OpenOptions, RasterError, RasterTileSource};
use sitewatch::spatial::LonLatBox;

/// A little-endian TIFF of 8-bit gray, `w`×`h`, one LZW tile of `tile_w`×`tile_h` whose data is
/// a few bytes at offset 8.
fn tiled_lzw_tiff_claiming(w: u32, h: u32, tile_w: u32, tile_h: u32) -> Vec<u8> {
    let entries: [(u16, u16, u32, u32); 9] = [
        (256, 4, 1, w),      // ImageWidth, LONG
        (257, 4, 1, h),      // ImageLength
        (258, 3, 1, 8),      // BitsPerSample
        (259, 3, 1, 5),      // Compression: LZW
        (262, 3, 1, 1),      // BlackIsZero
        (322, 4, 1, tile_w), // TileWidth
        (323, 4, 1, tile_h), // TileLength
        (324, 4, 1, 8),      // TileOffsets
        (325, 4, 1, 2),      // TileByteCounts
    ];
    let mut b = b"II*\0".to_vec();
    b.extend_from_slice(&10u32.to_le_bytes());
    b.extend_from_slice(&[0x80, 0x00]); // an LZW clear code, then nothing
    b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b
}

/// The first bytes of an 8-bit RGBA PNG claiming `w`×`h`: signature, IHDR and a short IDAT of
/// zlib data that ends early.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, no interlace
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut b, *b"IHDR", &ihdr);
    // zlib header, then a stored block of 5 bytes that is not all there.
    chunk(
        &mut b,
        *b"IDAT",
        &[0x78, 0x01, 0x00, 0x05, 0x00, 0xFA, 0xFF, 0, 0],
    );
    b
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn open_bytes(dir: &Path, name: &str, bytes: &[u8], limits: Limits) -> RasterError {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    // Corners, so that a file that passes the size checks goes on to decode its pixels.
    let options = OpenOptions {
        limits,
        corners_lonlat: Some(LonLatBox {
            west: 130.0,
            south: 42.0,
            east: 130.1,
            north: 42.1,
        }),
        ..OpenOptions::default()
    };
    RasterTileSource::open(&path, &options).unwrap_err()
}

/// The error's message names the file once, at its end.
fn names_file_once(err: &RasterError, name: &str) {
    let msg = err.to_string();
    assert!(msg.ends_with(name), "{msg}");
    assert_eq!(msg.matches(name).count(), 1, "{msg}");
}

#[test]
fn a_tiled_lzw_header_claiming_enormous_tiles_is_too_large_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    // A 1 × 131072 raster (inside the image limits) in one tile claiming 4294967280 px across:
    // decoding it whole would need half a petabyte.
    let bytes = tiled_lzw_tiff_claiming(1, 1 << 17, 0xFFFF_FFF0, 1 << 17);
    let err = open_bytes(dir.path(), "tiles.tif", &bytes, Limits::default());
    assert!(matches!(err, RasterError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("4294967280 × 131072"), "{err}");
    names_file_once(&err, "tiles.tif");
}

#[test]
fn a_tile_within_a_smaller_chunk_limit_passes_and_one_beyond_it_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_chunk_bytes: 64 * 64,
        ..Limits::default()
    };
    let bytes = tiled_lzw_tiff_claiming(64, 64, 128, 64);
    let err = open_bytes(dir.path(), "wide.tif", &bytes, limits);
    assert!(matches!(err, RasterError::TooLarge { .. }), "{err}");
    names_file_once(&err, "wide.tif");
    // The same file with 64 × 64 tiles gets past the size check, to find its tile has no data.
    let bytes = tiled_lzw_tiff_claiming(64, 64, 64, 64);
    let err = open_bytes(dir.path(), "fits.tif", &bytes, limits);
    assert!(matches!(err, RasterError::Corrupt { .. }), "{err}");
    names_file_once(&err, "fits.tif");
}

#[test]
fn a_png_header_claiming_100000_by_100000_pixels_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let err = open_bytes(
        dir.path(),
        "huge.png",
        &png_claiming(100_000, 100_000),
        Limits::default(),
    );
    assert!(matches!(err, RasterError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("100000 × 100000"), "{err}");
    names_file_once(&err, "huge.png");
}

#[test]
fn a_png_over_512_mib_inside_the_limits_is_decoded_not_refused_by_image_caps() {
    let dir = tempfile::tempdir().unwrap();
    // 12000 × 12000 RGBA is 576 MB decoded: over `image`'s default 512 MiB, inside our 1 Gpx.
    // Its data breaks off, so it fails, but as a truncated file, not as "too large".
    let err = open_bytes(
        dir.path(),
        "big.png",
        &png_claiming(12_000, 12_000),
        Limits::default(),
    );
    assert!(matches!(err, RasterError::Corrupt { .. }), "{err}");
    assert!(!err.to_string().to_lowercase().contains("limit"), "{err}");
    names_file_once(&err, "big.png");
}

#[test]
fn a_png_beyond_a_smaller_pixel_limit_is_too_large_with_the_limit_named() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_pixels: 1000 * 1000,
        ..Limits::default()
    };
    let err = open_bytes(dir.path(), "mid.png", &png_claiming(2000, 1000), limits);
    assert!(matches!(err, RasterError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("1000000 pixels"), "{err}");
    names_file_once(&err, "mid.png");
}
