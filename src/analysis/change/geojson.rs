//! Candidates as an RFC 7946 GeoJSON `FeatureCollection`: lon/lat polygons (exterior
//! counter-clockwise), each with `area_m2`, `score` (mean, σ), `class` and the band means; the
//! run's settings in a foreign member `sitewatch_changes`.

use std::path::{Path, PathBuf};

use geo::{LineString, Polygon};
use serde_json::{Value, json};

use super::find::{Candidate, ChangeReport};
use crate::model::atomic_file::write_atomic;

/// Why the file could not be written. The path comes last.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the changes file: {path}")]
pub struct WriteError {
    /// The OS error.
    #[source]
    pub source: std::io::Error,
    /// The file.
    pub path: PathBuf,
}

/// Rounds to 7 decimals (about a centimetre in degrees), as RFC 7946 advises against more.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn ring(line: &LineString<f64>) -> Value {
    Value::Array(
        line.0
            .iter()
            .map(|c| json!([round7(c.x), round7(c.y)]))
            .collect(),
    )
}

fn polygon(p: &Polygon<f64>) -> Value {
    let rings: Vec<Value> = std::iter::once(ring(p.exterior()))
        .chain(p.interiors().iter().map(ring))
        .collect();
    json!({"type": "Polygon", "coordinates": rings})
}

fn means(values: &[f64]) -> Value {
    Value::Array(values.iter().map(|&v| json!(round2(v))).collect())
}

/// One candidate as a GeoJSON Feature.
#[must_use]
pub fn feature(c: &Candidate) -> Value {
    let d = &c.description;
    json!({
        "type": "Feature",
        "id": c.id,
        "geometry": polygon(&c.polygon),
        "properties": {
            "area_m2": (c.area_m2 * 10.0).round() / 10.0,
            "score": round2(d.score_sigma),
            "peak_score": round2(d.peak_sigma),
            "class": d.class.word(),
            "before_mean": means(&d.before_mean),
            "after_mean": means(&d.after_mean),
            "after_mean_matched": means(&d.after_matched_mean),
            "pixels": c.pixels,
        }
    })
}

/// The whole report as a `FeatureCollection`.
#[must_use]
pub fn to_geojson(report: &ChangeReport) -> Value {
    let t = report.grid.crs_from_pixel.0;
    json!({
        "type": "FeatureCollection",
        "sitewatch_changes": {
            "track": report.track,
            "before": {"layer": report.before_layer, "date": report.before_date},
            "after": {"layer": report.after_layer, "date": report.after_date},
            "threshold_sigma": round2(f64::from(report.threshold_sigma)),
            "sensitivity": report.options.sensitivity,
            "min_area_m2": report.options.min_area_m2,
            "bbox": report.options.area_of_interest.map(<[f64; 4]>::from),
            "excluded_areas": report.options.exclude.len(),
            "bands": report.bands,
            "grid": {
                "crs": report.grid.crs.name(),
                "width": report.grid.width,
                "height": report.grid.height,
                "pixel_size": [t[1], -t[5]],
            },
            "score_unit": "sigma (robust standard deviations of the difference)",
        },
        "features": report.candidates.iter().map(feature).collect::<Vec<_>>(),
    })
}

/// Writes the report to `path` (through a temporary file).
pub fn write(report: &ChangeReport, path: &Path) -> Result<(), WriteError> {
    let mut text = serde_json::to_string_pretty(&to_geojson(report)).unwrap_or_default();
    text.push('\n');
    write_atomic(path, text.as_bytes()).map_err(|source| WriteError {
        source,
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::change::describe::{ChangeClass, Description};

    #[test]
    fn a_feature_carries_its_numbers_rounded_and_its_ring_as_given() {
        let ring = LineString::from(vec![
            (130.123_456_789, 42.0),
            (130.2, 42.0),
            (130.2, 42.1),
            (130.123_456_789, 42.0),
        ]);
        let c = Candidate {
            id: "change-1".to_owned(),
            polygon: Polygon::new(ring, vec![]),
            area_m2: 1234.567,
            pixels: 137,
            bounds_px: [1, 2, 3, 4],
            description: Description {
                score_sigma: 9.876,
                peak_sigma: 20.0,
                class: ChangeClass::Darker,
                before_mean: vec![100.123, 50.0],
                after_mean: vec![80.0, 40.0],
                after_matched_mean: vec![70.0, 35.0],
            },
        };
        let f = feature(&c);
        assert_eq!(f["id"], "change-1");
        assert_eq!(f["geometry"]["type"], "Polygon");
        assert_eq!(f["geometry"]["coordinates"][0][0][0], 130.123_456_8);
        assert_eq!(f["properties"]["area_m2"], 1234.6);
        assert_eq!(f["properties"]["score"], 9.88);
        assert_eq!(f["properties"]["class"], "darker");
        assert_eq!(f["properties"]["before_mean"][0], 100.12);
        assert_eq!(f["properties"]["pixels"], 137);
    }
}
