//! Alignment on generated rasters: a textured scene and a copy whose content is moved by a
//! known sub-pixel shift (sampled from the same continuous texture at shifted positions, so the
//! shift does not come from any resampling the code under test does), with noise, a gain and
//! offset change and 10 % of the area changed. The estimate must be within 0.25 px; a
//! featureless pair and a pair that does not overlap are refused. An aligned layer moves in an
//! exported figure by its offset, and the sidecar records it; the change finder reads it moved.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::sync::Arc;

use sitewatch::analysis::align::{AlignError, align_layers};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, ViewChoice, render_figure};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::project_file::empty_project;
use sitewatch::model::{ImageryLayer, Project};
use sitewatch::spatial::LonLatBox;

const SIDE: u32 = 256;
/// Degrees per pixel (about 8 m × 11 m at 42.4° N).
const STEP: f64 = 0.0001;
const TOP_LEFT: (f64, f64) = (130.60, 42.43);
/// The moving copy's content, pixels right and down of the reference's.
const SHIFT_PX: [f64; 2] = [2.3, -1.7];

/// The ground's brightness at continuous pixel position (x, y), per band (0–255).
fn ground(band: usize, x: f64, y: f64) -> f64 {
    let seed = 0xA11C + band as u64;
    110.0
        + 80.0 * (common::rasters::value_noise(seed, x, y, 19.0) - 0.5)
        + 50.0 * (common::rasters::value_noise(seed + 1, x, y, 6.0) - 0.5)
        + 30.0 * (common::rasters::value_noise(seed + 2, x, y, 2.5) - 0.5)
}

/// Gaussian noise of deviation `sd` from a hash (Box–Muller).
fn noise(seed: u64, i: usize, sd: f64) -> f64 {
    let u1 = common::rasters::hash(seed, i as i64, 1).max(1e-12);
    let u2 = common::rasters::hash(seed, i as i64, 2);
    sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A scene sampled at pixel centres, its content moved by `shift` pixels, brightness mapped
/// by `gain` and `offset`, with noise of deviation `noise_sd` and the box `changed` (columns,
/// rows: x0, y0, x1, y1) replaced by a new building's roof.
fn scene(
    shift: [f64; 2],
    gain: f64,
    offset: f64,
    noise_sd: f64,
    changed: Option<[u32; 4]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity((SIDE * SIDE * 3) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            let inside =
                changed.is_some_and(|[x0, y0, x1, y1]| x >= x0 && x < x1 && y >= y0 && y < y1);
            for band in 0..3 {
                let (gx, gy) = (f64::from(x) + 0.5 - shift[0], f64::from(y) + 0.5 - shift[1]);
                let base = if inside {
                    215.0 + 10.0 * (common::rasters::value_noise(77, gx, gy, 4.0) - 0.5)
                } else {
                    ground(band, gx, gy)
                };
                let i = ((y * SIDE + x) * 3) as usize + band;
                let v =
                    gain * base + offset + noise(0xD1CE + u64::from(noise_sd as u32), i, noise_sd);
                out.push(v.round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    out
}

/// A project of the layers "before" (January) and "after" (June) on one track.
fn before_and_after() -> Project {
    project_of(vec![
        common::file_layer("before", Some("2025-01-01"), "Sat"),
        common::file_layer("after", Some("2025-06-01"), "Sat"),
    ])
}

fn project_of(layers: Vec<ImageryLayer>) -> Project {
    let mut project = empty_project(&load_default_project().unwrap().project);
    project.home = LonLatBox::try_from([130.60, 42.40, 130.63, 42.43]).unwrap();
    project.layers = layers;
    project
}

fn write(dir: &Path, id: &str, top_left: (f64, f64), samples: &[u8]) {
    common::rasters::rgb_geotiff(
        &dir.join(format!("{id}.tif")),
        SIDE,
        top_left,
        STEP,
        None,
        samples,
    );
}

/// Ground metres per degree of longitude and latitude at the rasters' centre, on the sphere
/// the map uses.
fn metres_per_degree() -> [f64; 2] {
    let r = 6_378_137.0_f64;
    let lat = TOP_LEFT.1 - STEP * f64::from(SIDE) / 2.0;
    let per_rad = r * std::f64::consts::PI / 180.0;
    [per_rad * lat.to_radians().cos(), per_rad]
}

#[test]
fn a_known_sub_pixel_shift_is_recovered_under_noise_gain_and_change() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "before",
        TOP_LEFT,
        &scene([0.0, 0.0], 1.0, 0.0, 3.0, None),
    );
    // 10 % of the area: 81 × 81 px of 256 × 256.
    let changed = Some([150, 30, 231, 111]);
    write(
        dir.path(),
        "after",
        TOP_LEFT,
        &scene(SHIFT_PX, 0.75, 30.0, 5.0, changed),
    );
    let project = before_and_after();
    let found = align_layers(&project, dir.path(), "after", "before").unwrap();
    let [dx, dy] = found.pixels.shift_px;
    println!("estimated ({dx:.3}, {dy:.3}) px: {:?}", found.pixels);
    assert!(
        (dx - SHIFT_PX[0]).abs() <= 0.25 && (dy - SHIFT_PX[1]).abs() <= 0.25,
        "estimated ({dx:.3}, {dy:.3}) px, true ({}, {}) px; {found:?}",
        SHIFT_PX[0],
        SHIFT_PX[1]
    );
    // The proposal moves the layer back: west by 2.3 px and south by 1.7 px... of its content
    // moved right (east) and up (north): east −2.3 px, north −1.7 px in ground metres.
    let [mx, my] = metres_per_degree();
    let expected = [-SHIFT_PX[0] * STEP * mx, SHIFT_PX[1] * STEP * my];
    for (got, want) in found.proposed_offset_m.iter().zip(expected) {
        assert!(
            (got - want).abs() <= 0.25 * STEP * my,
            "{:?} vs {expected:?}",
            found.proposed_offset_m
        );
    }
    assert!(found.pixels.confidence > 0.3, "{found:?}");
    assert!(
        found.pixels.residual_after < found.pixels.residual_before,
        "{found:?}"
    );
}

#[test]
fn a_layer_already_moved_by_the_proposal_needs_no_more() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "before",
        TOP_LEFT,
        &scene([0.0, 0.0], 1.0, 0.0, 2.0, None),
    );
    write(
        dir.path(),
        "after",
        TOP_LEFT,
        &scene(SHIFT_PX, 1.0, 0.0, 2.0, None),
    );
    let mut project = before_and_after();
    let first = align_layers(&project, dir.path(), "after", "before").unwrap();
    project.layers[1].offset_m = Some(first.proposed_offset_m);
    let again = align_layers(&project, dir.path(), "after", "before").unwrap();
    let [dx, dy] = again.pixels.shift_px;
    assert!(dx.abs() <= 0.25 && dy.abs() <= 0.25, "{again:?}");
    assert!((again.proposed_offset_m[0] - first.proposed_offset_m[0]).abs() < 0.25 * 8.2);
}

