//! Files that never lose work: atomic saves that survive an interruption, autosave recovery,
//! and annotations in and out as GeoJSON and KML.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{LineString, Point, Polygon};
use sitewatch::editing::create::add_drawn;
use sitewatch::editing::{Edit, History, Tool};
use sitewatch::interchange::{InterchangeError, geojson, import_edit, kml};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{WriteStep, load, save_atomic, write_atomic_with};
use sitewatch::model::recovery::RecoveryStore;
use sitewatch::model::{Mark, Project, Shape};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
}

fn project() -> Project {
    load_default_project().unwrap().project
}

fn empty() -> Project {
    let mut p = project();
    p.annotations.clear();
    p
}

/// The default project plus a text label and an arrow, with a foreign property.
fn with_marks() -> Project {
    let mut p = project();
    let (text, text_id) = add_drawn(
        &p,
        Tool::Text,
        Shape::Point(Point::new(130.64, 42.41)),
        date(),
        None,
    );
    text.apply(&mut p).unwrap();
    let arrow = Shape::Line(LineString::from(vec![(130.63, 42.40), (130.64, 42.41)]));
    let (edit, arrow_id) = add_drawn(&p, Tool::Arrow, arrow, date(), None);
    edit.apply(&mut p).unwrap();
    let text = p.annotations.iter_mut().find(|a| a.id == text_id).unwrap();
    text.label = "Probable rail spur <here> & \"there\"".into();
    text.extra_properties.insert("analyst".into(), "jk".into());
    assert!(p.annotation(&arrow_id).is_some());
    p
}

#[test]
fn a_saved_project_loads_back_the_same_text_labels_and_arrows_included() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    let p = with_marks();
    save_atomic(&p, &path).unwrap();
    let back = load(&path).unwrap().project;
    assert_eq!(back, p);
    assert!(back.annotations.iter().any(|a| a.mark == Mark::Text));
    assert!(back.annotations.iter().any(|a| a.mark == Mark::Arrow));
}

#[test]
fn a_save_interrupted_after_the_temp_file_is_written_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    std::fs::write(&path, "old contents").unwrap();
    let mut steps = Vec::new();
    let result = write_atomic_with(&path, b"new contents", &mut |step| {
        steps.push(step);
        Err(io::Error::other("power cut"))
    });
    assert!(result.is_err());
    assert_eq!(
        steps,
        vec![WriteStep::TempWritten],
        "stopped after the temp file"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &path)
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temp file left behind: {leftovers:?}"
    );

    // Without the interruption the same call replaces the file.
    write_atomic_with(&path, b"new contents", &mut |_| Ok(())).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new contents");
}

#[test]
fn autosaved_work_comes_back_and_is_gone_after_clearing() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::new(dir.path().join("recovery"));
    assert!(store.read().unwrap().is_none(), "nothing to recover yet");
    let p = with_marks();
    let ticket = store.ticket();
    assert!(
        store
            .write(ticket, &p, Some(Path::new("/somewhere/site.geojson")))
            .unwrap(),
        "a write after no clear lands"
    );
    let recovered = store.read().unwrap().expect("work to recover");
    assert_eq!(recovered.loaded.project, p);
    assert_eq!(
        recovered.info.project_path.as_deref(),
        Some(Path::new("/somewhere/site.geojson"))
    );
    assert!(!recovered.info.saved_at.is_empty());
    store.clear().unwrap();
    assert!(store.read().unwrap().is_none());
    store.clear().unwrap();
}

#[test]
fn annotations_round_trip_through_geojson() {
    let p = with_marks();
    let text = geojson::export_string(&p);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        value.get("sitewatch").is_none(),
        "a plain FeatureCollection"
    );
    let got = geojson::import_str(&text, "export.geojson", &empty(), date()).unwrap();
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    assert!(got.new_categories.is_empty());
    let mut expected = p.annotations.clone();
    let mut imported = got.annotations;
    // Rings are written counter-clockwise; compare as drawn.
    for a in expected.iter_mut().chain(imported.iter_mut()) {
        if let Shape::Polygon(poly) = &a.shape {
            use geo::Orient as _;
            a.shape = Shape::Polygon(poly.orient(geo::orient::Direction::Default));
        }
    }
    assert_eq!(imported, expected);
}

