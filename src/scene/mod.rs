//! The scene: what to draw at a date, as plain data in lon/lat with styles.
//!
//! [`build`] is a pure function of the project, the date and a few view options. The window
//! (through `render::lower` and its painters) and the exporter draw the same [`Scene`], so what you see is what you
//! export.

mod build;
pub mod hit;
pub mod index;
pub mod labels;
pub mod marks;

pub use build::{
    SceneOptions, SceneShows, build, build_reusing, patch_annotation, redate, scene_shows,
};

use chrono::NaiveDate;
use geo::{Coord, LineString, Polygon};

use crate::model::{Certainty, Evidence, Mark, Marker, Rgba, Status};

/// Where an item is, in WGS 84 lon/lat.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemGeometry {
    /// A marker.
    Point(Coord<f64>),
    /// An open line.
    Line(LineString<f64>),
    /// An area.
    Polygon(Polygon<f64>),
}

/// How an item's outline is drawn, in pixels at the 1920 px figure width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    /// Line colour.
    pub color: Rgba,
    /// Line width.
    pub width_px: f32,
    /// Dash and gap, `None` for solid (from the certainty).
    pub dash_px: Option<(f32, f32)>,
}

/// One annotation, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneItem {
    /// The annotation id.
    pub id: String,
    /// Its geometry.
    pub geometry: ItemGeometry,
    /// Outline or line style.
    pub stroke: Stroke,
    /// Area fill, if any.
    pub fill: Option<Rgba>,
    /// Marker for points.
    pub marker: Marker,
    /// Structure, text label (no marker: the label is the mark) or arrow (a head at the end).
    pub mark: Mark,
    /// Drawn highlighted (selected in the UI).
    pub selected: bool,
}

/// A map label, anchored at a lon/lat.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneLabel {
    /// The annotation it belongs to.
    pub id: String,
    /// Where the label points.
    pub anchor: Coord<f64>,
    /// The text, with certainty words ("Probable helipad").
    pub text: String,
    /// The feature's colour, for the leader line.
    pub color: Rgba,
    /// Where the analyst put it (moved, pinned); hidden labels are not in the scene.
    pub place: crate::model::LabelPlace,
}

/// One legend row: a category shown in the scene.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// Category name.
    pub name: String,
    /// Its line colour.
    pub color: Rgba,
    /// Its fill, if areas of it are shown.
    pub fill: Option<Rgba>,
    /// Its marker.
    pub marker: Marker,
    /// Which kinds of geometry of this category are in the scene.
    pub has_points: bool,
    /// True when lines or areas of it are in the scene.
    pub has_lines: bool,
}

/// A source in the caption.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptionSource {
    /// "CSIS Beyond Parallel, 10 NOV 2025".
    pub label: String,
    /// Link, `None` when not recorded.
    pub url: Option<String>,
    /// The evidence word of the citation.
    pub evidence: Evidence,
}

/// The stage caption at the scene's date.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// The stage's own date, at its precision ("LATE MAY 2025").
    pub stage_date: String,
    /// Stage title.
    pub title: String,
    /// What was seen or said.
    pub summary: String,
    /// Who says so.
    pub sources: Vec<CaptionSource>,
}

/// Said where no imagery covers the view: the offline overview has none at site scale.
pub const NO_IMAGERY_NOTICE: &str =
    "No imagery at this scale: plain background, country borders approximate (±1 km)";

/// An imagery layer shown at the scene's date (bottom first).
#[derive(Clone, Debug, PartialEq)]
pub struct SceneLayer {
    /// The layer's id in the project.
    pub id: String,
    /// Name shown in the layer panel.
    pub name: String,
    /// Acquisition date as captions show it ("14 OCT 2025", "MOSAIC · 2024"), if known.
    pub date_label: Option<String>,
    /// Credit line in the provider's wording.
    pub credit: String,
    /// Generated demo imagery: must carry [`crate::model::SYNTHETIC_NOTICE`].
    pub synthetic: bool,
    /// Opacity 0–1 (after any crossfade).
    pub opacity: f32,
    /// The layer's alignment shift in ground metres `[east, north]` (zero: none).
    pub offset_m: [f64; 2],
}

/// Everything drawn at one date.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The project's name (the figure title).
    pub title: String,
    /// Imagery layers shown, bottom first.
    pub layers: Vec<SceneLayer>,
    /// The slider's date.
    pub date: NaiveDate,
    /// The slider's date as captions show it ("14 OCT 2025").
    pub date_label: String,
    /// The current stage, if the date is on or after the first.
    pub caption: Option<Caption>,
    /// Annotations, areas first, then lines, then points (draw order).
    pub items: Vec<SceneItem>,
    /// Labels, one per item.
    pub labels: Vec<SceneLabel>,
    /// Categories shown, in project order.
    pub legend: Vec<LegendEntry>,
    /// Certainties shown (the legend's line key when more than one).
    pub certainties: Vec<Certainty>,
    /// Credit lines for everything in the picture.
    pub credits: Vec<String>,
    /// Messages that must be on the picture (e.g. no imagery here).
    pub notices: Vec<String>,
}

impl Scene {
    /// The ids of the annotations shown, in draw order.
    pub fn item_ids(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.id.as_str()).collect()
    }
}

/// The style of an annotation of this status: removed structures are drawn faded.
pub(crate) fn status_alpha(status: Status) -> u8 {
    match status {
        Status::Removed => 150,
        _ => 255,
    }
}
