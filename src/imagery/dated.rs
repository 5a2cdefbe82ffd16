//! Dated tile services: layers whose URL carries a date, a year or a release number, and the
//! presets for the services in the data file (Esri Wayback, EOX Sentinel-2 cloudless, NASA GIBS
//! HLS).
//!
//! A layer keeps its date in [`ImageryLayer::date`]; [`tile_source`] fills the URL's `{date}`
//! (`YYYY-MM-DD`), `{year}` and `{release}` from the layer, so the URL and the date shown can
//! never disagree.

use chrono::Datelike as _;
use serde_json::Map;

use super::disk_cache::DiskCache;
use super::http::{HttpTileConfig, HttpTileSource};
use super::wayback::WaybackRelease;
use crate::model::date::Precision;
use crate::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource};

/// Esri World Imagery Wayback tiles; `{release}` is the release number (note `{y}/{x}`).
pub const WAYBACK_URL: &str = "https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/WMTS/1.0.0/default028mm/MapServer/tile/{release}/{z}/{y}/{x}";

/// Esri's credit line for World Imagery and its Wayback versions.
pub const ESRI_ATTRIBUTION: &str = "Esri, Maxar, Earthstar Geographics, and the GIS User Community";

/// EOX Sentinel-2 cloudless tiles for one yearly layer name (`{layer}` filled by the preset).
const S2CLOUDLESS_URL: &str =
    "https://tiles.maps.eox.at/wmts/1.0.0/{layer}/default/g/{z}/{y}/{x}.jpg";

/// The years the data file lists for Sentinel-2 cloudless: 2016 and 2017–2024.
pub const S2CLOUDLESS_YEARS: std::ops::RangeInclusive<i32> = 2016..=2024;

/// NASA GIBS layer of Harmonized Landsat Sentinel-2, Sentinel-2 part (30 m).
pub const HLS_LAYER: &str = "HLS_S30_Nadir_BRDF_Adjusted_Reflectance";

/// NASA GIBS HLS tiles; `{date}` is the acquisition day.
const HLS_URL: &str = "https://gibs.earthdata.nasa.gov/wmts/epsg3857/best/HLS_S30_Nadir_BRDF_Adjusted_Reflectance/default/{date}/GoogleMapsCompatible_Level12/{z}/{y}/{x}.png";

/// Why a layer cannot become a tile source, or a preset cannot be made. The layer id (or the
/// asked value) comes last.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatedTilesError {
    /// The layer reads a file; open it with the raster reader instead.
    #[error("the layer reads a file, not a tile service: {layer}")]
    NotTiles {
        /// Layer id.
        layer: String,
    },
    /// The URL template has a placeholder the layer gives no value for.
    #[error("the URL needs `{{{placeholder}}}` but {why}: {layer}")]
    MissingValue {
        /// The placeholder, without braces.
        placeholder: String,
        /// What the layer lacks ("the layer has no date").
        why: String,
        /// Layer id.
        layer: String,
    },
    /// The URL template has a `{` without a `}`.
    #[error("the URL template has an unclosed `{{`: {layer}")]
    BadTemplate {
        /// Layer id.
        layer: String,
    },
    /// The service has no layer for this year.
    #[error("Sentinel-2 cloudless has mosaics for 2016 to 2024 only: {year}")]
    NoSuchYear {
        /// The year asked for.
        year: i32,
    },
}

/// The placeholders of a URL template, in order, without braces.
fn placeholders(template: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some((_, after_open)) = rest.split_once('{') {
        let (name, after_close) = after_open.split_once('}')?;
        names.push(name);
        rest = after_close;
    }
    Some(names)
}

