//! Before/after figures: one panel per date over the same view, each lowered like a figure's
//! map (imagery, annotations and labels) and composed side by side, with each panel's letter,
//! date and credit and one legend, scale bar and north arrow. The panels share a view, not a
//! georeference, so no world file is written; the sidecar gives each panel's box and pixels.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use geo::Coord;
use serde_json::{Value, json};
use tiny_skia::Pixmap;

use super::format::FigureFormat;
use super::pipeline::{DateImagery, SourceCache, check_size, imagery_op, prepare};
use super::tiles::LayerReport;
use super::view::ExportView;
use super::{ExportError, ExportOptions, Progress, files, provenance};
use crate::model::Project;
use crate::render::display_list::{DisplayList, RectPx};
use crate::render::layout::panels::{
    PanelsInput, PanelsLayout, panel_letter, panel_rects, panels_layout,
};
use crate::render::lower::compare::panes;
use crate::render::lower::figure::{lower_grid, lower_panels_furniture};
use crate::render::lower::style::Scale;
use crate::render::lower::{LowerOptions, lower_scene};
use crate::render::skia;
use crate::render::text::TextMeasure;
use crate::scene::Scene;

/// Most panels in one figure.
pub const MAX_PANELS: usize = 12;

/// One panel of a panels figure.
#[derive(Clone, Debug)]
pub struct Panel {
    /// A, B …
    pub letter: String,
    /// The scene drawn in it.
    pub scene: Scene,
    /// Where it is in the figure.
    pub rect_px: RectPx,
    /// Its tile layers drawn.
    pub layers: Vec<LayerReport>,
    /// Its imagery layers with no source here (by name).
    pub layers_left_out: Vec<String>,
}

/// A rendered panels figure.
pub struct PanelsFigure {
    /// The pixels (opaque).
    pub pixmap: Pixmap,
    /// The view every panel shows, at a panel's size.
    pub view: ExportView,
    /// The panels, in reading order.
    pub panels: Vec<Panel>,
    /// Where the furniture went.
    pub layout: PanelsLayout,
    /// What was painted.
    pub list: DisplayList,
}

/// What a panels export wrote.
#[derive(Clone, Debug)]
pub struct PanelsOutput {
    /// The PNG.
    pub png: PathBuf,
    /// The provenance sidecar.
    pub sidecar: PathBuf,
    /// SHA-256 of the PNG's bytes, hex.
    pub sha256: String,
}

/// The legend of every panel: the last panel's, with the categories and certainties only the
/// others show added.
fn legend_scene(scenes: &[Scene]) -> Option<Scene> {
    let mut merged = scenes.last()?.clone();
    for scene in scenes {
        for entry in &scene.legend {
            if !merged.legend.iter().any(|e| e.name == entry.name) {
                merged.legend.push(entry.clone());
            }
        }
        for c in &scene.certainties {
            if !merged.certainties.contains(c) {
                merged.certainties.push(*c);
            }
        }
    }
    Some(merged)
}

