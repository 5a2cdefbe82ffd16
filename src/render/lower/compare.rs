//! Two dates in one view, written once for the window and the export: a swipe puts date A's list
//! left of a divider and date B's right of it, with the divider and a tag naming each side; a
//! blend fades B's imagery over A's; panes put each date's list side by side.

use super::style::{CASING, LABEL_BOX, LABEL_PAD_PX, LABEL_RADIUS_PX, Scale, WHITE};
use crate::render::display_list::{
    BoxKind, DisplayList, FontSpec, PaintOp, RectPx, TaggedBox, clip_intersection,
};
use crate::render::text::TextMeasure;

/// The divider line, its casing, and the handle's radius and ring (1920 px master sizes).
const DIVIDER_PX: f32 = 2.0;
const DIVIDER_CASING_PX: f32 = 5.0;
const HANDLE_RADIUS_PX: f32 = 16.0;
const HANDLE_RING_PX: f32 = 2.0;
/// The arrows inside the handle: half their height and their length.
const ARROW_HALF_PX: f32 = 6.0;
const ARROW_LENGTH_PX: f32 = 7.0;
/// The shared cursor's crosshair: arm length, line and casing widths (1920 px master sizes).
const CROSSHAIR_ARM_PX: f32 = 20.0;
const CROSSHAIR_PX: f32 = 2.5;
const CROSSHAIR_CASING_PX: f32 = 5.0;
/// Side tags: text size and their gap from the divider and the top.
const TAG_TEXT_PX: f32 = 26.0;
const TAG_GAP_PX: f32 = 12.0;

/// What each side of a comparison is called (e.g. "A · 5 JUL 2025").
#[derive(Clone, Copy, Debug)]
pub struct SideTags<'a> {
    /// The left side (date A).
    pub a: &'a str,
    /// The right side (date B).
    pub b: &'a str,
    /// The tags' top edge (clear of what the view puts along its top edge).
    pub top_px: f32,
}

/// A side's tag: its letter and date, and the date of its top imagery layer when that differs
/// (the layer shown at a date may have been captured before it): "A · 27 SEP 2025 · imagery
/// 5 JUL 2025".
#[must_use]
pub fn side_tag(letter: &str, scene: &crate::scene::Scene) -> String {
    let imagery = scene
        .layers
        .iter()
        .rev()
        .find_map(|l| l.date_label.as_deref())
        .filter(|d| *d != scene.date_label);
    match imagery {
        Some(d) => format!("{letter} · {} · imagery {d}", scene.date_label),
        None => format!("{letter} · {}", scene.date_label),
    }
}

/// Where tags go in a figure: a gap below its top edge.
#[must_use]
pub fn tag_top(s: Scale) -> f32 {
    s.soft(TAG_GAP_PX)
}

/// The divider's x in list pixels for a fraction of the width (clamped to the view, whole
/// pixels so both sides meet without a seam).
#[must_use]
pub fn divider_px(width_px: f32, fraction: f32) -> f32 {
    (width_px * fraction.clamp(0.0, 1.0)).round()
}

/// The left and right parts of a view split at `divider_px`.
#[must_use]
pub fn swipe_sides(size_px: [f32; 2], divider_px: f32) -> (RectPx, RectPx) {
    let [w, h] = size_px;
    let d = divider_px.clamp(0.0, w);
    ([0.0, 0.0, d, h], [d, 0.0, w, h])
}

/// `a` left of the divider, `b` right of it, both cut to their side (imagery ops carry the cut
/// too; a label crossing the divider stays whole on the side of its centre), then the divider,
/// its handle and the side tags on top. The lists must be of one size.
#[must_use]
pub fn swipe(
    a: &DisplayList,
    b: &DisplayList,
    divider: f32,
    measure: &dyn TextMeasure,
    tags: SideTags<'_>,
    s: Scale,
) -> DisplayList {
    let mut list = swipe_body(a, b, divider, s);
    list.append(&swipe_tags(b.size_px, divider, measure, tags, s));
    list
}

/// [`swipe`] without its side tags: what changes only when either date's list does (the window
/// keeps it while scrubbing moves only the tags' dates).
#[must_use]
pub fn swipe_body(a: &DisplayList, b: &DisplayList, divider: f32, s: Scale) -> DisplayList {
    let (left, right) = swipe_sides(b.size_px, divider);
    let mut list = DisplayList::new(b.size_px);
    let mut whole = Vec::new();
    side(&mut list, a, left, Some(&mut whole));
    side(&mut list, b, right, Some(&mut whole));
    list.push(PaintOp::Clip(None));
    lower_divider(&mut list, left[2], whole, s);
    list
}

