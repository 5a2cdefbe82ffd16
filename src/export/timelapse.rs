//! Timelapses: one figure per stage date with a progress bar along the bottom, written as a
//! looping GIF or an MP4 video (through the system's ffmpeg), with a provenance sidecar.

use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::files::SidePaths;
use super::outputs::{file_name, pretty, record_of, stage_dates_or_error};
use super::pipeline::{SourceCache, check_size, prepare};
use super::video::{self, Timing, VideoWriter};
use super::view::ExportView;
use super::{ExportError, ExportOptions, Figure, GifOutput, Progress, files, gif, provenance};
use crate::model::Project;
use crate::render::display_list::DisplayList;
use crate::render::lower::figure::lower_progress;
use crate::render::lower::style::Scale;
use crate::render::skia;

/// The timelapse's frames: what was drawn, and the last figure (whose annotations and stage
/// stand for the whole in the sidecar).
struct Frames {
    dates: Vec<NaiveDate>,
    view: ExportView,
    last: Option<Figure>,
}

/// Takes frame `index` of `count` as opaque RGBA.
type FrameSink<'a> = dyn FnMut(usize, usize, &[u8]) -> Result<(), ExportError> + 'a;

/// Renders a figure per stage date, progress bar drawn, and hands each frame's RGBA to `each`
/// with its index and the number of frames. `progress` counts the imagery step and each frame.
fn stage_frames(
    project: &Project,
    options: &ExportOptions,
    progress: Progress<'_>,
    each: &mut FrameSink<'_>,
) -> Result<Frames, ExportError> {
    let dates = stage_dates_or_error(project)?;
    check_size(options.size_px)?;
    let total = dates.len() + 1;
    let prepared = prepare(project, options, &|_, _| progress(0, total))?;
    let mut cache = SourceCache::new();
    let mut last = None;
    for (i, date) in dates.iter().enumerate() {
        if !progress(i + 1, total) {
            return Err(ExportError::Cancelled);
        }
        let mut figure = prepared.figure(project, *date, options, &mut cache, &|_, _| {
            progress(i + 1, total)
        })?;
        let fraction = (i + 1) as f32 / dates.len() as f32;
        let mut bar = DisplayList::new(figure.list.size_px);
        lower_progress(&mut bar, fraction, Scale(figure.layout.px_scale));
        skia::paint(&mut figure.pixmap, &bar, &prepared.text);
        figure.list.ops.extend(bar.ops);
        each(i, dates.len(), figure.pixmap.data())?;
        last = Some(figure);
    }
    Ok(Frames {
        dates,
        view: prepared.view,
        last,
    })
}

/// The sidecar of a timelapse: the last frame's record, with the image member given.
fn sidecar(
    project: &Project,
    options: &ExportOptions,
    frames: &Frames,
    out: &Path,
    image: Value,
) -> Option<Value> {
    let figure = frames.last.as_ref()?;
    let record = record_of(project, options, figure);
    let mut sidecar = provenance::sidecar(&record, &file_name(out), "");
    if let Some(obj) = sidecar.as_object_mut() {
        obj.insert("image".into(), image);
        // The annotations and stage of the last frame stand for the whole timelapse.
        obj.insert("date".into(), json!(figure.scene.date.to_string()));
    }
    Some(sidecar)
}

/// Writes an animated GIF with one frame per stage date (~1 s each, the last held longer, a
/// thin progress bar along the bottom), with a world file, `.prj` and JSON sidecar beside it.
pub fn export_gif(
    project: &Project,
    options: &ExportOptions,
    out_gif: &Path,
    progress: Progress<'_>,
) -> Result<GifOutput, ExportError> {
    files::check_writable(out_gif)?;
    let mut writer = gif::GifWriter::new(options.size_px, out_gif)?;
    let frames = stage_frames(project, options, progress, &mut |i, count, rgba| {
        let mut rgba = rgba.to_vec();
        writer.add_frame(&mut rgba, gif::frame_delay_cs(i, count))
    })?;
    let bytes = writer.finish()?;
    let sha256 = files::sha256_hex(&bytes);
    // All or nothing, the sidecar (naming the GIF's SHA-256) renamed last.
    let mut set = files::FileSet::new();
    set.stage(out_gif, &bytes)?;
    let side = SidePaths::beside(out_gif);
    files::stage_georeference(&mut set, &frames.view, &side)?;
    let image = json!({
        "file": file_name(out_gif),
        "sha256": sha256,
        "format": "GIF",
        "frame_dates": frames.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "frame_delay_cs": gif::FRAME_DELAY_CS,
        "last_frame_delay_cs": gif::LAST_FRAME_DELAY_CS,
    });
    if let Some(sidecar) = sidecar(project, options, &frames, out_gif, image) {
        set.stage(&side.sidecar, pretty(&sidecar).as_bytes())?;
    }
    set.commit()?;
    let total = frames.dates.len() + 1;
    progress(total, total);
    Ok(GifOutput {
        gif: out_gif.to_path_buf(),
        side,
        dates: frames.dates,
        sha256,
    })
}

