//! Pointer and key input for the map tools: pressing, dragging, drawing, picking, snapping.

use egui::{CursorIcon, Key, Modifiers, PointerButton, Pos2, Response, Ui, vec2};
use geo::Coord;
use walkers::Projector;

use super::{Drag, EditView, MapEditor, MapView, Measure, PICK_TOLERANCE_PX, Press, Target};
use super::{lonlat, query_box, screen};
use crate::command::{Command, EditCommand, ViewCommand};
use crate::editing::create::add_drawn;
use crate::editing::geometry::{
    insert_vertex, move_vertex, remove_vertex, shape_from_drawing, translate,
};
use crate::editing::handles::{HandleKind, grabbed, handles};
use crate::editing::{Edit, Tool};
use crate::spatial::snap::{SNAP_TOLERANCE_PX, SnapPath, snap};
use crate::ui::map_view::DrawnLabel;

impl MapEditor {
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
        let px = |c: Coord<f64>| {
            let p = screen(projector, c);
            [p.x, p.y]
        };
        if let Some(h) = grabbed(&handles(&annotation.shape, px), [pointer.x, pointer.y]) {
            let target = match h.kind {
                HandleKind::Vertex(i) => Target::Vertex(i),
                HandleKind::Midpoint(i) => Target::Midpoint(i, h.lonlat),
            };
            return Some(Press {
                id: id.to_owned(),
                target,
                at,
            });
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
            Command::Edit(EditCommand::Apply {
                edit,
                coalesce: None,
            }),
            Command::View(ViewCommand::Select(Some(id))),
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
        // Aligning moves imagery with the keys; the pointer only pans and zooms the map.
        if self.tool == Tool::Align {
            return commands;
        }
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
        let (label_busy, moved) = self.drag_label(ui, response, view.project, labels, pointer);
        if label_busy {
            commands.extend(moved);
            if response.clicked_by(PointerButton::Primary)
                && let Some(p) = pointer
            {
                commands.push(Command::View(ViewCommand::Select(Self::pick(
                    view, projector, p, labels,
                ))));
            }
            return commands;
        }
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
                        commands.push(Command::Edit(EditCommand::Apply {
                            edit: Edit::SetShape {
                                id: press.id.clone(),
                                shape: grown.clone(),
                            },
                            coalesce: Some(coalesce.clone()),
                        }));
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
                commands.push(Command::Edit(EditCommand::Apply {
                    edit: Edit::SetShape {
                        id: drag.id.clone(),
                        shape: shape.clone(),
                    },
                    coalesce: Some(drag.coalesce.clone()),
                }));
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
                _ => commands.push(Command::View(ViewCommand::Select(Self::pick(
                    view, projector, p, labels,
                )))),
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
                commands.push(Command::View(ViewCommand::Select(None)));
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
                        commands.push(Command::View(ViewCommand::Select(None)));
                    } else {
                        commands.extend(removed);
                    }
                    self.active_vertex = None;
                }
                _ => {
                    commands.push(delete_command(id));
                    commands.push(Command::View(ViewCommand::Select(None)));
                }
            }
        }
        commands
    }
}

fn delete_command(id: &str) -> Command {
    Command::Edit(EditCommand::Apply {
        edit: Edit::RemoveAnnotation { id: id.to_owned() },
        coalesce: None,
    })
}

fn remove_vertex_command(view: &EditView<'_>, id: &str, index: usize) -> Vec<Command> {
    view.project
        .annotation(id)
        .and_then(|a| remove_vertex(&a.shape, index))
        .map(|shape| {
            vec![Command::Edit(EditCommand::Apply {
                edit: Edit::SetShape {
                    id: id.to_owned(),
                    shape,
                },
                coalesce: None,
            })]
        })
        .unwrap_or_default()
}
