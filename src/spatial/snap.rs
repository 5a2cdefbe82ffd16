//! Snapping: the pointer jumps to a nearby vertex, or else to the nearest point of a nearby edge.
//!
//! Distances are in screen pixels (the tolerance means the same at every zoom); the caller maps
//! lon/lat to the screen and back.

use geo::Coord;

/// Default snapping distance in screen pixels.
pub const SNAP_TOLERANCE_PX: f64 = 8.0;

/// What the pointer snapped to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SnapKind {
    /// An existing vertex.
    Vertex,
    /// A point on an existing edge.
    Edge,
}

/// A snapped position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    /// Where the pointer snapped to.
    pub lonlat: Coord<f64>,
    /// Vertex or edge.
    pub kind: SnapKind,
}

/// A path to snap to: its vertices and whether the last joins the first (an area's ring).
pub struct SnapPath<'a> {
    /// The vertices in lon/lat.
    pub coords: &'a [Coord<f64>],
    /// True for rings.
    pub closed: bool,
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The nearest point of segment `a`–`b` to `p`, as the fraction along it.
fn closest_fraction(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Snaps `pointer_px` to the paths: the nearest vertex within `tolerance_px`, else the nearest
/// edge point within it; `None` when nothing is that close. Vertices win over edges so corners
/// can be hit exactly.
pub fn snap(
    pointer_px: [f64; 2],
    paths: &[SnapPath<'_>],
    tolerance_px: f64,
    to_screen: &dyn Fn(Coord<f64>) -> [f64; 2],
    from_screen: &dyn Fn([f64; 2]) -> Coord<f64>,
) -> Option<Snap> {
    let tol2 = tolerance_px * tolerance_px;
    let mut best_vertex: Option<(f64, Coord<f64>)> = None;
    let mut best_edge: Option<(f64, [f64; 2])> = None;
    for path in paths {
        let screen: Vec<[f64; 2]> = path.coords.iter().map(|c| to_screen(*c)).collect();
        for (c, s) in path.coords.iter().zip(&screen) {
            let d = dist2(pointer_px, *s);
            if d <= tol2 && best_vertex.is_none_or(|(bd, _)| d < bd) {
                best_vertex = Some((d, *c));
            }
        }
        let closing = if path.closed && screen.len() > 2 {
            screen.first().zip(screen.last()).map(|(f, l)| [*l, *f])
        } else {
            None
        };
        let pairs = screen
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some([*a, *b]),
                _ => None,
            })
            .chain(closing);
        for [a, b] in pairs {
            let t = closest_fraction(pointer_px, a, b);
            let q = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
            let d = dist2(pointer_px, q);
            if d <= tol2 && best_edge.is_none_or(|(bd, _)| d < bd) {
                best_edge = Some((d, q));
            }
        }
    }
    if let Some((_, lonlat)) = best_vertex {
        return Some(Snap {
            lonlat,
            kind: SnapKind::Vertex,
        });
    }
    best_edge.map(|(_, q)| Snap {
        lonlat: from_screen(q),
        kind: SnapKind::Edge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // A plain 100 px per degree screen, y down.
    fn to_screen(c: Coord<f64>) -> [f64; 2] {
        [c.x * 100.0, -c.y * 100.0]
    }
    fn from_screen(p: [f64; 2]) -> Coord<f64> {
        Coord {
            x: p[0] / 100.0,
            y: -p[1] / 100.0,
        }
    }
    fn square() -> Vec<Coord<f64>> {
        vec![
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1.0, y: 0.0 },
            Coord { x: 1.0, y: 1.0 },
            Coord { x: 0.0, y: 1.0 },
        ]
    }

    fn snap_at(p: [f64; 2], closed: bool) -> Option<Snap> {
        let coords = square();
        let paths = [SnapPath {
            coords: &coords,
            closed,
        }];
        snap(p, &paths, 8.0, &to_screen, &from_screen)
    }

    #[test]
    fn nothing_nearby_means_no_snap() {
        assert_eq!(snap_at([50.0, -50.0], true), None);
        assert_eq!(snap([0.0, 0.0], &[], 8.0, &to_screen, &from_screen), None);
    }

    #[test]
    fn a_nearby_vertex_wins_over_a_nearer_edge() {
        // 5 px right of (1, 1) and 1 px below the top edge's line.
        let s = snap_at([105.0, -99.0], true).unwrap();
        assert_eq!(s.kind, SnapKind::Vertex);
        assert_eq!(s.lonlat, Coord { x: 1.0, y: 1.0 });
    }

    #[test]
    fn the_pointer_lands_on_the_nearest_point_of_an_edge() {
        let s = snap_at([50.0, 4.0], true).unwrap();
        assert_eq!(s.kind, SnapKind::Edge);
        assert!((s.lonlat.x - 0.5).abs() < 1e-9 && s.lonlat.y.abs() < 1e-9);
    }

    #[test]
    fn only_rings_snap_to_their_closing_edge() {
        // Near the middle of the left edge (0,1)→(0,0), which only a ring has.
        assert_eq!(
            snap_at([3.0, -50.0], true).map(|s| s.kind),
            Some(SnapKind::Edge)
        );
        assert_eq!(snap_at([3.0, -50.0], false), None);
    }
}
