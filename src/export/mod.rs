//! Annotated snapshots: the scene the window draws, rendered on the CPU into a published-style
//! figure (FIGURES.md), written as a georeferenced PNG with its provenance, one PNG per stage,
//! or a timelapse GIF. Needs no GPU and no display.
//!
//! Flow: [`ExportOptions`] → [`view::ExportView`] → imagery ([`tiles::composite`], bottom first)
//! → [`scene::build`](crate::scene::build) → [`layout::layout`] → `render::raster` → [`files`].

pub mod args;
mod draw;
pub mod files;
pub mod gif;
pub mod layout;
pub mod provenance;
pub mod sources;
pub mod tiles;
pub mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use geo::Coord;
use image::RgbaImage;
use tiny_skia::Pixmap;

use crate::imagery::basemap::Basemap;
use crate::imagery::{TileError, TileSource, overview};
use crate::model::{ImageryLayer, Project};
use crate::render::raster::{RasterLabel, paint_scene};
use crate::render::raster_text::{FontError, Fonts};
use crate::scene::{SYNTHETIC_NOTICE, Scene, SceneOptions, build};
use crate::spatial::LonLatBox;
use files::SidePaths;
use layout::{Layout, LayoutInput};
use provenance::Record;
use tiles::{LayerReport, TileLayer};
use view::{ExportView, ViewError};

/// Smallest image side: below it the figure's text cannot be read.
pub const MIN_SIDE_PX: u32 = 64;
/// Largest image side.
pub const MAX_SIDE_PX: u32 = 8192;
/// The master size (FIGURES.md).
pub const MASTER_SIZE_PX: [u32; 2] = [1920, 1080];
/// Size presets from FIGURES.md: name and pixels.
pub const PRESETS: [(&str, [u32; 2]); 7] = [
    ("master", [1920, 1080]),
    ("print", [3840, 2160]),
    ("article", [1600, 900]),
    ("social", [1200, 675]),
    ("link-preview", [1200, 630]),
    ("square", [1080, 1080]),
    ("portrait", [1080, 1350]),
];
/// What an export says when the offline basemap has no imagery at its scale.
pub const NO_IMAGERY_NOTICE: &str =
    "No imagery at this scale: plain background, country borders approximate (±1 km)";
/// Under the imagery, where no tile reaches (beyond the Mercator poles).
const BACKGROUND: [u8; 3] = [32, 32, 32];

