//! Side by side with two to four panes: each pane a date (the extra ones the stages between A
//! and B, or chosen), one centre and zoom for all (a pan in one moves every pane), and a
//! shared cursor: the pointer's ground point as a crosshair in every other pane. A layer picked
//! for a side replaces that side's layers.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, CompareCommand, CompareMode, CompareSide};
use sitewatch::render::display_list::{BoxKind, DisplayList, PaintOp, RectPx};

use common::window::apply;

/// The window side by side with `panes` panes.
fn panes_app(panes: usize) -> Harness<'static, SitewatchApp> {
    let mut h = common::window::ready_app();
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::SideBySide)),
    );
    apply(&mut h, Command::Compare(CompareCommand::SetPanes(panes)));
    h.run_steps(3);
    h
}

/// The panes' rects in the list: its distinct clips, left to right.
fn pane_rects(list: &DisplayList) -> Vec<RectPx> {
    let mut panes: Vec<RectPx> = Vec::new();
    for op in &list.ops {
        if let PaintOp::Clip(Some(r)) = op
            && !panes.contains(r)
        {
            panes.push(*r);
        }
    }
    panes
}

/// The map's top-left corner on screen (the display placement is the slider's pane, the last).
fn map_origin(h: &Harness<'static, SitewatchApp>) -> egui::Pos2 {
    let place = h.state().display_placement();
    let panes = pane_rects(h.state().display_list());
    let last = panes.last().unwrap();
    place.origin - egui::vec2(last[0], last[1])
}

/// The pane-date tags' boxes, left to right.
fn pane_tags(list: &DisplayList) -> Vec<RectPx> {
    list.boxes
        .iter()
        .filter(|b| b.kind == BoxKind::Furniture("pane-date"))
        .map(|b| b.rect_px)
        .collect()
}

/// The centres of the crosshairs in a cursor list (one horizontal arm each).
fn crosshair_centres(list: &DisplayList) -> Vec<[f32; 2]> {
    let mut centres: Vec<[f32; 2]> = Vec::new();
    for op in &list.ops {
        if let PaintOp::Stroke { points, .. } = op
            && let [a, b] = points.as_slice()
            && (a[1] - b[1]).abs() < 0.01
        {
            let c = [f32::midpoint(a[0], b[0]), a[1]];
            if !centres.iter().any(|k| (k[0] - c[0]).abs() < 0.5) {
                centres.push(c);
            }
        }
    }
    centres
}

#[test]
fn three_panes_show_three_dates_from_the_stages_leading_to_b() {
    let h = panes_app(3);
    let dates = h.state().compare_pane_dates();
    assert_eq!(dates.len(), 3);
    assert!(dates[0] < dates[1] && dates[1] < dates[2], "{dates:?}");
    assert_eq!(
        dates[2],
        h.state().date(),
        "the last pane is the slider's date"
    );
    let stages: Vec<_> = h
        .state()
        .project()
        .stages
        .iter()
        .map(|s| s.date.key())
        .collect();
    assert!(stages.contains(&dates[0]) && stages.contains(&dates[1]));
    let list = h.state().display_list().clone();
    let panes = pane_rects(&list);
    assert_eq!(panes.len(), 3, "{panes:?}");
    let tags = pane_tags(&list);
    assert_eq!(tags.len(), 3);
    for (tag, pane) in tags.iter().zip(&panes) {
        let centre = f32::midpoint(tag[0], tag[2]);
        assert!(
            centre >= pane[0] && centre <= pane[2],
            "{tag:?} in {pane:?}"
        );
    }
}

#[test]
fn a_middle_panes_date_can_be_chosen_and_four_panes_fit() {
    let mut h = panes_app(4);
    assert_eq!(h.state().compare_pane_dates().len(), 4);
    assert_eq!(pane_rects(h.state().display_list()).len(), 4);
    let chosen = common::day(2025, 2, 27);
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetPaneDate(1, Some(chosen))),
    );
    assert_eq!(h.state().compare_pane_dates()[1], chosen);
    apply(&mut h, Command::Compare(CompareCommand::SetPanes(9)));
    assert_eq!(
        h.state().compare_pane_dates().len(),
        4,
        "at most four panes"
    );
}

