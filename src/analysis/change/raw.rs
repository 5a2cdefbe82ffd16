//! A raster's raw band values, as the file holds them (signed samples back to their sign), over
//! a window of it, box-averaged by a whole factor while they are decoded so a raster much finer
//! than the analysis grid never sits in memory at full size.
//!
//! A pixel is valid when every data band has a sample that is not the file's nodata value and
//! the alpha band (when there is one) is non-zero in at least half the samples averaged into it.

use std::path::Path;

use crate::imagery::raster::decode::{
    Block, BlockSink, Format, Samples, TiffFile, decode_image, feed_image, sniff,
};
use crate::imagery::raster::{Limits, RasterError, SampleKind};

/// A window of a raster in its own pixels: columns `x0..x1`, rows `y0..y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First column.
    pub x0: u32,
    /// First row.
    pub y0: u32,
    /// Column past the last.
    pub x1: u32,
    /// Row past the last.
    pub y1: u32,
}

/// Raw values of a window, reduced by `factor` in each direction.
#[derive(Clone, Debug, PartialEq)]
pub struct RawWindow {
    /// The window read, in source pixels.
    pub window: Window,
    /// Source pixels per reduced pixel, each way.
    pub factor: u32,
    /// Reduced columns.
    pub width: usize,
    /// Reduced rows.
    pub height: usize,
    /// Data bands (alpha left out), each `width × height`.
    pub bands: Vec<Vec<f32>>,
    /// Pixels holding data in every band.
    pub valid: Vec<bool>,
}

struct Accumulate {
    window: Window,
    factor: u32,
    width: usize,
    height: usize,
    /// Source band → data band index (`None`: alpha).
    data_band: Vec<Option<usize>>,
    alpha_band: Option<usize>,
    nodata: Option<u16>,
    offset: f64,
    sums: Vec<Vec<f64>>,
    counts: Vec<Vec<u32>>,
    transparent: Vec<u32>,
    opaque: Vec<u32>,
}

impl Accumulate {
    fn add(&mut self, x: u32, y: u32, band: usize, held: u16) {
        let w = self.window;
        if x < w.x0 || x >= w.x1 || y < w.y0 || y >= w.y1 {
            return;
        }
        let i =
            ((y - w.y0) / self.factor) as usize * self.width + ((x - w.x0) / self.factor) as usize;
        if Some(band) == self.alpha_band {
            let slot = if held == 0 {
                self.transparent.get_mut(i)
            } else {
                self.opaque.get_mut(i)
            };
            if let Some(s) = slot {
                *s += 1;
            }
            return;
        }
        let Some(Some(data)) = self.data_band.get(band).copied() else {
            return;
        };
        if self.nodata == Some(held) {
            return;
        }
        if let (Some(sum), Some(count)) = (
            self.sums.get_mut(data).and_then(|s| s.get_mut(i)),
            self.counts.get_mut(data).and_then(|c| c.get_mut(i)),
        ) {
            *sum += f64::from(held) - self.offset;
            *count += 1;
        }
    }

    fn finish(self) -> RawWindow {
        let n = self.width * self.height;
        let valid = (0..n)
            .map(|i| {
                self.counts
                    .iter()
                    .all(|c| c.get(i).copied().unwrap_or(0) > 0)
                    && self.transparent.get(i).copied().unwrap_or(0)
                        <= self.opaque.get(i).copied().unwrap_or(0)
            })
            .collect();
        let bands = self
            .sums
            .iter()
            .zip(&self.counts)
            .map(|(s, c)| {
                s.iter()
                    .zip(c)
                    .map(|(&sum, &count)| {
                        if count > 0 {
                            (sum / f64::from(count)) as f32
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        RawWindow {
            window: self.window,
            factor: self.factor,
            width: self.width,
            height: self.height,
            bands,
            valid,
        }
    }
}

impl BlockSink for Accumulate {
    fn put(&mut self, block: Block<'_>) {
        let at = block.at;
        let per_pixel = at.src_bands.max(1);
        let mut feed = |k: usize, held: u16| {
            let pixel = k / per_pixel;
            let band = at.first_band + k % per_pixel;
            let (x, y) = (
                at.x0 + (pixel as u32 % at.w.max(1)),
                at.y0 + pixel as u32 / at.w.max(1),
            );
            self.add(x, y, band, held);
        };
        match block.samples {
            Samples::U8(s) => s
                .iter()
                .enumerate()
                .for_each(|(k, &v)| feed(k, u16::from(v))),
            Samples::U16(s) => s.iter().enumerate().for_each(|(k, &v)| feed(k, v)),
        }
    }

    fn complete_rows(&mut self, _rows: u32) -> Result<(), RasterError> {
        Ok(())
    }

    fn keep_going(&mut self, _fraction: f64) -> bool {
        true
    }
}

/// Reads the raw values of `window` of the raster at `path`, reduced by `factor` (≥ 1).
pub fn read_window(
    path: &Path,
    window: Window,
    factor: u32,
    limits: &Limits,
) -> Result<RawWindow, RasterError> {
    let factor = factor.max(1);
    let format = sniff(path)?;
    let (tiff, image, header) = match format {
        Format::Tiff => {
            let t = TiffFile::open(path, limits)?;
            let h = t.header().clone();
            (Some(t), None, h)
        }
        Format::Png | Format::Jpeg => {
            let (h, img) = decode_image(path, limits)?;
            (None, Some(img), h)
        }
    };
    let window = Window {
        x0: window.x0.min(header.width_px),
        y0: window.y0.min(header.height_px),
        x1: window.x1.min(header.width_px),
        y1: window.y1.min(header.height_px),
    };
    let width = (window.x1.saturating_sub(window.x0)).div_ceil(factor) as usize;
    let height = (window.y1.saturating_sub(window.y0)).div_ceil(factor) as usize;
    let mut data_band = Vec::with_capacity(header.bands);
    let mut next = 0;
    for band in 0..header.bands {
        if Some(band) == header.alpha_band {
            data_band.push(None);
        } else {
            data_band.push(Some(next));
            next += 1;
        }
    }
    let n = width * height;
    let mut sink = Accumulate {
        window,
        factor,
        width,
        height,
        data_band,
        alpha_band: header.alpha_band,
        nodata: header.nodata,
        offset: header.kind.unwrap_or(SampleKind::U8).offset(),
        sums: vec![vec![0.0; n]; next],
        counts: vec![vec![0; n]; next],
        transparent: vec![0; n],
        opaque: vec![0; n],
    };
    match (tiff, image) {
        (Some(mut t), _) => {
            t.decode(&mut sink)?;
        }
        (None, Some(img)) => feed_image(&img, &mut sink)?,
        (None, None) => {}
    }
    Ok(sink.finish())
}
