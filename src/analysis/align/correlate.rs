//! Phase correlation of two equally sized planes: where the second's content sits relative to
//! the first's, to a fraction of a pixel, and how clearly.
//!
//! Both planes are made zero-mean and tapered by a Hann window, so their edges do not read as
//! structure. The cross-power spectrum is whitened, regularised by its median magnitude (a
//! frequency where the two hold little common energy, noise or window leakage, counts less)
//! and weighted by a Gaussian of [`PEAK_SIGMA_PX`] (the highest frequencies, mostly noise,
//! count little). Every weight is real and even, so the correlation surface is symmetric about
//! the shift: its integer maximum is refined by Newton steps on the surface's own Fourier
//! series (the band-limited surface between the pixels), which finds the sub-pixel shift
//! without assuming a peak shape.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// Width (σ, pixels) of the Gaussian the correlation peak is shaped into.
pub const PEAK_SIGMA_PX: f64 = 1.0;
/// Pixels around the peak left out when the surface's noise and second peak are measured.
const PEAK_RADIUS_PX: i64 = 4;

/// A plane of values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width × height` values.
    pub values: Vec<f64>,
}

/// Where the correlation peak is and how it stands out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Peak {
    /// The second plane's content relative to the first's, pixels `[right, down]`.
    pub shift_px: [f64; 2],
    /// The peak's height above the surface's mean, in standard deviations of the surface away
    /// from the peak.
    pub peak_to_noise: f64,
    /// 1 − (the highest value away from the peak) / (the peak): 0 when another shift fits as
    /// well, towards 1 when only this one fits.
    pub confidence: f64,
}

/// A Hann window of `n` samples (periodic form; all ones for fewer than 3).
fn hann(n: usize) -> Vec<f64> {
    if n < 3 {
        return vec![1.0; n];
    }
    (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos())
        .collect()
}

/// The plane zero-mean over its valid pixels (invalid ones zero), windowed, as complex values.
fn prepared(plane: &Plane, valid: &[bool]) -> Vec<Complex<f64>> {
    let (sum, count) = plane
        .values
        .iter()
        .zip(valid)
        .filter(|(_, v)| **v)
        .fold((0.0, 0usize), |(s, c), (x, _)| (s + x, c + 1));
    let mean = if count > 0 { sum / count as f64 } else { 0.0 };
    let (wx, wy) = (hann(plane.width), hann(plane.height));
    plane
        .values
        .iter()
        .zip(valid)
        .enumerate()
        .map(|(i, (&x, &v))| {
            let w = wx.get(i % plane.width.max(1)).copied().unwrap_or(0.0)
                * wy.get(i / plane.width.max(1)).copied().unwrap_or(0.0);
            Complex::new(if v { (x - mean) * w } else { 0.0 }, 0.0)
        })
        .collect()
}

/// An in-place 2-D FFT (rows, then columns), forward or inverse (unnormalised).
fn fft2(
    planner: &mut FftPlanner<f64>,
    data: &mut [Complex<f64>],
    width: usize,
    height: usize,
    inverse: bool,
) {
    let (row, column) = if inverse {
        (
            planner.plan_fft_inverse(width),
            planner.plan_fft_inverse(height),
        )
    } else {
        (
            planner.plan_fft_forward(width),
            planner.plan_fft_forward(height),
        )
    };
    for r in data.chunks_exact_mut(width) {
        row.process(r);
    }
    let mut col = vec![Complex::new(0.0, 0.0); height];
    for x in 0..width {
        for (y, c) in col.iter_mut().enumerate() {
            *c = data.get(y * width + x).copied().unwrap_or_default();
        }
        column.process(&mut col);
        for (y, c) in col.iter().enumerate() {
            if let Some(d) = data.get_mut(y * width + x) {
                *d = *c;
            }
        }
    }
}

/// Frequency, cycles per pixel, of FFT bin `k` of `n`.
fn frequency(k: usize, n: usize) -> f64 {
    let k = k as f64;
    let n = n as f64;
    if k > n / 2.0 { (k - n) / n } else { k / n }
}

/// A correlation: the weighted cross-power spectrum and its surface.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    /// The surface: its maximum sits at the second plane's shift relative to the first, wrapped.
    pub surface: Plane,
    /// The weighted cross-power spectrum (the surface's Fourier coefficients), row-major.
    spectrum: Vec<Complex<f64>>,
}

