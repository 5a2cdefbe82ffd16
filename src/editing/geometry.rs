//! Geometry operations of the editor, on lon/lat shapes: building a shape from clicked vertices,
//! moving, inserting and removing vertices, moving a whole feature.
//!
//! Vertex indices are those of [`Shape::vertices`]: a polygon's exterior ring without its closing
//! vertex. Interior rings (holes) move with the feature and are otherwise left alone.

use geo::{Coord, LineString, Orient as _, Point, Polygon, orient::Direction};

use super::tool::Tool;
use crate::model::Shape;

/// The shape a finished drawing makes; `None` when there are too few distinct vertices.
#[must_use]
pub fn shape_from_drawing(tool: Tool, vertices: &[Coord<f64>]) -> Option<Shape> {
    let mut distinct: Vec<Coord<f64>> = Vec::with_capacity(vertices.len());
    for v in vertices {
        if distinct.last() != Some(v) {
            distinct.push(*v);
        }
    }
    if distinct.len() < tool.min_vertices() {
        return None;
    }
    match tool {
        Tool::Point | Tool::Text => distinct.first().map(|c| Shape::Point(Point(*c))),
        Tool::Line | Tool::Measure => Some(Shape::Line(LineString::new(distinct))),
        Tool::Arrow => {
            let (first, last) = (distinct.first()?, distinct.last()?);
            Some(Shape::Line(LineString::new(vec![*first, *last])))
        }
        Tool::Polygon => polygon_from_ring(distinct),
        Tool::Rectangle => {
            let (a, b) = (distinct.first()?, distinct.last()?);
            // Two corners on one horizontal or vertical line make no area.
            if (a.x - b.x).abs() < 1e-12 || (a.y - b.y).abs() < 1e-12 {
                return None;
            }
            polygon_from_ring(vec![
                *a,
                Coord { x: b.x, y: a.y },
                *b,
                Coord { x: a.x, y: b.y },
            ])
        }
        Tool::Select | Tool::Align => None,
    }
}

/// A polygon from an open ring, exterior counter-clockwise as RFC 7946 asks.
fn polygon_from_ring(mut ring: Vec<Coord<f64>>) -> Option<Shape> {
    if ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        return None;
    }
    let first = *ring.first()?;
    ring.push(first);
    let polygon = Polygon::new(LineString::new(ring), vec![]).orient(Direction::Default);
    Some(Shape::Polygon(polygon))
}

fn with_exterior(p: &Polygon<f64>, open_ring: Vec<Coord<f64>>) -> Polygon<f64> {
    let mut ring = open_ring;
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    Polygon::new(LineString::new(ring), p.interiors().to_vec())
}

/// The shape with vertex `index` at `to`; `None` for an index out of range.
#[must_use]
pub fn move_vertex(shape: &Shape, index: usize, to: Coord<f64>) -> Option<Shape> {
    match shape {
        Shape::Point(_) => (index == 0).then_some(Shape::Point(Point(to))),
        Shape::Line(l) => {
            let mut coords = l.0.clone();
            *coords.get_mut(index)? = to;
            Some(Shape::Line(LineString::new(coords)))
        }
        Shape::Polygon(p) => {
            let mut ring = shape.vertices();
            *ring.get_mut(index)? = to;
            Some(Shape::Polygon(with_exterior(p, ring)))
        }
    }
}

/// The shape with a new vertex after vertex `after` (on the segment that starts there; for a
/// polygon the last segment closes the ring). `None` for points or an index out of range.
#[must_use]
pub fn insert_vertex(shape: &Shape, after: usize, at: Coord<f64>) -> Option<Shape> {
    match shape {
        Shape::Point(_) => None,
        Shape::Line(l) => {
            if after + 1 >= l.0.len() {
                return None;
            }
            let mut coords = l.0.clone();
            coords.insert(after + 1, at);
            Some(Shape::Line(LineString::new(coords)))
        }
        Shape::Polygon(p) => {
            let mut ring = shape.vertices();
            if after >= ring.len() {
                return None;
            }
            ring.insert(after + 1, at);
            Some(Shape::Polygon(with_exterior(p, ring)))
        }
    }
}

