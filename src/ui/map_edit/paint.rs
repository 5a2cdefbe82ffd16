//! What the editor draws over the map: the drawing in progress, handles, snapping, measures.
//! These are interactive aids: they never reach an export.

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Stroke, vec2};
use walkers::Projector;

use super::{EditView, MapEditor, screen};
use crate::editing::Tool;
use crate::editing::geometry::shape_from_drawing;
use crate::editing::handles::{HandleKind, handles};
use crate::editing::summary::drawing_summary;
use crate::editing::summary::measure_summary;
use crate::model::Shape;
use crate::scene::marks::arrow_head_px;
use crate::spatial::snap::SnapKind;

impl MapEditor {
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

fn paint_handles(painter: &Painter, projector: &Projector, shape: &Shape, active: Option<usize>) {
    let px = |c| {
        let p = screen(projector, c);
        [p.x, p.y]
    };
    for h in handles(shape, px) {
        let at = Pos2::new(h.px[0], h.px[1]);
        match h.kind {
            HandleKind::Midpoint(_) => {
                painter.circle(
                    at,
                    4.0,
                    Color32::from_white_alpha(150),
                    Stroke::new(1.0, Color32::BLACK),
                );
            }
            HandleKind::Vertex(i) => {
                let fill = if active == Some(i) {
                    Color32::from_rgb(0xF0, 0xE4, 0x42)
                } else {
                    Color32::WHITE
                };
                let r = Rect::from_center_size(at, vec2(9.0, 9.0));
                painter.rect_filled(r, 1.0, fill);
                painter.rect_stroke(
                    r,
                    1.0,
                    Stroke::new(1.5, Color32::BLACK),
                    egui::StrokeKind::Middle,
                );
            }
        }
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

/// A text block on a dark box, anchored at a corner (the editor's read-outs on the map).
fn paint_boxed_text(
    painter: &Painter,
    at: Pos2,
    anchor: Align2,
    text: &str,
    font: FontId,
    color: Color32,
) -> Rect {
    let galley = painter.layout_no_wrap(text.to_owned(), font, color);
    let pad = vec2(8.0, 5.0);
    let rect = anchor.anchor_size(at, galley.size() + 2.0 * pad);
    painter.rect_filled(rect, 3.0, Color32::from_black_alpha(200));
    painter.galley(rect.min + pad, galley, color);
    rect
}
