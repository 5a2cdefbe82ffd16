//! The Find imagery window: where to search (Earth Search, the Planetary Computer, any STAC API
//! by URL, or a STAC file), the collection, the dates and the cloud cover; "Search this view",
//! the search's progress with Cancel, why it failed; the results with Add and Add series.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};

use crate::command::{Command, FindImageryCommand, ImagerySearch, ImagerySource};
use crate::imagery::stac::{Composite, SearchParams, StacApi, Thinning};
use crate::spatial::LonLatBox;

/// Accessible label of the source choice "Earth Search".
pub const EARTH_SEARCH_LABEL: &str = "Earth Search (Sentinel-2 L2A)";
/// Accessible label of the source choice "Planetary Computer".
pub const PLANETARY_COMPUTER_LABEL: &str = "Planetary Computer";
/// Accessible label of the source choice "custom STAC API".
pub const CUSTOM_LABEL: &str = "STAC API at a URL";
/// Accessible label of the custom API URL field.
pub const URL_LABEL: &str = "API URL";
/// Accessible label of the collection field (custom API).
pub const COLLECTION_LABEL: &str = "Collection id";
/// Accessible label of the first day field.
pub const FROM_LABEL: &str = "Imagery from";
/// Accessible label of the last day field.
pub const TO_LABEL: &str = "Imagery to";
/// Accessible label of the maximum cloud cover slider.
pub const CLOUD_LABEL: &str = "Max cloud cover (%)";
/// Accessible label of the button that searches.
pub const SEARCH_LABEL: &str = "Search this view";
/// Accessible label of the button that opens a STAC file.
pub const OPEN_FILE_LABEL: &str = "Open STAC file…";
/// Accessible label of the button that stops a search.
pub const CANCEL_LABEL: &str = "Cancel search";
/// Accessible label of the button that adds the selected result.
pub const ADD_LABEL: &str = "Add";
/// Accessible label of the button that adds every result as a series.
pub const ADD_SERIES_LABEL: &str = "Add series";
/// Label of the choice that adds true-colour pictures (visual COGs, else red/green/blue bands).
pub const TRUE_COLOUR_LABEL: &str = "True colour";
/// Label of the choice that adds false-colour pictures (near-infrared, red, green bands).
pub const FALSE_COLOUR_LABEL: &str = "False colour (NIR)";
/// Items asked for per page.
const PAGE_LIMIT: u32 = 100;

/// Which source the form searches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SourceKind {
    /// Earth Search.
    #[default]
    EarthSearch,
    /// The Planetary Computer.
    PlanetaryComputer,
    /// A STAC API by URL.
    Custom,
}

/// The form between frames.
#[derive(Clone, Debug)]
pub struct FindForm {
    /// Which source.
    pub source: SourceKind,
    /// The custom API's root URL.
    pub custom_url: String,
    /// The collection id (a preset's choice, or typed for a custom API; empty: all).
    pub collection: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Whether the cloud cover filter applies.
    pub cloud_filter: bool,
    /// Maximum cloud cover, percent.
    pub max_cloud: f64,
    /// How Add series thins the results.
    pub thinning: Thinning,
    /// Which picture Add and Add series make of each scene.
    pub composite: Composite,
}

impl Default for FindForm {
    fn default() -> Self {
        Self {
            source: SourceKind::EarthSearch,
            custom_url: String::new(),
            collection: "sentinel-2-l2a".to_owned(),
            from: String::new(),
            to: String::new(),
            cloud_filter: true,
            max_cloud: 30.0,
            thinning: Thinning::Every,
            composite: Composite::TrueColour,
        }
    }
}

impl FindForm {
    /// The preset API of the chosen source (`None` for a custom one).
    fn preset(&self) -> Option<StacApi> {
        match self.source {
            SourceKind::EarthSearch => Some(StacApi::earth_search()),
            SourceKind::PlanetaryComputer => Some(StacApi::planetary_computer()),
            SourceKind::Custom => None,
        }
    }

