//! Where a display list goes on screen: the map's corner, or the figure frame scaled into it.

use egui::{Pos2, Rect, pos2};

use super::display_list::RectPx;

/// Where the list's pixels go on screen: its origin, and screen points per list pixel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Placement {
    /// The list's (0, 0) on screen.
    pub origin: Pos2,
    /// Screen points per list pixel (1 when the list was lowered for the screen itself).
    pub scale: f32,
}

impl Placement {
    /// Where a list point goes on screen.
    #[must_use]
    pub fn at(self, p: [f32; 2]) -> Pos2 {
        pos2(
            self.origin.x + p[0] * self.scale,
            self.origin.y + p[1] * self.scale,
        )
    }

    /// Where a list rectangle goes on screen.
    #[must_use]
    pub fn rect(self, r: RectPx) -> Rect {
        Rect::from_min_max(self.at([r[0], r[1]]), self.at([r[2], r[3]]))
    }
}
