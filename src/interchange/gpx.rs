//! GPX import (GPS receivers, phone apps, `OsmAnd`): each waypoint a point, each track and route a
//! line (a track of several segments gives one line per segment), dated by its first time.

use chrono::NaiveDate;
use geo::{LineString, Point};
use serde_json::{Map, Value};

use super::mapping::{Builder, RawFeature, check_position};
use super::{Imported, InterchangeError};
use crate::model::{Project, Shape};

fn time_text(t: Option<&::gpx::Time>) -> Option<String> {
    t.and_then(|t| t.format().ok())
}

fn point(w: &::gpx::Waypoint) -> Result<Shape, String> {
    let p = w.point();
    Ok(Shape::Point(Point(check_position(p.x(), p.y())?)))
}

fn line(points: &[::gpx::Waypoint]) -> Result<Shape, String> {
    let coords = points
        .iter()
        .map(|w| {
            let p = w.point();
            check_position(p.x(), p.y())
        })
        .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 2 {
        return Err("a track or route needs at least two points".into());
    }
    Ok(Shape::Line(LineString::new(coords)))
}

fn properties(
    name: Option<&String>,
    description: Option<&String>,
    kind: Option<&String>,
    first: Option<&::gpx::Waypoint>,
    last: Option<&::gpx::Waypoint>,
) -> Map<String, Value> {
    let mut props = Map::new();
    if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
        props.insert("label".into(), Value::String(n.clone()));
    }
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        props.insert("note".into(), Value::String(d.clone()));
    }
    if let Some(k) = kind.filter(|k| !k.trim().is_empty()) {
        props.insert("gpx_type".into(), Value::String(k.clone()));
    }
    if let Some(from) = time_text(first.and_then(|w| w.time.as_ref())) {
        props.insert("seen_from".into(), Value::String(from));
    }
    if let Some(until) = time_text(last.and_then(|w| w.time.as_ref())) {
        props.insert("gpx_end_time".into(), Value::String(until));
    }
    props
}

fn origin_of(kind: &str, index: usize, name: Option<&String>) -> String {
    match name {
        Some(n) if !n.trim().is_empty() => format!("{kind} {} (\"{n}\")", index + 1),
        _ => format!("{kind} {}", index + 1),
    }
}

/// Reads GPX 1.0 or 1.1 bytes.
pub fn import_bytes(
    bytes: &[u8],
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    let gpx = ::gpx::read(bytes).map_err(|source| InterchangeError::Gpx {
        origin: origin.to_owned(),
        source,
    })?;
    if gpx.waypoints.is_empty() && gpx.tracks.is_empty() && gpx.routes.is_empty() {
        return Err(InterchangeError::Malformed {
            origin: origin.to_owned(),
            format: "GPX",
            what: "no waypoint, track or route".into(),
        });
    }
    let mut builder = Builder::new(project, default_date);
    for (i, w) in gpx.waypoints.iter().enumerate() {
        let mut props = properties(
            w.name.as_ref(),
            w.description.as_ref().or(w.comment.as_ref()),
            w.type_.as_ref(),
            Some(w),
            None,
        );
        if let Some(e) = w.elevation {
            props.insert("elevation_m".into(), Value::from(e));
        }
        builder.add(RawFeature {
            origin: origin_of("waypoint", i, w.name.as_ref()),
            shapes: point(w).map(|s| vec![s]),
            properties: props,
            ..RawFeature::default()
        });
    }
    for (i, t) in gpx.tracks.iter().enumerate() {
        let points = t.segments.iter().flat_map(|s| s.points.iter());
        let first = points.clone().find(|w| w.time.is_some());
        let last = points.rev().find(|w| w.time.is_some());
        let shapes = t
            .segments
            .iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| line(&s.points))
            .collect::<Result<Vec<_>, _>>();
        builder.add(RawFeature {
            origin: origin_of("track", i, t.name.as_ref()),
            shapes,
            properties: properties(
                t.name.as_ref(),
                t.description.as_ref().or(t.comment.as_ref()),
                t.type_.as_ref(),
                first,
                last,
            ),
            ..RawFeature::default()
        });
    }
    for (i, r) in gpx.routes.iter().enumerate() {
        let first = r.points.iter().find(|w| w.time.is_some());
        let last = r.points.iter().rfind(|w| w.time.is_some());
        builder.add(RawFeature {
            origin: origin_of("route", i, r.name.as_ref()),
            shapes: line(&r.points).map(|s| vec![s]),
            properties: properties(
                r.name.as_ref(),
                r.description.as_ref().or(r.comment.as_ref()),
                r.type_.as_ref(),
                first,
                last,
            ),
            ..RawFeature::default()
        });
    }
    Ok(builder.finish())
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

    const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <wpt lat="42.41" lon="130.64"><ele>12.5</ele><time>2025-06-02T10:00:00Z</time><name>Pier 2</name></wpt>
 <trk><name>Survey</name><trkseg>
  <trkpt lat="42.40" lon="130.60"><time>2025-06-03T08:00:00Z</time></trkpt>
  <trkpt lat="42.41" lon="130.61"><time>2025-06-03T08:05:00Z</time></trkpt>
 </trkseg><trkseg>
  <trkpt lat="42.42" lon="130.62"/><trkpt lat="42.43" lon="130.63"/>
 </trkseg></trk>
 <rte><name>Short</name><rtept lat="42.4" lon="130.6"/></rte>
</gpx>"#;

    #[test]
    fn waypoints_tracks_and_routes_import_with_names_and_dates() {
        let got = import_bytes(GPX.as_bytes(), "t.gpx", &empty(), date()).unwrap();
        assert_eq!(got.annotations.len(), 3, "{:?}", got.skipped);
        let pier = &got.annotations[0];
        assert_eq!(pier.label, "Pier 2");
        assert_eq!(pier.seen_from.to_string(), "2025-06-02");
        assert_eq!(pier.extra_properties["elevation_m"], 12.5);
        let Shape::Point(p) = pier.shape else {
            panic!()
        };
        assert!((p.x() - 130.64).abs() < 1e-9 && (p.y() - 42.41).abs() < 1e-9);
        // The track's two segments are two lines dated by the first time.
        assert_eq!(got.annotations[1].label, "Survey");
        assert_eq!(got.annotations[1].seen_from.to_string(), "2025-06-03");
        assert!(matches!(got.annotations[2].shape, Shape::Line(_)));
        assert_eq!(got.skipped.len(), 1, "a one-point route: {:?}", got.skipped);
        assert!(got.skipped[0].contains("route 1"), "{:?}", got.skipped);
    }

    #[test]
    fn broken_or_empty_gpx_is_an_error() {
        let truncated = &GPX[..GPX.len() / 2];
        let err = import_bytes(truncated.as_bytes(), "bad.gpx", &empty(), date()).unwrap_err();
        assert!(err.to_string().contains("bad.gpx"), "{err}");
        let none = import_bytes(
            br#"<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"></gpx>"#,
            "none.gpx",
            &empty(),
            date(),
        );
        assert!(matches!(none, Err(InterchangeError::Malformed { .. })));
    }
}
