//! A region's outline: the boundary between its pixels and the rest, traced along pixel edges.
//!
//! Every pixel edge with the region on one side and not on the other becomes a directed edge,
//! walked with the region on its right (rows grow downwards). At a vertex where two region
//! pixels touch only at a corner the walk turns left, across the corner: a 4-connected region
//! that meets itself there has wrapped around something, which becomes a hole touching the
//! outer ring at that vertex. So every ring is simple (no vertex twice), as GeoJSON consumers
//! expect. Vertices along straight runs are dropped.

use geo::Coord;

use super::regions::RegionMask;

/// Rings of one region in grid pixel-edge coordinates (x right, y down): the outer ring first,
/// then the holes. Each ring is closed (last vertex = first).
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    /// The outer ring.
    pub exterior: Vec<Coord<f64>>,
    /// One ring per hole.
    pub holes: Vec<Vec<Coord<f64>>>,
}

/// Directions: east, south, west, north (y down).
const DIRS: [(i64, i64); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];

/// Twice the signed area of a closed ring (positive: clockwise on screen, y down).
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| match w {
            [a, b] => a.x * b.y - b.x * a.y,
            _ => 0.0,
        })
        .sum()
}

/// Traces `region`'s outline (see the module docs); `None` for an empty region.
#[must_use]
#[allow(clippy::many_single_char_names)] // x, y, w, h, a, b: the usual names in raster maths
pub fn outline(region: &RegionMask) -> Option<Outline> {
    let (w, h) = (region.width as i64, region.height as i64);
    let inside = |x: i64, y: i64| -> bool {
        x >= 0
            && y >= 0
            && x < w
            && y < h
            && region
                .mask
                .get((y * w + x) as usize)
                .copied()
                .unwrap_or(false)
    };
    // Edges: (start vertex x, y, direction index). Vertex grid is (w+1) × (h+1).
    let vw = w + 1;
    let vertex = |x: i64, y: i64| (y * vw + x) as usize;
    let mut edges: Vec<(i64, i64, usize)> = Vec::new();
    let mut out_of: Vec<[u32; 2]> = vec![[u32::MAX; 2]; ((w + 1) * (h + 1)) as usize];
    let mut add = |edges: &mut Vec<(i64, i64, usize)>, x: i64, y: i64, d: usize| {
        let id = edges.len() as u32;
        edges.push((x, y, d));
        if let Some(slots) = out_of.get_mut(vertex(x, y)) {
            if slots[0] == u32::MAX {
                slots[0] = id;
            } else {
                slots[1] = id;
            }
        }
    };
    for y in 0..h {
        for x in 0..w {
            if !inside(x, y) {
                continue;
            }
            // Clockwise around the pixel (on screen), region on the right.
            if !inside(x, y - 1) {
                add(&mut edges, x, y, 0);
            }
            if !inside(x + 1, y) {
                add(&mut edges, x + 1, y, 1);
            }
            if !inside(x, y + 1) {
                add(&mut edges, x + 1, y + 1, 2);
            }
            if !inside(x - 1, y) {
                add(&mut edges, x, y + 1, 3);
            }
        }
    }
    if edges.is_empty() {
        return None;
    }
    let mut used = vec![false; edges.len()];
    let mut rings: Vec<Vec<Coord<f64>>> = Vec::new();
    for first in 0..edges.len() {
        if used.get(first).copied().unwrap_or(true) {
            continue;
        }
        let mut ring: Vec<Coord<f64>> = Vec::new();
        let mut current = first;
        while let Some(&(x, y, d)) = edges.get(current) {
            if let Some(u) = used.get_mut(current) {
                *u = true;
            }
            ring.push(Coord {
                x: (x + region.x0 as i64) as f64,
                y: (y + region.y0 as i64) as f64,
            });
            let (dx, dy) = DIRS.get(d).copied().unwrap_or((0, 0));
            let (ex, ey) = (x + dx, y + dy);
            let Some(slots) = out_of.get(vertex(ex, ey)) else {
                break;
            };
            let left = (d + 3) % 4;
            let next = match (slots[0], slots[1]) {
                (a, u32::MAX) => a,
                (a, b) => {
                    let dir_of = |e: u32| edges.get(e as usize).map_or(usize::MAX, |e| e.2);
                    if dir_of(a) == left { a } else { b }
                }
            } as usize;
            if next == first || used.get(next).copied().unwrap_or(true) {
                break;
            }
            current = next;
        }
        rings.push(simplify_straight(&ring));
    }
    // The outer ring is the one with the largest area; it runs clockwise on screen.
    let (outer_index, _) = rings
        .iter()
        .enumerate()
        .map(|(i, r)| (i, signed_area2(r)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let exterior = rings.swap_remove(outer_index);
    Some(Outline {
        exterior,
        holes: rings,
    })
}

/// Drops vertices in the middle of straight runs; closes the ring.
fn simplify_straight(ring: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let n = ring.len();
    let mut kept: Vec<Coord<f64>> = Vec::with_capacity(n + 1);
    for i in 0..n {
        let (Some(&prev), Some(&here), Some(&next)) = (
            ring.get((i + n - 1) % n),
            ring.get(i),
            ring.get((i + 1) % n),
        ) else {
            continue;
        };
        let cross = (here.x - prev.x) * (next.y - here.y) - (here.y - prev.y) * (next.x - here.x);
        if cross != 0.0 {
            kept.push(here);
        }
    }
    if let Some(&first) = kept.first() {
        kept.push(first);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(x0: usize, y0: usize, rows: &[&str]) -> RegionMask {
        let width = rows.first().map_or(0, |r| r.len());
        let mask = rows
            .iter()
            .flat_map(|r| r.chars().map(|c| c == '#'))
            .collect();
        RegionMask {
            x0,
            y0,
            width,
            height: rows.len(),
            mask,
        }
    }

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn an_empty_region_has_no_outline() {
        assert!(outline(&region(0, 0, &["..", ".."])).is_none());
    }

    #[test]
    fn one_pixel_is_a_unit_square_at_its_place() {
        let o = outline(&region(5, 7, &["#"])).unwrap();
        assert_eq!(
            o.exterior,
            [
                c(5.0, 7.0),
                c(6.0, 7.0),
                c(6.0, 8.0),
                c(5.0, 8.0),
                c(5.0, 7.0)
            ]
        );
        assert!(o.holes.is_empty());
    }

    #[test]
    fn an_l_shape_has_six_corners() {
        let o = outline(&region(0, 0, &["#.", "#.", "##"])).unwrap();
        assert_eq!(o.exterior.len(), 7, "{:?}", o.exterior);
        assert!((signed_area2(&o.exterior) / 2.0 - 4.0).abs() < 1e-9);
    }

    #[test]
    fn a_ring_has_one_hole_running_the_other_way() {
        let o = outline(&region(0, 0, &["###", "#.#", "###"])).unwrap();
        assert_eq!(o.holes.len(), 1);
        assert!((signed_area2(&o.exterior) / 2.0 - 9.0).abs() < 1e-9);
        assert!((signed_area2(&o.holes[0]) / 2.0 + 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_pinch_at_a_corner_gives_simple_rings() {
        // A 4-connected hook whose tip touches its own arm at a corner (vertex 3,2).
        let o = outline(&region(0, 0, &["####", "#..#", "#.#.", "###."])).unwrap();
        let total = signed_area2(&o.exterior) / 2.0
            + o.holes.iter().map(|h| signed_area2(h) / 2.0).sum::<f64>();
        assert!((total - 11.0).abs() < 1e-9, "{o:?}");
        for ring in std::iter::once(&o.exterior).chain(&o.holes) {
            let mut seen = ring[..ring.len() - 1].to_vec();
            seen.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
            seen.dedup();
            assert_eq!(seen.len(), ring.len() - 1, "a vertex repeats in {ring:?}");
        }
    }
}
