//! Loads tiles from a [`TileSource`] on worker threads, so the UI thread never waits.
//!
//! The UI asks for every tile it would like to draw, every frame ([`TileLoader::request`] is cheap
//! and idempotent), and each frame drains what finished ([`TileLoader::take_ready`]). The newest
//! requests are served first, so after a pan or zoom the tiles now on screen win over the ones
//! that scrolled away. A failed tile is remembered with its reason and retried only once its
//! backoff has passed. No egui in here: the egui side is `render::egui_tiles`.

use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::tile_source::{TileError, TileKey, TileSource};

/// Worker threads per layer unless told otherwise: OpenStreetMap's policy allows two
/// connections per client.
pub const DEFAULT_WORKERS: usize = 2;

/// Worker threads for a layer's tiles in the window: a remote service or file gets
/// [`DEFAULT_WORKERS`] (two connections a client); a local source, whose tiles are decoded and
/// reprojected here, every core but the UI thread's.
#[must_use]
pub fn window_workers(source: &dyn TileSource) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    window_workers_for(source.is_remote(), cores)
}

/// [`window_workers`] for a source that is `remote` or not on a machine of `cores` cores.
#[must_use]
pub fn window_workers_for(remote: bool, cores: usize) -> usize {
    if remote {
        DEFAULT_WORKERS
    } else {
        cores.saturating_sub(1).max(1)
    }
}

/// More queued tiles than this and the oldest requests are dropped: they scrolled away long ago.
const MAX_QUEUED: usize = 384;

/// A queued tile is dropped before it is fetched when the UI has gone on asking for other
/// tiles this long after its last request for it: it scrolled away. While the UI asks for
/// nothing (an idle window repaints only when a tile arrives) no queued tile goes stale, so
/// behind a hanging server every wanted tile stays queued, loading, loaded or failed.
const STALE_AFTER: Duration = Duration::from_secs(10);

/// Tells the loader the time: `Instant::now` unless a test injects its own.
pub type LoaderClock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Failures remembered at most; past this, the oldest are forgotten (and fetched again if asked).
const MAX_FAILURES: usize = 1024;

/// Called by a worker after a tile finished, from the worker's thread (the UI passes
/// `ctx.request_repaint`).
pub type Wakeup = Arc<dyn Fn() + Send + Sync>;

/// Where one tile stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TileState {
    /// Never asked for, or forgotten.
    Idle,
    /// Waiting for a worker.
    Queued,
    /// A worker is fetching it.
    Loading,
    /// Fetched: waiting in [`TileLoader::take_ready`] or already taken.
    Ready,
    /// The last attempt failed; asking again before `retry_at` does nothing.
    Failed {
        /// Why, ending with the URL or tile address.
        message: String,
        /// Failed attempts in a row.
        attempts: u32,
        /// When a request will fetch it again.
        retry_at: Instant,
    },
}

/// What a layer's loading/failure indicator shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerStatus {
    /// Tiles queued or being fetched.
    pub loading: usize,
    /// Tiles whose last attempt failed (including those being retried).
    pub failed: usize,
    /// The reason of the most recent failure still standing.
    pub last_error: Option<String>,
}

/// How long a failed tile waits before it is fetched again: `first`, doubling with each failure
/// in a row, up to `max`. A tile the server says does not exist (404, 410, out of range) waits
/// from `missing_first` up to `missing_max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Wait after the first failure.
    pub first: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Wait after the first "does not exist".
    pub missing_first: Duration,
    /// Longest wait for a tile that does not exist.
    pub missing_max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(2),
            max: Duration::from_mins(5),
            missing_first: Duration::from_mins(1),
            missing_max: Duration::from_hours(1),
        }
    }
}

impl Backoff {
    /// The wait after `attempts` failures in a row (1 for the first); `missing` for a tile the
    /// server says does not exist.
    #[must_use]
    pub fn delay(&self, attempts: u32, missing: bool) -> Duration {
        let (first, max) = if missing {
            (self.missing_first, self.missing_max)
        } else {
            (self.first, self.max)
        };
        let doublings = attempts.saturating_sub(1).min(31);
        first.saturating_mul(1 << doublings).min(max)
    }
}

/// Whether an error says the tile does not exist, as opposed to "not now".
fn is_missing(err: &TileError) -> bool {
    matches!(
        err,
        TileError::Http {
            status: 404 | 410,
            ..
        } | TileError::OutOfRange(_)
    )
}

