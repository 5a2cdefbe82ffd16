//! The Align tool in the window: N picks it, arrow keys nudge the layer its panel names (one
//! screen pixel, Shift ten) and the map's imagery op moves by as much, one undo takes a burst of
//! nudges back, arrow keys still step the stages under another tool, and Align to… proposes an
//! offset that Apply makes one undoable edit.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
#![allow(clippy::float_cmp)] // offsets copied whole from the state: equal, not close

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::editing::Tool;
use sitewatch::render::display_list::PaintOp;
use sitewatch::spatial::mercator::meters_per_px;
use sitewatch::ui::align::{ALIGN_TO_LABEL, APPLY_LABEL, Estimate, MOVING_LABEL, moving_layer};

/// The id and offset of the layer the Align tool moves.
fn moving(h: &mut Harness<'_, SitewatchApp>) -> (String, Option<[f64; 2]>) {
    let scene = h.state_mut().scene();
    let chosen = h.state().align_panel().chosen.clone();
    let layer = moving_layer(h.state().project(), &scene, chosen.as_deref()).unwrap();
    (layer.id.clone(), layer.offset_m)
}

/// Ground metres per screen pixel at the map's centre on the last frame.
fn metres_per_screen_px(h: &Harness<'_, SitewatchApp>) -> f64 {
    let view = h.state().map_view().unwrap();
    meters_per_px(view.center.y, view.zoom)
}

/// The offset of the window's imagery op of layer `id`, if it is drawn, screen pixels.
fn drawn_offset(h: &Harness<'_, SitewatchApp>, id: &str) -> Option<[f32; 2]> {
    h.state().display_list().ops.iter().find_map(|op| match op {
        PaintOp::Imagery(i) if i.layer_id == id => Some(i.offset_px),
        _ => None,
    })
}

/// The offset of the window's imagery op of layer `id`, screen pixels, once its raster has
/// opened and is drawn.
fn op_offset(h: &mut Harness<'_, SitewatchApp>, id: &str) -> [f32; 2] {
    let drawn = common::wait::frames_until(h, |h| drawn_offset(h, id).is_some());
    assert!(drawn, "layer {id} is never drawn");
    drawn_offset(h, id).unwrap()
}

fn close(a: [f64; 2], b: [f64; 2], tolerance: f64) -> bool {
    (a[0] - b[0]).abs() <= tolerance && (a[1] - b[1]).abs() <= tolerance
}

#[test]
fn n_picks_the_align_tool_and_arrows_nudge_its_layer_with_one_undo() {
    let mut h = common::window::ready_app();
    let date = h.state().date();
    h.key_press(egui::Key::N);
    h.run_steps(2);
    assert_eq!(h.state().tool(), Tool::Align);
    let _panel = h.get_by_label(MOVING_LABEL);
    let (id, before) = moving(&mut h);
    assert_eq!(
        id, "synthetic-2025-10-14",
        "the topmost layer shown at the date"
    );
    assert_eq!(before, None);
    let m = metres_per_screen_px(&h);

    h.key_press(egui::Key::ArrowRight);
    h.run_steps(1);
    let (_, one) = moving(&mut h);
    assert!(close(one.unwrap(), [m, 0.0], 1e-9 * m), "{one:?} vs {m}");
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowUp);
    h.run_steps(1);
    let (_, eleven) = moving(&mut h);
    assert!(
        close(eleven.unwrap(), [m, 10.0 * m], 1e-9 * m),
        "{eleven:?}"
    );
    // The stages did not move; the map's imagery moved right 1 px and up 10 px.
    assert_eq!(h.state().date(), date);
    h.run_steps(2);
    let [dx, dy] = op_offset(&mut h, &id);
    assert!(
        (dx - 1.0).abs() < 0.01 && (dy + 10.0).abs() < 0.01,
        "op offset ({dx}, {dy})"
    );

    // The burst of nudges is one undo step.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(moving(&mut h).1, None);
    assert_eq!(op_offset(&mut h, &id), [0.0, 0.0]);
}

#[test]
fn arrow_keys_step_the_stages_when_another_tool_is_in_hand() {
    let mut h = common::window::ready_app();
    h.key_press(egui::Key::N);
    h.run_steps(1);
    h.key_press(egui::Key::V);
    h.run_steps(1);
    assert_eq!(h.state().tool(), Tool::Select);
    let date = h.state().date();
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(h.state().date() < date, "stepped back a stage");
    assert_eq!(moving(&mut h).1, None, "no layer moved");
}

#[test]
fn align_to_proposes_the_offset_that_takes_a_nudge_back_and_apply_is_one_edit() {
    let mut h = common::window::ready_app();
    h.key_press(egui::Key::N);
    h.run_steps(1);
    // Move the October scene 20 screen pixels east and 10 north: many of its 3 m pixels.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowRight);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowRight);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowUp);
    h.run_steps(1);
    let (id, nudged) = moving(&mut h);
    let nudged = nudged.unwrap();
    assert!(nudged[0] > 9.0, "{nudged:?}: at least three raster pixels");

    h.get_by_label(ALIGN_TO_LABEL).click_accesskit();
    // The estimate runs on a worker: frames go on until it answers.
    let mut frames = 0;
    loop {
        h.run_steps(1);
        frames += 1;
        if h.state().align_panel().estimate != Estimate::Running || frames > 2000 {
            break;
        }
    }
    let Estimate::Proposed(found) = h.state().align_panel().estimate.clone() else {
        panic!("no proposal: {:?}", h.state().align_panel().estimate);
    };
    println!("{found:?}");
    assert_eq!(found.moving, id);
    // Putting it back onto the July scene (which the generator drew on the same grid) undoes
    // the nudge: within a quarter of a 3 m pixel.
    assert!(
        close(found.proposed_offset_m, [0.0, 0.0], 0.75),
        "{found:?}"
    );
    assert!(found.pixels.confidence > 0.2, "{found:?}");
    h.run_steps(1);
    h.get_by_label(APPLY_LABEL).click_accesskit();
    h.run_steps(2);
    let (_, applied) = moving(&mut h);
    assert_eq!(
        applied,
        Some(found.proposed_offset_m).filter(|o| *o != [0.0, 0.0])
    );
    // Apply is its own undo step: one undo returns the nudged offset.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(moving(&mut h).1, Some(nudged));
}
