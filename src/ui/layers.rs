//! The layer panel: every imagery layer with its visibility, name, date and loading state; a
//! layer's controls (source and credit, opacity, order, zoom to layer, remove, bands, stretch,
//! tone, histogram) open under its row, as a GIS layer tree's properties do; adding files and
//! dated services. A raster's look (bands, stretch, tone) is drawn by [`super::layer_look`].
//!
//! Rows are closed until opened (the triangle or the layer's name), so a long series reads as a
//! list and the panel lays out a few widgets a layer; a layer added while the panel is shown
//! opens, since its controls are what one wants next.

use chrono::NaiveDate;
use egui::{Color32, RichText, Role, Ui, WidgetInfo};

use super::histogram::{HistogramSource, histogram_ui};
use super::theme::bold;
use crate::command::{Command, EditCommand, ViewCommand};
use crate::editing::Edit;
use crate::imagery::http::url_host;
use crate::imagery::raster::Display;
use crate::model::SYNTHETIC_NOTICE;
use crate::model::tracks::layers_at;
use crate::model::{FileDates, FuzzyDate, ImageryLayer, LayerSource, Project};
use crate::spatial::LonLatBox;

/// Accessible label of a layer's visibility box.
pub fn visible_label(layer: &ImageryLayer) -> String {
    format!("Show layer {}", layer.name)
}

/// Accessible label of a layer's opacity slider.
pub fn opacity_label(layer: &ImageryLayer) -> String {
    format!("Opacity of {}", layer.name)
}

/// Accessible label of the triangle that opens or closes a layer's controls.
pub fn controls_label(layer: &ImageryLayer) -> String {
    format!("Controls of {}", layer.name)
}

/// Accessible label of the button that keeps a date read from a layer's file.
pub fn keep_file_date_label(layer: &ImageryLayer) -> String {
    format!("Keep the file's date of {}", layer.name)
}

pub use super::layer_add::{ADD_FILES_LABEL, ADD_REMOTE_LABEL};

fn set_layer(
    layer: &ImageryLayer,
    change: impl FnOnce(&mut ImageryLayer),
    coalesce: Option<String>,
) -> Command {
    let mut new = layer.clone();
    change(&mut new);
    Command::Edit(EditCommand::Apply {
        edit: Edit::SetLayer {
            id: layer.id.clone(),
            layer: Box::new(new),
        },
        coalesce,
    })
}

fn kind_text(layer: &ImageryLayer) -> String {
    match &layer.source {
        LayerSource::File { path } => format!("file · {path}"),
        LayerSource::Tiles { url, .. } => format!("tile service · {}", url_host(url)),
        LayerSource::Remote { url } => format!("remote GeoTIFF · {}", url_host(url)),
        LayerSource::Bands { red, .. } => format!("band composite · {}", url_host(red)),
        LayerSource::Mosaic { scenes } => {
            let first = match scenes.first() {
                Some(LayerSource::Remote { url } | LayerSource::Bands { red: url, .. }) => {
                    format!(" · {}", url_host(url))
                }
                _ => String::new(),
            };
            format!("mosaic of {} scenes{first}", scenes.len())
        }
    }
}

/// What the layer panel shows of a layer's loading state.
#[derive(Clone, Debug, PartialEq)]
pub enum LayerLoadState {
    /// Not opened (not near the slider's date, or never shown).
    Idle,
    /// Opening a file: the fraction done.
    Opening(f32),
    /// Ready; tiles still loading and tiles failed (with the last reason).
    Ready {
        /// Tiles loading now.
        loading: usize,
        /// Tiles that failed and wait for a retry.
        failed: usize,
        /// The last tile failure.
        last_error: Option<String>,
    },
    /// The layer cannot be shown: why.
    Failed(String),
}

/// What the panel asks of the layers' runtime (the window's open files and tile layers).
pub trait LayerStatus {
    /// The loading state of a layer.
    fn load_state(&self, id: &str) -> LayerLoadState;
    /// The extent of a ready file layer (tile services have none).
    fn bounds(&self, id: &str) -> Option<LonLatBox>;
    /// The band count and display of a ready raster layer.
    fn raster_display(&self, id: &str) -> Option<(usize, Display)>;
    /// Dates read from undated layers' files, by layer id (runtime only, never saved).
    fn file_dates(&self) -> FileDates;
    /// What the histogram of a ready raster layer draws from.
    fn histogram_source(&self, _id: &str) -> Option<HistogramSource<'_>> {
        None
    }
}

