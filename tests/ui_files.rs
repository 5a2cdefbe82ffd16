//! Project files in the window: save asks for a path where there is none, unsaved work is asked
//! about before closing, autosaved work comes back after a crash, dropped files are imported.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::window::{FakePicker, add_point, apply, ready_app as harness};
use egui::{ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::app::files::DialogPurpose;
use sitewatch::command::{Command, EditCommand, FileCommand};
use sitewatch::model::default_project::{load_default_project, project_base_dir};
use sitewatch::model::io::load;
use sitewatch::model::recovery::RecoveryStore;

fn picker(h: &mut Harness<'_, SitewatchApp>, answer: &Path) -> Arc<FakePicker> {
    let p = Arc::new(FakePicker {
        answer: answer.to_path_buf(),
        asked: Mutex::new(Vec::new()),
    });
    h.state_mut().set_file_picker(p.clone());
    p
}

/// Draws frames until the dialog thread has answered and its answer is applied.
fn settle_dialog(h: &mut Harness<'_, SitewatchApp>) {
    let answered = common::wait::frames_until(h, |h| !h.state().file_dialog_open());
    assert!(answered, "the dialog answered");
    // The path it answered starts a save on the worker.
    h.state_mut().wait_for_file_work();
    h.run_steps(1);
}

#[test]
fn saving_the_embedded_project_asks_for_a_path_and_writes_there() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mine.geojson");
    let mut h = harness();
    let fake = picker(&mut h, &target);
    let id = add_point(&mut h);
    assert!(h.state().is_dirty());
    apply(&mut h, Command::File(FileCommand::Save));
    settle_dialog(&mut h);
    assert_eq!(*fake.asked.lock().unwrap(), vec![DialogPurpose::SaveAs]);
    assert_eq!(h.state().project_path(), Some(target.as_path()));
    assert!(!h.state().is_dirty());
    assert!(!h.state().title().starts_with('•'));
    let saved = load(&target).unwrap().project;
    assert!(saved.annotation(&id).is_some());
    assert_eq!(h.state().recent_files().len(), 1, "remembered as recent");
    // Imagery files of the embedded project still resolve from the new folder.
    let before = load_default_project().unwrap().project;
    let old_base = project_base_dir(None);
    for (old, new) in before.layers.iter().zip(&saved.layers) {
        if let Some(found) = old.resolved_file_path(&old_base).filter(|p| p.exists()) {
            let now = new
                .resolved_file_path(&project_base_dir(Some(&target)))
                .unwrap();
            assert_eq!(
                std::fs::canonicalize(now).unwrap(),
                std::fs::canonicalize(found).unwrap()
            );
        }
    }

    // Now it has a file, Save writes there without asking.
    add_point(&mut h);
    apply(&mut h, Command::File(FileCommand::Save));
    settle_dialog(&mut h);
    assert_eq!(fake.asked.lock().unwrap().len(), 1);
    assert_eq!(load(&target).unwrap().project, *h.state().project());
}

#[test]
fn a_file_that_failed_to_load_is_never_the_one_saved_to() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, "{ not json").unwrap();
    let mut h = harness();
    let elsewhere = dir.path().join("elsewhere.geojson");
    let fake = picker(&mut h, &elsewhere);
    apply(
        &mut h,
        Command::File(FileCommand::OpenProject(broken.clone())),
    );
    assert_eq!(h.state().project_path(), None, "the path stays unset");
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m.contains("broken.geojson"))
    );
    add_point(&mut h);
    apply(&mut h, Command::File(FileCommand::Save));
    settle_dialog(&mut h);
    assert_eq!(*fake.asked.lock().unwrap(), vec![DialogPurpose::SaveAs]);
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{ not json",
        "untouched"
    );
}

fn request_close(h: &mut Harness<'_, SitewatchApp>) {
    h.input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(ViewportEvent::Close);
    h.step();
}

fn sent(h: &Harness<'_, SitewatchApp>, command: &ViewportCommand) -> bool {
    h.output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(command))
}

