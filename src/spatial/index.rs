//! A spatial index of lon/lat bounding boxes (an R*-tree, through `rstar`), so hit-testing,
//! snapping and drawing touch only what is near the pointer or in view, at any number of
//! annotations.

use geo::Coord;
use rstar::{AABB, RTree, RTreeObject};

/// `[west, south, east, north]` in degrees; a point's box has no width or height.
pub type Bounds = [f64; 4];

/// The bounds of some coordinates; `None` for none (or any that is not finite).
pub fn bounds_of(coords: impl IntoIterator<Item = Coord<f64>>) -> Option<Bounds> {
    let mut it = coords.into_iter();
    let first = it.next()?;
    let mut b = [first.x, first.y, first.x, first.y];
    for c in it {
        b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
    }
    b.iter().all(|v| v.is_finite()).then_some(b)
}

/// True when two boxes touch or overlap.
#[must_use]
pub fn intersects(a: Bounds, b: Bounds) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    key: usize,
    bounds: Bounds,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        let [w, s, e, n] = self.bounds;
        AABB::from_corners([w, s], [e, n])
    }
}

/// An index of keyed boxes (the keys are positions in some list, e.g. scene items).
#[derive(Clone, Default)]
pub struct BoundsIndex {
    tree: RTree<Entry>,
}

impl BoundsIndex {
    /// Bulk-loads the index (much faster than inserting one by one).
    pub fn new(entries: impl IntoIterator<Item = (usize, Bounds)>) -> Self {
        let entries: Vec<Entry> = entries
            .into_iter()
            .map(|(key, bounds)| Entry { key, bounds })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
        }
    }

    /// The number of boxes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when the index holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys of the boxes touching `query`, ascending (so list order, e.g. draw order, is kept).
    #[must_use]
    pub fn keys_in(&self, query: Bounds) -> Vec<usize> {
        let [w, s, e, n] = query;
        let envelope = AABB::from_corners([w, s], [e, n]);
        let mut keys: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|entry| entry.key)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Moves one key's box (after an edit), without rebuilding the index.
    pub fn update(&mut self, key: usize, old: Option<Bounds>, new: Option<Bounds>) {
        if let Some(bounds) = old {
            self.tree.remove(&Entry { key, bounds });
        }
        if let Some(bounds) = new {
            self.tree.insert(Entry { key, bounds });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = BoundsIndex::new([]);
        assert!(index.is_empty());
        assert!(index.keys_in([-180.0, -90.0, 180.0, 90.0]).is_empty());
        assert_eq!(bounds_of([]), None);
    }

    #[test]
    fn a_query_finds_the_boxes_it_touches_in_key_order() {
        let index = BoundsIndex::new([
            (2, [0.0, 0.0, 1.0, 1.0]),
            (0, [5.0, 5.0, 5.0, 5.0]),
            (1, [0.5, 0.5, 6.0, 0.6]),
        ]);
        assert_eq!(index.keys_in([0.9, 0.0, 2.0, 2.0]), vec![1, 2]);
        assert_eq!(index.keys_in([4.0, 4.0, 6.0, 6.0]), vec![0]);
        assert!(index.keys_in([10.0, 10.0, 11.0, 11.0]).is_empty());
    }

    #[test]
    fn an_updated_box_is_found_where_it_went() {
        let mut index = BoundsIndex::new([(0, [0.0, 0.0, 1.0, 1.0])]);
        index.update(
            0,
            Some([0.0, 0.0, 1.0, 1.0]),
            Some([10.0, 10.0, 11.0, 11.0]),
        );
        assert!(index.keys_in([0.0, 0.0, 1.0, 1.0]).is_empty());
        assert_eq!(index.keys_in([10.5, 10.5, 10.5, 10.5]), vec![0]);
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn bounds_cover_their_coordinates_and_refuse_nan() {
        let b = bounds_of([Coord { x: 1.0, y: 5.0 }, Coord { x: -1.0, y: 2.0 }]);
        assert_eq!(b, Some([-1.0, 2.0, 1.0, 5.0]));
        assert_eq!(
            bounds_of([Coord {
                x: f64::NAN,
                y: 0.0
            }]),
            None
        );
        assert!(intersects([0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 2.0, 2.0]));
        assert!(!intersects([0.0, 0.0, 1.0, 1.0], [1.1, 0.0, 2.0, 1.0]));
    }
}
