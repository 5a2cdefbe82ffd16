//! The embedded default project, the Tumen River road crossing, checked against its data file
//! (`shared/data/tumen-crossing.md`): sources, stage dates at their precision, the figures the
//! geometry must match, and what the timeline shows on the dates the sources give.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use geo::{Centroid as _, Contains as _, LineString, Point, Polygon, Winding as _};
use serde_json::Value;
use sitewatch::model::date::{MonthPart, Precision, Season};
use sitewatch::model::default_project::{DEFAULT_PROJECT_TEXT, load_default_project};
use sitewatch::model::io::{load, parse, to_json_string};
use sitewatch::model::timeline::{current_stage, date_range, is_visible, visible_annotations};
use sitewatch::model::{Annotation, Certainty, Evidence, Project, Shape, Status};
use sitewatch::spatial::measure::{area_m2, distance_m, length_m};

/// Every key of the data file's Sources table, with its URL and date as the table gives them.
const DATA_FILE_SOURCES: [(&str, &str, Option<&str>); 19] = [
    (
        "nknews-groundbreaking",
        "https://www.nknews.org/2025/04/north-korea-russia-officially-begin-construction-of-new-tumen-river-car-bridge/",
        Some("2025-04-30"),
    ),
    (
        "tass-groundbreaking",
        "https://tass.com/economy/1951481",
        Some("2025-04-30"),
    ),
    (
        "ap-road-link",
        "https://mb.com.ph/2025/5/1/north-korea-and-russia-begin-building-their-first-road-link",
        Some("2025-05-01"),
    ),
    (
        "csis-platform",
        "https://pubt.io/view/FFAB44C59F7DDDC9B6765FF416597E4FDF5B5C0C",
        Some("2025-04-16"),
    ),
    (
        "donga-csis",
        "https://www.donga.com/en/article/all/20250418/5557585/1",
        Some("2025-04-18"),
    ),
    (
        "koreaherald-ice",
        "https://m.koreaherald.com/article/10439913",
        Some("2025-03-12"),
    ),
    (
        "nknews-planet",
        "https://news1global.com/northkorea/article/430014",
        Some("2025-07"),
    ),
    (
        "38north-2025-06",
        "https://www.38north.org/2025/06/preparatory-work-on-road-to-new-russia-north-korea-bridge-underway/",
        Some("2025-06-02"),
    ),
    (
        "asiapress-sep",
        "https://www.asiapress.org/rimjin-gang/2025/09/photo/progressing",
        Some("2025-09"),
    ),
    (
        "epravda-spans",
        "https://epravda.com.ua/svit/rosiya-i-kndr-zvershuyut-budivnictvo-pershogo-avtomobilnogo-mostu-813245/",
        Some("2025-10-23"),
    ),
    (
        "csis-oct",
        "https://putinfriends.com/new-road-bridge-under-construction-between-russia-and-north-korea-spotted-in-satellite-images.html",
        Some("2025-11-10"),
    ),
    (
        "38north-2026-03",
        "https://www.38north.org/2026/03/russian-bridge-construction-work-meets-in-the-middle/",
        Some("2026-03"),
    ),
    (
        "rusgov-figures",
        "https://south-korea.news-pravda.com/en/world/2025/04/30/7278.html",
        Some("2025-04-30"),
    ),
    (
        "mintrans-checkpoint",
        "https://dprk.news-pravda.com/en/world/2025/04/30/6526.html",
        Some("2025-04-30"),
    ),
    (
        "rbc-contractor",
        "https://kuban.rbc.ru/krasnodar/freenews/67a085aa9a7947a01b2a9145",
        Some("2025-02"),
    ),
    (
        "yonhap-distance",
        "https://www.koreadaily.com/article/20250430013003686",
        Some("2025-04-30"),
    ),
    (
        "kommersant-sep",
        "https://www.kommersant.ru/doc/8009995",
        Some("2025-09-05"),
    ),
    (
        "wiki-friendship",
        "https://en.wikipedia.org/wiki/Korea%E2%80%93Russia_Friendship_Bridge",
        None,
    ),
    (
        "wiki-tripoint",
        "https://en.wikipedia.org/wiki/China%E2%80%93North_Korea%E2%80%93Russia_tripoint",
        None,
    ),
];

