//! The change finder on generated rasters: a textured background, per-band gain, offset and
//! gamma, a half-pixel misregistration and noise between the dates, and four known changes — an
//! inserted rectangle, a removed one, a 6 px wide linear change and an L-shaped colour change.
//! Each must be found within 2 px of its bounds, with no region anywhere else; a null pair
//! (the same scene again, new noise, new gain) must give none.

mod common;

use sitewatch::analysis::change::{BandStack, ChangeClass, DetectParams, Detected, detect};

const SIZE: usize = 200;

/// The background: fields of texture at 3 scales, different per band (0–255).
fn background(band: usize, x: f64, y: f64) -> f64 {
    let base = [150.0, 120.0, 90.0][band];
    let seed = 0x5EED + band as u64 * 7;
    base + 60.0 * (common::rasters::value_noise(seed, x, y, 24.0) - 0.5)
        + 40.0 * (common::rasters::value_noise(seed + 1, x, y, 7.0) - 0.5)
        + 20.0 * (common::rasters::value_noise(seed + 2, x, y, 3.0) - 0.5)
}

/// A box: columns `x0..x1`, rows `y0..y1`.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn contains(&self, x: f64, y: f64) -> bool {
        self.x0 <= x && x < self.x1 && self.y0 <= y && y < self.y1
    }
}

const INSERTED: Rect = Rect {
    x0: 20.0,
    y0: 20.0,
    x1: 44.0,
    y1: 36.0,
};
const REMOVED: Rect = Rect {
    x0: 120.0,
    y0: 30.0,
    x1: 150.0,
    y1: 50.0,
};
const LINE: Rect = Rect {
    x0: 20.0,
    y0: 100.0,
    x1: 180.0,
    y1: 106.0,
};
const L_UPRIGHT: Rect = Rect {
    x0: 120.0,
    y0: 130.0,
    x1: 128.0,
    y1: 180.0,
};
const L_FOOT: Rect = Rect {
    x0: 120.0,
    y0: 172.0,
    x1: 170.0,
    y1: 180.0,
};
const L_BOUNDS: Rect = Rect {
    x0: 120.0,
    y0: 130.0,
    x1: 170.0,
    y1: 180.0,
};

/// The earlier scene's value at (x, y): background and the rectangle later removed.
fn scene_before(band: usize, x: f64, y: f64) -> f64 {
    if REMOVED.contains(x, y) {
        return [62.0, 60.0, 70.0][band] + 4.0 * (common::rasters::value_noise(9, x, y, 3.0) - 0.5);
    }
    background(band, x, y)
}

/// The later scene: a new bright rectangle, a dark 6 px road, and an L whose colour changed
/// (the red and blue base levels swapped, the texture kept, so its brightness does not move).
fn scene_after(band: usize, x: f64, y: f64) -> f64 {
    if INSERTED.contains(x, y) {
        return [222.0, 216.0, 204.0][band]
            + 4.0 * (common::rasters::value_noise(11, x, y, 3.0) - 0.5);
    }
    if LINE.contains(x, y) {
        return [88.0, 84.0, 80.0][band]
            + 4.0 * (common::rasters::value_noise(12, x, y, 2.0) - 0.5);
    }
    if L_UPRIGHT.contains(x, y) || L_FOOT.contains(x, y) {
        let swap = [-60.0, 0.0, 60.0][band];
        return background(band, x, y) + swap;
    }
    background(band, x, y)
}

/// Roughly normal noise with σ = `sigma` (sum of four uniforms).
fn noise(seed: u64, i: usize, band: usize, sigma: f64) -> f64 {
    let sum: f64 = (0..4)
        .map(|k| common::rasters::hash(seed + k, i as i64, band as i64))
        .sum();
    (sum - 2.0) * sigma * 3f64.sqrt()
}

/// A sensor's view: sample the scene at pixel centres shifted by `shift`, apply per-band gain,
/// offset and gamma on the 0–255 scale, add noise; 8-bit-like values in f32.
fn image(
    scene: fn(usize, f64, f64) -> f64,
    shift: (f64, f64),
    radiometry: [(f64, f64, f64); 3],
    noise_seed: u64,
) -> BandStack {
    let mut stack = BandStack::new(SIZE, SIZE, 3);
    for (band, plane) in stack.bands.iter_mut().enumerate() {
        let (gain, offset, gamma) = radiometry[band];
        for (i, value) in plane.iter_mut().enumerate() {
            let (x, y) = (
                (i % SIZE) as f64 + 0.5 + shift.0,
                (i / SIZE) as f64 + 0.5 + shift.1,
            );
            let v = scene(band, x, y).clamp(0.0, 255.0) / 255.0;
            let sensed = gain * 255.0 * v.powf(gamma) + offset + noise(noise_seed, i, band, 2.0);
            *value = sensed as f32;
        }
    }
    stack
}

const PLAIN: [(f64, f64, f64); 3] = [(1.0, 0.0, 1.0); 3];
const OTHER_SENSOR: [(f64, f64, f64); 3] = [(1.3, 12.0, 0.8), (0.9, -5.0, 1.2), (1.6, 30.0, 0.9)];

fn params() -> DetectParams {
    DetectParams {
        min_region_px: 12,
        ..DetectParams::default()
    }
}

