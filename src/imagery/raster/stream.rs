//! Pyramid chunks read from the file's own tiles on demand: the full raster and each overview
//! the TIFF stores (a cloud-optimized GeoTIFF's, internal ones, or those of an external `.ovr`
//! file: [`super::external_ovr`]) serve the pyramid level of their size; nothing is decoded up
//! front. Levels the file lacks are averaged from the level
//! above by the pyramid ([`super::pyramid::Pyramid`]).
//!
//! Each stored level keeps a pool of open decoders over the shared [`ByteSource`] (one more
//! opened whenever all are busy), so tile workers decode in parallel; a request first asks the source for every tile's bytes at once, so a
//! remote file answers a view with few range requests.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use super::bytes::ByteSource;
use super::decode::{Block, BlockSink, Samples, TiffFile};
use super::pyramid::{CHUNK_PX, LevelSize, Sample};
use super::{Limits, RasterError};

/// A sample type a TIFF block can be copied into.
pub trait FromSamples: Sample {
    /// The block's samples, when they are of this type.
    fn slice<'a>(samples: &Samples<'a>) -> Option<&'a [Self]>;
}

impl FromSamples for u8 {
    fn slice<'a>(samples: &Samples<'a>) -> Option<&'a [Self]> {
        match samples {
            Samples::U8(s) => Some(s),
            Samples::U16(_) => None,
        }
    }
}

impl FromSamples for u16 {
    fn slice<'a>(samples: &Samples<'a>) -> Option<&'a [Self]> {
        match samples {
            Samples::U16(s) => Some(s),
            Samples::U8(_) => None,
        }
    }
}

/// Where the pyramid's chunks come from when they are read on demand.
pub trait ChunkSource<T>: Send + Sync {
    /// True when the file stores pyramid level `k` itself.
    fn stores_level(&self, k: usize) -> bool;
    /// Reads chunk (`cx`, `cy`) of stored level `k` (of `size`, `bands` samples a pixel), and
    /// any other whole chunks the same tiles hold: (`cx`, `cy`, samples) each.
    fn read(
        &self,
        k: usize,
        chunk: (u32, u32),
        size: LevelSize,
        bands: usize,
    ) -> io::Result<Vec<(u32, u32, Vec<T>)>>;
    /// Says these chunks of stored level `k` will be read soon.
    fn prefetch(&self, k: usize, chunks: &[(u32, u32)]);
    /// Bytes read from the file or the network so far.
    fn bytes_read(&self) -> u64;
}

/// A level the TIFF (or its `.ovr`) stores.
struct StoredLevel {
    /// The file holding it.
    source: Arc<dyn ByteSource>,
    ifd: usize,
    /// Decoders not in use.
    pool: Mutex<Vec<TiffFile>>,
    tile: (u32, u32),
    across: u32,
    size_px: (u32, u32),
    /// The bytes of each tile (counted across then down), every plane.
    tile_bytes: Vec<Vec<std::ops::Range<u64>>>,
}

impl StoredLevel {
    fn ranges_of(&self, tiles: &[u32]) -> Vec<std::ops::Range<u64>> {
        tiles
            .iter()
            .filter_map(|&q| self.tile_bytes.get(q as usize))
            .flatten()
            .cloned()
            .collect()
    }
}

/// The TIFF's own levels, by pyramid level.
pub struct TiffLevels {
    levels: Vec<Option<StoredLevel>>,
    /// Every file a level is read from, once each.
    sources: Vec<Arc<dyn ByteSource>>,
    limits: Limits,
}

/// A stored image and the pyramid level it serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelImage {
    /// The image's index in the file (0: the full raster).
    pub ifd: usize,
    /// The pyramid level of its size.
    pub level: usize,
}

/// The overviews of a tiled TIFF that serve pyramid levels, opened: each whose size is exactly
/// a level's (`ceil(w / 2^k)` × `ceil(h / 2^k)`, as GDAL makes them). Masks and odd-sized
/// overviews are left out.
pub fn level_images(
    source: &Arc<dyn ByteSource>,
    full: &mut TiffFile,
    limits: &Limits,
) -> Result<Vec<(LevelImage, TiffFile)>, RasterError> {
    let count = full.image_count()?;
    Ok(matching_levels(source, 1..count, full, limits))
}

