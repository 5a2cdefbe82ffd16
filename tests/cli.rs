//! The command line refuses bad input with a clear message and a non-zero exit, before any window.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::process::Command;

fn sitewatch(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitewatch"))
        .args(args)
        // No display: if the binary wrongly got as far as opening a window, it fails fast.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_missing_project_names_the_file_and_fails() {
    let (code, err) = sitewatch(&["/no/such/site.geojson"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot read the project file"), "{err}");
    assert!(err.contains("/no/such/site.geojson"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_malformed_project_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.geojson");
    std::fs::write(&path, "{\n  \"type\": \"FeatureCollection\",\n  oops\n}").unwrap();
    let (code, err) = sitewatch(&[path.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("line 3, column 3"), "{err}");
    assert!(err.contains("broken.geojson"), "{err}");
}

#[test]
fn an_unreadable_project_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where a file is expected cannot be read as text.
    let (code, err) = sitewatch(&[dir.path().to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot read the project file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_bad_date_is_refused() {
    let (code, err) = sitewatch(&["--date", "last tuesday"]);
    assert_ne!(code, 0);
    assert!(err.contains("'last tuesday' is not a date"), "{err}");
}

#[test]
fn a_bad_window_size_is_refused() {
    let (code, err) = sitewatch(&["--size", "99999x10"]);
    assert_ne!(code, 0);
    assert!(err.contains("--size"), "{err}");
}
