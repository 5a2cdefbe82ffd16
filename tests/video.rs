//! MP4 timelapses through the system's ffmpeg: every stage for its seconds, the last held, the
//! size rounded to even, the index before the data (`+faststart`); without ffmpeg, or with one
//! that fails, a clear message and no file.
//!
//! ffmpeg and ffprobe must be installed (the README's test command installs them).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::process::{Command, Output};

use sitewatch::export::stage_dates;
use sitewatch::model::default_project::load_default_project;

fn sitewatch_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sitewatch"));
    command
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SITEWATCH_FFMPEG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn probe(path: &Path, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", entries, "-of", "default=nw=1"])
        .arg(path)
        .output()
        .expect("ffprobe is needed for this test: install ffmpeg (see the README)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_mp4_timelapse_shows_every_stage_for_its_seconds_with_the_index_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("timelapse.mp4");
    let run = sitewatch_with(
        &[
            "export",
            "default",
            "--video",
            out.to_str().unwrap(),
            "--size",
            "321x181",
            "--fps",
            "10",
            "--frame-seconds",
            "0.5",
            "--hold-seconds",
            "1.2",
            "--crossfade",
            "0.2",
        ],
        &[],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stages = stage_dates(&load_default_project().unwrap().project).len();
    // 0.5 s a stage at 10 fps (the 0.2 s fade inside it), the last held 1.2 s.
    let frames = (stages - 1) * 5 + 12;
    let info = probe(
        &out,
        "stream=codec_name,width,height,pix_fmt,nb_read_frames",
    );
    for line in [
        "codec_name=h264",
        "width=320",
        "height=180",
        "pix_fmt=yuv420p",
        &format!("nb_read_frames={frames}"),
    ] {
        assert!(info.lines().any(|l| l == line), "{line} not in {info}");
    }
    let bytes = std::fs::read(&out).unwrap();
    let at = |tag: &[u8]| bytes.windows(4).position(|w| w == tag).unwrap();
    assert!(at(b"moov") < at(b"mdat"), "+faststart puts the index first");
    let sidecar = common::cli::sidecar(&out);
    assert_eq!(sidecar["image"]["format"], "MP4");
    assert_eq!(sidecar["image"]["frames"], frames);
    assert_eq!(
        sidecar["image"]["frame_dates"].as_array().unwrap().len(),
        stages
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "the video and its sidecar, no temporary: {names:?}"
    );
}

#[test]
fn without_ffmpeg_the_video_export_says_how_to_get_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.mp4");
    let run = sitewatch_with(
        &["export", "default", "--video", out.to_str().unwrap()],
        &[("PATH", empty.path().to_str().unwrap())],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("ffmpeg was not found on the PATH")
            && stderr.contains("apt-get install ffmpeg"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_ffmpeg_that_fails_is_reported_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.mp4");
    let run = sitewatch_with(
        &[
            "export",
            "default",
            "--size",
            "320x180",
            "--video",
            out.to_str().unwrap(),
        ],
        &[("SITEWATCH_FFMPEG", "/bin/false")],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("ffmpeg"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no video, no temporary"
    );
}

#[test]
fn video_sizes_and_timings_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.mp4");
    let o = out.to_str().unwrap();
    common::cli::refused(
        &["export", "default", "--size", "4096x2160", "--video", o],
        "a video is at most 3840x2160",
    );
    common::cli::refused(
        &["export", "default", "--video", o, "--crossfade", "1.5"],
        "shorter than a stage",
    );
    common::cli::refused(
        &["export", "default", "--video", o, "--fps", "0"],
        "frames a second is not 1–60",
    );
    assert!(!out.exists());
}

#[test]
fn the_export_dialog_writes_an_mp4_timelapse() {
    use egui_kittest::kittest::Queryable as _;
    use sitewatch::command::{Command, ExportCommand};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("window.mp4");
    let mut h = common::default_app(common::day(2025, 10, 14), 1500.0, 1000.0);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(3);
    h.get_by_label("timelapse MP4").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("s a stage").is_some(),
        "timing shows"
    );
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::Export(ExportCommand::ExportSnapshot(out.clone())),
    );
    // The export runs on a worker; its message arrives when it is done.
    let mut message = None;
    common::wait::frames_until(&mut h, |h| {
        message = h
            .state()
            .messages()
            .iter()
            .find(|m| m.contains("window.mp4"))
            .cloned();
        message.is_some()
    });
    let message = message.expect("the export finishes");
    assert!(message.contains("video timelapse"), "{message}");
    assert!(probe(&out, "stream=codec_name").contains("codec_name=h264"));
}
