//! One memory budget for the decoded pixels of every open raster: streamed rasters' decoded
//! chunks ([`super::chunk_lru::ChunkLru`]) and the pyramids of rasters decoded whole. Chunks
//! carry ticks of one clock, so when the pixels of all layers together pass the limit the chunk
//! least recently drawn goes first, whichever layer holds it. A pyramid decoded whole keeps in
//! memory what the budget has room for when it is built (streamed chunks are dropped to make
//! that room) and spills the rest to its temporary file; what it keeps is counted until it is
//! closed.
//!
//! The window and exports share [`MemoryBudget::global`], whose limit is a preference (default
//! [`default_limit`]: 1 GiB, or a quarter of the machine's memory when that is less).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

/// A holder of evictable chunks (a streamed raster's cache).
pub trait Evict: Send + Sync {
    /// The tick of the chunk it would drop first, when it holds one and is not busy.
    fn oldest(&self) -> Option<u64>;
    /// Drops that chunk; the bytes freed (0 when busy or empty).
    fn evict_oldest(&self) -> usize;
}

/// The shared budget.
pub struct MemoryBudget {
    limit: AtomicUsize,
    used: AtomicUsize,
    clock: AtomicU64,
    next_id: AtomicU64,
    members: Mutex<Vec<(u64, Weak<dyn Evict>)>>,
}

impl std::fmt::Debug for MemoryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryBudget")
            .field("limit", &self.limit())
            .field("used", &self.used())
            .finish_non_exhaustive()
    }
}

/// Budgets are equal when they are the same budget.
impl PartialEq for MemoryBudget {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// 1 GiB, or a quarter of the machine's memory when that is less.
#[must_use]
pub fn default_limit() -> usize {
    let gib = 1usize << 30;
    total_memory_bytes().map_or(gib, |total| gib.min(total / 4))
}

/// The machine's memory, from `/proc/meminfo` (Linux); `None` elsewhere.
fn total_memory_bytes() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

impl MemoryBudget {
    /// A budget of `limit` bytes, shared by whoever holds it.
    #[must_use]
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit: AtomicUsize::new(limit),
            used: AtomicUsize::new(0),
            clock: AtomicU64::new(0),
            next_id: AtomicU64::new(1),
            members: Mutex::new(Vec::new()),
        })
    }

    /// The process's budget, which the window and exports open rasters under.
    #[must_use]
    pub fn global() -> Arc<Self> {
        static GLOBAL: OnceLock<Arc<MemoryBudget>> = OnceLock::new();
        Arc::clone(GLOBAL.get_or_init(|| Self::new(default_limit())))
    }

    /// Bytes allowed.
    #[must_use]
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// Sets the bytes allowed; chunks beyond it go as soon as they can.
    pub fn set_limit(&self, bytes: usize) {
        self.limit.store(bytes, Ordering::Relaxed);
        self.evict_for(0);
    }

    /// Bytes of pixels held now.
    #[must_use]
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The next tick of the clock that orders every member's chunks.
    pub fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Counts `bytes` more held.
    pub fn add(&self, bytes: usize) {
        self.used.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts `bytes` no longer held.
    pub fn remove(&self, bytes: usize) {
        // Saturating: a member never removes more than it added, but stay sane if one did.
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(bytes))
            });
    }

    /// True while more is held than allowed.
    #[must_use]
    pub fn over(&self) -> bool {
        self.used() > self.limit()
    }

    /// Registers a holder of chunks; its id, for [`Self::oldest_other`].
    pub fn register(&self, member: Weak<dyn Evict>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        members.retain(|(_, m)| m.strong_count() > 0);
        members.push((id, member));
        id
    }

    /// The member other than `except` holding the least recently drawn chunk that can go now,
    /// with that chunk's tick.
    #[must_use]
    pub fn oldest_other(&self, except: Option<u64>) -> Option<(u64, Arc<dyn Evict>)> {
        let members: Vec<Arc<dyn Evict>> = self
            .members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(id, _)| Some(*id) != except)
            .filter_map(|(_, m)| m.upgrade())
            .collect();
        members
            .into_iter()
            .filter_map(|m| m.oldest().map(|tick| (tick, m)))
            .min_by_key(|(tick, _)| *tick)
    }

    /// Drops members' least recently drawn chunks until `bytes` more fit under the limit or
    /// nothing more can go.
    fn evict_for(&self, bytes: usize) {
        while self.used().saturating_add(bytes) > self.limit() {
            let Some((_, member)) = self.oldest_other(None) else {
                return;
            };
            if member.evict_oldest() == 0 {
                return;
            }
        }
    }

    /// Room for `bytes` more, dropping streamed chunks to make it when needed: the bytes that
    /// fit under the limit afterwards (at most `bytes`).
    #[must_use]
    pub fn room_for(&self, bytes: usize) -> usize {
        self.evict_for(bytes);
        self.limit().saturating_sub(self.used()).min(bytes)
    }
}

/// Bytes counted against a budget until dropped (a pyramid decoded whole, while it is open).
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<MemoryBudget>,
    bytes: usize,
}

impl Reservation {
    /// Counts `bytes` against `budget` until the reservation is dropped.
    #[must_use]
    pub fn new(budget: &Arc<MemoryBudget>, bytes: usize) -> Self {
        budget.add(bytes);
        Self {
            budget: Arc::clone(budget),
            bytes,
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.remove(self.bytes);
    }
}
