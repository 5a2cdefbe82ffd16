//! WMTS capabilities: layers, formats, Web Mercator tile matrix sets, XYZ templates and a Time
//! dimension as dated layers, from a fixture shaped like NASA GIBS' document, and fetched from
//! a server on 127.0.0.1 that the test starts (`/wmts/caps.xml` the fixture, anything else 404).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use sitewatch::imagery::wmts::{
    Capabilities, WmtsError, XyzOptions, dated_layers, fetch_capabilities, parse_capabilities,
    xyz_template,
};

const GIBS: &str = "https://gibs.example/wmts/epsg3857/best";

fn fixture_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wmts/gibs_epsg3857.xml");
    std::fs::read_to_string(path).unwrap()
}

fn capabilities() -> Capabilities {
    parse_capabilities(&fixture_text(), "gibs_epsg3857.xml").unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_gibs_document_lists_its_layers_formats_and_time_dimension() {
    let caps = capabilities();
    assert_eq!(
        caps.title.as_deref(),
        Some("NASA Global Imagery Browse Services for EOSDIS")
    );
    let ids: Vec<&str> = caps.layers.iter().map(|l| l.identifier.as_str()).collect();
    assert_eq!(
        ids,
        [
            "MODIS_Terra_CorrectedReflectance_TrueColor",
            "MODIS_Terra_L3_Land_Surface_Temp_8Day_Day",
            "Coastlines_15m",
            "BlueMarble_Geographic"
        ]
    );
    let modis = caps
        .layer("MODIS_Terra_CorrectedReflectance_TrueColor")
        .unwrap();
    assert_eq!(modis.formats, ["image/jpeg"]);
    assert_eq!(modis.default_style(), "default");
    assert_eq!(
        modis.bbox_lonlat,
        Some([-180.0, -85.051_129, 180.0, 85.051_129])
    );
    let time = modis.time().unwrap();
    assert_eq!(time.default.as_deref(), Some("2025-11-30"));
    assert_eq!(time.values, ["2000-02-24/2025-11-30/P1D"]);
    // The entity in a title is resolved.
    let lst = caps
        .layer("MODIS_Terra_L3_Land_Surface_Temp_8Day_Day")
        .unwrap();
    assert!(lst.title.as_deref().unwrap().ends_with("& quality"));
    assert_eq!(caps.tile_matrix_sets.len(), 3);
}

#[test]
fn web_mercator_sets_are_told_from_geographic_ones() {
    let caps = capabilities();
    let level9 = caps.tile_matrix_set("GoogleMapsCompatible_Level9").unwrap();
    let zooms: Vec<u8> = level9.web_mercator_zooms().keys().copied().collect();
    assert_eq!(zooms, (0..=9).collect::<Vec<u8>>());
    assert!(
        caps.tile_matrix_set("250m")
            .unwrap()
            .web_mercator_zooms()
            .is_empty()
    );
}

#[test]
fn a_restful_layer_becomes_an_xyz_template_for_a_date() {
    let caps = capabilities();
    let layer = caps
        .layer("MODIS_Terra_CorrectedReflectance_TrueColor")
        .unwrap();
    let options = XyzOptions {
        time: Some("2025-06-14".to_owned()),
        ..XyzOptions::default()
    };
    let template = xyz_template(&caps, layer, &options).unwrap();
    assert_eq!(
        template.url_template,
        format!(
            "{GIBS}/MODIS_Terra_CorrectedReflectance_TrueColor/default/2025-06-14/\
             GoogleMapsCompatible_Level9/{{z}}/{{y}}/{{x}}.jpg"
        )
    );
    assert_eq!((template.min_zoom, template.max_zoom), (0, 9));
    assert_eq!(template.tile_size_px, 256);
    assert_eq!(template.format, "image/jpeg");
    // Without a time, the dimension's default is used.
    let default = xyz_template(&caps, layer, &XyzOptions::default()).unwrap();
    assert!(
        default.url_template.contains("/2025-11-30/"),
        "{}",
        default.url_template
    );
}

#[test]
fn a_layer_without_resource_urls_uses_the_kvp_get_tile_endpoint() {
    let caps = capabilities();
    let layer = caps.layer("Coastlines_15m").unwrap();
    let template = xyz_template(&caps, layer, &XyzOptions::default()).unwrap();
    assert_eq!(
        template.url_template,
        format!(
            "{GIBS}/wmts.cgi?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=Coastlines_15m\
             &STYLE=default&TILEMATRIXSET=GoogleMapsCompatible_Level7&TILEMATRIX={{z}}\
             &TILEROW={{y}}&TILECOL={{x}}&FORMAT=image%2Fpng"
        )
    );
    assert_eq!(template.max_zoom, 7);
}

#[test]
fn a_layer_only_in_geographic_tiles_or_an_unoffered_format_is_a_typed_error() {
    let caps = capabilities();
    let geographic = caps.layer("BlueMarble_Geographic").unwrap();
    let err = xyz_template(&caps, geographic, &XyzOptions::default()).unwrap_err();
    assert!(matches!(err, WmtsError::NoWebMercator { .. }), "{err:?}");
    assert!(err.to_string().ends_with("BlueMarble_Geographic"));

    let modis = caps
        .layer("MODIS_Terra_CorrectedReflectance_TrueColor")
        .unwrap();
    let png = XyzOptions {
        format: Some("image/png".to_owned()),
        ..XyzOptions::default()
    };
    assert!(matches!(
        xyz_template(&caps, modis, &png),
        Err(WmtsError::NoTileUrl { .. })
    ));
    assert!(matches!(caps.layer("Nope"), Err(WmtsError::NoLayer { .. })));
}

#[test]
fn each_time_value_in_the_range_becomes_a_dated_layer_on_one_track() {
    let caps = capabilities();
    let layers = dated_layers(
        &caps,
        "MODIS_Terra_CorrectedReflectance_TrueColor",
        &XyzOptions::default(),
        Some((day(2025, 11, 28), day(2026, 1, 31))),
        100,
    )
    .unwrap();
    let dates: Vec<NaiveDate> = layers.iter().map(|l| l.date).collect();
    assert_eq!(
        dates,
        [day(2025, 11, 28), day(2025, 11, 29), day(2025, 11, 30)]
    );
    assert!(
        layers
            .iter()
            .all(|l| l.track == "Corrected Reflectance (True Color, MODIS, Terra)")
    );
    assert!(layers[0].template.url_template.contains("/2025-11-28/"));
    assert_eq!(
        layers[2].name,
        "Corrected Reflectance (True Color, MODIS, Terra) 30 Nov 2025"
    );
}

#[test]
fn listed_values_and_an_eight_day_interval_expand_together_capped_to_the_newest() {
    let caps = capabilities();
    let id = "MODIS_Terra_L3_Land_Surface_Temp_8Day_Day";
    let all = dated_layers(&caps, id, &XyzOptions::default(), None, 100).unwrap();
    let values: Vec<&str> = all.iter().map(|l| l.time_value.as_str()).collect();
    assert_eq!(
        values,
        [
            "2025-10-16",
            "2025-10-24",
            "2025-11-01",
            "2025-11-09",
            "2025-11-17"
        ]
    );
    let newest = dated_layers(&caps, id, &XyzOptions::default(), None, 2).unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!(newest[1].date, day(2025, 11, 17));
    // A layer with no Time dimension has no dated layers.
    assert!(
        dated_layers(&caps, "Coastlines_15m", &XyzOptions::default(), None, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn malformed_or_foreign_documents_are_typed_errors_naming_their_origin() {
    let truncated = &fixture_text()[..3000];
    let err = parse_capabilities(truncated, "cut.xml").unwrap_err();
    assert!(matches!(err, WmtsError::Xml { .. }), "{err:?}");
    assert!(err.to_string().ends_with(": cut.xml"), "{err}");
    let wms =
        r#"<?xml version="1.0"?><WMS_Capabilities version="1.3.0"><Service/></WMS_Capabilities>"#;
    let err = parse_capabilities(wms, "wms.xml").unwrap_err();
    assert!(
        matches!(err, WmtsError::NotCapabilities { ref root, .. } if root == "WMS_Capabilities")
    );
    assert!(parse_capabilities("not xml at all <", "x").is_err());
}

/// Serves the fixture at `/wmts/caps.xml` and 404 elsewhere, counting requests.
fn start_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let body = fixture_text();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            counter.fetch_add(1, Ordering::SeqCst);
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let (status, text) = if line.starts_with("GET /wmts/caps.xml ") {
                (200, body.as_str())
            } else {
                (404, "no such file")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (addr, hits)
}

#[test]
fn capabilities_are_fetched_once_and_a_404_names_the_url() {
    let (addr, hits) = start_server();
    let url = format!("http://{addr}/wmts/caps.xml");
    let caps = fetch_capabilities(&url, Some(Duration::from_secs(5))).unwrap();
    assert_eq!(caps.layers.len(), 4);
    assert_eq!(caps.origin, url);
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let missing = format!("http://{addr}/wmts/missing.xml");
    let err = fetch_capabilities(&missing, Some(Duration::from_secs(5))).unwrap_err();
    assert!(matches!(err, WmtsError::Http { status: 404, .. }));
    assert_eq!(
        err.to_string(),
        format!("WMTS server answered HTTP 404: {missing}")
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
