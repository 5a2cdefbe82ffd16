//! Text in figure boxes: wrapping to a width, and boxes of lines.

use super::{Measure, PAD_X, PAD_Y, TextBox, TextLine, TextStyle};
use crate::model::Rgba;

/// Splits text into lines no wider than `max_width_px` at spaces (a single long word stays whole).
pub fn wrap(text: &str, style: TextStyle, max_width_px: f32, measure: Measure<'_>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || measure(&candidate, style)[0] <= max_width_px {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps and keeps at most `max_lines`, ending the last kept line with "…" when text was cut.
pub(super) fn wrap_at_most(
    text: &str,
    style: TextStyle,
    max_width_px: f32,
    max_lines: usize,
    measure: Measure<'_>,
) -> Vec<String> {
    let mut lines = wrap(text, style, max_width_px, measure);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while measure(&format!("{last} …"), style)[0] > max_width_px {
                let Some((head, _)) = last.rsplit_once(' ') else {
                    break;
                };
                *last = head.to_owned();
            }
            last.push_str(" …");
        }
    }
    lines
}

/// Lays lines out in a box whose top-left corner is `min_px`.
pub(super) struct BoxBuilder<'m> {
    measure: Measure<'m>,
    pad: [f32; 2],
    lines: Vec<(String, TextStyle, Rgba, [f32; 2])>,
}

impl<'m> BoxBuilder<'m> {
    pub(super) fn new(measure: Measure<'m>, s: f32) -> Self {
        Self {
            measure,
            pad: [PAD_X * s, PAD_Y * s],
            lines: Vec::new(),
        }
    }

    pub(super) fn line(&mut self, text: impl Into<String>, style: TextStyle, color: Rgba) {
        let text = text.into();
        let size = (self.measure)(&text, style);
        self.lines.push((text, style, color, size));
    }

    pub(super) fn size(&self) -> [f32; 2] {
        let w = self.lines.iter().map(|l| l.3[0]).fold(0.0, f32::max);
        let h: f32 = self.lines.iter().map(|l| l.3[1]).sum();
        [w + 2.0 * self.pad[0], h + 2.0 * self.pad[1]]
    }

    /// The box with its top-left corner at `min_px`; lines left-aligned, or right-aligned.
    pub(super) fn place(self, min_px: [f32; 2], right_align: bool) -> TextBox {
        let [w, h] = self.size();
        let mut y = min_px[1] + self.pad[1];
        let lines = self
            .lines
            .into_iter()
            .map(|(text, style, color, size)| {
                let x = if right_align {
                    min_px[0] + w - self.pad[0] - size[0]
                } else {
                    min_px[0] + self.pad[0]
                };
                let line = TextLine {
                    text,
                    style,
                    color,
                    min_px: [x, y],
                };
                y += size[1];
                line
            })
            .collect();
        TextBox {
            rect_px: [min_px[0], min_px[1], min_px[0] + w, min_px[1] + h],
            lines,
        }
    }
}
