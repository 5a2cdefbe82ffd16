//! The "Add WMTS layers" window: a capabilities URL (NASA GIBS as a preset) read off the UI
//! thread; the service's layers, filtered; for the chosen one its style, image format and tile
//! matrix set (sets the map cannot draw listed disabled, with the reason) and, for a dated layer,
//! its `Time` values within a date range; Add and Add dated series.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};

use crate::command::{Command, WmtsChoice, WmtsCommand};
use crate::imagery::wmts::{
    Capabilities, MAX_SERIES, MatrixSetChoice, WmtsLayer, XyzOptions, matrix_set_choices,
    nearest_value, time_values,
};

/// NASA GIBS' Web Mercator "best" capabilities, the preset.
pub const GIBS_URL: &str =
    "https://gibs.earthdata.nasa.gov/wmts/epsg3857/best/1.0.0/WMTSCapabilities.xml";
/// Accessible label of the button in the layer panel that opens the window.
pub const OPEN_LABEL: &str = "Add WMTS layers…";
/// Accessible label of the capabilities URL field.
pub const URL_LABEL: &str = "GetCapabilities URL";
/// Accessible label of the preset button.
pub const GIBS_LABEL: &str = "NASA GIBS (EPSG:3857 best)";
/// Accessible label of the button that reads the capabilities.
pub const LOAD_LABEL: &str = "Load";
/// Accessible label of the layer filter field.
pub const FILTER_LABEL: &str = "Filter layers";
/// Accessible label of the first day of the range.
pub const FROM_LABEL: &str = "Dates from";
/// Accessible label of the last day of the range.
pub const TO_LABEL: &str = "Dates to";
/// Accessible label of the button that adds one layer.
pub const ADD_LABEL: &str = "Add";
/// Accessible label of the button that adds the dated series.
pub const ADD_SERIES_LABEL: &str = "Add dated series";

/// Where reading the capabilities stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum WmtsStatus {
    /// Nothing read yet.
    #[default]
    Idle,
    /// Reading this URL.
    Loading(String),
    /// Read: how many layers.
    Loaded(usize),
    /// Why reading failed, one line naming the URL once.
    Failed(String),
}

/// The form between frames.
#[derive(Clone, Debug)]
pub struct WmtsForm {
    /// The capabilities URL typed.
    pub url: String,
    /// Text the layer list is filtered by (title or identifier).
    pub filter: String,
    /// The chosen layer's identifier.
    pub selected: Option<String>,
    /// Chosen style (empty: the layer's default).
    pub style: String,
    /// Chosen image format (empty: PNG, else JPEG, else the first).
    pub format: String,
    /// Chosen tile matrix set (empty: the first usable).
    pub matrix_set: String,
    /// First day of the `Time` values, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the `Time` values, `YYYY-MM-DD`.
    pub to: String,
}

impl Default for WmtsForm {
    fn default() -> Self {
        Self {
            url: GIBS_URL.to_owned(),
            filter: String::new(),
            selected: None,
            style: String::new(),
            format: String::new(),
            matrix_set: String::new(),
            from: String::new(),
            to: String::new(),
        }
    }
}

impl WmtsForm {
    /// Chooses `layer` with its defaults.
    fn select(&mut self, layer: &WmtsLayer, sets: &[MatrixSetChoice]) {
        self.selected = Some(layer.identifier.clone());
        layer.default_style().clone_into(&mut self.style);
        self.format = ["image/png", "image/jpeg"]
            .into_iter()
            .find(|f| layer.formats.iter().any(|o| o == f))
            .map(str::to_owned)
            .or_else(|| layer.formats.first().cloned())
            .unwrap_or_default();
        self.matrix_set = sets
            .iter()
            .find(|s| s.unusable.is_none())
            .map(|s| s.identifier.clone())
            .unwrap_or_default();
    }

    /// The date range typed, or why it is not one.
    pub fn range(&self) -> Result<(NaiveDate, NaiveDate), String> {
        super::day_range::day_range(&self.from, &self.to)
    }

    /// The choice the form describes for the selected layer.
    fn choice(&self, range: Option<(NaiveDate, NaiveDate)>) -> Option<WmtsChoice> {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Some(WmtsChoice {
            layer: self.selected.clone()?,
            options: XyzOptions {
                format: text(&self.format),
                style: text(&self.style),
                time: None,
                tile_matrix_set: text(&self.matrix_set),
            },
            range,
        })
    }
}

