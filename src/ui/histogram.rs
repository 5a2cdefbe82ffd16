//! A raster layer's histogram with its stretch limits as two handles: the shown bands' sample
//! counts (red, green and blue curves, or one grey curve), the values shown black and full
//! bright as vertical lines, dragged to set a fixed stretch. With three distinct bands a
//! channel choice (All, R, G, B) moves one channel's limits alone, so each band is balanced on
//! its own (a per-band stretch); All sets one range for every band. The stretch is the layer's
//! saved display, so the window and every export show it; one drag is one undo step.

use egui::{Color32, Pos2, Rect, Response, RichText, Role, Sense, Stroke, Ui, WidgetInfo, pos2};

use crate::command::{Command, EditCommand};
use crate::editing::Edit;
use crate::imagery::raster::stretch::Histogram;
use crate::imagery::raster::{BandMapping, RasterTileSource, Stretch};
use crate::model::ImageryLayer;
use crate::model::layer_display::LayerStretch;

/// Height of the plot, points.
const PLOT_HEIGHT: f32 = 80.0;
/// Half the width of a handle's grip, points.
const GRIP_HALF_WIDTH: f32 = 5.0;
/// Percentiles of the shown bands that span the plot (outliers would squash the rest).
const PLOT_PERCENTILES: (f64, f64) = (0.05, 99.95);
/// Room left either side of the data, as a fraction of its span.
const PLOT_MARGIN: f64 = 0.08;

/// What the histogram needs of an open raster layer.
#[derive(Clone, Copy)]
pub struct HistogramSource<'a> {
    /// The open raster: its histograms, bands and limits in use.
    pub raster: &'a RasterTileSource,
    /// The stretch the layer shows when nobody chose one (Reset goes back to it).
    pub automatic: Stretch,
}

/// Accessible label of the handle of the value shown black.
pub fn low_handle_label(layer: &ImageryLayer) -> String {
    format!("Low stretch limit of {}", layer.name)
}

/// Accessible label of the handle of the value shown full bright.
pub fn high_handle_label(layer: &ImageryLayer) -> String {
    format!("High stretch limit of {}", layer.name)
}

/// Accessible label of the choice of the channel whose limits the handles move: `None` for all.
pub fn channel_label(layer: &ImageryLayer, channel: Option<usize>) -> String {
    let name = channel
        .and_then(|c| CHANNELS.get(c))
        .map_or("all channels", |(_, long)| long);
    format!("Stretch {name} of {}", layer.name)
}

/// The channels' short and long names.
const CHANNELS: [(&str, &str); 3] = [("R", "red"), ("G", "green"), ("B", "blue")];

/// Accessible label of the button that returns to the automatic stretch.
pub fn reset_label(layer: &ImageryLayer) -> String {
    format!("Reset the stretch of {}", layer.name)
}

/// Held values (as the histograms count them) across the plot, `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Span {
    lo: f64,
    hi: f64,
}

impl Span {
    fn x_of(self, held: f64, rect: Rect) -> f32 {
        let t = ((held - self.lo) / (self.hi - self.lo).max(1.0)).clamp(0.0, 1.0);
        rect.left() + t as f32 * rect.width()
    }

