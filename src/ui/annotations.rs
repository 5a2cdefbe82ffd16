//! The side panel: the annotations visible at the current date, and the selected one's details.

use egui::{Color32, RichText, Ui};

use super::theme::bold;
use crate::command::Command;
use crate::model::{Annotation, Project, Shape};
use crate::render::egui_scene::color32;
use crate::scene::Scene;
use crate::spatial::measure::{area_m2, format_area, format_length, length_m, perimeter_m};

/// Accessible label of an annotation's list entry.
pub fn entry_label(annotation: &Annotation) -> String {
    format!("Annotation: {}", annotation.display_label())
}

/// Draws the panel; returns what the user asked for.
pub fn annotations_ui(
    ui: &mut Ui,
    project: &Project,
    scene: &Scene,
    selected: Option<&str>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.label(RichText::new(&project.name).font(bold(16.0)));
    ui.label(
        RichText::new(format!(
            "{} of {} annotations on {}",
            scene.items.len(),
            project.annotations.len(),
            scene.date_label
        ))
        .weak(),
    );
    ui.separator();
    let list_height = (ui.available_height() * 0.5).max(120.0);
    egui::ScrollArea::vertical()
        .id_salt("annotation-list")
        .max_height(list_height)
        .show(ui, |ui| {
            // List in label order so an analyst finds things; the map draws in scene order.
            let mut shown: Vec<&Annotation> = scene
                .items
                .iter()
                .filter_map(|i| project.annotation(&i.id))
                .collect();
            shown.sort_by_key(|a| a.label.to_lowercase());
            for a in shown {
                let color = project
                    .category(&a.category)
                    .map_or(Color32::WHITE, |c| color32(c.style.color));
                ui.horizontal(|ui| {
                    ui.label(RichText::new("■").color(color));
                    let is_selected = selected == Some(a.id.as_str());
                    let response = ui
                        .selectable_label(is_selected, a.display_label())
                        .on_hover_text(format!("{} — click to select and zoom", a.id));
                    let label = entry_label(a);
                    response.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Button,
                            true,
                            is_selected,
                            label.clone(),
                        )
                    });
                    if response.clicked() {
                        commands.push(Command::ZoomToAnnotation(a.id.clone()));
                    }
                });
            }
        });
    ui.separator();
    if let Some(a) = selected.and_then(|id| project.annotation(id)) {
        egui::ScrollArea::vertical()
            .id_salt("annotation-details")
            .show(ui, |ui| details_ui(ui, project, a, &mut commands));
    } else {
        ui.label(
            RichText::new("Click an annotation in the list or on the map for its details.").weak(),
        );
    }
    commands
}

fn details_ui(ui: &mut Ui, project: &Project, a: &Annotation, commands: &mut Vec<Command>) {
    ui.label(RichText::new(a.display_label()).font(bold(15.0)));
    egui::Grid::new("annotation-detail-grid")
        .num_columns(2)
        .spacing([8.0, 3.0])
        .show(ui, |ui| {
            let row = |ui: &mut Ui, k: &str, v: String| {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            };
            let category = project
                .category(&a.category)
                .map_or_else(|| format!("{} (unknown)", a.category), |c| c.name.clone());
            row(ui, "Category", category);
            row(ui, "Status", a.status.label().to_owned());
            row(ui, "Certainty", a.certainty.label().to_owned());
            row(ui, "Seen from", a.seen_from.display_upper());
            row(
                ui,
                "Seen until",
                a.seen_until
                    .map_or_else(|| "still there".to_owned(), |d| d.display_upper()),
            );
            match &a.shape {
                Shape::Point(p) => row(ui, "Position", format!("{:.6}, {:.6}", p.y(), p.x())),
                Shape::Line(l) => row(ui, "Length", format_length(length_m(l))),
                Shape::Polygon(p) => {
                    row(ui, "Area", format_area(area_m2(p)));
                    row(ui, "Perimeter", format_length(perimeter_m(p)));
                }
            }
        });
    if !a.note.is_empty() {
        ui.label(RichText::new(&a.note).italics());
    }
    if a.is_derived() {
        ui.label(
            RichText::new(
                "Position derived from descriptions: approximate, move it onto real imagery.",
            )
            .color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
        );
    }
    ui.label(RichText::new("Sources").strong());
    if a.sources.is_empty() {
        ui.label(RichText::new("No source cited").color(Color32::LIGHT_RED));
    }
    for c in &a.sources {
        let source = project.source(&c.source);
        let name = source.map_or_else(
            || format!("{} (unknown source)", c.source),
            |s| format!("{}: {}", s.outlet, s.title),
        );
        let text = format!("{name} ({})", c.evidence.word());
        match source.and_then(|s| s.url.as_deref()) {
            Some(url) => {
                ui.hyperlink_to(text, url).on_hover_text(url);
            }
            None => {
                ui.label(format!("{text} — URL not recorded"));
            }
        }
        if let Some(detail) = &c.detail {
            ui.label(RichText::new(format!("   {detail}")).weak());
        }
    }
    if ui.button("Zoom to it").clicked() {
        commands.push(Command::ZoomToAnnotation(a.id.clone()));
    }
}