/// Okabe–Ito colours plus white (FIGURES.md).
const PALETTE: [&str; 8] = [
    "#F0E442", "#56B4E9", "#E69F00", "#D55E00", "#009E73", "#CC79A7", "#000000", "#FFFFFF",
];

/// Categories whose annotations are parts of a bridge or the works that build one.
const BRIDGE_WORKS: [&str; 5] = ["bridge", "span", "pier", "platform", "causeway"];

fn project() -> Project {
    load_default_project()
        .expect("the embedded default project loads")
        .project
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
}

fn annotation<'a>(project: &'a Project, id: &str) -> &'a Annotation {
    project
        .annotation(id)
        .unwrap_or_else(|| panic!("the default project has an annotation \"{id}\""))
}

fn point(project: &Project, id: &str) -> Point<f64> {
    match &annotation(project, id).shape {
        Shape::Point(p) => *p,
        other => panic!("\"{id}\" is a {}, not a Point", other.kind()),
    }
}

fn line<'a>(project: &'a Project, id: &str) -> &'a LineString<f64> {
    match &annotation(project, id).shape {
        Shape::Line(l) => l,
        other => panic!("\"{id}\" is a {}, not a LineString", other.kind()),
    }
}

fn polygon<'a>(project: &'a Project, id: &str) -> &'a Polygon<f64> {
    match &annotation(project, id).shape {
        Shape::Polygon(p) => p,
        other => panic!("\"{id}\" is a {}, not a Polygon", other.kind()),
    }
}

fn first(line: &LineString<f64>) -> Point<f64> {
    Point(*line.0.first().expect("a line has positions"))
}

fn last(line: &LineString<f64>) -> Point<f64> {
    Point(*line.0.last().expect("a line has positions"))
}

/// Asserts `value` lies within `tolerance` (a fraction) of `expected`.
fn assert_within(what: &str, value: f64, expected: f64, tolerance: f64) {
    let off = (value - expected).abs() / expected;
    assert!(
        off <= tolerance,
        "{what}: {value:.1} is {:.1} % from {expected} (allowed {:.1} %)",
        off * 100.0,
        tolerance * 100.0
    );
}

/// Metres north (positive) or south of `from`, along the meridian.
fn northing_m(from: Point<f64>, to: Point<f64>) -> f64 {
    let d = distance_m(from, Point::new(from.x(), to.y()));
    if to.y() >= from.y() { d } else { -d }
}

/// Metres east (positive) or west of `from`, along the parallel of `to`.
fn easting_m(from: Point<f64>, to: Point<f64>) -> f64 {
    let d = distance_m(Point::new(from.x(), to.y()), to);
    if to.x() >= from.x() { d } else { -d }
}

fn ids_visible_on(project: &Project, date: NaiveDate) -> Vec<&str> {
    visible_annotations(project, date)
        .map(|a| a.id.as_str())
        .collect()
}

#[test]
fn the_embedded_project_loads_without_warnings() {
    let loaded = load_default_project().expect("the embedded default project loads");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let p = loaded.project;
    assert_eq!(p.name, "Tumen River road crossing (Tumangang–Khasan)");
    assert!(
        !p.layers.is_empty(),
        "imagery layers: checked in tests/synthetic_imagery.rs"
    );
    assert!(
        p.annotations.len() >= 30,
        "{} annotations",
        p.annotations.len()
    );
}

#[test]
fn the_asset_file_loads_from_its_path_into_the_same_project() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/tumen-crossing.geojson"
    ));
    let loaded = load(path).expect("the asset file loads from disk");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.project, project());
}

