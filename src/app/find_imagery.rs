//! The Find imagery window in the app: a STAC search (or a STAC file read) on a worker with a
//! spinner and Cancel, its results listed and their footprints drawn over the map through a
//! display list (never in exports), and Add / Add series as one undoable edit.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use chrono::{Datelike as _, Duration};
use egui::{Key, Modifiers};

use super::find_imagery_clear::ClearSkies;
use super::find_imagery_layers::layers_from_plans;
use super::find_imagery_thumbs::{PreviewSigning, Thumbs};
use super::map_overlay::paint_map_overlay;
use super::tool_window::ToolWindow;
use super::{SitewatchApp, error_chain};
use crate::command::{Command, FindImageryCommand, ImagerySearch, ImagerySource};
use crate::imagery::stac::{
    Item, PlanOptions, Signing, StacApi, StacClient, Thinning, plan_layer, plan_series_over_view,
    read_items_file,
};
use crate::render::lower::footprints::{FootprintMark, lower_footprints};
use crate::spatial::LonLatBox;
use crate::ui::find_imagery::{FindForm, FindView, ResultRow, SearchStatus, find_imagery_ui};

/// What a search or a file read found.
struct Found {
    items: Vec<Item>,
    /// The search URL or the file, naming items in messages and notes.
    origin: String,
    /// How the assets are signed when read.
    signing: Signing,
    /// Pages read, the page cap, a failed later page, links not followed.
    detail: String,
    /// The box searched (a file read: the map's view when it was opened), over which the
    /// results' clear shares are read.
    view: Option<LonLatBox>,
}

/// The window's state between frames.
#[derive(Default)]
pub(crate) struct FindImageryState {
    /// Whether the window and the footprints show.
    open: bool,
    /// The form.
    form: FindForm,
    /// Where the last search stands.
    status: SearchStatus,
    /// The items found, in the server's order.
    items: Vec<Item>,
    /// Where they were found.
    origin: String,
    /// How their assets are signed when read.
    signing: Signing,
    /// The selected result.
    selected: Option<usize>,
    /// What the last Add said.
    added: Option<String>,
    /// The search in progress; dropping it cancels (its answer is never read).
    job: Option<Receiver<Result<Found, String>>>,
    /// The file dialog in progress.
    dialog: Option<Receiver<Option<PathBuf>>>,
    /// The results' previews.
    thumbs: Thumbs,
    /// How clear the results are over the view.
    clear: ClearSkies,
}

impl SitewatchApp {
    /// Whether the Find imagery window is open.
    #[must_use]
    pub fn find_imagery_open(&self) -> bool {
        self.find_imagery.open
    }

    /// Where the last imagery search stands.
    #[must_use]
    pub fn find_imagery_status(&self) -> &SearchStatus {
        &self.find_imagery.status
    }

    /// The scenes the last imagery search found.
    #[must_use]
    pub fn find_imagery_results(&self) -> &[Item] {
        &self.find_imagery.items
    }

    /// How many result previews are still waiting or loading.
    #[must_use]
    pub fn find_imagery_previews_pending(&self) -> usize {
        self.find_imagery.thumbs.pending()
    }

    /// How clear result `id` is over the searched view, once its scene classification band
    /// has been read (`None` before, without one, or off the view).
    #[must_use]
    pub fn find_imagery_clear(&self, id: &str) -> Option<crate::imagery::stac::ClearSky> {
        self.find_imagery.clear.clear(id)
    }

    /// How many results' scene classification bands are still being read.
    #[must_use]
    pub fn find_imagery_clear_pending(&self) -> usize {
        self.find_imagery.clear.pending()
    }

    /// What the last Add or Add series said (how many layers, which items were skipped).
    #[must_use]
    pub fn find_imagery_added(&self) -> Option<&str> {
        self.find_imagery.added.as_deref()
    }

    pub(crate) fn apply_find_imagery(&mut self, ctx: &egui::Context, command: FindImageryCommand) {
        match command {
            FindImageryCommand::Toggle => {
                self.find_imagery.open = !self.find_imagery.open;
                if self.find_imagery.open && self.find_imagery.form.from.is_empty() {
                    self.default_search_dates();
                }
            }
            FindImageryCommand::Close => self.find_imagery.open = false,
            FindImageryCommand::Search(search) => self.start_search(ctx, *search),
            FindImageryCommand::OpenFileDialog => self.open_stac_file_dialog(ctx),
            FindImageryCommand::OpenFile(path) => self.start_file_read(ctx, path),
            FindImageryCommand::Cancel => {
                if self.find_imagery.job.take().is_some() {
                    self.find_imagery.status = SearchStatus::Cancelled;
                }
            }
            FindImageryCommand::Select(i) => {
                self.find_imagery.selected = i.filter(|&i| i < self.find_imagery.items.len());
            }
            FindImageryCommand::Add => self.add_selected(ctx),
            FindImageryCommand::AddSeries(thinning) => self.add_series(ctx, thinning),
        }
    }

