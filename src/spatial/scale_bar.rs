//! Scale bars with round lengths (1-2-5 × 10ⁿ), shared by the window and export.

/// A scale bar: a round ground length and its length on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleBar {
    /// Ground length the bar stands for, metres.
    pub length_m: f64,
    /// Length of the bar, pixels.
    pub length_px: f64,
}

impl ScaleBar {
    /// The label: `500 m`, `2 km`.
    pub fn label(&self) -> String {
        if self.length_m >= 1000.0 {
            format!("{} km", self.length_m / 1000.0)
        } else if self.length_m >= 1.0 {
            format!("{} m", self.length_m)
        } else {
            format!("{} cm", (self.length_m * 100.0).round())
        }
    }
}

/// The largest 1-2-5 × 10ⁿ length whose bar fits in `max_px`, given the ground scale.
/// `None` when the scale is not a positive finite number.
pub fn scale_bar(meters_per_px: f64, max_px: f64) -> Option<ScaleBar> {
    if !(meters_per_px.is_finite() && meters_per_px > 0.0 && max_px > 0.0) {
        return None;
    }
    let max_m = meters_per_px * max_px;
    let exponent = max_m.log10().floor();
    let base = 10f64.powf(exponent);
    let length_m = [5.0, 2.0, 1.0]
        .iter()
        .map(|f| f * base)
        .find(|&m| m <= max_m)
        .unwrap_or(base);
    Some(ScaleBar {
        length_m,
        length_px: length_m / meters_per_px,
    })
}

/// The round length (1-2-5 × 10ⁿ) whose bar is nearest 15 % of the width (by ratio), never over
/// a third of it.
#[must_use]
pub fn figure_scale_bar(meters_per_px: f64, width_px: f64) -> Option<ScaleBar> {
    let target_px = width_px * 0.15;
    let below = scale_bar(meters_per_px, target_px)?;
    // The next round length up: 1 → 2 → 5 → 10.
    let mantissa = below.length_m / 10f64.powf(below.length_m.log10().floor());
    let step = if (1.5..=4.0).contains(&mantissa) {
        2.5
    } else {
        2.0
    };
    let above = ScaleBar {
        length_m: below.length_m * step,
        length_px: below.length_px * step,
    };
    let closer_above = above.length_px / target_px < target_px / below.length_px;
    let bar = if closer_above && above.length_px <= width_px / 3.0 {
        above
    } else {
        below
    };
    (bar.length_px <= width_px / 3.0).then_some(bar)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)] // round lengths are exact in binary
    use super::*;

    #[test]
    fn the_bar_is_a_round_length_that_fits() {
        let bar = scale_bar(1.76, 300.0).unwrap(); // 528 m fit → 500 m
        assert_eq!(bar.length_m, 500.0);
        assert!((bar.length_px - 500.0 / 1.76).abs() < 1e-9);
        assert_eq!(bar.label(), "500 m");
        assert_eq!(scale_bar(10.0, 250.0).unwrap().length_m, 2000.0);
        assert_eq!(scale_bar(10.0, 250.0).unwrap().label(), "2 km");
        assert_eq!(scale_bar(0.9, 150.0).unwrap().length_m, 100.0);
    }

    #[test]
    fn a_nonsense_scale_has_no_bar() {
        assert!(scale_bar(0.0, 100.0).is_none());
        assert!(scale_bar(f64::NAN, 100.0).is_none());
    }
}
