//! The Export… dialog in the window: Ctrl+E opens it with a preview rendered off the UI thread.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::ui::export_dialog::EXPORT_BUTTON_LABEL;

fn harness() -> Harness<'static, SitewatchApp> {
    common::default_app(common::day(2025, 10, 14), 1500.0, 1000.0)
}

#[test]
fn ctrl_e_opens_the_export_dialog_and_its_preview_arrives() {
    let mut h = harness();
    h.run_steps(3);
    assert!(
        h.query_by_label(EXPORT_BUTTON_LABEL).is_none(),
        "closed at start"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(3);
    assert!(
        h.query_by_label(EXPORT_BUTTON_LABEL).is_some(),
        "Ctrl+E opens it"
    );
    // The preview is rendered on a worker thread; give it time, frame by frame.
    let ready = common::wait::frames_until(&mut h, |h| {
        h.query_by_label_contains("Rendering the preview").is_none()
    });
    assert!(ready, "the preview arrives");
    assert!(
        h.state()
            .messages()
            .iter()
            .all(|m| !m.contains("Preview failed")),
        "{:?}",
        h.state().messages()
    );
    h.get_by_label("Close").click();
    h.run_steps(3);
    assert!(
        h.query_by_label(EXPORT_BUTTON_LABEL).is_none(),
        "Close closes it"
    );
}
