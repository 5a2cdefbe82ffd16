//! The decoded raster as 256×256 chunks on a pyramid of levels (level `k` is the full raster
//! averaged down by `2^k`), kept in memory up to a byte budget and spilled to an anonymous
//! temporary file beyond it, finest level first.
//!
//! Building is single-threaded ([`PyramidBuilder`]); the finished [`Pyramid`] is read-only and
//! shared by the tile workers, spilled chunks coming back through a small cache.

#![allow(
    clippy::many_single_char_names,
    reason = "chunk arithmetic: x, y, w, h, k as in the docs"
)]

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, PoisonError};

use super::chunk_lru::ChunkLru;
use super::memory_budget::{MemoryBudget, Reservation};
use super::stream::ChunkSource;

/// Edge of a chunk in pixels.
pub const CHUNK_PX: u32 = 256;

/// Spilled chunks kept decoded after a read, per raster.
const READ_CACHE_CHUNKS: usize = 48;

/// A sample type a chunk can hold.
pub trait Sample: Copy + Default + PartialEq + Send + Sync + 'static {
    /// Bytes per sample.
    const BYTES: usize;
    /// As a float for resampling and stretching.
    fn to_f32(self) -> f32;
    /// From an average (rounded, in range).
    fn from_f32(v: f32) -> Self;
    /// The rounded mean of four samples.
    fn mean4(a: Self, b: Self, c: Self, d: Self) -> Self;
    /// Appends little-endian bytes.
    fn extend_bytes(samples: &[Self], out: &mut Vec<u8>);
    /// Reads little-endian bytes.
    fn from_bytes(bytes: &[u8], out: &mut Vec<Self>);
}

impl Sample for u8 {
    const BYTES: usize = 1;
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn from_f32(v: f32) -> Self {
        v.round().clamp(0.0, 255.0) as u8
    }
    fn mean4(a: Self, b: Self, c: Self, d: Self) -> Self {
        let sum = u16::from(a) + u16::from(b) + u16::from(c) + u16::from(d);
        ((sum + 2) / 4) as u8
    }
    fn extend_bytes(samples: &[Self], out: &mut Vec<u8>) {
        out.extend_from_slice(samples);
    }
    fn from_bytes(bytes: &[u8], out: &mut Vec<Self>) {
        out.extend_from_slice(bytes);
    }
}

impl Sample for u16 {
    const BYTES: usize = 2;
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn from_f32(v: f32) -> Self {
        v.round().clamp(0.0, 65535.0) as u16
    }
    fn mean4(a: Self, b: Self, c: Self, d: Self) -> Self {
        let sum = u32::from(a) + u32::from(b) + u32::from(c) + u32::from(d);
        ((sum + 2) / 4) as u16
    }
    fn extend_bytes(samples: &[Self], out: &mut Vec<u8>) {
        out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    }
    fn from_bytes(bytes: &[u8], out: &mut Vec<Self>) {
        out.extend(
            bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]])),
        );
    }
}

/// Where a block of decoded samples goes: a `w`×`h` rectangle at (`x0`, `y0`) of level 0
/// whose pixels carry `src_bands` samples feeding bands `first_band..first_band + src_bands`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockAt {
    /// Left column.
    pub x0: u32,
    /// Top row.
    pub y0: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// Samples per pixel in the block.
    pub src_bands: usize,
    /// First band these samples fill.
    pub first_band: usize,
}

/// Size of one pyramid level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelSize {
    /// Width in this level's pixels.
    pub width_px: u32,
    /// Height in this level's pixels.
    pub height_px: u32,
}

impl LevelSize {
    fn cols(self) -> u32 {
        self.width_px.div_ceil(CHUNK_PX)
    }
    fn rows(self) -> u32 {
        self.height_px.div_ceil(CHUNK_PX)
    }
    /// Pixel size of chunk (`cx`, `cy`), smaller at the right and bottom edges.
    #[must_use]
    pub fn chunk_size(self, cx: u32, cy: u32) -> (u32, u32) {
        (
            (self.width_px - cx * CHUNK_PX).min(CHUNK_PX),
            (self.height_px - cy * CHUNK_PX).min(CHUNK_PX),
        )
    }
    /// The next level down: half the size, rounded up.
    fn half(self) -> Self {
        Self {
            width_px: self.width_px.div_ceil(2),
            height_px: self.height_px.div_ceil(2),
        }
    }
}

enum Slot<T> {
    Missing,
    Mem(Arc<Vec<T>>),
    Spilled { offset: u64 },
}

struct Level<T> {
    size: LevelSize,
    slots: Vec<Slot<T>>,
}

