//! A single-band raster layer's stretch, chosen from a short list: automatic (decibels for
//! radar backscatter, 2–98 % for other floating-point and 16-bit data), the data's minimum to
//! maximum, the 2–98 % cut, or decibels (−25 to 0 dB). Saved with the layer's display, so the
//! window and every export show the same; a choice is one undo step.

use egui::{ComboBox, Ui};

use crate::command::{Command, EditCommand};
use crate::editing::Edit;
use crate::imagery::raster::Display;
use crate::model::ImageryLayer;
use crate::model::layer_display::LayerStretch;

/// The stretches offered, as the list shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StretchChoice {
    /// What the file suggests.
    Auto,
    /// The data's smallest to largest value.
    MinMax,
    /// The 2nd to the 98th percentile.
    Percentile,
    /// −25 to 0 dB of linear backscatter.
    Decibel,
}

impl StretchChoice {
    /// Every choice, in list order.
    pub const ALL: [Self; 4] = [Self::Auto, Self::MinMax, Self::Percentile, Self::Decibel];

    /// Its words in the list.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "Auto",
            Self::MinMax => "Min–max",
            Self::Percentile => "Percentile 2–98 %",
            Self::Decibel => "dB (−25 to 0)",
        }
    }

    /// The saved stretch it stands for.
    #[must_use]
    pub fn stretch(self) -> LayerStretch {
        match self {
            Self::Auto => LayerStretch::Auto,
            Self::MinMax => LayerStretch::Percentile {
                low_pct: 0.0,
                high_pct: 100.0,
            },
            Self::Percentile => LayerStretch::Percentile {
                low_pct: 2.0,
                high_pct: 98.0,
            },
            Self::Decibel => LayerStretch::Decibel {
                low_db: -25.0,
                high_db: 0.0,
            },
        }
    }

    /// The choice a saved stretch is, if it is one of the list's (a layer without a display
    /// of its own is automatic).
    #[must_use]
    pub fn of(stretch: Option<LayerStretch>) -> Option<Self> {
        let Some(stretch) = stretch else {
            return Some(Self::Auto);
        };
        Self::ALL
            .into_iter()
            .find(|c| c.stretch() == stretch)
            .or(match stretch {
                LayerStretch::Decibel { .. } => Some(Self::Decibel),
                _ => None,
            })
    }
}

/// Accessible label of a layer's stretch list.
#[must_use]
pub fn stretch_choice_label(layer: &ImageryLayer) -> String {
    format!("Stretch of {}", layer.name)
}

/// The list; `shown` is what the raster shows now, `percentiles_from` where its percentiles
/// come from (said under the list). Returns the edit of a new choice.
pub fn stretch_choice_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    shown: Display,
    percentiles_from: Option<&str>,
) -> Option<Command> {
    let saved = layer.display.as_ref().map(|d| d.stretch);
    let current = StretchChoice::of(saved);
    let mut picked = current;
    let text = current.map_or("Custom", StretchChoice::name);
    ui.horizontal(|ui| {
        ui.label("Stretch");
        ComboBox::from_id_salt(("stretch-choice", &layer.id))
            .selected_text(text)
            .show_ui(ui, |ui| {
                for choice in StretchChoice::ALL {
                    ui.selectable_value(&mut picked, Some(choice), choice.name());
                }
            })
            .response
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, stretch_choice_label(layer))
            });
    });
    if let Some(from) = percentiles_from {
        ui.label(egui::RichText::new(from).small().weak());
    }
    let choice = picked.filter(|p| Some(*p) != current)?;
    let display =
        super::layer_look::changed_display(layer, shown, |d| d.stretch = choice.stretch());
    Some(Command::Edit(EditCommand::Apply {
        edit: Edit::SetLayerDisplay {
            id: layer.id.clone(),
            display: Some(display),
        },
        coalesce: None,
    }))
}
