//! Drawing a raster straight into a rectangle of output pixels (an export's whole figure), in
//! square blocks shared out to every core, each block read from one pyramid level chosen for
//! the whole rectangle, so the figure has no seams between levels and is resampled once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
/// rectangle of its own) and puts the blocks together; the first error stops the others.
pub fn render_blocks<E: Send>(
    rect: &ViewRect,
    threads: usize,
    draw: &(dyn Fn(&ViewRect) -> Result<RgbaImage, E> + Sync),
) -> Result<RgbaImage, E> {
    let [w, h] = rect.size_px;
    let blocks = rect.blocks(BLOCK_PX);
    let out = Mutex::new(RgbaImage::new(w, h));
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<E>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, blocks.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&block) = blocks.get(i) else {
                        return;
                    };
                    match draw(&rect.part(block)) {
                        Ok(image) => {
                            let mut out = out
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            image::imageops::replace(
                                &mut *out,
                                &image,
                                i64::from(block[0]),
                                i64::from(block[1]),
                            );
                        }
                        Err(e) => {
                            let mut failed = failed
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            failed.get_or_insert(e);
                            next.store(blocks.len(), Ordering::Relaxed);
                            return;
                        }
                    }
                }
            });
        }
    });
    match failed
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Some(e) => Err(e),
        None => Ok(out
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)),
    }
}
