//! The Progress window's contents: every tracked measure over time, one panel per unit with
//! the x axes linked, stage dates as dashed vertical lines, a fuzzy date as a bar across its
//! period, reported values as circles, values measured on the map as diamonds (counts as
//! squares), hollow when approximate. Hovering a value shows it with its date and sources.
//! Below: export, tracking the selected annotation, adding a reported value, the measures.

use chrono::NaiveDate;
use egui::{Color32, RichText, Stroke, Ui};
use egui_plot::{
    GridInput, GridMark, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotPoints, Points,
    VLine,
};

use crate::analysis::measures::ValueKind;
use crate::analysis::progress_chart::{
    ChartPanel, ChartPoint, ChartSeries, ProgressChart, day_of_x, measure_of_annotation,
};
use crate::command::{Command, ProgressCommand};
use crate::editing::{Edit, MeasureEdit};
use crate::model::measure::period_last_day;
use crate::model::{Annotation, Citation, Entry, FuzzyDate, Project};

use super::progress_form::{ReportForm, report_form_ui};

/// What the Progress window shows.
pub struct ProgressView<'a> {
    /// The project (sources for hover text, measures for the list).
    pub project: &'a Project,
    /// The chart, built from the project this frame.
    pub chart: &'a ProgressChart,
    /// The selected annotation, which "Track selected" measures.
    pub selected: Option<&'a Annotation>,
    /// The slider's date (a tracked annotation's first entry).
    pub date: NaiveDate,
    /// What the last CSV export did.
    pub status: Option<&'a str>,
}

/// Colour-blind-safe colours (Okabe–Ito), bright enough on the dark theme.
const PALETTE: [Color32; 7] = [
    Color32::from_rgb(0xE6, 0x9F, 0x00),
    Color32::from_rgb(0x56, 0xB4, 0xE9),
    Color32::from_rgb(0x00, 0x9E, 0x73),
    Color32::from_rgb(0xF0, 0xE4, 0x42),
    Color32::from_rgb(0xD5, 0x5E, 0x00),
    Color32::from_rgb(0xCC, 0x79, 0xA7),
    Color32::from_rgb(0x00, 0x72, 0xB2),
];

const STAGE_COLOUR: Color32 = Color32::from_gray(120);

/// A value nearer the pointer than this (screen points) shows its tooltip.
const HOVER_RADIUS: f32 = 12.0;

/// At most this many values listed in one tooltip.
const MAX_HOVERED: usize = 4;

fn colour(position_in_panel: usize) -> Color32 {
    PALETTE[position_in_panel % PALETTE.len()]
}

fn marker(kind: ValueKind) -> MarkerShape {
    match kind {
        ValueKind::Reported => MarkerShape::Circle,
        ValueKind::Measured => MarkerShape::Diamond,
        ValueKind::Counted => MarkerShape::Square,
    }
}

/// Draws the window's contents; returns what the user asked for.
pub fn progress_ui(ui: &mut Ui, view: &ProgressView<'_>, form: &mut ReportForm) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        if ui
            .button("Export CSV…")
            .on_hover_text("Every measure's values as CSV, measured ones as of now")
            .clicked()
        {
            commands.push(Command::Progress(ProgressCommand::ExportCsvDialog));
        }
        let tracked = view
            .selected
            .and_then(|a| measure_of_annotation(view.project, a, view.date));
        let hint = match (view.selected, &tracked) {
            (None, _) => "Select a line or an area on the map first".to_owned(),
            (Some(_), None) => "A point has no length or area".to_owned(),
            (Some(a), Some(m)) => format!(
                "Track the {} of \"{}\" in {} from {}",
                m.quantity.word(),
                a.label,
                m.unit,
                view.date
            ),
        };
        let clicked = ui
            .add_enabled(
                tracked.is_some(),
                egui::Button::new("Track selected annotation"),
            )
            .on_hover_text(&hint)
            .on_disabled_hover_text(&hint)
            .clicked();
        if clicked && let Some(measure) = tracked {
            commands.push(Command::edit(Edit::Measure(MeasureEdit::Add {
                index: view.project.measures.len(),
                measure: Box::new(measure),
            })));
        }
        if let Some(status) = view.status {
            ui.label(status);
        }
    });
    key_ui(ui);
    ui.separator();
    if view.chart.panels.is_empty() {
        ui.label(
            "No measures yet: select a line or an area and press Track selected annotation, \
             or add a reported value below.",
        );
    }
    let panels = view.chart.panels.len().max(1) as f32;
    let height = ((ui.available_height() - 150.0) / panels).max(190.0);
    let x_range = x_extent(view.chart);
    egui::ScrollArea::vertical().show(ui, |ui| {
        for panel in &view.chart.panels {
            panel_ui(ui, view, panel, height, x_range);
        }
        ui.separator();
        commands.extend(report_form_ui(ui, view.project, form));
        egui::CollapsingHeader::new(format!("Measures ({})", view.project.measures.len()))
            .id_salt("progress-measures")
            .show(ui, |ui| commands.extend(measure_list_ui(ui, view)));
    });
    commands
}