/// The HTTP settings for a tile-service layer: its URL with `{date}`, `{year}` and `{release}`
/// filled from the layer. Every placeholder besides `{z} {x} {y}` must have a value, so a
/// misdated layer fails here with a reason instead of requesting nonsense.
pub fn http_config(layer: &ImageryLayer) -> Result<HttpTileConfig, DatedTilesError> {
    let LayerSource::Tiles {
        url,
        release,
        max_zoom,
    } = &layer.source
    else {
        return Err(DatedTilesError::NotTiles {
            layer: layer.id.clone(),
        });
    };
    let mut config = HttpTileConfig::new(&layer.name, url, &layer.attribution, *max_zoom);
    if let Some(date) = layer.date {
        config = config.with_var("year", format!("{:04}", date.key().year()));
        if date.precision() == Precision::Day {
            config = config.with_var("date", date.key().format("%Y-%m-%d").to_string());
        }
    }
    if let Some(release) = release {
        config = config.with_var("release", release.clone());
    }
    let Some(names) = placeholders(url) else {
        return Err(DatedTilesError::BadTemplate {
            layer: layer.id.clone(),
        });
    };
    for name in names {
        if matches!(name, "z" | "x" | "y") || config.vars.contains_key(name) {
            continue;
        }
        let why = match (name, layer.date) {
            ("date" | "year", None) => "the layer has no date".to_owned(),
            ("date", Some(date)) => format!("the layer's date '{date}' is not a day"),
            ("release", _) => "the layer has no release".to_owned(),
            _ => "nothing gives it a value".to_owned(),
        };
        return Err(DatedTilesError::MissingValue {
            placeholder: name.to_owned(),
            why,
            layer: layer.id.clone(),
        });
    }
    Ok(config)
}

/// The [`TileSource`](super::TileSource) for a tile-service layer, reading and filling `cache`.
pub fn tile_source(
    layer: &ImageryLayer,
    cache: Option<DiskCache>,
) -> Result<HttpTileSource, DatedTilesError> {
    Ok(HttpTileSource::new(http_config(layer)?, cache))
}

/// A visible, opaque, real (not synthetic) tile layer; callers set the rest.
fn tiles_layer(id: String, name: String, date: FuzzyDate, source: LayerSource) -> ImageryLayer {
    ImageryLayer {
        id,
        name,
        date: Some(date),
        date_kind: DateKind::Acquisition,
        note: String::new(),
        track: String::new(),
        attribution: String::new(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source,
        display: None,
        offset_m: None,
        extra: Map::new(),
    }
}

/// An Esri World Imagery Wayback layer for one release. Its date is the **release** date: the
/// name and note say that the pixels were captured on or before it, not on it.
#[must_use]
pub fn wayback_layer(release: &WaybackRelease) -> ImageryLayer {
    let day = release.release_date.format("%Y-%m-%d");
    let note = format!(
        "Wayback release {} ({}), published {day}. The date is the release date, not the capture \
         date: each area shows the newest imagery Esri had then, captured on or before it, often \
         much earlier. Esri's metadata layer gives the capture date per area{}. Esri terms of use \
         apply.",
        release.number,
        release.title,
        release
            .metadata_url
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    );
    ImageryLayer {
        date_kind: DateKind::Release,
        note,
        track: "Esri World Imagery Wayback".to_owned(),
        attribution: ESRI_ATTRIBUTION.to_owned(),
        ..tiles_layer(
            format!("esri-wayback-{}", release.number),
            format!("Esri Wayback, released {day} (captured earlier)"),
            FuzzyDate::day(release.release_date),
            LayerSource::Tiles {
                url: WAYBACK_URL.to_owned(),
                release: Some(release.number.to_string()),
                max_zoom: 19,
            },
        )
    }
}

/// The EOX layer name for a Sentinel-2 cloudless year: `s2cloudless_3857` for 2016,
/// `s2cloudless-YYYY_3857` after.
pub fn s2cloudless_layer_name(year: i32) -> Result<String, DatedTilesError> {
    if !S2CLOUDLESS_YEARS.contains(&year) {
        return Err(DatedTilesError::NoSuchYear { year });
    }
    Ok(if year == 2016 {
        "s2cloudless_3857".to_owned()
    } else {
        format!("s2cloudless-{year}_3857")
    })
}

/// The licence of a Sentinel-2 cloudless year, as the data file gives it.
fn s2cloudless_licence(year: i32) -> &'static str {
    match year {
        2016 => "CC BY 4.0",
        2017 => {
            "not stated in our data file (EOX's licence page lists 2016 and 2018 on); check it before publishing"
        }
        _ => "CC BY-NC-SA 4.0 (non-commercial use only)",
    }
}

