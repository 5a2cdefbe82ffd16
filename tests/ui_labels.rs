//! Labels an analyst places: dragged on the map in the real window (kittest), pinned or hidden,
//! stored in the project, undone in one step, and drawn the same way by the export.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::drag;
use egui::{Rect, pos2, vec2};
use egui_kittest::Harness;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, EditCommand};
use sitewatch::editing::{AnnotationField, Edit};
use sitewatch::export::{ExportOptions, ViewChoice, render_figure};
use sitewatch::model::io::{parse, to_json_string};
use sitewatch::model::{LabelPlace, Mark};
use sitewatch::render::display_list::DisplayList;

fn label_rect(list: &DisplayList, id: &str) -> Option<[f32; 4]> {
    list.labels().find(|(l, _)| *l == id).map(|(_, r)| r)
}

/// A label of a structure (not a text mark) well inside the map, and its screen rect.
fn some_label(h: &Harness<'_, SitewatchApp>) -> (String, Rect) {
    let map = h.state().map_view().unwrap().rect;
    let project = h.state().project();
    h.state()
        .display_list()
        .labels()
        .filter(|(id, _)| project.annotation(id).is_some_and(|a| a.mark != Mark::Text))
        .map(|(id, r)| {
            let rect = Rect::from_min_max(map.min + vec2(r[0], r[1]), map.min + vec2(r[2], r[3]));
            (id.to_owned(), rect)
        })
        .find(|(_, r)| map.shrink(120.0).contains_rect(*r))
        .expect("a label well inside the map")
}

fn set_place(h: &mut Harness<'_, SitewatchApp>, id: &str, place: LabelPlace) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::Edit(EditCommand::Apply {
            edit: Edit::SetField {
                id: id.to_owned(),
                field: AnnotationField::LabelPlace(place),
            },
            coalesce: None,
        }),
    );
    h.run_steps(2);
}

#[test]
fn a_dragged_label_stays_where_it_was_put_in_the_window_the_file_and_the_export() {
    let date = common::day(2025, 10, 14);
    let mut h = common::default_app(date, 1400.0, 900.0);
    h.run_steps(6);
    let (id, before) = some_label(&h);
    let steps = h.state().history().undo_len();
    let centre = h.state().map_view().unwrap().center;

    drag(&mut h, before.center(), before.center() + vec2(60.0, -45.0));

    let place = h.state().project().annotation(&id).unwrap().label_place;
    assert!(
        place.offset.is_some(),
        "the drag stored an offset: {place:?}"
    );
    assert_eq!(h.state().history().undo_len(), steps + 1, "one undo step");
    assert_eq!(
        h.state().map_view().unwrap().center,
        centre,
        "the map did not pan"
    );
    let map = h.state().map_view().unwrap().rect;
    let after = label_rect(h.state().display_list(), &id).expect("still drawn");
    let moved = pos2(after[0], after[1]) + map.min.to_vec2() - before.min;
    assert!(
        (moved.x - 60.0).abs() <= 1.5 && (moved.y + 45.0).abs() <= 1.5,
        "the box followed the pointer: {moved:?}"
    );

    // Saved and read back.
    let text = to_json_string(h.state().project());
    let reread = parse(&text, "test").unwrap().project;
    assert_eq!(reread.annotation(&id).unwrap().label_place, place);

    // The export puts the box's centre at the same offset from its anchor, at 1920 px scale 1.
    let figure = render_figure(
        h.state().project(),
        date,
        &ExportOptions {
            size_px: [1920, 1080],
            view: ViewChoice::BBox(h.state().project().home),
            ..ExportOptions::default()
        },
        &|_, _| true,
    )
    .unwrap();
    let anchor = figure
        .scene
        .labels
        .iter()
        .find(|l| l.id == id)
        .unwrap()
        .anchor;
    let [ax, ay] = figure.view.to_px(anchor);
    let r = label_rect(&figure.list, &id).expect("the export draws it");
    let [dx, dy] = place.offset.unwrap();
    let scale = figure.layout.px_scale;
    assert!(
        (f32::midpoint(r[0], r[2]) - ax - dx * scale).abs() <= 1.0
            && (f32::midpoint(r[1], r[3]) - ay - dy * scale).abs() <= 1.0,
        "export box {r:?}, anchor {ax},{ay}, offset {dx},{dy}"
    );

    // Undo puts it back beside its feature.
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, Command::Edit(EditCommand::Undo));
    h.run_steps(2);
    assert_eq!(
        h.state().project().annotation(&id).unwrap().label_place,
        LabelPlace::default()
    );
    let back = label_rect(h.state().display_list(), &id).unwrap();
    assert!((back[0] + map.min.x - before.min.x).abs() < 0.5);
}

#[test]
fn a_hidden_label_is_drawn_nowhere_and_a_pinned_one_everywhere() {
    let date = common::day(2025, 10, 14);
    let mut h = common::default_app(date, 1400.0, 900.0);
    h.run_steps(6);
    let (id, _) = some_label(&h);
    set_place(
        &mut h,
        &id,
        LabelPlace {
            hidden: true,
            ..LabelPlace::default()
        },
    );
    assert!(label_rect(h.state().display_list(), &id).is_none());
    let options = ExportOptions {
        size_px: [1280, 720],
        view: ViewChoice::BBox(h.state().project().home),
        ..ExportOptions::default()
    };
    let figure = render_figure(h.state().project(), date, &options, &|_, _| true).unwrap();
    assert!(label_rect(&figure.list, &id).is_none());
    assert!(
        figure.scene.items.iter().any(|i| i.id == id),
        "the feature itself is still drawn"
    );

    // Of the labels the export leaves out for want of room, a pinned one is drawn.
    set_place(&mut h, &id, LabelPlace::default());
    let crowded = ExportOptions {
        size_px: [640, 360],
        ..options
    };
    let figure = render_figure(h.state().project(), date, &crowded, &|_, _| true).unwrap();
    let left_out = figure
        .scene
        .labels
        .iter()
        .find(|l| label_rect(&figure.list, &l.id).is_none())
        .expect("a small figure leaves some labels out")
        .id
        .clone();
    set_place(
        &mut h,
        &left_out,
        LabelPlace {
            pinned: true,
            ..LabelPlace::default()
        },
    );
    let figure = render_figure(h.state().project(), date, &crowded, &|_, _| true).unwrap();
    assert!(
        label_rect(&figure.list, &left_out).is_some(),
        "pinned labels always show"
    );
}
