//! Which item is under the pointer, in screen space (so tolerances are in pixels at any zoom).

use geo::Coord;

use super::{ItemGeometry, Scene, SceneItem};

fn dist_to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt()
}

fn inside(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (Some(a), Some(b)) = (ring.get(i), ring.get((i + n - 1) % n)) else {
            continue;
        };
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
    }
    inside
}

/// The topmost item within `tolerance_px` of `pointer_px` (points and lines), or whose area
/// contains it. `to_screen` maps lon/lat to screen pixels.
pub fn hit_test(
    scene: &Scene,
    pointer_px: [f64; 2],
    tolerance_px: f64,
    to_screen: &dyn Fn(Coord<f64>) -> [f64; 2],
) -> Option<String> {
    // Items are in draw order; the last drawn is on top.
    scene
        .items
        .iter()
        .rev()
        .find(|item| item_hit(item, pointer_px, tolerance_px, to_screen))
        .map(|item| item.id.clone())
}

/// True when the pointer is within `tolerance_px` of the item (a marker gets half as much again),
/// or inside its area.
pub fn item_hit(
    item: &SceneItem,
    pointer_px: [f64; 2],
    tolerance_px: f64,
    to_screen: &dyn Fn(Coord<f64>) -> [f64; 2],
) -> bool {
    match &item.geometry {
        ItemGeometry::Point(c) => {
            let s = to_screen(*c);
            ((s[0] - pointer_px[0]).powi(2) + (s[1] - pointer_px[1]).powi(2)).sqrt()
                <= tolerance_px * 1.5
        }
        ItemGeometry::Line(l) => {
            let pts: Vec<[f64; 2]> = l.0.iter().map(|c| to_screen(*c)).collect();
            pts.windows(2).any(|w| match w {
                [a, b] => dist_to_segment(pointer_px, *a, *b) <= tolerance_px,
                _ => false,
            })
        }
        ItemGeometry::Polygon(p) => {
            let ring: Vec<[f64; 2]> = p.exterior().0.iter().map(|c| to_screen(*c)).collect();
            inside(pointer_px, &ring)
                || ring.windows(2).any(|w| match w {
                    [a, b] => dist_to_segment(pointer_px, *a, *b) <= tolerance_px,
                    _ => false,
                })
        }
    }
}
