//! Where a figure's furniture goes (FIGURES.md): title, date and imagery dates top-left, notices
//! top-centre, north arrow top-right, legend, scale bar and caption stacked bottom-left, credit
//! (and the synthetic-imagery notice above it) bottom-right.
//!
//! Pure: rectangles in image pixels from the scene, the size and a text measure. Every length is
//! given at the 1920 px master width and scaled by width / 1920.

use crate::model::{Certainty, Rgba};
use crate::render::raster::RectPx;
use crate::render::raster_text::TextStyle;
use crate::scene::{SYNTHETIC_NOTICE, Scene};
use crate::spatial::scale_bar::ScaleBar;
pub use crate::spatial::scale_bar::figure_scale_bar;

/// The master figure width every length is given at.
pub const MASTER_WIDTH_PX: f32 = 1920.0;
/// No text is set smaller than this, whatever the size.
pub const MIN_TEXT_PX: f32 = 9.0;

const MARGIN: f32 = 24.0;
const PAD_X: f32 = 14.0;
const PAD_Y: f32 = 8.0;
const BOX_GAP: f32 = 10.0;
const TITLE_PX: f32 = 30.0;
const DATE_PX: f32 = 44.0;
const IMAGERY_PX: f32 = 22.0;
const NOTICE_PX: f32 = 24.0;
const LEGEND_PX: f32 = 22.0;
const SWATCH: [f32; 2] = [44.0, 22.0];
const SWATCH_GAP: f32 = 12.0;
const SCALE_LABEL_PX: f32 = 22.0;
/// The scale bar's own height, without its white casing.
pub const SCALE_BAR_HEIGHT_PX: f32 = 10.0;
/// The white casing around the scale bar.
pub const SCALE_BAR_CASING_PX: f32 = 3.0;
const CAPTION_HEAD_PX: f32 = 24.0;
const CAPTION_PX: f32 = 20.0;
const SOURCES_PX: f32 = 18.0;
const CREDIT_PX: f32 = 18.0;
/// Bold and larger than the credit: it must never read smaller (FIGURES.md).
const SYNTHETIC_PX: f32 = 22.0;
const NORTH_ARROW: [f32; 2] = [44.0, 76.0];
const CAPTION_WIDTH: f32 = 0.42;
const CAPTION_LINES: usize = 4;
const SOURCE_LINES: usize = 2;

/// Text colours.
const WHITE: Rgba = Rgba::rgb(255, 255, 255);
const SOFT: Rgba = Rgba::rgb(215, 215, 215);
/// Okabe–Ito yellow: notices.
pub const NOTICE_COLOR: Rgba = Rgba::rgb(0xF0, 0xE4, 0x42);

/// One line of text and where its line box starts.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// The words.
    pub text: String,
    /// Size and weight.
    pub style: TextStyle,
    /// Colour.
    pub color: Rgba,
    /// Top-left corner of the line box.
    pub min_px: [f32; 2],
}

/// Lines of text on a dark box.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBox {
    /// The box.
    pub rect_px: RectPx,
    /// Its lines, top down.
    pub lines: Vec<TextLine>,
}

/// What a legend row's swatch shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// The category at this index of `Scene::legend`.
    Category(usize),
    /// A certainty's line style.
    Certainty(Certainty),
}

/// One legend row.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendRow {
    /// What the swatch shows.
    pub swatch: Swatch,
    /// Where the swatch goes.
    pub swatch_px: RectPx,
    /// The row's name.
    pub text: TextLine,
}

/// The legend box.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// The box.
    pub rect_px: RectPx,
    /// Rows, top down: categories, then the certainty key.
    pub rows: Vec<LegendRow>,
}

/// The scale bar and its box.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleBarBox {
    /// The box.
    pub rect_px: RectPx,
    /// The bar itself (two segments), without its casing.
    pub bar_px: RectPx,
    /// The round length it stands for.
    pub bar: ScaleBar,
    /// `500 m`.
    pub label: TextLine,
}

