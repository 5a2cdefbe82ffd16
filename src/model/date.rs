//! Dates as the sources give them: to the day, to a part of a month, to a month, a season or a year.
//!
//! A report that says "late May 2025" must never become "2025-05-21" on screen. A [`FuzzyDate`]
//! keeps the precision it was written with and shows it back the same way, while still giving the
//! timeline one calendar day to sort and compare by: the **first day of the period** it names
//! (see [`FuzzyDate::key`]).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike as _, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which part of a month a report names ("early June", "mid-September", "late May").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MonthPart {
    /// Days 1–10.
    Early,
    /// Days 11–20.
    Mid,
    /// Day 21 to the end of the month.
    Late,
}

/// A northern-hemisphere meteorological season.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Season {
    /// March to May.
    Spring,
    /// June to August.
    Summer,
    /// September to November.
    Autumn,
    /// December to February (named by the year of its December).
    Winter,
}

/// How precisely a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    /// A calendar day.
    Day,
    /// A part of a month.
    MonthPart(MonthPart),
    /// A calendar month.
    Month,
    /// A season.
    Season(Season),
    /// A calendar year.
    Year,
}

/// A date with the precision its source gave.
///
/// Text form (in project files and on the command line):
/// `2025-06-02` (day), `early 2025-06` / `mid 2025-09` / `late 2025-05` (part of a month),
/// `2025-05` (month), `summer 2026` (season), `2026` (year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuzzyDate {
    start: NaiveDate,
    precision: Precision,
}

/// Why a date could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "'{text}' is not a date: use 2025-06-02, 2025-05, early|mid|late 2025-05, spring|summer|autumn|winter 2026 or 2026"
)]
pub struct DateParseError {
    text: String,
}

impl FuzzyDate {
    /// A date known to the day.
    pub fn day(date: NaiveDate) -> Self {
        Self {
            start: date,
            precision: Precision::Day,
        }
    }

    /// A date known to the month (or part of it), season or year. `None` for an impossible month.
    pub fn new(year: i32, month: u32, precision: Precision) -> Option<Self> {
        let start = match precision {
            Precision::Day | Precision::Month => NaiveDate::from_ymd_opt(year, month, 1)?,
            Precision::MonthPart(part) => {
                let day = match part {
                    MonthPart::Early => 1,
                    MonthPart::Mid => 11,
                    MonthPart::Late => 21,
                };
                NaiveDate::from_ymd_opt(year, month, day)?
            }
            Precision::Season(season) => {
                let month = match season {
                    Season::Spring => 3,
                    Season::Summer => 6,
                    Season::Autumn => 9,
                    Season::Winter => 12,
                };
                NaiveDate::from_ymd_opt(year, month, 1)?
            }
            Precision::Year => NaiveDate::from_ymd_opt(year, 1, 1)?,
        };
        Some(Self { start, precision })
    }

    /// The calendar day the timeline sorts and compares by: the first day of the period.
    pub fn key(&self) -> NaiveDate {
        self.start
    }

    /// How precisely the date is known.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The date as a figure caption shows it: `14 OCT 2025`, `LATE MAY 2025`, `MAY 2025`,
    /// `SUMMER 2026`, `2026`. Never shows a day the source did not give.
    pub fn display_upper(&self) -> String {
        let month = month_abbrev(self.start.month());
        let year = self.start.year();
        match self.precision {
            Precision::Day => format!("{} {month} {year}", self.start.day()),
            Precision::MonthPart(part) => {
                let part = match part {
                    MonthPart::Early => "EARLY",
                    MonthPart::Mid => "MID",
                    MonthPart::Late => "LATE",
                };
                format!("{part} {month} {year}")
            }
            Precision::Month => format!("{month} {year}"),
            Precision::Season(season) => format!("{} {year}", season_name(season).to_uppercase()),
            Precision::Year => format!("{year}"),
        }
    }
}

fn month_abbrev(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    NAMES
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("???")
}

fn season_name(season: Season) -> &'static str {
    match season {
        Season::Spring => "spring",
        Season::Summer => "summer",
        Season::Autumn => "autumn",
        Season::Winter => "winter",
    }
}

/// Formats a calendar day the way captions do: `14 OCT 2025`.
pub fn display_day_upper(date: NaiveDate) -> String {
    FuzzyDate::day(date).display_upper()
}

