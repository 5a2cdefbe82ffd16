//! How stored band values become screen bytes: one reflectance stretch shared by a whole series,
//! so the same ground looks the same on every date, and a decibel stretch for radar.

/// Maps surface reflectance to 0–255: `min..max` linearly to 0–1, then gamma, then × 255.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReflectanceStretch {
    /// Reflectance shown black.
    pub min: f64,
    /// Reflectance shown white: 0.3 keeps bright roofs and bare soil from saturating while
    /// vegetation stays visible.
    pub max: f64,
    /// Display gamma: 2.2 brightens the dark land surfaces as a screen expects.
    pub gamma: f64,
}

impl ReflectanceStretch {
    /// 0–0.3 → 0–255 with gamma 2.2, the stretch every true-colour series shares.
    pub const DEFAULT: Self = Self {
        min: 0.0,
        max: 0.3,
        gamma: 2.2,
    };

    /// The byte for `reflectance`; values outside `min..max` clip, NaN is black.
    #[must_use]
    pub fn to_byte(&self, reflectance: f64) -> u8 {
        let span = self.max - self.min;
        if reflectance.is_nan() || span <= 0.0 {
            return 0;
        }
        let linear = ((reflectance - self.min) / span).clamp(0.0, 1.0);
        let gamma = if self.gamma > 0.0 { self.gamma } else { 1.0 };
        (linear.powf(1.0 / gamma) * 255.0).round() as u8
    }

    /// For notes and sidecars: `reflectance 0–0.3 → 0–255, gamma 2.2`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "reflectance {}–{} → 0–255, gamma {}",
            self.min, self.max, self.gamma
        )
    }
}

impl Default for ReflectanceStretch {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Maps radar backscatter (linear power, as RTC products store it) to 0–255 through decibels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecibelStretch {
    /// dB shown black.
    pub min_db: f64,
    /// dB shown white.
    pub max_db: f64,
}

impl DecibelStretch {
    /// −25 to 0 dB: water black, built-up areas white.
    pub const DEFAULT: Self = Self {
        min_db: -25.0,
        max_db: 0.0,
    };

    /// The byte for a linear backscatter value; zero, negative and NaN are black.
    #[must_use]
    pub fn to_byte(&self, linear: f64) -> u8 {
        let span = self.max_db - self.min_db;
        if linear.is_nan() || linear <= 0.0 || span <= 0.0 {
            return 0;
        }
        let db = 10.0 * linear.log10();
        (((db - self.min_db) / span).clamp(0.0, 1.0) * 255.0).round() as u8
    }

    /// For notes and sidecars: `backscatter −25–0 dB → 0–255`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!("backscatter {}–{} dB → 0–255", self.min_db, self.max_db)
    }
}

impl Default for DecibelStretch {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_stretch_maps_0_to_black_and_0_3_to_white_with_gamma() {
        let stretch = ReflectanceStretch::DEFAULT;
        assert_eq!(stretch.to_byte(0.0), 0);
        assert_eq!(stretch.to_byte(0.3), 255);
        assert_eq!(stretch.to_byte(0.9), 255);
        assert_eq!(stretch.to_byte(-0.05), 0);
        assert_eq!(stretch.to_byte(f64::NAN), 0);
        // Half the range is brighter than half grey: 0.5^(1/2.2) × 255 = 186.
        assert_eq!(stretch.to_byte(0.15), 186);
        assert_eq!(stretch.describe(), "reflectance 0–0.3 → 0–255, gamma 2.2");
    }

    #[test]
    fn a_degenerate_stretch_gives_black_rather_than_dividing_by_zero() {
        let flat = ReflectanceStretch {
            min: 0.2,
            max: 0.2,
            gamma: 0.0,
        };
        assert_eq!(flat.to_byte(0.5), 0);
    }

    #[test]
    fn backscatter_is_stretched_in_decibels() {
        let stretch = DecibelStretch::DEFAULT;
        assert_eq!(stretch.to_byte(1.0), 255);
        assert_eq!(stretch.to_byte(0.0), 0);
        // −12.5 dB is mid-grey.
        assert_eq!(stretch.to_byte(10f64.powf(-1.25)), 128);
    }
}