/// The square of a tile (in fractions of its edge, `y` down) that another tile covers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UvRect {
    /// Top-left corner, `[u, v]`.
    pub min: [f32; 2],
    /// Bottom-right corner, `[u, v]`.
    pub max: [f32; 2],
}

impl UvRect {
    /// The whole tile.
    pub const FULL: Self = Self {
        min: [0.0, 0.0],
        max: [1.0, 1.0],
    };
}

/// The tile at `zoom` that holds `key`, and the part of it that `key` covers; `None` when
/// `zoom` is deeper than `key`'s. Drawing that part stretched over `key` stands in for `key`
/// while it loads, and magnifies a source's deepest level beyond its max zoom.
#[must_use]
pub fn covering_ancestor(key: TileKey, zoom: u8) -> Option<(TileKey, UvRect)> {
    let levels_up = key.z.checked_sub(zoom)?;
    let per_edge = 1u32.checked_shl(u32::from(levels_up))?;
    let ancestor = TileKey {
        z: zoom,
        x: key.x >> levels_up,
        y: key.y >> levels_up,
    };
    let edge = (per_edge as f32).recip();
    let (col, row) = ((key.x % per_edge) as f32, (key.y % per_edge) as f32);
    let uv = UvRect {
        min: [col * edge, row * edge],
        max: [(col + 1.0) * edge, (row + 1.0) * edge],
    };
    Some((ancestor, uv))
}

struct Failure {
    message: String,
    attempts: u32,
    /// Order of failure, latest highest (an `Instant` could tie).
    seq: u64,
    retry_at: Instant,
}

/// Everything the UI and the workers share, behind one lock.
struct Inner {
    /// Queued tiles, newest last: workers pop from the end.
    stack: Vec<TileKey>,
    /// Queued tiles and when they were last asked for.
    queued: HashMap<TileKey, Instant>,
    loading: HashSet<TileKey>,
    /// Finished tiles not yet taken.
    ready: Vec<(TileKey, image::RgbaImage)>,
    /// Finished tiles, taken or not, until forgotten.
    done: HashSet<TileKey>,
    failures: HashMap<TileKey, Failure>,
    /// Failures recorded since the start, to number them.
    failures_so_far: u64,
    backoff: Backoff,
    wakeup: Option<Wakeup>,
    shutdown: bool,
    /// When the UI last asked for any tile.
    last_request: Option<Instant>,
    clock: LoaderClock,
}

struct Shared {
    inner: Mutex<Inner>,
    work: Condvar,
}

