//! What a region's change is: its score, its before and after means per band, and its class.
//!
//! The class compares the region's mean shift with its whole change. Per band, `d` is the mean
//! over the region of the (smoothed, normalised) later-minus-earlier difference in σ; the
//! brightness shift is the mean of `d` over bands. When the brightness shift's square carries at
//! least [`BRIGHTNESS_SHARE`] of the region's mean squared per-pixel change, the region is
//! [`ChangeClass::Brighter`] or [`ChangeClass::Darker`]; otherwise the bands moved apart or the
//! pattern changed, and it is [`ChangeClass::TextureOrColour`].

use super::regions::RegionMask;
use super::score::Smoothed;

/// Share of the change a brightness shift must carry to name the class.
pub const BRIGHTNESS_SHARE: f64 = 0.5;

/// Which way a region changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeClass {
    /// Brighter in every band alike.
    Brighter,
    /// Darker in every band alike.
    Darker,
    /// The bands moved apart (a colour change) or the pattern changed (texture).
    TextureOrColour,
}

impl ChangeClass {
    /// The word written to files: `brighter`, `darker`, `texture_or_colour`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            ChangeClass::Brighter => "brighter",
            ChangeClass::Darker => "darker",
            ChangeClass::TextureOrColour => "texture_or_colour",
        }
    }
}

/// A region's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// Mean score over the region, σ.
    pub score_sigma: f64,
    /// Highest score in the region, σ.
    pub peak_sigma: f64,
    /// The class (see the module docs).
    pub class: ChangeClass,
    /// Mean raw value per band in the earlier image.
    pub before_mean: Vec<f64>,
    /// Mean raw value per band in the later image.
    pub after_mean: Vec<f64>,
    /// Mean per band of the later image normalised to the earlier one's values.
    pub after_matched_mean: Vec<f64>,
}

/// The inputs a description reads, all on one grid.
pub struct Planes<'a> {
    /// Grid columns.
    pub width: usize,
    /// Score per pixel, σ.
    pub score: &'a [f32],
    /// Earlier raw bands.
    pub before: &'a [Vec<f32>],
    /// Later raw bands.
    pub after: &'a [Vec<f32>],
    /// Later bands normalised.
    pub after_matched: &'a [Vec<f32>],
    /// Smoothed planes and spreads.
    pub smoothed: &'a Smoothed,
}

fn band_means(planes: &[Vec<f32>], indices: &[usize]) -> Vec<f64> {
    let n = indices.len().max(1) as f64;
    planes
        .iter()
        .map(|p| {
            indices
                .iter()
                .map(|&i| f64::from(p.get(i).copied().unwrap_or(0.0)))
                .sum::<f64>()
                / n
        })
        .collect()
}

/// Describes `region` (see the module docs).
#[must_use]
pub fn describe(region: &RegionMask, planes: &Planes<'_>) -> Description {
    let indices: Vec<usize> = region.indices(planes.width).collect();
    let n = indices.len().max(1) as f64;
    let scores = indices
        .iter()
        .map(|&i| f64::from(planes.score.get(i).copied().unwrap_or(0.0)));
    let (sum, peak) = scores.fold((0.0, 0.0f64), |(s, p), v| (s + v, p.max(v)));
    let bands = planes.smoothed.before.len().max(1);
    let mut shift = vec![0.0f64; bands];
    let mut energy = 0.0f64;
    for &i in &indices {
        for (b, z) in planes.smoothed.z_bands(i).into_iter().enumerate() {
            if let Some(s) = shift.get_mut(b) {
                *s += f64::from(z);
            }
            energy += f64::from(z) * f64::from(z);
        }
    }
    let brightness = shift.iter().sum::<f64>() / n / bands as f64;
    let energy = energy / n / bands as f64;
    let class = if brightness * brightness >= BRIGHTNESS_SHARE * energy {
        if brightness > 0.0 {
            ChangeClass::Brighter
        } else {
            ChangeClass::Darker
        }
    } else {
        ChangeClass::TextureOrColour
    };
    Description {
        score_sigma: sum / n,
        peak_sigma: peak,
        class,
        before_mean: band_means(planes.before, &indices),
        after_mean: band_means(planes.after, &indices),
        after_matched_mean: band_means(planes.after_matched, &indices),
    }
}