/// Where chunks go beyond the memory budget.
struct Spill {
    file: File,
    end: u64,
}

/// Spilled chunks read back, by (level, chunk index), oldest first.
type ReadCache<T> = VecDeque<((usize, usize), Arc<Vec<T>>)>;

/// Failure to write or read the spill file.
pub type SpillError = std::io::Error;

/// The finished, read-only pyramid.
pub struct Pyramid<T> {
    bands: usize,
    levels: Vec<Level<T>>,
    spill: Option<Mutex<Spill>>,
    cache: Mutex<ReadCache<T>>,
    memory_bytes: usize,
    spilled_bytes: u64,
    nodata: Option<T>,
    /// For a streamed raster: where chunks are read from, and the decoded ones kept.
    stream: Option<Stream<T>>,
    /// A pyramid decoded whole: its in-memory pixels, counted against the shared budget.
    held: Option<Reservation>,
}

/// A streamed pyramid's chunk source and its decoded chunks.
type Stream<T> = (Box<dyn ChunkSource<T>>, Arc<Mutex<ChunkLru<T>>>);

/// The level sizes from `size` down to one chunk.
fn level_sizes(size: LevelSize) -> Vec<LevelSize> {
    let mut out = vec![size];
    let mut s = size;
    while s.width_px > CHUNK_PX || s.height_px > CHUNK_PX {
        s = s.half();
        out.push(s);
    }
    out
}

impl<T: Sample> Pyramid<T> {
    /// A pyramid read on demand from `source`: stored levels from the file, the others
    /// averaged from the level above, decoded chunks kept under `budget` (shared by every
    /// open raster).
    pub fn streamed(
        size: LevelSize,
        bands: usize,
        nodata: Option<T>,
        source: Box<dyn ChunkSource<T>>,
        budget: &Arc<MemoryBudget>,
    ) -> Self {
        let levels = level_sizes(size)
            .into_iter()
            .map(|size| Level {
                size,
                slots: Vec::new(),
            })
            .collect();
        Self {
            bands,
            levels,
            spill: None,
            cache: Mutex::new(VecDeque::new()),
            memory_bytes: 0,
            spilled_bytes: 0,
            nodata,
            stream: Some((source, ChunkLru::shared(budget, T::BYTES))),
            held: None,
        }
    }

    /// Counts this pyramid's in-memory pixels (one decoded whole) against `budget` while it
    /// is open.
    pub fn count_against(&mut self, budget: &Arc<MemoryBudget>) {
        if self.stream.is_none() {
            self.held = Some(Reservation::new(budget, self.memory_bytes));
        }
    }

    /// True where level `k` holds the file's own pixels (full resolution, or an overview the
    /// file stores) rather than pixels averaged from the level above.
    pub fn stores_level(&self, k: usize) -> bool {
        k == 0 || self.stream.as_ref().is_some_and(|(s, _)| s.stores_level(k))
    }

    /// A second handle on a pyramid held wholly in memory (its chunks shared, not copied);
    /// `None` for one streamed or partly spilled, whose chunks are not all at hand.
    pub fn share(&self) -> Option<Self> {
        if self.stream.is_some() || self.spill.is_some() {
            return None;
        }
        let levels = self
            .levels
            .iter()
            .map(|level| Level {
                size: level.size,
                slots: level
                    .slots
                    .iter()
                    .map(|slot| match slot {
                        Slot::Mem(data) => Slot::Mem(Arc::clone(data)),
                        Slot::Missing | Slot::Spilled { .. } => Slot::Missing,
                    })
                    .collect(),
            })
            .collect();
        Some(Self {
            bands: self.bands,
            levels,
            spill: None,
            cache: Mutex::new(VecDeque::new()),
            // The pixels are counted once, by the first handle.
            memory_bytes: 0,
            spilled_bytes: 0,
            nodata: self.nodata,
            stream: None,
            held: None,
        })
    }

    /// True for a pyramid read on demand from the file.
    pub fn is_streamed(&self) -> bool {
        self.stream.is_some()
    }

    /// Bytes a streamed pyramid has read from its file or server; 0 for a built one.
    pub fn bytes_read(&self) -> u64 {
        self.stream.as_ref().map_or(0, |(s, _)| s.bytes_read())
    }

