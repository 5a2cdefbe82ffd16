//! Latitudes and longitudes as people type them in spreadsheets: decimal degrees (`42.425`,
//! `42,425` with a decimal comma), degrees-minutes-seconds (`42°25'30.5"N`, `130 38 12 E`,
//! `N42:25:30`), degrees and decimal minutes (`42°25.5'`), a sign or a hemisphere letter.

/// Which axis a value belongs to, as its hemisphere letter says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// N or S.
    Latitude,
    /// E or W.
    Longitude,
}

/// An angle read from text: signed decimal degrees, and the axis its hemisphere letter names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Angle {
    /// Decimal degrees, negative south and west.
    pub degrees: f64,
    /// The axis named by a hemisphere letter, if there was one.
    pub axis: Option<Axis>,
}

/// Symbols that separate degrees, minutes and seconds (typographic and ASCII).
const SEPARATORS: [char; 10] = ['°', 'º', '˚', '\'', '′', '’', '"', '″', '”', ':'];

fn hemisphere(c: char) -> Option<(Axis, f64)> {
    match c.to_ascii_uppercase() {
        'N' => Some((Axis::Latitude, 1.0)),
        'S' => Some((Axis::Latitude, -1.0)),
        'E' => Some((Axis::Longitude, 1.0)),
        'W' => Some((Axis::Longitude, -1.0)),
        _ => None,
    }
}

/// Reads an angle. With `decimal_comma`, `,` is the decimal separator (`42,5`).
pub fn parse_angle(text: &str, decimal_comma: bool) -> Result<Angle, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty".into());
    }
    let mut body = trimmed.to_owned();
    let mut axis_sign = None;
    // A hemisphere letter leads or trails ("N42 25", "42 25 N").
    if let Some(first) = body.chars().next()
        && let Some(h) = hemisphere(first)
    {
        axis_sign = Some(h);
        body.remove(0);
    } else if let Some(last) = body.chars().last()
        && let Some(h) = hemisphere(last)
    {
        axis_sign = Some(h);
        body.pop();
    }
    let mut sign = 1.0;
    let body = body.trim();
    let body = if let Some(rest) = body.strip_prefix('-') {
        sign = -1.0;
        rest
    } else {
        body.strip_prefix('+').unwrap_or(body)
    };
    let normalised: String = body
        .chars()
        .map(|c| {
            if SEPARATORS.contains(&c) {
                ' '
            } else if c == ',' && decimal_comma {
                '.'
            } else {
                c
            }
        })
        .collect();
    let numbers = normalised
        .split_whitespace()
        .map(|part| {
            part.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("\"{trimmed}\" is not an angle"))
        })
        .collect::<Result<Vec<f64>, String>>()?;
    let degrees = match numbers.as_slice() {
        [d] => *d,
        [d, m] => {
            check_sixty(*m, "minutes", trimmed)?;
            d + m / 60.0
        }
        [d, m, s] => {
            check_sixty(*m, "minutes", trimmed)?;
            check_sixty(*s, "seconds", trimmed)?;
            if m.fract() != 0.0 {
                return Err(format!(
                    "\"{trimmed}\": minutes with a fraction and seconds"
                ));
            }
            d + m / 60.0 + s / 3600.0
        }
        _ => return Err(format!("\"{trimmed}\" is not an angle")),
    };
    if numbers.len() > 1 && numbers.first().is_some_and(|d| d.fract() != 0.0) {
        return Err(format!(
            "\"{trimmed}\": degrees with a fraction and minutes"
        ));
    }
    if axis_sign.is_some() && sign < 0.0 {
        return Err(format!("\"{trimmed}\" has both a sign and a hemisphere"));
    }
    let (axis, hemisphere_sign) = match axis_sign {
        Some((axis, s)) => (Some(axis), s),
        None => (None, 1.0),
    };
    Ok(Angle {
        degrees: sign * hemisphere_sign * degrees,
        axis,
    })
}

fn check_sixty(value: f64, what: &str, text: &str) -> Result<(), String> {
    if value < 60.0 {
        Ok(())
    } else {
        Err(format!("\"{text}\": {what} must be under 60"))
    }
}

/// Reads a latitude: within ±90°, and not marked E or W.
pub fn parse_latitude(text: &str, decimal_comma: bool) -> Result<f64, String> {
    let a = parse_angle(text, decimal_comma)?;
    if a.axis == Some(Axis::Longitude) {
        return Err(format!(
            "latitude \"{}\" is marked east or west",
            text.trim()
        ));
    }
    if a.degrees.abs() > 90.0 {
        return Err(format!("latitude {} is beyond ±90°", a.degrees));
    }
    Ok(a.degrees)
}

/// Reads a longitude: within ±180°, and not marked N or S.
pub fn parse_longitude(text: &str, decimal_comma: bool) -> Result<f64, String> {
    let a = parse_angle(text, decimal_comma)?;
    if a.axis == Some(Axis::Latitude) {
        return Err(format!(
            "longitude \"{}\" is marked north or south",
            text.trim()
        ));
    }
    if a.degrees.abs() > 180.0 {
        return Err(format!("longitude {} is beyond ±180°", a.degrees));
    }
    Ok(a.degrees)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn decimal_degrees_read_with_a_point_or_a_decimal_comma() {
        assert!(close(parse_latitude("42.425", false).unwrap(), 42.425));
        assert!(close(parse_latitude("42,425", true).unwrap(), 42.425));
        assert!(close(parse_longitude("-130.5", false).unwrap(), -130.5));
        assert!(close(parse_longitude("+130.5", false).unwrap(), 130.5));
        assert!(parse_latitude("42,425", false).is_err());
    }

    #[test]
    fn degrees_minutes_seconds_read_with_symbols_spaces_or_colons() {
        let want = 42.0 + 25.0 / 60.0 + 30.5 / 3600.0;
        assert!(close(parse_latitude("42°25'30.5\"N", false).unwrap(), want));
        assert!(close(
            parse_latitude("42° 25′ 30.5″ N", false).unwrap(),
            want
        ));
        assert!(close(parse_latitude("N42:25:30.5", false).unwrap(), want));
        assert!(close(parse_latitude("42 25 30,5 S", true).unwrap(), -want));
        let lon = 130.0 + 38.0 / 60.0 + 12.0 / 3600.0;
        assert!(close(parse_longitude("130 38 12 E", false).unwrap(), lon));
        assert!(close(parse_longitude("130°38'12\"W", false).unwrap(), -lon));
        assert!(close(parse_longitude("-130 38 12", false).unwrap(), -lon));
    }

    #[test]
    fn degrees_and_decimal_minutes_read() {
        assert!(close(parse_latitude("42°25.5'N", false).unwrap(), 42.425));
    }

    #[test]
    fn hemisphere_letters_of_the_other_axis_are_refused() {
        assert!(parse_latitude("130 38 12 E", false).is_err());
        assert!(parse_longitude("42 25 N", false).is_err());
    }

    #[test]
    fn nonsense_and_out_of_range_values_are_refused() {
        for bad in [
            "", "abc", "42 61 0", "42 25 60", "91", "1 2 3 4", "-42 N", "42.5 30", "nan",
        ] {
            assert!(parse_latitude(bad, false).is_err(), "{bad:?}");
        }
        assert!(parse_longitude("181", false).is_err());
        assert!(parse_longitude("inf", false).is_err());
    }
}