/// What the window shows besides its form.
pub struct WmtsView<'a> {
    /// Where reading stands.
    pub status: &'a WmtsStatus,
    /// The service read last.
    pub capabilities: Option<&'a Capabilities>,
    /// The slider's day (Add takes the value nearest it).
    pub date: NaiveDate,
    /// What the last Add said.
    pub added: Option<&'a str>,
}

/// The window's contents; what it asks for.
pub fn wmts_ui(ui: &mut Ui, form: &mut WmtsForm, view: &WmtsView<'_>) -> Vec<Command> {
    let mut commands = Vec::new();
    source_ui(ui, form, view, &mut commands);
    let Some(capabilities) = view.capabilities else {
        return commands;
    };
    ui.separator();
    layer_list_ui(ui, form, capabilities);
    let layer = form
        .selected
        .as_deref()
        .and_then(|id| capabilities.layer(id).ok());
    if let Some(layer) = layer {
        ui.separator();
        layer_ui(ui, form, view, capabilities, layer, &mut commands);
    }
    if let Some(added) = view.added {
        ui.label(added);
    }
    commands
}

/// The URL, the preset, Load and where reading stands.
fn source_ui(ui: &mut Ui, form: &mut WmtsForm, view: &WmtsView<'_>, commands: &mut Vec<Command>) {
    let label = ui.label(URL_LABEL);
    ui.add(
        egui::TextEdit::singleline(&mut form.url)
            .hint_text("https://…/WMTSCapabilities.xml")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let loading = matches!(view.status, WmtsStatus::Loading(_));
    let url = form.url.trim().to_owned();
    let valid = url.starts_with("http://") || url.starts_with("https://");
    ui.horizontal(|ui| {
        if ui
            .add_enabled(valid && !loading, egui::Button::new(LOAD_LABEL))
            .clicked()
        {
            commands.push(WmtsCommand::Load(url.clone()).into());
        }
        if ui
            .button(GIBS_LABEL)
            .on_hover_text("Daily global imagery from NASA's Earth observing satellites")
            .clicked()
        {
            GIBS_URL.clone_into(&mut form.url);
        }
    });
    if !valid && !url.is_empty() {
        ui.label("The URL must start with http:// or https://.");
    }
    match view.status {
        WmtsStatus::Idle => {}
        WmtsStatus::Loading(url) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Reading {url}…"));
            });
        }
        WmtsStatus::Loaded(count) => {
            let title = view
                .capabilities
                .and_then(|c| c.title.as_deref())
                .unwrap_or("the service");
            ui.label(format!("{count} layer(s) from {title}."));
        }
        WmtsStatus::Failed(why) => {
            ui.label(RichText::new(why).color(Color32::from_rgb(0xd0, 0x40, 0x30)));
        }
    }
}

/// The layers matching the filter; a click chooses one.
fn layer_list_ui(ui: &mut Ui, form: &mut WmtsForm, capabilities: &Capabilities) {
    let label = ui.label(FILTER_LABEL);
    ui.add(egui::TextEdit::singleline(&mut form.filter).hint_text("title or identifier"))
        .labelled_by(label.id);
    let needle = form.filter.trim().to_lowercase();
    let matches = |layer: &&WmtsLayer| {
        needle.is_empty()
            || layer.identifier.to_lowercase().contains(&needle)
            || layer
                .title
                .as_deref()
                .is_some_and(|t| t.to_lowercase().contains(&needle))
    };
    let shown: Vec<&WmtsLayer> = capabilities.layers.iter().filter(matches).collect();
    ui.label(format!(
        "{} of {} layer(s)",
        shown.len(),
        capabilities.layers.len()
    ));
    egui::ScrollArea::vertical()
        .id_salt("sitewatch-wmts-layers")
        .max_height(220.0)
        .show(ui, |ui| {
            for layer in shown {
                let title = layer.title.as_deref().unwrap_or(&layer.identifier);
                let chosen = form.selected.as_deref() == Some(layer.identifier.as_str());
                let mut row =
                    ui.selectable_label(chosen, format!("{title} ({})", layer.identifier));
                if let Some(text) = &layer.abstract_text {
                    row = row.on_hover_text(text);
                }
                if row.clicked() {
                    let sets = matrix_set_choices(capabilities, layer);
                    form.select(layer, &sets);
                }
            }
        });
}

