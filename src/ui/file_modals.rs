//! The questions the file workflow asks: save the changes first, and recover unsaved work.

use egui::RichText;

use crate::command::{Command, FileCommand, UnsavedChoice};
use crate::model::recovery::RecoveryInfo;

/// "Save the changes first?" before `what` ("closing", "opening another project" …).
pub fn unsaved_work_modal(ctx: &egui::Context, project_name: &str, what: &str) -> Option<Command> {
    let mut out = None;
    let modal = egui::Modal::new(egui::Id::unique("unsaved-work")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.label(RichText::new("Save the changes first?").strong().size(16.0));
        ui.label(format!(
            "\"{project_name}\" has changes that are not saved. Save them before {what}?"
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            for (text, choice) in [
                ("Save", UnsavedChoice::Save),
                ("Don't save", UnsavedChoice::Discard),
                ("Cancel", UnsavedChoice::Cancel),
            ] {
                if ui.button(text).clicked() {
                    out = Some(choice);
                }
            }
        });
    });
    if out.is_none() && modal.should_close() {
        out = Some(UnsavedChoice::Cancel);
    }
    out.map(|c| Command::File(FileCommand::ResolveUnsaved(c)))
}

/// "Recover unsaved work?" after a session that did not close normally.
pub fn recovery_modal(ctx: &egui::Context, info: &RecoveryInfo) -> Option<Command> {
    let mut out = None;
    egui::Modal::new(egui::Id::unique("recovered-work")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.label(RichText::new("Recover unsaved work?").strong().size(16.0));
        let from = info
            .project_path
            .as_ref()
            .map_or_else(|| "a project never saved".to_owned(), |p| p.display().to_string());
        let at = if info.saved_at.is_empty() {
            String::new()
        } else {
            format!(" at {}", info.saved_at)
        };
        ui.label(format!(
            "Sitewatch did not close normally. \"{}\" ({from}) was autosaved{at} with changes that were not saved.",
            info.name
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Restore").clicked() {
                out = Some(Command::File(FileCommand::RestoreRecovery));
            }
            if ui.button("Discard").clicked() {
                out = Some(Command::File(FileCommand::DiscardRecovery));
            }
        });
    });
    out
}

/// What the user chose in the start-problem modal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartProblemChoice {
    /// Open another project.
    Open,
    /// Go on with the empty project.
    Dismiss,
}

/// "This project could not be opened" after `sitewatch broken.geojson`, saying why.
pub fn start_problem_modal(ctx: &egui::Context, problem: &str) -> Option<StartProblemChoice> {
    let mut out = None;
    let modal = egui::Modal::new(egui::Id::unique("start-problem")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.label(
            RichText::new("The project could not be opened")
                .strong()
                .size(16.0),
        );
        ui.label(problem);
        ui.label("Sitewatch started with an empty, untitled project instead.");
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Open…").clicked() {
                out = Some(StartProblemChoice::Open);
            }
            if ui.button("Start empty").clicked() {
                out = Some(StartProblemChoice::Dismiss);
            }
        });
    });
    if out.is_none() && modal.should_close() {
        out = Some(StartProblemChoice::Dismiss);
    }
    out
}

/// "Saving…" while a close, quit or other action waits for a save to finish.
pub fn saving_modal(ctx: &egui::Context, path: &std::path::Path) {
    egui::Modal::new(egui::Id::unique("saving")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Saving…").strong().size(16.0));
        });
        ui.label(path.display().to_string());
    });
}

/// A file being read on a worker ("Opening site.geojson…", "Importing roads.kml…"), with a
/// spinner; the window keeps drawing meanwhile.
pub fn reading_modal(ctx: &egui::Context, what: &str, path: &std::path::Path) {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    egui::Modal::new(egui::Id::unique("reading-file")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new(format!("{what} {name}…")).strong().size(16.0));
        });
        ui.label(path.display().to_string());
    });
}
