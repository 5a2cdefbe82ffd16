//! `GeoJSON` (RFC 7946) import and export of annotations.
//!
//! Reads what GDAL and QGIS write: a `crs` member (WGS 84 or Web Mercator), numeric ids, any
//! properties, and Multi* geometries (split into one annotation per part). Writes a plain
//! `FeatureCollection` in lon/lat with exterior rings counter-clockwise, Sitewatch's properties
//! beside the foreign ones it read.

use chrono::NaiveDate;
use geo::{Coord, LineString, Orient as _, Point, Polygon, orient::Direction};
use geojson::{Feature, GeometryValue, Position};
use serde_json::{Map, Value, json};

use super::mapping::{Builder, RawFeature, check_position};
use super::{Imported, InterchangeError};
use crate::model::io::feature_json;
use crate::model::{Project, Shape};
use crate::spatial::mercator::EARTH_RADIUS_M;

/// How coordinates in the file are to be read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Crs {
    LonLat,
    WebMercator,
}

fn crs_of(root: &Map<String, Value>, origin: &str) -> Result<Crs, InterchangeError> {
    let Some(crs) = root.get("crs") else {
        return Ok(Crs::LonLat);
    };
    let name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let upper = name.to_ascii_uppercase();
    let code = upper
        .rsplit([':', '/'])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    match code.as_str() {
        "CRS84" | "4326" => Ok(Crs::LonLat),
        "3857" | "900913" | "102100" | "3785" => Ok(Crs::WebMercator),
        _ => Err(InterchangeError::UnsupportedCrs {
            origin: origin.to_owned(),
            crs: if name.is_empty() {
                crs.to_string()
            } else {
                name
            },
        }),
    }
}

fn coord(p: &Position, crs: Crs) -> Result<Coord<f64>, String> {
    let [x, y, ..] = p.as_slice() else {
        return Err(format!(
            "a position needs two numbers, got {:?}",
            p.as_slice()
        ));
    };
    let (x, y) = match crs {
        Crs::LonLat => (*x, *y),
        Crs::WebMercator => (
            (x / EARTH_RADIUS_M).to_degrees(),
            (y / EARTH_RADIUS_M).sinh().atan().to_degrees(),
        ),
    };
    check_position(x, y)
}

fn line(positions: &[Position], crs: Crs) -> Result<LineString<f64>, String> {
    let coords = positions
        .iter()
        .map(|p| coord(p, crs))
        .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 2 {
        return Err("a LineString needs at least two positions".into());
    }
    Ok(LineString::new(coords))
}

fn ring(positions: &[Position], crs: Crs) -> Result<LineString<f64>, String> {
    let mut coords = positions
        .iter()
        .map(|p| coord(p, crs))
        .collect::<Result<Vec<_>, _>>()?;
    if coords.first() != coords.last()
        && let Some(first) = coords.first().copied()
    {
        // Unclosed rings are common in hand-written files; close them rather than refuse.
        coords.push(first);
    }
    if coords.len() < 4 {
        return Err("a Polygon ring needs at least three distinct positions".into());
    }
    Ok(LineString::new(coords))
}

