//! The values of a project's measures, as of the project now: reported figures as stored,
//! measured and counted ones computed from the annotations (geodesic, WGS 84, Karney's
//! algorithms through `geo`), so they follow every edit.

use crate::model::measure::{CountRule, EntryFrom, Measure, Quantity, period_last_day};
use crate::model::timeline::is_visible;
use crate::model::{Annotation, Evidence, FuzzyDate, Project, Shape};
use crate::spatial::measure::{area_m2, length_m, perimeter_m};

/// Where a value comes from, as the chart and the CSV tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A figure a source gives.
    Reported,
    /// Measured on the map from one annotation's geometry.
    Measured,
    /// Counted on the map: annotations seen at the date.
    Counted,
}

impl ValueKind {
    /// The word the CSV's `kind` column writes.
    pub fn word(self) -> &'static str {
        match self {
            ValueKind::Reported => "reported",
            ValueKind::Measured => "measured",
            ValueKind::Counted => "counted",
        }
    }

    /// Reads [`Self::word`] back.
    pub fn from_word(word: &str) -> Option<Self> {
        [Self::Reported, Self::Measured, Self::Counted]
            .into_iter()
            .find(|k| k.word() == word)
    }

    /// True for values taken from the map (measured or counted), false for reported figures.
    pub fn is_observed(self) -> bool {
        self != ValueKind::Reported
    }
}

/// One entry of a measure with its value as of now.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureValue {
    /// The entry's date.
    pub date: FuzzyDate,
    /// The value in the measure's unit; `None` when it cannot be computed (see `problem`).
    pub value: Option<f64>,
    /// Approximate: the source says "about", or the annotation was placed from a description
    /// (derived evidence) or is not drawn as confirmed.
    pub approx: bool,
    /// Reported, measured or counted.
    pub kind: ValueKind,
    /// The annotation measured, or the count's selector (`category:pier id:pier-dprk-*`); empty
    /// for reported figures.
    pub annotation_id: String,
    /// Source keys: a reported figure's citations, or the measured annotation's.
    pub source_keys: Vec<String>,
    /// The evidence of each reported citation; for a measured or counted value, `derived`
    /// alone (the number is computed, whatever the drawing's sources say).
    pub evidence: Vec<Evidence>,
    /// Why there is no value ("no annotation has the id …").
    pub problem: Option<String>,
}

/// Every entry of `measure` with its value now, sorted by date (ties keep the measure's order).
pub fn measure_values(project: &Project, measure: &Measure) -> Vec<MeasureValue> {
    let mut values: Vec<MeasureValue> = measure
        .entries
        .iter()
        .map(|entry| match &entry.from {
            EntryFrom::Reported {
                value,
                approx,
                sources,
            } => MeasureValue {
                date: entry.date,
                value: Some(*value),
                approx: *approx,
                kind: ValueKind::Reported,
                annotation_id: String::new(),
                source_keys: sources.iter().map(|c| c.source.clone()).collect(),
                evidence: sources.iter().map(|c| c.evidence).collect(),
                problem: None,
            },
            EntryFrom::Annotation { id } => measured(project, measure, entry.date, id),
            EntryFrom::Count(rule) => counted(project, measure, entry.date, rule),
        })
        .collect();
    values.sort_by_key(|v| v.date.key());
    values
}

fn measured(project: &Project, measure: &Measure, date: FuzzyDate, id: &str) -> MeasureValue {
    let mut out = MeasureValue {
        date,
        value: None,
        approx: false,
        kind: ValueKind::Measured,
        annotation_id: id.to_owned(),
        source_keys: Vec::new(),
        evidence: vec![Evidence::Derived],
        problem: None,
    };
    let Some(annotation) = project.annotation(id) else {
        out.problem = Some(format!("no annotation has the id \"{id}\""));
        return out;
    };
    out.approx = is_approximate(annotation);
    for c in &annotation.sources {
        if !out.source_keys.contains(&c.source) {
            out.source_keys.push(c.source.clone());
        }
    }
    match annotation_value_si(measure.quantity, &annotation.shape) {
        Ok(si) => match measure.quantity.si_per_unit(&measure.unit) {
            Some(per_unit) => out.value = Some(si / per_unit),
            None => out.problem = Some(unit_problem(measure)),
        },
        Err(problem) => out.problem = Some(problem),
    }
    out
}

/// True when a drawing only approximates where the thing is: placed from a description
/// (derived evidence) or not drawn as confirmed.
fn is_approximate(annotation: &Annotation) -> bool {
    annotation.is_derived() || annotation.certainty != crate::model::Certainty::Confirmed
}

fn unit_problem(measure: &Measure) -> String {
    format!(
        "\"{}\" is not a unit of {}",
        measure.unit,
        measure.quantity.word()
    )
}

/// A shape's length (m) or area (m²) as the quantity asks.
fn annotation_value_si(quantity: Quantity, shape: &Shape) -> Result<f64, String> {
    match (quantity, shape) {
        (Quantity::Length, Shape::Line(line)) => Ok(length_m(line)),
        (Quantity::Length, Shape::Polygon(polygon)) => Ok(perimeter_m(polygon)),
        (Quantity::Area, Shape::Polygon(polygon)) => Ok(area_m2(polygon)),
        (Quantity::Count, _) => Err(
            "a count is counted with a rule (category and id prefix), not one annotation".into(),
        ),
        (quantity, shape) => Err(format!(
            "a {} has no {}",
            shape.kind().to_lowercase(),
            quantity.word()
        )),
    }
}

