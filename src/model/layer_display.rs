//! How a raster layer's bands become a picture: which bands show as red, green and blue (or
//! gray), and how their values stretch to 0–255. Saved with the layer, so the window, the export
//! and the command line all show the layer the way the analyst set it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which bands (numbered from 1, as GDAL and QGIS do) make the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerBands {
    /// One band in gray.
    Gray(usize),
    /// Bands for red, green and blue: `Rgb([4, 3, 2])` is Sentinel-2 true colour.
    Rgb([usize; 3]),
}

/// How sample values map to 0–255.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerStretch {
    /// The sample type's whole range (0–255 for 8-bit, 0–65535 for 16-bit).
    Full,
    /// From the `low_pct` to the `high_pct` percentile of each band.
    Percentile {
        /// Lower percentile, 0–100.
        low_pct: f64,
        /// Upper percentile, 0–100.
        high_pct: f64,
    },
    /// Fixed sample values (as the file holds them) for black and full brightness.
    Range {
        /// Value shown black.
        low: f64,
        /// Value shown at full brightness.
        high: f64,
    },
    /// Fixed sample values per shown channel (red, green, blue; a grey layer uses the first).
    Bands {
        /// Values shown black, per channel.
        low: [f64; 3],
        /// Values shown at full brightness, per channel.
        high: [f64; 3],
    },
    /// Radar backscatter (linear power) in decibels between fixed limits.
    Decibel {
        /// Decibels shown black.
        low_db: f64,
        /// Decibels shown at full brightness.
        high_db: f64,
    },
    /// What the file suggests: decibels for floating-point data that looks like backscatter,
    /// 2–98 % for other floats and 16-bit data, 8-bit pictures as they are.
    Auto,
}

/// Brightness, contrast and gamma applied after the stretch, to every shown band alike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tone {
    /// Added to the stretched value (0–1 scale): −0.5 darkens by half the range, 0 leaves it.
    pub brightness: f32,
    /// Spread around mid-grey: 1 leaves it, 2 doubles it.
    pub contrast: f32,
    /// Output = input^(1/gamma): above 1 lifts the shadows, 1 leaves it.
    pub gamma: f32,
}

impl Default for Tone {
    fn default() -> Self {
        Self {
            brightness: 0.0,
            contrast: 1.0,
            gamma: 1.0,
        }
    }
}

impl Tone {
    /// Whether it changes nothing.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// The stretched 0–255 value each 0–255 value is shown as.
    #[must_use]
    pub fn lut(&self) -> [u8; 256] {
        let mut out = [0u8; 256];
        let gamma = if self.gamma > 0.01 { self.gamma } else { 0.01 };
        for (i, o) in out.iter_mut().enumerate() {
            let v = f32::from(u8::try_from(i).unwrap_or(u8::MAX)) / 255.0;
            let v = ((v - 0.5) * self.contrast + 0.5 + self.brightness).clamp(0.0, 1.0);
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "clamped to 0–255 first"
            )]
            {
                *o = (v.powf(1.0 / gamma) * 255.0).round().clamp(0.0, 255.0) as u8;
            }
        }
        out
    }
}

fn zero() -> f32 {
    0.0
}

fn one() -> f32 {
    1.0
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(v: &f32) -> bool {
    *v == 0.0
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    clippy::float_cmp,
    reason = "serde's skip_serializing_if passes a reference; 1 is the exact default"
)]
fn is_one(v: &f32) -> bool {
    *v == 1.0
}

/// A raster layer's bands, stretch and tone. A layer without one shows what its file suggests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerDisplay {
    /// The bands shown.
    pub bands: LayerBands,
    /// The stretch applied to each shown band on its own.
    pub stretch: LayerStretch,
    /// Brightness after the stretch ([`Tone::brightness`]).
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub brightness: f32,
    /// Contrast after the stretch ([`Tone::contrast`]).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub contrast: f32,
    /// Gamma after the stretch ([`Tone::gamma`]).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub gamma: f32,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LayerDisplay {
    /// Bands and a stretch, with nothing else set.
    #[must_use]
    pub fn new(bands: LayerBands, stretch: LayerStretch) -> Self {
        Self {
            bands,
            stretch,
            brightness: 0.0,
            contrast: 1.0,
            gamma: 1.0,
            extra: Map::new(),
        }
    }

    /// Its brightness, contrast and gamma.
    #[must_use]
    pub fn tone(&self) -> Tone {
        Tone {
            brightness: self.brightness,
            contrast: self.contrast,
            gamma: self.gamma,
        }
    }

    /// Sets its brightness, contrast and gamma.
    pub fn set_tone(&mut self, tone: Tone) {
        self.brightness = tone.brightness;
        self.contrast = tone.contrast;
        self.gamma = tone.gamma;
    }

    /// The same with another tone.
    #[must_use]
    pub fn with_tone(mut self, tone: Tone) -> Self {
        self.set_tone(tone);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_reads_as_the_project_file_writes_it() {
        let text = r#"{"bands": {"rgb": [4, 3, 2]}, "stretch": {"kind": "percentile", "low_pct": 2.0, "high_pct": 98.0}, "gamma": 1.25, "sharpen": 0.5}"#;
        let display: LayerDisplay = serde_json::from_str(text).unwrap();
        assert_eq!(display.bands, LayerBands::Rgb([4, 3, 2]));
        assert_eq!(
            display.stretch,
            LayerStretch::Percentile {
                low_pct: 2.0,
                high_pct: 98.0
            }
        );
        assert!((display.gamma - 1.25).abs() < 1e-6);
        let back = serde_json::to_value(&display).unwrap();
        assert_eq!(back["gamma"], 1.25);
        assert_eq!(back["sharpen"], 0.5, "an unknown field is kept");
        assert!(back.get("contrast").is_none(), "defaults are not written");
        assert_eq!(back["bands"]["rgb"][0], 4);
    }

    #[test]
    fn the_tone_curve_is_identity_by_default_and_moves_as_each_setting_says() {
        let same = Tone::default().lut();
        assert!(same.iter().enumerate().all(|(i, v)| usize::from(*v) == i));
        let brighter = Tone {
            brightness: 0.2,
            ..Tone::default()
        }
        .lut();
        assert_eq!(brighter[0], 51);
        assert_eq!(brighter[255], 255);
        let contrast = Tone {
            contrast: 2.0,
            ..Tone::default()
        }
        .lut();
        // Doubled around mid-grey: a quarter of the range in from either end reaches the end.
        assert_eq!((contrast[63], contrast[192]), (0, 255));
        assert!(contrast[128].abs_diff(128) <= 1);
        let gamma = Tone {
            gamma: 2.0,
            ..Tone::default()
        }
        .lut();
        // (64/255)^(1/2) × 255 = 127.8.
        assert_eq!(gamma[64], 128);
        assert_eq!((gamma[0], gamma[255]), (0, 255));
    }

    #[test]
    fn a_broken_display_is_an_error_not_a_default() {
        let text = r#"{"bands": {"rgb": [4, 3]}, "stretch": {"kind": "full"}}"#;
        assert!(serde_json::from_str::<LayerDisplay>(text).is_err());
    }
}