/// The regularised, Gaussian-weighted phase correlation of `b` against `a` (both `valid`
/// where they hold data).
#[must_use]
pub fn correlate(a: &Plane, b: &Plane, valid: &[bool]) -> Correlation {
    let (width, height) = (a.width, a.height);
    let mut planner = FftPlanner::new();
    let mut fa = prepared(a, valid);
    let mut fb = prepared(b, valid);
    fft2(&mut planner, &mut fa, width, height, false);
    fft2(&mut planner, &mut fb, width, height, false);
    let cross: Vec<Complex<f64>> = fa.iter().zip(&fb).map(|(x, y)| y * x.conj()).collect();
    let mut magnitudes: Vec<f64> = cross.iter().skip(1).map(|c| c.norm()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let lambda = magnitudes
        .get(magnitudes.len() / 2)
        .copied()
        .unwrap_or(0.0)
        .max(f64::MIN_POSITIVE);
    let two_pi2_s2 = 2.0 * std::f64::consts::PI.powi(2) * PEAK_SIGMA_PX.powi(2);
    let spectrum: Vec<Complex<f64>> = cross
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                return Complex::new(0.0, 0.0);
            }
            let (fx, fy) = (frequency(i % width, width), frequency(i / width, height));
            c / (c.norm() + lambda) * (-two_pi2_s2 * (fx * fx + fy * fy)).exp()
        })
        .collect();
    let mut inverse = spectrum.clone();
    fft2(&mut planner, &mut inverse, width, height, true);
    Correlation {
        surface: Plane {
            width,
            height,
            values: inverse.iter().map(|c| c.re).collect(),
        },
        spectrum,
    }
}

