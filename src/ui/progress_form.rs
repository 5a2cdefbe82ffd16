//! The Progress window's "Add a reported value" row: a figure a source gives, for one measure,
//! with its date (any precision), an approximate flag and the citation.

use egui::{RichText, Ui};

use super::progress::add_reported_edit;
use crate::command::Command;
use crate::model::{Citation, FuzzyDate, Project};

/// The half-typed reported value, kept between frames.
#[derive(Clone, Debug, Default)]
pub struct ReportForm {
    /// The measure it goes to (empty: the first).
    pub measure_id: String,
    /// The date as typed.
    pub date: String,
    /// The value as typed.
    pub value: String,
    /// The source says "about".
    pub approx: bool,
    /// The cited source's key (empty: the first).
    pub source: String,
    /// What the source says, in its words.
    pub detail: String,
    /// Why the last Add was refused.
    pub error: Option<String>,
}

/// Draws the row; returns the edit when Add is pressed with good values.
pub fn report_form_ui(ui: &mut Ui, project: &Project, form: &mut ReportForm) -> Vec<Command> {
    let mut commands = Vec::new();
    let (Some(first_measure), Some(first_source)) =
        (project.measures.first(), project.sources.first())
    else {
        return commands;
    };
    if project.measure(&form.measure_id).is_none() {
        form.measure_id.clone_from(&first_measure.id);
    }
    if project.source(&form.source).is_none() {
        form.source.clone_from(&first_source.key);
    }
    ui.label(RichText::new("Add a reported value").strong());
    ui.horizontal_wrapped(|ui| {
        let name = project
            .measure(&form.measure_id)
            .map_or("", |m| m.name.as_str());
        egui::ComboBox::from_id_salt("report-measure")
            .selected_text(name)
            .show_ui(ui, |ui| {
                for m in &project.measures {
                    ui.selectable_value(&mut form.measure_id, m.id.clone(), &m.name);
                }
            });
        let label = ui.label("Date");
        ui.add(
            egui::TextEdit::singleline(&mut form.date)
                .desired_width(110.0)
                .hint_text("late 2025-05"),
        )
        .labelled_by(label.id);
        let label = ui.label("Value");
        ui.add(egui::TextEdit::singleline(&mut form.value).desired_width(70.0))
            .labelled_by(label.id);
        ui.checkbox(&mut form.approx, "approximate");
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Source");
        egui::ComboBox::from_id_salt("report-source")
            .selected_text(&form.source)
            .show_ui(ui, |ui| {
                for s in &project.sources {
                    ui.selectable_value(&mut form.source, s.key.clone(), &s.key)
                        .on_hover_text(format!("{}: {}", s.outlet, s.title));
                }
            });
        let label = ui.label("Says");
        ui.add(
            egui::TextEdit::singleline(&mut form.detail)
                .desired_width(180.0)
                .hint_text("the source's words"),
        )
        .labelled_by(label.id);
        if ui.button("Add reported value").clicked() {
            match reported_edit(project, form) {
                Ok(edit) => {
                    commands.push(Command::edit(edit));
                    form.value.clear();
                    form.detail.clear();
                    form.error = None;
                }
                Err(why) => form.error = Some(why),
            }
        }
    });
    if let Some(error) = &form.error {
        ui.colored_label(egui::Color32::from_rgb(0xE6, 0x9F, 0x00), error);
    }
    commands
}

fn reported_edit(project: &Project, form: &ReportForm) -> Result<crate::editing::Edit, String> {
    let date: FuzzyDate = form.date.trim().parse().map_err(|e| format!("{e}"))?;
    let value: f64 = form
        .value
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("'{}' is not a number", form.value.trim()))?;
    let source = project
        .source(&form.source)
        .ok_or_else(|| "choose a source".to_owned())?;
    let mut citation = Citation::new(source.key.clone(), source.evidence);
    let detail = form.detail.trim();
    if !detail.is_empty() {
        citation.detail = Some(detail.to_owned());
    }
    add_reported_edit(
        project,
        &form.measure_id,
        date,
        value,
        form.approx,
        citation,
    )
    .ok_or_else(|| "choose a measure".to_owned())
}
