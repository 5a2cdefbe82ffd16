//! The tool strip: one button per map tool (its shortcut in the tooltip), undo and redo.

use egui::{RichText, Ui};

use crate::command::{Command, EditCommand};
use crate::editing::Tool;

/// Accessible label of a tool's button.
#[must_use]
pub fn tool_label(tool: Tool) -> String {
    format!("Tool: {}", tool.name())
}

/// Accessible label of the undo button.
pub const UNDO_LABEL: &str = "Undo";
/// Accessible label of the redo button.
pub const REDO_LABEL: &str = "Redo";

/// Draws the tool strip; returns what the user asked for.
pub fn tools_ui(
    ui: &mut Ui,
    current: Tool,
    undo: Option<&str>,
    redo: Option<&str>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.vertical_centered(|ui| {
        ui.add_space(6.0);
        for tool in Tool::ALL {
            let text = RichText::new(format!("{}\n{}", tool.icon(), tool.key())).size(15.0);
            let selected = tool == current;
            let label = tool_label(tool);
            let response = ui
                .add_sized([40.0, 40.0], egui::Button::selectable(selected, text))
                .on_hover_text(tool.help());
            response.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, true, selected, label.clone())
            });
            if response.clicked() && !selected {
                commands.push(Command::Edit(EditCommand::SetTool(tool)));
            }
            if tool == Tool::Select {
                ui.separator();
            }
        }
        ui.separator();
        let undo_button = ui
            .add_enabled(
                undo.is_some(),
                egui::Button::new("↶").min_size([40.0, 28.0].into()),
            )
            .on_hover_text(undo.map_or_else(
                || "Nothing to undo".to_owned(),
                |u| format!("Undo {u} (Ctrl+Z)"),
            ))
            .on_disabled_hover_text("Nothing to undo");
        let undo_clicked = undo_button.clicked();
        undo_button.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, undo.is_some(), UNDO_LABEL)
        });
        if undo_clicked {
            commands.push(Command::Edit(EditCommand::Undo));
        }
        let redo_button = ui
            .add_enabled(
                redo.is_some(),
                egui::Button::new("↷").min_size([40.0, 28.0].into()),
            )
            .on_hover_text(redo.map_or_else(
                || "Nothing to redo".to_owned(),
                |r| format!("Redo {r} (Ctrl+Shift+Z or Ctrl+Y)"),
            ));
        let redo_clicked = redo_button.clicked();
        redo_button.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, redo.is_some(), REDO_LABEL)
        });
        if redo_clicked {
            commands.push(Command::Edit(EditCommand::Redo));
        }
    });
    commands
}
