//! The files analysts trade, imported as a user would: CSV from spreadsheets, GPX from phones,
//! KMZ from Google Earth, Shapefiles from GIS colleagues (fixtures made with `ogr2ogr`, see
//! tests/fixtures/interchange/README.md); and KMZ written back.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::Coord;
use sitewatch::editing::History;
use sitewatch::interchange::{
    Format, ImportOptions, Imported, InterchangeError, ShapefileOptions, export_file, import_edit,
    import_file, import_file_with, kmz, sort_dropped,
};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::{Annotation, Project, Shape};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
}

fn empty() -> Project {
    let mut p = load_default_project().unwrap().project;
    p.annotations.clear();
    p
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interchange")
        .join(name)
}

/// Ground distance in metres between two lon/lat positions a few km apart (local flat earth:
/// exact to well under a millimetre at this scale).
fn metres(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let lat = a.y.to_radians();
    let dx = (a.x - b.x).to_radians() * 6_378_137.0 * lat.cos();
    let dy = (a.y - b.y).to_radians() * 6_356_752.0;
    dx.hypot(dy)
}

fn point(a: &Annotation) -> Coord<f64> {
    match &a.shape {
        Shape::Point(p) => p.0,
        other => panic!("{} is a {}", a.label, other.kind()),
    }
}

fn by_label<'a>(got: &'a Imported, label: &str) -> &'a Annotation {
    got.annotations
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no {label} among {:?}", labels(got)))
}

fn labels(got: &Imported) -> Vec<&str> {
    got.annotations.iter().map(|a| a.label.as_str()).collect()
}

/// The source positions the Shapefile fixtures were made from, by name.
fn source_points() -> Vec<(String, Coord<f64>)> {
    let text = std::fs::read_to_string(fixture("shapefile/sites-points.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["properties"]["name"].as_str().unwrap().to_owned(),
                Coord {
                    x: c[0].as_f64().unwrap(),
                    y: c[1].as_f64().unwrap(),
                },
            )
        })
        .collect()
}

fn assert_at_source_positions(got: &Imported) {
    let source = source_points();
    assert_eq!(got.annotations.len(), source.len(), "{:?}", got.skipped);
    for (name, at) in source {
        let d = metres(point(by_label(got, &name)), at);
        assert!(d < 1.0, "{name} lands {d} m from its source position");
    }
}

#[test]
fn a_spreadsheet_csv_with_semicolons_decimal_commas_and_dms_imports_as_one_undo_step() {
    let project = empty();
    let got = import_file(&fixture("sites-excel.csv"), &project, date()).unwrap();
    assert_eq!(labels(&got), ["Zollhof", "Pier 2", "Mast"]);
    assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
    assert!(
        got.skipped[0].contains("line 4") && got.skipped[0].contains("Nowhere"),
        "{:?}",
        got.skipped
    );
    let zollhof = by_label(&got, "Zollhof");
    let want = Coord {
        x: 130.0 + 38.0 / 60.0 + 28.3 / 3600.0,
        y: 42.0 + 25.0 / 60.0 + 7.3 / 3600.0,
    };
    assert!(metres(point(zollhof), want) < 0.01);
    assert_eq!(zollhof.seen_from.to_string(), "2025-06-02");
    assert_eq!(zollhof.category, "building");
    assert_eq!(zollhof.extra_properties["name:ru"], "Таможня");
    let pier = point(by_label(&got, "Pier 2"));
    assert!(
        metres(
            pier,
            Coord {
                x: 130.6498,
                y: 42.4102
            }
        ) < 0.01
    );
    assert_eq!(
        by_label(&got, "Mast").seen_from.key(),
        date(),
        "no date: the slider's"
    );

    let mut p = project.clone();
    let mut history = History::new();
    let edit = import_edit(&p, &got).unwrap();
    history.apply(&mut p, edit, None, 0.0).unwrap();
    assert_eq!(p.annotations.len(), 3);
    assert_eq!(history.undo_len(), 1);
    history.undo(&mut p).unwrap().unwrap();
    assert_eq!(p, project);
}

