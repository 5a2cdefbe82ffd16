//! Comparing date A with the slider's date B on the map: the state, date A's scene, and the
//! commands. The map draws the comparison (`ui::map_view`), the lowering composes it once for
//! the window and the export (`render::lower::compare`).

use std::sync::Arc;

use chrono::NaiveDate;

use super::SitewatchApp;
use super::scene_cache::SceneCache;
use crate::command::{CompareCommand, CompareMode};
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
    /// Date A's scene between frames.
    pub(crate) scene: SceneCache,
}

impl Default for CompareState {
    fn default() -> Self {
        Self {
            mode: CompareMode::Off,
            pinned_a: None,
            divider: 0.5,
            blend: 0.5,
            blink_rate: 1.0,
            scene: SceneCache::default(),
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

/// Date A on the map this frame.
pub(crate) struct DateA {
    pub(crate) scene: Arc<Scene>,
    pub(crate) index: Arc<SceneIndex>,
    pub(crate) version: u64,
    /// Its imagery layers, bottom first, with their opacities.
    pub(crate) shown: Vec<(String, f32)>,
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
        let shown = self.shown_layers();
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
            };
        };
        let a_date = self.compare_date_a();
        let options = self.scene_options(a_date);
        let (scene, index) = self.compare.scene.get(&self.project, a_date, &options);
        let version_a = if self.prefs.figure_frame {
            self.compare.scene.version()
        } else {
            self.compare.scene.map_version()
        };
        MapDates {
            shown,
            version,
            a: Some(DateA {
                shown: self.shown_layers_at(a_date),
                scene,
                index,
                version: version_a,
            }),
            draw: Some(draw),
        }
    }

    /// The comparison's state.
    #[must_use]
    pub fn compare(&self) -> &CompareState {
        &self.compare
    }

    /// Date A of the comparison (meaningful while one is on).
    #[must_use]
    pub fn compare_date_a(&self) -> NaiveDate {
        date_a(&self.project, self.compare.pinned_a, self.date)
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
