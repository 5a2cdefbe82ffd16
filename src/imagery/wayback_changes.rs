//! Wayback captures, not releases: for the tile under a place, the releases whose imagery
//! changed (the tilemap walk, then the candidates' tile bytes compared, oldest first, each
//! against the last one kept, as Esri's Wayback app does), each dated by its release's
//! metadata at the place and at the view's corners. Blocks: run it off the UI thread.

use chrono::NaiveDate;

use super::disk_cache::DiskCache;
use super::wayback::{WaybackRelease, fetch_releases_with_timeout};
use super::wayback_metadata::{CaptureInfo, capture_at, captures_at};
use super::wayback_service::{
    CaptureError, Phase, TileAddress, Watch, WaybackHttp, WaybackService,
};
use super::wayback_tilemap::candidate_releases;

/// Where to look: a point (the view's centre), the view's corners and the zoom of the tile.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// Longitude and latitude of the point whose tile is compared.
    pub centre: [f64; 2],
    /// The view's corners (may be empty), whose capture dates make a capture "mixed".
    pub corners: Vec<[f64; 2]>,
    /// Zoom of the tile compared and of the metadata sublayer.
    pub z: u8,
}

/// One distinct imagery at the place: the oldest release that shows it, and what its metadata
/// says.
#[derive(Clone, Debug, PartialEq)]
pub struct Capture {
    /// The release it first appeared in.
    pub release: WaybackRelease,
    /// The capture area at the centre, when the metadata gave one.
    pub centre: Option<CaptureInfo>,
    /// The capture areas at the view's corners.
    pub corners: Vec<CaptureInfo>,
    /// Why the capture date is unknown, when it is.
    pub metadata_problem: Option<String>,
}

impl Capture {
    /// The capture day at the centre.
    #[must_use]
    pub fn capture_date(&self) -> Option<NaiveDate> {
        self.centre.as_ref()?.date
    }

    /// The first and last capture days over the centre and the corners (equal when they agree);
    /// `None` when the centre's day is unknown.
    #[must_use]
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let centre = self.capture_date()?;
        let days = self.corners.iter().filter_map(|c| c.date);
        Some(days.fold((centre, centre), |(lo, hi), d| (lo.min(d), hi.max(d))))
    }

    /// Whether the view's corners show captures of other days than its centre.
    #[must_use]
    pub fn is_mixed(&self) -> bool {
        self.span().is_some_and(|(lo, hi)| lo != hi)
    }

    /// "2020-05-01", "mixed: 2019-01-02–2020-05-01", or "unknown (released 2024-01-01)".
    #[must_use]
    pub fn date_text(&self) -> String {
        match self.span() {
            Some((lo, hi)) if lo != hi => format!("mixed: {lo}–{hi}"),
            Some((day, _)) => day.to_string(),
            None => format!("unknown (released {})", self.release.release_date),
        }
    }
}

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureReport {
    /// The distinct captures, newest release first.
    pub captures: Vec<Capture>,
    /// The tile compared.
    pub tile: TileAddress,
    /// Releases in the list.
    pub releases: usize,
    /// Releases the tilemap named as candidates (before comparing bytes).
    pub candidates: usize,
    /// Why the metadata stopped being asked (one line naming the URL), when it did.
    pub metadata_error: Option<String>,
    /// Why the release list came from an old cached copy, when it did.
    pub list_note: Option<String>,
    /// Candidate releases left out because their tile was refused with an HTTP error (one
    /// line each, naming the URL): the others are still compared.
    pub skipped: Vec<String>,
}

/// Reads the release list from `service` (through `cache`, if any), then finds the captures at
/// `place`.
pub fn find_captures(
    http: &WaybackHttp,
    service: &WaybackService,
    cache: Option<&DiskCache>,
    place: &Place,
    watch: &Watch<'_>,
) -> Result<CaptureReport, CaptureError> {
    watch.step(Phase::Releases, 0, 1)?;
    let list = fetch_releases_with_timeout(&service.config_url, cache, http.timeout())?;
    let mut report = find_captures_in(http, service, &list.releases, place, watch)?;
    report.list_note = list.download_error;
    Ok(report)
}

