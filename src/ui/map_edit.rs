//! Map interaction for editing: the tools turn pointer and key input into commands, and the
//! editor draws what is in progress (the drawing, vertex handles, snapping, measures).
//!
//! The editor holds only what a gesture needs between frames; every change to the project leaves
//! as a [`Command::Edit`], so undo sees it.

use chrono::NaiveDate;
use egui::{
    Align2, Color32, CursorIcon, DragPanButtons, FontId, Key, Modifiers, Painter, PointerButton,
    Pos2, Rect, Response, Stroke, Ui, vec2,
};
use geo::{Coord, LineString, Point};
use walkers::Projector;

use crate::command::Command;
use crate::editing::create::add_drawn;
use crate::editing::geometry::{
    insert_vertex, move_vertex, remove_vertex, segments, shape_from_drawing, translate,
};
use crate::editing::{Edit, Tool};
use crate::model::{Project, Shape};
use crate::render::egui_scene::{DrawnLabel, paint_boxed_text};
use crate::scene::Scene;
use crate::scene::index::SceneIndex;
use crate::scene::marks::arrow_head_px;
use crate::spatial::index::Bounds;
use crate::spatial::measure::{area_m2, format_area, format_length, length_m, perimeter_m};
use crate::spatial::snap::{SNAP_TOLERANCE_PX, Snap, SnapKind, SnapPath, snap};

/// Pointer distance within which a vertex handle is grabbed, in screen pixels.
const HANDLE_GRAB_PX: f32 = 8.0;
/// Pointer distance for picking features by click, in screen pixels.
const PICK_TOLERANCE_PX: f64 = 8.0;
/// Segments shorter than this on screen get no midpoint handle (it would sit on the vertices).
const MIDPOINT_MIN_SEGMENT_PX: f32 = 24.0;

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
enum Target {
    Vertex(usize),
    /// The midpoint of the segment starting at this vertex.
    Midpoint(usize, Coord<f64>),
    Body,
}

#[derive(Clone, Debug)]
struct Press {
    id: String,
    target: Target,
    /// Where the press landed, in lon/lat (a body drag moves by the pointer's way from here).
    at: Coord<f64>,
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
struct Drag {
    id: String,
    /// The shape when the drag began; each frame's shape is computed from it, so rounding never
    /// accumulates.
    original: Shape,
    /// The vertex moved, or `None` when the whole feature moves.
    vertex: Option<usize>,
    start_lonlat: Coord<f64>,
    coalesce: String,
    last: Option<Shape>,
}

/// A measurement in progress or finished.
#[derive(Clone, Debug, Default)]
struct Measure {
    points: Vec<Coord<f64>>,
    finished: bool,
}

/// The editor's state between frames.
#[derive(Debug, Default)]
pub struct MapEditor {
    tool: Tool,
    drawing: Vec<Coord<f64>>,
    measure: Measure,
    press: Option<Press>,
    drag: Option<Drag>,
    gesture: u64,
    /// The vertex last grabbed on the selected feature (Delete removes it).
    active_vertex: Option<(String, usize)>,
    /// Where the pointer is, snapped, in lon/lat.
    pointer_lonlat: Option<Coord<f64>>,
    snapped: Option<Snap>,
    /// The category new drawings get (the last one used in the inspector).
    category: Option<String>,
    /// The map on the last frame.
    view: Option<MapView>,
}

fn lonlat(p: walkers::Position) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

fn screen(projector: &Projector, c: Coord<f64>) -> Pos2 {
    projector.project(walkers::lon_lat(c.x, c.y)).to_pos2()
}

/// The lon/lat box of a square of `radius_px` around a screen position.
fn query_box(projector: &Projector, p: Pos2, radius_px: f32) -> Bounds {
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
        self.active_vertex = None;
        self.category = None;
    }

    /// The buttons that pan the map: any in select mode unless a press grabbed a feature; only
    /// the middle and right ones while a tool draws or a feature is dragged.
    #[must_use]
    pub fn pan_buttons(&self) -> DragPanButtons {
        if self.tool == Tool::Select && self.press.is_none() && self.drag.is_none() {
            DragPanButtons::PRIMARY | DragPanButtons::SECONDARY | DragPanButtons::MIDDLE
        } else {
            DragPanButtons::SECONDARY | DragPanButtons::MIDDLE
        }
    }