impl Correlation {
    /// The surface's value, gradient and Hessian at a continuous position `[x, y]`, from its
    /// Fourier series (in the inverse FFT's scale).
    #[allow(clippy::many_single_char_names)] // x, y, w, h, v: the usual names in Fourier maths
    fn local(&self, [x, y]: [f64; 2]) -> (f64, [f64; 2], [f64; 3]) {
        let (w, h) = (self.surface.width, self.surface.height);
        let tau = 2.0 * std::f64::consts::PI;
        let fxs: Vec<f64> = (0..w).map(|k| frequency(k, w)).collect();
        let fys: Vec<f64> = (0..h).map(|k| frequency(k, h)).collect();
        let ex: Vec<Complex<f64>> = fxs
            .iter()
            .map(|f| Complex::from_polar(1.0, tau * f * x))
            .collect();
        let ey: Vec<Complex<f64>> = fys
            .iter()
            .map(|f| Complex::from_polar(1.0, tau * f * y))
            .collect();
        let (mut v, mut gx, mut gy, mut hxx, mut hxy, mut hyy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (ky, (fy, py)) in fys.iter().zip(&ey).enumerate() {
            for (kx, (fx, px)) in fxs.iter().zip(&ex).enumerate() {
                let Some(r) = self.spectrum.get(ky * w + kx) else {
                    continue;
                };
                let z = r * px * py;
                let (wx, wy) = (tau * fx, tau * fy);
                v += z.re;
                gx -= wx * z.im;
                gy -= wy * z.im;
                hxx -= wx * wx * z.re;
                hxy -= wx * wy * z.re;
                hyy -= wy * wy * z.re;
            }
        }
        (v, [gx, gy], [hxx, hxy, hyy])
    }

    /// The surface's maximum near `start`, by Newton steps (each at most half a pixel, the
    /// whole within one pixel of `start`); `start` itself where the surface is not concave.
    fn refine(&self, start: [f64; 2]) -> [f64; 2] {
        let mut at = start;
        for _ in 0..8 {
            let (_, [gx, gy], [hxx, hxy, hyy]) = self.local(at);
            let det = hxx * hyy - hxy * hxy;
            if !(hxx < 0.0 && det > 0.0) {
                return at;
            }
            let step = [
                (-(hyy * gx - hxy * gy) / det).clamp(-0.5, 0.5),
                (-(hxx * gy - hxy * gx) / det).clamp(-0.5, 0.5),
            ];
            at = [
                (at[0] + step[0]).clamp(start[0] - 1.0, start[0] + 1.0),
                (at[1] + step[1]).clamp(start[1] - 1.0, start[1] + 1.0),
            ];
            if step[0].abs() < 1e-4 && step[1].abs() < 1e-4 {
                break;
            }
        }
        at
    }
}

/// A signed pixel index of a wrapped one.
fn signed(i: usize, n: usize) -> i64 {
    if i > n / 2 {
        i as i64 - n as i64
    } else {
        i as i64
    }
}

/// The peak of a correlation surface, to a fraction of a pixel (see [`Peak`]).
#[must_use]
pub fn peak(correlation: &Correlation) -> Option<Peak> {
    let surface = &correlation.surface;
    let (w, h) = (surface.width, surface.height);
    let (best, top) = surface
        .values
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (px, py) = ((best % w) as i64, (best / w) as i64);
    // Away from the peak: the surface's level, spread and highest other value.
    let near = |i: usize| {
        let (x, y) = ((i % w) as i64, (i / w) as i64);
        let ddx = (x - px)
            .rem_euclid(w as i64)
            .min((px - x).rem_euclid(w as i64));
        let ddy = (y - py)
            .rem_euclid(h as i64)
            .min((py - y).rem_euclid(h as i64));
        ddx <= PEAK_RADIUS_PX && ddy <= PEAK_RADIUS_PX
    };
    let (mut n, mut sum, mut sum2, mut second) = (0usize, 0.0, 0.0, f64::MIN);
    for (i, &v) in surface.values.iter().enumerate() {
        if near(i) {
            continue;
        }
        n += 1;
        sum += v;
        sum2 += v * v;
        second = second.max(v);
    }
    if n < 2 || top <= 0.0 {
        return None;
    }
    let mean = sum / n as f64;
    let sd = (sum2 / n as f64 - mean * mean).max(0.0).sqrt();
    let start = [signed(best % w, w) as f64, signed(best / w, h) as f64];
    Some(Peak {
        shift_px: correlation.refine(start),
        peak_to_noise: if sd > 0.0 {
            (top - mean) / sd
        } else {
            f64::INFINITY
        },
        confidence: (1.0 - second.max(0.0) / top).clamp(0.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Smooth value noise (a broadband texture, as imagery is), continuous in (x, y).
    #[allow(clippy::many_single_char_names)] // the noise's own coordinates
    fn value_noise(x: f64, y: f64, scale: f64) -> f64 {
        let hash = |x: i64, y: i64| {
            let mut h = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
            h ^= h >> 33;
            h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
            h ^= h >> 33;
            (h >> 11) as f64 / (1u64 << 53) as f64
        };
        let (u, v) = (x / scale, y / scale);
        let (x0, y0) = (u.floor(), v.floor());
        let s = |t: f64| t * t * (3.0 - 2.0 * t);
        let (sx, sy) = (s(u - x0), s(v - y0));
        let at = |dx: i64, dy: i64| hash(x0 as i64 + dx, y0 as i64 + dy);
        let top = at(0, 0) * (1.0 - sx) + at(1, 0) * sx;
        let bottom = at(0, 1) * (1.0 - sx) + at(1, 1) * sx;
        top * (1.0 - sy) + bottom * sy
    }

    /// The texture sampled at pixel centres, its content moved by `shift`.
    fn texture(width: usize, height: usize, shift: [f64; 2]) -> Plane {
        let values = (0..width * height)
            .map(|i| {
                let x = (i % width) as f64 + 0.5 - shift[0];
                let y = (i / width) as f64 + 0.5 - shift[1];
                value_noise(x, y, 9.0) + 0.5 * value_noise(x + 100.0, y, 3.0)
            })
            .collect();
        Plane {
            width,
            height,
            values,
        }
    }

    #[test]
    fn a_plane_against_itself_peaks_at_zero() {
        let a = texture(64, 48, [0.0, 0.0]);
        let p = peak(&correlate(&a, &a, &vec![true; 64 * 48])).unwrap();
        assert!(
            p.shift_px[0].abs() < 1e-3 && p.shift_px[1].abs() < 1e-3,
            "{p:?}"
        );
        assert!(p.confidence > 0.5, "{p:?}");
    }

    #[test]
    fn a_shifted_texture_peaks_at_its_shift() {
        let a = texture(96, 80, [0.0, 0.0]);
        let b = texture(96, 80, [3.4, -2.2]);
        let p = peak(&correlate(&a, &b, &vec![true; 96 * 80])).unwrap();
        assert!((p.shift_px[0] - 3.4).abs() < 0.1, "{p:?}");
        assert!((p.shift_px[1] + 2.2).abs() < 0.1, "{p:?}");
    }
}
