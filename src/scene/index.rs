//! A spatial index over a scene's items, so that drawing culls to the view and hit-testing and
//! snapping look only near the pointer, with tens of thousands of annotations.

use geo::Coord;

use super::hit::item_hit;
use super::{ItemGeometry, Scene};
use crate::spatial::index::{Bounds, BoundsIndex, bounds_of};

/// The lon/lat bounds of an item's geometry.
#[must_use]
pub fn item_bounds(geometry: &ItemGeometry) -> Option<Bounds> {
    match geometry {
        ItemGeometry::Point(c) => bounds_of([*c]),
        ItemGeometry::Line(l) => bounds_of(l.0.iter().copied()),
        ItemGeometry::Polygon(p) => bounds_of(p.exterior().0.iter().copied()),
    }
}

/// The scene's items by where they are; keys are indices into `Scene::items`.
#[derive(Clone, Default)]
pub struct SceneIndex {
    index: BoundsIndex,
    bounds: Vec<Option<Bounds>>,
}

impl SceneIndex {
    /// Indexes every item of the scene.
    #[must_use]
    pub fn new(scene: &Scene) -> Self {
        let bounds: Vec<Option<Bounds>> = scene
            .items
            .iter()
            .map(|i| item_bounds(&i.geometry))
            .collect();
        let index = BoundsIndex::new(
            bounds
                .iter()
                .enumerate()
                .filter_map(|(k, b)| b.map(|b| (k, b))),
        );
        Self { index, bounds }
    }

    /// Re-indexes one item after its geometry changed (see `scene::patch_annotation`).
    pub fn update(&mut self, scene: &Scene, item: usize) {
        let new = scene.items.get(item).and_then(|i| item_bounds(&i.geometry));
        let Some(slot) = self.bounds.get_mut(item) else {
            return;
        };
        let old = std::mem::replace(slot, new);
        self.index.update(item, old, new);
    }

    /// Items whose bounds touch the box, in draw order.
    #[must_use]
    pub fn items_in(&self, query: Bounds) -> Vec<usize> {
        self.index.keys_in(query)
    }

    /// The topmost item under the pointer, as [`super::hit::hit_test`] finds it, looking only
    /// at items whose bounds touch `query` (the pointer's surroundings in lon/lat, tolerance
    /// included).
    pub fn hit_test(
        &self,
        scene: &Scene,
        query: Bounds,
        pointer_px: [f64; 2],
        tolerance_px: f64,
        to_screen: &dyn Fn(Coord<f64>) -> [f64; 2],
    ) -> Option<String> {
        self.items_in(query)
            .into_iter()
            .rev()
            .filter_map(|k| scene.items.get(k))
            .find(|item| item_hit(item, pointer_px, tolerance_px, to_screen))
            .map(|item| item.id.clone())
    }
}
