//! Wayback captures, not releases, against a Wayback replica on 127.0.0.1: the tilemap walk
//! skips releases that stored nothing new, tiles that repeat the release before are dropped,
//! each capture is dated by its release's metadata at the view's centre and "mixed" where the
//! corners disagree; the requests stay few; faults are one line naming the URL, and a search
//! can be stopped.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::wayback_server::{Fault, WaybackServer, standard_releases};
use sitewatch::imagery::http::user_agent;
use sitewatch::imagery::wayback_capture_layer::{CAPTURES_TRACK, capture_layer};
use sitewatch::imagery::wayback_changes::{Capture, CaptureReport, Place, find_captures};
use sitewatch::imagery::wayback_service::{
    CaptureError, Phase, Progress, Watch, WaybackHttp, WaybackService,
};
use sitewatch::model::DateKind;

const CENTRE: [f64; 2] = [130.64, 42.42];

fn place() -> Place {
    let (x, y) = (CENTRE[0], CENTRE[1]);
    Place {
        centre: CENTRE,
        corners: vec![
            [x - 0.005, y - 0.004],
            [x + 0.005, y - 0.004],
            [x + 0.005, y + 0.004],
            [x - 0.005, y + 0.004],
        ],
        z: 17,
    }
}

/// Runs a search against `server` with `timeout`, recording the progress it reports.
fn search(
    server: &WaybackServer,
    timeout: Duration,
) -> (Result<CaptureReport, CaptureError>, Vec<Progress>) {
    let seen = Mutex::new(Vec::new());
    let report = |p: Progress| seen.lock().unwrap().push(p);
    let cancel = AtomicBool::new(false);
    let watch = Watch {
        cancel: &cancel,
        report: &report,
    };
    let service = WaybackService::replica(&server.base());
    let found = find_captures(&WaybackHttp::new(timeout), &service, None, &place(), &watch);
    (found, seen.into_inner().unwrap())
}

fn numbers(report: &CaptureReport) -> Vec<u32> {
    report.captures.iter().map(|c| c.release.number).collect()
}

#[test]
fn only_releases_whose_imagery_changed_are_kept_each_dated_by_its_capture() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::None);
    let (found, progress) = search(&server, Duration::from_secs(10));
    let report = found.unwrap();

    assert_eq!(
        numbers(&report),
        [60, 30, 10],
        "40 and 20 repeat older tiles"
    );
    assert_eq!((report.releases, report.candidates), (7, 5));
    let dates: Vec<String> = report.captures.iter().map(Capture::date_text).collect();
    assert_eq!(
        dates,
        ["mixed: 2024-11-02–2025-03-15", "2023-04-20", "2020-08-17"]
    );
    let first = &report.captures[0];
    assert_eq!(first.capture_date().unwrap().to_string(), "2025-03-15");
    assert!(first.is_mixed() && !report.captures[1].is_mixed());
    assert_eq!(report.metadata_error, None);

    // One list, one tilemap per release reached (50 answers for 40, so 40 is never asked),
    // one tile per candidate, two metadata queries (centre, corners) per kept release.
    assert_eq!(server.count("/waybackconfig.json"), 1);
    let tilemaps = server.requests("/tilemap/");
    assert_eq!(tilemaps.len(), 6, "{tilemaps:?}");
    assert!(!tilemaps.iter().any(|t| t.starts_with("/tilemap/40/")));
    assert_eq!(server.count("/tile/"), 5);
    let metadata = server.requests("/metadata/");
    assert_eq!(metadata.len(), 6, "{metadata:?}");
    assert!(
        metadata.iter().all(|t| t.contains("/MapServer/6/query?")),
        "zoom 17 reads sublayer 6"
    );
    assert!(server.user_agents().iter().all(|a| *a == user_agent()));

    let walked: Vec<(usize, usize)> = progress
        .iter()
        .filter(|p| p.phase == Phase::Tilemap)
        .map(|p| (p.done, p.total))
        .collect();
    assert_eq!(walked.first(), Some(&(0, 7)));
    assert_eq!(walked.last(), Some(&(7, 7)));
    assert!(
        progress.last().unwrap().text().contains("3 of 3"),
        "{progress:?}"
    );
}

#[test]
fn capture_layers_read_their_release_and_carry_capture_dates_and_provenance() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::None);
    let report = search(&server, Duration::from_secs(10)).0.unwrap();
    let service = WaybackService::replica(&server.base());
    let layers: Vec<_> = report
        .captures
        .iter()
        .map(|c| capture_layer(c, &service.tile_template))
        .collect();
    assert!(layers.iter().all(|l| l.track == CAPTURES_TRACK));
    assert!(layers.iter().all(|l| l.date_kind == DateKind::Acquisition));
    let stamps: Vec<String> = layers.iter().map(|l| l.date_label().unwrap()).collect();
    assert_eq!(
        stamps,
        ["2 NOV 2024 – 15 MAR 2025", "20 APR 2023", "17 AUG 2020"]
    );
    assert!(layers[0].name.contains("mixed: 2024-11-02–2025-03-15"));
    let note = &layers[1].note;
    for words in [
        "release 30",
        "2023-07-01",
        "Maxar (WV03)",
        "0.5 m resolution",
    ] {
        assert!(note.contains(words), "{words}: {note}");
    }
    let source = sitewatch::imagery::dated::tile_source(&layers[1], None).unwrap();
    let key = sitewatch::imagery::TileKey { z: 3, x: 4, y: 2 };
    assert_eq!(
        source.tile_url(key).unwrap(),
        format!("{}/tile/30/3/2/4", server.base())
    );
}

