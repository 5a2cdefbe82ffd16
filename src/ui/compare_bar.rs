//! The comparison bar under the time slider: off, swipe, blend or blink; date A pinned or
//! following the slider; the blend and the blink rate; and, below, the stretch across the
//! dates, a layer picked per side, and the panes of side by side.

use chrono::NaiveDate;
use egui::{RichText, Ui};

use crate::command::{BLINK_RATES, Command, CompareCommand, CompareMode, CompareStretch};
use crate::model::date::display_day_upper;
use crate::ui::compare_options::compare_options_ui;

/// Accessible label of the button that pins date A at the slider's date.
pub const PIN_A_LABEL: &str = "Pin A at this date";
/// Accessible label of the button that lets A follow the slider again.
pub const UNPIN_A_LABEL: &str = "Unpin A";
/// Accessible label of the blend slider.
pub const BLEND_LABEL: &str = "Blend from A to B";

/// What the bar shows.
pub struct CompareBar {
    /// The mode.
    pub mode: CompareMode,
    /// Date A.
    pub date_a: NaiveDate,
    /// Date B (the slider's).
    pub date_b: NaiveDate,
    /// Whether A is pinned.
    pub pinned: bool,
    /// The blend, 0 (A) to 1 (B).
    pub blend: f32,
    /// The blink rate, switches per second.
    pub blink_rate: f32,
    /// How the compared rasters are stretched.
    pub stretch: CompareStretch,
    /// The layer picked for A and for B (`None`: every layer at the date).
    pub pick: [Option<String>; 2],
    /// The project's imagery layers a side can pick: id and name.
    pub layers: Vec<(String, String)>,
    /// Panes side by side.
    pub panes: usize,
    /// Every pane's date, left to right (A, the middle panes, B).
    pub pane_dates: Vec<NaiveDate>,
    /// The stage dates a middle pane can take.
    pub stage_dates: Vec<NaiveDate>,
}

/// The name of a mode on its button.
#[must_use]
pub fn mode_name(mode: CompareMode) -> &'static str {
    match mode {
        CompareMode::Off => "Off",
        CompareMode::Swipe => "Swipe (S)",
        CompareMode::Blend => "Blend",
        CompareMode::Blink => "Blink",
        CompareMode::SideBySide => "Side by side",
    }
}

/// Draws the bar and returns what the user asked for.
pub fn compare_bar_ui(ui: &mut Ui, bar: &CompareBar) -> Vec<Command> {
    let mut out = Vec::new();
    let mut send = |c: CompareCommand| out.push(Command::Compare(c));
    ui.horizontal(|ui| {
        ui.label(RichText::new("Compare").strong());
        for mode in [
            CompareMode::Off,
            CompareMode::Swipe,
            CompareMode::Blend,
            CompareMode::Blink,
            CompareMode::SideBySide,
        ] {
            if ui
                .selectable_label(bar.mode == mode, mode_name(mode))
                .clicked()
                && bar.mode != mode
            {
                send(CompareCommand::SetMode(mode));
            }
        }
        if bar.mode == CompareMode::Off {
            ui.label(
                RichText::new(
                    "two dates on one map: A (pinned, or the stage before) and B (the slider)",
                )
                .weak()
                .small(),
            );
            return;
        }
        ui.separator();
        let a_text = if bar.pinned {
            format!("A: {} (pinned)", display_day_upper(bar.date_a))
        } else {
            let back = match bar.pane_dates.len() {
                n if n > 2 => format!("{} stages before B", n - 1),
                _ => "stage before B".to_owned(),
            };
            format!("A: {} ({back})", display_day_upper(bar.date_a))
        };
        ui.label(a_text);
        if bar.pinned {
            if ui
                .button(UNPIN_A_LABEL)
                .on_hover_text("A follows the slider again: the stage before B")
                .clicked()
            {
                send(CompareCommand::PinA(None));
            }
        } else if ui
            .button(PIN_A_LABEL)
            .on_hover_text("Fix A at the slider's date; then move the slider to choose B")
            .clicked()
        {
            send(CompareCommand::PinA(Some(bar.date_b)));
        }
        ui.label(format!("B: {} (slider)", display_day_upper(bar.date_b)));
        match bar.mode {
            CompareMode::Blend => {
                let mut t = bar.blend;
                let response = ui.add(egui::Slider::new(&mut t, 0.0..=1.0).text("A → B"));
                let response = response.on_hover_text(BLEND_LABEL);
                if response.changed() {
                    send(CompareCommand::SetBlend(t));
                }
            }
            CompareMode::Blink => {
                ui.label("rate");
                for rate in BLINK_RATES {
                    let text = format!("{rate}/s");
                    if ui
                        .selectable_label((bar.blink_rate - rate).abs() < f32::EPSILON, text)
                        .clicked()
                    {
                        send(CompareCommand::SetBlinkRate(rate));
                    }
                }
            }
            CompareMode::Swipe => {
                ui.label(RichText::new("drag the divider").weak().small());
            }
            CompareMode::SideBySide => {
                ui.label(RichText::new("panes pan and zoom together").weak().small());
            }
            CompareMode::Off => {}
        }
    });
    if bar.mode != CompareMode::Off {
        out.extend(compare_options_ui(ui, bar));
    }
    out
}
