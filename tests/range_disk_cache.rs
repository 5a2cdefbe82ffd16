//! Remote rasters' fetched byte ranges are kept in the tiles' disk cache: a reopen revalidates
//! once and reads the rest from disk, a changed file drops its old ranges, a stopped server
//! still lets the cached parts be drawn, `no-store` keeps nothing, the cap evicts the least
//! recently used ranges, and a signing token never reaches the cache folder.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::range_server::{Behaviour, RangeServer};
use common::tiles::no_wait;
use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::raster::bytes::ByteSource;
use sitewatch::imagery::raster::http_bytes::{HttpBytes, RemoteError};
use sitewatch::imagery::raster::range_disk::range_key;
use sitewatch::imagery::raster::signed::RequestSigner;
use sitewatch::imagery::raster::write::{Compression, write_geotiff_levels_with};
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const SIDE: u32 = 1024;
const STEP_DEG: f64 = 2e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;
/// Zoom 12 shows the whole raster from an overview; zoom 17 needs full-resolution tiles.
const ZOOMED_OUT: u8 = 12;
const ZOOMED_IN: u8 = 17;

/// A 1024² RGB COG (256 px Deflate tiles, two overviews) in `main` (0 red, 1 green, 2 blue)
/// with noise that does not compress away.
fn cog(main: usize) -> Vec<u8> {
    cog_with(main, Compression::Deflate)
}

fn cog_with(main: usize, compression: Compression) -> Vec<u8> {
    let spec = common::tiles::cog_spec((WEST, NORTH), SIDE, STEP_DEG, compression);
    let mut out = std::io::Cursor::new(Vec::new());
    write_geotiff_levels_with(
        &mut out,
        &spec,
        2,
        |k, x0, y0, w, h, block: &mut Vec<u8>| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    let noise = (common::rasters::hash(u64::from(k), i64::from(x), i64::from(y))
                        * 30.0) as u8;
                    let mut px = [30 + noise; 3];
                    px[main] = 200 + noise / 2;
                    block.extend(px);
                }
            }
        },
    )
    .unwrap();
    out.into_inner()
}

/// The tile at `zoom` over the raster's centre.
fn centre_key(zoom: u8) -> TileKey {
    common::tiles::centre_key((WEST, NORTH), SIDE, STEP_DEG, zoom)
}

/// A cache in `dir` (never the user's), with its own cap.
fn cache_in(dir: &Path, max_bytes: u64) -> DiskCache {
    DiskCache::new(dir.to_path_buf(), DiskCache::DEFAULT_MAX_AGE).with_max_bytes(max_bytes)
}

fn open(url: &str, cache: &DiskCache) -> RasterTileSource {
    let options = OpenOptions {
        range_cache: Some(cache.clone()),
        ..OpenOptions::default()
    };
    RasterTileSource::open_url(url, &options, no_wait()).unwrap()
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Mean of each channel over the tile's opaque pixels.
fn mean_rgb(tile: &image::RgbaImage) -> [f64; 3] {
    let opaque: Vec<_> = tile.pixels().filter(|p| p.0[3] > 0).collect();
    assert!(!opaque.is_empty(), "the tile shows the raster");
    let n = opaque.len() as f64;
    [0, 1, 2].map(|c| opaque.iter().map(|p| f64::from(p.0[c])).sum::<f64>() / n)
}

#[test]
fn a_second_open_asks_the_server_once_to_revalidate_and_draws_the_same_pixels_from_disk() {
    let server = RangeServer::start(cog(0), Behaviour::Validated);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), 1 << 30);
    let url = server.url("scene.tif");

    let first = open(&url, &cache);
    let (out_1, in_1) = (
        first.fetch(centre_key(ZOOMED_OUT)).unwrap(),
        first.fetch(centre_key(ZOOMED_IN)).unwrap(),
    );
    let first_requests = server.request_count();
    drop(first);
    assert!(first_requests > 1, "{first_requests} requests");
    assert!(!files_under(dir.path()).is_empty(), "ranges written");

    let second = open(&url, &cache);
    let (out_2, in_2) = (
        second.fetch(centre_key(ZOOMED_OUT)).unwrap(),
        second.fetch(centre_key(ZOOMED_IN)).unwrap(),
    );
    let second_requests = server.request_count() - first_requests;
    eprintln!("requests: first open {first_requests}, second open {second_requests}");
    assert_eq!(second_requests, 1, "the second open only revalidates");
    assert_eq!(
        server.not_modified.load(Ordering::SeqCst),
        1,
        "answered 304"
    );
    assert_eq!(second.bytes_read(), 0, "no body came over the wire");
    assert!(out_1 == out_2 && in_1 == in_2, "the same pixels");
    assert!(mean_rgb(&in_2)[0] > 150.0);
}

