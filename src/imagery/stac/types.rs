//! Serde types for the parts of STAC (the `SpatioTemporal` Asset Catalog) that Sitewatch reads: items,
//! item collections, links and assets, with the `eo`, `raster` and `proj` extension fields that
//! choosing and stretching bands needs. Every field is optional where servers differ, and unknown
//! fields are kept, so an item from a newer server still reads.
//!
//! Specs: <https://github.com/radiantearth/stac-spec> (1.0 and 1.1; 1.1's `bands` array is read
//! beside 1.0's `eo:bands` and `raster:bands`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A GeoJSON `FeatureCollection` of items: a search page or a static item collection file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The items of this page.
    #[serde(default)]
    pub features: Vec<Item>,
    /// `next`, `prev`, `self`…
    #[serde(default)]
    pub links: Vec<Link>,
    /// How many items match in all, when the server says (`numberMatched`).
    #[serde(
        rename = "numberMatched",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub number_matched: Option<u64>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ItemCollection {
    /// The `next` link, if there is one.
    #[must_use]
    pub fn next_link(&self) -> Option<&Link> {
        self.links.iter().find(|link| link.rel == "next")
    }
}

/// One acquisition (a scene): a GeoJSON `Feature` with dated properties and assets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// `Feature`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Unique within its collection: `S2B_33UUP_20250614_0_L2A`.
    #[serde(default)]
    pub id: String,
    /// The collection's id: `sentinel-2-l2a`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// `[west, south, east, north]` in degrees (six numbers with heights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<Vec<f64>>,
    /// The footprint as GeoJSON geometry (a `Polygon` or `MultiPolygon` in lon/lat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<Value>,
    /// Dates, cloud cover, platform…
    #[serde(default)]
    pub properties: Properties,
    /// The files, by key: `visual`, `red`, `B04`, `thumbnail`…
    #[serde(default)]
    pub assets: BTreeMap<String, Asset>,
    /// `self`, `collection`, `license`…
    #[serde(default)]
    pub links: Vec<Link>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Item {
    /// The `self` link's href, if any: the item's own URL, used to name it in messages.
    #[must_use]
    pub fn self_href(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|link| link.rel == "self")
            .map(|link| link.href.as_str())
    }

    /// When the pixels were taken: `datetime`, or `start_datetime` for an item that covers a
    /// range (STAC sets `datetime` to null then). `None` when neither parses.
    #[must_use]
    pub fn acquired(&self) -> Option<DateTime<Utc>> {
        let props = &self.properties;
        [&props.datetime, &props.start_datetime]
            .into_iter()
            .flatten()
            .find_map(|text| parse_datetime(text))
    }

    /// The bbox as `[west, south, east, north]`, from `bbox` (2D or 3D) when it is there.
    #[must_use]
    pub fn bbox_lonlat(&self) -> Option<[f64; 4]> {
        match self.bbox.as_deref()? {
            [w, s, e, n] | [w, s, _, e, n, _] => Some([*w, *s, *e, *n]),
            _ => None,
        }
    }

    /// The footprint's outer rings as `[lon, lat]` points: one for a Polygon, one per part of a
    /// `MultiPolygon`, none for anything else or a malformed geometry.
    #[must_use]
    pub fn footprint_rings(&self) -> Vec<Vec<[f64; 2]>> {
        let Some(geometry) = self.geometry.as_ref().and_then(Value::as_object) else {
            return Vec::new();
        };
        let coordinates = geometry.get("coordinates");
        let polygons: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => coordinates.into_iter().collect(),
            Some("MultiPolygon") => coordinates
                .and_then(Value::as_array)
                .map(|parts| parts.iter().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        polygons
            .into_iter()
            .filter_map(|polygon| polygon.as_array()?.first()?.as_array())
            .map(|ring| {
                ring.iter()
                    .filter_map(|point| {
                        let point = point.as_array()?;
                        Some([point.first()?.as_f64()?, point.get(1)?.as_f64()?])
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|ring| ring.len() >= 3)
            .collect()
    }
}

/// Parses an RFC 3339 timestamp (`2025-06-14T10:20:31.024000Z`).
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|datetime| datetime.with_timezone(&Utc))
}

/// An item's properties: the common metadata and extension fields read here; the rest is kept
/// in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Properties {
    /// Acquisition time (RFC 3339), null for items that cover a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// Start of the range, for items with a null `datetime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_datetime: Option<String>,
    /// End of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_datetime: Option<String>,
    /// Percentage (0–100) of the scene under cloud.
    #[serde(
        rename = "eo:cloud_cover",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cloud_cover: Option<f64>,
    /// EPSG code of the assets' grid (projection extension 1.x).
    #[serde(rename = "proj:epsg", default, skip_serializing_if = "Option::is_none")]
    pub epsg: Option<i64>,
    /// The grid's CRS as `EPSG:32633` (projection extension 2.x, which replaced `proj:epsg`).
    #[serde(rename = "proj:code", default, skip_serializing_if = "Option::is_none")]
    pub proj_code: Option<String>,
    /// `sentinel-2b`, `landsat-9`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `sentinel-2`, `landsat`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constellation: Option<String>,
    /// SPDX id or `proprietary`/`various`, when the item states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Properties {
    /// The EPSG code from `proj:epsg`, or from `proj:code` when it is `EPSG:n`.
    #[must_use]
    pub fn epsg_code(&self) -> Option<u32> {
        if let Some(code) = self.epsg.and_then(|code| u32::try_from(code).ok()) {
            return Some(code);
        }
        self.proj_code
            .as_deref()?
            .strip_prefix("EPSG:")?
            .parse()
            .ok()
    }
}

