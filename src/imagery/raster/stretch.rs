//! How samples become screen colours: which bands feed red, green and blue, and the linear
//! stretch from sample values to 0–255, by percentiles of a histogram taken from a decimated
//! sample of the full-resolution raster while it is decoded.

use super::pyramid::{BlockAt, Sample};

/// Samples per band the histograms aim for (every `stride`-th pixel of every `stride`-th row).
const HISTOGRAM_SAMPLES: u64 = 1 << 20;

/// How the file stores its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleKind {
    /// Unsigned 8-bit.
    U8,
    /// Unsigned 16-bit.
    U16,
    /// Signed 8-bit, held as unsigned with the sign bit flipped (order kept).
    I8,
    /// Signed 16-bit, held as unsigned with the sign bit flipped (order kept).
    I16,
    /// 32-bit floating point, held in 16 bits as [`super::float`] describes.
    F32,
    /// 64-bit floating point, held as 32-bit floats are.
    F64,
}

impl SampleKind {
    /// What is added to a real value to get the held value.
    #[must_use]
    pub fn offset(self) -> f64 {
        match self {
            Self::U8 | Self::U16 | Self::F32 | Self::F64 => 0.0,
            Self::I8 => 128.0,
            Self::I16 => 32768.0,
        }
    }

    /// True for floating-point samples, whose held values are not linear in the value.
    #[must_use]
    pub fn is_float(self) -> bool {
        matches!(self, Self::F32 | Self::F64)
    }

    /// The sample value a held value (or one between two, after resampling) stands for.
    #[must_use]
    pub fn value_of_held(self, held: f64) -> f64 {
        if self.is_float() {
            f64::from(super::float::f32_from_held(held as f32))
        } else {
            held - self.offset()
        }
    }

    /// Largest held value.
    #[must_use]
    pub fn max_held(self) -> f64 {
        match self {
            Self::U8 | Self::I8 => 255.0,
            Self::U16 | Self::I16 | Self::F32 | Self::F64 => 65535.0,
        }
    }

    /// Bytes per held sample (floats are held in 2).
    #[must_use]
    pub fn bytes(self) -> usize {
        match self {
            Self::U8 | Self::I8 => 1,
            Self::U16 | Self::I16 | Self::F32 | Self::F64 => 2,
        }
    }
}

/// Which bands (numbered from 1, as GDAL and QGIS do) make the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandMapping {
    /// One band in gray.
    Gray(usize),
    /// Bands for red, green and blue: `Rgb([4, 3, 2])` is Sentinel-2 true colour.
    Rgb([usize; 3]),
}

/// How sample values map to 0–255.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stretch {
    /// The type's whole range (0–255 for 8-bit, 0–65535 for 16-bit).
    Full,
    /// From the `low_pct` to the `high_pct` percentile of each band (2–98 is the usual cut).
    Percentile {
        /// Lower percentile, 0–100.
        low_pct: f64,
        /// Upper percentile, 0–100.
        high_pct: f64,
    },
    /// Fixed sample values (as the file holds them, signed where the file is) for 0 and 255.
    Range {
        /// Value shown black.
        low: f64,
        /// Value shown at full brightness.
        high: f64,
    },
    /// Fixed sample values for 0 and 255, one pair per shown channel (red, green, blue; a grey
    /// layer uses the first): each band balanced on its own, as a colour correction needs.
    Bands {
        /// Values shown black, per channel.
        low: [f64; 3],
        /// Values shown at full brightness, per channel.
        high: [f64; 3],
    },
    /// Radar backscatter (linear power) in decibels, `10·log10(value)`, between fixed limits;
    /// zero, negative values show black.
    Decibel {
        /// Decibels shown black.
        low_db: f64,
        /// Decibels shown at full brightness.
        high_db: f64,
    },
    /// Chosen from the samples: for floating-point data that looks like linear backscatter
    /// (2nd percentile ≥ 0, 98th ≤ 10) [`Stretch::DECIBEL_DEFAULT`], for other floats 2–98 %;
    /// for integers what [`Display::default_for`] gives.
    Auto,
}

impl Stretch {
    /// The 2–98 % cut.
    pub const PERCENTILE_2_98: Self = Self::Percentile {
        low_pct: 2.0,
        high_pct: 98.0,
    };

    /// From the smallest to the largest value.
    pub const MIN_MAX: Self = Self::Percentile {
        low_pct: 0.0,
        high_pct: 100.0,
    };

    /// −25 dB black to 0 dB white: water black, built-up areas white.
    pub const DECIBEL_DEFAULT: Self = Self::Decibel {
        low_db: -25.0,
        high_db: 0.0,
    };
}

