//! One result row's preview in the Find imagery window: the picture about 64 px across, a
//! placeholder while it loads, or a short "no preview" with the reason on hover.

use egui::{Ui, Vec2};

/// The preview's box, logical pixels: the picture is fitted into it.
const PREVIEW_BOX: Vec2 = Vec2::new(64.0, 64.0);

/// Text shown where a row has no preview.
pub const NO_PREVIEW: &str = "no preview";

/// What a result row's preview shows.
#[derive(Clone, Debug, PartialEq)]
pub enum RowPreview {
    /// Being fetched (or waiting for its turn).
    Loading,
    /// The picture, as a texture of the app's.
    Ready {
        /// The texture.
        texture: egui::TextureId,
        /// Its size in pixels.
        size_px: Vec2,
    },
    /// None: why (no preview asset, the server refused it, it did not decode).
    Missing(String),
}

/// The accessible label of the preview of the item `id`.
#[must_use]
pub fn preview_label(id: &str) -> String {
    format!("Preview of {id}")
}

/// Draws the preview of the item `id`.
pub(crate) fn preview_ui(ui: &mut Ui, preview: &RowPreview, id: &str) {
    match preview {
        RowPreview::Ready { texture, size_px } => {
            let image = egui::Image::from_texture((*texture, *size_px))
                .fit_to_exact_size(PREVIEW_BOX)
                .maintain_aspect_ratio(true)
                .alt_text(preview_label(id));
            ui.add_sized(PREVIEW_BOX, image);
        }
        RowPreview::Loading => {
            ui.add_sized(PREVIEW_BOX, egui::Spinner::new())
                .on_hover_text("Loading the preview…");
        }
        RowPreview::Missing(why) => {
            ui.add_sized(
                PREVIEW_BOX,
                egui::Label::new(egui::RichText::new(NO_PREVIEW).weak().small()),
            )
            .on_hover_text(why);
        }
    }
}