/// The marker key, drawn with the chart's own shapes.
fn key_ui(ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let grey = Color32::from_gray(200);
        for (shape, filled, words) in [
            (MarkerShape::Circle, true, "reported by a source"),
            (MarkerShape::Diamond, true, "measured on the map"),
            (MarkerShape::Square, true, "counted on the map"),
            (MarkerShape::Circle, false, "hollow: approximate"),
        ] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            paint_marker(ui.painter(), rect.center(), shape, filled, grey);
            ui.label(RichText::new(words).small());
            ui.add_space(8.0);
        }
        ui.label(
            RichText::new(
                "a bar spans a date known only to the month or season; dashed lines: stages",
            )
            .small(),
        );
    });
}

fn paint_marker(
    painter: &egui::Painter,
    center: egui::Pos2,
    shape: MarkerShape,
    filled: bool,
    colour: Color32,
) {
    let r = 5.0;
    let points: Vec<egui::Pos2> = match shape {
        MarkerShape::Diamond => vec![
            center + egui::vec2(0.0, -r),
            center + egui::vec2(r, 0.0),
            center + egui::vec2(0.0, r),
            center + egui::vec2(-r, 0.0),
        ],
        MarkerShape::Square => vec![
            center + egui::vec2(-r, -r),
            center + egui::vec2(r, -r),
            center + egui::vec2(r, r),
            center + egui::vec2(-r, r),
        ],
        _ => {
            if filled {
                painter.circle_filled(center, r, colour);
            } else {
                painter.circle_stroke(center, r, Stroke::new(1.5, colour));
            }
            return;
        }
    };
    let fill = if filled { colour } else { Color32::TRANSPARENT };
    painter.add(egui::Shape::convex_polygon(
        points,
        fill,
        Stroke::new(1.5, colour),
    ));
}

/// The days every panel shows: all stages and values, with a little room either side.
fn x_extent(chart: &ProgressChart) -> (f64, f64) {
    let xs = chart.stages.iter().map(|s| s.x).chain(
        chart
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| &s.points)
            .flat_map(|p| [p.x_from, p.x_until]),
    );
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if lo.is_finite() {
        (lo - 20.0, hi + 20.0)
    } else {
        (0.0, 1.0)
    }
}

