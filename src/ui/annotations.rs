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

/// The list's order (indices into the project's annotations, by label), kept while the scene
/// stays the same: sorting a thousand labels every frame cost milliseconds.
#[derive(Default)]
pub struct ListOrder {
    scene_version: Option<u64>,
    order: Vec<usize>,
}

impl ListOrder {
    fn update(&mut self, project: &Project, scene: &Scene, scene_version: u64) {
        if self.scene_version == Some(scene_version) {
            return;
        }
        let by_id: std::collections::HashMap<&str, usize> = project
            .annotations
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        self.order = scene
            .items
            .iter()
            .filter_map(|i| by_id.get(i.id.as_str()).copied())
            .collect();
        self.order
            .sort_by_cached_key(|&i| project.annotations.get(i).map(|a| a.label.to_lowercase()));
        self.scene_version = Some(scene_version);
    }
}

/// What the panel shows: the project, the scene drawn (and its version, which changes whenever
/// the scene does) and the selection.
pub struct PanelView<'a> {
    /// The project.
    pub project: &'a Project,
    /// The scene drawn.
    pub scene: &'a Scene,
    /// The scene's version.
    pub scene_version: u64,
    /// The selected annotation.
    pub selected: Option<&'a str>,
}

/// Draws the panel; returns what the user asked for.
pub fn annotations_ui(
    ui: &mut Ui,
    view: &PanelView<'_>,
    inspector: &mut InspectorState,
    order: &mut ListOrder,
) -> Vec<Command> {
    let PanelView {
        project,
        scene,
        scene_version,
        selected,
    } = *view;
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
    order.update(project, scene, scene_version);
    let shown: Vec<&Annotation> = order
        .order
        .iter()
        .filter_map(|&i| project.annotations.get(i))
        .collect();
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
