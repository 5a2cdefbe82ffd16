//! The affine map of one segment: every band of one image as an offset plus weights on all
//! bands of the other, by least squares with a ridge towards the identity.

/// Solves `m · w = r` for every column of `r` (Gauss–Jordan with partial pivoting);
/// `None` when `m` is singular.
pub fn solve(mut m: Vec<Vec<f64>>, mut r: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| {
            let va = m
                .get(a)
                .and_then(|row| row.get(col))
                .map_or(0.0, |v| v.abs());
            let vb = m
                .get(b)
                .and_then(|row| row.get(col))
                .map_or(0.0, |v| v.abs());
            va.total_cmp(&vb)
        })?;
        m.swap(col, pivot);
        r.swap(col, pivot);
        let p = *m.get(col)?.get(col)?;
        if p.abs() < 1e-12 {
            return None;
        }
        let pivot_row = m.get(col)?.clone();
        let pivot_rhs = r.get(col)?.clone();
        for row in 0..n {
            if row == col {
                continue;
            }
            let factor = m.get(row)?.get(col)? / p;
            if factor == 0.0 {
                continue;
            }
            for (v, pv) in m.get_mut(row)?.iter_mut().zip(&pivot_row) {
                *v -= factor * pv;
            }
            for (v, pv) in r.get_mut(row)?.iter_mut().zip(&pivot_rhs) {
                *v -= factor * pv;
            }
        }
    }
    r.iter()
        .enumerate()
        .map(|(i, row)| {
            let p = *m.get(i)?.get(i)?;
            Some(row.iter().map(|v| v / p).collect())
        })
        .collect()
}

/// Per `to` band: offset and weights on the `from` bands.
pub type Fit = Vec<(f64, Vec<f64>)>;

/// Sums for one segment's affine fit of every `to` band on all `from` bands.
#[derive(Clone, Debug)]
pub struct Sums {
    n: f64,
    x: Vec<f64>,
    y: Vec<f64>,
    xx: Vec<Vec<f64>>,
    xy: Vec<Vec<f64>>,
}

impl Sums {
    /// Pixels added.
    #[must_use]
    pub fn count(&self) -> f64 {
        self.n
    }

    /// Empty sums for `bands` bands.
    pub fn new(bands: usize) -> Self {
        Self {
            n: 0.0,
            x: vec![0.0; bands],
            y: vec![0.0; bands],
            xx: vec![vec![0.0; bands]; bands],
            xy: vec![vec![0.0; bands]; bands],
        }
    }

    /// Adds one pixel: its `from` and `to` values.
    pub fn add(&mut self, x: &[f64], y: &[f64]) {
        self.n += 1.0;
        for (k, &xk) in x.iter().enumerate() {
            if let Some(s) = self.x.get_mut(k) {
                *s += xk;
            }
            if let Some(row) = self.xx.get_mut(k) {
                for (s, &xj) in row.iter_mut().zip(x) {
                    *s += xk * xj;
                }
            }
            if let Some(row) = self.xy.get_mut(k) {
                for (s, &yb) in row.iter_mut().zip(y) {
                    *s += xk * yb;
                }
            }
        }
        for (s, &yb) in self.y.iter_mut().zip(y) {
            *s += yb;
        }
    }

    /// Per `to` band: offset and weights on the `from` bands. The weights lean towards the
    /// identity (band b from band b alone, a pure offset) as far as `ridge` (a variance per
    /// band) outweighs the segment's own spread, so a flat segment gets an offset, not weights
    /// fitted to noise.
    pub fn fit(&self, ridge: &[f64]) -> Option<Fit> {
        let bands = self.x.len();
        let mean_x: Vec<f64> = self.x.iter().map(|v| v / self.n).collect();
        let mean_y: Vec<f64> = self.y.iter().map(|v| v / self.n).collect();
        let mut cxx = vec![vec![0.0; bands]; bands];
        let mut cxy = vec![vec![0.0; bands]; bands];
        for k in 0..bands {
            let mk = mean_x.get(k).copied().unwrap_or(0.0);
            let rk = ridge.get(k).copied().unwrap_or(0.0);
            for j in 0..bands {
                let mj = mean_x.get(j).copied().unwrap_or(0.0);
                let sxx = self
                    .xx
                    .get(k)
                    .and_then(|r| r.get(j))
                    .copied()
                    .unwrap_or(0.0);
                let my = mean_y.get(j).copied().unwrap_or(0.0);
                let sxy = self
                    .xy
                    .get(k)
                    .and_then(|r| r.get(j))
                    .copied()
                    .unwrap_or(0.0);
                let identity = if k == j { rk } else { 0.0 };
                if let Some(v) = cxx.get_mut(k).and_then(|r| r.get_mut(j)) {
                    *v = sxx / self.n - mk * mj + identity;
                }
                if let Some(v) = cxy.get_mut(k).and_then(|r| r.get_mut(j)) {
                    *v = sxy / self.n - mk * my + identity;
                }
            }
        }
        // Rows of `weights`: from band k; columns: to band b.
        let weights = solve(cxx, cxy)?;
        Some(
            (0..bands)
                .map(|b| {
                    let w: Vec<f64> = (0..bands)
                        .map(|k| {
                            weights
                                .get(k)
                                .and_then(|r| r.get(b))
                                .copied()
                                .unwrap_or(0.0)
                        })
                        .collect();
                    let offset = mean_y.get(b).copied().unwrap_or(0.0)
                        - w.iter().zip(&mean_x).map(|(a, m)| a * m).sum::<f64>();
                    (offset, w)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_singular_system_has_no_solution() {
        assert!(
            solve(
                vec![vec![1.0, 2.0], vec![2.0, 4.0]],
                vec![vec![1.0], vec![2.0]]
            )
            .is_none()
        );
        let w = solve(
            vec![vec![2.0, 0.0], vec![0.0, 4.0]],
            vec![vec![2.0], vec![8.0]],
        )
        .unwrap();
        assert!((w[0][0] - 1.0).abs() < 1e-12 && (w[1][0] - 2.0).abs() < 1e-12);
    }
}
