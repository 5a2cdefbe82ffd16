//! What an export writes: a figure with its world file and sidecar, or one per stage.

use std::path::Path;

use chrono::{NaiveDate, Utc};

use super::files::SidePaths;
use super::format::FigureFormat;
use super::provenance::Record;
use crate::model::Project;

use super::pipeline::{SourceCache, check_size, prepare};
use super::{
    ExportError, ExportOptions, ExportOutput, Figure, Progress, files, provenance, render_figure,
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
        (figure.pixmap.data(), &figure.list),
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

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(super) fn pretty(value: &serde_json::Value) -> String {
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
    FigureFormat::for_output(out_png, options.jpeg_quality)?;
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
    FigureFormat::for_output(out_png, options.jpeg_quality)?;
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

pub(super) fn stage_dates_or_error(project: &Project) -> Result<Vec<NaiveDate>, ExportError> {
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

/// The provenance of one figure, as its sidecar and PNG chunks record it.
pub(super) fn record_of<'a>(
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
