//! How clear a scene is over the view, not over its whole 110 km granule: a Sentinel-2 L2A
//! item's scene classification band (SCL, the classes of ESA's `Sen2Cor`) sampled over the
//! view, the share of its observed pixels that are neither cloud, thin cirrus nor cloud shadow.
//! The item's `eo:cloud_cover` is the granule's; a site under the one cloud of a clear day, or
//! in the one gap of a cloudy one, is told apart only this way. The pixels are read by the
//! caller; this module finds the band and counts the classes.

use super::types::{Asset, Item};

/// `Sen2Cor` scene classes (SCL values).
mod class {
    /// No data (outside the swath).
    pub const NO_DATA: u8 = 0;
    /// Saturated or defective pixels.
    pub const DEFECTIVE: u8 = 1;
    /// Cloud shadows.
    pub const CLOUD_SHADOW: u8 = 3;
    /// Cloud, medium probability.
    pub const CLOUD_MEDIUM: u8 = 8;
    /// Cloud, high probability.
    pub const CLOUD_HIGH: u8 = 9;
    /// Thin cirrus.
    pub const CIRRUS: u8 = 10;
    /// Snow or ice, the last class.
    pub const SNOW: u8 = 11;
}

/// The item's scene classification asset (`scl` on Earth Search, `SCL` on the Planetary
/// Computer), when it has one.
#[must_use]
pub fn scene_classification(item: &Item) -> Option<&Asset> {
    item.assets
        .iter()
        .find(|(key, asset)| key.eq_ignore_ascii_case("scl") && !asset.href.is_empty())
        .map(|(_, asset)| asset)
}

/// What the classification says of the view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClearSky {
    /// Share of the observed samples that are clear (0–1).
    pub clear: f64,
    /// Share that is cloud (medium or high probability) or thin cirrus.
    pub cloud: f64,
    /// Share that is cloud shadow.
    pub shadow: f64,
    /// Samples observed (not nodata, not defective).
    pub observed: usize,
    /// Samples taken over the view.
    pub sampled: usize,
}

impl ClearSky {
    /// Counts SCL values sampled over the view (`None` where the view is off the scene);
    /// `None` when no sample was observed.
    #[must_use]
    pub fn of_classes(values: &[Option<f64>]) -> Option<Self> {
        let (mut observed, mut cloud, mut shadow) = (0usize, 0usize, 0usize);
        for value in values.iter().flatten() {
            let Some(class) = scl_class(*value) else {
                continue;
            };
            match class {
                class::NO_DATA | class::DEFECTIVE => continue,
                class::CLOUD_SHADOW => shadow += 1,
                class::CLOUD_MEDIUM | class::CLOUD_HIGH | class::CIRRUS => cloud += 1,
                _ => {}
            }
            observed += 1;
        }
        (observed > 0).then(|| {
            let share = |n: usize| n as f64 / observed as f64;
            Self {
                clear: share(observed - cloud - shadow),
                cloud: share(cloud),
                shadow: share(shadow),
                observed,
                sampled: values.len(),
            }
        })
    }

    /// `clear 62 % of the view (cloud 25 %, shadow 13 %; SCL, 896 of 1024 samples observed)`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "clear {:.0} % of the view (cloud and cirrus {:.0} %, cloud shadow {:.0} %; scene \
             classification band, {} of {} samples observed)",
            self.clear * 100.0,
            self.cloud * 100.0,
            self.shadow * 100.0,
            self.observed,
            self.sampled
        )
    }
}

/// A sample as an SCL class; `None` for a value no class has.
fn scl_class(value: f64) -> Option<u8> {
    let rounded = value.round();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked to be a class number first"
    )]
    ((0.0..=f64::from(class::SNOW)).contains(&rounded) && (value - rounded).abs() < 1e-6)
        .then_some(rounded as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_cirrus_and_shadow_are_not_clear_and_nodata_is_not_counted() {
        let mut values = vec![Some(4.0); 10]; // vegetation
        values.extend([Some(9.0), Some(8.0), Some(10.0)]); // cloud, cloud, cirrus
        values.extend([Some(3.0), Some(3.0)]); // shadow
        values.extend([Some(6.0), Some(11.0), Some(5.0), Some(7.0), Some(2.0)]); // clear
        values.extend([Some(0.0), Some(1.0), None, Some(200.0)]); // not observed
        let sky = ClearSky::of_classes(&values).unwrap();
        assert_eq!(sky.observed, 20);
        assert_eq!(sky.sampled, 24);
        assert!((sky.clear - 0.75).abs() < 1e-12, "{sky:?}");
        assert!((sky.cloud - 0.15).abs() < 1e-12, "{sky:?}");
        assert!((sky.shadow - 0.10).abs() < 1e-12, "{sky:?}");
        assert!(sky.describe().starts_with("clear 75 % of the view"));
    }

    #[test]
    fn a_view_with_nothing_observed_has_no_answer() {
        assert_eq!(ClearSky::of_classes(&[None, Some(0.0), Some(1.0)]), None);
        assert_eq!(ClearSky::of_classes(&[]), None);
    }

    #[test]
    fn the_band_is_found_by_either_providers_key() {
        let item = |key: &str| -> Item {
            serde_json::from_value(serde_json::json!({
                "type": "Feature", "id": "x",
                "properties": {"datetime": "2025-06-01T00:00:00Z"},
                "assets": {key: {"href": "https://e/scl.tif"}, "visual": {"href": "v"}}
            }))
            .unwrap()
        };
        assert!(scene_classification(&item("scl")).is_some());
        assert!(scene_classification(&item("SCL")).is_some());
        assert!(scene_classification(&item("red")).is_none());
    }
}
