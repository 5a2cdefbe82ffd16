//! Drawing and editing on the map through the real window (kittest): clicks placed where the
//! projection says, so the drawn polygon lands on known coordinates with a known geodesic area.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use chrono::NaiveDate;
use common::drag;
use egui::{Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use geo::{Coord, LineString, Polygon};
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::editing::Tool;
use sitewatch::model::Shape;
use sitewatch::model::default_project::load_default_project;
use sitewatch::spatial::measure::{area_m2, format_area};
use sitewatch::spatial::mercator::world_px_from_lonlat;
use sitewatch::ui::inspector::labels;
use sitewatch::ui::tools::tool_label;

/// The default project without its annotations, so nothing snaps the clicks away.
fn harness() -> Harness<'static, SitewatchApp> {
    let mut loaded = load_default_project().unwrap();
    loaded.project.annotations.clear();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            SitewatchApp::new(
                cc,
                AppOptions {
                    loaded,
                    project_path: None,
                    date: Some(NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()),
                    screenshot: None,
                    persist: false,
                },
            )
        });
    h.run_steps(6);
    h
}

/// Where a lon/lat is on screen: the map's centre plus the Web Mercator pixel offset.
fn screen(h: &Harness<'_, SitewatchApp>, c: Coord<f64>) -> Pos2 {
    let view = h.state().map_view().expect("the map was drawn");
    let at = world_px_from_lonlat(c, view.zoom);
    let mid = world_px_from_lonlat(view.center, view.zoom);
    let p = view.rect.center() + egui::vec2((at.x - mid.x) as f32, (at.y - mid.y) as f32);
    assert!(
        view.rect.shrink(40.0).contains(p),
        "{p:?} is on the map {:?}",
        view.rect
    );
    p
}

fn click(h: &mut Harness<'_, SitewatchApp>, p: Pos2) {
    h.hover_at(p);
    h.drag_at(p);
    h.drop_at(p);
    h.run_steps(2);
}

/// A ~120 m × 90 m quadrilateral just off the map's centre.
fn target_ring(h: &Harness<'_, SitewatchApp>) -> Vec<Coord<f64>> {
    let c = h.state().map_view().unwrap().center;
    let (dx, dy) = (0.0015, 0.0008);
    vec![
        Coord {
            x: c.x - dx,
            y: c.y - dy,
        },
        Coord {
            x: c.x + dx,
            y: c.y - dy,
        },
        Coord {
            x: c.x + dx,
            y: c.y + dy,
        },
        Coord {
            x: c.x - dx * 1.3,
            y: c.y + dy,
        },
    ]
}

fn expected_area_m2(ring: &[Coord<f64>]) -> f64 {
    let mut closed = ring.to_vec();
    closed.push(ring[0]);
    area_m2(&Polygon::new(LineString::new(closed), vec![]))
}

fn only_polygon(h: &Harness<'_, SitewatchApp>) -> Polygon<f64> {
    let annotations = &h.state().project().annotations;
    assert_eq!(annotations.len(), 1, "one annotation drawn");
    let Shape::Polygon(p) = &annotations[0].shape else {
        panic!("a polygon, got {:?}", annotations[0].shape)
    };
    p.clone()
}

fn draw_polygon(h: &mut Harness<'_, SitewatchApp>) -> Vec<Coord<f64>> {
    h.key_press(egui::Key::A);
    h.run_steps(2);
    assert_eq!(h.state().tool(), Tool::Polygon);
    let ring = target_ring(h);
    for c in &ring {
        let p = screen(h, *c);
        click(h, p);
    }
    assert_eq!(
        h.state().drawing().len(),
        ring.len(),
        "one vertex per click"
    );
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    ring
}