/// Every box of a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Width / 1920: what every master length is multiplied by.
    pub px_scale: f32,
    /// Title, date and imagery dates, top-left.
    pub header: TextBox,
    /// Notices, top-centre (the synthetic notice is not among them: it sits by the credit).
    pub notices: Vec<TextBox>,
    /// North arrow, top-right.
    pub north_arrow_px: Option<RectPx>,
    /// Legend, bottom-left above the scale bar.
    pub legend: Option<Legend>,
    /// Scale bar, bottom-left.
    pub scale_bar: Option<ScaleBarBox>,
    /// Stage caption, bottom-left under the scale bar.
    pub caption: Option<TextBox>,
    /// Credit line, bottom-right.
    pub credit: Option<TextBox>,
    /// [`SYNTHETIC_NOTICE`], just above the credit.
    pub synthetic: Option<TextBox>,
}

impl Layout {
    /// The boxes map labels must keep clear of.
    #[must_use]
    pub fn occupied_px(&self) -> Vec<RectPx> {
        let mut rects = vec![self.header.rect_px];
        rects.extend(self.notices.iter().map(|b| b.rect_px));
        rects.extend(self.north_arrow_px);
        rects.extend(self.legend.as_ref().map(|l| l.rect_px));
        rects.extend(self.scale_bar.as_ref().map(|s| s.rect_px));
        rects.extend(self.caption.as_ref().map(|c| c.rect_px));
        rects.extend(self.credit.as_ref().map(|c| c.rect_px));
        rects.extend(self.synthetic.as_ref().map(|c| c.rect_px));
        rects
    }
}

/// What the layout needs besides the scene.
#[derive(Clone, Copy, Debug)]
pub struct LayoutInput<'a> {
    /// The scene drawn.
    pub scene: &'a Scene,
    /// Image width and height.
    pub size_px: [u32; 2],
    /// Ground metres per pixel at the centre (for the scale bar).
    pub meters_per_px: f64,
    /// A title above the date, if any.
    pub title: Option<&'a str>,
    /// Draw the north arrow.
    pub north_arrow: bool,
}

/// Measures one line of text: width and line height in pixels.
pub type Measure<'a> = &'a dyn Fn(&str, TextStyle) -> [f32; 2];

/// Splits text into lines no wider than `max_width_px` at spaces (a single long word stays whole).
pub fn wrap(text: &str, style: TextStyle, max_width_px: f32, measure: Measure<'_>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || measure(&candidate, style)[0] <= max_width_px {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps and keeps at most `max_lines`, ending the last kept line with "…" when text was cut.
fn wrap_at_most(
    text: &str,
    style: TextStyle,
    max_width_px: f32,
    max_lines: usize,
    measure: Measure<'_>,
) -> Vec<String> {
    let mut lines = wrap(text, style, max_width_px, measure);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while measure(&format!("{last} …"), style)[0] > max_width_px {
                let Some((head, _)) = last.rsplit_once(' ') else {
                    break;
                };
                *last = head.to_owned();
            }
            last.push_str(" …");
        }
    }
    lines
}

/// Lays lines out in a box whose top-left corner is `min_px`.
struct BoxBuilder<'m> {
    measure: Measure<'m>,
    pad: [f32; 2],
    lines: Vec<(String, TextStyle, Rgba, [f32; 2])>,
}

impl<'m> BoxBuilder<'m> {
    fn new(measure: Measure<'m>, s: f32) -> Self {
        Self {
            measure,
            pad: [PAD_X * s, PAD_Y * s],
            lines: Vec::new(),
        }
    }

    fn line(&mut self, text: impl Into<String>, style: TextStyle, color: Rgba) {
        let text = text.into();
        let size = (self.measure)(&text, style);
        self.lines.push((text, style, color, size));
    }

    fn size(&self) -> [f32; 2] {
        let w = self.lines.iter().map(|l| l.3[0]).fold(0.0, f32::max);
        let h: f32 = self.lines.iter().map(|l| l.3[1]).sum();
        [w + 2.0 * self.pad[0], h + 2.0 * self.pad[1]]
    }

