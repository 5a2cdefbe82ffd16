//! A layer's saved bands and stretch as the raster decoder takes them, and back (the layer
//! panel shows what a source uses and turns a change into a layer edit).

use crate::imagery::raster::{BandMapping, Display, Stretch};
use crate::model::layer_display::{LayerBands, LayerDisplay, LayerStretch};

/// The decoder's display for a layer's saved one.
#[must_use]
pub fn raster_display(display: &LayerDisplay) -> Display {
    Display {
        bands: match display.bands {
            LayerBands::Gray(b) => BandMapping::Gray(b),
            LayerBands::Rgb(rgb) => BandMapping::Rgb(rgb),
        },
        stretch: match display.stretch {
            LayerStretch::Full => Stretch::Full,
            LayerStretch::Percentile { low_pct, high_pct } => {
                Stretch::Percentile { low_pct, high_pct }
            }
            LayerStretch::Range { low, high } => Stretch::Range { low, high },
            LayerStretch::Bands { low, high } => Stretch::Bands { low, high },
            LayerStretch::Decibel { low_db, high_db } => Stretch::Decibel { low_db, high_db },
            LayerStretch::Auto => Stretch::Auto,
        },
    }
}

/// The layer's saved display for a decoder's one.
#[must_use]
pub fn layer_display(display: &Display) -> LayerDisplay {
    LayerDisplay::new(
        match display.bands {
            BandMapping::Gray(b) => LayerBands::Gray(b),
            BandMapping::Rgb(rgb) => LayerBands::Rgb(rgb),
        },
        match display.stretch {
            Stretch::Full => LayerStretch::Full,
            Stretch::Percentile { low_pct, high_pct } => {
                LayerStretch::Percentile { low_pct, high_pct }
            }
            Stretch::Range { low, high } => LayerStretch::Range { low, high },
            Stretch::Bands { low, high } => LayerStretch::Bands { low, high },
            Stretch::Decibel { low_db, high_db } => LayerStretch::Decibel { low_db, high_db },
            Stretch::Auto => LayerStretch::Auto,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_converts_both_ways_unchanged() {
        for display in [
            LayerDisplay::new(LayerBands::Gray(2), LayerStretch::Full),
            LayerDisplay::new(
                LayerBands::Rgb([4, 3, 2]),
                LayerStretch::Percentile {
                    low_pct: 1.0,
                    high_pct: 99.0,
                },
            ),
            LayerDisplay::new(
                LayerBands::Rgb([1, 1, 1]),
                LayerStretch::Range {
                    low: -5.0,
                    high: 300.0,
                },
            ),
            LayerDisplay::new(
                LayerBands::Rgb([4, 3, 2]),
                LayerStretch::Bands {
                    low: [300.0, 250.0, 200.0],
                    high: [2800.0, 2400.0, 2600.0],
                },
            ),
        ] {
            assert_eq!(layer_display(&raster_display(&display)), display);
        }
    }
}
