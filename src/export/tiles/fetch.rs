//! Fetching an export's tiles politely and within a deadline: at most
//! [`FetchPolicy::connections_per_host`] requests in flight to a remote source (OpenStreetMap's
//! tile policy allows 2), and one deadline for all the tiles of an export, told by a [`Clock`]
//! that tests replace. Fetch threads are not joined: a request that never ends is left to its
//! own timeout while the export reports the tiles that did not come.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use image::RgbaImage;

use crate::export::ExportError;
use crate::imagery::{TileError, TileKey, TileSource};

/// Most tile fetches in flight at once from a local source (files, generated tiles).
const MAX_FETCH_THREADS: usize = 4;

/// All the tiles of an export must have come within this, unless the caller says otherwise.
pub const DEFAULT_TILE_DEADLINE: Duration = Duration::from_secs(30);

/// Tells the time for the deadline, as time since some fixed origin.
pub trait Clock: Send + Sync {
    /// Time since the clock's origin.
    fn now(&self) -> Duration;
}

/// The system's monotonic clock, from when it was made.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock(Instant);

impl SystemClock {
    /// A clock starting now.
    #[must_use]
    pub fn new() -> Self {
        Self(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// How an export fetches its tiles.
#[derive(Clone)]
pub struct FetchPolicy {
    /// Most requests in flight at once to a remote source (one source is one server).
    pub connections_per_host: usize,
    /// Every tile of the export must have come within this of the first request.
    pub deadline: Duration,
    /// Tells the time; the system clock unless a test injects its own.
    pub clock: Arc<dyn Clock>,
    /// How long the export waits for a tile before it looks at the clock again.
    pub poll: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            connections_per_host: 2,
            deadline: DEFAULT_TILE_DEADLINE,
            clock: Arc::new(SystemClock::new()),
            poll: Duration::from_millis(100),
        }
    }
}

impl std::fmt::Debug for FetchPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchPolicy")
            .field("connections_per_host", &self.connections_per_host)
            .field("deadline", &self.deadline)
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

impl FetchPolicy {
    /// When the deadline passes, on this policy's clock, for an export starting now.
    pub(crate) fn deadline_from_now(&self) -> Duration {
        self.clock.now().saturating_add(self.deadline)
    }

    fn threads_for(&self, source: &dyn TileSource, tiles: usize) -> usize {
        // Waiting on a server costs no CPU: remote sources get their connections whatever
        // the cores.
        let threads = if source.is_remote() {
            self.connections_per_host.max(1)
        } else {
            std::thread::available_parallelism()
                .map_or(2, std::num::NonZero::get)
                .clamp(1, MAX_FETCH_THREADS)
        };
        threads.min(tiles.max(1))
    }
}

/// The error of a tile that had not come when the deadline passed.
fn too_late(key: TileKey, deadline: Duration) -> TileError {
    TileError::Network {
        message: format!(
            "no tile within the export's deadline of {} s",
            deadline.as_secs_f64()
        ),
        url: format!("tile {key}"),
    }
}

/// Fetches tiles on a few threads until all have come or `deadline_at` (on the policy's clock)
/// passes; tiles still missing then are errors. Reports each arrival; a `false` from `progress`
/// stops it.
pub(crate) fn fetch_all(
    source: &Arc<dyn TileSource>,
    keys: &[TileKey],
    policy: &FetchPolicy,
    deadline_at: Duration,
    progress: &mut dyn FnMut() -> bool,
) -> Result<HashMap<TileKey, Result<RgbaImage, TileError>>, ExportError> {
    let mut unique: Vec<TileKey> = keys.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let unique = Arc::new(unique);
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let mut spawn_error = None;
    for _ in 0..policy.threads_for(source.as_ref(), unique.len()) {
        let (tx, next, stop, unique, source) = (
            tx.clone(),
            Arc::clone(&next),
            Arc::clone(&stop),
            Arc::clone(&unique),
            Arc::clone(source),
        );
        let spawned = std::thread::Builder::new()
            .name("export-tiles".to_owned())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&key) = unique.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    if tx.send((key, source.fetch(key))).is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            spawn_error.get_or_insert(e);
        }
    }
    drop(tx);
    let mut tiles = HashMap::with_capacity(unique.len());
    let mut late = false;
    while tiles.len() < unique.len() {
        match rx.recv_timeout(policy.poll) {
            Ok((key, result)) => {
                tiles.insert(key, result);
                if !progress() {
                    stop.store(true, Ordering::Relaxed);
                    return Err(ExportError::Cancelled);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if tiles.len() < unique.len() && policy.clock.now() >= deadline_at {
            late = true;
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for &key in unique.iter() {
        tiles.entry(key).or_insert_with(|| {
            Err(match (&spawn_error, late) {
                (_, true) => too_late(key, policy.deadline),
                (Some(e), false) => TileError::Local {
                    message: format!("cannot start a thread to fetch it ({e})"),
                    what: format!("tile {key}"),
                },
                (None, false) => TileError::Local {
                    message: "its fetch thread ended without it".to_owned(),
                    what: format!("tile {key}"),
                },
            })
        });
    }
    Ok(tiles)
}
