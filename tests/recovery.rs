//! Recovery: an autosave never outlives a save, each running instance has its own slot, and
//! orphaned slots are offered at the next start.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use common::window::{add_point, apply, ready_app as harness};
use egui_kittest::kittest::Queryable as _;
use sitewatch::command::{Command, FileCommand};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::recovery::{RecoveryHook, RecoveryStep, RecoveryStore};

/// A hook that tells the test when the writer reached the rename, then blocks it there until
/// the test releases it.
fn slow_writer() -> (RecoveryHook, mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (reached_tx, reached_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let hook: RecoveryHook = Arc::new(move |_step: RecoveryStep| {
        let _ = reached_tx.send(());
        let _ = release_rx.lock().unwrap().recv();
    });
    (hook, reached_rx, release_tx)
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in walk(dir) {
        if entry.extension().is_some_and(|e| e == "tmp") {
            found.push(entry.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_write_older_than_the_last_clear_never_lands_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, reached, release) = slow_writer();
    let store = RecoveryStore::with_hook(dir.path(), hook);
    let project = load_default_project().unwrap().project;

    let ticket = store.ticket();
    let writer = {
        let store = store.clone();
        let project = project.clone();
        std::thread::spawn(move || store.write(ticket, &project, None))
    };
    reached.recv().unwrap();
    // A save happens while the autosave is between its temp file and its rename.
    store.clear().unwrap();
    release.send(()).unwrap();
    let landed = writer.join().unwrap().unwrap();

    assert!(!landed, "the stale write reports that it did not land");
    assert!(
        store.read().unwrap().is_none(),
        "nothing to recover after a save"
    );
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
}

#[test]
fn a_write_after_the_last_clear_lands_with_its_description_inside_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::new(dir.path());
    let project = load_default_project().unwrap().project;
    store.clear().unwrap();
    let relative = Path::new("some/where/site.geojson");
    assert!(
        store
            .write(store.ticket(), &project, Some(relative))
            .unwrap()
    );

    let files: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "geojson"))
        .collect();
    assert_eq!(files.len(), 1, "project and description are one file");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(json["sitewatch"]["recovery"].is_object(), "{text}");

    let recovered = store.read().unwrap().unwrap();
    let path = recovered.info.project_path.unwrap();
    assert!(
        path.is_absolute(),
        "recovery stores absolute paths: {path:?}"
    );
    assert!(path.ends_with(relative));
    assert_eq!(
        recovered.loaded.project, project,
        "the description is not part of the project"
    );
}

#[test]
fn two_running_instances_keep_separate_slots_and_a_dead_ones_slot_is_offered() {
    let dir = tempfile::tempdir().unwrap();
    let project = load_default_project().unwrap().project;
    let mut other = project.clone();
    other.name = "The other instance".into();

    let first = RecoveryStore::new(dir.path());
    let second = RecoveryStore::new(dir.path());
    assert!(first.write(first.ticket(), &project, None).unwrap());
    assert!(second.write(second.ticket(), &other, None).unwrap());
    assert_eq!(first.read().unwrap().unwrap().loaded.project, project);
    assert_eq!(second.read().unwrap().unwrap().loaded.project, other);
    let (orphans, errors) = second.orphans();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        orphans.is_empty(),
        "a running instance's slot is not an orphan"
    );

    drop(first); // the first instance dies without clearing its slot
    let third = RecoveryStore::new(dir.path());
    let (orphans, errors) = third.orphans();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(orphans.len(), 1, "only the dead instance's slot");
    assert_eq!(orphans[0].loaded.project, project);

    let orphan = orphans.into_iter().next().unwrap();
    third.release(orphan).unwrap();
    assert!(third.orphans().0.is_empty(), "a released slot is gone");
    assert_eq!(second.read().unwrap().unwrap().loaded.project, other);
}

#[test]
fn a_save_while_an_autosave_is_in_flight_leaves_nothing_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, reached, release) = slow_writer();
    let store = RecoveryStore::with_hook(dir.path().join("recovery"), hook);
    let mut h = harness();
    h.state_mut().set_recovery_store(Some(store.clone()));
    h.state_mut().set_autosave_interval(1.0);
    add_point(&mut h);
    // kittest advances egui's clock a quarter second a step: the autosave starts and blocks.
    h.run_steps(8);
    reached.recv().unwrap();

    let target = dir.path().join("saved.geojson");
    apply(&mut h, Command::File(FileCommand::SaveTo(target.clone())));
    assert!(!h.state().is_dirty());
    release.send(()).unwrap();
    h.state_mut().wait_for_autosave();
    h.run_steps(2);

    assert!(
        store.read().unwrap().is_none(),
        "the stale autosave did not land"
    );
    assert!(temp_files(dir.path()).is_empty());
    drop(h);
    let next = RecoveryStore::new(dir.path().join("recovery"));
    drop(store);
    let (orphans, _) = next.orphans();
    assert!(orphans.is_empty(), "nothing is offered after a clean save");
}

#[test]
fn a_dead_instances_work_is_offered_at_start_and_restoring_moves_it_into_this_slot() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("recovery");
    let mut work = load_default_project().unwrap().project;
    work.name = "Work of a crashed instance".into();
    {
        let dead = RecoveryStore::new(&root);
        assert!(dead.write(dead.ticket(), &work, None).unwrap());
    } // the instance dies without clearing its slot

    let mut h = harness();
    let store = RecoveryStore::new(&root);
    h.state_mut().set_recovery_store(Some(store.clone()));
    h.run_steps(2);
    assert!(h.state().offers_recovery());
    h.get_by_label("Restore").click();
    h.run_steps(2);
    assert_eq!(h.state().project().name, work.name);
    assert!(h.state().is_dirty(), "recovered work is not saved yet");
    assert!(!h.state().offers_recovery());

    assert_eq!(
        store.read().unwrap().unwrap().loaded.project.name,
        work.name,
        "kept safe in this instance's slot"
    );
    let later = RecoveryStore::new(&root);
    assert!(
        later.orphans().0.is_empty(),
        "the dead slot is gone; this one is alive"
    );
}