#[test]
fn a_changed_etag_drops_every_old_range_and_the_new_file_is_drawn() {
    // Uncompressed, both versions are the same size: only the ETag tells them apart.
    let (old_file, new_file) = (
        cog_with(0, Compression::None),
        cog_with(1, Compression::None),
    );
    assert_eq!(old_file.len(), new_file.len());
    let server = RangeServer::start(old_file, Behaviour::Validated);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), 1 << 30);
    let url = server.url("scene.tif");
    let first = open(&url, &cache);
    let old = first.fetch(centre_key(ZOOMED_OUT)).unwrap();
    first.fetch(centre_key(ZOOMED_IN)).unwrap();
    drop(first);
    let old_files = files_under(dir.path());
    assert!(old_files.len() > 3, "{} entries", old_files.len());
    let old_etag = b"\"v1\"";
    assert!(
        old_files
            .iter()
            .all(|f| contains(&std::fs::read(f).unwrap(), old_etag))
    );

    server.replace(new_file);
    let second = open(&url, &cache);
    let new = second.fetch(centre_key(ZOOMED_OUT)).unwrap();
    assert_eq!(server.not_modified.load(Ordering::SeqCst), 0);
    let [r, g, _] = mean_rgb(&new);
    assert!(
        g > 150.0 && r < 90.0,
        "the new file's pixels: red {r}, green {g}"
    );
    assert_ne!(old, new);
    let files = files_under(dir.path());
    assert!(!files.is_empty(), "the new version is kept");
    for file in files {
        assert!(
            !contains(&std::fs::read(&file).unwrap(), old_etag),
            "an entry of the old version survived: {}",
            file.display()
        );
    }
}

#[test]
fn with_the_server_stopped_the_cached_view_still_draws_and_an_uncached_one_is_an_error() {
    let server = RangeServer::start(cog(2), Behaviour::Validated);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), 1 << 30);
    let url = server.url("scene.tif");
    let first = open(&url, &cache);
    let seen = first.fetch(centre_key(ZOOMED_OUT)).unwrap();
    drop(first);

    server.stop();
    let before = server.request_count();
    let offline = open(&url, &cache);
    assert_eq!(offline.fetch(centre_key(ZOOMED_OUT)).unwrap(), seen);
    let err = offline.fetch(centre_key(ZOOMED_IN)).unwrap_err();
    eprintln!("uncached while offline: {err}");
    assert_eq!(server.request_count(), before, "nothing reached the server");

    let elsewhere = RasterTileSource::open_url(
        &server.url("never-seen.tif"),
        &OpenOptions {
            range_cache: Some(cache.clone()),
            ..OpenOptions::default()
        },
        no_wait(),
    );
    assert!(
        elsewhere.is_err(),
        "a file never cached cannot open offline"
    );
}