impl fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m) = (self.start.year(), self.start.month());
        match self.precision {
            Precision::Day => write!(f, "{}", self.start.format("%Y-%m-%d")),
            Precision::MonthPart(part) => {
                let part = match part {
                    MonthPart::Early => "early",
                    MonthPart::Mid => "mid",
                    MonthPart::Late => "late",
                };
                write!(f, "{part} {y:04}-{m:02}")
            }
            Precision::Month => write!(f, "{y:04}-{m:02}"),
            Precision::Season(season) => write!(f, "{} {y:04}", season_name(season)),
            Precision::Year => write!(f, "{y:04}"),
        }
    }
}

fn parse_year_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?))
}

fn parse_year(text: &str) -> Option<i32> {
    (text.len() == 4).then(|| text.parse().ok()).flatten()
}

impl FromStr for FuzzyDate {
    type Err = DateParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        if let Some((word, rest)) = trimmed.split_once(' ') {
            let rest = rest.trim();
            let part = match word.to_ascii_lowercase().as_str() {
                "early" => Some(MonthPart::Early),
                "mid" => Some(MonthPart::Mid),
                "late" => Some(MonthPart::Late),
                _ => None,
            };
            if let Some(part) = part {
                let (y, m) = parse_year_month(rest).ok_or_else(err)?;
                return Self::new(y, m, Precision::MonthPart(part)).ok_or_else(err);
            }
            let season = match word.to_ascii_lowercase().as_str() {
                "spring" => Season::Spring,
                "summer" => Season::Summer,
                "autumn" | "fall" => Season::Autumn,
                "winter" => Season::Winter,
                _ => return Err(err()),
            };
            let y = parse_year(rest).ok_or_else(err)?;
            return Self::new(y, 1, Precision::Season(season)).ok_or_else(err);
        }
        match trimmed.len() {
            10 => NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
                .map(Self::day)
                .map_err(|_| err()),
            7 => {
                let (y, m) = parse_year_month(trimmed).ok_or_else(err)?;
                Self::new(y, m, Precision::Month).ok_or_else(err)
            }
            4 => {
                let y = parse_year(trimmed).ok_or_else(err)?;
                Self::new(y, 1, Precision::Year).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }
}

impl Serialize for FuzzyDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FuzzyDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_precision_survives_a_text_round_trip() {
        for text in [
            "2025-06-02",
            "early 2025-06",
            "mid 2025-09",
            "late 2025-05",
            "2026-03",
            "summer 2026",
            "winter 2025",
            "2024",
        ] {
            let date: FuzzyDate = text.parse().unwrap();
            assert_eq!(date.to_string(), text);
            let json = serde_json::to_string(&date).unwrap();
            let back: FuzzyDate = serde_json::from_str(&json).unwrap();
            assert_eq!(back, date, "{text}");
        }
    }

    #[test]
    fn a_partial_date_sorts_by_the_first_day_of_its_period() {
        let key = |t: &str| t.parse::<FuzzyDate>().unwrap().key();
        assert_eq!(key("late 2025-05"), ymd(2025, 5, 21));
        assert_eq!(key("mid 2025-09"), ymd(2025, 9, 11));
        assert_eq!(key("2026-03"), ymd(2026, 3, 1));
        assert_eq!(key("summer 2026"), ymd(2026, 6, 1));
        assert_eq!(key("2024"), ymd(2024, 1, 1));
    }

    #[test]
    fn captions_never_invent_a_day() {
        let show = |t: &str| t.parse::<FuzzyDate>().unwrap().display_upper();
        assert_eq!(show("2025-10-14"), "14 OCT 2025");
        assert_eq!(show("late 2025-05"), "LATE MAY 2025");
        assert_eq!(show("2026-03"), "MAR 2026");
        assert_eq!(show("summer 2026"), "SUMMER 2026");
    }

    #[test]
    fn nonsense_is_refused_with_the_text_in_the_message() {
        for text in [
            "",
            "2025-13",
            "2025-02-30",
            "yesterday",
            "late 2025",
            "summer 25",
        ] {
            let err = text.parse::<FuzzyDate>().unwrap_err();
            assert!(err.to_string().contains(&format!("'{text}'")));
        }
    }
}