    /// The box with its top-left corner at `min_px`; lines left-aligned, or right-aligned.
    fn place(self, min_px: [f32; 2], right_align: bool) -> TextBox {
        let [w, h] = self.size();
        let mut y = min_px[1] + self.pad[1];
        let lines = self
            .lines
            .into_iter()
            .map(|(text, style, color, size)| {
                let x = if right_align {
                    min_px[0] + w - self.pad[0] - size[0]
                } else {
                    min_px[0] + self.pad[0]
                };
                let line = TextLine {
                    text,
                    style,
                    color,
                    min_px: [x, y],
                };
                y += size[1];
                line
            })
            .collect();
        TextBox {
            rect_px: [min_px[0], min_px[1], min_px[0] + w, min_px[1] + h],
            lines,
        }
    }
}

/// The words of a certainty in the legend key.
#[must_use]
pub fn certainty_key_text(certainty: Certainty) -> &'static str {
    match certainty {
        Certainty::Confirmed => "Confirmed",
        Certainty::Probable => "Probable",
        Certainty::Possible => "Possible",
    }
}

/// Text sizes at a scale, never under [`MIN_TEXT_PX`].
#[derive(Clone, Copy)]
struct Sizes {
    px_scale: f32,
}

impl Sizes {
    fn px(self, master_px: f32) -> f32 {
        master_px * self.px_scale
    }

    fn regular(self, master_px: f32) -> TextStyle {
        TextStyle::regular(self.px(master_px).max(MIN_TEXT_PX))
    }

    fn bold(self, master_px: f32) -> TextStyle {
        TextStyle::bold(self.px(master_px).max(MIN_TEXT_PX))
    }
}

/// Top-left: title, date, imagery dates.
fn header_box(input: &LayoutInput<'_>, sizes: Sizes, measure: Measure<'_>) -> TextBox {
    let width = input.size_px[0] as f32;
    let mut header = BoxBuilder::new(measure, sizes.px_scale);
    if let Some(title) = input.title.filter(|t| !t.trim().is_empty()) {
        for line in wrap(title, sizes.bold(TITLE_PX), width * 0.5, measure) {
            header.line(line, sizes.bold(TITLE_PX), WHITE);
        }
    }
    header.line(input.scene.date_label.clone(), sizes.bold(DATE_PX), WHITE);
    for layer in &input.scene.layers {
        if let Some(date) = &layer.date_label {
            header.line(
                format!("IMAGERY {date} · {}", layer.name),
                sizes.regular(IMAGERY_PX),
                SOFT,
            );
        }
    }
    let margin = sizes.px(MARGIN);
    header.place([margin, margin], false)
}

/// Top-centre, between the header (`left_px`) and the north arrow (`right_px`): notices, one
/// box each (the synthetic notice goes by the credit instead).
fn notice_boxes(
    input: &LayoutInput<'_>,
    sizes: Sizes,
    measure: Measure<'_>,
    [left_px, right_px]: [f32; 2],
) -> Vec<TextBox> {
    let width = input.size_px[0] as f32;
    let room = (right_px - left_px).max(width * 0.25);
    let wrap_px = (width * 0.45).min(room - 2.0 * sizes.px(PAD_X));
    let mut boxes = Vec::new();
    let mut top = sizes.px(MARGIN);
    let notices = input.scene.notices.iter();
    for notice in notices.filter(|n| *n != SYNTHETIC_NOTICE) {
        let mut builder = BoxBuilder::new(measure, sizes.px_scale);
        for line in wrap(notice, sizes.bold(NOTICE_PX), wrap_px, measure) {
            builder.line(line, sizes.bold(NOTICE_PX), NOTICE_COLOR);
        }
        let [box_w, box_h] = builder.size();
        // Centred on the image when that keeps clear of the header and the arrow.
        let x = ((width - box_w) / 2.0).clamp(left_px, (right_px - box_w).max(left_px));
        boxes.push(builder.place([x, top], false));
        top += box_h + sizes.px(BOX_GAP);
    }
    boxes
}

