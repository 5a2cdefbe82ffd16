//! One stretch across compared dates, so a difference between two captures is never an
//! artefact of each being stretched on its own: a percentile stretch over the union of the
//! compared rasters' samples (per shown band), or date B's samples histogram-matched to date A's
//! and shown with A's stretch.

use std::sync::Arc;

use super::stretch::{Display, Histogram, Histograms, Resolved, SampleKind, Stretch};

/// How the compared dates' rasters are stretched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CompareStretch {
    /// Each raster with its own stretch (as outside a comparison).
    Own,
    /// One percentile stretch over all compared rasters' samples, per band.
    #[default]
    Shared,
    /// Date B's rasters histogram-matched to date A's, per band, then A's stretch.
    Matched,
}

impl CompareStretch {
    /// Every choice, in the order offered.
    pub const ALL: [Self; 3] = [Self::Own, Self::Shared, Self::Matched];

    /// The name on the command line (`--compare-stretch shared`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Shared => "shared",
            Self::Matched => "matched",
        }
    }

    /// The choice a command-line name stands for.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// A compared raster as the stretch needs it.
#[derive(Clone, Copy, Debug)]
pub struct ComparedRaster<'a> {
    /// What it is compared within (its layer's track): rasters of different groups, or of
    /// different sample kinds, never share a stretch.
    pub group: &'a str,
    /// How it holds its samples.
    pub kind: SampleKind,
    /// Its sample histograms, per band.
    pub histograms: &'a Histograms,
    /// Its own bands and stretch (the percentile cut is taken from the first that has one).
    pub display: Display,
    /// Its own stretch, resolved.
    pub resolved: Resolved,
}

/// How a compared raster is drawn instead of with its own stretch.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareLook {
    /// Held value shown black, per channel.
    pub low: [f32; 3],
    /// 255 / (high − low), per channel.
    pub scale: [f32; 3],
    /// Per channel, held value → the reference's held value (B matched to A); `None`: values
    /// as held.
    pub matched: Option<Arc<[Vec<f32>; 3]>>,
}

impl CompareLook {
    /// The raster's own bands with this look's stretch (on held values: for floating-point
    /// samples, whose held values grow with the logarithm, that is close to a decibel stretch).
    #[must_use]
    pub fn resolved(&self, own: Resolved) -> Resolved {
        Resolved {
            bands: own.bands,
            low: self.low,
            scale: self.scale,
            transfer: super::stretch::Transfer::Held,
        }
    }

    /// The byte a held value of channel `c` (0–2) shows as.
    #[must_use]
    pub fn display_byte(&self, c: usize, held: f32) -> u8 {
        let v = self.matched_value(c, held);
        let (Some(low), Some(scale)) = (self.low.get(c), self.scale.get(c)) else {
            return 0;
        };
        ((v - low) * scale).round().clamp(0.0, 255.0) as u8
    }

    /// A held value of channel `c` as the reference holds it (itself when not matched).
    #[must_use]
    pub fn matched_value(&self, c: usize, held: f32) -> f32 {
        match self.matched.as_deref().and_then(|m| m.get(c)) {
            Some(lut) => lookup(lut, held),
            None => held,
        }
    }
}

/// `lut` at a fractional held value, linear between entries (clamped at the ends).
#[must_use]
pub fn lookup(lut: &[f32], held: f32) -> f32 {
    let Some(last) = lut.len().checked_sub(1) else {
        return held;
    };
    let x = held.clamp(0.0, last as f32);
    let i = x.floor() as usize;
    let t = x - i as f32;
    let at = |k: usize| lut.get(k.min(last)).copied().unwrap_or(held);
    at(i) * (1.0 - t) + at(i + 1) * t
}

/// The sum of histograms (held values line up by index; the longest decides the length).
#[must_use]
pub fn union(histograms: &[&Histogram]) -> Histogram {
    let bins = histograms
        .iter()
        .map(|h| h.counts().len())
        .max()
        .unwrap_or(0);
    let mut counts = vec![0u64; bins];
    for h in histograms {
        for (sum, c) in counts.iter_mut().zip(h.counts()) {
            *sum += c;
        }
    }
    Histogram::from_counts(counts)
}

