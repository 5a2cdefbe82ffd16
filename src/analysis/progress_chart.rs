//! What the Progress chart draws, as plain data: one panel per unit (so metres and hectares
//! never share an axis), one series per measure, each value with the range of days its date
//! spans, and the stage dates. The window only paints it (`ui::progress`).

use chrono::{Datelike as _, NaiveDate};

use super::measures::{MeasureValue, measure_values};
use crate::model::measure::{Quantity, period_last_day};
use crate::model::{Annotation, Entry, FuzzyDate, Measure, Project, Shape};

/// A date as the chart's x axis counts it: days since 1 January of year 1 (proleptic
/// Gregorian), so one unit is one day.
pub fn x_of_day(day: NaiveDate) -> f64 {
    f64::from(day.num_days_from_ce())
}

/// The day at an x position (rounded down); `None` far outside the calendar.
pub fn day_of_x(x: f64) -> Option<NaiveDate> {
    if !x.is_finite() || x.abs() > 1.0e8 {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(x.floor() as i32)
}

/// One value on the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartPoint {
    /// The value, its date, kind, approximation and sources.
    pub value: MeasureValue,
    /// The value in the measure's unit (a point without one is not on the chart).
    pub y: f64,
    /// First day of the date's period.
    pub x_from: f64,
    /// The day after the period's last day: a day spans one unit, a month ~30.
    pub x_until: f64,
}

impl ChartPoint {
    /// True when the date names more than one day (drawn as a range).
    pub fn is_range(&self) -> bool {
        self.x_until - self.x_from > 1.0
    }

    /// Where the marker goes: the middle of the period (a day's own x for a day).
    pub fn x_marker(&self) -> f64 {
        if self.is_range() {
            f64::midpoint(self.x_from, self.x_until)
        } else {
            self.x_from
        }
    }
}

/// One measure on the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    /// The measure's id.
    pub measure_id: String,
    /// Its name (the legend entry).
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Its position among the project's measures (sets its colour).
    pub index: usize,
    /// The values that have one, by date.
    pub points: Vec<ChartPoint>,
    /// Why some entries have no value ("2025-10-14: no annotation has the id …").
    pub problems: Vec<String>,
}

/// One panel: the measures that share a unit.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartPanel {
    /// The unit of its y axis.
    pub unit: String,
    /// Its measures, in project order.
    pub series: Vec<ChartSeries>,
}

/// A stage date marked on every panel.
#[derive(Clone, Debug, PartialEq)]
pub struct StageMark {
    /// First day of the stage's date.
    pub x: f64,
    /// The stage's date.
    pub date: FuzzyDate,
    /// Its title.
    pub title: String,
}

/// Everything the Progress chart shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProgressChart {
    /// One per unit, in the order units first appear among the measures.
    pub panels: Vec<ChartPanel>,
    /// The stages.
    pub stages: Vec<StageMark>,
}

impl ProgressChart {
    /// How many series the chart draws: one per measure.
    pub fn series_count(&self) -> usize {
        self.panels.iter().map(|p| p.series.len()).sum()
    }
}

fn chart_point(value: MeasureValue) -> Option<ChartPoint> {
    let y = value.value?;
    let x_from = x_of_day(value.date.key());
    let x_until = x_of_day(period_last_day(value.date)) + 1.0;
    Some(ChartPoint {
        value,
        y,
        x_from,
        x_until,
    })
}

/// The chart of a project's measures as they are now.
pub fn progress_chart(project: &Project) -> ProgressChart {
    let mut panels: Vec<ChartPanel> = Vec::new();
    for (index, measure) in project.measures.iter().enumerate() {
        let mut series = ChartSeries {
            measure_id: measure.id.clone(),
            name: measure.name.clone(),
            unit: measure.unit.clone(),
            index,
            points: Vec::new(),
            problems: Vec::new(),
        };
        for value in measure_values(project, measure) {
            if let Some(problem) = &value.problem {
                series.problems.push(format!("{}: {problem}", value.date));
            }
            series.points.extend(chart_point(value));
        }
        match panels.iter_mut().find(|p| p.unit == measure.unit) {
            Some(panel) => panel.series.push(series),
            None => panels.push(ChartPanel {
                unit: measure.unit.clone(),
                series: vec![series],
            }),
        }
    }
    ProgressChart {
        panels,
        stages: project
            .stages
            .iter()
            .map(|s| StageMark {
                x: x_of_day(s.date.key()),
                date: s.date,
                title: s.title.clone(),
            })
            .collect(),
    }
}