#[test]
fn a_featureless_pair_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "before",
        TOP_LEFT,
        &scene([0.0, 0.0], 1.0, 0.0, 3.0, None),
    );
    let flat: Vec<u8> = (0..SIDE * SIDE).flat_map(|_| [90, 110, 70]).collect();
    write(dir.path(), "after", TOP_LEFT, &flat);
    let project = before_and_after();
    let refused = align_layers(&project, dir.path(), "after", "before").unwrap_err();
    assert!(
        matches!(&refused, AlignError::Featureless { layer, .. } if layer == "after"),
        "{refused:?}"
    );
}

#[test]
fn noise_against_noise_has_no_clear_peak() {
    let dir = tempfile::tempdir().unwrap();
    let noisy = |seed: u64| -> Vec<u8> {
        (0..(SIDE * SIDE * 3) as usize)
            .map(|i| (120.0 + noise(seed, i, 20.0)).round().clamp(0.0, 255.0) as u8)
            .collect()
    };
    write(dir.path(), "before", TOP_LEFT, &noisy(1));
    write(dir.path(), "after", TOP_LEFT, &noisy(2));
    let project = before_and_after();
    let refused = align_layers(&project, dir.path(), "after", "before").unwrap_err();
    println!("{refused}");
    assert!(
        matches!(refused, AlignError::NoClearPeak { .. }),
        "{refused:?}"
    );
}

#[test]
fn layers_that_do_not_overlap_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let texture = scene([0.0, 0.0], 1.0, 0.0, 2.0, None);
    write(dir.path(), "before", TOP_LEFT, &texture);
    write(
        dir.path(),
        "after",
        (TOP_LEFT.0 + 0.1, TOP_LEFT.1),
        &texture,
    );
    let project = before_and_after();
    let refused = align_layers(&project, dir.path(), "after", "before").unwrap_err();
    assert!(matches!(refused, AlignError::NoOverlap), "{refused:?}");
    // A sliver of overlap (10 px) is refused too.
    let sliver = (TOP_LEFT.0 + STEP * f64::from(SIDE - 10), TOP_LEFT.1);
    write(dir.path(), "after", sliver, &texture);
    let refused = align_layers(&project, dir.path(), "after", "before").unwrap_err();
    assert!(
        matches!(refused, AlignError::TooSmall { .. }),
        "{refused:?}"
    );
}

/// A magenta square on black: its edges are easy to find in a figure.
fn square() -> Vec<u8> {
    (0..SIDE * SIDE)
        .flat_map(|i| {
            let (x, y) = (i % SIDE, i / SIDE);
            let inside = (64..192).contains(&x) && (64..192).contains(&y);
            if inside { [240, 20, 200] } else { [10, 10, 10] }
        })
        .collect()
}