/// Why an export failed. Paths and addresses come last in each message.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The image size is out of range.
    #[error("image size {width}x{height} is outside {MIN_SIDE_PX}–{MAX_SIDE_PX} px a side")]
    Size {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
    },
    /// The view cannot be made.
    #[error("bad view: {0}")]
    View(#[from] ViewError),
    /// The basemap's tile source could not be built.
    #[error("the basemap is unavailable ({source}): {basemap}")]
    Basemap {
        /// Which basemap.
        basemap: String,
        /// Why.
        #[source]
        source: TileError,
    },
    /// Tiles of a layer could not be had.
    #[error("{failed} of {total} tiles failed, the first: {source}; layer: {layer}")]
    Tiles {
        /// The layer's name.
        layer: String,
        /// Tiles that failed.
        failed: usize,
        /// Tiles asked for.
        total: usize,
        /// The first failure.
        #[source]
        source: TileError,
    },
    /// A project imagery layer's source could not be opened.
    #[error("the imagery layer cannot be read ({source}): {layer}")]
    Imagery {
        /// The layer's name.
        layer: String,
        /// Why.
        #[source]
        source: TileError,
    },
    /// The image buffer could not be had.
    #[error("no memory for a {width}x{height} image")]
    Allocate {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The bundled font is broken.
    #[error(transparent)]
    Font(#[from] FontError),
    /// The image could not be encoded.
    #[error("cannot encode the image ({message}): {}", .path.display())]
    Encode {
        /// What the encoder said.
        message: String,
        /// The file it was for.
        path: PathBuf,
    },
    /// A file could not be written (the old file, if any, is untouched).
    #[error("cannot write the file ({source}): {}", .path.display())]
    Write {
        /// The OS error.
        #[source]
        source: std::io::Error,
        /// Which file.
        path: PathBuf,
    },
    /// A multi-date export of a project with no stages.
    #[error("the project has no stages to export: {project}")]
    NoStages {
        /// The project's name.
        project: String,
    },
    /// The progress callback asked to stop.
    #[error("the export was cancelled")]
    Cancelled,
}

/// Which part of the world an export shows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum ViewChoice {
    /// The project's home box, framed as the window frames it.
    #[default]
    Home,
    /// A centre and a (fractional) zoom.
    Center {
        /// Centre, lon/lat.
        center_lonlat: Coord<f64>,
        /// Zoom, 0–22.
        zoom: f64,
    },
    /// A box that fills the image (the other side gets more around it).
    BBox(LonLatBox),
}

impl ViewChoice {
    /// The view of a project at an image size.
    pub fn resolve(&self, project: &Project, size_px: [u32; 2]) -> Result<ExportView, ViewError> {
        match *self {
            ViewChoice::Home => ExportView::home(&project.home, size_px),
            ViewChoice::Center {
                center_lonlat,
                zoom,
            } => ExportView::new(center_lonlat, zoom, size_px),
            ViewChoice::BBox(bbox) => ExportView::fit(&bbox, 1.0, size_px),
        }
    }
}

/// What to export and how.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Image width and height, [`MIN_SIDE_PX`]–[`MAX_SIDE_PX`] each.
    pub size_px: [u32; 2],
    /// The part of the world shown.
    pub view: ViewChoice,
    /// The basemap, the bottom layer.
    pub basemap: Basemap,
    /// Raster layers over the basemap, bottom first (imagery).
    pub layers: Vec<TileLayer>,
    /// Draw the north arrow (on by default).
    pub north_arrow: bool,
    /// Draw a lat/lon grid.
    pub grid: bool,
    /// A title above the date.
    pub title: Option<String>,
    /// The project's file, recorded in the provenance.
    pub project_file: Option<PathBuf>,
    /// Where the pixels of the project's imagery layers come from; without it (or for a layer
    /// it has no source for) the layer is left out of the figure and its provenance says so.
    pub imagery: Option<Arc<dyn LayerSources>>,
}

/// Finds the tile source of a project's imagery layer (the imagery loader provides one).
/// Called once per layer and export; `None` when it has none for that layer.
pub trait LayerSources: Send + Sync + std::fmt::Debug {
    /// The source of `layer`'s pixels.
    fn source(&self, layer: &ImageryLayer) -> Option<Result<Arc<dyn TileSource>, TileError>>;
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            size_px: MASTER_SIZE_PX,
            view: ViewChoice::Home,
            basemap: Basemap::Offline,
            layers: Vec::new(),
            north_arrow: true,
            grid: false,
            title: None,
            project_file: None,
            imagery: None,
        }
    }
}

/// Reports progress as `(done, total)`; returning `false` cancels the export.
pub type Progress<'a> = &'a dyn Fn(usize, usize) -> bool;

/// A rendered figure, before it is written.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The pixels (opaque, so premultiplied and straight RGBA agree).
    pub pixmap: Pixmap,
    /// The view drawn.
    pub view: ExportView,
    /// The scene drawn.
    pub scene: Scene,
    /// Where the furniture went.
    pub layout: Layout,
    /// The labels that found a place.
    pub labels: Vec<RasterLabel>,
    /// The tile layers drawn, basemap first.
    pub layers: Vec<LayerReport>,
    /// Imagery layers of the scene that had no source here and were left out (by name).
    pub layers_left_out: Vec<String>,
}

impl Figure {
    /// The pixels as an RGBA image.
    #[must_use]
    pub fn to_rgba_image(&self) -> Option<RgbaImage> {
        RgbaImage::from_raw(
            self.pixmap.width(),
            self.pixmap.height(),
            self.pixmap.data().to_vec(),
        )
    }
}

/// The files one PNG export wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportOutput {
    /// The date shown.
    pub date: NaiveDate,
    /// The PNG.
    pub png: PathBuf,
    /// World file, `.prj` and provenance sidecar beside it.
    pub side: SidePaths,
    /// SHA-256 of the PNG's bytes, hex.
    pub sha256: String,
    /// The view drawn.
    pub view: ExportView,
}

/// The timelapse an export wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct GifOutput {
    /// The GIF.
    pub gif: PathBuf,
    /// World file, `.prj` and provenance sidecar beside it.
    pub side: SidePaths,
    /// The date of each frame.
    pub dates: Vec<NaiveDate>,
    /// SHA-256 of the GIF's bytes, hex.
    pub sha256: String,
}

