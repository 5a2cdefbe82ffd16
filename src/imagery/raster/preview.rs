//! First pixels of a stripped raster without overviews: every k-th strip, subsampled across to
//! match, gives a coarse copy of the whole extent in a small fraction of the full decode's time,
//! served while the full decode goes on (see [`super::RasterLoad::take_preview`]).

use super::RasterError;
use super::decode::{Block, BlockSink, Samples};
use super::pyramid::BlockAt;

/// About how many strips the preview decodes (one preview row each).
pub const PREVIEW_STRIPS: u32 = 128;

/// Which source pixels make the preview: one per preview pixel, near its centre.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewPlan {
    /// Source row of each preview row, top to bottom.
    rows: Vec<u32>,
    /// Source column of each preview column, left to right.
    cols: Vec<u32>,
    /// Strips to decode, in file order, each once.
    strips: Vec<u32>,
}

impl PreviewPlan {
    /// The plan for a `width_px` × `height_px` raster in strips of `rows_per_strip` rows, or
    /// `None` when it has too few strips for a preview to save anything (k < 2).
    #[must_use]
    pub fn for_strips(width_px: u32, height_px: u32, rows_per_strip: u32) -> Option<Self> {
        let rows_per_strip = rows_per_strip.max(1);
        let strips = height_px.div_ceil(rows_per_strip);
        let k = strips.div_ceil(PREVIEW_STRIPS);
        if k < 2 || width_px == 0 {
            return None;
        }
        let step_px = k * rows_per_strip;
        let (preview_w, preview_h) = (width_px.div_ceil(step_px), height_px.div_ceil(step_px));
        let rows = centres(height_px, preview_h);
        let cols = centres(width_px, preview_w);
        let mut strip_list: Vec<u32> = rows.iter().map(|r| r / rows_per_strip).collect();
        strip_list.dedup();
        Some(Self {
            rows,
            cols,
            strips: strip_list,
        })
    }

    /// Preview width, pixels.
    #[must_use]
    pub fn width_px(&self) -> u32 {
        self.cols.len() as u32
    }

    /// Preview height, pixels.
    #[must_use]
    pub fn height_px(&self) -> u32 {
        self.rows.len() as u32
    }

    /// The strips decoded for the preview, in file order.
    #[must_use]
    pub fn strips(&self) -> &[u32] {
        &self.strips
    }
}

/// The source index nearest the centre of each of `n` equal cells over `len` pixels.
fn centres(len: u32, n: u32) -> Vec<u32> {
    let cell = f64::from(len) / f64::from(n.max(1));
    (0..n)
        .map(|i| {
            ((f64::from(i) + 0.5) * cell)
                .floor()
                .min(f64::from(len - 1)) as u32
        })
        .collect()
}

/// Feeds the preview's pixels, picked from full-resolution blocks, to `inner` (a sink sized
/// for the preview).
pub struct PreviewSink<'a, S> {
    plan: &'a PreviewPlan,
    inner: S,
    scratch_u8: Vec<u8>,
    scratch_u16: Vec<u16>,
}

impl<'a, S: BlockSink> PreviewSink<'a, S> {
    /// Picks for `plan`, passing preview blocks to `inner`.
    pub fn new(plan: &'a PreviewPlan, inner: S) -> Self {
        Self {
            plan,
            inner,
            scratch_u8: Vec::new(),
            scratch_u16: Vec::new(),
        }
    }

    /// The inner sink, once the preview strips are in.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// The samples of source row `row` at `cols`, all of the block's bands, appended to `out`.
fn pick<T: Copy>(src: &[T], at: BlockAt, row: u32, cols: &[u32], out: &mut Vec<T>) {
    out.clear();
    let bands = at.src_bands;
    let row_start = (row - at.y0) as usize * at.w as usize;
    for &c in cols {
        let Some(x) = c.checked_sub(at.x0).filter(|x| *x < at.w) else {
            continue;
        };
        let i = (row_start + x as usize) * bands;
        if let Some(px) = src.get(i..i + bands) {
            out.extend_from_slice(px);
        }
    }
}

impl<S: BlockSink> BlockSink for PreviewSink<'_, S> {
    fn put(&mut self, b: Block<'_>) {
        let y_end = b.at.y0 + b.at.h;
        let first = self.plan.rows.partition_point(|r| *r < b.at.y0);
        let last = self.plan.rows.partition_point(|r| *r < y_end);
        for j in first..last {
            let Some(&row) = self.plan.rows.get(j) else {
                continue;
            };
            let at = BlockAt {
                x0: 0,
                y0: j as u32,
                w: self.plan.width_px(),
                h: 1,
                src_bands: b.at.src_bands,
                first_band: b.at.first_band,
            };
            // Only full-width strips are planned for: a block narrower than the raster would
            // give a short row, which is not passed on.
            let want = self.plan.cols.len() * b.at.src_bands;
            match b.samples {
                Samples::U8(s) => {
                    pick(s, b.at, row, &self.plan.cols, &mut self.scratch_u8);
                    if self.scratch_u8.len() == want {
                        self.inner.put(Block {
                            at,
                            samples: Samples::U8(&self.scratch_u8),
                        });
                    }
                }
                Samples::U16(s) => {
                    pick(s, b.at, row, &self.plan.cols, &mut self.scratch_u16);
                    if self.scratch_u16.len() == want {
                        self.inner.put(Block {
                            at,
                            samples: Samples::U16(&self.scratch_u16),
                        });
                    }
                }
            }
        }
    }

    fn complete_rows(&mut self, rows: u32) -> Result<(), RasterError> {
        let done = self.plan.rows.partition_point(|r| *r < rows);
        self.inner.complete_rows(done as u32)
    }

    fn keep_going(&mut self, _fraction: f64) -> bool {
        // The caller puts the preview's strips on the progress line: only cancelling counts.
        self.inner.keep_going(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raster_of_few_strips_gets_no_preview() {
        assert_eq!(PreviewPlan::for_strips(1000, 1000, 16), None);
    }

    #[test]
    fn the_preview_of_ten_thousand_rows_in_sixteen_row_strips_decodes_every_fifth_strip() {
        let plan = PreviewPlan::for_strips(10_000, 10_000, 16).unwrap();
        assert_eq!(plan.strips().len(), 125);
        assert_eq!((plan.width_px(), plan.height_px()), (125, 125));
        assert!(plan.strips().windows(2).all(|w| w[1] - w[0] == 5));
    }

    #[test]
    fn preview_rows_and_columns_stay_inside_the_raster() {
        let plan = PreviewPlan::for_strips(2001, 1999, 8).unwrap();
        assert!(plan.rows.iter().all(|r| *r < 1999));
        assert!(plan.cols.iter().all(|c| *c < 2001));
        assert_eq!(
            plan.strips().last().copied(),
            plan.rows.last().map(|r| r / 8)
        );
    }
}
