//! Saving and opening off the UI thread: a save works on a snapshot while editing goes on, the
//! unsaved mark clears only when nothing changed since the snapshot, closing waits behind a
//! "Saving…" modal, and a large project opens behind a progress modal without blocking a frame.
//!
//! A gate in the file worker holds each save or open until the test lets it go: no sleeps.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use egui::{ViewportCommand, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use geo::Point;
use sitewatch::app::files::FileWork;
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::command::{Command, EditCommand, FileCommand};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{load, save_atomic};
use sitewatch::model::{Project, Shape};

/// A project file in `dir` with the default project's content.
fn project_file(dir: &Path) -> PathBuf {
    let path = dir.join("site.geojson");
    save_atomic(&load_default_project().unwrap().project, &path).unwrap();
    path
}

fn open(path: &Path) -> Harness<'static, SitewatchApp> {
    let loaded = load(path).unwrap();
    let path = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            SitewatchApp::new(
                cc,
                AppOptions {
                    loaded,
                    project_path: Some(path),
                    date: Some(NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()),
                    screenshot: None,
                    persist: false,
                },
            )
        });
    h.run_steps(3);
    h
}

/// Holds every file job at its start until `release` sends; `started` says which job waits.
struct Gate {
    started: Receiver<FileWork>,
    release: Sender<()>,
}

fn gate(h: &mut Harness<'_, SitewatchApp>) -> Gate {
    let (started_tx, started) = channel();
    let (release, release_rx) = channel::<()>();
    let started_tx = Mutex::new(started_tx);
    let release_rx = Mutex::new(release_rx);
    h.state_mut()
        .set_file_work_gate(Arc::new(move |work: &FileWork| {
            let _ = started_tx.lock().unwrap().send(work.clone());
            let _ = release_rx.lock().unwrap().recv();
        }));
    Gate { started, release }
}

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.step();
}

/// Adds a point without waiting for file work (the gate holds it).
fn add_point(h: &mut Harness<'_, SitewatchApp>) {
    let (command, _) = common::window::add_point_command(h);
    apply(h, command);
}

fn count(path: &Path) -> usize {
    load(path).unwrap().project.annotations.len()
}

/// Lets the held job go, waits for its result and shows the frames that follow.
fn finish(h: &mut Harness<'_, SitewatchApp>, gate: &Gate) {
    gate.release.send(()).unwrap();
    h.state_mut().wait_for_file_work();
    h.run_steps(2);
}

#[test]
fn an_edit_made_while_saving_keeps_the_project_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let path = project_file(dir.path());
    let before = count(&path);
    let mut h = open(&path);
    let gate = gate(&mut h);
    add_point(&mut h);
    apply(&mut h, Command::File(FileCommand::Save));
    assert!(
        matches!(gate.started.recv().unwrap(), FileWork::Save(p) if p == path),
        "the save runs on the worker"
    );
    assert_eq!(count(&path), before, "held: nothing written yet");
    add_point(&mut h);
    finish(&mut h, &gate);
    assert_eq!(count(&path), before + 1, "the snapshot was written");
    assert!(h.state().is_dirty(), "the second point is not in the file");
    assert!(h.state().title().starts_with('•'));
    // Undo back to the state that was saved: nothing unsaved any more.
    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert!(!h.state().is_dirty(), "the saved state is the snapshot's");
}

#[test]
fn a_save_with_no_edit_in_between_leaves_the_project_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = project_file(dir.path());
    let before = count(&path);
    let mut h = open(&path);
    let gate = gate(&mut h);
    add_point(&mut h);
    apply(&mut h, Command::File(FileCommand::Save));
    gate.started.recv().unwrap();
    assert!(h.state().is_dirty(), "unsaved until the file is written");
    finish(&mut h, &gate);
    assert_eq!(count(&path), before + 1);
    assert!(!h.state().is_dirty());
    assert!(!h.state().title().starts_with('•'));
}

fn sent(h: &Harness<'_, SitewatchApp>, command: &ViewportCommand) -> bool {
    h.output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(command))
}

#[test]
fn quitting_while_saving_waits_behind_the_saving_modal() {
    let dir = tempfile::tempdir().unwrap();
    let path = project_file(dir.path());
    let before = count(&path);
    let mut h = open(&path);
    let gate = gate(&mut h);
    add_point(&mut h);
    apply(&mut h, Command::File(FileCommand::Save));
    gate.started.recv().unwrap();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    h.run_steps(2);
    assert!(
        h.query_by_label("Saving…").is_some(),
        "a modal says the save is running"
    );
    assert!(!h.state().close_confirmed(), "not closed during the save");
    assert!(!sent(&h, &ViewportCommand::Close));

    gate.release.send(()).unwrap();
    h.state_mut().wait_for_file_work();
    h.step();
    assert!(h.state().close_confirmed(), "closes once the save is done");
    assert!(sent(&h, &ViewportCommand::Close));
    assert_eq!(count(&path), before + 1, "with the work saved");
}

/// The default project with `n` more point annotations.
fn large_project(n: usize) -> Project {
    let mut project = load_default_project().unwrap().project;
    let template = project.annotations[0].clone();
    for i in 0..n {
        let mut a = template.clone();
        a.id = format!("generated-{i}");
        a.label = format!("Point {i}");
        a.shape = Shape::Point(Point::new(
            130.60 + (i % 100) as f64 * 0.0005,
            42.39 + (i / 100) as f64 * 0.0005,
        ));
        project.annotations.push(a);
    }
    project
}

#[test]
fn opening_ten_thousand_features_shows_progress_and_never_blocks_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let small = project_file(dir.path());
    let large = dir.path().join("large.geojson");
    let generated = large_project(10_000);
    save_atomic(&generated, &large).unwrap();

    let mut h = open(&small);
    let before = h.state().project().annotations.len();
    let gate = gate(&mut h);
    apply(
        &mut h,
        Command::File(FileCommand::OpenProject(large.clone())),
    );
    assert!(
        matches!(gate.started.recv().unwrap(), FileWork::Open(p) if p == large),
        "the parse runs on the worker"
    );
    // Frames go on while the file is still being read (the worker is held at its start); a new
    // modal is laid out invisibly on its first frame, so look on the next.
    h.step();
    assert!(
        h.query_by_label_contains("Opening").is_some(),
        "a progress modal is shown"
    );
    assert_eq!(h.state().project().annotations.len(), before);
    assert_eq!(h.state().project_path(), Some(small.as_path()));

    finish(&mut h, &gate);
    assert_eq!(
        h.state().project().annotations.len(),
        generated.annotations.len()
    );
    assert_eq!(h.state().project_path(), Some(large.as_path()));
    assert!(!h.state().is_dirty());
    assert!(
        h.query_by_label_contains("Opening").is_none(),
        "the modal is gone"
    );
}

#[test]
fn work_done_while_a_project_is_read_is_asked_about_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let current = project_file(dir.path());
    let other = dir.path().join("other.geojson");
    save_atomic(&large_project(3), &other).unwrap();
    let mut h = open(&current);
    let before = h.state().project().annotations.len();
    let gate = gate(&mut h);
    apply(
        &mut h,
        Command::File(FileCommand::OpenProject(other.clone())),
    );
    gate.started.recv().unwrap();
    add_point(&mut h);
    finish(&mut h, &gate);
    assert!(
        h.state().asks_about_unsaved_work(),
        "asked before replacing"
    );
    assert_eq!(h.state().project().annotations.len(), before + 1);
    assert_eq!(h.state().project_path(), Some(current.as_path()));
}