/// Grid lines on the first of each month (quarters or years when months would crowd).
#[allow(clippy::needless_pass_by_value)] // egui_plot's spacer signature
fn month_marks(input: GridInput) -> Vec<GridMark> {
    let (Some(start), Some(end)) = (day_of_x(input.bounds.0), day_of_x(input.bounds.1)) else {
        return Vec::new();
    };
    let days = (end - start).num_days();
    let every = match days {
        ..=550 => 1,
        551..=1500 => 3,
        _ => 12,
    };
    let mut marks = Vec::new();
    let mut month = start.with_day0_first();
    while month <= end && marks.len() < 400 {
        let x = crate::analysis::progress_chart::x_of_day(month);
        let m0 = chrono::Datelike::month0(&month);
        if m0 % every == 0 && x >= input.bounds.0 {
            let step_size = if m0 == 0 {
                365.0
            } else {
                30.0 * f64::from(every)
            };
            marks.push(GridMark {
                value: x,
                step_size,
            });
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        month = next;
    }
    marks
}

trait FirstOfMonth {
    fn with_day0_first(self) -> Self;
}

impl FirstOfMonth for NaiveDate {
    fn with_day0_first(self) -> Self {
        chrono::Datelike::with_day(&self, 1).unwrap_or(self)
    }
}

fn panel_ui(ui: &mut Ui, view: &ProgressView<'_>, panel: &ChartPanel, height: f32, x: (f64, f64)) {
    let unit = panel.unit.clone();
    let response = Plot::new(("progress-panel", &panel.unit))
        .height(height)
        .legend(
            Legend::default()
                .position(egui_plot::Corner::LeftTop)
                .follow_insertion_order(true)
                .color_conflict_handling(egui_plot::ColorConflictHandling::PickLast),
        )
        .link_axis(egui::Id::unique("progress-x"), [true, false])
        .link_cursor(egui::Id::unique("progress-x"), [true, false])
        .include_x(x.0)
        .include_x(x.1)
        .include_y(0.0)
        .include_y(y_top(panel))
        .y_axis_label(unit)
        .x_grid_spacer(month_marks)
        .x_axis_formatter(|mark, _| {
            day_of_x(mark.value).map_or_else(String::new, |d| d.format("%Y-%m").to_string())
        })
        .label_formatter(|_| None)
        .show(ui, |plot_ui| {
            for (position, series) in panel.series.iter().enumerate() {
                series_items(plot_ui, series, colour(position));
            }
            // After the measures, so the legend lists them first.
            for stage in &view.chart.stages {
                plot_ui.vline(
                    VLine::new("Stages", stage.x)
                        .color(STAGE_COLOUR)
                        .style(LineStyle::dashed_dense())
                        .width(1.0),
                );
            }
            let pointer = plot_ui.pointer_coordinate()?;
            let at = plot_ui.screen_from_plot(pointer);
            let mut hits: Vec<(f32, usize, usize)> = Vec::new();
            for (si, series) in panel.series.iter().enumerate() {
                for (pi, point) in series.points.iter().enumerate() {
                    let from = plot_ui.screen_from_plot(PlotPoint::new(point.x_from, point.y));
                    let until = plot_ui.screen_from_plot(PlotPoint::new(point.x_until, point.y));
                    let marker =
                        plot_ui.screen_from_plot(PlotPoint::new(point.x_marker(), point.y));
                    let along = if point.is_range() {
                        let x = at.x.clamp(from.x, until.x);
                        egui::pos2(x, marker.y).distance(at)
                    } else {
                        f32::INFINITY
                    };
                    let d = marker.distance(at).min(along);
                    if d < HOVER_RADIUS {
                        hits.push((d, si, pi));
                    }
                }
            }
            // Values at the same place (a reported figure and its drawing) are all listed.
            hits.sort_by(|a, b| a.0.total_cmp(&b.0));
            hits.truncate(MAX_HOVERED);
            for &(_, si, pi) in &hits {
                if let Some(point) = panel.series.get(si).and_then(|s| s.points.get(pi)) {
                    plot_ui.points(
                        Points::new("", vec![[point.x_marker(), point.y]])
                            .shape(marker(point.value.kind))
                            .radius(13.0)
                            .filled(false)
                            .color(Color32::WHITE),
                    );
                }
            }
            Some(hits)
        });
    let hovered: Vec<Vec<String>> = response
        .inner
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, si, pi)| {
            let series = panel.series.get(si)?;
            Some(hover_lines(view.project, series, series.points.get(pi)?))
        })
        .collect();
    if !hovered.is_empty() {
        response.response.on_hover_ui_at_pointer(|ui| {
            for (n, lines) in hovered.iter().enumerate() {
                if n > 0 {
                    ui.separator();
                }
                for (i, line) in lines.iter().enumerate() {
                    if i == 0 {
                        ui.strong(line);
                    } else {
                        ui.label(line);
                    }
                }
            }
        });
    }
}

/// The top of a panel's y axis: its largest value with room above for the marker.
fn y_top(panel: &ChartPanel) -> f64 {
    panel
        .series
        .iter()
        .flat_map(|s| &s.points)
        .map(|p| p.y)
        .fold(0.0, f64::max)
        * 1.15
}

/// One measure's items: reported values joined by a solid line, measured ones by a dashed
/// line, each date's period as a bar, each value as a marker (hollow when approximate). All
/// carry the measure's name, so they share one legend entry.
fn series_items(plot_ui: &mut egui_plot::PlotUi<'_>, series: &ChartSeries, colour: Color32) {
    let name = series.name.as_str();
    for observed in [false, true] {
        let path: Vec<[f64; 2]> = series
            .points
            .iter()
            .filter(|p| p.value.kind.is_observed() == observed)
            .map(|p| [p.x_marker(), p.y])
            .collect();
        if path.len() > 1 {
            let style = if observed {
                LineStyle::dashed_loose()
            } else {
                LineStyle::Solid
            };
            plot_ui.line(
                Line::new(name, PlotPoints::from(path))
                    .color(colour.gamma_multiply(0.6))
                    .style(style)
                    .width(1.0),
            );
        }
    }
    for point in series.points.iter().filter(|p| p.is_range()) {
        plot_ui.line(
            Line::new(
                name,
                PlotPoints::from(vec![[point.x_from, point.y], [point.x_until, point.y]]),
            )
            .color(colour)
            .width(3.0),
        );
    }
    // Values from the map first and larger, so a reported value at the same place (drawn on
    // top) leaves their outline showing around it.
    for kind in [ValueKind::Measured, ValueKind::Counted, ValueKind::Reported] {
        for approx in [false, true] {
            let at: Vec<[f64; 2]> = series
                .points
                .iter()
                .filter(|p| p.value.kind == kind && p.value.approx == approx)
                .map(|p| [p.x_marker(), p.y])
                .collect();
            if !at.is_empty() {
                plot_ui.points(
                    Points::new(name, PlotPoints::from(at))
                        .shape(marker(kind))
                        .filled(!approx)
                        .radius(if kind.is_observed() { 9.0 } else { 5.0 })
                        .color(colour),
                );
            }
        }
    }
}

