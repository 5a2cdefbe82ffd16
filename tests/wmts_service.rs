//! A WMTS service on 127.0.0.1 that the test starts: its capabilities read once, a `Time`
//! dimension's values in a range as dated layers on one track with the service's credit and a
//! note naming its URL; and each fault — a 404, a 500, truncated XML, a WMS document, a server
//! that never answers (a short timeout), a layer with no Web Mercator set — a typed error whose
//! one line names the URL once.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::wmts_server::WmtsServer;
use sitewatch::app::error_chain;
use sitewatch::imagery::wmts::{
    WmtsError, XyzOptions, fetch_capabilities, matrix_set_choices, series_layers, single_layer,
};
use sitewatch::model::LayerSource;

const PATIENT: Option<Duration> = Some(Duration::from_secs(10));

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

#[test]
fn a_dated_layer_becomes_a_series_on_one_track_from_one_request() {
    let server = WmtsServer::start();
    let url = server.url("caps.xml");
    let caps = fetch_capabilities(&url, PATIENT).unwrap();
    assert_eq!(server.count("caps.xml"), 1);
    assert_eq!(caps.provider.as_deref(), Some("Test Imagery Agency"));

    let range = Some((day("2024-06-19"), day("2026-06-01")));
    let layers = series_layers(
        &caps,
        "Site_TrueColor",
        &XyzOptions::default(),
        range,
        &|_| false,
    )
    .unwrap();
    let dates: Vec<String> = layers.iter().map(|l| l.date.unwrap().to_string()).collect();
    assert_eq!(
        dates,
        ["2025-05-02", "2025-06-11", "2025-08-20"],
        "2023 is out of range"
    );
    for layer in &layers {
        assert_eq!(layer.track, "Site true colour");
        assert_eq!(layer.attribution, "Test Imagery Agency");
        assert!(
            layer
                .note
                .ends_with(&format!("from {url}; Time={}", layer.date.unwrap()))
        );
    }
    let LayerSource::Tiles { url: tiles, .. } = &layers[1].source else {
        panic!("a tile layer");
    };
    assert_eq!(
        tiles,
        &server.url(
            "tiles/Site_TrueColor/default/2025-06-11/GoogleMapsCompatible_Level9/{z}/{y}/{x}.png"
        )
    );
    assert_eq!(server.requests().len(), 1, "no tile is fetched by adding");
}

#[test]
fn a_polar_only_layer_says_it_has_no_web_mercator_set() {
    let server = WmtsServer::start();
    let caps = fetch_capabilities(&server.url("caps.xml"), PATIENT).unwrap();
    let polar = caps.layer("Sea_Ice_Polar").unwrap();
    let choices = matrix_set_choices(&caps, polar);
    assert_eq!(
        choices[0].unusable.as_deref(),
        Some("not Web Mercator (urn:ogc:def:crs:EPSG::3413)")
    );
    let err = single_layer(
        &caps,
        "Sea_Ice_Polar",
        &XyzOptions::default(),
        None,
        day("2025-06-01"),
        &|_| false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer has no Web Mercator (EPSG:3857) tile matrix set: Sea_Ice_Polar"
    );
}

#[test]
fn each_fault_is_one_line_naming_the_url_once() {
    let server = WmtsServer::start();
    let once = |line: &str, url: &str| {
        assert_eq!(line.matches(url).count(), 1, "{line}");
        assert!(!line.contains('\n'), "{line}");
    };

    let missing = server.url("missing.xml");
    let err = fetch_capabilities(&missing, PATIENT).unwrap_err();
    assert!(
        matches!(err, WmtsError::Http { status: 404, .. }),
        "{err:?}"
    );
    once(&error_chain(&err), &missing);

    let failing = server.url("error500.xml");
    let err = fetch_capabilities(&failing, PATIENT).unwrap_err();
    assert!(
        matches!(err, WmtsError::Http { status: 500, .. }),
        "{err:?}"
    );
    once(&error_chain(&err), &failing);

    let broken = server.url("broken.xml");
    let err = fetch_capabilities(&broken, PATIENT).unwrap_err();
    assert!(matches!(err, WmtsError::Xml { .. }), "{err:?}");
    once(&error_chain(&err), &broken);

    let wms = server.url("wms.xml");
    let err = fetch_capabilities(&wms, PATIENT).unwrap_err();
    assert!(
        matches!(err, WmtsError::NotCapabilities { ref root, .. } if root == "WMS_Capabilities"),
        "{err:?}"
    );
    once(&error_chain(&err), &wms);

    let hang = server.url("hang.xml");
    let err = fetch_capabilities(&hang, Some(Duration::from_millis(300))).unwrap_err();
    assert!(matches!(err, WmtsError::Network { .. }), "{err:?}");
    let line = error_chain(&err);
    once(&line, &hang);
    assert!(
        line.starts_with("WMTS capabilities request got no answer"),
        "{line}"
    );

    assert_eq!(server.requests().len(), 5, "one request each, no retries");
}
