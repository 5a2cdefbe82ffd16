//! A first and last day typed into two fields (`2025-06-14`), as the search windows take them.

use chrono::NaiveDate;

/// The days typed in `from` and `to`, or a sentence saying which is not a day or that they are
/// the wrong way round.
pub fn day_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let day = |text: &str, what: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("The {what} day is not a date like 2025-06-14."))
    };
    let (from, to) = (day(from, "first")?, day(to, "last")?);
    if from > to {
        return Err("The first day is after the last.".to_owned());
    }
    Ok((from, to))
}
