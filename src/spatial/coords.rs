//! How coordinates are written for people: one formatter for the status bar, the inspector and
//! the figure's grid, with the hemisphere letter taken from the sign.

use geo::Coord;

/// Decimal degrees with hemispheres: `42.412345° N, 130.641234° E` (`decimals` after the point).
#[must_use]
pub fn format_lat_lon(lonlat: Coord<f64>, decimals: usize) -> String {
    format!(
        "{}, {}",
        format_decimal(lonlat.y, decimals, 'N', 'S'),
        format_decimal(lonlat.x, decimals, 'E', 'W')
    )
}

/// One decimal-degree value with its hemisphere letter: `42.412345° N`, `0.500000° S`.
#[must_use]
pub fn format_decimal(value_deg: f64, decimals: usize, positive: char, negative: char) -> String {
    let hemisphere = if value_deg < 0.0 { negative } else { positive };
    format!("{:.decimals$}° {hemisphere}", value_deg.abs())
}

/// Degrees, minutes and seconds, leaving out zero parts: `42°25′N`, `130°38′30″E`.
#[must_use]
pub fn format_dms(value_deg: f64, positive: char, negative: char) -> String {
    let hemisphere = if value_deg < 0.0 { negative } else { positive };
    let total_s = (value_deg.abs() * 3600.0).round() as u64;
    let (d, m, sec) = (total_s / 3600, total_s / 60 % 60, total_s % 60);
    match (m, sec) {
        (0, 0) => format!("{d}°{hemisphere}"),
        (_, 0) => format!("{d}°{m:02}′{hemisphere}"),
        _ => format!("{d}°{m:02}′{sec:02}″{hemisphere}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn south_and_west_of_zero_say_s_and_w() {
        assert_eq!(
            format_lat_lon(
                Coord {
                    x: -70.25,
                    y: -33.5
                },
                2
            ),
            "33.50° S, 70.25° W"
        );
        assert_eq!(
            format_lat_lon(
                Coord {
                    x: 130.64,
                    y: 42.41
                },
                3
            ),
            "42.410° N, 130.640° E"
        );
    }

    #[test]
    fn dms_leaves_out_zero_minutes_and_seconds() {
        assert_eq!(format_dms(130.0, 'E', 'W'), "130°E");
        assert_eq!(format_dms(42.0 + 25.0 / 60.0, 'N', 'S'), "42°25′N");
        assert_eq!(format_dms(-(0.5 + 30.0 / 3600.0), 'N', 'S'), "0°30′30″S");
    }
}
