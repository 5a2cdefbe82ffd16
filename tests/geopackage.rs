//! `GeoPackage`s as GIS colleagues send them (a fixture made with `ogr2ogr`: two feature tables in
//! two CRSs, see tests/fixtures/interchange/README.md), and ours as GDAL reads them.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::Coord;
use sitewatch::interchange::{Format, InterchangeError, export_file, import_file};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::{Project, Shape};
use sitewatch::spatial::measure::distance_m;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
}

fn empty() -> Project {
    let mut p = load_default_project().unwrap().project;
    p.annotations.clear();
    p
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interchange/geopackage/two-crs.gpkg")
}

fn metres(a: Coord<f64>, b: Coord<f64>) -> f64 {
    distance_m(a.into(), b.into())
}

#[test]
fn both_tables_of_a_two_crs_geopackage_land_within_a_metre_of_their_sources() {
    let got = import_file(&fixture(), &empty(), date()).unwrap();
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    // Three points (UTM 52N) and a two-part multipolygon plus a polygon (Albers, no EPSG code).
    assert_eq!(got.annotations.len(), 6);
    // Positions from tests/fixtures/interchange/shapefile/sites-*.geojson, the sources.
    for (label, lonlat) in [
        ("Customs", (130.6412, 42.4187)),
        ("Pier 2", (130.6498, 42.4102)),
        ("Mast", (130.6301, 42.4255)),
    ] {
        let a = got.annotations.iter().find(|a| a.label == label).unwrap();
        let Shape::Point(p) = &a.shape else {
            panic!("{label}")
        };
        let d = metres(
            p.0,
            Coord {
                x: lonlat.0,
                y: lonlat.1,
            },
        );
        assert!(d < 1.0, "{label}: {d} m");
    }
    let by = |label: &str| got.annotations.iter().find(|a| a.label == label).unwrap();
    assert_eq!(by("Customs").category, "building");
    assert_eq!(
        by("Mast").category,
        "sites_utm52n",
        "a feature naming none takes its table's"
    );
    let customs = got
        .annotations
        .iter()
        .find(|a| a.label == "Customs")
        .unwrap();
    assert_eq!(customs.seen_from.to_string(), "2025-06-02");
    assert_eq!(customs.extra_properties["name:ko"], "세관");
    assert_eq!(customs.extra_properties["name:ru"], "Таможня");
    let yards: Vec<_> = got
        .annotations
        .iter()
        .filter(|a| a.label == "Yards")
        .collect();
    assert_eq!(yards.len(), 2, "one annotation per part");
    let Shape::Polygon(with_hole) = &yards[0].shape else {
        panic!()
    };
    assert_eq!(with_hole.interiors().len(), 1);
    let nearest_corner = with_hole
        .exterior()
        .0
        .iter()
        .map(|c| {
            metres(
                *c,
                Coord {
                    x: 130.640,
                    y: 42.420,
                },
            )
        })
        .fold(f64::INFINITY, f64::min);
    assert!(nearest_corner < 1.0, "{nearest_corner} m");
    let platform = got
        .annotations
        .iter()
        .find(|a| a.label == "Platform")
        .unwrap();
    assert_eq!(platform.seen_from.to_string(), "2025-08-20");
}

#[test]
fn our_geopackage_round_trips_the_default_project() {
    let project = load_default_project().unwrap().project;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.gpkg");
    export_file(&path, &project, Format::GeoPackage).unwrap();
    let got = import_file(&path, &empty(), date()).unwrap();
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    assert_eq!(got.annotations.len(), project.annotations.len());
    for (a, b) in project.annotations.iter().zip(&got.annotations) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.label, b.label);
        assert_eq!(a.category, b.category);
        assert_eq!(a.seen_from, b.seen_from, "{}", a.label);
        assert_eq!(a.seen_until, b.seen_until, "{}", a.label);
        assert_eq!(
            a.sources, b.sources,
            "{}: citations survive as JSON",
            a.label
        );
        assert_eq!(a.shape.vertices(), b.shape.vertices(), "{}", a.label);
    }
    // Writing again replaces the file whole.
    export_file(&path, &project, Format::GeoPackage).unwrap();
    let again = import_file(&path, &empty(), date()).unwrap();
    assert_eq!(again.annotations.len(), project.annotations.len());
}

