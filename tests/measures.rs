//! Progress measures: a measured length is the line's geodesic length and follows its edits
//! through the undo history; the CSV round-trips; `sitewatch measures` refuses bad arguments.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::cli::{refused, sitewatch};
use geo::LineString;
use sitewatch::analysis::measures::{ValueKind, measure_values};
use sitewatch::analysis::measures_csv::{
    COLUMNS, MeasuresCsvError, measures_csv, measures_from_rows, project_rows, read_rows,
};
use sitewatch::editing::{Edit, History, MeasureEdit};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{parse, to_json_string};
use sitewatch::model::{Citation, Entry, EntryFrom, Evidence, Measure, Project, Quantity, Shape};

fn project() -> Project {
    load_default_project().unwrap().project
}

/// WGS 84 semi-major axis, metres.
const SEMI_MAJOR_M: f64 = 6_378_137.0;
/// WGS 84 first eccentricity squared, from the flattening 1/298.257223563.
fn eccentricity2() -> f64 {
    let flattening = 1.0 / 298.257_223_563;
    flattening * (2.0 - flattening)
}

/// ∫ `integrand` from `lo` to `hi` by Simpson's rule over `intervals` (even) steps.
fn simpson(integrand: impl Fn(f64) -> f64, lo: f64, hi: f64, intervals: u32) -> f64 {
    let step = (hi - lo) / f64::from(intervals);
    let mut sum = integrand(lo) + integrand(hi);
    for i in 1..intervals {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * integrand(lo + step * f64::from(i));
    }
    sum * step / 3.0
}

/// The WGS 84 meridian arc from latitude `lat1` to `lat2` (degrees), in metres: the integral of
/// the meridional radius of curvature M(φ) = a(1 − e²) / (1 − e² sin² φ)^{3/2} (exact to far
/// below a millimetre over a few kilometres with 1000 steps).
fn meridian_arc_m(lat1: f64, lat2: f64) -> f64 {
    let e2 = eccentricity2();
    let radius = |phi: f64| SEMI_MAJOR_M * (1.0 - e2) / (1.0 - e2 * phi.sin().powi(2)).powf(1.5);
    simpson(radius, lat1.to_radians(), lat2.to_radians(), 1000)
}

fn meridian_line(lat_to: f64) -> Shape {
    Shape::Line(LineString::from(vec![(130.64, 42.40), (130.64, lat_to)]))
}

/// The value measured on the map (not the reported one) of a measure.
fn measured_value(p: &Project, id: &str) -> f64 {
    measure_values(p, p.measure(id).unwrap())
        .into_iter()
        .find(|v| v.kind == ValueKind::Measured)
        .unwrap()
        .value
        .unwrap()
}

#[test]
fn a_meridian_line_measures_its_known_length_and_follows_an_edit_and_its_undo() {
    let mut p = project();
    let mut history = History::new();
    let mut line = p.annotation("russian-access-road").unwrap().clone();
    line.id = "meridian".into();
    line.shape = meridian_line(42.42);
    let measure = Measure {
        id: "meridian-length".into(),
        name: "Meridian".into(),
        unit: "m".into(),
        quantity: Quantity::Length,
        entries: vec![Entry::measured("2025-10-14".parse().unwrap(), "meridian")],
        note: String::new(),
        extra: serde_json::Map::new(),
    };
    let add = Edit::Batch(vec![
        Edit::AddAnnotation {
            index: 0,
            annotation: Box::new(line),
        },
        Edit::Measure(MeasureEdit::Add {
            index: 0,
            measure: Box::new(measure),
        }),
    ]);
    history.apply(&mut p, add, None, 0.0).unwrap();

    let expected = meridian_arc_m(42.40, 42.42);
    assert!(
        (expected - 2221.4).abs() < 1.0,
        "the reference itself: {expected}"
    );
    let got = measured_value(&p, "meridian-length");
    assert!(
        ((got - expected) / expected).abs() < 0.001,
        "{got} m against {expected} m"
    );

    // Drag the end vertex 0.01° further north: the measure follows.
    let edit = Edit::SetShape {
        id: "meridian".into(),
        shape: meridian_line(42.43),
    };
    history.apply(&mut p, edit, None, 10.0).unwrap();
    let expected_after = meridian_arc_m(42.40, 42.43);
    let got_after = measured_value(&p, "meridian-length");
    assert!(
        ((got_after - expected_after) / expected_after).abs() < 0.001,
        "{got_after} m against {expected_after} m"
    );

    history.undo(&mut p).unwrap().unwrap();
    assert!((measured_value(&p, "meridian-length") - got).abs() < 1e-9);
    history.redo(&mut p).unwrap().unwrap();
    assert!((measured_value(&p, "meridian-length") - got_after).abs() < 1e-9);
}