/// The credit line EOX asks for, with the year of the Copernicus data.
#[must_use]
pub fn s2cloudless_attribution(year: i32) -> String {
    format!(
        "Sentinel-2 cloudless – s2maps.eu by EOX IT Services GmbH (Contains modified Copernicus Sentinel data {year})"
    )
}

/// An EOX Sentinel-2 cloudless layer: the yearly cloud-free mosaic (10 m), dated by its year.
pub fn s2cloudless_layer(year: i32) -> Result<ImageryLayer, DatedTilesError> {
    let layer_name = s2cloudless_layer_name(year)?;
    let date =
        FuzzyDate::new(year, 1, Precision::Year).ok_or(DatedTilesError::NoSuchYear { year })?;
    Ok(ImageryLayer {
        date_kind: DateKind::Mosaic,
        note: format!(
            "A mosaic of cloud-free Sentinel-2 pixels from many days of {year} (10 m): no single \
             acquisition date. Licence: {}.",
            s2cloudless_licence(year)
        ),
        track: "Sentinel-2 cloudless (EOX)".to_owned(),
        attribution: s2cloudless_attribution(year),
        ..tiles_layer(
            format!("eox-s2cloudless-{year}"),
            format!("Sentinel-2 cloudless {year} (EOX yearly mosaic)"),
            date,
            LayerSource::Tiles {
                url: S2CLOUDLESS_URL.replace("{layer}", &layer_name),
                release: None,
                max_zoom: 14,
            },
        )
    })
}

