//! When, by whom and how sharply a Wayback release's imagery was captured at a place: each
//! release has a metadata map service whose sublayer per zoom (layer 0 for zoom 23 up to layer
//! 13 for zoom 10 and coarser) holds the capture areas with `SRC_DATE2` (the capture day, epoch
//! milliseconds), `NICE_DESC` (provider), `SRC_DESC` (source), `SAMP_RES` (resolution, m) and
//! `SRC_ACC` (accuracy, m), as Esri's Wayback app reads them.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::wayback_service::{CaptureError, WaybackHttp, percent_encode};

/// The fields asked for, in the order Esri's app asks.
pub const FIELDS: [&str; 5] = ["SRC_DATE2", "NICE_DESC", "SRC_DESC", "SAMP_RES", "SRC_ACC"];

/// What a release's metadata says about one capture area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaptureInfo {
    /// The capture day.
    pub date: Option<NaiveDate>,
    /// Who provided it ("Maxar").
    pub provider: Option<String>,
    /// The sensor or product ("WV02").
    pub source: Option<String>,
    /// Ground sample distance, metres.
    pub resolution_m: Option<f64>,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
}

impl CaptureInfo {
    /// "Maxar (WV02), 0.5 m resolution, 5 m accuracy": what is known, in words.
    #[must_use]
    pub fn description(&self) -> String {
        let mut parts = Vec::new();
        match (&self.provider, &self.source) {
            (Some(p), Some(s)) if p != s => parts.push(format!("{p} ({s})")),
            (Some(p), _) => parts.push(p.clone()),
            (None, Some(s)) => parts.push(s.clone()),
            (None, None) => {}
        }
        if let Some(r) = self.resolution_m {
            parts.push(format!("{} resolution", metres(r)));
        }
        if let Some(a) = self.accuracy_m {
            parts.push(format!("{} accuracy", metres(a)));
        }
        parts.join(", ")
    }
}

/// "0.5 m", "15 m": metres without trailing zeros.
#[must_use]
pub fn metres(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} m")
}

/// The sublayer for tiles of zoom `z`: 23 − z, at most 13 (zoom 10 and coarser share it).
#[must_use]
pub fn layer_id(z: u8) -> u8 {
    23u8.saturating_sub(z).min(13)
}

fn query_url(metadata_url: &str, z: u8, geometry: &Value, geometry_type: &str) -> String {
    let base = metadata_url.trim_end_matches('/');
    format!(
        "{base}/{}/query?f=json&where=1%3D1&outFields={}&geometry={}&geometryType={geometry_type}\
         &inSR=4326&spatialRel=esriSpatialRelIntersects&returnGeometry=false",
        layer_id(z),
        FIELDS.join(","),
        percent_encode(&geometry.to_string()),
    )
}

/// The query for the capture area under `lonlat` at zoom `z`.
#[must_use]
pub fn point_query_url(metadata_url: &str, z: u8, lonlat: [f64; 2]) -> String {
    let geometry = json!({"x": lonlat[0], "y": lonlat[1], "spatialReference": {"wkid": 4326}});
    query_url(metadata_url, z, &geometry, "esriGeometryPoint")
}

/// One query for the capture areas under any of `points` (a view's corners).
#[must_use]
pub fn points_query_url(metadata_url: &str, z: u8, points: &[[f64; 2]]) -> String {
    let geometry = json!({"points": points, "spatialReference": {"wkid": 4326}});
    query_url(metadata_url, z, &geometry, "esriGeometryMultipoint")
}

/// A day from `SRC_DATE2` (epoch milliseconds) or a text date (`2020-05-01`, `20200501`).
fn day_of(value: &Value) -> Option<NaiveDate> {
    if let Some(ms) = value.as_f64() {
        // Whole milliseconds: a fraction of one says nothing about the day.
        #[allow(clippy::cast_possible_truncation)]
        return chrono::DateTime::from_timestamp_millis(ms as i64).map(|t| t.date_naive());
    }
    let text = value.as_str()?.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y%m%d"))
        .ok()
}