/// The left and top edges of the square in a figure: the first column and row with magenta.
fn square_edges(figure: &sitewatch::export::Figure) -> [u32; 2] {
    let image = figure.to_rgba_image().unwrap();
    let white = |p: &image::Rgba<u8>| p.0[0] > 200 && p.0[1] < 60 && p.0[2] > 160;
    let (w, h) = image.dimensions();
    let left = (0..w)
        .find(|&x| (0..h).filter(|&y| white(image.get_pixel(x, y))).count() > 20)
        .unwrap();
    let top = (0..h)
        .find(|&y| (0..w).filter(|&x| white(image.get_pixel(x, y))).count() > 20)
        .unwrap();
    [left, top]
}

#[test]
fn an_aligned_layer_moves_in_the_export_by_its_offset_and_the_sidecar_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "square", TOP_LEFT, &square());
    let mut project = project_of(vec![common::file_layer(
        "square",
        Some("2025-01-01"),
        "Sat",
    )]);
    let bbox = LonLatBox::try_from([
        TOP_LEFT.0,
        TOP_LEFT.1 - STEP * f64::from(SIDE),
        TOP_LEFT.0 + STEP * f64::from(SIDE),
        TOP_LEFT.1,
    ])
    .unwrap();
    let options = ExportOptions {
        size_px: [400, 400],
        view: ViewChoice::BBox(bbox),
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.path().to_path_buf(),
        ))),
        ..ExportOptions::default()
    };
    let date = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    let still = render_figure(&project, date, &options, &|_, _| true).unwrap();
    let m_per_px = still.view.meters_per_px();
    // 30 px east and 20 px north at the figure's scale.
    let offset_m = [30.0 * m_per_px, 20.0 * m_per_px];
    project.layers[0].offset_m = Some(offset_m);
    let moved = render_figure(&project, date, &options, &|_, _| true).unwrap();
    let ([l0, t0], [l1, t1]) = (square_edges(&still), square_edges(&moved));
    assert!(
        (i64::from(l1) - i64::from(l0) - 30).abs() <= 1,
        "left edge {l0} → {l1}"
    );
    assert!(
        (i64::from(t0) - i64::from(t1) - 20).abs() <= 1,
        "top edge {t0} → {t1}"
    );

    let out = dir.path().join("figure.png");
    sitewatch::export::export_png(&project, date, &options, &out, &|_, _| true).unwrap();
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("figure.json")).unwrap())
            .unwrap();
    let layers = sidecar["layers"].as_array().unwrap();
    let square = layers.iter().find(|l| l["id"] == "square").unwrap();
    assert!((square["offset_m"]["east"].as_f64().unwrap() - offset_m[0]).abs() < 1e-9);
    assert!((square["offset_m"]["north"].as_f64().unwrap() - offset_m[1]).abs() < 1e-9);
}

#[test]
fn an_offset_is_saved_with_the_layer_and_an_old_file_is_unchanged() {
    let mut l = common::file_layer("a", Some("2025-01-01"), "Sat");
    let plain = serde_json::to_value(&l).unwrap();
    assert!(plain.get("offset_m").is_none(), "{plain}");
    l.offset_m = Some([1.5, -2.0]);
    let text = serde_json::to_string(&l).unwrap();
    assert!(text.contains("\"offset_m\":[1.5,-2.0]"), "{text}");
    let back: ImageryLayer = serde_json::from_str(&text).unwrap();
    assert_eq!(back.offset_m, Some([1.5, -2.0]));
}

#[test]
fn the_change_finder_reads_an_aligned_layer_where_its_offset_puts_it() {
    let dir = tempfile::tempdir().unwrap();
    let texture = scene([0.0, 0.0], 1.0, 0.0, 0.0, None);
    write(dir.path(), "before", TOP_LEFT, &texture);
    write(dir.path(), "after", TOP_LEFT, &texture);
    let mut after = common::file_layer("after", Some("2025-06-01"), "Sat");
    // Exactly 3 pixels east.
    after.offset_m = Some([3.0 * STEP * metres_per_degree()[0], 0.0]);
    let before = common::file_layer("before", Some("2025-01-01"), "Sat");
    let on_grid = sitewatch::analysis::change::layer_grid::layers_on_grid(
        [&before, &after],
        dir.path(),
        None,
        1 << 20,
    )
    .unwrap();
    let (first, second) = (&on_grid.first, &on_grid.second);
    let width = first.width;
    // Away from the edges, the moved layer's pixel x holds what the other holds at x − 3.
    let mut compared = 0;
    for y in 10..first.height - 10 {
        for x in 13..width - 10 {
            let (a, b) = (
                first.bands[0][y * width + x - 3],
                second.bands[0][y * width + x],
            );
            assert!((a - b).abs() < 0.5, "({x}, {y}): {a} vs {b}");
            compared += 1;
        }
    }
    assert!(compared > 40_000, "{compared}");
    // And it no longer holds what the other holds at x.
    let same = (10..width - 10)
        .filter(|&x| {
            (first.bands[0][100 * width + x] - second.bands[0][100 * width + x]).abs() < 0.5
        })
        .count();
    assert!(same < width / 4, "{same} of a row unchanged");
}
