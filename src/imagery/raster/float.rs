//! Floating-point samples (SAR backscatter, elevation) held in 16 bits: the top half of the
//! float's order-preserving bit pattern, rounded (a `bfloat16` with its order kept: 8 exponent
//! and 7 mantissa bits, 0.4 % relative precision over the whole float range). Held values sort
//! as the floats do, so the pyramid, the histograms and the percentiles work on them as on
//! 16-bit integers, and any stretch (linear, decibels) is applied to the decoded value. Held 0 is
//! kept for nodata: NaN and the file's `GDAL_NODATA` value.
//!
//! Pyramid levels average held values, which for values of one sign is close to a geometric
//! mean: for backscatter, the mean in decibels.

/// The held value of nodata (NaN, or the file's `GDAL_NODATA`).
pub const NODATA_HELD: u16 = 0;

/// The held value of a float sample; NaN and `nodata` give [`NODATA_HELD`].
#[must_use]
pub fn held_from_f32(v: f32, nodata: Option<f32>) -> u16 {
    #[allow(clippy::float_cmp, reason = "nodata is an exact stored value")]
    let is_nodata = v.is_nan() || nodata.is_some_and(|nd| nd == v);
    if is_nodata {
        return NODATA_HELD;
    }
    let bits = v.to_bits();
    let ordered = if bits & 0x8000_0000 == 0 {
        bits | 0x8000_0000
    } else {
        !bits
    };
    let rounded = (u64::from(ordered) + 0x8000) >> 16;
    u16::try_from(rounded).unwrap_or(u16::MAX).max(1)
}

/// The float a held value (or a value between two, as bilinear resampling makes) stands for.
#[must_use]
pub fn f32_from_held(held: f32) -> f32 {
    // Clamped to the u32 range first.
    let ordered = (f64::from(held) * 65536.0)
        .round()
        .clamp(0.0, f64::from(u32::MAX)) as u32;
    let bits = if ordered & 0x8000_0000 == 0 {
        !ordered
    } else {
        ordered & 0x7FFF_FFFF
    };
    f32::from_bits(bits)
}

/// Decibels of a linear power value; −∞ for zero and below.
#[must_use]
pub fn decibels(linear: f32) -> f32 {
    if linear > 0.0 {
        10.0 * linear.log10()
    } else {
        f32::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_values_sort_as_the_floats_do() {
        let values = [
            -1e6f32, -32768.0, -1.0, -0.01, 0.0, 1e-6, 0.01, 0.5, 1.0, 7.0, 1e9,
        ];
        let held: Vec<u16> = values.iter().map(|v| held_from_f32(*v, None)).collect();
        assert!(held.windows(2).all(|w| w[0] < w[1]), "{held:?}");
        assert!(held.iter().all(|h| *h != NODATA_HELD));
    }

    #[test]
    fn a_value_comes_back_within_half_a_percent() {
        for v in [-1234.5f32, -0.3, 0.001, 0.01, 0.25, 1.0, 3.7, 2500.0] {
            let back = f32_from_held(f32::from(held_from_f32(v, None)));
            assert!(
                (back - v).abs() <= v.abs() * 0.004,
                "{v} came back as {back}"
            );
        }
        assert!(f32_from_held(f32::from(held_from_f32(0.0, None))).abs() < 1e-30);
    }

    #[test]
    fn nan_and_the_nodata_value_are_nodata() {
        assert_eq!(held_from_f32(f32::NAN, None), NODATA_HELD);
        assert_eq!(held_from_f32(-32768.0, Some(-32768.0)), NODATA_HELD);
        assert_ne!(held_from_f32(-32767.0, Some(-32768.0)), NODATA_HELD);
    }

    #[test]
    fn decibels_of_linear_power() {
        assert!((decibels(0.01) + 20.0).abs() < 1e-5);
        assert!((decibels(1.0)).abs() < 1e-6);
        assert!(decibels(0.0).is_infinite() && decibels(0.0) < 0.0);
    }
}
