//! Tracked measures: a quantity followed over time ("DPRK section into the river", m), each
//! value either **reported** by a source (with its citations and an approximate flag) or
//! **measured** on the map from annotations (a drawn line's length, a polygon's area, a count of
//! annotations seen at the date).
//!
//! Only reported values are stored: a measured value is computed from the annotation each time
//! it is asked for (`analysis::measures`), so it follows every edit and is never stale.
//!
//! In the project file an entry is one flat object: `{"date", "value", "approx", "sources"}`
//! (reported), `{"date", "annotation"}` (measured) or `{"date", "count": {"category",
//! "id_prefix"}}` (counted). Fields this version does not know are kept.

use chrono::{Datelike as _, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date::{FuzzyDate, MonthPart, Precision, Season};
use super::source::Citation;

/// What kind of quantity a measure follows; sets which units it takes and how annotations are
/// measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A length (`m`, `km`): a line's geodesic length, a polygon's perimeter.
    Length,
    /// An area (`m²`, `ha`, `km²`): a polygon's geodesic area.
    Area,
    /// A count of things (any unit word: `piers`); counted from annotations seen at the date.
    Count,
}

impl Quantity {
    /// All quantities, in the order menus and charts list them.
    pub const ALL: [Quantity; 3] = [Quantity::Length, Quantity::Area, Quantity::Count];

    /// The word used in files and on screen.
    pub fn word(self) -> &'static str {
        match self {
            Quantity::Length => "length",
            Quantity::Area => "area",
            Quantity::Count => "count",
        }
    }

    /// How many SI units (m, m², one) one `unit` is; `None` for a unit this quantity does not
    /// take. Counts take any unit word.
    pub fn si_per_unit(self, unit: &str) -> Option<f64> {
        match (self, unit.trim()) {
            (Quantity::Length, "m") | (Quantity::Area, "m²" | "m2") | (Quantity::Count, _) => {
                Some(1.0)
            }
            (Quantity::Length, "km") => Some(1000.0),
            (Quantity::Area, "ha") => Some(1.0e4),
            (Quantity::Area, "km²" | "km2") => Some(1.0e6),
            _ => None,
        }
    }

    /// The quantity a unit belongs to: `m`/`km` a length, `m²`/`ha`/`km²` an area, any other
    /// word a count.
    pub fn of_unit(unit: &str) -> Quantity {
        [Quantity::Length, Quantity::Area]
            .into_iter()
            .find(|q| q.si_per_unit(unit).is_some())
            .unwrap_or(Quantity::Count)
    }
}

/// Which annotations a counted entry counts: those of a category (and whose id starts with a
/// prefix, when one is given) seen on the entry's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRule {
    /// The category key counted ("pier").
    pub category: String,
    /// Only ids starting with this ("pier-dprk-river-"); `None` counts the whole category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_prefix: Option<String>,
}

impl CountRule {
    /// The rule as the CSV's `annotation_id` column writes it: `category:pier` or
    /// `category:pier id:pier-dprk-river-*`.
    pub fn selector(&self) -> String {
        match &self.id_prefix {
            Some(prefix) => format!("category:{} id:{prefix}*", self.category),
            None => format!("category:{}", self.category),
        }
    }

    /// Reads [`Self::selector`]'s text back; `None` when it is not one.
    pub fn from_selector(text: &str) -> Option<Self> {
        let mut words = text.split_whitespace();
        let category = words.next()?.strip_prefix("category:")?;
        let id_prefix = match words.next() {
            Some(word) => Some(word.strip_prefix("id:")?.strip_suffix('*')?.to_owned()),
            None => None,
        };
        if words.next().is_some() || category.is_empty() {
            return None;
        }
        Some(Self {
            category: category.to_owned(),
            id_prefix,
        })
    }
}

/// Where an entry's value comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum EntryFrom {
    /// A figure a source gives.
    Reported {
        /// The value, in the measure's unit.
        value: f64,
        /// The source says "about" ("~150 m").
        approx: bool,
        /// Who says so.
        sources: Vec<Citation>,
    },
    /// Measured on the map from one annotation (a line's length, a polygon's area or
    /// perimeter), recomputed whenever the annotation changes.
    Annotation {
        /// The annotation's id.
        id: String,
    },
    /// Counted on the map: the annotations a rule selects, seen on the entry's date.
    Count(CountRule),
}

/// One dated value of a measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EntryDoc", into = "EntryDoc")]
pub struct Entry {
    /// When, with the precision the source gives (a fuzzy date is a range on the chart).
    pub date: FuzzyDate,
    /// Reported, measured or counted.
    pub from: EntryFrom,
    /// Fields this version does not know, kept for the next save.
    pub extra: Map<String, Value>,
}

