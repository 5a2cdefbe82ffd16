//! Planning layers from items: asset choice, credits, mosaics and thinning.

use serde_json::{Value, json};

use super::*;

/// An Earth-Search-shaped Sentinel-2 item on `day` (`2025-06-14`) with `cloud` % cover.
fn s2_item(id: &str, day: &str, cloud: f64) -> Item {
    let band = |name: &str, common: &str| {
        json!({
            "href": format!("https://e/{id}/{name}.tif"),
            "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            "roles": ["data"],
            "eo:bands": [{"name": name, "common_name": common}],
            "raster:bands": [{"nodata": 0, "scale": 0.0001, "offset": -0.1}]
        })
    };
    item(json!({
        "type": "Feature", "id": id, "collection": "sentinel-2-l2a",
        "bbox": [13.0, 52.0, 14.0, 53.0],
        "properties": {"datetime": format!("{day}T10:20:31Z"), "eo:cloud_cover": cloud,
                       "platform": "sentinel-2b", "proj:epsg": 32633},
        "assets": {
            "red": band("B04", "red"), "green": band("B03", "green"),
            "blue": band("B02", "blue"), "nir": band("B08", "nir"),
            "red-jp2": {"href": "https://e/B04.jp2", "type": "image/jp2",
                        "eo:bands": [{"name": "B04", "common_name": "red"}]},
            "thumbnail": {"href": "https://e/thumb.jpg", "type": "image/jpeg"}
        }
    }))
}

fn item(value: Value) -> Item {
    serde_json::from_value(value).unwrap()
}

fn with_visual(mut item: Item) -> Item {
    item.assets.insert(
        "visual".to_owned(),
        serde_json::from_value(json!({"href": "https://e/TCI.tif", "type": "image/tiff"})).unwrap(),
    );
    item
}

#[test]
fn the_visual_asset_is_preferred_for_true_colour_and_needs_no_stretch() {
    let plan = plan_layer(
        &with_visual(s2_item("a", "2025-06-14", 3.5)),
        PlanOptions::default(),
        "test",
    )
    .unwrap();
    let scene = &plan.scenes[0];
    assert!(
        matches!(&scene.assets, AssetChoice::Visual { href, .. } if href == "https://e/TCI.tif")
    );
    assert_eq!(plan.stretch, None);
    assert_eq!(plan.date.to_string(), "2025-06-14");
    assert_eq!(plan.name, "Sentinel-2 L2A 14 Jun 2025");
    assert_eq!(plan.id, "stac-sentinel-2-l2a-a");
    assert_eq!(scene.thumbnail_href.as_deref(), Some("https://e/thumb.jpg"));
}

#[test]
fn without_a_visual_asset_the_cog_bands_carry_their_scale_and_offset() {
    let plan = plan_layer(
        &s2_item("a", "2025-06-14", 3.5),
        PlanOptions::default(),
        "t",
    )
    .unwrap();
    let AssetChoice::Bands { red, green, blue } = &plan.scenes[0].assets else {
        panic!("expected bands, got {:?}", plan.scenes[0].assets);
    };
    // The COG, not the JPEG 2000 copy of the same band.
    assert_eq!(red.href, "https://e/a/B04.tif");
    assert_eq!(green.asset_key, "green");
    assert_eq!(blue.asset_key, "blue");
    // Stored 2500 is reflectance 0.15; the no-data value is none.
    assert!((red.physical(2500.0).unwrap() - 0.15).abs() < 1e-9);
    assert_eq!(red.physical(0.0), None);
    assert_eq!(plan.stretch, Some(ReflectanceStretch::DEFAULT));
    assert!(
        plan.note.contains("reflectance 0–0.3 → 0–255, gamma 2.2"),
        "{}",
        plan.note
    );
    assert!(plan.note.contains("EPSG:32633"), "{}", plan.note);
}

#[test]
fn false_colour_puts_near_infrared_in_the_red_channel() {
    let options = PlanOptions {
        composite: Composite::FalseColourNir,
        ..PlanOptions::default()
    };
    let plan = plan_layer(&with_visual(s2_item("a", "2025-06-14", 1.0)), options, "t").unwrap();
    let AssetChoice::Bands { red, green, blue } = &plan.scenes[0].assets else {
        panic!("expected bands");
    };
    assert_eq!(
        (
            red.asset_key.as_str(),
            green.asset_key.as_str(),
            blue.asset_key.as_str()
        ),
        ("nir", "red", "green")
    );
    assert!(plan.name.ends_with(" NIR"), "{}", plan.name);
}

