//! Saves keep the file what it was: a symlink stays a link, the mode stays, a read-only project is
//! not replaced, and a save killed between its temp file and its rename leaves the old file and,
//! after the next open, no litter.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use sitewatch::model::Project;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{ProjectError, WriteStep, load, load_at, save_atomic, save_atomic_with};

fn project(name: &str) -> Project {
    let mut p = load_default_project().unwrap().project;
    p.name = name.into();
    p
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn litter(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tmp"))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn saving_through_a_symlink_writes_the_real_file_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("site.geojson");
    save_atomic(&project("first"), &real).unwrap();
    let link = dir.path().join("link.geojson");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    save_atomic(&project("second"), &link).unwrap();

    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(load(&real).unwrap().project.name, "second");
    assert!(litter(dir.path()).is_empty() && litter(&real_dir).is_empty());
}

#[test]
fn a_0640_project_is_still_0640_after_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    save_atomic(&project("first"), &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

    save_atomic(&project("second"), &path).unwrap();

    assert_eq!(mode(&path), 0o640);
    assert_eq!(load(&path).unwrap().project.name, "second");
}

#[test]
fn a_0400_project_is_not_replaced_and_the_save_says_it_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    save_atomic(&project("first"), &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();

    let err = save_atomic(&project("second"), &path).unwrap_err();

    assert!(matches!(err, ProjectError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(mode(&path), 0o400);
    assert_eq!(load(&path).unwrap().project.name, "first");
    assert!(litter(dir.path()).is_empty());
}

#[test]
fn a_save_killed_before_its_rename_leaves_the_old_file_and_the_next_open_clears_the_litter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.geojson");
    save_atomic(&project("first"), &path).unwrap();

    // A panic in the hook skips every clean-up, as a kill would.
    let killed = std::panic::catch_unwind(|| {
        let _ = save_atomic_with(&project("second"), &path, &mut |step| {
            assert_eq!(step, WriteStep::TempWritten);
            panic!("killed between the temp write and the rename");
        });
    });
    assert!(killed.is_err());
    assert_eq!(load(&path).unwrap().project.name, "first");
    let left = litter(dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with(".site.geojson.sitewatch-"),
        "a unique name beside the target: {left:?}"
    );

    // Within the hour it may be another instance's save in progress: kept.
    load_at(&path, SystemTime::now()).unwrap();
    assert_eq!(litter(dir.path()).len(), 1);
    // An hour later it is litter.
    load_at(&path, SystemTime::now() + Duration::from_hours(2)).unwrap();
    assert!(litter(dir.path()).is_empty(), "{:?}", litter(dir.path()));
}

#[test]
fn a_new_project_file_gets_the_default_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.geojson");
    save_atomic(&project("new"), &path).unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").unwrap();
    assert_eq!(
        mode(&path),
        mode(&probe),
        "0666 less the umask, as any new file"
    );
}

mod window {
    use crate::common::window::{FakePicker, add_point, apply, ready_app as harness};
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    use sitewatch::app::files::DialogPurpose;

    use sitewatch::command::{Command, FileCommand};

    use sitewatch::model::io::{load, save_atomic};

    use super::{mode, project};
    use std::os::unix::fs::PermissionsExt as _;

    fn count(path: &Path) -> usize {
        load(path).unwrap().project.annotations.len()
    }

    #[test]
    fn saving_a_read_only_project_says_so_and_offers_save_as() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.geojson");
        save_atomic(&project("read-only"), &path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        let before = count(&path);
        let elsewhere = dir.path().join("elsewhere.geojson");
        let picker = Arc::new(FakePicker {
            answer: elsewhere.clone(),
            asked: Mutex::new(Vec::new()),
        });

        let mut h = harness();
        h.state_mut().set_file_picker(picker.clone());
        apply(
            &mut h,
            Command::File(FileCommand::OpenProject(path.clone())),
        );
        add_point(&mut h);
        apply(&mut h, Command::File(FileCommand::Save));
        h.run_steps(4);
        // Save As answered: its save runs on the worker.
        h.state_mut().wait_for_file_work();
        h.run_steps(1);

        assert!(
            h.state().messages().iter().any(|m| m.contains("read-only")),
            "{:?}",
            h.state().messages()
        );
        assert_eq!(*picker.asked.lock().unwrap(), vec![DialogPurpose::SaveAs]);
        assert_eq!(count(&path), before, "the read-only file is untouched");
        assert_eq!(mode(&path), 0o400);
        assert_eq!(count(&elsewhere), before + 1, "Save As wrote the work");
        assert_eq!(h.state().project_path(), Some(elsewhere.as_path()));
    }
}