    /// Says chunks `cols` × `rows` of level `k` are about to be read, so a streamed raster
    /// fetches what it lacks of them at once.
    pub fn prefetch(
        &self,
        k: usize,
        cols: std::ops::RangeInclusive<u32>,
        rows: std::ops::RangeInclusive<u32>,
    ) {
        let Some((source, lru)) = &self.stream else {
            return;
        };
        if !source.stores_level(k) {
            return;
        }
        let Some(size) = self.level_size(k) else {
            return;
        };
        let missing: Vec<(u32, u32)> = {
            let lru = lru.lock().unwrap_or_else(PoisonError::into_inner);
            rows.flat_map(|cy| cols.clone().map(move |cx| (cx, cy)))
                .filter(|&(cx, cy)| {
                    cx < size.cols()
                        && cy < size.rows()
                        && !lru.contains((k, (cy * size.cols() + cx) as usize))
                })
                .collect()
        };
        if missing.len() > 1 {
            source.prefetch(k, &missing);
        }
    }

    /// Chunk (`cx`, `cy`) of streamed level `k`: kept, read from the file, or averaged from
    /// the level above.
    fn streamed_chunk(
        &self,
        k: usize,
        cx: u32,
        cy: u32,
        (source, lru): &Stream<T>,
    ) -> Result<Option<Arc<Vec<T>>>, SpillError> {
        let Some(size) = self.level_size(k) else {
            return Ok(None);
        };
        let cols = size.cols();
        let key = (k, (cy * cols + cx) as usize);
        if let Some(hit) = lru.lock().unwrap_or_else(PoisonError::into_inner).get(key) {
            return Ok(Some(hit));
        }
        if source.stores_level(k) {
            let chunks = source.read(k, (cx, cy), size, self.bands)?;
            let mut wanted = None;
            let mut lru = lru.lock().unwrap_or_else(PoisonError::into_inner);
            for (x, y, data) in chunks {
                let data = Arc::new(data);
                if (x, y) == (cx, cy) {
                    wanted = Some(Arc::clone(&data));
                }
                lru.put((k, (y * cols + x) as usize), data);
            }
            return Ok(wanted);
        }
        let Some(src_size) = k.checked_sub(1).and_then(|j| self.level_size(j)) else {
            return Ok(None);
        };
        let mut src = [[None, None], [None, None]];
        for (dy, row) in src.iter_mut().enumerate() {
            for (dx, s) in row.iter_mut().enumerate() {
                *s = self.chunk(k - 1, 2 * cx + dx as u32, 2 * cy + dy as u32)?;
            }
        }
        let data = Arc::new(downsample(
            &src,
            src_size,
            size,
            cx,
            cy,
            self.bands,
            self.nodata,
        ));
        lru.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(key, Arc::clone(&data));
        Ok(Some(data))
    }

    /// Samples per pixel.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Number of levels (1 = full resolution only).
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// Size of level `k`.
    pub fn level_size(&self, k: usize) -> Option<LevelSize> {
        self.levels.get(k).map(|l| l.size)
    }

    /// Bytes of pixels held in memory (not counting the read cache; a streamed pyramid's
    /// decoded chunks).
    pub fn memory_bytes(&self) -> usize {
        match &self.stream {
            Some((_, lru)) => lru.lock().unwrap_or_else(PoisonError::into_inner).bytes(),
            None => self.memory_bytes,
        }
    }

    /// Bytes of pixels in the spill file.
    pub fn spilled_bytes(&self) -> u64 {
        self.spilled_bytes
    }

    /// Chunk (`cx`, `cy`) of level `k`, interleaved samples, row-major; `None` outside.
    pub fn chunk(&self, k: usize, cx: u32, cy: u32) -> Result<Option<Arc<Vec<T>>>, SpillError> {
        let Some(level) = self.levels.get(k) else {
            return Ok(None);
        };
        if cx >= level.size.cols() || cy >= level.size.rows() {
            return Ok(None);
        }
        if let Some(stream) = &self.stream {
            return self.streamed_chunk(k, cx, cy, stream);
        }
        let idx = (cy * level.size.cols() + cx) as usize;
        match level.slots.get(idx) {
            Some(Slot::Mem(data)) => Ok(Some(Arc::clone(data))),
            Some(Slot::Spilled { offset }) => {
                let key = (k, idx);
                {
                    let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some((_, data)) = cache.iter().find(|(k2, _)| *k2 == key) {
                        return Ok(Some(Arc::clone(data)));
                    }
                }
                let (w, h) = level.size.chunk_size(cx, cy);
                let len = w as usize * h as usize * self.bands;
                let Some(spill) = &self.spill else {
                    return Ok(None);
                };
                let mut bytes = vec![0u8; len * T::BYTES];
                {
                    let mut spill = spill.lock().unwrap_or_else(PoisonError::into_inner);
                    spill.file.seek(SeekFrom::Start(*offset))?;
                    spill.file.read_exact(&mut bytes)?;
                }
                let mut samples = Vec::with_capacity(len);
                T::from_bytes(&bytes, &mut samples);
                let data = Arc::new(samples);
                let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
                if cache.len() >= READ_CACHE_CHUNKS {
                    cache.pop_front();
                }
                cache.push_back((key, Arc::clone(&data)));
                Ok(Some(data))
            }
            Some(Slot::Missing) | None => Ok(None),
        }
    }
}

