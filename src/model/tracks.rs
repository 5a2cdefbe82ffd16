//! Imagery tracks: which layers the map shows at a date, and which to decode ahead.
//!
//! Layers with the same [`ImageryLayer::track`] form a track (one satellite, one service). At a
//! date each track shows its latest layer dated on or before the date; undated layers are always
//! shown. With crossfade on, the next layer of the track is drawn over the current one with an
//! opacity that grows linearly from 0 on the current layer's date to 1 on the next layer's date,
//! so the picture is `lerp(current, next, t)` and never lets the basemap show through mid-fade.
//! Hidden layers (`visible: false`) take no part. Dates compare by [`FuzzyDate::key`], like the
//! rest of the timeline. A layer with an empty track name is a track of its own. A layer's date
//! is its own or else the one read from its file ([`FileDates`], held by the window, not saved).
//!
//! [`FuzzyDate::key`]: super::date::FuzzyDate::key

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::layer::{FileDates, ImageryLayer};
use super::project::Project;

/// Settings of one track, kept in the project file (`sitewatch.tracks`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackSettings {
    /// The track's name, as in [`ImageryLayer::track`].
    pub name: String,
    /// Blend into the next layer of the track as the date moves towards it.
    #[serde(default)]
    pub crossfade: bool,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TrackSettings {
    /// Settings for `name` with crossfade off.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            crossfade: false,
            extra: Map::new(),
        }
    }
}

/// True when the track named `track` crossfades (off for a track without settings).
#[must_use]
pub fn crossfades(project: &Project, track: &str) -> bool {
    project
        .tracks
        .iter()
        .any(|t| t.name == track && t.crossfade)
}

/// Turns crossfade on or off for one track, adding its settings if there were none.
pub fn set_crossfade(project: &mut Project, track: &str, on: bool) {
    if let Some(settings) = project.tracks.iter_mut().find(|t| t.name == track) {
        settings.crossfade = on;
    } else if on {
        let mut settings = TrackSettings::new(track);
        settings.crossfade = true;
        project.tracks.push(settings);
    }
}

/// One track and its layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    /// The track's name; empty for a layer without one.
    pub name: String,
    /// Indices into `project.layers` of its undated layers, in project order.
    pub undated: Vec<usize>,
    /// Indices of its dated layers, oldest first (project order among equal dates).
    pub dated: Vec<usize>,
}

impl Track {
    /// Position in `dated` of the layer shown at `date`: the latest on or before it.
    fn current(
        &self,
        layers: &[ImageryLayer],
        file_dates: &FileDates,
        date: NaiveDate,
    ) -> Option<usize> {
        self.dated
            .partition_point(|&i| layer_key(layers, file_dates, i).is_some_and(|key| key <= date))
            .checked_sub(1)
    }
}

fn layer_key(layers: &[ImageryLayer], file_dates: &FileDates, index: usize) -> Option<NaiveDate> {
    layers
        .get(index)?
        .effective_date(file_dates)
        .map(|d| d.key())
}

/// The visible layers grouped into tracks, ordered by their lowest layer index (so the project's
/// bottom-first order decides which track is drawn over which).
#[must_use]
pub fn tracks(project: &Project, file_dates: &FileDates) -> Vec<Track> {
    let mut tracks: Vec<Track> = Vec::new();
    for (index, layer) in project.layers.iter().enumerate() {
        if !layer.visible {
            continue;
        }
        let existing = if layer.track.is_empty() {
            None
        } else {
            tracks.iter().position(|t| t.name == layer.track)
        };
        let position = existing.unwrap_or_else(|| {
            tracks.push(Track {
                name: layer.track.clone(),
                undated: Vec::new(),
                dated: Vec::new(),
            });
            tracks.len() - 1
        });
        let Some(track) = tracks.get_mut(position) else {
            continue;
        };
        if layer.effective_date(file_dates).is_some() {
            track.dated.push(index);
        } else {
            track.undated.push(index);
        }
    }
    for track in &mut tracks {
        // Stable: layers of the same date keep project order.
        track
            .dated
            .sort_by_key(|&i| layer_key(&project.layers, file_dates, i).unwrap_or(NaiveDate::MIN));
    }
    tracks
}

