//! From the score to regions: hysteresis threshold, 4-connected components, small holes filled,
//! small regions dropped.
//!
//! A pixel seeds a region when its score reaches the threshold; the region then takes in every
//! 4-connected pixel whose score reaches half of it, so an edge that fades into the background
//! is followed to where it ends rather than cut at the first dim pixel. Holes smaller than the
//! minimum region are filled (a uniform new roof over texture can match the old ground in a few
//! pixels); larger holes stay holes.

use std::collections::VecDeque;

/// The low threshold of the hysteresis, as a fraction of the high one.
pub const LOW_FRACTION: f32 = 0.5;

/// One changed region, on the analysis grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionMask {
    /// Left column.
    pub x0: usize,
    /// Top row.
    pub y0: usize,
    /// Columns of the box.
    pub width: usize,
    /// Rows of the box.
    pub height: usize,
    /// `width × height`, true inside the region (holes filled where small).
    pub mask: Vec<bool>,
}

impl RegionMask {
    /// Pixels in the region.
    #[must_use]
    pub fn pixel_count(&self) -> usize {
        self.mask.iter().filter(|&&m| m).count()
    }

    /// Grid indices of the region's pixels, for a grid `grid_width` wide.
    pub fn indices(&self, grid_width: usize) -> impl Iterator<Item = usize> + '_ {
        self.mask
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m)
            .map(move |(k, _)| (self.y0 + k / self.width) * grid_width + self.x0 + k % self.width)
    }

    /// The bounds on the grid: left, top, right, bottom, in pixel-edge coordinates.
    #[must_use]
    pub fn bounds_px(&self) -> [usize; 4] {
        [
            self.x0,
            self.y0,
            self.x0 + self.width,
            self.y0 + self.height,
        ]
    }
}

fn neighbours4(i: usize, width: usize, height: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % width, i / width);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < width).then(|| i + 1),
        (y > 0).then(|| i - width),
        (y + 1 < height).then(|| i + width),
    ]
    .into_iter()
    .flatten()
}

/// Regions where `score` passes `threshold` (see the module docs), each at least `min_pixels`
/// after filling, ordered top to bottom, left to right by their first pixel.
#[must_use]
pub fn regions(
    score: &[f32],
    width: usize,
    height: usize,
    threshold: f32,
    min_pixels: usize,
) -> Vec<RegionMask> {
    let n = width * height;
    let low = threshold * LOW_FRACTION;
    let at = |i: usize| score.get(i).copied().unwrap_or(0.0);
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    let mut queue = VecDeque::new();
    for start in 0..n {
        if seen.get(start).copied().unwrap_or(true) || at(start) < low {
            continue;
        }
        // The 4-connected low-threshold component; kept if any pixel is a seed.
        let mut members = vec![start];
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        queue.push_back(start);
        let mut seeded = false;
        while let Some(i) = queue.pop_front() {
            seeded |= at(i) >= threshold;
            for j in neighbours4(i, width, height) {
                if let Some(s) = seen.get_mut(j)
                    && !*s
                    && at(j) >= low
                {
                    *s = true;
                    members.push(j);
                    queue.push_back(j);
                }
            }
        }
        if !seeded {
            continue;
        }
        let region = fill_small_holes(boxed(&members, width), min_pixels);
        if region.pixel_count() >= min_pixels.max(1) {
            out.push(region);
        }
    }
    out
}

