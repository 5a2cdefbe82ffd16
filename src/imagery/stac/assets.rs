//! Which assets of an item make the picture: the producer's visual composite, or three band COGs
//! (red/green/blue, or near-infrared/red/green), or a radar polarisation.

use serde_json::Value;

use super::StacError;
use super::stretch::DecibelStretch;
use super::types::{Asset, BandValues, Item};

/// Which picture to make of an item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Composite {
    /// Natural colour: the `visual` asset where there is one, else red/green/blue bands.
    #[default]
    TrueColour,
    /// Near-infrared as red, red as green, green as blue: vegetation shows red, fresh concrete
    /// and bare earth stand out.
    FalseColourNir,
}

impl Composite {
    /// What an item must offer, for error messages.
    fn wanted(self) -> &'static str {
        match self {
            Self::TrueColour => "a visual asset, red/green/blue bands or a radar polarisation",
            Self::FalseColourNir => "near-infrared, red and green bands",
        }
    }
}

/// One single-band COG and how its stored values become physical values.
#[derive(Clone, Debug, PartialEq)]
pub struct BandAsset {
    /// The asset's key in the item: `red`, `B04`, `nir08`.
    pub asset_key: String,
    /// Its URL (unsigned; sign it when reading, since tokens expire).
    pub href: String,
    /// `physical = stored × scale + offset`, and the no-data value.
    pub values: BandValues,
}

impl BandAsset {
    /// The physical value (reflectance, backscatter) of a stored value; `None` for no-data.
    #[must_use]
    pub fn physical(&self, stored: f64) -> Option<f64> {
        match self.values.nodata {
            Some(nodata) if nodata.is_nan() && stored.is_nan() => None,
            // No-data is an exact stored value, so exact comparison is right.
            Some(nodata) if nodata.to_bits() == stored.to_bits() => None,
            _ => Some(stored * self.values.scale + self.values.offset),
        }
    }

    /// The stored value whose physical value is `physical`: `(physical − offset) / scale` (a
    /// zero or broken scale is taken as 1).
    #[must_use]
    pub fn stored_of(&self, physical: f64) -> f64 {
        let scale = self.values.scale;
        let scale = if scale.is_finite() && scale != 0.0 {
            scale
        } else {
            1.0
        };
        (physical - self.values.offset) / scale
    }
}

/// What to read for an item's picture.
#[derive(Clone, Debug, PartialEq)]
pub enum AssetChoice {
    /// An 8-bit RGB COG already stretched by its producer (Sentinel-2's TCI): drawn as it is.
    Visual {
        /// The asset's key.
        asset_key: String,
        /// Its URL (unsigned).
        href: String,
    },
    /// Three single-band COGs drawn as red, green and blue through the series' reflectance
    /// stretch.
    Bands {
        /// Shown as red (the red band, or near-infrared for false colour).
        red: BandAsset,
        /// Shown as green.
        green: BandAsset,
        /// Shown as blue.
        blue: BandAsset,
    },
    /// One radar polarisation (VV, else VH) in grey through a decibel stretch.
    Backscatter {
        /// The polarisation's COG.
        band: BandAsset,
        /// How it is stretched.
        stretch: DecibelStretch,
    },
}

impl AssetChoice {
    /// Every URL to read, in channel order.
    #[must_use]
    pub fn hrefs(&self) -> Vec<&str> {
        match self {
            Self::Visual { href, .. } => vec![href],
            Self::Bands { red, green, blue } => vec![&red.href, &green.href, &blue.href],
            Self::Backscatter { band, .. } => vec![&band.href],
        }
    }
}

/// Asset keys tried when no asset names its band's common name, per common name.
fn fallback_keys(common_name: &str) -> &'static [&'static str] {
    match common_name {
        "red" => &["red", "B04", "B4", "SR_B4"],
        "green" => &["green", "B03", "B3", "SR_B3"],
        "blue" => &["blue", "B02", "B2", "SR_B2"],
        "nir" => &["nir", "B08", "B8", "nir08", "SR_B5"],
        _ => &[],
    }
}

