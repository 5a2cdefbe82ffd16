//! Alignment at draw time: a layer's ground shift (metres east and north) as the pixel offset
//! of its imagery ops, at the scale the list is lowered for.

use crate::render::display_list::PaintOp;
use crate::scene::Scene;

/// Pixels of a ground shift `[east, north]` in metres at `meters_per_px` (ground metres per
/// pixel): east is +x, north is −y (pixels run down). Zero for a scale that is not positive.
#[must_use]
pub fn offset_px(offset_m: [f64; 2], meters_per_px: f64) -> [f64; 2] {
    if !(meters_per_px.is_finite() && meters_per_px > 0.0) {
        return [0.0, 0.0];
    }
    [offset_m[0] / meters_per_px, -offset_m[1] / meters_per_px]
}

/// Sets the offset of each imagery op of a layer in `scene` from the layer's shift, at
/// `meters_per_px`. Ops of other ids (the basemap, a composite) keep theirs.
pub fn shift_layers(ops: &mut [PaintOp], scene: &Scene, meters_per_px: f64) {
    for op in ops {
        let PaintOp::Imagery(op) = op else { continue };
        let Some(layer) = scene.layers.iter().find(|l| l.id == op.layer_id) else {
            continue;
        };
        let [dx, dy] = offset_px(layer.offset_m, meters_per_px);
        op.offset_px = [dx as f32, dy as f32];
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // halves and doubles of whole numbers: exact
mod tests {
    use super::*;

    #[test]
    fn east_is_right_and_north_is_up() {
        assert_eq!(offset_px([10.0, 0.0], 2.0), [5.0, 0.0]);
        assert_eq!(offset_px([0.0, 10.0], 2.0), [0.0, -5.0]);
        assert_eq!(offset_px([3.0, -4.0], 0.5), [6.0, 8.0]);
    }

    #[test]
    fn a_broken_scale_shifts_nothing() {
        assert_eq!(offset_px([10.0, 10.0], 0.0), [0.0, 0.0]);
        assert_eq!(offset_px([10.0, 10.0], f64::NAN), [0.0, 0.0]);
    }
}
