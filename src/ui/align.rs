//! The Align tool's panel: which layer the arrow keys move (chosen here, else the topmost layer
//! shown at the slider's date), its offset in metres with a Reset, and Align to…: the layer to
//! align it to, the estimate while it runs, and the proposal with its Apply.

use egui::{Color32, RichText, Ui};

use crate::analysis::align::Alignment;
use crate::command::{Command, EditCommand, ImageryCommand};
use crate::editing::Edit;
use crate::model::{ImageryLayer, Project};
use crate::scene::Scene;

/// Accessible label of the combo box of the layer the tool moves.
pub const MOVING_LABEL: &str = "Layer to align";
/// Accessible label of the combo box of the layer to align it to.
pub const REFERENCE_LABEL: &str = "Align it to";
/// Accessible label of the reset button.
pub const RESET_LABEL: &str = "Reset offset";
/// Accessible label of the button that starts an estimate.
pub const ALIGN_TO_LABEL: &str = "Align to…";
/// Accessible label of the button that applies a proposal.
pub const APPLY_LABEL: &str = "Apply proposed offset";
/// Accessible label of the button that dismisses a proposal or a refusal.
pub const DISMISS_LABEL: &str = "Dismiss";
/// The coalesce key prefix of arrow-key nudges: a burst of nudges is one undo step.
pub const NUDGE_COALESCE: &str = "align-nudge";

/// Where Align to… stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Estimate {
    /// Nothing asked.
    #[default]
    None,
    /// Running on a worker.
    Running,
    /// Refused or failed: why (the whole chain).
    Refused(String),
    /// A proposal waiting for Apply.
    Proposed(Box<Alignment>),
}

/// The panel's state between frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlignPanel {
    /// The layer chosen to move (`None`: the topmost shown at the slider's date).
    pub chosen: Option<String>,
    /// The layer chosen to align it to (`None`: the nearest earlier file layer).
    pub reference: Option<String>,
    /// Align to…'s state.
    pub estimate: Estimate,
}

/// The layer the tool moves: the chosen one while it is shown at the slider's date, else the
/// topmost layer shown.
#[must_use]
pub fn moving_layer<'a>(
    project: &'a Project,
    scene: &Scene,
    chosen: Option<&str>,
) -> Option<&'a ImageryLayer> {
    let shown = |id: &str| scene.layers.iter().any(|l| l.id == id);
    let id = chosen
        .filter(|id| shown(id))
        .or_else(|| scene.layers.last().map(|l| l.id.as_str()))?;
    project.layers.iter().find(|l| l.id == id)
}

/// File layers the moving one can be aligned to: every other file layer, nearest in the
/// project's order below it first.
fn candidates<'a>(project: &'a Project, moving: &ImageryLayer) -> Vec<&'a ImageryLayer> {
    let at = project
        .layers
        .iter()
        .position(|l| l.id == moving.id)
        .unwrap_or(0);
    let below = project.layers.iter().take(at).rev();
    let above = project.layers.iter().skip(at + 1);
    below
        .chain(above)
        .filter(|l| l.file_path().is_some())
        .collect()
}

/// The layer to align to: the chosen one when it is still a candidate, else the first.
#[must_use]
pub fn reference_layer<'a>(
    project: &'a Project,
    moving: &ImageryLayer,
    chosen: Option<&str>,
) -> Option<&'a ImageryLayer> {
    let all = candidates(project, moving);
    chosen
        .and_then(|id| all.iter().find(|l| l.id == id).copied())
        .or_else(|| all.first().copied())
}

/// The edit that gives `layer` the offset `offset_m` (`None` or zero: none).
#[must_use]
pub fn set_offset(
    layer: &ImageryLayer,
    offset_m: Option<[f64; 2]>,
    coalesce: Option<String>,
) -> Command {
    let mut new = layer.clone();
    new.offset_m = offset_m.filter(|o| *o != [0.0, 0.0]);
    Command::Edit(EditCommand::Apply {
        edit: Edit::SetLayer {
            id: layer.id.clone(),
            layer: Box::new(new),
        },
        coalesce,
    })
}

/// The nudge of `layer` by `[right, up]` screen pixels of `meters_per_px` ground metres.
#[must_use]
pub fn nudge(layer: &ImageryLayer, steps_px: [f64; 2], meters_per_px: f64) -> Command {
    let [east, north] = layer.offset_or_zero();
    let offset = [
        east + steps_px[0] * meters_per_px,
        north + steps_px[1] * meters_per_px,
    ];
    set_offset(
        layer,
        Some(offset),
        Some(format!("{NUDGE_COALESCE}-{}", layer.id)),
    )
}

/// "3.20 m east, 1.05 m south".
#[must_use]
pub fn offset_text([east, north]: [f64; 2]) -> String {
    let ew = if east < 0.0 { "west" } else { "east" };
    let ns = if north < 0.0 { "south" } else { "north" };
    format!("{:.2} m {ew}, {:.2} m {ns}", east.abs(), north.abs())
}

fn labelled(response: &egui::Response, role: egui::Role, label: &str) {
    response.widget_info(|| egui::WidgetInfo::labeled(role, true, label));
}

fn layer_combo(
    ui: &mut Ui,
    label: &str,
    current: &ImageryLayer,
    choices: &[&ImageryLayer],
) -> Option<String> {
    let mut picked = None;
    let inner = egui::ComboBox::from_id_salt(label)
        .selected_text(&current.name)
        .width(220.0)
        .show_ui(ui, |ui| {
            for layer in choices {
                if ui
                    .selectable_label(layer.id == current.id, &layer.name)
                    .clicked()
                {
                    picked = Some(layer.id.clone());
                }
            }
        });
    labelled(&inner.response, egui::Role::ComboBox, label);
    picked
}

