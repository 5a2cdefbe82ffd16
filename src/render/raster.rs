//! Draws a [`Scene`] on the CPU with tiny-skia: the export backend.
//!
//! It mirrors `egui_scene` stroke for stroke (casing 3 px wider at 60 % black, dashes from the
//! scene, markers with a dashed ring for uncertain points, labels in black boxes at 75 % with
//! white bold text, leader lines ending in a dot), with every length in pixels at the 1920 px
//! figure width times `px_scale`. Labels are placed by `scene::labels` with text measured by
//! [`Fonts`], as the window places them.

use geo::Coord;
use tiny_skia::{
    FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Stroke, StrokeDash, Transform,
};

use super::raster_text::{Fonts, TextStyle};
use crate::model::{Mark, Marker, Rgba};
use crate::scene::labels::{LabelBox, marker_clearances, place_labels_around, priority_order};
use crate::scene::marks::{ARROW_HEAD_PX, arrow_head_px};
use crate::scene::{ItemGeometry, Scene, SceneItem};

/// A rectangle in image pixels: `[min_x, min_y, max_x, max_y]`.
pub type RectPx = [f32; 4];

/// Label text height at 1920 px figure width (FIGURES.md; the window's `LABEL_SIZE_PX`).
pub const LABEL_SIZE_PX: f32 = 32.0;
/// Marker radius at 1920 px figure width (the window's).
pub use crate::scene::labels::MARKER_RADIUS_PX;
/// Dark casing under every line (FIGURES.md: black at ~60 %).
pub const CASING: Rgba = Rgba([0, 0, 0, 153]);
/// Label boxes: black at 75 %.
pub const LABEL_BOX: Rgba = Rgba([0, 0, 0, 191]);
/// White, for label text.
pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);
/// Black, for outlines.
pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);

/// A label as drawn: which annotation, and where its box is.
#[derive(Clone, Debug, PartialEq)]
pub struct RasterLabel {
    /// Annotation id.
    pub id: String,
    /// The label box in image pixels.
    pub rect_px: RectPx,
}

/// A solid anti-aliased paint of a colour.
#[must_use]
pub fn solid(color: Rgba) -> Paint<'static> {
    let [r, g, b, a] = color.0;
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, a);
    paint.anti_alias = true;
    paint
}

/// A path through points, closed or open; `None` for fewer than two points.
#[must_use]
pub fn polyline_path(points: &[[f32; 2]], closed: bool) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let mut it = points.iter();
    let first = it.next()?;
    pb.move_to(first[0], first[1]);
    for p in it {
        pb.line_to(p[0], p[1]);
    }
    if closed {
        pb.close();
    }
    pb.finish()
}

/// A rectangle with rounded corners; `None` when it is empty.
pub fn rounded_rect_path(rect: RectPx, radius_px: f32) -> Option<Path> {
    let [x0, y0, x1, y1] = rect;
    let r = radius_px.min((x1 - x0) / 2.0).min((y1 - y0) / 2.0).max(0.0);
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    if r < 0.25 {
        return tiny_skia::Rect::from_ltrb(x0, y0, x1, y1).map(PathBuilder::from_rect);
    }
    // Quarter circles as cubics: the control points sit 0.552 r along the tangents.
    let k = 0.552_285 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(x0 + r, y0);
    pb.line_to(x1 - r, y0);
    pb.cubic_to(x1 - r + k, y0, x1, y0 + r - k, x1, y0 + r);
    pb.line_to(x1, y1 - r);
    pb.cubic_to(x1, y1 - r + k, x1 - r + k, y1, x1 - r, y1);
    pb.line_to(x0 + r, y1);
    pb.cubic_to(x0 + r - k, y1, x0, y1 - r + k, x0, y1 - r);
    pb.line_to(x0, y0 + r);
    pb.cubic_to(x0, y0 + r - k, x0 + r - k, y0, x0 + r, y0);
    pb.close();
    pb.finish()
}

