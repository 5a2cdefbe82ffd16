//! Decoded chunks of a streamed raster, counted against the [`MemoryBudget`] every open raster
//! shares: when the pixels of all of them pass its limit, the chunk least recently drawn goes
//! first, this raster's or another's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::memory_budget::{Evict, MemoryBudget};

/// Chunks by (level, index), each with the tick it was last used.
type Entries<T> = HashMap<(usize, usize), (Arc<Vec<T>>, u64)>;

/// Decoded chunks under the shared budget.
pub struct ChunkLru<T> {
    entries: Entries<T>,
    bytes: usize,
    sample_bytes: usize,
    budget: Arc<MemoryBudget>,
    /// This cache's id with the budget, once registered ([`Self::shared`]).
    id: Option<u64>,
}

impl<T: Send + Sync + 'static> ChunkLru<T> {
    /// An empty cache of samples `sample_bytes` wide, registered with `budget` so that other
    /// rasters' chunks can push its own out.
    #[must_use]
    pub fn shared(budget: &Arc<MemoryBudget>, sample_bytes: usize) -> Arc<Mutex<Self>> {
        let lru = Arc::new(Mutex::new(Self {
            entries: HashMap::new(),
            bytes: 0,
            sample_bytes,
            budget: Arc::clone(budget),
            id: None,
        }));
        let weak: Weak<Mutex<Self>> = Arc::downgrade(&lru);
        let id = budget.register(weak);
        if let Ok(mut cache) = lru.lock() {
            cache.id = Some(id);
        }
        lru
    }
}

impl<T> ChunkLru<T> {
    /// The chunk, marked as just used.
    pub fn get(&mut self, key: (usize, usize)) -> Option<Arc<Vec<T>>> {
        let tick = self.budget.tick();
        self.entries.get_mut(&key).map(|(data, used)| {
            *used = tick;
            Arc::clone(data)
        })
    }

    /// True when the chunk is held.
    #[must_use]
    pub fn contains(&self, key: (usize, usize)) -> bool {
        self.entries.contains_key(&key)
    }

    /// Keeps a chunk; while the budget is over its limit, drops the least recently used chunk
    /// of any raster (never the one just put).
    pub fn put(&mut self, key: (usize, usize), data: Arc<Vec<T>>) {
        let tick = self.budget.tick();
        let bytes = data.len() * self.sample_bytes;
        if let Some((old, _)) = self.entries.insert(key, (data, tick)) {
            let old = old.len() * self.sample_bytes;
            self.bytes -= old;
            self.budget.remove(old);
        }
        self.bytes += bytes;
        self.budget.add(bytes);
        while self.budget.over() {
            let own = self.oldest_except(Some(key));
            let other = self.budget.oldest_other(self.id);
            let freed = match (own, other) {
                (Some((_, mine)), Some((theirs, member))) if theirs < mine => {
                    match member.evict_oldest() {
                        0 => self.remove(own.map(|(k, _)| k)),
                        n => n,
                    }
                }
                (Some((k, _)), _) => self.remove(Some(k)),
                (None, Some((_, member))) => member.evict_oldest(),
                (None, None) => 0,
            };
            if freed == 0 {
                break;
            }
        }
    }

    /// Bytes of samples held.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The least recently used chunk other than `key`, with its tick.
    fn oldest_except(&self, key: Option<(usize, usize)>) -> Option<((usize, usize), u64)> {
        self.entries
            .iter()
            .filter(|(k, _)| Some(**k) != key)
            .min_by_key(|(_, (_, used))| *used)
            .map(|(k, (_, used))| (*k, *used))
    }

    /// Drops a chunk; the bytes freed.
    fn remove(&mut self, key: Option<(usize, usize)>) -> usize {
        let Some((old, _)) = key.and_then(|k| self.entries.remove(&k)) else {
            return 0;
        };
        let freed = old.len() * self.sample_bytes;
        self.bytes -= freed;
        self.budget.remove(freed);
        freed
    }
}

