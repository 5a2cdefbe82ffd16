#[test]
fn probe() {
    let ctx = egui::Context::default();
    sitewatch::ui::theme::install_fonts(&ctx);
    let _ = ctx.run_ui(egui::RawInput::default(), |_| {});
    let cands = "⬉↖➚↗➔→•●╱⟋∕／—⬟⬠⬢▭▢□◻▯TＴ📏⟷↔⇔✎✏📐⌗⊹✛✜✢＋+⤡⇱⬚🗑✕↶↷⟲⟳⎌⌫";
    for c in cands.chars() {
        let ok = ctx.fonts_mut(|f| f.has_glyph(&egui::FontId::proportional(14.0), c));
        println!("{c} U+{:04X} {ok}", c as u32);
    }
}