#[test]
fn a_no_store_answer_writes_nothing_to_disk() {
    let server = RangeServer::start(cog(0), Behaviour::NoStore);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), 1 << 30);
    let url = server.url("scene.tif");
    let source = open(&url, &cache);
    source.fetch(centre_key(ZOOMED_OUT)).unwrap();
    source.fetch(centre_key(ZOOMED_IN)).unwrap();
    assert!(server.request_count() > 1);
    assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());

    let again = open(&url, &cache);
    again.fetch(centre_key(ZOOMED_OUT)).unwrap();
    assert_eq!(
        server.not_modified.load(Ordering::SeqCst),
        0,
        "nothing to revalidate"
    );
    assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn the_cap_evicts_the_least_recently_used_ranges() {
    // A megabyte of bytes that do not repeat; ranges far apart are fetched one by one.
    let data: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let server = RangeServer::start(data.clone(), Behaviour::Validated);
    let dir = tempfile::tempdir().unwrap();
    let cap = 300 << 10;
    let cache = cache_in(dir.path(), cap);
    let url = server.url("blob.bin");
    let kib = |k: u64| k << 10;
    let [a, b, c, d] = [200, 400, 600, 800].map(|k| kib(k)..kib(k + 60));
    let read = |source: &HttpBytes, r: &std::ops::Range<u64>| {
        let mut buf = vec![0; (r.end - r.start) as usize];
        source.read_at(r.start, &mut buf).unwrap();
        assert_eq!(buf, data[r.start as usize..r.end as usize]);
    };
    let exists = |r: &std::ops::Range<u64>| cache.path_for(&range_key(&url, r)).exists();

    let first = HttpBytes::open_cached(&url, no_wait(), None, Some(cache.clone())).unwrap();
    for r in [&a, &b, &c] {
        read(&first, r);
    }
    drop(first);
    assert!([&a, &b, &c].iter().all(|r| exists(r)));

    // A second reader uses the header and A from disk, then fetches D: past the cap, the
    // least recently used range (B) goes.
    let second = HttpBytes::open_cached(&url, no_wait(), None, Some(cache.clone())).unwrap();
    read(&second, &(0..8));
    read(&second, &a);
    let before_d = server.request_count();
    read(&second, &d);
    assert_eq!(
        server.request_count(),
        before_d + 1,
        "D came from the server"
    );
    assert!(!exists(&b), "B, least recently used, was evicted");
    assert!(exists(&a) && exists(&c) && exists(&d) && exists(&(0..64 << 10)));
    let size = cache.size_bytes();
    assert!(size <= cap, "{size} bytes over the {cap} cap");

    // Evicted, B is fetched again; A is still read from disk.
    let third = HttpBytes::open_cached(&url, no_wait(), None, Some(cache.clone())).unwrap();
    let before = server.request_count();
    read(&third, &a);
    assert_eq!(server.request_count(), before);
    read(&third, &b);
    assert_eq!(server.request_count(), before + 1);
}

/// Signs with a fixed token, as a Planetary Computer SAS token would be appended.
struct FixedToken(&'static str);

impl RequestSigner for FixedToken {
    fn token(&self) -> Result<String, RemoteError> {
        Ok(self.0.to_owned())
    }

    fn renew(&self, _rejected: &str) -> Result<String, RemoteError> {
        Ok(self.0.to_owned())
    }
}

#[test]
fn a_signing_token_reaches_the_server_but_no_file_name_or_file_in_the_cache() {
    const SECRET: &str = "S3CR3TS1GNATURE";
    let server = RangeServer::start(cog(0), Behaviour::Validated);
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path(), 1 << 30);
    let url = server.url("signed.tif");
    let options = OpenOptions {
        range_cache: Some(cache.clone()),
        ..OpenOptions::default()
    };
    let token = "sv=2024-05-04&se=2030-01-01&sp=r&sig=S3CR3TS1GNATURE";
    let source = RasterTileSource::open_url_signed(
        &url,
        &options,
        no_wait(),
        Some(Arc::new(FixedToken(token))),
    )
    .unwrap();
    let seen = source.fetch(centre_key(ZOOMED_OUT)).unwrap();
    assert!(
        server
            .targets
            .lock()
            .unwrap()
            .iter()
            .all(|t| t.contains(SECRET)),
        "every request was signed"
    );
    let files = files_under(dir.path());
    assert!(!files.is_empty());
    for file in &files {
        let name = file.strip_prefix(dir.path()).unwrap().to_string_lossy();
        assert!(!name.contains(SECRET) && !name.contains("sig="), "{name}");
        let bytes = std::fs::read(file).unwrap();
        assert!(!contains(&bytes, SECRET.as_bytes()), "token inside {name}");
        assert!(!contains(&bytes, b"sig="), "query inside {name}");
    }

    // Keyed by the unsigned URL: a fresh token finds the same entries.
    let before = server.request_count();
    let other = "sv=2024-05-04&se=2031-01-01&sp=r&sig=0THERS1GNATURE";
    let again = RasterTileSource::open_url_signed(
        &url,
        &options,
        no_wait(),
        Some(Arc::new(FixedToken(other))),
    )
    .unwrap();
    assert_eq!(again.fetch(centre_key(ZOOMED_OUT)).unwrap(), seen);
    assert_eq!(server.request_count(), before + 1, "one revalidation");
}
