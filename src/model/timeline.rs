//! What the project shows at a date.
//!
//! Conventions (documented in the README):
//! - Every comparison uses a date's [`FuzzyDate::key`], the first day of the period it names.
//! - An annotation is visible on `date` when `seen_from ≤ date < seen_until` — from the first day
//!   it was seen, up to but not including the first day it was seen gone. No `seen_until` means it
//!   still stands.
//! - The current stage is the latest stage dated on or before `date`; before the first stage
//!   there is none.

use chrono::NaiveDate;

use super::annotation::Annotation;
use super::date::FuzzyDate;
use super::project::Project;
use super::stage::Stage;

/// True when the annotation is on the map at `date` (`seen_from ≤ date < seen_until`).
pub fn is_visible(annotation: &Annotation, date: NaiveDate) -> bool {
    annotation.seen_from.key() <= date
        && annotation
            .seen_until
            .is_none_or(|until: FuzzyDate| date < until.key())
}

/// Index of the latest stage on or before `date` (stages sorted by date), if any.
pub fn current_stage_index(stages: &[Stage], date: NaiveDate) -> Option<usize> {
    stages
        .partition_point(|s| s.date.key() <= date)
        .checked_sub(1)
}

/// The latest stage on or before `date`, if any.
pub fn current_stage(project: &Project, date: NaiveDate) -> Option<&Stage> {
    current_stage_index(&project.stages, date).and_then(|i| project.stages.get(i))
}

/// The annotations on the map at `date`, in project order.
pub fn visible_annotations(
    project: &Project,
    date: NaiveDate,
) -> impl Iterator<Item = &Annotation> {
    project
        .annotations
        .iter()
        .filter(move |a| is_visible(a, date))
}

/// The date range the slider spans: first to last stage (a single day when there is one stage).
pub fn date_range(project: &Project) -> Option<(NaiveDate, NaiveDate)> {
    let first = project.stages.first()?.date.key();
    let last = project.stages.last()?.date.key();
    Some((first, last))
}

/// The date of the stage after the one current at `date` (for →); `None` past the last.
pub fn next_stage_date(project: &Project, date: NaiveDate) -> Option<NaiveDate> {
    project
        .stages
        .iter()
        .map(|s| s.date.key())
        .find(|&d| d > date)
}

/// The date of the stage before `date` (for ←): the previous stage's date, or the current
/// stage's own date when the slider sits between stages; `None` at or before the first.
pub fn previous_stage_date(project: &Project, date: NaiveDate) -> Option<NaiveDate> {
    project
        .stages
        .iter()
        .map(|s| s.date.key())
        .rev()
        .find(|&d| d < date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::annotation::{Certainty, Shape, Status};
    use crate::model::source::Citation;
    use crate::model::source::Evidence;
    use crate::spatial::LonLatBox;
    use geo::Point;
    use serde_json::Map;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn stage(date: &str, title: &str) -> Stage {
        Stage {
            date: date.parse().unwrap(),
            title: title.to_owned(),
            summary: String::new(),
            sources: vec![Citation::new("s", Evidence::Confirmed)],
            view: None,
            extra: Map::new(),
        }
    }

    fn annotation(from: &str, until: Option<&str>) -> Annotation {
        Annotation {
            id: "a".into(),
            shape: Shape::Point(Point::new(130.64, 42.41)),
            label: "Pier".into(),
            category: "pier".into(),
            status: Status::UnderConstruction,
            certainty: Certainty::Confirmed,
            mark: crate::model::Mark::Feature,
            seen_from: from.parse().unwrap(),
            seen_until: until.map(|u| u.parse().unwrap()),
            sources: vec![],
            note: String::new(),
            label_place: crate::model::LabelPlace::default(),
            extra_properties: Map::new(),
            extra_members: Map::new(),
        }
    }

    fn project(stages: Vec<Stage>) -> Project {
        Project {
            name: "t".into(),
            description: String::new(),
            home: LonLatBox::try_from([130.6, 42.4, 130.7, 42.43]).unwrap(),
            categories: vec![],
            sources: vec![],
            stages,
            layers: vec![],
            tracks: vec![],
            label_language: None,
            annotations: vec![],
            measures: vec![],
            extra: Map::new(),
            extra_members: Map::new(),
        }
    }

    #[test]
    fn an_annotation_appears_on_its_seen_from_day_and_not_the_day_before() {
        let a = annotation("2025-02-27", None);
        assert!(!is_visible(&a, d("2025-02-26")));
        assert!(is_visible(&a, d("2025-02-27")));
        assert!(is_visible(&a, d("2030-01-01")));
    }

    #[test]
    fn an_annotation_is_gone_on_its_seen_until_day() {
        let a = annotation("2025-02-27", Some("2025-10-14"));
        assert!(is_visible(&a, d("2025-10-13")));
        assert!(!is_visible(&a, d("2025-10-14")));
    }

    #[test]
    fn a_month_precise_seen_from_starts_on_the_first_of_the_month() {
        let a = annotation("late 2025-05", None);
        assert!(!is_visible(&a, d("2025-05-20")));
        assert!(is_visible(&a, d("2025-05-21")));
    }

    #[test]
    fn the_current_stage_is_the_latest_on_or_before_the_date() {
        let p = project(vec![stage("2024-06-19", "A"), stage("2025-02-27", "B")]);
        let title = |date: &str| current_stage(&p, d(date)).map(|s| s.title.as_str());
        assert_eq!(title("2024-06-18"), None, "before the first stage");
        assert_eq!(title("2024-06-19"), Some("A"), "on a stage date");
        assert_eq!(title("2025-01-01"), Some("A"), "between stages");
        assert_eq!(title("2025-02-27"), Some("B"));
        assert_eq!(title("2030-01-01"), Some("B"), "after the last stage");
    }

    #[test]
    fn stepping_moves_between_stage_dates() {
        let p = project(vec![stage("2024-06-19", "A"), stage("2025-02-27", "B")]);
        assert_eq!(next_stage_date(&p, d("2024-06-19")), Some(d("2025-02-27")));
        assert_eq!(next_stage_date(&p, d("2025-02-27")), None);
        assert_eq!(
            previous_stage_date(&p, d("2025-02-27")),
            Some(d("2024-06-19"))
        );
        assert_eq!(
            previous_stage_date(&p, d("2025-01-01")),
            Some(d("2024-06-19"))
        );
        assert_eq!(previous_stage_date(&p, d("2024-06-19")), None);
    }

    #[test]
    fn an_empty_project_has_no_stage_and_no_range() {
        let p = project(vec![]);
        assert!(current_stage(&p, d("2025-01-01")).is_none());
        assert!(date_range(&p).is_none());
    }
}