/// Draws the panel; returns what the user asked for.
pub fn layers_ui(
    ui: &mut Ui,
    project: &Project,
    runtime: &dyn LayerStatus,
    date: NaiveDate,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.label(RichText::new("Imagery layers").font(bold(16.0)));
    let file_dates = runtime.file_dates();
    let shown: Vec<usize> = layers_at(project, date, &file_dates)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    if project.layers.is_empty() {
        ui.label(
            RichText::new("No imagery yet: add GeoTIFFs, world-file images or a dated service.")
                .weak(),
        );
    }
    let count = project.layers.len();
    let added = newly_added(ui, project);
    egui::ScrollArea::vertical()
        .id_salt("layer-list")
        .max_height((ui.available_height() - 90.0).max(120.0))
        .show(ui, |ui| {
            // Top of the stack first, as GIS layer lists read.
            for (index, layer) in project.layers.iter().enumerate().rev() {
                ui.push_id(&layer.id, |ui| {
                    let row = Row {
                        index,
                        count,
                        shown_now: shown.contains(&index),
                        file_date: file_dates.get(&layer.id).copied(),
                    };
                    super::offscreen::unless_offscreen(ui, |ui| {
                        let open = added.contains(&layer.id);
                        layer_row(ui, layer, &row, runtime, open, &mut commands);
                    });
                });
                ui.separator();
            }
        });
    super::layer_add::add_ui(ui, date, &mut commands);
    commands
}