/// The tooltip of one value: the measure and value, the date (with its span when fuzzy), and
/// where the value comes from.
pub fn hover_lines(project: &Project, series: &ChartSeries, point: &ChartPoint) -> Vec<String> {
    let v = &point.value;
    let tilde = if v.approx { "~" } else { "" };
    let decimals = if series.unit == "ha" || series.unit == "km" {
        2
    } else {
        0
    };
    let mut lines = vec![format!(
        "{}: {tilde}{:.decimals$} {}",
        series.name, point.y, series.unit
    )];
    let date = v.date.display_upper();
    lines.push(if point.is_range() {
        format!(
            "{date} (somewhere from {} to {})",
            v.date.key().format("%-d %b %Y"),
            period_last_day(v.date).format("%-d %b %Y")
        )
    } else {
        date
    });
    let outlet = |key: &str| {
        project.source(key).map_or_else(
            || format!("{key} (unknown source)"),
            |s| format!("{} [{key}]", s.outlet),
        )
    };
    match v.kind {
        ValueKind::Reported => {
            lines.push(format!(
                "Reported{}",
                if v.approx {
                    ", approximate (the source says \"about\")"
                } else {
                    ""
                }
            ));
            for (key, evidence) in v.source_keys.iter().zip(&v.evidence) {
                lines.push(format!("  {} — {}", outlet(key), evidence.word()));
            }
        }
        ValueKind::Measured | ValueKind::Counted => {
            let what = if v.kind == ValueKind::Measured {
                format!("Measured on the map from annotation {}", v.annotation_id)
            } else {
                format!("Counted on the map: {}", v.annotation_id)
            };
            lines.push(what);
            lines.push(
                "Derived: computed from the drawing, as current as the drawing is".to_owned(),
            );
            if v.approx {
                lines.push(
                    "The drawing is approximate (placed from a description, or not confirmed)"
                        .to_owned(),
                );
            }
            if !v.source_keys.is_empty() {
                let keys: Vec<String> = v.source_keys.iter().map(|k| outlet(k)).collect();
                lines.push(format!("The drawing cites {}", keys.join(", ")));
            }
        }
    }
    lines
}

fn measure_list_ui(ui: &mut Ui, view: &ProgressView<'_>) -> Vec<Command> {
    let mut commands = Vec::new();
    for measure in &view.project.measures {
        let problems: Vec<&String> = view
            .chart
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .filter(|s| s.measure_id == measure.id)
            .flat_map(|s| &s.problems)
            .collect();
        ui.horizontal(|ui| {
            let label = ui.label(format!(
                "{} ({}, {}) — {} entries",
                measure.name,
                measure.unit,
                measure.quantity.word(),
                measure.entries.len()
            ));
            if !measure.note.is_empty() {
                label.on_hover_text(&measure.note);
            }
            if ui
                .small_button("Remove")
                .on_hover_text(format!("Stop tracking \"{}\" (undoable)", measure.name))
                .clicked()
            {
                commands.push(Command::edit(Edit::Measure(MeasureEdit::Remove {
                    id: measure.id.clone(),
                })));
            }
        });
        for problem in problems {
            ui.label(
                RichText::new(format!("  ⚠ {problem}")).color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
            );
        }
    }
    commands
}

/// The edit that appends a reported value to a measure.
pub fn add_reported_edit(
    project: &Project,
    measure_id: &str,
    date: FuzzyDate,
    value: f64,
    approx: bool,
    citation: Citation,
) -> Option<Edit> {
    let mut measure = project.measure(measure_id)?.clone();
    measure
        .entries
        .push(Entry::reported(date, value, approx, vec![citation]));
    Some(Edit::Measure(MeasureEdit::Set {
        id: measure_id.to_owned(),
        measure: Box::new(measure),
    }))
}
