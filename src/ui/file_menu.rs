//! The File and Edit menus' items: new, open (and recent), save, save as, import, export of
//! annotations; undo and redo.

use std::path::PathBuf;

use egui::Ui;

use crate::command::{Command, EditCommand, ExportCommand, FileCommand};
use crate::interchange::Format;

/// What the File and Edit menus show.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileMenu<'a> {
    /// Recently opened or saved projects, newest first.
    pub recent: &'a [PathBuf],
    /// What Undo would undo.
    pub undo: Option<&'a str>,
    /// What Redo would redo.
    pub redo: Option<&'a str>,
    /// Seconds between autosaves.
    pub autosave_interval_s: u32,
}

/// The autosave intervals offered, seconds.
pub const AUTOSAVE_CHOICES: [u32; 5] = [15, 30, 60, 120, 300];

/// Adds the project-file items to an open File menu.
pub fn file_menu_items(ui: &mut Ui, menu: &FileMenu<'_>, commands: &mut Vec<Command>) {
    let item = |ui: &mut Ui, text: &str, shortcut: &str| {
        ui.add(egui::Button::new(text).shortcut_text(shortcut))
            .clicked()
    };
    if item(ui, "New project", "Ctrl+N") {
        commands.push(Command::File(FileCommand::NewProject));
    }
    if item(ui, "Open project…", "Ctrl+O") {
        commands.push(Command::File(FileCommand::OpenProjectDialog));
    }
    ui.add_enabled_ui(!menu.recent.is_empty(), |ui| {
        ui.menu_button("Open recent", |ui| {
            for path in menu.recent {
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                if ui
                    .button(name)
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    commands.push(Command::File(FileCommand::OpenProject(path.clone())));
                }
            }
        });
    });
    if item(ui, "Save", "Ctrl+S") {
        commands.push(Command::File(FileCommand::Save));
    }
    if item(ui, "Save as…", "Ctrl+Shift+S") {
        commands.push(Command::File(FileCommand::SaveAsDialog));
    }
    ui.separator();
    if ui
        .button("Import annotations…")
        .on_hover_text("GeoJSON, KML, KMZ, Shapefile, CSV or GPX; or drop the files on the window")
        .clicked()
    {
        commands.push(Command::File(FileCommand::ImportDialog));
    }
    if ui
        .button("Export snapshot… (Ctrl+E)")
        .on_hover_text("A publication-ready, georeferenced PNG (or a PNG per stage, or a GIF)")
        .clicked()
    {
        commands.push(Command::Export(ExportCommand::OpenExportDialog));
    }
    ui.menu_button("Export annotations", |ui| {
        for format in Format::EXPORTABLE {
            if ui.button(format!("{}…", format.name())).clicked() {
                commands.push(Command::File(FileCommand::ExportAnnotationsDialog(format)));
            }
        }
    });
    ui.menu_button("Autosave every", |ui| {
        for seconds in AUTOSAVE_CHOICES {
            let text = if seconds < 60 {
                format!("{seconds} s")
            } else {
                format!("{} min", seconds / 60)
            };
            if ui
                .radio(menu.autosave_interval_s == seconds, text)
                .clicked()
            {
                commands.push(Command::File(FileCommand::SetAutosaveInterval(seconds)));
            }
        }
    });
    ui.separator();
    if item(ui, "Quit", "Ctrl+Q") {
        // The same path as the window's close button, which asks about unsaved work first.
        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

/// The Edit menu: undo and redo, saying what they would do.
pub fn edit_menu_ui(ui: &mut Ui, menu: &FileMenu<'_>, commands: &mut Vec<Command>) {
    ui.menu_button("Edit", |ui| {
        let undo = menu
            .undo
            .map_or_else(|| "Undo".to_owned(), |u| format!("Undo {u}"));
        if ui
            .add_enabled(
                menu.undo.is_some(),
                egui::Button::new(undo).shortcut_text("Ctrl+Z"),
            )
            .clicked()
        {
            commands.push(Command::Edit(EditCommand::Undo));
        }
        let redo = menu
            .redo
            .map_or_else(|| "Redo".to_owned(), |r| format!("Redo {r}"));
        if ui
            .add_enabled(
                menu.redo.is_some(),
                egui::Button::new(redo).shortcut_text("Ctrl+Shift+Z"),
            )
            .clicked()
        {
            commands.push(Command::Edit(EditCommand::Redo));
        }
    });
}
