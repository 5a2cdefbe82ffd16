//! The project file: round trips, unknown fields, typed errors with positions, atomic saves.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use sitewatch::model::io::{ProjectError, load, parse, save_atomic, to_json_string};
use sitewatch::model::{Certainty, Evidence, Shape, Status};

const SMALL: &str = r##"{
  "type": "FeatureCollection",
  "name": "kept by QGIS",
  "sitewatch": {
    "format_version": 1,
    "name": "Test site",
    "home": [130.6, 42.4, 130.7, 42.45],
    "future_setting": {"nested": [1, 2, 3]},
    "categories": [{"key": "pier", "name": "Pier", "style": {"color": "#F0E442", "width_px": 4, "fill_alpha": 60, "marker": "square", "glow": true}}],
    "sources": [{"key": "s1", "outlet": "Outlet", "title": "Report", "date": "2025-06", "evidence": "reported", "language": "ko"}],
    "stages": [
      {"date": "2025-10-14", "title": "Later", "sources": [{"source": "s1", "evidence": "confirmed"}]},
      {"date": "late 2025-05", "title": "Earlier", "summary": "first", "sources": [{"source": "s1", "evidence": "reported", "page": 3}]}
    ]
  },
  "features": [
    {
      "type": "Feature",
      "id": "pier-1",
      "geometry": {"type": "Point", "coordinates": [130.64, 42.41]},
      "properties": {
        "label": "Pier", "category": "pier", "status": "complete", "certainty": "possible",
        "seen_from": "late 2025-05", "seen_until": "2026-03",
        "sources": [{"source": "s1", "evidence": "derived", "detail": "placed by eye"}],
        "note": "approximate", "analyst": "jk"
      },
      "custom_member": 42
    },
    {
      "type": "Feature",
      "id": 7,
      "geometry": {"type": "Polygon", "coordinates": [[[130.6, 42.4], [130.61, 42.4], [130.61, 42.41], [130.6, 42.4]]]},
      "properties": {"label": "Yard", "category": "yard", "seen_from": "2025"}
    }
  ]
}"##;

#[test]
fn a_small_project_loads_with_every_field() {
    let loaded = parse(SMALL, "test").unwrap();
    let p = &loaded.project;
    assert_eq!(p.name, "Test site");
    assert_eq!(p.annotations.len(), 2);
    let pier = p.annotation("pier-1").unwrap();
    assert!(matches!(pier.shape, Shape::Point(_)));
    assert_eq!(pier.status, Status::Complete);
    assert_eq!(pier.certainty, Certainty::Possible);
    assert_eq!(pier.seen_from.to_string(), "late 2025-05");
    assert_eq!(pier.sources[0].evidence, Evidence::Derived);
    // A numeric id is read as text; defaults fill what a minimal feature leaves out.
    let yard = p.annotation("7").unwrap();
    assert_eq!(yard.status, Status::UnderConstruction);
    assert_eq!(yard.certainty, Certainty::Probable);
    // Stages come out sorted by date whatever the file order.
    let titles: Vec<_> = p.stages.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Earlier", "Later"]);
    // The unknown category is a warning, not a failure.
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(loaded.warnings[0].contains("yard"));
}

#[test]
fn fields_this_version_does_not_know_survive_a_round_trip() {
    let project = parse(SMALL, "test").unwrap().project;
    let text = to_json_string(&project);
    let again = parse(&text, "round trip").unwrap().project;
    assert_eq!(again, project);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["name"], "kept by QGIS");
    assert_eq!(json["sitewatch"]["future_setting"]["nested"][2], 3);
    assert_eq!(json["sitewatch"]["categories"][0]["style"]["glow"], true);
    assert_eq!(json["sitewatch"]["sources"][0]["language"], "ko");
    assert_eq!(json["sitewatch"]["stages"][0]["sources"][0]["page"], 3);
    assert_eq!(json["features"][0]["properties"]["analyst"], "jk");
    assert_eq!(json["features"][0]["custom_member"], 42);
}