fn polygon(rings: &[Vec<Position>], crs: Crs) -> Result<Polygon<f64>, String> {
    let mut rings = rings.iter().map(|r| ring(r, crs));
    let exterior = rings.next().ok_or("a Polygon needs an exterior ring")??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// The parts of a geometry: Multi* and collections split, one shape each.
fn parts(value: &GeometryValue, crs: Crs) -> Result<Vec<Shape>, String> {
    Ok(match value {
        GeometryValue::Point { coordinates } => vec![Shape::Point(Point(coord(coordinates, crs)?))],
        GeometryValue::MultiPoint { coordinates } => coordinates
            .iter()
            .map(|p| coord(p, crs).map(|c| Shape::Point(Point(c))))
            .collect::<Result<_, _>>()?,
        GeometryValue::LineString { coordinates } => vec![Shape::Line(line(coordinates, crs)?)],
        GeometryValue::MultiLineString { coordinates } => coordinates
            .iter()
            .map(|l| line(l, crs).map(Shape::Line))
            .collect::<Result<_, _>>()?,
        GeometryValue::Polygon { coordinates } => {
            vec![Shape::Polygon(polygon(coordinates, crs)?)]
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .map(|p| polygon(p, crs).map(Shape::Polygon))
            .collect::<Result<_, _>>()?,
        GeometryValue::GeometryCollection { geometries } => {
            let mut out = Vec::new();
            for g in geometries {
                out.extend(parts(&g.value, crs)?);
            }
            out
        }
    })
}

fn id_text(id: Option<&geojson::feature::Id>) -> Option<String> {
    match id? {
        geojson::feature::Id::String(s) => Some(s.clone()),
        geojson::feature::Id::Number(n) => Some(n.to_string()),
    }
}

fn raw_feature(index: usize, value: &Value, crs: Crs) -> RawFeature {
    let id_hint = value.get("id").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let origin = match &id_hint {
        Some(id) => format!("feature {} (id {id})", index + 1),
        None => format!("feature {}", index + 1),
    };
    let feature: Feature = match serde_json::from_value(value.clone()) {
        Ok(f) => f,
        Err(e) => {
            let why = if value.get("geometry").and_then(|g| g.get("type")).is_some() {
                let kind = value
                    .pointer("/geometry/type")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                format!("geometry type {kind} is not supported or malformed ({e})")
            } else {
                format!("not a GeoJSON Feature ({e})")
            };
            return RawFeature {
                origin,
                shapes: Err(why),
                ..RawFeature::default()
            };
        }
    };
    let shapes = match &feature.geometry {
        None => Err("no geometry (null)".to_owned()),
        Some(g) => parts(&g.value, crs),
    };
    let mut extra_members = feature.foreign_members.clone().unwrap_or_default();
    // A bbox is recomputed by whoever needs it; a stale one must not travel on.
    extra_members.remove("bbox");
    RawFeature {
        origin,
        id: id_text(feature.id.as_ref()),
        shapes,
        properties: feature.properties.unwrap_or_default(),
        extra_members,
        category_hint: None,
    }
}

/// Reads `GeoJSON` text: a `FeatureCollection`, a single Feature or a bare geometry.
pub fn import_str(
    text: &str,
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    let root: Value = serde_json::from_str(text).map_err(|source| InterchangeError::Json {
        origin: origin.to_owned(),
        line: source.line(),
        column: source.column(),
        source,
    })?;
    let invalid = |what: String| InterchangeError::Invalid {
        origin: origin.to_owned(),
        what,
    };
    let Some(object) = root.as_object() else {
        return Err(invalid("the top level is not a JSON object".into()));
    };
    let crs = crs_of(object, origin)?;
    let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
    let features: Vec<Value> = match kind {
        "FeatureCollection" => object
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| invalid("a FeatureCollection without a features array".into()))?,
        "Feature" => vec![root.clone()],
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
        | "GeometryCollection" => {
            vec![json!({"type": "Feature", "geometry": root, "properties": {}})]
        }
        "" => return Err(invalid("no \"type\" member".into())),
        other => return Err(invalid(format!("type \"{other}\" is not GeoJSON"))),
    };
    let mut builder = Builder::new(project, default_date);
    for (i, f) in features.iter().enumerate() {
        builder.add(raw_feature(i, f, crs));
    }
    Ok(builder.finish())
}

/// How many features a `GeoJSON` file holds when it is plain `GeoJSON` (a `FeatureCollection` or
/// a `Feature`), not a Sitewatch project; `None` otherwise. A project that failed to load is
/// offered as a new project built from these features (the desktop's "Open with" passes any
/// `.geojson`).
#[must_use]
pub fn plain_feature_count(path: &std::path::Path) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let root: Value = serde_json::from_str(&text).ok()?;
    if root.get("sitewatch").is_some() {
        return None;
    }
    match root.get("type").and_then(Value::as_str)? {
        "FeatureCollection" => root
            .get("features")
            .and_then(Value::as_array)
            .map(Vec::len)
            .filter(|n| *n > 0),
        "Feature" => Some(1),
        _ => None,
    }
}

