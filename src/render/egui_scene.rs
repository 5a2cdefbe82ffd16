//! Draws a [`Scene`] with egui, through a lon/lat → screen mapping (walkers' `Projector`).
//!
//! Styles come from the scene in pixels at the 1920 px figure width; `px_scale` maps them to the
//! screen, as the exporter maps them to its output width.

use egui::epaint::{Mesh, PathShape, PathStroke};
use egui::{Align2, Color32, FontFamily, FontId, Painter, Pos2, Rect, Shape, Stroke, pos2, vec2};
use geo::{Coord, TriangulateEarcut as _};

use crate::model::{Mark, Marker, Rgba};
use crate::scene::labels::{LabelBox, MARKER_RADIUS_PX, marker_clearances, place_labels_around};
use crate::scene::marks::{ARROW_HEAD_PX, arrow_head_px};
use crate::scene::{ItemGeometry, Scene, SceneItem};

/// The bold family registered by `ui::theme::install_fonts`.
pub const BOLD_FAMILY: &str = "bold";
/// Label text height at 1920 px figure width (FIGURES.md).
pub const LABEL_SIZE_PX: f32 = 32.0;
/// Dark casing under every line (FIGURES.md: black at ~60 %).
pub const CASING: Color32 = Color32::from_rgba_premultiplied(0, 0, 0, 153);

/// Converts a scene colour to egui's.
pub fn color32(c: Rgba) -> Color32 {
    let [red, green, blue, alpha] = c.0;
    Color32::from_rgba_unmultiplied(red, green, blue, alpha)
}

/// The bold label font at a scale.
pub fn label_font(px_scale: f32) -> FontId {
    FontId::new(
        (LABEL_SIZE_PX * px_scale).max(9.0),
        FontFamily::Name(BOLD_FAMILY.into()),
    )
}

/// A label as drawn: which annotation, and where its box is.
#[derive(Clone, Debug)]
pub struct DrawnLabel {
    /// Annotation id.
    pub id: String,
    /// Screen rect of the label box.
    pub rect: Rect,
}

/// Paints the scene's items and labels. Returns the labels drawn (for hit-testing).
pub fn paint_scene(
    painter: &Painter,
    scene: &Scene,
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    px_scale: f32,
) -> Vec<DrawnLabel> {
    let all: Vec<usize> = (0..scene.items.len()).collect();
    paint_scene_items(painter, scene, &all, to_screen, px_scale)
}

/// Most labels placed in one frame: past a few hundred a map is unreadable anyway, and placing
/// thousands would cost more than drawing them.
pub const MAX_LABELS: usize = 400;

/// Paints only the items at these indices (in draw order: e.g. those in view, from the scene's
/// spatial index) and their labels. Returns the labels drawn.
pub fn paint_scene_items(
    painter: &Painter,
    scene: &Scene,
    items: &[usize],
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    px_scale: f32,
) -> Vec<DrawnLabel> {
    let shown = || items.iter().filter_map(|&i| scene.items.get(i));
    for item in shown() {
        if let (ItemGeometry::Polygon(poly), Some(fill)) = (&item.geometry, item.fill) {
            paint_fill(painter, poly, to_screen, color32(fill));
        }
    }
    for item in shown() {
        paint_outline(painter, item, to_screen, px_scale, true);
    }
    for item in shown() {
        paint_outline(painter, item, to_screen, px_scale, false);
    }
    let marks: std::collections::HashMap<&str, Mark> =
        shown().map(|it| (it.id.as_str(), it.mark)).collect();
    let mut drawn = paint_text_marks(painter, scene, &marks, to_screen, px_scale);
    let order: Vec<usize> = crate::scene::labels::priority_order(scene)
        .into_iter()
        .filter(|&i| {
            scene
                .labels
                .get(i)
                .and_then(|l| marks.get(l.id.as_str()))
                .is_some_and(|m| *m != Mark::Text)
        })
        .take(MAX_LABELS)
        .collect();
    drawn.extend(paint_labels(
        painter, scene, &order, to_screen, px_scale, &drawn,
    ));
    drawn
}

/// Text labels are their own mark: centred on their point, always drawn.
fn paint_text_marks(
    painter: &Painter,
    scene: &Scene,
    marks: &std::collections::HashMap<&str, Mark>,
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    px_scale: f32,
) -> Vec<DrawnLabel> {
    let font = label_font(px_scale);
    let pad = vec2(6.0, 3.0) * px_scale.max(0.5);
    scene
        .labels
        .iter()
        .filter(|l| marks.get(l.id.as_str()) == Some(&Mark::Text))
        .map(|l| {
            let galley = painter.layout_no_wrap(l.text.clone(), font.clone(), Color32::WHITE);
            let rect = Rect::from_center_size(to_screen(l.anchor), galley.size() + 2.0 * pad);
            let selected = scene.items.iter().any(|it| it.selected && it.id == l.id);
            if selected {
                painter.rect_filled(rect.expand(4.0), 4.0, Color32::from_white_alpha(200));
            }
            painter.rect_filled(rect, 2.0, Color32::from_black_alpha(191));
            painter.rect_stroke(
                rect,
                2.0,
                Stroke::new((2.0 * px_scale).max(1.0), color32(l.color)),
                egui::StrokeKind::Outside,
            );
            painter.galley(rect.min + pad, galley, Color32::WHITE);
            DrawnLabel {
                id: l.id.clone(),
                rect,
            }
        })
        .collect()
}

