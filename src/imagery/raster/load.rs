//! Opening a raster off the UI thread: a [`RasterLoad`] runs the decode on its own thread and
//! the UI polls its progress (0–1), cancels it, and takes the finished source.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::RasterError;
use super::http_bytes::Retry;
use super::source::{OpenOptions, RasterTileSource};
use crate::imagery::tile_loader::Wakeup;
use crate::spatial::LonLatBox;

/// Steps of the progress fraction.
const STEPS: f64 = 1_000_000.0;

/// A load's progress and its cancel switch, shared between the loader and the UI.
#[derive(Default)]
pub struct Progress {
    millionths: AtomicU32,
    cancelled: AtomicBool,
    wakeup: Option<Wakeup>,
    /// True when the loader should offer a coarse preview before the full decode.
    wants_preview: bool,
    /// The preview offered and not yet taken.
    preview: Mutex<Option<RasterTileSource>>,
    /// Called on the loading thread once the preview is offered, before the full decode goes
    /// on (a test holds the decode there).
    after_preview: Option<Wakeup>,
    /// Where the map has moved to while the file loads, not yet seen by the loader; and the
    /// last place posted.
    focus: Mutex<(Option<LonLatBox>, Option<LonLatBox>)>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("fraction", &self.fraction())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Progress {
    /// At zero, not cancelled.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// At zero; `wakeup` is called (from the loading thread) each time another percent is done.
    pub fn with_wakeup(wakeup: Wakeup) -> Self {
        Self {
            wakeup: Some(wakeup),
            ..Self::default()
        }
    }

    /// The same, also asking for a coarse preview of a raster without overviews (see
    /// [`super::preview`]); `after_preview` runs on the loading thread right after it is offered.
    #[must_use]
    pub fn with_preview(self, after_preview: Option<Wakeup>) -> Self {
        Self {
            wants_preview: true,
            after_preview,
            ..self
        }
    }

    /// True when a preview is wanted.
    #[must_use]
    pub fn wants_preview(&self) -> bool {
        self.wants_preview
    }

    /// Offers the preview (from the loading thread): kept for [`Self::take_preview`], the UI
    /// woken.
    pub fn offer_preview(&self, preview: RasterTileSource) {
        *self.preview.lock().unwrap_or_else(PoisonError::into_inner) = Some(preview);
        if let Some(w) = &self.wakeup {
            w();
        }
        if let Some(hook) = &self.after_preview {
            hook();
        }
    }

    /// Offers a first stand-in before the preview proper (from the loading thread): kept for
    /// [`Self::take_preview`] until the preview replaces it, the UI woken; the preview hook is
    /// not run.
    pub fn offer_early(&self, early: RasterTileSource) {
        *self.preview.lock().unwrap_or_else(PoisonError::into_inner) = Some(early);
        if let Some(w) = &self.wakeup {
            w();
        }
    }

    /// Says where the map is now (from the UI, each frame while the file loads): the loader
    /// decodes full detail there next when it is a new place.
    pub fn set_focus(&self, focus: LonLatBox) {
        let mut slot = self.focus.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.1 != Some(focus) {
            *slot = (Some(focus), Some(focus));
        }
    }

    /// Where the map has moved to since the loader last looked, if it has.
    pub fn take_focus(&self) -> Option<LonLatBox> {
        self.focus
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .take()
    }

    /// The preview, once offered (once).
    pub fn take_preview(&self) -> Option<RasterTileSource> {
        self.preview
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Done so far, 0–1.
    pub fn fraction(&self) -> f32 {
        (f64::from(self.millionths.load(Ordering::Relaxed)) / STEPS) as f32
    }

    /// Records progress (never backwards).
    pub fn set(&self, fraction: f64) {
        let new = (fraction.clamp(0.0, 1.0) * STEPS) as u32;
        let old = self.millionths.fetch_max(new, Ordering::Relaxed);
        if new / 10_000 > old / 10_000
            && let Some(w) = &self.wakeup
        {
            w();
        }
    }

    /// Asks the load to stop at its next strip or tile.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

enum State {
    Running(JoinHandle<Result<RasterTileSource, RasterError>>),
    Done(Box<Result<RasterTileSource, RasterError>>),
    Taken,
}

/// A raster being opened on a background thread.
///
/// ```no_run
/// # use sitewatch::imagery::raster::{OpenOptions, RasterLoad};
/// let mut load = RasterLoad::start("site.tif", OpenOptions::default(), None);
/// // each frame:
/// let shown = load.progress(); // 0–1 for a progress bar
/// if let Some(result) = load.try_take() {
///     let source = result?; // an Arc of it becomes the layer's TileSource
/// }
/// # Ok::<(), sitewatch::imagery::raster::RasterError>(())
/// ```
pub struct RasterLoad {
    path: PathBuf,
    progress: Arc<Progress>,
    state: State,
}

impl RasterLoad {
    /// Starts opening `path`; `wakeup` (e.g. `ctx.request_repaint`) is called as it progresses
    /// and when it ends.
    pub fn start(path: impl Into<PathBuf>, options: OpenOptions, wakeup: Option<Wakeup>) -> Self {
        Self::start_observed(path, options, wakeup, None)
    }

    /// [`Self::start`], with `after_preview` run on the loading thread once a stripped file's
    /// coarse preview is offered ([`Self::take_preview`]) and before its full decode goes on:
    /// a test holds the full decode there.
    pub fn start_observed(
        path: impl Into<PathBuf>,
        options: OpenOptions,
        wakeup: Option<Wakeup>,
        after_preview: Option<Wakeup>,
    ) -> Self {
        let path = path.into();
        let thread_path = path.clone();
        let progress = progress_for(wakeup.clone()).with_preview(after_preview);
        Self::spawn(path, progress, wakeup, move |progress| {
            RasterTileSource::open_with_progress(&thread_path, &options, progress)
        })
    }

    /// Starts opening the GeoTIFF at `url` (see [`RasterTileSource::open_url`]).
    pub fn start_url(url: String, options: OpenOptions, wakeup: Option<Wakeup>) -> Self {
        Self::start_signed_url(url, options, None, wakeup)
    }

    /// Starts opening the GeoTIFF at the unsigned `url`, each request signed by `signer` when
    /// there is one (see [`RasterTileSource::open_url_signed`]).
    pub fn start_signed_url(
        url: String,
        options: OpenOptions,
        signer: Option<Arc<dyn super::signed::RequestSigner>>,
        wakeup: Option<Wakeup>,
    ) -> Self {
        let thread_url = url.clone();
        let progress = progress_for(wakeup.clone());
        Self::spawn(PathBuf::from(url), progress, wakeup, move |_| {
            RasterTileSource::open_url_signed(&thread_url, &options, Retry::default(), signer)
        })
    }

    /// Starts opening a band composite's three GeoTIFFs (see
    /// [`RasterTileSource::open_bands`]), remote ones signed by `signer`.
    pub fn start_bands(
        bands: [super::band_stack::BandPlace; 3],
        options: OpenOptions,
        signer: Option<Arc<dyn super::signed::RequestSigner>>,
        wakeup: Option<Wakeup>,
    ) -> Self {
        let progress = progress_for(wakeup.clone());
        Self::spawn(bands[0].name(), progress, wakeup, move |_| {
            RasterTileSource::open_bands(&bands, &options, &Retry::default(), signer.as_ref())
        })
    }

    /// Starts opening a same-day mosaic's scenes (see [`RasterTileSource::open_mosaic`]),
    /// remote ones signed by `signer`.
    pub fn start_mosaic(
        scenes: Vec<super::mosaic::ScenePlace>,
        options: OpenOptions,
        signer: Option<Arc<dyn super::signed::RequestSigner>>,
        wakeup: Option<Wakeup>,
    ) -> Self {
        let progress = progress_for(wakeup.clone());
        let path = scenes
            .first()
            .map(super::mosaic::ScenePlace::name)
            .unwrap_or_default();
        Self::spawn(path, progress, wakeup, move |_| {
            RasterTileSource::open_mosaic(&scenes, &options, &Retry::default(), signer.as_ref())
        })
    }

    fn spawn(
        path: PathBuf,
        progress: Progress,
        wakeup: Option<Wakeup>,
        open: impl FnOnce(&Progress) -> Result<RasterTileSource, RasterError> + Send + 'static,
    ) -> Self {
        let progress = Arc::new(progress);
        let thread_progress = Arc::clone(&progress);
        let spawned = std::thread::Builder::new()
            .name("raster-load".to_owned())
            .spawn(move || {
                let result = open(&thread_progress);
                if let Some(w) = wakeup {
                    w();
                }
                result
            });
        let state = match spawned {
            Ok(handle) => State::Running(handle),
            Err(e) => State::Done(Box::new(Err(RasterError::io(e, &path)))),
        };
        Self {
            path,
            progress,
            state,
        }
    }

    /// The file being opened.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Done so far, 0–1.
    #[must_use]
    pub fn progress(&self) -> f32 {
        self.progress.fraction()
    }

    /// The coarse preview of the whole extent, once the loader offers it (once): a stripped
    /// file without overviews has one early, to draw from until the full raster is ready.
    #[must_use]
    pub fn take_preview(&self) -> Option<RasterTileSource> {
        self.progress.take_preview()
    }

    /// Says where the map is now (see [`Progress::set_focus`]).
    pub fn set_focus(&self, focus: LonLatBox) {
        self.progress.set_focus(focus);
    }

    /// Asks the load to stop; it then ends with [`RasterError::Cancelled`].
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// True when [`Self::try_take`] would give the result.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        match &self.state {
            State::Running(h) => h.is_finished(),
            State::Done(_) | State::Taken => true,
        }
    }

    /// The result once the load has ended (once; `None` before and after).
    pub fn try_take(&mut self) -> Option<Result<RasterTileSource, RasterError>> {
        if !self.is_finished() {
            return None;
        }
        // A preview nobody took is dropped with the full raster ready.
        drop(self.progress.take_preview());
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Running(h) => Some(join(h, &self.path)),
            State::Done(r) => Some(*r),
            State::Taken => None,
        }
    }

    /// Waits for the result.
    pub fn wait(mut self) -> Result<RasterTileSource, RasterError> {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Running(h) => join(h, &self.path),
            State::Done(r) => *r,
            State::Taken => Err(RasterError::Cancelled {
                path: self.path.clone(),
            }),
        }
    }
}

/// Progress that calls `wakeup`, when there is one.
fn progress_for(wakeup: Option<Wakeup>) -> Progress {
    match wakeup {
        Some(w) => Progress::with_wakeup(w),
        None => Progress::new(),
    }
}

fn join(
    h: JoinHandle<Result<RasterTileSource, RasterError>>,
    path: &Path,
) -> Result<RasterTileSource, RasterError> {
    h.join().unwrap_or_else(|_| {
        Err(RasterError::Corrupt {
            message: "the loading thread failed".to_owned(),
            path: path.to_owned(),
        })
    })
}

impl Drop for RasterLoad {
    /// A load nobody waits for is cancelled (its thread ends at the next strip or tile).
    fn drop(&mut self) {
        if matches!(self.state, State::Running(_)) {
            self.progress.cancel();
        }
    }
}