#[test]
fn planetary_computer_band_keys_are_found_by_common_name_with_sentinel_scaling() {
    let pc = item(json!({
        "id": "S2A_MSIL2A_20240310", "collection": "sentinel-2-l2a",
        "properties": {"datetime": "2024-03-10T10:00:00Z", "s2:processing_baseline": "05.10"},
        "assets": {
            "B04": {"href": "https://pc/B04.tif", "type": "image/tiff; application=geotiff",
                    "eo:bands": [{"name": "B04", "common_name": "red"}]},
            "B03": {"href": "https://pc/B03.tif", "eo:bands": [{"name": "B03", "common_name": "green"}]},
            "B02": {"href": "https://pc/B02.tif", "eo:bands": [{"name": "B02", "common_name": "blue"}]}
        }
    }));
    let AssetChoice::Bands { red, .. } = choose_assets(&pc, Composite::TrueColour, "t").unwrap()
    else {
        panic!("expected bands");
    };
    assert_eq!(red.asset_key, "B04");
    // Digital number 2500 with the baseline-04.00 offset: 0.25 − 0.1.
    assert!((red.physical(2500.0).unwrap() - 0.15).abs() < 1e-9);
}

#[test]
fn landsat_bands_use_their_raster_scale_and_the_usgs_credit() {
    let assets: serde_json::Map<String, Value> = ["red", "green", "blue"]
        .iter()
        .map(|name| {
            let asset = json!({
                "href": format!("https://pc/{name}.tif"),
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "eo:bands": [{"common_name": name}],
                "raster:bands": [{"scale": 0.000_027_5, "offset": -0.2, "nodata": 0}]
            });
            ((*name).to_owned(), asset)
        })
        .collect();
    let landsat = item(json!({
        "id": "LC09_L2SP_193023_20240612", "collection": "landsat-c2-l2",
        "properties": {"datetime": "2024-06-12T09:50:00Z", "platform": "landsat-9", "eo:cloud_cover": 12.0},
        "assets": assets
    }));
    let plan = plan_layer(&landsat, PlanOptions::default(), "t").unwrap();
    assert_eq!(plan.provider.track, "Landsat");
    assert_eq!(
        plan.provider.credit,
        "Landsat imagery courtesy of the U.S. Geological Survey"
    );
    assert_eq!(plan.name, "Landsat C2 L2 12 Jun 2024");
    let AssetChoice::Bands { red, .. } = &plan.scenes[0].assets else {
        panic!("expected bands");
    };
    assert!((red.physical(10000.0).unwrap() - 0.075).abs() < 1e-9);
}

#[test]
fn sentinel_credit_names_the_year_of_the_data() {
    let p = provider("sentinel-2-l2a", Some("sentinel-2a"), 2025, None);
    assert_eq!(p.credit, "Contains modified Copernicus Sentinel data 2025");
    assert_eq!(p.track, "Sentinel-2");
    assert!(p.licence.unwrap().starts_with("Copernicus"));
    let own = provider("my-drone", None, 2025, Some("CC-BY-4.0"));
    assert_eq!(own.track, "my-drone");
    assert_eq!(own.licence.as_deref(), Some("CC-BY-4.0"));
}

#[test]
fn radar_items_show_one_polarisation_in_decibels() {
    let s1 = item(json!({
        "id": "S1A_IW_GRDH", "collection": "sentinel-1-rtc",
        "properties": {"datetime": "2024-05-01T05:00:00Z"},
        "assets": {"vh": {"href": "https://pc/vh.tif", "type": "image/tiff"},
                   "vv": {"href": "https://pc/vv.tif", "type": "image/tiff"}}
    }));
    let plan = plan_layer(&s1, PlanOptions::default(), "t").unwrap();
    assert!(
        matches!(&plan.scenes[0].assets, AssetChoice::Backscatter { band, .. } if band.asset_key == "vv")
    );
    assert_eq!(plan.provider.track, "Sentinel-1");
    assert!(plan.note.contains("dB"), "{}", plan.note);
}

#[test]
fn an_item_with_only_a_thumbnail_is_a_typed_error_naming_the_item() {
    let bare = item(json!({
        "id": "bare", "collection": "sentinel-2-l2a",
        "properties": {"datetime": "2024-05-01T05:00:00Z"},
        "assets": {"thumbnail": {"href": "https://e/t.jpg", "type": "image/jpeg"}},
        "links": [{"rel": "self", "href": "https://e/items/bare"}]
    }));
    let err = plan_layer(&bare, PlanOptions::default(), "search").unwrap_err();
    assert!(matches!(err, StacError::NoUsableAsset { ref item_id, .. } if item_id == "bare"));
    assert!(err.to_string().ends_with(": https://e/items/bare"), "{err}");
}