impl Entry {
    /// A reported figure with one citation.
    pub fn reported(date: FuzzyDate, value: f64, approx: bool, sources: Vec<Citation>) -> Self {
        Self {
            date,
            from: EntryFrom::Reported {
                value,
                approx,
                sources,
            },
            extra: Map::new(),
        }
    }

    /// A value measured from an annotation.
    pub fn measured(date: FuzzyDate, annotation_id: impl Into<String>) -> Self {
        Self {
            date,
            from: EntryFrom::Annotation {
                id: annotation_id.into(),
            },
            extra: Map::new(),
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

/// An entry as the project file writes it: one flat object.
#[derive(Clone, Serialize, Deserialize)]
struct EntryDoc {
    date: FuzzyDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "is_false")]
    approx: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Citation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<CountRule>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl TryFrom<EntryDoc> for Entry {
    type Error = String;

    fn try_from(doc: EntryDoc) -> Result<Self, Self::Error> {
        let from = match (doc.value, doc.annotation, doc.count) {
            (Some(value), None, None) => EntryFrom::Reported {
                value,
                approx: doc.approx,
                sources: doc.sources,
            },
            (None, Some(id), None) if !doc.approx && doc.sources.is_empty() => {
                EntryFrom::Annotation { id }
            }
            (None, None, Some(rule)) if !doc.approx && doc.sources.is_empty() => {
                EntryFrom::Count(rule)
            }
            (None, None, None) => {
                return Err(format!(
                    "the measure entry of {} has no value, annotation or count",
                    doc.date
                ));
            }
            _ => {
                return Err(format!(
                    "the measure entry of {} mixes a reported value (value, approx, sources) \
                     with an annotation or a count: give one",
                    doc.date
                ));
            }
        };
        Ok(Self {
            date: doc.date,
            from,
            extra: doc.extra,
        })
    }
}

impl From<Entry> for EntryDoc {
    fn from(entry: Entry) -> Self {
        let mut doc = EntryDoc {
            date: entry.date,
            value: None,
            approx: false,
            sources: Vec::new(),
            annotation: None,
            count: None,
            extra: entry.extra,
        };
        match entry.from {
            EntryFrom::Reported {
                value,
                approx,
                sources,
            } => {
                doc.value = Some(value);
                doc.approx = approx;
                doc.sources = sources;
            }
            EntryFrom::Annotation { id } => doc.annotation = Some(id),
            EntryFrom::Count(rule) => doc.count = Some(rule),
        }
        doc
    }
}

/// A quantity tracked over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Unique within the project.
    pub id: String,
    /// What is measured, as the chart's legend says it.
    pub name: String,
    /// The unit values are in (`m`, `km`, `ha`, `m²`, `km²`, or a count's word).
    pub unit: String,
    /// Length, area or count.
    pub quantity: Quantity,
    /// The dated values, in any order (the chart sorts them by date).
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// What the measure follows and how, for the analyst.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The last day of the period a date names (the day itself for a day): with
/// [`FuzzyDate::key`] it gives the range a fuzzy date spans.
pub fn period_last_day(date: FuzzyDate) -> NaiveDate {
    let start = date.key();
    let after = |months: u32| {
        start
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start)
    };
    match date.precision() {
        Precision::Day => start,
        Precision::MonthPart(MonthPart::Early | MonthPart::Mid) => start
            .checked_add_days(chrono::Days::new(9))
            .unwrap_or(start),
        Precision::MonthPart(MonthPart::Late) => {
            // From the 21st to the month's end.
            let first = start.with_day(1).unwrap_or(start);
            first
                .checked_add_months(Months::new(1))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start)
        }
        Precision::Month => after(1),
        Precision::Season(Season::Spring | Season::Summer | Season::Autumn | Season::Winter) => {
            after(3)
        }
        Precision::Year => after(12),
    }
}

/// The precision word the CSV writes: `day`, `early-month`, `mid-month`, `late-month`,
/// `month`, `season`, `year`.
pub fn precision_word(precision: Precision) -> &'static str {
    match precision {
        Precision::Day => "day",
        Precision::MonthPart(MonthPart::Early) => "early-month",
        Precision::MonthPart(MonthPart::Mid) => "mid-month",
        Precision::MonthPart(MonthPart::Late) => "late-month",
        Precision::Month => "month",
        Precision::Season(_) => "season",
        Precision::Year => "year",
    }
}