/// Draws the panel for `project` at the scene's date; returns what the user asked for.
pub fn align_ui(
    ui: &mut Ui,
    panel: &mut AlignPanel,
    project: &Project,
    scene: &Scene,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(moving) = moving_layer(project, scene, panel.chosen.as_deref()) else {
        ui.label(RichText::new("No imagery layer is shown at this date: nothing to align.").weak());
        return commands;
    };
    let shown: Vec<&ImageryLayer> = scene
        .layers
        .iter()
        .rev()
        .filter_map(|s| project.layers.iter().find(|l| l.id == s.id))
        .collect();
    ui.horizontal(|ui| {
        ui.label("Moves");
        if let Some(id) = layer_combo(ui, MOVING_LABEL, moving, &shown) {
            panel.chosen = Some(id);
            panel.estimate = Estimate::None;
        }
    });
    let offset = moving.offset_or_zero();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Offset {}", offset_text(offset))).strong());
        let reset = ui.add_enabled(moving.offset_m.is_some(), egui::Button::new("Reset"));
        labelled(&reset, egui::Role::Button, RESET_LABEL);
        if reset.clicked() {
            commands.push(set_offset(moving, None, None));
        }
    });
    ui.label(
        RichText::new("←↑↓→ nudge one screen pixel, Shift+arrow ten; Ctrl+Z undoes a burst.")
            .weak()
            .small(),
    );
    ui.separator();
    let Some(reference) = reference_layer(project, moving, panel.reference.as_deref()) else {
        ui.label(RichText::new("No other raster file layer to align it to.").weak());
        return commands;
    };
    let others = candidates(project, moving);
    ui.horizontal(|ui| {
        ui.label("To");
        if let Some(id) = layer_combo(ui, REFERENCE_LABEL, reference, &others) {
            panel.reference = Some(id);
            panel.estimate = Estimate::None;
        }
    });
    let running = panel.estimate == Estimate::Running;
    ui.horizontal(|ui| {
        let button = ui.add_enabled(!running, egui::Button::new(ALIGN_TO_LABEL));
        labelled(&button, egui::Role::Button, ALIGN_TO_LABEL);
        if button.clicked() {
            commands.push(Command::Imagery(ImageryCommand::EstimateAlignment {
                moving: moving.id.clone(),
                reference: reference.id.clone(),
            }));
        }
        if running {
            ui.spinner();
            ui.label("Estimating the shift…");
        }
    });
    let mut close = false;
    match &panel.estimate {
        Estimate::None | Estimate::Running => {}
        Estimate::Refused(why) => {
            ui.label(
                RichText::new(format!("Refused: {why}")).color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
            );
            close = ui.button(DISMISS_LABEL).clicked();
        }
        Estimate::Proposed(found) => {
            if found.moving == moving.id {
                close = proposal_ui(ui, found, moving, &mut commands);
            }
        }
    }
    if close {
        panel.estimate = Estimate::None;
    }
    commands
}

/// Shows a proposal with Apply and Dismiss; true when either was clicked.
fn proposal_ui(
    ui: &mut Ui,
    found: &Alignment,
    moving: &ImageryLayer,
    commands: &mut Vec<Command>,
) -> bool {
    let p = &found.pixels;
    ui.label(RichText::new("Proposed").strong());
    ui.label(format!(
        "move by {} ({:+.2} px east, {:+.2} px north at {:.2} m/px)",
        offset_text([-found.shift_m[0], -found.shift_m[1]]),
        -p.shift_px[0],
        p.shift_px[1],
        found.grid_m_per_px
    ));
    ui.label(format!(
        "new offset {}",
        offset_text(found.proposed_offset_m)
    ));
    ui.label(format!(
        "confidence {:.2} (peak {:.0} σ) · residual {:.2} → {:.2}",
        p.confidence, p.peak_to_noise, p.residual_before, p.residual_after
    ));
    ui.horizontal(|ui| {
        let apply = ui.button("Apply");
        labelled(&apply, egui::Role::Button, APPLY_LABEL);
        if apply.clicked() {
            commands.push(set_offset(moving, Some(found.proposed_offset_m), None));
        }
        apply.clicked() | ui.button(DISMISS_LABEL).clicked()
    })
    .inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_reads_with_its_compass_words() {
        assert_eq!(offset_text([3.2, -1.05]), "3.20 m east, 1.05 m south");
        assert_eq!(offset_text([-0.5, 2.0]), "0.50 m west, 2.00 m north");
        assert_eq!(offset_text([0.0, 0.0]), "0.00 m east, 0.00 m north");
    }

    #[test]
    fn a_nudge_adds_to_the_offset_and_a_zero_offset_is_none() {
        let project = crate::model::default_project::load_default_project()
            .unwrap()
            .project;
        let layer = project
            .layers
            .iter()
            .find(|l| l.file_path().is_some())
            .unwrap();
        let Command::Edit(EditCommand::Apply {
            edit: Edit::SetLayer { layer: moved, .. },
            coalesce,
        }) = nudge(layer, [2.0, -1.0], 0.5)
        else {
            panic!("a nudge is a layer edit");
        };
        assert_eq!(moved.offset_m, Some([1.0, -0.5]));
        assert_eq!(coalesce, Some(format!("{NUDGE_COALESCE}-{}", layer.id)));
        let Command::Edit(EditCommand::Apply {
            edit: Edit::SetLayer { layer: reset, .. },
            ..
        }) = set_offset(&moved, Some([0.0, 0.0]), None)
        else {
            panic!("a reset is a layer edit");
        };
        assert_eq!(reset.offset_m, None);
    }
}
