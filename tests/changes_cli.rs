//! `sitewatch changes`: argument errors with their exit codes and messages, a small two-track
//! project of generated GeoTIFFs, and the default project's synthetic stages checked against
//! what the project's own annotations say was built between the two dates.

#![allow(clippy::unwrap_used)] // helpers of a test binary

#[path = "common/rasters.rs"]
#[allow(dead_code)] // only the GeoTIFF writer is used here
mod rasters;
// The COG writer `rasters` builds on.
#[path = "common/tiles.rs"]
mod tiles;

use std::path::Path;

use chrono::NaiveDate;
use geo::{Coord, Distance as _, Euclidean, Geometry, LineString, Point, Polygon};
use serde_json::Value;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::timeline::is_visible;
use sitewatch::model::{Annotation, Mark, Shape, Status};

fn sitewatch(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sitewatch"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------- argument errors

#[test]
fn an_unknown_project_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.geojson");
    let (code, err) = sitewatch(&[
        "changes",
        "/no/such/site.geojson",
        "--from",
        "2025-06",
        "--to",
        "2025-07",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/no/such/site.geojson"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_bad_date_is_refused_before_anything_is_read() {
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "June",
        "--to",
        "2025-07",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--from") && err.contains("'June' is not a date"),
        "{err}"
    );
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "2025-10",
        "--to",
        "2025-06",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("must come before"), "{err}");
}

#[test]
fn missing_arguments_are_a_usage_error() {
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "2025-06",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 2, "clap's usage exit code: {err}");
    assert!(err.contains("--to"), "{err}");
}

#[test]
fn no_layer_at_a_date_is_refused_naming_the_date_and_the_tracks() {
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "2020-01",
        "--to",
        "2025-07",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no dated layer is shown at 2020-01"), "{err}");
    assert!(err.contains("'Synthetic demo'"), "{err}");
}

#[test]
fn one_layer_at_both_dates_is_refused() {
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "2025-07-06",
        "--to",
        "2025-07-20",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("same layer 'synthetic-2025-07-05'"), "{err}");
}

#[test]
fn an_unknown_track_is_refused_listing_the_tracks() {
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        "2025-06",
        "--to",
        "2025-07",
        "--track",
        "Planet",
        "--out",
        "x.geojson",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("'Planet'") && err.contains("'Synthetic demo'"),
        "{err}"
    );
}