#[test]
fn an_area_in_hectares_is_the_polygon_area_in_square_metres_over_ten_thousand() {
    let mut project = project();
    // A 0.01° × 0.01° cell at the equator (about 1.23 km²); the reference is the ellipsoid's
    // area element integrated independently below.
    let cell = geo::Polygon::new(
        LineString::from(vec![
            (0.0, 0.0),
            (0.01, 0.0),
            (0.01, 0.01),
            (0.0, 0.01),
            (0.0, 0.0),
        ]),
        vec![],
    );
    // The ellipsoid's area element M(φ) N(φ) cos φ dφ dλ = a²(1 − e²) cos φ / (1 − e² sin² φ)² dφ dλ,
    // integrated over the cell's latitudes and times its 0.01° of longitude.
    let e2 = eccentricity2();
    let band = |phi: f64| {
        let w = 1.0 - e2 * phi.sin().powi(2);
        SEMI_MAJOR_M * SEMI_MAJOR_M * (1.0 - e2) * phi.cos() / (w * w)
    };
    let area_m2_expected = simpson(band, 0.0, 0.01_f64.to_radians(), 100) * 0.01_f64.to_radians();
    project
        .annotations
        .iter_mut()
        .find(|a| a.id == "russian-customs-site")
        .unwrap()
        .shape = Shape::Polygon(cell);
    let value = measured_value(&project, "russian-customs-site");
    let expected_ha = area_m2_expected / 10_000.0;
    assert!(
        ((value - expected_ha) / expected_ha).abs() < 0.001,
        "{value} ha against {expected_ha} ha"
    );
}

#[test]
fn the_default_project_reports_its_sources_figures_and_shows_its_drawings_as_derived() {
    let p = project();
    let dprk = measure_values(&p, p.measure("dprk-into-river").unwrap());
    let reported = dprk.iter().find(|v| v.kind == ValueKind::Reported).unwrap();
    assert_eq!(reported.value, Some(150.0));
    assert!(reported.approx, "CSIS says ~150 m");
    assert_eq!(reported.source_keys, ["csis-oct"]);
    let measured = dprk.iter().find(|v| v.kind == ValueKind::Measured).unwrap();
    assert_eq!(measured.evidence, [Evidence::Derived]);
    assert!(measured.approx, "drawn from a description, never observed");
    // Every reported figure cites a source the project has, and no measure warns.
    assert!(load_default_project().unwrap().warnings.is_empty());
    for m in &p.measures {
        for e in &m.entries {
            if let EntryFrom::Reported { sources, .. } = &e.from {
                assert!(!sources.is_empty(), "{} {}", m.id, e.date);
            }
        }
    }
}

fn with_fuzzy_and_quoted_entry(mut p: Project) -> Project {
    p.measures.push(Measure {
        id: "odd".into(),
        name: "Piers, \"main\" span".into(),
        unit: "piers".into(),
        quantity: Quantity::Count,
        entries: vec![
            Entry::reported(
                "late 2025-05".parse().unwrap(),
                3.5,
                true,
                vec![
                    Citation::new("nknews-planet", Evidence::Reported),
                    Citation::new("csis-oct", Evidence::Confirmed),
                ],
            ),
            Entry::reported("summer 2026".parse().unwrap(), 0.1, false, vec![]),
        ],
        note: String::new(),
        extra: serde_json::Map::new(),
    });
    p
}

#[test]
fn the_csv_reads_back_to_the_same_rows_and_writes_the_same_text_again() {
    let p = with_fuzzy_and_quoted_entry(project());
    let text = measures_csv(&p).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "measure,unit,date,precision,value,approx,kind,annotation_id,source_key,evidence"
    );
    assert!(text.contains(
        "\"Piers, \"\"main\"\" span\",piers,late 2025-05,late-month,3.5,true,reported,,nknews-planet;csis-oct,reported;confirmed"
    ), "{text}");
    let rows = read_rows(&text).unwrap();
    assert_eq!(rows, project_rows(&p));
    let entries: usize = p.measures.iter().map(|m| m.entries.len()).sum();
    assert_eq!(rows.len(), entries);

    let mut rebuilt = p.clone();
    rebuilt.measures = measures_from_rows(&rows).unwrap();
    assert_eq!(measures_csv(&rebuilt).unwrap(), text);
    for (a, b) in p.measures.iter().zip(&rebuilt.measures) {
        assert_eq!(
            (&a.name, &a.unit, a.quantity),
            (&b.name, &b.unit, b.quantity)
        );
        assert_eq!(a.entries.len(), b.entries.len());
    }
    // Reported figures come back with value, approx and citations (their detail is not in the
    // CSV).
    let odd = rebuilt.measures.last().unwrap();
    let EntryFrom::Reported {
        value,
        approx,
        sources,
    } = &odd.entries[0].from
    else {
        panic!("reported")
    };
    assert_eq!((*value, *approx), (3.5, true));
    assert_eq!(sources[1], Citation::new("csis-oct", Evidence::Confirmed));
}

