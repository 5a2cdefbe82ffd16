//! A raster layer's look in the layer panel: its stretch list (one band), band numbers and the
//! 2–98 % tick (several bands or stretched data), and brightness, contrast and gamma; each
//! change is one undoable edit of the layer's saved display.

use egui::Ui;

use crate::command::{Command, EditCommand};
use crate::editing::Edit;
use crate::export::display::layer_display;
use crate::imagery::raster::{BandMapping, Display, Stretch};
use crate::model::ImageryLayer;
use crate::model::layer_display::{LayerDisplay, Tone};

pub(super) fn display_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    (band_count, display): (usize, Display),
    percentiles_from: Option<&str>,
    commands: &mut Vec<Command>,
) {
    let tone = layer
        .display
        .as_ref()
        .map(LayerDisplay::tone)
        .unwrap_or_default();
    // One band in grey chooses its stretch from a list; several bands tick 2–98 %.
    let gray = matches!(display.bands, BandMapping::Gray(_));
    if gray {
        commands.extend(super::stretch_choice::stretch_choice_ui(
            ui,
            layer,
            display,
            percentiles_from,
        ));
    }
    // Plain 8-bit photographs need no band controls; multiband or stretched data does.
    if (band_count > 3 || !matches!(display.stretch, Stretch::Full)) && !(gray && band_count == 1) {
        bands_ui(ui, layer, band_count, display, commands);
    }
    tone_ui(ui, layer, display, tone, commands);
}

/// The layer's saved display with `change` made: what it had besides (tone, fields a later
/// version wrote) stays.
pub(super) fn changed_display(
    layer: &ImageryLayer,
    shown: Display,
    change: impl FnOnce(&mut LayerDisplay),
) -> Box<LayerDisplay> {
    let mut display = Box::new(
        layer
            .display
            .clone()
            .unwrap_or_else(|| layer_display(&shown)),
    );
    change(&mut display);
    display
}

fn bands_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    band_count: usize,
    display: Display,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let mut new = display;
        ui.label("Bands");
        match &mut new.bands {
            BandMapping::Rgb(rgb) => {
                for (c, b) in ["R", "G", "B"].iter().zip(rgb.iter_mut()) {
                    ui.label(*c);
                    ui.add(egui::DragValue::new(b).range(1..=band_count));
                }
            }
            BandMapping::Gray(b) => {
                ui.add(egui::DragValue::new(b).range(1..=band_count));
            }
        }
        let stretched = !matches!(new.stretch, Stretch::Full);
        let mut want = stretched;
        // A fixed range comes from the histogram's handles; unticking shows the full range.
        let text = if matches!(new.stretch, Stretch::Range { .. } | Stretch::Bands { .. }) {
            "fixed stretch"
        } else {
            "2–98 % stretch"
        };
        ui.checkbox(&mut want, text);
        if want != stretched {
            new.stretch = if want {
                Stretch::PERCENTILE_2_98
            } else {
                Stretch::Full
            };
        }
        if new != display {
            // A drag of a band number is one undo step.
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::SetLayerDisplay {
                    id: layer.id.clone(),
                    display: Some(changed_display(layer, display, |d| {
                        let picked = layer_display(&new);
                        (d.bands, d.stretch) = (picked.bands, picked.stretch);
                    })),
                },
                coalesce: Some(format!("display:{}", layer.id)),
            }));
        }
    });
}

/// Brightness, contrast and gamma after the stretch: saved with the layer, one undo step a drag.
fn tone_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    display: Display,
    tone: Tone,
    commands: &mut Vec<Command>,
) {
    let mut new = tone;
    // One slider a line, as opacity: the panel keeps its width.
    ui.add(
        egui::Slider::new(&mut new.brightness, -0.5..=0.5)
            .fixed_decimals(2)
            .text("brightness"),
    );
    ui.add(
        egui::Slider::new(&mut new.contrast, 0.25..=3.0)
            .fixed_decimals(2)
            .text("contrast"),
    );
    ui.add(
        egui::Slider::new(&mut new.gamma, 0.3..=3.0)
            .fixed_decimals(2)
            .text("gamma"),
    );
    if !tone.is_identity() && ui.small_button("Reset tone").clicked() {
        new = Tone::default();
    }
    if new != tone {
        commands.push(Command::Edit(EditCommand::Apply {
            edit: Edit::SetLayerDisplay {
                id: layer.id.clone(),
                display: Some(changed_display(layer, display, |d| d.set_tone(new))),
            },
            coalesce: Some(format!("tone:{}", layer.id)),
        }));
    }
}