#[test]
fn the_project_survives_a_save_and_reload_unchanged() {
    let original = project();
    let text = to_json_string(&original);
    let reloaded = parse(&text, "round trip").expect("the saved text parses");
    assert!(reloaded.warnings.is_empty(), "{:?}", reloaded.warnings);
    assert_eq!(reloaded.project, original);
}

#[test]
fn every_source_of_the_data_file_is_present_with_its_url_and_date() {
    let p = project();
    for (key, url, date) in DATA_FILE_SOURCES {
        let source = p
            .source(key)
            .unwrap_or_else(|| panic!("source \"{key}\" is missing"));
        assert_eq!(source.url.as_deref(), Some(url), "url of {key}");
        assert_eq!(
            source.date.map(|d| d.to_string()).as_deref(),
            date,
            "date of {key}"
        );
        assert!(
            !source.outlet.is_empty() && !source.title.is_empty(),
            "{key}"
        );
    }
    let keys: BTreeSet<&str> = p.sources.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys.len(), p.sources.len(), "source keys are unique");
}

#[test]
fn every_stage_and_annotation_cites_a_known_source() {
    let p = project();
    for stage in &p.stages {
        assert!(
            !stage.sources.is_empty(),
            "stage \"{}\" cites nothing",
            stage.title
        );
        for c in &stage.sources {
            assert!(
                p.source(&c.source).is_some(),
                "stage \"{}\": {}",
                stage.title,
                c.source
            );
        }
    }
    for a in &p.annotations {
        assert!(
            !a.sources.is_empty(),
            "annotation \"{}\" cites nothing",
            a.id
        );
        for c in &a.sources {
            assert!(
                p.source(&c.source).is_some(),
                "annotation \"{}\": {}",
                a.id,
                c.source
            );
        }
    }
}

#[test]
fn every_citation_in_the_file_spells_out_its_evidence_word() {
    let doc: Value = serde_json::from_str(DEFAULT_PROJECT_TEXT).expect("the asset is JSON");
    let words = ["confirmed", "reported", "derived"];
    let mut citations = Vec::new();
    for stage in doc["sitewatch"]["stages"].as_array().expect("stages") {
        citations.extend(stage["sources"].as_array().expect("stage sources"));
    }
    for feature in doc["features"].as_array().expect("features") {
        citations.extend(
            feature["properties"]["sources"]
                .as_array()
                .expect("feature sources"),
        );
    }
    assert!(citations.len() > 50, "{} citations", citations.len());
    for c in citations {
        let word = c["evidence"].as_str().unwrap_or_default();
        assert!(words.contains(&word), "citation {c} has no evidence word");
    }
    for s in doc["sitewatch"]["sources"].as_array().expect("sources") {
        let word = s["evidence"].as_str().unwrap_or_default();
        assert!(
            words.contains(&word),
            "source {} has no evidence word",
            s["key"]
        );
    }
}

#[test]
fn every_derived_position_says_it_is_approximate_and_is_never_confirmed() {
    let p = project();
    let derived: Vec<&Annotation> = p.annotations.iter().filter(|a| a.is_derived()).collect();
    assert!(derived.len() >= 30, "{} derived annotations", derived.len());
    for a in derived {
        assert!(
            a.note.contains("approximate"),
            "\"{}\" is derived but its note does not say approximate: {}",
            a.id,
            a.note
        );
        assert_ne!(a.certainty, Certainty::Confirmed, "\"{}\" is derived", a.id);
    }
}