/// [`swipe`]'s side tags alone, at the top either side of the divider, drawn last.
#[must_use]
pub fn swipe_tags(
    size_px: [f32; 2],
    divider: f32,
    measure: &dyn TextMeasure,
    tags: SideTags<'_>,
    s: Scale,
) -> DisplayList {
    let (left, _) = swipe_sides(size_px, divider);
    let x = left[2];
    let mut list = DisplayList::new(size_px);
    let gap = s.soft(TAG_GAP_PX);
    let top = tags.top_px;
    tag(
        &mut list,
        measure,
        tags.a,
        (Anchor::End(x - gap), top),
        "swipe-a",
        s,
    );
    tag(
        &mut list,
        measure,
        tags.b,
        (Anchor::Start(x + gap), top),
        "swipe-b",
        s,
    );
    list
}

/// `b`'s imagery at `t` (0: all A, 1: all B) over `a`'s, under the vector ops of the nearer
/// date: a fade between two captures that keeps one set of annotations readable.
#[must_use]
pub fn blend(a: &DisplayList, b: &DisplayList, t: f32) -> DisplayList {
    let t = t.clamp(0.0, 1.0);
    let is_imagery = |op: &PaintOp| matches!(op, PaintOp::Imagery(_));
    let mut list = DisplayList::new(b.size_px);
    list.ops
        .extend(a.ops.iter().filter(|op| is_imagery(op)).cloned());
    list.ops.extend(b.ops.iter().filter_map(|op| match op {
        PaintOp::Imagery(i) => {
            let mut i = i.clone();
            i.opacity *= t;
            Some(PaintOp::Imagery(i))
        }
        _ => None,
    }));
    let nearer = if t < 0.5 { a } else { b };
    list.ops
        .extend(nearer.ops.iter().filter(|op| !is_imagery(op)).cloned());
    list.boxes.clone_from(&nearer.boxes);
    list
}

/// Panes side by side in one view of `size_px`: each list (lowered at its pane's size) moved
/// to its pane and cut to it.
#[must_use]
pub fn panes(size_px: [f32; 2], panes: &[(&DisplayList, RectPx)]) -> DisplayList {
    let mut list = DisplayList::new(size_px);
    for (pane, rect) in panes {
        side(&mut list, &pane.translated([rect[0], rect[1]]), *rect, None);
    }
    list.push(PaintOp::Clip(None));
    list
}

/// The shared cursor: a cased crosshair at each point, cut to its pane (points and panes in
/// the view's pixels).
#[must_use]
pub fn crosshairs(size_px: [f32; 2], at: &[([f32; 2], RectPx)], s: Scale) -> DisplayList {
    let mut list = DisplayList::new(size_px);
    let arm = s.soft(CROSSHAIR_ARM_PX);
    for &([x, y], pane) in at {
        if !(x >= pane[0] && x < pane[2] && y >= pane[1] && y < pane[3]) {
            continue;
        }
        list.push(PaintOp::Clip(Some(pane)));
        for (width, color) in [
            (s.line(CROSSHAIR_CASING_PX), CASING),
            (s.line(CROSSHAIR_PX), WHITE),
        ] {
            for points in [
                vec![[x - arm, y], [x + arm, y]],
                vec![[x, y - arm], [x, y + arm]],
            ] {
                list.push(PaintOp::Stroke {
                    points,
                    closed: false,
                    width_px: width,
                    color,
                    dash_px: None,
                });
            }
        }
    }
    list.push(PaintOp::Clip(None));
    list
}

/// `count` panes across a view of `size_px`, left to right, `gutter_px` apart (whole pixels).
#[must_use]
pub fn pane_rects(size_px: [f32; 2], count: usize, gutter_px: f32) -> Vec<RectPx> {
    let n = count.max(1) as f32;
    let width = ((size_px[0] - gutter_px * (n - 1.0)) / n).floor().max(1.0);
    (0..count)
        .map(|i| {
            let x0 = (i as f32 * (width + gutter_px)).round();
            [x0, 0.0, x0 + width, size_px[1]]
        })
        .collect()
}

/// Appends `from` cut to `rect`: its clips narrowed, its imagery ops clipped, its boxes kept
/// where their centre is inside. With `whole`, a label that crosses the cut is not sliced: its
/// box and text go to `whole` (painted over both sides) when its centre is on this side, and
/// are left out when it is on the other.
fn side(
    list: &mut DisplayList,
    from: &DisplayList,
    rect: RectPx,
    mut whole: Option<&mut Vec<PaintOp>>,
) {
    let centre_inside = |r: RectPx| {
        let x = f32::midpoint(r[0], r[2]);
        x >= rect[0] && x < rect[2]
    };
    let crossing: Vec<RectPx> = from
        .labels()
        .map(|(_, r)| r)
        .filter(|r| r[0] < rect[0] || r[2] > rect[2])
        .collect();
    list.push(PaintOp::Clip(Some(rect)));
    for op in &from.ops {
        if let Some(whole) = whole.as_deref_mut()
            && let Some(label) = crossing.iter().find(|r| label_part(op, **r))
        {
            if centre_inside(*label) {
                whole.push(op.clone());
            }
            continue;
        }
        list.push(match op {
            PaintOp::Clip(c) => PaintOp::Clip(clip_intersection(*c, Some(rect))),
            PaintOp::Imagery(i) => {
                let mut i = i.clone();
                i.clip_px = clip_intersection(i.clip_px, Some(rect));
                PaintOp::Imagery(i)
            }
            other => other.clone(),
        });
    }
    list.boxes.extend(
        from.boxes
            .iter()
            .filter(|b| centre_inside(b.rect_px))
            .cloned(),
    );
}

