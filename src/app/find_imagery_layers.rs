//! Search results become dated layers: each planned layer's visual COG (or, for radar, its VV
//! or VH backscatter COG, shown in decibels) as a remote GeoTIFF layer, or its red/green/blue
//! (or near-infrared/red/green) band COGs as a band composite stretched by the series' one
//! reflectance stretch, on its provider's track, dated by its acquisition day, its item,
//! collection and licence kept in the layer's fields and note. All layers of one Add or Add series are one edit.
//! Assets that need signing (the Planetary Computer's) keep their URL unsigned and record how to
//! sign it, so the layer is signed afresh each time it is read.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::editing::Edit;
use crate::imagery::raster::signed::AssetSigning;
use crate::imagery::stac::{AssetChoice, Composite, Signing, StacLayerPlan, composite_layer};
use crate::model::layer_display::{LayerBands, LayerDisplay, LayerStretch};
use crate::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource};

/// What adding a set of plans comes to.
#[derive(Debug, Default)]
pub(crate) struct AddOutcome {
    /// The layers to add, in order (ids already unique in the project).
    pub(crate) layers: Vec<ImageryLayer>,
    /// Why plans were left out, one line each.
    pub(crate) skipped: Vec<String>,
}

impl AddOutcome {
    /// The one edit that adds every layer on top of `existing` layers; `None` when none.
    pub(crate) fn edit(&self, existing: usize) -> Option<Edit> {
        if self.layers.is_empty() {
            return None;
        }
        let edits = self
            .layers
            .iter()
            .enumerate()
            .map(|(n, layer)| Edit::AddLayer {
                index: existing + n,
                layer: Box::new(layer.clone()),
            })
            .collect();
        Some(Edit::Batch(edits))
    }

    /// What the window says after an add: how many were added, and why any were not.
    pub(crate) fn summary(&self) -> String {
        let mut text = format!("Added {} dated layer(s).", self.layers.len());
        if !self.skipped.is_empty() {
            let _ = write!(
                text,
                " Skipped {}: {}",
                self.skipped.len(),
                self.skipped.join("; ")
            );
        }
        text
    }
}

/// Turns `plans` into layers; `origin` is the API or file searched, `signing` how the API's
/// asset URLs are made readable, and `taken` the ids already in the project.
pub(crate) fn layers_from_plans(
    plans: &[StacLayerPlan],
    origin: &str,
    signing: Option<&Signing>,
    taken: &[String],
) -> AddOutcome {
    let mut outcome = AddOutcome::default();
    let mut taken: Vec<String> = taken.to_vec();
    for plan in plans {
        match layer_from_plan(plan, origin, signing, &taken) {
            Ok(layer) => {
                taken.push(layer.id.clone());
                outcome.layers.push(layer);
            }
            Err(why) => outcome.skipped.push(why),
        }
    }
    outcome
}

/// One scene's source, the display it needs, and what the note says of it: a visual COG, a
/// band composite in the series' stretch, or a radar polarisation in decibels.
fn scene_source(
    plan: &StacLayerPlan,
    assets: &AssetChoice,
) -> (LayerSource, Option<LayerDisplay>, String) {
    match assets {
        AssetChoice::Visual { href, .. } => (
            LayerSource::Remote { url: href.clone() },
            None,
            String::new(),
        ),
        // Radar: one polarisation's float COG of linear power, in grey through decibels.
        AssetChoice::Backscatter { band, stretch } => (
            LayerSource::Remote {
                url: band.href.clone(),
            },
            Some(LayerDisplay::new(
                LayerBands::Gray(1),
                LayerStretch::Decibel {
                    low_db: stretch.min_db,
                    high_db: stretch.max_db,
                },
            )),
            format!("; {} polarisation", band.asset_key.to_uppercase()),
        ),
        // Three band COGs: the series' one reflectance stretch in each band's stored values.
        AssetChoice::Bands { red, green, blue } => {
            let stretch = plan.stretch.unwrap_or_default();
            let (source, display) = composite_layer([red, green, blue], &stretch);
            let keys = [red, green, blue].map(|band| band.asset_key.as_str());
            let note = format!(
                "; {} composite of {}",
                match plan.composite {
                    Composite::TrueColour => "true-colour",
                    Composite::FalseColourNir => "false-colour (near-infrared)",
                },
                keys.join("/")
            );
            (source, Some(display), note)
        }
    }
}