/// The ids of layers that were not in the project the last time the panel was drawn (none the
/// first time, and none when no layer stayed: opening another project adds nothing).
fn newly_added(ui: &Ui, project: &Project) -> Vec<String> {
    let key = ui.scope_id().with("sitewatch-layer-ids");
    let before = ui.data_mut(|d| d.get_temp::<std::sync::Arc<Vec<String>>>(key));
    // Every frame but those that add or remove a layer: nothing to copy.
    if before
        .as_ref()
        .is_some_and(|b| b.iter().eq(project.layers.iter().map(|l| &l.id)))
    {
        return Vec::new();
    }
    let ids: Vec<String> = project.layers.iter().map(|l| l.id.clone()).collect();
    let added = match &before {
        Some(before) if before.is_empty() || before.iter().any(|id| ids.contains(id)) => ids
            .iter()
            .filter(|id| !before.contains(id))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    ui.data_mut(|d| d.insert_temp(key, std::sync::Arc::new(ids)));
    added
}

/// Where a layer sits in the panel and what the runtime knows of its date.
struct Row {
    index: usize,
    count: usize,
    shown_now: bool,
    /// The date read from the layer's file, used while the layer has none of its own.
    file_date: Option<NaiveDate>,
}

fn layer_row(
    ui: &mut Ui,
    layer: &ImageryLayer,
    row: &Row,
    runtime: &dyn LayerStatus,
    open_now: bool,
    commands: &mut Vec<Command>,
) {
    let &Row {
        shown_now,
        file_date,
        ..
    } = row;
    let mut controls = egui::collapsing_header::CollapsingState::load_with_default_open(
        ui.ctx(),
        ui.make_persistent_id("layer-controls"),
        false,
    );
    if open_now {
        controls.set_open(true);
    }
    ui.horizontal(|ui| {
        let toggle = controls.show_toggle_button(ui, egui::collapsing_header::paint_default_icon);
        let label = controls_label(layer);
        let open = controls.is_open();
        toggle.widget_info(|| WidgetInfo::selected(Role::Button, true, open, label.clone()));
        let mut visible = layer.visible;
        let response = ui.checkbox(&mut visible, "");
        let label = visible_label(layer);
        response.widget_info(|| WidgetInfo::selected(Role::CheckBox, true, visible, label.clone()));
        if response.changed() {
            commands.push(set_layer(layer, |l| l.visible = visible, None));
        }
        let name = ui
            .add(egui::Label::new(RichText::new(&layer.name).strong()).sense(egui::Sense::click()))
            .on_hover_cursor(egui::CursorIcon::PointingHand);
        if name.clicked() {
            controls.toggle(ui);
        }
    });
    let date = match (layer.date, file_date) {
        (Some(d), _) => match layer.date_until() {
            Some(until) => format!("{} – {}", d.display_upper(), until.display_upper()),
            None => d.display_upper(),
        },
        (None, Some(day)) => format!("{} (from file)", FuzzyDate::day(day).display_upper()),
        (None, None) => "date unknown".to_owned(),
    };
    let state_word = if !layer.visible {
        "hidden"
    } else if shown_now {
        "shown at this date"
    } else {
        "not at this date"
    };
    ui.label(
        RichText::new(format!("{date} · {state_word}")).color(if shown_now {
            Color32::from_rgb(0xF0, 0xE4, 0x42)
        } else {
            Color32::GRAY
        }),
    );
    if layer.synthetic {
        ui.label(
            RichText::new(SYNTHETIC_NOTICE)
                .font(bold(12.0))
                .color(Color32::from_rgb(0xF0, 0xE4, 0x42)),
        );
    }
    // One scope whatever the state shows, so the widgets below keep their ids while a layer
    // opens and its tiles load (an id that moves between frames loses a click).
    ui.scope(|ui| load_state_ui(ui, runtime.load_state(&layer.id)));
    if layer.date.is_none() {
        if let Some(day) = file_date {
            keep_file_date_ui(ui, layer, day, commands);
        }
        date_entry_ui(ui, layer, file_date.is_some(), commands);
    }
    controls.show_body_unindented(ui, |ui| {
        layer_controls(ui, layer, row, runtime, commands);
    });
}

/// A layer's controls, under its row while it is open: where it comes from, opacity, order,
/// zoom, remove, and for an open raster its bands, stretch, tone and histogram.
fn layer_controls(
    ui: &mut Ui,
    layer: &ImageryLayer,
    &Row { index, count, .. }: &Row,
    runtime: &dyn LayerStatus,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new(kind_text(layer)).weak().small());
    if !layer.track.is_empty() || !layer.attribution.is_empty() {
        ui.label(
            RichText::new(format!("track {} · {}", layer.track, layer.attribution))
                .weak()
                .small(),
        );
    }
    ui.horizontal(|ui| {
        let mut opacity = layer.opacity;
        let response = ui.add(
            egui::Slider::new(&mut opacity, 0.0..=1.0)
                .show_value(true)
                .text("opacity"),
        );
        let label = opacity_label(layer);
        response.widget_info(|| WidgetInfo::slider(true, f64::from(opacity), label.clone()));
        if response.changed() {
            commands.push(set_layer(
                layer,
                |l| l.opacity = opacity,
                Some(format!("opacity:{}", layer.id)),
            ));
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(index + 1 < count, egui::Button::new("Up"))
            .on_hover_text("Draw above the layer over it")
            .clicked()
        {
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::MoveLayer {
                    id: layer.id.clone(),
                    to: index + 1,
                },
                coalesce: None,
            }));
        }
        if ui
            .add_enabled(index > 0, egui::Button::new("Down"))
            .on_hover_text("Draw below the layer under it")
            .clicked()
        {
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::MoveLayer {
                    id: layer.id.clone(),
                    to: index.saturating_sub(1),
                },
                coalesce: None,
            }));
        }
        let bounds = runtime.bounds(&layer.id);
        if ui
            .add_enabled(bounds.is_some(), egui::Button::new("Zoom to"))
            .on_hover_text("Fit the map to the layer's extent")
            .clicked()
            && let Some(b) = bounds
        {
            commands.push(Command::View(ViewCommand::ZoomToBox(b)));
        }
        if ui
            .add_enabled(
                runtime.raster_display(&layer.id).is_some(),
                egui::Button::new("1:1"),
            )
            .on_hover_text(
                "Zoom to the image's native resolution: one screen pixel per image pixel",
            )
            .clicked()
        {
            commands.push(Command::View(ViewCommand::ZoomToNative(layer.id.clone())));
        }
        if ui.button("Remove").clicked() {
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::RemoveLayer {
                    id: layer.id.clone(),
                },
                coalesce: None,
            }));
        }
    });
    if let Some((bands, display)) = runtime.raster_display(&layer.id) {
        let from = runtime
            .histogram_source(&layer.id)
            .map(|s| s.raster.percentile_source());
        super::layer_look::display_ui(ui, layer, (bands, display), from, commands);
    }
    // A float raster's handles would be held values, not its samples': its list is enough.
    if let Some(source) = runtime
        .histogram_source(&layer.id)
        .filter(|s| !s.raster.sample_kind().is_float())
    {
        egui::CollapsingHeader::new("Histogram")
            .id_salt("histogram")
            .show(ui, |ui| commands.extend(histogram_ui(ui, layer, &source)));
    }
}

