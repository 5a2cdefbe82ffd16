//! Normalisation by segments: one image is cut into segments of continuous colour, and within
//! each segment every band of the other image is predicted from it by a robust straight line.
//!
//! Gain, offset and gamma change a whole band the same way, but the seasons do not: a field
//! turns from brown to green while the meadow beside it only darkens. Within one patch of
//! land, though, the earlier and later values still lie on one line per band (a multiplicative
//! texture stays a multiplicative texture). So the earlier image is cut into segments — 4-connected
//! pixels whose neighbours differ in every band by less than [`JOIN_STEPS`] times that band's
//! typical neighbour step — and each segment gets its own line, fitted twice, the second time
//! without the pixels the first fit left far off (what was built there). The prediction of the
//! later image from the earlier is then compared with the later image: a new structure on a
//! field stands out from the field's line. A structure that has gone forms a segment of its own
//! in the earlier image and would be fitted away, so the same is done the other way round (the
//! earlier image predicted from segments of the later one), and the finder keeps the larger of
//! the two scores. Segments under [`MIN_SEGMENT_PX`] pixels keep the global normalisation.

use super::affine::{Fit, Sums};

/// A neighbour joins a segment when it differs in every band by less than this many typical
/// neighbour steps (the band's median absolute step between 4-neighbours).
pub const JOIN_STEPS: f32 = 16.0;

/// Smallest segment given its own fit.
pub const MIN_SEGMENT_PX: usize = 24;

/// Rounds of merging small segments into their closest neighbours.
const MERGE_ROUNDS: usize = 4;

/// Residuals beyond this many robust σ of their segment are left out of the next fit.
const REFIT_SIGMA: f32 = 3.0;

/// ... but never residuals within this many typical neighbour steps.
const REFIT_FLOOR_STEPS: f32 = 2.0;

/// Fits after the first, each without what the previous one missed by far.
const REFITS: usize = 2;

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while let Some(&p) = parent.get(i as usize) {
        if p == i {
            break;
        }
        let grand = parent.get(p as usize).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(i as usize) {
            *slot = grand;
        }
        i = grand;
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = parent.get_mut(hi as usize) {
            *slot = lo;
        }
    }
}

/// The median absolute step between horizontal and vertical neighbours, per band, over valid
/// pairs.
fn typical_steps(planes: &[Vec<f32>], valid: &[bool], width: usize, height: usize) -> Vec<f32> {
    planes
        .iter()
        .map(|p| {
            let mut steps = Vec::with_capacity(p.len());
            for y in 0..height {
                for x in 0..width {
                    let i = y * width + x;
                    for j in [
                        (x + 1 < width).then_some(i + 1),
                        (y + 1 < height).then_some(i + width),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        if valid.get(i).copied().unwrap_or(false)
                            && valid.get(j).copied().unwrap_or(false)
                        {
                            let d =
                                p.get(i).copied().unwrap_or(0.0) - p.get(j).copied().unwrap_or(0.0);
                            steps.push(d.abs());
                        }
                    }
                }
            }
            super::score::median(&mut steps)
        })
        .collect()
}

/// Segment label of every pixel (the smallest index in its segment; `u32::MAX` where invalid).
#[must_use]
pub fn segment(planes: &[Vec<f32>], valid: &[bool], width: usize, height: usize) -> Vec<u32> {
    let n = width * height;
    let limits: Vec<f32> = typical_steps(planes, valid, width, height)
        .into_iter()
        .map(|s| (s * JOIN_STEPS).max(1e-3))
        .collect();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let close = |i: usize, j: usize| {
        planes.iter().zip(&limits).all(|(p, &limit)| {
            (p.get(i).copied().unwrap_or(0.0) - p.get(j).copied().unwrap_or(0.0)).abs() < limit
        })
    };
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if !valid.get(i).copied().unwrap_or(false) {
                continue;
            }
            for j in [
                (x + 1 < width).then_some(i + 1),
                (y + 1 < height).then_some(i + width),
            ]
            .into_iter()
            .flatten()
            {
                if valid.get(j).copied().unwrap_or(false) && close(i, j) {
                    union(&mut parent, i as u32, j as u32);
                }
            }
        }
    }
    merge_small(&mut parent, planes, valid, width, height);
    (0..n)
        .map(|i| {
            if valid.get(i).copied().unwrap_or(false) {
                find(&mut parent, i as u32)
            } else {
                u32::MAX
            }
        })
        .collect()
}

