//! `--screenshot`: save the real window to PNG once nothing is pending, then exit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a screenshot run ended: the saved path, or what was still pending / what failed.
pub type Outcome = Arc<Mutex<Option<Result<PathBuf, String>>>>;

/// A screenshot to take when the window has settled.
pub struct ScreenshotJob {
    path: PathBuf,
    deadline: Instant,
    idle_frames: u32,
    requested: bool,
    outcome: Outcome,
}

/// Frames with no pending work before the shot, so layout and fonts have settled.
const IDLE_FRAMES: u32 = 5;

impl ScreenshotJob {
    /// A job writing `path`, giving up after `timeout`; the result lands in `outcome`.
    pub fn new(path: PathBuf, timeout: Duration, outcome: Outcome) -> Self {
        Self {
            path,
            deadline: Instant::now() + timeout,
            idle_frames: 0,
            requested: false,
            outcome,
        }
    }

    /// Called once per frame with what is still pending (empty when idle). Returns true when the
    /// window should close.
    pub fn frame(&mut self, ctx: &egui::Context, pending: &[String]) -> bool {
        if let Ok(done) = self.outcome.lock()
            && done.is_some()
        {
            return true;
        }
        ctx.request_repaint_after(Duration::from_millis(50));
        if Instant::now() > self.deadline {
            let what = if pending.is_empty() {
                "the screenshot itself".to_owned()
            } else {
                pending.join(", ")
            };
            self.finish(Err(format!("timed out waiting for: {what}")));
            return true;
        }
        if !pending.is_empty() {
            self.idle_frames = 0;
            return false;
        }
        self.idle_frames += 1;
        if self.idle_frames >= IDLE_FRAMES && !self.requested {
            self.requested = true;
            let path = self.path.clone();
            let outcome = Arc::clone(&self.outcome);
            let ctx2 = ctx.clone();
            ctx.request_screenshot(move |image| {
                let result = save_png(&image, &path).map(|()| path.clone());
                if let Ok(mut o) = outcome.lock() {
                    *o = Some(result);
                }
                ctx2.request_repaint();
            });
        }
        false
    }

    fn finish(&self, result: Result<PathBuf, String>) {
        if let Ok(mut o) = self.outcome.lock() {
            *o = Some(result);
        }
    }
}

/// Writes an egui image as PNG.
pub fn save_png(image: &egui::ColorImage, path: &Path) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(egui::Color32::to_array)
        .collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| "the screenshot had an unexpected size".to_owned())?;
    buffer
        .save(path)
        .map_err(|e| format!("cannot write the screenshot ({e}): {}", path.display()))
}
