//! What the user chooses: an area of interest, a minimum area, a sensitivity and areas to leave
//! out (clouds, a crane's shadow), plus the threshold fixed in code.

use geo::Polygon;

use crate::spatial::LonLatBox;

/// The threshold in σ at sensitivity 0.5: a pixel seeds a changed region when its score reaches
/// this many robust standard deviations of the difference field.
pub const THRESHOLD_SIGMA: f32 = 6.0;

/// Default smallest region reported, m².
pub const DEFAULT_MIN_AREA_M2: f64 = 100.0;

/// Default sensitivity (the threshold is then [`THRESHOLD_SIGMA`]).
pub const DEFAULT_SENSITIVITY: f64 = 0.5;

/// Most pixels on the analysis grid (4 megapixels): the grid is coarsened to stay under it.
pub const MAX_GRID_PIXELS: u64 = 4_000_000;

/// The user's choices.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeOptions {
    /// Only look here (lon/lat); the whole overlap of the two layers when `None`.
    pub area_of_interest: Option<LonLatBox>,
    /// Smallest region reported, m².
    pub min_area_m2: f64,
    /// 0 (only the strongest changes) to 1 (the faintest): the threshold is
    /// `THRESHOLD_SIGMA × 2^(1 − 2 × sensitivity)`, i.e. ×2 at 0, ×1 at 0.5, ×½ at 1.
    pub sensitivity: f64,
    /// Areas left out, lon/lat (clouds, shadows, anything known not to matter).
    pub exclude: Vec<Polygon<f64>>,
}

impl Default for ChangeOptions {
    fn default() -> Self {
        Self {
            area_of_interest: None,
            min_area_m2: DEFAULT_MIN_AREA_M2,
            sensitivity: DEFAULT_SENSITIVITY,
            exclude: Vec::new(),
        }
    }
}

/// The threshold in σ for a sensitivity (clamped to 0–1; see [`ChangeOptions::sensitivity`]).
#[must_use]
pub fn threshold_sigma(sensitivity: f64) -> f32 {
    let s = if sensitivity.is_finite() {
        sensitivity.clamp(0.0, 1.0)
    } else {
        DEFAULT_SENSITIVITY
    };
    THRESHOLD_SIGMA * 2f32.powf((1.0 - 2.0 * s) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitivity_halves_or_doubles_the_threshold_at_its_ends() {
        assert!((threshold_sigma(0.5) - THRESHOLD_SIGMA).abs() < 1e-6);
        assert!((threshold_sigma(0.0) - 2.0 * THRESHOLD_SIGMA).abs() < 1e-5);
        assert!((threshold_sigma(1.0) - 0.5 * THRESHOLD_SIGMA).abs() < 1e-6);
        assert!((threshold_sigma(7.0) - threshold_sigma(1.0)).abs() < 1e-6);
        assert!((threshold_sigma(f64::NAN) - THRESHOLD_SIGMA).abs() < 1e-6);
    }
}
