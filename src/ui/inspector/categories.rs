//! The style of the annotation's category, and new categories.

use egui::Ui;

use super::{InspectorState, row_label};
use crate::command::{Command, EditCommand};
use crate::editing::create::new_category;
use crate::editing::{AnnotationField, Edit};
use crate::model::{Annotation, Category, Marker, Project, Rgba};

pub(super) fn categories_ui(
    ui: &mut Ui,
    project: &Project,
    a: &Annotation,
    state: &mut InspectorState,
) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(c) = project.category(&a.category) {
        let key = c.key.clone();
        let set = |changed: Category| {
            Command::Edit(EditCommand::Apply {
                edit: Edit::SetCategory {
                    key: key.clone(),
                    category: Box::new(changed),
                },
                coalesce: Some(format!("category:{key}")),
            })
        };
        egui::Grid::new("category-style-grid")
            .num_columns(2)
            .show(ui, |ui| {
                row_label(ui, "Name");
                let mut name = c.name.clone();
                if ui.text_edit_singleline(&mut name).changed() {
                    let mut changed = c.clone();
                    changed.name = name;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Colour");
                let [r, g, b, _] = c.style.color.0;
                let mut rgb = [r, g, b];
                if ui.color_edit_button_srgb(&mut rgb).changed() {
                    let mut changed = c.clone();
                    changed.style.color = Rgba::rgb(rgb[0], rgb[1], rgb[2]);
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Width");
                let mut width = c.style.width_px;
                if ui
                    .add(egui::Slider::new(&mut width, 1.0..=12.0).suffix(" px"))
                    .changed()
                {
                    let mut changed = c.clone();
                    changed.style.width_px = width;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Fill");
                let mut fill = c.style.fill_alpha;
                if ui.add(egui::Slider::new(&mut fill, 0..=255)).changed() {
                    let mut changed = c.clone();
                    changed.style.fill_alpha = fill;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Marker");
                ui.horizontal(|ui| {
                    for (m, name) in [
                        (Marker::Circle, "●"),
                        (Marker::Square, "■"),
                        (Marker::Triangle, "▲"),
                        (Marker::Diamond, "◆"),
                    ] {
                        if ui.selectable_label(c.style.marker == m, name).clicked()
                            && c.style.marker != m
                        {
                            let mut changed = c.clone();
                            changed.style.marker = m;
                            commands.push(set(changed));
                        }
                    }
                });
                ui.end_row();
            });
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut state.new_category)
                .hint_text("new category name")
                .desired_width(150.0),
        );
        let name = state.new_category.trim().to_owned();
        if ui
            .add_enabled(!name.is_empty(), egui::Button::new("Add category"))
            .clicked()
        {
            let category = new_category(&project.categories, &name);
            let key = category.key.clone();
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::Batch(vec![
                    Edit::AddCategory {
                        index: project.categories.len(),
                        category: Box::new(category),
                    },
                    Edit::SetField {
                        id: a.id.clone(),
                        field: AnnotationField::Category(key),
                    },
                ]),
                coalesce: None,
            }));
            state.new_category.clear();
        }
    });
    commands
}