/// The caller's choice of bands and stretch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Display {
    /// Bands to show.
    pub bands: BandMapping,
    /// Stretch applied to each shown band on its own.
    pub stretch: Stretch,
}

impl Display {
    /// What a file shows unless told otherwise: bands 1-2-3 (gray for one or two bands); 8-bit
    /// photographs at face value, 16-bit, signed and multispectral data stretched 2–98 %.
    #[must_use]
    pub fn default_for(band_count: usize, kind: SampleKind, photographic: bool) -> Self {
        let bands = if band_count >= 3 {
            BandMapping::Rgb([1, 2, 3])
        } else {
            BandMapping::Gray(1)
        };
        let stretch = if kind.is_float() {
            Stretch::Auto
        } else if kind == SampleKind::U8 && (photographic || band_count <= 2) {
            Stretch::Full
        } else {
            Stretch::PERCENTILE_2_98
        };
        Self { bands, stretch }
    }
}

/// One band's histogram over held values.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    fn new(bins: usize) -> Self {
        Self {
            counts: vec![0; bins],
            total: 0,
        }
    }

    /// The held value below which `pct` percent of the samples lie; `None` when empty.
    #[must_use]
    pub fn percentile(&self, pct: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let want = ((pct.clamp(0.0, 100.0) / 100.0) * self.total as f64)
            .ceil()
            .max(1.0) as u64;
        let mut seen = 0u64;
        for (v, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Some(v as f64);
            }
        }
        Some((self.counts.len() - 1) as f64)
    }

    /// Samples counted.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Samples counted at each held value.
    #[must_use]
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// A histogram of these counts (one per held value, from 0).
    #[must_use]
    pub fn from_counts(counts: Vec<u64>) -> Self {
        let total = counts.iter().sum();
        Self { counts, total }
    }
}

/// Histograms of every band from every `stride`-th pixel of every `stride`-th row.
#[derive(Clone, Debug, PartialEq)]
pub struct Histograms {
    bands: Vec<Histogram>,
    stride: u32,
    nodata: Option<u16>,
}

impl Histograms {
    /// Empty histograms for a raster of this size, decimated to about a million samples.
    #[must_use]
    pub fn new(
        band_count: usize,
        kind: SampleKind,
        width_px: u32,
        height_px: u32,
        nodata: Option<u16>,
    ) -> Self {
        let pixels = u64::from(width_px) * u64::from(height_px);
        let stride = ((pixels as f64 / HISTOGRAM_SAMPLES as f64).sqrt().floor() as u32).max(1);
        let bins = kind.max_held() as usize + 1;
        Self {
            bands: (0..band_count).map(|_| Histogram::new(bins)).collect(),
            stride,
            nodata,
        }
    }

    /// Band `b` (from 0).
    #[must_use]
    pub fn band(&self, b: usize) -> Option<&Histogram> {
        self.bands.get(b)
    }

    /// Counts a decoded block (see [`BlockAt`]).
    pub fn add_block<T: Sample + Into<u16>>(&mut self, at: BlockAt, src: &[T]) {
        let BlockAt {
            x0,
            y0,
            w,
            h,
            src_bands,
            first_band,
        } = at;
        let s = self.stride;
        let first_x = x0.div_ceil(s) * s;
        for y in (y0.div_ceil(s) * s..y0 + h).step_by(s as usize) {
            let row = (y - y0) as usize * w as usize;
            for x in (first_x..x0 + w).step_by(s as usize) {
                let i = (row + (x - x0) as usize) * src_bands;
                let Some(px) = src.get(i..i + src_bands) else {
                    continue;
                };
                for (b, v) in px.iter().enumerate() {
                    let v: u16 = (*v).into();
                    if self.nodata == Some(v) {
                        continue;
                    }
                    if let Some(h) = self.bands.get_mut(first_band + b)
                        && let Some(c) = h.counts.get_mut(usize::from(v))
                    {
                        *c += 1;
                        h.total += 1;
                    }
                }
            }
        }
    }
}

/// What a held value is turned into before the linear part of a stretch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Transfer {
    /// The held value itself.
    #[default]
    Held,
    /// A floating-point sample's value.
    Float,
    /// Decibels of the sample's value (a float's, or an integer's: held minus `offset`).
    Decibel {
        /// True for floating-point samples.
        float: bool,
        /// What is subtracted from an integer's held value to get its value.
        offset: f32,
    },
}

/// A [`Display`] made ready for drawing: 0-based bands and `out = (x − low) · scale`, `x` the
/// held value as [`Transfer`] says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resolved {
    /// Bands for red, green, blue (the same three times for gray).
    pub bands: [usize; 3],
    /// Value shown black, per channel (held, sample value or dB as `transfer` says).
    pub low: [f32; 3],
    /// 255 / (high − low), per channel.
    pub scale: [f32; 3],
    /// What the stretch applies to.
    pub transfer: Transfer,
}

