//! Geodesic measures on the WGS 84 ellipsoid (Karney's algorithms, through `geo`).
//!
//! Units are in the names: `length_m`, `area_m2`.

use geo::{Distance as _, Geodesic, GeodesicArea as _, Length as _, LineString, Point, Polygon};

/// Geodesic length of a line in metres.
pub fn length_m(line: &LineString<f64>) -> f64 {
    Geodesic.length(line)
}

/// Geodesic distance between two points in metres.
pub fn distance_m(a: Point<f64>, b: Point<f64>) -> f64 {
    Geodesic.distance(a, b)
}

/// Geodesic area of a polygon in square metres (unsigned, holes subtracted).
pub fn area_m2(polygon: &Polygon<f64>) -> f64 {
    polygon.geodesic_area_unsigned()
}

/// Geodesic perimeter of a polygon's exterior in metres.
pub fn perimeter_m(polygon: &Polygon<f64>) -> f64 {
    polygon.geodesic_perimeter()
}

/// A length as people read it: `740 m`, `1.21 km`.
pub fn format_length(length_m: f64) -> String {
    if length_m < 1000.0 {
        format!("{length_m:.0} m")
    } else {
        format!("{:.2} km", length_m / 1000.0)
    }
}

/// An area as people read it: `850 m²`, `4.9 ha`, `3.20 km²`.
pub fn format_area(area_m2: f64) -> String {
    if area_m2 < 10_000.0 {
        format!("{area_m2:.0} m²")
    } else if area_m2 < 1_000_000.0 {
        format!("{:.1} ha", area_m2 / 10_000.0)
    } else {
        format!("{:.2} km²", area_m2 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn one_degree_of_meridian_at_the_equator_is_110_574_m() {
        // WGS 84 meridian arc 0°→1°: 110 574.4 m (Karney / GeographicLib).
        let line = LineString::from(vec![(0.0, 0.0), (0.0, 1.0)]);
        assert!(
            (length_m(&line) - 110_574.4).abs() < 0.5,
            "{}",
            length_m(&line)
        );
    }

    #[test]
    fn a_one_kilometre_square_near_42_north_is_100_hectares() {
        // 1 km north and east of (130.64, 42.41): 1 km of latitude is ~0.0090° here,
        // and 1 km of longitude 1/(111.32 km · cos 42.41°).
        // Degree lengths on the WGS 84 ellipsoid (series from the NGA / USGS tables).
        let phi = 42.41_f64.to_radians();
        let m_per_deg_lat = 111_132.954 - 559.822 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos();
        let m_per_deg_lon = 111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos();
        let (dlat, dlon) = (1000.0 / m_per_deg_lat, 1000.0 / m_per_deg_lon);
        let lat0 = 42.41_f64;
        let (x0, y0) = (130.64, lat0);
        let square = polygon![
            coord! { x: x0, y: y0 },
            coord! { x: x0 + dlon, y: y0 },
            coord! { x: x0 + dlon, y: y0 + dlat },
            coord! { x: x0, y: y0 + dlat },
        ];
        let area = area_m2(&square);
        assert!((area - 1_000_000.0).abs() < 2_000.0, "{area}");
        assert!((perimeter_m(&square) - 4000.0).abs() < 5.0);
    }

    #[test]
    fn a_one_degree_cell_at_the_equator_matches_geographiclib() {
        // GeographicLib's Planimeter on the polygon 0 0, 0 1, 1 1, 1 0 (lat lon) gives
        // 12308778361.469 m²; the quadrangle bounded by the parallels is 314 km² less (its
        // northern edge is not a geodesic).
        let cell = polygon![
            coord! { x: 0.0, y: 0.0 },
            coord! { x: 1.0, y: 0.0 },
            coord! { x: 1.0, y: 1.0 },
            coord! { x: 0.0, y: 1.0 },
        ];
        assert!(
            (area_m2(&cell) - 12_308_778_361.469).abs() < 1.0,
            "{}",
            area_m2(&cell)
        );
        // One degree along the equator is a·π/180 exactly: 111 319.491 m.
        let equator = LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]);
        assert!((length_m(&equator) - 111_319.490_793).abs() < 0.001);
    }

    #[test]
    fn measures_read_in_sensible_units() {
        assert_eq!(format_length(424.4), "424 m");
        assert_eq!(format_length(1005.0), "1.00 km");
        assert_eq!(format_area(50_000.0), "5.0 ha");
        assert_eq!(format_area(500.0), "500 m²");
    }
}
