//! A Wayback capture as a layer: dated by its **capture** day (the release's metadata at the
//! view's centre), its tiles still those of the release it first appeared in, its provenance
//! (release, source, resolution, accuracy) in the note. A view whose corners show other days
//! is "mixed: D1–D2", and its date runs from D1 to D2.

use std::fmt::Write as _;

use serde_json::Map;

use super::dated::ESRI_ATTRIBUTION;
use super::wayback_changes::Capture;
use crate::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource};

/// The track capture layers go on.
pub const CAPTURES_TRACK: &str = "Esri Wayback";

/// The layer for `capture`, its tiles from `tile_template` (a URL with `{release}`, `{z}`,
/// `{y}`, `{x}`: [`WaybackService::tile_template`](super::wayback_service::WaybackService)).
#[must_use]
pub fn capture_layer(capture: &Capture, tile_template: &str) -> ImageryLayer {
    let release = &capture.release;
    let released = release.release_date;
    let (date, date_kind, until) = match capture.span() {
        Some((first, last)) => (
            FuzzyDate::day(first),
            DateKind::Acquisition,
            (first != last).then(|| FuzzyDate::day(last)),
        ),
        None => (FuzzyDate::day(released), DateKind::Release, None),
    };
    let name = match (capture.span(), capture.is_mixed()) {
        (Some(_), true) => format!("Esri Wayback capture, {}", capture.date_text()),
        (Some((day, _)), false) => format!("Esri Wayback capture {day}"),
        (None, _) => format!("Esri Wayback, released {released} (capture date unknown)"),
    };
    let mut layer = ImageryLayer {
        id: format!("esri-wayback-capture-{}", release.number),
        name,
        date: Some(date),
        date_kind,
        note: provenance(capture),
        track: CAPTURES_TRACK.to_owned(),
        attribution: ESRI_ATTRIBUTION.to_owned(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::Tiles {
            url: tile_template.to_owned(),
            release: Some(release.number.to_string()),
            max_zoom: 19,
        },
        display: None,
        offset_m: None,
        extra: Map::new(),
    };
    layer.set_date_until(until);
    layer
}

/// The note: when, what, from which release, and what is not known.
fn provenance(capture: &Capture) -> String {
    let release = &capture.release;
    let mut note = match capture.span() {
        Some((first, last)) if first != last => format!(
            "Captured {}; mixed: the view's corners show captures from {first} to {last}.",
            capture.capture_date().map_or_else(
                || first.to_string(),
                |d| format!("{d} at the view's centre")
            )
        ),
        Some((day, _)) => format!("Captured {day} (at the view's centre and corners)."),
        None => "Capture date unknown: the layer is dated by its release.".to_owned(),
    };
    let _ = write!(
        note,
        " First in Wayback release {} ({}, published {}).",
        release.number, release.title, release.release_date
    );
    if let Some(info) = &capture.centre {
        let described = info.description();
        if !described.is_empty() {
            let _ = write!(note, " Source: {described}.");
        }
    }
    if let Some(problem) = &capture.metadata_problem {
        let _ = write!(note, " {}.", capitalised(problem));
    }
    note.push_str(" Esri terms of use apply.");
    note
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::wayback::WaybackRelease;
    use crate::imagery::wayback_metadata::CaptureInfo;
    use chrono::NaiveDate;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn capture(centre: Option<&str>, corners: &[&str]) -> Capture {
        let info = |d: &str| CaptureInfo {
            date: Some(day(d)),
            provider: Some("Maxar".into()),
            source: Some("WV02".into()),
            resolution_m: Some(0.5),
            accuracy_m: Some(5.0),
        };
        Capture {
            release: WaybackRelease {
                number: 41,
                release_date: day("2024-01-10"),
                title: "World Imagery (Wayback 2024-01-10)".into(),
                layer_identifier: None,
                metadata_url: None,
            },
            centre: centre.map(info),
            corners: corners.iter().map(|d| info(d)).collect(),
            metadata_problem: centre
                .is_none()
                .then(|| "capture date unknown: release 41 has no metadata layer".into()),
        }
    }

    #[test]
    fn a_capture_layer_is_dated_by_its_capture_and_reads_its_release() {
        let layer = capture_layer(&capture(Some("2023-05-02"), &["2023-05-02"]), "t/{release}");
        assert_eq!(layer.date_label().as_deref(), Some("2 MAY 2023"));
        assert_eq!(layer.date_kind, DateKind::Acquisition);
        assert_eq!(layer.track, CAPTURES_TRACK);
        assert_eq!(layer.attribution, ESRI_ATTRIBUTION);
        assert!(matches!(&layer.source, LayerSource::Tiles { release: Some(r), .. } if r == "41"));
        for words in [
            "release 41",
            "Maxar (WV02)",
            "0.5 m resolution",
            "5 m accuracy",
        ] {
            assert!(layer.note.contains(words), "{words}: {}", layer.note);
        }
    }

    #[test]
    fn corners_of_other_days_make_a_mixed_layer_whose_stamp_shows_both() {
        let layer = capture_layer(&capture(Some("2023-05-02"), &["2021-03-04"]), "t");
        assert!(
            layer.name.contains("mixed: 2021-03-04–2023-05-02"),
            "{}",
            layer.name
        );
        assert_eq!(
            layer.date_label().as_deref(),
            Some("4 MAR 2021 – 2 MAY 2023")
        );
        assert!(
            layer.note.contains("2023-05-02 at the view's centre"),
            "{}",
            layer.note
        );
    }

    #[test]
    fn without_metadata_a_capture_is_dated_by_its_release_and_says_so() {
        let layer = capture_layer(&capture(None, &[]), "t");
        assert_eq!(layer.date_kind, DateKind::Release);
        assert_eq!(layer.date_label().as_deref(), Some("RELEASE · 10 JAN 2024"));
        assert!(
            layer.name.contains("capture date unknown"),
            "{}",
            layer.name
        );
        assert!(
            layer.note.contains("Capture date unknown"),
            "{}",
            layer.note
        );
    }
}
