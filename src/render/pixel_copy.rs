//! Drawing an opaque image pixel for pixel: a copy of its rows, which is what resampling it
//! would give (an export's composited imagery under its annotations, 8 million pixels in a 4K
//! figure, is such an image).

use tiny_skia::Pixmap;

use super::display_list::{ImageryOp, ImagerySource};

/// Bytes of an RGBA pixel.
const BYTES_PER_PX: usize = 4;

/// An opaque image placed pixel for pixel on whole pixels, unclipped and unfaded, is copied row
/// by row: what drawing it gives, without resampling. False (nothing done) otherwise.
#[allow(
    clippy::float_cmp,
    reason = "pixel for pixel means exactly the image's size, on exactly whole pixels"
)]
pub fn copy_opaque(pixmap: &mut Pixmap, op: &ImageryOp) -> bool {
    let ImagerySource::Rgba { size_px, pixels } = &op.source else {
        return false;
    };
    let [left, top, right, bottom] = op.dest_px;
    let (at_x, at_y) = (left + op.offset_px[0], top + op.offset_px[1]);
    let one_to_one = right - left == size_px[0] as f32 && bottom - top == size_px[1] as f32;
    let whole = at_x.fract() == 0.0 && at_y.fract() == 0.0;
    if op.opacity < 1.0 || op.clip_px.is_some() || !one_to_one || !whole {
        return false;
    }
    if !pixels.chunks_exact(BYTES_PER_PX).all(|p| p[3] == u8::MAX) {
        return false;
    }
    let (width, height) = (i64::from(pixmap.width()), i64::from(pixmap.height()));
    let (at_x, at_y) = (at_x as i64, at_y as i64);
    let src_w = i64::from(size_px[0]);
    let (from_x, to_x) = (at_x.max(0), (at_x + src_w).min(width));
    if from_x >= to_x {
        return true;
    }
    let row_bytes = (to_x - from_x) as usize * BYTES_PER_PX;
    let data = pixmap.data_mut();
    for row in at_y.max(0)..(at_y + i64::from(size_px[1])).min(height) {
        let from = (((row - at_y) * src_w + (from_x - at_x)) * BYTES_PER_PX as i64) as usize;
        let to = ((row * width + from_x) * BYTES_PER_PX as i64) as usize;
        if let (Some(src), Some(dst)) = (
            pixels.get(from..from + row_bytes),
            data.get_mut(to..to + row_bytes),
        ) {
            dst.copy_from_slice(src);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn op(pixels: Vec<u8>, at: [f32; 2], opacity: f32) -> ImageryOp {
        ImageryOp {
            layer_id: String::new(),
            dest_px: [at[0], at[1], at[0] + 2.0, at[1] + 2.0],
            opacity,
            clip_px: None,
            offset_px: [0.0, 0.0],
            source: ImagerySource::Rgba {
                size_px: [2, 2],
                pixels: Arc::new(pixels),
            },
        }
    }

    #[test]
    fn an_opaque_image_on_whole_pixels_is_copied_and_cut_at_the_edge() {
        let mut pixmap = Pixmap::new(3, 2).unwrap();
        let pixels: Vec<u8> = (0..4u8).flat_map(|i| [i * 10, 1, 2, 255]).collect();
        assert!(copy_opaque(&mut pixmap, &op(pixels, [2.0, 0.0], 1.0)));
        let data = pixmap.data();
        // Only the image's left column lands, in the pixmap's last column.
        assert_eq!(&data[8..12], &[0, 1, 2, 255]);
        assert_eq!(&data[20..24], &[20, 1, 2, 255]);
        assert_eq!(&data[0..4], &[0, 0, 0, 0]);
    }

    #[test]
    fn translucent_faded_or_fractional_images_are_left_to_the_painter() {
        let mut pixmap = Pixmap::new(3, 2).unwrap();
        let opaque: Vec<u8> = [9u8, 9, 9, 255].repeat(4);
        let mut translucent = opaque.clone();
        translucent[7] = 128;
        assert!(!copy_opaque(&mut pixmap, &op(translucent, [0.0, 0.0], 1.0)));
        assert!(!copy_opaque(
            &mut pixmap,
            &op(opaque.clone(), [0.0, 0.0], 0.5)
        ));
        assert!(!copy_opaque(&mut pixmap, &op(opaque, [0.5, 0.0], 1.0)));
        assert!(pixmap.data().iter().all(|&b| b == 0));
    }
}
