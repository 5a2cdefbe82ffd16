//! Which two layers to compare: on one track, the layer shown at each date.
//!
//! A date names a period (a day, part of a month, a month, a season, a year); the layer taken
//! is the one the timeline shows on the period's **last** day, i.e. the track's latest layer
//! dated within or before the period. So `--from 2025-06` takes a scene of 2 June 2025, not the
//! one shown on 1 June. Undated layers have no place in time and are never compared. Without a
//! named track there must be exactly one track with two different layers at the two dates.

use chrono::{Datelike as _, Months, NaiveDate};

use crate::model::date::{MonthPart, Precision};
use crate::model::tracks::tracks;
use crate::model::{FileDates, FuzzyDate, Project};

/// Why no pair of layers could be chosen. Dates and names come last.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PairError {
    /// `--from` is later than `--to`.
    #[error("the first date must come before the second: {from} is after {to}")]
    Backwards {
        /// The first date.
        from: String,
        /// The second date.
        to: String,
    },
    /// No track has a layer at the date.
    #[error("no dated layer is shown at {date} (tracks: {tracks})")]
    NoLayerAt {
        /// The date.
        date: String,
        /// The tracks, quoted, with their layers' dates.
        tracks: String,
    },
    /// Several tracks could be compared.
    #[error("more than one track has layers at both dates; choose one with --track: {tracks}")]
    AmbiguousTrack {
        /// The tracks, quoted.
        tracks: String,
    },
    /// The named track does not exist.
    #[error("no visible track is named '{name}' (tracks: {tracks})")]
    UnknownTrack {
        /// The name given.
        name: String,
        /// The tracks, quoted.
        tracks: String,
    },
    /// The named track has no layer at the date.
    #[error("track '{track}' has no dated layer shown at {date}")]
    TrackHasNoLayerAt {
        /// The track.
        track: String,
        /// The date.
        date: String,
    },
    /// Both dates show the same layer.
    #[error("both dates show the same layer '{layer}' of track '{track}': nothing to compare")]
    SameLayer {
        /// The layer's id.
        layer: String,
        /// The track.
        track: String,
    },
}

/// The two layers to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerPair {
    /// The track's name.
    pub track: String,
    /// Index in `project.layers` of the earlier layer.
    pub before: usize,
    /// Index of the later layer.
    pub after: usize,
}

/// The last day of the period `date` names.
#[must_use]
pub fn period_end(date: FuzzyDate) -> NaiveDate {
    let start = date.key();
    let month_end = |d: NaiveDate| {
        d.with_day(1)
            .and_then(|first| first.checked_add_months(Months::new(1)))
            .and_then(|next| next.pred_opt())
            .unwrap_or(d)
    };
    match date.precision() {
        Precision::Day => start,
        Precision::MonthPart(MonthPart::Early) => start.with_day(10).unwrap_or(start),
        Precision::MonthPart(MonthPart::Mid) => start.with_day(20).unwrap_or(start),
        Precision::MonthPart(MonthPart::Late) | Precision::Month => month_end(start),
        Precision::Season(_) => start
            .checked_add_months(Months::new(2))
            .map_or(start, month_end),
        Precision::Year => NaiveDate::from_ymd_opt(start.year(), 12, 31).unwrap_or(start),
    }
}

fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Chooses the layers to compare (see the module docs).
pub fn choose_pair(
    project: &Project,
    file_dates: &FileDates,
    from: FuzzyDate,
    to: FuzzyDate,
    track: Option<&str>,
) -> Result<LayerPair, PairError> {
    if from.key() > to.key() {
        return Err(PairError::Backwards {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let all = tracks(project, file_dates);
    let names: Vec<String> = all.iter().map(|t| t.name.clone()).collect();
    let shown = |dated: &[usize], date: FuzzyDate| -> Option<usize> {
        let end = period_end(date);
        dated.iter().copied().rfind(|&i| {
            project
                .layers
                .get(i)
                .and_then(|l| l.effective_date(file_dates))
                .is_some_and(|d| d.key() <= end)
        })
    };
    let at = |t: &crate::model::tracks::Track| (shown(&t.dated, from), shown(&t.dated, to));
    let layer_id = |i: usize| {
        project
            .layers
            .get(i)
            .map_or_else(String::new, |l| l.id.clone())
    };
    if let Some(name) = track {
        let Some(chosen) = all.iter().find(|t| t.name == name) else {
            return Err(PairError::UnknownTrack {
                name: name.to_owned(),
                tracks: quoted(&names),
            });
        };
        return match at(chosen) {
            (None, _) => Err(PairError::TrackHasNoLayerAt {
                track: name.to_owned(),
                date: from.to_string(),
            }),
            (_, None) => Err(PairError::TrackHasNoLayerAt {
                track: name.to_owned(),
                date: to.to_string(),
            }),
            (Some(a), Some(b)) if a == b => Err(PairError::SameLayer {
                layer: layer_id(a),
                track: name.to_owned(),
            }),
            (Some(before), Some(after)) => Ok(LayerPair {
                track: name.to_owned(),
                before,
                after,
            }),
        };
    }
    let pairs: Vec<LayerPair> = all
        .iter()
        .filter_map(|t| match at(t) {
            (Some(before), Some(after)) if before != after => Some(LayerPair {
                track: t.name.clone(),
                before,
                after,
            }),
            _ => None,
        })
        .collect();
    match pairs.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let missing = if all.iter().all(|t| at(t).0.is_none()) {
                Some(from)
            } else if all.iter().all(|t| at(t).1.is_none()) {
                Some(to)
            } else {
                None
            };
            if let Some(date) = missing {
                return Err(PairError::NoLayerAt {
                    date: date.to_string(),
                    tracks: quoted(&names),
                });
            }
            let same = all.iter().find_map(|t| match at(t) {
                (Some(a), Some(_)) => Some((a, t.name.clone())),
                _ => None,
            });
            match same {
                Some((layer, track)) => Err(PairError::SameLayer {
                    layer: layer_id(layer),
                    track,
                }),
                None => Err(PairError::NoLayerAt {
                    date: format!("both {from} and {to} on any one track"),
                    tracks: quoted(&names),
                }),
            }
        }
        many => Err(PairError::AmbiguousTrack {
            tracks: quoted(&many.iter().map(|p| p.track.clone()).collect::<Vec<_>>()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fuzzy(text: &str) -> FuzzyDate {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_ends_on_its_last_day() {
        assert_eq!(period_end(fuzzy("2025-06-02")), day("2025-06-02"));
        assert_eq!(period_end(fuzzy("2025-02")), day("2025-02-28"));
        assert_eq!(period_end(fuzzy("2024-02")), day("2024-02-29"));
        assert_eq!(period_end(fuzzy("early 2025-06")), day("2025-06-10"));
        assert_eq!(period_end(fuzzy("mid 2025-09")), day("2025-09-20"));
        assert_eq!(period_end(fuzzy("late 2025-05")), day("2025-05-31"));
        assert_eq!(period_end(fuzzy("summer 2026")), day("2026-08-31"));
        assert_eq!(period_end(fuzzy("winter 2025")), day("2026-02-28"));
        assert_eq!(period_end(fuzzy("2026")), day("2026-12-31"));
    }
}
