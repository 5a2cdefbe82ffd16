//! A band composite as a layer: its three COGs as the layer's source, and the series'
//! reflectance stretch as the layer's display, in each band's stored values (its `raster:bands`
//! scale and offset undone), so every date of a series is stretched alike and the analyst can
//! still edit it.

use super::assets::{AssetChoice, BandAsset};
use super::stretch::ReflectanceStretch;
use crate::model::LayerSource;
use crate::model::layer_display::{LayerBands, LayerDisplay, LayerStretch};

/// The source and display of a band composite: red, green and blue read from the three COGs,
/// each stretched from the stored value of `stretch.min` to that of `stretch.max`, then the
/// stretch's gamma as the layer's tone.
#[must_use]
pub fn composite_layer(
    [red, green, blue]: [&BandAsset; 3],
    stretch: &ReflectanceStretch,
) -> (LayerSource, LayerDisplay) {
    let source = LayerSource::Bands {
        red: red.href.clone(),
        green: green.href.clone(),
        blue: blue.href.clone(),
    };
    let bands = [red, green, blue];
    let low = bands.map(|band| band.stored_of(stretch.min));
    let high = bands.map(|band| band.stored_of(stretch.max));
    let mut display = LayerDisplay::new(
        LayerBands::Rgb([1, 2, 3]),
        LayerStretch::Bands { low, high },
    );
    display.gamma = if stretch.gamma > 0.0 {
        stretch.gamma as f32
    } else {
        1.0
    };
    (source, display)
}

impl AssetChoice {
    /// [`composite_layer`] of a band choice; `None` for a visual composite or radar.
    #[must_use]
    pub fn composite_layer(
        &self,
        stretch: &ReflectanceStretch,
    ) -> Option<(LayerSource, LayerDisplay)> {
        match self {
            Self::Bands { red, green, blue } => Some(composite_layer([red, green, blue], stretch)),
            Self::Visual { .. } | Self::Backscatter { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::stac::BandValues;

    fn band(key: &str, scale: f64, offset: f64) -> BandAsset {
        BandAsset {
            asset_key: key.to_owned(),
            href: format!("https://e/{key}.tif"),
            values: BandValues {
                scale,
                offset,
                nodata: Some(0.0),
            },
        }
    }

    #[test]
    fn the_reflectance_stretch_becomes_each_bands_stored_limits_and_the_gamma_its_tone() {
        let (red, green) = (band("B04", 0.0001, -0.1), band("B03", 0.0001, 0.0));
        let landsat = band("SR_B2", 0.000_027_5, -0.2);
        let (source, display) =
            composite_layer([&red, &green, &landsat], &ReflectanceStretch::DEFAULT);
        assert_eq!(
            source,
            LayerSource::Bands {
                red: "https://e/B04.tif".into(),
                green: "https://e/B03.tif".into(),
                blue: "https://e/SR_B2.tif".into(),
            }
        );
        assert_eq!(display.bands, LayerBands::Rgb([1, 2, 3]));
        let LayerStretch::Bands { low, high } = display.stretch else {
            panic!("{:?}", display.stretch);
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(
            close(low[0], 1000.0) && close(high[0], 4000.0),
            "{low:?} {high:?}"
        );
        assert!(
            close(low[1], 0.0) && close(high[1], 3000.0),
            "{low:?} {high:?}"
        );
        assert!(close(low[2], 0.2 / 0.000_027_5) && close(high[2], 0.5 / 0.000_027_5));
        assert!((display.gamma - 2.2).abs() < 1e-6);
    }

    #[test]
    fn a_band_without_a_usable_scale_is_taken_as_stored() {
        assert!((band("x", 0.0, 0.0).stored_of(0.3) - 0.3).abs() < 1e-12);
        assert!((band("x", f64::NAN, 0.1).stored_of(0.3) - 0.2).abs() < 1e-12);
    }
}