/// How far a region's bounds are from a box, the worst of the four sides, in pixels.
fn bounds_error(found: &Detected, expected: Rect) -> f64 {
    let [x0, y0, x1, y1] = found.region.bounds_px().map(|v| v as f64);
    [
        (x0 - expected.x0).abs(),
        (y0 - expected.y0).abs(),
        (x1 - expected.x1).abs(),
        (y1 - expected.y1).abs(),
    ]
    .into_iter()
    .fold(0.0, f64::max)
}

fn overlaps(found: &Detected, r: Rect) -> bool {
    let [x0, y0, x1, y1] = found.region.bounds_px().map(|v| v as f64);
    x0 < r.x1 && r.x0 < x1 && y0 < r.y1 && r.y0 < y1
}

#[test]
fn each_change_is_found_within_two_pixels_and_nothing_else() {
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let after = image(scene_after, (0.5, 0.5), OTHER_SENSOR, 2);
    let found = detect(&before, &after, &params()).unwrap();
    let shapes = [
        ("inserted rectangle", INSERTED),
        ("removed rectangle", REMOVED),
        ("6 px linear change", LINE),
        ("L-shaped change", L_BOUNDS),
    ];
    for f in &found {
        eprintln!(
            "region {:?}: {} px, score {:.1} σ (peak {:.1}), {:?}",
            f.region.bounds_px(),
            f.region.pixel_count(),
            f.description.score_sigma,
            f.description.peak_sigma,
            f.description.class
        );
    }
    for (name, shape) in shapes {
        let matching: Vec<&Detected> = found.iter().filter(|f| overlaps(f, shape)).collect();
        assert_eq!(matching.len(), 1, "{name}: {} regions", matching.len());
        let error = bounds_error(matching[0], shape);
        eprintln!("{name}: bounds within {error} px");
        assert!(error <= 2.0, "{name}: bounds off by {error} px");
    }
    let stray: Vec<_> = found
        .iter()
        .filter(|f| !shapes.iter().any(|(_, s)| overlaps(f, *s)))
        .map(|f| f.region.bounds_px())
        .collect();
    assert!(stray.is_empty(), "false regions at {stray:?}");
}

#[test]
fn each_change_gets_its_direction() {
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let after = image(scene_after, (0.5, 0.5), OTHER_SENSOR, 2);
    let found = detect(&before, &after, &params()).unwrap();
    let class_of = |shape: Rect| {
        found
            .iter()
            .find(|f| overlaps(f, shape))
            .map(|f| f.description.class)
    };
    assert_eq!(class_of(INSERTED), Some(ChangeClass::Brighter));
    assert_eq!(class_of(REMOVED), Some(ChangeClass::Brighter));
    assert_eq!(class_of(LINE), Some(ChangeClass::Darker));
    assert_eq!(class_of(L_BOUNDS), Some(ChangeClass::TextureOrColour));
    // Means are raw values: the inserted roof in the earlier image is background (~90–150),
    // in the later one the other sensor's rendering of 222/216/204.
    let inserted = found.iter().find(|f| overlaps(f, INSERTED)).unwrap();
    let before_red = inserted.description.before_mean[0];
    let after_red = inserted.description.after_mean[0];
    assert!((100.0..200.0).contains(&before_red), "{before_red}");
    assert!(after_red > 260.0, "gain 1.3 + 12 on 222: {after_red}");
}

#[test]
fn a_null_pair_gives_no_region() {
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let again = image(scene_before, (0.0, 0.0), OTHER_SENSOR, 3);
    let found = detect(&before, &again, &params()).unwrap();
    let bounds: Vec<_> = found.iter().map(|f| f.region.bounds_px()).collect();
    assert!(bounds.is_empty(), "regions at {bounds:?}");
}

#[test]
fn a_null_pair_misregistered_by_half_a_pixel_gives_no_region() {
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let again = image(scene_before, (0.5, -0.5), OTHER_SENSOR, 4);
    let found = detect(&before, &again, &params()).unwrap();
    let bounds: Vec<_> = found.iter().map(|f| f.region.bounds_px()).collect();
    assert!(bounds.is_empty(), "regions at {bounds:?}");
}

#[test]
fn a_lower_sensitivity_finds_no_more_than_a_higher_one() {
    use sitewatch::analysis::change::options::threshold_sigma;
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let after = image(scene_after, (0.5, 0.5), OTHER_SENSOR, 2);
    let pixels_at = |sensitivity: f64| -> usize {
        let p = DetectParams {
            threshold_sigma: threshold_sigma(sensitivity),
            ..params()
        };
        detect(&before, &after, &p)
            .unwrap()
            .iter()
            .map(|f| f.region.pixel_count())
            .sum()
    };
    assert!(pixels_at(0.0) <= pixels_at(0.5));
    assert!(pixels_at(0.5) <= pixels_at(1.0));
}

#[test]
fn nodata_pixels_take_no_part() {
    let before = image(scene_before, (0.0, 0.0), PLAIN, 1);
    let mut after = image(scene_after, (0.5, 0.5), OTHER_SENSOR, 2);
    // A cloud over the inserted rectangle, marked as no data.
    for y in 10..46 {
        for x in 10..54 {
            after.valid[y * SIZE + x] = false;
        }
    }
    let found = detect(&before, &after, &params()).unwrap();
    assert!(found.iter().all(|f| !overlaps(f, INSERTED)));
    assert!(found.iter().any(|f| overlaps(f, REMOVED)));
}

#[test]
fn stacks_on_different_grids_are_refused() {
    let a = BandStack::new(10, 10, 3);
    let b = BandStack::new(10, 11, 3);
    assert!(detect(&a, &b, &params()).is_err());
}