/// One plan as a layer: its scene's visual COG, band composite or radar polarisation; scenes
/// taken the same day become one mosaic, drawn in the plan's order. A scene whose assets need
/// another display than the first's (a visual COG beside band COGs, bands with other scales) is
/// left out, and the note says so.
fn layer_from_plan(
    plan: &StacLayerPlan,
    origin: &str,
    signing: Option<&Signing>,
    taken: &[String],
) -> Result<ImageryLayer, String> {
    let Some(first) = plan.scenes.first() else {
        return Err(format!("{} has no scene", plan.name));
    };
    let (first_source, display, what) = scene_source(plan, &first.assets);
    let mut note = format!("{}{what}", plan.note);
    let mut drawn = vec![first];
    let mut sources = vec![first_source];
    let mut left_out = Vec::new();
    for scene in plan.scenes.iter().skip(1) {
        let (source, scene_display, _) = scene_source(plan, &scene.assets);
        if scene_display == display
            && std::mem::discriminant(&source) == std::mem::discriminant(&sources[0])
        {
            drawn.push(scene);
            sources.push(source);
        } else {
            left_out.push(scene.item_id.as_str());
        }
    }
    let source = if sources.len() == 1 {
        sources.remove(0)
    } else {
        let ids: Vec<&str> = drawn.iter().map(|s| s.item_id.as_str()).collect();
        let _ = write!(
            note,
            "; mosaic of {} scenes taken that day, later over earlier: {}",
            ids.len(),
            ids.join(", ")
        );
        LayerSource::Mosaic { scenes: sources }
    };
    if !left_out.is_empty() {
        let _ = write!(
            note,
            "; not drawn (their assets need another display than {}'s): {}",
            first.item_id,
            left_out.join(", ")
        );
    }
    let asset_signing = match signing {
        Some(Signing::PlanetaryComputer { token_url }) => Some(AssetSigning::PlanetaryComputer {
            token_url: token_url.clone(),
            collection: plan.collection.clone(),
        }),
        Some(Signing::None) | None => None,
    };
    if asset_signing.is_some() {
        let _ = write!(
            note,
            "; asset signed with a fresh Planetary Computer token ({}) each time it is read",
            plan.collection
        );
    }
    let _ = write!(note, "; found at {origin}");
    let day_name = plan.name.split(" (mosaic of").next().unwrap_or(&plan.name);
    let name = if drawn.len() > 1 {
        format!("{day_name} (mosaic of {})", drawn.len())
    } else {
        day_name.to_owned()
    };
    let id = crate::model::ids::unique_id(&plan.id, |t| taken.iter().any(|l| l == t));
    let mut extra = serde_json::Map::new();
    extra.insert("stac_item".to_owned(), json!(first.item_id));
    if drawn.len() > 1 {
        let ids: Vec<&str> = drawn.iter().map(|s| s.item_id.as_str()).collect();
        extra.insert("stac_items".to_owned(), json!(ids));
    }
    extra.insert("stac_collection".to_owned(), json!(plan.collection));
    if let Some(licence) = &plan.provider.licence {
        extra.insert("stac_licence".to_owned(), json!(licence));
    }
    extra.insert("stac_source".to_owned(), json!(origin));
    if let Some(cloud) = first.cloud_cover {
        extra.insert("stac_cloud_cover".to_owned(), json!(cloud));
    }
    if let Some(platform) = &first.platform {
        extra.insert("stac_platform".to_owned(), Value::String(platform.clone()));
    }
    if let Some(asset_signing) = &asset_signing {
        asset_signing.store(&mut extra);
    }
    Ok(ImageryLayer {
        id,
        name,
        date: Some(FuzzyDate::day(plan.date)),
        date_kind: DateKind::Acquisition,
        note,
        track: plan.provider.track.clone(),
        attribution: plan.provider.credit.clone(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source,
        display,
        offset_m: None,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::stac::{Item, PlanOptions, Thinning, plan_series};

    fn item(id: &str, datetime: &str, visual: bool) -> Item {
        let mut assets = json!({"red": {"href": "https://e/r.tif", "type": "image/tiff; application=geotiff", "eo:bands": [{"common_name": "red"}]},
            "green": {"href": "https://e/g.tif", "type": "image/tiff; application=geotiff", "eo:bands": [{"common_name": "green"}]},
            "blue": {"href": "https://e/b.tif", "type": "image/tiff; application=geotiff", "eo:bands": [{"common_name": "blue"}]}});
        if visual {
            assets["visual"] =
                json!({"href": format!("https://e/{id}/TCI.tif"), "type": "image/tiff"});
        }
        serde_json::from_value(json!({
            "type": "Feature", "id": id, "collection": "sentinel-2-l2a",
            "bbox": [13.3, 52.4, 13.5, 52.6],
            "properties": {"datetime": datetime, "eo:cloud_cover": 3.0, "platform": "sentinel-2a"},
            "assets": assets
        }))
        .unwrap()
    }

    #[test]
    fn a_series_becomes_dated_remote_layers_on_one_track_with_their_items() {
        let items = [
            item("A", "2025-05-01T10:00:00Z", true),
            item("B", "2025-06-01T10:00:00Z", true),
            item("B2", "2025-06-01T10:00:05Z", true),
            item("C", "2025-07-01T10:00:00Z", false),
        ];
        let series = plan_series(&items, PlanOptions::default(), Thinning::Every, "test");
        let taken = vec!["stac-sentinel-2-l2a-A".to_owned()];
        let out = layers_from_plans(&series.layers, "http://x/search", None, &taken);
        let ids: Vec<&str> = out.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "stac-sentinel-2-l2a-A-2",
                "stac-sentinel-2-l2a-2025-06-01-mosaic",
                "stac-sentinel-2-l2a-C"
            ]
        );
        let june = &out.layers[1];
        assert_eq!(june.track, "Sentinel-2");
        assert_eq!(
            june.date,
            Some(FuzzyDate::day("2025-06-01".parse().unwrap()))
        );
        assert_eq!(
            june.source,
            LayerSource::Mosaic {
                scenes: vec![
                    LayerSource::Remote {
                        url: "https://e/B/TCI.tif".into()
                    },
                    LayerSource::Remote {
                        url: "https://e/B2/TCI.tif".into()
                    },
                ]
            },
            "the same day's two scenes, one mosaic"
        );
        assert_eq!(june.extra["stac_item"], "B");
        assert_eq!(june.extra["stac_items"], json!(["B", "B2"]));
        assert_eq!(june.extra["stac_collection"], "sentinel-2-l2a");
        assert!(june.note.contains("mosaic of 2 scenes"), "{}", june.note);
        assert!(june.name.ends_with("(mosaic of 2)"), "{}", june.name);
        assert!(!june.note.contains("not drawn"), "{}", june.note);
        assert!(june.attribution.contains("Copernicus"));
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        let july = &out.layers[2];
        assert_eq!(
            july.source,
            LayerSource::Bands {
                red: "https://e/r.tif".into(),
                green: "https://e/g.tif".into(),
                blue: "https://e/b.tif".into(),
            },
            "C has only band COGs: a band composite"
        );
        assert!(
            july.note
                .contains("true-colour composite of red/green/blue"),
            "{}",
            july.note
        );
        let Some(Edit::Batch(edits)) = out.edit(5) else {
            panic!("one batch");
        };
        assert_eq!(edits.len(), 3);
        assert!(
            !june.extra.contains_key("signing"),
            "Earth Search needs none"
        );
    }

    #[test]
    fn a_same_day_scene_needing_another_display_is_left_out_and_named() {
        let items = [
            item("B", "2025-06-01T10:00:00Z", true),
            item("B2", "2025-06-01T10:00:05Z", false),
        ];
        let series = plan_series(&items, PlanOptions::default(), Thinning::Every, "test");
        let out = layers_from_plans(&series.layers, "http://x/search", None, &[]);
        let layer = &out.layers[0];
        assert_eq!(
            layer.source,
            LayerSource::Remote {
                url: "https://e/B/TCI.tif".into()
            },
            "B2 has band COGs only: it cannot share B's visual display"
        );
        assert!(layer.note.contains("not drawn"), "{}", layer.note);
        assert!(layer.note.contains("B2"), "{}", layer.note);
        assert!(!layer.name.contains("mosaic"), "{}", layer.name);
    }

    #[test]
    fn a_false_colour_plan_shows_near_infrared_red_and_green_with_the_series_stretch() {
        let mut c: Item = item("C", "2025-07-01T10:00:00Z", false);
        c.assets.insert(
            "nir".into(),
            serde_json::from_value(
                json!({"href": "https://e/n.tif", "type": "image/tiff; application=geotiff",
                "eo:bands": [{"common_name": "nir"}],
                "raster:bands": [{"scale": 0.0001, "offset": -0.1}]}),
            )
            .unwrap(),
        );
        let options = PlanOptions {
            composite: crate::imagery::stac::Composite::FalseColourNir,
            ..PlanOptions::default()
        };
        let series = plan_series(&[c], options, Thinning::Every, "test");
        let out = layers_from_plans(&series.layers, "http://x/search", None, &[]);
        let layer = &out.layers[0];
        assert_eq!(
            layer.source,
            LayerSource::Bands {
                red: "https://e/n.tif".into(),
                green: "https://e/r.tif".into(),
                blue: "https://e/g.tif".into(),
            }
        );
        let display = layer.display.as_ref().unwrap();
        assert_eq!(display.bands, LayerBands::Rgb([1, 2, 3]));
        let LayerStretch::Bands { low, high } = display.stretch else {
            panic!("{:?}", display.stretch);
        };
        // The near-infrared band's offset moves its limits; the others have ESA's digital
        // numbers without an offset (no processing baseline).
        assert!((low[0] - 1000.0).abs() < 1e-6 && (high[0] - 4000.0).abs() < 1e-6);
        assert!(low[1].abs() < 1e-9 && (high[1] - 3000.0).abs() < 1e-6);
        assert!((display.gamma - 2.2).abs() < 1e-6);
        assert!(layer.name.ends_with("NIR"), "{}", layer.name);
        assert!(layer.note.contains("false-colour"), "{}", layer.note);
    }

    #[test]
    fn planetary_computer_layers_record_their_signing_and_keep_the_url_unsigned() {
        let items = [item("A", "2025-05-01T10:00:00Z", true)];
        let series = plan_series(&items, PlanOptions::default(), Thinning::Every, "test");
        let signing = Signing::PlanetaryComputer {
            token_url: "http://127.0.0.1:9/token".into(),
        };
        let out = layers_from_plans(&series.layers, "http://x/search", Some(&signing), &[]);
        let layer = &out.layers[0];
        assert_eq!(
            layer.source,
            LayerSource::Remote {
                url: "https://e/A/TCI.tif".into()
            }
        );
        assert_eq!(
            AssetSigning::of_layer(layer),
            Some(AssetSigning::PlanetaryComputer {
                token_url: "http://127.0.0.1:9/token".into(),
                collection: "sentinel-2-l2a".into(),
            })
        );
        assert!(layer.note.contains("signed with a fresh"), "{}", layer.note);
        assert!(!layer.note.contains("may refuse"), "{}", layer.note);
    }

    #[test]
    fn a_sentinel_1_rtc_item_becomes_a_signed_vv_layer_stretched_in_decibels() {
        let s1: Item = serde_json::from_value(json!({
            "type": "Feature", "id": "S1A_IW_GRDH_1SDV_20250601", "collection": "sentinel-1-rtc",
            "bbox": [13.3, 52.4, 13.5, 52.6],
            "properties": {"datetime": "2025-06-01T05:00:00Z", "platform": "SENTINEL-1A"},
            "assets": {"vh": {"href": "https://pc/vh.tif", "type": "image/tiff; application=geotiff; profile=cloud-optimized"},
                       "vv": {"href": "https://pc/vv.tif", "type": "image/tiff; application=geotiff; profile=cloud-optimized"}}
        }))
        .unwrap();
        let series = plan_series(&[s1], PlanOptions::default(), Thinning::Every, "test");
        let signing = Signing::PlanetaryComputer {
            token_url: "http://127.0.0.1:9/token".into(),
        };
        let out = layers_from_plans(&series.layers, "http://x/search", Some(&signing), &[]);
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        let layer = &out.layers[0];
        assert_eq!(
            layer.source,
            LayerSource::Remote {
                url: "https://pc/vv.tif".into()
            },
            "VV before VH"
        );
        assert_eq!(layer.track, "Sentinel-1");
        assert_eq!(
            layer.date,
            Some(FuzzyDate::day("2025-06-01".parse().unwrap()))
        );
        assert_eq!(
            layer.display,
            Some(LayerDisplay::new(
                LayerBands::Gray(1),
                LayerStretch::Decibel {
                    low_db: -25.0,
                    high_db: 0.0
                }
            ))
        );
        assert_eq!(
            AssetSigning::of_layer(layer),
            Some(AssetSigning::PlanetaryComputer {
                token_url: "http://127.0.0.1:9/token".into(),
                collection: "sentinel-1-rtc".into(),
            })
        );
        assert!(layer.note.contains("VV polarisation"), "{}", layer.note);
        assert!(layer.note.contains("dB"), "{}", layer.note);
        assert!(!layer.attribution.is_empty());
        assert_eq!(layer.extra["stac_collection"], "sentinel-1-rtc");
    }
}