#[test]
fn same_day_scenes_become_one_mosaic_layer() {
    let items = [
        s2_item("b", "2025-06-14", 10.0),
        s2_item("a", "2025-06-14", 20.0),
        s2_item("c", "2025-06-19", 5.0),
    ];
    let series = plan_series(&items, PlanOptions::default(), Thinning::Every, "t");
    assert!(series.skipped.is_empty());
    assert_eq!(series.layers.len(), 2);
    let mosaic = &series.layers[0];
    assert_eq!(mosaic.item_ids().len(), 2);
    assert_eq!(mosaic.cloud_cover, Some(15.0));
    assert_eq!(mosaic.id, "stac-sentinel-2-l2a-2025-06-14-mosaic");
    assert!(mosaic.name.ends_with("(mosaic of 2)"), "{}", mosaic.name);
    // Every layer of the series shares one stretch.
    assert!(
        series
            .layers
            .iter()
            .all(|l| l.stretch == Some(ReflectanceStretch::DEFAULT))
    );
}

#[test]
fn thinning_keeps_the_clearest_scene_per_week_and_per_month() {
    let items = [
        s2_item("mon", "2025-06-02", 40.0),
        s2_item("thu", "2025-06-05", 5.0),
        s2_item("next-week", "2025-06-10", 30.0),
        s2_item("july", "2025-07-01", 50.0),
    ];
    let ids = |thinning| {
        plan_series(&items, PlanOptions::default(), thinning, "t")
            .layers
            .iter()
            .map(|l| l.scenes[0].item_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(Thinning::Every), ["mon", "thu", "next-week", "july"]);
    assert_eq!(ids(Thinning::PerWeek), ["thu", "next-week", "july"]);
    assert_eq!(ids(Thinning::PerMonth), ["thu", "july"]);
}

#[test]
fn where_the_view_was_read_the_clearest_is_the_clearest_over_the_view() {
    // "thu" is the clearer scene (5 % cloud) but its cloud sits over the site.
    let items = [
        s2_item("mon", "2025-06-02", 40.0),
        s2_item("thu", "2025-06-05", 5.0),
        s2_item("fri", "2025-06-06", 20.0),
    ];
    let all_read = |id: &str| match id {
        "mon" => Some(0.9),
        "thu" => Some(0.1),
        "fri" => Some(0.5),
        _ => None,
    };
    let plan = |view_clear: &dyn Fn(&str) -> Option<f64>, thinning| {
        plan_series_over_view(&items, PlanOptions::default(), thinning, "t", view_clear)
    };
    let series = plan(&all_read, Thinning::PerWeek);
    assert_eq!(series.layers.len(), 1);
    let kept = &series.layers[0];
    assert_eq!(kept.scenes[0].item_id, "mon");
    assert!((kept.view_cloud.unwrap() - 10.0).abs() < 1e-9);
    assert!(
        kept.note.contains("clear 90 % of the searched view"),
        "{}",
        kept.note
    );
    // One layer not read: the scenes' own cover decides for the whole collection (the two
    // measures are never ranked against each other), and the notes still say what was read.
    let one_unread = |id: &str| all_read(id).filter(|_| id != "fri");
    let series = plan(&one_unread, Thinning::PerWeek);
    assert_eq!(series.layers[0].scenes[0].item_id, "thu");
    let every = plan(&one_unread, Thinning::Every);
    assert_eq!(every.layers[2].view_cloud, None);
    assert!(every.layers[0].note.contains("clear 90 %"));
    let unread = plan_series(&items, PlanOptions::default(), Thinning::PerWeek, "t");
    assert_eq!(unread.layers[0].scenes[0].item_id, "thu");
}

#[test]
fn unknown_cloud_cover_loses_to_a_known_one_and_ties_keep_the_earlier_day() {
    let mut unknown = s2_item("unknown", "2025-06-02", 0.0);
    unknown.properties.cloud_cover = None;
    let items = [
        unknown,
        s2_item("a", "2025-06-03", 9.0),
        s2_item("b", "2025-06-04", 9.0),
    ];
    let series = plan_series(&items, PlanOptions::default(), Thinning::PerWeek, "t");
    assert_eq!(series.layers.len(), 1);
    assert_eq!(series.layers[0].scenes[0].item_id, "a");
}

#[test]
fn a_series_skips_unusable_items_and_repeated_ones() {
    let mut undated = s2_item("undated", "2025-06-02", 1.0);
    undated.properties.datetime = Some("yesterday".to_owned());
    let items = [
        s2_item("a", "2025-06-03", 9.0),
        s2_item("a", "2025-06-03", 9.0),
        undated,
    ];
    let series = plan_series(&items, PlanOptions::default(), Thinning::Every, "t");
    assert_eq!(series.layers.len(), 1);
    assert_eq!(series.layers[0].scenes.len(), 1);
    assert!(
        matches!(series.skipped.as_slice(), [StacError::NoDate { item_id, .. }] if item_id == "undated")
    );
}
