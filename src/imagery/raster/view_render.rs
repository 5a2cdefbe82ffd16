//! Drawing a raster straight into a rectangle of output pixels (an export's whole figure), in
//! square blocks shared out to every core, each block read from one pyramid level chosen for
//! the whole rectangle, so the figure has no seams between levels and is resampled once.

use std::sync::{Mutex, PoisonError};

use image::RgbaImage;

use super::reproject::Placement;
use crate::imagery::ViewRect;

/// Edge of a block, output pixels: its mesh and source window stay small (a block reads at
/// most a 1024² window of its level).
pub const BLOCK_PX: u32 = 256;
/// How much smaller the rectangle's probe is than the rectangle.
const PROBE_SHRINK: f64 = 16.0;

/// Source pixels (level 0) per output pixel over `rect`, the median over the raster's part of
/// it (measured on a coarse copy of the rectangle); `None` when none of it is on the raster.
pub fn scale_over(placement: &Placement, rect: &ViewRect) -> Option<f64> {
    let [w, h] = rect.size_px;
    let probe = ViewRect {
        origin_world_px: geo::Coord {
            x: rect.origin_world_px.x / PROBE_SHRINK,
            y: rect.origin_world_px.y / PROBE_SHRINK,
        },
        zoom: rect.zoom - PROBE_SHRINK.log2(),
        size_px: [
            ((f64::from(w) / PROBE_SHRINK).ceil() as u32).max(1),
            ((f64::from(h) / PROBE_SHRINK).ceil() as u32).max(1),
        ],
    };
    let coords = placement.rect_coords(&probe);
    coords.any_inside.then(|| coords.scale / PROBE_SHRINK)
}

/// Draws `rect` block by block on `threads` threads with `draw` (given each block as a
/// rectangle of its own) and hands each block to `put` with its `[x, y, w, h]` in `rect` (an
/// export blends it straight into its figure: no image of the whole view is held); the first
/// error stops the others.
///
/// Each thread starts on its own contiguous run of blocks (neighbouring blocks share the
/// source's tiles, which two threads would otherwise decode twice at once) and, when its run
/// is done, takes blocks from the far end of the longest run left.
pub fn render_blocks<E: Send>(
    rect: &ViewRect,
    threads: usize,
    draw: &(dyn Fn(&ViewRect) -> Result<RgbaImage, E> + Sync),
    put: &(dyn Fn(&RgbaImage, [u32; 4]) + Sync),
) -> Result<(), E> {
    let blocks = rect.blocks(BLOCK_PX);
    let threads = threads.clamp(1, blocks.len().max(1));
    let runs = Mutex::new(runs(blocks.len(), threads));
    let failed: Mutex<Option<E>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for own in 0..threads {
            let (blocks, runs, failed) = (&blocks, &runs, &failed);
            scope.spawn(move || {
                loop {
                    // The lock is let go before drawing.
                    let next = take(
                        &mut runs.lock().unwrap_or_else(PoisonError::into_inner),
                        own,
                    );
                    let Some(i) = next else {
                        return;
                    };
                    let Some(&block) = blocks.get(i) else {
                        return;
                    };
                    match draw(&rect.part(block)) {
                        Ok(image) => put(&image, block),
                        Err(e) => {
                            failed
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert(e);
                            runs.lock().unwrap_or_else(PoisonError::into_inner).clear();
                            return;
                        }
                    }
                }
            });
        }
    });
    match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Copies a block's pixels into the image, row by row.
pub fn put_block(out: &mut RgbaImage, image: &RgbaImage, [x, y, w, _]: [u32; 4]) {
    let stride = out.width() as usize * 4;
    let row_bytes = w as usize * 4;
    for (i, row) in image.as_raw().chunks_exact(row_bytes).enumerate() {
        let at = (y as usize + i) * stride + x as usize * 4;
        if let Some(dst) = out.get_mut(at..at + row_bytes) {
            dst.copy_from_slice(row);
        }
    }
}

/// `count` blocks cut into `threads` contiguous runs, as `[next, end)`.
fn runs(count: usize, threads: usize) -> Vec<[usize; 2]> {
    (0..threads)
        .map(|t| [count * t / threads, count * (t + 1) / threads])
        .collect()
}

/// The next block for thread `own`: the front of its run, or else the back of the longest run.
fn take(runs: &mut [[usize; 2]], own: usize) -> Option<usize> {
    if let Some(run) = runs.get_mut(own).filter(|r| r[0] < r[1]) {
        run[0] += 1;
        return Some(run[0] - 1);
    }
    let longest = runs
        .iter_mut()
        .filter(|r| r[0] < r[1])
        .max_by_key(|r| r[1] - r[0])?;
    longest[1] -= 1;
    Some(longest[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_start_on_their_own_runs_and_then_share_what_is_left() {
        let mut r = runs(10, 2);
        assert_eq!(r, vec![[0, 5], [5, 10]]);
        assert_eq!(take(&mut r, 0), Some(0));
        assert_eq!(take(&mut r, 1), Some(5));
        // Thread 1 finishes its run, then takes thread 0's last blocks, from the far end.
        for want in [6, 7, 8, 9] {
            assert_eq!(take(&mut r, 1), Some(want));
        }
        assert_eq!(take(&mut r, 1), Some(4));
        assert_eq!(take(&mut r, 0), Some(1));
        let mut seen: Vec<usize> = std::iter::from_fn(|| take(&mut r, 1)).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![2, 3]);
        assert_eq!(take(&mut r, 0), None);
    }
}