/// The members (grid indices) as a mask in their bounding box.
fn boxed(members: &[usize], width: usize) -> RegionMask {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &i in members {
        let (x, y) = (i % width, i / width);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    if members.is_empty() {
        return RegionMask {
            x0: 0,
            y0: 0,
            width: 0,
            height: 0,
            mask: Vec::new(),
        };
    }
    let (w, h) = (x1 - x0, y1 - y0);
    let mut mask = vec![false; w * h];
    for &i in members {
        let (x, y) = (i % width - x0, i / width - y0);
        if let Some(m) = mask.get_mut(y * w + x) {
            *m = true;
        }
    }
    RegionMask {
        x0,
        y0,
        width: w,
        height: h,
        mask,
    }
}

/// Fills the holes (4-connected gaps not reaching the box's edge) smaller than `max_pixels`.
fn fill_small_holes(mut region: RegionMask, max_pixels: usize) -> RegionMask {
    let (w, h) = (region.width, region.height);
    let mut outside = vec![false; w * h];
    let mut queue = VecDeque::new();
    for i in 0..w * h {
        let (x, y) = (i % w, i / w);
        let edge = x == 0 || y == 0 || x + 1 == w || y + 1 == h;
        if edge && !region.mask.get(i).copied().unwrap_or(true) {
            if let Some(o) = outside.get_mut(i) {
                *o = true;
            }
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        for j in neighbours4(i, w, h) {
            if !region.mask.get(j).copied().unwrap_or(true)
                && let Some(o) = outside.get_mut(j)
                && !*o
            {
                *o = true;
                queue.push_back(j);
            }
        }
    }
    // What is neither region nor outside is a hole; fill each small one.
    let mut done = outside.clone();
    for start in 0..w * h {
        if done.get(start).copied().unwrap_or(true)
            || region.mask.get(start).copied().unwrap_or(true)
        {
            continue;
        }
        let mut hole = vec![start];
        if let Some(d) = done.get_mut(start) {
            *d = true;
        }
        queue.push_back(start);
        while let Some(i) = queue.pop_front() {
            for j in neighbours4(i, w, h) {
                if !region.mask.get(j).copied().unwrap_or(true)
                    && let Some(d) = done.get_mut(j)
                    && !*d
                {
                    *d = true;
                    hole.push(j);
                    queue.push_back(j);
                }
            }
        }
        if hole.len() < max_pixels {
            for i in hole {
                if let Some(m) = region.mask.get_mut(i) {
                    *m = true;
                }
            }
        }
    }
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(width: usize, height: usize, hot: &[(usize, usize, f32)]) -> Vec<f32> {
        let mut z = vec![0.0; width * height];
        for &(x, y, v) in hot {
            z[y * width + x] = v;
        }
        z
    }

    #[test]
    fn an_empty_or_quiet_field_has_no_regions() {
        assert!(regions(&[], 0, 0, 5.0, 1).is_empty());
        assert!(regions(&field(8, 8, &[(3, 3, 4.9)]), 8, 8, 5.0, 1).is_empty());
    }

    #[test]
    fn one_hot_pixel_is_one_region_of_one_pixel() {
        let r = regions(&field(8, 8, &[(3, 4, 9.0)]), 8, 8, 5.0, 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].bounds_px(), [3, 4, 4, 5]);
        assert_eq!(r[0].indices(8).collect::<Vec<_>>(), [4 * 8 + 3]);
    }

    #[test]
    fn hysteresis_follows_dim_pixels_only_from_a_seed() {
        // A seed with a dim tail, and a dim blob with no seed.
        let z = field(
            10,
            3,
            &[
                (0, 1, 9.0),
                (1, 1, 3.0),
                (2, 1, 3.0),
                (6, 1, 3.0),
                (7, 1, 3.0),
            ],
        );
        let r = regions(&z, 10, 3, 5.0, 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].bounds_px(), [0, 1, 3, 2]);
    }

    #[test]
    fn diagonal_neighbours_are_separate_regions() {
        let r = regions(&field(4, 4, &[(0, 0, 9.0), (1, 1, 9.0)]), 4, 4, 5.0, 1);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn small_holes_are_filled_and_large_ones_kept() {
        let (w, h) = (12, 12);
        let mut z = vec![0.0; w * h];
        for y in 1..11 {
            for x in 1..11 {
                let inner = (3..9).contains(&x) && (3..9).contains(&y);
                z[y * w + x] = if inner { 0.0 } else { 9.0 };
            }
        }
        let ring = regions(&z, w, h, 5.0, 10);
        assert_eq!(ring[0].pixel_count(), 100 - 36, "a 36-pixel hole stays");
        let filled = regions(&z, w, h, 5.0, 40);
        assert_eq!(filled[0].pixel_count(), 100, "under 40 pixels: filled");
    }

    #[test]
    fn regions_under_the_minimum_are_dropped() {
        let z = field(8, 8, &[(1, 1, 9.0), (2, 1, 9.0), (5, 5, 9.0)]);
        let r = regions(&z, 8, 8, 5.0, 2);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].pixel_count(), 2);
    }
}
