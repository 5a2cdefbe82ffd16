//! Review chips: small pictures of both dates around a candidate, cut from the grids the finder
//! compared (raw values, each band stretched from its 2nd to its 98th percentile over the
//! image), so the analyst sees what the finder saw, not what the map happens to show.

use super::find::Candidate;
use super::stack::BandStack;

/// Longest side of a chip, pixels: a larger crop is sampled down to it.
pub const CHIP_MAX_PX: usize = 96;
/// Shortest side of the crop around a candidate, grid pixels.
const CROP_MIN_PX: usize = 24;
/// Grid pixels kept around a candidate's box, on each side, at least.
const CROP_MARGIN_PX: usize = 8;
/// Pixels sampled to find a band's percentiles.
const STRETCH_SAMPLES: usize = 65_536;
/// The stretch's percentiles, low and high.
const STRETCH_PERCENTILES: (f64, f64) = (0.02, 0.98);

/// One date's picture around a candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Chip {
    /// Width and height in pixels.
    pub size_px: [usize; 2],
    /// Row-major RGBA, unpremultiplied; pixels without data are transparent.
    pub rgba: Vec<u8>,
    /// The candidate's box in the chip's pixels: left, top, right, bottom.
    pub focus_px: [f32; 4],
}

/// The before and after chips of one candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct ChipPair {
    /// The earlier image.
    pub before: Chip,
    /// The later image.
    pub after: Chip,
}

/// Per band, the values mapped to black and white.
fn stretch(stack: &BandStack) -> Vec<(f32, f32)> {
    let valid: Vec<usize> = (0..stack.len())
        .filter(|&i| stack.valid.get(i).copied().unwrap_or(false))
        .collect();
    let step = (valid.len() / STRETCH_SAMPLES).max(1);
    stack
        .bands
        .iter()
        .map(|band| {
            let mut values: Vec<f32> = valid
                .iter()
                .step_by(step)
                .filter_map(|&i| band.get(i).copied())
                .filter(|v| v.is_finite())
                .collect();
            values.sort_by(f32::total_cmp);
            let at = |q: f64| {
                let k = ((values.len().saturating_sub(1)) as f64 * q).round() as usize;
                values.get(k).copied().unwrap_or(0.0)
            };
            let (lo, hi) = (at(STRETCH_PERCENTILES.0), at(STRETCH_PERCENTILES.1));
            (lo, if hi > lo { hi } else { lo + 1.0 })
        })
        .collect()
}

/// The crop around `bounds_px` (left, top, right, bottom): a square at least
/// [`CROP_MIN_PX`] and twice the candidate's larger side, kept inside the grid.
fn crop(bounds_px: [usize; 4], width: usize, height: usize) -> [usize; 4] {
    let [l, t, r, b] = bounds_px;
    let side = (r.saturating_sub(l))
        .max(b.saturating_sub(t))
        .saturating_mul(2)
        .max(r.saturating_sub(l) + 2 * CROP_MARGIN_PX)
        .max(b.saturating_sub(t) + 2 * CROP_MARGIN_PX)
        .max(CROP_MIN_PX);
    let fit = |lo: usize, hi: usize, size: usize| {
        let side = side.min(size);
        let centre = usize::midpoint(lo, hi);
        let start = centre.saturating_sub(side / 2).min(size - side);
        (start, start + side)
    };
    let (x0, x1) = fit(l, r, width);
    let (y0, y1) = fit(t, b, height);
    [x0, y0, x1, y1]
}