/// Bottom-right: the credit on one line (smaller only if it cannot fit the width), the
/// synthetic notice above it, never smaller. Returns both and the column's top.
fn right_column(
    input: &LayoutInput<'_>,
    sizes: Sizes,
    measure: Measure<'_>,
) -> (Option<TextBox>, Option<TextBox>, f32) {
    let [width, height] = input.size_px.map(|v| v as f32);
    let margin = sizes.px(MARGIN);
    // The synthetic notice has its own box just above: the credit line does not repeat it.
    let synthetic_shown = input.scene.notices.iter().any(|n| n == SYNTHETIC_NOTICE);
    let credits: Vec<&str> = input
        .scene
        .credits
        .iter()
        .map(String::as_str)
        .filter(|c| !(synthetic_shown && *c == SYNTHETIC_NOTICE))
        .collect();
    let credit_text = credits.join(" | ");
    let mut credit_style = sizes.regular(CREDIT_PX);
    let credit_width = measure(&credit_text, credit_style)[0];
    let room = width - 2.0 * margin - 2.0 * sizes.px(PAD_X);
    if credit_width > room && credit_width > 0.0 {
        credit_style.size_px = (credit_style.size_px * room / credit_width).max(MIN_TEXT_PX);
    }
    let mut top = height - margin;
    let mut stack = |text: &str, style: TextStyle, color: Rgba| {
        let mut builder = BoxBuilder::new(measure, sizes.px_scale);
        builder.line(text, style, color);
        let [box_w, box_h] = builder.size();
        let placed = builder.place([width - margin - box_w, top - box_h], true);
        top = placed.rect_px[1] - sizes.px(BOX_GAP);
        placed
    };
    let credit = (!credit_text.is_empty()).then(|| stack(&credit_text, credit_style, WHITE));
    let synthetic = synthetic_shown.then(|| {
        let mut style = sizes.bold(SYNTHETIC_PX);
        style.size_px = style.size_px.max(credit_style.size_px);
        stack(SYNTHETIC_NOTICE, style, NOTICE_COLOR)
    });
    (credit, synthetic, top)
}

/// The stage caption: the stage's date and title, then (when `full`) its summary and sources.
fn caption_builder<'m>(
    scene: &Scene,
    sizes: Sizes,
    max_width_px: f32,
    full: bool,
    measure: Measure<'m>,
) -> Option<BoxBuilder<'m>> {
    let caption = scene.caption.as_ref()?;
    let mut builder = BoxBuilder::new(measure, sizes.px_scale);
    let head = format!("{} · {}", caption.stage_date, caption.title);
    let head_style = sizes.bold(CAPTION_HEAD_PX);
    for line in wrap_at_most(&head, head_style, max_width_px, 2, measure) {
        builder.line(line, head_style, WHITE);
    }
    if full {
        let summary = sizes.regular(CAPTION_PX);
        for line in wrap_at_most(
            &caption.summary,
            summary,
            max_width_px,
            CAPTION_LINES,
            measure,
        ) {
            builder.line(line, summary, WHITE);
        }
        if !caption.sources.is_empty() {
            let words: Vec<String> = caption
                .sources
                .iter()
                .map(|c| format!("{} ({})", c.label, c.evidence.word()))
                .collect();
            let sources = format!("Sources: {}", words.join("; "));
            let style = sizes.regular(SOURCES_PX);
            for line in wrap_at_most(&sources, style, max_width_px, SOURCE_LINES, measure) {
                builder.line(line, style, SOFT);
            }
        }
    }
    Some(builder)
}

