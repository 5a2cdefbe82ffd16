//! Label placement: each label beside its anchor, never over another label.
//!
//! Pure geometry in screen pixels, so the window and the exporter place labels the same way
//! (each backend measures its own text with the same bundled font).

use rstar::AABB;
use rstar::primitives::Rectangle;

/// Marker radius at the 1920 px figure width, shared by both backends.
pub const MARKER_RADIUS_PX: f32 = 11.0;

/// Boxes labels keep clear of: every point marker, `radius_px` around its screen position, so a
/// dense cluster (a row of piers) stays visible under its labels in the window and in export.
pub fn marker_clearances(
    scene: &super::Scene,
    to_px: &dyn Fn(geo::Coord<f64>) -> [f32; 2],
    radius_px: f32,
) -> Vec<[f32; 4]> {
    scene
        .items
        .iter()
        .filter_map(|item| match item.geometry {
            super::ItemGeometry::Point(c) => {
                let [x, y] = to_px(c);
                Some([x - radius_px, y - radius_px, x + radius_px, y + radius_px])
            }
            _ => None,
        })
        .collect()
}

/// A label to place: where it points and how big its box is, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBox {
    /// The anchor on screen.
    pub anchor_px: [f32; 2],
    /// Width and height of the text box.
    pub size_px: [f32; 2],
    /// Where the analyst put the box's centre, relative to the anchor: it goes there whatever it
    /// overlaps, and later labels keep clear of it.
    pub moved_px: Option<[f32; 2]>,
    /// Shown even when every place overlaps something (at its first place inside the bounds).
    pub pinned: bool,
}

impl LabelBox {
    /// A label placed automatically.
    #[must_use]
    pub fn new(anchor_px: [f32; 2], size_px: [f32; 2]) -> Self {
        Self {
            anchor_px,
            size_px,
            moved_px: None,
            pinned: false,
        }
    }
}

/// Where a label went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Top-left corner of the box.
    pub min_px: [f32; 2],
    /// True when the box sits away from its anchor and needs a leader line.
    pub needs_leader: bool,
}

/// The order labels claim their places in: labels the analyst pinned or moved first, then the
/// selected item, then lines (spans, roads), then areas, then points, so the big structures keep
/// their labels when space runs out. Ties keep the scene's order, so the order is the same in
/// the window and in every export.
pub fn priority_order(scene: &super::Scene) -> Vec<usize> {
    // One lookup table, not a search per label: scenes hold thousands of items.
    let items: std::collections::HashMap<&str, &super::SceneItem> =
        scene.items.iter().map(|it| (it.id.as_str(), it)).collect();
    let rank = |i: usize| -> u8 {
        let Some(label) = scene.labels.get(i) else {
            return 9;
        };
        if label.place.pinned || label.place.offset.is_some() {
            return 0;
        }
        let item = items.get(label.id.as_str());
        match item {
            Some(it) if it.selected => 1,
            Some(it) => match it.geometry {
                super::ItemGeometry::Line(_) => 2,
                super::ItemGeometry::Polygon(_) => 3,
                super::ItemGeometry::Point(_) => 4,
            },
            None => 5,
        }
    };
    let mut order: Vec<usize> = (0..scene.labels.len()).collect();
    order.sort_by_cached_key(|&i| rank(i));
    order
}

fn overlaps(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Places labels greedily in the order given (earlier labels win).
///
/// Candidates, nearest first: right, left, above, below the anchor at `gap_px`, then the four
/// diagonals at three times that distance (with a leader line). A label whose anchor lies outside
/// `bounds_px` (`[min_x, min_y, max_x, max_y]`), or that fits nowhere, is left out (`None`).
pub fn place_labels(
    labels: &[LabelBox],
    bounds_px: [f32; 4],
    gap_px: f32,
) -> Vec<Option<Placement>> {
    place_labels_around(labels, bounds_px, gap_px, &[])
}

/// Boxes already taken, in an R-tree so each test costs O(log n), not a scan of every box.
struct Taken(rstar::RTree<Rectangle<[f32; 2]>>);

impl Taken {
    fn new(boxes: &[[f32; 4]]) -> Self {
        Self(rstar::RTree::bulk_load(
            boxes
                .iter()
                .map(|b| Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]))
                .collect(),
        ))
    }

    /// True when `rect` overlaps a taken box by more than a shared edge.
    fn hits(&self, rect: [f32; 4]) -> bool {
        let envelope = AABB::from_corners([rect[0], rect[1]], [rect[2], rect[3]]);
        self.0.locate_in_envelope_intersecting(&envelope).any(|t| {
            overlaps(
                [t.lower()[0], t.lower()[1], t.upper()[0], t.upper()[1]],
                rect,
            )
        })
    }

    fn take(&mut self, rect: [f32; 4]) {
        self.0.insert(Rectangle::from_corners(
            [rect[0], rect[1]],
            [rect[2], rect[3]],
        ));
    }
}

