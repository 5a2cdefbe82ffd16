//! Items become dated layer plans: what to read (the assets), when (the acquisition day), how
//! to stretch it, and whose it is (credit, licence). Plain data: the app turns a plan into a
//! `model::ImageryLayer`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::StacError;
use super::assets::{AssetChoice, Composite, choose_assets};
use super::stretch::ReflectanceStretch;
use super::types::Item;

/// One item as part of a layer: what to read and where it lies.
#[derive(Clone, Debug, PartialEq)]
pub struct StacScene {
    /// The item's id.
    pub item_id: String,
    /// When its pixels were taken.
    pub acquired: DateTime<Utc>,
    /// Cloud cover of the whole scene, in percent, when the item says.
    pub cloud_cover: Option<f64>,
    /// `sentinel-2b`, `landsat-9`…
    pub platform: Option<String>,
    /// EPSG code of the assets' grid.
    pub epsg: Option<u32>,
    /// `[west, south, east, north]` in degrees.
    pub bbox_lonlat: Option<[f64; 4]>,
    /// The footprint's outer rings in `[lon, lat]`, for drawing on the map.
    pub footprint_lonlat: Vec<Vec<[f64; 2]>>,
    /// The assets to read.
    pub assets: AssetChoice,
    /// A small preview image, when the item has one (unsigned).
    pub thumbnail_href: Option<String>,
}

/// Who an item's imagery is from and under what terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// Timeline track: `Sentinel-2`, `Landsat`, `Sentinel-1`, else the collection id.
    pub track: String,
    /// Name in layer names: `Sentinel-2 L2A`.
    pub label: String,
    /// The credit line in the provider's wording.
    pub credit: String,
    /// The licence, when known.
    pub licence: Option<String>,
}

/// A dated layer to add: one scene, or several taken the same day (a mosaic group).
#[derive(Clone, Debug, PartialEq)]
pub struct StacLayerPlan {
    /// Suggested layer id: `stac-sentinel-2-l2a-S2B_…`, or `stac-{collection}-{date}-mosaic`.
    pub id: String,
    /// Layer name: `Sentinel-2 L2A 14 Jun 2025`.
    pub name: String,
    /// The acquisition day (UTC), the layer's date.
    pub date: NaiveDate,
    /// The collection id.
    pub collection: String,
    /// Track, label, credit and licence.
    pub provider: Provider,
    /// What an analyst should know: items, cloud cover, CRS, stretch, licence.
    pub note: String,
    /// The scenes, in the order given (draw later ones over earlier ones).
    pub scenes: Vec<StacScene>,
    /// Mean cloud cover of the scenes that state it.
    pub cloud_cover: Option<f64>,
    /// Cloud, cirrus and cloud shadow over the searched view, percent, where the scenes'
    /// classification bands were read (mean of those that were): what "clearest" thins by.
    pub view_cloud: Option<f64>,
    /// The stretch for band composites, the same for every layer of a series; `None` when
    /// every scene is a visual composite or radar.
    pub stretch: Option<ReflectanceStretch>,
    /// The composite asked for.
    pub composite: Composite,
}

impl StacLayerPlan {
    /// The item ids, in order.
    #[must_use]
    pub fn item_ids(&self) -> Vec<&str> {
        self.scenes
            .iter()
            .map(|scene| scene.item_id.as_str())
            .collect()
    }
}

/// How to turn items into layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanOptions {
    /// Which picture.
    pub composite: Composite,
    /// One stretch for every band composite of the series.
    pub stretch: ReflectanceStretch,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            composite: Composite::TrueColour,
            stretch: ReflectanceStretch::DEFAULT,
        }
    }
}

/// The provider of `collection` (and `platform`), with the year for Copernicus' credit line
/// and the item's own licence when it states one.
#[must_use]
pub fn provider(
    collection: &str,
    platform: Option<&str>,
    year: i32,
    licence: Option<&str>,
) -> Provider {
    let id = collection.to_ascii_lowercase();
    let platform = platform.unwrap_or("").to_ascii_lowercase();
    let is = |prefix: &str| id.starts_with(prefix) || platform.starts_with(prefix);
    let stated = licence
        .filter(|l| !l.is_empty() && !matches!(*l, "proprietary" | "various" | "other"))
        .map(str::to_owned);
    let copernicus = || format!("Contains modified Copernicus Sentinel data {year}");
    let sentinel_terms = "Copernicus Sentinel data terms and conditions (free, full and open)";
    let (track, label, credit, licence) = if is("sentinel-2") {
        let label = if id.contains("l2a") {
            "Sentinel-2 L2A"
        } else {
            "Sentinel-2"
        };
        (
            "Sentinel-2",
            label.to_owned(),
            copernicus(),
            Some(sentinel_terms.to_owned()),
        )
    } else if is("sentinel-1") {
        let label = if id.contains("rtc") {
            "Sentinel-1 RTC"
        } else {
            "Sentinel-1"
        };
        (
            "Sentinel-1",
            label.to_owned(),
            copernicus(),
            Some(sentinel_terms.to_owned()),
        )
    } else if is("landsat") {
        let label = if id.contains("c2-l2") {
            "Landsat C2 L2"
        } else {
            "Landsat"
        };
        (
            "Landsat",
            label.to_owned(),
            "Landsat imagery courtesy of the U.S. Geological Survey".to_owned(),
            Some("Public domain (U.S. Geological Survey)".to_owned()),
        )
    } else {
        (
            collection,
            collection.to_owned(),
            format!("{collection} (STAC)"),
            None,
        )
    };
    Provider {
        track: track.to_owned(),
        label,
        credit,
        licence: stated.or(licence),
    }
}