/// Lays out every box of the figure.
pub fn layout(input: &LayoutInput<'_>, measure: Measure<'_>) -> Layout {
    let width = input.size_px[0] as f32;
    let px_scale = width / MASTER_WIDTH_PX;
    let sizes = Sizes { px_scale };
    let margin = sizes.px(MARGIN);
    let gap = sizes.px(BOX_GAP);
    let scene = input.scene;

    let header = header_box(input, sizes, measure);
    let north_arrow_px = input.north_arrow.then(|| {
        let [arrow_w, arrow_h] = NORTH_ARROW.map(|v| v * px_scale);
        [
            width - margin - arrow_w,
            margin,
            width - margin,
            margin + arrow_h,
        ]
    });
    let notices = notice_boxes(
        input,
        sizes,
        measure,
        [
            header.rect_px[2] + gap,
            north_arrow_px.map_or(width - margin, |r| r[0] - gap),
        ],
    );
    let (credit, synthetic, right_top) = right_column(input, sizes, measure);
    let right_width = [credit.as_ref(), synthetic.as_ref()]
        .into_iter()
        .flatten()
        .map(|b| b.rect_px[2] - b.rect_px[0])
        .fold(0.0, f32::max);

    // Bottom-left, bottom up: caption, scale bar, legend. The caption sits beside the credit
    // when there is room, else above it; what does not fit under the header is left out: the
    // caption's summary first, then the legend.
    let bottom_limit = header.rect_px[3] + gap;
    let pad_x = sizes.px(PAD_X);
    let caption_width = (width * CAPTION_WIDTH)
        .min(width - 3.0 * margin - right_width - 2.0 * pad_x)
        .max(width * 0.25);
    let beside_credit = right_width <= 0.0
        || 2.0 * margin + caption_width + 2.0 * pad_x + right_width <= width - margin;
    let mut left_bottom = if beside_credit {
        input.size_px[1] as f32 - margin
    } else {
        right_top + gap
    };
    let scale = scale_bar_box(input, px_scale, measure);
    let legend_rows = legend_builder(scene, px_scale, measure);
    let scale_h = scale.as_ref().map_or(0.0, |b| b.size[1] + gap);
    let legend_h = legend_rows.as_ref().map_or(0.0, |l| l.size[1] + gap);
    let mut caption_b = caption_builder(scene, sizes, caption_width, true, measure);
    let caption_h = caption_b.as_ref().map_or(0.0, |b| b.size()[1] + gap);
    if caption_h + scale_h + legend_h > left_bottom - bottom_limit {
        caption_b = caption_builder(scene, sizes, caption_width, false, measure);
    }
    let caption = caption_b.map(|builder| {
        let top = left_bottom - builder.size()[1];
        let placed = builder.place([margin, top], false);
        left_bottom = placed.rect_px[1] - gap;
        placed
    });
    let scale_bar = scale.map(|builder| {
        let top = left_bottom - builder.size[1];
        let placed = builder.place([margin, top]);
        left_bottom = placed.rect_px[1] - gap;
        placed
    });
    let legend = legend_rows
        .filter(|l| left_bottom - l.size[1] >= bottom_limit)
        .map(|l| {
            let top = left_bottom - l.size[1];
            l.place([margin, top])
        });

    Layout {
        px_scale,
        header,
        notices,
        north_arrow_px,
        legend,
        scale_bar,
        caption,
        credit,
        synthetic,
    }
}

/// A scale bar box before it is placed.
struct ScaleBuilder {
    size: [f32; 2],
    pad: [f32; 2],
    bar: ScaleBar,
    bar_len: f32,
    label: (String, TextStyle, [f32; 2]),
    bar_h: f32,
    casing: f32,
}

impl ScaleBuilder {
    fn place(self, min_px: [f32; 2]) -> ScaleBarBox {
        let [x, y] = min_px;
        let label = TextLine {
            text: self.label.0,
            style: self.label.1,
            color: WHITE,
            min_px: [x + self.pad[0], y + self.pad[1]],
        };
        // On whole pixels, so both ends of the bar are crisp (the length moves by < 0.5 px).
        let bar_top = (y + self.pad[1] + self.label.2[1] + self.casing).round();
        let bar_left = (x + self.pad[0] + self.casing).round();
        ScaleBarBox {
            rect_px: [x, y, x + self.size[0], y + self.size[1]],
            bar_px: [
                bar_left,
                bar_top,
                bar_left + self.bar_len.round().max(1.0),
                bar_top + self.bar_h.round().max(1.0),
            ],
            bar: self.bar,
            label,
        }
    }
}

