//! Alignment: the shift that puts one layer's pixels onto another's, estimated by phase
//! correlation over their overlap, with how sure it is and what is left after it.
//!
//! # Method
//! 1. **One grid**: both layers' raw values are read onto one grid over their overlap, each
//!    where its current offset puts it (the change finder's [`layers_on_grid`], capped at
//!    [`MAX_GRID_PIXELS`]), and turned to gray (the mean of the first three bands).
//! 2. **Refuse what cannot be measured**: no overlap, an overlap under [`MIN_SIDE_PX`] pixels a
//!    side (counting only pixels holding data in both), or a layer whose gray has a standard
//!    deviation under [`MIN_STD_DN`] (featureless: water, cloud, a blank tile).
//! 3. **Correlate** ([`correlate`]): zero-mean, Hann-windowed, whitened cross-power spectrum
//!    weighted by a Gaussian; its peak is the moving layer's shift in grid pixels, refined to a
//!    fraction of a pixel. A surface whose peak stands less than [`MIN_PEAK_TO_NOISE`] standard
//!    deviations above the rest has no clear shift and is refused.
//! 4. **Report**: the shift in ground metres (measured at the grid's centre on the sphere the
//!    map uses, so it means what the Align tool's offset means), the proposed offset (the
//!    current one minus the shift), a confidence, and the residual: the RMS difference of the
//!    two gray images, each scaled to zero mean and unit deviation over the overlap (so a gain
//!    or offset change costs nothing), before and after the shift (0: identical, about 1.41:
//!    unrelated).

pub mod correlate;

use std::path::Path;

use geo::Coord;

use crate::analysis::change::grid::{AnalysisGrid, ground_offset_m};
use crate::analysis::change::layer_grid::{LayersOnGrid, layers_on_grid};
use crate::analysis::change::{BandStack, ChangeError};
use crate::model::Project;
use correlate::{Plane, correlate, peak};

/// Largest grid correlated (1024 × 1024): finer overlaps are box-averaged onto it.
pub const MAX_GRID_PIXELS: u64 = 1 << 20;
/// Fewest pixels a side of the overlap that holds data in both layers.
pub const MIN_SIDE_PX: usize = 32;
/// Least standard deviation of a layer's gray over the overlap, in raw sample values.
pub const MIN_STD_DN: f64 = 1.0;
/// Least height of the correlation peak above the rest of the surface, in its deviations.
pub const MIN_PEAK_TO_NOISE: f64 = 8.0;

/// Why no shift could be estimated. Layer ids come last.
#[derive(Debug, thiserror::Error)]
pub enum AlignError {
    /// A layer id names no layer.
    #[error("no imagery layer has the id \"{0}\"")]
    UnknownLayer(String),
    /// Both layers are the same.
    #[error("a layer cannot be aligned to itself: \"{0}\"")]
    SameLayer(String),
    /// The layers do not overlap.
    #[error("the two layers do not overlap")]
    NoOverlap,
    /// The overlap holding data in both is too small to measure a shift on.
    #[error(
        "the layers overlap by only {width} × {height} pixels holding data in both (at least {min} a side needed)"
    )]
    TooSmall {
        /// Columns of the overlap.
        width: usize,
        /// Rows of the overlap.
        height: usize,
        /// Fewest a side.
        min: usize,
    },
    /// A layer has nothing to correlate over the overlap.
    #[error("layer \"{layer}\" is featureless over the overlap (deviation {std_dn:.2})")]
    Featureless {
        /// Standard deviation of its gray, raw sample values.
        std_dn: f64,
        /// The layer's id.
        layer: String,
    },
    /// The correlation has no clear peak: no shift fits much better than any other.
    #[error(
        "no shift fits clearly better than the others (peak {peak_to_noise:.1} σ above the rest, at least {min:.0} needed)"
    )]
    NoClearPeak {
        /// The peak's height above the rest, in deviations.
        peak_to_noise: f64,
        /// The least accepted.
        min: f64,
    },
    /// The layers could not be read onto one grid.
    #[error("cannot read the layers onto one grid")]
    Layers(#[source] ChangeError),
}

