//! Measures as text: what the measure tool and a drawing in progress report.

use geo::{Coord, LineString, Point};

use super::Tool;
use super::geometry::shape_from_drawing;
use crate::model::Shape;
use crate::spatial::measure::{area_m2, format_area, format_length, length_m, perimeter_m};

/// Length (and area for three or more points) of a measurement.
#[must_use]
pub fn measure_summary(points: &[Coord<f64>]) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let line = LineString::new(points.to_vec());
    let distance = format!("Distance {}", format_length(length_m(&line)));
    let text = match shape_from_drawing(Tool::Polygon, points) {
        Some(Shape::Polygon(p)) => format!(
            "{distance} · Area {} · Perimeter {}",
            format_area(area_m2(&p)),
            format_length(perimeter_m(&p))
        ),
        _ => distance,
    };
    Some(text)
}

/// Length, or area and perimeter, or position of a drawing in progress.
#[must_use]
pub fn drawing_summary(tool: Tool, points: &[Coord<f64>]) -> Option<String> {
    match shape_from_drawing(tool, points)? {
        Shape::Line(l) => Some(format_length(length_m(&l))),
        Shape::Polygon(p) => Some(format!(
            "{} · {}",
            format_area(area_m2(&p)),
            format_length(perimeter_m(&p))
        )),
        Shape::Point(Point(c)) => Some(format!("{:.6}, {:.6}", c.y, c.x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measurement_of_three_points_has_an_area() {
        let pts = [
            Coord {
                x: 130.64,
                y: 42.41,
            },
            Coord {
                x: 130.65,
                y: 42.41,
            },
            Coord {
                x: 130.65,
                y: 42.42,
            },
        ];
        let text = measure_summary(&pts).unwrap();
        assert!(text.contains("Area"), "{text}");
        assert!(measure_summary(&pts[..2]).unwrap().starts_with("Distance"));
        assert_eq!(measure_summary(&pts[..1]), None);
    }
}
