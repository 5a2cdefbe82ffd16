//! What an export writes: a PNG with its world file and sidecar, every stage, a timelapse GIF.

use std::path::Path;

use chrono::{NaiveDate, Utc};

use super::files::SidePaths;
use super::format::FigureFormat;
use super::provenance::Record;
use crate::model::Project;
use crate::render::display_list::DisplayList;
use crate::render::lower::figure::lower_progress;
use crate::render::lower::style::Scale;
use crate::render::skia;

use super::pipeline::{SourceCache, check_size, prepare};
use super::{
    ExportError, ExportOptions, ExportOutput, Figure, GifOutput, Progress, files, gif, provenance,
    render_figure,
};

/// Writes a figure as a PNG with its world file, `.prj` and provenance sidecar.
pub fn write_figure(
    figure: &Figure,
    project: &Project,
    options: &ExportOptions,
    out_png: &Path,
) -> Result<ExportOutput, ExportError> {
    let format = FigureFormat::of(out_png, options.jpeg_quality)?;
    let record = record_of(project, options, figure);
    let size = figure.view.size_px();
    let bytes = format.encode(
        figure.pixmap.data(),
        size,
        &provenance::png_text(&record),
        Some(&figure.view),
        out_png,
    )?;
    let sha256 = files::sha256_hex(&bytes);
    // All or nothing, the sidecar (naming the image's SHA-256) renamed last.
    let mut set = files::FileSet::new();
    set.stage(out_png, &bytes)?;
    let beside = SidePaths::beside(out_png);
    if format.needs_world_file() {
        files::stage_georeference(&mut set, &figure.view, &beside)?;
    }
    let mut record_json = provenance::sidecar(&record, &file_name(out_png), &sha256);
    record_json["image"]["format"] = format.name().into();
    set.stage(&beside.sidecar, pretty(&record_json).as_bytes())?;
    set.commit()?;
    if !format.needs_world_file() {
        // GDAL reads a GeoTIFF's `.aux.xml` before its own tags: a stale one must go. The `.prj`
        // stays: it may be a PNG's of the same name.
        files::remove_stale(&[&beside.world_file, &beside.aux_xml])?;
    }
    Ok(ExportOutput {
        date: figure.scene.date,
        png: out_png.to_path_buf(),
        side: beside,
        sha256,
        view: figure.view,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Renders a project at a date and writes `out_png` with its world file, `.prj` and JSON
/// sidecar. `progress` counts tiles fetched; `false` cancels.
pub fn export_png(
    project: &Project,
    date: NaiveDate,
    options: &ExportOptions,
    out_png: &Path,
    progress: Progress<'_>,
) -> Result<ExportOutput, ExportError> {
    files::check_writable(out_png)?;
    FigureFormat::of(out_png, options.jpeg_quality)?;
    let figure = render_figure(project, date, options, progress)?;
    write_figure(&figure, project, options, out_png)
}

/// Renders a swipe figure (date A left of the divider at `fraction` of the width, B right of
/// it) and writes `out_png` with its world file, `.prj` and JSON sidecar.
pub fn export_swipe_png(
    project: &Project,
    dates: [NaiveDate; 2],
    fraction: f32,
    options: &ExportOptions,
    out_png: &Path,
    progress: Progress<'_>,
) -> Result<ExportOutput, ExportError> {
    files::check_writable(out_png)?;
    FigureFormat::of(out_png, options.jpeg_quality)?;
    let figure = super::render_swipe(project, dates, fraction, options, progress)?;
    write_figure(&figure, project, options, out_png)
}

/// The dates of the project's stages, in order, each once.
#[must_use]
pub fn stage_dates(project: &Project) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> = project.stages.iter().map(|s| s.date.key()).collect();
    dates.sort();
    dates.dedup();
    dates
}

/// The file name of stage `index` (from 0) on `date`: `01-2025-04-30.png`.
#[must_use]
pub fn stage_file_name(index: usize, date: NaiveDate, extension: &str) -> String {
    format!("{:02}-{date}.{extension}", index + 1)
}

fn stage_dates_or_error(project: &Project) -> Result<Vec<NaiveDate>, ExportError> {
    let dates = stage_dates(project);
    if dates.is_empty() {
        return Err(ExportError::NoStages {
            project: project.name.clone(),
        });
    }
    Ok(dates)
}

/// Writes one PNG (with its side files) per stage date into `dir`, creating it if needed.
/// `progress` counts the imagery step and then each frame; `false` cancels.
pub fn export_all_stages(
    project: &Project,
    options: &ExportOptions,
    dir: &Path,
    progress: Progress<'_>,
) -> Result<Vec<ExportOutput>, ExportError> {
    let dates = stage_dates_or_error(project)?;
    check_size(options.size_px)?;
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Write {
        source,
        path: dir.to_path_buf(),
    })?;
    let total = dates.len() + 1;
    let prepared = prepare(project, options, &|_, _| progress(0, total))?;
    let mut cache = SourceCache::new();
    let mut outputs = Vec::with_capacity(dates.len());
    for (i, date) in dates.iter().enumerate() {
        if !progress(i + 1, total) {
            return Err(ExportError::Cancelled);
        }
        let figure = prepared.figure(project, *date, options, &mut cache, &|_, _| {
            progress(i + 1, total)
        })?;
        let path = dir.join(stage_file_name(i, *date, "png"));
        outputs.push(write_figure(&figure, project, options, &path)?);
    }
    progress(total, total);
    Ok(outputs)
}

/// Writes an animated GIF with one frame per stage date (~1 s each, the last held longer, a
/// thin progress bar along the bottom), with a world file, `.prj` and JSON sidecar beside it.
pub fn export_gif(
    project: &Project,
    options: &ExportOptions,
    out_gif: &Path,
    progress: Progress<'_>,
) -> Result<GifOutput, ExportError> {
    let dates = stage_dates_or_error(project)?;
    files::check_writable(out_gif)?;
    check_size(options.size_px)?;
    let total = dates.len() + 1;
    let prepared = prepare(project, options, &|_, _| progress(0, total))?;
    let mut writer = gif::GifWriter::new(options.size_px, out_gif)?;
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
        let mut rgba = figure.pixmap.data().to_vec();
        writer.add_frame(&mut rgba, gif::frame_delay_cs(i, dates.len()))?;
        last = Some(figure);
    }
    let bytes = writer.finish()?;
    let sha256 = files::sha256_hex(&bytes);
    // All or nothing, the sidecar (naming the GIF's SHA-256) renamed last.
    let mut set = files::FileSet::new();
    set.stage(out_gif, &bytes)?;
    let side = SidePaths::beside(out_gif);
    files::stage_georeference(&mut set, &prepared.view, &side)?;
    if let Some(figure) = &last {
        let record = record_of(project, options, figure);
        let mut sidecar = provenance::sidecar(&record, &file_name(out_gif), &sha256);
        if let Some(obj) = sidecar.as_object_mut() {
            obj.insert(
                "image".into(),
                serde_json::json!({
                    "file": file_name(out_gif),
                    "sha256": sha256,
                    "format": "GIF",
                    "frame_dates": dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "frame_delay_cs": gif::FRAME_DELAY_CS,
                    "last_frame_delay_cs": gif::LAST_FRAME_DELAY_CS,
                }),
            );
            // The annotations and stage of the last frame stand for the whole timelapse.
            obj.insert(
                "date".into(),
                serde_json::json!(figure.scene.date.to_string()),
            );
        }
        set.stage(&side.sidecar, pretty(&sidecar).as_bytes())?;
    }
    set.commit()?;
    progress(total, total);
    Ok(GifOutput {
        gif: out_gif.to_path_buf(),
        side,
        dates,
        sha256,
    })
}

/// The provenance of one figure, as its sidecar and PNG chunks record it.
fn record_of<'a>(
    project: &'a Project,
    options: &'a ExportOptions,
    figure: &'a Figure,
) -> Record<'a> {
    Record {
        project,
        project_file: options.project_file.as_deref(),
        scene: &figure.scene,
        view: &figure.view,
        tile_layers: &figure.layers,
        labels: &figure.labels,
        layers_left_out: &figure.layers_left_out,
        compare: figure.compare.as_ref(),
        exported_at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_files_sort_by_their_names() {
        let d = NaiveDate::from_ymd_opt(2025, 4, 30).unwrap();
        assert_eq!(stage_file_name(0, d, "png"), "01-2025-04-30.png");
    }
}
