//! A layer's `Time` dimension as dated layers: values are single dates (`2025-06-14`), date-times
//! (`2025-06-14T10:30:00Z`) or intervals (`2015-01-01/2025-12-31/P1D`, as NASA GIBS lists its
//! daily products), expanded within a date range to one value per day at most.

use chrono::{Months, NaiveDate};

use super::WmtsError;
use super::capabilities::Capabilities;
use super::xyz::{XyzOptions, XyzTemplate, xyz_template};

/// Steps taken through one interval at most, so a malformed period cannot loop for long
/// (30 years of days is about 11,000).
const MAX_STEPS: usize = 20_000;

/// One dated layer of a WMTS time series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WmtsDatedLayer {
    /// The day the value stands for.
    pub date: NaiveDate,
    /// The `Time` value sent to the server.
    pub time_value: String,
    /// Name for the layer panel: the layer's title and the date.
    pub name: String,
    /// Track for the whole series: the layer's title.
    pub track: String,
    /// Tiles for this date.
    pub template: XyzTemplate,
}

/// The dimension's values within `range` (both days included; all when `None`), oldest first,
/// one per day, keeping the newest `max` when there are more.
#[must_use]
pub fn time_values(
    values: &[String],
    range: Option<(NaiveDate, NaiveDate)>,
    max: usize,
) -> Vec<(NaiveDate, String)> {
    let within = |date: NaiveDate| range.is_none_or(|(first, last)| first <= date && date <= last);
    let mut dated: Vec<(NaiveDate, String)> = Vec::new();
    for value in values {
        for part in value.split(',').map(str::trim) {
            match part.split('/').collect::<Vec<_>>().as_slice() {
                [single] => {
                    if let Some(date) = day_of(single).filter(|d| within(*d)) {
                        dated.push((date, (*single).to_owned()));
                    }
                }
                [start, end, period] => expand(start, end, period, range, &mut dated),
                [start, end] => expand(start, end, "P1D", range, &mut dated),
                _ => {}
            }
        }
    }
    dated.sort();
    dated.dedup_by(|later, earlier| later.0 == earlier.0);
    let skip = dated.len().saturating_sub(max);
    dated.split_off(skip)
}

/// The day of `2025-06-14` or `2025-06-14T…`.
fn day_of(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// Pushes the values of `start/end/period` that fall in `range`, written like `start` (a date,
/// or a date with `start`'s time of day).
fn expand(
    start: &str,
    end: &str,
    period: &str,
    range: Option<(NaiveDate, NaiveDate)>,
    out: &mut Vec<(NaiveDate, String)>,
) {
    let (Some(first), Some(last)) = (day_of(start), day_of(end)) else {
        return;
    };
    let Some(step) = Step::parse(period) else {
        return;
    };
    let time_suffix = start.get(10..).unwrap_or("");
    let (from, to) = range.map_or((first, last), |(a, b)| (a.max(first), b.min(last)));
    let mut date = match step {
        // Jump to the range rather than walking years of days to it.
        Step::Days(days) if from > first => {
            let behind = (from - first).num_days();
            let steps = (behind + days - 1) / days;
            first + chrono::TimeDelta::days(steps * days)
        }
        _ => first,
    };
    for _ in 0..MAX_STEPS {
        if date > to {
            break;
        }
        if date >= from {
            out.push((date, format!("{}{time_suffix}", date.format("%Y-%m-%d"))));
        }
        let Some(next) = step.after(date) else {
            break;
        };
        date = next;
    }
}

/// An ISO 8601 period between values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Days(i64),
    Months(u32),
}

impl Step {
    /// `P1D`, `P7D`, `P2W`, `P1M`, `P1Y`; time-of-day periods (`PT10M`) step by a day, since a
    /// layer is a day here.
    fn parse(period: &str) -> Option<Self> {
        let body = period.strip_prefix('P')?;
        if body.starts_with('T') {
            return Some(Self::Days(1));
        }
        let unit = body.chars().last()?;
        let count: i64 = body.get(..body.len() - 1)?.parse().ok()?;
        if count <= 0 {
            return None;
        }
        Some(match unit {
            'D' => Self::Days(count),
            'W' => Self::Days(count * 7),
            'M' => Self::Months(u32::try_from(count).ok()?),
            'Y' => Self::Months(u32::try_from(count).ok()?.checked_mul(12)?),
            _ => return None,
        })
    }

    fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Days(days) => date.checked_add_signed(chrono::TimeDelta::days(days)),
            Self::Months(months) => date.checked_add_months(Months::new(months)),
        }
    }
}

/// One layer per `Time` value of `layer_id` within `range` (the newest `max`), each with its XYZ
/// template; a layer without a `Time` dimension gives one layer for its default, dated by it
/// when it is a date.
pub fn dated_layers(
    capabilities: &Capabilities,
    layer_id: &str,
    options: &XyzOptions,
    range: Option<(NaiveDate, NaiveDate)>,
    max: usize,
) -> Result<Vec<WmtsDatedLayer>, WmtsError> {
    let layer = capabilities.layer(layer_id)?;
    let title = layer
        .title
        .clone()
        .unwrap_or_else(|| layer.identifier.clone());
    let Some(time) = layer.time() else {
        return Ok(Vec::new());
    };
    let mut values = time_values(&time.values, range, max);
    if values.is_empty()
        && time.values.is_empty()
        && let Some(date) = time.default.as_deref().and_then(day_of)
        && range.is_none_or(|(a, b)| a <= date && date <= b)
    {
        values.push((date, time.default.clone().unwrap_or_default()));
    }
    values
        .into_iter()
        .map(|(date, time_value)| {
            let template = xyz_template(
                capabilities,
                layer,
                &XyzOptions {
                    time: Some(time_value.clone()),
                    ..options.clone()
                },
            )?;
            Ok(WmtsDatedLayer {
                date,
                name: format!("{title} {}", date.format("%-d %b %Y")),
                track: title.clone(),
                time_value,
                template,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_daily_interval_expands_only_within_the_range() {
        let values = time_values(
            &strings(&["2000-02-24/2025-12-31/P1D"]),
            Some((day(2025, 6, 1), day(2025, 6, 3))),
            100,
        );
        assert_eq!(
            values,
            [
                (day(2025, 6, 1), "2025-06-01".to_owned()),
                (day(2025, 6, 2), "2025-06-02".to_owned()),
                (day(2025, 6, 3), "2025-06-03".to_owned()),
            ]
        );
    }

    #[test]
    fn single_values_monthly_steps_and_the_cap_keep_the_newest() {
        let values = time_values(
            &strings(&[
                "2024-01-15T00:00:00Z/2024-05-15T00:00:00Z/P1M",
                "2023-06-01",
            ]),
            None,
            3,
        );
        let texts: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            texts,
            [
                "2024-03-15T00:00:00Z",
                "2024-04-15T00:00:00Z",
                "2024-05-15T00:00:00Z"
            ]
        );
    }

    #[test]
    fn malformed_values_and_periods_are_skipped() {
        let values = time_values(
            &strings(&[
                "soon",
                "2024-01-01/2024-02-01/PXD",
                "2024-01-01/2024-01-02/P0D",
                "2024-13-01",
            ]),
            None,
            10,
        );
        assert!(values.is_empty(), "{values:?}");
    }

    #[test]
    fn sub_daily_periods_give_one_value_per_day() {
        let values = time_values(
            &strings(&["2024-01-01T00:00:00Z/2024-01-02T23:50:00Z/PT10M"]),
            None,
            10,
        );
        assert_eq!(values.len(), 2);
    }
}