/// The images `ifds` of the TIFF in `source` that serve a pyramid level of `full` (tiled, not
/// masks, exactly a level's size, the same bands and sample type; one per level), by level.
pub(super) fn matching_levels(
    source: &Arc<dyn ByteSource>,
    ifds: std::ops::Range<usize>,
    full: &TiffFile,
    limits: &Limits,
) -> Vec<(LevelImage, TiffFile)> {
    let mut found: Vec<(LevelImage, TiffFile)> = Vec::new();
    let (w0, h0) = (full.header().width_px, full.header().height_px);
    for ifd in ifds {
        let Ok(image) = TiffFile::open_source(Arc::clone(source), ifd, limits) else {
            continue;
        };
        if image.subfile_type() & 4 != 0 || !image.is_tiled() {
            continue;
        }
        let (w, h) = (image.header().width_px, image.header().height_px);
        let level = (1..32).find(|&k| {
            let f = 1u64 << k;
            u64::from(w) == u64::from(w0).div_ceil(f) && u64::from(h) == u64::from(h0).div_ceil(f)
        });
        if let Some(level) = level
            && image.header().bands == full.header().bands
            && image.header().kind == full.header().kind
            && !found.iter().any(|(f, _)| f.level == level)
        {
            found.push((LevelImage { ifd, level }, image));
        }
    }
    found.sort_by_key(|(f, _)| f.level);
    found
}

impl TiffLevels {
    /// The stored levels of a TIFF: its full raster and the `overviews` that [`level_images`]
    /// (or [`super::external_ovr::external_overviews`]) found, each already open on the file
    /// that holds it.
    pub fn open(full: TiffFile, overviews: Vec<(LevelImage, TiffFile)>, limits: &Limits) -> Self {
        let deepest = overviews.iter().map(|(i, _)| i.level).max().unwrap_or(0);
        let mut levels: Vec<Option<StoredLevel>> = (0..=deepest).map(|_| None).collect();
        let mut sources: Vec<Arc<dyn ByteSource>> = Vec::new();
        let all = std::iter::once((LevelImage { ifd: 0, level: 0 }, full)).chain(overviews);
        for (image, first) in all {
            let (across, down) = first.chunk_grid();
            let h = first.header();
            let source = Arc::clone(first.source());
            if !sources.iter().any(|s| Arc::ptr_eq(s, &source)) {
                sources.push(Arc::clone(&source));
            }
            let stored = StoredLevel {
                source,
                ifd: image.ifd,
                tile: first.chunk_dims(),
                across,
                size_px: (h.width_px, h.height_px),
                tile_bytes: (0..across * down)
                    .map(|q| first.chunk_byte_ranges(q))
                    .collect(),
                pool: Mutex::new(vec![first]),
            };
            if let Some(slot) = levels.get_mut(image.level) {
                *slot = Some(stored);
            }
        }
        Self {
            levels,
            sources,
            limits: *limits,
        }
    }

    /// The tiles (index, counted across then down) under a rectangle of level `k`.
    fn tiles_under(level: &StoredLevel, x0: u32, y0: u32, x1: u32, y1: u32) -> Vec<u32> {
        let (tw, th) = level.tile;
        let (x1, y1) = (x1.min(level.size_px.0), y1.min(level.size_px.1));
        let mut out = Vec::new();
        if x0 >= x1 || y0 >= y1 {
            return out;
        }
        for ty in y0 / th..=(y1 - 1) / th {
            for tx in x0 / tw..=(x1 - 1) / tw {
                out.push(ty * level.across + tx);
            }
        }
        out
    }

    /// The chunk rectangle of (`cx`, `cy`): x0, y0, x1, y1.
    fn chunk_rect(size: LevelSize, cx: u32, cy: u32) -> (u32, u32, u32, u32) {
        let (w, h) = size.chunk_size(cx, cy);
        let (x0, y0) = (cx * CHUNK_PX, cy * CHUNK_PX);
        (x0, y0, x0 + w, y0 + h)
    }
}

/// Copies decoded blocks into the chunks they overlap.
struct ChunkSink<'a, T> {
    chunks: &'a mut [(u32, u32, Vec<T>)],
    size: LevelSize,
    bands: usize,
}

