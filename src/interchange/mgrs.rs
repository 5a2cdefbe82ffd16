//! MGRS grid references (`52TGN 12345 67890`) as WGS 84 lon/lat, for spreadsheets that give a
//! position as a military grid reference instead of latitude and longitude.
//!
//! A reference names a UTM zone, a latitude band, a 100 km square and an easting and northing
//! within it at 1 m to 100 km precision. The square's letters repeat every 2,000 km of northing;
//! the band picks the one repetition whose latitude falls inside it. The point returned is the
//! centre of the referenced square (a 4-digit reference is a 1 km square: its centre is at most
//! 707 m from any point it stands for, its south-west corner up to 1.4 km). Polar references
//! (UPS, bands A, B, Y, Z) are refused with a message. The projection is the crate's UTM
//! (`imagery::raster::utm`, Krüger's series).

use geo::Coord;

use crate::imagery::raster::utm::lonlat_from_utm;

/// Latitude band letters from 80° S, 8° each (X spans 72°–84° N).
const BANDS: &str = "CDEFGHJKLMNPQRSTUVWX";
/// Column letters of the 100 km squares: zones 1, 4, 7… start at A, 2, 5, 8… at J, 3, 6, 9… at S.
const COLUMNS: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Row letters, repeating every 2,000 km of northing; even zones start five letters on (at F).
const ROWS: &str = "ABCDEFGHJKLMNPQRSTUV";
const SQUARE_M: f64 = 100_000.0;
const ROW_CYCLE_M: f64 = 2_000_000.0;

/// Where a grid reference points: lon/lat in degrees (x = lon), and the side of the square the
/// reference's precision leaves, in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridPoint {
    /// The centre of the referenced square.
    pub lonlat: Coord<f64>,
    /// The side of the referenced square: 1 m for 10 digits, 100 km for none.
    pub precision_m: f64,
}

/// Reads an MGRS reference, with or without spaces, in either case.
///
/// # Errors
/// A message saying what is wrong with the reference.
pub fn parse_mgrs(text: &str) -> Result<GridPoint, String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let digits_end = compact
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(compact.len());
    let (zone_text, rest) = compact.split_at(digits_end);
    let zone: u8 = zone_text
        .parse()
        .ok()
        .filter(|z| (1..=60).contains(z))
        .ok_or_else(|| {
            if zone_text.is_empty() && rest.starts_with(['A', 'B', 'Y', 'Z']) {
                format!("\"{text}\" is a polar (UPS) grid reference; those are not read")
            } else {
                format!("\"{text}\" does not start with a UTM zone 1–60")
            }
        })?;
    let mut letters = rest.chars();
    let (Some(band), Some(column), Some(row)) = (letters.next(), letters.next(), letters.next())
    else {
        return Err(format!(
            "\"{text}\" lacks a latitude band and a 100 km square (e.g. 52TGN)"
        ));
    };
    let band_index = BANDS
        .find(band)
        .ok_or_else(|| format!("\"{text}\": {band} is not a latitude band (C–X)"))?;
    let numbers = letters.as_str();
    if numbers.len() % 2 != 0 || numbers.len() > 10 || !numbers.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "\"{text}\": the easting and northing need the same number of digits, 0–5 each"
        ));
    }
    let easting_m = square_easting_m(zone, column)
        .ok_or_else(|| format!("\"{text}\": {column} is not a 100 km column in zone {zone}"))?;
    let row_m = square_row_m(zone, row)
        .ok_or_else(|| format!("\"{text}\": {row} is not a 100 km row letter"))?;
    let (east_digits, north_digits) = numbers.split_at(numbers.len() / 2);
    let precision_m = SQUARE_M / 10f64.powi(i32::try_from(east_digits.len()).unwrap_or(0));
    let within = |digits: &str| {
        digits
            .parse::<f64>()
            .map_or(0.0, |v| v * precision_m + precision_m / 2.0)
    };
    let easting_m = easting_m + within(east_digits);
    let north = band >= 'N';
    let band_south_deg = -80.0 + 8.0 * band_index as f64;
    let band_north_deg = if band == 'X' {
        84.0
    } else {
        band_south_deg + 8.0
    };
    // The row letters repeat every 2,000 km: take the repetition whose latitude lies in the band
    // (bands are under 1,000 km tall, so exactly one does, allowing for the square's own size).
    let slack_deg = 1.0;
    (0..10)
        .map(|k| f64::from(k) * ROW_CYCLE_M + row_m + within(north_digits))
        .filter_map(|northing_m| {
            lonlat_from_utm(
                Coord {
                    x: easting_m,
                    y: northing_m,
                },
                zone,
                north,
            )
        })
        .find(|ll| (band_south_deg - slack_deg..band_north_deg + slack_deg).contains(&ll.y))
        .map(|lonlat| GridPoint {
            lonlat,
            precision_m,
        })
        .ok_or_else(|| format!("\"{text}\": square {column}{row} is not in band {band}"))
}