#[test]
fn only_positions_confirmed_in_the_place_table_are_drawn_as_confirmed() {
    let p = project();
    let confirmed: BTreeSet<&str> = p
        .annotations
        .iter()
        .filter(|a| a.certainty == Certainty::Confirmed)
        .map(|a| a.id.as_str())
        .collect();
    let expected = BTreeSet::from([
        "khasan-station",
        "rail-bridge-wikipedia-point",
        "tripoint-marker-423",
    ]);
    assert_eq!(confirmed, expected);
    for (id, lat, lon) in [
        ("rail-bridge-wikipedia-point", 42.415_167, 130.641_056),
        ("tripoint-marker-423", 42.419_787, 130.639_275),
        ("khasan-station", 42.430_056, 130.644_917),
    ] {
        let at = point(&p, id);
        assert!(
            distance_m(at, Point::new(lon, lat)) < 0.5,
            "{id} is at {at:?}, not the table's {lat}, {lon}"
        );
    }
    let tumangang = annotation(&p, "tumangang-station");
    assert_eq!(tumangang.certainty, Certainty::Probable, "a single source");
    assert!(
        tumangang
            .sources
            .iter()
            .all(|c| c.evidence == Evidence::Reported)
    );
    assert!(
        distance_m(
            point(&p, "tumangang-station"),
            Point::new(130.6081, 42.4214)
        ) < 0.5
    );
}

#[test]
fn the_thirteen_stages_keep_the_date_precision_their_sources_give() {
    let p = project();
    let expected = [
        ("2024-06-19", "19 JUN 2024", Precision::Day),
        ("2025-02-27", "27 FEB 2025", Precision::Day),
        ("2025-03-03", "3 MAR 2025", Precision::Day),
        ("2025-04-30", "30 APR 2025", Precision::Day),
        (
            "late 2025-05",
            "LATE MAY 2025",
            Precision::MonthPart(MonthPart::Late),
        ),
        (
            "early 2025-06",
            "EARLY JUN 2025",
            Precision::MonthPart(MonthPart::Early),
        ),
        ("2025-06-02", "2 JUN 2025", Precision::Day),
        ("2025-07-05", "5 JUL 2025", Precision::Day),
        (
            "mid 2025-09",
            "MID SEP 2025",
            Precision::MonthPart(MonthPart::Mid),
        ),
        ("2025-09-27", "27 SEP 2025", Precision::Day),
        ("2025-10-14", "14 OCT 2025", Precision::Day),
        ("2026-03", "MAR 2026", Precision::Month),
        (
            "summer 2026",
            "SUMMER 2026",
            Precision::Season(Season::Summer),
        ),
    ];
    assert_eq!(p.stages.len(), expected.len());
    for (stage, (text, upper, precision)) in p.stages.iter().zip(expected) {
        assert_eq!(stage.date.to_string(), text, "stage \"{}\"", stage.title);
        assert_eq!(stage.date.display_upper(), upper);
        assert_eq!(stage.date.precision(), precision, "{text}");
        assert!(
            !stage.title.is_empty() && stage.title.chars().count() <= 40,
            "title \"{}\"",
            stage.title
        );
        assert!(!stage.summary.is_empty(), "stage {text} has no summary");
    }
    assert_eq!(date_range(&p), Some((day("2024-06-19"), day("2026-06-01"))));
}

#[test]
fn stage_citations_carry_the_evidence_of_the_timeline_table() {
    let p = project();
    let evidence_of = |date: &str| -> Vec<(&str, Evidence)> {
        let stage = p
            .stages
            .iter()
            .find(|s| s.date.to_string() == date)
            .unwrap_or_else(|| panic!("a stage dated {date}"));
        stage
            .sources
            .iter()
            .map(|c| (c.source.as_str(), c.evidence))
            .collect()
    };
    assert_eq!(
        evidence_of("2024-06-19"),
        [("tass-groundbreaking", Evidence::Confirmed)]
    );
    assert_eq!(
        evidence_of("late 2025-05"),
        [("nknews-planet", Evidence::Reported)]
    );
    assert_eq!(
        evidence_of("2025-09-27"),
        [("epravda-spans", Evidence::Reported)]
    );
    assert_eq!(
        evidence_of("mid 2025-09"),
        [("asiapress-sep", Evidence::Confirmed)]
    );
    let groundbreaking: BTreeSet<&str> = evidence_of("2025-04-30")
        .into_iter()
        .filter(|(_, e)| *e == Evidence::Confirmed)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        groundbreaking,
        BTreeSet::from([
            "ap-road-link",
            "nknews-groundbreaking",
            "tass-groundbreaking"
        ])
    );
    for stage in &p.stages {
        assert!(
            stage
                .sources
                .iter()
                .all(|c| c.evidence != Evidence::Derived),
            "stage \"{}\" rests on what a source says, not on a derivation",
            stage.title
        );
    }
}