/// The chosen layer's style, format, tile matrix set and dates; Add and Add dated series.
fn layer_ui(
    ui: &mut Ui,
    form: &mut WmtsForm,
    view: &WmtsView<'_>,
    capabilities: &Capabilities,
    layer: &WmtsLayer,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new(format!("Layer {}", layer.identifier)).strong());
    let styles: Vec<String> = layer.styles.iter().map(|s| s.identifier.clone()).collect();
    choice_ui(ui, "Style", &mut form.style, &styles);
    choice_ui(ui, "Image format", &mut form.format, &layer.formats);
    let sets = matrix_set_choices(capabilities, layer);
    egui::ComboBox::from_label("Tile matrix set")
        .selected_text(form.matrix_set.as_str())
        .show_ui(ui, |ui| {
            for set in &sets {
                match &set.unusable {
                    None => {
                        ui.selectable_value(
                            &mut form.matrix_set,
                            set.identifier.clone(),
                            &set.identifier,
                        );
                    }
                    Some(why) => {
                        ui.add_enabled(
                            false,
                            egui::Button::selectable(false, format!("{} — {why}", set.identifier)),
                        );
                    }
                }
            }
        });
    let usable = sets.iter().any(|s| s.unusable.is_none());
    if !usable {
        ui.label(
            RichText::new(format!(
                "No Web Mercator tile matrix set: the map cannot draw {}.",
                layer.identifier
            ))
            .color(Color32::from_rgb(0xd0, 0x40, 0x30)),
        );
    }
    let time = layer.time();
    let mut range = None;
    let mut count = None;
    if let Some(time) = time {
        ui.horizontal(|ui| {
            let label = ui.label(FROM_LABEL);
            ui.add(egui::TextEdit::singleline(&mut form.from).desired_width(90.0))
                .labelled_by(label.id);
            let label = ui.label(TO_LABEL);
            ui.add(egui::TextEdit::singleline(&mut form.to).desired_width(90.0))
                .labelled_by(label.id);
        });
        match form.range() {
            Ok(days) => {
                let values = time_values(&time.values, Some(days), usize::MAX);
                ui.label(dates_text(&values, view.date));
                range = Some(days);
                count = Some(values.len());
            }
            Err(why) => {
                ui.label(why);
            }
        }
    }
    let dated_ok = time.is_none() || range.is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(usable && dated_ok, egui::Button::new(ADD_LABEL))
            .on_hover_text("For a dated layer: the value nearest the slider's day")
            .clicked()
            && let Some(choice) = form.choice(range)
        {
            commands.push(WmtsCommand::Add(Box::new(choice)).into());
        }
        if time.is_some()
            && ui
                .add_enabled(
                    usable && count.is_some_and(|n| n > 0),
                    egui::Button::new(ADD_SERIES_LABEL),
                )
                .on_hover_text("Every date in the range, as dated layers on one track")
                .clicked()
            && let Some(choice) = form.choice(range)
        {
            commands.push(WmtsCommand::AddSeries(Box::new(choice)).into());
        }
    });
}

/// A combo box over `options`; `value` empty shows the first.
fn choice_ui(ui: &mut Ui, label: &str, value: &mut String, options: &[String]) {
    if options.is_empty() {
        return;
    }
    egui::ComboBox::from_label(label)
        .selected_text(value.as_str())
        .show_ui(ui, |ui| {
            for option in options {
                ui.selectable_value(value, option.clone(), option);
            }
        });
}

/// "3 date(s) in the range, 2025-05-02 to 2025-08-20; nearest the slider: 2025-06-11".
fn dates_text(values: &[(NaiveDate, String)], date: NaiveDate) -> String {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return "No dates in the range.".to_owned();
    };
    let nearest = nearest_value(values, date).map_or(String::new(), |(day, _)| {
        format!("; nearest the slider: {day}")
    });
    let capped = if values.len() > MAX_SERIES {
        format!(" (a series adds the newest {MAX_SERIES})")
    } else {
        String::new()
    };
    format!(
        "{} date(s) in the range, {} to {}{nearest}{capped}",
        values.len(),
        first.0,
        last.0
    )
}
