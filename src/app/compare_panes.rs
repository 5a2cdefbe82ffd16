//! What each side and pane of a comparison shows: every layer at its date or one picked layer,
//! the middle panes of side by side (their dates chosen, or the stages spread between A and B),
//! and their scenes between frames.

use std::sync::Arc;

use chrono::NaiveDate;

use super::SitewatchApp;
use super::compare::{CompareState, DateA};
use super::scene_cache::SceneCache;
use crate::command::{Command, CompareSide, MAX_PANES};
use crate::model::Project;
use crate::render::lower::compare::side_tag as date_tag;
use crate::scene::index::SceneIndex;
use crate::scene::{Scene, SceneOptions};

/// The scenes a comparison draws besides the slider's: date A's and the middle panes'.
#[derive(Default)]
pub(crate) struct Scenes {
    /// Date A's.
    pub(crate) a: SceneCache,
    /// The middle panes', left to right.
    pub(crate) middle: [SceneCache; MAX_PANES - 2],
}

impl Scenes {
    /// Notes what a command will change (see [`SceneCache::note`]).
    pub(crate) fn note(&mut self, command: &Command) {
        self.a.note(command);
        for m in &mut self.middle {
            m.note(command);
        }
    }

    /// Forces every scene to be built again.
    pub(crate) fn invalidate(&mut self) {
        self.a.invalidate();
        for m in &mut self.middle {
            m.invalidate();
        }
    }
}

/// A cached scene at `date`, its index, and the version the map draws it at (with the figure
/// frame every change counts; without, only what the bare map shows).
pub(crate) fn scene_of(
    cache: &mut SceneCache,
    project: &Project,
    date: NaiveDate,
    options: &SceneOptions,
    figure_frame: bool,
) -> (Arc<Scene>, Arc<SceneIndex>, u64) {
    let (scene, index) = cache.get(project, date, options);
    let version = if figure_frame {
        cache.version()
    } else {
        cache.map_version()
    };
    (scene, index, version)
}

/// `count` dates between `a` and `b`, spread evenly: stage dates where there are enough of
/// them strictly between, else evenly spaced days.
#[must_use]
pub fn spread_dates(
    stages: &[NaiveDate],
    a: NaiveDate,
    b: NaiveDate,
    count: usize,
) -> Vec<NaiveDate> {
    let between: Vec<NaiveDate> = stages
        .iter()
        .copied()
        .filter(|d| *d > a.min(b) && *d < a.max(b))
        .collect();
    let m = between.len();
    if m >= count {
        return (0..count)
            .filter_map(|i| between.get((i + 1) * (m + 1) / (count + 1) - 1).copied())
            .collect();
    }
    let days = (b - a).num_days();
    (0..count)
        .map(|i| {
            let step = days * (i as i64 + 1) / (count as i64 + 1);
            a + chrono::Duration::days(step)
        })
        .collect()
}

/// The middle panes' dates: each chosen one, else its place in the spread between A and B.
pub(crate) fn middle_dates(
    project: &Project,
    compare: &CompareState,
    a: NaiveDate,
    b: NaiveDate,
) -> Vec<NaiveDate> {
    let count = compare.panes.clamp(2, MAX_PANES) - 2;
    let stages: Vec<NaiveDate> = project.stages.iter().map(|s| s.date.key()).collect();
    let spread = spread_dates(&stages, a, b, count);
    spread
        .into_iter()
        .zip(compare.pane_dates)
        .map(|(default, chosen)| chosen.unwrap_or(default))
        .collect()
}

impl SitewatchApp {
    /// The imagery a side shows at `date`: its picked layer alone, else every layer at the date.
    pub(crate) fn side_layers(&self, side: CompareSide, date: NaiveDate) -> Vec<(String, f32)> {
        let compare_on = self.compare.mode != crate::command::CompareMode::Off;
        let picked = self.picked_layer(side).filter(|_| compare_on);
        match picked.and_then(|id| self.project.layers.iter().find(|l| l.id == id)) {
            Some(layer) => vec![(layer.id.clone(), layer.opacity)],
            None => self.shown_layers_at(date),
        }
    }

    /// The layer picked for a side, if any.
    #[must_use]
    pub fn picked_layer(&self, side: CompareSide) -> Option<&str> {
        let i = usize::from(side == CompareSide::B);
        self.compare.pick.get(i)?.as_deref()
    }

