//! Geometry of the marks that are more than a line: the arrowhead of an arrow (callout), in
//! screen pixels, shared by the window and the exporter so both draw the same head.

/// Arrowhead length at the 1920 px figure width (FIGURES.md: arrows 3 px with a 20 px head).
pub const ARROW_HEAD_PX: f32 = 20.0;

/// The three corners of an arrowhead with its tip at `head`, pointing away from `tail`, `length`
/// long and 0.9 × `length` wide; `None` when tail and head coincide.
#[must_use]
pub fn arrow_head_px(tail: [f32; 2], head: [f32; 2], length: f32) -> Option<[[f32; 2]; 3]> {
    let (dx, dy) = (head[0] - tail[0], head[1] - tail[1]);
    let norm = dx.hypot(dy);
    if !(norm.is_finite() && norm > 0.0) {
        return None;
    }
    let (ux, uy) = (dx / norm, dy / norm);
    let back = [head[0] - ux * length, head[1] - uy * length];
    let half = length * 0.45;
    Some([
        head,
        [back[0] - uy * half, back[1] + ux * half],
        [back[0] + uy * half, back[1] - ux * half],
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arrow_of_no_length_has_no_head() {
        assert_eq!(arrow_head_px([1.0, 1.0], [1.0, 1.0], 20.0), None);
    }

    #[test]
    fn the_head_points_along_the_arrow() {
        let [tip, a, b] = arrow_head_px([0.0, 0.0], [100.0, 0.0], 20.0).unwrap();
        assert!((tip[0] - 100.0).abs() < 1e-6 && tip[1].abs() < 1e-6);
        assert!((a[0] - 80.0).abs() < 1e-4 && (b[0] - 80.0).abs() < 1e-4);
        assert!((a[1] + b[1]).abs() < 1e-4 && (a[1] - b[1]).abs() > 17.0);
    }
}
