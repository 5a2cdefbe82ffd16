//! Labels as paint operations: text marks centred on their point, then the other labels placed
//! beside their anchors in priority order (`scene::labels`), clear of figure boxes, markers and
//! each other, with a leader line when a label had to move away.

use std::collections::HashSet;

use super::items::ToPx;
use super::style::{
    LABEL_BOX, LABEL_GAP_EXTRA_PX, LABEL_PAD_PX, LABEL_RADIUS_PX, LABEL_SIZE_PX, LEADER_DOT_PX,
    LEADER_PX, MARKER_CLEARANCE, MARKER_RADIUS_PX, SELECTION, SELECTION_MARKER_EXTRA_PX, Scale,
    TEXT_MARK_OUTLINE_PX, WHITE,
};
use crate::model::Mark;
use crate::render::display_list::{
    BoxKind, DisplayList, FontSpec, PaintOp, RectPx, TaggedBox, Weight,
};
use crate::render::text::TextMeasure;
use crate::scene::labels::{LabelBox, marker_clearances, place_labels_around, priority_order};
use crate::scene::{Scene, SceneItem, SceneLabel};

/// Most labels placed in one view: past a few hundred a map is unreadable anyway, and placing
/// thousands would cost more than drawing them. The same cap in the window and in exports.
pub const MAX_LABELS: usize = 400;

/// How labels are set.
#[derive(Clone, Copy, Debug)]
pub struct LabelOptions {
    /// Lengths at this scale.
    pub scale: Scale,
    /// Draw the selection highlight around a selected text mark.
    pub selection: bool,
    /// Only the labels of the items given (the window culls to the view); else every label.
    pub culled: bool,
}

/// The label font at a scale.
#[must_use]
pub fn label_font(s: Scale) -> FontSpec {
    FontSpec {
        weight: Weight::Bold,
        size_px: s.text(LABEL_SIZE_PX),
    }
}

fn boxed_label(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    label: &SceneLabel,
    rect: RectPx,
    pad: [f32; 2],
    font: FontSpec,
) {
    list.push(PaintOp::FillRect {
        rect_px: rect,
        radius_px: LABEL_RADIUS_PX,
        color: LABEL_BOX,
    });
    list.push(PaintOp::Text(measure.run(
        &label.text,
        font,
        WHITE,
        [rect[0] + pad[0], rect[1] + pad[1]],
    )));
    list.boxes.push(TaggedBox {
        kind: BoxKind::Label(label.id.clone()),
        rect_px: rect,
    });
}

