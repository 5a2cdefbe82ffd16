//! Add remote GeoTIFF… in the layer panel: an address typed in becomes a remote layer (one undo
//! step), and the window opens it from a 127.0.0.1 server with range requests.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::range_server::{Behaviour, RangeServer};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, write_geotiff_levels_with,
};
use sitewatch::model::LayerSource;
use sitewatch::ui::layer_add::{ADD_REMOTE_LABEL, REMOTE_URL_LABEL};
use sitewatch::ui::layers::LayerLoadState;

/// A 1024² RGB COG over the crossing, two overviews.
fn small_cog() -> Vec<u8> {
    let mut spec = GeoTiffSpec::new(1024, 1024, 3);
    spec.rgb = true;
    spec.epsg = Some((4326, true));
    spec.layout = Layout::Tiles { edge_px: 256 };
    spec.compression = Compression::Deflate;
    spec.transform = Some(sitewatch::imagery::raster::GeoTransform::north_up(
        geo::Coord {
            x: 130.63,
            y: 42.44,
        },
        2e-5,
        2e-5,
    ));
    let mut out = std::io::Cursor::new(Vec::new());
    write_geotiff_levels_with(
        &mut out,
        &spec,
        2,
        |k, x0, y0, w, h, block: &mut Vec<u8>| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    block.extend([(x % 256) as u8, (y % 256) as u8, (k * 80) as u8]);
                }
            }
        },
    )
    .unwrap();
    out.into_inner()
}

#[test]
fn an_address_typed_in_becomes_a_remote_layer_that_opens_over_http() {
    let server = RangeServer::start(small_cog(), Behaviour::Ranges);
    let url = server.url("S2_2025-06-14_visual.tif");
    let mut h = common::default_app(common::day(2025, 6, 20), 1500.0, 2000.0);
    h.run_steps(3);
    let before = h.state().project().layers.len();
    h.get_by_label(ADD_REMOTE_LABEL).click_accesskit();
    h.run_steps(3);
    h.get_by_role_and_label(Role::TextInput, REMOTE_URL_LABEL)
        .focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, REMOTE_URL_LABEL)
        .type_text(&url);
    h.run_steps(2);
    h.get_by_label("Add").click_accesskit();
    h.run_steps(3);

    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 1, "one layer added");
    let added = layers.last().unwrap().clone();
    assert_eq!(added.source, LayerSource::Remote { url: url.clone() });
    assert_eq!(
        added.date.map(|d| d.to_string()).as_deref(),
        Some("2025-06-14")
    );

    // The window opens it off the UI thread: wait, bounded, for the header and first tiles.
    let mut state = LayerLoadState::Idle;
    common::wait::frames_until(&mut h, |h| {
        state = h.state().layer_load_state(&added.id);
        matches!(
            state,
            LayerLoadState::Ready { .. } | LayerLoadState::Failed(_)
        )
    });
    assert!(matches!(state, LayerLoadState::Ready { .. }), "{state:?}");
    assert!(server.request_count() >= 1, "read over HTTP");

    common::window::apply(
        &mut h,
        sitewatch::command::Command::Edit(sitewatch::command::EditCommand::Undo),
    );
    h.run_steps(2);
    assert_eq!(h.state().project().layers.len(), before, "one undo step");
}
