//! One memory budget for the decoded pixels of every open raster: two streamed COGs drawn
//! under a small budget stay within it together (the least recently drawn chunks go, and come
//! back when drawn again), and a raster decoded whole is counted while it is open.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use sitewatch::imagery::raster::memory_budget::MemoryBudget;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const SIDE: u32 = 2048;
const STEP_DEG: f64 = 1e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;

/// A 2048² RGB tiled GeoTIFF over the site with `overviews` internal overviews, grey noise.
fn write_cog(path: &Path, overviews: u32) {
    common::tiles::write_noise_tiff(path, (WEST, NORTH), (SIDE, STEP_DEG), overviews, 3, [90; 3]);
}

/// The full-detail tiles over the raster's middle, a 6 × 6 block at zoom 18 (about 700 of
/// the raster's pixels across: 9 to 16 of its 256 px chunks).
fn middle_tiles() -> Vec<TileKey> {
    let c = common::tiles::centre_key((WEST, NORTH), SIDE, STEP_DEG, 18);
    (0..6)
        .flat_map(|dy| {
            (0..6).map(move |dx| TileKey {
                z: 18,
                x: c.x - 3 + dx,
                y: c.y - 3 + dy,
            })
        })
        .collect()
}

fn held(source: &RasterTileSource) -> usize {
    source.memory_bytes().0
}

#[test]
fn two_streamed_rasters_share_one_budget_and_the_least_recently_drawn_chunks_go() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.tif"), dir.path().join("b.tif"));
    write_cog(&a_path, 3);
    write_cog(&b_path, 3);
    // Room for 20 chunks of 256² RGB: one view's, not the two together.
    let chunk = 256 * 256 * 3;
    let budget = MemoryBudget::new(20 * chunk);
    let options = OpenOptions {
        budget: std::sync::Arc::clone(&budget),
        ..OpenOptions::default()
    };
    let a = RasterTileSource::open(&a_path, &options).unwrap();
    let b = RasterTileSource::open(&b_path, &options).unwrap();
    assert!(a.is_streamed() && b.is_streamed());
    let first_a: Vec<_> = middle_tiles()
        .iter()
        .map(|&k| a.fetch(k).unwrap())
        .collect();
    let a_alone = held(&a);
    assert!(
        a_alone >= 9 * chunk && a_alone <= budget.limit(),
        "A holds its view: {a_alone} bytes"
    );
    for key in middle_tiles() {
        b.fetch(key).unwrap();
    }
    let together = held(&a) + held(&b);
    assert_eq!(budget.used(), together, "the budget counts both");
    assert!(
        together <= budget.limit() + 4 * chunk,
        "within the budget (a read fills up to a tile's chunks at once): {together}"
    );
    assert!(
        held(&a) < a_alone,
        "B's chunks pushed A's least recently drawn ones out"
    );
    assert!(held(&b) >= 9 * chunk, "B holds its view");
    // A's view is read again where it was dropped, the same pixels.
    let again: Vec<_> = middle_tiles()
        .iter()
        .map(|&k| a.fetch(k).unwrap())
        .collect();
    assert_eq!(again, first_a);
    drop(a);
    assert_eq!(
        budget.used(),
        held(&b),
        "a closed raster gives its bytes back"
    );
}

#[test]
fn a_raster_decoded_whole_counts_against_the_budget_while_open_and_streamed_chunks_make_room() {
    let dir = tempfile::tempdir().unwrap();
    let (cog_path, plain_path) = (dir.path().join("cog.tif"), dir.path().join("plain.tif"));
    write_cog(&cog_path, 3);
    write_cog(&plain_path, 0);
    let budget = MemoryBudget::new(64 << 20);
    let options = OpenOptions {
        budget: std::sync::Arc::clone(&budget),
        ..OpenOptions::default()
    };
    let cog = RasterTileSource::open(&cog_path, &options).unwrap();
    for key in middle_tiles() {
        cog.fetch(key).unwrap();
    }
    let streamed = held(&cog);
    assert!(streamed > 0);
    // Less than the plain file's 16 MiB pyramid.
    budget.set_limit(8 << 20);
    let plain = RasterTileSource::open(&plain_path, &options).unwrap();
    assert!(!plain.is_streamed());
    let (memory, spilled) = plain.memory_bytes();
    assert!(
        memory > 0 && spilled > 0,
        "{memory} held, {spilled} spilled"
    );
    assert!(
        memory <= 8 << 20,
        "kept what the budget had room for: {memory}"
    );
    assert!(held(&cog) < streamed, "the streamed chunks made room");
    assert_eq!(budget.used(), memory + held(&cog));
    drop(plain);
    assert_eq!(
        budget.used(),
        held(&cog),
        "closed, its pixels are no longer counted"
    );
}