#[test]
fn a_polygon_drawn_by_clicking_lands_where_the_projection_says() {
    let mut h = harness();
    let ring = draw_polygon(&mut h);
    let polygon = only_polygon(&h);
    assert_eq!(
        polygon.exterior().0.len(),
        5,
        "four vertices and the closing one"
    );
    let expected = expected_area_m2(&ring);
    let area = area_m2(&polygon);
    assert!(
        (area - expected).abs() / expected < 0.02,
        "area {area:.0} m² vs {expected:.0} m² expected"
    );
    // Each vertex lands within a metre or two of its target (one screen point at this zoom).
    for (v, t) in sitewatch::model::Shape::Polygon(polygon.clone())
        .vertices()
        .iter()
        .zip(&ring)
    {
        let found = ring
            .iter()
            .any(|r| (r.x - v.x).abs() < 3e-5 && (r.y - v.y).abs() < 3e-5);
        assert!(
            found,
            "{v:?} is one of the clicked corners (first target {t:?})"
        );
    }
    // The new annotation is selected and the inspector shows its live geodesic area.
    let id = h.state().project().annotations[0].id.clone();
    assert_eq!(h.state().selected(), Some(id.as_str()));
    let shown = format_area(area);
    assert!(
        h.query_by_label_contains(&shown).is_some(),
        "the inspector shows the area {shown}"
    );
    assert!(
        h.query_by_label_contains(labels::NO_SOURCE).is_some(),
        "flagged: no source"
    );
}

#[test]
fn drawing_undoes_and_redoes_as_one_step() {
    let mut h = harness();
    draw_polygon(&mut h);
    let drawn = only_polygon(&h);
    assert!(h.state().is_dirty());
    assert!(h.state().title().starts_with("• "), "{}", h.state().title());

    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().project().annotations.is_empty(), "undone");
    assert_eq!(h.state().selected(), None, "the selection went with it");
    assert!(!h.state().is_dirty(), "back at the state on disk");

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(only_polygon(&h), drawn, "redone exactly");

    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    assert_eq!(only_polygon(&h), drawn, "Ctrl+Y redoes too");
}

#[test]
fn dragging_a_vertex_moves_it_and_undo_puts_it_back_in_one_step() {
    let mut h = harness();
    let ring = draw_polygon(&mut h);
    h.key_press(egui::Key::V);
    h.run_steps(2);
    assert_eq!(h.state().tool(), Tool::Select);
    let before = only_polygon(&h);
    let steps_before = h.state().history().undo_len();

    let from = screen(&h, ring[2]);
    let to_lonlat = Coord {
        x: ring[2].x + 0.0006,
        y: ring[2].y + 0.0003,
    };
    let to = screen(&h, to_lonlat);
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=6 {
        let t = i as f32 / 6.0;
        h.hover_at(from + (to - from) * t);
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(3);

    let after = only_polygon(&h);
    let moved = Shape::Polygon(after.clone()).vertices();
    let target = moved
        .iter()
        .find(|v| (v.x - to_lonlat.x).abs() < 3e-5 && (v.y - to_lonlat.y).abs() < 3e-5);
    assert!(
        target.is_some(),
        "a vertex now sits at {to_lonlat:?}: {moved:?}"
    );
    assert_eq!(moved.len(), 4, "moved, not added");
    assert_eq!(
        h.state().history().undo_len(),
        steps_before + 1,
        "the whole drag is one step"
    );
    let map_view = h.state().map_view().unwrap();
    assert!(map_view.rect.contains(to), "the map did not pan instead");

    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(only_polygon(&h), before);
}

#[test]
fn tool_shortcuts_switch_tools_and_the_buttons_say_them() {
    let mut h = harness();
    for tool in Tool::ALL.iter().rev() {
        let key = egui::Key::from_name(&tool.key().to_string()).unwrap();
        h.key_press(key);
        h.run_steps(2);
        assert_eq!(h.state().tool(), *tool, "{key:?}");
    }
    h.get_by_label(&tool_label(Tool::Measure)).click();
    h.run_steps(2);
    assert_eq!(h.state().tool(), Tool::Measure);
}

#[test]
fn escape_cancels_a_drawing_and_backspace_drops_the_last_vertex() {
    let mut h = harness();
    h.key_press(egui::Key::L);
    h.run_steps(2);
    let ring = target_ring(&h);
    for c in &ring[..3] {
        let p = screen(&h, *c);
        click(&mut h, p);
    }
    assert_eq!(h.state().drawing().len(), 3);
    h.key_press(egui::Key::Backspace);
    h.run_steps(2);
    assert_eq!(h.state().drawing().len(), 2);
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().drawing().is_empty());
    assert!(
        h.state().project().annotations.is_empty(),
        "nothing was created"
    );
}