#[test]
fn a_missing_or_malformed_release_list_is_one_line_naming_its_url() {
    for (fault, start) in [
        (Fault::ConfigStatus(404), "Wayback release list: HTTP 404"),
        (
            Fault::ConfigBody("{\"1\": ".into()),
            "not a Wayback release list (not JSON",
        ),
    ] {
        let server = WaybackServer::start(standard_releases(CENTRE), fault);
        let err = search(&server, Duration::from_secs(10)).0.unwrap_err();
        let text = sitewatch::error_chain::error_chain(&err);
        let url = format!("{}/waybackconfig.json", server.base());
        assert!(text.starts_with(start), "{text}");
        assert!(text.ends_with(&url), "{text}");
        assert_eq!(text.matches(&url).count(), 1, "{text}");
        assert!(!text.contains('\n'));
        assert_eq!(server.count("/tilemap/"), 0);
    }
}

#[test]
fn a_hanging_tilemap_server_times_out_once_with_its_url() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::Hang("/tilemap"));
    let err = search(&server, Duration::from_millis(300)).0.unwrap_err();
    let url = format!("{}/tilemap/60/17/", server.base());
    let text = err.to_string();
    assert!(
        text.starts_with("Wayback tilemap: no answer within 300 ms: "),
        "{text}"
    );
    assert!(text.contains(&url), "{text}");
    assert_eq!(server.count("/tilemap/"), 1, "no retry storm");
    assert_eq!(server.count("/tile/"), 0);
}

#[test]
fn a_candidate_whose_tile_is_refused_is_left_out_and_named_while_the_others_are_compared() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::TileStatus(30, 500));
    let report = search(&server, Duration::from_secs(10)).0.unwrap();

    // 10 (A) is kept, 20 repeats it, 30 is refused, so 40 (B) is where B first shows.
    assert_eq!(numbers(&report), [60, 40, 10]);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    let line = &report.skipped[0];
    assert!(
        line.starts_with("release 30 left out: Wayback tile: HTTP 500: "),
        "{line}"
    );
    assert!(
        line.contains(&format!("{}/tile/30/17/", server.base())),
        "{line}"
    );
    assert_eq!(
        server.count("/tile/"),
        5,
        "one request per candidate, no retry"
    );
    assert_eq!(report.captures[1].date_text(), "2023-04-20");
}

#[test]
fn a_hanging_metadata_server_leaves_the_captures_listed_with_unknown_dates() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::Hang("/metadata"));
    let report = search(&server, Duration::from_millis(300)).0.unwrap();
    assert_eq!(numbers(&report), [60, 30, 10]);
    assert_eq!(
        server.count("/metadata/"),
        1,
        "one timeout, not one per release"
    );
    let said = report.metadata_error.clone().unwrap();
    assert!(
        said.starts_with("Wayback metadata: no answer within 300 ms: "),
        "{said}"
    );
    assert_eq!(said.matches("/metadata/60/MapServer/6/query").count(), 1);
    for capture in &report.captures {
        assert_eq!(capture.capture_date(), None);
        let text = capture.date_text();
        assert!(text.starts_with("unknown (released "), "{text}");
        let problem = capture.metadata_problem.as_deref().unwrap();
        assert!(problem.starts_with("capture date unknown"), "{problem}");
        let layer = capture_layer(capture, "t/{release}/{z}/{y}/{x}");
        assert_eq!(layer.date_kind, DateKind::Release);
    }
}

#[test]
fn a_release_without_a_metadata_url_is_listed_by_its_release_date() {
    let mut releases = standard_releases(CENTRE);
    releases[5].areas = None; // release 10
    let server = WaybackServer::start(releases, Fault::None);
    let report = search(&server, Duration::from_secs(10)).0.unwrap();
    let oldest = report.captures.last().unwrap();
    assert_eq!(oldest.release.number, 10);
    assert_eq!(oldest.date_text(), "unknown (released 2021-01-01)");
    assert_eq!(
        oldest.metadata_problem.as_deref(),
        Some("capture date unknown: release 10 has no metadata layer")
    );
    assert_eq!(report.captures[1].date_text(), "2023-04-20");
    assert_eq!(server.count("/metadata/10/"), 0);
}

#[test]
fn a_search_stops_at_the_next_step_once_cancelled() {
    let server = WaybackServer::start(standard_releases(CENTRE), Fault::None);
    let cancel = AtomicBool::new(false);
    let report = |p: Progress| {
        if p.phase == Phase::Tilemap && p.done == 1 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let watch = Watch {
        cancel: &cancel,
        report: &report,
    };
    let service = WaybackService::replica(&server.base());
    let http = WaybackHttp::new(Duration::from_secs(10));
    let found = find_captures(&http, &service, None, &place(), &watch);
    assert!(matches!(found, Err(CaptureError::Cancelled)), "{found:?}");
    assert_eq!(server.count("/tilemap/"), 1);
    assert_eq!(server.count("/tile/"), 0);
}