#[test]
fn the_october_2025_stage_says_its_day_is_the_seed_articles_caption() {
    let p = project();
    let stage = current_stage(&p, day("2025-10-14")).expect("a stage on 2025-10-14");
    assert_eq!(stage.date.to_string(), "2025-10-14");
    assert!(stage.summary.contains("caption"), "{}", stage.summary);
    let csis = stage
        .sources
        .iter()
        .find(|c| c.source == "csis-oct")
        .expect("the stage cites CSIS");
    assert_eq!(csis.evidence, Evidence::Confirmed);
    let detail = csis.detail.as_deref().unwrap_or_default();
    assert!(detail.contains("confirmed in substance"), "{detail}");
}

#[test]
fn the_halves_meeting_rests_on_a_headline_and_the_joining_ceremony_has_no_date() {
    let p = project();
    let march = current_stage(&p, day("2026-03-15")).expect("a stage in March 2026");
    assert_eq!(march.date.display_upper(), "MAR 2026");
    assert!(
        march
            .sources
            .iter()
            .any(|c| c.source == "38north-2026-03" && c.detail.as_deref() == Some("headline only"))
    );
    let last = p.stages.last().expect("stages");
    assert!(matches!(
        last.date.precision(),
        Precision::Season(Season::Summer)
    ));
    assert!(last.title.contains("Planned"), "{}", last.title);
    assert!(last.summary.contains("not found"), "{}", last.summary);
}

#[test]
fn the_road_bridge_is_581_m_of_dprk_and_424_m_of_russian_work_meeting_mid_river() {
    let p = project();
    let dprk = line(&p, "road-bridge-dprk-section");
    let russia = line(&p, "road-bridge-russian-section");
    assert_within("DPRK section", length_m(dprk), 581.0, 0.01);
    assert_within("Russian section", length_m(russia), 424.0, 0.01);
    assert_within(
        "whole bridge",
        length_m(dprk) + length_m(russia),
        1005.0,
        0.01,
    );
    assert_within(
        "planned route",
        length_m(line(&p, "road-bridge-planned-alignment")),
        1005.0,
        0.01,
    );
    assert!(
        distance_m(last(dprk), first(russia)) < 1.0,
        "the halves meet"
    );
    assert!(
        easting_m(first(dprk), last(dprk)) > 570.0,
        "the DPRK part is western, W→E"
    );
    assert!(
        easting_m(first(russia), last(russia)) > 415.0,
        "the Russian part is eastern"
    );
    for a in ["road-bridge-dprk-section", "road-bridge-russian-section"] {
        assert_eq!(annotation(&p, a).seen_from.to_string(), "2026-03");
    }
}

#[test]
fn the_road_bridge_is_centred_400_to_500_m_downstream_of_the_rail_bridge() {
    let p = project();
    let west = first(line(&p, "road-bridge-dprk-section"));
    let east = last(line(&p, "road-bridge-russian-section"));
    let centre = Point::new(
        f64::midpoint(west.x(), east.x()),
        f64::midpoint(west.y(), east.y()),
    );
    assert!(
        distance_m(centre, Point::new(130.6425, 42.4115)) < 5.0,
        "{centre:?}"
    );
    let rail = point(&p, "rail-bridge-wikipedia-point");
    let apart = distance_m(rail, centre);
    assert!((400.0..=500.0).contains(&apart), "{apart:.0} m apart");
    assert!(
        northing_m(rail, centre) < -0.9 * apart,
        "the road bridge lies south"
    );
}