fn scale_bar_box(input: &LayoutInput<'_>, s: f32, measure: Measure<'_>) -> Option<ScaleBuilder> {
    let width = input.size_px[0] as f32;
    let bar = figure_scale_bar(input.meters_per_px, f64::from(width))?;
    let bar_len = bar.length_px as f32;
    let style = TextStyle::bold((SCALE_LABEL_PX * s).max(MIN_TEXT_PX));
    let text = bar.label();
    let label_size = measure(&text, style);
    let casing = SCALE_BAR_CASING_PX * s;
    let bar_h = SCALE_BAR_HEIGHT_PX * s;
    let pad = [PAD_X * s, PAD_Y * s];
    let inner_w = (bar_len + 2.0 * casing).max(label_size[0]);
    let inner_h = label_size[1] + bar_h + 2.0 * casing + 2.0 * s;
    Some(ScaleBuilder {
        size: [inner_w + 2.0 * pad[0], inner_h + 2.0 * pad[1]],
        pad,
        bar,
        bar_len,
        label: (text, style, label_size),
        bar_h,
        casing,
    })
}

/// A legend before it is placed.
struct LegendBuilder {
    size: [f32; 2],
    pad: [f32; 2],
    rows: Vec<(Swatch, String, TextStyle, f32)>,
    swatch: [f32; 2],
    swatch_gap: f32,
}

impl LegendBuilder {
    fn place(self, min_px: [f32; 2]) -> Legend {
        let [x, mut y] = [min_px[0] + self.pad[0], min_px[1] + self.pad[1]];
        let rows = self
            .rows
            .into_iter()
            .map(|(swatch, text, style, row_h)| {
                let sy = y + (row_h - self.swatch[1]) / 2.0;
                let row = LegendRow {
                    swatch,
                    swatch_px: [x, sy, x + self.swatch[0], sy + self.swatch[1]],
                    text: TextLine {
                        text,
                        style,
                        color: WHITE,
                        min_px: [x + self.swatch[0] + self.swatch_gap, y],
                    },
                };
                y += row_h;
                row
            })
            .collect();
        Legend {
            rect_px: [
                min_px[0],
                min_px[1],
                min_px[0] + self.size[0],
                min_px[1] + self.size[1],
            ],
            rows,
        }
    }
}