/// The imagery of a view, fetched once and reused for every date.
struct Prepared {
    view: ExportView,
    base: Pixmap,
    reports: Vec<LayerReport>,
    fonts: Fonts,
}

/// A frame's imagery: the pixels, what was drawn, and the layers left out.
struct Imagery {
    pixmap: Pixmap,
    reports: Vec<LayerReport>,
    /// Ids of the scene's layers drawn.
    drawn: Vec<String>,
    /// Names of the scene's layers with no source.
    left_out: Vec<String>,
}

/// Tile sources of the project's imagery layers, found once per export, by layer id.
type SourceCache = HashMap<String, Option<Arc<dyn TileSource>>>;

fn check_size(size_px: [u32; 2]) -> Result<(), ExportError> {
    let [width, height] = size_px;
    let ok = |v: u32| (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&v);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ExportError::Size { width, height })
    }
}

fn prepare(
    project: &Project,
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<Prepared, ExportError> {
    check_size(options.size_px)?;
    let view = options.view.resolve(project, options.size_px)?;
    let fonts = Fonts::bundled()?;
    let basemap = options
        .basemap
        .source()
        .map_err(|source| ExportError::Basemap {
            basemap: options.basemap.label().to_owned(),
            source,
        })?;
    let mut layers = vec![TileLayer {
        source: basemap,
        opacity: 1.0,
    }];
    layers.extend(options.layers.iter().cloned());
    let [width, height] = options.size_px;
    let mut base = Pixmap::new(width, height).ok_or(ExportError::Allocate { width, height })?;
    let [r, g, b] = BACKGROUND;
    base.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    let reports = tiles::composite(&mut base, &view, &layers, progress)?;
    Ok(Prepared {
        view,
        base,
        reports,
        fonts,
    })
}

/// Takes the layers that could not be drawn out of the scene, with the credits and the
/// synthetic notice that only they brought.
fn keep_drawn_layers(scene: &mut Scene, drawn_ids: &[String], tile_credits: &[String]) {
    scene.layers.retain(|l| drawn_ids.contains(&l.id));
    let layer_credits: Vec<String> = scene.layers.iter().map(|l| l.credit.clone()).collect();
    scene
        .credits
        .retain(|c| tile_credits.contains(c) || layer_credits.contains(c));
    if !scene.layers.iter().any(|l| l.synthetic) {
        scene.notices.retain(|n| n != SYNTHETIC_NOTICE);
    }
}

impl Prepared {
    /// Draws the project's imagery layers shown at the scene's date over a copy of the base.
    /// Returns the image, the tile reports and the names of layers with no source.
    fn imagery(
        &self,
        project: &Project,
        scene: &Scene,
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<Imagery, ExportError> {
        let mut pixmap = self.base.clone();
        let mut reports = self.reports.clone();
        let (mut drawn, mut left_out) = (Vec::new(), Vec::new());
        for shown in &scene.layers {
            let source = if let Some(found) = cache.get(&shown.id) {
                found.clone()
            } else {
                let layer = project.layers.iter().find(|l| l.id == shown.id);
                let found = match (layer, &options.imagery) {
                    (Some(layer), Some(sources)) => {
                        sources.source(layer).transpose().map_err(|source| {
                            ExportError::Imagery {
                                layer: shown.name.clone(),
                                source,
                            }
                        })?
                    }
                    _ => None,
                };
                cache.insert(shown.id.clone(), found.clone());
                found
            };
            let Some(source) = source else {
                left_out.push(shown.name.clone());
                continue;
            };
            let layer = TileLayer {
                source,
                opacity: shown.opacity,
            };
            for mut report in tiles::composite(&mut pixmap, &self.view, &[layer], progress)? {
                report.layer_id = Some(shown.id.clone());
                reports.push(report);
            }
            drawn.push(shown.id.clone());
        }
        Ok(Imagery {
            pixmap,
            reports,
            drawn,
            left_out,
        })
    }

    fn figure(
        &self,
        project: &Project,
        date: NaiveDate,
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<Figure, ExportError> {
        let tile_credits: Vec<String> = self
            .reports
            .iter()
            .map(|r| r.credit.clone())
            .filter(|c| !c.is_empty())
            .collect();
        let mut scene = build(
            project,
            date,
            &SceneOptions {
                credits: tile_credits.clone(),
                ..SceneOptions::default()
            },
        );
        let Imagery {
            mut pixmap,
            reports,
            drawn,
            left_out: layers_left_out,
        } = self.imagery(project, &scene, options, cache, progress)?;
        keep_drawn_layers(&mut scene, &drawn, &tile_credits);
        let view = self.view;
        if options.basemap == Basemap::Offline
            && options.layers.is_empty()
            && scene.layers.is_empty()
            && !overview::has_imagery_at(view.zoom())
        {
            scene.notices.push(NO_IMAGERY_NOTICE.to_owned());
        }
        let measure = |text: &str, style| self.fonts.measure(text, style);
        let layout = layout::layout(
            &LayoutInput {
                scene: &scene,
                size_px: view.size_px(),
                meters_per_px: view.meters_per_px(),
                title: options.title.as_deref(),
                north_arrow: options.north_arrow,
            },
            &measure,
        );
        let mut occupied = layout.occupied_px();
        if options.grid {
            let grid_labels =
                draw::draw_grid(&mut pixmap, &self.fonts, &view, layout.px_scale, &occupied);
            occupied.extend(grid_labels);
        }
        let to_px = |c: Coord<f64>| view.to_px(c);
        let labels = paint_scene(
            &mut pixmap,
            &self.fonts,
            &scene,
            &to_px,
            layout.px_scale,
            &occupied,
        );
        draw::draw_layout(&mut pixmap, &self.fonts, &layout, &scene);
        Ok(Figure {
            pixmap,
            view,
            scene,
            layout,
            labels,
            layers: reports,
            layers_left_out,
        })
    }
}

/// Renders the figure of a project at a date, without writing anything.
pub fn render_figure(
    project: &Project,
    date: NaiveDate,
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<Figure, ExportError> {
    let prepared = prepare(project, options, progress)?;
    prepared.figure(project, date, options, &mut SourceCache::new(), progress)
}

/// Writes a figure as a PNG with its world file, `.prj` and provenance sidecar.
pub fn write_figure(
    figure: &Figure,
    project: &Project,
    options: &ExportOptions,
    out_png: &Path,
) -> Result<ExportOutput, ExportError> {
    let record = Record {
        project,
        project_file: options.project_file.as_deref(),
        scene: &figure.scene,
        view: &figure.view,
        tile_layers: &figure.layers,
        labels: &figure.labels,
        layers_left_out: &figure.layers_left_out,
        exported_at: Utc::now(),
    };
    let size = figure.view.size_px();
    let bytes = files::encode_png(
        figure.pixmap.data(),
        size,
        &provenance::png_text(&record),
        out_png,
    )?;
    let sha256 = files::sha256_hex(&bytes);
    files::write_file(out_png, &bytes)?;
    let beside = SidePaths::beside(out_png);
    files::write_georeference(&figure.view, &beside)?;
    let record_json = provenance::sidecar(&record, &file_name(out_png), &sha256);
    files::write_file(&beside.sidecar, pretty(&record_json).as_bytes())?;
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
    let figure = render_figure(project, date, options, progress)?;
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
        draw::draw_progress(&mut figure.pixmap, fraction, figure.layout.px_scale);
        let mut rgba = figure.pixmap.data().to_vec();
        writer.add_frame(&mut rgba, gif::frame_delay_cs(i, dates.len()))?;
        last = Some(figure);
    }
    let bytes = writer.finish()?;
    let sha256 = files::sha256_hex(&bytes);
    files::write_file(out_gif, &bytes)?;
    let side = SidePaths::beside(out_gif);
    files::write_georeference(&prepared.view, &side)?;
    if let Some(figure) = &last {
        let record = Record {
            project,
            project_file: options.project_file.as_deref(),
            scene: &figure.scene,
            view: &figure.view,
            tile_layers: &figure.layers,
            labels: &figure.labels,
            layers_left_out: &figure.layers_left_out,
            exported_at: Utc::now(),
        };
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
        files::write_file(&side.sidecar, pretty(&sidecar).as_bytes())?;
    }
    progress(total, total);
    Ok(GifOutput {
        gif: out_gif.to_path_buf(),
        side,
        dates,
        sha256,
    })
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