/// Builds a pyramid: level 0 from rows written in order (any rectangle, top to bottom), then the
/// coarser levels by 2×2 averaging, under a memory budget.
pub struct PyramidBuilder<T> {
    bands: usize,
    levels: Vec<Level<T>>,
    /// Level-0 chunk rows being filled, by chunk row.
    open_rows: BTreeMap<u32, Vec<Vec<T>>>,
    /// Level-0 chunk rows below this are complete.
    done_rows: u32,
    /// Chunk rows built so far of each coarser level (index 0 unused: `done_rows`).
    built_rows: Vec<u32>,
    /// Levels finer than this are dropped once the level above them is built from them.
    keep_from: usize,
    budget_bytes: usize,
    memory_bytes: usize,
    spilled_bytes: u64,
    /// In-memory chunks that may be spilled, per level.
    spillable: Vec<Vec<usize>>,
    spill: Option<Spill>,
    nodata: Option<T>,
}

impl<T: Sample> PyramidBuilder<T> {
    /// An empty pyramid for a raster of `size` with `bands` samples per pixel, building every
    /// level down to one chunk.
    pub fn new(size: LevelSize, bands: usize, budget_bytes: usize, nodata: Option<T>) -> Self {
        let mut levels = Vec::new();
        let mut s = size;
        loop {
            let count = (s.cols() * s.rows()) as usize;
            levels.push(Level {
                size: s,
                slots: (0..count).map(|_| Slot::Missing).collect(),
            });
            if s.width_px <= CHUNK_PX && s.height_px <= CHUNK_PX {
                break;
            }
            s = s.half();
        }
        let spillable = levels.iter().map(|_| Vec::new()).collect();
        let built_rows = vec![0; levels.len()];
        Self {
            bands,
            levels,
            open_rows: BTreeMap::new(),
            done_rows: 0,
            built_rows,
            keep_from: 0,
            budget_bytes,
            memory_bytes: 0,
            spilled_bytes: 0,
            spillable,
            spill: None,
            nodata,
        }
    }

    /// Keeps only level `level` and the coarser ones: the finer levels' chunks are dropped as
    /// soon as the level above them has been averaged from them (an export that draws the
    /// raster at one scale holds a sixteenth of it for level 2, not all of it).
    pub fn keep_from(&mut self, level: usize) {
        self.keep_from = level.min(self.levels.len().saturating_sub(1));
    }

    fn size0(&self) -> LevelSize {
        self.levels.first().map_or(
            LevelSize {
                width_px: 0,
                height_px: 0,
            },
            |l| l.size,
        )
    }