/// The project's annotations as a `GeoJSON` `FeatureCollection` (pretty-printed).
#[must_use]
pub fn export_string(project: &Project) -> String {
    let features: Vec<Value> = project
        .annotations
        .iter()
        .map(|a| {
            let mut a = a.clone();
            // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
            if let Shape::Polygon(p) = &a.shape {
                a.shape = Shape::Polygon(p.orient(Direction::Default));
            }
            feature_json(&a)
        })
        .collect();
    let doc = json!({
        "type": "FeatureCollection",
        "name": project.name,
        "features": features,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;

    fn empty() -> Project {
        let mut p = load_default_project().unwrap().project;
        p.annotations.clear();
        p
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
    }

    #[test]
    fn a_bare_geometry_imports_as_one_annotation() {
        let got = import_str(
            r#"{"type": "Point", "coordinates": [130.6, 42.4]}"#,
            "t",
            &empty(),
            date(),
        )
        .unwrap();
        assert_eq!(got.annotations.len(), 1);
        assert_eq!(got.annotations[0].label, "Imported feature");
    }

    #[test]
    fn web_mercator_coordinates_are_converted_and_other_crs_refused() {
        let text = r#"{"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
            "features": [{"type": "Feature", "properties": {},
                "geometry": {"type": "Point", "coordinates": [14542897.0, 5222000.0]}}]}"#;
        let got = import_str(text, "t", &empty(), date()).unwrap();
        let Shape::Point(p) = &got.annotations[0].shape else {
            panic!("a point")
        };
        assert!(
            (p.x() - 130.64).abs() < 0.01 && (p.y() - 42.41).abs() < 0.05,
            "{p:?}"
        );
        let utm = text.replace("EPSG::3857", "EPSG::32652");
        let err = import_str(&utm, "t.geojson", &empty(), date()).unwrap_err();
        assert!(matches!(err, InterchangeError::UnsupportedCrs { .. }));
        assert!(err.to_string().contains("32652"), "{err}");
    }

    #[test]
    fn malformed_json_names_the_line() {
        let err = import_str("{\"type\": \n oops", "bad.geojson", &empty(), date()).unwrap_err();
        let InterchangeError::Json { line, .. } = err else {
            panic!("{err}")
        };
        assert_eq!(line, 2);
    }

    #[test]
    fn bad_features_are_skipped_with_their_reason_and_the_rest_imported() {
        let text = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": 1, "properties": {"label": "ok"},
             "geometry": {"type": "Point", "coordinates": [130.6, 42.4]}},
            {"type": "Feature", "id": 2, "properties": {},
             "geometry": {"type": "Point", "coordinates": [230.6, 42.4]}},
            {"type": "Feature", "id": 3, "properties": {},
             "geometry": {"type": "CircularString", "coordinates": [[0, 0], [1, 1], [2, 0]]}},
            {"type": "Feature", "id": 4, "properties": {}, "geometry": null},
            {"type": "Feature", "id": 5, "properties": {},
             "geometry": {"type": "LineString", "coordinates": [[130.6, 42.4]]}}
        ]}"#;
        let got = import_str(text, "t", &empty(), date()).unwrap();
        assert_eq!(got.annotations.len(), 1);
        assert_eq!(got.skipped.len(), 4, "{:?}", got.skipped);
        let all = got.skipped.join("\n");
        for expected in [
            "outside longitude",
            "CircularString",
            "no geometry",
            "two positions",
        ] {
            assert!(all.contains(expected), "{expected} in {all}");
        }
    }

    #[test]
    fn a_self_intersecting_polygon_is_kept_with_a_warning() {
        let text = r#"{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
            "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}"#;
        let got = import_str(text, "t", &empty(), date()).unwrap();
        assert_eq!(got.annotations.len(), 1);
        assert!(
            got.warnings.iter().any(|w| w.contains("crosses itself")),
            "{:?}",
            got.warnings
        );
    }

    #[test]
    fn the_top_level_must_be_geojson() {
        for bad in ["[1, 2]", r#"{"type": "Topology"}"#, r#"{"features": []}"#] {
            assert!(matches!(
                import_str(bad, "t", &empty(), date()),
                Err(InterchangeError::Invalid { .. })
            ));
        }
    }
}