#[test]
fn the_rail_bridge_is_about_600_m_and_passes_through_the_wikipedia_point() {
    let p = project();
    let rail = line(&p, "rail-bridge");
    assert_within("rail bridge", length_m(rail), 600.0, 0.05);
    let wiki = point(&p, "rail-bridge-wikipedia-point");
    let nearest = rail
        .0
        .iter()
        .map(|c| distance_m(wiki, Point(*c)))
        .fold(f64::INFINITY, f64::min);
    assert!(
        nearest < 1.0,
        "nearest vertex {nearest:.1} m from the point"
    );
    assert!(easting_m(first(rail), last(rail)) > 590.0, "drawn W→E");
    assert_eq!(annotation(&p, "rail-bridge").seen_from.to_string(), "1959");
}

#[test]
fn the_customs_sites_have_the_reported_areas() {
    let p = project();
    assert_within(
        "DPRK checkpoint",
        area_m2(polygon(&p, "dprk-checkpoint")),
        50_000.0,
        0.05,
    );
    assert_within(
        "Russian customs site",
        area_m2(polygon(&p, "russian-customs-site")),
        200_000.0,
        0.05,
    );
}

#[test]
fn the_russian_work_platform_has_the_reported_size() {
    let p = project();
    assert_within(
        "pontoon",
        length_m(line(&p, "work-platform-pontoon")),
        164.0,
        0.02,
    );
    let frame = polygon(&p, "work-platform-framework");
    assert_within("framework", area_m2(frame), 70.0 * 108.0, 0.05);
    let mut sides: Vec<f64> = frame
        .exterior()
        .lines()
        .map(|l| distance_m(Point(l.start), Point(l.end)))
        .collect();
    sides.sort_by(f64::total_cmp);
    assert_eq!(sides.len(), 4);
    assert_within("short side", sides[0], 70.0, 0.02);
    assert_within("long side", sides[3], 108.0, 0.02);
    assert_within(
        "graded shore",
        length_m(line(&p, "russian-shore-graded")),
        360.0,
        0.05,
    );
    let russian_bridgehead = last(line(&p, "road-bridge-russian-section"));
    assert!(
        distance_m(first(line(&p, "work-platform-pontoon")), russian_bridgehead)
            < distance_m(last(line(&p, "work-platform-pontoon")), russian_bridgehead),
        "the pontoon starts at the Russian bank and reaches into the river"
    );
}

#[test]
fn the_russian_access_road_runs_1_9_km_north_from_the_bridgehead() {
    let p = project();
    let road = line(&p, "russian-access-road");
    assert_within("access road", length_m(road), 1900.0, 0.03);
    let bridgehead = last(line(&p, "road-bridge-russian-section"));
    assert!(distance_m(first(road), bridgehead) < 1.0);
    assert!(
        northing_m(first(road), last(road)) > 1500.0,
        "it heads north"
    );
}

