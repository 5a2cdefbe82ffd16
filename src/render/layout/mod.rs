//! Where a figure's furniture goes (FIGURES.md): title, date and imagery dates top-left, notices
//! top-centre, north arrow top-right, legend, scale bar and caption stacked bottom-left, credit
//! (and the synthetic-imagery notice above it) bottom-right.
//!
//! Pure: rectangles in image pixels from the scene, the size and a text measure. Every length is
//! given at the 1920 px master width and scaled by width / 1920.

use crate::model::SYNTHETIC_NOTICE;
use crate::model::{Certainty, Rgba};
use crate::render::display_list::FontSpec as TextStyle;
use crate::render::display_list::RectPx;
use crate::scene::Scene;
use crate::spatial::scale_bar::ScaleBar;
pub use crate::spatial::scale_bar::figure_scale_bar;

mod furniture;
pub mod panels;
mod text;

use furniture::{legend_builder, scale_bar_box};
pub use text::wrap;
use text::{BoxBuilder, wrap_at_most};

/// Width of the master figure; every length scales by width / this.
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

pub use super::lower::style::NOTICE_COLOR;
use super::lower::style::{SOFT, WHITE};

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

/// What the window shows of a figure's furniture when the figure frame is off: the notices
/// once, one credit line (the synthetic notice above it) and the scale bar, in the figure's
/// style at the window's scale.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowFurniture {
    /// What every master length is multiplied by.
    pub px_scale: f32,
    /// Notices, top-centre.
    pub notices: Vec<TextBox>,
    /// Credit line, bottom-right.
    pub credit: Option<TextBox>,
    /// The synthetic notice, just above the credit.
    pub synthetic: Option<TextBox>,
    /// Scale bar, bottom-left.
    pub scale_bar: Option<ScaleBarBox>,
}

/// Lays out the window's furniture at `px_scale`.
pub fn window_furniture(
    input: &LayoutInput<'_>,
    px_scale: f32,
    measure: Measure<'_>,
) -> WindowFurniture {
    let sizes = Sizes { px_scale };
    let [width, height] = input.size_px.map(|v| v as f32);
    let margin = sizes.px(MARGIN);
    let notices = notice_boxes(input, sizes, measure, [margin, width - margin]);
    let (credit, synthetic, _) = right_column(input, sizes, measure);
    let scale_bar = scale_bar_box(input, px_scale, measure).map(|builder| {
        let [bar_w, bar_h] = builder.size;
        let mut top = height - margin - bar_h;
        // A narrow map (or a side-by-side pane) brings the credit and the synthetic notice over
        // the bar's corner: the bar goes above them.
        for b in [credit.as_ref(), synthetic.as_ref()].into_iter().flatten() {
            let [x0, y0, _, y1] = b.rect_px;
            if x0 < margin + bar_w + margin && top < y1 && top + bar_h > y0 {
                top = y0 - margin / 2.0 - bar_h;
            }
        }
        builder.place([margin, top])
    });
    WindowFurniture {
        px_scale,
        notices,
        credit,
        synthetic,
        scale_bar,
    }
}

#[cfg(test)]
mod tests;