#[test]
fn closing_with_unsaved_work_asks_first() {
    let mut h = harness();
    add_point(&mut h);
    request_close(&mut h);
    assert!(
        sent(&h, &ViewportCommand::CancelClose),
        "the close is held back"
    );
    h.run_steps(2);
    assert!(h.state().asks_about_unsaved_work());
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(!h.state().asks_about_unsaved_work());
    assert!(h.state().is_dirty(), "the work is still there");

    request_close(&mut h);
    h.run_steps(2);
    h.get_by_label("Don't save").click();
    h.step();
    assert!(
        sent(&h, &ViewportCommand::Close),
        "closes once the user agreed"
    );
}

#[test]
fn closing_with_nothing_unsaved_does_not_ask() {
    let mut h = harness();
    request_close(&mut h);
    assert!(!sent(&h, &ViewportCommand::CancelClose));
    assert!(!h.state().asks_about_unsaved_work());
}

#[test]
fn autosaved_work_is_offered_back_on_the_next_start_and_cleared_by_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::new(dir.path().join("recovery"));
    let edited = {
        let mut h = harness();
        h.state_mut().set_recovery_store(Some(store.clone()));
        h.state_mut().set_autosave_interval(1.0);
        add_point(&mut h);
        // kittest advances egui's clock a quarter second a step.
        h.run_steps(8);
        h.state_mut().wait_for_autosave();
        assert!(store.read().unwrap().is_some(), "autosaved while dirty");
        h.state().project().clone()
        // The harness is dropped here without closing: a crash, as far as recovery knows.
    };

    let mut h = harness();
    h.state_mut().set_recovery_store(Some(store.clone()));
    h.run_steps(2);
    assert!(h.state().offers_recovery());
    h.get_by_label("Restore").click();
    h.run_steps(2);
    assert_eq!(*h.state().project(), edited);
    assert!(h.state().is_dirty(), "recovered work is not saved yet");

    let target = dir.path().join("saved.geojson");
    apply(&mut h, Command::File(FileCommand::SaveTo(target.clone())));
    assert!(!h.state().is_dirty());
    assert!(
        store.read().unwrap().is_none(),
        "a normal save removes the recovery file"
    );
}

#[test]
fn a_geojson_dropped_on_the_window_is_imported_as_one_undoable_step() {
    let mut h = harness();
    let before = h.state().project().annotations.len();
    let fixture = std::fs::canonicalize("tests/fixtures/interchange/qgis-export.geojson").unwrap();
    common::window::drop_file(&mut h, fixture);
    h.run_steps(3);
    h.state_mut().wait_for_file_work();
    h.run_steps(1);
    assert_eq!(h.state().project().annotations.len(), before + 6);
    assert!(
        h.state().messages().iter().any(|m| m.contains("skipped 1")),
        "{:?}",
        h.state().messages()
    );
    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().annotations.len(), before);
}

#[test]
fn each_annotation_format_dropped_on_the_window_is_one_undoable_step() {
    for name in [
        "geopackage/two-crs.gpkg",
        "shapefile/utm52n-areas.shp",
        "sites-excel.csv",
        "survey.gpx",
    ] {
        let mut h = harness();
        let before = h.state().project().annotations.len();
        let path = std::fs::canonicalize(format!("tests/fixtures/interchange/{name}")).unwrap();
        let date = h.state().date();
        let want = sitewatch::interchange::import_file(&path, h.state().project(), date)
            .unwrap()
            .annotations
            .len();
        assert!(want > 0, "{name}");
        let asks_columns = sitewatch::app::files::asks_first(&path);
        common::window::drop_file(&mut h, path);
        h.run_steps(3);
        if asks_columns {
            // A CSV asks for its columns first, with what was guessed chosen.
            h.run_steps(3);
            h.get_by_label("Import").click();
            h.run_steps(2);
        }
        h.state_mut().wait_for_file_work();
        h.run_steps(1);
        assert_eq!(
            h.state().project().annotations.len(),
            before + want,
            "{name}: {:?}",
            h.state().messages()
        );
        apply(&mut h, Command::Edit(EditCommand::Undo));
        assert_eq!(h.state().project().annotations.len(), before, "{name}");
    }
}

#[test]
fn the_autosave_interval_is_chosen_in_the_file_menu() {
    let mut h = harness();
    assert!(
        (h.state().autosave_interval() - 30.0).abs() < f64::EPSILON,
        "30 s by default"
    );
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Autosave every").hover();
    h.run_steps(2);
    h.get_by_label("2 min").click();
    h.run_steps(2);
    assert!((h.state().autosave_interval() - 120.0).abs() < f64::EPSILON);
}
