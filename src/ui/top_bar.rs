//! The menu bar: file, view and basemap choices.

use egui::Ui;

use super::file_menu::{FileMenu, edit_menu_ui, file_menu_items};
use crate::command::Command;
use crate::imagery::basemap::Basemap;

/// Draws the menu bar; returns what the user asked for.
pub fn top_bar_ui(
    ui: &mut Ui,
    basemap: Basemap,
    side_panel_open: bool,
    text_scale: &mut f32,
    files: &FileMenu<'_>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            file_menu_items(ui, files, &mut commands);
        });
        edit_menu_ui(ui, files, &mut commands);
        ui.menu_button("View", |ui| {
            if ui
                .selectable_label(side_panel_open, "Annotation panel")
                .clicked()
            {
                commands.push(Command::ToggleSidePanel);
            }
            ui.add(egui::Slider::new(text_scale, 0.4..=1.0).text("Map label size"));
            if ui.button("Back to site").clicked() {
                commands.push(Command::GoHome);
            }
        });
        ui.separator();
        ui.label("Basemap:");
        egui::ComboBox::from_id_salt("basemap")
            .selected_text(basemap.label())
            .show_ui(ui, |ui| {
                for b in Basemap::ALL {
                    if ui.selectable_label(b == basemap, b.label()).clicked() && b != basemap {
                        commands.push(Command::SetBasemap(b));
                    }
                }
            });
    });
    commands
}
