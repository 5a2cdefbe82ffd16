//! Capture dates from TIFF `DateTime` (tag 306). Dates in file names: [`crate::imagery::file_date`].

use chrono::NaiveDate;

/// The date of a TIFF `DateTime`, `"YYYY:MM:DD HH:MM:SS"` (dashes tolerated).
#[must_use]
pub fn date_from_tiff_datetime(text: &str) -> Option<NaiveDate> {
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let head = t.get(..10)?;
    let parts: Vec<&str> = head.split([':', '-']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn tiff_datetime_gives_its_date() {
        assert_eq!(
            date_from_tiff_datetime("2025:07:05 10:21:00\0"),
            day(2025, 7, 5)
        );
        assert_eq!(date_from_tiff_datetime("2025:13:05 10:21:00"), None);
        assert_eq!(date_from_tiff_datetime("yesterday"), None);
        assert_eq!(date_from_tiff_datetime(""), None);
    }
}
