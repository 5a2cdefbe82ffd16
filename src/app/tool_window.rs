//! The search windows' frame (Find imagery, Add WMTS layers, Wayback captures): a resizable
//! window that first opens under the map's top-right corner, so the map and the layer panel stay
//! in view, with a close button that becomes the window's own close command.

use crate::command::Command;

/// Where a tool window opens when the map's rectangle is not known yet.
const FALLBACK_CORNER: egui::Pos2 = egui::pos2(800.0, 80.0);

/// A tool window's title, id, first width and the command its close button sends.
pub(super) struct ToolWindow<'a> {
    /// The title bar's text.
    pub title: &'a str,
    /// A stable id, so the window keeps its place and size between runs.
    pub id: &'a str,
    /// The width it first opens with.
    pub width: f32,
    /// What closing it asks for.
    pub close: Command,
}

impl ToolWindow<'_> {
    /// Shows the window over `map` (the map's rectangle, if drawn yet) with `body` inside;
    /// returns what the body asked for, and the close command when the user closed it.
    pub(super) fn show(
        self,
        ctx: &egui::Context,
        map: Option<egui::Rect>,
        body: impl FnOnce(&mut egui::Ui) -> Vec<Command>,
    ) -> Vec<Command> {
        let corner = map.map_or(FALLBACK_CORNER, |rect| {
            rect.right_top() + egui::vec2(-12.0, 48.0)
        });
        let mut open = true;
        let mut commands = Vec::new();
        egui::Window::new(self.title)
            .id(egui::Id::unique(self.id))
            .pivot(egui::Align2::RIGHT_TOP)
            .default_pos(corner)
            .open(&mut open)
            .default_width(self.width)
            .resizable(true)
            .show(ctx, |ui| commands.extend(body(ui)));
        if !open {
            commands.push(self.close);
        }
        commands
    }
}