fn legend_builder(scene: &Scene, s: f32, measure: Measure<'_>) -> Option<LegendBuilder> {
    let style = TextStyle::regular((LEGEND_PX * s).max(MIN_TEXT_PX));
    let mut rows: Vec<(Swatch, String)> = scene
        .legend
        .iter()
        .enumerate()
        .map(|(i, e)| (Swatch::Category(i), e.name.clone()))
        .collect();
    if scene.certainties.len() > 1 {
        rows.extend(
            scene
                .certainties
                .iter()
                .map(|c| (Swatch::Certainty(*c), certainty_key_text(*c).to_owned())),
        );
    }
    if rows.is_empty() {
        return None;
    }
    let swatch = SWATCH.map(|v| v * s);
    let swatch_gap = SWATCH_GAP * s;
    let pad = [PAD_X * s, PAD_Y * s];
    let measured: Vec<(Swatch, String, TextStyle, f32)> = rows
        .into_iter()
        .map(|(sw, text)| {
            let [_, h] = measure(&text, style);
            (sw, text, style, h.max(swatch[1]) + 4.0 * s)
        })
        .collect();
    let text_w = measured
        .iter()
        .map(|r| measure(&r.1, style)[0])
        .fold(0.0, f32::max);
    let h: f32 = measured.iter().map(|r| r.3).sum();
    Some(LegendBuilder {
        size: [
            swatch[0] + swatch_gap + text_w + 2.0 * pad[0],
            h + 2.0 * pad[1],
        ],
        pad,
        rows: measured,
        swatch,
        swatch_gap,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)] // exact values are what these tests pin
    use super::*;
    use crate::model::Marker;
    use crate::scene::{Caption, LegendEntry};
    use chrono::NaiveDate;

    /// A fake font: every character 0.5 em wide, lines 1.25 em high.
    fn measure(text: &str, style: TextStyle) -> [f32; 2] {
        [
            text.chars().count() as f32 * style.size_px * 0.5,
            style.size_px * 1.25,
        ]
    }

    fn scene() -> Scene {
        Scene {
            title: "Site".into(),
            layers: Vec::new(),
            date: NaiveDate::from_ymd_opt(2025, 10, 14).unwrap(),
            date_label: "14 OCT 2025".into(),
            caption: Some(Caption {
                stage_date: "14 OCT 2025".into(),
                title: "Both sides build".into(),
                summary: "Imagery: piers in the river. ".repeat(12),
                sources: Vec::new(),
            }),
            items: Vec::new(),
            labels: Vec::new(),
            legend: vec![LegendEntry {
                name: "Bridge".into(),
                color: Rgba::rgb(240, 228, 66),
                fill: None,
                marker: Marker::Diamond,
                has_points: false,
                has_lines: true,
            }],
            certainties: vec![Certainty::Confirmed, Certainty::Possible],
            credits: vec![
                "Natural Earth".into(),
                "© OpenStreetMap contributors".into(),
            ],
            notices: vec![SYNTHETIC_NOTICE.into()],
        }
    }

    fn input(scene: &Scene, size_px: [u32; 2]) -> LayoutInput<'_> {
        LayoutInput {
            scene,
            size_px,
            meters_per_px: 1.76,
            title: Some("Tumen River road crossing"),
            north_arrow: true,
        }
    }

    fn inside(r: RectPx, size: [u32; 2]) -> bool {
        r[0] >= 0.0 && r[1] >= 0.0 && r[2] <= size[0] as f32 && r[3] <= size[1] as f32
    }

    fn overlap(a: RectPx, b: RectPx) -> bool {
        a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
    }

    #[test]
    fn every_box_is_inside_the_image_and_none_overlap() {
        for size in [[1920, 1080], [1200, 630], [1080, 1350], [3840, 2160]] {
            let scene = scene();
            let l = layout(&input(&scene, size), &measure);
            let rects = l.occupied_px();
            assert_eq!(rects.len(), 7, "{size:?}");
            for (i, a) in rects.iter().enumerate() {
                assert!(inside(*a, size), "{size:?} {a:?}");
                for b in rects.iter().skip(i + 1) {
                    assert!(!overlap(*a, *b), "{size:?} {a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn the_corners_hold_what_figures_md_puts_there() {
        let scene = scene();
        let l = layout(&input(&scene, [1920, 1080]), &measure);
        assert_eq!(l.header.rect_px[..2], [24.0, 24.0]);
        assert_eq!(l.header.lines[0].text, "Tumen River road crossing");
        assert_eq!(l.header.lines[1].text, "14 OCT 2025");
        let arrow = l.north_arrow_px.unwrap();
        assert_eq!((arrow[1], arrow[2]), (24.0, 1896.0));
        let credit = l.credit.as_ref().unwrap();
        assert_eq!((credit.rect_px[2], credit.rect_px[3]), (1896.0, 1056.0));
        assert_eq!(
            credit.lines[0].text,
            "Natural Earth | © OpenStreetMap contributors"
        );
        let synthetic = l.synthetic.as_ref().unwrap();
        assert!(synthetic.rect_px[3] < credit.rect_px[1]);
        assert!(synthetic.lines[0].style.size_px >= credit.lines[0].style.size_px);
        // Bottom-left, top down: legend, scale bar, caption.
        let legend = l.legend.as_ref().unwrap();
        let bar = l.scale_bar.as_ref().unwrap();
        let caption = l.caption.as_ref().unwrap();
        assert!(legend.rect_px[3] <= bar.rect_px[1] && bar.rect_px[3] <= caption.rect_px[1]);
        assert_eq!(caption.rect_px[3], 1056.0);
        // One category and the key for two certainties.
        assert_eq!(legend.rows.len(), 3);
        assert_eq!(
            legend.rows[2].swatch,
            Swatch::Certainty(Certainty::Possible)
        );
    }

    #[test]
    fn lengths_scale_with_the_width() {
        let scene = scene();
        let small = layout(&input(&scene, [960, 540]), &measure);
        let big = layout(&input(&scene, [3840, 2160]), &measure);
        assert_eq!(big.header.rect_px[0], 4.0 * small.header.rect_px[0]);
        let date_px = |l: &Layout| l.header.lines[1].style.size_px;
        assert_eq!(date_px(&big), 4.0 * date_px(&small));
    }

    #[test]
    fn the_scale_bar_is_a_round_length_near_15_percent_of_the_width() {
        // 15 % of 1920 px at 3.2 m/px is 922 m: 1 km (312 px) is nearer than 500 m (156 px).
        let bar = figure_scale_bar(3.2, 1920.0).unwrap();
        assert_eq!((bar.length_m, bar.label()), (1000.0, "1 km".to_owned()));
        // At 1.76 m/px, 507 m: 500 m it is.
        assert_eq!(figure_scale_bar(1.76, 1920.0).unwrap().length_m, 500.0);
        // 2 → 5 and 5 → 10 steps: 288 px at 1.3 m/px is 374 m, nearer 500 than 200.
        assert_eq!(figure_scale_bar(1.3, 1920.0).unwrap().length_m, 500.0);
        assert_eq!(figure_scale_bar(0.9, 1920.0).unwrap().length_m, 200.0);
        let scene = scene();
        let l = layout(&input(&scene, [1920, 1080]), &measure);
        let bar = l.scale_bar.unwrap();
        assert_eq!(bar.bar.length_m, 500.0);
        assert_eq!(bar.label.text, "500 m");
        let drawn = bar.bar_px[2] - bar.bar_px[0];
        assert!((f64::from(drawn) - 500.0 / 1.76).abs() <= 0.5);
    }

    #[test]
    fn one_certainty_needs_no_key_and_no_caption_means_no_caption_box() {
        let mut scene = scene();
        scene.certainties = vec![Certainty::Probable];
        scene.caption = None;
        scene.notices.clear();
        let l = layout(&input(&scene, [1920, 1080]), &measure);
        assert_eq!(l.legend.unwrap().rows.len(), 1);
        assert!(l.caption.is_none() && l.synthetic.is_none());
        assert_eq!(l.scale_bar.unwrap().rect_px[3], 1056.0);
    }

    #[test]
    fn a_long_summary_is_cut_with_an_ellipsis() {
        let scene = scene();
        let l = layout(&input(&scene, [1920, 1080]), &measure);
        let caption = l.caption.unwrap();
        assert_eq!(caption.lines.len(), 1 + CAPTION_LINES);
        assert!(caption.lines.last().unwrap().text.ends_with(" …"));
    }

    #[test]
    fn a_short_wide_image_drops_what_does_not_fit_but_keeps_the_scale_bar() {
        let scene = scene();
        let l = layout(&input(&scene, [1920, 300]), &measure);
        assert!(l.scale_bar.is_some());
        for r in l.occupied_px() {
            assert!(inside(r, [1920, 300]), "{r:?}");
        }
    }

    #[test]
    fn text_wraps_at_spaces_within_the_width() {
        let style = TextStyle::regular(20.0);
        let lines = wrap("one two three four five six seven", style, 90.0, &measure);
        assert_eq!(lines, ["one two", "three", "four five", "six seven"]);
        assert!(wrap("", style, 90.0, &measure).is_empty());
    }
}
