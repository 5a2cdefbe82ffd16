//! Geometries as shapes: WKT text (CSV columns) and `geo` geometries (GPX, Shapefile) split into
//! one [`Shape`] per part, every position checked.

use geo::{Coord, Geometry, LineString, Point, Polygon};
use wkt::TryFromWkt as _;

use super::mapping::check_position;
use crate::model::Shape;

fn checked(c: Coord<f64>) -> Result<Coord<f64>, String> {
    check_position(c.x, c.y)
}

fn line(l: &LineString<f64>) -> Result<LineString<f64>, String> {
    let coords =
        l.0.iter()
            .map(|c| checked(*c))
            .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 2 {
        return Err("a line needs at least two positions".into());
    }
    Ok(LineString::new(coords))
}

fn ring(l: &LineString<f64>) -> Result<LineString<f64>, String> {
    let mut coords =
        l.0.iter()
            .map(|c| checked(*c))
            .collect::<Result<Vec<_>, _>>()?;
    if coords.first() != coords.last()
        && let Some(first) = coords.first().copied()
    {
        coords.push(first);
    }
    if coords.len() < 4 {
        return Err("a polygon ring needs at least three distinct positions".into());
    }
    Ok(LineString::new(coords))
}

/// A polygon with every ring checked and closed.
pub(crate) fn polygon(p: &Polygon<f64>) -> Result<Polygon<f64>, String> {
    Ok(Polygon::new(
        ring(p.exterior())?,
        p.interiors().iter().map(ring).collect::<Result<_, _>>()?,
    ))
}

/// The parts of a geometry in lon/lat: multi-geometries and collections split.
pub(crate) fn geometry_shapes(g: &Geometry<f64>) -> Result<Vec<Shape>, String> {
    Ok(match g {
        Geometry::Point(p) => vec![Shape::Point(Point(checked(p.0)?))],
        Geometry::MultiPoint(m) => {
            m.0.iter()
                .map(|p| checked(p.0).map(|c| Shape::Point(Point(c))))
                .collect::<Result<_, _>>()?
        }
        Geometry::Line(l) => vec![Shape::Line(line(&LineString::new(vec![l.start, l.end]))?)],
        Geometry::LineString(l) => vec![Shape::Line(line(l)?)],
        Geometry::MultiLineString(m) => {
            m.0.iter()
                .map(|l| line(l).map(Shape::Line))
                .collect::<Result<_, _>>()?
        }
        Geometry::Polygon(p) => vec![Shape::Polygon(polygon(p)?)],
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .map(|p| polygon(p).map(Shape::Polygon))
                .collect::<Result<_, _>>()?
        }
        Geometry::Rect(r) => vec![Shape::Polygon(polygon(&r.to_polygon())?)],
        Geometry::Triangle(t) => vec![Shape::Polygon(polygon(&t.to_polygon())?)],
        Geometry::GeometryCollection(c) => {
            let mut out = Vec::new();
            for g in &c.0 {
                out.extend(geometry_shapes(g)?);
            }
            out
        }
    })
}

/// The parts of a WKT geometry in lon/lat (`POINT (130.6 42.4)`, `MULTIPOLYGON (…)`).
pub(crate) fn wkt_shapes(text: &str) -> Result<Vec<Shape>, String> {
    let g = Geometry::<f64>::try_from_wkt_str(text.trim())
        .map_err(|e| format!("the WKT is not understood ({e})"))?;
    let shapes = geometry_shapes(&g)?;
    if shapes.is_empty() {
        return Err("the WKT geometry is empty".into());
    }
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkt_multipolygons_split_into_parts_with_their_holes() {
        let shapes = wkt_shapes(
            "MULTIPOLYGON (((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1)), ((10 10, 11 10, 11 11, 10 10)))",
        )
        .unwrap();
        assert_eq!(shapes.len(), 2);
        let Shape::Polygon(p) = &shapes[0] else {
            panic!()
        };
        assert_eq!(p.interiors().len(), 1);
    }

    #[test]
    fn broken_or_out_of_range_wkt_is_refused() {
        assert!(wkt_shapes("POINT (1").is_err());
        assert!(wkt_shapes("POINT (200 0)").is_err());
        assert!(wkt_shapes("LINESTRING (1 1)").is_err());
        assert!(wkt_shapes("").is_err());
        // Empty geometries have no position to place.
        assert!(wkt_shapes("POINT EMPTY").is_err());
    }
}
