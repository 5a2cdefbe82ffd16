//! MP4 (H.264) timelapses, encoded by the system's `ffmpeg` found at run time: raw RGBA frames go
//! over its stdin, it writes a `+faststart` MP4 (the index first, so a browser plays it while it
//! downloads). No pure-Rust H.264 encoder is usable, and a source-built openh264 is not covered
//! by Cisco's patent licence, so without ffmpeg the export says how to get it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use super::ExportError;

/// The largest video frame (4K UHD); either orientation.
pub const MAX_VIDEO_PX: [u32; 2] = [3840, 2160];
/// The environment variable that names an `ffmpeg` to use instead of the one on the PATH.
pub const FFMPEG_ENV: &str = "SITEWATCH_FFMPEG";

/// How a timelapse moves: seconds per stage, the hold on the last, an optional crossfade.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Seconds each stage shows (its fade-in included).
    pub frame_s: f64,
    /// Seconds the last stage is held.
    pub hold_s: f64,
    /// Seconds each stage fades in from the one before (0: a cut).
    pub crossfade_s: f64,
    /// Frames a second.
    pub fps: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            frame_s: 1.0,
            hold_s: 3.0,
            crossfade_s: 0.0,
            fps: 30,
        }
    }
}

impl Timing {
    /// Checks the numbers: positive durations, a crossfade shorter than a stage, 1–60 fps.
    pub fn check(&self) -> Result<(), String> {
        let ok = |s: f64| s.is_finite() && s > 0.0 && s <= 600.0;
        if !ok(self.frame_s) {
            return Err(format!(
                "a stage must show for 0–600 seconds, not {}",
                self.frame_s
            ));
        }
        if !ok(self.hold_s) {
            return Err(format!(
                "the last stage must be held 0–600 seconds, not {}",
                self.hold_s
            ));
        }
        if !(self.crossfade_s.is_finite()
            && self.crossfade_s >= 0.0
            && self.crossfade_s < self.frame_s)
        {
            return Err(format!(
                "the crossfade ({} s) must be at least 0 and shorter than a stage ({} s)",
                self.crossfade_s, self.frame_s
            ));
        }
        if !(1..=60).contains(&self.fps) {
            return Err(format!("{} frames a second is not 1–60", self.fps));
        }
        Ok(())
    }

    /// Video frames of `seconds`, at least one.
    #[must_use]
    pub fn frames(&self, seconds: f64) -> usize {
        ((seconds * f64::from(self.fps)).round() as usize).max(1)
    }

    /// How stage `index` of `count` shows: (crossfade frames from the one before, frames of it
    /// alone after that).
    #[must_use]
    pub fn stage_frames(&self, index: usize, count: usize) -> (usize, usize) {
        let fade = if index == 0 || self.crossfade_s <= 0.0 {
            0
        } else {
            self.frames(self.crossfade_s)
        };
        let own = if index + 1 == count {
            self.frames(self.hold_s)
        } else {
            self.frames(self.frame_s)
        };
        (fade, own.saturating_sub(fade).max(1))
    }
}

/// The frame size a video takes: each side rounded down to even (H.264's 4:2:0 needs it), at
/// most [`MAX_VIDEO_PX`] in either orientation.
pub fn video_size(size_px: [u32; 2]) -> Result<[u32; 2], String> {
    let [w, h] = size_px;
    let (long, short) = (w.max(h), w.min(h));
    if long > MAX_VIDEO_PX[0] || short > MAX_VIDEO_PX[1] {
        return Err(format!(
            "a video is at most {}x{} (either way round), not {w}x{h}",
            MAX_VIDEO_PX[0], MAX_VIDEO_PX[1]
        ));
    }
    Ok([w & !1, h & !1])
}

/// The `ffmpeg` to run: [`FFMPEG_ENV`] when set, else the first on the PATH.
#[must_use]
pub fn find_ffmpeg() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(FFMPEG_ENV) {
        return Some(PathBuf::from(path));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("ffmpeg"))
        .find(|p| p.is_file())
}

/// The message when no ffmpeg is found.
#[must_use]
pub fn no_ffmpeg_message() -> String {
    format!(
        "ffmpeg was not found on the PATH (nor named by {FFMPEG_ENV}): install it \
         (sudo apt-get install ffmpeg) to write MP4 timelapses; a GIF needs nothing"
    )
}

/// One `ffmpeg` encoding raw frames into an MP4 file.
pub struct VideoWriter {
    child: Child,
    stdin: Option<ChildStdin>,
    size_px: [u32; 2],
    out: PathBuf,
    log: tempfile::NamedTempFile,
    frames: usize,
}

