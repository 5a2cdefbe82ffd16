//! Every style constant of the figure and the map, in one place: lengths at the 1920 px master
//! width (FIGURES.md), scaled by [`Scale`]. Painters have none of their own.

use crate::model::Rgba;
use crate::render::display_list::DashPx;
pub use crate::scene::labels::MARKER_RADIUS_PX;

/// White.
pub const WHITE: Rgba = Rgba::rgb(255, 255, 255);
/// Black.
pub const BLACK: Rgba = Rgba::rgb(0, 0, 0);
/// Softer white for secondary text.
pub const SOFT: Rgba = Rgba::rgb(215, 215, 215);
/// Okabe–Ito yellow: notices and the timelapse progress.
pub const NOTICE_COLOR: Rgba = Rgba::rgb(0xF0, 0xE4, 0x42);
/// Dark casing under every line (FIGURES.md: black at ~60 %).
pub const CASING: Rgba = Rgba([0, 0, 0, 153]);
/// Boxes behind labels and figure text: black at 75 %.
pub const LABEL_BOX: Rgba = Rgba([0, 0, 0, 191]);
/// The selection highlight (window only; an option, off in exports).
pub const SELECTION: Rgba = Rgba([255, 255, 255, 200]);
/// Grid lines: white, faint.
pub const GRID_COLOR: Rgba = Rgba([255, 255, 255, 110]);
/// The progress bar's track.
pub const PROGRESS_TRACK: Rgba = Rgba([0, 0, 0, 170]);

/// Label text height (FIGURES.md: 32 px bold).
pub const LABEL_SIZE_PX: f32 = 32.0;
/// Padding inside a label box, x and y.
pub const LABEL_PAD_PX: [f32; 2] = [6.0, 3.0];
/// Corner radius of label boxes (not scaled).
pub const LABEL_RADIUS_PX: f32 = 2.0;
/// Outline of a text mark's box.
pub const TEXT_MARK_OUTLINE_PX: f32 = 2.0;
/// Leader lines from a label to its anchor.
pub const LEADER_PX: f32 = 3.0;
/// The dot a leader ends in.
pub const LEADER_DOT_PX: f32 = 4.0;
/// Extra width of a line's casing.
pub const LINE_CASING_EXTRA_PX: f32 = 3.0;
/// Casing around an arrowhead.
pub const ARROW_CASING_PX: f32 = 3.0;
/// Black outline of point markers.
pub const MARKER_OUTLINE_PX: f32 = 2.5;
/// Gap between a marker and its certainty ring.
pub const MARKER_RING_GAP_PX: f32 = 5.0;
/// Width of the certainty ring.
pub const MARKER_RING_WIDTH_PX: f32 = 2.0;
/// Extra width of the selection glow around lines.
pub const SELECTION_GLOW_EXTRA_PX: f32 = 10.0;
/// Extra radius of the selection disc around markers (not scaled).
pub const SELECTION_MARKER_EXTRA_PX: f32 = 6.0;
/// Label gap from its anchor: the marker radius plus this.
pub const LABEL_GAP_EXTRA_PX: f32 = 6.0;
/// Labels keep this multiple of the marker radius clear around every point marker.
pub const MARKER_CLEARANCE: f32 = 1.3;
/// No text is set smaller than this.
pub const MIN_TEXT_PX: f32 = 9.0;

/// The black of outlines.
#[must_use]
pub const fn outline_color() -> Rgba {
    BLACK
}

/// Lengths at a scale: width / 1920 in a figure, the map text scale in the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale(pub f32);

impl Scale {
    /// A master length, scaled.
    #[must_use]
    pub fn px(self, master_px: f32) -> f32 {
        master_px * self.0
    }

    /// A master length, scaled, never below `min_px`.
    #[must_use]
    pub fn at_least(self, master_px: f32, min_px: f32) -> f32 {
        (master_px * self.0).max(min_px)
    }

    /// A master length scaled by at least one half (small figures keep readable gaps).
    #[must_use]
    pub fn soft(self, master_px: f32) -> f32 {
        master_px * self.0.max(0.5)
    }

    /// A line width, never under 1 px.
    #[must_use]
    pub fn line(self, master_px: f32) -> f32 {
        self.at_least(master_px, 1.0)
    }

    /// A dash pattern, each part at least 2 px.
    #[must_use]
    pub fn dash(self, (dash, gap): DashPx) -> DashPx {
        (self.at_least(dash, 2.0), self.at_least(gap, 2.0))
    }

    /// The radius of point markers.
    #[must_use]
    pub fn marker_radius(self) -> f32 {
        self.at_least(MARKER_RADIUS_PX, 3.0)
    }

    /// A text size, never under [`MIN_TEXT_PX`].
    #[must_use]
    pub fn text(self, master_px: f32) -> f32 {
        self.at_least(master_px, MIN_TEXT_PX)
    }
}