/// A shift estimated on the grid, in its pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelShift {
    /// The moving image's content relative to the reference's, pixels `[right, down]`.
    pub shift_px: [f64; 2],
    /// See [`correlate::Peak::confidence`].
    pub confidence: f64,
    /// See [`correlate::Peak::peak_to_noise`].
    pub peak_to_noise: f64,
    /// Normalised RMS difference over the overlap as the images are.
    pub residual_before: f64,
    /// The same with the moving image shifted back onto the reference.
    pub residual_after: f64,
    /// Top-left grid pixel `[x, y]` of the overlap correlated, and its size `[w, h]`.
    pub overlap_px: [usize; 4],
}

/// A proposed alignment of one layer to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    /// The layer moved.
    pub moving: String,
    /// The layer it is aligned to.
    pub reference: String,
    /// The estimate on the grid.
    pub pixels: PixelShift,
    /// Ground metres per grid pixel (at the grid's centre, east–west).
    pub grid_m_per_px: f64,
    /// The moving layer's misplacement in ground metres `[east, north]`: what the proposal
    /// takes away.
    pub shift_m: [f64; 2],
    /// The moving layer's offset now.
    pub current_offset_m: [f64; 2],
    /// The offset that puts it onto the reference: the current one minus the shift.
    pub proposed_offset_m: [f64; 2],
}

/// Gray (mean of up to three bands) of a stack.
fn gray(stack: &BandStack) -> Vec<f64> {
    let bands = &stack.bands[..stack.bands.len().min(3)];
    (0..stack.len())
        .map(|i| {
            let sum: f64 = bands
                .iter()
                .map(|b| f64::from(b.get(i).copied().unwrap_or(0.0)))
                .sum();
            sum / bands.len().max(1) as f64
        })
        .collect()
}

