//! Dates in imagery file names: `2025-07-05_site.tif`, `S2A_MSIL2A_20250705T021531.tif`,
//! `planet_2025_07_05.tif`, `2026-03.tif`.
//!
//! A date is a run of digits (with one kind of separator) that touches no other digit:
//! `YYYY-MM-DD`, `YYYY_MM_DD`, `YYYY.MM.DD` or `YYYYMMDD` give a day, and `YYYY-MM` or `YYYY_MM`
//! a month. The first real date in the name wins (in `LC09_…_20250705_20250707` that is the
//! acquisition, which satellite products put before the processing date). Years outside
//! 1950–2100 are not dates (they are orbit or tile numbers).

use std::path::Path;

use chrono::NaiveDate;

use crate::model::FuzzyDate;
use crate::model::date::Precision;

const YEARS: std::ops::RangeInclusive<i32> = 1950..=2100;

/// The date in a file name, if it has one (folders are not looked at).
#[must_use]
pub fn date_from_file_name(path: &Path) -> Option<FuzzyDate> {
    let name = path.file_name()?.to_str()?;
    date_in_text(name)
}

/// The first date in `text` (see the module docs for the forms).
#[must_use]
pub fn date_in_text(text: &str) -> Option<FuzzyDate> {
    let digits = Digits(text);
    (0..text.len()).find_map(|start| {
        if start > 0 && digits.is_digit(start - 1) {
            return None;
        }
        let year: i32 = digits.run(start, 4)?.parse().ok()?;
        if !YEARS.contains(&year) {
            return None;
        }
        match text.as_bytes().get(start + 4).copied() {
            Some(sep @ (b'-' | b'_' | b'.')) => separated(digits, start, sep, year),
            _ => compact(digits, start, year),
        }
    })
}

/// A text read for runs of ASCII digits.
#[derive(Clone, Copy)]
struct Digits<'a>(&'a str);

impl<'a> Digits<'a> {
    /// The `len` characters at `at` when they are all digits.
    fn run(self, at: usize, len: usize) -> Option<&'a str> {
        let run = self.0.get(at..at + len)?;
        run.bytes().all(|b| b.is_ascii_digit()).then_some(run)
    }

    fn is_digit(self, at: usize) -> bool {
        self.0.as_bytes().get(at).is_some_and(u8::is_ascii_digit)
    }

    fn byte(self, at: usize) -> Option<u8> {
        self.0.as_bytes().get(at).copied()
    }
}

/// `YYYY?MM?DD` or `YYYY?MM`, with `?` the separator at `start + 4`.
fn separated(digits: Digits<'_>, start: usize, sep: u8, year: i32) -> Option<FuzzyDate> {
    let month: u32 = digits.run(start + 5, 2)?.parse().ok()?;
    if digits.is_digit(start + 7) {
        return None;
    }
    if digits.byte(start + 7) == Some(sep) && digits.is_digit(start + 8) {
        // A day was written: it is a day or nothing, never a month with something after it.
        let day: u32 = digits.run(start + 8, 2)?.parse().ok()?;
        if digits.is_digit(start + 10) {
            return None;
        }
        return NaiveDate::from_ymd_opt(year, month, day).map(FuzzyDate::day);
    }
    // A month alone only with `-` or `_`: `2025.07` reads too much like a version number.
    if sep == b'.' || !(1..=12).contains(&month) {
        return None;
    }
    FuzzyDate::new(year, month, Precision::Month)
}

/// `YYYYMMDD`, standing alone or followed by a non-digit (`20250705T021531`).
fn compact(digits: Digits<'_>, start: usize, year: i32) -> Option<FuzzyDate> {
    let rest = digits.run(start + 4, 4)?;
    if digits.is_digit(start + 8) {
        return None;
    }
    let month: u32 = rest.get(..2)?.parse().ok()?;
    let day: u32 = rest.get(2..)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day).map(FuzzyDate::day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(name: &str) -> Option<String> {
        date_from_file_name(Path::new(name)).map(|d| d.to_string())
    }

    #[test]
    fn the_three_day_forms_are_read() {
        assert_eq!(date("2025-07-05.tif").as_deref(), Some("2025-07-05"));
        assert_eq!(date("site_20250705.tif").as_deref(), Some("2025-07-05"));
        assert_eq!(
            date("planet_2025_07_05_rgb.tif").as_deref(),
            Some("2025-07-05")
        );
        assert_eq!(date("x.2025.07.05.jpg").as_deref(), Some("2025-07-05"));
    }

    #[test]
    fn a_month_keeps_month_precision() {
        assert_eq!(date("2026-03.tif").as_deref(), Some("2026-03"));
        assert_eq!(date("mosaic_2026_03.tif").as_deref(), Some("2026-03"));
        assert_eq!(date("v2025.07.tif"), None, "a dotted pair is a version");
    }

    #[test]
    fn satellite_product_names_give_the_acquisition_day() {
        assert_eq!(
            date("S2A_MSIL2A_20250705T021531_N0511_R003_T52TGN_20250705T060612.tif").as_deref(),
            Some("2025-07-05")
        );
        assert_eq!(
            date("LC09_L2SP_116031_20250705_20250707_02_T1_SR_B4.TIF").as_deref(),
            Some("2025-07-05")
        );
    }

    #[test]
    fn numbers_that_are_not_dates_are_ignored() {
        assert_eq!(date(""), None);
        assert_eq!(date("site.tif"), None);
        assert_eq!(date("tile_123456789.tif"), None, "too many digits");
        assert_eq!(date("2025-13-01.tif"), None, "no 13th month");
        assert_eq!(date("20250230.tif"), None, "no 30 February");
        assert_eq!(date("orbit_31990101.tif"), None, "year out of range");
        assert_eq!(date("12025-07-05.tif"), None, "part of a longer number");
        assert_eq!(date("2025-07-051.tif"), None, "part of a longer number");
    }

    #[test]
    fn folders_do_not_count() {
        assert_eq!(
            date_from_file_name(Path::new("/data/2025-07-05/site.tif")),
            None
        );
    }
}