/// One date's chip of the crop `[x0, y0, x1, y1]`, with the candidate's box marked.
fn chip(stack: &BandStack, stretch: &[(f32, f32)], area: [usize; 4], focus: [usize; 4]) -> Chip {
    let [x0, y0, x1, y1] = area;
    let (crop_w, crop_h) = (x1 - x0, y1 - y0);
    let step = (crop_w.max(crop_h) as f64 / CHIP_MAX_PX as f64).max(1.0);
    let size = [
        ((crop_w as f64 / step).round() as usize).max(1),
        ((crop_h as f64 / step).round() as usize).max(1),
    ];
    let colour_bands: Vec<usize> = if stack.band_count() >= 3 {
        vec![0, 1, 2]
    } else {
        vec![0, 0, 0]
    };
    let mut rgba = Vec::with_capacity(size[0] * size[1] * 4);
    for cy in 0..size[1] {
        for cx in 0..size[0] {
            let gx = (x0 + ((cx as f64 + 0.5) * step) as usize).min(x1 - 1);
            let gy = (y0 + ((cy as f64 + 0.5) * step) as usize).min(y1 - 1);
            let index = gy * stack.width + gx;
            if !stack.valid.get(index).copied().unwrap_or(false) {
                rgba.extend_from_slice(&[0, 0, 0, 0]);
                continue;
            }
            for &b in &colour_bands {
                let v = stack.bands.get(b).and_then(|p| p.get(index)).copied();
                let (lo, hi) = stretch.get(b).copied().unwrap_or((0.0, 1.0));
                let t = v.map_or(0.0, |v| ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
                rgba.push((t * 255.0).round() as u8);
            }
            rgba.push(255);
        }
    }
    let to_chip = |v: usize, from: usize| (v.saturating_sub(from)) as f32 / step as f32;
    Chip {
        size_px: size,
        rgba,
        focus_px: [
            to_chip(focus[0], x0),
            to_chip(focus[1], y0),
            to_chip(focus[2], x0),
            to_chip(focus[3], y0),
        ],
    }
}

/// The chips of every candidate, in the candidates' order. Stacks not on one grid, or empty,
/// give none.
#[must_use]
pub fn chip_pairs(
    before: &BandStack,
    after: &BandStack,
    candidates: &[Candidate],
) -> Vec<ChipPair> {
    if before.is_empty()
        || before.width != after.width
        || before.height != after.height
        || before.band_count() == 0
        || after.band_count() == 0
    {
        return Vec::new();
    }
    let (s_before, s_after) = (stretch(before), stretch(after));
    candidates
        .iter()
        .map(|c| {
            let area = crop(c.bounds_px, before.width, before.height);
            ChipPair {
                before: chip(before, &s_before, area, c.bounds_px),
                after: chip(after, &s_after, area, c.bounds_px),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::change::describe::{ChangeClass, Description};

    fn candidate(bounds_px: [usize; 4]) -> Candidate {
        Candidate {
            id: "change-1".to_owned(),
            polygon: geo::Polygon::new(geo::LineString::from(vec![(0.0, 0.0)]), vec![]),
            area_m2: 1.0,
            pixels: 1,
            bounds_px,
            description: Description {
                score_sigma: 9.0,
                peak_sigma: 12.0,
                class: ChangeClass::Brighter,
                before_mean: vec![],
                after_mean: vec![],
                after_matched_mean: vec![],
            },
        }
    }

    /// A 200 × 100 grey ramp with a white square at 100–110 × 40–50 in the later image.
    fn stacks() -> (BandStack, BandStack) {
        let mut before = BandStack::new(200, 100, 3);
        for band in &mut before.bands {
            for (i, v) in band.iter_mut().enumerate() {
                *v = (i % 200) as f32;
            }
        }
        let mut after = before.clone();
        for band in &mut after.bands {
            for y in 40..50 {
                for x in 100..110 {
                    band[y * 200 + x] = 1000.0;
                }
            }
        }
        (before, after)
    }

    #[test]
    #[allow(clippy::float_cmp)] // whole pixels, exact in f32
    fn a_chip_centres_its_candidate_and_marks_its_box() {
        let (before, after) = stacks();
        let pairs = chip_pairs(&before, &after, &[candidate([100, 40, 110, 50])]);
        let pair = &pairs[0];
        // Ten pixels and eight around each side, at least 24: a 26 px square.
        assert_eq!(pair.after.size_px, [26, 26]);
        assert_eq!(pair.after.focus_px, [8.0, 8.0, 18.0, 18.0]);
        let px = |c: &Chip, x: usize, y: usize| c.rgba[(y * c.size_px[0] + x) * 4];
        assert_eq!(px(&pair.after, 12, 12), 255, "the new square is white");
        assert!(px(&pair.before, 12, 12) < 255, "before, the ramp");
        assert_eq!(pair.before.rgba.len(), 26 * 26 * 4);
    }

    #[test]
    fn a_crop_stays_inside_the_grid_and_a_large_one_is_sampled_down() {
        assert_eq!(crop([0, 0, 4, 4], 200, 100), [0, 0, 24, 24]);
        assert_eq!(crop([195, 95, 200, 100], 200, 100), [176, 76, 200, 100]);
        let (before, after) = stacks();
        let pairs = chip_pairs(&before, &after, &[candidate([20, 10, 180, 90])]);
        let c = &pairs[0].before;
        assert!(
            c.size_px[0] <= CHIP_MAX_PX && c.size_px[1] <= CHIP_MAX_PX,
            "{:?}",
            c.size_px
        );
        assert_eq!(c.rgba.len(), c.size_px[0] * c.size_px[1] * 4);
    }

    #[test]
    fn pixels_without_data_are_transparent_and_mismatched_grids_give_no_chips() {
        let (mut before, after) = stacks();
        before.valid.iter_mut().for_each(|v| *v = false);
        let pairs = chip_pairs(&before, &after, &[candidate([100, 40, 110, 50])]);
        assert!(pairs[0].before.rgba.chunks(4).all(|p| p[3] == 0));
        let small = BandStack::new(10, 10, 3);
        assert!(chip_pairs(&small, &after, &[candidate([0, 0, 1, 1])]).is_empty());
    }
}
