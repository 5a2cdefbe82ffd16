//! The Wayback captures window against a Wayback replica on 127.0.0.1: "Wayback captures
//! here…" in the layer panel's "Add dated service" menu looks under the view's centre, lists
//! the three distinct captures (the newest "mixed" at the view's north-east corner), Add all
//! adds them on one track in one undo step, and the timeline steps through them by capture day
//! (the mixed one's date stamp showing both days); a missing release list is said in the window.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::wayback_server::{Fault, WaybackServer, standard_releases};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, EditCommand, TimeCommand, WaybackCommand};
use sitewatch::imagery::wayback_service::TileAddress;
use sitewatch::imagery::wayback_service::WaybackService;
use sitewatch::model::LayerSource;
use sitewatch::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};
use sitewatch::ui::map_menu::WAYBACK_HERE;
use sitewatch::ui::wayback::{ADD_ALL_LABEL, LOOK_HERE_LABEL, WaybackStatus};

/// The replica, with release 60 older north-east of the project's home box's north-east
/// corner (inside the view, which shows all of the home box).
fn replica(h: &Harness<'_, SitewatchApp>, fault: Fault) -> WaybackServer {
    let home = h.state().project().home;
    let inset = [
        home.east - (home.east - home.west) * 0.05,
        home.north - (home.north - home.south) * 0.05,
    ];
    WaybackServer::start(standard_releases(inset), fault)
}

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.run_steps(2);
}

/// Points the window at `server`, then opens it from the layer panel's menu and waits.
fn look_here(h: &mut Harness<'_, SitewatchApp>, server: &WaybackServer) {
    let service = WaybackService::replica(&server.base());
    apply(h, WaybackCommand::UseService(service).into());
    h.get_by_label("Add dated service").click_accesskit();
    h.run_steps(2);
    h.get_by_label(LOOK_HERE_LABEL).click_accesskit();
    h.run_steps(1);
    assert!(h.state().wayback_open(), "the entry opens the window");
    wait_for_search(h);
}

/// Draws frames until the search has answered.
fn wait_for_search(h: &mut Harness<'_, SitewatchApp>) {
    let answered = common::wait::frames_until(h, |h| {
        !matches!(h.state().wayback_status(), WaybackStatus::Looking { .. })
    });
    assert!(answered, "the search did not answer");
    // The window may resize to the answer: let it settle before reading it.
    h.run_steps(2);
}

fn shown_captures(h: &mut Harness<'_, SitewatchApp>) -> Vec<String> {
    h.state_mut()
        .scene()
        .layers
        .iter()
        .map(|l| l.id.clone())
        .filter(|id| id.starts_with("esri-wayback-capture-"))
        .collect()
}

