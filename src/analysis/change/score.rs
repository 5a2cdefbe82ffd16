//! The change score: how far each pixel's later values stand from its earlier ones, in units of
//! the difference field's own robust spread.
//!
//! Both images (the later one already normalised) are smoothed with a 3×3 mean, which cuts
//! sensor noise by three and the contrast a sub-pixel misregistration leaves at edges. Per band,
//! σ is 1.4826 × the median absolute deviation of the zero-shift difference (a normal's σ, and
//! blind to the few pixels that changed). A pixel's score is the root mean square over bands of
//! its difference in σ, minimised over shifts of the later image by −1, −½, 0, ½ and 1 pixel
//! in x and y (bilinear at the half pixels): a misregistration up to a pixel, or half a pixel
//! exactly, costs nothing, while a real change stays high for every shift.

/// Shifts (pixels, each axis) over which the score takes its minimum.
pub const SHIFTS_PX: [f32; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];

/// The normal distribution's σ per median absolute deviation.
const SIGMA_PER_MAD: f32 = 1.4826;

/// Smallest σ, as a fraction of the band's spread between its 1st and 99th percentiles: a
/// noise-free synthetic pair must not divide by zero.
const SIGMA_FLOOR_FRACTION: f32 = 5e-3;

/// A plane smoothed with the mean of the valid pixels in each 3×3 neighbourhood.
#[must_use]
pub fn mean3(plane: &[f32], valid: &[bool], width: usize, height: usize) -> Vec<f32> {
    let mut out = vec![0.0; plane.len()];
    for y in 0..height {
        for x in 0..width {
            let (mut sum, mut n) = (0.0f32, 0u32);
            for yy in y.saturating_sub(1)..(y + 2).min(height) {
                for xx in x.saturating_sub(1)..(x + 2).min(width) {
                    let i = yy * width + xx;
                    if valid.get(i).copied().unwrap_or(false) {
                        sum += plane.get(i).copied().unwrap_or(0.0);
                        n += 1;
                    }
                }
            }
            if let Some(o) = out.get_mut(y * width + x) {
                *o = if n > 0 {
                    sum / n as f32
                } else {
                    plane.get(y * width + x).copied().unwrap_or(0.0)
                };
            }
        }
    }
    out
}

/// The median of `values` (sorted in place); 0 when empty.
pub fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}