/// Lowers the labels of `items` (the items shown), keeping clear of `keep_clear_px`.
#[allow(clippy::many_single_char_names)] // box geometry reads as x, y, w, h
pub fn lower_labels(
    list: &mut DisplayList,
    scene: &Scene,
    items: &[&SceneItem],
    to_px: ToPx<'_>,
    measure: &dyn TextMeasure,
    keep_clear_px: &[RectPx],
    options: LabelOptions,
) {
    let s = options.scale;
    let font = label_font(s);
    let pad = [s.soft(LABEL_PAD_PX[0]), s.soft(LABEL_PAD_PX[1])];
    let shown: HashSet<&str> = items.iter().map(|it| it.id.as_str()).collect();
    let text_marks: HashSet<&str> = items
        .iter()
        .filter(|it| it.mark == Mark::Text)
        .map(|it| it.id.as_str())
        .collect();
    let selected: HashSet<&str> = items
        .iter()
        .filter(|it| it.selected)
        .map(|it| it.id.as_str())
        .collect();
    let mut drawn: Vec<RectPx> = Vec::new();
    for label in scene
        .labels
        .iter()
        .filter(|l| text_marks.contains(l.id.as_str()))
    {
        let [w, h] = measure.size(&label.text, font);
        let [x, y] = to_px(label.anchor);
        let (bw, bh) = (w + 2.0 * pad[0], h + 2.0 * pad[1]);
        let rect = [x - bw / 2.0, y - bh / 2.0, x + bw / 2.0, y + bh / 2.0];
        if options.selection && selected.contains(label.id.as_str()) {
            let e = SELECTION_MARKER_EXTRA_PX - 2.0;
            list.push(PaintOp::FillRect {
                rect_px: [rect[0] - e, rect[1] - e, rect[2] + e, rect[3] + e],
                radius_px: 2.0 * LABEL_RADIUS_PX,
                color: SELECTION,
            });
        }
        let outline = vec![
            [rect[0], rect[1]],
            [rect[2], rect[1]],
            [rect[2], rect[3]],
            [rect[0], rect[3]],
        ];
        boxed_label(list, measure, label, rect, pad, font);
        // The outline goes over the box in the feature's colour; the text stays on top.
        let text = list.ops.pop();
        list.push(PaintOp::Stroke {
            points: outline,
            closed: true,
            width_px: s.line(TEXT_MARK_OUTLINE_PX),
            color: label.color,
            dash_px: None,
        });
        list.ops.extend(text);
        drawn.push(rect);
    }
    let labels: Vec<&SceneLabel> = priority_order(scene)
        .iter()
        .filter_map(|&i| scene.labels.get(i))
        .filter(|l| !options.culled || shown.contains(l.id.as_str()))
        .filter(|l| !text_marks.contains(l.id.as_str()))
        .take(MAX_LABELS)
        .collect();
    let boxes: Vec<LabelBox> = labels
        .iter()
        .map(|label| {
            let [w, h] = measure.size(&label.text, font);
            LabelBox {
                anchor_px: to_px(label.anchor),
                size_px: [w + 2.0 * pad[0], h + 2.0 * pad[1]],
                moved_px: label.place.offset.map(|[x, y]| [s.px(x), s.px(y)]),
                pinned: label.place.pinned,
            }
        })
        .collect();
    let bounds = [0.0, 0.0, list.size_px[0], list.size_px[1]];
    let gap = s.soft(MARKER_RADIUS_PX + LABEL_GAP_EXTRA_PX);
    // Labels keep off point markers too, so a dense cluster (a row of piers) stays visible.
    let mut keep_clear: Vec<RectPx> = keep_clear_px.to_vec();
    keep_clear.extend(drawn.iter().copied());
    // Only the markers in the figure matter (the window's scene holds every item).
    keep_clear.extend(
        marker_clearances(scene, to_px, s.marker_radius() * MARKER_CLEARANCE)
            .into_iter()
            .filter(|r| {
                r[2] >= bounds[0] && r[0] <= bounds[2] && r[3] >= bounds[1] && r[1] <= bounds[3]
            }),
    );
    let placed = place_labels_around(&boxes, bounds, gap, &keep_clear);
    for ((label, placement), b) in labels.iter().zip(&placed).zip(&boxes) {
        let Some(p) = placement else { continue };
        let rect = [
            p.min_px[0],
            p.min_px[1],
            p.min_px[0] + b.size_px[0],
            p.min_px[1] + b.size_px[1],
        ];
        if p.needs_leader {
            let [ax, ay] = b.anchor_px;
            let end = [ax.clamp(rect[0], rect[2]), ay.clamp(rect[1], rect[3])];
            list.push(PaintOp::Stroke {
                points: vec![[ax, ay], end],
                closed: false,
                width_px: s.line(LEADER_PX),
                color: label.color,
                dash_px: None,
            });
            list.push(PaintOp::FillCircle {
                center_px: [ax, ay],
                radius_px: s.at_least(LEADER_DOT_PX, 2.0),
                color: label.color,
            });
        }
        boxed_label(list, measure, label, rect, pad, font);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rgba;
    use crate::render::text::EpaintText;
    use geo::Coord;

    #[test]
    fn a_lone_label_is_placed_right_of_its_anchor() {
        let scene = Scene {
            title: String::new(),
            layers: Vec::new(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 10, 14).unwrap_or_default(),
            date_label: String::new(),
            caption: None,
            items: Vec::new(),
            labels: vec![SceneLabel {
                id: "a".into(),
                anchor: Coord { x: 50.0, y: 50.0 },
                text: "Pier".into(),
                color: Rgba::rgb(255, 0, 0),
                place: crate::model::LabelPlace::default(),
            }],
            legend: Vec::new(),
            certainties: Vec::new(),
            credits: Vec::new(),
            notices: Vec::new(),
        };
        let mut list = DisplayList::new([400.0, 100.0]);
        let to_px = |c: Coord<f64>| [c.x as f32, c.y as f32];
        lower_labels(
            &mut list,
            &scene,
            &[],
            &to_px,
            &EpaintText::bundled(),
            &[],
            LabelOptions {
                scale: Scale(1.0),
                selection: false,
                culled: false,
            },
        );
        let labels: Vec<_> = list.labels().collect();
        assert_eq!(labels.len(), 1, "{:?}", list.ops);
        assert!((labels[0].1[0] - 67.0).abs() < 0.5, "{:?}", labels[0]);
    }
}