/// What a loaded project's measures get wrong but can still be shown: duplicate ids, units
/// their quantity does not take, entries citing unknown sources or annotations, counts of
/// unknown categories.
pub fn measure_warnings(project: &super::Project) -> Vec<String> {
    let mut warnings = Vec::new();
    for (i, m) in project.measures.iter().enumerate() {
        if project.measures.iter().take(i).any(|o| o.id == m.id) {
            warnings.push(format!("two measures have the id \"{}\"", m.id));
        }
        if m.quantity.si_per_unit(&m.unit).is_none() {
            warnings.push(format!(
                "measure \"{}\": \"{}\" is not a unit of {} (use m or km for a length, m², ha \
                 or km² for an area)",
                m.id,
                m.unit,
                m.quantity.word()
            ));
        }
        for e in &m.entries {
            match &e.from {
                EntryFrom::Reported { sources, .. } => {
                    for c in sources {
                        if project.source(&c.source).is_none() {
                            warnings.push(format!(
                                "measure \"{}\" ({}) cites an unknown source \"{}\"",
                                m.id, e.date, c.source
                            ));
                        }
                    }
                }
                EntryFrom::Annotation { id } => {
                    if project.annotation(id).is_none() {
                        warnings.push(format!(
                            "measure \"{}\" ({}) is measured from an unknown annotation \"{id}\"",
                            m.id, e.date
                        ));
                    }
                }
                EntryFrom::Count(rule) => {
                    if project.category(&rule.category).is_none() {
                        warnings.push(format!(
                            "measure \"{}\" ({}) counts an unknown category \"{}\"",
                            m.id, e.date, rule.category
                        ));
                    }
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Evidence;

    fn date(text: &str) -> FuzzyDate {
        text.parse().unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn each_kind_of_entry_survives_a_json_round_trip_with_unknown_fields() {
        let mut reported = Entry::reported(
            date("2025-10-14"),
            150.0,
            true,
            vec![Citation::new("csis-oct", Evidence::Confirmed)],
        );
        reported.extra.insert("reviewed_by".into(), "kim".into());
        let entries = vec![
            reported,
            Entry::measured(date("late 2025-05"), "dprk-works"),
            Entry {
                date: date("2026"),
                from: EntryFrom::Count(CountRule {
                    category: "pier".into(),
                    id_prefix: Some("pier-dprk-".into()),
                }),
                extra: Map::new(),
            },
        ];
        for entry in entries {
            let json = serde_json::to_value(&entry).unwrap();
            let back: Entry = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, entry, "{json}");
        }
    }

    #[test]
    fn an_entry_with_a_value_and_an_annotation_is_refused_with_its_date() {
        let err =
            serde_json::from_str::<Entry>(r#"{"date": "2025-10", "value": 3, "annotation": "a"}"#)
                .unwrap_err();
        assert!(err.to_string().contains("2025-10"), "{err}");
        let err = serde_json::from_str::<Entry>(r#"{"date": "2025-10"}"#).unwrap_err();
        assert!(err.to_string().contains("no value"), "{err}");
    }

    #[test]
    fn a_fuzzy_date_spans_its_whole_period() {
        let last = |t: &str| period_last_day(date(t));
        assert_eq!(last("2025-10-14"), ymd(2025, 10, 14));
        assert_eq!(last("early 2025-06"), ymd(2025, 6, 10));
        assert_eq!(last("mid 2025-09"), ymd(2025, 9, 20));
        assert_eq!(last("late 2025-02"), ymd(2025, 2, 28));
        assert_eq!(last("2026-03"), ymd(2026, 3, 31));
        assert_eq!(last("summer 2026"), ymd(2026, 8, 31));
        assert_eq!(last("winter 2025"), ymd(2026, 2, 28));
        assert_eq!(last("2024"), ymd(2024, 12, 31));
    }

    #[test]
    fn units_belong_to_their_quantity() {
        assert_eq!(Quantity::Length.si_per_unit("km"), Some(1000.0));
        assert_eq!(Quantity::Area.si_per_unit("ha"), Some(10_000.0));
        assert_eq!(Quantity::Length.si_per_unit("ha"), None);
        assert_eq!(Quantity::of_unit("m²"), Quantity::Area);
        assert_eq!(Quantity::of_unit("piers"), Quantity::Count);
    }

    #[test]
    fn a_count_rule_reads_back_its_selector_and_nothing_else() {
        for rule in [
            CountRule {
                category: "pier".into(),
                id_prefix: None,
            },
            CountRule {
                category: "pier".into(),
                id_prefix: Some("pier-dprk-river-".into()),
            },
        ] {
            assert_eq!(CountRule::from_selector(&rule.selector()), Some(rule));
        }
        for bad in [
            "",
            "pier",
            "category:",
            "category:pier id:x",
            "category:a b",
        ] {
            assert_eq!(CountRule::from_selector(bad), None, "{bad}");
        }
    }
}
