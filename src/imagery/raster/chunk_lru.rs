//! Decoded chunks of a streamed raster, kept under a byte budget, the least recently drawn
//! dropped first.

use std::collections::HashMap;
use std::sync::Arc;

/// Chunks by (level, index), each with the tick it was last used.
type Entries<T> = HashMap<(usize, usize), (Arc<Vec<T>>, u64)>;

/// Decoded chunks under a byte budget.
pub struct ChunkLru<T> {
    entries: Entries<T>,
    tick: u64,
    bytes: usize,
    budget_bytes: usize,
    sample_bytes: usize,
}

impl<T> ChunkLru<T> {
    /// An empty cache holding at most `budget_bytes` of samples `sample_bytes` wide.
    #[must_use]
    pub fn new(budget_bytes: usize, sample_bytes: usize) -> Self {
        Self {
            entries: HashMap::new(),
            tick: 0,
            bytes: 0,
            budget_bytes,
            sample_bytes,
        }
    }

    /// The chunk, marked as just used.
    pub fn get(&mut self, key: (usize, usize)) -> Option<Arc<Vec<T>>> {
        self.tick += 1;
        let tick = self.tick;
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

    /// Keeps a chunk, dropping the least recently used ones beyond the budget (never the one
    /// just put).
    pub fn put(&mut self, key: (usize, usize), data: Arc<Vec<T>>) {
        self.tick += 1;
        let bytes = data.len() * self.sample_bytes;
        if let Some((old, _)) = self.entries.insert(key, (data, self.tick)) {
            self.bytes -= old.len() * self.sample_bytes;
        }
        self.bytes += bytes;
        while self.bytes > self.budget_bytes && self.entries.len() > 1 {
            let Some(oldest) = self
                .entries
                .iter()
                .filter(|(k, _)| **k != key)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((old, _)) = self.entries.remove(&oldest) {
                self.bytes -= old.len() * self.sample_bytes;
            }
        }
    }

    /// Bytes of samples held.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_chunk_goes_first_when_over_budget() {
        let mut lru: ChunkLru<u8> = ChunkLru::new(250, 1);
        lru.put((0, 0), Arc::new(vec![0; 100]));
        lru.put((0, 1), Arc::new(vec![0; 100]));
        assert!(lru.get((0, 0)).is_some(), "touch the first");
        lru.put((0, 2), Arc::new(vec![0; 100]));
        assert!(lru.contains((0, 0)));
        assert!(!lru.contains((0, 1)), "the untouched one was dropped");
        assert!(lru.contains((0, 2)));
        assert_eq!(lru.bytes(), 200);
    }
}
