//! Radiometric normalisation: each band of the later image is mapped onto the earlier one's
//! values by matching quantiles over the pixels valid in both.
//!
//! Matching quantiles fits any monotone change of a band at once — gain, offset and gamma, a
//! different sensor stretch — without choosing a model. A change that covers a small share of
//! the scene moves the quantiles little; the fit uses [`QUANTILES`] + 1 quantiles, merged where
//! the later image's values repeat (8-bit plateaus), and maps values between knots linearly.

/// Steps between the quantiles matched (0.1 % each).
pub const QUANTILES: usize = 1000;

/// A monotone map from one band's values onto another's: knots `(from, to)`, `from` strictly
/// increasing.
#[derive(Clone, Debug, PartialEq)]
pub struct BandMap {
    knots: Vec<(f32, f32)>,
}

impl BandMap {
    /// The identity (no knots).
    #[must_use]
    pub fn identity() -> Self {
        Self { knots: Vec::new() }
    }

    /// The map that sends the quantiles of `from` onto those of `to`, over pixels where `valid`
    /// holds. Identity when there are fewer than two valid pixels.
    #[must_use]
    #[allow(clippy::many_single_char_names)] // x, y, w, h, a, b: the usual names in raster maths
    pub fn matching(from: &[f32], to: &[f32], valid: &[bool]) -> Self {
        let mut a: Vec<f32> = Vec::new();
        let mut b: Vec<f32> = Vec::new();
        for ((&f, &t), &ok) in from.iter().zip(to).zip(valid) {
            if ok && f.is_finite() && t.is_finite() {
                a.push(f);
                b.push(t);
            }
        }
        if a.len() < 2 {
            return Self::identity();
        }
        a.sort_unstable_by(f32::total_cmp);
        b.sort_unstable_by(f32::total_cmp);
        let at = |sorted: &[f32], i: usize| -> f32 {
            let pos = (sorted.len() - 1) * i / QUANTILES;
            sorted.get(pos).copied().unwrap_or(0.0)
        };
        let mut knots: Vec<(f32, f32, u32)> = Vec::with_capacity(QUANTILES + 1);
        for i in 0..=QUANTILES {
            let (x, y) = (at(&a, i), at(&b, i));
            match knots.last_mut() {
                // A plateau of `from`: one knot at the mean of what it maps to.
                Some((last_x, sum_y, n)) if last_x.total_cmp(&x).is_eq() => {
                    *sum_y += y;
                    *n += 1;
                }
                _ => knots.push((x, y, 1)),
            }
        }
        let knots = knots
            .into_iter()
            .map(|(x, sum_y, n)| (x, sum_y / n as f32))
            .collect();
        Self { knots }
    }

    /// `value` mapped (linear between knots, shifted parallel beyond the ends).
    #[must_use]
    pub fn apply(&self, value: f32) -> f32 {
        let (Some(&(x0, y0)), Some(&(xn, yn))) = (self.knots.first(), self.knots.last()) else {
            return value;
        };
        if value <= x0 {
            return y0 + (value - x0);
        }
        if value >= xn {
            return yn + (value - xn);
        }
        let i = self.knots.partition_point(|&(x, _)| x <= value);
        match (self.knots.get(i - 1), self.knots.get(i)) {
            (Some(&(xa, ya)), Some(&(xb, yb))) if xb > xa => {
                ya + (yb - ya) * (value - xa) / (xb - xa)
            }
            (Some(&(_, ya)), _) => ya,
            _ => value,
        }
    }
}

/// Maps every band of `later` onto `earlier`'s values (see the module docs); returns the mapped
/// planes. Bands are paired by index; `valid` marks the pixels both hold.
#[must_use]
pub fn match_bands(earlier: &[Vec<f32>], later: &[Vec<f32>], valid: &[bool]) -> Vec<Vec<f32>> {
    earlier
        .iter()
        .zip(later)
        .map(|(a, b)| {
            let map = BandMap::matching(b, a, valid);
            b.iter().map(|&v| map.apply(v)).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i * 37) % 101) as f32).collect()
    }

    #[test]
    fn too_few_pixels_leave_values_alone() {
        let map = BandMap::matching(&[1.0], &[5.0], &[true]);
        assert_eq!(map, BandMap::identity());
        assert!((map.apply(3.0) - 3.0).abs() < 1e-6);
    }

    #[test]
    fn gain_offset_and_gamma_are_undone() {
        let a = ramp(5000);
        let b: Vec<f32> = a
            .iter()
            .map(|&v| 3.0 * (v / 100.0).powf(0.7) * 100.0 + 40.0)
            .collect();
        let mapped = match_bands(std::slice::from_ref(&a), &[b], &vec![true; a.len()]);
        let worst = a
            .iter()
            .zip(&mapped[0])
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 0.5, "worst error {worst}");
    }

    #[test]
    fn invalid_pixels_take_no_part_in_the_fit() {
        let a = ramp(2000);
        let mut b = a.clone();
        let mut valid = vec![true; a.len()];
        for i in 0..500 {
            b[i] = 1000.0;
            valid[i] = false;
        }
        let map = BandMap::matching(&b, &a, &valid);
        assert!((map.apply(50.0) - 50.0).abs() < 0.6);
    }
}
