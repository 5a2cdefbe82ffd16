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
}

/// A raster layer's bands and stretch. A layer without one shows what its file suggests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerDisplay {
    /// The bands shown.
    pub bands: LayerBands,
    /// The stretch applied to each shown band on its own.
    pub stretch: LayerStretch,
    /// Fields this version does not know (later: brightness, contrast, gamma), kept for the
    /// next save.
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
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_reads_as_the_project_file_writes_it() {
        let text = r#"{"bands": {"rgb": [4, 3, 2]}, "stretch": {"kind": "percentile", "low_pct": 2.0, "high_pct": 98.0}, "gamma": 1.2}"#;
        let display: LayerDisplay = serde_json::from_str(text).unwrap();
        assert_eq!(display.bands, LayerBands::Rgb([4, 3, 2]));
        assert_eq!(
            display.stretch,
            LayerStretch::Percentile {
                low_pct: 2.0,
                high_pct: 98.0
            }
        );
        let back = serde_json::to_value(&display).unwrap();
        assert_eq!(back["gamma"], 1.2, "an unknown field is kept");
        assert_eq!(back["bands"]["rgb"][0], 4);
    }

    #[test]
    fn a_broken_display_is_an_error_not_a_default() {
        let text = r#"{"bands": {"rgb": [4, 3]}, "stretch": {"kind": "full"}}"#;
        assert!(serde_json::from_str::<LayerDisplay>(text).is_err());
    }
}