fn screen_line(coords: &[Coord<f64>], to_screen: &dyn Fn(Coord<f64>) -> Pos2) -> Vec<Pos2> {
    coords.iter().map(|c| to_screen(*c)).collect()
}

fn paint_fill(
    painter: &Painter,
    poly: &geo::Polygon<f64>,
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    fill: Color32,
) {
    let tri = poly.earcut_triangles_raw();
    let mut mesh = Mesh::default();
    for [x, y] in &tri.vertices {
        mesh.colored_vertex(to_screen(Coord { x: *x, y: *y }), fill);
    }
    for idx in tri.triangle_indices.chunks_exact(3) {
        if let [a, b, c] = idx {
            mesh.add_triangle(*a as u32, *b as u32, *c as u32);
        }
    }
    painter.add(Shape::mesh(mesh));
}

fn stroke_path(
    painter: &Painter,
    points: &[Pos2],
    closed: bool,
    stroke: Stroke,
    dash: Option<(f32, f32)>,
) {
    let mut pts = points.to_vec();
    if closed && let Some(first) = points.first() {
        pts.push(*first);
    }
    match dash {
        None => {
            painter.add(PathShape::line(pts, PathStroke::from(stroke)));
        }
        Some((dash, gap)) => {
            painter.extend(Shape::dashed_line(&pts, stroke, dash, gap));
        }
    }
}

fn paint_outline(
    painter: &Painter,
    item: &SceneItem,
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    px_scale: f32,
    casing: bool,
) {
    let width = (item.stroke.width_px * px_scale).max(1.0);
    let color = color32(item.stroke.color);
    let dash = item
        .stroke
        .dash_px
        .map(|(d, g)| ((d * px_scale).max(2.0), (g * px_scale).max(2.0)));
    let paths: Vec<(Vec<Pos2>, bool)> = match &item.geometry {
        // A text label is drawn as its label alone.
        ItemGeometry::Point(_) if item.mark == Mark::Text => return,
        ItemGeometry::Point(c) => {
            paint_marker(painter, to_screen(*c), item, px_scale, casing);
            return;
        }
        ItemGeometry::Line(l) => vec![(screen_line(&l.0, to_screen), false)],
        ItemGeometry::Polygon(p) => std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| {
                let coords = r.0.get(..r.0.len().saturating_sub(1)).unwrap_or_default();
                (screen_line(coords, to_screen), true)
            })
            .collect(),
    };
    for (pts, closed) in &paths {
        if casing {
            if item.selected {
                let glow = Stroke::new(
                    width + 10.0 * px_scale + 4.0,
                    Color32::from_white_alpha(200),
                );
                stroke_path(painter, pts, *closed, glow, None);
            }
            // The casing is solid under dashed lines too, so the dash gaps read on any imagery.
            let casing_stroke = Stroke::new(width + 3.0 * px_scale.max(0.5), CASING);
            stroke_path(painter, pts, *closed, casing_stroke, None);
        } else {
            stroke_path(painter, pts, *closed, Stroke::new(width, color), dash);
        }
    }
    if item.mark == Mark::Arrow
        && let Some((pts, _)) = paths.first()
        && let [.., tail, head] = pts.as_slice()
    {
        paint_arrow_head(painter, *tail, *head, width, color, px_scale, casing);
    }
}

fn paint_arrow_head(
    painter: &Painter,
    tail: Pos2,
    head: Pos2,
    width: f32,
    color: Color32,
    px_scale: f32,
    casing: bool,
) {
    let length = (ARROW_HEAD_PX * px_scale).max(8.0) + width;
    let Some(corners) = arrow_head_px([tail.x, tail.y], [head.x, head.y], length) else {
        return;
    };
    let corners = corners.map(|[x, y]| pos2(x, y));
    if casing {
        painter.add(Shape::convex_polygon(
            corners.to_vec(),
            CASING,
            Stroke::new(3.0 * px_scale.max(0.5), CASING),
        ));
    } else {
        painter.add(Shape::convex_polygon(corners.to_vec(), color, Stroke::NONE));
    }
}