impl Resolved {
    /// The 0–255 value channel `c` shows for a held value (or a resampled one between two).
    #[must_use]
    pub fn byte(&self, c: usize, held: f32) -> u8 {
        let x = match self.transfer {
            Transfer::Held => held,
            Transfer::Float => super::float::f32_from_held(held),
            Transfer::Decibel { float: true, .. } => {
                super::float::decibels(super::float::f32_from_held(held))
            }
            Transfer::Decibel { offset, .. } => super::float::decibels(held - offset),
        };
        let (Some(low), Some(scale)) = (self.low.get(c), self.scale.get(c)) else {
            return 0;
        };
        // Rounded half up and clamped to 0–255 by the saturating cast; NaN becomes 0.
        ((x - low) * scale + 0.5) as u8
    }

    /// The held-value domain limits as sample values (or dB), from `low` and `scale`.
    #[must_use]
    pub fn limits(&self, c: usize, kind: SampleKind) -> (f64, f64) {
        let low = f64::from(self.low.get(c).copied().unwrap_or(0.0));
        let high = low + 255.0 / f64::from(self.scale.get(c).copied().unwrap_or(1.0));
        match self.transfer {
            Transfer::Held => (low - kind.offset(), high - kind.offset()),
            Transfer::Float | Transfer::Decibel { .. } => (low, high),
        }
    }
}

/// The 2nd and 98th percentile values of a float band look like linear backscatter.
fn looks_like_backscatter(h: Option<&Histogram>) -> bool {
    let value = |pct| {
        h.and_then(|h| h.percentile(pct))
            .map(|held| f64::from(super::float::f32_from_held(held as f32)))
    };
    matches!((value(2.0), value(98.0)), (Some(lo), Some(hi)) if lo >= 0.0 && hi <= 10.0 && hi > 0.0)
}