    /// The search the form describes over `view`, or why it cannot be made.
    pub fn search(&self, view: LonLatBox) -> Result<ImagerySearch, String> {
        let (from, to) = super::day_range::day_range(&self.from, &self.to)?;
        let source = match self.source {
            SourceKind::EarthSearch => ImagerySource::EarthSearch,
            SourceKind::PlanetaryComputer => ImagerySource::PlanetaryComputer,
            SourceKind::Custom => {
                let url = self.custom_url.trim();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err("The STAC API URL must start with http:// or https://.".to_owned());
                }
                ImagerySource::Custom(url.to_owned())
            }
        };
        let collection = self.collection.trim();
        let cloud_applies = self.preset().is_none_or(|api| {
            api.collections
                .iter()
                .find(|c| c.id == collection)
                .is_none_or(|c| c.has_cloud_cover)
        });
        Ok(ImagerySearch {
            source,
            params: SearchParams {
                bbox_lonlat: [view.west, view.south, view.east, view.north],
                dates: Some((from, to)),
                collections: if collection.is_empty() {
                    Vec::new()
                } else {
                    vec![collection.to_owned()]
                },
                limit: PAGE_LIMIT,
                max_cloud_cover: (self.cloud_filter && cloud_applies).then_some(self.max_cloud),
            },
        })
    }
}

/// Where the last search stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SearchStatus {
    /// Nothing searched yet.
    #[default]
    Idle,
    /// Searching (or reading a file): what.
    Searching(String),
    /// Found this many items; with what to add about it (pages, more left, skipped links).
    Done {
        /// Items found.
        found: usize,
        /// Pages read, the page cap, a failed later page.
        detail: String,
    },
    /// Why the search failed.
    Failed(String),
    /// Stopped by Cancel.
    Cancelled,
}

/// One result row.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    /// Acquisition day, or `None` when the item has no date.
    pub date: Option<NaiveDate>,
    /// `sentinel-2a`…
    pub platform: String,
    /// Cloud cover in percent, when known.
    pub cloud_cover: Option<f64>,
    /// The item id.
    pub id: String,
    /// Its preview picture.
    pub preview: crate::ui::find_imagery_thumb::RowPreview,
    /// How clear it is over the view.
    pub clear: RowClear,
}

/// What a result's Clear column shows: the share of the view its scene classification band
/// finds free of cloud and cloud shadow.
#[derive(Clone, Debug, PartialEq)]
pub enum RowClear {
    /// The item has no scene classification band.
    NoBand,
    /// Being read.
    Reading,
    /// Read.
    Known {
        /// Clear share of the view, percent.
        percent: f64,
        /// The whole answer, for the hover text.
        detail: String,
    },
    /// The view is off the scene, or all nodata there.
    Outside,
    /// Why it could not be read.
    Failed(String),
}

/// What the window shows besides the form.
pub struct FindView<'a> {
    /// The map's view, searched by "Search this view".
    pub view_box: Option<LonLatBox>,
    /// Where the search stands.
    pub status: &'a SearchStatus,
    /// The results.
    pub rows: &'a [ResultRow],
    /// The selected result.
    pub selected: Option<usize>,
    /// What the last Add said.
    pub added: Option<&'a str>,
}

