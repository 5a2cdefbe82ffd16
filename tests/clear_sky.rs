//! How clear a scene is over the view: a Sentinel-2 SCL band (a classification COG with an
//! overview, on a 127.0.0.1 range server) sampled over a box gives each class as stored (no
//! class blended into another at their borders), read from the overview that fits the box and
//! only the tiles under it; a box off the scene has no answer.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::range_server::{Behaviour, RangeServer};
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::stac::ClearSky;
use sitewatch::spatial::LonLatBox;

const SIDE: u32 = 2048;
const STEP_DEG: f64 = 1e-4;
const WEST: f64 = 130.61;
const NORTH: f64 = 42.44;

/// The scene's classes: nodata along the north edge, then high cloud, cloud shadow, and the
/// clear classes (vegetation, bare ground, water, unclassified, snow, dark area) mixed pixel by
/// pixel, as a real scene's are (and so that its tiles do not compress to nothing).
fn class_at(x: u32, y: u32) -> u8 {
    const CLEAR: [u8; 6] = [4, 5, 6, 7, 11, 2];
    match (x, y) {
        (_, 0..256) => 0,
        (0..512, _) => 9,
        (512..768, _) => 3,
        _ => CLEAR[(common::rasters::hash(7, i64::from(x), i64::from(y)) * 6.0) as usize % 6],
    }
}

/// The box over columns `x0..x1` and rows `y0..y1` of the scene.
fn box_over((x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> LonLatBox {
    LonLatBox::try_from([
        WEST + f64::from(x0) * STEP_DEG,
        NORTH - f64::from(y1) * STEP_DEG,
        WEST + f64::from(x1) * STEP_DEG,
        NORTH - f64::from(y0) * STEP_DEG,
    ])
    .unwrap()
}

/// What sampling `n` × `n` cell centres of the box over those columns and rows finds, counted
/// from the scene's own classes.
fn expected((x0, x1): (u32, u32), (y0, y1): (u32, u32), n: u32) -> ClearSky {
    let at = |lo: u32, hi: u32, i: u32| {
        (f64::from(lo) + (f64::from(hi - lo)) * (f64::from(i) + 0.5) / f64::from(n)) as u32
    };
    let values: Vec<Option<f64>> = (0..n * n)
        .map(|i| {
            let (x, y) = (at(x0, x1, i % n), at(y0, y1, i / n));
            Some(f64::from(class_at(x, y)))
        })
        .collect();
    ClearSky::of_classes(&values).unwrap()
}

fn open(server: &RangeServer) -> RasterTileSource {
    RasterTileSource::open_url(
        &server.url("T52TGN/SCL.tif"),
        &OpenOptions::default(),
        common::tiles::no_wait(),
    )
    .unwrap()
}

#[test]
fn the_classes_over_the_whole_scene_are_counted_from_its_overview_as_stored() {
    let file = common::rasters::classes_cog(SIDE, (WEST, NORTH), STEP_DEG, 3, class_at);
    let size = file.len() as u64;
    let server = RangeServer::start(file, Behaviour::Ranges);
    let band = open(&server);
    let whole = ((0, SIDE), (0, SIDE));
    let values = band.values_over(box_over(whole.0, whole.1), 32, 0).unwrap();
    assert_eq!(values.len(), 32 * 32);
    assert!(
        values
            .iter()
            .all(|v| v.is_some_and(|v| [0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 11.0].contains(&v))),
        "only the scene's classes, none blended: {values:?}"
    );
    let sky = ClearSky::of_classes(&values).unwrap();
    assert_eq!(sky, expected(whole.0, whole.1, 32));
    // 28 of 32 rows observed; 8 columns cloud, 4 shadow, 20 clear.
    assert_eq!(sky.observed, 28 * 32);
    assert!((sky.clear - 20.0 / 32.0).abs() < 1e-12, "{sky:?}");
    assert!((sky.cloud - 8.0 / 32.0).abs() < 1e-12, "{sky:?}");
    // Cells of 64 px: the 8× overview (256 px a side, one tile) serves them, not the
    // full-resolution tiles.
    assert!(
        band.bytes_read() * 20 < size,
        "{} of {size} bytes",
        band.bytes_read()
    );
}

#[test]
fn a_small_box_is_read_at_full_resolution_and_a_box_off_the_scene_has_no_answer() {
    let file = common::rasters::classes_cog(SIDE, (WEST, NORTH), STEP_DEG, 3, class_at);
    let server = RangeServer::start(file, Behaviour::Ranges);
    let band = open(&server);
    // Across the shadow/vegetation border, below the nodata: cells of 2 px.
    let part = ((740, 804), (1000, 1064));
    let values = band.values_over(box_over(part.0, part.1), 32, 0).unwrap();
    let sky = ClearSky::of_classes(&values).unwrap();
    assert_eq!(sky, expected(part.0, part.1, 32));
    assert!((sky.shadow - 14.0 / 32.0).abs() < 1e-12, "{sky:?}");
    assert_eq!(sky.observed, 32 * 32);

    let off = LonLatBox::try_from([WEST - 0.5, NORTH - 0.1, WEST - 0.4, NORTH]).unwrap();
    let values = band.values_over(off, 32, 0).unwrap();
    assert!(values.iter().all(Option::is_none));
    assert_eq!(ClearSky::of_classes(&values), None);
}
