//! A single-band layer's stretch list in the layer panel: choosing decibels is one undoable
//! edit of the layer's saved display, and Undo brings back the automatic stretch.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::command::{Command, EditCommand};
use sitewatch::editing::History;
use sitewatch::imagery::raster::{BandMapping, Display, Stretch};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::layer_display::LayerStretch;
use sitewatch::model::project_file::empty_project;
use sitewatch::model::{ImageryLayer, Project};
use sitewatch::ui::stretch_choice::{StretchChoice, stretch_choice_label, stretch_choice_ui};

struct Panel {
    project: Project,
    history: History,
    commands: usize,
}

impl Panel {
    fn layer(&self) -> ImageryLayer {
        self.project.layers[0].clone()
    }

    fn stretch(&self) -> Option<LayerStretch> {
        self.project.layers[0].display.as_ref().map(|d| d.stretch)
    }
}

fn harness() -> Harness<'static, Panel> {
    let mut project = empty_project(&load_default_project().unwrap().project);
    project.layers.push(ImageryLayer {
        name: "VV".into(),
        ..common::file_layer("vv", Some("2025-06-01"), "Sentinel-1")
    });
    let panel = Panel {
        project,
        history: History::new(),
        commands: 0,
    };
    // What a float raster shows before anybody chooses.
    let shown = Display {
        bands: BandMapping::Gray(1),
        stretch: Stretch::Auto,
    };
    Harness::builder()
        .with_size(egui::vec2(320.0, 240.0))
        .build_ui_state(
            move |ui, panel: &mut Panel| {
                let layer = panel.layer();
                let from = Some("percentiles from the coarsest overview");
                if let Some(Command::Edit(EditCommand::Apply { edit, coalesce })) =
                    stretch_choice_ui(ui, &layer, shown, from)
                {
                    panel.commands += 1;
                    panel
                        .history
                        .apply(&mut panel.project, edit, coalesce.as_deref(), 0.0)
                        .unwrap();
                }
            },
            panel,
        )
}

#[test]
fn choosing_decibels_is_one_undoable_edit_of_the_layers_display() {
    let mut h = harness();
    h.run();
    assert_eq!(h.state().stretch(), None, "automatic until chosen");
    h.get_by_label("percentiles from the coarsest overview");
    let label = stretch_choice_label(&h.state().layer());
    h.get_by_label(&label).click();
    h.run();
    h.get_by_label(StretchChoice::Decibel.name()).click();
    h.run();
    assert_eq!(h.state().commands, 1, "one command");
    assert_eq!(
        h.state().stretch(),
        Some(LayerStretch::Decibel {
            low_db: -25.0,
            high_db: 0.0
        })
    );
    let state = h.state_mut();
    state.history.undo(&mut state.project).unwrap().unwrap();
    assert_eq!(h.state().stretch(), None, "undo: automatic again");
    let state = h.state_mut();
    state.history.redo(&mut state.project).unwrap().unwrap();
    assert_eq!(
        StretchChoice::of(h.state().stretch()),
        Some(StretchChoice::Decibel)
    );
}