    /// True when a double-click may zoom the map (it finishes drawings otherwise).
    #[must_use]
    pub fn double_click_zooms(&self) -> bool {
        self.tool == Tool::Select
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

    fn snap_paths(
        view: &EditView<'_>,
        keys: &[usize],
        exclude: Option<&str>,
    ) -> Vec<(Vec<Coord<f64>>, bool)> {
        keys.iter()
            .filter_map(|&k| view.scene.items.get(k))
            .filter(|item| Some(item.id.as_str()) != exclude)
            .map(|item| match &item.geometry {
                crate::scene::ItemGeometry::Point(c) => (vec![*c], false),
                crate::scene::ItemGeometry::Line(l) => (l.0.clone(), false),
                crate::scene::ItemGeometry::Polygon(p) => {
                    let ring = &p.exterior().0;
                    (
                        ring.get(..ring.len().saturating_sub(1))
                            .unwrap_or_default()
                            .to_vec(),
                        true,
                    )
                }
            })
            .collect()
    }

    /// The pointer's lon/lat, snapped to nearby vertices and edges unless Shift is held.
    fn snap_pointer(
        &mut self,
        view: &EditView<'_>,
        projector: &Projector,
        pointer: Pos2,
        no_snap: bool,
        exclude: Option<&str>,
    ) -> Coord<f64> {
        let raw = lonlat(projector.unproject(pointer.to_vec2()));
        self.snapped = None;
        if no_snap {
            return raw;
        }
        let keys = view.index.items_in(query_box(
            projector,
            pointer,
            SNAP_TOLERANCE_PX as f32 + 2.0,
        ));
        let mut owned = Self::snap_paths(view, &keys, exclude);
        if self.drawing.len() > 1 {
            // The drawing's own first vertex, so a ring can be closed exactly.
            owned.push((self.drawing.clone(), false));
        }
        let paths: Vec<SnapPath<'_>> = owned
            .iter()
            .map(|(coords, closed)| SnapPath {
                coords,
                closed: *closed,
            })
            .collect();
        let to_screen = |c: Coord<f64>| {
            let p = screen(projector, c);
            [f64::from(p.x), f64::from(p.y)]
        };
        let from_screen = |p: [f64; 2]| lonlat(projector.unproject(vec2(p[0] as f32, p[1] as f32)));
        self.snapped = snap(
            [f64::from(pointer.x), f64::from(pointer.y)],
            &paths,
            SNAP_TOLERANCE_PX,
            &to_screen,
            &from_screen,
        );
        self.snapped.map_or(raw, |s| s.lonlat)
    }

    /// What part of the selected feature is under the pointer.
    fn target_at(view: &EditView<'_>, projector: &Projector, pointer: Pos2) -> Option<Press> {
        let id = view.selected?;
        let annotation = view.project.annotation(id)?;
        let at = lonlat(projector.unproject(pointer.to_vec2()));
        let shape = &annotation.shape;
        let vertices = shape.vertices();
        let nearest = vertices
            .iter()
            .enumerate()
            .map(|(i, c)| (i, screen(projector, *c).distance(pointer)))
            .filter(|(_, d)| *d <= HANDLE_GRAB_PX)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = nearest {
            return Some(Press {
                id: id.to_owned(),
                target: Target::Vertex(i),
                at,
            });
        }
        for (i, a, b) in segments(shape) {
            let (sa, sb) = (screen(projector, a), screen(projector, b));
            if sa.distance(sb) < MIDPOINT_MIN_SEGMENT_PX {
                continue;
            }
            let mid = Coord {
                x: f64::midpoint(a.x, b.x),
                y: f64::midpoint(a.y, b.y),
            };
            if screen(projector, mid).distance(pointer) <= HANDLE_GRAB_PX {
                return Some(Press {
                    id: id.to_owned(),
                    target: Target::Midpoint(i, mid),
                    at,
                });
            }
        }
        let item = view.scene.items.iter().find(|i| i.id == id)?;
        let to_px = |c: Coord<f64>| {
            let p = screen(projector, c);
            [f64::from(p.x), f64::from(p.y)]
        };
        crate::scene::hit::item_hit(
            item,
            [f64::from(pointer.x), f64::from(pointer.y)],
            PICK_TOLERANCE_PX,
            &to_px,
        )
        .then(|| Press {
            id: id.to_owned(),
            target: Target::Body,
            at,
        })
    }

    /// What is under a click: a label first, then the topmost feature.
    fn pick(
        view: &EditView<'_>,
        projector: &Projector,
        pointer: Pos2,
        labels: &[DrawnLabel],
    ) -> Option<String> {
        if let Some(l) = labels.iter().rev().find(|l| l.rect.contains(pointer)) {
            return Some(l.id.clone());
        }
        let to_px = |c: Coord<f64>| {
            let p = screen(projector, c);
            [f64::from(p.x), f64::from(p.y)]
        };
        view.index.hit_test(
            view.scene,
            query_box(projector, pointer, PICK_TOLERANCE_PX as f32 * 1.5 + 2.0),
            [f64::from(pointer.x), f64::from(pointer.y)],
            PICK_TOLERANCE_PX,
            &to_px,
        )
    }

    /// Finishes the drawing in progress: the commands that add it and select it, or none when
    /// it has too few vertices (then it goes on).
    fn finish(&mut self, view: &EditView<'_>) -> Vec<Command> {
        if self.tool == Tool::Measure {
            self.measure.finished = true;
            return Vec::new();
        }
        let Some(shape) = shape_from_drawing(self.tool, &self.drawing) else {
            return Vec::new();
        };
        self.drawing.clear();
        let (edit, id) = add_drawn(
            view.project,
            self.tool,
            shape,
            view.date,
            self.category.as_deref(),
        );
        vec![
            Command::Edit {
                edit,
                coalesce: None,
            },
            Command::Select(Some(id)),
        ]
    }

    fn add_vertex(&mut self, at: Coord<f64>, view: &EditView<'_>) -> Vec<Command> {
        if self.tool == Tool::Measure {
            if self.measure.finished {
                self.measure = Measure::default();
            }
            self.measure.points.push(at);
            return Vec::new();
        }
        self.drawing.push(at);
        match self.tool.max_vertices() {
            Some(max) if self.drawing.len() >= max => self.finish(view),
            _ => Vec::new(),
        }
    }

    /// Handles the pointer on the map for this frame; returns what the user asked for.
    pub fn interact(
        &mut self,
        ui: &Ui,
        response: &Response,
        projector: &Projector,
        view: &EditView<'_>,
        labels: &[DrawnLabel],
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        self.view = Some(MapView {
            rect: response.rect,
            center: lonlat(projector.unproject(response.rect.center().to_vec2())),
            zoom: projector.zoom(),
        });
        let modifiers = ui.input(|i| i.modifiers);
        let pointer = response
            .interact_pointer_pos()
            .or_else(|| response.hover_pos());
        if self.tool.draws() {
            self.press = None;
            self.drag = None;
            let Some(pointer) = pointer else {
                self.pointer_lonlat = None;
                self.snapped = None;
                return commands;
            };
            ui.ctx().set_cursor_icon(CursorIcon::Crosshair);
            let at = self.snap_pointer(view, projector, pointer, modifiers.shift, None);
            self.pointer_lonlat = Some(at);
            if response.double_clicked_by(PointerButton::Primary) {
                // The double-click's first click placed the last vertex.
                commands.extend(self.finish(view));
            } else if response.clicked_by(PointerButton::Primary) {
                commands.extend(self.add_vertex(at, view));
            }
            return commands;
        }

        // Select / edit.
        self.pointer_lonlat = None;
        self.snapped = None;
        let primary_pressed = ui.input(|i| i.pointer.primary_pressed());
        if primary_pressed
            && let Some(p) = pointer
            && response.rect.contains(p)
        {
            self.press = Self::target_at(view, projector, p);
            self.active_vertex = match &self.press {
                Some(Press {
                    id,
                    target: Target::Vertex(i),
                    ..
                }) => Some((id.clone(), *i)),
                _ => None,
            };
        }
        if let Some(p) = pointer
            && self.drag.is_none()
            && response.hovered()
        {
            match Self::target_at(view, projector, p).map(|t| t.target) {
                Some(Target::Vertex(_) | Target::Midpoint(..)) => {
                    ui.ctx().set_cursor_icon(CursorIcon::Grab);
                }
                Some(Target::Body) => ui.ctx().set_cursor_icon(CursorIcon::Move),
                None => {}
            }
        }

        if response.drag_started_by(PointerButton::Primary)
            && let Some(press) = self.press.clone()
            && let Some(annotation) = view.project.annotation(&press.id)
        {
            self.gesture += 1;
            let coalesce = format!("drag-{}", self.gesture);
            let start_lonlat = press.at;
            let (original, vertex) = match press.target {
                Target::Vertex(i) => (annotation.shape.clone(), Some(i)),
                Target::Midpoint(i, at) => match insert_vertex(&annotation.shape, i, at) {
                    Some(grown) => {
                        commands.push(Command::Edit {
                            edit: Edit::SetShape {
                                id: press.id.clone(),
                                shape: grown.clone(),
                            },
                            coalesce: Some(coalesce.clone()),
                        });
                        self.active_vertex = Some((press.id.clone(), i + 1));
                        (grown, Some(i + 1))
                    }
                    None => (annotation.shape.clone(), None),
                },
                Target::Body => (annotation.shape.clone(), None),
            };
            self.drag = Some(Drag {
                id: press.id,
                original,
                vertex,
                start_lonlat,
                coalesce,
                last: None,
            });
        }

        if let Some(p) = pointer
            && response.dragged_by(PointerButton::Primary)
            && let Some(drag) = self.drag.clone()
        {
            ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
            let shape = if let Some(v) = drag.vertex {
                let at = self.snap_pointer(view, projector, p, modifiers.shift, Some(&drag.id));
                move_vertex(&drag.original, v, at)
            } else {
                let now = lonlat(projector.unproject(p.to_vec2()));
                Some(translate(
                    &drag.original,
                    Coord {
                        x: now.x - drag.start_lonlat.x,
                        y: now.y - drag.start_lonlat.y,
                    },
                ))
            };
            if let Some(shape) = shape
                && drag.last.as_ref() != Some(&shape)
            {
                commands.push(Command::Edit {
                    edit: Edit::SetShape {
                        id: drag.id.clone(),
                        shape: shape.clone(),
                    },
                    coalesce: Some(drag.coalesce.clone()),
                });
                if let Some(d) = &mut self.drag {
                    d.last = Some(shape);
                }
            }
        }

        if response.drag_stopped() {
            self.drag = None;
            self.press = None;
            self.snapped = None;
        }

        if response.clicked_by(PointerButton::Primary)
            && let Some(p) = pointer
        {
            let press = self.press.take();
            match press {
                Some(Press {
                    id,
                    target: Target::Vertex(i),
                    ..
                }) if modifiers.alt => commands.extend(remove_vertex_command(view, &id, i)),
                Some(Press {
                    target: Target::Vertex(_) | Target::Midpoint(..),
                    ..
                }) => {}
                _ => commands.push(Command::Select(Self::pick(view, projector, p, labels))),
            }
        }
        if !ui.input(|i| i.pointer.any_down()) && self.drag.is_none() {
            self.press = None;
        }
        commands
    }

    /// Keys for the map while nothing else has keyboard focus: Enter, Esc, Backspace, Delete.
    pub fn keys(&mut self, ctx: &egui::Context, view: &EditView<'_>) -> Vec<Command> {
        let mut commands = Vec::new();
        let (enter, escape, backspace, delete) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Escape),
                i.consume_key(Modifiers::NONE, Key::Backspace),
                i.consume_key(Modifiers::NONE, Key::Delete),
            )
        });
        if enter && self.tool.draws() {
            commands.extend(self.finish(view));
        }
        if escape {
            if !self.drawing.is_empty() {
                self.drawing.clear();
            } else if self.tool == Tool::Measure && !self.measure.points.is_empty() {
                self.measure = Measure::default();
            } else if view.selected.is_some() {
                commands.push(Command::Select(None));
            }
        }
        if backspace {
            if self.tool == Tool::Measure && !self.measure.finished {
                self.measure.points.pop();
            } else {
                self.drawing.pop();
            }
        }
        if (delete || (backspace && !self.tool.draws()))
            && self.tool == Tool::Select
            && let Some(id) = view.selected
        {
            match &self.active_vertex {
                Some((vid, i)) if vid == id => {
                    let removed = remove_vertex_command(view, id, *i);
                    if removed.is_empty() {
                        commands.push(delete_command(id));
                        commands.push(Command::Select(None));
                    } else {
                        commands.extend(removed);
                    }
                    self.active_vertex = None;
                }
                _ => {
                    commands.push(delete_command(id));
                    commands.push(Command::Select(None));
                }
            }
        }
        commands
    }

    /// Draws what the editor shows over the scene.
    pub fn paint(&self, painter: &Painter, projector: &Projector, view: &EditView<'_>) {
        let accent = Color32::from_rgb(0xF0, 0xE4, 0x42);
        if self.tool == Tool::Select
            && let Some(a) = view.selected.and_then(|id| view.project.annotation(id))
        {
            paint_handles(
                painter,
                projector,
                &a.shape,
                self.active_vertex
                    .as_ref()
                    .filter(|(id, _)| *id == a.id)
                    .map(|(_, i)| *i),
            );
        }
        if self.tool.draws() && self.tool != Tool::Measure {
            let mut points = self.drawing.clone();
            if let Some(p) = self.pointer_lonlat {
                points.push(p);
            }
            let preview = match self.tool {
                Tool::Rectangle | Tool::Arrow | Tool::Polygon => {
                    shape_from_drawing(self.tool, &points)
                }
                _ => None,
            };
            let line: Vec<Pos2> = match &preview {
                Some(Shape::Polygon(p)) => p
                    .exterior()
                    .0
                    .iter()
                    .map(|c| screen(projector, *c))
                    .collect(),
                _ => points.iter().map(|c| screen(projector, *c)).collect(),
            };
            if line.len() > 1 {
                painter.add(egui::Shape::line(
                    line.clone(),
                    Stroke::new(5.0, Color32::from_black_alpha(160)),
                ));
                painter.add(egui::Shape::dashed_line(
                    &line,
                    Stroke::new(2.5, accent),
                    8.0,
                    5.0,
                ));
            }
            if self.tool == Tool::Arrow
                && let [tail, head] = points.as_slice()
            {
                paint_arrow_head(
                    painter,
                    screen(projector, *tail),
                    screen(projector, *head),
                    accent,
                );
            }
            for c in &self.drawing {
                let p = screen(projector, *c);
                painter.circle(p, 4.5, accent, Stroke::new(1.5, Color32::BLACK));
            }
            if let (Some(p), Some(text)) =
                (self.pointer_lonlat, drawing_summary(self.tool, &points))
            {
                paint_boxed_text(
                    painter,
                    screen(projector, p) + vec2(16.0, 16.0),
                    Align2::LEFT_TOP,
                    &text,
                    FontId::proportional(13.0),
                    Color32::WHITE,
                );
            }
        }
        if self.tool == Tool::Measure {
            let mut points = self.measure.points.clone();
            if !self.measure.finished
                && let Some(p) = self.pointer_lonlat
            {
                points.push(p);
            }
            let line: Vec<Pos2> = points.iter().map(|c| screen(projector, *c)).collect();
            if line.len() > 1 {
                painter.add(egui::Shape::line(
                    line.clone(),
                    Stroke::new(5.0, Color32::from_black_alpha(160)),
                ));
                painter.add(egui::Shape::line(
                    line.clone(),
                    Stroke::new(2.5, Color32::WHITE),
                ));
            }
            if line.len() > 2
                && let (Some(first), Some(last)) = (line.first(), line.last())
            {
                painter.add(egui::Shape::dashed_line(
                    &[*last, *first],
                    Stroke::new(1.5, Color32::WHITE),
                    6.0,
                    6.0,
                ));
            }
            for p in &line {
                painter.circle(*p, 4.0, Color32::WHITE, Stroke::new(1.5, Color32::BLACK));
            }
            if let (Some(last), Some(text)) = (line.last(), measure_summary(&points)) {
                paint_boxed_text(
                    painter,
                    *last + vec2(16.0, 16.0),
                    Align2::LEFT_TOP,
                    &text,
                    crate::ui::theme::bold(14.0),
                    Color32::WHITE,
                );
            }
        }
        if let Some(s) = self.snapped {
            let p = screen(projector, s.lonlat);
            match s.kind {
                SnapKind::Vertex => {
                    painter.circle_stroke(
                        p,
                        7.0,
                        Stroke::new(2.5, Color32::from_rgb(0xCC, 0x79, 0xA7)),
                    );
                }
                SnapKind::Edge => {
                    painter.rect_stroke(
                        Rect::from_center_size(p, vec2(10.0, 10.0)),
                        0.0,
                        Stroke::new(2.0, Color32::from_rgb(0xCC, 0x79, 0xA7)),
                        egui::StrokeKind::Middle,
                    );
                }
            }
        }
    }
}

