//! Comparing date A with the slider's date B on the map: the state, date A's scene, and the
//! commands. The map draws the comparison (`ui::map_view`), the lowering composes it once for
//! the window and the export (`render::lower::compare`).

use std::sync::Arc;

use chrono::NaiveDate;

use super::SitewatchApp;
use super::compare_panes::{Scenes, middle_dates, scene_of};
use crate::command::{CompareCommand, CompareMode, CompareSide, CompareStretch, MAX_PANES};
use crate::model::Project;
use crate::model::timeline::previous_stage_date;
use crate::scene::Scene;
use crate::scene::index::SceneIndex;
use crate::ui::map_view::CompareDraw;

/// The comparison on the map.
pub struct CompareState {
    /// Off, swipe, blend or blink.
    pub mode: CompareMode,
    /// Date A when pinned; otherwise A is the stage before B.
    pub pinned_a: Option<NaiveDate>,
    /// The divider, as a fraction of the map's width.
    pub divider: f32,
    /// From A (0) to B (1).
    pub blend: f32,
    /// Switches per second while blinking.
    pub blink_rate: f32,
    /// How the compared rasters are stretched.
    pub stretch: CompareStretch,
    /// The one layer each side shows instead of every layer at its date (A, B).
    pub pick: [Option<String>; 2],
    /// Panes side by side, 2 to [`MAX_PANES`].
    pub panes: usize,
    /// Dates chosen for the middle panes (`None`: the stages spread between A and B).
    pub pane_dates: [Option<NaiveDate>; MAX_PANES - 2],
    /// Date A's and the middle panes' scenes between frames.
    pub(crate) scene: Scenes,
    /// The stretch looks in force, and what they were computed from.
    pub(crate) looks: super::compare_looks::LooksCache,
}

impl Default for CompareState {
    fn default() -> Self {
        Self {
            mode: CompareMode::Off,
            pinned_a: None,
            divider: 0.5,
            blend: 0.5,
            blink_rate: 1.0,
            stretch: CompareStretch::Shared,
            pick: [None, None],
            panes: 2,
            pane_dates: [None; MAX_PANES - 2],
            scene: Scenes::default(),
            looks: super::compare_looks::LooksCache::default(),
        }
    }
}

/// Date A for B: the pinned date, else the stage date before B, else B itself (nothing earlier
/// to compare with).
#[must_use]
pub fn date_a(project: &Project, pinned: Option<NaiveDate>, b: NaiveDate) -> NaiveDate {
    pinned
        .or_else(|| previous_stage_date(project, b))
        .unwrap_or(b)
}

/// Whether a blink shows date A at `time_s` seconds: A and B in turn, each for `1 / rate` s.
#[must_use]
pub fn blink_shows_a(time_s: f64, rate: f32) -> bool {
    let rate = f64::from(rate.max(0.1));
    (time_s * rate).floor().rem_euclid(2.0) < 1.0
}

/// Date A (or a middle pane's date) on the map this frame.
pub(crate) struct DateA {
    pub(crate) scene: Arc<Scene>,
    pub(crate) index: Arc<SceneIndex>,
    pub(crate) version: u64,
    /// Its imagery layers, bottom first, with their opacities.
    pub(crate) shown: Vec<(String, f32)>,
    /// What its pane or side is called on the map.
    pub(crate) tag: String,
}

/// What the map shows this frame: the slider's date, and date A when comparing.
pub(crate) struct MapDates {
    /// The slider's imagery layers, bottom first, with their opacities.
    pub(crate) shown: Vec<(String, f32)>,
    /// The version of the slider's scene as the map draws it.
    pub(crate) version: u64,
    /// Date A, while it is drawn.
    pub(crate) a: Option<DateA>,
    /// How A joins the map.
    pub(crate) draw: Option<CompareDraw>,
    /// The panes between A and B, side by side.
    pub(crate) middle: Vec<DateA>,
}

