//! The Find imagery window adds a STAC file's item that has only red/green/blue band COGs (on
//! 127.0.0.1 range servers) as a band composite layer, and the window opens it from its three
//! COGs; with False colour (NIR) chosen it shows near-infrared, red and green; a band whose
//! server answers 404 shows as a failed layer whose message names that band.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::range_server::{Behaviour, RangeServer};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::json;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, FindImageryCommand, TimeCommand};
use sitewatch::model::layer_display::LayerStretch;
use sitewatch::model::{ImageryLayer, LayerSource};
use sitewatch::ui::find_imagery::{FALSE_COLOUR_LABEL, SearchStatus};
use sitewatch::ui::layers::LayerLoadState;

const SIDE: u32 = 512;
const STEP_DEG: f64 = 1e-4;
const TOP_LEFT: (f64, f64) = (130.61, 42.44);
/// The near-infrared band's address; only the false-colour layer reads it.
const NIR_HREF: &str = "http://127.0.0.1:9/B08.tif";

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.run_steps(2);
}

/// Draws frames until `done` says so.
fn await_frames(h: &mut Harness<'_, SitewatchApp>, done: impl Fn(&SitewatchApp) -> bool) {
    assert!(
        common::wait::frames_until(h, |h| done(h.state())),
        "not done"
    );
}

/// Reads a STAC file with one Sentinel-2 item whose red, green and blue assets are `hrefs`
/// (and a near-infrared one), adds it, and shows its day; the added layer.
fn add_band_item(h: &mut Harness<'_, SitewatchApp>, hrefs: &[String; 3]) -> ImageryLayer {
    let layer = add_item(h, hrefs, false);
    assert_eq!(
        layer.source,
        LayerSource::Bands {
            red: hrefs[0].clone(),
            green: hrefs[1].clone(),
            blue: hrefs[2].clone(),
        }
    );
    layer
}

fn add_item(h: &mut Harness<'_, SitewatchApp>, hrefs: &[String; 3], nir: bool) -> ImageryLayer {
    let dir = tempfile::tempdir().unwrap();
    let band = |href: &str, name: &str| {
        json!({"href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized",
               "eo:bands": [{"common_name": name}],
               "raster:bands": [{"scale": 0.0001, "offset": -0.1, "nodata": 0}]})
    };
    let item = json!({
        "type": "Feature", "id": "S2B_20250601", "collection": "sentinel-2-l2a",
        "bbox": [130.61, 42.39, 130.66, 42.44],
        "properties": {"datetime": "2025-06-01T02:10:00Z", "eo:cloud_cover": 2.0,
                       "platform": "sentinel-2b"},
        "assets": {"red": band(&hrefs[0], "red"), "green": band(&hrefs[1], "green"),
                   "blue": band(&hrefs[2], "blue"), "nir": band(NIR_HREF, "nir")}
    });
    let path = dir.path().join("search.json");
    let file = json!({"type": "FeatureCollection", "features": [item]});
    std::fs::write(&path, file.to_string()).unwrap();
    apply(h, FindImageryCommand::Toggle.into());
    apply(h, FindImageryCommand::OpenFile(path).into());
    await_frames(h, |app| {
        !matches!(app.find_imagery_status(), SearchStatus::Searching(_))
    });
    apply(h, FindImageryCommand::Select(Some(0)).into());
    if nir {
        h.get_by_label(FALSE_COLOUR_LABEL).click();
        h.run_steps(2);
    }
    apply(h, FindImageryCommand::Add.into());
    let said = h.state().find_imagery_added().unwrap().to_owned();
    assert_eq!(said, "Added 1 dated layer(s).");
    let layer = h.state().project().layers.last().unwrap().clone();
    assert!(matches!(
        layer.display.as_ref().unwrap().stretch,
        LayerStretch::Bands { .. }
    ));
    assert!(layer.attribution.contains("Copernicus"));
    apply(
        h,
        TimeCommand::SetDate("2025-06-01".parse().unwrap()).into(),
    );
    layer
}

fn opened(app: &SitewatchApp, id: &str) -> bool {
    !matches!(
        app.layer_load_state(id),
        LayerLoadState::Idle | LayerLoadState::Opening(_)
    )
}

#[test]
fn add_makes_a_band_composite_layer_that_the_window_opens_from_its_three_cogs() {
    let servers = [2600, 1800, 1200].map(|v| {
        let cog = common::rasters::gray16_cog(v, SIDE, TOP_LEFT, STEP_DEG);
        RangeServer::start(cog, Behaviour::Ranges)
    });
    let hrefs = [0, 1, 2].map(|i| servers[i].url("band.tif"));
    let mut h = common::window::ready_app();
    let id = add_band_item(&mut h, &hrefs).id;
    await_frames(&mut h, |app| opened(app, &id));
    let state = h.state().layer_load_state(&id);
    assert!(matches!(state, LayerLoadState::Ready { .. }), "{state:?}");
    assert!(
        servers.iter().all(|s| s.request_count() > 0),
        "every band is read"
    );
}

#[test]
fn a_band_answering_404_shows_as_a_failed_layer_naming_that_band() {
    let red = RangeServer::start(
        common::rasters::gray16_cog(2600, SIDE, TOP_LEFT, STEP_DEG),
        Behaviour::Ranges,
    );
    let green = RangeServer::start(
        common::rasters::gray16_cog(1800, SIDE, TOP_LEFT, STEP_DEG),
        Behaviour::Ranges,
    );
    let gone = RangeServer::start(Vec::new(), Behaviour::Status(404));
    let hrefs = [
        red.url("B04.tif"),
        green.url("B03.tif"),
        gone.url("B02.tif"),
    ];
    let mut h = common::window::ready_app();
    let id = add_band_item(&mut h, &hrefs).id;
    await_frames(&mut h, |app| opened(app, &id));
    let LayerLoadState::Failed(message) = h.state().layer_load_state(&id) else {
        panic!("{:?}", h.state().layer_load_state(&id));
    };
    assert!(message.contains(&gone.url("B02.tif")), "{message}");
    assert!(message.contains("404"), "{message}");
}

#[test]
fn false_colour_adds_near_infrared_red_and_green_as_the_layers_bands() {
    let hrefs = [
        "http://127.0.0.1:9/B04.tif".to_owned(),
        "http://127.0.0.1:9/B03.tif".to_owned(),
        "http://127.0.0.1:9/B02.tif".to_owned(),
    ];
    let mut h = common::window::ready_app();
    let layer = add_item(&mut h, &hrefs, true);
    assert_eq!(
        layer.source,
        LayerSource::Bands {
            red: NIR_HREF.to_owned(),
            green: hrefs[0].clone(),
            blue: hrefs[1].clone(),
        }
    );
    assert!(layer.name.ends_with("NIR"), "{}", layer.name);
}