    fn held_at(self, x: f32, rect: Rect) -> f64 {
        let t = f64::from(((x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0));
        (self.lo + t * (self.hi - self.lo)).round()
    }
}

/// The held values the plot spans: the shown bands' data, with a margin (8-bit: all of it).
fn span_of(bands: &[&Histogram], max_held: f64) -> Span {
    if max_held <= 255.0 {
        return Span {
            lo: 0.0,
            hi: max_held,
        };
    }
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for h in bands {
        if let (Some(a), Some(b)) = (
            h.percentile(PLOT_PERCENTILES.0),
            h.percentile(PLOT_PERCENTILES.1),
        ) {
            lo = lo.min(a);
            hi = hi.max(b);
        }
    }
    if lo > hi {
        return Span {
            lo: 0.0,
            hi: max_held,
        };
    }
    let margin = ((hi - lo) * PLOT_MARGIN).max(8.0);
    Span {
        lo: (lo - margin).max(0.0).floor(),
        hi: (hi + margin).min(max_held).ceil(),
    }
}

/// Sample counts in `columns` equal slices of the span, scaled 0–1 (log of the counts when
/// `log` is set).
fn columns(h: &Histogram, span: Span, columns: usize, log: bool) -> Vec<f32> {
    let counts = h.counts();
    let mut sums = vec![0u64; columns.max(1)];
    let width = (span.hi - span.lo + 1.0).max(1.0);
    for (i, sum) in sums.iter_mut().enumerate() {
        let a = (span.lo + width * i as f64 / columns as f64).floor() as usize;
        let b = (span.lo + width * (i + 1) as f64 / columns as f64).floor() as usize;
        *sum = counts.get(a..b.max(a + 1)).map_or(0, |c| c.iter().sum());
    }
    let scale = |c: u64| {
        if log { (c as f32).ln_1p() } else { c as f32 }
    };
    let top = sums.iter().map(|c| scale(*c)).fold(0.0, f32::max);
    sums.iter()
        .map(|c| if top > 0.0 { scale(*c) / top } else { 0.0 })
        .collect()
}

/// The shown bands (from 0) with their curve colours: one grey curve for a grey layer or one
/// band thrice.
fn shown_bands(bands: BandMapping) -> Vec<(usize, Color32)> {
    match bands {
        BandMapping::Gray(b) => vec![(b.saturating_sub(1), Color32::LIGHT_GRAY)],
        BandMapping::Rgb([r, g, b]) if r == g && g == b => {
            vec![(r.saturating_sub(1), Color32::LIGHT_GRAY)]
        }
        BandMapping::Rgb([r, g, b]) => vec![
            (r.saturating_sub(1), Color32::from_rgb(0xE0, 0x50, 0x50)),
            (g.saturating_sub(1), Color32::from_rgb(0x50, 0xC0, 0x50)),
            (b.saturating_sub(1), Color32::from_rgb(0x50, 0x80, 0xF0)),
        ],
    }
}

/// The pair of limits the handles hold (real values, as the file holds them): one channel's
/// when one is chosen; for all, a fixed range as it is, otherwise the middle of the channels'
/// limits in use.
fn handle_pair(stretch: Stretch, limits: [(f64, f64); 3], channel: Option<usize>) -> (f64, f64) {
    match (stretch, channel) {
        (Stretch::Bands { low, high }, Some(c)) => (low[c], high[c]),
        (_, Some(c)) => limits[c],
        (Stretch::Range { low, high }, None) => (low, high),
        _ => (
            limits.iter().map(|l| l.0).sum::<f64>() / 3.0,
            limits.iter().map(|l| l.1).sum::<f64>() / 3.0,
        ),
    }
}

/// The fixed stretch that puts `lo`–`hi` on `channel` (all channels when `None`), the other
/// channels keeping the limits they show now.
fn fixed_stretch(
    stretch: Stretch,
    limits: [(f64, f64); 3],
    channel: Option<usize>,
    (lo, hi): (f64, f64),
) -> LayerStretch {
    let Some(c) = channel else {
        return LayerStretch::Range { low: lo, high: hi };
    };
    let (mut low, mut high) = match stretch {
        Stretch::Bands { low, high } => (low, high),
        _ => (limits.map(|l| l.0), limits.map(|l| l.1)),
    };
    low[c] = lo;
    high[c] = hi;
    LayerStretch::Bands { low, high }
}

/// The channel choice (All, R, G, B) of a layer with three distinct bands; the choice is the
/// panel's, kept between frames.
fn channel_ui(ui: &mut Ui, layer: &ImageryLayer, distinct: bool) -> Option<usize> {
    let id = ui.scope_id().with("stretch-channel");
    if !distinct {
        return None;
    }
    let mut channel: Option<usize> = ui.data(|d| d.get_temp(id).unwrap_or(None));
    ui.horizontal(|ui| {
        ui.label(RichText::new("limits of").small());
        let choices = std::iter::once((None, "All")).chain(
            CHANNELS
                .iter()
                .enumerate()
                .map(|(c, (short, _))| (Some(c), *short)),
        );
        for (choice, text) in choices {
            let response = ui.selectable_label(channel == choice, text);
            let label = channel_label(layer, choice);
            let selected = channel == choice;
            response.widget_info(|| WidgetInfo::selected(Role::Button, true, selected, &label));
            if response.clicked() {
                channel = choice;
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(id, channel));
    channel
}

/// The edit that gives the layer `stretch`, keeping the rest of its saved display.
fn stretch_command(
    layer: &ImageryLayer,
    source: &HistogramSource<'_>,
    stretch: LayerStretch,
    coalesce: Option<String>,
) -> Command {
    let display =
        super::layer_look::changed_display(layer, source.raster.display(), |d| d.stretch = stretch);
    Command::Edit(EditCommand::Apply {
        edit: Edit::SetLayerDisplay {
            id: layer.id.clone(),
            display: Some(display),
        },
        coalesce,
    })
}

/// A handle's grip: a drag moves the limit. Returns the held value under the pointer while
/// dragged, and the drag's own undo key.
fn grip(
    ui: &Ui,
    plot: Rect,
    x: f32,
    label: &str,
    value: f64,
    span: Span,
) -> (Response, Option<(f64, String)>) {
    let rect = Rect::from_x_y_ranges(
        (x - GRIP_HALF_WIDTH)..=(x + GRIP_HALF_WIDTH),
        plot.y_range(),
    );
    let id = ui.scope_id().with(label);
    let response = ui
        .interact(rect, id, Sense::drag())
        .on_hover_cursor(egui::CursorIcon::ResizeHorizontal);
    response.widget_info(|| WidgetInfo::slider(true, value, label));
    // One undo step a drag: every frame of this drag shares a key no other drag has.
    let gesture_id = id.with("gesture");
    if response.drag_started() {
        let pass = ui.ctx().cumulative_pass_nr();
        ui.data_mut(|d| d.insert_temp(gesture_id, pass));
    }
    let dragged = response
        .interact_pointer_pos()
        .filter(|_| response.dragged())
        .map(|p| {
            let gesture: u64 = ui.data(|d| d.get_temp(gesture_id).unwrap_or_default());
            (
                span.held_at(p.x, plot),
                format!("stretch:{label}:{gesture}"),
            )
        });
    (response, dragged)
}

/// Draws the histogram and its handles; returns the edit a drag, a typed value or Reset asks
/// for.
pub fn histogram_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    source: &HistogramSource<'_>,
) -> Option<Command> {
    let raster = source.raster;
    let kind = raster.sample_kind();
    let (offset, max_held) = (kind.offset(), kind.max_held());
    let display = raster.display();
    let bands = shown_bands(display.bands);
    let histograms: Vec<&Histogram> = bands
        .iter()
        .filter_map(|(b, _)| raster.histograms().band(*b))
        .collect();
    let span = span_of(&histograms, max_held);
    let log_id = ui.scope_id().with("log-scale");
    let mut log = ui.data(|d| d.get_temp::<bool>(log_id).unwrap_or(false));
    let limits = raster.stretch_limits();
    let channel = channel_ui(ui, layer, bands.len() == 3);
    let (low, high) = handle_pair(display.stretch, limits, channel);
    let current = crate::export::display::layer_display(&display).stretch;
    let fixed = |lo: f64, hi: f64| fixed_stretch(display.stretch, limits, channel, (lo, hi));

    let width = ui.available_width().max(60.0);
    let (space, _) = ui.allocate_exact_size(egui::vec2(width, PLOT_HEIGHT), Sense::hover());
    // Room for the grips either side, clear of the panel's scroll bar.
    let plot = space.shrink2(egui::vec2(GRIP_HALF_WIDTH + 2.0, 0.0));
    let painter = ui.painter_at(plot);
    painter.rect_filled(plot, 2.0, Color32::from_black_alpha(120));
    let n = (plot.width().round() as usize / 2).max(8);
    for (i, ((_, color), h)) in bands.iter().zip(&histograms).enumerate() {
        // The chosen channel's curve stands out.
        let color = if channel.is_some_and(|c| c != i) {
            color.gamma_multiply(0.35)
        } else {
            *color
        };
        let heights = columns(h, span, n, log);
        let points: Vec<Pos2> = heights
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = plot.left() + (i as f32 + 0.5) * plot.width() / n as f32;
                pos2(x, plot.bottom() - v * (plot.height() - 4.0))
            })
            .collect();
        painter.line(points, Stroke::new(1.5, color));
    }
    // The limits each channel uses now (they differ under a percentile stretch).
    for ((_, color), (lo, hi)) in bands.iter().zip(limits) {
        for v in [lo, hi] {
            let x = span.x_of(v + offset, plot);
            painter.vline(
                x,
                plot.y_range(),
                Stroke::new(1.0, color.gamma_multiply(0.5)),
            );
        }
    }
    let mut command = None;
    let handle_color = Color32::from_rgb(0xF0, 0xE4, 0x42);
    for (is_low, value) in [(true, low), (false, high)] {
        let x = span.x_of(value + offset, plot);
        let label = if is_low {
            low_handle_label(layer)
        } else {
            high_handle_label(layer)
        };
        let (response, dragged) = grip(ui, plot, x, &label, value, span);
        let stroke_width = if response.hovered() || response.dragged() {
            3.0
        } else {
            2.0
        };
        painter.vline(x, plot.y_range(), Stroke::new(stroke_width, handle_color));
        // A knob at the top, inside the plot, so a handle at the plot's edge still shows.
        let knob_x = x.clamp(
            plot.left() + GRIP_HALF_WIDTH,
            plot.right() - GRIP_HALF_WIDTH,
        );
        painter.rect_filled(
            Rect::from_center_size(pos2(knob_x, plot.top() + 6.0), egui::vec2(8.0, 12.0)),
            2.0,
            handle_color,
        );
        if let Some((held, key)) = dragged {
            let v = held - offset;
            // The handles never cross: black stays below full bright.
            let (lo, hi) = if is_low {
                (v.min(high - 1.0), high)
            } else {
                (low, v.max(low + 1.0))
            };
            let stretch = fixed(lo, hi);
            if stretch != current {
                command = Some(stretch_command(layer, source, stretch, Some(key)));
            }
        }
    }
    let (min_real, max_real) = (-offset, max_held - offset);
    ui.horizontal(|ui| {
        let (mut lo, mut hi) = (low, high);
        ui.label(RichText::new("black").small());
        let low_label = format!("Black value of {}", layer.name);
        ui.add(egui::DragValue::new(&mut lo).range(min_real..=max_real - 1.0))
            .widget_info(|| WidgetInfo::slider(true, lo, low_label.clone()));
        ui.label(RichText::new("white").small());
        let high_label = format!("White value of {}", layer.name);
        ui.add(egui::DragValue::new(&mut hi).range(min_real + 1.0..=max_real))
            .widget_info(|| WidgetInfo::slider(true, hi, high_label.clone()));
        if (lo, hi) != (low, high) && lo < hi {
            command = Some(stretch_command(
                layer,
                source,
                fixed(lo, hi),
                Some(format!("stretch-value:{}", layer.id)),
            ));
        }
    });
    ui.horizontal(|ui| {
        if ui.checkbox(&mut log, "log scale").changed() {
            ui.data_mut(|d| d.insert_temp(log_id, log));
        }
        let response = ui
            .add_enabled(
                display.stretch != source.automatic,
                egui::Button::new("Reset").small(),
            )
            .on_hover_text("Back to the layer's automatic stretch");
        let label = reset_label(layer);
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, label.clone()));
        if response.clicked() {
            let automatic =
                crate::export::display::layer_display(&crate::imagery::raster::Display {
                    bands: display.bands,
                    stretch: source.automatic,
                })
                .stretch;
            command = Some(stretch_command(layer, source, automatic, None));
        }
    });
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eight_bit_histogram_spans_every_value() {
        let h = Histogram::from_counts(vec![1; 256]);
        assert_eq!(span_of(&[&h], 255.0), Span { lo: 0.0, hi: 255.0 });
    }

    #[test]
    fn a_sixteen_bit_histogram_spans_its_data_with_a_margin() {
        let mut counts = vec![0; 65536];
        for c in &mut counts[1000..=2000] {
            *c = 5;
        }
        let span = span_of(&[&Histogram::from_counts(counts)], 65535.0);
        assert!(span.lo < 1000.0 && span.lo > 850.0, "{span:?}");
        assert!(span.hi > 2000.0 && span.hi < 2150.0, "{span:?}");
    }

    #[test]
    fn a_position_and_its_value_agree_both_ways() {
        let span = Span {
            lo: 1000.0,
            hi: 2000.0,
        };
        let rect = Rect::from_min_size(pos2(10.0, 0.0), egui::vec2(200.0, 50.0));
        assert!((span.x_of(1500.0, rect) - 110.0).abs() < 1e-3);
        assert!((span.held_at(110.0, rect) - 1500.0).abs() < 1e-9);
        assert!((span.held_at(-50.0, rect) - 1000.0).abs() < 1e-9, "clamped");
    }

    #[test]
    fn columns_sum_their_slice_and_scale_to_one() {
        let mut counts = vec![0; 256];
        counts[10] = 4;
        counts[200] = 2;
        let h = Histogram::from_counts(counts);
        let cols = columns(&h, Span { lo: 0.0, hi: 255.0 }, 4, false);
        assert_eq!(cols, vec![1.0, 0.0, 0.0, 0.5]);
        let log = columns(&h, Span { lo: 0.0, hi: 255.0 }, 4, true);
        assert!(log[3] > 0.5, "log lifts the small counts: {log:?}");
    }
}
