//! Timelapse GIFs: one frame per stage, ~1 s each, the last held longer, looping.

use std::path::{Path, PathBuf};

use super::ExportError;

/// How long each frame shows, in hundredths of a second (FIGURES.md: ~1 s a frame).
pub const FRAME_DELAY_CS: u16 = 100;
/// How long the last frame is held before the loop starts again.
pub const LAST_FRAME_DELAY_CS: u16 = 300;
/// GIF sizes are 16-bit.
pub const MAX_SIDE_PX: u32 = 65_535;
/// `NeuQuant` speed (1 best … 30 fastest); 10 is the crate's suggested balance.
const QUANTIZE_SPEED: i32 = 10;

/// Builds an animated GIF in memory, one frame at a time (each with its own 256-colour palette).
pub struct GifWriter {
    encoder: gif::Encoder<Vec<u8>>,
    size_px: [u16; 2],
    path: PathBuf,
    frames: usize,
}

impl GifWriter {
    /// A looping GIF of this size; `path` only names the file in errors.
    pub fn new(size_px: [u32; 2], path: &Path) -> Result<Self, ExportError> {
        let too_big = || ExportError::Encode {
            message: format!(
                "a GIF is at most {MAX_SIDE_PX} px a side, not {}x{}",
                size_px[0], size_px[1]
            ),
            path: path.to_path_buf(),
        };
        let w = u16::try_from(size_px[0]).map_err(|_| too_big())?;
        let h = u16::try_from(size_px[1]).map_err(|_| too_big())?;
        let mut encoder =
            gif::Encoder::new(Vec::new(), w, h, &[]).map_err(|e| gif_error(&e, path))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| gif_error(&e, path))?;
        Ok(Self {
            encoder,
            size_px: [w, h],
            path: path.to_path_buf(),
            frames: 0,
        })
    }

    /// Adds a frame of opaque RGBA pixels shown for `delay_cs` hundredths of a second.
    pub fn add_frame(&mut self, rgba: &mut [u8], delay_cs: u16) -> Result<(), ExportError> {
        let [w, h] = self.size_px;
        if rgba.len() != usize::from(w) * usize::from(h) * 4 {
            return Err(ExportError::Encode {
                message: format!("a frame of {} bytes is not {w}x{h} RGBA", rgba.len()),
                path: self.path.clone(),
            });
        }
        let mut frame = gif::Frame::from_rgba_speed(w, h, rgba, QUANTIZE_SPEED);
        frame.delay = delay_cs;
        self.encoder
            .write_frame(&frame)
            .map_err(|e| gif_error(&e, &self.path))?;
        self.frames += 1;
        Ok(())
    }

    /// Frames added so far.
    #[must_use]
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The finished file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        self.encoder.into_inner().map_err(|e| ExportError::Encode {
            message: e.to_string(),
            path: self.path.clone(),
        })
    }
}

fn gif_error(e: &gif::EncodingError, path: &Path) -> ExportError {
    ExportError::Encode {
        message: e.to_string(),
        path: path.to_path_buf(),
    }
}

/// The delay of frame `index` of `count`: the last is held longer.
#[must_use]
pub fn frame_delay_cs(index: usize, count: usize) -> u16 {
    if index + 1 >= count {
        LAST_FRAME_DELAY_CS
    } else {
        FRAME_DELAY_CS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_with_their_delays() {
        let mut writer = GifWriter::new([8, 4], Path::new("t.gif")).unwrap();
        for i in 0..3u8 {
            let mut rgba: Vec<u8> = (0..32).flat_map(|_| [i * 80, 10, 200, 255]).collect();
            writer
                .add_frame(&mut rgba, frame_delay_cs(i.into(), 3))
                .unwrap();
        }
        assert_eq!(writer.frames(), 3);
        let bytes = writer.finish().unwrap();
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = options.read_info(std::io::Cursor::new(bytes)).unwrap();
        let mut delays = Vec::new();
        while let Some(frame) = decoder.read_next_frame().unwrap() {
            delays.push(frame.delay);
        }
        assert_eq!(delays, [100, 100, 300]);
    }

    #[test]
    fn a_wrong_sized_frame_is_an_error_not_a_panic() {
        let mut writer = GifWriter::new([8, 4], Path::new("t.gif")).unwrap();
        assert!(writer.add_frame(&mut [0u8; 12], 100).is_err());
        assert!(GifWriter::new([70_000, 4], Path::new("t.gif")).is_err());
    }
}
