//! The `sitewatch` binary run as a user runs it, with no display.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `sitewatch ARGS` with no display (an export must never need one).
pub fn sitewatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sitewatch"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

/// Runs `sitewatch ARGS` and checks it fails with a message on stderr that contains `says`.
pub fn refused(args: &[&str], says: &str) {
    let run = sitewatch(args);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{args:?} was accepted");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
}

/// Runs `sitewatch ARGS` and checks it succeeds, showing its stderr when it does not.
pub fn succeeds(args: &[&str]) -> Output {
    let run = sitewatch(args);
    assert!(
        run.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}

/// The JSON provenance sidecar beside an exported file.
pub fn sidecar(exported: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(exported.with_extension("json")).unwrap();
    serde_json::from_str(&text).unwrap()
}
