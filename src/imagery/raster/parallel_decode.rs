//! Decoding a TIFF's strips or tiles on several threads while the caller's sink takes them in
//! file order: each thread has its own reader over the shared bytes and decodes every n-th
//! chunk into a small queue of its own (a few chunks deep, so memory stays a few strips a
//! thread); the calling thread takes chunk q from thread q mod n, which keeps the order without
//! a reorder buffer, and copies it into the sink (the pyramid and histograms) while the threads
//! decode the next ones.

use std::sync::mpsc::{Receiver, sync_channel};

use super::RasterError;
use super::decode::{Block, BlockSink, Samples, TiffFile};
use super::pyramid::BlockAt;

/// Chunks each thread may have decoded ahead of the sink.
const AHEAD: usize = 3;

/// A decoded block, owned.
enum Owned {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

/// What one chunk decoded to.
type Decoded = Result<Vec<(BlockAt, Owned)>, RasterError>;

/// Called once each chunk is in the sink, with its place in the list and its number: true
/// goes on.
pub type AfterChunk<'a> =
    dyn FnMut(&mut dyn BlockSink, usize, u32) -> Result<bool, RasterError> + 'a;

/// A sink that keeps what it is given.
#[derive(Default)]
struct Keep(Vec<(BlockAt, Owned)>);

impl BlockSink for Keep {
    fn put(&mut self, block: Block<'_>) {
        let owned = match block.samples {
            Samples::U8(s) => Owned::U8(s.to_vec()),
            Samples::U16(s) => Owned::U16(s.to_vec()),
        };
        self.0.push((block.at, owned));
    }

    fn complete_rows(&mut self, _rows: u32) -> Result<(), RasterError> {
        Ok(())
    }

    fn keep_going(&mut self, _fraction: f64) -> bool {
        true
    }
}

/// Decodes every strip or tile of `tiff` into `sink` in file order, as [`TiffFile::decode`]
/// does, on `threads` threads (one thread still decodes beside the calling thread, which fills
/// the sink meanwhile); `Ok(false)` if the sink said stop. No thread, or too few chunks to
/// share, decodes on the calling thread.
pub fn decode_parallel(
    tiff: &mut TiffFile,
    sink: &mut dyn BlockSink,
    threads: usize,
) -> Result<bool, RasterError> {
    let (across, down) = tiff.chunk_grid();
    let chunks = across * down;
    if threads.min(chunks as usize / 2) == 0 {
        return tiff.decode(sink);
    }
    let (_, chunk_h) = tiff.chunk_dims();
    let height = tiff.header().height_px;
    let all: Vec<u32> = (0..chunks).collect();
    decode_chunks(tiff, &all, sink, threads, &mut |sink, _, q| {
        let (tx, ty) = (q % across, q / across);
        if tx + 1 == across {
            sink.complete_rows(((ty + 1) * chunk_h).min(height))?;
        }
        Ok(sink.keep_going(f64::from(q + 1) / f64::from(chunks)))
    })
}

/// Decodes the strips or tiles `chunks` of `tiff` into `sink` in that order on `threads`
/// threads (on the calling thread for none, or fewer than two chunks a thread), calling
/// `after(sink, i, q)` once the `i`-th, chunk `q`, is in; `Ok(false)` as soon as that returns
/// false.
pub fn decode_chunks(
    tiff: &mut TiffFile,
    chunks: &[u32],
    sink: &mut dyn BlockSink,
    threads: usize,
    after: &mut AfterChunk<'_>,
) -> Result<bool, RasterError> {
    let threads = threads.min(chunks.len() / 2);
    if threads == 0 {
        let mut expanded = Vec::new();
        for (i, &q) in chunks.iter().enumerate() {
            tiff.decode_chunk(q, sink, &mut expanded)?;
            if !after(sink, i, q)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let readers = (0..threads)
        .map(|_| tiff.reopen())
        .collect::<Result<Vec<_>, _>>()?;
    std::thread::scope(|scope| {
        let queues: Vec<Receiver<Decoded>> = readers
            .into_iter()
            .enumerate()
            .map(|(first, mut reader)| {
                let (tx, rx) = sync_channel::<Decoded>(AHEAD);
                scope.spawn(move || {
                    let mut expanded = Vec::new();
                    for &q in chunks.iter().skip(first).step_by(threads) {
                        let mut keep = Keep::default();
                        let decoded = reader
                            .decode_chunk(q, &mut keep, &mut expanded)
                            .map(|()| keep.0);
                        let failed = decoded.is_err();
                        // The sink stopped or failed: nobody is listening any more.
                        if tx.send(decoded).is_err() || failed {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        for (i, &q) in chunks.iter().enumerate() {
            let Some(queue) = queues.get(i % threads) else {
                break;
            };
            let blocks = queue.recv().map_err(|_| RasterError::Corrupt {
                message: format!("the thread decoding chunk {q} stopped"),
                path: tiff.source().name(),
            })??;
            for (at, owned) in &blocks {
                let samples = match owned {
                    Owned::U8(v) => Samples::U8(v),
                    Owned::U16(v) => Samples::U16(v),
                };
                sink.put(Block { at: *at, samples });
            }
            if !after(sink, i, q)? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}