/// Renders one panel per date (2 to [`MAX_PANELS`]) of the options' view into a figure of the
/// options' size.
pub fn render_panels(
    project: &Project,
    dates: &[NaiveDate],
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<PanelsFigure, ExportError> {
    check_size(options.size_px)?;
    if !(2..=MAX_PANELS).contains(&dates.len()) {
        return Err(ExportError::Panels { count: dates.len() });
    }
    let rects = panel_rects(options.size_px, dates.len());
    let first = rects[0];
    let panel_options = ExportOptions {
        size_px: [(first[2] - first[0]) as u32, (first[3] - first[1]) as u32],
        ..options.clone()
    };
    let prepared = prepare(project, &panel_options, progress)?;
    let mut cache = SourceCache::new();
    let sides: Vec<(NaiveDate, Option<&str>)> = dates.iter().map(|d| (*d, None)).collect();
    prepared.compare_sources(project, &sides, &panel_options, &mut cache)?;
    let mut by_date: Vec<DateImagery> = Vec::with_capacity(dates.len());
    for date in dates {
        by_date.push(prepared.date_imagery(
            project,
            (*date, None),
            &panel_options,
            &mut cache,
            progress,
        )?);
    }
    let scenes: Vec<Scene> = by_date.iter().map(|d| d.scene.clone()).collect();
    let legend = legend_scene(&scenes).ok_or(ExportError::Panels { count: 0 })?;
    let view = prepared.view;
    let measure = &prepared.text;
    let size = |t: &str, f| measure.size(t, f);
    let scene_refs: Vec<&Scene> = scenes.iter().collect();
    let layout = panels_layout(
        &PanelsInput {
            scenes: &scene_refs,
            legend: &legend,
            size_px: options.size_px,
            meters_per_px: view.meters_per_px(),
            north_arrow: options.north_arrow,
        },
        &size,
    );
    let mut furniture = DisplayList::new(options.size_px.map(|v| v as f32));
    lower_panels_furniture(&mut furniture, measure, &layout, &legend);
    let s = Scale(layout.px_scale);
    let to_px = |c: Coord<f64>| view.to_px(c);
    let lists: Vec<DisplayList> = by_date
        .iter()
        .zip(&rects)
        .map(|(d, rect)| {
            let mut list = DisplayList::new([rect[2] - rect[0], rect[3] - rect[1]]);
            list.push(imagery_op(&d.pixmap));
            if options.grid {
                lower_grid(&mut list, measure, view.bbox_lonlat(), &to_px, s);
            }
            // Labels keep clear of the furniture over this panel.
            let keep_clear: Vec<RectPx> = furniture
                .boxes
                .iter()
                .map(|b| b.rect_px)
                .filter(|r| r[0] < rect[2] && r[2] > rect[0] && r[1] < rect[3] && r[3] > rect[1])
                .map(|r| {
                    [
                        r[0] - rect[0],
                        r[1] - rect[1],
                        r[2] - rect[0],
                        r[3] - rect[1],
                    ]
                })
                .collect();
            let lower = LowerOptions {
                scale: s,
                selection: false,
            };
            lower_scene(
                &mut list,
                &d.scene,
                None,
                &to_px,
                measure,
                &keep_clear,
                lower,
            );
            list
        })
        .collect();
    let placed: Vec<(&DisplayList, RectPx)> = lists.iter().zip(rects.iter().copied()).collect();
    let mut list = panes(options.size_px.map(|v| v as f32), &placed);
    list.boxes.extend(furniture.boxes);
    list.ops.extend(furniture.ops);
    let [width, height] = options.size_px;
    let mut pixmap = Pixmap::new(width, height).ok_or(ExportError::Allocate { width, height })?;
    // White gutters, as printed before/after figures have them.
    pixmap.fill(tiny_skia::Color::WHITE);
    skia::paint(&mut pixmap, &list, measure);
    let panels = by_date
        .into_iter()
        .zip(rects)
        .enumerate()
        .map(|(i, (d, rect_px))| Panel {
            letter: panel_letter(i),
            scene: d.scene,
            rect_px,
            layers: d.reports,
            layers_left_out: d.layers_left_out,
        })
        .collect();
    Ok(PanelsFigure {
        pixmap,
        view,
        panels,
        layout,
        list,
    })
}

/// The sidecar of a panels figure: each panel's letter, date, stage, layers, pixel rectangle
/// and lon/lat box.
fn sidecar(
    figure: &PanelsFigure,
    project: &Project,
    options: &ExportOptions,
    png_name: &str,
    sha256: &str,
) -> Value {
    let b = figure.view.bbox_lonlat();
    let panels: Vec<Value> = figure
        .panels
        .iter()
        .map(|p| {
            json!({
                "letter": p.letter,
                "date": p.scene.date.to_string(),
                "date_label": p.scene.date_label,
                "stage": p.scene.caption.as_ref().map(|c| json!({
                    "stage_date": c.stage_date, "title": c.title,
                })),
                "rect_px": p.rect_px,
                "bbox_lonlat": b,
                "layers": p.scene.layers.iter()
                    .map(super::provenance::side_layer_json)
                    .collect::<Vec<_>>(),
                "tile_layers": p.layers.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
                "layers_left_out": p.layers_left_out,
                "annotations": p.scene.item_ids(),
                "credits": p.scene.credits,
                "notices": p.scene.notices,
            })
        })
        .collect();
    json!({
        "sitewatch_export": 1,
        "kind": "panels",
        "image": { "file": png_name, "sha256": sha256, "format": "PNG" },
        "project": {
            "name": project.name,
            "file": options.project_file.as_ref().map(|p| p.display().to_string()),
        },
        "georeferenced": false,
        "panel_view": {
            "crs": "EPSG:3857",
            "zoom": figure.view.zoom(),
            "size_px": figure.view.size_px(),
        },
        "panels": panels,
        "software": { "name": "Sitewatch", "version": env!("CARGO_PKG_VERSION") },
        "exported_at_utc": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// Renders a panels figure and writes `out_png` with its sidecar (no world file: the panels
/// share a view, not a georeference; a stale world file, `.prj` or `.aux.xml` of an earlier
/// export under the same name is removed so no GIS places the figure).
pub fn export_panels_png(
    project: &Project,
    dates: &[NaiveDate],
    options: &ExportOptions,
    out_png: &Path,
    progress: Progress<'_>,
) -> Result<PanelsOutput, ExportError> {
    let format = FigureFormat::for_output(out_png, options.jpeg_quality)?;
    let figure = render_panels(project, dates, options, progress)?;
    let dates_text: Vec<String> = figure
        .panels
        .iter()
        .map(|p| format!("{} {}", p.letter, p.scene.date_label))
        .collect();
    let text = vec![
        (
            "Title".to_owned(),
            format!("{} — {}", project.name, dates_text.join(", ")),
        ),
        ("Software".to_owned(), provenance::software()),
        (
            "Description".to_owned(),
            format!("Before/after panels: {}", dates_text.join("; ")),
        ),
    ];
    let size = [figure.pixmap.width(), figure.pixmap.height()];
    // No georeference: the panels share a view, not one grid.
    let bytes = format.encode(
        (figure.pixmap.data(), &figure.list),
        size,
        &text,
        None,
        out_png,
    )?;
    let sha256 = files::sha256_hex(&bytes);
    let beside = files::SidePaths::beside(out_png);
    let name = out_png
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut record = sidecar(&figure, project, options, &name, &sha256);
    record["image"]["format"] = format.name().into();
    let mut json_text = serde_json::to_string_pretty(&record).unwrap_or_default();
    json_text.push('\n');
    let mut set = files::FileSet::new();
    set.stage(out_png, &bytes)?;
    set.stage(&beside.sidecar, json_text.as_bytes())?;
    set.commit()?;
    files::remove_stale(&[&beside.world_file, &beside.prj, &beside.aux_xml])?;
    Ok(PanelsOutput {
        png: out_png.to_path_buf(),
        sidecar: beside.sidecar,
        sha256,
    })
}