/// The easting of a 100 km square's west edge, from its column letter.
fn square_easting_m(zone: u8, column: char) -> Option<f64> {
    let set_start = usize::from((zone - 1) % 3) * 8;
    let index = COLUMNS.find(column)?;
    let within_set = index.checked_sub(set_start).filter(|i| *i < 8)?;
    Some((within_set + 1) as f64 * SQUARE_M)
}

/// The northing of a 100 km square's south edge, modulo 2,000 km, from its row letter.
fn square_row_m(zone: u8, row: char) -> Option<f64> {
    let offset = if zone.is_multiple_of(2) { 5 } else { 0 };
    let index = ROWS.find(row)?;
    Some(((index + ROWS.len() - offset) % ROWS.len()) as f64 * SQUARE_M)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::raster::utm::utm_from_lonlat;
    use crate::spatial::measure::distance_m;

    fn apart_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
        distance_m(a.into(), b.into())
    }

    /// The reference for a lon/lat at 1 m, built from the forward projection and the lettering
    /// rules (an independent path from the reader's search over repetitions).
    fn reference(lonlat: Coord<f64>) -> String {
        let zone = ((lonlat.x + 180.0) / 6.0).floor() as u8 + 1;
        let band_index = ((lonlat.y + 80.0) / 8.0).floor().min(19.0) as usize;
        let band = BANDS.chars().nth(band_index).unwrap();
        let en = utm_from_lonlat(lonlat, zone, lonlat.y >= 0.0).unwrap();
        let column_index = usize::from((zone - 1) % 3) * 8 + (en.x / SQUARE_M) as usize - 1;
        let offset = if zone.is_multiple_of(2) { 5 } else { 0 };
        let row_index = ((en.y / SQUARE_M) as usize + offset) % 20;
        format!(
            "{zone}{band}{}{}{:05}{:05}",
            COLUMNS.chars().nth(column_index).unwrap(),
            ROWS.chars().nth(row_index).unwrap(),
            (en.x % SQUARE_M) as u32,
            (en.y % SQUARE_M) as u32
        )
    }

    #[test]
    fn the_washington_monument_reads_where_it_stands() {
        // NGA's customary example: 18S UJ 23480 06470 is the monument, 38.8895° N 77.0352° W.
        let p = parse_mgrs("18S UJ 23480 06470").unwrap();
        let want = Coord {
            x: -77.0352,
            y: 38.8895,
        };
        assert!(apart_m(p.lonlat, want) < 15.0, "{:?}", p.lonlat);
        assert!((p.precision_m - 1.0).abs() < 1e-9);
    }

    #[test]
    fn references_land_where_geotrans_puts_them() {
        // NGA's GEOTRANS (through the Python `mgrs` 1.6 package) gives the south-west corner of
        // the 1 m square; the centre this reads is 0.7 m from it.
        for (text, lat, lon) in [
            (
                "52TGN1234567890",
                43.034_023_545_576_82,
                131.606_574_885_048_67,
            ),
            (
                "56HLH3456789012",
                -33.525_683_885_508_8,
                151.218_547_251_291_82,
            ),
            ("52TFM3502797570", 42.4187, 130.6412),
        ] {
            let p = parse_mgrs(text).unwrap();
            let d = apart_m(p.lonlat, Coord { x: lon, y: lat });
            assert!(d < 1.5, "{text}: {d} m");
        }
    }

    #[test]
    fn references_round_trip_within_a_metre_across_bands_and_hemispheres() {
        for (lon, lat) in [
            (130.6408, 42.4236), // the Tumen crossing, zone 52T
            (-77.0352, 38.8895),
            (151.2093, -33.8688), // south: Sydney
            (-70.6693, -52.0),    // far south
            (10.75, 59.91),       // 32V (Oslo)
            (18.07, 78.22),       // band X
            (3.0, 0.2),           // just north of the equator
            (3.0, -0.2),          // just south
        ] {
            let ll = Coord { x: lon, y: lat };
            let text = reference(ll);
            let back = parse_mgrs(&text).unwrap();
            assert!(
                apart_m(back.lonlat, ll) < 1.0,
                "{text}: {:?} vs {ll:?}",
                back.lonlat
            );
        }
    }

    #[test]
    fn a_coarser_reference_points_at_its_squares_centre() {
        let fine = parse_mgrs("52TGN1234567890").unwrap();
        let km = parse_mgrs("52tgn 12 67").unwrap();
        assert!((km.precision_m - 1000.0).abs() < 1e-9);
        // 12345/67890 within the 1 km square 12/67: 155 m and 390 m from its centre (1,500/7,500).
        let d = apart_m(fine.lonlat, km.lonlat);
        assert!((300.0..520.0).contains(&d), "{d} m");
    }

    #[test]
    fn malformed_and_polar_references_say_what_is_wrong() {
        for (text, says) in [
            ("", "UTM zone"),
            ("61TGN1234567890", "UTM zone"),
            ("52IGN1234567890", "latitude band"),
            ("52TGN123456789", "same number of digits"),
            ("52TSN1234567890", "column"),
            ("52TGW1234567890", "row"),
            ("ZGN1234567890", "polar"),
            ("52", "latitude band and a 100 km square"),
        ] {
            let e = parse_mgrs(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