/// The shape without vertex `index`; `None` when that would leave a line under two vertices or an
/// area under three (delete the feature instead), or for a point.
#[must_use]
pub fn remove_vertex(shape: &Shape, index: usize) -> Option<Shape> {
    match shape {
        Shape::Point(_) => None,
        Shape::Line(l) => {
            if l.0.len() <= 2 || index >= l.0.len() {
                return None;
            }
            let mut coords = l.0.clone();
            coords.remove(index);
            Some(Shape::Line(LineString::new(coords)))
        }
        Shape::Polygon(p) => {
            let mut ring = shape.vertices();
            if ring.len() <= 3 || index >= ring.len() {
                return None;
            }
            ring.remove(index);
            Some(Shape::Polygon(with_exterior(p, ring)))
        }
    }
}

/// The shape moved by `delta` degrees (x = longitude, y = latitude), holes included.
#[must_use]
pub fn translate(shape: &Shape, delta: Coord<f64>) -> Shape {
    let shift = |c: &Coord<f64>| Coord {
        x: c.x + delta.x,
        y: c.y + delta.y,
    };
    let shift_line = |l: &LineString<f64>| LineString::new(l.0.iter().map(shift).collect());
    match shape {
        Shape::Point(p) => Shape::Point(Point(shift(&p.0))),
        Shape::Line(l) => Shape::Line(shift_line(l)),
        Shape::Polygon(p) => Shape::Polygon(Polygon::new(
            shift_line(p.exterior()),
            p.interiors().iter().map(shift_line).collect(),
        )),
    }
}

/// The segments of the shape as (index of their first vertex, first, second), the closing
/// segment of a polygon included.
#[must_use]
pub fn segments(shape: &Shape) -> Vec<(usize, Coord<f64>, Coord<f64>)> {
    let vertices = shape.vertices();
    let mut out: Vec<(usize, Coord<f64>, Coord<f64>)> = vertices
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| match w {
            [a, b] => Some((i, *a, *b)),
            _ => None,
        })
        .collect();
    if let (Shape::Polygon(_), Some(first), Some(last)) = (shape, vertices.first(), vertices.last())
        && vertices.len() >= 3
    {
        out.push((vertices.len() - 1, *last, *first));
    }
    out
}

/// True when a polygon's exterior ring crosses itself (the editor warns and keeps it).
#[must_use]
pub fn self_intersects(shape: &Shape) -> bool {
    let Shape::Polygon(_) = shape else {
        return false;
    };
    let segs = segments(shape);
    let n = segs.len();
    for (i, (_, a, b)) in segs.iter().enumerate() {
        for (j, (_, c, d)) in segs.iter().enumerate().skip(i + 1) {
            // Neighbouring segments share a vertex; that is not a crossing.
            if j == i + 1 || (i == 0 && j + 1 == n) {
                continue;
            }
            if segments_cross(*a, *b, *c, *d) {
                return true;
            }
        }
    }
    false
}