/// Where `date` sits between `from` and `to`, 0 at `from` and 1 at `to`, clamped.
fn fraction_between(from: NaiveDate, to: NaiveDate, date: NaiveDate) -> f32 {
    let span_days = (to - from).num_days();
    if span_days <= 0 {
        return 1.0;
    }
    let into_days = (date - from).num_days().clamp(0, span_days);
    (into_days as f64 / span_days as f64) as f32
}

/// The layers drawn at `date`, bottom first, each with its effective opacity (the layer's own
/// opacity, times the crossfade fraction for a layer fading in). Hidden layers are left out, and
/// so is a layer fading in with opacity 0.
#[must_use]
pub fn layers_at(project: &Project, date: NaiveDate, file_dates: &FileDates) -> Vec<(usize, f32)> {
    let layers = &project.layers;
    let opacity = |i: usize| layers.get(i).map_or(0.0, |l| l.opacity.clamp(0.0, 1.0));
    let mut shown = Vec::new();
    for track in tracks(project, file_dates) {
        shown.extend(track.undated.iter().map(|&i| (i, opacity(i))));
        let Some(position) = track.current(layers, file_dates, date) else {
            continue;
        };
        let Some(&current) = track.dated.get(position) else {
            continue;
        };
        shown.push((current, opacity(current)));
        if !crossfades(project, &track.name) {
            continue;
        }
        let Some(&next) = track.dated.get(position + 1) else {
            continue;
        };
        let (Some(from), Some(to)) = (
            layer_key(layers, file_dates, current),
            layer_key(layers, file_dates, next),
        ) else {
            continue;
        };
        let fade = fraction_between(from, to, date) * opacity(next);
        if fade > 0.0 {
            shown.push((next, fade));
        }
    }
    shown
}

