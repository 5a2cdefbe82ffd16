//! Where a selected feature's edit handles are: one per vertex, and one at the middle of every
//! segment long enough on screen to hold it apart from the vertices.

use geo::Coord;

use super::geometry::segments;
use crate::model::Shape;

/// Pointer distance within which a handle is grabbed, in screen pixels.
pub const HANDLE_GRAB_PX: f32 = 8.0;
/// Segments shorter than this on screen get no midpoint handle (it would sit on the vertices).
pub const MIDPOINT_MIN_SEGMENT_PX: f32 = 24.0;

/// What a handle moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HandleKind {
    /// The vertex of this index.
    Vertex(usize),
    /// The midpoint of the segment that starts at this vertex (dragging inserts a vertex).
    Midpoint(usize),
}

/// One handle, in lon/lat and on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handle {
    /// What it moves.
    pub kind: HandleKind,
    /// Where it is, in lon/lat.
    pub lonlat: Coord<f64>,
    /// Where it is on screen.
    pub px: [f32; 2],
}

/// The handles of a shape: midpoints first, then vertices (vertices are drawn on top and win a
/// grab at the same place).
pub fn handles(shape: &Shape, px_from_lonlat: impl Fn(Coord<f64>) -> [f32; 2]) -> Vec<Handle> {
    let mut out = Vec::new();
    for (i, a, b) in segments(shape) {
        let (pa, pb) = (px_from_lonlat(a), px_from_lonlat(b));
        if distance(pa, pb) < MIDPOINT_MIN_SEGMENT_PX {
            continue;
        }
        let mid = Coord {
            x: f64::midpoint(a.x, b.x),
            y: f64::midpoint(a.y, b.y),
        };
        out.push(Handle {
            kind: HandleKind::Midpoint(i),
            lonlat: mid,
            px: px_from_lonlat(mid),
        });
    }
    for (i, c) in shape.vertices().iter().enumerate() {
        out.push(Handle {
            kind: HandleKind::Vertex(i),
            lonlat: *c,
            px: px_from_lonlat(*c),
        });
    }
    out
}

/// The handle a press at `pointer_px` grabs: the nearest vertex within reach, else the first
/// midpoint within reach.
#[must_use]
pub fn grabbed(handles: &[Handle], pointer_px: [f32; 2]) -> Option<Handle> {
    let within = |h: &&Handle| distance(h.px, pointer_px) <= HANDLE_GRAB_PX;
    handles
        .iter()
        .filter(|h| matches!(h.kind, HandleKind::Vertex(_)))
        .filter(within)
        .min_by(|a, b| distance(a.px, pointer_px).total_cmp(&distance(b.px, pointer_px)))
        .or_else(|| {
            handles
                .iter()
                .filter(|h| matches!(h.kind, HandleKind::Midpoint(_)))
                .find(within)
        })
        .copied()
}

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)] // exact positions are what these tests pin
    use super::*;
    use geo::{LineString, coord};

    fn line() -> Shape {
        Shape::Line(LineString::new(vec![
            coord! { x: 0.0, y: 0.0 },
            coord! { x: 10.0, y: 0.0 },
            coord! { x: 11.0, y: 0.0 },
        ]))
    }

    /// 10 px per degree.
    fn px(c: Coord<f64>) -> [f32; 2] {
        [(c.x * 10.0) as f32, (c.y * 10.0) as f32]
    }

    #[test]
    fn short_segments_get_no_midpoint_handle() {
        let h = handles(&line(), px);
        let mids: Vec<_> = h
            .iter()
            .filter(|h| matches!(h.kind, HandleKind::Midpoint(_)))
            .collect();
        assert_eq!(mids.len(), 1, "only the 100 px segment has a midpoint");
        assert_eq!(mids[0].kind, HandleKind::Midpoint(0));
        assert_eq!(mids[0].px, [50.0, 0.0]);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn the_nearest_vertex_wins_over_a_midpoint() {
        let h = handles(&line(), px);
        assert_eq!(
            grabbed(&h, [104.0, 1.0]).map(|h| h.kind),
            Some(HandleKind::Vertex(1))
        );
        assert_eq!(
            grabbed(&h, [52.0, 3.0]).map(|h| h.kind),
            Some(HandleKind::Midpoint(0))
        );
        assert_eq!(grabbed(&h, [30.0, 0.0]), None);
    }
}