#[test]
fn annotations_round_trip_through_kml_with_their_dates() {
    let p = with_marks();
    let text = kml::export_string(&p).unwrap();
    assert!(
        text.contains("<TimeSpan>"),
        "Google Earth's slider needs time spans"
    );
    assert!(text.contains("<begin>2025-10-14</begin>"));
    assert!(text.contains("<Style id=\"cat-"), "styles by category");
    assert!(text.contains("&lt;here&gt; &amp;"), "text is escaped");
    let got = kml::import_str(&text, "export.kml", &empty(), date()).unwrap();
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    assert_eq!(got.annotations.len(), p.annotations.len());
    for (a, b) in p.annotations.iter().zip(&got.annotations) {
        assert_eq!(b.id, a.id);
        assert_eq!(b.label, a.label);
        assert_eq!(b.category, a.category);
        assert_eq!(b.status, a.status);
        assert_eq!(b.certainty, a.certainty);
        assert_eq!(b.mark, a.mark);
        assert_eq!(b.seen_from, a.seen_from, "{}: precision kept", a.id);
        assert_eq!(b.seen_until, a.seen_until);
        assert_eq!(b.sources, a.sources);
        assert_eq!(b.note, a.note);
        assert_eq!(b.extra_properties, a.extra_properties);
        let (va, vb) = (a.shape.vertices(), b.shape.vertices());
        assert_eq!(va.len(), vb.len());
        for (x, y) in va.iter().zip(&vb) {
            assert!((x.x - y.x).abs() < 1e-9 && (x.y - y.y).abs() < 1e-9);
        }
    }
}

#[test]
fn a_qgis_export_with_crs_extra_properties_and_multi_geometries_imports() {
    let text = std::fs::read_to_string("tests/fixtures/interchange/qgis-export.geojson").unwrap();
    let target = project();
    let got = geojson::import_str(&text, "qgis-export.geojson", &target, date()).unwrap();
    // 2 polygons + 2 lines + 2 points; the null geometry is skipped with its reason.
    assert_eq!(got.annotations.len(), 6, "{:?}", got.skipped);
    assert_eq!(got.skipped.len(), 1);
    assert!(got.skipped[0].contains("id 3") && got.skipped[0].contains("no geometry"));
    let ids: Vec<&str> = got.annotations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["0-1", "0-2", "1-1", "1-2", "2-1", "2-2"]);
    let yards = &got.annotations[0];
    assert_eq!(yards.label, "Customs yards", "the name becomes the label");
    assert!(matches!(yards.shape, Shape::Polygon(_)));
    assert_eq!(
        yards.extra_properties.get("surveyed").unwrap(),
        "2025-11-02"
    );
    assert_eq!(yards.extra_properties.get("area_ha").unwrap(), 4.2);
    assert_eq!(
        yards.extra_properties.get("name").unwrap(),
        "Customs yards",
        "kept as it was"
    );
    assert_eq!(
        yards.seen_from.key(),
        date(),
        "undated features take the slider's date"
    );
    assert!(got.warnings.iter().any(|w| w.contains("no seen_from")));
    assert_eq!(
        got.new_categories.len(),
        1,
        "one category for what names none"
    );

    // The import is one undoable step, and the foreign properties are written back.
    let mut p = target.clone();
    let mut history = History::new();
    let edit = import_edit(&p, &got).unwrap();
    history.apply(&mut p, edit, None, 0.0).unwrap();
    assert_eq!(p.annotations.len(), target.annotations.len() + 6);
    let exported: serde_json::Value = serde_json::from_str(&geojson::export_string(&p)).unwrap();
    let yard = exported["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "0-1")
        .unwrap();
    assert_eq!(yard["properties"]["surveyed"], "2025-11-02");
    assert_eq!(yard["properties"]["fid"], 1);
    history.undo(&mut p).unwrap().unwrap();
    assert_eq!(p, target);
}

#[test]
fn an_unreadable_file_changes_nothing_and_says_why() {
    let p = project();
    for (bad, expect) in [
        ("{\"type\": \"FeatureCollection\", \"features\": [", "line"),
        ("<kml><Document><Placemark><name>x", "truncated"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ext = if bad.starts_with('<') {
            "kml"
        } else {
            "geojson"
        };
        let path = dir.path().join(format!("bad.{ext}"));
        std::fs::write(&path, bad).unwrap();
        let err = sitewatch::interchange::import_file(&path, &p, date()).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(expect), "{message}");
        assert!(
            message.ends_with(&path.display().to_string()),
            "the file comes last: {message}"
        );
    }
    let err = sitewatch::interchange::import_file(Path::new("notes.txt"), &p, date()).unwrap_err();
    assert!(matches!(err, InterchangeError::UnknownFormat { .. }));
}

#[test]
fn a_polygon_that_crosses_itself_is_imported_with_a_warning() {
    let bow = Shape::Polygon(Polygon::new(
        LineString::from(vec![
            (130.0, 42.0),
            (130.1, 42.1),
            (130.1, 42.0),
            (130.0, 42.1),
            (130.0, 42.0),
        ]),
        vec![],
    ));
    let mut p = empty();
    let (edit, _) = add_drawn(&p, Tool::Polygon, bow, date(), None);
    let _: Edit = edit.apply(&mut p).unwrap();
    let text = geojson::export_string(&p);
    let got = geojson::import_str(&text, "bow.geojson", &empty(), date()).unwrap();
    assert_eq!(got.annotations.len(), 1);
    assert!(got.warnings.iter().any(|w| w.contains("crosses itself")));
}