#[test]
fn bad_options_are_refused() {
    for (args, expected) in [
        (&["--bbox", "130.7,42.4,130.6,42.43"][..], "--bbox"),
        (&["--sensitivity", "1.5"][..], "--sensitivity"),
        (&["--min-area", "-3"][..], "--min-area"),
        (
            &["--mask", "/no/such/mask.geojson"][..],
            "/no/such/mask.geojson",
        ),
    ] {
        let mut all = vec![
            "changes",
            "default",
            "--from",
            "2025-06",
            "--to",
            "2025-07",
            "--out",
            "x.geojson",
        ];
        all.extend_from_slice(args);
        let (code, err) = sitewatch(&all);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

// ---------------------------------------------------------------- a two-track project

const SIDE: u32 = 128;
const TOP_LEFT: (f64, f64) = (130.60, 42.45);
const STEP_DEG: f64 = 0.0001;
/// The new roof, in pixels: columns 40..64, rows 70..86.
const ROOF: (u32, u32, u32, u32) = (40, 70, 64, 86);

/// A smooth textured scene (no two neighbours far apart), with the roof when `built`.
fn scene(built: bool, gain: f64) -> Vec<u8> {
    let mut samples = Vec::with_capacity((SIDE * SIDE * 3) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            let roof = built && (ROOF.0..ROOF.2).contains(&x) && (ROOF.1..ROOF.3).contains(&y);
            for band in 0..3u32 {
                let (fx, fy) = (f64::from(x), f64::from(y));
                let texture = 90.0
                    + 25.0 * (fx / 9.0 + f64::from(band)).sin()
                    + 20.0 * (fy / 13.0 - f64::from(band)).cos()
                    + 10.0 * ((fx + fy) / 5.0).sin();
                let v = if roof { 225.0 } else { texture * gain };
                samples.push(v.round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    samples
}

fn layer(id: &str, date: &str, track: &str) -> String {
    format!(
        r#"{{"id": "{id}", "name": "{id}", "date": "{date}", "track": "{track}",
            "source": {{"kind": "file", "path": "{id}.tif"}}}}"#
    )
}

/// Two tracks, each with a scene before and after the roof was built.
fn two_track_project(dir: &Path) -> std::path::PathBuf {
    for (id, built, gain) in [
        ("a1", false, 1.0),
        ("a2", true, 1.1),
        ("b1", false, 0.9),
        ("b2", true, 1.0),
    ] {
        rasters::rgb_geotiff(
            &dir.join(format!("{id}.tif")),
            SIDE,
            TOP_LEFT,
            STEP_DEG,
            None,
            &scene(built, gain),
        );
    }
    let layers = [
        layer("a1", "2025-01-01", "Sat A"),
        layer("a2", "2025-03-01", "Sat A"),
        layer("b1", "2025-01-05", "Sat B"),
        layer("b2", "2025-03-05", "Sat B"),
    ]
    .join(",\n");
    let text = format!(
        r#"{{"type": "FeatureCollection",
  "sitewatch": {{"format_version": 1, "name": "Two tracks", "home": [130.60, 42.437, 130.613, 42.45],
    "categories": [], "stages": [{{"date": "2025-01-01", "title": "Start", "summary": "."}}],
    "layers": [{layers}]}},
  "features": []}}"#
    );
    let path = dir.join("site.geojson");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn two_tracks_at_both_dates_are_an_ambiguity_that_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_track_project(dir.path());
    let out = dir.path().join("c.geojson");
    let (code, err) = sitewatch(&[
        "changes",
        path_str(&project),
        "--from",
        "2025-01",
        "--to",
        "2025-03",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--track") && err.contains("'Sat A'") && err.contains("'Sat B'"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn the_new_roof_is_one_brighter_candidate_where_it_was_built() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_track_project(dir.path());
    let out = dir.path().join("c.geojson");
    let (code, err) = sitewatch(&[
        "changes",
        path_str(&project),
        "--from",
        "2025-01",
        "--to",
        "2025-03",
        "--track",
        "Sat A",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    let json = read_json(&out);
    assert_eq!(json["type"], "FeatureCollection");
    assert_eq!(json["sitewatch_changes"]["before"]["layer"], "a1");
    assert_eq!(json["sitewatch_changes"]["after"]["layer"], "a2");
    let features = json["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{json:#}");
    let f = &features[0];
    assert_eq!(f["properties"]["class"], "brighter");
    assert!(f["properties"]["score"].as_f64().unwrap() > 6.0);
    // Its box in lon/lat against the roof's, within 2 pixels.
    let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
    let lons: Vec<f64> = ring.iter().map(|p| p[0].as_f64().unwrap()).collect();
    let lats: Vec<f64> = ring.iter().map(|p| p[1].as_f64().unwrap()).collect();
    let (min, max) = (
        |v: &[f64]| v.iter().copied().fold(f64::MAX, f64::min),
        |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max),
    );
    let expected = [
        TOP_LEFT.0 + f64::from(ROOF.0) * STEP_DEG,
        TOP_LEFT.1 - f64::from(ROOF.3) * STEP_DEG,
        TOP_LEFT.0 + f64::from(ROOF.2) * STEP_DEG,
        TOP_LEFT.1 - f64::from(ROOF.1) * STEP_DEG,
    ];
    let found = [min(&lons), min(&lats), max(&lons), max(&lats)];
    for (f, e) in found.iter().zip(expected) {
        assert!(
            (f - e).abs() <= 2.0 * STEP_DEG + 1e-9,
            "{found:?} vs {expected:?}"
        );
    }
    // RFC 7946: the exterior runs counter-clockwise.
    let area2: f64 = ring
        .windows(2)
        .map(|w| {
            w[0][0].as_f64().unwrap() * w[1][1].as_f64().unwrap()
                - w[1][0].as_f64().unwrap() * w[0][1].as_f64().unwrap()
        })
        .sum();
    assert!(area2 > 0.0);
    // 24 × 16 pixels of 0.0001° at 42.44° N: about 8.2 m × 11.1 m each.
    let area = f["properties"]["area_m2"].as_f64().unwrap();
    let pixel_m2 = 0.0001f64.to_radians()
        * 6_371_000.0
        * 42.44f64.to_radians().cos()
        * 0.0001f64.to_radians()
        * 6_371_000.0;
    let expected_area = 24.0 * 16.0 * pixel_m2;
    assert!(
        (area / expected_area - 1.0).abs() < 0.35,
        "{area} m² vs {expected_area} m²"
    );
}

#[test]
fn an_area_of_interest_or_a_mask_away_from_the_roof_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_track_project(dir.path());
    let out = dir.path().join("c.geojson");
    let base = [
        "changes",
        path_str(&project),
        "--from",
        "2025-01",
        "--to",
        "2025-03",
        "--track",
        "Sat B",
        "--out",
        path_str(&out),
    ];
    // The north-east quarter holds no roof.
    let mut args = base.to_vec();
    args.extend(["--bbox", "130.6064,42.4436,130.6128,42.45"]);
    let (code, err) = sitewatch(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read_json(&out)["features"].as_array().unwrap().len(), 0);
    // A cloud mask over the roof.
    let mask = dir.path().join("cloud.geojson");
    std::fs::write(
        &mask,
        r#"{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
            "coordinates": [[[130.603, 42.440], [130.608, 42.440], [130.608, 42.445], [130.603, 42.445], [130.603, 42.440]]]}}"#,
    )
    .unwrap();
    let mut args = base.to_vec();
    args.extend(["--mask", path_str(&mask)]);
    let (code, err) = sitewatch(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read_json(&out)["features"].as_array().unwrap().len(), 0);
    // Without either, track B finds the roof too.
    let (code, err) = sitewatch(&base);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read_json(&out)["features"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- the default project

/// Metres east and north of a reference point (equirectangular: fine over a few kilometres).
fn local_m(c: Coord<f64>) -> Coord<f64> {
    const LON0: f64 = 130.64;
    const LAT0: f64 = 42.42;
    Coord {
        x: (c.x - LON0) * 111_320.0 * LAT0.to_radians().cos(),
        y: (c.y - LAT0) * 110_574.0,
    }
}

fn shape_m(shape: &Shape) -> Geometry<f64> {
    match shape {
        Shape::Point(p) => Geometry::Point(Point(local_m(p.0))),
        Shape::Line(l) => Geometry::LineString(LineString::from(
            l.0.iter().map(|&c| local_m(c)).collect::<Vec<_>>(),
        )),
        Shape::Polygon(p) => Geometry::Polygon(Polygon::new(
            LineString::from(
                p.exterior()
                    .0
                    .iter()
                    .map(|&c| local_m(c))
                    .collect::<Vec<_>>(),
            ),
            vec![],
        )),
    }
}

fn candidate_m(feature: &Value) -> Geometry<f64> {
    let ring = |r: &Value| {
        LineString::from(
            r.as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    local_m(Coord {
                        x: p[0].as_f64().unwrap(),
                        y: p[1].as_f64().unwrap(),
                    })
                })
                .collect::<Vec<_>>(),
        )
    };
    let rings = feature["geometry"]["coordinates"].as_array().unwrap();
    Geometry::Polygon(Polygon::new(
        ring(&rings[0]),
        rings[1..].iter().map(ring).collect(),
    ))
}

/// Drawn in the synthetic scenes: real features, neither planned nor removed, and not the two
/// kinds the generator leaves out (a bridge's point, the boundary marker).
fn drawn(a: &Annotation) -> bool {
    a.mark == Mark::Feature
        && !matches!(a.status, Status::Planned | Status::Removed)
        && a.category != "boundary-marker"
        && !(a.category == "bridge" && matches!(a.shape, Shape::Point(_)))
}

/// How far a candidate may lie from the annotation it belongs to: the generator draws points
/// as yards up to 80 × 60 m and lines up to 46 m wide.
const NEAR_M: f64 = 60.0;

struct Expected {
    /// Drawn at the later date and not at the earlier: each must be found.
    appeared: Vec<Annotation>,
    /// Everything that changed between the dates: appeared, gone, or under construction at both
    /// (the generator adds buildings to a works site as the months pass). Candidates must lie
    /// near one of these.
    changed: Vec<Annotation>,
}

fn expected(before: NaiveDate, after: NaiveDate) -> Expected {
    let project = load_default_project().unwrap().project;
    let mut appeared = Vec::new();
    let mut changed = Vec::new();
    for a in project.annotations.iter().filter(|a| drawn(a)) {
        let (then, now) = (is_visible(a, before), is_visible(a, after));
        if now && !then {
            appeared.push(a.clone());
        }
        if then != now || (then && now && a.status == Status::UnderConstruction) {
            changed.push(a.clone());
        }
    }
    Expected { appeared, changed }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Runs the default project between two dates; returns the candidates and checks the layers.
fn default_run(from: &str, to: &str, layers: (&str, &str)) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("changes.geojson");
    let (code, err) = sitewatch(&[
        "changes",
        "default",
        "--from",
        from,
        "--to",
        to,
        "--out",
        path_str(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    eprintln!("{err}");
    let json = read_json(&out);
    assert_eq!(json["sitewatch_changes"]["before"]["layer"], layers.0);
    assert_eq!(json["sitewatch_changes"]["after"]["layer"], layers.1);
    let features = json["features"].as_array().unwrap().clone();
    for f in &features {
        assert!(f["properties"]["area_m2"].as_f64().unwrap() >= 100.0 * 0.5);
        assert!(
            ["brighter", "darker", "texture_or_colour"]
                .contains(&f["properties"]["class"].as_str().unwrap())
        );
    }
    features
}

fn distance_m(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    Euclidean.distance(a, b)
}

/// Says on stderr what a run found, for the record (`--nocapture`).
fn summarise(label: &str, expected: &Expected, candidates: &[Value]) {
    let mut areas: Vec<f64> = candidates
        .iter()
        .map(|f| f["properties"]["area_m2"].as_f64().unwrap_or(0.0))
        .collect();
    areas.sort_by(f64::total_cmp);
    let strays = stray(expected, candidates);
    eprintln!(
        "{label}: {} candidates, {:.0} m² in all (smallest {:.0}, largest {:.0}); appeared: {:?}; \
         missed: {:?}; {} away from any change ({:.0} m²)",
        candidates.len(),
        areas.iter().sum::<f64>(),
        areas.first().copied().unwrap_or(0.0),
        areas.last().copied().unwrap_or(0.0),
        expected
            .appeared
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        missed(expected, candidates),
        strays.len(),
        strays.iter().map(|s| s.1).sum::<f64>(),
    );
}

/// Annotations that appeared with no candidate near them.
fn missed(expected: &Expected, candidates: &[Value]) -> Vec<String> {
    let shapes: Vec<Geometry<f64>> = candidates.iter().map(candidate_m).collect();
    expected
        .appeared
        .iter()
        .filter(|a| {
            let s = shape_m(&a.shape);
            !shapes.iter().any(|c| distance_m(c, &s) <= NEAR_M)
        })
        .map(|a| a.id.clone())
        .collect()
}

/// Candidates far from anything that changed: (id, area m², distance to the nearest change).
fn stray(expected: &Expected, candidates: &[Value]) -> Vec<(String, f64, f64)> {
    let changed: Vec<Geometry<f64>> = expected.changed.iter().map(|a| shape_m(&a.shape)).collect();
    candidates
        .iter()
        .filter_map(|f| {
            let c = candidate_m(f);
            let nearest = changed
                .iter()
                .map(|s| distance_m(&c, s))
                .fold(f64::MAX, f64::min);
            (nearest > NEAR_M).then(|| {
                (
                    f["id"].as_str().unwrap_or_default().to_owned(),
                    f["properties"]["area_m2"].as_f64().unwrap_or(0.0),
                    nearest,
                )
            })
        })
        .collect()
}

#[test]
fn between_two_early_summers_it_finds_what_was_built_and_nothing_else() {
    // 10 June 2024 and 2 June 2025: the same season in the generator, so the land is the same.
    let candidates = default_run(
        "2024-06",
        "2025-06",
        ("synthetic-2024-06-10", "synthetic-2025-06-02"),
    );
    let expected = expected(day("2024-06-10"), day("2025-06-02"));
    summarise("2024-06 → 2025-06", &expected, &candidates);
    assert!(!expected.appeared.is_empty());
    assert_eq!(missed(&expected, &candidates), Vec::<String>::new());
    assert_eq!(stray(&expected, &candidates), Vec::new());
}

#[test]
fn from_june_to_july_it_finds_what_was_built() {
    let candidates = default_run(
        "2025-06",
        "2025-07",
        ("synthetic-2025-06-02", "synthetic-2025-07-05"),
    );
    let expected = expected(day("2025-06-02"), day("2025-07-05"));
    summarise("2025-06 → 2025-07", &expected, &candidates);
    assert!(!expected.appeared.is_empty());
    assert_eq!(missed(&expected, &candidates), Vec::<String>::new());
}

#[test]
fn from_july_to_october_it_finds_what_was_built() {
    let candidates = default_run(
        "2025-07",
        "2025-10",
        ("synthetic-2025-07-05", "synthetic-2025-10-14"),
    );
    let expected = expected(day("2025-07-05"), day("2025-10-14"));
    summarise("2025-07 → 2025-10", &expected, &candidates);
    assert!(!expected.appeared.is_empty());
    assert_eq!(missed(&expected, &candidates), Vec::<String>::new());
}

#[test]
#[ignore = "known gap: between seasons the generator recolours its five field palettes, village \
            gardens and rail verges differently; where one segment holds several of them (the DPRK \
            field block from June to July) no one affine map explains it and the finder reports \
            colour change there"]
fn across_the_seasons_it_reports_nothing_away_from_the_works() {
    for (from, to, layers, dates) in [
        (
            "2025-06",
            "2025-07",
            ("synthetic-2025-06-02", "synthetic-2025-07-05"),
            ("2025-06-02", "2025-07-05"),
        ),
        (
            "2025-07",
            "2025-10",
            ("synthetic-2025-07-05", "synthetic-2025-10-14"),
            ("2025-07-05", "2025-10-14"),
        ),
    ] {
        let candidates = default_run(from, to, layers);
        let expected = expected(day(dates.0), day(dates.1));
        assert_eq!(stray(&expected, &candidates), Vec::new(), "{from} → {to}");
    }
}