    /// Copies a block of level 0 from `src` (see [`BlockAt`]). Rows above the last
    /// [`Self::complete_rows`] must not be written again.
    pub fn put(&mut self, at: BlockAt, src: &[T]) {
        let BlockAt {
            x0,
            y0,
            w,
            h,
            src_bands,
            first_band,
        } = at;
        let size = self.size0();
        let bands = self.bands;
        let (w, h) = (
            w.min(size.width_px.saturating_sub(x0)),
            h.min(size.height_px.saturating_sub(y0)),
        );
        if w == 0 || h == 0 || first_band + src_bands > bands {
            return;
        }
        let src_stride = w as usize * src_bands;
        for cy in y0 / CHUNK_PX..=(y0 + h - 1) / CHUNK_PX {
            if cy < self.done_rows {
                continue;
            }
            let row_chunks = self.open_rows.entry(cy).or_insert_with(|| {
                (0..size.cols())
                    .map(|cx| {
                        let (cw, ch) = size.chunk_size(cx, cy);
                        vec![T::default(); cw as usize * ch as usize * bands]
                    })
                    .collect()
            });
            let (ry0, ry1) = ((cy * CHUNK_PX).max(y0), ((cy + 1) * CHUNK_PX).min(y0 + h));
            for cx in x0 / CHUNK_PX..=(x0 + w - 1) / CHUNK_PX {
                let Some(chunk) = row_chunks.get_mut(cx as usize) else {
                    continue;
                };
                let (cw, _) = size.chunk_size(cx, cy);
                let (rx0, rx1) = ((cx * CHUNK_PX).max(x0), ((cx + 1) * CHUNK_PX).min(x0 + w));
                let n = (rx1 - rx0) as usize;
                for y in ry0..ry1 {
                    let s0 = (y - y0) as usize * src_stride + (rx0 - x0) as usize * src_bands;
                    let d0 = ((y - cy * CHUNK_PX) as usize * cw as usize
                        + (rx0 - cx * CHUNK_PX) as usize)
                        * bands;
                    let (Some(s), Some(d)) = (
                        src.get(s0..s0 + n * src_bands),
                        chunk.get_mut(d0..d0 + n * bands),
                    ) else {
                        continue;
                    };
                    if src_bands == bands {
                        d.copy_from_slice(s);
                    } else {
                        for (dp, sp) in d.chunks_exact_mut(bands).zip(s.chunks_exact(src_bands)) {
                            if let Some(dst) = dp.get_mut(first_band..first_band + src_bands) {
                                dst.copy_from_slice(sp);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Says every level-0 row above `rows` is written: finished chunk rows move into the
    /// pyramid (and may be spilled), and the coarser levels' chunk rows they complete are
    /// averaged at once, while the rows below are still being decoded.
    pub fn complete_rows(&mut self, rows: u32) -> Result<(), SpillError> {
        self.store_rows(rows)?;
        while self.build_next_row()? {}
        Ok(())
    }

    /// Moves the finished level-0 chunk rows above `rows` into the pyramid.
    fn store_rows(&mut self, rows: u32) -> Result<(), SpillError> {
        let size = self.size0();
        let rows = rows.min(size.height_px);
        while self.done_rows < size.rows()
            && ((self.done_rows + 1) * CHUNK_PX).min(size.height_px) <= rows
        {
            let cy = self.done_rows;
            let chunks = self.open_rows.remove(&cy).unwrap_or_else(|| {
                (0..size.cols())
                    .map(|cx| {
                        let (cw, ch) = size.chunk_size(cx, cy);
                        vec![T::default(); cw as usize * ch as usize * self.bands]
                    })
                    .collect()
            });
            for (cx, data) in chunks.into_iter().enumerate() {
                self.store(0, (cy * size.cols()) as usize + cx, data)?;
            }
            self.done_rows += 1;
        }
        Ok(())
    }

    fn store(&mut self, k: usize, idx: usize, data: Vec<T>) -> Result<(), SpillError> {
        let bytes = data.len() * T::BYTES;
        if let Some(slot) = self.levels.get_mut(k).and_then(|l| l.slots.get_mut(idx)) {
            *slot = Slot::Mem(Arc::new(data));
            self.memory_bytes += bytes;
            if let Some(list) = self.spillable.get_mut(k) {
                list.push(idx);
            }
        }
        self.enforce_budget()
    }

    /// Spills chunks, finest level first, until the budget holds.
    fn enforce_budget(&mut self) -> Result<(), SpillError> {
        while self.memory_bytes > self.budget_bytes {
            let Some((k, idx)) = self
                .spillable
                .iter_mut()
                .enumerate()
                .find_map(|(k, list)| list.pop().map(|idx| (k, idx)))
            else {
                return Ok(());
            };
            let Some(slot) = self.levels.get_mut(k).and_then(|l| l.slots.get_mut(idx)) else {
                continue;
            };
            let Slot::Mem(data) = slot else {
                continue;
            };
            let spill = match &mut self.spill {
                Some(s) => s,
                None => self.spill.insert(Spill {
                    file: tempfile::tempfile()?,
                    end: 0,
                }),
            };
            let mut bytes = Vec::with_capacity(data.len() * T::BYTES);
            T::extend_bytes(data, &mut bytes);
            spill.file.seek(SeekFrom::Start(spill.end))?;
            spill.file.write_all(&bytes)?;
            let offset = spill.end;
            spill.end += bytes.len() as u64;
            self.memory_bytes -= bytes.len();
            self.spilled_bytes += bytes.len() as u64;
            *slot = Slot::Spilled { offset };
        }
        Ok(())
    }

    /// Forgets chunk rows `rows` of level `k` (a level not kept).
    fn drop_rows(&mut self, k: usize, rows: std::ops::Range<u32>) {
        let Some(level) = self.levels.get_mut(k) else {
            return;
        };
        let cols = level.size.cols();
        for cy in rows {
            for cx in 0..cols {
                if let Some(slot) = level.slots.get_mut((cy * cols + cx) as usize)
                    && let Slot::Mem(data) = std::mem::replace(slot, Slot::Missing)
                {
                    self.memory_bytes -= data.len() * T::BYTES;
                }
            }
        }
    }

    fn read_chunk(
        &mut self,
        k: usize,
        cx: u32,
        cy: u32,
    ) -> Result<Option<Arc<Vec<T>>>, SpillError> {
        let Some(level) = self.levels.get(k) else {
            return Ok(None);
        };
        if cx >= level.size.cols() || cy >= level.size.rows() {
            return Ok(None);
        }
        let idx = (cy * level.size.cols() + cx) as usize;
        match level.slots.get(idx) {
            Some(Slot::Mem(d)) => Ok(Some(Arc::clone(d))),
            Some(Slot::Spilled { offset }) => {
                let (w, h) = level.size.chunk_size(cx, cy);
                let len = w as usize * h as usize * self.bands;
                let Some(spill) = &mut self.spill else {
                    return Ok(None);
                };
                let mut bytes = vec![0u8; len * T::BYTES];
                spill.file.seek(SeekFrom::Start(*offset))?;
                spill.file.read_exact(&mut bytes)?;
                let mut out = Vec::with_capacity(len);
                T::from_bytes(&bytes, &mut out);
                Ok(Some(Arc::new(out)))
            }
            _ => Ok(None),
        }
    }

    /// Builds the coarser levels' chunk rows still to build (those whose level-0 rows came
    /// last); `on_row(done, total)` after each chunk row, and stops early (returning
    /// `Ok(false)`) when it returns false.
    pub fn build_levels(
        &mut self,
        mut on_row: impl FnMut(usize, usize) -> bool,
    ) -> Result<bool, SpillError> {
        self.store_rows(u32::MAX)?;
        let total: usize = self
            .levels
            .iter()
            .skip(1)
            .map(|l| l.size.rows() as usize)
            .sum();
        let mut done: usize = self.built_rows.iter().skip(1).map(|&r| r as usize).sum();
        while self.build_next_row()? {
            done += 1;
            if !on_row(done, total) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Averages the next chunk row of the first coarser level whose rows under it are all in;
    /// false when none is ready.
    fn build_next_row(&mut self) -> Result<bool, SpillError> {
        for k in 1..self.levels.len() {
            let (Some(size), Some(src_size)) = (
                self.levels.get(k).map(|l| l.size),
                self.levels.get(k - 1).map(|l| l.size),
            ) else {
                break;
            };
            let cy = self.built_rows.get(k).copied().unwrap_or(u32::MAX);
            if cy >= size.rows() {
                continue;
            }
            let src_done = if k == 1 {
                self.done_rows
            } else {
                self.built_rows.get(k - 1).copied().unwrap_or(0)
            };
            if src_done < (2 * cy + 2).min(src_size.rows()) {
                continue;
            }
            for cx in 0..size.cols() {
                let mut src = [[None, None], [None, None]];
                for (dy, row) in src.iter_mut().enumerate() {
                    for (dx, s) in row.iter_mut().enumerate() {
                        *s = self.read_chunk(k - 1, 2 * cx + dx as u32, 2 * cy + dy as u32)?;
                    }
                }
                let data = downsample(&src, src_size, size, cx, cy, self.bands, self.nodata);
                self.store(k, (cy * size.cols() + cx) as usize, data)?;
            }
            if let Some(built) = self.built_rows.get_mut(k) {
                *built += 1;
            }
            if k - 1 < self.keep_from {
                self.drop_rows(k - 1, 2 * cy..(2 * cy + 2).min(src_size.rows()));
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// The finished pyramid.
    pub fn finish(self) -> Pyramid<T> {
        Pyramid {
            bands: self.bands,
            levels: self.levels,
            spill: self.spill.map(Mutex::new),
            cache: Mutex::new(VecDeque::new()),
            memory_bytes: self.memory_bytes,
            spilled_bytes: self.spilled_bytes,
            nodata: self.nodata,
            stream: None,
            held: None,
        }
    }
}

/// One chunk of level `k` from the 2×2 chunks of level `k - 1` under it: each pixel the mean of
/// the (up to) four pixels it covers, leaving out `nodata`. Each source chunk feeds one quadrant.
fn downsample<T: Sample>(
    src: &[[Option<Arc<Vec<T>>>; 2]; 2],
    src_size: LevelSize,
    size: LevelSize,
    cx: u32,
    cy: u32,
    bands: usize,
    nodata: Option<T>,
) -> Vec<T> {
    let (w, h) = size.chunk_size(cx, cy);
    let out_w = w as usize;
    let mut out = vec![T::default(); out_w * h as usize * bands];
    let half = (CHUNK_PX / 2) as usize;
    let mut sums = vec![0f32; bands];
    for (qy, row) in src.iter().enumerate() {
        for (qx, chunk) in row.iter().enumerate() {
            let Some(chunk) = chunk else {
                continue;
            };
            let (sw, sh) = src_size.chunk_size(2 * cx + qx as u32, 2 * cy + qy as u32);
            let (sw, sh) = (sw as usize, sh as usize);
            let row_len = sw * bands;
            for ly in 0..sh.div_ceil(2) {
                let rows = if 2 * ly + 1 < sh { 2 } else { 1 };
                let out_row = (qy * half + ly) * out_w;
                let mut first_slow_x = 0;
                if nodata.is_none() && rows == 2 {
                    // Whole 2×2 blocks without nodata: the plain mean, row pair by row pair.
                    let start = (out_row + qx * half) * bands;
                    let pairs = sw / 2;
                    if let (Some(r0), Some(r1), Some(dst)) = (
                        chunk.get(2 * ly * row_len..(2 * ly + 1) * row_len),
                        chunk.get((2 * ly + 1) * row_len..(2 * ly + 2) * row_len),
                        out.get_mut(start..start + pairs * bands),
                    ) {
                        for ((d, a), b) in dst
                            .chunks_exact_mut(bands)
                            .zip(r0.chunks_exact(2 * bands))
                            .zip(r1.chunks_exact(2 * bands))
                        {
                            let (a0, a1) = a.split_at(bands);
                            let (b0, b1) = b.split_at(bands);
                            for ((d, (p, q)), (r, t)) in
                                d.iter_mut().zip(a0.iter().zip(a1)).zip(b0.iter().zip(b1))
                            {
                                *d = T::mean4(*p, *q, *r, *t);
                            }
                        }
                        first_slow_x = pairs;
                    }
                }
                for lx in first_slow_x..sw.div_ceil(2) {
                    let cols = if 2 * lx + 1 < sw { 2 } else { 1 };
                    sums.fill(0.0);
                    let mut n = 0u32;
                    for r in 0..rows {
                        for c in 0..cols {
                            let i = ((2 * ly + r) * sw + 2 * lx + c) * bands;
                            let Some(p) = chunk.get(i..i + bands) else {
                                continue;
                            };
                            if nodata.is_some_and(|nd| p.iter().all(|v| *v == nd)) {
                                continue;
                            }
                            for (s, v) in sums.iter_mut().zip(p) {
                                *s += v.to_f32();
                            }
                            n += 1;
                        }
                    }
                    let i = (out_row + qx * half + lx) * bands;
                    let Some(dst) = out.get_mut(i..i + bands) else {
                        continue;
                    };
                    if n == 0 {
                        dst.fill(nodata.unwrap_or_default());
                    } else {
                        let inv = 1.0 / n as f32;
                        for (d, s) in dst.iter_mut().zip(&sums) {
                            *d = T::from_f32(s * inv);
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32, budget: usize) -> Pyramid<u16> {
        let mut b = PyramidBuilder::<u16>::new(
            LevelSize {
                width_px: w,
                height_px: h,
            },
            2,
            budget,
            None,
        );
        // Written as 7-row strips, like a TIFF with RowsPerStrip = 7.
        for y0 in (0..h).step_by(7) {
            let rows = 7.min(h - y0);
            let mut strip = Vec::new();
            for y in y0..y0 + rows {
                for x in 0..w {
                    strip.extend_from_slice(&[x as u16, y as u16]);
                }
            }
            b.put(
                BlockAt {
                    x0: 0,
                    y0,
                    w,
                    h: rows,
                    src_bands: 2,
                    first_band: 0,
                },
                &strip,
            );
            b.complete_rows(y0 + rows).unwrap();
        }
        assert!(b.build_levels(|_, _| true).unwrap());
        b.finish()
    }

    fn pixel(p: &Pyramid<u16>, k: usize, x: u32, y: u32) -> (u16, u16) {
        let size = p.level_size(k).unwrap();
        let c = p.chunk(k, x / CHUNK_PX, y / CHUNK_PX).unwrap().unwrap();
        let (cw, _) = size.chunk_size(x / CHUNK_PX, y / CHUNK_PX);
        let i = (((y % CHUNK_PX) * cw + x % CHUNK_PX) * 2) as usize;
        (c[i], c[i + 1])
    }

    #[test]
    fn strips_land_in_the_right_chunks_and_levels_average_them() {
        let p = gradient(600, 300, usize::MAX);
        assert_eq!(p.level_count(), 3);
        assert_eq!(
            p.level_size(1),
            Some(LevelSize {
                width_px: 300,
                height_px: 150
            })
        );
        assert_eq!(pixel(&p, 0, 0, 0), (0, 0));
        assert_eq!(pixel(&p, 0, 599, 299), (599, 299));
        assert_eq!(pixel(&p, 0, 300, 257), (300, 257));
        // (2x + 0.5) rounded: the mean of 2x and 2x + 1.
        assert_eq!(pixel(&p, 1, 10, 20), (21, 41));
        assert_eq!(pixel(&p, 2, 149, 74), (598, 298));
        assert_eq!(p.spilled_bytes(), 0);
    }

    #[test]
    fn beyond_the_budget_chunks_are_spilled_and_read_back_the_same() {
        let all = gradient(700, 600, usize::MAX);
        let small = gradient(700, 600, 300_000);
        assert!(small.spilled_bytes() > 0);
        assert!(small.memory_bytes() <= 300_000);
        for &(k, x, y) in &[
            (0, 0, 0),
            (0, 699, 599),
            (0, 400, 300),
            (1, 200, 100),
            (2, 80, 70),
        ] {
            assert_eq!(pixel(&small, k, x, y), pixel(&all, k, x, y));
        }
    }

    #[test]
    fn coarser_rows_are_averaged_as_soon_as_the_rows_under_them_are_in() {
        let size = LevelSize {
            width_px: 600,
            height_px: 1300,
        };
        let strip = |y0: u32, h: u32| -> Vec<u16> {
            (y0..y0 + h)
                .flat_map(|y| (0..600u32).flat_map(move |x| [x as u16, y as u16]))
                .collect()
        };
        let at = |y0, h| BlockAt {
            x0: 0,
            y0,
            w: 600,
            h,
            src_bands: 2,
            first_band: 0,
        };
        let mut b = PyramidBuilder::<u16>::new(size, 2, usize::MAX, None);
        b.put(at(0, 512), &strip(0, 512));
        b.complete_rows(512).unwrap();
        // Two level-0 chunk rows make level 1's first; level 2 needs two of level 1's.
        assert_eq!(b.built_rows[1], 1);
        assert_eq!(b.built_rows[2], 0);
        b.put(at(512, 788), &strip(512, 788));
        b.complete_rows(1300).unwrap();
        assert_eq!(
            b.built_rows[1], 3,
            "1300 rows: 6 level-0 chunk rows, 3 of level 1"
        );
        let mut rows_left = 0;
        assert!(
            b.build_levels(|_, _| {
                rows_left += 1;
                true
            })
            .unwrap()
        );
        let incremental = b.finish();
        // The same pyramid as one whose rows all came before any level was built.
        let mut whole = PyramidBuilder::<u16>::new(size, 2, usize::MAX, None);
        whole.put(at(0, 1300), &strip(0, 1300));
        assert!(whole.build_levels(|_, _| true).unwrap());
        let whole = whole.finish();
        assert_eq!(incremental.level_count(), whole.level_count());
        for k in 0..whole.level_count() {
            let s = whole.level_size(k).unwrap();
            for cy in 0..s.rows() {
                for cx in 0..s.cols() {
                    assert_eq!(
                        incremental.chunk(k, cx, cy).unwrap(),
                        whole.chunk(k, cx, cy).unwrap(),
                        "level {k} chunk {cx},{cy}"
                    );
                }
            }
        }
        assert!(
            rows_left < 6,
            "most rows were built during the decode: {rows_left} left"
        );
    }

    #[test]
    fn a_raster_of_one_pixel_is_one_level() {
        let p = gradient(1, 1, usize::MAX);
        assert_eq!(p.level_count(), 1);
        assert_eq!(pixel(&p, 0, 0, 0), (0, 0));
        assert!(p.chunk(0, 1, 0).unwrap().is_none());
        assert!(p.chunk(5, 0, 0).unwrap().is_none());
    }

    #[test]
    fn nodata_is_left_out_of_the_average() {
        let mut b = PyramidBuilder::<u8>::new(
            LevelSize {
                width_px: 300,
                height_px: 2,
            },
            1,
            usize::MAX,
            Some(0),
        );
        let mut rows = vec![0u8; 600];
        rows[0] = 100; // (0,0); its three neighbours are nodata
        b.put(
            BlockAt {
                x0: 0,
                y0: 0,
                w: 300,
                h: 2,
                src_bands: 1,
                first_band: 0,
            },
            &rows,
        );
        b.build_levels(|_, _| true).unwrap();
        let p = b.finish();
        let c = p.chunk(1, 0, 0).unwrap().unwrap();
        assert_eq!(c[0], 100);
        assert_eq!(c[1], 0);
    }
}
