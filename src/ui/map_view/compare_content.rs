//! What a comparison puts on the map besides the slider's date: how date A joins it, date A's
//! scene and imagery, and side by side's middle panes.

use crate::scene::Scene;
use crate::scene::index::SceneIndex;

/// How date A joins the map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CompareDraw {
    /// A left of the divider (a fraction of the width), B right of it.
    Swipe {
        /// The divider, 0–1 of the width.
        divider: f32,
    },
    /// B's imagery at `t` over A's.
    Blend {
        /// 0: all A, 1: all B.
        t: f32,
    },
    /// A and B in panes side by side, one centre and zoom.
    SideBySide,
}

/// One date's scene and imagery on the map.
#[derive(Clone, Copy)]
pub struct DateContent<'a> {
    /// The date's scene.
    pub scene: &'a Scene,
    /// Its spatial index.
    pub index: &'a SceneIndex,
    /// Its version.
    pub scene_version: u64,
    /// Its imagery layers, bottom first, with their opacities.
    pub imagery: &'a [(String, f32)],
}

/// Date A of a comparison, as the app resolved it.
pub struct CompareContent<'a> {
    /// Date A's scene and imagery.
    pub date: DateContent<'a>,
    /// Swipe or blend.
    pub draw: CompareDraw,
    /// What each side is called ("A · 5 JUL 2025", "B · 14 OCT 2025").
    pub tags: [String; 2],
    /// Side by side's panes between A and B, left to right.
    pub middle: &'a [PaneContent<'a>],
}

/// A pane between A and B, side by side.
pub struct PaneContent<'a> {
    /// Its date's scene and imagery.
    pub date: DateContent<'a>,
    /// What the pane is called.
    pub tag: String,
}