    /// A year before the project's first stage (or today) to today.
    fn default_search_dates(&mut self) {
        let today = chrono::Local::now().date_naive();
        let first = self.project.stages.first().map_or(today, |s| s.date.key());
        let from = first
            .with_year(first.year() - 1)
            .unwrap_or(first - Duration::days(365));
        self.find_imagery.form.from = from.to_string();
        self.find_imagery.form.to = today.max(first).to_string();
    }

    /// Starts a search on a worker; one already going is dropped.
    fn start_search(&mut self, ctx: &egui::Context, search: ImagerySearch) {
        let api = match &search.source {
            ImagerySource::EarthSearch => StacApi::earth_search(),
            ImagerySource::PlanetaryComputer => StacApi::planetary_computer(),
            ImagerySource::Custom(url) => StacApi::custom(url.clone()),
            ImagerySource::Api(api) => (**api).clone(),
        };
        let origin = api.search_url();
        let signing = api.signing.clone();
        let view = LonLatBox::try_from(search.params.bbox_lonlat).ok();
        let what = format!("Searching {}…", api.name);
        self.run_job(ctx, what, move || {
            let results = StacClient::new(api)
                .search(&search.params)
                .map_err(|e| error_chain(&e))?;
            let mut detail = format!("{} page(s) read.", results.pages);
            if results.more_available {
                detail
                    .push_str(" More are left past the page limit: narrow the dates or the view.");
            }
            if let Some(err) = &results.page_error {
                let _ = write!(detail, " A later page failed: {}", error_chain(err));
            }
            Ok(Found {
                items: results.items,
                origin,
                signing,
                detail,
                view,
            })
        });
    }

    /// Reads an item collection or catalogue file on a worker.
    fn start_file_read(&mut self, ctx: &egui::Context, path: PathBuf) {
        let what = format!("Reading {}…", path.display());
        let view = self
            .editor
            .map_view()
            .as_ref()
            .and_then(super::changes::view_box);
        self.run_job(ctx, what, move || {
            let read = read_items_file(&path).map_err(|e| error_chain(&e))?;
            let mut detail = String::new();
            if read.remote_links_skipped > 0 {
                let _ = write!(
                    detail,
                    "{} link(s) to URLs not followed. ",
                    read.remote_links_skipped
                );
            }
            if read.links_over_limit > 0 {
                let _ = write!(
                    detail,
                    "{} link(s) past the catalogue limits not followed.",
                    read.links_over_limit
                );
            }
            Ok(Found {
                items: read.items,
                origin: path.display().to_string(),
                signing: Signing::None,
                detail,
                view,
            })
        });
    }

    fn run_job(
        &mut self,
        ctx: &egui::Context,
        what: String,
        work: impl FnOnce() -> Result<Found, String> + Send + 'static,
    ) {
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        std::thread::spawn(move || {
            // A cancelled search's receiver is gone: its answer is dropped here.
            let _ = tx.send(work());
            repaint.request_repaint();
        });
        self.find_imagery.job = Some(rx);
        self.find_imagery.status = SearchStatus::Searching(what);
    }

    /// Takes a finished search's answer, and a picked file.
    fn poll_find_imagery(&mut self, ctx: &egui::Context) {
        let state = &mut self.find_imagery;
        if let Some(rx) = &state.job {
            match rx.try_recv() {
                Ok(Ok(found)) => {
                    state.status = SearchStatus::Done {
                        found: found.items.len(),
                        detail: found.detail,
                    };
                    let signing = PreviewSigning::of(&found.signing, &found.origin);
                    state.thumbs.reset(&found.items, signing);
                    state
                        .clear
                        .reset(ctx, &found.items, found.view, &found.signing);
                    state.items = found.items;
                    state.origin = found.origin;
                    state.signing = found.signing;
                    state.selected = None;
                    state.added = None;
                    state.job = None;
                }
                Ok(Err(why)) => {
                    state.status = SearchStatus::Failed(why);
                    state.job = None;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    state.status = SearchStatus::Failed("The search stopped unexpectedly.".into());
                    state.job = None;
                }
            }
        }
        let picked = state.dialog.as_ref().map(Receiver::try_recv);
        match picked {
            Some(Ok(path)) => {
                state.dialog = None;
                if let Some(path) = path {
                    self.start_file_read(ctx, path);
                }
            }
            Some(Err(TryRecvError::Disconnected)) => state.dialog = None,
            Some(Err(TryRecvError::Empty)) | None => {}
        }
    }