fn paint_marker(painter: &Painter, at: Pos2, item: &SceneItem, px_scale: f32, casing: bool) {
    let r = (MARKER_RADIUS_PX * px_scale).max(3.0);
    let color = color32(item.stroke.color);
    if casing {
        if item.selected {
            painter.circle_filled(at, r + 6.0, Color32::from_white_alpha(200));
        }
        return;
    }
    let outline = Stroke::new((2.5 * px_scale).max(1.0), Color32::BLACK);
    let poly = |pts: Vec<Pos2>| Shape::convex_polygon(pts, color, outline);
    let shape = match item.marker {
        Marker::Circle => Shape::circle_filled(at, r, color),
        Marker::Square => Shape::rect_filled(
            Rect::from_center_size(at, vec2(1.8 * r, 1.8 * r)),
            0.0,
            color,
        ),
        Marker::Triangle => poly(vec![
            at + vec2(0.0, -1.2 * r),
            at + vec2(1.05 * r, 0.7 * r),
            at + vec2(-1.05 * r, 0.7 * r),
        ]),
        Marker::Diamond => poly(vec![
            at + vec2(0.0, -1.25 * r),
            at + vec2(r, 0.0),
            at + vec2(0.0, 1.25 * r),
            at + vec2(-r, 0.0),
        ]),
    };
    painter.add(shape);
    match item.marker {
        Marker::Circle => {
            painter.circle_stroke(at, r, outline);
        }
        Marker::Square => {
            painter.rect_stroke(
                Rect::from_center_size(at, vec2(1.8 * r, 1.8 * r)),
                0.0,
                outline,
                egui::StrokeKind::Middle,
            );
        }
        Marker::Triangle | Marker::Diamond => {}
    }
    // The certainty shows in points as a dashed ring, as lines show it in their dash.
    if let Some((d, g)) = item.stroke.dash_px {
        let ring: Vec<Pos2> = (0..=48)
            .map(|i| {
                let t = i as f32 / 48.0 * std::f32::consts::TAU;
                at + vec2(t.cos(), t.sin()) * (r + 5.0 * px_scale.max(0.5))
            })
            .collect();
        painter.extend(Shape::dashed_line(
            &ring,
            Stroke::new((2.0 * px_scale).max(1.0), color),
            (d * px_scale).max(2.0),
            (g * px_scale).max(2.0),
        ));
    }
}

fn paint_labels(
    painter: &Painter,
    scene: &Scene,
    order: &[usize],
    to_screen: &dyn Fn(Coord<f64>) -> Pos2,
    px_scale: f32,
    already: &[DrawnLabel],
) -> Vec<DrawnLabel> {
    let font = label_font(px_scale);
    let pad = vec2(6.0, 3.0) * px_scale.max(0.5);
    let galleys: Vec<_> = order
        .iter()
        .filter_map(|&i| scene.labels.get(i))
        .map(|l| painter.layout_no_wrap(l.text.clone(), font.clone(), Color32::WHITE))
        .collect();
    let boxes: Vec<LabelBox> = order
        .iter()
        .zip(&galleys)
        .filter_map(|(&i, g)| {
            let anchor = to_screen(scene.labels.get(i)?.anchor);
            Some(LabelBox {
                anchor_px: [anchor.x, anchor.y],
                size_px: [g.size().x + 2.0 * pad.x, g.size().y + 2.0 * pad.y],
            })
        })
        .collect();
    let clip = painter.clip_rect();
    // As in export: keep clear of labels already drawn and of point markers.
    let to_px = |c: Coord<f64>| {
        let p = to_screen(c);
        [p.x, p.y]
    };
    let mut keep_clear: Vec<[f32; 4]> = already
        .iter()
        .map(|d| [d.rect.min.x, d.rect.min.y, d.rect.max.x, d.rect.max.y])
        .collect();
    keep_clear.extend(marker_clearances(
        scene,
        &to_px,
        (MARKER_RADIUS_PX * px_scale).max(3.0) * 1.3,
    ));
    let placed = place_labels_around(
        &boxes,
        [clip.min.x, clip.min.y, clip.max.x, clip.max.y],
        (MARKER_RADIUS_PX + 6.0) * px_scale.max(0.5),
        &keep_clear,
    );
    let mut drawn = Vec::new();
    for ((&i, galley), (placement, b)) in order.iter().zip(galleys).zip(placed.iter().zip(&boxes)) {
        let (Some(p), Some(label)) = (placement, scene.labels.get(i)) else {
            continue;
        };
        let rect = Rect::from_min_size(
            pos2(p.min_px[0], p.min_px[1]),
            vec2(b.size_px[0], b.size_px[1]),
        );
        if p.needs_leader {
            let anchor = pos2(b.anchor_px[0], b.anchor_px[1]);
            let end = rect.clamp(anchor);
            let color = color32(label.color);
            painter.line_segment([anchor, end], Stroke::new((3.0 * px_scale).max(1.0), color));
            painter.circle_filled(anchor, (4.0 * px_scale).max(2.0), color);
        }
        painter.rect_filled(rect, 2.0, Color32::from_black_alpha(191));
        painter.galley(rect.min + pad, galley, Color32::WHITE);
        drawn.push(DrawnLabel {
            id: label.id.clone(),
            rect,
        });
    }
    drawn
}

/// Draws a text block with a dark box, anchored at a corner (for notices and captions on the map).
pub fn paint_boxed_text(
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