/// A link to a related document: `next` page, `self`, `license`, `item`, `child`…
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The relation: `next`, `self`, `item`…
    #[serde(default)]
    pub rel: String,
    /// Absolute URL or a path relative to the document.
    #[serde(default)]
    pub href: String,
    /// Media type, when given.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `GET` (the default) or `POST` for a `next` link of a POST search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The body to POST for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// When true, `body` is merged into the previous request's body instead of replacing it.
    #[serde(default)]
    pub merge: bool,
    /// Fields this version does not know (`headers`, `title`…), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One file of an item: a COG band, the visual composite, a thumbnail, metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// URL of the file (on the Planetary Computer it needs a token appended to be read).
    #[serde(default)]
    pub href: String,
    /// Media type: `image/tiff; application=geotiff; profile=cloud-optimized`, `image/jp2`…
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `data`, `visual`, `thumbnail`, `overview`…
    #[serde(default)]
    pub roles: Vec<String>,
    /// Spectral bands in the file (STAC 1.0 electro-optical extension).
    #[serde(rename = "eo:bands", default, skip_serializing_if = "Vec::is_empty")]
    pub eo_bands: Vec<EoBand>,
    /// How stored values map to physical values (STAC 1.0 raster extension).
    #[serde(
        rename = "raster:bands",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub raster_bands: Vec<RasterBand>,
    /// STAC 1.1 bands, which carry both the `eo:` and the `raster:` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Asset {
    /// True for a GeoTIFF (a COG, or any TIFF), or an asset that gives no media type; false for
    /// JPEG 2000, PNG thumbnails, XML metadata.
    #[must_use]
    pub fn is_tiff(&self) -> bool {
        self.media_type
            .as_deref()
            .is_none_or(|media_type| media_type.to_ascii_lowercase().contains("tiff"))
    }

    /// The common names (`red`, `nir`…) of the asset's bands, from `eo:bands` or STAC 1.1
    /// `bands`.
    pub fn common_names(&self) -> impl Iterator<Item = &str> {
        let eo = self
            .eo_bands
            .iter()
            .filter_map(|band| band.common_name.as_deref());
        let v11 = self
            .bands
            .iter()
            .filter_map(|band| band.common_name.as_deref());
        eo.chain(v11)
    }

    /// Scale, offset and no-data value of the first band, from `raster:bands` or STAC 1.1
    /// `bands`; scale 1 and offset 0 when none are given.
    #[must_use]
    pub fn first_band_values(&self) -> BandValues {
        if let Some(band) = self.raster_bands.first() {
            return BandValues {
                scale: band.scale.unwrap_or(1.0),
                offset: band.offset.unwrap_or(0.0),
                nodata: band.nodata.as_ref().and_then(nodata_number),
            };
        }
        if let Some(band) = self.bands.first() {
            return BandValues {
                scale: band.scale.unwrap_or(1.0),
                offset: band.offset.unwrap_or(0.0),
                nodata: band.nodata.as_ref().and_then(nodata_number),
            };
        }
        BandValues::default()
    }
}

/// How a band's stored numbers become physical values: `value = stored × scale + offset`;
/// `nodata` marks missing pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandValues {
    /// Multiplier (0.0001 for Sentinel-2 L2A reflectance).
    pub scale: f64,
    /// Added after scaling (−0.1 for Sentinel-2 processing baseline 04.00 and later).
    pub offset: f64,
    /// Stored value of missing pixels, if any (NaN for float rasters that say `"nan"`).
    pub nodata: Option<f64>,
}

impl Default for BandValues {
    fn default() -> Self {
        Self {
            scale: 1.0,
            offset: 0.0,
            nodata: None,
        }
    }
}