impl Shared {
    /// The state, even if a thread panicked while holding the lock: every update to it is
    /// complete before anything that could panic, so it stays consistent.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Fetches tiles from one source on its own worker threads. Dropping it stops the workers
/// (one busy with a request finishes that request first, without waiting for it here).
pub struct TileLoader {
    shared: Arc<Shared>,
    source: Arc<dyn TileSource>,
}

impl TileLoader {
    /// A loader with `workers` threads (at least one) fetching from `source`.
    pub fn new(source: Arc<dyn TileSource>, workers: usize) -> Self {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                stack: Vec::new(),
                queued: HashMap::new(),
                loading: HashSet::new(),
                ready: Vec::new(),
                done: HashSet::new(),
                failures: HashMap::new(),
                failures_so_far: 0,
                backoff: Backoff::default(),
                wakeup: None,
                shutdown: false,
                last_request: None,
                clock: Arc::new(Instant::now),
            }),
            work: Condvar::new(),
        });
        for index in 0..workers.max(1) {
            let (worker_shared, worker_source) = (Arc::clone(&shared), Arc::clone(&source));
            let spawned = std::thread::Builder::new()
                .name(format!("tiles {} #{index}", source.name()))
                .spawn(move || work(&worker_shared, &*worker_source));
            if let Err(err) = spawned {
                log::error!("could not start a tile worker for {}: {err}", source.name());
            }
        }
        Self { shared, source }
    }

    /// The same loader with another backoff for failed tiles.
    #[must_use]
    pub fn with_backoff(self, backoff: Backoff) -> Self {
        self.shared.lock().backoff = backoff;
        self
    }

    /// The same loader telling the time by `clock` (tests step it by hand).
    #[must_use]
    pub fn with_clock(self, clock: LoaderClock) -> Self {
        self.shared.lock().clock = clock;
        self
    }

    /// Asks for a tile; never blocks. Asking for a tile that is queued, loading, ready or
    /// failed and still backing off does nothing (beyond putting a queued tile first in line),
    /// so asking every frame is harmless.
    pub fn request(&mut self, key: TileKey) {
        if !key.is_valid() {
            return;
        }
        let mut inner = self.shared.lock();
        let now = (inner.clock)();
        inner.last_request = Some(now);
        if inner.loading.contains(&key) || inner.done.contains(&key) {
            return;
        }
        if inner
            .failures
            .get(&key)
            .is_some_and(|failure| now < failure.retry_at)
        {
            return;
        }
        if let Some(requested_at) = inner.queued.get_mut(&key) {
            *requested_at = now;
            if inner.stack.last() != Some(&key) {
                inner.stack.retain(|queued| *queued != key);
                inner.stack.push(key);
            }
            return;
        }
        inner.queued.insert(key, now);
        inner.stack.push(key);
        if inner.stack.len() > MAX_QUEUED {
            let excess = inner.stack.len() - MAX_QUEUED;
            let dropped: Vec<_> = inner.stack.drain(..excess).collect();
            for key in dropped {
                inner.queued.remove(&key);
            }
        }
        drop(inner);
        self.shared.work.notify_one();
    }

    /// The tiles finished since the last call, in the order they finished.
    pub fn take_ready(&mut self) -> Vec<(TileKey, image::RgbaImage)> {
        std::mem::take(&mut self.shared.lock().ready)
    }

    /// Where `key` stands.
    #[must_use]
    pub fn state(&self, key: TileKey) -> TileState {
        let inner = self.shared.lock();
        if inner.loading.contains(&key) {
            TileState::Loading
        } else if inner.queued.contains_key(&key) {
            TileState::Queued
        } else if inner.done.contains(&key) {
            TileState::Ready
        } else if let Some(failure) = inner.failures.get(&key) {
            TileState::Failed {
                message: failure.message.clone(),
                attempts: failure.attempts,
                retry_at: failure.retry_at,
            }
        } else {
            TileState::Idle
        }
    }

    /// Tiles queued or being fetched; 0 when the layer is complete (or has given up for now).
    #[must_use]
    pub fn pending(&self) -> usize {
        let inner = self.shared.lock();
        inner.stack.len() + inner.loading.len()
    }

    /// What the layer's loading/failure indicator shows.
    #[must_use]
    pub fn status(&self) -> LayerStatus {
        let inner = self.shared.lock();
        LayerStatus {
            loading: inner.stack.len() + inner.loading.len(),
            failed: inner.failures.len(),
            last_error: inner
                .failures
                .values()
                .max_by_key(|failure| failure.seq)
                .map(|failure| failure.message.clone()),
        }
    }

    /// Makes a later [`request`](Self::request) of a finished tile fetch it again: for when the
    /// UI dropped its copy.
    pub fn forget(&mut self, key: TileKey) {
        self.shared.lock().done.remove(&key);
    }

    /// Lets every failed tile be fetched again at its next request (a "retry" button).
    pub fn retry_failed_now(&mut self) {
        let mut inner = self.shared.lock();
        let now = (inner.clock)();
        for failure in inner.failures.values_mut() {
            failure.retry_at = failure.retry_at.min(now);
        }
    }

    /// Sets what a worker calls after each finished tile (the UI passes `ctx.request_repaint`).
    pub fn set_wakeup(&self, wakeup: Wakeup) {
        self.shared.lock().wakeup = Some(wakeup);
    }

    /// Where the tiles come from.
    #[must_use]
    pub fn source(&self) -> &Arc<dyn TileSource> {
        &self.source
    }

    /// Fetches one tile on this thread, bypassing the queue and the failure memory: for
    /// headless export, which needs every tile before it can draw.
    pub fn fetch_blocking(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
        self.source.fetch(key)
    }
}

impl Drop for TileLoader {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.shutdown = true;
        inner.stack.clear();
        inner.queued.clear();
        inner.wakeup = None;
        drop(inner);
        self.shared.work.notify_all();
    }
}

/// What a worker does next.
enum Job {
    Fetch(TileKey),
    /// Stale requests were dropped: the UI should ask again for what it still shows.
    Wake(Wakeup),
    Stop,
}

