//! The menu bar: file, view and basemap choices.

use egui::Ui;

use super::file_menu::{FileMenu, edit_menu_ui, file_menu_items};
use crate::command::{Command, ViewCommand};
use crate::editing::Edit;
use crate::imagery::basemap::Basemap;

/// Label languages offered: the `name:LANG` properties annotations may carry.
pub const LABEL_LANGUAGES: [(Option<&str>, &str); 3] = [
    (None, "Romanised"),
    (Some("ko"), "Korean (한국어)"),
    (Some("ru"), "Russian (Русский)"),
];

/// Draws the menu bar; returns what the user asked for.
#[allow(clippy::too_many_arguments)] // the menu shows the app's separate settings
pub fn top_bar_ui(
    ui: &mut Ui,
    basemap: Basemap,
    side_panel_open: bool,
    figure_frame: bool,
    loupe: bool,
    label_language: Option<&str>,
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
                commands.push(Command::View(ViewCommand::ToggleSidePanel));
            }
            if ui
                .selectable_label(figure_frame, "Figure frame")
                .on_hover_text("Show the export's frame and furniture on the map")
                .clicked()
            {
                commands.push(Command::View(ViewCommand::ToggleFigureFrame));
            }
            if ui
                .selectable_label(loupe, "Loupe")
                .on_hover_text("Magnify the imagery under the pointer (Shift+L; + and − zoom it)")
                .clicked()
            {
                commands.push(Command::View(ViewCommand::ToggleLoupe));
            }
            ui.add(egui::Slider::new(text_scale, 0.4..=1.0).text("Map label size"));
            ui.menu_button("Label language", |ui| {
                for (code, name) in LABEL_LANGUAGES {
                    let chosen = label_language == code;
                    if ui.selectable_label(chosen, name).clicked() && !chosen {
                        commands.push(Command::edit(Edit::SetLabelLanguage(
                            code.map(str::to_owned),
                        )));
                    }
                }
            });
            if ui
                .button("Progress chart…")
                .on_hover_text("Tracked measures over time, reported and measured on the map")
                .clicked()
            {
                commands.push(Command::Progress(crate::command::ProgressCommand::Open));
            }
            if ui
                .button("Find changes…  F")
                .on_hover_text("Outline what changed between two dates, and review it")
                .clicked()
            {
                commands.push(Command::Changes(crate::command::ChangesCommand::Toggle));
            }
            if ui
                .button("Find imagery…  I")
                .on_hover_text("Search a STAC API or file for dated scenes over the view")
                .clicked()
            {
                commands.push(crate::command::FindImageryCommand::Toggle.into());
            }
            if ui
                .button(super::preferences::PREFERENCES_MENU_LABEL)
                .clicked()
            {
                commands.push(crate::command::PreferencesCommand::Toggle.into());
            }
            if ui.button("Back to site").clicked() {
                commands.push(Command::View(ViewCommand::GoHome));
            }
        });
        ui.separator();
        ui.label("Basemap:");
        egui::ComboBox::from_id_salt("basemap")
            .selected_text(basemap.label())
            .show_ui(ui, |ui| {
                for b in Basemap::ALL {
                    if ui.selectable_label(b == basemap, b.label()).clicked() && b != basemap {
                        commands.push(Command::View(ViewCommand::SetBasemap(b)));
                    }
                }
            });
    });
    commands
}
