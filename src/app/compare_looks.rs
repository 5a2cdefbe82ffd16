//! One stretch across the compared dates in the window: which rasters each date shows, the
//! looks worked out for them (again only when those or their own stretches change), handed to
//! the imagery runtime.

use std::collections::HashMap;
use std::sync::Arc;

use super::SitewatchApp;
use crate::command::{CompareMode, CompareSide, CompareStretch};
use crate::imagery::raster::shared_stretch::{ComparedRaster, compare_looks};
use crate::imagery::raster::stretch::Resolved;
use crate::imagery::raster::{RasterTileSource, Stretch};
use crate::model::Project;

/// What the looks in force were worked out from: the choice, and each side's rasters with
/// their own stretch.
type LooksKey = (
    CompareStretch,
    Vec<(String, Resolved, Stretch)>,
    Vec<(String, Resolved, Stretch)>,
);

/// Open rasters by layer id.
type Open = [(String, Arc<RasterTileSource>)];

/// Each raster's id and own stretch, for the key.
fn keyed(rasters: &Open) -> Vec<(String, Resolved, Stretch)> {
    rasters
        .iter()
        .map(|(id, r)| (id.clone(), r.resolved(), r.display().stretch))
        .collect()
}

/// The rasters as the stretch needs them, grouped by their layers' tracks.
fn compared<'a>(rasters: &'a Open, project: &'a Project) -> Vec<ComparedRaster<'a>> {
    rasters
        .iter()
        .map(|(id, r)| ComparedRaster {
            group: project
                .layers
                .iter()
                .find(|l| &l.id == id)
                .map_or("", |l| l.track.as_str()),
            kind: r.sample_kind(),
            histograms: r.histograms(),
            display: r.display(),
            resolved: r.resolved(),
        })
        .collect()
}

/// The looks in force and what they came from.
#[derive(Default)]
pub(crate) struct LooksCache {
    key: Option<LooksKey>,
}

impl SitewatchApp {
    /// Layer ids of date A, and of every other compared date (B, the middle panes), each
    /// layer once and with the earliest side it is on.
    fn compared_ids(&self) -> (Vec<String>, Vec<String>) {
        if self.compare.mode == CompareMode::Off {
            return (Vec::new(), Vec::new());
        }
        let dates = self.compare_pane_dates();
        let Some((&a, rest)) = dates.split_first() else {
            return (Vec::new(), Vec::new());
        };
        let ids = |layers: Vec<(String, f32)>| layers.into_iter().map(|(id, _)| id);
        let ids_a: Vec<String> = ids(self.side_layers(CompareSide::A, a)).collect();
        let mut ids_b: Vec<String> = Vec::new();
        for (i, &date) in rest.iter().enumerate() {
            let layers = if i + 1 == rest.len() {
                self.side_layers(CompareSide::B, date)
            } else {
                self.shown_layers_at(date)
            };
            for id in ids(layers) {
                if !ids_a.contains(&id) && !ids_b.contains(&id) {
                    ids_b.push(id);
                }
            }
        }
        (ids_a, ids_b)
    }

    /// The comparison's stretch a layer is drawn with now (`None`: its own).
    #[must_use]
    pub fn compare_look(&self, id: &str) -> Option<&crate::imagery::raster::CompareLook> {
        self.imagery.compare_look(id)
    }

    /// Brings the compared rasters' looks up to date (nothing to do on most frames).
    pub(crate) fn sync_compare_looks(&mut self, ctx: &egui::Context) {
        let (ids_a, ids_b) = self.compared_ids();
        let (rasters_a, rasters_b) = (self.imagery.rasters(&ids_a), self.imagery.rasters(&ids_b));
        let key = (self.compare.stretch, keyed(&rasters_a), keyed(&rasters_b));
        if self.compare.looks.key.as_ref() == Some(&key) {
            return;
        }
        let (looks_a, looks_b) = compare_looks(
            &compared(&rasters_a, &self.project),
            &compared(&rasters_b, &self.project),
            self.compare.stretch,
        );
        let looks: HashMap<String, _> = rasters_a
            .iter()
            .zip(looks_a)
            .chain(rasters_b.iter().zip(looks_b))
            .filter_map(|((id, _), look)| Some((id.clone(), look?)))
            .collect();
        self.imagery.set_compare_looks(ctx, &looks);
        self.compare.looks.key = Some(key);
    }
}
