//! A comparison's stretch on the window's layers: each compared raster gets a second tile set
//! drawn with the comparison's look, kept beside its own (so turning the comparison off shows
//! the cached own tiles at once).

use std::collections::HashMap;
use std::sync::Arc;

use super::{ImageryRuntime, State};
use crate::imagery::raster::{CompareLook, CompareStretched, RasterTileSource};
use crate::render::egui_tiles::EguiTiles;

impl ImageryRuntime {
    /// The open rasters among `ids`, in order.
    pub fn rasters(&self, ids: &[String]) -> Vec<(String, Arc<RasterTileSource>)> {
        ids.iter()
            .filter_map(|id| match self.entries.get(id).map(|e| &e.state) {
                Some(State::Ready {
                    raster: Some(r), ..
                }) => Some((id.clone(), Arc::clone(r))),
                _ => None,
            })
            .collect()
    }

    /// The comparison's look a layer is drawn with, if any.
    pub fn compare_look(&self, id: &str) -> Option<&CompareLook> {
        let (look, _) = self.entries.get(id)?.compare.as_ref()?;
        Some(look)
    }

    /// Draws each layer in `looks` with its look, every other with its own stretch.
    pub fn set_compare_looks(&mut self, ctx: &egui::Context, looks: &HashMap<String, CompareLook>) {
        for (id, entry) in &mut self.entries {
            let wanted = looks.get(id);
            let current = entry.compare.as_ref().map(|(look, _)| look.as_ref());
            if current == wanted {
                continue;
            }
            entry.compare = match (wanted, &entry.state) {
                (
                    Some(look),
                    State::Ready {
                        raster: Some(r), ..
                    },
                ) => {
                    let look = Arc::new(look.clone());
                    let source = CompareStretched::new(Arc::clone(r) as _, Arc::clone(&look));
                    Some((look, EguiTiles::new(ctx.clone(), Arc::new(source))))
                }
                _ => None,
            };
        }
    }
}