impl<T: FromSamples> BlockSink for ChunkSink<'_, T> {
    fn put(&mut self, b: Block<'_>) {
        let Some(src) = T::slice(&b.samples) else {
            return;
        };
        let at = b.at;
        for (cx, cy, data) in self.chunks.iter_mut() {
            let (x0, y0, x1, y1) = TiffLevels::chunk_rect(self.size, *cx, *cy);
            let (rx0, rx1) = (x0.max(at.x0), x1.min(at.x0 + at.w));
            let (ry0, ry1) = (y0.max(at.y0), y1.min(at.y0 + at.h));
            if rx0 >= rx1 || ry0 >= ry1 {
                continue;
            }
            let cw = (x1 - x0) as usize;
            for y in ry0..ry1 {
                for x in rx0..rx1 {
                    let s = ((y - at.y0) * at.w + (x - at.x0)) as usize * at.src_bands;
                    let d = (((y - y0) as usize) * cw + (x - x0) as usize) * self.bands;
                    for band in 0..at.src_bands {
                        let target = at.first_band + band;
                        if target >= self.bands {
                            break;
                        }
                        if let (Some(v), Some(o)) = (src.get(s + band), data.get_mut(d + target)) {
                            *o = *v;
                        }
                    }
                }
            }
        }
    }

    fn complete_rows(&mut self, _rows: u32) -> Result<(), RasterError> {
        Ok(())
    }

    fn keep_going(&mut self, _fraction: f64) -> bool {
        true
    }
}

impl<T: FromSamples> ChunkSource<T> for TiffLevels {
    fn stores_level(&self, k: usize) -> bool {
        matches!(self.levels.get(k), Some(Some(_)))
    }

    fn read(
        &self,
        k: usize,
        (cx, cy): (u32, u32),
        size: LevelSize,
        bands: usize,
    ) -> io::Result<Vec<(u32, u32, Vec<T>)>> {
        let Some(Some(level)) = self.levels.get(k) else {
            return Ok(Vec::new());
        };
        let (x0, y0, x1, y1) = Self::chunk_rect(size, cx, cy);
        let tiles = Self::tiles_under(level, x0, y0, x1, y1);
        // Tiles that are whole multiples of a chunk fill every chunk they cover.
        let (tw, th) = level.tile;
        let mut wanted = vec![(cx, cy)];
        if tiles.len() == 1 && tw % CHUNK_PX == 0 && th % CHUNK_PX == 0 {
            let (tx0, ty0) = (x0 / tw * tw, y0 / th * th);
            let (tx1, ty1) = (
                (tx0 + tw).min(size.width_px),
                (ty0 + th).min(size.height_px),
            );
            wanted = (ty0 / CHUNK_PX..ty1.div_ceil(CHUNK_PX))
                .flat_map(|y| (tx0 / CHUNK_PX..tx1.div_ceil(CHUNK_PX)).map(move |x| (x, y)))
                .collect();
        }
        let mut chunks: Vec<(u32, u32, Vec<T>)> = wanted
            .into_iter()
            .map(|(x, y)| {
                let (w, h) = size.chunk_size(x, y);
                (x, y, vec![T::default(); w as usize * h as usize * bands])
            })
            .collect();
        level.source.prefetch(&level.ranges_of(&tiles))?;
        let pooled = level
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut decoder = match pooled {
            Some(d) => d,
            None => TiffFile::open_source(Arc::clone(&level.source), level.ifd, &self.limits)
                .map_err(io::Error::other)?,
        };
        let mut sink = ChunkSink {
            chunks: &mut chunks,
            size,
            bands,
        };
        let mut scratch = Vec::new();
        let outcome = tiles
            .into_iter()
            .try_for_each(|q| decoder.decode_chunk(q, &mut sink, &mut scratch));
        level
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(decoder);
        outcome.map_err(io::Error::other)?;
        Ok(chunks)
    }

    fn prefetch(&self, k: usize, chunks: &[(u32, u32)]) {
        let Some(Some(level)) = self.levels.get(k) else {
            return;
        };
        let tiles: Vec<u32> = chunks
            .iter()
            .flat_map(|&(cx, cy)| {
                let (x0, y0) = (cx * CHUNK_PX, cy * CHUNK_PX);
                Self::tiles_under(level, x0, y0, x0 + CHUNK_PX, y0 + CHUNK_PX)
            })
            .collect();
        if let Err(e) = level.source.prefetch(&level.ranges_of(&tiles)) {
            // The reads that follow report it, each for its own tile.
            log::debug!("prefetch of {} failed: {e}", level.source.name().display());
        }
    }

    fn bytes_read(&self) -> u64 {
        self.sources.iter().map(|s| s.bytes_read()).sum()
    }
}