#[test]
fn the_saved_file_is_plain_rfc_7946_geojson() {
    let project = parse(SMALL, "test").unwrap().project;
    let json: serde_json::Value = serde_json::from_str(&to_json_string(&project)).unwrap();
    assert_eq!(json["type"], "FeatureCollection");
    let f = &json["features"][0];
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["geometry"]["type"], "Point");
    assert_eq!(f["geometry"]["coordinates"][0], 130.64);
    assert_eq!(f["geometry"]["coordinates"][1], 42.41);
    let ring = &json["features"][1]["geometry"]["coordinates"][0];
    assert_eq!(
        ring[0],
        ring[ring.as_array().unwrap().len() - 1],
        "rings are closed"
    );
}

fn json_error(text: &str) -> (usize, usize, String) {
    match parse(text, "bad.geojson") {
        Err(ProjectError::Json {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn broken_json_is_a_typed_error_with_line_and_column() {
    let text = "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [,]\n}";
    let (line, column, _) = json_error(text);
    assert_eq!((line, column), (3, 16), "the stray comma");
    let err = parse(text, "bad.geojson").unwrap_err().to_string();
    assert!(err.contains("line 3, column 16"), "{err}");
    assert!(err.ends_with("bad.geojson"), "the file comes last: {err}");
}

#[test]
fn a_bad_date_is_reported_where_it_stands() {
    let text = SMALL.replace("\"seen_from\": \"2025\"", "\"seen_from\": \"sometime\"");
    let (line, _, message) = json_error(&text);
    let expected_line = text.lines().position(|l| l.contains("sometime")).unwrap() + 1;
    assert_eq!(line, expected_line);
    assert!(message.contains("'sometime' is not a date"), "{message}");
}

#[test]
fn an_unsupported_geometry_type_is_named_in_the_error() {
    let text = SMALL.replace("\"type\": \"Point\"", "\"type\": \"MultiPoint\"");
    let (_, _, message) = json_error(&text);
    assert!(message.contains("MultiPoint"), "{message}");
}

#[test]
fn a_file_that_is_not_a_feature_collection_is_refused() {
    let text = SMALL.replacen("\"FeatureCollection\"", "\"Feature\"", 1);
    let (line, _, _) = json_error(&text);
    assert_eq!(line, 2);
}

#[test]
fn coordinates_out_of_range_and_duplicate_ids_are_invalid() {
    let text = SMALL.replace("[130.64, 42.41]", "[130.64, 95.0]");
    let err = parse(&text, "f").unwrap_err();
    assert!(matches!(err, ProjectError::Invalid { .. }));
    assert!(err.to_string().contains("pier-1"), "{err}");
    let text = SMALL.replace("\"id\": 7", "\"id\": \"pier-1\"");
    let err = parse(&text, "f").unwrap_err();
    assert!(err.to_string().contains("repeats the id"), "{err}");
}

#[test]
fn a_missing_file_names_the_file() {
    let err = load(std::path::Path::new("/nonexistent/site.geojson")).unwrap_err();
    assert!(matches!(err, ProjectError::Read { .. }));
    assert!(
        err.to_string().ends_with("/nonexistent/site.geojson"),
        "{err}"
    );
}

#[test]
fn a_save_replaces_the_file_atomically_and_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    std::fs::write(&path, "old contents").unwrap();
    let project = parse(SMALL, "test").unwrap().project;
    save_atomic(&project, &path).unwrap();
    assert_eq!(load(&path).unwrap().project, project);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temp file is left behind");
}

#[test]
fn a_failed_save_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-folder").join("site.geojson");
    let project = parse(SMALL, "test").unwrap().project;
    assert!(matches!(
        save_atomic(&project, &target),
        Err(ProjectError::Write { .. })
    ));
    // A target that is a folder cannot be replaced: the rename fails and the folder stays.
    let folder = dir.path().join("folder.geojson");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("inside"), "keep").unwrap();
    assert!(save_atomic(&project, &folder).is_err());
    assert_eq!(
        std::fs::read_to_string(folder.join("inside")).unwrap(),
        "keep"
    );
}
