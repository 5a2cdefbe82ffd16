//! The bundled fonts, one set for every painter: Noto Sans regular and bold with symbol and
//! maths fallbacks (all OFL 1.1, see `assets/fonts/LICENSE-OFL.txt`).

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Noto Sans Regular.
pub const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold.
pub const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
/// Hangul for Korean names (`name:ko`): Noto Sans CJK KR Regular, subset to Hangul syllables,
/// jamo and CJK punctuation (see `assets/fonts/README.md`). Cyrillic is in Noto Sans itself.
pub const HANGUL_REGULAR_OTF: &[u8] =
    include_bytes!("../../assets/fonts/NotoSansKR-Hangul-Regular.otf");
/// Noto Sans CJK KR Bold, subset the same way.
pub const HANGUL_BOLD_OTF: &[u8] = include_bytes!("../../assets/fonts/NotoSansKR-Hangul-Bold.otf");
/// The name of the bold family in [`definitions`].
pub const BOLD_FAMILY: &str = "bold";
/// Fallbacks for symbols Noto Sans lacks (media controls, shapes, arrows, maths).
pub const FALLBACK_TTFS: [(&str, &[u8]); 3] = [
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

/// Noto Sans as the proportional family and the bold family for labels and titles; egui's own
/// fonts stay as the last fallbacks (symbols, emoji).
#[must_use]
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto-regular".into(),
        Arc::new(FontData::from_static(REGULAR_TTF)),
    );
    fonts.font_data.insert(
        "noto-bold".into(),
        Arc::new(FontData::from_static(BOLD_TTF)),
    );
    for (name, bytes) in [
        ("hangul-regular", HANGUL_REGULAR_OTF),
        ("hangul-bold", HANGUL_BOLD_OTF),
    ]
    .into_iter()
    .chain(FALLBACK_TTFS)
    {
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
    // Per glyph, the first face that has it: the Latin/Cyrillic face, then Hangul of the same
    // weight, then symbols and maths, then egui's own.
    let mut regular = vec!["noto-regular".to_owned(), "hangul-regular".to_owned()];
    regular.extend(fallbacks.iter().cloned());
    let mut bold = vec!["noto-bold".to_owned(), "hangul-bold".to_owned()];
    bold.extend(fallbacks);
    fonts.families.insert(FontFamily::Proportional, regular);
    fonts
        .families
        .insert(FontFamily::Name(BOLD_FAMILY.into()), bold);
    fonts
}

/// A bold font of a size.
#[must_use]
pub fn bold(size: f32) -> egui::FontId {
    egui::FontId::new(size, FontFamily::Name(BOLD_FAMILY.into()))
}