#[test]
fn after_a_pan_in_one_pane_every_panes_box_is_equal() {
    let mut h = panes_app(3);
    let boxes = h.state().pane_boxes().to_vec();
    assert_eq!(boxes.len(), 3);
    let origin = map_origin(&h);
    let panes = pane_rects(h.state().display_list());
    let middle = panes[1];
    let from = egui::pos2(
        origin.x + f32::midpoint(middle[0], middle[2]),
        origin.y + (middle[3] - middle[1]) * 0.7,
    );
    common::drag(&mut h, from, from + egui::vec2(50.0, -30.0));
    h.run_steps(5);
    let after = h.state().pane_boxes().to_vec();
    assert_eq!(after.len(), 3);
    assert!(
        (after[0].west - boxes[0].west).abs() > 1e-6,
        "the drag panned: {boxes:?} → {after:?}"
    );
    for b in &after[1..] {
        assert!(
            (b.west - after[0].west).abs() < 1e-9
                && (b.east - after[0].east).abs() < 1e-9
                && (b.south - after[0].south).abs() < 1e-9
                && (b.north - after[0].north).abs() < 1e-9,
            "{after:?}"
        );
    }
}

#[test]
fn the_pointer_shows_as_a_crosshair_in_every_other_pane() {
    let mut h = panes_app(3);
    let origin = map_origin(&h);
    let panes = pane_rects(h.state().display_list());
    // A point a quarter across the first pane, below the tags.
    let at = [
        panes[0][0] + (panes[0][2] - panes[0][0]) * 0.25,
        (panes[0][3] - panes[0][1]) * 0.6,
    ];
    h.hover_at(origin + egui::vec2(at[0], at[1]));
    h.run_steps(2);
    let centres = crosshair_centres(h.state().shared_cursor());
    assert_eq!(
        centres.len(),
        2,
        "one crosshair in each other pane: {centres:?}"
    );
    for (centre, pane) in centres.iter().zip(&panes[1..]) {
        assert!(
            centre[0] >= pane[0] && centre[0] < pane[2],
            "{centre:?} in {pane:?}"
        );
        // The same ground point: the same place relative to its pane.
        let offset = centre[0] - pane[0];
        assert!(
            (offset - (at[0] - panes[0][0])).abs() < 2.0,
            "{offset} vs {at:?}"
        );
        assert!((centre[1] - at[1]).abs() < 2.0);
    }
    // The pointer off the map: no crosshair.
    h.hover_at(egui::pos2(2.0, 2.0));
    h.run_steps(2);
    assert!(crosshair_centres(h.state().shared_cursor()).is_empty());
}

#[test]
fn a_layer_picked_for_a_side_replaces_that_sides_layers() {
    let mut h = common::window::ready_app();
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::Swipe)),
    );
    let first = h.state().project().layers[0].id.clone();
    apply(
        &mut h,
        Command::Compare(CompareCommand::PickLayer(
            CompareSide::A,
            Some(first.clone()),
        )),
    );
    assert_eq!(h.state().picked_layer(CompareSide::A), Some(first.as_str()));
    assert_eq!(h.state().picked_layer(CompareSide::B), None);
    let tags: Vec<String> = h
        .state()
        .display_list()
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Text(run) => Some(run.text.clone()),
            _ => None,
        })
        .filter(|t| t.starts_with("A · "))
        .collect();
    let name = h.state().project().layers[0].name.clone();
    assert!(
        tags.iter().any(|t| t.ends_with(&name)),
        "side A's tag names its layer: {tags:?}"
    );
    apply(
        &mut h,
        Command::Compare(CompareCommand::PickLayer(CompareSide::A, None)),
    );
    assert_eq!(h.state().picked_layer(CompareSide::A), None);
}