#[test]
fn all_captures_are_added_as_one_undoable_track_that_the_timeline_steps_through() {
    let mut h = common::window::ready_app();
    let server = replica(&h, Fault::None);
    look_here(&mut h, &server);

    let status = h.state().wayback_status().clone();
    assert!(matches!(status, WaybackStatus::Done(_)), "{status:?}");
    let dates: Vec<String> = h
        .state()
        .wayback_captures()
        .iter()
        .map(sitewatch::imagery::wayback_changes::Capture::date_text)
        .collect();
    assert_eq!(
        dates,
        ["mixed: 2024-11-02–2025-03-15", "2023-04-20", "2020-08-17"]
    );
    assert!(h.query_by_label("mixed: 2024-11-02–2025-03-15").is_some());
    assert!(
        h.query_by_label("30 (2023-07-01)").is_some(),
        "first release shown"
    );

    let before = h.state().project().layers.len();
    h.get_by_label(ADD_ALL_LABEL).click_accesskit();
    h.run_steps(2);
    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 3);
    let added = &layers[before..];
    assert!(added.iter().all(|l| l.track == "Esri Wayback"));
    let releases: Vec<Option<String>> = added
        .iter()
        .map(|l| match &l.source {
            LayerSource::Tiles { release, url, .. } => {
                assert!(url.starts_with(&server.base()), "{url}");
                release.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        releases,
        ["10", "30", "60"].map(|r| Some(r.to_owned())),
        "oldest first"
    );
    let ids: Vec<String> = added.iter().map(|l| l.id.clone()).collect();

    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().layers.len(), before, "one undo step");
    apply(&mut h, Command::Edit(EditCommand::Redo));
    assert_eq!(h.state().project().layers.len(), before + 3);

    let day = |d: &str| TimeCommand::SetDate(d.parse().unwrap());
    apply(&mut h, Command::Time(day("2020-08-16")));
    assert!(
        shown_captures(&mut h).is_empty(),
        "nothing before the first capture"
    );
    for (id, date) in ids.iter().zip(["2020-08-17", "2023-04-20", "2024-11-02"]) {
        apply(&mut h, Command::Time(day(date)));
        assert_eq!(
            &shown_captures(&mut h),
            std::slice::from_ref(id),
            "at {date}"
        );
    }
    let scene = h.state_mut().scene();
    let mixed = scene.layers.iter().find(|l| l.id == ids[2]).unwrap();
    assert_eq!(
        mixed.date_label.as_deref(),
        Some("2 NOV 2024 – 15 MAR 2025"),
        "the figure's date stamp shows both days"
    );
}

#[test]
fn a_missing_release_list_is_said_in_the_window() {
    let mut h = common::window::ready_app();
    let server = replica(&h, Fault::ConfigStatus(404));
    look_here(&mut h, &server);
    let url = format!("{}/waybackconfig.json", server.base());
    let status = h.state().wayback_status().clone();
    assert_eq!(
        status,
        WaybackStatus::Failed(format!("Wayback release list: HTTP 404: {url}"))
    );
    assert!(h.query_by_label_contains("HTTP 404").is_some(), "shown");
    assert!(h.state().wayback_captures().is_empty());
    assert_eq!(server.count("/tilemap/"), 0);
}

#[test]
fn a_right_click_on_the_map_looks_for_the_captures_at_the_point_clicked() {
    let mut h = common::window::ready_app();
    let server = replica(&h, Fault::None);
    apply(
        &mut h,
        WaybackCommand::UseService(WaybackService::replica(&server.base())).into(),
    );
    let view = h.state().map_view().unwrap();
    let offset = egui::vec2(240.0, 160.0);
    let at = view.rect.center() + offset;
    h.event(egui::Event::PointerMoved(at));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(1);
    h.get_by_label(WAYBACK_HERE).click_accesskit();
    h.run_steps(1);
    assert!(h.state().wayback_open(), "the menu opens the window");
    wait_for_search(&mut h);

    let status = h.state().wayback_status().clone();
    assert!(matches!(status, WaybackStatus::Done(_)), "{status:?}");
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let z = view.zoom.round().clamp(10.0, 19.0) as u8;
    let centre_px = world_px_from_lonlat(view.center, view.zoom);
    let clicked = lonlat_from_world_px(
        geo::Coord {
            x: centre_px.x + f64::from(offset.x),
            y: centre_px.y + f64::from(offset.y),
        },
        view.zoom,
    );
    let tile = |p: geo::Coord<f64>| {
        let t = TileAddress::at([p.x, p.y], z);
        format!("/{}/{}/{}", t.z, t.row, t.col)
    };
    assert_ne!(
        tile(clicked),
        tile(view.center),
        "the point is off the centre's tile"
    );
    let tiles = server.requests("/tile/");
    assert!(!tiles.is_empty());
    assert!(
        tiles.iter().all(|t| t.ends_with(&tile(clicked))),
        "every tile compared is the clicked point's {}: {tiles:?}",
        tile(clicked)
    );
    h.get_by_label_contains("(the point chosen)");
}