/// Merges every segment under [`MIN_SEGMENT_PX`] into the neighbouring segment whose mean
/// colour is closest (a few rounds, so fragments reach a large segment through each other):
/// a shrub patch or a hedge belongs with the land around it, and gets its line.
fn merge_small(
    parent: &mut [u32],
    planes: &[Vec<f32>],
    valid: &[bool],
    width: usize,
    height: usize,
) {
    let n = width * height;
    for _ in 0..MERGE_ROUNDS {
        let roots: Vec<u32> = (0..n as u32).map(|i| find(parent, i)).collect();
        let mut size = vec![0u32; n];
        let mut sum: Vec<Vec<f64>> = vec![Vec::new(); n];
        for i in 0..n {
            if !valid.get(i).copied().unwrap_or(false) {
                continue;
            }
            let r = roots.get(i).copied().unwrap_or(0) as usize;
            if let Some(s) = size.get_mut(r) {
                *s += 1;
            }
            if let Some(acc) = sum.get_mut(r) {
                if acc.is_empty() {
                    acc.resize(planes.len(), 0.0);
                }
                for (a, p) in acc.iter_mut().zip(planes) {
                    *a += f64::from(p.get(i).copied().unwrap_or(0.0));
                }
            }
        }
        let mean = |r: usize, b: usize| -> f64 {
            let count = f64::from(size.get(r).copied().unwrap_or(1).max(1));
            sum.get(r).and_then(|s| s.get(b)).copied().unwrap_or(0.0) / count
        };
        let small = |r: usize| (size.get(r).copied().unwrap_or(0) as usize) < MIN_SEGMENT_PX;
        // Closest neighbour of each small segment: (root, distance²).
        let mut best: std::collections::HashMap<usize, (usize, f64)> =
            std::collections::HashMap::new();
        let mut any_small = false;
        for y in 0..height {
            for x in 0..width {
                let i = y * width + x;
                if !valid.get(i).copied().unwrap_or(false) {
                    continue;
                }
                let ri = roots.get(i).copied().unwrap_or(0) as usize;
                for j in [
                    (x + 1 < width).then_some(i + 1),
                    (y + 1 < height).then_some(i + width),
                    (x > 0).then(|| i - 1),
                    (y > 0).then(|| i - width),
                ]
                .into_iter()
                .flatten()
                {
                    let rj = roots.get(j).copied().unwrap_or(0) as usize;
                    if rj == ri || !valid.get(j).copied().unwrap_or(false) || !small(ri) {
                        continue;
                    }
                    any_small = true;
                    let d: f64 = (0..planes.len())
                        .map(|b| (mean(ri, b) - mean(rj, b)).powi(2))
                        .sum();
                    let entry = best.entry(ri).or_insert((rj, f64::MAX));
                    if d < entry.1 || (d.total_cmp(&entry.1).is_eq() && rj < entry.0) {
                        *entry = (rj, d);
                    }
                }
            }
        }
        if !any_small {
            break;
        }
        let mut merges: Vec<(usize, usize)> =
            best.into_iter().map(|(r, (to, _))| (r, to)).collect();
        merges.sort_unstable();
        for (r, to) in merges {
            union(parent, r as u32, to as u32);
        }
    }
}