#[test]
fn a_gpx_file_gives_its_waypoints_and_its_track() {
    let got = import_file(&fixture("survey.gpx"), &empty(), date()).unwrap();
    assert_eq!(labels(&got), ["Customs", "Pier 2", "Survey drive"]);
    let customs = by_label(&got, "Customs");
    assert_eq!(customs.note, "Gate closed");
    assert_eq!(customs.seen_from.to_string(), "2025-06-02");
    assert!(
        metres(
            point(customs),
            Coord {
                x: 130.6412,
                y: 42.4187
            }
        ) < 0.01
    );
    let drive = by_label(&got, "Survey drive");
    let Shape::Line(line) = &drive.shape else {
        panic!("the track is a line")
    };
    assert_eq!(line.0.len(), 3);
    assert_eq!(drive.seen_from.to_string(), "2025-06-03");
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    std::fs::write(path, w.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn a_google_earth_kmz_gives_folders_times_tracks_and_its_ground_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Site survey.kmz");
    let doc = std::fs::read(fixture("google-earth/doc.kml")).unwrap();
    let plan_png: &[u8] = b"\x89PNG\r\n\x1a\nplan";
    write_zip(
        &path,
        &[
            ("doc.kml", &doc),
            ("files/crane.png", b"\x89PNG\r\n\x1a\ncrane"),
            ("files/plan.png", plan_png),
        ],
    );
    let got = import_file(&path, &empty(), date()).unwrap();
    assert_eq!(
        labels(&got),
        ["Crane 1", "North yard", "Survey drive"],
        "{:?}",
        got.skipped
    );
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
    let crane = by_label(&got, "Crane 1");
    assert_eq!(crane.seen_from.to_string(), "2025-06-02");
    let yard = by_label(&got, "North yard");
    assert_eq!(yard.seen_from.to_string(), "2025-05-01");
    assert_eq!(yard.seen_until.unwrap().to_string(), "2025-09-30");
    assert_eq!(yard.extra_properties["name:ko"], "북쪽 야적장");
    let drive = by_label(&got, "Survey drive");
    assert!(matches!(&drive.shape, Shape::Line(l) if l.0.len() == 3));
    assert_eq!(drive.seen_from.to_string(), "2025-06-03");

    assert_eq!(got.ground_overlays.len(), 1);
    let plan = &got.ground_overlays[0];
    assert_eq!(plan.name.as_deref(), Some("Site plan"));
    assert_eq!(plan.href, "files/plan.png");
    assert!(plan.in_archive);
    assert_eq!(
        (plan.north, plan.south, plan.east, plan.west),
        (42.426, 42.408, 130.655, 130.625)
    );
    assert!((plan.rotation_deg + 3.5).abs() < 1e-12);
    assert_eq!(plan.begin.as_deref(), Some("2025-04-20"));
    assert_eq!(kmz::read_entry(&path, &plan.href).unwrap(), plan_png);
}

/// The default project's annotations with names in Korean and Russian beside the label.
fn multilingual() -> Project {
    let mut p = load_default_project().unwrap().project;
    for a in &mut p.annotations {
        a.extra_properties
            .insert("name:ko".into(), format!("{} 한국어", a.label).into());
        a.extra_properties
            .insert("name:ru".into(), format!("{} по-русски", a.label).into());
    }
    p
}

/// Same kind and vertices within 1e-9°, polygons compared as drawn (export may turn rings).
fn assert_same_place(a: &Shape, b: &Shape, what: &str) {
    use geo::Orient as _;
    let oriented = |s: &Shape| match s {
        Shape::Polygon(p) => Shape::Polygon(p.orient(geo::orient::Direction::Default)),
        other => other.clone(),
    };
    let (a, b) = (oriented(a), oriented(b));
    assert_eq!(a.kind(), b.kind(), "{what}");
    let (va, vb) = (a.vertices(), b.vertices());
    assert_eq!(va.len(), vb.len(), "{what}");
    for (x, y) in va.iter().zip(&vb) {
        assert!(
            (x.x - y.x).abs() < 1e-9 && (x.y - y.y).abs() < 1e-9,
            "{what}"
        );
    }
}

#[test]
fn names_in_several_languages_round_trip_through_geojson_kml_and_kmz() {
    let original = multilingual();
    assert!(!original.annotations.is_empty());
    let dir = tempfile::tempdir().unwrap();
    for format in Format::EXPORTABLE {
        let path = dir.path().join(format!("out.{}", format.extension()));
        export_file(&path, &original, format).unwrap();
        let got = import_file(&path, &empty(), date()).unwrap();
        assert_eq!(
            got.annotations.len(),
            original.annotations.len(),
            "{format:?}: {:?}",
            got.skipped
        );
        for (a, b) in original.annotations.iter().zip(&got.annotations) {
            assert_eq!(a.label, b.label, "{format:?}");
            assert_eq!(
                a.extra_properties["name:ko"], b.extra_properties["name:ko"],
                "{format:?}"
            );
            assert_eq!(
                a.extra_properties["name:ru"], b.extra_properties["name:ru"],
                "{format:?}"
            );
            assert_same_place(&a.shape, &b.shape, &format!("{format:?}: {}", a.label));
            assert_eq!(a.seen_from, b.seen_from, "{format:?}: {}", a.label);
        }
    }
}

#[test]
fn our_kmz_is_a_zip_with_a_deflated_doc_kml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.kmz");
    export_file(&path, &multilingual(), Format::Kmz).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 1);
    let doc = archive.by_name("doc.kml").unwrap();
    assert_eq!(doc.compression(), zip::CompressionMethod::Deflated);
    assert!(doc.compressed_size() < doc.size());
}

