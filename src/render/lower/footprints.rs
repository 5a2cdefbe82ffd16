//! The Find imagery window's results over the map: each scene's footprint outlined, the selected
//! one filled and cased on top. An aid to choosing scenes, never part of a figure.

use geo::Coord;

use crate::model::Rgba;
use crate::render::display_list::{DisplayList, PaintOp};

/// Footprint outlines: sky blue.
pub const FOOTPRINT_COLOR: Rgba = Rgba::rgb(0x56, 0xB4, 0xE9);
/// The selected footprint: yellow.
pub const SELECTED_COLOR: Rgba = Rgba::rgb(0xF0, 0xE4, 0x42);
/// Casing of the selected footprint.
const CASING_COLOR: Rgba = Rgba::rgb(0x20, 0x20, 0x20);
/// Fill alpha of the selected footprint.
const SELECTED_FILL_ALPHA: u8 = 40;
/// Outline widths: a footprint, the selected one, and its casing.
const WIDTH_PX: (f32, f32, f32) = (1.25, 2.5, 4.5);
/// The dash of unselected outlines (many scenes share a footprint; dashes keep the map legible).
const DASH_PX: (f32, f32) = (6.0, 4.0);

/// One result's footprint to draw.
#[derive(Clone, Copy, Debug)]
pub struct FootprintMark<'a> {
    /// Its outer rings in `[lon, lat]`, closed or open.
    pub rings_lonlat: &'a [Vec<[f64; 2]>],
    /// The result selected in the list.
    pub selected: bool,
}

/// Open rings in pixels (a repeated closing vertex dropped), rings under three points left out.
fn rings_px(rings: &[Vec<[f64; 2]>], to_px: &dyn Fn(Coord<f64>) -> [f32; 2]) -> Vec<Vec<[f32; 2]>> {
    rings
        .iter()
        .map(|ring| {
            let closed = ring.len() > 1 && ring.first() == ring.last();
            let n = ring.len() - usize::from(closed);
            ring.iter()
                .take(n)
                .map(|&[x, y]| to_px(Coord { x, y }))
                .collect::<Vec<_>>()
        })
        .filter(|r| r.len() >= 3)
        .collect()
}

/// Appends the footprints, the selected one last so it is on top.
pub fn lower_footprints(
    list: &mut DisplayList,
    marks: &[FootprintMark<'_>],
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
) {
    let (rest, selected): (Vec<&FootprintMark<'_>>, Vec<&FootprintMark<'_>>) =
        marks.iter().partition(|m| !m.selected);
    for mark in rest.into_iter().chain(selected) {
        let rings = rings_px(mark.rings_lonlat, to_px);
        if mark.selected && !rings.is_empty() {
            list.push(PaintOp::FillRings {
                rings: rings.clone(),
                color: SELECTED_COLOR.with_alpha(SELECTED_FILL_ALPHA),
            });
        }
        for ring in rings {
            if mark.selected {
                list.push(PaintOp::Stroke {
                    points: ring.clone(),
                    closed: true,
                    width_px: WIDTH_PX.2,
                    color: CASING_COLOR,
                    dash_px: None,
                });
            }
            let (width_px, color, dash_px) = if mark.selected {
                (WIDTH_PX.1, SELECTED_COLOR, None)
            } else {
                (WIDTH_PX.0, FOOTPRINT_COLOR, Some(DASH_PX))
            };
            list.push(PaintOp::Stroke {
                points: ring,
                closed: true,
                width_px,
                color,
                dash_px,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64) -> Vec<Vec<[f64; 2]>> {
        vec![vec![
            [x, 0.0],
            [x + 1.0, 0.0],
            [x + 1.0, 1.0],
            [x, 1.0],
            [x, 0.0],
        ]]
    }

    #[test]
    fn footprints_are_dashed_outlines_and_the_selected_one_is_filled_and_cased_on_top() {
        let (a, b) = (square(0.0), square(2.0));
        let marks = [
            FootprintMark {
                rings_lonlat: &a,
                selected: true,
            },
            FootprintMark {
                rings_lonlat: &b,
                selected: false,
            },
        ];
        let mut list = DisplayList::new([100.0, 100.0]);
        lower_footprints(&mut list, &marks, &|p| {
            [(p.x * 10.0) as f32, (p.y * 10.0) as f32]
        });
        let kinds: Vec<(Rgba, bool)> = list
            .ops
            .iter()
            .map(|op| match op {
                PaintOp::Stroke {
                    color,
                    dash_px,
                    points,
                    ..
                } => {
                    assert_eq!(points.len(), 4, "open rings");
                    (*color, dash_px.is_some())
                }
                PaintOp::FillRings { color, .. } => (*color, false),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (FOOTPRINT_COLOR, true),
                (SELECTED_COLOR.with_alpha(SELECTED_FILL_ALPHA), false),
                (CASING_COLOR, false),
                (SELECTED_COLOR, false),
            ]
        );
    }

    #[test]
    fn a_degenerate_footprint_draws_nothing() {
        let line = vec![vec![[0.0, 0.0], [1.0, 1.0]]];
        let mut list = DisplayList::new([10.0, 10.0]);
        lower_footprints(
            &mut list,
            &[FootprintMark {
                rings_lonlat: &line,
                selected: true,
            }],
            &|_| [0.0, 0.0],
        );
        assert!(list.ops.is_empty());
    }
}
