//! The timeline's stage bookmarks: keep the map's view with the current stage, restore it, forget
//! it, and a menu of every stage that keeps one.

use chrono::NaiveDate;
use egui::Ui;

use super::theme::WidgetInfoLabel;
use crate::command::{Command, TimeCommand};
use crate::model::Project;

/// Accessible label of the button that keeps the view with the current stage.
pub const KEEP_VIEW_LABEL: &str = "Keep view with stage";
/// Accessible label of the button that restores the current stage's view.
pub const RESTORE_VIEW_LABEL: &str = "Restore stage view";
/// Accessible label of the button that forgets the current stage's view.
pub const FORGET_VIEW_LABEL: &str = "Forget stage view";
/// Accessible label of the menu of stages with a kept view.
pub const VIEWS_MENU_LABEL: &str = "Stage views";

/// Index of the stage the slider's date falls in (the last stage on or before it).
#[must_use]
pub fn current_stage(project: &Project, date: NaiveDate) -> Option<usize> {
    project.stages.iter().rposition(|s| s.date.key() <= date)
}

/// The buttons for the current stage's view and the menu of kept views.
pub fn stage_view_ui(ui: &mut Ui, project: &Project, date: NaiveDate) -> Vec<Command> {
    let mut commands = Vec::new();
    let kept: Vec<usize> = (0..project.stages.len())
        .filter(|&i| project.stages[i].view.is_some())
        .collect();
    if !kept.is_empty() {
        ui.menu_button(format!("⚑ {VIEWS_MENU_LABEL} ({})", kept.len()), |ui| {
            for &i in &kept {
                let stage = &project.stages[i];
                let text = format!("{} — {}", stage.date.display_upper(), stage.title);
                if ui
                    .button(text)
                    .on_hover_text("Go to this stage and restore the view kept with it")
                    .clicked()
                {
                    commands.push(Command::Time(TimeCommand::RestoreStageView(i)));
                    ui.close();
                }
            }
        });
    }
    let Some(index) = current_stage(project, date) else {
        return commands;
    };
    let has_view = project.stages[index].view.is_some();
    if has_view {
        if ui
            .button("↺ View")
            .on_hover_text(
                "Restore the view kept with this stage: its box, layers, basemap and figure options",
            )
            .widget_info_label(RESTORE_VIEW_LABEL)
            .clicked()
        {
            commands.push(Command::Time(TimeCommand::RestoreStageView(index)));
        }
        if ui
            .small_button("✖")
            .on_hover_text("Forget the view kept with this stage")
            .widget_info_label(FORGET_VIEW_LABEL)
            .clicked()
        {
            commands.push(Command::Time(TimeCommand::ForgetStageView(index)));
        }
    }
    let keep_text = if has_view {
        "⚑ Keep again"
    } else {
        "⚑ Keep view"
    };
    if ui
        .button(keep_text)
        .on_hover_text(
            "Keep the map's box, the layers shown and how, the basemap and the figure options \
             with this stage, so its figure can be made again",
        )
        .widget_info_label(KEEP_VIEW_LABEL)
        .clicked()
    {
        commands.push(Command::Time(TimeCommand::KeepStageView(index)));
    }
    commands
}
