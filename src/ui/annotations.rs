//! The side panel: the annotations visible at the current date, and the inspector of the
//! selected one.

use egui::{Color32, RichText, Ui};

use super::inspector::{InspectorState, inspector_ui};
use super::theme::bold;
use crate::command::{Command, ViewCommand};
use crate::model::{Annotation, Project};
use crate::render::egui_paint::color32;
use crate::scene::Scene;

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
    inspector: &mut InspectorState,
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
    // List in label order so an analyst finds things; the map draws in scene order.
    let by_id: std::collections::HashMap<&str, &Annotation> = project
        .annotations
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut shown: Vec<&Annotation> = scene
        .items
        .iter()
        .filter_map(|i| by_id.get(i.id.as_str()).copied())
        .collect();
    shown.sort_by_cached_key(|a| a.label.to_lowercase());
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("annotation-list")
        .max_height(list_height)
        // Only the rows in view are laid out, so ten thousand annotations list as fast as ten.
        .show_rows(ui, row_height, shown.len(), |ui, rows| {
            for a in shown.get(rows).unwrap_or_default() {
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
                        commands.push(Command::View(ViewCommand::ZoomToAnnotation(a.id.clone())));
                    }
                });
            }
        });
    ui.separator();
    if let Some(a) = selected.and_then(|id| project.annotation(id)) {
        egui::ScrollArea::vertical()
            .id_salt("annotation-details")
            .show(ui, |ui| {
                commands.extend(inspector_ui(ui, project, a, scene.date, inspector));
            });
    } else {
        ui.label(
            RichText::new("Click an annotation in the list or on the map for its details.").weak(),
        );
    }
    commands
}