#[test]
fn a_broken_csv_is_refused_with_its_line_and_column() {
    let header = COLUMNS.join(",");
    let err = read_rows("measure,unit\n").unwrap_err();
    assert!(matches!(err, MeasuresCsvError::Header { .. }), "{err}");
    let text = format!(
        "{header}\nA,m,2025-10-14,day,1,true,reported,,k,confirmed\nA,m,2025-13,month,1,true,reported,,k,confirmed\n"
    );
    let err = read_rows(&text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "measures CSV line 3, column date: not a date ('2025-13')"
    );
    let text = format!("{header}\nA,m,2025-10,day,1,true,reported,,k,confirmed\n");
    assert!(
        read_rows(&text)
            .unwrap_err()
            .to_string()
            .contains("column precision")
    );
    let text = format!("{header}\nA,m,2025-10-14,day,x,true,reported,,k,confirmed\n");
    assert!(
        read_rows(&text)
            .unwrap_err()
            .to_string()
            .contains("column value")
    );
    let text = format!("{header}\nA,m,2025-10-14,day,1,maybe,reported,,k,confirmed\n");
    assert!(
        read_rows(&text)
            .unwrap_err()
            .to_string()
            .contains("column approx")
    );
}

#[test]
fn a_project_keeps_its_measures_and_their_unknown_fields_and_writes_none_when_it_has_none() {
    let mut p = project();
    p.measures[0]
        .extra
        .insert("colour".into(), serde_json::json!("#ff0000"));
    p.measures[0].entries[0]
        .extra
        .insert("checked".into(), serde_json::json!(true));
    let text = to_json_string(&p);
    let back = parse(&text, "test").unwrap().project;
    assert_eq!(back.measures, p.measures);

    p.measures.clear();
    let text = to_json_string(&p);
    assert!(
        !text.contains("\"measures\""),
        "old files stay as they were"
    );
    assert!(parse(&text, "test").unwrap().project.measures.is_empty());
}

#[test]
fn a_measure_citing_what_the_project_lacks_loads_with_warnings() {
    let mut p = project();
    p.measures[0].entries.push(Entry::measured(
        "2025".parse().unwrap(),
        "no-such-annotation",
    ));
    p.measures[1].unit = "ha".into();
    let loaded = parse(&to_json_string(&p), "test").unwrap();
    let warnings = loaded.warnings.join("\n");
    assert!(warnings.contains("\"no-such-annotation\""), "{warnings}");
    assert!(
        warnings.contains("\"ha\" is not a unit of length"),
        "{warnings}"
    );
}

#[test]
fn sitewatch_measures_writes_the_default_projects_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("measures.csv");
    let run = sitewatch(&["measures", "default", "--csv", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text, measures_csv(&project()).unwrap());
    let stdout = sitewatch(&["measures", "default"]);
    assert!(stdout.status.success());
    let table = String::from_utf8_lossy(&stdout.stdout);
    assert!(
        table.contains("DPRK section into the river (m, length)"),
        "{table}"
    );
}

#[test]
fn sitewatch_measures_refuses_bad_arguments_with_a_message_and_an_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // Usage errors are clap's: exit code 2.
    for args in [
        &["measures"][..],
        &["measures", "default", "--bogus"][..],
        &["measures", "default", "--csv"][..],
    ] {
        let run = sitewatch(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?} says why");
    }
    // Everything else fails with 1 and names what failed.
    let missing = dir.path().join("missing.geojson");
    refused(
        &["measures", missing.to_str().unwrap()],
        "cannot read the project file",
    );
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, "{ not json").unwrap();
    refused(
        &["measures", broken.to_str().unwrap()],
        "not a valid Sitewatch project",
    );
    refused(
        &["measures", "default", "--csv", dir.path().to_str().unwrap()],
        "--csv must name a file, not a folder",
    );
    let nowhere = dir.path().join("no-such-folder").join("m.csv");
    let run = sitewatch(&["measures", "default", "--csv", nowhere.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("cannot write the measures CSV"), "{stderr}");
    assert!(!nowhere.exists());
}