/// Writes an MP4 (H.264, `+faststart`) timelapse with one stage per `timing.frame_s`, the last
/// held `timing.hold_s`, optionally crossfaded, and a JSON sidecar beside it. The frame size is
/// the options' rounded down to even, at most 3840×2160. Needs `ffmpeg` (see [`video`]).
pub fn export_video(
    project: &Project,
    options: &ExportOptions,
    timing: Timing,
    out_mp4: &Path,
    progress: Progress<'_>,
) -> Result<GifOutput, ExportError> {
    let refuse = |message: String| ExportError::Encode {
        message,
        path: out_mp4.to_path_buf(),
    };
    files::check_writable(out_mp4)?;
    timing.check().map_err(refuse)?;
    let size_px = video::video_size(options.size_px).map_err(refuse)?;
    let ffmpeg = video::find_ffmpeg().ok_or_else(|| refuse(video::no_ffmpeg_message()))?;
    let options = &ExportOptions {
        size_px,
        ..options.clone()
    };
    let dir = out_mp4
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // ffmpeg writes a temporary beside the output; it is renamed into place only when whole.
    let temp = tempfile::Builder::new()
        .prefix(".sitewatch-video-")
        .suffix(".mp4")
        .tempfile_in(dir)
        .map_err(|source| ExportError::Write {
            source,
            path: out_mp4.to_path_buf(),
        })?;
    let metadata = [
        ("title", format!("{} — timelapse", project.name)),
        (
            "comment",
            format!("{}; {}", provenance::software(), "see the JSON sidecar"),
        ),
    ];
    let paths = (temp.path(), out_mp4);
    let mut writer = VideoWriter::start(&ffmpeg, size_px, timing.fps, paths, &metadata)?;
    let mut previous: Option<Vec<u8>> = None;
    let frames = stage_frames(project, options, progress, &mut |i, count, rgba| {
        let (fade, own) = timing.stage_frames(i, count);
        if let Some(before) = &previous {
            for k in 1..=fade {
                let t = k as f64 / (fade + 1) as f64;
                writer.push(&video::crossfade(before, rgba, t), 1)?;
            }
        }
        writer.push(rgba, own)?;
        previous = (timing.crossfade_s > 0.0).then(|| rgba.to_vec());
        Ok(())
    })?;
    let frame_count = writer.finish()?;
    let bytes = std::fs::read(temp.path()).map_err(|source| ExportError::Write {
        source,
        path: out_mp4.to_path_buf(),
    })?;
    let sha256 = files::sha256_hex(&bytes);
    let side = SidePaths::beside(out_mp4);
    let mut set = files::FileSet::new();
    let image = json!({
        "file": file_name(out_mp4),
        "sha256": sha256,
        "format": "MP4",
        "codec": "H.264 (libx264, yuv420p), +faststart",
        "size_px": size_px,
        "fps": timing.fps,
        "frames": frame_count,
        "frame_dates": frames.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "seconds_per_stage": timing.frame_s,
        "last_stage_held_s": timing.hold_s,
        "crossfade_s": timing.crossfade_s,
    });
    if let Some(sidecar) = sidecar(project, options, &frames, out_mp4, image) {
        set.stage(&side.sidecar, pretty(&sidecar).as_bytes())?;
    }
    temp.persist(out_mp4).map_err(|e| ExportError::Write {
        source: e.error,
        path: out_mp4.to_path_buf(),
    })?;
    set.commit()?;
    let total = frames.dates.len() + 1;
    progress(total, total);
    Ok(GifOutput {
        gif: out_mp4.to_path_buf(),
        side,
        dates: frames.dates,
        sha256,
    })
}