/// The layers to decode ahead at `date` so that stepping or scrubbing never waits: in every
/// track, the layer before the one shown and the one after it (the first layer when the date is
/// before a track's first). Layers already shown may be among them; each index appears once.
#[must_use]
pub fn neighbours_to_preload(
    project: &Project,
    date: NaiveDate,
    file_dates: &FileDates,
) -> Vec<usize> {
    let layers = &project.layers;
    let mut wanted = Vec::new();
    for track in tracks(project, file_dates) {
        let (previous, next) = match track.current(layers, file_dates, date) {
            Some(position) => (
                position.checked_sub(1).and_then(|p| track.dated.get(p)),
                track.dated.get(position + 1),
            ),
            None => (None, track.dated.first()),
        };
        for &index in previous.into_iter().chain(next) {
            if !wanted.contains(&index) {
                wanted.push(index);
            }
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layer::{DateKind, LayerSource};
    use crate::spatial::LonLatBox;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn layer(id: &str, track: &str, date: Option<&str>) -> ImageryLayer {
        ImageryLayer {
            id: id.into(),
            name: id.into(),
            date: date.map(|t| t.parse().unwrap()),
            date_kind: DateKind::Acquisition,
            note: String::new(),
            track: track.into(),
            attribution: String::new(),
            synthetic: false,
            opacity: 1.0,
            visible: true,
            source: LayerSource::File {
                path: format!("{id}.tif"),
            },
            display: None,
            offset_m: None,
            extra: Map::new(),
        }
    }

    fn project(layers: Vec<ImageryLayer>) -> Project {
        Project {
            name: "t".into(),
            description: String::new(),
            home: LonLatBox::try_from([130.6, 42.4, 130.7, 42.43]).unwrap(),
            categories: vec![],
            sources: vec![],
            stages: vec![],
            layers,
            tracks: vec![],
            label_language: None,
            annotations: vec![],
            measures: vec![],
            extra: Map::new(),
            extra_members: Map::new(),
        }
    }

    /// Track "s" with layers a (1 Jan), b (11 Jan), c (21 Jan), listed out of date order.
    fn three_dates() -> Project {
        project(vec![
            layer("c", "s", Some("2025-01-21")),
            layer("a", "s", Some("2025-01-01")),
            layer("b", "s", Some("2025-01-11")),
        ])
    }

    fn shown_at(p: &Project, date: NaiveDate) -> Vec<(usize, f32)> {
        layers_at(p, date, &FileDates::new())
    }

    fn preload_at(p: &Project, date: NaiveDate) -> Vec<usize> {
        neighbours_to_preload(p, date, &FileDates::new())
    }

    #[test]
    fn a_date_read_from_the_file_places_an_undated_layer_in_its_track() {
        let p = project(vec![
            layer("a", "s", Some("2025-01-01")),
            layer("f", "s", None),
        ]);
        assert_eq!(
            ids(&p, &shown_at(&p, d("2025-01-02"))),
            ["f", "a"],
            "undated: always"
        );
        let file_dates = FileDates::from([("f".to_owned(), d("2025-01-10"))]);
        let at = |date: &str| ids(&p, &layers_at(&p, d(date), &file_dates));
        assert_eq!(at("2025-01-02"), ["a"]);
        assert_eq!(at("2025-01-10"), ["f"]);
        assert_eq!(
            neighbours_to_preload(&p, d("2025-01-02"), &file_dates)
                .into_iter()
                .map(|i| p.layers[i].id.clone())
                .collect::<Vec<_>>(),
            ["f"]
        );
    }

    fn ids(p: &Project, shown: &[(usize, f32)]) -> Vec<String> {
        shown.iter().map(|&(i, _)| p.layers[i].id.clone()).collect()
    }

    #[test]
    fn an_empty_project_shows_and_preloads_nothing() {
        let p = project(vec![]);
        assert!(shown_at(&p, d("2025-01-01")).is_empty());
        assert!(preload_at(&p, d("2025-01-01")).is_empty());
    }

    #[test]
    fn before_a_tracks_first_date_it_shows_nothing() {
        let p = three_dates();
        assert!(shown_at(&p, d("2024-12-31")).is_empty());
    }

    #[test]
    fn on_a_layers_date_that_layer_is_shown() {
        let p = three_dates();
        assert_eq!(ids(&p, &shown_at(&p, d("2025-01-11"))), ["b"]);
        assert!((shown_at(&p, d("2025-01-11"))[0].1 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn between_dates_the_latest_earlier_layer_is_shown() {
        let p = three_dates();
        assert_eq!(ids(&p, &shown_at(&p, d("2025-01-10"))), ["a"]);
        assert_eq!(ids(&p, &shown_at(&p, d("2025-01-15"))), ["b"]);
    }

    #[test]
    fn after_the_last_date_the_last_layer_stays() {
        let p = three_dates();
        assert_eq!(ids(&p, &shown_at(&p, d("2030-01-01"))), ["c"]);
    }

    #[test]
    fn a_month_precise_layer_counts_from_the_first_of_its_month() {
        let p = project(vec![layer("m", "s", Some("2026-03"))]);
        assert!(shown_at(&p, d("2026-02-28")).is_empty());
        assert_eq!(ids(&p, &shown_at(&p, d("2026-03-01"))), ["m"]);
    }

    #[test]
    fn undated_and_hidden_layers() {
        let mut hidden = layer("hidden", "s", Some("2025-01-05"));
        hidden.visible = false;
        let p = project(vec![
            layer("base", "s", None),
            layer("a", "s", Some("2025-01-01")),
            hidden,
        ]);
        assert_eq!(ids(&p, &shown_at(&p, d("2000-01-01"))), ["base"]);
        assert_eq!(ids(&p, &shown_at(&p, d("2025-01-06"))), ["base", "a"]);
    }

    #[test]
    fn crossfade_blends_linearly_towards_the_next_layer() {
        let mut p = three_dates();
        set_crossfade(&mut p, "s", true);
        let at = |date: &str| shown_at(&p, d(date));

        assert_eq!(ids(&p, &at("2025-01-01")), ["a"], "0 % of the way: no fade");
        let quarter = at("2025-01-03"); // 2 of 10 days
        assert_eq!(ids(&p, &quarter), ["a", "b"]);
        assert!(
            (quarter[0].1 - 1.0).abs() < 1e-6,
            "the layer below stays opaque"
        );
        assert!((quarter[1].1 - 0.2).abs() < 1e-6, "{quarter:?}");
        let half = at("2025-01-16");
        assert_eq!(ids(&p, &half), ["b", "c"]);
        assert!((half[1].1 - 0.5).abs() < 1e-6, "{half:?}");
        assert_eq!(
            ids(&p, &at("2025-01-21")),
            ["c"],
            "on the next date it is current"
        );
        assert_eq!(ids(&p, &at("2025-02-01")), ["c"], "nothing after the last");
    }

    #[test]
    fn crossfade_scales_by_the_next_layers_own_opacity() {
        let mut p = three_dates();
        p.layers[2].opacity = 0.5; // b
        set_crossfade(&mut p, "s", true);
        let shown = shown_at(&p, d("2025-01-06"));
        assert!((shown[1].1 - 0.25).abs() < 1e-6, "{shown:?}");
        set_crossfade(&mut p, "s", false);
        assert_eq!(ids(&p, &shown_at(&p, d("2025-01-06"))), ["a"]);
    }

    #[test]
    fn two_tracks_each_show_their_own_layer_in_project_order() {
        let mut p = project(vec![
            layer("s2-2024", "sentinel", Some("2024")),
            layer("demo-feb", "demo", Some("2025-02-27")),
            layer("s2-2025", "sentinel", Some("2025")),
            layer("demo-jun", "demo", Some("2025-06-02")),
        ]);
        assert_eq!(
            ids(&p, &shown_at(&p, d("2025-03-01"))),
            ["s2-2025", "demo-feb"]
        );
        assert_eq!(ids(&p, &shown_at(&p, d("2024-06-01"))), ["s2-2024"]);
        set_crossfade(&mut p, "demo", true);
        let shown = shown_at(&p, d("2025-04-15"));
        assert_eq!(ids(&p, &shown), ["s2-2025", "demo-feb", "demo-jun"]);
        assert!(
            (shown[0].1 - 1.0).abs() < 1e-6,
            "the other track does not fade"
        );
    }

    #[test]
    fn layers_without_a_track_name_are_tracks_of_their_own() {
        let p = project(vec![
            layer("x", "", Some("2025-01-01")),
            layer("y", "", Some("2025-02-01")),
        ]);
        assert_eq!(ids(&p, &shown_at(&p, d("2025-03-01"))), ["x", "y"]);
    }

    #[test]
    fn neighbours_are_the_previous_and_next_layer_of_every_track() {
        let mut p = three_dates();
        p.layers.push(layer("other", "t", Some("2025-02-01")));
        let names = |date: &str| -> Vec<String> {
            preload_at(&p, d(date))
                .into_iter()
                .map(|i| p.layers[i].id.clone())
                .collect()
        };
        assert_eq!(names("2024-01-01"), ["a", "other"], "before: the firsts");
        assert_eq!(
            names("2025-01-01"),
            ["b", "other"],
            "on the first: the next"
        );
        assert_eq!(names("2025-01-15"), ["a", "c", "other"]);
        assert_eq!(names("2025-03-01"), ["b"], "past the last: the one before");
    }

    #[test]
    fn track_settings_round_trip_and_default_to_no_crossfade() {
        let mut p = three_dates();
        assert!(!crossfades(&p, "s"));
        set_crossfade(&mut p, "s", true);
        let json = serde_json::to_string(&p.tracks).unwrap();
        assert_eq!(json, r#"[{"name":"s","crossfade":true}]"#);
        let back: Vec<TrackSettings> = serde_json::from_str(json.as_str()).unwrap();
        assert_eq!(back, p.tracks);
        set_crossfade(&mut p, "s", false);
        assert!(!crossfades(&p, "s"));
    }
}
