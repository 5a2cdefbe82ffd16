//! One stretch across compared dates: two 16-bit captures of one ground at different gains,
//! drawn in a swipe figure. Each with its own stretch, one raw value shows differently on the
//! two sides; with the shared stretch it shows the same; matched, B shows as A would.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::sync::Arc;

use geo::Coord;
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, Figure, ViewChoice, render_figure, render_swipe};
use sitewatch::imagery::raster::CompareStretch;
use sitewatch::model::Project;
use sitewatch::spatial::LonLatBox;

const WIDTH_PX: u32 = 128;
const HEIGHT_PX: u32 = 32;
const STEP_DEG: f64 = 0.001;
const WEST: f64 = 130.58;
const NORTH: f64 = 42.43;

/// A one-band 16-bit capture whose value at the fraction `x` of its width is `value(x)`.
fn gradient_geotiff(path: &Path, value: impl Fn(f64) -> f64) {
    common::rasters::gray16_gradient(path, (WIDTH_PX, HEIGHT_PX), (WEST, NORTH), STEP_DEG, value);
}

/// A: 1000 → 2000 west to east; B: 0 → 2000 (twice the gain). A at 0.25 of the width holds
/// 1250, as B does at 0.625.
fn two_gains(dir: &Path) -> Project {
    gradient_geotiff(&dir.join("july.tif"), |x| 1000.0 + 1000.0 * x);
    gradient_geotiff(&dir.join("october.tif"), |x| 2000.0 * x);
    common::july_and_october()
}

fn options(dir: &Path, stretch: CompareStretch) -> ExportOptions {
    let east = WEST + f64::from(WIDTH_PX) * STEP_DEG;
    let south = NORTH - f64::from(HEIGHT_PX) * STEP_DEG;
    ExportOptions {
        size_px: [600, 200],
        view: ViewChoice::BBox(LonLatBox::try_from([WEST, south, east, NORTH]).unwrap()),
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.to_path_buf(),
        ))),
        compare_stretch: stretch,
        ..ExportOptions::default()
    }
}

/// The grey the figure shows at the fraction `x` of the raster's width, half way down.
fn grey_at(figure: &Figure, x: f64) -> u8 {
    let lon = WEST + x * f64::from(WIDTH_PX) * STEP_DEG;
    let lat = NORTH - 0.5 * f64::from(HEIGHT_PX) * STEP_DEG;
    let [px, py] = figure.view.to_px(Coord { x: lon, y: lat });
    let image = figure.to_rgba_image().unwrap();
    image.get_pixel(px.round() as u32, py.round() as u32).0[0]
}

fn swipe(dir: &Path, project: &Project, stretch: CompareStretch) -> Figure {
    let dates = [common::day(2025, 7, 5), common::day(2025, 10, 14)];
    render_swipe(project, dates, 0.5, &options(dir, stretch), &|_, _| true).unwrap()
}

#[test]
fn each_with_its_own_stretch_one_raw_value_shows_differently_on_each_side() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_gains(dir.path());
    let figure = swipe(dir.path(), &project, CompareStretch::Own);
    let (a, b) = (grey_at(&figure, 0.25), grey_at(&figure, 0.625));
    assert!(a.abs_diff(b) > 40, "1250 on A shows {a}, on B {b}");
}

#[test]
fn with_one_shared_stretch_one_raw_value_shows_the_same_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_gains(dir.path());
    let figure = swipe(dir.path(), &project, CompareStretch::Shared);
    let (a, b) = (grey_at(&figure, 0.25), grey_at(&figure, 0.625));
    assert!(a.abs_diff(b) <= 3, "1250 on A shows {a}, on B {b}");
    // A difference in raw values still shows: B's 1750 is brighter than A's 1250.
    assert!(grey_at(&figure, 0.875) > a + 40);
}

#[test]
fn matched_b_shows_each_place_as_a_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_gains(dir.path());
    let figure = swipe(dir.path(), &project, CompareStretch::Matched);
    let a_alone = render_figure(
        &project,
        common::day(2025, 7, 5),
        &options(dir.path(), CompareStretch::Own),
        &|_, _| true,
    )
    .unwrap();
    for x in [0.625, 0.75, 0.875] {
        let (b, a) = (grey_at(&figure, x), grey_at(&a_alone, x));
        assert!(a.abs_diff(b) <= 4, "at {x}: B matched {b}, A {a}");
    }
}

#[test]
fn sitewatch_export_takes_the_compare_stretch_and_refuses_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_gains(dir.path());
    let path = dir.path().join("p.sitewatch.json");
    sitewatch::model::io::save_atomic(&project, &path).unwrap();
    let out = dir.path().join("swipe.png");
    let (p, o) = (path.to_str().unwrap(), out.to_str().unwrap());
    common::cli::succeeds(&[
        "export",
        p,
        "--swipe",
        "2025-07-05,2025-10-14",
        "--compare-stretch",
        "matched",
        "--size",
        "300x200",
        "--out",
        o,
    ]);
    assert!(out.exists());
    common::cli::refused(
        &[
            "export",
            p,
            "--swipe",
            "2025-07-05,2025-10-14",
            "--compare-stretch",
            "fixed",
            "--out",
            o,
        ],
        "--compare-stretch must be own, shared or matched: fixed",
    );
}

#[test]
fn a_side_shows_only_the_layer_picked_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_gains(dir.path());
    let dates = [common::day(2025, 7, 5), common::day(2025, 10, 14)];
    let picked = ExportOptions {
        side_layers: [Some("october".to_owned()), None],
        ..options(dir.path(), CompareStretch::Own)
    };
    let figure = render_swipe(&project, dates, 0.5, &picked, &|_, _| true).unwrap();
    let october = render_figure(
        &project,
        dates[1],
        &options(dir.path(), CompareStretch::Own),
        &|_, _| true,
    )
    .unwrap();
    let ids: Vec<&str> = figure
        .compare
        .as_ref()
        .unwrap()
        .scene
        .layers
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(ids, ["october"], "side A shows the picked layer alone");
    let compared = figure.compare.as_ref().unwrap();
    assert_eq!(
        compared.picked[0].as_deref(),
        Some("october"),
        "and the record says so"
    );
    assert_eq!(compared.stretch, CompareStretch::Own);
    for x in [0.125, 0.25, 0.375] {
        let (a, b) = (grey_at(&figure, x), grey_at(&october, x));
        assert!(a.abs_diff(b) <= 2, "at {x}: A {a}, October {b}");
    }
    let path = dir.path().join("p.sitewatch.json");
    sitewatch::model::io::save_atomic(&project, &path).unwrap();
    let out = dir.path().join("swipe.png");
    common::cli::refused(
        &[
            "export",
            path.to_str().unwrap(),
            "--swipe",
            "2025-07-05,2025-10-14",
            "--layer-a",
            "nowhere",
            "--out",
            out.to_str().unwrap(),
        ],
        "no layer 'nowhere' in the project (layers: july, october)",
    );
}
