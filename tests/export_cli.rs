//! `sitewatch export`: writes the files asked for, and refuses bad arguments with a clear
//! message and a non-zero exit, never a panic. Offline basemap only: nothing touches the network.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::process::Command;

fn sitewatch(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitewatch"))
        .args(args)
        // No display: an export must never need one.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn exporting_the_default_project_writes_the_png_and_its_side_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fig.png");
    let (code, err) = sitewatch(&[
        "export",
        "default",
        "--date",
        "2025-10-14",
        "--size",
        "640x360",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    for ext in ["png", "pgw", "prj", "json", "png.aux.xml"] {
        assert!(out.with_extension(ext).exists(), "{ext}: {err}");
    }
    let img = image::open(&out).unwrap();
    assert_eq!((img.width(), img.height()), (640, 360));
    assert!(err.contains("sha256"), "{err}");
}

#[test]
fn a_stage_folder_and_a_timelapse_come_from_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let stages = dir.path().join("stages");
    let gif = dir.path().join("t.gif");
    let (code, err) = sitewatch(&[
        "export",
        "default",
        "--size",
        "320x180",
        "--all-stages",
        path_str(&stages),
        "--gif",
        path_str(&gif),
        "--no-north-arrow",
        "--grid",
        "--title",
    ]);
    assert_eq!(code, 0, "{err}");
    let pngs = std::fs::read_dir(&stages)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert!(pngs >= 10, "{pngs}");
    assert!(gif.exists() && gif.with_extension("gfw").exists());
}

#[test]
fn an_unknown_date_format_is_refused() {
    let (code, err) = sitewatch(&[
        "export",
        "default",
        "--date",
        "14/10/2025",
        "--out",
        "x.png",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("'14/10/2025' is not a date"), "{err}");
}

#[test]
fn a_size_over_the_limit_is_refused() {
    let (code, err) = sitewatch(&["export", "default", "--size", "9000x9000", "--out", "x.png"]);
    assert_ne!(code, 0);
    assert!(err.contains("--size") && err.contains("8192"), "{err}");
    assert!(err.contains("9000x9000"), "{err}");
}

#[test]
fn an_unwritable_path_is_refused_before_rendering() {
    let (code, err) = sitewatch(&["export", "default", "--out", "/no/such/folder/fig.png"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains("/no/such/folder/fig.png"), "{err}");
}

#[test]
fn a_project_that_does_not_load_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, "{ not json").unwrap();
    let out = dir.path().join("x.png");
    let (code, err) = sitewatch(&["export", path_str(&broken), "--out", path_str(&out)]);
    assert_ne!(code, 0);
    assert!(err.contains("broken.geojson"), "{err}");
    let (code, err) = sitewatch(&["export", "/no/such/site.geojson", "--out", path_str(&out)]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot read the project file"), "{err}");
    assert!(!out.exists());
}

#[test]
fn conflicting_view_options_are_refused() {
    let (code, err) = sitewatch(&[
        "export",
        "default",
        "--center",
        "42.41,130.64",
        "--zoom",
        "16",
        "--bbox",
        "130.62,42.40,130.66,42.43",
        "--out",
        "x.png",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("--bbox") && err.contains("--center"), "{err}");
    let (code, err) = sitewatch(&["export", "default", "--zoom", "16", "--out", "x.png"]);
    assert_ne!(code, 0);
    assert!(err.contains("--center"), "{err}");
}

#[test]
fn a_bad_centre_or_box_is_refused_with_what_was_expected() {
    let (code, err) = sitewatch(&[
        "export", "default", "--center", "130.64", "--zoom", "16", "--out", "x.png",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("LAT,LON"), "{err}");
    let (code, err) = sitewatch(&["export", "default", "--bbox", "1,2,3", "--out", "x.png"]);
    assert_ne!(code, 0);
    assert!(err.contains("W,S,E,N"), "{err}");
    let (code, err) = sitewatch(&[
        "export",
        "default",
        "--center",
        "42.4,130.6",
        "--zoom",
        "40",
        "--out",
        "x.png",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("zoom 40"), "{err}");
}

#[test]
fn an_export_without_an_output_is_refused() {
    let (code, err) = sitewatch(&["export", "default"]);
    assert_ne!(code, 0);
    assert!(err.contains("--out"), "{err}");
}
