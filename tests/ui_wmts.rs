//! The Add WMTS layers window against a WMTS service on 127.0.0.1: opened from the layer panel,
//! the service's URL typed and loaded off the UI thread, the dated layer picked, its dates in the
//! timeline's range added as one undoable series on one track; stepping the timeline shows each
//! date's layer and its tiles are asked for with that `Time` value. Faults (a 404, a server that
//! never answers, a WMS document, a layer with no Web Mercator set) are one line in the window,
//! which keeps working.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use common::wmts_server::WmtsServer;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, EditCommand, TimeCommand, WmtsCommand};
use sitewatch::model::LayerSource;
use sitewatch::ui::wmts::{
    ADD_LABEL, ADD_SERIES_LABEL, LOAD_LABEL, OPEN_LABEL, URL_LABEL, WmtsStatus,
};

/// The dated layer's row in the window's list.
const DATED_ROW: &str = "Site true colour (Site_TrueColor)";

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.run_steps(2);
}

/// Draws frames until the capabilities read in progress has answered.
fn await_read(h: &mut Harness<'_, SitewatchApp>) -> WmtsStatus {
    let answered = common::wait::frames_until(h, |h| {
        !matches!(h.state().wmts_status(), WmtsStatus::Loading(_))
    });
    assert!(answered, "the capabilities read did not answer");
    h.state().wmts_status().clone()
}

/// The window at 20 June 2025, opened from the layer panel, `url` typed and loaded.
fn open_and_load(url: &str) -> Harness<'static, SitewatchApp> {
    let mut h = common::default_app(common::day(2025, 6, 20), 1500.0, 2000.0);
    h.run_steps(3);
    h.get_by_label(OPEN_LABEL).click_accesskit();
    h.run_steps(3);
    assert!(h.state().wmts_open(), "the layer panel's button opens it");
    let field = h.get_by_role_and_label(Role::TextInput, URL_LABEL);
    assert!(
        field.value().unwrap().contains("gibs.earthdata.nasa.gov"),
        "NASA GIBS is the preset"
    );
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, URL_LABEL)
        .type_text(url);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, LOAD_LABEL)
        .click_accesskit();
    h.run_steps(1);
    await_read(&mut h);
    h
}

fn shown_wmts(h: &mut Harness<'_, SitewatchApp>) -> Vec<String> {
    h.state_mut()
        .scene()
        .layers
        .iter()
        .map(|l| l.id.clone())
        .filter(|id| id.starts_with("wmts-"))
        .collect()
}

#[test]
fn a_dated_series_is_one_undoable_track_whose_tiles_are_asked_for_with_each_time() {
    let server = WmtsServer::start();
    let mut h = open_and_load(&server.url("caps.xml"));
    assert_eq!(h.state().wmts_status(), &WmtsStatus::Loaded(2));
    assert_eq!(server.count("caps.xml"), 1);
    assert!(
        h.query_by_label("2 layer(s) from Site test tiles.")
            .is_some()
    );

    h.get_by_label(DATED_ROW).click_accesskit();
    h.run_steps(2);
    assert!(
        h.query_by_label(
            "3 date(s) in the range, 2025-05-02 to 2025-08-20; nearest the slider: 2025-06-11"
        )
        .is_some(),
        "the timeline's range leaves 2023 out"
    );

    let before = h.state().project().layers.len();
    h.get_by_label(ADD_SERIES_LABEL).click_accesskit();
    h.run_steps(3);
    let layers = h.state().project().layers.clone();
    assert_eq!(layers.len(), before + 3);
    let added = &layers[before..];
    for (layer, date) in added.iter().zip(["2025-05-02", "2025-06-11", "2025-08-20"]) {
        assert_eq!(layer.track, "Site true colour");
        assert_eq!(layer.date.unwrap().to_string(), date);
        assert_eq!(layer.attribution, "Test Imagery Agency");
        assert!(
            layer.note.contains(&server.url("caps.xml")),
            "{}",
            layer.note
        );
        let LayerSource::Tiles { url, .. } = &layer.source else {
            panic!("a tile layer");
        };
        assert!(url.contains(&format!("/{date}/")), "{url}");
    }
    assert_eq!(
        h.state().wmts_added(),
        Some("Added 3 dated layer(s) on the track Site true colour.")
    );
    let ids: Vec<String> = added.iter().map(|l| l.id.clone()).collect();

    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().layers.len(), before, "one undo step");
    apply(&mut h, Command::Edit(EditCommand::Redo));
    assert_eq!(h.state().project().layers.len(), before + 3);

    let day = |d: &str| Command::Time(TimeCommand::SetDate(d.parse().unwrap()));
    apply(&mut h, day("2025-05-01"));
    assert!(
        shown_wmts(&mut h).is_empty(),
        "nothing before the first date"
    );
    for (id, date) in ids.iter().zip(["2025-05-02", "2025-06-11", "2025-08-20"]) {
        apply(&mut h, day(date));
        assert_eq!(&shown_wmts(&mut h), std::slice::from_ref(id), "at {date}");
    }
    // The August layer's tiles are asked for with its Time value.
    let wanted = "/2025-08-20/GoogleMapsCompatible_Level9/";
    let asked = common::wait::frames_until(&mut h, |_| {
        server.tile_requests().iter().any(|r| r.contains(wanted))
    });
    assert!(asked, "tiles asked for: {:?}", server.tile_requests());
}