impl SitewatchApp {
    /// What the map draws this frame. A blink shows date A alone (a blend at 0) or the
    /// slider's date alone, switching at its rate.
    pub(crate) fn map_dates(&mut self, ctx: &egui::Context) -> MapDates {
        // The figure frame shows the date and caption; the bare map does not.
        let version = if self.prefs.figure_frame {
            self.scene_cache.version()
        } else {
            self.scene_cache.map_version()
        };
        let shown = self.side_layers(CompareSide::B, self.date);
        let c = &self.compare;
        let draw = match c.mode {
            CompareMode::Off => None,
            CompareMode::Swipe => Some(CompareDraw::Swipe { divider: c.divider }),
            CompareMode::Blend => Some(CompareDraw::Blend { t: c.blend }),
            CompareMode::SideBySide => Some(CompareDraw::SideBySide),
            CompareMode::Blink => {
                let now = ctx.input(|i| i.time);
                let rate = c.blink_rate;
                // Wake for the next switch.
                let period = 1.0 / f64::from(rate.max(0.1));
                let next = ((now / period).floor() + 1.0) * period - now;
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(next.max(0.01)));
                blink_shows_a(now, rate).then_some(CompareDraw::Blend { t: 0.0 })
            }
        };
        let Some(draw) = draw else {
            return MapDates {
                shown,
                version,
                a: None,
                draw: None,
                middle: Vec::new(),
            };
        };
        let a_date = self.compare_date_a();
        let options = self.scene_options(a_date);
        let figure_frame = self.prefs.figure_frame;
        let (scene, index, version_a) = scene_of(
            &mut self.compare.scene.a,
            &self.project,
            a_date,
            &options,
            figure_frame,
        );
        let tag = self.side_tag(CompareSide::A, &scene);
        let a = DateA {
            shown: self.side_layers(CompareSide::A, a_date),
            scene,
            index,
            version: version_a,
            tag,
        };
        let middle = if draw == CompareDraw::SideBySide {
            self.middle_panes()
        } else {
            Vec::new()
        };
        MapDates {
            shown,
            version,
            a: Some(a),
            draw: Some(draw),
            middle,
        }
    }

    /// The comparison's state.
    #[must_use]
    pub fn compare(&self) -> &CompareState {
        &self.compare
    }

    /// Date A of the comparison (meaningful while one is on). Side by side with more than two
    /// panes, an unpinned A goes back a stage for each extra pane, so the panes show the stages
    /// leading to B.
    #[must_use]
    pub fn compare_date_a(&self) -> NaiveDate {
        let c = &self.compare;
        let mut a = date_a(&self.project, c.pinned_a, self.date);
        if c.pinned_a.is_none() && c.mode == CompareMode::SideBySide {
            for _ in 2..c.panes {
                match previous_stage_date(&self.project, a) {
                    Some(earlier) => a = earlier,
                    None => break,
                }
            }
        }
        a
    }

    /// The dates side by side shows, left to right: A, the middle panes, B (just A and B in
    /// the other modes).
    #[must_use]
    pub fn compare_pane_dates(&self) -> Vec<NaiveDate> {
        let (a, b) = (self.compare_date_a(), self.date);
        let mut dates = vec![a];
        if self.compare.mode == CompareMode::SideBySide {
            dates.extend(middle_dates(&self.project, &self.compare, a, b));
        }
        dates.push(b);
        dates
    }

    pub(crate) fn apply_compare(&mut self, command: CompareCommand) {
        let c = &mut self.compare;
        match command {
            CompareCommand::SetMode(mode) => c.mode = mode,
            CompareCommand::ToggleSwipe => {
                c.mode = if c.mode == CompareMode::Swipe {
                    CompareMode::Off
                } else {
                    CompareMode::Swipe
                };
            }
            CompareCommand::PinA(date) => c.pinned_a = date,
            CompareCommand::SetDivider(f) => c.divider = f.clamp(0.0, 1.0),
            CompareCommand::SetBlend(t) => c.blend = t.clamp(0.0, 1.0),
            CompareCommand::SetBlinkRate(r) => c.blink_rate = r.clamp(0.1, 10.0),
            CompareCommand::SetStretch(s) => c.stretch = s,
            CompareCommand::PickLayer(side, layer) => {
                let i = usize::from(side == CompareSide::B);
                if let Some(slot) = c.pick.get_mut(i) {
                    *slot = layer;
                }
            }
            CompareCommand::SetPanes(n) => c.panes = n.clamp(2, MAX_PANES),
            CompareCommand::SetPaneDate(pane, date) => {
                if let Some(slot) = pane.checked_sub(1).and_then(|i| c.pane_dates.get_mut(i)) {
                    *slot = date;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blink_alternates_at_its_rate() {
        let shown: Vec<bool> = (0..8)
            .map(|i| blink_shows_a(f64::from(i) * 0.25, 2.0))
            .collect();
        assert_eq!(
            shown,
            [true, true, false, false, true, true, false, false],
            "at 2 switches a second each date shows for half a second"
        );
    }
}