/// Whether `op` is the box or the text of the label whose box is `label`.
fn label_part(op: &PaintOp, label: RectPx) -> bool {
    match op {
        // The lowering copies the box's rect into its fill: equal, not merely close.
        #[allow(clippy::float_cmp)]
        PaintOp::FillRect { rect_px, .. } => *rect_px == label,
        PaintOp::Text(run) => {
            let [x, y] = run.origin_px;
            x >= label[0] && x < label[2] && y >= label[1] && y < label[3]
        }
        _ => false,
    }
}

/// The divider at `x`: a cased white line the view's height, the labels kept whole over it,
/// and a round handle with arrows.
fn lower_divider(list: &mut DisplayList, x: f32, whole_labels: Vec<PaintOp>, s: Scale) {
    let h = list.size_px[1];
    for (width, color) in [
        (s.line(DIVIDER_CASING_PX), CASING),
        (s.line(DIVIDER_PX), WHITE),
    ] {
        list.push(PaintOp::Stroke {
            points: vec![[x, 0.0], [x, h]],
            closed: false,
            width_px: width,
            color,
            dash_px: None,
        });
    }
    list.ops.extend(whole_labels);
    let center = [x, h / 2.0];
    let radius = s.soft(HANDLE_RADIUS_PX);
    list.push(PaintOp::FillCircle {
        center_px: center,
        radius_px: radius,
        color: LABEL_BOX,
    });
    list.push(PaintOp::StrokeCircle {
        center_px: center,
        radius_px: radius,
        width_px: s.line(HANDLE_RING_PX),
        color: WHITE,
        dash_px: None,
    });
    let (half, length) = (s.soft(ARROW_HALF_PX), s.soft(ARROW_LENGTH_PX));
    for direction in [-1.0_f32, 1.0] {
        let tip = x + direction * (length + half / 2.0);
        let base = x + direction * half / 2.0;
        list.push(PaintOp::FillRings {
            rings: vec![vec![
                [tip, center[1]],
                [base, center[1] - half],
                [base, center[1] + half],
            ]],
            color: WHITE,
        });
    }
}

/// Each pane's date tag, centred at its top (its top edge at `top_px`).
pub fn lower_pane_tags(
    list: &mut DisplayList,
    rects: &[RectPx],
    tags: &[&str],
    measure: &dyn TextMeasure,
    s: Scale,
    top_px: f32,
) {
    for (rect, text) in rects.iter().zip(tags) {
        let center = f32::midpoint(rect[0], rect[2]);
        let at = (Anchor::Centre(center), top_px);
        tag(list, measure, text, at, "pane-date", s);
    }
}

/// Where a tag goes along the top of the view.
#[derive(Clone, Copy)]
enum Anchor {
    /// Its right edge here.
    End(f32),
    /// Its left edge here.
    Start(f32),
    /// Its centre here.
    Centre(f32),
}

/// A date tag: white bold text on a dark box near the top.
fn tag(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    text: &str,
    (anchor, top): (Anchor, f32),
    name: &'static str,
    s: Scale,
) {
    if text.is_empty() {
        return;
    }
    let font = FontSpec::bold(s.text(TAG_TEXT_PX));
    let pad = LABEL_PAD_PX.map(|p| s.soft(p));
    let [w, th] = measure.size(text, font);
    let box_w = w + 2.0 * pad[0];
    let x0 = match anchor {
        Anchor::End(x) => x - box_w,
        Anchor::Start(x) => x,
        Anchor::Centre(x) => x - box_w / 2.0,
    };
    let rect = [x0, top, x0 + box_w, top + th + 2.0 * pad[1]];
    list.push(PaintOp::FillRect {
        rect_px: rect,
        radius_px: LABEL_RADIUS_PX,
        color: LABEL_BOX,
    });
    list.push(PaintOp::Text(measure.run(
        text,
        font,
        WHITE,
        [rect[0] + pad[0], rect[1] + pad[1]],
    )));
    list.boxes.push(TaggedBox {
        kind: BoxKind::Furniture(name),
        rect_px: rect,
    });
}
