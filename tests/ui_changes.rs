//! The change finder in the window: F opens it on the map's dates A and B, Find runs on a
//! worker while the frames go on, the candidates are listed, J steps through them, A accepts
//! one as an annotation in one undo step, and one undo takes it back and the candidate waits
//! again; Cancel stops a run, and a refused run says why in the window.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::analysis::change::{ChangeClass, ChangeOptions};
use sitewatch::app::SitewatchApp;
use sitewatch::command::{ChangesCommand, ChangesRequest, Command};
use sitewatch::editing::change_accept::CHANGE_CATEGORY_KEY;
use sitewatch::ui::changes::{CANCEL_LABEL, FIND_LABEL, FindStatus};
use sitewatch::ui::changes_review::{AS_NEW_LABEL, Decision, ROW_LABEL};

/// Draws frames until the run in progress has answered.
fn await_run(h: &mut Harness<'_, SitewatchApp>) {
    let answered = common::wait::frames_until(h, |h| {
        !matches!(h.state().changes_status(), FindStatus::Running { .. })
    });
    assert!(answered, "the run did not answer");
}

fn annotations(h: &Harness<'_, SitewatchApp>) -> usize {
    h.state().project().annotations.len()
}

#[test]
fn find_lists_candidates_and_accepting_one_is_one_undoable_annotation() {
    // 14 Oct 2025: the map's date A is the stage before, which shows the July scene.
    let mut h = common::window::ready_app();
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert!(h.state().changes_open());

    h.get_by_label(FIND_LABEL).click_accesskit();
    h.run_steps(1);
    assert!(
        matches!(h.state().changes_status(), FindStatus::Running { .. }),
        "{:?}",
        h.state().changes_status()
    );
    await_run(&mut h);
    let status = h.state().changes_status().clone();
    let FindStatus::Done(found) = status else {
        panic!("the run failed: {status:?}");
    };
    let review = h.state().changes_review().unwrap().clone();
    assert_eq!(review.report.before_layer, "synthetic-2025-07-05");
    assert_eq!(review.report.after_layer, "synthetic-2025-10-14");
    assert!(
        found >= 1,
        "at least one candidate between July and October"
    );
    assert_eq!(review.report.candidates.len(), found);
    assert_eq!(review.selected, Some(0));
    let _row = h.get_by_label(&format!("{ROW_LABEL} 1"));

    // J steps to the next candidate (when there is one).
    h.key_press(egui::Key::J);
    h.run_steps(2);
    let expected = usize::from(found > 1);
    assert_eq!(h.state().changes_review().unwrap().selected, Some(expected));

    // Review the first candidate that is not a removal (any, if all are), and accept it with A.
    let pick = review
        .report
        .candidates
        .iter()
        .position(|c| c.description.class != ChangeClass::Darker)
        .unwrap_or(0);
    h.get_by_label(&format!("{ROW_LABEL} {}", pick + 1))
        .click_accesskit();
    h.run_steps(2);
    assert_eq!(h.state().changes_review().unwrap().selected, Some(pick));
    let before = annotations(&h);
    let sources_before = h.state().project().sources.len();
    h.key_press(egui::Key::A);
    h.run_steps(2);
    if h.state().changes_review().unwrap().end.is_some() {
        // A removal over a standing annotation asks first: record it as its own area.
        h.get_by_label(AS_NEW_LABEL).click_accesskit();
        h.run_steps(2);
    }
    assert_eq!(annotations(&h), before + 1);
    let decision = h.state().changes_review().unwrap().decisions[pick].clone();
    let Decision::Accepted { annotation, ended } = decision else {
        panic!("the candidate is not accepted: {decision:?}");
    };
    assert_eq!(ended, None);
    let made = h.state().project().annotation(&annotation).unwrap().clone();
    assert_eq!(made.category, CHANGE_CATEGORY_KEY);
    assert_eq!(made.seen_from.to_string(), "2025-10-14");
    assert_eq!(made.sources.len(), 2);
    assert_eq!(h.state().project().sources.len(), sources_before + 2);
    assert_eq!(
        h.state().tool(),
        sitewatch::editing::Tool::Select,
        "A did not pick the polygon tool"
    );

    // One undo takes the annotation, its sources and its category back.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(annotations(&h), before);
    assert_eq!(h.state().project().sources.len(), sources_before);
    assert!(h.state().project().category(CHANGE_CATEGORY_KEY).is_none());
    assert_eq!(
        h.state().changes_review().unwrap().decisions[pick],
        Decision::Waiting
    );
}

#[test]
fn cancel_stops_a_run_and_a_failed_run_says_why_in_the_window() {
    let mut h = common::window::ready_app();
    h.key_press(egui::Key::F);
    h.run_steps(2);
    h.get_by_label(FIND_LABEL).click_accesskit();
    // One frame applies Find, the next draws the progress bar and Cancel.
    h.run_steps(2);
    h.get_by_label(CANCEL_LABEL).click_accesskit();
    h.run_steps(2);
    assert_eq!(*h.state().changes_status(), FindStatus::Cancelled);
    // The worker's late answer, if any, changes nothing.
    h.run_steps(5);
    assert_eq!(*h.state().changes_status(), FindStatus::Cancelled);
    assert!(h.state().changes_review().is_none());

    // B before A: the finder refuses, the window says so, nothing panics.
    let request = ChangesRequest {
        from: "2025-10".parse().unwrap(),
        to: "2025-07".parse().unwrap(),
        track: None,
        options: ChangeOptions::default(),
    };
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::Changes(ChangesCommand::Find(Box::new(request))),
    );
    await_run(&mut h);
    let status = h.state().changes_status().clone();
    let FindStatus::Failed(why) = status else {
        panic!("not refused: {status:?}");
    };
    assert!(why.contains("must come before"), "{why}");
    let _shown = h.get_by_label(&format!("The change finder failed: {why}"));
}
