//! The egui painter: rasterises a [`DisplayList`] on screen, translated to the map's corner.
//! It draws exactly what the list says; every style decision was made when the list was lowered.

use egui::epaint::{Mesh, PathShape, PathStroke};
use egui::{Align2, Color32, Painter, Pos2, Rect, Shape, Stroke, pos2};

use super::display_list::{
    DashPx, DisplayList, ImageryOp, ImagerySource, PaintOp, circle_points, triangulate_rings,
};
pub use super::egui_place::Placement;
use super::text::font_id;
use crate::model::Rgba;

/// A display-list colour in egui's terms.
#[must_use]
pub fn color32(color: Rgba) -> Color32 {
    let [red, green, blue, alpha] = color.0;
    Color32::from_rgba_unmultiplied(red, green, blue, alpha)
}

fn rings_mesh(place: Placement, rings: &[Vec<[f32; 2]>], color: Color32) -> Mesh {
    let (vertices, triangles) = triangulate_rings(rings);
    let mut mesh = Mesh::default();
    for v in vertices {
        mesh.colored_vertex(place.at(v), color);
    }
    for [a, b, c] in triangles {
        mesh.add_triangle(a, b, c);
    }
    mesh
}

fn polyline(
    painter: &Painter,
    points: Vec<Pos2>,
    width: f32,
    color: Color32,
    dash: Option<DashPx>,
) {
    let stroke = Stroke::new(width, color);
    match dash {
        None => {
            painter.add(PathShape::line(points, PathStroke::from(stroke)));
        }
        Some((d, g)) => {
            painter.extend(Shape::dashed_line(&points, stroke, d, g));
        }
    }
}

/// Paints every operation of the list where `place` puts it. Imagery from the window's tile
/// textures goes to `window_imagery` with a painter clipped to the op's area and the op's offset
/// in screen pixels (the app knows the textures).
pub fn paint(
    base: &Painter,
    list: &DisplayList,
    place: Placement,
    window_imagery: &mut dyn FnMut(&Painter, &ImageryOp, egui::Vec2),
) {
    let k = place.scale;
    // The painter of the last `Clip` (each cuts the caller's area afresh).
    let mut cut = base.clone();
    for op in &list.ops {
        let painter = &cut;
        match op {
            PaintOp::FillRings { rings, color } => {
                painter.add(Shape::mesh(rings_mesh(place, rings, color32(*color))));
            }
            PaintOp::Stroke {
                points,
                closed,
                width_px,
                color,
                dash_px,
            } => {
                let mut pts: Vec<Pos2> = points.iter().map(|p| place.at(*p)).collect();
                if *closed && let Some(first) = pts.first().copied() {
                    pts.push(first);
                }
                polyline(
                    painter,
                    pts,
                    *width_px * k,
                    color32(*color),
                    scaled(*dash_px, k),
                );
            }
            PaintOp::FillRect {
                rect_px,
                radius_px,
                color,
            } => {
                painter.rect_filled(place.rect(*rect_px), *radius_px * k, color32(*color));
            }
            PaintOp::FillCircle {
                center_px,
                radius_px,
                color,
            } => {
                painter.circle_filled(place.at(*center_px), *radius_px * k, color32(*color));
            }
            PaintOp::StrokeCircle {
                center_px,
                radius_px,
                width_px,
                color,
                dash_px,
            } => {
                let pts = circle_points(*center_px, *radius_px)
                    .into_iter()
                    .map(|p| place.at(p))
                    .collect();
                polyline(
                    painter,
                    pts,
                    *width_px * k,
                    color32(*color),
                    scaled(*dash_px, k),
                );
            }
            PaintOp::Text(run) => {
                let mut font = run.font;
                font.size_px *= k;
                painter.text(
                    place.at(run.origin_px),
                    Align2::LEFT_TOP,
                    &run.text,
                    font_id(font),
                    color32(run.color),
                );
            }
            PaintOp::Imagery(op) => imagery(painter, op, place, window_imagery),
            PaintOp::Clip(rect) => {
                cut = match rect {
                    Some(r) => base.with_clip_rect(base.clip_rect().intersect(place.rect(*r))),
                    None => base.clone(),
                };
            }
        }
    }
}

fn scaled(dash: Option<DashPx>, k: f32) -> Option<DashPx> {
    dash.map(|(d, g)| (d * k, g * k))
}

fn imagery(
    painter: &Painter,
    op: &ImageryOp,
    place: Placement,
    window_imagery: &mut dyn FnMut(&Painter, &ImageryOp, egui::Vec2),
) {
    let [dx, dy] = op.offset_px;
    let offset = egui::vec2(dx, dy) * place.scale;
    let area = place.rect(op.dest_px);
    let clip = op.clip_px.map_or(area, |c| area.intersect(place.rect(c)));
    let clipped = painter.with_clip_rect(painter.clip_rect().intersect(clip));
    let dest = area.translate(offset);
    match &op.source {
        ImagerySource::WindowTiles => window_imagery(&clipped, op, offset),
        ImagerySource::Rgba { size_px, pixels } => {
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [size_px[0] as usize, size_px[1] as usize],
                pixels,
            );
            let texture = painter.ctx().load_texture(
                format!("imagery-op-{}", op.layer_id),
                image,
                egui::TextureOptions::LINEAR,
            );
            // Kept until the next frame's op of this layer replaces it, so it lives while drawn.
            painter.ctx().data_mut(|d| {
                d.insert_temp(
                    egui::Id::unique(("imagery-op", &op.layer_id)),
                    texture.clone(),
                )
            });
            let tint = color32(op.tint());
            let uv = Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0));
            clipped.image(texture.id(), dest, uv, tint);
        }
    }
}