/// [`place_labels`], also keeping clear of `keep_clear_px` (`[min_x, min_y, max_x, max_y]` each):
/// the boxes a figure already holds (legend, date, credit). A moved label goes where the
/// analyst put it; a pinned one that fits nowhere free takes its first place inside the bounds.
#[must_use]
pub fn place_labels_around(
    labels: &[LabelBox],
    bounds_px: [f32; 4],
    gap_px: f32,
    keep_clear_px: &[[f32; 4]],
) -> Vec<Option<Placement>> {
    let mut taken = Taken::new(keep_clear_px);
    let inside = |rect: [f32; 4]| {
        rect[0] >= bounds_px[0]
            && rect[1] >= bounds_px[1]
            && rect[2] <= bounds_px[2]
            && rect[3] <= bounds_px[3]
    };
    labels
        .iter()
        .map(|label| {
            let [ax, ay] = label.anchor_px;
            let [w, h] = label.size_px;
            if !(bounds_px[0]..=bounds_px[2]).contains(&ax)
                || !(bounds_px[1]..=bounds_px[3]).contains(&ay)
            {
                return None;
            }
            if let Some([dx, dy]) = label.moved_px {
                let min_px = [ax + dx - w / 2.0, ay + dy - h / 2.0];
                let rect = [min_px[0], min_px[1], min_px[0] + w, min_px[1] + h];
                // A leader once the box has left the anchor's side.
                let (cx, cy) = (ax.clamp(rect[0], rect[2]), ay.clamp(rect[1], rect[3]));
                let needs_leader = (cx - ax).hypot(cy - ay) > 1.5 * gap_px;
                taken.take(rect);
                return Some(Placement {
                    min_px,
                    needs_leader,
                });
            }
            let g = gap_px;
            let far = 3.0 * gap_px;
            let candidates = [
                ([ax + g, ay - h / 2.0], false),
                ([ax - g - w, ay - h / 2.0], false),
                ([ax - w / 2.0, ay - g - h], false),
                ([ax - w / 2.0, ay + g], false),
                ([ax + far, ay - far - h], true),
                ([ax + far, ay + far], true),
                ([ax - far - w, ay - far - h], true),
                ([ax - far - w, ay + far], true),
            ];
            let rect_at = |[x, y]: [f32; 2]| [x, y, x + w, y + h];
            let free = candidates
                .iter()
                .find(|(min, _)| inside(rect_at(*min)) && !taken.hits(rect_at(*min)));
            let chosen = free.or_else(|| {
                label
                    .pinned
                    .then(|| candidates.iter().find(|(min, _)| inside(rect_at(*min))))
                    .flatten()
            });
            chosen.map(|&(min_px, needs_leader)| {
                taken.take(rect_at(min_px));
                Placement {
                    min_px,
                    needs_leader,
                }
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // whole-pixel geometry compares exactly
mod tests {
    use super::*;

    const BOUNDS: [f32; 4] = [0.0, 0.0, 1000.0, 1000.0];

    #[test]
    fn a_lone_label_sits_right_of_its_anchor() {
        let placed = place_labels(&[LabelBox::new([100.0, 100.0], [50.0, 20.0])], BOUNDS, 8.0);
        assert_eq!(
            placed,
            vec![Some(Placement {
                min_px: [108.0, 90.0],
                needs_leader: false
            })]
        );
    }

    #[test]
    fn two_labels_on_one_anchor_do_not_overlap() {
        let b = LabelBox::new([500.0, 500.0], [80.0, 20.0]);
        let placed = place_labels(&[b, b], BOUNDS, 8.0);
        let r = |p: &Placement| {
            [
                p.min_px[0],
                p.min_px[1],
                p.min_px[0] + 80.0,
                p.min_px[1] + 20.0,
            ]
        };
        let (a, c) = (placed[0].unwrap(), placed[1].unwrap());
        assert!(!overlaps(r(&a), r(&c)));
    }

    #[test]
    fn labels_off_screen_or_without_room_are_left_out() {
        let off = LabelBox::new([-10.0, 5.0], [10.0, 10.0]);
        let huge = LabelBox::new([500.0, 500.0], [2000.0, 10.0]);
        assert_eq!(place_labels(&[off, huge], BOUNDS, 8.0), vec![None, None]);
    }

    #[test]
    fn a_moved_label_goes_where_it_was_put_and_others_keep_clear_of_it() {
        let moved = LabelBox {
            moved_px: Some([0.0, -100.0]),
            ..LabelBox::new([500.0, 500.0], [80.0, 20.0])
        };
        // Another label whose first choice is where the moved one went.
        let other = LabelBox::new([452.0, 400.0], [80.0, 20.0]);
        let placed = place_labels(&[moved, other], BOUNDS, 8.0);
        let a = placed[0].unwrap();
        assert_eq!(a.min_px, [460.0, 390.0]);
        assert!(a.needs_leader, "100 px from its anchor");
        let b = placed[1].unwrap();
        assert_ne!(b.min_px, [460.0, 390.0]);
        let r = |p: &Placement| {
            [
                p.min_px[0],
                p.min_px[1],
                p.min_px[0] + 80.0,
                p.min_px[1] + 20.0,
            ]
        };
        assert!(!overlaps(r(&a), r(&b)));
        // Moved a little, it still sits by its anchor: no leader.
        let near = LabelBox {
            moved_px: Some([50.0, 0.0]),
            ..LabelBox::new([500.0, 500.0], [80.0, 20.0])
        };
        assert!(!place_labels(&[near], BOUNDS, 8.0)[0].unwrap().needs_leader);
    }

    #[test]
    fn a_pinned_label_shows_where_an_automatic_one_would_be_left_out() {
        let blocker = [[0.0, 0.0, 1000.0, 1000.0]];
        let auto = LabelBox::new([500.0, 500.0], [80.0, 20.0]);
        let pinned = LabelBox {
            pinned: true,
            ..auto
        };
        let placed = place_labels_around(&[auto, pinned], BOUNDS, 8.0, &blocker);
        assert_eq!(placed[0], None);
        assert_eq!(
            placed[1],
            Some(Placement {
                min_px: [508.0, 490.0],
                needs_leader: false
            })
        );
    }

    #[test]
    fn the_r_tree_finds_the_same_places_as_a_scan_of_every_box() {
        // A dense grid of anchors: many collisions, compared with the plain O(n²) rule.
        let labels: Vec<LabelBox> = (0..400)
            .map(|i| {
                let (col, row) = ((i % 20) as f32, (i / 20) as f32);
                LabelBox::new(
                    [40.0 + col * 47.0, 30.0 + row * 45.0],
                    [60.0 + (i % 7) as f32 * 9.0, 16.0],
                )
            })
            .collect();
        let placed = place_labels(&labels, BOUNDS, 8.0);
        let mut taken: Vec<[f32; 4]> = Vec::new();
        for (label, p) in labels.iter().zip(&placed) {
            let [w, h] = label.size_px;
            let [ax, ay] = label.anchor_px;
            let (g, far) = (8.0, 24.0);
            let expected = [
                [ax + g, ay - h / 2.0],
                [ax - g - w, ay - h / 2.0],
                [ax - w / 2.0, ay - g - h],
                [ax - w / 2.0, ay + g],
                [ax + far, ay - far - h],
                [ax + far, ay + far],
                [ax - far - w, ay - far - h],
                [ax - far - w, ay + far],
            ]
            .into_iter()
            .map(|[x, y]| [x, y, x + w, y + h])
            .find(|r| {
                r[0] >= 0.0
                    && r[1] >= 0.0
                    && r[2] <= 1000.0
                    && r[3] <= 1000.0
                    && !taken.iter().any(|t| overlaps(*t, *r))
            });
            assert_eq!(p.map(|p| p.min_px), expected.map(|r| [r[0], r[1]]));
            taken.extend(expected);
        }
        assert!(placed.iter().filter(|p| p.is_some()).count() > 100);
        assert!(
            placed.iter().any(Option::is_none),
            "the grid is dense enough to leave some out"
        );
    }
}