fn info_of(attributes: &Value) -> CaptureInfo {
    let text = |key: &str| {
        attributes
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let number = |key: &str| {
        let value = attributes.get(key)?;
        value
            .as_f64()
            .or_else(|| value.as_str()?.trim().parse().ok())
            .filter(|v: &f64| v.is_finite())
    };
    CaptureInfo {
        date: attributes
            .get("SRC_DATE2")
            .and_then(day_of)
            .or_else(|| attributes.get("SRC_DATE").and_then(day_of)),
        provider: text("NICE_DESC"),
        source: text("SRC_DESC"),
        resolution_m: number("SAMP_RES"),
        accuracy_m: number("SRC_ACC"),
    }
}

/// The capture areas in a query answer, in the server's order; an `ArcGIS` `error` object or a
/// document without `features` is an error naming `url`.
pub fn parse_features(bytes: &[u8], url: &str) -> Result<Vec<CaptureInfo>, CaptureError> {
    let malformed = |message: String| CaptureError::Malformed {
        what: "metadata",
        message,
        url: url.to_owned(),
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|_| malformed("not JSON".into()))?;
    if let Some(error) = doc.get("error") {
        let code = error.get("code").map_or("?".into(), Value::to_string);
        return Err(malformed(format!("service error {code}")));
    }
    let Some(features) = doc.get("features").and_then(Value::as_array) else {
        return Err(malformed("no `features` array".into()));
    };
    Ok(features
        .iter()
        .filter_map(|f| f.get("attributes"))
        .map(info_of)
        .collect())
}

/// The capture area under `lonlat` in the release whose metadata service is `metadata_url`;
/// `None` where the service has none there.
pub fn capture_at(
    http: &WaybackHttp,
    metadata_url: &str,
    z: u8,
    lonlat: [f64; 2],
) -> Result<Option<CaptureInfo>, CaptureError> {
    let url = point_query_url(metadata_url, z, lonlat);
    Ok(parse_features(&http.get("metadata", &url)?, &url)?
        .into_iter()
        .next())
}

/// The capture areas under any of `points`, in one request.
pub fn captures_at(
    http: &WaybackHttp,
    metadata_url: &str,
    z: u8,
    points: &[[f64; 2]],
) -> Result<Vec<CaptureInfo>, CaptureError> {
    let url = points_query_url(metadata_url, z, points);
    parse_features(&http.get("metadata", &url)?, &url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sublayer_follows_the_zoom_down_to_zoom_10() {
        assert_eq!(layer_id(23), 0);
        assert_eq!(layer_id(17), 6);
        assert_eq!(layer_id(10), 13);
        assert_eq!(layer_id(4), 13);
    }

    #[test]
    fn a_point_query_asks_esris_fields_at_the_point() {
        let url = point_query_url("https://m/MapServer/", 17, [130.5, 42.25]);
        assert!(url.starts_with("https://m/MapServer/6/query?f=json&where=1%3D1"));
        assert!(url.contains("outFields=SRC_DATE2,NICE_DESC,SRC_DESC,SAMP_RES,SRC_ACC"));
        assert!(url.contains("geometryType=esriGeometryPoint"));
        assert!(url.contains("%22x%22%3A130.5"), "{url}");
    }

    #[test]
    fn attributes_become_a_dated_capture() {
        let body = br#"{"features": [{"attributes": {"SRC_DATE2": 1588291200000,
            "NICE_DESC": "Maxar", "SRC_DESC": "WV02", "SAMP_RES": 0.5, "SRC_ACC": 5}},
            {"attributes": {"SRC_DATE": "20190102", "SAMP_RES": "0.3"}}]}"#;
        let found = parse_features(body, "u").unwrap();
        assert_eq!(found[0].date, NaiveDate::from_ymd_opt(2020, 5, 1));
        assert_eq!(
            found[0].description(),
            "Maxar (WV02), 0.5 m resolution, 5 m accuracy"
        );
        assert_eq!(found[1].date, NaiveDate::from_ymd_opt(2019, 1, 2));
        assert_eq!(found[1].resolution_m, Some(0.3));
        assert_eq!(found[1].provider, None);
    }

    #[test]
    fn a_service_error_or_garbage_is_an_error_naming_the_url() {
        for body in [&br#"{"error": {"code": 400}}"#[..], b"{}", b"<html>"] {
            let text = parse_features(body, "http://m/6/query")
                .unwrap_err()
                .to_string();
            assert!(
                text.starts_with("Wayback metadata: unexpected answer"),
                "{text}"
            );
            assert!(text.ends_with(": http://m/6/query"), "{text}");
        }
    }
}