/// For each held value of `source`, the held value of `reference` at the same place in its
/// distribution (the centre of the value's share of `source`), interpolated within reference
/// bins so the map is smooth. An empty histogram on either side gives values as held.
#[must_use]
pub fn match_histogram(source: &Histogram, reference: &Histogram) -> Vec<f32> {
    let identity = || (0..source.counts().len()).map(|v| v as f32).collect();
    let (total_src, total_ref) = (source.total() as f64, reference.total() as f64);
    if total_src <= 0.0 || total_ref <= 0.0 {
        return identity();
    }
    let reference = reference.counts();
    let last_ref = reference.len().saturating_sub(1);
    let mut lut = Vec::with_capacity(source.counts().len());
    let (mut before_src, mut r, mut before_ref) = (0u64, 0usize, 0u64);
    for &count in source.counts() {
        let p = (before_src as f64 + count as f64 / 2.0) / total_src;
        before_src += count;
        let target = p * total_ref;
        // The first reference bin whose cumulative count reaches the target (targets only grow).
        while r < last_ref {
            let here = reference.get(r).copied().unwrap_or(0);
            if (before_ref + here) as f64 >= target && here > 0 {
                break;
            }
            before_ref += here;
            r += 1;
        }
        let here = reference.get(r).copied().unwrap_or(0).max(1) as f64;
        let within = ((target - before_ref as f64) / here).clamp(0.0, 1.0);
        lut.push((r as f64 - 0.5 + within).clamp(0.0, last_ref as f64) as f32);
    }
    lut
}

