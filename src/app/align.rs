//! The Align tool in the window: its panel over the map, the arrow-key nudges of the layer it
//! moves, and Align to… run on a worker (a raster pair takes from tens of milliseconds to a
//! few seconds) with a spinner until its proposal or refusal comes.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use egui::{Key, Modifiers};

use super::{SitewatchApp, error_chain};
use crate::analysis::align::{AlignError, Alignment, align_layers};
use crate::command::Command;
use crate::editing::Tool;
use crate::scene::Scene;
use crate::spatial::mercator::meters_per_px;
use crate::ui::align::{AlignPanel, Estimate, align_ui, moving_layer, nudge};

/// Screen pixels a Shift+arrow nudge moves.
const SHIFT_NUDGE_PX: f64 = 10.0;

/// The Align tool's state between frames.
#[derive(Default)]
pub(crate) struct AlignState {
    /// The panel's choices and the estimate's state.
    pub(crate) panel: AlignPanel,
    /// The estimate running on a worker.
    job: Option<Receiver<Result<Alignment, AlignError>>>,
}

impl SitewatchApp {
    /// The Align panel's state (tests read the proposal).
    #[must_use]
    pub fn align_panel(&self) -> &AlignPanel {
        &self.align.panel
    }

    /// Starts Align to… on a worker: `moving`'s offset to put it onto `reference`.
    pub(crate) fn start_alignment(&mut self, moving: String, reference: String) {
        let project = self.project.clone();
        let base_dir = self.layer_base_dir();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // The window may have closed; then nobody waits for the answer.
            let _ = tx.send(align_layers(&project, &base_dir, &moving, &reference));
        });
        self.align.job = Some(rx);
        self.align.panel.estimate = Estimate::Running;
    }

    /// Takes a finished estimate into the panel.
    fn poll_alignment(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.align.job else { return };
        let answer = match rx.try_recv() {
            Ok(Ok(found)) => Estimate::Proposed(Box::new(found)),
            Ok(Err(e)) => Estimate::Refused(error_chain(&e)),
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
                return;
            }
            Err(TryRecvError::Disconnected) => {
                Estimate::Refused("the estimate stopped before it finished".to_owned())
            }
        };
        self.align.job = None;
        self.align.panel.estimate = answer;
    }

    /// The Align panel over the map's top-left corner while the tool is in hand.
    pub(crate) fn align_window(
        &mut self,
        ctx: &egui::Context,
        map: egui::Rect,
        scene: &Scene,
    ) -> Vec<Command> {
        self.poll_alignment(ctx);
        if self.editor.tool() != Tool::Align {
            return Vec::new();
        }
        let mut commands = Vec::new();
        egui::Window::new("Align imagery")
            .id(egui::Id::unique("sitewatch-align"))
            .fixed_pos(map.left_top() + egui::vec2(140.0, 10.0))
            .resizable(false)
            .collapsible(false)
            .show(ctx, |ui| {
                commands = align_ui(ui, &mut self.align.panel, &self.project, scene);
            });
        commands
    }

    /// Arrow keys with the Align tool in hand: nudge the layer it moves one screen pixel (Shift:
    /// ten) east, west, north or south. Consumed here, so they do not step the stages.
    pub(crate) fn align_keys(&mut self, ctx: &egui::Context) -> Vec<Command> {
        if self.editor.tool() != Tool::Align {
            return Vec::new();
        }
        let mut steps = [0.0, 0.0];
        ctx.input_mut(|i| {
            // Shift first: egui's plain pattern matches a shifted key too.
            for (modifiers, size) in [(Modifiers::SHIFT, SHIFT_NUDGE_PX), (Modifiers::NONE, 1.0)] {
                for (key, [x, y]) in [
                    (Key::ArrowRight, [1.0, 0.0]),
                    (Key::ArrowLeft, [-1.0, 0.0]),
                    (Key::ArrowUp, [0.0, 1.0]),
                    (Key::ArrowDown, [0.0, -1.0]),
                ] {
                    while i.consume_key(modifiers, key) {
                        steps[0] += x * size;
                        steps[1] += y * size;
                    }
                }
            }
        });
        if steps == [0.0, 0.0] {
            return Vec::new();
        }
        let Some(view) = self.editor.map_view() else {
            return Vec::new();
        };
        let (scene, _) = self.scene_parts();
        let Some(layer) = moving_layer(&self.project, &scene, self.align.panel.chosen.as_deref())
        else {
            return Vec::new();
        };
        vec![nudge(layer, steps, meters_per_px(view.center.y, view.zoom))]
    }
}
