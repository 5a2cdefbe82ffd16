//! The change finder's candidates over the map: each outline coloured by its class (brighter,
//! darker, texture or colour), filled while it waits for review, solid once accepted, dashed
//! grey once rejected, and the one under review cased in white.

use geo::{Coord, Polygon};

use crate::analysis::change::ChangeClass;
use crate::model::Rgba;
use crate::render::display_list::{DisplayList, PaintOp};

/// New or brighter: amber.
pub const BRIGHTER_COLOR: Rgba = Rgba::rgb(0xFF, 0xC8, 0x3C);
/// Darker or gone: reddish purple.
pub const DARKER_COLOR: Rgba = Rgba::rgb(0xCC, 0x79, 0xA7);
/// Texture or colour: cyan.
pub const TEXTURE_COLOR: Rgba = Rgba::rgb(0x2C, 0xD4, 0xD4);
/// Rejected candidates: grey.
const REJECTED_COLOR: Rgba = Rgba::rgb(0x9A, 0x9A, 0x9A);
/// Casing of the candidate under review.
const CASING_COLOR: Rgba = Rgba::rgb(0xFF, 0xFF, 0xFF);
/// Fill alpha while waiting, and once accepted.
const FILL_ALPHA: (u8, u8) = (45, 90);
/// Outline widths: an outline, the selected one, and the selected one's casing.
const WIDTH_PX: (f32, f32, f32) = (1.5, 2.5, 5.0);
/// The dash of rejected outlines.
const REJECTED_DASH_PX: (f32, f32) = (5.0, 4.0);

/// Where a candidate's review stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewState {
    /// Not yet accepted or rejected.
    #[default]
    Waiting,
    /// Accepted (an annotation made or ended).
    Accepted,
    /// Rejected.
    Rejected,
}

/// One candidate to draw.
#[derive(Clone, Copy, Debug)]
pub struct CandidateMark<'a> {
    /// Its outline, lon/lat.
    pub polygon: &'a Polygon<f64>,
    /// Its class.
    pub class: ChangeClass,
    /// Its review.
    pub review: ReviewState,
    /// Under review now.
    pub selected: bool,
}

/// A class's colour.
#[must_use]
pub fn class_color(class: ChangeClass) -> Rgba {
    match class {
        ChangeClass::Brighter => BRIGHTER_COLOR,
        ChangeClass::Darker => DARKER_COLOR,
        ChangeClass::TextureOrColour => TEXTURE_COLOR,
    }
}

/// Open rings in pixels, rings under three points left out.
fn rings_px(polygon: &Polygon<f64>, to_px: &dyn Fn(Coord<f64>) -> [f32; 2]) -> Vec<Vec<[f32; 2]>> {
    let mut rings = super::items::rings_px(polygon, to_px);
    rings.retain(|r| r.len() >= 3);
    rings
}

/// Appends the candidates, the selected one last so it is on top.
pub fn lower_candidates(
    list: &mut DisplayList,
    marks: &[CandidateMark<'_>],
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
) {
    let (rest, selected): (Vec<&CandidateMark<'_>>, Vec<&CandidateMark<'_>>) =
        marks.iter().partition(|m| !m.selected);
    for mark in rest.into_iter().chain(selected) {
        let rings = rings_px(mark.polygon, to_px);
        if rings.is_empty() {
            continue;
        }
        let color = class_color(mark.class);
        let fill = match mark.review {
            ReviewState::Waiting => Some(color.with_alpha(FILL_ALPHA.0)),
            ReviewState::Accepted => Some(color.with_alpha(FILL_ALPHA.1)),
            ReviewState::Rejected => None,
        };
        if let Some(fill) = fill {
            list.push(PaintOp::FillRings {
                rings: rings.clone(),
                color: fill,
            });
        }
        let (stroke, dash) = match mark.review {
            ReviewState::Rejected => (REJECTED_COLOR, Some(REJECTED_DASH_PX)),
            _ => (color, None),
        };
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
            list.push(PaintOp::Stroke {
                points: ring,
                closed: true,
                width_px: if mark.selected {
                    WIDTH_PX.1
                } else {
                    WIDTH_PX.0
                },
                color: stroke,
                dash_px: dash,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64) -> Polygon<f64> {
        polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0), (x: x, y: 0.0)]
    }

    fn strokes(list: &DisplayList) -> Vec<(Rgba, f32, bool)> {
        list.ops
            .iter()
            .filter_map(|op| match op {
                PaintOp::Stroke {
                    color,
                    width_px,
                    dash_px,
                    ..
                } => Some((*color, *width_px, dash_px.is_some())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn candidates_take_their_class_colour_and_the_selected_one_is_cased_on_top() {
        let (a, b, c) = (square(0.0), square(2.0), square(4.0));
        let marks = [
            CandidateMark {
                polygon: &a,
                class: ChangeClass::Brighter,
                review: ReviewState::Waiting,
                selected: true,
            },
            CandidateMark {
                polygon: &b,
                class: ChangeClass::Darker,
                review: ReviewState::Accepted,
                selected: false,
            },
            CandidateMark {
                polygon: &c,
                class: ChangeClass::TextureOrColour,
                review: ReviewState::Rejected,
                selected: false,
            },
        ];
        let mut list = DisplayList::new([100.0, 100.0]);
        lower_candidates(&mut list, &marks, &|p| {
            [(p.x * 10.0) as f32, (p.y * 10.0) as f32]
        });
        assert_eq!(
            strokes(&list),
            vec![
                (DARKER_COLOR, WIDTH_PX.0, false),
                (REJECTED_COLOR, WIDTH_PX.0, true),
                (CASING_COLOR, WIDTH_PX.2, false),
                (BRIGHTER_COLOR, WIDTH_PX.1, false),
            ]
        );
        let fills: Vec<Rgba> = list
            .ops
            .iter()
            .filter_map(|op| match op {
                PaintOp::FillRings { color, rings } => {
                    assert_eq!(rings[0].len(), 4, "open rings");
                    Some(*color)
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            fills,
            vec![
                DARKER_COLOR.with_alpha(FILL_ALPHA.1),
                BRIGHTER_COLOR.with_alpha(FILL_ALPHA.0)
            ],
            "a rejected candidate is not filled"
        );
    }
}