/// The percentile cut a shared stretch uses: the first compared raster's that has one, else
/// the usual 2–98 %.
fn cut(rasters: &[&ComparedRaster<'_>]) -> (f64, f64) {
    rasters
        .iter()
        .find_map(|r| match r.display.stretch {
            Stretch::Percentile { low_pct, high_pct } => Some((low_pct, high_pct)),
            _ => None,
        })
        .unwrap_or((2.0, 98.0))
}

/// Band `c`'s histogram of every raster, each through its own channel mapping.
fn channel(rasters: &[&ComparedRaster<'_>], c: usize) -> Histogram {
    let bands: Vec<&Histogram> = rasters
        .iter()
        .filter_map(|r| r.histograms.band(*r.resolved.bands.get(c)?))
        .collect();
    union(&bands)
}

/// Whether `r` stretches with exactly these limits.
// One stretch is the very same numbers (both resolved from the same values): equal, not close.
#[allow(clippy::float_cmp)]
fn same_limits(r: &Resolved, low: [f32; 3], scale: [f32; 3]) -> bool {
    r.low == low && r.scale == scale
}

/// Whether the rasters already share one stretch (equal limits on every channel).
fn already_one(rasters: &[&ComparedRaster<'_>]) -> bool {
    rasters.windows(2).all(|w| match w {
        [x, y] => same_limits(&x.resolved, y.resolved.low, y.resolved.scale),
        _ => true,
    })
}

/// One percentile stretch over all `rasters`' samples (their own when they already share one).
fn one_stretch(rasters: &[&ComparedRaster<'_>]) -> Option<CompareLook> {
    let first = rasters.first()?;
    if already_one(rasters) {
        return Some(CompareLook {
            low: first.resolved.low,
            scale: first.resolved.scale,
            matched: None,
        });
    }
    let (low_pct, high_pct) = cut(rasters);
    let mut low = [0f32; 3];
    let mut scale = [1f32; 3];
    for c in 0..3 {
        let h = channel(rasters, c);
        let (Some(lo), Some(hi)) = (h.percentile(low_pct), h.percentile(high_pct)) else {
            return None;
        };
        let hi = if hi > lo { hi } else { lo + 1.0 };
        low[c] = lo as f32;
        scale[c] = (255.0 / (hi - lo)) as f32;
    }
    Some(CompareLook {
        low,
        scale,
        matched: None,
    })
}

/// How each compared raster is drawn: `a` (date A's) and `b` (date B's) in, a look for each
/// out in the same order; `None` keeps the raster's own stretch. A raster on both sides belongs
/// in `a` only. Each group (track and sample kind) is stretched on its own: an 8-bit photograph
/// is never stretched by a 16-bit scene's samples. Floating-point rasters keep their own.
#[must_use]
pub fn compare_looks(
    a: &[ComparedRaster<'_>],
    b: &[ComparedRaster<'_>],
    mode: CompareStretch,
) -> (Vec<Option<CompareLook>>, Vec<Option<CompareLook>>) {
    let (mut looks_a, mut looks_b) = (vec![None; a.len()], vec![None; b.len()]);
    let mut groups: Vec<(&str, SampleKind)> = Vec::new();
    for r in a.iter().chain(b) {
        if !groups.contains(&(r.group, r.kind)) {
            groups.push((r.group, r.kind));
        }
    }
    // Floating-point rasters keep their own stretch: theirs is on decoded values (or decibels),
    // not on the held values a shared stretch is taken from.
    for group in groups.into_iter().filter(|(_, kind)| !kind.is_float()) {
        let pick = |side: &[ComparedRaster<'_>]| -> Vec<usize> {
            (0..side.len())
                .filter(|&i| side.get(i).is_some_and(|r| (r.group, r.kind) == group))
                .collect()
        };
        let (in_a, in_b) = (pick(a), pick(b));
        let (la, lb) = group_looks(&members(a, &in_a), &members(b, &in_b), mode);
        for (i, look) in in_a.into_iter().zip(la) {
            if let Some(slot) = looks_a.get_mut(i) {
                *slot = look;
            }
        }
        for (i, look) in in_b.into_iter().zip(lb) {
            if let Some(slot) = looks_b.get_mut(i) {
                *slot = look;
            }
        }
    }
    (looks_a, looks_b)
}

/// The rasters of `side` at the indices `at`.
fn members<'a>(side: &[ComparedRaster<'a>], at: &[usize]) -> Vec<ComparedRaster<'a>> {
    at.iter().filter_map(|&i| side.get(i).copied()).collect()
}

/// [`compare_looks`] for one group.
fn group_looks(
    a: &[ComparedRaster<'_>],
    b: &[ComparedRaster<'_>],
    mode: CompareStretch,
) -> (Vec<Option<CompareLook>>, Vec<Option<CompareLook>>) {
    let own = || (vec![None; a.len()], vec![None; b.len()]);
    let all: Vec<&ComparedRaster<'_>> = a.iter().chain(b).collect();
    let shared = |all: &[&ComparedRaster<'_>]| {
        // One raster, rasters already sharing a stretch, or fixed stretches (one stretch for
        // every date already) stay as they are.
        let percentile = all
            .iter()
            .any(|r| matches!(r.display.stretch, Stretch::Percentile { .. }));
        if already_one(all) || !percentile {
            return own();
        }
        let look = one_stretch(all);
        (vec![look.clone(); a.len()], vec![look; b.len()])
    };
    match mode {
        CompareStretch::Own => own(),
        CompareStretch::Shared => shared(&all),
        CompareStretch::Matched if a.is_empty() || b.is_empty() => shared(&all),
        CompareStretch::Matched => {
            let refs: Vec<&ComparedRaster<'_>> = a.iter().collect();
            let Some(reference) = one_stretch(&refs) else {
                return own();
            };
            let references: [Histogram; 3] = std::array::from_fn(|c| channel(&refs, c));
            let looks_b = b
                .iter()
                .map(|r| {
                    let luts: [Vec<f32>; 3] = std::array::from_fn(|c| {
                        let source = r
                            .resolved
                            .bands
                            .get(c)
                            .and_then(|&band| r.histograms.band(band));
                        match (source, references.get(c)) {
                            (Some(s), Some(reference)) => match_histogram(s, reference),
                            _ => Vec::new(),
                        }
                    });
                    Some(CompareLook {
                        matched: Some(Arc::new(luts)),
                        ..reference.clone()
                    })
                })
                .collect();
            let looks_a = a
                .iter()
                .map(|r| {
                    let same = same_limits(&r.resolved, reference.low, reference.scale);
                    (!same).then(|| reference.clone())
                })
                .collect();
            (looks_a, looks_b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::raster::pyramid::BlockAt;
    use crate::imagery::raster::stretch::{BandMapping, resolve};

    /// One-band 16-bit histograms of these values.
    fn histograms(values: &[u16]) -> Histograms {
        let mut h = Histograms::new(1, SampleKind::U16, values.len() as u32, 1, None);
        h.add_block(
            BlockAt {
                x0: 0,
                y0: 0,
                w: values.len() as u32,
                h: 1,
                src_bands: 1,
                first_band: 0,
            },
            values,
        );
        h
    }

    fn display() -> Display {
        Display {
            bands: BandMapping::Gray(1),
            stretch: Stretch::PERCENTILE_2_98,
        }
    }

    fn raster(h: &Histograms) -> ComparedRaster<'_> {
        let display = display();
        ComparedRaster {
            group: "",
            kind: SampleKind::U16,
            histograms: h,
            display,
            resolved: resolve(&display, h, SampleKind::U16, 1).unwrap(),
        }
    }

    /// A ramp of 1,000 values from `offset` in steps of `gain`.
    fn ramp(gain: u16, offset: u16) -> Vec<u16> {
        (0..1000).map(|i| offset + i * gain).collect()
    }

    fn own_byte(r: &ComparedRaster<'_>, held: f32) -> u8 {
        let res = r.resolved;
        ((held - res.low[0]) * res.scale[0])
            .round()
            .clamp(0.0, 255.0) as u8
    }

    #[test]
    fn names_read_back_as_their_choice() {
        for s in CompareStretch::ALL {
            assert_eq!(CompareStretch::parse(s.name()), Some(s));
        }
        assert_eq!(
            CompareStretch::parse(" Matched "),
            Some(CompareStretch::Matched)
        );
        assert_eq!(CompareStretch::parse("fixed"), None);
    }

    #[test]
    fn nothing_compared_and_one_raster_keep_their_own_stretch() {
        let (a, b) = compare_looks(&[], &[], CompareStretch::Shared);
        assert!(a.is_empty() && b.is_empty());
        let h = histograms(&ramp(1, 100));
        let (a, b) = compare_looks(&[raster(&h)], &[], CompareStretch::Shared);
        assert_eq!((a, b.len()), (vec![None], 0));
    }

    #[test]
    fn own_keeps_each_rasters_stretch() {
        let (ha, hb) = (histograms(&ramp(1, 1000)), histograms(&ramp(3, 1000)));
        let (a, b) = compare_looks(&[raster(&ha)], &[raster(&hb)], CompareStretch::Own);
        assert_eq!((a, b), (vec![None], vec![None]));
        // Each on its own, the same raw value shows differently.
        assert_ne!(
            own_byte(&raster(&ha), 1500.0),
            own_byte(&raster(&hb), 1500.0)
        );
    }

    #[test]
    fn a_shared_stretch_shows_equal_raw_values_equally_on_both_dates() {
        let (ha, hb) = (histograms(&ramp(1, 1000)), histograms(&ramp(3, 1000)));
        let (a, b) = compare_looks(&[raster(&ha)], &[raster(&hb)], CompareStretch::Shared);
        let (Some(la), Some(lb)) = (&a[0], &b[0]) else {
            panic!("both rasters get the shared stretch: {a:?} {b:?}");
        };
        assert_eq!(la, lb);
        for held in [1000.0, 1500.0, 1999.0, 2500.0] {
            assert_eq!(la.display_byte(0, held), lb.display_byte(0, held));
        }
        // The union runs from A's low end to B's high end: A's top is not white any more.
        assert!(la.display_byte(0, 1999.0) < 200);
        assert!(lb.display_byte(0, 3900.0) > 250);
    }

    #[test]
    fn rasters_of_other_tracks_or_kinds_keep_their_own_stretch() {
        let (ha, hb) = (histograms(&ramp(1, 1000)), histograms(&ramp(3, 1000)));
        let other_track = ComparedRaster {
            group: "other",
            ..raster(&hb)
        };
        let (a, b) = compare_looks(&[raster(&ha)], &[other_track], CompareStretch::Shared);
        assert_eq!((a, b), (vec![None], vec![None]));
        let photo = ComparedRaster {
            kind: SampleKind::U8,
            ..raster(&hb)
        };
        let (a, b) = compare_looks(&[raster(&ha)], &[photo], CompareStretch::Matched);
        assert_eq!((a, b), (vec![None], vec![None]));
    }

    #[test]
    fn fixed_stretches_are_one_stretch_already() {
        let (ha, hb) = (histograms(&ramp(1, 1000)), histograms(&ramp(3, 1000)));
        let fixed = |h| {
            let display = Display {
                bands: BandMapping::Gray(1),
                stretch: Stretch::Full,
            };
            ComparedRaster {
                display,
                resolved: resolve(&display, h, SampleKind::U16, 1).unwrap(),
                ..raster(h)
            }
        };
        let (a, b) = compare_looks(&[fixed(&ha)], &[fixed(&hb)], CompareStretch::Shared);
        assert_eq!((a, b), (vec![None], vec![None]));
    }

    #[test]
    fn rasters_that_already_share_a_stretch_are_left_alone() {
        let h = histograms(&ramp(2, 500));
        let (a, b) = compare_looks(&[raster(&h)], &[raster(&h)], CompareStretch::Shared);
        assert_eq!((a, b), (vec![None], vec![None]));
    }

    #[test]
    fn matching_maps_bs_distribution_onto_as() {
        // B is A at twice the gain plus an offset: matched, B's value at a quantile shows as
        // A's value at that quantile.
        let (ha, hb) = (histograms(&ramp(1, 1000)), histograms(&ramp(2, 300)));
        let lut = match_histogram(hb.band(0).unwrap(), ha.band(0).unwrap());
        for i in [0u16, 10, 250, 500, 900, 999] {
            let b_value = 300 + 2 * i;
            let a_value = f32::from(1000 + i);
            let got = lut[usize::from(b_value)];
            assert!(
                (got - a_value).abs() <= 1.0,
                "B {b_value} → {got}, A {a_value}"
            );
        }
        let (a, b) = compare_looks(&[raster(&ha)], &[raster(&hb)], CompareStretch::Matched);
        assert_eq!(
            a,
            vec![None],
            "A keeps its own stretch: it is the reference"
        );
        let lb = b[0].as_ref().unwrap();
        let ra = raster(&ha);
        for i in [20u16, 400, 800] {
            let shown_b = lb.display_byte(0, f32::from(300 + 2 * i));
            let shown_a = own_byte(&ra, f32::from(1000 + i));
            assert!(
                shown_a.abs_diff(shown_b) <= 1,
                "{i}: A {shown_a}, B {shown_b}"
            );
        }
    }

    #[test]
    #[allow(clippy::float_cmp)] // whole and half values, exact in f32
    fn matching_against_nothing_keeps_the_values() {
        let (hb, empty) = (histograms(&ramp(1, 0)), Histogram::from_counts(vec![0; 4]));
        let lut = match_histogram(hb.band(0).unwrap(), &empty);
        assert_eq!(lut.get(7), Some(&7.0));
        assert_eq!(lookup(&[], 3.5), 3.5);
        assert_eq!(lookup(&[0.0, 10.0], 0.25), 2.5);
        assert_eq!(lookup(&[0.0, 10.0], 9.0), 10.0);
    }
}