/// [`find_captures`] over a release list already read (newest first).
pub fn find_captures_in(
    http: &WaybackHttp,
    service: &WaybackService,
    releases: &[WaybackRelease],
    place: &Place,
    watch: &Watch<'_>,
) -> Result<CaptureReport, CaptureError> {
    if releases.is_empty() {
        return Err(CaptureError::NoReleases {
            url: service.config_url.clone(),
        });
    }
    let tile = TileAddress::at(place.centre, place.z);
    let candidates = candidate_releases(http, service, releases, tile, watch)?;
    let Distinct { kept, skipped } = distinct(http, service, &candidates, tile, watch)?;
    let mut captures = Vec::with_capacity(kept.len());
    let mut metadata_error = None;
    for (done, number) in kept.iter().enumerate() {
        watch.step(Phase::Metadata, done, kept.len())?;
        let Some(release) = releases.iter().find(|r| r.number == *number) else {
            continue;
        };
        captures.push(date_capture(http, release, place, &mut metadata_error));
    }
    watch.step(Phase::Metadata, kept.len(), kept.len())?;
    Ok(CaptureReport {
        captures,
        tile,
        releases: releases.len(),
        candidates: candidates.len(),
        metadata_error,
        list_note: None,
        skipped,
    })
}

/// The releases kept, and those left out.
struct Distinct {
    kept: Vec<u32>,
    skipped: Vec<String>,
}

/// The candidates (newest first) whose tile bytes differ from the next older kept one, newest
/// first: of a run of releases serving the same bytes, the oldest stays. A tile refused with an
/// HTTP error leaves its release out (and is named); one that gets no answer stops the search,
/// since the next would wait as long.
fn distinct(
    http: &WaybackHttp,
    service: &WaybackService,
    candidates: &[u32],
    tile: TileAddress,
    watch: &Watch<'_>,
) -> Result<Distinct, CaptureError> {
    let mut kept: Vec<u32> = Vec::new();
    let mut skipped = Vec::new();
    let mut last_bytes: Option<Vec<u8>> = None;
    for (done, number) in candidates.iter().rev().enumerate() {
        watch.step(Phase::Tiles, done, candidates.len())?;
        let bytes = match http.get("tile", &service.tile_url(*number, tile)) {
            Ok(bytes) => bytes,
            Err(err @ CaptureError::Http { .. }) => {
                skipped.push(format!(
                    "release {number} left out: {}",
                    crate::error_chain::error_chain(&err)
                ));
                continue;
            }
            Err(err) => return Err(err),
        };
        if last_bytes.as_ref() != Some(&bytes) {
            kept.push(*number);
            last_bytes = Some(bytes);
        }
    }
    watch.step(Phase::Tiles, candidates.len(), candidates.len())?;
    kept.reverse();
    skipped.reverse();
    Ok(Distinct { kept, skipped })
}

/// Asks `release`'s metadata at the place. After a request that got no answer, no more are
/// sent (`stopped` keeps why): a hanging server costs one timeout, not one per release.
fn date_capture(
    http: &WaybackHttp,
    release: &WaybackRelease,
    place: &Place,
    stopped: &mut Option<String>,
) -> Capture {
    let mut capture = Capture {
        release: release.clone(),
        centre: None,
        corners: Vec::new(),
        metadata_problem: None,
    };
    let Some(url) = release.metadata_url.as_deref() else {
        capture.metadata_problem = Some(format!(
            "capture date unknown: release {} has no metadata layer",
            release.number
        ));
        return capture;
    };
    if stopped.is_some() {
        capture.metadata_problem =
            Some("capture date unknown: the metadata service did not answer".to_owned());
        return capture;
    }
    let mut fail = |err: CaptureError| {
        let text = crate::error_chain::error_chain(&err);
        if matches!(
            err,
            CaptureError::TimedOut { .. } | CaptureError::Network { .. }
        ) {
            *stopped = Some(text.clone());
        }
        text
    };
    match capture_at(http, url, place.z, place.centre) {
        Ok(Some(info)) => capture.centre = Some(info),
        Ok(None) => {
            capture.metadata_problem = Some(format!(
                "capture date unknown: release {} has no capture area here",
                release.number
            ));
            return capture;
        }
        Err(err) => {
            capture.metadata_problem = Some(format!("capture date unknown: {}", fail(err)));
            return capture;
        }
    }
    if !place.corners.is_empty() {
        match captures_at(http, url, place.z, &place.corners) {
            Ok(corners) => capture.corners = corners,
            Err(err) => {
                capture.metadata_problem = Some(format!("corners not checked: {}", fail(err)));
            }
        }
    }
    capture
}
