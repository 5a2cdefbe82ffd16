//! Fonts and visuals: the bundled Noto Sans (regular and bold), the same as export uses.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

use crate::render::egui_scene::BOLD_FAMILY;

/// Noto Sans Regular (OFL 1.1, see `assets/fonts/LICENSE-OFL.txt`).
pub const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold (OFL 1.1).
pub const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
/// Fallbacks for symbols Noto Sans lacks (media controls, shapes, arrows, maths), all OFL 1.1.
const FALLBACK_TTFS: [(&str, &[u8]); 3] = [
    (
        "noto-symbols2",
        include_bytes!("../../assets/fonts/NotoSansSymbols2-Regular.ttf"),
    ),
    (
        "noto-symbols",
        include_bytes!("../../assets/fonts/NotoSansSymbols-Regular.ttf"),
    ),
    (
        "noto-math",
        include_bytes!("../../assets/fonts/NotoSansMath-Regular.ttf"),
    ),
];

/// Makes Noto Sans the proportional font and registers the bold family for labels and titles.
/// egui's own fonts stay as fallbacks (symbols, emoji).
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto-regular".into(),
        Arc::new(FontData::from_static(REGULAR_TTF)),
    );
    fonts.font_data.insert(
        "noto-bold".into(),
        Arc::new(FontData::from_static(BOLD_TTF)),
    );
    for (name, bytes) in FALLBACK_TTFS {
        fonts
            .font_data
            .insert(name.into(), Arc::new(FontData::from_static(bytes)));
    }
    let mut fallbacks: Vec<String> = FALLBACK_TTFS.iter().map(|(n, _)| (*n).to_owned()).collect();
    fallbacks.extend(
        fonts
            .families
            .get(&FontFamily::Proportional)
            .cloned()
            .unwrap_or_default(),
    );
    let mut regular = vec!["noto-regular".to_owned()];
    regular.extend(fallbacks.iter().cloned());
    let mut bold = vec!["noto-bold".to_owned()];
    bold.extend(fallbacks);
    fonts.families.insert(FontFamily::Proportional, regular);
    fonts
        .families
        .insert(FontFamily::Name(BOLD_FAMILY.into()), bold);
    ctx.set_fonts(fonts);
}

/// A bold font of a size, for titles and dates.
pub fn bold(size: f32) -> egui::FontId {
    egui::FontId::new(size, FontFamily::Name(BOLD_FAMILY.into()))
}

/// Dark visuals with slightly larger text, set once at start.
pub fn install_visuals(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
}