#[test]
fn the_measure_tool_creates_no_annotation() {
    let mut h = harness();
    h.key_press(egui::Key::M);
    h.run_steps(2);
    let ring = target_ring(&h);
    for c in &ring[..3] {
        let p = screen(&h, *c);
        click(&mut h, p);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.state().project().annotations.is_empty());
    let text = h.state().measure_text().expect("a measurement is shown");
    assert!(
        text.starts_with("Distance ") && text.contains("· Area "),
        "the measure shows a distance and an area: {text}"
    );
}

#[test]
fn idle_frames_and_vertex_drags_reuse_the_cached_scene() {
    let mut h = harness();
    let ring = draw_polygon(&mut h);
    h.key_press(egui::Key::V);
    h.run_steps(3);
    let builds = h.state().scene_builds();
    h.run_steps(10);
    assert_eq!(
        h.state().scene_builds(),
        builds,
        "nothing changed, nothing rebuilt"
    );

    let from = screen(&h, ring[0]);
    drag(&mut h, from, from + egui::vec2(30.0, 20.0));
    assert_ne!(
        only_polygon(&h).exterior().0[0],
        ring[0],
        "the vertex moved"
    );
    assert_eq!(
        h.state().scene_builds(),
        builds,
        "a drag patches the scene in place"
    );
}

#[test]
fn a_text_label_is_typed_right_after_it_is_placed() {
    let mut h = harness();
    h.key_press(egui::Key::T);
    h.run_steps(2);
    let at = target_ring(&h)[0];
    let p = screen(&h, at);
    click(&mut h, p);
    h.run_steps(2);
    let annotations = &h.state().project().annotations;
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0].mark, sitewatch::model::Mark::Text);
    // The label field has the keyboard with its placeholder selected: typing replaces it.
    h.get_by_label(labels::LABEL).type_text("Rail spur");
    h.run_steps(3);
    assert_eq!(h.state().project().annotations[0].label, "Rail spur");
    assert_eq!(
        h.state().history().undo_len(),
        2,
        "placing and typing: two steps, however many keys"
    );
}

#[test]
fn dragging_a_midpoint_adds_a_vertex_and_dragging_the_body_moves_everything() {
    let mut h = harness();
    let ring = draw_polygon(&mut h);
    h.key_press(egui::Key::V);
    h.run_steps(2);
    // The midpoint of the first segment, dragged outwards: a fifth vertex.
    let mid = Coord {
        x: f64::midpoint(ring[0].x, ring[1].x),
        y: f64::midpoint(ring[0].y, ring[1].y),
    };
    let from = screen(&h, mid);
    drag(&mut h, from, from + egui::vec2(0.0, 30.0));
    let grown = Shape::Polygon(only_polygon(&h)).vertices();
    assert_eq!(grown.len(), 5, "{grown:?}");

    // The body, dragged: every vertex moves by the same amount, as one undo step.
    let steps = h.state().history().undo_len();
    let inside = screen(
        &h,
        Coord {
            x: f64::midpoint(ring[0].x, ring[2].x),
            y: f64::midpoint(ring[0].y, ring[2].y),
        },
    );
    let centre_before = h.state().map_view().unwrap().center;
    drag(&mut h, inside, inside + egui::vec2(40.0, 0.0));
    let moved = Shape::Polygon(only_polygon(&h)).vertices();
    let dx: Vec<f64> = grown.iter().zip(&moved).map(|(a, b)| b.x - a.x).collect();
    assert!(dx[0] > 0.0, "moved east: {dx:?}");
    assert!(dx.iter().all(|d| (d - dx[0]).abs() < 1e-12), "{dx:?}");
    assert!(
        grown
            .iter()
            .zip(&moved)
            .all(|(a, b)| (a.y - b.y).abs() < 1e-12)
    );
    assert_eq!(h.state().history().undo_len(), steps + 1);
    let centre_after = h.state().map_view().unwrap().center;
    assert_eq!(
        centre_before, centre_after,
        "the map did not pan under the drag"
    );
}