/// A worker: takes the newest request, fetches it, records the result, wakes the UI.
fn work(shared: &Shared, source: &dyn TileSource) {
    loop {
        let key = match next_job(shared) {
            Job::Stop => return,
            Job::Wake(wakeup) => {
                wakeup();
                continue;
            }
            Job::Fetch(key) => key,
        };
        // A panicking source must not leave the tile "loading" forever or kill the worker.
        let result =
            panic::catch_unwind(AssertUnwindSafe(|| source.fetch(key))).unwrap_or_else(|_| {
                Err(TileError::Local {
                    message: format!("tile source {} panicked", source.name()),
                    what: key.to_string(),
                })
            });
        if let Some(wakeup) = finish(shared, key, result) {
            wakeup();
        }
    }
}

fn next_job(shared: &Shared) -> Job {
    let mut inner = shared.lock();
    loop {
        if inner.shutdown {
            return Job::Stop;
        }
        // Stale is measured against the UI's latest request, not the clock: an idle UI asks
        // for nothing, and the tiles it wants must not be dropped for that.
        let latest = inner.last_request;
        let mut dropped_any = false;
        while let Some(key) = inner.stack.pop() {
            let requested_at = inner.queued.remove(&key);
            let fresh = requested_at.is_some_and(|at| {
                latest.is_none_or(|latest| latest.saturating_duration_since(at) <= STALE_AFTER)
            });
            if fresh {
                inner.loading.insert(key);
                return Job::Fetch(key);
            }
            dropped_any = true;
        }
        if dropped_any && let Some(wakeup) = inner.wakeup.clone() {
            return Job::Wake(wakeup);
        }
        inner = shared
            .work
            .wait(inner)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// Records how a fetch ended; returns the wakeup to call (outside the lock).
fn finish(
    shared: &Shared,
    key: TileKey,
    result: Result<image::RgbaImage, TileError>,
) -> Option<Wakeup> {
    let mut inner = shared.lock();
    let now = (inner.clock)();
    inner.loading.remove(&key);
    if inner.shutdown {
        return None;
    }
    match result {
        Ok(tile) => {
            inner.failures.remove(&key);
            inner.done.insert(key);
            inner.ready.push((key, tile));
        }
        Err(err) => {
            let attempts = inner
                .failures
                .get(&key)
                .map_or(0, |failure| failure.attempts)
                .saturating_add(1);
            let delay = inner.backoff.delay(attempts, is_missing(&err));
            inner.failures_so_far += 1;
            let seq = inner.failures_so_far;
            log::debug!("tile {key} failed {attempts}× (retry in {delay:?}): {err}");
            inner.failures.insert(
                key,
                Failure {
                    message: err.to_string(),
                    attempts,
                    seq,
                    retry_at: now + delay,
                },
            );
            if inner.failures.len() > MAX_FAILURES {
                let oldest = inner
                    .failures
                    .iter()
                    .min_by_key(|(_, failure)| failure.seq)
                    .map(|(key, _)| *key);
                if let Some(oldest) = oldest {
                    inner.failures.remove(&oldest);
                }
            }
        }
    }
    inner.wakeup.clone()
}

#[cfg(test)]
// The uv corners compared are exact binary fractions.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const A: TileKey = TileKey { z: 3, x: 1, y: 2 };
    const B: TileKey = TileKey { z: 3, x: 2, y: 2 };
    const C: TileKey = TileKey { z: 3, x: 3, y: 2 };
    const D: TileKey = TileKey { z: 3, x: 4, y: 2 };

    #[test]
    fn a_local_source_decodes_on_every_core_but_the_uis_and_a_service_gets_two() {
        assert_eq!(window_workers_for(false, 1), 1);
        assert_eq!(window_workers_for(false, 2), 1);
        assert_eq!(window_workers_for(false, 16), 15);
        assert_eq!(window_workers_for(true, 16), DEFAULT_WORKERS);
        assert_eq!(window_workers_for(true, 1), DEFAULT_WORKERS);
    }

    /// A source that counts and records its calls, fails the first `failures` of them, and
    /// holds every fetch until `gate` is free.
    struct FakeSource {
        calls: AtomicUsize,
        order: Mutex<Vec<TileKey>>,
        failures: usize,
        error: fn(TileKey) -> TileError,
        gate: Mutex<()>,
        panics: bool,
    }

    impl FakeSource {
        fn new() -> Self {
            Self {
                calls: AtomicUsize::new(0),
                order: Mutex::new(Vec::new()),
                failures: 0,
                error: |key| TileError::Network {
                    message: "refused".into(),
                    url: format!("http://fake/{key}"),
                },
                gate: Mutex::new(()),
                panics: false,
            }
        }

        fn failing(failures: usize) -> Self {
            Self {
                failures,
                ..Self::new()
            }
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl TileSource for FakeSource {
        fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
            let _held = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            self.order.lock().unwrap().push(key);
            assert!(!self.panics, "fake source told to panic");
            if call < self.failures {
                return Err((self.error)(key));
            }
            Ok(image::RgbaImage::from_pixel(
                4,
                4,
                image::Rgba([key.x as u8, key.y as u8, key.z, 255]),
            ))
        }

        fn name(&self) -> &'static str {
            "fake"
        }

        fn attribution(&self) -> &'static str {
            "nobody"
        }

        fn max_zoom(&self) -> u8 {
            19
        }
    }

    fn loader(source: &Arc<FakeSource>, workers: usize) -> TileLoader {
        TileLoader::new(Arc::clone(source) as Arc<dyn TileSource>, workers)
    }

    /// Polls `condition` for up to two minutes (a bound for busy CI cores, not a timing).
    fn wait_until(mut condition: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_mins(2);
        while !condition() {
            assert!(Instant::now() < deadline, "condition never met");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn failed_attempts(loader: &TileLoader, key: TileKey) -> Option<u32> {
        match loader.state(key) {
            TileState::Failed { attempts, .. } => Some(attempts),
            _ => None,
        }
    }

    #[test]
    fn a_tile_never_asked_for_is_idle() {
        let source = Arc::new(FakeSource::new());
        let loader = loader(&source, 1);
        assert_eq!(loader.state(A), TileState::Idle);
        assert_eq!(loader.pending(), 0);
        assert_eq!(loader.status(), LayerStatus::default());
    }

    #[test]
    fn a_requested_tile_arrives_in_take_ready() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| loader.pending() == 0);
        let ready = loader.take_ready();
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].0, A);
        assert_eq!(ready[0].1.get_pixel(0, 0).0, [1, 2, 3, 255]);
        assert_eq!(loader.state(A), TileState::Ready);
        assert!(loader.take_ready().is_empty());
    }

    #[test]
    fn requesting_every_frame_fetches_once() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 2);
        for _frame in 0..200 {
            loader.request(A);
            loader.take_ready();
        }
        wait_until(|| loader.pending() == 0);
        for _frame in 0..200 {
            loader.request(A);
        }
        assert_eq!(source.calls(), 1);
    }

    #[test]
    fn an_invalid_key_is_ignored() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 1);
        loader.request(TileKey { z: 1, x: 2, y: 0 });
        assert_eq!(loader.pending(), 0);
        assert_eq!(source.calls(), 0);
    }

    #[test]
    fn a_failed_tile_is_not_retried_before_its_backoff() {
        let source = Arc::new(FakeSource::failing(usize::MAX));
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| failed_attempts(&loader, A).is_some());
        for _frame in 0..100 {
            loader.request(A);
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(source.calls(), 1);
        assert_eq!(loader.pending(), 0);
        let TileState::Failed {
            message,
            attempts,
            retry_at,
        } = loader.state(A)
        else {
            panic!("{:?}", loader.state(A));
        };
        assert_eq!(attempts, 1);
        assert!(message.ends_with("http://fake/3/1/2"), "{message}");
        assert!(retry_at > Instant::now() + Duration::from_secs(1));
    }

    #[test]
    fn a_failed_tile_is_retried_once_its_backoff_has_passed() {
        let source = Arc::new(FakeSource::failing(2));
        let backoff = Backoff {
            first: Duration::from_millis(10),
            max: Duration::from_millis(10),
            ..Backoff::default()
        };
        let mut loader = loader(&source, 1).with_backoff(backoff);
        loader.request(A);
        wait_until(|| failed_attempts(&loader, A) == Some(1));
        wait_until(|| {
            loader.request(A);
            failed_attempts(&loader, A) == Some(2)
        });
        wait_until(|| {
            loader.request(A);
            loader.state(A) == TileState::Ready
        });
        assert_eq!(source.calls(), 3);
        assert_eq!(loader.status().failed, 0, "a success clears the failure");
        assert_eq!(loader.status().last_error, None);
    }

    #[test]
    fn backoff_doubles_with_each_failure_up_to_its_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(1, false), Duration::from_secs(2));
        assert_eq!(backoff.delay(2, false), Duration::from_secs(4));
        assert_eq!(backoff.delay(5, false), Duration::from_secs(32));
        assert_eq!(backoff.delay(9, false), Duration::from_mins(5));
        assert_eq!(backoff.delay(u32::MAX, false), Duration::from_mins(5));
    }

    #[test]
    fn a_missing_tile_backs_off_longer() {
        let backoff = Backoff::default();
        assert!(backoff.delay(1, true) > backoff.delay(1, false));
        assert_eq!(backoff.delay(30, true), Duration::from_hours(1));
        let not_found = TileError::Http {
            status: 404,
            url: "u".into(),
        };
        let overloaded = TileError::Http {
            status: 503,
            url: "u".into(),
        };
        assert!(is_missing(&not_found));
        assert!(!is_missing(&overloaded));
        assert!(is_missing(&TileError::OutOfRange(A)));
    }

    #[test]
    fn newest_requests_are_fetched_first() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 1);
        let gate = source.gate.lock().unwrap();
        loader.request(A);
        wait_until(|| loader.state(A) == TileState::Loading);
        loader.request(B);
        loader.request(C);
        loader.request(D);
        // Asking again for B puts it first in line.
        loader.request(B);
        assert_eq!(loader.state(C), TileState::Queued);
        assert_eq!(loader.pending(), 4);
        drop(gate);
        wait_until(|| loader.pending() == 0);
        assert_eq!(*source.order.lock().unwrap(), vec![A, B, D, C]);
    }

    /// A clock standing at a start instant until a test moves it on by whole seconds.
    fn stepped_clock() -> (LoaderClock, Arc<AtomicUsize>) {
        let start = Instant::now();
        let seconds = Arc::new(AtomicUsize::new(0));
        let read = Arc::clone(&seconds);
        let clock: LoaderClock =
            Arc::new(move || start + Duration::from_secs(read.load(Ordering::SeqCst) as u64));
        (clock, seconds)
    }

    #[test]
    fn queued_tiles_behind_a_hanging_fetch_are_kept_while_the_ui_is_idle() {
        let source = Arc::new(FakeSource::new());
        let (clock, seconds) = stepped_clock();
        let mut loader = loader(&source, 1).with_clock(clock);
        let gate = source.gate.lock().unwrap();
        loader.request(A);
        wait_until(|| loader.state(A) == TileState::Loading);
        loader.request(B);
        loader.request(C);
        // The server hangs for two minutes; the idle window asks for nothing meanwhile.
        seconds.store(120, Ordering::SeqCst);
        drop(gate);
        wait_until(|| loader.pending() == 0);
        for key in [A, B, C] {
            assert_eq!(loader.state(key), TileState::Ready, "{key}");
        }
        assert_eq!(source.calls(), 3);
    }

    #[test]
    fn queued_tiles_the_ui_stopped_asking_for_are_dropped() {
        let source = Arc::new(FakeSource::new());
        let (clock, seconds) = stepped_clock();
        let mut loader = loader(&source, 1).with_clock(clock);
        let gate = source.gate.lock().unwrap();
        loader.request(A);
        wait_until(|| loader.state(A) == TileState::Loading);
        loader.request(B);
        // The view moved on: a minute later the UI asks for D, not B.
        seconds.store(60, Ordering::SeqCst);
        loader.request(D);
        drop(gate);
        wait_until(|| loader.pending() == 0);
        assert_eq!(loader.state(B), TileState::Idle);
        assert_eq!(loader.state(D), TileState::Ready);
        assert_eq!(*source.order.lock().unwrap(), vec![A, D]);
    }

    #[test]
    fn the_queue_is_capped_by_dropping_the_oldest_requests() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 1);
        let gate = source.gate.lock().unwrap();
        loader.request(A);
        wait_until(|| loader.state(A) == TileState::Loading);
        let keys: Vec<_> = (0..MAX_QUEUED as u32 + 10)
            .map(|x| TileKey { z: 12, x, y: 0 })
            .collect();
        for &key in &keys {
            loader.request(key);
        }
        assert_eq!(loader.pending(), MAX_QUEUED + 1);
        assert_eq!(loader.state(keys[0]), TileState::Idle);
        assert_eq!(loader.state(keys[keys.len() - 1]), TileState::Queued);
        drop(gate);
    }

    #[test]
    fn status_counts_failures_and_keeps_the_latest_reason() {
        let source = Arc::new(FakeSource {
            error: |key| TileError::Http {
                status: 500,
                url: format!("http://fake/{key}"),
            },
            ..FakeSource::failing(usize::MAX)
        });
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| loader.pending() == 0);
        let gate = source.gate.lock().unwrap();
        loader.request(B);
        assert_eq!(loader.status().loading, 1);
        drop(gate);
        wait_until(|| loader.pending() == 0);
        let status = loader.status();
        assert_eq!(status.loading, 0);
        assert_eq!(status.failed, 2);
        assert_eq!(
            status.last_error.as_deref(),
            Some("HTTP 500: http://fake/3/2/2")
        );
    }

    #[test]
    fn retry_failed_now_lets_a_failed_tile_be_fetched_again() {
        let source = Arc::new(FakeSource::failing(1));
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| failed_attempts(&loader, A).is_some());
        loader.retry_failed_now();
        loader.request(A);
        wait_until(|| loader.state(A) == TileState::Ready);
        assert_eq!(source.calls(), 2);
    }

    #[test]
    fn a_forgotten_tile_is_fetched_again() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| loader.pending() == 0);
        loader.forget(A);
        assert_eq!(loader.state(A), TileState::Idle);
        loader.request(A);
        wait_until(|| loader.pending() == 0);
        assert_eq!(source.calls(), 2);
        assert_eq!(loader.take_ready().len(), 2);
    }

    #[test]
    fn the_wakeup_runs_after_each_tile() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 2);
        let wakeups = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&wakeups);
        loader.set_wakeup(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        loader.request(A);
        loader.request(B);
        wait_until(|| wakeups.load(Ordering::SeqCst) == 2);
        assert_eq!(loader.take_ready().len(), 2);
    }

    #[test]
    fn a_panicking_source_gives_a_failed_tile_and_the_worker_survives() {
        let source = Arc::new(FakeSource {
            panics: true,
            ..FakeSource::new()
        });
        let mut loader = loader(&source, 1);
        loader.request(A);
        wait_until(|| failed_attempts(&loader, A).is_some());
        loader.request(B);
        wait_until(|| failed_attempts(&loader, B).is_some());
        let message = loader.status().last_error.unwrap();
        assert!(message.contains("panicked"), "{message}");
    }

    #[test]
    fn dropping_the_loader_stops_its_workers() {
        let source = Arc::new(FakeSource::new());
        let mut loader = loader(&source, 3);
        loader.request(A);
        wait_until(|| loader.pending() == 0);
        assert_eq!(
            Arc::strong_count(&source),
            5,
            "the loader and its 3 workers"
        );
        drop(loader);
        wait_until(|| Arc::strong_count(&source) == 1);
    }

    #[test]
    fn fetch_blocking_goes_straight_to_the_source() {
        let source = Arc::new(FakeSource::new());
        let loader = loader(&source, 1);
        let tile = loader.fetch_blocking(C).unwrap();
        assert_eq!(tile.get_pixel(0, 0).0, [3, 2, 3, 255]);
        assert_eq!(loader.state(C), TileState::Idle);
        assert_eq!(loader.source().name(), "fake");
    }

    #[test]
    fn a_tile_is_its_own_covering_ancestor_with_the_full_uv() {
        assert_eq!(covering_ancestor(A, 3), Some((A, UvRect::FULL)));
    }

    #[test]
    fn a_tile_covers_a_quarter_of_its_parent() {
        let key = TileKey { z: 5, x: 11, y: 6 };
        let (parent, uv) = covering_ancestor(key, 4).unwrap();
        assert_eq!(parent, TileKey { z: 4, x: 5, y: 3 });
        assert_eq!(uv.min, [0.5, 0.0]);
        assert_eq!(uv.max, [1.0, 0.5]);
        assert_eq!(Some(parent), key.parent().map(|(parent, _)| parent));
    }

    #[test]
    fn a_tile_covers_a_sixteenth_two_levels_up() {
        let key = TileKey { z: 6, x: 7, y: 9 };
        let (ancestor, uv) = covering_ancestor(key, 4).unwrap();
        assert_eq!(ancestor, TileKey { z: 4, x: 1, y: 2 });
        assert_eq!(uv.min, [0.75, 0.25]);
        assert_eq!(uv.max, [1.0, 0.5]);
    }

    #[test]
    fn no_ancestor_is_deeper_than_the_tile() {
        assert_eq!(covering_ancestor(A, 4), None);
    }
}