fn cross(o: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

fn segments_cross(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let (d1, d2) = (cross(c, d, a), cross(c, d, b));
    let (d3, d4) = (cross(a, b, c), cross(a, b, d));
    let on = |o: Coord<f64>, p: Coord<f64>, q: Coord<f64>, v: f64| {
        v == 0.0
            && q.x >= o.x.min(p.x)
            && q.x <= o.x.max(p.x)
            && q.y >= o.y.min(p.y)
            && q.y <= o.y.max(p.y)
    };
    ((d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0) && d1 != 0.0 && d2 != 0.0)
        || on(c, d, a, d1)
        || on(c, d, b, d2)
        || on(a, b, c, d3)
        || on(a, b, d, d4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    fn square() -> Shape {
        shape_from_drawing(
            Tool::Polygon,
            &[c(0.0, 0.0), c(1.0, 0.0), c(1.0, 1.0), c(0.0, 1.0)],
        )
        .unwrap()
    }

    #[test]
    fn a_drawing_with_too_few_distinct_vertices_makes_nothing() {
        assert_eq!(shape_from_drawing(Tool::Line, &[]), None);
        assert_eq!(
            shape_from_drawing(Tool::Line, &[c(1.0, 1.0), c(1.0, 1.0)]),
            None
        );
        assert_eq!(
            shape_from_drawing(Tool::Polygon, &[c(0.0, 0.0), c(1.0, 0.0)]),
            None
        );
        assert_eq!(
            shape_from_drawing(Tool::Rectangle, &[c(0.0, 0.0), c(1.0, 0.0)]),
            None,
            "a flat rectangle"
        );
    }

    #[test]
    fn a_polygon_ring_is_closed_and_counter_clockwise() {
        let clockwise = [c(0.0, 0.0), c(0.0, 1.0), c(1.0, 1.0), c(1.0, 0.0)];
        let Some(Shape::Polygon(p)) = shape_from_drawing(Tool::Polygon, &clockwise) else {
            panic!("a polygon");
        };
        assert_eq!(p.exterior().0.len(), 5);
        assert_eq!(p.exterior().0.first(), p.exterior().0.last());
        assert!(geo::Area::signed_area(&p) > 0.0, "counter-clockwise");
    }

    #[test]
    fn a_rectangle_comes_from_two_corners() {
        let shape = shape_from_drawing(Tool::Rectangle, &[c(0.0, 0.0), c(2.0, 1.0)]).unwrap();
        assert_eq!(shape.vertices().len(), 4);
        assert!(shape.vertices().contains(&c(2.0, 0.0)));
    }

    #[test]
    fn an_arrow_keeps_its_tail_and_head() {
        let shape =
            shape_from_drawing(Tool::Arrow, &[c(0.0, 0.0), c(1.0, 1.0), c(2.0, 0.0)]).unwrap();
        assert_eq!(shape.vertices(), vec![c(0.0, 0.0), c(2.0, 0.0)]);
    }

    #[test]
    fn moving_the_first_vertex_of_a_polygon_keeps_the_ring_closed() {
        let moved = move_vertex(&square(), 0, c(-1.0, -1.0)).unwrap();
        let Shape::Polygon(p) = &moved else {
            panic!("polygon")
        };
        assert_eq!(p.exterior().0.first(), Some(&c(-1.0, -1.0)));
        assert_eq!(p.exterior().0.last(), Some(&c(-1.0, -1.0)));
        assert_eq!(move_vertex(&square(), 9, c(0.0, 0.0)), None);
    }

    #[test]
    fn inserting_on_the_closing_segment_appends_to_the_ring() {
        let s = square();
        let n = s.vertices().len();
        let grown = insert_vertex(&s, n - 1, c(-0.5, 0.5)).unwrap();
        assert_eq!(grown.vertices().len(), n + 1);
        assert_eq!(grown.vertices().last(), Some(&c(-0.5, 0.5)));
    }

    #[test]
    fn vertices_cannot_be_removed_below_a_valid_shape() {
        let triangle =
            shape_from_drawing(Tool::Polygon, &[c(0.0, 0.0), c(1.0, 0.0), c(1.0, 1.0)]).unwrap();
        assert_eq!(remove_vertex(&triangle, 0), None);
        assert_eq!(remove_vertex(&square(), 1).unwrap().vertices().len(), 3);
        let line = Shape::Line(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]));
        assert_eq!(remove_vertex(&line, 0), None);
    }

    #[test]
    fn translating_moves_every_vertex_by_the_same_amount() {
        let moved = translate(&square(), c(1.0, 2.0));
        for (a, b) in square().vertices().iter().zip(moved.vertices()) {
            assert_eq!(b, c(a.x + 1.0, a.y + 2.0));
        }
    }

    #[test]
    fn a_polygon_has_a_closing_segment() {
        assert_eq!(segments(&square()).len(), 4);
        let line = Shape::Line(LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)]));
        assert_eq!(segments(&line).len(), 2);
    }

    #[test]
    fn a_bow_tie_intersects_itself_and_a_square_does_not() {
        let bow = Shape::Polygon(Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (1.0, 1.0),
                (1.0, 0.0),
                (0.0, 1.0),
                (0.0, 0.0),
            ]),
            vec![],
        ));
        assert!(self_intersects(&bow));
        assert!(!self_intersects(&square()));
    }
}
