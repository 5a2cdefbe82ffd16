//! Map interaction for editing: the tools turn pointer and key input into commands, and the
//! editor draws what is in progress (the drawing, vertex handles, snapping, measures).
//!
//! The editor holds only what a gesture needs between frames; every change to the project leaves
//! as an [`EditCommand::Apply`](crate::command::EditCommand::Apply), so undo sees it.
//! State and accessors here; pointer and key handling in `interaction`, drawing in `paint`.

mod interaction;
mod label_drag;
mod paint;

use chrono::NaiveDate;
use egui::{DragPanButtons, Key, Modifiers, Pos2, Rect, vec2};
use geo::Coord;
use walkers::Projector;

use crate::editing::Tool;
use crate::editing::summary::measure_summary;
use crate::model::{Project, Shape};
use crate::scene::Scene;
use crate::scene::index::SceneIndex;
use crate::spatial::index::Bounds;
use crate::spatial::snap::Snap;

/// Pointer distance for picking features by click, in screen pixels.
const PICK_TOLERANCE_PX: f64 = 8.0;

/// What the editor needs to know about the project and the view each frame.
pub struct EditView<'a> {
    /// The project.
    pub project: &'a Project,
    /// The scene drawn now.
    pub scene: &'a Scene,
    /// The scene's spatial index.
    pub index: &'a SceneIndex,
    /// The selected annotation.
    pub selected: Option<&'a str>,
    /// The slider's date (new annotations are seen from it).
    pub date: NaiveDate,
}

/// What part of the selected feature a press landed on.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Target {
    Vertex(usize),
    /// The midpoint of the segment starting at this vertex.
    Midpoint(usize, Coord<f64>),
    Body,
}

#[derive(Clone, Debug)]
pub(super) struct Press {
    pub(super) id: String,
    pub(super) target: Target,
    /// Where the press landed, in lon/lat (a body drag moves by the pointer's way from here).
    pub(super) at: Coord<f64>,
}

/// Where the map was on the last frame: its rect on screen, the lon/lat at its centre and the
/// zoom (Web Mercator, 256 px tiles), so tests and tools can place points on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapView {
    /// The map's rect in screen points.
    pub rect: Rect,
    /// The lon/lat at the rect's centre.
    pub center: Coord<f64>,
    /// The zoom level.
    pub zoom: f64,
}

#[derive(Clone, Debug)]
pub(super) struct Drag {
    pub(super) id: String,
    /// The shape when the drag began; each frame's shape is computed from it, so rounding never
    /// accumulates.
    pub(super) original: Shape,
    /// The vertex moved, or `None` when the whole feature moves.
    pub(super) vertex: Option<usize>,
    pub(super) start_lonlat: Coord<f64>,
    pub(super) coalesce: String,
    pub(super) last: Option<Shape>,
}

/// A measurement in progress or finished.
#[derive(Clone, Debug, Default)]
pub(super) struct Measure {
    pub(super) points: Vec<Coord<f64>>,
    pub(super) finished: bool,
}

/// The editor's state between frames.
#[derive(Debug, Default)]
pub struct MapEditor {
    pub(super) tool: Tool,
    pub(super) drawing: Vec<Coord<f64>>,
    pub(super) measure: Measure,
    pub(super) press: Option<Press>,
    pub(super) drag: Option<Drag>,
    pub(super) gesture: u64,
    /// The vertex last grabbed on the selected feature (Delete removes it).
    pub(super) active_vertex: Option<(String, usize)>,
    /// Where the pointer is, snapped, in lon/lat.
    pub(super) pointer_lonlat: Option<Coord<f64>>,
    pub(super) snapped: Option<Snap>,
    /// The category new drawings get (the last one used in the inspector).
    pub(super) category: Option<String>,
    /// The map on the last frame.
    pub(super) view: Option<MapView>,
    /// A label being dragged.
    pub(super) label_drag: Option<label_drag::LabelDrag>,
}

pub(super) fn lonlat(p: walkers::Position) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

pub(super) fn screen(projector: &Projector, c: Coord<f64>) -> Pos2 {
    projector.project(walkers::lon_lat(c.x, c.y)).to_pos2()
}

/// The lon/lat box of a square of `radius_px` around a screen position.
pub(super) fn query_box(projector: &Projector, p: Pos2, radius_px: f32) -> Bounds {
    let a = lonlat(projector.unproject((p - vec2(radius_px, radius_px)).to_vec2()));
    let b = lonlat(projector.unproject((p + vec2(radius_px, radius_px)).to_vec2()));
    [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]
}

impl MapEditor {
    /// The tool in use.
    #[must_use]
    pub fn tool(&self) -> Tool {
        self.tool
    }

    /// Switches tool; a drawing in progress is dropped, a measurement cleared.
    pub fn set_tool(&mut self, tool: Tool) {
        if tool != self.tool {
            self.drawing.clear();
            self.measure = Measure::default();
        }
        self.tool = tool;
        self.press = None;
        self.drag = None;
    }

    /// The vertices placed so far in the drawing in progress.
    #[must_use]
    pub fn drawing(&self) -> &[Coord<f64>] {
        &self.drawing
    }

    /// Where the map was on the last frame.
    #[must_use]
    pub fn map_view(&self) -> Option<MapView> {
        self.view
    }

    /// Remembers the category new drawings get.
    pub fn set_category(&mut self, key: Option<String>) {
        self.category = key;
    }

    /// Clears everything tied to a project (after New, Open, Undo of an addition …).
    pub fn reset(&mut self) {
        self.drawing.clear();
        self.measure = Measure::default();
        self.press = None;
        self.drag = None;
        self.label_drag = None;
        self.active_vertex = None;
        self.category = None;
    }

    /// The buttons that pan the map: any in select mode unless a press grabbed a feature; only
    /// the middle and right ones while a tool draws or a feature is dragged.
    #[must_use]
    pub fn pan_buttons(&self) -> DragPanButtons {
        if matches!(self.tool, Tool::Select | Tool::Align)
            && self.press.is_none()
            && self.drag.is_none()
            && self.label_drag.is_none()
        {
            DragPanButtons::PRIMARY | DragPanButtons::SECONDARY | DragPanButtons::MIDDLE
        } else {
            DragPanButtons::SECONDARY | DragPanButtons::MIDDLE
        }
    }

    /// True when a double-click may zoom the map (it finishes drawings otherwise).
    #[must_use]
    pub fn double_click_zooms(&self) -> bool {
        matches!(self.tool, Tool::Select | Tool::Align)
    }

    /// The measurement as text ("1.23 km · 4.5 ha"), while the measure tool has one.
    #[must_use]
    pub fn measure_text(&self) -> Option<String> {
        if self.tool != Tool::Measure {
            return None;
        }
        let mut points = self.measure.points.clone();
        if !self.measure.finished
            && let Some(p) = self.pointer_lonlat
        {
            points.push(p);
        }
        measure_summary(&points)
    }
}

/// The letter key of each tool, as egui names it.
#[must_use]
pub fn tool_key(tool: Tool) -> Option<Key> {
    Key::from_name(&tool.key().to_string())
}

/// Tool shortcuts (letters without modifiers), for when nothing else has keyboard focus.
#[must_use]
pub fn tool_shortcuts(ctx: &egui::Context) -> Option<Tool> {
    ctx.input_mut(|i| {
        Tool::ALL
            .into_iter()
            .find(|t| tool_key(*t).is_some_and(|k| i.consume_key(Modifiers::NONE, k)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_key_is_an_egui_key() {
        for t in Tool::ALL {
            assert!(tool_key(t).is_some(), "{t:?}");
        }
    }
}
