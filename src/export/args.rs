//! The export command's text arguments (size, centre, box) read into typed values, with
//! messages that say what was expected.

use geo::Coord;

use super::{MAX_SIDE_PX, MIN_SIDE_PX, PRESETS};
use crate::spatial::LonLatBox;
use crate::spatial::mercator::MAX_LAT;

/// Why an argument was refused. The text given comes last.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArgError {
    /// Not a size.
    #[error(
        "--size must be WIDTHxHEIGHT, {MIN_SIDE_PX}–{MAX_SIDE_PX} px a side, or a preset ({presets}): {0}",
        presets = preset_names()
    )]
    Size(String),
    /// Not a centre.
    #[error("--center must be LAT,LON in degrees (latitude within ±85.05): {0}")]
    Center(String),
    /// Not a box.
    #[error("--bbox must be W,S,E,N in degrees, west < east and south < north: {0}")]
    BBox(String),
}

fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn numbers(text: &str) -> Option<Vec<f64>> {
    text.split(',')
        .map(|part| part.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect()
}

/// `3840x2160` or a preset name (`print`, `square` …), within the size limits.
pub fn parse_size(text: &str) -> Result<[u32; 2], ArgError> {
    let bad = || ArgError::Size(text.to_owned());
    let trimmed = text.trim();
    if let Some((_, size)) = PRESETS.iter().find(|(name, _)| *name == trimmed) {
        return Ok(*size);
    }
    let (w, h) = trimmed.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let ok = |v: u32| (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&v);
    if ok(w) && ok(h) {
        Ok([w, h])
    } else {
        Err(bad())
    }
}

/// `LAT,LON` (as people say it) into a lon/lat coordinate.
pub fn parse_center(text: &str) -> Result<Coord<f64>, ArgError> {
    match numbers(text).as_deref() {
        Some(&[lat, lon]) if lat.abs() <= MAX_LAT && lon.abs() <= 180.0 => {
            Ok(Coord { x: lon, y: lat })
        }
        _ => Err(ArgError::Center(text.to_owned())),
    }
}

/// `W,S,E,N` (the order of a `GeoJSON` bbox) into a box.
pub fn parse_bbox(text: &str) -> Result<LonLatBox, ArgError> {
    let bad = || ArgError::BBox(text.to_owned());
    let values: [f64; 4] = numbers(text)
        .ok_or_else(bad)?
        .try_into()
        .map_err(|_| bad())?;
    LonLatBox::try_from(values).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_numbers_or_presets_within_the_limits() {
        assert_eq!(parse_size("3840x2160"), Ok([3840, 2160]));
        assert_eq!(parse_size(" square "), Ok([1080, 1080]));
        assert_eq!(parse_size("8192X8192"), Ok([8192, 8192]));
        assert_eq!(
            parse_size("9000x100"),
            Err(ArgError::Size("9000x100".into()))
        );
        assert!(parse_size("big").is_err() && parse_size("10x10").is_err());
        let message = parse_size("huge").unwrap_err().to_string();
        assert!(
            message.contains("print") && message.ends_with(": huge"),
            "{message}"
        );
    }

    #[test]
    fn a_centre_is_latitude_first() {
        assert_eq!(
            parse_center("42.41, 130.64"),
            Ok(Coord {
                x: 130.64,
                y: 42.41
            })
        );
        // Longitude first is refused here: 130.64 is no latitude.
        assert!(parse_center("130.64,42.41").is_err());
        assert!(parse_center("91,0").is_err() && parse_center("1,2,3").is_err());
        assert!(parse_center("north").is_err());
    }

    #[test]
    fn a_box_is_west_south_east_north() {
        let b = parse_bbox("130.62,42.40,130.66,42.43").unwrap();
        assert_eq!((b.west, b.north), (130.62, 42.43));
        assert!(parse_bbox("130.66,42.40,130.62,42.43").is_err());
        assert!(parse_bbox("1,2,3").is_err() && parse_bbox("a,b,c,d").is_err());
    }
}