    fn open_stac_file_dialog(&mut self, ctx: &egui::Context) {
        if self.find_imagery.dialog.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Open a STAC item collection or catalogue")
                .add_filter("STAC JSON", &["json", "geojson"])
                .pick_file();
            let _ = tx.send(picked);
            ctx.request_repaint();
        });
        self.find_imagery.dialog = Some(rx);
    }

    fn add_selected(&mut self, ctx: &egui::Context) {
        let state = &self.find_imagery;
        let Some(item) = state.selected.and_then(|i| state.items.get(i)) else {
            return;
        };
        let options = PlanOptions {
            composite: state.form.composite,
            ..PlanOptions::default()
        };
        let (plans, mut skipped) = match plan_layer(item, options, &state.origin) {
            Ok(plan) => (vec![plan], Vec::new()),
            Err(e) => (Vec::new(), vec![error_chain(&e)]),
        };
        self.add_plans(ctx, &plans, &mut skipped);
    }

    fn add_series(&mut self, ctx: &egui::Context, thinning: Thinning) {
        let state = &self.find_imagery;
        let clear = &state.clear;
        let series = plan_series_over_view(
            &state.items,
            PlanOptions {
                composite: state.form.composite,
                ..PlanOptions::default()
            },
            thinning,
            &state.origin,
            &|id| clear.clear(id).map(|sky| sky.clear),
        );
        let mut skipped: Vec<String> = series.skipped.iter().map(|e| error_chain(e)).collect();
        self.add_plans(ctx, &series.layers, &mut skipped);
    }

    /// Adds `plans` as layers in one edit and says what was added and what was not.
    fn add_plans(
        &mut self,
        ctx: &egui::Context,
        plans: &[crate::imagery::stac::StacLayerPlan],
        skipped: &mut Vec<String>,
    ) {
        let taken: Vec<String> = self.project.layers.iter().map(|l| l.id.clone()).collect();
        let signing = &self.find_imagery.signing;
        let signing = (*signing != Signing::None).then_some(signing);
        let mut outcome = layers_from_plans(plans, &self.find_imagery.origin, signing, &taken);
        skipped.append(&mut outcome.skipped);
        outcome.skipped = std::mem::take(skipped);
        self.find_imagery.added = Some(outcome.summary());
        if let Some(edit) = outcome.edit(self.project.layers.len()) {
            self.apply(ctx, Command::edit(edit));
        }
    }

    /// I opens and closes the window.
    pub(crate) fn find_imagery_keys(ctx: &egui::Context) -> Vec<Command> {
        if ctx.text_edit_focused() {
            return Vec::new();
        }
        let mut out = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::I) {
                out.push(FindImageryCommand::Toggle.into());
            }
        });
        out
    }

    /// The window, when open; what it asks for.
    pub(crate) fn find_imagery_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        self.poll_find_imagery(ctx);
        if !self.find_imagery.open {
            return Vec::new();
        }
        self.find_imagery.thumbs.pump(ctx);
        self.find_imagery.clear.pump();
        let (thumbs, clear) = (&self.find_imagery.thumbs, &self.find_imagery.clear);
        let rows: Vec<ResultRow> = self
            .find_imagery
            .items
            .iter()
            .map(|item| row(item, thumbs, clear))
            .collect();
        let view_box = self
            .editor
            .map_view()
            .as_ref()
            .and_then(super::changes::view_box);
        let map = self.editor.map_view().map(|v| v.rect);
        let state = &mut self.find_imagery;
        let view = FindView {
            view_box,
            status: &state.status,
            rows: &rows,
            selected: state.selected,
            added: state.added.as_deref(),
        };
        ToolWindow {
            title: "Find imagery",
            id: "sitewatch-find-imagery",
            width: 440.0,
            close: FindImageryCommand::Close.into(),
        }
        .show(ctx, map, |ui| find_imagery_ui(ui, &mut state.form, &view))
    }

    /// The results' footprints over the map, the selected one highlighted: a display list of
    /// the window's own, so no export ever draws them.
    pub(crate) fn paint_footprints(&self, ui: &egui::Ui, map: egui::Rect) {
        let state = &self.find_imagery;
        if !state.open || state.items.is_empty() {
            return;
        }
        let Some(view) = self.editor.map_view() else {
            return;
        };
        let rings: Vec<Vec<Vec<[f64; 2]>>> = state.items.iter().map(footprint).collect();
        let marks: Vec<FootprintMark<'_>> = rings
            .iter()
            .enumerate()
            .map(|(i, rings)| FootprintMark {
                rings_lonlat: rings,
                selected: state.selected == Some(i),
            })
            .collect();
        paint_map_overlay(ui, map, &view, |list, to_px| {
            lower_footprints(list, &marks, to_px);
        });
    }
}

/// An item's footprint rings, or its bounding box when it has no geometry.
fn footprint(item: &Item) -> Vec<Vec<[f64; 2]>> {
    let rings = item.footprint_rings();
    if !rings.is_empty() {
        return rings;
    }
    item.bbox_lonlat()
        .map(|[w, s, e, n]| vec![vec![[w, s], [e, s], [e, n], [w, n]]])
        .unwrap_or_default()
}

/// An item as a result row.
fn row(item: &Item, thumbs: &Thumbs, clear: &ClearSkies) -> ResultRow {
    ResultRow {
        date: item.acquired().map(|d| d.date_naive()),
        platform: item.properties.platform.clone().unwrap_or_default(),
        cloud_cover: item.properties.cloud_cover,
        id: item.id.clone(),
        preview: thumbs.preview(item),
        clear: clear.row(&item.id),
    }
}
