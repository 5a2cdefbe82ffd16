//! A search's items as one dated series ("Add series"): scenes of one collection taken the same
//! day become one mosaic layer, and the series can be thinned to the clearest layer per week or
//! month. Items that cannot be drawn are reported beside the series, not fatal to it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::StacError;
use super::plan::{PlanOptions, StacLayerPlan, layer_from_scenes, plan_scene};
use super::types::Item;

/// How many layers a series keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Thinning {
    /// Every day with a scene.
    #[default]
    Every,
    /// The clearest day of each ISO week.
    PerWeek,
    /// The clearest day of each calendar month.
    PerMonth,
}

/// A series to add as one track.
#[derive(Debug, Default)]
pub struct SeriesPlan {
    /// Layers, oldest first; one per collection and day.
    pub layers: Vec<StacLayerPlan>,
    /// Why each item left out could not be used (no date, no usable asset).
    pub skipped: Vec<StacError>,
}

/// Plans `items` as a series: same-day scenes of a collection grouped into one layer, then
/// `thinning` applied per collection; `origin` (the search URL or file) names items in errors.
#[must_use]
pub fn plan_series(
    items: &[Item],
    options: PlanOptions,
    thinning: Thinning,
    origin: &str,
) -> SeriesPlan {
    plan_series_over_view(items, options, thinning, origin, &|_| None)
}

/// [`plan_series`], with how clear each item is over the searched view where its scene
/// classification band was read (`view_clear(item id)`, 0–1): "clearest" then thins a
/// collection whose every layer was read by the view's cloud and shadow, not the whole
/// scenes', and each layer read says it in its note.
#[must_use]
pub fn plan_series_over_view(
    items: &[Item],
    options: PlanOptions,
    thinning: Thinning,
    origin: &str,
    view_clear: &dyn Fn(&str) -> Option<f64>,
) -> SeriesPlan {
    let mut skipped = Vec::new();
    // (collection, day) → scenes, with the first item's licence; BTreeMap keeps days in order.
    let mut days: BTreeMap<(String, NaiveDate), (Option<String>, Vec<_>)> = BTreeMap::new();
    let mut seen_ids = std::collections::HashSet::new();
    for item in items {
        let collection = item.collection.clone().unwrap_or_default();
        // Overlapping pages can repeat an item; it would draw over itself.
        if !seen_ids.insert((collection.clone(), item.id.clone())) {
            continue;
        }
        match plan_scene(item, options.composite, origin) {
            Ok(scene) => {
                let entry = days
                    .entry((collection, scene.acquired.date_naive()))
                    .or_insert_with(|| (item.properties.license.clone(), Vec::new()));
                entry.1.push(scene);
            }
            Err(err) => skipped.push(err),
        }
    }
    let mut layers: Vec<StacLayerPlan> = days
        .into_iter()
        .map(|((collection, _), (licence, mut scenes))| {
            scenes.sort_by_key(|scene| scene.acquired);
            let mut layer = layer_from_scenes(&collection, licence.as_deref(), scenes, options);
            let known: Vec<f64> = layer
                .scenes
                .iter()
                .filter_map(|scene| view_clear(&scene.item_id))
                .collect();
            if !known.is_empty() {
                let clear = known.iter().sum::<f64>() / known.len() as f64;
                layer.view_cloud = Some((1.0 - clear) * 100.0);
                let _ = write!(
                    layer.note,
                    "; clear {:.0} % of the searched view (scene classification band)",
                    clear * 100.0
                );
            }
            layer
        })
        .collect();
    layers = thin(layers, thinning);
    layers.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.collection.cmp(&b.collection))
    });
    SeriesPlan { layers, skipped }
}

/// Keeps the clearest layer per collection and period: lowest cloud cover, unknown cover last,
/// the earlier day on a tie. The cover is over the searched view for a collection whose every
/// layer has it (its scene classification bands were read), else over the whole scenes: the
/// two are never ranked against each other.
fn thin(layers: Vec<StacLayerPlan>, thinning: Thinning) -> Vec<StacLayerPlan> {
    let period = |date: NaiveDate| -> (i32, u32) {
        match thinning {
            Thinning::Every => (date.year(), date.ordinal()),
            Thinning::PerWeek => (date.iso_week().year(), date.iso_week().week()),
            Thinning::PerMonth => (date.year(), date.month()),
        }
    };
    let mut over_view: BTreeMap<String, bool> = BTreeMap::new();
    for layer in &layers {
        *over_view.entry(layer.collection.clone()).or_insert(true) &= layer.view_cloud.is_some();
    }
    let mut best: BTreeMap<(String, (i32, u32)), StacLayerPlan> = BTreeMap::new();
    for layer in layers {
        let key = (layer.collection.clone(), period(layer.date));
        let by_view = over_view.get(&layer.collection).copied().unwrap_or(false);
        match best.get(&key) {
            Some(kept) if !clearer(&layer, kept, by_view) => {}
            _ => {
                best.insert(key, layer);
            }
        }
    }
    best.into_values().collect()
}

/// True when `a` is clearer than `b` (or as clear and earlier), over the view or over their
/// whole scenes.
fn clearer(a: &StacLayerPlan, b: &StacLayerPlan, over_view: bool) -> bool {
    let cover = |layer: &StacLayerPlan| {
        if over_view {
            layer.view_cloud
        } else {
            layer.cloud_cover
        }
        .unwrap_or(f64::INFINITY)
    };
    match cover(a).total_cmp(&cover(b)) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => a.date < b.date,
    }
}
