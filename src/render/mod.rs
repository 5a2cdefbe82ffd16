//! Backends that draw what the core describes.

pub mod display_list;
pub mod egui_paint;
pub mod egui_place;
#[cfg(feature = "gui")]
pub mod egui_tiles;
pub mod fonts;
pub mod layout;
pub mod lower;
pub mod pixel_copy;
pub mod skia;
pub mod skia_text;
pub mod svg;
pub mod text;

/// Lowers a whole scene (no culling, no selection highlight) for a pixmap-sized view and paints
/// it: the export's drawing of annotations, for tests and tools. Returns the list painted.
pub fn paint_scene(
    pixmap: &mut tiny_skia::Pixmap,
    text: &text::EpaintText,
    scene: &crate::scene::Scene,
    to_px: &dyn Fn(geo::Coord<f64>) -> [f32; 2],
    px_scale: f32,
    keep_clear_px: &[display_list::RectPx],
) -> display_list::DisplayList {
    let mut list = display_list::DisplayList::new([pixmap.width() as f32, pixmap.height() as f32]);
    lower::lower_scene(
        &mut list,
        scene,
        None,
        to_px,
        text,
        keep_clear_px,
        lower::LowerOptions {
            scale: lower::style::Scale(px_scale),
            selection: false,
        },
    );
    skia::paint(pixmap, &list, text);
    list
}