fn delete_command(id: &str) -> Command {
    Command::Edit {
        edit: Edit::RemoveAnnotation { id: id.to_owned() },
        coalesce: None,
    }
}

fn remove_vertex_command(view: &EditView<'_>, id: &str, index: usize) -> Vec<Command> {
    view.project
        .annotation(id)
        .and_then(|a| remove_vertex(&a.shape, index))
        .map(|shape| {
            vec![Command::Edit {
                edit: Edit::SetShape {
                    id: id.to_owned(),
                    shape,
                },
                coalesce: None,
            }]
        })
        .unwrap_or_default()
}

fn paint_handles(painter: &Painter, projector: &Projector, shape: &Shape, active: Option<usize>) {
    for (_, a, b) in segments(shape) {
        let (sa, sb) = (screen(projector, a), screen(projector, b));
        if sa.distance(sb) >= MIDPOINT_MIN_SEGMENT_PX {
            let mid = screen(
                projector,
                Coord {
                    x: f64::midpoint(a.x, b.x),
                    y: f64::midpoint(a.y, b.y),
                },
            );
            painter.circle(
                mid,
                4.0,
                Color32::from_white_alpha(150),
                Stroke::new(1.0, Color32::BLACK),
            );
        }
    }
    for (i, c) in shape.vertices().iter().enumerate() {
        let p = screen(projector, *c);
        let fill = if active == Some(i) {
            Color32::from_rgb(0xF0, 0xE4, 0x42)
        } else {
            Color32::WHITE
        };
        let r = Rect::from_center_size(p, vec2(9.0, 9.0));
        painter.rect_filled(r, 1.0, fill);
        painter.rect_stroke(
            r,
            1.0,
            Stroke::new(1.5, Color32::BLACK),
            egui::StrokeKind::Middle,
        );
    }
}