fn counted(
    project: &Project,
    measure: &Measure,
    date: FuzzyDate,
    rule: &CountRule,
) -> MeasureValue {
    let mut out = MeasureValue {
        date,
        value: None,
        approx: false,
        kind: ValueKind::Counted,
        annotation_id: rule.selector(),
        source_keys: Vec::new(),
        evidence: vec![Evidence::Derived],
        problem: None,
    };
    if measure.quantity != Quantity::Count {
        out.problem = Some(format!(
            "a {} is measured from one annotation, not counted",
            measure.quantity.word()
        ));
        return out;
    }
    let chosen = counted_annotations(project, date, rule);
    out.approx = chosen.iter().any(|a| is_approximate(a));
    for a in &chosen {
        for c in &a.sources {
            if !out.source_keys.contains(&c.source) {
                out.source_keys.push(c.source.clone());
            }
        }
    }
    out.value = Some(chosen.len() as f64);
    out
}

/// The annotations a count rule selects on a date: its category, its id prefix, seen on the
/// **last** day of the date's period (so "2026-03" counts what stood by the end of March).
pub fn counted_annotations<'a>(
    project: &'a Project,
    date: FuzzyDate,
    rule: &CountRule,
) -> Vec<&'a Annotation> {
    let day = period_last_day(date);
    project
        .annotations
        .iter()
        .filter(|a| a.category == rule.category)
        .filter(|a| {
            rule.id_prefix
                .as_deref()
                .is_none_or(|prefix| a.id.starts_with(prefix))
        })
        .filter(|a| is_visible(a, day))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;
    use crate::model::measure::Entry;
    use crate::model::{Citation, Quantity};
    use geo::{LineString, Point};
    use serde_json::Map;

    fn measure(quantity: Quantity, unit: &str, entries: Vec<Entry>) -> Measure {
        Measure {
            id: "m".into(),
            name: "M".into(),
            unit: unit.into(),
            quantity,
            entries,
            note: String::new(),
            extra: Map::new(),
        }
    }

    fn date(text: &str) -> FuzzyDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_measure_with_no_entries_has_no_values() {
        let p = load_default_project().unwrap().project;
        assert!(measure_values(&p, &measure(Quantity::Length, "m", vec![])).is_empty());
    }

    #[test]
    fn values_come_sorted_by_date_and_reported_ones_keep_their_citations() {
        let p = load_default_project().unwrap().project;
        let m = measure(
            Quantity::Length,
            "m",
            vec![
                Entry::reported(
                    date("2026-03"),
                    2.0,
                    false,
                    vec![Citation::new("a", Evidence::Reported)],
                ),
                Entry::reported(date("2025"), 1.0, true, vec![]),
            ],
        );
        let values = measure_values(&p, &m);
        assert_eq!(values[0].value, Some(1.0));
        assert!(values[0].approx);
        assert_eq!(values[1].source_keys, vec!["a".to_owned()]);
        assert_eq!(values[1].evidence, vec![Evidence::Reported]);
    }

    #[test]
    fn a_point_has_no_length_and_a_missing_annotation_is_named() {
        let mut p = load_default_project().unwrap().project;
        p.annotations[0].shape = Shape::Point(Point::new(130.6, 42.4));
        let id = p.annotations[0].id.clone();
        let m = measure(
            Quantity::Length,
            "m",
            vec![
                Entry::measured(date("2025"), id),
                Entry::measured(date("2025"), "gone"),
            ],
        );
        let values = measure_values(&p, &m);
        assert_eq!(values[0].value, None);
        assert!(
            values[0]
                .problem
                .as_deref()
                .unwrap()
                .contains("point has no length")
        );
        assert!(values[1].problem.as_deref().unwrap().contains("\"gone\""));
    }

    #[test]
    fn a_length_in_km_is_the_metres_over_a_thousand() {
        let mut p = load_default_project().unwrap().project;
        // One degree of longitude on the equator: 111 319.49 m on WGS 84 (a · π / 180).
        p.annotations[0].shape = Shape::Line(LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]));
        let id = p.annotations[0].id.clone();
        let values = measure_values(
            &p,
            &measure(
                Quantity::Length,
                "km",
                vec![Entry::measured(date("2025"), id)],
            ),
        );
        let km = values[0].value.unwrap();
        assert!((km - 111.319_49).abs() < 1e-4, "{km}");
    }

    #[test]
    fn a_count_follows_the_date_and_the_id_prefix() {
        let p = load_default_project().unwrap().project;
        let rule = CountRule {
            category: "pier".into(),
            id_prefix: Some("pier-dprk-river-".into()),
        };
        let m = measure(
            Quantity::Count,
            "piers",
            vec![
                Entry {
                    date: date("2025-10-13"),
                    from: EntryFrom::Count(rule.clone()),
                    extra: Map::new(),
                },
                Entry {
                    date: date("2025-10"),
                    from: EntryFrom::Count(rule),
                    extra: Map::new(),
                },
            ],
        );
        let values = measure_values(&p, &m);
        // The default project draws the two DPRK river piers from 14 Oct 2025: October (sorted
        // first, by its first day) counts what stood on its last day.
        assert_eq!(values[0].date, date("2025-10"));
        assert_eq!(values[0].value, Some(2.0));
        assert_eq!(values[1].value, Some(0.0));
        assert_eq!(
            values[0].annotation_id,
            "category:pier id:pier-dprk-river-*"
        );
    }
}