/// Reads one item as a scene: its date and the assets for `composite`.
pub fn plan_scene(item: &Item, composite: Composite, origin: &str) -> Result<StacScene, StacError> {
    let Some(acquired) = item.acquired() else {
        return Err(StacError::NoDate {
            item_id: item.id.clone(),
            origin: item.self_href().unwrap_or(origin).to_owned(),
        });
    };
    let assets = choose_assets(item, composite, origin)?;
    Ok(StacScene {
        item_id: item.id.clone(),
        acquired,
        cloud_cover: item.properties.cloud_cover,
        platform: item.properties.platform.clone(),
        epsg: item.properties.epsg_code(),
        bbox_lonlat: item.bbox_lonlat(),
        footprint_lonlat: item.footprint_rings(),
        assets,
        thumbnail_href: item.assets.get("thumbnail").map(|asset| asset.href.clone()),
    })
}

/// One layer for one item ("Add"); `origin` (the search URL or file) names it in errors.
pub fn plan_layer(
    item: &Item,
    options: PlanOptions,
    origin: &str,
) -> Result<StacLayerPlan, StacError> {
    let scene = plan_scene(item, options.composite, origin)?;
    let collection = item.collection.clone().unwrap_or_default();
    Ok(layer_from_scenes(
        &collection,
        item.properties.license.as_deref(),
        vec![scene],
        options,
    ))
}

/// The layer for scenes of one collection taken the same day (at least one scene).
pub(crate) fn layer_from_scenes(
    collection: &str,
    licence: Option<&str>,
    scenes: Vec<StacScene>,
    options: PlanOptions,
) -> StacLayerPlan {
    let first = scenes.first();
    let date = first.map_or(NaiveDate::MIN, |scene| scene.acquired.date_naive());
    let platform = first.and_then(|scene| scene.platform.as_deref());
    let provider = provider(collection, platform, date.year(), licence);
    let known: Vec<f64> = scenes
        .iter()
        .filter_map(|scene| scene.cloud_cover)
        .collect();
    let cloud_cover = (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
    let banded = scenes
        .iter()
        .any(|scene| matches!(scene.assets, AssetChoice::Bands { .. }));
    let stretch = banded.then_some(options.stretch);
    let false_colour = options.composite == Composite::FalseColourNir;
    let day = date.format("%-d %b %Y");
    let (id, name) = match scenes.as_slice() {
        [one] => (
            format!("stac-{collection}-{}", one.item_id),
            format!("{} {day}", provider.label),
        ),
        many => (
            format!("stac-{collection}-{}-mosaic", date.format("%Y-%m-%d")),
            format!("{} {day} (mosaic of {})", provider.label, many.len()),
        ),
    };
    let name = if false_colour {
        format!("{name} NIR")
    } else {
        name
    };
    let note = note(collection, &scenes, cloud_cover, stretch, &provider);
    StacLayerPlan {
        id,
        name,
        date,
        collection: collection.to_owned(),
        provider,
        note,
        scenes,
        cloud_cover,
        view_cloud: None,
        stretch,
        composite: options.composite,
    }
}

/// `STAC sentinel-2-l2a item S2B_…; cloud 3.5 %; EPSG:32633; reflectance 0–0.3 → 0–255, gamma
/// 2.2; licence: …`.
fn note(
    collection: &str,
    scenes: &[StacScene],
    cloud_cover: Option<f64>,
    stretch: Option<ReflectanceStretch>,
    provider: &Provider,
) -> String {
    let ids: Vec<&str> = scenes.iter().map(|scene| scene.item_id.as_str()).collect();
    let mut parts = vec![format!(
        "STAC {collection} item{} {}",
        if ids.len() == 1 { "" } else { "s" },
        ids.join(", ")
    )];
    if let Some(cloud) = cloud_cover {
        parts.push(format!("cloud {cloud:.1} %"));
    }
    let mut epsg: Vec<u32> = scenes.iter().filter_map(|scene| scene.epsg).collect();
    epsg.dedup();
    if !epsg.is_empty() {
        let codes: Vec<String> = epsg.iter().map(|code| format!("EPSG:{code}")).collect();
        parts.push(codes.join("/"));
    }
    if let Some(stretch) = stretch {
        parts.push(stretch.describe());
    } else if let Some(AssetChoice::Backscatter { stretch, .. }) =
        scenes.first().map(|scene| &scene.assets)
    {
        parts.push(stretch.describe());
    } else {
        parts.push("visual composite as delivered".to_owned());
    }
    if let Some(licence) = &provider.licence {
        parts.push(format!("licence: {licence}"));
    }
    parts.join("; ")
}