/// A NASA GIBS Harmonized Landsat Sentinel-2 (S30, 30 m) layer for one acquisition day. Tiles
/// are empty where no Sentinel-2 pass covered the site that day.
#[must_use]
pub fn hls_layer(day: chrono::NaiveDate) -> ImageryLayer {
    let text = day.format("%Y-%m-%d");
    ImageryLayer {
        note: "Harmonized Landsat Sentinel-2 surface reflectance from NASA GIBS, acquisitions of \
               this day only (30 m, to zoom 12): empty or partial where no pass covered the site \
               or clouds did. NASA open data."
            .to_owned(),
        track: "NASA GIBS HLS".to_owned(),
        attribution: format!(
            "NASA GIBS/ESDIS, HLS S30 (Contains modified Copernicus Sentinel data {})",
            day.year()
        ),
        ..tiles_layer(
            format!("nasa-gibs-hls-s30-{text}"),
            format!("NASA HLS Sentinel-2, {text} (30 m)"),
            FuzzyDate::day(day),
            LayerSource::Tiles {
                url: HLS_URL.to_owned(),
                release: None,
                max_zoom: 12,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::{TileKey, TileSource as _};
    use chrono::NaiveDate;

    const KEY: TileKey = TileKey {
        z: 12,
        x: 3534,
        y: 1510,
    };

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn release() -> WaybackRelease {
        WaybackRelease {
            number: 58924,
            release_date: day("2025-09-25"),
            title: "World Imagery (Wayback 2025-09-25)".into(),
            layer_identifier: Some("WB_2025_R09".into()),
            metadata_url: None,
        }
    }

    #[test]
    fn a_wayback_layer_asks_for_its_release_and_says_the_date_is_a_release_date() {
        let layer = wayback_layer(&release());
        let source = tile_source(&layer, None).unwrap();
        assert_eq!(
            source.tile_url(KEY).unwrap(),
            "https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/WMTS/1.0.0/default028mm/MapServer/tile/58924/12/1510/3534"
        );
        assert_eq!(layer.date_label().as_deref(), Some("RELEASE · 25 SEP 2025"));
        assert!(layer.name.contains("released 2025-09-25"), "{}", layer.name);
        assert!(
            layer.note.contains("not the capture date"),
            "{}",
            layer.note
        );
        assert_eq!(source.attribution(), ESRI_ATTRIBUTION);
    }

    #[test]
    fn sentinel_2_cloudless_names_2016_differently() {
        assert_eq!(s2cloudless_layer_name(2016).unwrap(), "s2cloudless_3857");
        assert_eq!(
            s2cloudless_layer_name(2024).unwrap(),
            "s2cloudless-2024_3857"
        );
        assert_eq!(
            s2cloudless_layer_name(2015),
            Err(DatedTilesError::NoSuchYear { year: 2015 })
        );
        let layer = s2cloudless_layer(2024).unwrap();
        assert_eq!(
            tile_source(&layer, None).unwrap().tile_url(KEY).unwrap(),
            "https://tiles.maps.eox.at/wmts/1.0.0/s2cloudless-2024_3857/default/g/12/1510/3534.jpg"
        );
        assert_eq!(layer.date_label().as_deref(), Some("MOSAIC · 2024"));
    }

    #[test]
    fn sentinel_2_cloudless_credits_and_licences_follow_the_year() {
        let y2016 = s2cloudless_layer(2016).unwrap();
        assert!(
            y2016
                .attribution
                .ends_with("(Contains modified Copernicus Sentinel data 2016)")
        );
        assert!(y2016.note.contains("CC BY 4.0"));
        let y2020 = s2cloudless_layer(2020).unwrap();
        assert!(
            y2020
                .attribution
                .starts_with("Sentinel-2 cloudless – s2maps.eu by EOX IT Services GmbH")
        );
        assert!(y2020.note.contains("CC BY-NC-SA 4.0"));
    }

    #[test]
    fn an_hls_layer_puts_its_day_in_the_url_and_stops_at_zoom_12() {
        let layer = hls_layer(day("2025-10-14"));
        let source = tile_source(&layer, None).unwrap();
        assert_eq!(
            source.tile_url(KEY).unwrap(),
            "https://gibs.earthdata.nasa.gov/wmts/epsg3857/best/HLS_S30_Nadir_BRDF_Adjusted_Reflectance/default/2025-10-14/GoogleMapsCompatible_Level12/12/1510/3534.png"
        );
        assert_eq!(source.max_zoom(), 12);
        assert_eq!(layer.date_label().as_deref(), Some("14 OCT 2025"));
    }

    #[test]
    fn a_template_value_the_layer_lacks_is_an_error_before_any_request() {
        let mut layer = hls_layer(day("2025-10-14"));
        layer.date = Some("2025-10".parse().unwrap());
        let err = http_config(&layer).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the URL needs `{date}` but the layer's date '2025-10' is not a day: nasa-gibs-hls-s30-2025-10-14"
        );
        layer.date = None;
        assert!(
            http_config(&layer)
                .unwrap_err()
                .to_string()
                .contains("has no date")
        );

        let mut wayback = wayback_layer(&release());
        wayback.source = LayerSource::Tiles {
            url: WAYBACK_URL.into(),
            release: None,
            max_zoom: 19,
        };
        assert!(matches!(
            http_config(&wayback),
            Err(DatedTilesError::MissingValue { placeholder, .. }) if placeholder == "release"
        ));
    }

    #[test]
    fn a_year_template_takes_the_year_of_any_precision() {
        let mut layer = s2cloudless_layer(2020).unwrap();
        layer.source = LayerSource::Tiles {
            url: "https://h/{year}/{z}/{x}/{y}".into(),
            release: None,
            max_zoom: 10,
        };
        layer.date = Some("summer 2021".parse().unwrap());
        let source = tile_source(&layer, None).unwrap();
        assert_eq!(
            source.tile_url(TileKey { z: 1, x: 0, y: 1 }).unwrap(),
            "https://h/2021/1/0/1"
        );
    }

    #[test]
    fn a_file_layer_is_not_a_tile_service() {
        let mut layer = hls_layer(day("2025-10-14"));
        layer.source = LayerSource::File {
            path: "imagery/x.tif".into(),
        };
        assert!(matches!(
            http_config(&layer),
            Err(DatedTilesError::NotTiles { .. })
        ));
    }
}