#[test]
fn supporting_sites_lie_where_the_reports_put_them() {
    let p = project();
    let russian_bridgehead = last(line(&p, "road-bridge-russian-section"));
    let dprk_bridgehead = first(line(&p, "road-bridge-dprk-section"));

    let helipad = point(&p, "helipad");
    assert_within(
        "helipad",
        northing_m(russian_bridgehead, helipad),
        300.0,
        0.1,
    );
    assert!(
        easting_m(russian_bridgehead, helipad).abs() < 50.0,
        "due north"
    );
    assert!(polygon(&p, "russian-customs-site").contains(&helipad));

    let plant = point(&p, "russian-concrete-plant");
    assert_within(
        "Russian plant",
        northing_m(russian_bridgehead, plant),
        1000.0,
        0.1,
    );

    let dprk_plant = point(&p, "dprk-concrete-plant");
    assert_within(
        "DPRK plant",
        -easting_m(dprk_bridgehead, dprk_plant),
        500.0,
        0.1,
    );
    assert!(
        northing_m(dprk_bridgehead, dprk_plant).abs() < 50.0,
        "due west"
    );

    let checkpoint = polygon(&p, "dprk-checkpoint");
    for (id, metres) in [
        ("dprk-graded-area-610m", 610.0),
        ("dprk-graded-area-730m", 730.0),
    ] {
        let at = point(&p, id);
        assert_within(id, distance_m(dprk_bridgehead, at), metres, 0.05);
        let (west, south) = (
            -easting_m(dprk_bridgehead, at),
            -northing_m(dprk_bridgehead, at),
        );
        assert!(
            west > 0.0 && south > 0.0 && west > 2.0 * south,
            "{id} is WSW"
        );
        assert!(checkpoint.contains(&at), "{id} lies in the checkpoint site");
    }

    let centre = polygon(&p, "russian-customs-site")
        .centroid()
        .expect("a centroid");
    assert!(
        northing_m(russian_bridgehead, centre) > 0.0,
        "north of the bridgehead"
    );
}

#[test]
fn river_progress_in_october_2025_matches_the_imagery() {
    let p = project();
    assert_within(
        "DPRK into the river",
        length_m(line(&p, "dprk-works-into-river")),
        150.0,
        0.05,
    );
    assert_within(
        "Russia into the river",
        length_m(line(&p, "russian-works-into-river")),
        110.0,
        0.05,
    );
    let on = day("2025-10-14");
    let visible = ids_visible_on(&p, on);
    let count = |prefix: &str| visible.iter().filter(|id| id.starts_with(prefix)).count();
    assert_eq!(count("pier-dprk-river-"), 2);
    assert_eq!(count("pier-dprk-land-"), 6);
    assert_eq!(count("pier-russia-river-"), 2);
    assert_eq!(count("pier-russia-land-"), 3);
    assert_eq!(
        annotation(&p, "pier-russia-river-done").status,
        Status::Complete
    );
    assert_eq!(
        annotation(&p, "pier-russia-river-under-way").status,
        Status::UnderConstruction
    );
    assert!(
        !visible.contains(&"dprk-pier-foundations-begun"),
        "superseded"
    );
    assert!(visible.contains(&"dprk-causeway"));
    assert!(visible.contains(&"dprk-spans-partly-built"));
    assert!(!is_visible(
        annotation(&p, "pier-dprk-land-1"),
        day("2025-10-13")
    ));
}

#[test]
fn the_footings_and_early_works_appear_on_their_report_dates() {
    let p = project();
    let footings = annotation(&p, "dprk-abutment-footings");
    assert!(!is_visible(footings, day("2025-06-01")));
    assert!(is_visible(footings, day("2025-06-02")));
    let ice = annotation(&p, "column-locations-on-ice");
    assert!(is_visible(ice, day("2025-03-03")));
    assert!(!is_visible(ice, day("2025-03-02")));
    let foundations = annotation(&p, "dprk-pier-foundations-begun");
    assert_eq!(foundations.seen_from.display_upper(), "LATE MAY 2025");
    assert!(!is_visible(foundations, day("2025-05-20")));
    assert!(is_visible(foundations, day("2025-05-21")));
    let causeway = annotation(&p, "dprk-causeway");
    assert_eq!(causeway.seen_from.display_upper(), "MID SEP 2025");
    assert!(!is_visible(causeway, day("2025-09-10")));
}

#[test]
fn the_work_platform_is_seen_in_february_2025_and_gone_by_october() {
    let p = project();
    for id in ["work-platform-pontoon", "work-platform-framework"] {
        let a = annotation(&p, id);
        assert!(!is_visible(a, day("2025-02-26")), "{id}");
        assert!(is_visible(a, day("2025-02-27")), "{id}");
        assert!(!is_visible(a, day("2025-10-14")), "{id}");
        assert!(a.seen_until.is_some(), "{id}");
        assert!(
            a.note.contains("not reported in later imagery"),
            "{id}: {}",
            a.note
        );
    }
}

