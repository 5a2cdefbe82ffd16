//! Annotated snapshots: the scene the window draws, rendered on the CPU into a published-style
//! figure (FIGURES.md), written as a georeferenced PNG with its provenance, one PNG per stage,
//! or a timelapse GIF. Needs no GPU and no display.
//!
//! Flow: [`ExportOptions`] → [`view::ExportView`] → imagery ([`tiles::composite`], bottom first)
//! → [`scene::build`](crate::scene::build) → [`layout`](crate::render::layout::layout) → `render::raster` → [`files`].

pub mod args;
mod compare_stretch;
pub mod display;
pub mod files;
pub mod format;
mod geopdf;
pub mod gif;
mod outputs;
pub mod panels;
pub mod pdf;
mod pipeline;
pub mod provenance;
pub mod sources;
pub mod stage_view;
pub mod tiles;
mod timelapse;
pub mod video;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use geo::Coord;
use image::RgbaImage;
use tiny_skia::Pixmap;

use crate::imagery::basemap::Basemap;
use crate::imagery::{TileError, TileSource};
use crate::model::{FileDates, ImageryLayer, Project};
use crate::render::layout::Layout;
use crate::scene::Scene;
use crate::spatial::LonLatBox;
use files::SidePaths;
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
pub use crate::scene::NO_IMAGERY_NOTICE;

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
    #[error("bad view")]
    View(#[from] ViewError),
    /// The basemap's tile source could not be built.
    #[error("the basemap is unavailable: {basemap}")]
    Basemap {
        /// Which basemap.
        basemap: String,
        /// Why.
        #[source]
        source: TileError,
    },
    /// Tiles of a layer could not be had.
    #[error("{failed} of {total} tiles failed (the first's cause follows), layer: {layer}")]
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
    #[error("the imagery layer cannot be read: {layer}")]
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
    /// The image could not be encoded.
    #[error("cannot encode the image ({message}): {}", .path.display())]
    Encode {
        /// What the encoder said.
        message: String,
        /// The file it was for.
        path: PathBuf,
    },
    /// A file could not be written (the old file, if any, is untouched).
    #[error("cannot write the file: {}", .path.display())]
    Write {
        /// The OS error.
        #[source]
        source: std::io::Error,
        /// Which file.
        path: PathBuf,
    },
    /// The output's name asks for a format this version does not write, or a bad setting of it.
    #[error("cannot write {}: {why}", .path.display())]
    Format {
        /// The output asked for.
        path: PathBuf,
        /// Why, and what is written instead.
        why: String,
    },
    /// A panels figure needs 2 to 12 dates.
    #[error("a panels figure takes 2 to 12 dates, not {count}")]
    Panels {
        /// How many were given.
        count: usize,
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
    /// Labels in this language instead of the project's setting (`--lang ko`).
    pub label_language: Option<String>,
    /// Every tile of a remote layer must come within this (`--tile-deadline`, default 30 s).
    pub tile_deadline: std::time::Duration,
    /// The project's file, recorded in the provenance.
    pub project_file: Option<PathBuf>,
    /// Where the pixels of the project's imagery layers come from; without it (or for a layer
    /// it has no source for) the layer is left out of the figure and its provenance says so.
    pub imagery: Option<Arc<dyn LayerSources>>,
    /// Dates read from undated layers' files that the caller knows (the window's); the
    /// export asks `imagery` for the others.
    pub file_dates: FileDates,
    /// Quality of a `.jpg` figure, 1–100.
    pub jpeg_quality: u8,
    /// How a comparison figure (swipe, panels) stretches its dates' rasters: one stretch
    /// across them by default.
    pub compare_stretch: crate::imagery::raster::CompareStretch,
    /// The one layer (by id) each side of a swipe shows, A then B, instead of every layer at
    /// its date.
    pub side_layers: [Option<String>; 2],
}

/// Finds the tile source of a project's imagery layer (the imagery loader provides one).
/// Called once per layer and export; `None` when it has none for that layer.
pub trait LayerSources: Send + Sync + std::fmt::Debug {
    /// The source of `layer`'s pixels.
    fn source(&self, layer: &ImageryLayer) -> Option<Result<Arc<dyn TileSource>, TileError>>;

    /// The source of `layer`'s pixels as `view` alone will draw them: a raster decoded whole
    /// may keep only the resolution that view reads. The same as [`Self::source`] unless the
    /// sources can do better.
    fn source_for_view(
        &self,
        layer: &ImageryLayer,
        view: &crate::imagery::ViewRect,
    ) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        let _ = view;
        self.source(layer)
    }

    /// The date an undated layer's file carries (a GeoTIFF's `DateTime`), if any.
    fn file_date(&self, layer: &ImageryLayer) -> Option<NaiveDate> {
        let _ = layer;
        None
    }
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
            label_language: None,
            tile_deadline: tiles::DEFAULT_TILE_DEADLINE,
            project_file: None,
            imagery: None,
            file_dates: FileDates::new(),
            jpeg_quality: format::DEFAULT_JPEG_QUALITY,
            compare_stretch: crate::imagery::raster::CompareStretch::Shared,
            side_layers: [None, None],
        }
    }
}

/// Reports progress as `(done, total)`; returning `false` cancels the export.
pub type Progress<'a> = &'a dyn Fn(usize, usize) -> bool;

/// A label as drawn: which annotation, and where its box is.
#[derive(Clone, Debug, PartialEq)]
pub struct RasterLabel {
    /// Annotation id.
    pub id: String,
    /// The label box in image pixels.
    pub rect_px: crate::render::display_list::RectPx,
}

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
    /// What was painted, as the display list (for vector painters and tests).
    pub list: crate::render::display_list::DisplayList,
    /// The labels that found a place.
    pub labels: Vec<RasterLabel>,
    /// The tile layers drawn, basemap first.
    pub layers: Vec<LayerReport>,
    /// Imagery layers of the scene that had no source here and were left out (by name).
    pub layers_left_out: Vec<String>,
    /// The other date of a comparison figure (a swipe's left side), when it is one.
    pub compare: Option<Compared>,
}

/// What a swipe figure shows left of its divider: date A's scene and imagery.
#[derive(Clone, Debug)]
pub struct Compared {
    /// Date A's scene.
    pub scene: Scene,
    /// The divider's x in figure pixels.
    pub divider_px: f32,
    /// Date A's imagery layers drawn.
    pub layers: Vec<LayerReport>,
    /// How the compared dates' rasters were stretched.
    pub stretch: crate::imagery::raster::CompareStretch,
    /// The layer picked for side A and for side B (`None`: every layer at its date).
    pub picked: [Option<String>; 2],
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

pub use outputs::{
    export_all_stages, export_png, export_swipe_png, stage_dates, stage_file_name, write_figure,
};
pub use panels::{PanelsFigure, PanelsOutput, export_panels_png, render_panels};
pub use pipeline::{render_figure, render_swipe};
pub use timelapse::{export_gif, export_video};
