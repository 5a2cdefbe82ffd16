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