/// Fills a (rounded) rectangle.
pub fn fill_rect(pixmap: &mut Pixmap, rect: RectPx, color: Rgba, radius_px: f32) {
    if let Some(path) = rounded_rect_path(rect, radius_px) {
        pixmap.fill_path(
            &path,
            &solid(color),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// Strokes a path, solid or dashed (`(dash, gap)` in pixels).
pub fn stroke_path(
    pixmap: &mut Pixmap,
    path: &Path,
    width_px: f32,
    color: Rgba,
    dash_px: Option<(f32, f32)>,
) {
    let stroke = Stroke {
        width: width_px,
        line_cap: if dash_px.is_some() {
            LineCap::Butt
        } else {
            LineCap::Round
        },
        line_join: LineJoin::Round,
        dash: dash_px.and_then(|(d, g)| StrokeDash::new(vec![d, g], 0.0)),
        ..Stroke::default()
    };
    pixmap.stroke_path(path, &solid(color), &stroke, Transform::identity(), None);
}

/// Strokes a line through points.
pub fn stroke_points(
    pixmap: &mut Pixmap,
    points: &[[f32; 2]],
    closed: bool,
    width_px: f32,
    color: Rgba,
    dash_px: Option<(f32, f32)>,
) {
    if let Some(path) = polyline_path(points, closed) {
        stroke_path(pixmap, &path, width_px, color, dash_px);
    }
}

/// Fills rings (an exterior and its holes) with the even-odd rule, so holes stay open.
pub fn fill_rings(pixmap: &mut Pixmap, rings: &[Vec<[f32; 2]>], color: Rgba) {
    let mut pb = PathBuilder::new();
    for ring in rings {
        let mut it = ring.iter();
        let Some(first) = it.next() else { continue };
        pb.move_to(first[0], first[1]);
        for p in it {
            pb.line_to(p[0], p[1]);
        }
        pb.close();
    }
    if let Some(path) = pb.finish() {
        pixmap.fill_path(
            &path,
            &solid(color),
            FillRule::EvenOdd,
            Transform::identity(),
            None,
        );
    }
}

/// Fills a disc.
pub fn fill_circle(pixmap: &mut Pixmap, center: [f32; 2], radius_px: f32, color: Rgba) {
    if let Some(path) = PathBuilder::from_circle(center[0], center[1], radius_px) {
        pixmap.fill_path(
            &path,
            &solid(color),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// Scales a 1920 px figure length, never below `min_px`.
fn scaled(length_px: f32, px_scale: f32, min_px: f32) -> f32 {
    (length_px * px_scale).max(min_px)
}

/// Draws a point marker as the window does: filled in the colour, outlined in black, and ringed
/// with the certainty's dash when not confirmed.
pub fn paint_marker(
    pixmap: &mut Pixmap,
    at: [f32; 2],
    marker: Marker,
    color: Rgba,
    dash_px: Option<(f32, f32)>,
    px_scale: f32,
) {
    let r = scaled(MARKER_RADIUS_PX, px_scale, 3.0);
    let outline = scaled(2.5, px_scale, 1.0);
    let [x, y] = at;
    match marker {
        Marker::Circle => {
            fill_circle(pixmap, at, r, color);
            if let Some(path) = PathBuilder::from_circle(x, y, r) {
                stroke_path(pixmap, &path, outline, BLACK, None);
            }
        }
        Marker::Square => {
            let h = 0.9 * r;
            let rect = [x - h, y - h, x + h, y + h];
            fill_rect(pixmap, rect, color, 0.0);
            if let Some(path) = rounded_rect_path(rect, 0.0) {
                stroke_path(pixmap, &path, outline, BLACK, None);
            }
        }
        Marker::Triangle | Marker::Diamond => {
            let shape: Vec<[f32; 2]> = if marker == Marker::Triangle {
                vec![
                    [x, y - 1.2 * r],
                    [x + 1.05 * r, y + 0.7 * r],
                    [x - 1.05 * r, y + 0.7 * r],
                ]
            } else {
                vec![[x, y - 1.25 * r], [x + r, y], [x, y + 1.25 * r], [x - r, y]]
            };
            fill_rings(pixmap, std::slice::from_ref(&shape), color);
            stroke_points(pixmap, &shape, true, outline, BLACK, None);
        }
    }
    if let Some((d, g)) = dash_px {
        let ring_r = r + 5.0 * px_scale.max(0.5);
        if let Some(path) = PathBuilder::from_circle(x, y, ring_r) {
            let dash = (scaled(d, px_scale, 2.0), scaled(g, px_scale, 2.0));
            stroke_path(pixmap, &path, scaled(2.0, px_scale, 1.0), color, Some(dash));
        }
    }
}

fn rings_px(
    poly: &geo::Polygon<f64>,
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
) -> Vec<Vec<[f32; 2]>> {
    std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .map(|ring| {
            let open = ring
                .0
                .get(..ring.0.len().saturating_sub(1))
                .unwrap_or_default();
            open.iter().map(|c| to_px(*c)).collect()
        })
        .collect()
}

fn paint_outline(
    pixmap: &mut Pixmap,
    item: &SceneItem,
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
    px_scale: f32,
    casing: bool,
) {
    let width = scaled(item.stroke.width_px, px_scale, 1.0);
    let dash = item
        .stroke
        .dash_px
        .map(|(d, g)| (scaled(d, px_scale, 2.0), scaled(g, px_scale, 2.0)));
    let paths: Vec<(Vec<[f32; 2]>, bool)> = match &item.geometry {
        // A text label is drawn as its label alone (centred on the point, with the labels).
        ItemGeometry::Point(_) if item.mark == Mark::Text => return,
        ItemGeometry::Point(c) => {
            if casing {
                if item.selected {
                    let r = scaled(MARKER_RADIUS_PX, px_scale, 3.0);
                    fill_circle(pixmap, to_px(*c), r + 6.0, WHITE.with_alpha(200));
                }
            } else {
                paint_marker(
                    pixmap,
                    to_px(*c),
                    item.marker,
                    item.stroke.color,
                    item.stroke.dash_px,
                    px_scale,
                );
            }
            return;
        }
        ItemGeometry::Line(l) => vec![(l.0.iter().map(|c| to_px(*c)).collect(), false)],
        ItemGeometry::Polygon(p) => rings_px(p, to_px).into_iter().map(|r| (r, true)).collect(),
    };
    for (points, closed) in &paths {
        if casing {
            if item.selected {
                let glow = width + 10.0 * px_scale + 4.0;
                stroke_points(pixmap, points, *closed, glow, WHITE.with_alpha(200), None);
            }
            // The casing is solid under dashed lines too, so the dash gaps read on any imagery.
            let casing_width = width + 3.0 * px_scale.max(0.5);
            stroke_points(pixmap, points, *closed, casing_width, CASING, None);
        } else {
            stroke_points(pixmap, points, *closed, width, item.stroke.color, dash);
        }
    }
    // An arrow (callout) gets a head at its last vertex, over the casing like the line.
    if item.mark == Mark::Arrow
        && let Some((points, _)) = paths.first()
        && let [.., tail, head] = points.as_slice()
    {
        let length = scaled(ARROW_HEAD_PX, px_scale, 8.0) + width;
        if let Some(corners) = arrow_head_px(*tail, *head, length) {
            let ring = corners.to_vec();
            if casing {
                let casing_width = 3.0 * px_scale.max(0.5);
                stroke_points(pixmap, &ring, true, casing_width, CASING, None);
                fill_rings(pixmap, &[ring], CASING);
            } else {
                fill_rings(pixmap, &[ring], item.stroke.color);
            }
        }
    }
}

/// Paints the scene's items and labels, keeping labels clear of `keep_clear_px` (the figure's
/// boxes). Returns the labels drawn.
pub fn paint_scene(
    pixmap: &mut Pixmap,
    fonts: &Fonts,
    scene: &Scene,
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
    px_scale: f32,
    keep_clear_px: &[RectPx],
) -> Vec<RasterLabel> {
    for item in &scene.items {
        if let (ItemGeometry::Polygon(poly), Some(fill)) = (&item.geometry, item.fill) {
            fill_rings(pixmap, &rings_px(poly, to_px), fill);
        }
    }
    for casing in [true, false] {
        for item in &scene.items {
            paint_outline(pixmap, item, to_px, px_scale, casing);
        }
    }
    paint_labels(pixmap, fonts, scene, to_px, px_scale, keep_clear_px)
}

/// The label text style at a scale (the window's `label_font`).
#[must_use]
pub fn label_style(px_scale: f32) -> TextStyle {
    TextStyle::bold(scaled(LABEL_SIZE_PX, px_scale, 9.0))
}

fn paint_labels(
    pixmap: &mut Pixmap,
    fonts: &Fonts,
    scene: &Scene,
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
    px_scale: f32,
    keep_clear_px: &[RectPx],
) -> Vec<RasterLabel> {
    let style = label_style(px_scale);
    let pad = [6.0 * px_scale.max(0.5), 3.0 * px_scale.max(0.5)];
    // Text labels are their own mark: centred on their point, drawn first, kept clear of.
    let text_marks: std::collections::HashSet<&str> = scene
        .items
        .iter()
        .filter(|it| it.mark == Mark::Text)
        .map(|it| it.id.as_str())
        .collect();
    let mut drawn = Vec::new();
    for label in scene
        .labels
        .iter()
        .filter(|l| text_marks.contains(l.id.as_str()))
    {
        let [w, h] = fonts.measure(&label.text, style);
        let [x, y] = to_px(label.anchor);
        let (bw, bh) = (w + 2.0 * pad[0], h + 2.0 * pad[1]);
        let rect = [x - bw / 2.0, y - bh / 2.0, x + bw / 2.0, y + bh / 2.0];
        fill_rect(pixmap, rect, LABEL_BOX, 2.0);
        let outline = [
            [rect[0], rect[1]],
            [rect[2], rect[1]],
            [rect[2], rect[3]],
            [rect[0], rect[3]],
        ];
        stroke_points(
            pixmap,
            &outline,
            true,
            scaled(2.0, px_scale, 1.0),
            label.color,
            None,
        );
        fonts.draw(
            pixmap,
            &label.text,
            [rect[0] + pad[0], rect[1] + pad[1]],
            style,
            WHITE,
        );
        drawn.push(RasterLabel {
            id: label.id.clone(),
            rect_px: rect,
        });
    }
    let order = priority_order(scene);
    let labels: Vec<_> = order
        .iter()
        .filter_map(|&i| scene.labels.get(i))
        .filter(|l| !text_marks.contains(l.id.as_str()))
        .collect();
    let boxes: Vec<LabelBox> = labels
        .iter()
        .map(|label| {
            let [w, h] = fonts.measure(&label.text, style);
            LabelBox {
                anchor_px: to_px(label.anchor),
                size_px: [w + 2.0 * pad[0], h + 2.0 * pad[1]],
            }
        })
        .collect();
    let bounds = [0.0, 0.0, pixmap.width() as f32, pixmap.height() as f32];
    let gap = (MARKER_RADIUS_PX + 6.0) * px_scale.max(0.5);
    // Labels keep off point markers too, so a dense cluster (a row of piers) stays visible.
    let marker_r = scaled(MARKER_RADIUS_PX, px_scale, 3.0) * 1.3;
    let mut keep_clear: Vec<RectPx> = keep_clear_px.to_vec();
    keep_clear.extend(drawn.iter().map(|d: &RasterLabel| d.rect_px));
    keep_clear.extend(marker_clearances(scene, &to_px, marker_r));
    let placed = place_labels_around(&boxes, bounds, gap, &keep_clear);
    for ((label, placement), b) in labels.iter().zip(&placed).zip(&boxes) {
        let Some(p) = placement else { continue };
        let rect = [
            p.min_px[0],
            p.min_px[1],
            p.min_px[0] + b.size_px[0],
            p.min_px[1] + b.size_px[1],
        ];
        if p.needs_leader {
            let [ax, ay] = b.anchor_px;
            let end = [ax.clamp(rect[0], rect[2]), ay.clamp(rect[1], rect[3])];
            let width = scaled(3.0, px_scale, 1.0);
            stroke_points(pixmap, &[[ax, ay], end], false, width, label.color, None);
            fill_circle(pixmap, [ax, ay], scaled(4.0, px_scale, 2.0), label.color);
        }
        fill_rect(pixmap, rect, LABEL_BOX, 2.0);
        fonts.draw(
            pixmap,
            &label.text,
            [rect[0] + pad[0], rect[1] + pad[1]],
            style,
            WHITE,
        );
        drawn.push(RasterLabel {
            id: label.id.clone(),
            rect_px: rect,
        });
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{SceneLabel, Stroke as SceneStroke};
    use chrono::NaiveDate;
    use geo::LineString;

    fn pixel(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
        let c = pixmap.pixel(x, y).unwrap().demultiply();
        [c.red(), c.green(), c.blue(), c.alpha()]
    }

    fn scene_with(items: Vec<SceneItem>, labels: Vec<SceneLabel>) -> Scene {
        Scene {
            title: String::new(),
            layers: Vec::new(),
            date: NaiveDate::from_ymd_opt(2025, 10, 14).unwrap(),
            date_label: "14 OCT 2025".into(),
            caption: None,
            items,
            labels,
            legend: Vec::new(),
            certainties: Vec::new(),
            credits: Vec::new(),
            notices: Vec::new(),
        }
    }

    fn identity(c: Coord<f64>) -> [f32; 2] {
        [c.x as f32, c.y as f32]
    }

    #[test]
    fn a_line_is_drawn_in_its_colour_over_a_wider_dark_casing() {
        let mut pixmap = Pixmap::new(100, 100).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        let item = SceneItem {
            id: "a".into(),
            geometry: ItemGeometry::Line(LineString::from(vec![(10.0, 50.0), (90.0, 50.0)])),
            stroke: SceneStroke {
                color: Rgba::rgb(0xF0, 0xE4, 0x42),
                width_px: 4.0,
                dash_px: None,
            },
            fill: None,
            marker: Marker::Circle,
            mark: crate::model::Mark::Feature,
            selected: false,
        };
        let fonts = Fonts::bundled().unwrap();
        paint_scene(
            &mut pixmap,
            &fonts,
            &scene_with(vec![item], vec![]),
            &identity,
            1.0,
            &[],
        );
        assert_eq!(pixel(&pixmap, 50, 50), [0xF0, 0xE4, 0x42, 255]);
        // 4 px line (rows 48–51), 7 px casing (to 53.5): row 52 is casing, black at 60 % on white.
        let casing = pixel(&pixmap, 50, 52);
        assert!(casing[0] < 120 && casing[0] > 80, "{casing:?}");
        assert_eq!(pixel(&pixmap, 50, 60), [255, 255, 255, 255]);
    }

    #[test]
    fn a_label_box_is_dark_and_sits_beside_its_anchor() {
        let mut pixmap = Pixmap::new(400, 100).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        let label = SceneLabel {
            id: "a".into(),
            anchor: Coord { x: 50.0, y: 50.0 },
            text: "Pier".into(),
            color: Rgba::rgb(255, 0, 0),
        };
        let fonts = Fonts::bundled().unwrap();
        let drawn = paint_scene(
            &mut pixmap,
            &fonts,
            &scene_with(vec![], vec![label]),
            &identity,
            1.0,
            &[],
        );
        let [x0, y0, _, _] = drawn[0].rect_px;
        assert!((x0 - 67.0).abs() < 0.5, "{x0}");
        // The box's corner area: black at 75 % over white.
        let px = pixel(&pixmap, x0 as u32 + 2, y0 as u32 + 2);
        assert!(px[0] > 55 && px[0] < 75, "{px:?}");
    }

    #[test]
    fn labels_keep_clear_of_the_figure_boxes() {
        let label = SceneLabel {
            id: "a".into(),
            anchor: Coord { x: 200.0, y: 50.0 },
            text: "Pier".into(),
            color: Rgba::rgb(255, 0, 0),
        };
        let fonts = Fonts::bundled().unwrap();
        let mut pixmap = Pixmap::new(400, 100).unwrap();
        let right_of_anchor = [205.0, 0.0, 400.0, 100.0];
        let drawn = paint_scene(
            &mut pixmap,
            &fonts,
            &scene_with(vec![], vec![label]),
            &identity,
            1.0,
            &[right_of_anchor],
        );
        assert!(drawn[0].rect_px[2] < 205.0, "{:?}", drawn[0].rect_px);
    }
}