/// GDAL (as QGIS uses it) reads our KMZ: `ogrinfo` lists every annotation. Needs gdal-bin,
/// which CI installs; without it the test says so and checks nothing else.
#[test]
fn ogrinfo_reads_our_kmz() {
    let project = multilingual();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.kmz");
    export_file(&path, &project, Format::Kmz).unwrap();
    let Ok(out) = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&path)
        .output()
    else {
        eprintln!("ogrinfo is not installed (apt-get install gdal-bin); not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let count: usize = text
        .lines()
        .filter_map(|l| l.strip_prefix("Feature Count: "))
        .map(|n| n.trim().parse::<usize>().unwrap())
        .sum();
    assert_eq!(count, project.annotations.len(), "{text}");
}

#[test]
fn a_utm_52n_shapefile_lands_within_a_metre_of_its_source_positions() {
    let got = import_file(&fixture("shapefile/utm52n-points.shp"), &empty(), date()).unwrap();
    assert_at_source_positions(&got);
    let customs = by_label(&got, "Customs");
    assert_eq!(customs.seen_from.to_string(), "2025-06-02");
    assert_eq!(customs.category, "building");
    assert_eq!(customs.extra_properties["name:ko"], "세관");
    assert_eq!(customs.extra_properties["name:ru"], "Таможня");
}

#[test]
fn multipart_polygons_keep_their_holes_one_annotation_per_part() {
    let got = import_file(&fixture("shapefile/utm52n-areas.shp"), &empty(), date()).unwrap();
    assert_eq!(got.annotations.len(), 3, "{:?}", got.skipped);
    let parts: Vec<&Annotation> = got
        .annotations
        .iter()
        .filter(|a| a.label == "Yards")
        .collect();
    assert_eq!(parts.len(), 2);
    let Shape::Polygon(with_hole) = &parts[0].shape else {
        panic!()
    };
    assert_eq!(with_hole.interiors().len(), 1);
    let corner = with_hole
        .exterior()
        .0
        .iter()
        .map(|c| {
            metres(
                *c,
                Coord {
                    x: 130.646,
                    y: 42.424,
                },
            )
        })
        .fold(f64::INFINITY, f64::min);
    assert!(corner < 1.0, "the yard's corner is {corner} m off");
    let hole_corner = with_hole.interiors()[0]
        .0
        .iter()
        .map(|c| {
            metres(
                *c,
                Coord {
                    x: 130.642,
                    y: 42.421,
                },
            )
        })
        .fold(f64::INFINITY, f64::min);
    assert!(
        hole_corner < 1.0,
        "the hole's corner is {hole_corner} m off"
    );
    assert_eq!(parts[1].seen_from.to_string(), "2025-05-01");
    assert_eq!(parts[1].extra_properties["name:ko"], "야적장");
}

#[test]
fn a_cp949_shapefile_reads_its_korean_names_by_its_cpg() {
    let got = import_file(&fixture("shapefile/cp949-points.shp"), &empty(), date()).unwrap();
    assert_at_source_positions(&got);
    assert_eq!(
        by_label(&got, "Pier 2").extra_properties["name:ko"],
        "부두 2"
    );
    assert_eq!(by_label(&got, "Mast").extra_properties["name:ko"], "철탑");
}

#[test]
fn a_shapefile_neither_utf8_nor_named_by_a_cpg_asks_for_its_encoding() {
    let shp = fixture("shapefile/cp1251-nocpg-points.shp");
    let err = import_file(&shp, &empty(), date()).unwrap_err();
    assert!(
        matches!(err, InterchangeError::UnknownEncoding { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("cp1251-nocpg-points.dbf"), "{err}");
    let chosen = ImportOptions {
        shapefile: ShapefileOptions {
            encoding: Some(encoding_rs::WINDOWS_1251),
        },
        ..ImportOptions::default()
    };
    let got = import_file_with(&shp, &empty(), date(), &chosen).unwrap();
    assert_eq!(
        by_label(&got, "Customs").extra_properties["name:ru"],
        "Таможня"
    );
}

/// The Albers `.prj` as GDAL writes it for ESRI has no EPSG code: the WKT reader turns it into
/// a PROJ definition and the points land within a metre of where GDAL put them.
#[test]
fn an_albers_shapefile_is_placed_within_a_metre() {
    let got = import_file(&fixture("shapefile/albers-points.shp"), &empty(), date()).unwrap();
    assert_at_source_positions(&got);
}

#[test]
fn a_shapefile_without_its_prj_is_taken_as_lon_lat_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(
            fixture(&format!("shapefile/cp949-points.{ext}")),
            dir.path().join(format!("p.{ext}")),
        )
        .unwrap();
    }
    let got = import_file(&dir.path().join("p.shp"), &empty(), date()).unwrap();
    assert_at_source_positions(&got);
    assert!(
        got.warnings.iter().any(|w| w.contains("no .prj")),
        "{:?}",
        got.warnings
    );
}

#[test]
fn a_truncated_shapefile_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("shapefile/utm52n-areas.shp")).unwrap();
    let shp = dir.path().join("cut.shp");
    std::fs::write(&shp, &bytes[..bytes.len() / 2]).unwrap();
    let err = import_file(&shp, &empty(), date()).unwrap_err();
    assert!(err.to_string().contains("cut.shp"), "{err}");
}

#[test]
fn import_only_formats_refuse_export_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::Csv, Format::Gpx, Format::Shapefile] {
        assert!(!format.can_export());
        let path = dir.path().join(format!("x.{}", format.extension()));
        let err = export_file(&path, &empty(), format).unwrap_err();
        assert!(
            matches!(err, InterchangeError::ExportUnsupported { .. }),
            "{err}"
        );
        assert!(!path.exists());
    }
}

#[test]
fn every_format_is_known_by_its_extension_and_shapefile_sidecars_come_along() {
    for format in Format::ALL {
        for ext in format.extensions() {
            let upper = PathBuf::from(format!("a.{}", ext.to_ascii_uppercase()));
            assert_eq!(Format::of_path(&upper), Some(format));
        }
    }
    let (ok, refused) = sort_dropped([
        PathBuf::from("/d/sites.shp"),
        PathBuf::from("/d/sites.dbf"),
        PathBuf::from("/d/sites.prj"),
        PathBuf::from("/d/other.dbf"),
        PathBuf::from("/d/track.gpx"),
        PathBuf::from("/d/list.csv"),
        PathBuf::from("/d/earth.kmz"),
    ]);
    assert_eq!(ok.len(), 4);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("other.dbf"));
}