/// The window's contents; returns what the user asked for.
pub fn find_imagery_ui(ui: &mut Ui, form: &mut FindForm, view: &FindView<'_>) -> Vec<Command> {
    let mut out = Vec::new();
    let searching = matches!(view.status, SearchStatus::Searching(_));
    source_ui(ui, form);
    ui.horizontal(|ui| {
        let label = ui.label("From");
        ui.add(egui::TextEdit::singleline(&mut form.from).desired_width(90.0))
            .labelled_by(label.id)
            .on_hover_text(FROM_LABEL);
        let label = ui.label("to");
        ui.add(egui::TextEdit::singleline(&mut form.to).desired_width(90.0))
            .labelled_by(label.id)
            .on_hover_text(TO_LABEL);
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut form.cloud_filter, "");
        ui.add_enabled(
            form.cloud_filter,
            egui::Slider::new(&mut form.max_cloud, 0.0..=100.0)
                .integer()
                .text(CLOUD_LABEL),
        );
    });
    let search = view
        .view_box
        .ok_or_else(|| "The map has not been drawn yet.".to_owned())
        .and_then(|b| form.search(b));
    ui.horizontal(|ui| {
        let button = ui.add_enabled(
            search.is_ok() && !searching,
            egui::Button::new(SEARCH_LABEL),
        );
        if button.clicked()
            && let Ok(search) = &search
        {
            out.push(FindImageryCommand::Search(Box::new(search.clone())).into());
        }
        if ui
            .add_enabled(!searching, egui::Button::new(OPEN_FILE_LABEL))
            .on_hover_text("A saved search (item collection) or a static catalogue")
            .clicked()
        {
            out.push(FindImageryCommand::OpenFileDialog.into());
        }
    });
    if let Err(why) = &search {
        ui.label(RichText::new(why).color(Color32::from_rgb(0xE6, 0x9F, 0x00)));
    }
    status_ui(ui, view.status, &mut out);
    ui.separator();
    crate::ui::find_imagery_results::results_ui(ui, form, view, &mut out);
    out
}

fn source_ui(ui: &mut Ui, form: &mut FindForm) {
    let before = form.source;
    ui.radio_value(
        &mut form.source,
        SourceKind::EarthSearch,
        EARTH_SEARCH_LABEL,
    );
    ui.radio_value(
        &mut form.source,
        SourceKind::PlanetaryComputer,
        PLANETARY_COMPUTER_LABEL,
    );
    ui.radio_value(&mut form.source, SourceKind::Custom, CUSTOM_LABEL);
    if form.source != before {
        form.collection = form
            .preset()
            .and_then(|api| api.collections.first().map(|c| c.id.clone()))
            .unwrap_or_default();
    }
    if let Some(api) = form.preset() {
        ui.horizontal(|ui| {
            ui.label("Collection");
            let shown = api
                .collections
                .iter()
                .find(|c| c.id == form.collection)
                .map_or(form.collection.clone(), |c| c.label.clone());
            egui::ComboBox::from_id_salt("find-imagery-collection")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for c in &api.collections {
                        ui.selectable_value(&mut form.collection, c.id.clone(), &c.label);
                    }
                });
        });
    } else {
        ui.horizontal(|ui| {
            let label = ui.label(URL_LABEL);
            ui.add(
                egui::TextEdit::singleline(&mut form.custom_url)
                    .hint_text("https://…/stac/v1")
                    .desired_width(260.0),
            )
            .labelled_by(label.id)
            .on_hover_text(URL_LABEL);
        });
        ui.horizontal(|ui| {
            let label = ui.label(COLLECTION_LABEL);
            ui.add(
                egui::TextEdit::singleline(&mut form.collection)
                    .hint_text("all")
                    .desired_width(160.0),
            )
            .labelled_by(label.id)
            .on_hover_text(COLLECTION_LABEL);
        });
    }
}

fn status_ui(ui: &mut Ui, status: &SearchStatus, out: &mut Vec<Command>) {
    match status {
        SearchStatus::Idle => {}
        SearchStatus::Searching(what) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(what);
                if ui.button(CANCEL_LABEL).clicked() {
                    out.push(FindImageryCommand::Cancel.into());
                }
            });
        }
        SearchStatus::Done { found, detail } => {
            ui.label(format!("{found} scene(s) found. {detail}"));
        }
        SearchStatus::Failed(why) => {
            ui.label(RichText::new(format!("⚠ {why}")).color(Color32::from_rgb(0xD5, 0x5E, 0x00)));
        }
        SearchStatus::Cancelled => {
            ui.label("Search cancelled.");
        }
    }
}