/// The preview of an arrowhead while an arrow is drawn.
fn paint_arrow_head(painter: &Painter, tail: Pos2, head: Pos2, color: Color32) {
    let Some(corners) = arrow_head_px([tail.x, tail.y], [head.x, head.y], 14.0) else {
        return;
    };
    painter.add(egui::Shape::convex_polygon(
        corners.iter().map(|[x, y]| egui::pos2(*x, *y)).collect(),
        color,
        Stroke::new(1.0, Color32::BLACK),
    ));
}

/// Length (and area for three or more points) of a measurement.
#[must_use]
pub fn measure_summary(points: &[Coord<f64>]) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let line = LineString::new(points.to_vec());
    let distance = format!("Distance {}", format_length(length_m(&line)));
    let text = match shape_from_drawing(Tool::Polygon, points) {
        Some(Shape::Polygon(p)) => format!(
            "{distance} · Area {} · Perimeter {}",
            format_area(area_m2(&p)),
            format_length(perimeter_m(&p))
        ),
        _ => distance,
    };
    Some(text)
}

fn drawing_summary(tool: Tool, points: &[Coord<f64>]) -> Option<String> {
    match shape_from_drawing(tool, points)? {
        Shape::Line(l) => Some(format_length(length_m(&l))),
        Shape::Polygon(p) => Some(format!(
            "{} · {}",
            format_area(area_m2(&p)),
            format_length(perimeter_m(&p))
        )),
        Shape::Point(Point(c)) => Some(format!("{:.6}, {:.6}", c.y, c.x)),
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

    #[test]
    fn a_measurement_of_three_points_has_an_area() {
        let pts = [
            Coord {
                x: 130.64,
                y: 42.41,
            },
            Coord {
                x: 130.65,
                y: 42.41,
            },
            Coord {
                x: 130.65,
                y: 42.42,
            },
        ];
        let text = measure_summary(&pts).unwrap();
        assert!(text.contains("Area"), "{text}");
        assert!(measure_summary(&pts[..2]).unwrap().starts_with("Distance"));
        assert_eq!(measure_summary(&pts[..1]), None);
    }
}
