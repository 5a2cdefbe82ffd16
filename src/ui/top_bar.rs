//! The menu bar: file, view and basemap choices.

use egui::Ui;

use crate::command::Command;
use crate::imagery::basemap::Basemap;

/// Draws the menu bar; returns what the user asked for.
pub fn top_bar_ui(
    ui: &mut Ui,
    basemap: Basemap,
    side_panel_open: bool,
    text_scale: &mut f32,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open project…").clicked() {
                commands.push(Command::OpenProjectDialog);
            }
        });
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