/// Chooses the assets of `item` for `composite`; `origin` names the item in the error when it
/// has nothing usable.
pub fn choose_assets(
    item: &Item,
    composite: Composite,
    origin: &str,
) -> Result<AssetChoice, StacError> {
    let collection = item.collection.as_deref().unwrap_or("");
    let band = |common_name: &str| find_band(item, collection, common_name);
    let choice = match composite {
        Composite::TrueColour => visual(item)
            .or_else(|| rgb(band("red"), band("green"), band("blue")))
            .or_else(|| backscatter(item)),
        Composite::FalseColourNir => rgb(
            band("nir").or_else(|| band("nir08")),
            band("red"),
            band("green"),
        ),
    };
    choice.ok_or_else(|| StacError::NoUsableAsset {
        item_id: item.id.clone(),
        wanted: composite.wanted().to_owned(),
        origin: item.self_href().unwrap_or(origin).to_owned(),
    })
}

fn rgb(
    red: Option<BandAsset>,
    green: Option<BandAsset>,
    blue: Option<BandAsset>,
) -> Option<AssetChoice> {
    Some(AssetChoice::Bands {
        red: red?,
        green: green?,
        blue: blue?,
    })
}

/// The `visual` asset, or one with the `visual` role, when it is a TIFF.
fn visual(item: &Item) -> Option<AssetChoice> {
    let by_key = item.assets.get_key_value("visual");
    let by_role = || {
        item.assets
            .iter()
            .find(|(_, asset)| asset.roles.iter().any(|role| role == "visual"))
    };
    let (key, asset) = by_key.or_else(by_role)?;
    (asset.is_tiff() && !asset.href.is_empty()).then(|| AssetChoice::Visual {
        asset_key: key.clone(),
        href: asset.href.clone(),
    })
}

/// Radar: the `vv` asset, else `vh`.
fn backscatter(item: &Item) -> Option<AssetChoice> {
    ["vv", "vh"].into_iter().find_map(|key| {
        let asset = item.assets.get(key)?;
        (asset.is_tiff() && !asset.href.is_empty()).then(|| AssetChoice::Backscatter {
            band: BandAsset {
                asset_key: key.to_owned(),
                href: asset.href.clone(),
                values: asset.first_band_values(),
            },
            stretch: DecibelStretch::DEFAULT,
        })
    })
}

/// The single-band TIFF asset whose band has `common_name`, else one under a usual key.
fn find_band(item: &Item, collection: &str, common_name: &str) -> Option<BandAsset> {
    let usable = |asset: &Asset| {
        asset.is_tiff() && !asset.href.is_empty() && asset.eo_bands.len() + asset.bands.len() <= 1
    };
    let by_name = item
        .assets
        .iter()
        .find(|(_, asset)| usable(asset) && asset.common_names().any(|name| name == common_name));
    let by_key = || {
        fallback_keys(common_name).iter().find_map(|key| {
            item.assets
                .get_key_value(*key)
                .filter(|(_, asset)| usable(asset))
        })
    };
    let (key, asset) = by_name.or_else(by_key)?;
    Some(BandAsset {
        asset_key: key.clone(),
        href: asset.href.clone(),
        values: band_values(item, collection, asset),
    })
}

/// The asset's scale and offset; for Sentinel-2 L2A without `raster:bands` (the Planetary
/// Computer's items), ESA's digital numbers: reflectance × 10000, with the −0.1 offset that
/// processing baseline 04.00 (January 2022) added.
fn band_values(item: &Item, collection: &str, asset: &Asset) -> BandValues {
    let given = asset
        .raster_bands
        .first()
        .is_some_and(|b| b.scale.is_some())
        || asset.bands.first().is_some_and(|b| b.scale.is_some());
    let values = asset.first_band_values();
    if given || !collection.starts_with("sentinel-2") {
        return values;
    }
    let baseline = item
        .properties
        .extra
        .get("s2:processing_baseline")
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<f64>().ok());
    BandValues {
        scale: 0.0001,
        offset: if baseline.is_some_and(|b| b >= 4.0) {
            -0.1
        } else {
            0.0
        },
        nodata: values.nodata.or(Some(0.0)),
    }
}
