//! UI frame time while a large `GeoTIFF` layer loads: the real app in a headless `egui_kittest`
//! frame loop (no GPU renderer: egui layout, app logic and queued texture uploads, plus the
//! AccessKit tree kittest asks for), paced at 60 Hz like a vsynced window. A 10000 × 10000 RGB
//! Deflate `GeoTIFF` (UTM 52N) is added with `Command::Imagery(ImageryCommand::AddLayerFiles)` after zooming to its box;
//! frames are stepped until the layer panel shows neither the opening progress bar nor tiles
//! loading, then a second more. Target (imagery issue): CPU frame time under 16 ms throughout.
//!
//! CPU time per frame is the UI thread's own, from `/proc/thread-self/schedstat` (nanoseconds,
//! but the kernel updates it only on scheduler ticks and switches, so single frames undercount).
//! Wall time is the upper bound: it includes waiting for a core (2 shared cores here).
//!
//! `cargo bench --bench frame_time` (release). `SITEWATCH_BENCH_PX=4000` for a smaller raster.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::command::{Command, ImageryCommand, ViewCommand};
use sitewatch::model::default_project::load_default_project;

/// One frame at 60 Hz.
const FRAME: Duration = Duration::from_micros(16_667);
/// Quiet frames (nothing opening, no tiles loading) that mean the layer is loaded.
const QUIET_FRAMES: usize = 30;
/// Frames measured after the load.
const AFTER_FRAMES: usize = 60;
/// Give up after this long.
const TIMEOUT: Duration = Duration::from_mins(3);

/// CPU time of this thread so far, nanoseconds.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The smallest step `thread_cpu_ns` moves by while this thread spins for ~50 ms.
fn cpu_clock_granularity() -> Duration {
    let start = Instant::now();
    let mut last = thread_cpu_ns();
    let mut smallest = u64::MAX;
    while start.elapsed() < Duration::from_millis(50) {
        let now = thread_cpu_ns();
        if now != last {
            smallest = smallest.min(now - last);
            last = now;
        }
    }
    Duration::from_nanos(smallest)
}

/// One measured frame: wall and CPU time.
#[derive(Clone, Copy)]
struct Frame {
    wall: Duration,
    cpu: Duration,
}

fn step(h: &mut Harness<'_, SitewatchApp>) -> Frame {
    let (wall0, cpu0) = (Instant::now(), thread_cpu_ns());
    h.step();
    let frame = Frame {
        wall: wall0.elapsed(),
        cpu: Duration::from_nanos(thread_cpu_ns().saturating_sub(cpu0)),
    };
    // Pace like a 60 Hz window: the loader threads get the rest of the frame.
    if let Some(rest) = FRAME.checked_sub(wall0.elapsed()) {
        std::thread::sleep(rest);
    }
    frame
}

/// Median, p99 and max, ms.
fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p99 = v[((v.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)];
    (ms(v[v.len() / 2]), ms(p99), ms(*v.last().unwrap()))
}

fn report(what: &str, frames: &[Frame]) {
    let (wm, wp, wx) = stats(frames.iter().map(|f| f.wall).collect());
    let (cm, cp, cx) = stats(frames.iter().map(|f| f.cpu).collect());
    let over = frames
        .iter()
        .filter(|f| f.cpu > Duration::from_millis(16))
        .count();
    println!(
        "| {what} | {} | {cm:.1} / {cp:.1} / {cx:.1} | {wm:.1} / {wp:.1} / {wx:.1} | {over} |",
        frames.len()
    );
}

fn main() {
    let side = common::side_px();
    let dir = tempfile::tempdir().unwrap();
    let raster = dir.path().join(format!("utm52n_{side}.tif"));
    let t = Instant::now();
    common::generate(&raster, side);
    println!(
        "generated {} ({:.0} MB) in {:.1} s",
        raster.display(),
        std::fs::metadata(&raster).unwrap().len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1200.0))
        .build_eframe(|cc| {
            SitewatchApp::new(
                cc,
                AppOptions {
                    loaded: load_default_project().unwrap(),
                    project_path: None,
                    date: None,
                    screenshot: None,
                    persist: false,
                },
            )
        });
    h.run_steps(5);
    let idle: Vec<Frame> = (0..60).map(|_| step(&mut h)).collect();

    let ctx = h.ctx.clone();
    let t = Instant::now();
    h.state_mut().apply(
        &ctx,
        Command::View(ViewCommand::ZoomToBox(common::extent(side))),
    );
    h.state_mut().apply(
        &ctx,
        Command::Imagery(ImageryCommand::AddLayerFiles(vec![raster.clone()])),
    );
    let apply = t.elapsed();
    let load_start = Instant::now();

    let mut during = Vec::new();
    let (mut seen_opening, mut seen_tiles, mut quiet, mut failed) = (false, false, 0, false);
    let mut load_time = None;
    while load_start.elapsed() < TIMEOUT {
        let frame = step(&mut h);
        let opening = h.query_by_label_contains("opening ").is_some();
        let loading = h.query_by_label_contains("tile(s)…").is_some();
        failed |= h.query_by_label_contains("tile(s) failed").is_some();
        seen_opening |= opening;
        seen_tiles |= loading;
        if opening || loading {
            quiet = 0;
            load_time = None;
        } else {
            if quiet == 0 {
                load_time = Some(load_start.elapsed());
            }
            quiet += 1;
        }
        during.push(frame);
        if quiet >= QUIET_FRAMES && (seen_opening || during.len() > 120) {
            break;
        }
    }
    // The quiet frames that closed the load belong after it.
    let tail = during.split_off(during.len().saturating_sub(quiet));
    let mut after = tail;
    after.extend((0..AFTER_FRAMES).map(|_| step(&mut h)));

    println!(
        "# frame_time: {side} × {side} px GeoTIFF added to the default project, 1600 × 1200 window, 60 Hz pacing"
    );
    println!(
        "thread CPU clock granularity seen: {:.2} ms; AddLayerFiles + ZoomToBox applied in {:.2} ms",
        cpu_clock_granularity().as_secs_f64() * 1e3,
        apply.as_secs_f64() * 1e3
    );
    match load_time {
        Some(t) if quiet >= QUIET_FRAMES => println!(
            "layer loaded (opening bar gone, no tiles loading) after {:.2} s; opening bar seen: {seen_opening}, tiles loading seen: {seen_tiles}, tile failures: {failed}",
            t.as_secs_f64()
        ),
        _ => println!("layer NOT loaded within {} s", TIMEOUT.as_secs()),
    }
    println!();
    println!(
        "| frames | n | CPU ms median / p99 / max | wall ms median / p99 / max | CPU > 16 ms |"
    );
    println!("|---|---|---|---|---|");
    report("idle, before", &idle);
    report("while the layer loads", &during);
    report("after", &after);
}
