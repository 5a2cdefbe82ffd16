//! Text labels and arrows are annotations like the rest: in the scene, and so in exports, drawn
//! as what they are (a centred label with no marker; a line with a head).

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use chrono::NaiveDate;
use geo::{Coord, LineString, Point};
use sitewatch::editing::Tool;
use sitewatch::editing::create::add_drawn;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::{Certainty, Mark, Project, Shape};
use sitewatch::render::paint_scene;
use sitewatch::render::text::EpaintText;
use sitewatch::scene::{SceneOptions, build};
use tiny_skia::Pixmap;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
}

/// A project with only a text label at (0.5, 0.5) and an arrow from (0.1, 0.9) to (0.9, 0.9).
fn project() -> (Project, String, String) {
    let mut p = load_default_project().unwrap().project;
    p.annotations.clear();
    let (e, text) = add_drawn(
        &p,
        Tool::Text,
        Shape::Point(Point::new(0.5, 0.5)),
        date(),
        None,
    );
    e.apply(&mut p).unwrap();
    let line = LineString::from(vec![(0.1, 0.9), (0.9, 0.9)]);
    let (e, arrow) = add_drawn(&p, Tool::Arrow, Shape::Line(line), date(), None);
    e.apply(&mut p).unwrap();
    for a in &mut p.annotations {
        a.certainty = Certainty::Probable;
    }
    p.annotations[0].label = "Rail spur".into();
    (p, text, arrow)
}

#[test]
fn text_labels_and_arrows_are_in_the_scene_as_themselves() {
    let (p, text, arrow) = project();
    let scene = build(&p, date(), &SceneOptions::default());
    let item = |id: &str| scene.items.iter().find(|i| i.id == id).unwrap();
    assert_eq!(item(&text).mark, Mark::Text);
    assert_eq!(item(&arrow).mark, Mark::Arrow);
    let label = |id: &str| scene.labels.iter().find(|l| l.id == id).unwrap();
    assert_eq!(
        label(&text).text,
        "Rail spur",
        "a text label reads as typed, no certainty words"
    );
    assert_eq!(
        label(&arrow).anchor,
        Coord { x: 0.1, y: 0.9 },
        "a callout's text sits at its tail"
    );
}

#[test]
fn the_exporter_draws_the_arrowhead_and_no_marker_under_a_text_label() {
    let (mut p, text, _) = project();
    // A bare arrow: no callout text to cover the shaft.
    p.annotations[1].label.clear();
    let scene = build(&p, date(), &SceneOptions::default());
    // 1 unit = 400 px, y down.
    let to_px = |c: Coord<f64>| [(c.x * 400.0) as f32, ((1.0 - c.y) * 400.0) as f32];
    let mut pixmap = Pixmap::new(400, 400).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    let drawn = paint_scene(
        &mut pixmap,
        &EpaintText::bundled(),
        &scene,
        &to_px,
        1.0,
        &[],
    );
    let colour = p
        .category(&p.annotations[1].category)
        .unwrap()
        .style
        .color
        .0;
    let pixel = |x: u32, y: u32| {
        let c = pixmap.pixel(x, y).unwrap().demultiply();
        [c.red(), c.green(), c.blue()]
    };
    // The head (24 px long, ±10.8 px wide at its base) ends at (360, 40); the line itself is
    // 4 px wide, so a pixel 6 px off the line 18 px before the tip is the head's.
    assert_eq!(
        pixel(342, 46),
        [colour[0], colour[1], colour[2]],
        "the arrowhead"
    );
    assert_eq!(pixel(200, 46), [255, 255, 255], "no head along the shaft");
    // The text label is centred on its point.
    let box_of_text = drawn.labels().find(|(id, _)| *id == text).unwrap().1;
    let centre = [
        f32::midpoint(box_of_text[0], box_of_text[2]),
        f32::midpoint(box_of_text[1], box_of_text[3]),
    ];
    assert!(
        (centre[0] - 200.0).abs() < 1.0 && (centre[1] - 200.0).abs() < 1.0,
        "{centre:?}"
    );
}
