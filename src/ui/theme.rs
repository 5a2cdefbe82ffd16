//! Fonts and visuals: the bundled Noto Sans (regular and bold), the same as export uses.

pub use crate::render::fonts::bold;

/// Installs the bundled fonts ([`crate::render::fonts::definitions`]).
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(crate::render::fonts::definitions());
}

/// Dark visuals, set once at start.
pub fn install_visuals(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
}

/// Gives an icon-only button an accessible name (what screen readers and tests find it by).
pub trait WidgetInfoLabel {
    /// The response, named `label` as a button.
    #[must_use]
    fn widget_info_label(self, label: &str) -> Self;
}

impl WidgetInfoLabel for egui::Response {
    fn widget_info_label(self, label: &str) -> Self {
        let label = label.to_owned();
        self.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label.clone()));
        self
    }
}
