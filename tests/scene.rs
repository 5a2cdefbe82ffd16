//! The scene holds what the timeline says, at three dates.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use chrono::NaiveDate;
use sitewatch::model::io::parse;
use sitewatch::scene::{ItemGeometry, SceneOptions, build};

const FIXTURE: &str = r##"{
  "type": "FeatureCollection",
  "sitewatch": {
    "format_version": 1,
    "name": "Fixture",
    "home": [130.6, 42.4, 130.7, 42.45],
    "categories": [
      {"key": "bridge", "name": "Bridge", "style": {"color": "#F0E442"}},
      {"key": "yard", "name": "Customs yard", "style": {"color": "#56B4E9", "fill_alpha": 80}},
      {"key": "platform", "name": "Work platform", "style": {"color": "#E69F00"}}
    ],
    "sources": [
      {"key": "a", "outlet": "Outlet A", "title": "T", "url": "https://example.org/a", "date": "2025-04-16", "evidence": "confirmed"},
      {"key": "b", "outlet": "Outlet B", "title": "T", "evidence": "reported"}
    ],
    "stages": [
      {"date": "2025-02-27", "title": "Platform", "summary": "A platform.", "sources": [{"source": "a", "evidence": "confirmed"}]},
      {"date": "late 2025-05", "title": "Foundations", "sources": [{"source": "b", "evidence": "reported"}]},
      {"date": "2026-03", "title": "Halves meet", "sources": [{"source": "a", "evidence": "confirmed"}]}
    ]
  },
  "features": [
    {"type": "Feature", "id": "platform", "geometry": {"type": "LineString", "coordinates": [[130.645, 42.41], [130.643, 42.41]]},
     "properties": {"label": "Work platform", "category": "platform", "certainty": "confirmed", "seen_from": "2025-02-27", "seen_until": "2025-10-14", "sources": [{"source": "a", "evidence": "confirmed"}]}},
    {"type": "Feature", "id": "yard", "geometry": {"type": "Polygon", "coordinates": [[[130.65, 42.42], [130.652, 42.42], [130.652, 42.422], [130.65, 42.42]]]},
     "properties": {"label": "Customs yard", "category": "yard", "certainty": "probable", "seen_from": "2025-06-02", "sources": [{"source": "b", "evidence": "derived"}]}},
    {"type": "Feature", "id": "bridge", "geometry": {"type": "LineString", "coordinates": [[130.636, 42.4115], [130.649, 42.4115]]},
     "properties": {"label": "Road bridge", "category": "bridge", "certainty": "confirmed", "seen_from": "2026-03", "sources": [{"source": "a", "evidence": "confirmed"}]}},
    {"type": "Feature", "id": "helipad", "geometry": {"type": "Point", "coordinates": [130.648, 42.415]},
     "properties": {"label": "Helipad", "category": "unknown-kind", "certainty": "possible", "seen_from": "2025-06-02", "sources": [{"source": "b", "evidence": "derived"}]}}
  ]
}"##;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn before_any_stage_the_scene_is_empty_and_has_no_caption() {
    let project = parse(FIXTURE, "fixture").unwrap().project;
    let scene = build(&project, day("2025-01-01"), &SceneOptions::default());
    assert!(scene.item_ids().is_empty());
    assert!(scene.caption.is_none());
    assert!(scene.legend.is_empty());
    assert_eq!(scene.date_label, "1 JAN 2025");
}

#[test]
fn on_the_first_stage_only_the_platform_is_shown_with_its_caption() {
    let project = parse(FIXTURE, "fixture").unwrap().project;
    let scene = build(&project, day("2025-02-27"), &SceneOptions::default());
    assert_eq!(scene.item_ids(), ["platform"]);
    let caption = scene.caption.unwrap();
    assert_eq!(caption.title, "Platform");
    assert_eq!(caption.stage_date, "27 FEB 2025");
    assert_eq!(caption.sources[0].label, "Outlet A, 16 APR 2025");
    assert_eq!(
        caption.sources[0].url.as_deref(),
        Some("https://example.org/a")
    );
    assert_eq!(scene.legend.len(), 1);
    assert_eq!(scene.legend[0].name, "Work platform");
    // Confirmed lines are solid.
    assert_eq!(scene.items[0].stroke.dash_px, None);
}

#[test]
fn in_october_2025_the_platform_is_gone_and_the_yard_and_helipad_are_shown() {
    let project = parse(FIXTURE, "fixture").unwrap().project;
    let scene = build(&project, day("2025-10-14"), &SceneOptions::default());
    // Areas are drawn first, points last.
    assert_eq!(scene.item_ids(), ["yard", "helipad"]);
    let caption = scene.caption.unwrap();
    assert_eq!(caption.title, "Foundations");
    assert_eq!(caption.stage_date, "LATE MAY 2025");
    assert_eq!(caption.sources[0].url, None, "no URL recorded for source b");
    let yard = &scene.items[0];
    assert!(matches!(yard.geometry, ItemGeometry::Polygon(_)));
    assert_eq!(yard.fill.unwrap().0[3], 80);
    assert_eq!(
        yard.stroke.dash_px,
        Some((16.0, 10.0)),
        "probable is dashed"
    );
    assert_eq!(
        scene.items[1].stroke.dash_px,
        Some((4.0, 8.0)),
        "possible is short-dashed"
    );
    let labels: Vec<_> = scene.labels.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(labels, ["Probable customs yard", "Possible helipad?"]);
    // Only known categories make legend rows; an unknown one is drawn in the fallback style.
    let legend: Vec<_> = scene.legend.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(legend, ["Customs yard"]);
}

#[test]
fn after_the_halves_meet_the_bridge_is_shown_and_the_selection_is_marked() {
    let project = parse(FIXTURE, "fixture").unwrap().project;
    let options = SceneOptions {
        selected: Some("bridge".into()),
        credits: vec!["Natural Earth".into()],
        notices: vec![],
        label_language: None,
        file_dates: sitewatch::model::FileDates::new(),
    };
    let scene = build(&project, day("2026-04-01"), &options);
    assert_eq!(scene.item_ids(), ["yard", "bridge", "helipad"]);
    assert_eq!(scene.caption.unwrap().title, "Halves meet");
    let selected: Vec<_> = scene
        .items
        .iter()
        .filter(|i| i.selected)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(selected, ["bridge"]);
    assert_eq!(scene.credits, ["Natural Earth"]);
}
