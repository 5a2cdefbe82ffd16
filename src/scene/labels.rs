//! Label placement: each label beside its anchor, never over another label.
//!
//! Pure geometry in screen pixels, so the window and the exporter place labels the same way
//! (each backend measures its own text with the same bundled font).

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
}

/// Where a label went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Top-left corner of the box.
    pub min_px: [f32; 2],
    /// True when the box sits away from its anchor and needs a leader line.
    pub needs_leader: bool,
}

/// The order labels claim their places in: the selected item first, then lines (spans, roads),
/// then areas, then points, so the big structures keep their labels when space runs out.
pub fn priority_order(scene: &super::Scene) -> Vec<usize> {
    // One lookup table, not a search per label: scenes hold thousands of items.
    let items: std::collections::HashMap<&str, &super::SceneItem> =
        scene.items.iter().map(|it| (it.id.as_str(), it)).collect();
    let rank = |i: usize| -> u8 {
        let Some(label) = scene.labels.get(i) else {
            return 9;
        };
        let item = items.get(label.id.as_str());
        match item {
            Some(it) if it.selected => 0,
            Some(it) => match it.geometry {
                super::ItemGeometry::Line(_) => 1,
                super::ItemGeometry::Polygon(_) => 2,
                super::ItemGeometry::Point(_) => 3,
            },
            None => 4,
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

/// [`place_labels`], also keeping clear of `keep_clear_px` (`[min_x, min_y, max_x, max_y]` each):
/// the boxes a figure already holds (legend, date, credit).
#[must_use]
pub fn place_labels_around(
    labels: &[LabelBox],
    bounds_px: [f32; 4],
    gap_px: f32,
    keep_clear_px: &[[f32; 4]],
) -> Vec<Option<Placement>> {
    let mut taken: Vec<[f32; 4]> = keep_clear_px.to_vec();
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
            candidates.iter().find_map(|&([x, y], needs_leader)| {
                let rect = [x, y, x + w, y + h];
                let inside = rect[0] >= bounds_px[0]
                    && rect[1] >= bounds_px[1]
                    && rect[2] <= bounds_px[2]
                    && rect[3] <= bounds_px[3];
                (inside && !taken.iter().any(|t| overlaps(*t, rect))).then(|| {
                    taken.push(rect);
                    Placement {
                        min_px: [x, y],
                        needs_leader,
                    }
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: [f32; 4] = [0.0, 0.0, 1000.0, 1000.0];

    #[test]
    fn a_lone_label_sits_right_of_its_anchor() {
        let placed = place_labels(
            &[LabelBox {
                anchor_px: [100.0, 100.0],
                size_px: [50.0, 20.0],
            }],
            BOUNDS,
            8.0,
        );
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
        let b = LabelBox {
            anchor_px: [500.0, 500.0],
            size_px: [80.0, 20.0],
        };
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
        let off = LabelBox {
            anchor_px: [-10.0, 5.0],
            size_px: [10.0, 10.0],
        };
        let huge = LabelBox {
            anchor_px: [500.0, 500.0],
            size_px: [2000.0, 10.0],
        };
        assert_eq!(place_labels(&[off, huge], BOUNDS, 8.0), vec![None, None]);
    }
}