    /// What a side is called on the map: its letter and date, and the picked layer's name.
    pub(crate) fn side_tag(&self, side: CompareSide, scene: &Scene) -> String {
        let letter = if side == CompareSide::A { "A" } else { "B" };
        let tag = date_tag(letter, scene);
        let picked = self
            .picked_layer(side)
            .and_then(|id| self.project.layers.iter().find(|l| l.id == id));
        match picked {
            Some(layer) => format!("{tag} · {}", layer.name),
            None => tag,
        }
    }

    /// The middle panes of side by side, left to right.
    pub(crate) fn middle_panes(&mut self) -> Vec<DateA> {
        let (a, b) = (self.compare_date_a(), self.date);
        let dates = middle_dates(&self.project, &self.compare, a, b);
        let figure_frame = self.prefs.figure_frame;
        let mut panes = Vec::with_capacity(dates.len());
        for (i, date) in dates.into_iter().enumerate() {
            let options = self.scene_options(date);
            let Some(cache) = self.compare.scene.middle.get_mut(i) else {
                continue;
            };
            let (scene, index, version) =
                scene_of(cache, &self.project, date, &options, figure_frame);
            let tag = date_tag(&(i + 2).to_string(), &scene);
            panes.push(DateA {
                shown: self.shown_layers_at(date),
                scene,
                index,
                version,
                tag,
            });
        }
        panes
    }

    /// Each side-by-side pane's box on the ground, left to right, as last drawn.
    #[must_use]
    pub fn pane_boxes(&self) -> &[crate::spatial::LonLatBox] {
        self.list_cache.pane_boxes()
    }

    /// The shared cursor as last drawn: a crosshair in each pane the pointer is not over.
    #[must_use]
    pub fn shared_cursor(&self) -> &crate::render::display_list::DisplayList {
        self.list_cache.cursor()
    }

    /// What the comparison bar shows.
    pub(crate) fn compare_bar(&self) -> crate::ui::compare_bar::CompareBar {
        let c = &self.compare;
        crate::ui::compare_bar::CompareBar {
            mode: c.mode,
            date_a: self.compare_date_a(),
            date_b: self.date,
            pinned: c.pinned_a.is_some(),
            blend: c.blend,
            blink_rate: c.blink_rate,
            stretch: c.stretch,
            pick: c.pick.clone(),
            layers: self
                .project
                .layers
                .iter()
                .map(|l| (l.id.clone(), l.name.clone()))
                .collect(),
            panes: c.panes,
            pane_dates: self.compare_pane_dates(),
            stage_dates: self.project.stages.iter().map(|s| s.date.key()).collect(),
        }
    }

    /// Project layer indices a comparison needs besides the slider's: date A's, the middle
    /// panes' and the picked layers.
    pub(crate) fn compare_layers_wanted(&self) -> Vec<usize> {
        if self.compare.mode == crate::command::CompareMode::Off {
            return Vec::new();
        }
        let file_dates = self.imagery.file_dates();
        let mut wanted = Vec::new();
        let dates = self.compare_pane_dates();
        for date in &dates {
            for (i, _) in crate::model::tracks::layers_at(&self.project, *date, &file_dates) {
                wanted.push(i);
            }
        }
        for side in [CompareSide::A, CompareSide::B] {
            if let Some(id) = self.picked_layer(side)
                && let Some(i) = self.project.layers.iter().position(|l| l.id == id)
            {
                wanted.push(i);
            }
        }
        wanted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    #[test]
    fn middle_panes_take_the_stages_between_spread_evenly() {
        let stages = [day(1, 1), day(2, 1), day(3, 1), day(4, 1), day(5, 1)];
        assert_eq!(spread_dates(&stages, day(1, 1), day(5, 1), 1), [day(3, 1)]);
        assert_eq!(
            spread_dates(&stages, day(1, 1), day(5, 1), 2),
            [day(2, 1), day(3, 1)]
        );
        assert_eq!(
            spread_dates(&stages, day(1, 1), day(5, 1), 3),
            [day(2, 1), day(3, 1), day(4, 1)]
        );
    }

    #[test]
    fn without_stages_between_the_days_are_spread() {
        assert_eq!(
            spread_dates(&[], day(1, 1), day(1, 31), 2),
            [day(1, 11), day(1, 21)]
        );
        assert!(spread_dates(&[], day(1, 1), day(1, 31), 0).is_empty());
    }
}