impl<T> Drop for ChunkLru<T> {
    fn drop(&mut self) {
        self.budget.remove(self.bytes);
    }
}

impl<T: Send + Sync> Evict for Mutex<ChunkLru<T>> {
    fn oldest(&self) -> Option<u64> {
        let cache = self.try_lock().ok()?;
        cache.oldest_except(None).map(|(_, used)| used)
    }

    fn evict_oldest(&self) -> usize {
        let Ok(mut cache) = self.try_lock() else {
            return 0;
        };
        let oldest = cache.oldest_except(None).map(|(k, _)| k);
        cache.remove(oldest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(n: usize) -> Arc<Vec<u8>> {
        Arc::new(vec![0; n])
    }

    #[test]
    fn the_least_recently_used_chunk_goes_first_when_over_budget() {
        let budget = MemoryBudget::new(250);
        let lru = ChunkLru::<u8>::shared(&budget, 1);
        let mut lru = lru.lock().unwrap();
        lru.put((0, 0), chunk(100));
        lru.put((0, 1), chunk(100));
        assert!(lru.get((0, 0)).is_some(), "touch the first");
        lru.put((0, 2), chunk(100));
        assert!(lru.contains((0, 0)));
        assert!(!lru.contains((0, 1)), "the untouched one was dropped");
        assert!(lru.contains((0, 2)));
        assert_eq!(lru.bytes(), 200);
        assert_eq!(budget.used(), 200);
    }

    #[test]
    fn one_budget_drops_the_oldest_chunk_of_any_raster() {
        let budget = MemoryBudget::new(300);
        let a = ChunkLru::<u8>::shared(&budget, 1);
        let b = ChunkLru::<u16>::shared(&budget, 2);
        a.lock().unwrap().put((0, 0), chunk(100));
        b.lock().unwrap().put((0, 0), Arc::new(vec![0; 50]));
        a.lock().unwrap().put((0, 1), chunk(100));
        assert_eq!(budget.used(), 300, "all fits");
        // A 100-byte chunk of B's: A's first chunk is the oldest of all and goes.
        b.lock().unwrap().put((0, 1), Arc::new(vec![0; 50]));
        assert!(!a.lock().unwrap().contains((0, 0)), "A's oldest went");
        assert!(a.lock().unwrap().contains((0, 1)));
        assert!(b.lock().unwrap().contains((0, 0)), "B's older chunk stays");
        assert_eq!(budget.used(), 300);
        // Drawing B's first chunk makes A's remaining one the oldest.
        assert!(b.lock().unwrap().get((0, 0)).is_some());
        a.lock().unwrap().put((0, 2), chunk(100));
        assert!(!a.lock().unwrap().contains((0, 1)));
        assert!(b.lock().unwrap().contains((0, 0)) && b.lock().unwrap().contains((0, 1)));
        // A raster closed gives its bytes back.
        drop(a);
        assert_eq!(budget.used(), 200);
    }

    #[test]
    fn a_lower_limit_drops_chunks_and_room_for_a_pyramid_is_made_from_streamed_chunks() {
        let budget = MemoryBudget::new(1000);
        let a = ChunkLru::<u8>::shared(&budget, 1);
        for i in 0..5 {
            a.lock().unwrap().put((0, i), chunk(100));
        }
        budget.set_limit(250);
        assert_eq!(budget.used(), 200, "three chunks went");
        assert!(a.lock().unwrap().contains((0, 4)), "the newest stays");
        budget.set_limit(1000);
        assert_eq!(budget.room_for(700), 700, "what fits");
        assert_eq!(budget.used(), 200, "nothing dropped for it");
        assert_eq!(
            budget.room_for(900),
            900,
            "the oldest streamed chunk made room"
        );
        assert_eq!(budget.used(), 100);
        assert!(a.lock().unwrap().contains((0, 4)));
        assert_eq!(budget.room_for(2000), 1000, "at most the limit");
        assert_eq!(budget.used(), 0);
    }
}