/// Checks the band numbers and computes each channel's stretch.
pub fn resolve(
    display: &Display,
    histograms: &Histograms,
    kind: SampleKind,
    band_count: usize,
) -> Result<Resolved, String> {
    let numbers = match display.bands {
        BandMapping::Gray(b) => [b; 3],
        BandMapping::Rgb(rgb) => rgb,
    };
    let mut bands = [0usize; 3];
    for (slot, &n) in bands.iter_mut().zip(&numbers) {
        if n == 0 || n > band_count {
            return Err(format!(
                "band {n} does not exist (the raster has bands 1 to {band_count})"
            ));
        }
        *slot = n - 1;
    }
    let stretch = match display.stretch {
        Stretch::Auto if kind.is_float() => {
            if looks_like_backscatter(histograms.band(bands[0])) {
                Stretch::DECIBEL_DEFAULT
            } else {
                Stretch::PERCENTILE_2_98
            }
        }
        Stretch::Auto if kind == SampleKind::U8 => Stretch::Full,
        Stretch::Auto => Stretch::PERCENTILE_2_98,
        Stretch::Full if kind.is_float() => Stretch::MIN_MAX,
        other => other,
    };
    let transfer = match stretch {
        Stretch::Decibel { .. } => Transfer::Decibel {
            float: kind.is_float(),
            offset: kind.offset() as f32,
        },
        _ if kind.is_float() => Transfer::Float,
        _ => Transfer::Held,
    };
    // Held percentiles and limits, in the units the transfer gives.
    let from_held = |held: f64| match transfer {
        Transfer::Float => kind.value_of_held(held),
        _ => held,
    };
    let from_value = |value: f64| match transfer {
        Transfer::Held => value + kind.offset(),
        _ => value,
    };
    let mut low = [0f32; 3];
    let mut scale = [1f32; 3];
    for c in 0..3 {
        let (lo, hi) = match stretch {
            Stretch::Full | Stretch::Auto => (0.0, kind.max_held()),
            Stretch::Range { low, high } => (from_value(low), from_value(high)),
            Stretch::Bands { low, high } => (from_value(low[c]), from_value(high[c])),
            Stretch::Decibel { low_db, high_db } => (low_db, high_db),
            Stretch::Percentile { low_pct, high_pct } => {
                let h = histograms.band(bands[c]);
                let cut = |pct| h.and_then(|h| h.percentile(pct));
                match (cut(low_pct), cut(high_pct)) {
                    (Some(lo), Some(hi)) => (from_held(lo), from_held(hi)),
                    // Nothing but nodata: any range will do.
                    _ if transfer == Transfer::Held => (0.0, kind.max_held()),
                    _ => (0.0, 1.0),
                }
            }
        };
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(format!("stretch {lo}–{hi} is not a range"));
        }
        let hi = if hi > lo {
            hi
        } else if transfer == Transfer::Held {
            lo + 1.0
        } else {
            lo + lo.abs().max(1e-6) * 1e-3
        };
        low[c] = lo as f32;
        scale[c] = (255.0 / (hi - lo)) as f32;
    }
    Ok(Resolved {
        bands,
        low,
        scale,
        transfer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(w: u32, src_bands: usize) -> BlockAt {
        BlockAt {
            x0: 0,
            y0: 0,
            w,
            h: 1,
            src_bands,
            first_band: 0,
        }
    }

    #[test]
    fn an_empty_histogram_has_no_percentiles() {
        let h = Histograms::new(1, SampleKind::U8, 10, 10, None);
        assert_eq!(h.band(0).unwrap().percentile(50.0), None);
    }

    #[test]
    fn percentiles_cut_the_tails() {
        let mut h = Histograms::new(1, SampleKind::U16, 100, 1, None);
        let values: Vec<u16> = (0..100).map(|v| 1000 + v * 10).collect();
        h.add_block(row(100, 1), &values);
        let band = h.band(0).unwrap();
        assert_eq!(band.total(), 100);
        assert_eq!(band.percentile(2.0), Some(1010.0));
        assert_eq!(band.percentile(98.0), Some(1970.0));
    }

    #[test]
    fn large_rasters_are_sampled_not_counted_whole() {
        let h = Histograms::new(1, SampleKind::U8, 10_000, 10_000, None);
        assert_eq!(h.stride, 9);
    }

    #[test]
    fn nodata_stays_out_of_the_histogram() {
        let mut h = Histograms::new(1, SampleKind::U8, 4, 1, Some(0));
        h.add_block(row(4, 1), &[0u8, 0, 7, 9]);
        assert_eq!(h.band(0).unwrap().total(), 2);
    }

    #[test]
    fn sentinel_true_colour_maps_bands_4_3_2() {
        let mut h = Histograms::new(4, SampleKind::U16, 2, 1, None);
        h.add_block(row(2, 4), &[1u16, 2, 3, 400, 1, 2, 3, 1400]);
        let d = Display {
            bands: BandMapping::Rgb([4, 3, 2]),
            stretch: Stretch::Percentile {
                low_pct: 0.0,
                high_pct: 100.0,
            },
        };
        let r = resolve(&d, &h, SampleKind::U16, 4).unwrap();
        assert_eq!(r.bands, [3, 2, 1]);
        assert!((r.low[0] - 400.0).abs() < 1e-6);
        assert!((r.scale[0] - 0.255).abs() < 1e-6);
    }

    #[test]
    fn per_band_limits_stretch_each_channel_on_its_own() {
        let h = Histograms::new(4, SampleKind::U16, 1, 1, None);
        let d = Display {
            bands: BandMapping::Rgb([4, 3, 2]),
            stretch: Stretch::Bands {
                low: [300.0, 250.0, 200.0],
                high: [2850.0, 1525.0, 710.0],
            },
        };
        let r = resolve(&d, &h, SampleKind::U16, 4).unwrap();
        for (c, (low, high)) in [(300.0, 2850.0), (250.0, 1525.0), (200.0, 710.0)]
            .into_iter()
            .enumerate()
        {
            let (lo, hi) = r.limits(c, SampleKind::U16);
            assert!(
                (lo - low).abs() < 1e-3 && (hi - high).abs() < 1e-2,
                "{c}: {lo}–{hi}"
            );
        }
        assert!((r.scale[1] - 0.2).abs() < 1e-6, "{}", r.scale[1]);
    }

    #[test]
    fn a_band_that_does_not_exist_is_refused() {
        let h = Histograms::new(3, SampleKind::U8, 1, 1, None);
        let d = Display {
            bands: BandMapping::Rgb([4, 3, 2]),
            stretch: Stretch::Full,
        };
        assert!(
            resolve(&d, &h, SampleKind::U8, 3)
                .unwrap_err()
                .contains("band 4")
        );
    }

    #[test]
    fn defaults_show_photos_as_they_are_and_stretch_sixteen_bit_data() {
        let photo = Display::default_for(3, SampleKind::U8, true);
        assert_eq!(photo.stretch, Stretch::Full);
        assert_eq!(photo.bands, BandMapping::Rgb([1, 2, 3]));
        let s2 = Display::default_for(4, SampleKind::U16, false);
        assert_eq!(s2.stretch, Stretch::PERCENTILE_2_98);
        assert_eq!(
            Display::default_for(1, SampleKind::I16, false).bands,
            BandMapping::Gray(1)
        );
    }
}