/// What a layer's imagery is doing: opening, loading tiles, failing.
fn load_state_ui(ui: &mut Ui, state: LayerLoadState) {
    match state {
        LayerLoadState::Idle => {}
        LayerLoadState::Opening(f) => {
            ui.add(
                egui::ProgressBar::new(f)
                    .show_percentage()
                    .text(format!("opening {:.0} %", f * 100.0)),
            );
        }
        LayerLoadState::Ready {
            loading,
            failed,
            last_error,
        } => {
            if failed > 0 {
                ui.label(
                    RichText::new(format!(
                        "{failed} tile(s) failed, retrying: {}",
                        last_error.unwrap_or_default()
                    ))
                    .color(Color32::LIGHT_RED)
                    .small(),
                );
            } else if loading > 0 {
                ui.label(RichText::new(format!("loading {loading} tile(s)…")).small());
            }
        }
        LayerLoadState::Failed(message) => {
            ui.label(RichText::new(message).color(Color32::LIGHT_RED).small());
        }
    }
}

/// Accessible label of an undated layer's date field.
pub fn date_field_label(layer: &ImageryLayer) -> String {
    format!("Capture date of {}", layer.name)
}

/// Offers to write the date read from the layer's file into the project (an undoable edit).
fn keep_file_date_ui(
    ui: &mut Ui,
    layer: &ImageryLayer,
    day: NaiveDate,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new("Dated from the file's tags, not saved in the project.")
                .weak()
                .small(),
        );
        let response = ui
            .button("Keep")
            .on_hover_text("Save this date with the layer (can be undone)");
        let label = keep_file_date_label(layer);
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, label.clone()));
        if response.clicked() {
            commands.push(set_layer(
                layer,
                |l| l.date = Some(FuzzyDate::day(day)),
                None,
            ));
        }
    });
}

/// Asks for the date of a layer whose file name and metadata gave none (or, when its file's
/// tags gave one, for another).
fn date_entry_ui(ui: &mut Ui, layer: &ImageryLayer, from_file: bool, commands: &mut Vec<Command>) {
    let id = ui.scope_id().with("date-entry");
    let mut text: String = ui.data_mut(|d| d.get_temp::<String>(id).unwrap_or_default());
    let prompt = if from_file {
        "Or another capture date:"
    } else {
        "Date unknown: when was it captured?"
    };
    ui.label(
        RichText::new(prompt)
            .color(Color32::from_rgb(0xE6, 0x9F, 0x00))
            .small(),
    );
    ui.horizontal(|ui| {
        let label = date_field_label(layer);
        let response = ui.add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("2025-07-05, 2025-07 …")
                .desired_width(120.0),
        );
        response.widget_info(|| WidgetInfo::labeled(Role::TextInput, true, label.clone()));
        let parsed = text.trim().parse::<crate::model::FuzzyDate>();
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui
            .add_enabled(parsed.is_ok(), egui::Button::new("Set date"))
            .clicked()
            || enter)
            && let Ok(date) = parsed
        {
            commands.push(set_layer(layer, |l| l.date = Some(date), None));
            text.clear();
        }
        if !text.trim().is_empty()
            && let Err(e) = &parsed
        {
            response.on_hover_text(e.to_string());
        }
    });
    ui.data_mut(|d| d.insert_temp(id, text));
}