#[test]
fn no_road_bridge_structure_stands_when_the_agreement_is_signed() {
    let p = project();
    let visible: Vec<&Annotation> = visible_annotations(&p, day("2024-06-19")).collect();
    let works: Vec<&str> = visible
        .iter()
        .filter(|a| BRIDGE_WORKS.contains(&a.category.as_str()))
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(works, ["rail-bridge-wikipedia-point", "rail-bridge"]);
    assert!(visible.iter().any(|a| a.id == "khasan-station"));
    assert!(
        visible
            .iter()
            .all(|a| !a.id.starts_with("road-bridge") && a.category != "checkpoint")
    );
}

#[test]
fn the_whole_sections_replace_the_partial_works_when_the_halves_meet() {
    let p = project();
    let before = ids_visible_on(&p, day("2026-02-28"));
    let after = ids_visible_on(&p, day("2026-03-01"));
    for id in ["road-bridge-dprk-section", "road-bridge-russian-section"] {
        assert!(!before.contains(&id) && after.contains(&id), "{id}");
    }
    for id in [
        "dprk-works-into-river",
        "russian-works-into-river",
        "dprk-spans-partly-built",
        "road-bridge-planned-alignment",
    ] {
        assert!(before.contains(&id) && !after.contains(&id), "{id}");
    }
    let planned = annotation(&p, "road-bridge-planned-alignment");
    assert_eq!(planned.status, Status::Planned);
    assert!(!is_visible(planned, day("2025-04-29")));
}

#[test]
fn the_home_view_frames_the_crossing_and_both_customs_sites() {
    let p = project();
    for a in p.annotations.iter().filter(|a| a.id != "tumangang-station") {
        for c in a.shape.vertices() {
            assert!(
                p.home.contains(c),
                "\"{}\" vertex {c:?} is outside home",
                a.id
            );
        }
    }
    assert!(p.home.west > 130.6 && p.home.east < 130.68, "{:?}", p.home);
    assert!(p.home.south > 42.39 && p.home.north < 42.44, "{:?}", p.home);
}

#[test]
fn categories_use_the_okabe_ito_palette_and_every_one_is_used() {
    let p = project();
    for category in &p.categories {
        let hex = category.style.color.to_hex();
        assert!(PALETTE.contains(&hex.as_str()), "{} is {hex}", category.key);
        assert!(
            p.annotations.iter().any(|a| a.category == category.key),
            "category {} is unused",
            category.key
        );
    }
    assert_eq!(
        p.categories
            .first()
            .map(|c| c.style.color.to_hex())
            .as_deref(),
        Some("#F0E442"),
        "the primary yellow comes first"
    );
}

#[test]
fn polygon_rings_wind_counterclockwise_as_rfc_7946_asks() {
    let p = project();
    let polygons: Vec<&Annotation> = p
        .annotations
        .iter()
        .filter(|a| matches!(a.shape, Shape::Polygon(_)))
        .collect();
    assert!(polygons.len() >= 3);
    for a in polygons {
        let ring = polygon(&p, &a.id).exterior();
        assert!(ring.is_ccw(), "\"{}\" winds clockwise", a.id);
    }
}

#[test]
fn annotation_ids_are_kebab_case_and_labels_are_set() {
    let p = project();
    for a in &p.annotations {
        let ok = !a.id.is_empty()
            && a.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !a.id.starts_with('-')
            && !a.id.ends_with('-')
            && !a.id.contains("--");
        assert!(ok, "id \"{}\" is not kebab-case", a.id);
        assert!(!a.label.is_empty() && !a.note.is_empty(), "\"{}\"", a.id);
        if let Some(until) = a.seen_until {
            assert!(
                until.key() > a.seen_from.key(),
                "\"{}\" ends before it starts",
                a.id
            );
        }
    }
}