impl VideoWriter {
    /// Starts `ffmpeg` writing `out` (an MP4, whatever its name) from frames of `size_px` (even
    /// sides) at `fps`, with `metadata` (key, value) in the file. Errors name `shown` (the file
    /// the user asked for, when `out` is its temporary).
    pub fn start(
        ffmpeg: &Path,
        size_px: [u32; 2],
        fps: u32,
        (out, shown): (&Path, &Path),
        metadata: &[(&str, String)],
    ) -> Result<Self, ExportError> {
        let error = |message: String| ExportError::Encode {
            message,
            path: shown.to_path_buf(),
        };
        let log = tempfile::NamedTempFile::new().map_err(|e| error(e.to_string()))?;
        let stderr = log.reopen().map_err(|e| error(e.to_string()))?;
        let mut command = Command::new(ffmpeg);
        command
            .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
            .args(["-f", "rawvideo", "-pix_fmt", "rgba"])
            .args(["-s", &format!("{}x{}", size_px[0], size_px[1])])
            .args(["-r", &fps.to_string(), "-i", "pipe:0"])
            .args(["-c:v", "libx264", "-preset", "medium", "-crf", "20"])
            .args(["-pix_fmt", "yuv420p", "-movflags", "+faststart"]);
        for (key, value) in metadata {
            command.args(["-metadata", &format!("{key}={value}")]);
        }
        command.args(["-f", "mp4"]).arg(out);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr))
            .spawn()
            .map_err(|e| error(format!("cannot run {}: {e}", ffmpeg.display())))?;
        let stdin = child.stdin.take();
        Ok(Self {
            child,
            stdin,
            size_px,
            out: shown.to_path_buf(),
            log,
            frames: 0,
        })
    }

    /// Sends one frame of opaque RGBA pixels `repeat` times.
    pub fn push(&mut self, rgba: &[u8], repeat: usize) -> Result<(), ExportError> {
        let [w, h] = self.size_px;
        if rgba.len() != w as usize * h as usize * 4 {
            return Err(self.error(format!(
                "a frame of {} bytes is not {w}x{h} RGBA",
                rgba.len()
            )));
        }
        for _ in 0..repeat {
            let written = self.stdin.as_mut().map(|s| s.write_all(rgba));
            if let Some(Err(e)) = written {
                let said = self.said();
                return Err(self.error(format!("ffmpeg stopped taking frames ({e}){said}")));
            }
            self.frames += 1;
        }
        Ok(())
    }

    /// Frames sent so far.
    #[must_use]
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Closes the input and waits for `ffmpeg` to finish the file.
    pub fn finish(mut self) -> Result<usize, ExportError> {
        drop(self.stdin.take());
        let status = self
            .child
            .wait()
            .map_err(|e| self.error(format!("ffmpeg did not finish: {e}")))?;
        if !status.success() {
            let said = self.said();
            return Err(self.error(format!("ffmpeg failed ({status}){said}")));
        }
        Ok(self.frames)
    }

    fn said(&self) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            String::new()
        } else {
            format!(": {}", text.lines().take(4).collect::<Vec<_>>().join(" | "))
        }
    }

    fn error(&self, message: String) -> ExportError {
        ExportError::Encode {
            message,
            path: self.out.clone(),
        }
    }
}

impl Drop for VideoWriter {
    fn drop(&mut self) {
        // An export that failed midway leaves no ffmpeg behind.
        if self.stdin.is_some() {
            drop(self.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `a` faded towards `b` by `t` (0–1), both RGBA of one size.
#[must_use]
pub fn crossfade(a: &[u8], b: &[u8], t: f64) -> Vec<u8> {
    let t = t.clamp(0.0, 1.0);
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_down_to_even_and_stop_at_4k() {
        assert_eq!(video_size([1201, 675]), Ok([1200, 674]));
        assert_eq!(video_size([2160, 3840]), Ok([2160, 3840]));
        assert!(video_size([3842, 2160]).is_err());
        assert!(video_size([4000, 1000]).is_err());
    }

    #[test]
    fn each_stage_takes_its_seconds_with_the_fade_inside_and_the_last_is_held() {
        let timing = Timing {
            frame_s: 1.0,
            hold_s: 3.0,
            crossfade_s: 0.5,
            fps: 30,
        };
        assert_eq!(timing.stage_frames(0, 3), (0, 30));
        assert_eq!(timing.stage_frames(1, 3), (15, 15));
        assert_eq!(timing.stage_frames(2, 3), (15, 75));
        let cut = Timing::default();
        assert_eq!(cut.stage_frames(1, 3), (0, 30));
        assert!(
            Timing {
                crossfade_s: 1.0,
                ..timing
            }
            .check()
            .is_err()
        );
        assert!(Timing { fps: 0, ..timing }.check().is_err());
    }

    #[test]
    fn a_crossfade_goes_from_one_frame_to_the_other() {
        assert_eq!(
            crossfade(&[0, 100, 255], &[200, 100, 55], 0.5),
            vec![100, 100, 155]
        );
        assert_eq!(crossfade(&[0, 100], &[200, 0], 0.0), vec![0, 100]);
        assert_eq!(crossfade(&[0, 100], &[200, 0], 1.0), vec![200, 0]);
    }
}
