//! Annotations as paint operations: area fills, the dark casing under every line, the lines in
//! their colour and dash, arrowheads, and point markers with a dashed ring when uncertain.

use geo::Coord;

use super::style::{
    ARROW_CASING_PX, CASING, LINE_CASING_EXTRA_PX, MARKER_OUTLINE_PX, MARKER_RING_GAP_PX,
    MARKER_RING_WIDTH_PX, SELECTION, SELECTION_GLOW_EXTRA_PX, SELECTION_MARKER_EXTRA_PX, Scale,
    outline_color,
};
use crate::model::{Mark, Marker, Rgba};
use crate::render::display_list::{DashPx, DisplayList, PaintOp};
use crate::scene::marks::{ARROW_HEAD_PX, arrow_head_px};
use crate::scene::{ItemGeometry, SceneItem};

/// Lon/lat to the view's pixels.
pub type ToPx<'a> = &'a dyn Fn(Coord<f64>) -> [f32; 2];

/// A polygon's rings in the view's pixels, open (the closing vertex dropped).
pub(super) fn rings_px(poly: &geo::Polygon<f64>, to_px: ToPx<'_>) -> Vec<Vec<[f32; 2]>> {
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

/// Area fills, then every casing, then every line and marker, so no casing covers a line.
pub fn lower_items(
    list: &mut DisplayList,
    items: &[&SceneItem],
    to_px: ToPx<'_>,
    s: Scale,
    selection: bool,
) {
    for item in items {
        if let (ItemGeometry::Polygon(poly), Some(fill)) = (&item.geometry, item.fill) {
            list.push(PaintOp::FillRings {
                rings: rings_px(poly, to_px),
                color: fill,
            });
        }
    }
    for casing in [true, false] {
        for item in items {
            lower_outline(list, item, to_px, s, casing, selection && item.selected);
        }
    }
}

fn stroke(points: Vec<[f32; 2]>, closed: bool, width_px: f32, color: Rgba) -> PaintOp {
    PaintOp::Stroke {
        points,
        closed,
        width_px,
        color,
        dash_px: None,
    }
}

fn lower_outline(
    list: &mut DisplayList,
    item: &SceneItem,
    to_px: ToPx<'_>,
    s: Scale,
    casing: bool,
    highlighted: bool,
) {
    let width = s.line(item.stroke.width_px);
    let dash = item.stroke.dash_px.map(|d| s.dash(d));
    let paths: Vec<(Vec<[f32; 2]>, bool)> = match &item.geometry {
        // A text label is drawn as its label alone (centred on the point, with the labels).
        ItemGeometry::Point(_) if item.mark == Mark::Text => return,
        ItemGeometry::Point(c) => {
            let at = to_px(*c);
            if casing {
                if highlighted {
                    list.push(PaintOp::FillCircle {
                        center_px: at,
                        radius_px: s.marker_radius() + SELECTION_MARKER_EXTRA_PX,
                        color: SELECTION,
                    });
                }
            } else {
                lower_marker(
                    list,
                    at,
                    item.marker,
                    item.stroke.color,
                    item.stroke.dash_px,
                    s,
                );
            }
            return;
        }
        ItemGeometry::Line(l) => vec![(l.0.iter().map(|c| to_px(*c)).collect(), false)],
        ItemGeometry::Polygon(p) => rings_px(p, to_px).into_iter().map(|r| (r, true)).collect(),
    };
    for (points, closed) in &paths {
        if casing {
            if highlighted {
                let glow = width + s.px(SELECTION_GLOW_EXTRA_PX) + 4.0;
                list.push(stroke(points.clone(), *closed, glow, SELECTION));
            }
            // The casing is solid under dashed lines too, so the dash gaps read on any imagery.
            let casing_width = width + s.soft(LINE_CASING_EXTRA_PX);
            list.push(stroke(points.clone(), *closed, casing_width, CASING));
        } else {
            list.push(PaintOp::Stroke {
                points: points.clone(),
                closed: *closed,
                width_px: width,
                color: item.stroke.color,
                dash_px: dash,
            });
        }
    }
    // An arrow (callout) gets a head at its last vertex, over the casing like the line.
    if item.mark == Mark::Arrow
        && let Some((points, _)) = paths.first()
        && let [.., tail, head] = points.as_slice()
    {
        let length = s.at_least(ARROW_HEAD_PX, 8.0) + width;
        if let Some(corners) = arrow_head_px(*tail, *head, length) {
            let ring = corners.to_vec();
            if casing {
                list.push(stroke(ring.clone(), true, s.soft(ARROW_CASING_PX), CASING));
                list.push(PaintOp::FillRings {
                    rings: vec![ring],
                    color: CASING,
                });
            } else {
                list.push(PaintOp::FillRings {
                    rings: vec![ring],
                    color: item.stroke.color,
                });
            }
        }
    }
}

/// A point marker: filled in the colour, outlined in black, and ringed with the certainty's
/// dash when not confirmed (as lines show certainty in their dash).
#[allow(clippy::many_single_char_names)] // marker geometry reads as x, y, r
pub fn lower_marker(
    list: &mut DisplayList,
    at: [f32; 2],
    marker: Marker,
    color: Rgba,
    dash: Option<DashPx>,
    s: Scale,
) {
    let r = s.marker_radius();
    let outline = s.at_least(MARKER_OUTLINE_PX, 1.0);
    let [x, y] = at;
    let black = outline_color();
    match marker {
        Marker::Circle => {
            list.push(PaintOp::FillCircle {
                center_px: at,
                radius_px: r,
                color,
            });
            list.push(PaintOp::StrokeCircle {
                center_px: at,
                radius_px: r,
                width_px: outline,
                color: black,
                dash_px: None,
            });
        }
        Marker::Square | Marker::Triangle | Marker::Diamond => {
            let shape: Vec<[f32; 2]> = match marker {
                Marker::Square => {
                    let h = 0.9 * r;
                    vec![
                        [x - h, y - h],
                        [x + h, y - h],
                        [x + h, y + h],
                        [x - h, y + h],
                    ]
                }
                Marker::Triangle => vec![
                    [x, y - 1.2 * r],
                    [x + 1.05 * r, y + 0.7 * r],
                    [x - 1.05 * r, y + 0.7 * r],
                ],
                _ => vec![[x, y - 1.25 * r], [x + r, y], [x, y + 1.25 * r], [x - r, y]],
            };
            list.push(PaintOp::FillRings {
                rings: vec![shape.clone()],
                color,
            });
            list.push(stroke(shape, true, outline, black));
        }
    }
    if let Some(d) = dash {
        list.push(PaintOp::StrokeCircle {
            center_px: at,
            radius_px: r + s.soft(MARKER_RING_GAP_PX),
            width_px: s.at_least(MARKER_RING_WIDTH_PX, 1.0),
            color,
            dash_px: Some(s.dash(d)),
        });
    }
}