/// A no-data value as STAC writes it: a number, or `"nan"`, `"inf"`, `"-inf"`.
fn nodata_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => match text.as_str() {
            "nan" => Some(f64::NAN),
            "inf" => Some(f64::INFINITY),
            "-inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// A spectral band (`eo:bands` entry).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EoBand {
    /// Band name: `B04`, `red`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `red`, `green`, `blue`, `nir`, `nir08`, `swir16`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Fields this version does not know (`center_wavelength`…), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `raster:bands` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RasterBand {
    /// Multiplier from stored to physical values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Added after scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<f64>,
    /// No-data value: a number or `"nan"`/`"inf"`/`"-inf"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodata: Option<Value>,
    /// `uint16`, `float32`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A STAC 1.1 `bands` entry, with the electro-optical and raster fields read here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Band name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `red`, `green`, `blue`, `nir`…
    #[serde(
        rename = "eo:common_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub common_name: Option<String>,
    /// Multiplier from stored to physical values.
    #[serde(
        rename = "raster:scale",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub scale: Option<f64>,
    /// Added after scaling.
    #[serde(
        rename = "raster:offset",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub offset: Option<f64>,
    /// No-data value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodata: Option<Value>,
    /// Fields this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EARTH_SEARCH_ITEM: &str = r#"{
      "type": "Feature", "stac_version": "1.0.0", "id": "S2B_33UUP_20250614_0_L2A",
      "collection": "sentinel-2-l2a",
      "bbox": [13.0, 52.0, 14.0, 53.0],
      "geometry": {"type": "Polygon", "coordinates": [[[13,52],[14,52],[14,53],[13,53],[13,52]]]},
      "properties": {"datetime": "2025-06-14T10:20:31.024000Z", "eo:cloud_cover": 3.5,
                     "proj:epsg": 32633, "platform": "sentinel-2b", "s2:mgrs_tile": "33UUP"},
      "assets": {
        "red": {"href": "https://e/B04.tif",
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "roles": ["data"], "eo:bands": [{"name": "B04", "common_name": "red"}],
                "raster:bands": [{"nodata": 0, "data_type": "uint16", "scale": 0.0001, "offset": -0.1}]},
        "red-jp2": {"href": "https://e/B04.jp2", "type": "image/jp2",
                    "eo:bands": [{"name": "B04", "common_name": "red"}]}
      },
      "links": [{"rel": "self", "href": "https://e/items/S2B"}]
    }"#;

    #[test]
    fn an_earth_search_item_reads_with_its_extension_fields() {
        let item: Item = serde_json::from_str(EARTH_SEARCH_ITEM).unwrap();
        assert_eq!(item.collection.as_deref(), Some("sentinel-2-l2a"));
        assert_eq!(item.properties.cloud_cover, Some(3.5));
        assert_eq!(item.properties.epsg_code(), Some(32633));
        assert_eq!(item.properties.extra["s2:mgrs_tile"], "33UUP");
        assert_eq!(item.self_href(), Some("https://e/items/S2B"));
        let red = &item.assets["red"];
        assert!(red.is_tiff());
        assert!(!item.assets["red-jp2"].is_tiff());
        assert_eq!(red.common_names().collect::<Vec<_>>(), ["red"]);
        let values = red.first_band_values();
        assert!((values.scale - 0.0001).abs() < 1e-12);
        assert!((values.offset + 0.1).abs() < 1e-12);
        assert_eq!(values.nodata, Some(0.0));
        assert_eq!(
            item.acquired().unwrap().to_rfc3339(),
            "2025-06-14T10:20:31.024+00:00"
        );
        assert_eq!(item.bbox_lonlat(), Some([13.0, 52.0, 14.0, 53.0]));
        assert_eq!(item.footprint_rings()[0].len(), 5);
    }

    #[test]
    fn an_item_with_a_null_datetime_is_dated_by_its_start() {
        let item: Item = serde_json::from_str(
            r#"{"id": "m", "properties": {"datetime": null,
               "start_datetime": "2024-01-01T00:00:00Z", "end_datetime": "2024-12-31T23:59:59Z"}}"#,
        )
        .unwrap();
        assert_eq!(
            item.acquired().unwrap().to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn stac_1_1_bands_give_common_names_scale_and_nan_nodata() {
        let asset: Asset = serde_json::from_str(
            r#"{"href": "b.tif", "bands": [{"name": "B08", "eo:common_name": "nir",
                "raster:scale": 0.0001, "raster:offset": -0.1, "nodata": "nan"}]}"#,
        )
        .unwrap();
        assert_eq!(asset.common_names().collect::<Vec<_>>(), ["nir"]);
        let values = asset.first_band_values();
        assert!(values.nodata.unwrap().is_nan());
        assert!((values.offset + 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_projection_v2_code_gives_the_epsg_number() {
        let props: Properties = serde_json::from_str(r#"{"proj:code": "EPSG:32755"}"#).unwrap();
        assert_eq!(props.epsg_code(), Some(32755));
        let none: Properties = serde_json::from_str(r#"{"proj:code": "IAU:30100"}"#).unwrap();
        assert_eq!(none.epsg_code(), None);
    }

    #[test]
    fn odd_geometries_give_no_footprint_rather_than_failing() {
        let item: Item = serde_json::from_str(
            r#"{"id": "x", "bbox": [1, 2], "geometry": {"type": "Polygon", "coordinates": [[["a"]]]}}"#,
        )
        .unwrap();
        assert!(item.footprint_rings().is_empty());
        assert_eq!(item.bbox_lonlat(), None);
        assert_eq!(item.acquired(), None);
    }
}
