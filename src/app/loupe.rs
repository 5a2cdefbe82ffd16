//! The app's side of the loupe: its keys before the map takes the wheel, and drawing it over
//! the map from the shown layers.

use std::sync::Arc;

use egui::{Color32, Rect, Ui};

use super::SitewatchApp;
use crate::command::Command;
use crate::imagery::raster::RasterTileSource;
use crate::ui::loupe::{Loupe, LoupeAt, LoupeView, loupe_input};

impl SitewatchApp {
    /// The loupe's keys and wheel, read before the map so that Alt+wheel does not zoom it.
    pub(crate) fn loupe_input(&self, ctx: &egui::Context) -> Vec<Command> {
        loupe_input(ctx, &self.loupe, !ctx.text_edit_focused())
    }

    /// The loupe (for tests and the screenshot tool).
    #[must_use]
    pub fn loupe(&self) -> &Loupe {
        &self.loupe
    }

    /// Draws the loupe beside the pointer while it is on and the pointer is over the map.
    pub(crate) fn paint_loupe(&mut self, ui: &Ui, map: Rect) {
        let pointer = ui.ctx().pointer_hover_pos().filter(|p| map.contains(*p));
        let (true, Some(pointer), Some(lonlat)) = (self.loupe.is_on(), pointer, self.hover) else {
            self.loupe.hide();
            return;
        };
        let view = LoupeView {
            lonlat,
            zoom: self.memory.zoom(),
            magnification: self.loupe.magnification(),
        };
        let shown = self.shown_layers();
        // Topmost first: each sample shows the first raster with a pixel there.
        let rasters: Vec<Arc<RasterTileSource>> = shown
            .iter()
            .rev()
            .filter_map(|(id, _)| self.imagery.raster(id).cloned())
            .collect();
        let readout = self
            .values_under(lonlat)
            .map(|(name, values)| format!("{name} · {}", values.readout()));
        let mut basemap = self.tiles.as_mut();
        // Tile services (not rasters, which the loupe samples itself) go under the pixels.
        let mut services: Vec<_> = self
            .imagery
            .draw_list(&shown)
            .into_iter()
            .filter(|(_, tiles, _)| tiles.source().raster().is_none())
            .collect();
        let mut under = |painter: &egui::Painter,
                         tile_view: &crate::imagery::tile_cover::MapView| {
            if let Some(b) = basemap.as_deref_mut() {
                b.paint(painter, tile_view, egui::Vec2::ZERO, Color32::WHITE);
            }
            for (_, tiles, opacity) in &mut services {
                let tint = Color32::WHITE.gamma_multiply(*opacity);
                tiles.paint(painter, tile_view, egui::Vec2::ZERO, tint);
            }
        };
        let refs: Vec<&RasterTileSource> = rasters.iter().map(AsRef::as_ref).collect();
        let at = LoupeAt {
            map,
            pointer,
            view,
            readout: readout.as_deref(),
        };
        self.loupe.paint(ui, &at, &refs, &mut under);
    }
}