/// Median and σ (1.4826 × MAD, floored) of the band difference `a − b` over valid pixels.
#[must_use]
pub fn difference_spread(a: &[f32], b: &[f32], valid: &[bool]) -> (f32, f32) {
    let mut diff: Vec<f32> = a
        .iter()
        .zip(b)
        .zip(valid)
        .filter(|&(_, &ok)| ok)
        .map(|((x, y), _)| x - y)
        .collect();
    let centre = median(&mut diff);
    let mut dev: Vec<f32> = diff.iter().map(|d| (d - centre).abs()).collect();
    let mad = median(&mut dev);
    let mut values: Vec<f32> = a
        .iter()
        .zip(valid)
        .filter(|&(_, &ok)| ok)
        .map(|(&v, _)| v)
        .collect();
    values.sort_unstable_by(f32::total_cmp);
    let pick = |q: f32| {
        values
            .get(((values.len().saturating_sub(1)) as f32 * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let floor = ((pick(0.99) - pick(0.01)) * SIGMA_FLOOR_FRACTION).max(1e-6);
    (centre, (mad * SIGMA_PER_MAD).max(floor))
}

/// Bilinear sample at (`x`, `y`) in pixel-centre coordinates, clamped to the plane; `None` when
/// a pixel it draws on is invalid.
fn sample(
    plane: &[f32],
    valid: &[bool],
    width: usize,
    height: usize,
    x: f32,
    y: f32,
) -> Option<f32> {
    let x = x.clamp(0.0, (width - 1) as f32);
    let y = y.clamp(0.0, (height - 1) as f32);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let mut total = 0.0;
    for (xx, yy, w) in [
        (x0, y0, (1.0 - fx) * (1.0 - fy)),
        (x1, y0, fx * (1.0 - fy)),
        (x0, y1, (1.0 - fx) * fy),
        (x1, y1, fx * fy),
    ] {
        if w == 0.0 {
            continue;
        }
        let i = yy * width + xx;
        if !valid.get(i).copied().unwrap_or(false) {
            return None;
        }
        total += w * plane.get(i).copied().unwrap_or(0.0);
    }
    Some(total)
}

/// The smoothed planes and per-band spread a score is computed from.
#[derive(Clone, Debug)]
pub struct Smoothed {
    /// Earlier image, 3×3 mean.
    pub before: Vec<Vec<f32>>,
    /// Later image (normalised), 3×3 mean.
    pub after: Vec<Vec<f32>>,
    /// Per band: median of the difference.
    pub centre: Vec<f32>,
    /// Per band: robust σ of the difference.
    pub sigma: Vec<f32>,
}

impl Smoothed {
    /// Smooths both over `valid` pixels and measures the difference's spread over `fit`.
    #[must_use]
    pub fn new(
        before: &[Vec<f32>],
        after: &[Vec<f32>],
        valid: &[bool],
        fit: &[bool],
        width: usize,
        height: usize,
    ) -> Self {
        let before: Vec<Vec<f32>> = before
            .iter()
            .map(|p| mean3(p, valid, width, height))
            .collect();
        let after: Vec<Vec<f32>> = after
            .iter()
            .map(|p| mean3(p, valid, width, height))
            .collect();
        let (centre, sigma) = before
            .iter()
            .zip(&after)
            .map(|(a, b)| difference_spread(a, b, fit))
            .unzip();
        Self {
            before,
            after,
            centre,
            sigma,
        }
    }

    /// Per-pixel band differences (later − earlier, median-centred) in σ, at zero shift.
    #[must_use]
    pub fn z_bands(&self, index: usize) -> Vec<f32> {
        self.before
            .iter()
            .zip(&self.after)
            .zip(self.centre.iter().zip(&self.sigma))
            .map(|((a, b), (&c, &s))| {
                let (av, bv) = (
                    a.get(index).copied().unwrap_or(0.0),
                    b.get(index).copied().unwrap_or(0.0),
                );
                (bv - av + c) / s
            })
            .collect()
    }
}

/// The score of every pixel (see the module docs); 0 where the pixel is invalid.
#[must_use]
pub fn score(smoothed: &Smoothed, valid: &[bool], width: usize, height: usize) -> Vec<f32> {
    let bands = smoothed.before.len().max(1) as f32;
    let mut out = vec![0.0f32; width * height];
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if !valid.get(i).copied().unwrap_or(false) {
                continue;
            }
            let mut best = f32::INFINITY;
            for &dy in &SHIFTS_PX {
                for &dx in &SHIFTS_PX {
                    let mut sum = 0.0f32;
                    let mut ok = true;
                    for (((a, b), &c), &s) in smoothed
                        .before
                        .iter()
                        .zip(&smoothed.after)
                        .zip(&smoothed.centre)
                        .zip(&smoothed.sigma)
                    {
                        let Some(bv) =
                            sample(b, valid, width, height, x as f32 + dx, y as f32 + dy)
                        else {
                            ok = false;
                            break;
                        };
                        let d = (a.get(i).copied().unwrap_or(0.0) - bv - c) / s;
                        sum += d * d;
                        if sum >= best * bands {
                            break;
                        }
                    }
                    if ok {
                        best = best.min(sum / bands);
                    }
                }
            }
            if let Some(o) = out.get_mut(i) {
                *o = if best.is_finite() { best.sqrt() } else { 0.0 };
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_nothing_is_zero_and_of_one_value_that_value() {
        assert!(median(&mut []).abs() < 1e-9);
        assert!((median(&mut [4.0]) - 4.0).abs() < 1e-9);
        assert!((median(&mut [3.0, 1.0, 2.0]) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_half_pixel_shift_of_a_ramp_scores_nothing() {
        let (w, h) = (16, 16);
        let a: Vec<f32> = (0..w * h).map(|i| (i % w) as f32 * 10.0).collect();
        let b: Vec<f32> = (0..w * h).map(|i| ((i % w) as f32 - 0.5) * 10.0).collect();
        let valid = vec![true; w * h];
        let s = Smoothed::new(&[a], &[b], &valid, &valid, w, h);
        let z = score(&s, &valid, w, h);
        let inner = (2..h - 2).flat_map(|y| (2..w - 2).map(move |x| y * w + x));
        for i in inner {
            assert!(z[i] < 0.01, "pixel {i}: {}", z[i]);
        }
    }

    #[test]
    fn a_step_scores_in_sigma_units() {
        let (w, h) = (32, 32);
        // Noise-like texture so σ is set by data, and a +60 block.
        let a: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 13) as f32).collect();
        let mut b = a.clone();
        for y in 10..20 {
            for x in 10..20 {
                b[y * w + x] += 60.0;
            }
        }
        let valid = vec![true; w * h];
        let s = Smoothed::new(&[a], &[b], &valid, &valid, w, h);
        let z = score(&s, &valid, w, h);
        assert!(z[15 * w + 15] > 10.0, "{}", z[15 * w + 15]);
        assert!(z[2 * w + 2] < z[15 * w + 15] / 5.0);
    }
}