/// The smallest box `[x, y, w, h]` around the `true` pixels.
fn valid_box(valid: &[bool], width: usize) -> Option<[usize; 4]> {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (i, _) in valid.iter().enumerate().filter(|(_, v)| **v) {
        let (x, y) = (i % width, i / width);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    (x0 <= x1).then(|| [x0, y0, x1 - x0 + 1, y1 - y0 + 1])
}

fn crop<T: Copy + Default>(values: &[T], width: usize, [x, y, w, h]: [usize; 4]) -> Vec<T> {
    (0..h)
        .flat_map(|r| (0..w).map(move |c| (y + r) * width + x + c))
        .map(|i| values.get(i).copied().unwrap_or_default())
        .collect()
}

/// Mean and standard deviation of the `valid` values.
fn mean_sd(values: &[f64], valid: &[bool]) -> (f64, f64) {
    let (n, s, s2) = values
        .iter()
        .zip(valid)
        .filter(|(_, v)| **v)
        .fold((0usize, 0.0, 0.0), |(n, s, s2), (x, _)| {
            (n + 1, s + x, s2 + x * x)
        });
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = s / n as f64;
    (mean, (s2 / n as f64 - mean * mean).max(0.0).sqrt())
}

/// Bilinear sample of `plane` at pixel-centre position (`x`, `y`) where all four neighbours are
/// valid.
#[allow(clippy::many_single_char_names)] // x, y, w, h, i: the usual names in raster maths
fn sample(plane: &Plane, valid: &[bool], x: f64, y: f64) -> Option<f64> {
    let (w, h) = (plane.width, plane.height);
    if !(x >= 0.0 && y >= 0.0 && x <= (w - 1) as f64 && y <= (h - 1) as f64) {
        return None;
    }
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let mut sum = 0.0;
    for (xx, yy, wgt) in [
        (x0, y0, (1.0 - fx) * (1.0 - fy)),
        (x1, y0, fx * (1.0 - fy)),
        (x0, y1, (1.0 - fx) * fy),
        (x1, y1, fx * fy),
    ] {
        let i = yy * w + xx;
        if !valid.get(i).copied().unwrap_or(false) {
            return None;
        }
        sum += wgt * plane.values.get(i).copied().unwrap_or(0.0);
    }
    Some(sum)
}

/// The normalised RMS difference of `a` and `b` with `b` read `shift` pixels on (so a `b`
/// whose content sits at `+shift` is compared where it matches), over pixels valid in both.
fn residual(a: &Plane, b: &Plane, valid: &[bool], shift: [f64; 2]) -> f64 {
    let pairs: Vec<(f64, f64)> = (0..a.values.len())
        .filter(|&i| valid.get(i).copied().unwrap_or(false))
        .filter_map(|i| {
            let (x, y) = ((i % a.width) as f64, (i / a.width) as f64);
            let moved = sample(b, valid, x + shift[0], y + shift[1])?;
            Some((a.values.get(i).copied().unwrap_or(0.0), moved))
        })
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    let n = pairs.len() as f64;
    let stats = |f: fn(&(f64, f64)) -> f64| {
        let m = pairs.iter().map(f).sum::<f64>() / n;
        let sd = (pairs.iter().map(|p| (f(p) - m).powi(2)).sum::<f64>() / n).sqrt();
        (m, sd.max(f64::MIN_POSITIVE))
    };
    let ((ma, sa), (mb, sb)) = (stats(|p| p.0), stats(|p| p.1));
    let sum2: f64 = pairs
        .iter()
        .map(|(x, y)| ((x - ma) / sa - (y - mb) / sb).powi(2))
        .sum();
    (sum2 / n).sqrt()
}

/// Estimates where `moving`'s content sits relative to `reference`'s on their common grid
/// (see the module docs). `ids` name the two for the errors: `[reference, moving]`.
pub fn estimate_shift(
    reference: &BandStack,
    moving: &BandStack,
    ids: [&str; 2],
) -> Result<PixelShift, AlignError> {
    if (reference.width, reference.height) != (moving.width, moving.height)
        || reference.valid.len() != moving.valid.len()
    {
        return Err(AlignError::NoOverlap);
    }
    let width = reference.width;
    let valid: Vec<bool> = reference
        .valid
        .iter()
        .zip(&moving.valid)
        .map(|(a, b)| *a && *b)
        .collect();
    let Some(overlap) = valid_box(&valid, width) else {
        return Err(AlignError::NoOverlap);
    };
    let [_, _, w, h] = overlap;
    if w < MIN_SIDE_PX || h < MIN_SIDE_PX {
        return Err(AlignError::TooSmall {
            width: w,
            height: h,
            min: MIN_SIDE_PX,
        });
    }
    let valid = crop(&valid, width, overlap);
    let plane = |stack: &BandStack| Plane {
        width: w,
        height: h,
        values: crop(&gray(stack), width, overlap),
    };
    let (a, b) = (plane(reference), plane(moving));
    for (p, id) in [(&a, ids[0]), (&b, ids[1])] {
        let (_, sd) = mean_sd(&p.values, &valid);
        if sd < MIN_STD_DN {
            return Err(AlignError::Featureless {
                std_dn: sd,
                layer: id.to_owned(),
            });
        }
    }
    let found = peak(&correlate(&a, &b, &valid)).ok_or(AlignError::NoClearPeak {
        peak_to_noise: 0.0,
        min: MIN_PEAK_TO_NOISE,
    })?;
    if found.peak_to_noise.is_nan() || found.peak_to_noise < MIN_PEAK_TO_NOISE {
        return Err(AlignError::NoClearPeak {
            peak_to_noise: found.peak_to_noise,
            min: MIN_PEAK_TO_NOISE,
        });
    }
    Ok(PixelShift {
        shift_px: found.shift_px,
        confidence: found.confidence,
        peak_to_noise: found.peak_to_noise,
        residual_before: residual(&a, &b, &valid, [0.0, 0.0]),
        residual_after: residual(&a, &b, &valid, found.shift_px),
        overlap_px: overlap,
    })
}

/// Ground metres `[east, north]` of a shift of `shift_px` grid pixels at the grid's centre.
fn ground_shift_m(grid: &AnalysisGrid, shift_px: [f64; 2]) -> Option<[f64; 2]> {
    let centre = Coord {
        x: grid.width as f64 / 2.0,
        y: grid.height as f64 / 2.0,
    };
    let from = grid.lonlat_of(centre)?;
    let to = grid.lonlat_of(Coord {
        x: centre.x + shift_px[0],
        y: centre.y + shift_px[1],
    })?;
    Some(ground_offset_m(from, to))
}

/// Estimates the offset that puts layer `moving` onto layer `reference` (relative paths from
/// `base_dir`), both read where their current offsets put them.
pub fn align_layers(
    project: &Project,
    base_dir: &Path,
    moving: &str,
    reference: &str,
) -> Result<Alignment, AlignError> {
    if moving == reference {
        return Err(AlignError::SameLayer(moving.to_owned()));
    }
    let find = |id: &str| {
        project
            .layers
            .iter()
            .find(|l| l.id == id)
            .ok_or_else(|| AlignError::UnknownLayer(id.to_owned()))
    };
    let (moving_layer, reference_layer) = (find(moving)?, find(reference)?);
    let LayersOnGrid {
        grid,
        first,
        second,
    } = layers_on_grid(
        [reference_layer, moving_layer],
        base_dir,
        None,
        MAX_GRID_PIXELS,
    )
    .map_err(|e| match e {
        ChangeError::NoOverlap { .. } => AlignError::NoOverlap,
        other => AlignError::Layers(other),
    })?;
    let pixels = estimate_shift(&first, &second, [reference, moving])?;
    let (Some(shift_m), Some(unit)) = (
        ground_shift_m(&grid, pixels.shift_px),
        ground_shift_m(&grid, [1.0, 0.0]),
    ) else {
        return Err(AlignError::NoOverlap);
    };
    let current = moving_layer.offset_or_zero();
    Ok(Alignment {
        moving: moving.to_owned(),
        reference: reference.to_owned(),
        pixels,
        grid_m_per_px: unit[0].hypot(unit[1]),
        shift_m,
        current_offset_m: current,
        proposed_offset_m: [current[0] - shift_m[0], current[1] - shift_m[1]],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(width: usize, height: usize, f: impl Fn(usize, usize) -> f32) -> BandStack {
        let mut s = BandStack::new(width, height, 1);
        for y in 0..height {
            for x in 0..width {
                s.bands[0][y * width + x] = f(x, y);
            }
        }
        s
    }

    /// A broadband texture: a hash of the pixel, smoothed by averaging it with its neighbours.
    fn texture(x: usize, y: usize) -> f32 {
        let hash = |x: usize, y: usize| {
            let mut h = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
            h ^= h >> 29;
            h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h ^= h >> 32;
            (h % 200) as f32
        };
        (hash(x, y) + hash(x + 1, y) + hash(x, y + 1) + hash(x + 1, y + 1)) / 4.0
    }

    #[test]
    fn an_integer_shift_is_found_and_takes_the_residual_away() {
        let a = stack(80, 64, |x, y| texture(x + 1000, y + 1000));
        let b = stack(80, 64, |x, y| texture(x + 1000 - 3, y + 1000 + 2));
        let shift = estimate_shift(&a, &b, ["a", "b"]).unwrap();
        assert!((shift.shift_px[0] - 3.0).abs() < 0.1, "{shift:?}");
        assert!((shift.shift_px[1] + 2.0).abs() < 0.1, "{shift:?}");
        assert!(
            shift.residual_after < 0.2 * shift.residual_before,
            "{shift:?}"
        );
    }

    #[test]
    fn a_flat_layer_is_featureless() {
        let a = stack(64, 64, texture);
        let flat = stack(64, 64, |_, _| 120.0);
        assert!(matches!(
            estimate_shift(&a, &flat, ["a", "flat"]),
            Err(AlignError::Featureless { layer, .. }) if layer == "flat"
        ));
    }

    #[test]
    fn a_sliver_of_overlap_is_too_small() {
        let a = stack(64, 64, texture);
        let mut b = stack(64, 64, texture);
        for (i, v) in b.valid.iter_mut().enumerate() {
            *v = i % 64 < 10;
        }
        assert!(matches!(
            estimate_shift(&a, &b, ["a", "b"]),
            Err(AlignError::TooSmall { width: 10, .. })
        ));
    }

    #[test]
    fn nothing_valid_in_both_is_no_overlap() {
        let a = stack(64, 64, texture);
        let mut b = stack(64, 64, texture);
        b.valid.fill(false);
        assert!(matches!(
            estimate_shift(&a, &b, ["a", "b"]),
            Err(AlignError::NoOverlap)
        ));
    }
}
