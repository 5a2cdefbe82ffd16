//! The Add WMTS layers window in the app: the capabilities read on a worker (a spinner while it
//! runs, never blocking a frame), a fault said in one line naming the URL once, and Add / Add
//! dated series as one undoable edit.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use super::tool_window::ToolWindow;
use super::{SitewatchApp, error_chain};
use crate::command::{Command, WmtsChoice, WmtsCommand};
use crate::editing::Edit;
use crate::imagery::wmts::{Capabilities, fetch_capabilities, series_layers, single_layer};
use crate::model::ImageryLayer;
use crate::ui::wmts::{WmtsForm, WmtsStatus, WmtsView, wmts_ui};

/// The window's state between frames.
#[derive(Default)]
pub(crate) struct WmtsState {
    /// Whether the window shows.
    open: bool,
    /// The form.
    form: WmtsForm,
    /// Where reading stands.
    status: WmtsStatus,
    /// The service read last.
    capabilities: Option<Arc<Capabilities>>,
    /// What the last Add said.
    added: Option<String>,
    /// The read in progress; a newer Load drops it (its answer is never read).
    job: Option<Receiver<Result<Capabilities, String>>>,
    /// How long a read may take (the HTTP default when `None`; tests shorten it).
    timeout: Option<Duration>,
}

impl SitewatchApp {
    /// Whether the WMTS window is open.
    #[must_use]
    pub fn wmts_open(&self) -> bool {
        self.wmts.open
    }

    /// Where reading the capabilities stands.
    #[must_use]
    pub fn wmts_status(&self) -> &WmtsStatus {
        &self.wmts.status
    }

    /// The service read last.
    #[must_use]
    pub fn wmts_capabilities(&self) -> Option<&Capabilities> {
        self.wmts.capabilities.as_deref()
    }

    /// What the last Add or Add dated series said.
    #[must_use]
    pub fn wmts_added(&self) -> Option<&str> {
        self.wmts.added.as_deref()
    }

    /// Gives up reading capabilities after `timeout` (tests use a short one against a server
    /// that never answers).
    pub fn set_wmts_timeout(&mut self, timeout: Duration) {
        self.wmts.timeout = Some(timeout);
    }

    pub(crate) fn apply_wmts(&mut self, ctx: &egui::Context, command: WmtsCommand) {
        match command {
            WmtsCommand::Toggle => {
                self.wmts.open = !self.wmts.open;
                if self.wmts.open && self.wmts.form.from.is_empty() {
                    self.default_wmts_dates();
                }
            }
            WmtsCommand::Close => self.wmts.open = false,
            WmtsCommand::Load(url) => self.start_wmts_load(ctx, url),
            WmtsCommand::Add(choice) => self.add_wmts(ctx, &choice, false),
            WmtsCommand::AddSeries(choice) => self.add_wmts(ctx, &choice, true),
        }
    }

    /// The timeline's range: the first stage to the last (the slider's day without stages).
    fn default_wmts_dates(&mut self) {
        let (first, last) =
            crate::model::timeline::date_range(&self.project).unwrap_or((self.date, self.date));
        self.wmts.form.from = first.to_string();
        self.wmts.form.to = last.to_string();
    }

    fn start_wmts_load(&mut self, ctx: &egui::Context, url: String) {
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        let timeout = self.wmts.timeout;
        let target = url.clone();
        std::thread::spawn(move || {
            let read = fetch_capabilities(&target, timeout).map_err(|e| error_chain(&e));
            // A replaced read's receiver is gone: its answer is dropped here.
            let _ = tx.send(read);
            repaint.request_repaint();
        });
        self.wmts.job = Some(rx);
        self.wmts.status = WmtsStatus::Loading(url);
        self.wmts.added = None;
    }

    fn poll_wmts(&mut self) {
        let state = &mut self.wmts;
        let Some(rx) = &state.job else {
            return;
        };
        match rx.try_recv() {
            Ok(Ok(capabilities)) => {
                state.status = WmtsStatus::Loaded(capabilities.layers.len());
                state.capabilities = Some(Arc::new(capabilities));
                state.form.selected = None;
                state.job = None;
            }
            Ok(Err(why)) => {
                state.status = WmtsStatus::Failed(why);
                state.job = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                state.status = WmtsStatus::Failed("Reading the capabilities stopped.".to_owned());
                state.job = None;
            }
        }
    }

    /// Adds the chosen layer (or its series) as one edit and says what was added.
    fn add_wmts(&mut self, ctx: &egui::Context, choice: &WmtsChoice, series: bool) {
        let Some(capabilities) = self.wmts.capabilities.clone() else {
            return;
        };
        let taken = |id: &str| self.project.layers.iter().any(|l| l.id == id);
        let made: Result<Vec<ImageryLayer>, _> = if series {
            series_layers(
                &capabilities,
                &choice.layer,
                &choice.options,
                choice.range,
                &taken,
            )
        } else {
            single_layer(
                &capabilities,
                &choice.layer,
                &choice.options,
                choice.range,
                self.date,
                &taken,
            )
            .map(|layer| vec![layer])
        };
        let layers = match made {
            Ok(layers) => layers,
            Err(e) => {
                self.wmts.added = Some(format!("Not added: {}", error_chain(&e)));
                return;
            }
        };
        self.wmts.added = Some(match layers.as_slice() {
            [] => "No dates in the range: nothing added.".to_owned(),
            [one] => format!("Added {}.", one.name),
            many => format!(
                "Added {} dated layer(s) on the track {}.",
                many.len(),
                many.first().map_or("", |l| l.track.as_str())
            ),
        });
        if layers.is_empty() {
            return;
        }
        let existing = self.project.layers.len();
        let edits = layers
            .into_iter()
            .enumerate()
            .map(|(n, layer)| Edit::AddLayer {
                index: existing + n,
                layer: Box::new(layer),
            })
            .collect();
        self.apply(ctx, Command::edit(Edit::Batch(edits)));
    }

    /// The window, when open; what it asks for.
    pub(crate) fn wmts_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        self.poll_wmts();
        if !self.wmts.open {
            return Vec::new();
        }
        let map = self.editor.map_view().map(|v| v.rect);
        let state = &mut self.wmts;
        let view = WmtsView {
            status: &state.status,
            capabilities: state.capabilities.as_deref(),
            date: self.date,
            added: state.added.as_deref(),
        };
        ToolWindow {
            title: "Add WMTS layers",
            id: "sitewatch-wmts-window",
            width: 360.0,
            close: WmtsCommand::Close.into(),
        }
        .show(ctx, map, |ui| wmts_ui(ui, &mut state.form, &view))
    }
}
