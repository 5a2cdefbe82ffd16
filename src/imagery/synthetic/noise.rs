//! Seeded noise: the same seed gives the same picture on every machine and Rust version.

/// A 64-bit mix of a seed and integer coordinates (`SplitMix64`'s finaliser): stable everywhere.
#[must_use]
pub fn hash(seed: u64, a: i64, b: i64) -> u64 {
    let mut z = seed
        ^ (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in 0..1 from a seed and two integers.
#[must_use]
pub fn unit(seed: u64, a: i64, b: i64) -> f32 {
    (hash(seed, a, b) >> 40) as f32 / (1u64 << 24) as f32
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Value noise in 0..1 at `(x, y)` measured in cells.
#[must_use]
pub fn value(seed: u64, x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = (smooth(x - x0), smooth(y - y0));
    let (ix, iy) = (x0 as i64, y0 as i64);
    let v00 = unit(seed, ix, iy);
    let v10 = unit(seed, ix + 1, iy);
    let v01 = unit(seed, ix, iy + 1);
    let v11 = unit(seed, ix + 1, iy + 1);
    let top = v00 + (v10 - v00) * tx;
    let bottom = v01 + (v11 - v01) * tx;
    top + (bottom - top) * ty
}

/// Fractal noise in 0..1: `octaves` layers of [`value`] noise, each twice as fine and half as
/// strong, the coarsest with cells of `cell` units.
#[must_use]
pub fn fbm(seed: u64, x: f32, y: f32, cell: f32, octaves: u32) -> f32 {
    let (mut sum, mut weight, mut total, mut scale) = (0.0, 1.0, 0.0, 1.0 / cell);
    for octave in 0..octaves {
        sum += weight * value(seed.wrapping_add(u64::from(octave)), x * scale, y * scale);
        total += weight;
        weight *= 0.5;
        scale *= 2.0;
    }
    sum / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_deterministic_and_in_range() {
        assert_eq!(hash(1, 2, 3), hash(1, 2, 3));
        assert_ne!(hash(1, 2, 3), hash(2, 2, 3));
        for i in 0..200 {
            let v = fbm(7, i as f32 * 1.37, i as f32 * 0.71, 10.0, 4);
            assert!((0.0..=1.0).contains(&v), "{v}");
            assert!((0.0..1.0).contains(&unit(3, i, -i)));
        }
    }

    #[test]
    fn value_noise_is_continuous() {
        let a = value(5, 3.999, 1.5);
        let b = value(5, 4.001, 1.5);
        assert!((a - b).abs() < 0.01, "{a} {b}");
    }
}