#[test]
fn faults_are_one_line_in_the_window_and_it_keeps_working() {
    let server = WmtsServer::start();
    let missing = server.url("missing.xml");
    let mut h = open_and_load(&missing);
    let WmtsStatus::Failed(why) = h.state().wmts_status().clone() else {
        panic!("{:?}", h.state().wmts_status());
    };
    assert_eq!(why, format!("WMTS server answered HTTP 404: {missing}"));
    assert!(h.query_by_label(&why).is_some(), "shown in the window");

    h.state_mut().set_wmts_timeout(Duration::from_millis(300));
    let hang = server.url("hang.xml");
    apply(&mut h, WmtsCommand::Load(hang.clone()).into());
    let status = await_read(&mut h);
    assert!(
        matches!(&status, WmtsStatus::Failed(w)
            if w.starts_with("WMTS capabilities request got no answer: ")
                && w.matches(&hang).count() == 1),
        "{status:?}"
    );

    let wms = server.url("wms.xml");
    apply(&mut h, WmtsCommand::Load(wms.clone()).into());
    let status = await_read(&mut h);
    assert_eq!(
        status,
        WmtsStatus::Failed(format!(
            "not a WMTS capabilities document (root <WMS_Capabilities>): {wms}"
        ))
    );

    let broken = server.url("broken.xml");
    apply(&mut h, WmtsCommand::Load(broken.clone()).into());
    let status = await_read(&mut h);
    assert!(
        matches!(&status, WmtsStatus::Failed(w)
            if w.starts_with("malformed WMTS capabilities XML") && w.ends_with(&broken)),
        "{status:?}"
    );

    // The window still reads a good service; a layer it cannot draw says why, and adds nothing.
    apply(&mut h, WmtsCommand::Load(server.url("caps.xml")).into());
    assert_eq!(await_read(&mut h), WmtsStatus::Loaded(2));
    h.get_by_label("Sea ice (polar) (Sea_Ice_Polar)")
        .click_accesskit();
    h.run_steps(2);
    assert!(
        h.query_by_label("No Web Mercator tile matrix set: the map cannot draw Sea_Ice_Polar.")
            .is_some()
    );
    let before = h.state().project().layers.len();
    h.get_by_role_and_label(Role::Button, ADD_LABEL)
        .click_accesskit();
    h.run_steps(2);
    assert_eq!(h.state().project().layers.len(), before, "Add is disabled");
    assert_eq!(
        server.requests().len(),
        5,
        "one request per read, no retries: {:?}",
        server.requests()
    );
}
