//! The layer panel's rows under the pointer: a click on a layer's name opens its controls and
//! nothing else (no other row opens, the panel does not scroll).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::kittest::Queryable as _;
use sitewatch::ui::layers::{LayerLoadState, controls_label, opacity_label};

#[test]
fn a_click_on_a_layers_name_opens_that_row_alone() {
    let mut h = common::default_app(common::day(2025, 10, 14), 1600.0, 1000.0);
    h.run_steps(5);
    let layers = h.state().project().layers.clone();
    // Rows grow and shrink while layers open and load their tiles (a progress bar, a line of
    // tile counts), shown at this date or not: let that end before reading where a name is.
    let quiet = common::wait::frames_until(&mut h, |h| {
        layers.iter().all(|l| {
            matches!(
                h.state().layer_load_state(&l.id),
                LayerLoadState::Idle
                    | LayerLoadState::Failed(_)
                    | LayerLoadState::Ready {
                        loading: 0,
                        failed: 0,
                        ..
                    }
            )
        })
    });
    assert!(quiet, "the layers settled");
    h.run_steps(2);
    let layer = layers
        .iter()
        .find(|l| l.name == "Synthetic scene, 14 OCT 2025")
        .unwrap()
        .clone();
    let name_at = h.get_by_label(&layer.name).rect().center();
    // As a hand does it: move there, press, release a frame later, stay.
    h.hover_at(name_at);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: name_at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    for _ in 0..30 {
        h.step();
    }
    let open: Vec<&str> = layers
        .iter()
        .filter(|l| h.query_by_label(&opacity_label(l)).is_some())
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(open, [layer.name.as_str()], "only the clicked row opened");
    let moved = h.get_by_label(&layer.name).rect().center();
    assert!(
        (moved.y - name_at.y).abs() < 1.0,
        "the panel did not scroll: {name_at:?} → {moved:?}"
    );
    assert!(h.query_by_label(&controls_label(&layer)).is_some());
}