/// A new measure that follows an annotation from `date`: a line's length in metres, a
/// polygon's area in hectares. `None` for a point (it has neither). Its id is new in the
/// project.
pub fn measure_of_annotation(
    project: &Project,
    annotation: &Annotation,
    date: NaiveDate,
) -> Option<Measure> {
    let (quantity, unit, what) = match annotation.shape {
        Shape::Point(_) => return None,
        Shape::Line(_) => (Quantity::Length, "m", "length"),
        Shape::Polygon(_) => (Quantity::Area, "ha", "area"),
    };
    let base = crate::model::ids::slug(&annotation.label, Some(5), "measure");
    let id = crate::model::ids::unique_id(&base, |t| project.measure(t).is_some());
    Some(Measure {
        id,
        name: format!("{} ({what})", annotation.label),
        unit: unit.to_owned(),
        quantity,
        entries: vec![Entry::measured(FuzzyDate::day(date), &annotation.id)],
        note: format!("Measured on the map from annotation {}.", annotation.id),
        extra: serde_json::Map::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;

    #[test]
    fn a_project_without_measures_draws_no_series_but_its_stages() {
        let mut p = load_default_project().unwrap().project;
        p.measures.clear();
        let chart = progress_chart(&p);
        assert_eq!(chart.series_count(), 0);
        assert_eq!(chart.stages.len(), p.stages.len());
    }

    #[test]
    fn measures_share_a_panel_only_when_they_share_a_unit() {
        let p = load_default_project().unwrap().project;
        let chart = progress_chart(&p);
        assert_eq!(chart.series_count(), p.measures.len());
        let units: Vec<&str> = chart.panels.iter().map(|p| p.unit.as_str()).collect();
        assert_eq!(units, ["m", "ha", "piers"]);
    }

    #[test]
    fn a_month_is_a_range_of_its_days_and_a_day_is_not() {
        let p = load_default_project().unwrap().project;
        let chart = progress_chart(&p);
        let area = &chart.panels[1].series[0];
        let july = &area.points[0];
        assert!(
            (july.x_until - july.x_from - 31.0).abs() < 1e-9,
            "July has 31 days"
        );
        assert!(july.is_range());
        let day = &chart.panels[0].series[0].points[0];
        assert!(!day.is_range());
        assert_eq!(
            day_of_x(day.x_marker()),
            NaiveDate::from_ymd_opt(2025, 10, 14)
        );
    }

    #[test]
    fn a_line_is_tracked_by_length_a_polygon_by_area_and_a_point_not_at_all() {
        let p = load_default_project().unwrap().project;
        let date = NaiveDate::from_ymd_opt(2025, 10, 14).unwrap();
        let line = p.annotation("russian-access-road").unwrap();
        let m = measure_of_annotation(&p, line, date).unwrap();
        assert_eq!((m.quantity, m.unit.as_str()), (Quantity::Length, "m"));
        assert!(p.measure(&m.id).is_none());
        let area = p.annotation("russian-customs-site").unwrap();
        let m = measure_of_annotation(&p, area, date).unwrap();
        assert_eq!(m.unit, "ha");
        let mut tracked = p.clone();
        tracked.measures.push(m.clone());
        let again = measure_of_annotation(&tracked, area, date).unwrap();
        assert_ne!(again.id, m.id, "a second measure of it gets a new id");
        assert!(measure_of_annotation(&p, p.annotation("helipad").unwrap(), date).is_none());
    }
}
