//! The tiny-skia painter: rasterises a [`DisplayList`] on the CPU (export). It draws exactly
//! what the list says; every style decision was made when the list was lowered.

use tiny_skia::{
    FillRule, IntSize, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, Pixmap, PixmapPaint,
    Stroke, StrokeDash, Transform,
};

use super::display_list::{
    CORNER_SEGMENTS, DashPx, DisplayList, ImageryOp, PaintOp, RectPx, clip_intersection,
    rounded_rect_points,
};
use super::text::EpaintText;
use crate::model::Rgba;

fn solid(color: Rgba) -> Paint<'static> {
    let [r, g, b, a] = color.0;
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, a);
    paint.anti_alias = true;
    paint
}

fn polyline(points: &[[f32; 2]], closed: bool) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let (first, rest) = points.split_first()?;
    pb.move_to(first[0], first[1]);
    for p in rest {
        pb.line_to(p[0], p[1]);
    }
    if closed {
        pb.close();
    }
    pb.finish()
}

fn rings(rings: &[Vec<[f32; 2]>]) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for ring in rings {
        let Some((first, rest)) = ring.split_first() else {
            continue;
        };
        pb.move_to(first[0], first[1]);
        for p in rest {
            pb.line_to(p[0], p[1]);
        }
        pb.close();
    }
    pb.finish()
}

/// What the last `Clip` op cut the pixmap to: the rectangle and its mask.
type Cut = Option<(RectPx, Mask)>;

fn fill(pixmap: &mut Pixmap, cut: &Cut, path: Option<Path>, color: Rgba, rule: FillRule) {
    if let Some(path) = path {
        let mask = cut.as_ref().map(|(_, m)| m);
        pixmap.fill_path(&path, &solid(color), rule, Transform::identity(), mask);
    }
}

fn stroke(
    pixmap: &mut Pixmap,
    cut: &Cut,
    path: Option<Path>,
    width: f32,
    color: Rgba,
    dash: Option<DashPx>,
) {
    let Some(path) = path else { return };
    let stroke = Stroke {
        width,
        line_cap: if dash.is_some() {
            LineCap::Butt
        } else {
            LineCap::Round
        },
        line_join: LineJoin::Round,
        dash: dash.and_then(|(d, g)| StrokeDash::new(vec![d, g], 0.0)),
        ..Stroke::default()
    };
    let mask = cut.as_ref().map(|(_, m)| m);
    pixmap.stroke_path(&path, &solid(color), &stroke, Transform::identity(), mask);
}

fn circle(center: [f32; 2], radius: f32) -> Option<Path> {
    PathBuilder::from_circle(center[0], center[1], radius)
}

/// Paints every operation of the list onto the pixmap, in order.
pub fn paint(pixmap: &mut Pixmap, list: &DisplayList, text: &EpaintText) {
    let mut cut: Cut = None;
    for op in &list.ops {
        match op {
            PaintOp::FillRings { rings: r, color } => {
                fill(pixmap, &cut, rings(r), *color, FillRule::EvenOdd);
            }
            PaintOp::Stroke {
                points,
                closed,
                width_px,
                color,
                dash_px,
            } => stroke(
                pixmap,
                &cut,
                polyline(points, *closed),
                *width_px,
                *color,
                *dash_px,
            ),
            PaintOp::FillRect {
                rect_px,
                radius_px,
                color,
            } => {
                let outline = rounded_rect_points(*rect_px, *radius_px, CORNER_SEGMENTS);
                fill(
                    pixmap,
                    &cut,
                    polyline(&outline, true),
                    *color,
                    FillRule::Winding,
                );
            }
            PaintOp::FillCircle {
                center_px,
                radius_px,
                color,
            } => fill(
                pixmap,
                &cut,
                circle(*center_px, *radius_px),
                *color,
                FillRule::Winding,
            ),
            PaintOp::StrokeCircle {
                center_px,
                radius_px,
                width_px,
                color,
                dash_px,
            } => stroke(
                pixmap,
                &cut,
                circle(*center_px, *radius_px),
                *width_px,
                *color,
                *dash_px,
            ),
            PaintOp::Text(run) => {
                super::skia_text::glyphs(pixmap, run, text, cut.as_ref().map(|(r, _)| *r));
            }
            PaintOp::Imagery(op) => imagery(pixmap, op, cut.as_ref().map(|(r, _)| *r)),
            PaintOp::Clip(rect) => {
                cut = rect.and_then(|r| {
                    clip_mask([pixmap.width(), pixmap.height()], r).map(|mask| (r, mask))
                });
            }
        }
    }
}

fn clip_mask(size: [u32; 2], clip: RectPx) -> Option<Mask> {
    let mut mask = Mask::new(size[0], size[1])?;
    let [x0, y0, x1, y1] = clip;
    let path = polyline(&[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], true)?;
    mask.fill_path(&path, FillRule::Winding, false, Transform::identity());
    Some(mask)
}

/// Draws an RGBA image into its destination rectangle, scaled, offset, faded and clipped.
fn imagery(pixmap: &mut Pixmap, op: &ImageryOp, cut: Option<RectPx>) {
    if cut.is_none() && super::pixel_copy::copy_opaque(pixmap, op) {
        return;
    }
    // Window textures exist only on screen.
    let Some((size_px, premultiplied)) = op.source.premultiplied() else {
        return;
    };
    let Some(size) = IntSize::from_wh(size_px[0], size_px[1]) else {
        return;
    };
    let Some(image) = Pixmap::from_vec(premultiplied, size) else {
        return;
    };
    let [x0, y0, x1, y1] = op.dest_px;
    let sx = (x1 - x0) / size_px[0] as f32;
    let sy = (y1 - y0) / size_px[1] as f32;
    let transform =
        Transform::from_row(sx, 0.0, 0.0, sy, x0 + op.offset_px[0], y0 + op.offset_px[1]);
    let mask = clip_intersection(op.clip_px, cut)
        .and_then(|c| clip_mask([pixmap.width(), pixmap.height()], c));
    let paint = PixmapPaint {
        opacity: op.opacity,
        quality: tiny_skia::FilterQuality::Bilinear,
        ..PixmapPaint::default()
    };
    pixmap.draw_pixmap(0, 0, image.as_ref(), &paint, transform, mask.as_ref());
}