/// GDAL (as QGIS uses it) reads our `GeoPackage`: `ogrinfo` validates its tables and counts every
/// annotation. Needs gdal-bin, which CI installs; without it the test says so and checks nothing
/// else.
#[test]
fn ogrinfo_reads_our_geopackage() {
    let project = load_default_project().unwrap().project;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.gpkg");
    export_file(&path, &project, Format::GeoPackage).unwrap();
    let Ok(out) = std::process::Command::new("ogrinfo")
        .args([
            "-ro",
            "-al",
            "-so",
            "--config",
            "OGR_GPKG_INTEGRITY_CHECK",
            "YES",
        ])
        .arg(&path)
        .output()
    else {
        eprintln!("ogrinfo is not installed (apt-get install gdal-bin); not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}{errors}");
    assert!(
        !errors.contains("ERROR") && !errors.contains("Warning"),
        "{errors}"
    );
    assert!(text.contains("Layer name: annotations"), "{text}");
    assert!(text.contains("EPSG\",4326"), "{text}");
    let count: usize = text
        .lines()
        .filter_map(|l| l.strip_prefix("Feature Count: "))
        .map(|n| n.trim().parse::<usize>().unwrap())
        .sum();
    assert_eq!(count, project.annotations.len(), "{text}");
}

#[test]
fn files_that_are_not_geopackages_say_so_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.gpkg");
    std::fs::write(&text, "not a database at all, just some text").unwrap();
    let err = import_file(&text, &empty(), date()).unwrap_err();
    assert!(
        matches!(err, InterchangeError::GeoPackage { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("notes.gpkg"), "{err}");

    // A SQLite database without the GeoPackage tables.
    let plain = dir.path().join("plain.gpkg");
    let db = rusqlite::Connection::open(&plain).unwrap();
    db.execute_batch("CREATE TABLE sites (name TEXT); INSERT INTO sites VALUES ('a');")
        .unwrap();
    drop(db);
    let err = import_file(&plain, &empty(), date()).unwrap_err();
    assert!(matches!(err, InterchangeError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("gpkg_contents"), "{err}");

    let missing = dir.path().join("missing.gpkg");
    let err = import_file(&missing, &empty(), date()).unwrap_err();
    assert!(err.to_string().contains("missing.gpkg"), "{err}");
    assert!(!missing.exists(), "reading never creates the file");

    // A truncated copy of the fixture.
    let bytes = std::fs::read(fixture()).unwrap();
    let cut = dir.path().join("cut.gpkg");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let err = import_file(&cut, &empty(), date()).unwrap_err();
    assert!(err.to_string().contains("cut.gpkg"), "{err}");
}

#[test]
fn a_column_name_that_is_not_utf8_is_read_lossily_not_a_panic() {
    // Found by the gpkg fuzz target (fuzz/regressions/gpkg): the fixture with one byte of a
    // column name turned into an invalid UTF-8 sequence; rusqlite's `column_name` panicked on it.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/gpkg/column-name-not-utf8");
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("mangled.gpkg");
    std::fs::copy(&path, &origin).unwrap();
    let got = import_file(&origin, &empty(), date()).unwrap();
    assert!(!got.annotations.is_empty());
    let lossy = got
        .annotations
        .iter()
        .flat_map(|a| a.extra_properties.keys())
        .filter(|k| k.contains('\u{FFFD}'))
        .count();
    assert!(lossy > 0, "{:#?}", got.annotations[0].extra_properties);
}