/// Every band of `to` predicted from all bands of `from`, segment by segment, by an affine map
/// fitted on the `fit` pixels (see the module docs). Pixels of segments too small for a fit
/// keep `from`'s values: the two are already on one scale (quantile matching).
#[must_use]
pub fn predict(from: &[Vec<f32>], to: &[Vec<f32>], labels: &[u32], fit: &[bool]) -> Vec<Vec<f32>> {
    let valid = fit;
    let n = labels.len();
    let bands = from.len().min(to.len());
    let at = |planes: &[Vec<f32>], i: usize| -> Vec<f64> {
        planes
            .iter()
            .take(bands)
            .map(|p| f64::from(p.get(i).copied().unwrap_or(0.0)))
            .collect()
    };
    // The ridge: a typical neighbour step's worth of variance per band.
    let steps = typical_steps(from, valid, n, 1);
    let ridge: Vec<f64> = steps
        .iter()
        .map(|&s| f64::from(s).powi(2).max(1e-6))
        .collect();
    // Compact indices for the segments big enough for a fit.
    let mut size = vec![0u32; n];
    for &label in labels {
        if let Some(s) = size.get_mut(label as usize) {
            *s += 1;
        }
    }
    let mut slot = vec![u32::MAX; n];
    let mut count = 0u32;
    for (label, &s) in size.iter().enumerate() {
        if s as usize >= MIN_SEGMENT_PX
            && let Some(v) = slot.get_mut(label)
        {
            *v = count;
            count += 1;
        }
    }
    let slot_of = |i: usize| -> Option<usize> {
        let label = *labels.get(i)?;
        let s = *slot.get(label as usize)?;
        (s != u32::MAX).then_some(s as usize)
    };
    let mut keep: Vec<bool> = valid.to_vec();
    let mut predicted: Vec<Vec<f32>> = from.iter().take(bands).cloned().collect();
    // Never leave out what is within a few typical steps of the line.
    let floor = steps.iter().copied().fold(0.0f32, f32::max) * REFIT_FLOOR_STEPS;
    for round in 0..=REFITS {
        let mut sums = vec![Sums::new(bands); count as usize];
        for i in 0..n {
            if keep.get(i).copied().unwrap_or(false)
                && let Some(s) = slot_of(i).and_then(|s| sums.get_mut(s))
            {
                s.add(&at(from, i), &at(to, i));
            }
        }
        let fits: Vec<Option<Fit>> = sums
            .iter()
            .map(|s| {
                (s.count() >= MIN_SEGMENT_PX as f64)
                    .then(|| s.fit(&ridge))
                    .flatten()
            })
            .collect();
        for i in 0..n {
            let Some(Some(fit)) = slot_of(i).and_then(|s| fits.get(s)) else {
                continue;
            };
            let x = at(from, i);
            for ((offset, w), plane) in fit.iter().zip(predicted.iter_mut()) {
                if let Some(p) = plane.get_mut(i) {
                    *p = (offset + w.iter().zip(&x).map(|(a, v)| a * v).sum::<f64>()) as f32;
                }
            }
        }
        if round == REFITS {
            break;
        }
        // Leave out what the fits miss by far, segment by segment: changes, not the land.
        let miss = |i: usize| -> f32 {
            predicted
                .iter()
                .zip(to)
                .map(|(p, t)| {
                    (p.get(i).copied().unwrap_or(0.0) - t.get(i).copied().unwrap_or(0.0)).abs()
                })
                .fold(0.0, f32::max)
        };
        let mut by_segment: Vec<(usize, f32)> = (0..n)
            .filter(|&i| keep.get(i).copied().unwrap_or(false))
            .filter_map(|i| Some((slot_of(i)?, miss(i))))
            .collect();
        by_segment.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut limit = vec![f32::MAX; count as usize];
        for run in by_segment.chunk_by(|a, b| a.0 == b.0) {
            if let (Some(&(segment, _)), Some(&(_, median))) = (run.first(), run.get(run.len() / 2))
                && let Some(l) = limit.get_mut(segment)
            {
                *l = (median * 1.4826 * REFIT_SIGMA).max(floor);
            }
        }
        for (i, k) in keep.iter_mut().enumerate() {
            let Some(segment) = slot_of(i) else {
                continue;
            };
            *k = *k && miss(i) <= limit.get(segment).copied().unwrap_or(f32::MAX);
        }
    }
    predicted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two fields side by side (left dark, right bright), each with a multiplicative texture.
    fn two_fields(width: usize, height: usize, left: [f32; 2], right: [f32; 2]) -> Vec<Vec<f32>> {
        (0..2)
            .map(|b| {
                (0..width * height)
                    .map(|i| {
                        let (x, y) = (i % width, i / width);
                        let texture = 1.0 + 0.1 * ((x as f32 / 3.0).sin() + (y as f32 / 4.0).cos());
                        let base = if x < width / 2 { left[b] } else { right[b] };
                        base * texture
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_field_edge_splits_segments_and_texture_does_not() {
        let (w, h) = (20, 10);
        let planes = two_fields(w, h, [60.0, 80.0], [140.0, 120.0]);
        let labels = segment(&planes, &vec![true; w * h], w, h);
        assert_eq!(
            labels[0],
            labels[(h - 1) * w + w / 2 - 1],
            "the left field is one segment"
        );
        assert_ne!(labels[0], labels[w - 1], "the right field is another");
        let distinct: std::collections::BTreeSet<u32> = labels.iter().copied().collect();
        assert_eq!(distinct.len(), 2);
    }

    #[test]
    fn each_field_gets_its_own_recolouring() {
        // The seasons: the left field's bands swap roles, the right one only darkens.
        let (w, h) = (20, 10);
        let before = two_fields(w, h, [60.0, 80.0], [140.0, 120.0]);
        let after = two_fields(w, h, [90.0, 50.0], [110.0, 100.0]);
        let valid = vec![true; w * h];
        let labels = segment(&before, &valid, w, h);
        let predicted = predict(&before, &after, &labels, &valid);
        for (p, a) in predicted.iter().zip(&after) {
            for (pv, av) in p.iter().zip(a) {
                assert!((pv - av).abs() < 0.5, "{pv} vs {av}");
            }
        }
    }

    #[test]
    fn a_new_roof_inside_a_field_is_left_out_of_the_fit_and_stands_out() {
        let (w, h) = (20, 10);
        let before = two_fields(w, h, [60.0, 80.0], [140.0, 120.0]);
        let mut after = two_fields(w, h, [90.0, 50.0], [110.0, 100.0]);
        for y in 3..6 {
            for x in 2..5 {
                after[0][y * w + x] = 250.0;
                after[1][y * w + x] = 250.0;
            }
        }
        let valid = vec![true; w * h];
        let labels = segment(&before, &valid, w, h);
        let predicted = predict(&before, &after, &labels, &valid);
        let roof = 4 * w + 3;
        assert!(after[0][roof] - predicted[0][roof] > 100.0);
        let field = 8 * w + 8;
        assert!((after[0][field] - predicted[0][field]).abs() < 0.5);
    }
}
