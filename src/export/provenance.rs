//! What an export records about itself (FIGURES.md "Provenance"): the imagery layers with their
//! providers, dates and credits; the view; the annotations shown with their sources and
//! certainty; project, software, export time and the PNG's SHA-256. The same facts, shorter,
//! go into the PNG's text chunks.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::files::{EPSG_3857_WKT, TextChunk};
use super::tiles::LayerReport;
use super::view::ExportView;
use crate::export::RasterLabel;
use crate::model::Project;
use crate::scene::Scene;
use crate::spatial::mercator::meters_per_px;

/// The software line: `Sitewatch 0.1.0`.
#[must_use]
pub fn software() -> String {
    format!("Sitewatch {}", env!("CARGO_PKG_VERSION"))
}

/// Everything the provenance record is made from.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// The project exported.
    pub project: &'a Project,
    /// Its file, when it has one.
    pub project_file: Option<&'a Path>,
    /// The scene drawn.
    pub scene: &'a Scene,
    /// The view.
    pub view: &'a ExportView,
    /// The tile layers drawn, bottom first.
    pub tile_layers: &'a [LayerReport],
    /// The labels that found a place.
    pub labels: &'a [RasterLabel],
    /// Imagery layers of the scene left out for want of a source (by name).
    pub layers_left_out: &'a [String],
    /// A swipe figure's other date (its left side).
    pub compare: Option<&'a super::Compared>,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn view_json(view: &ExportView) -> Value {
    let c = view.center_lonlat();
    json!({
        "crs": "EPSG:3857",
        "center_lonlat": [c.x, c.y],
        "zoom": view.zoom(),
        "size_px": view.size_px(),
        "bbox_3857": view.bbox_3857(),
        "bbox_lonlat": view.bbox_lonlat(),
        "meters_per_px_at_center": view.meters_per_px(),
        "world_file": view.world_file(),
    })
}

/// A layer's alignment shift as the sidecar records it (`{"east": m, "north": m}`), or `None`
/// for a layer drawn as georeferenced.
fn offset_json(offset_m: [f64; 2]) -> Option<Value> {
    (offset_m != [0.0, 0.0]).then(|| json!({ "east": offset_m[0], "north": offset_m[1] }))
}

/// A shown layer in a side's or a panel's record: id, name, date, credit, synthetic, and its
/// alignment offset when it has one.
pub(super) fn side_layer_json(l: &crate::scene::SceneLayer) -> Value {
    let mut v = json!({
        "id": l.id, "name": l.name, "date_label": l.date_label, "credit": l.credit,
        "synthetic": l.synthetic,
    });
    if let (Some(obj), Some(offset)) = (v.as_object_mut(), offset_json(l.offset_m)) {
        obj.insert("offset_m".into(), offset);
    }
    v
}

fn layers_json(record: &Record<'_>) -> Vec<Value> {
    let lat = record.view.center_lonlat().y;
    let tiles_json = |l: &LayerReport| {
        let mut v = json!({
            "provider": l.name,
            "credit": l.credit,
            "tile_zoom": l.tile_zoom,
            "resolution_m_per_px": meters_per_px(lat, f64::from(l.tile_zoom)),
            "tiles": l.tiles,
            "opacity": l.opacity,
        });
        if let (Some(obj), false) = (v.as_object_mut(), l.lower_resolution.is_empty()) {
            let lower: Vec<Value> = l
                .lower_resolution
                .iter()
                .map(|t| json!({ "tile": t.tile.to_string(), "drawn_from_zoom": t.from_zoom }))
                .collect();
            obj.insert("lower_resolution_tiles".into(), json!(lower));
        }
        v
    };
    let mut layers: Vec<Value> = record
        .tile_layers
        .iter()
        .filter(|l| l.layer_id.is_none())
        .enumerate()
        .map(|(i, l)| {
            let mut v = tiles_json(l);
            if let Some(obj) = v.as_object_mut() {
                let role = if i == 0 { "basemap" } else { "tiles" };
                obj.insert("role".into(), json!(role));
            }
            v
        })
        .collect();
    for shown in &record.scene.layers {
        let layer = record.project.layers.iter().find(|l| l.id == shown.id);
        let mut v = json!({
            "role": "imagery",
            "id": shown.id,
            "name": shown.name,
            "provider": layer.map(|l| l.track.clone()),
            "date": layer.and_then(|l| l.date).map(|d| d.to_string()),
            "date_label": shown.date_label,
            "credit": shown.credit,
            "synthetic": shown.synthetic,
            "opacity": shown.opacity,
        });
        let drawn = record
            .tile_layers
            .iter()
            .find(|r| r.layer_id.as_deref() == Some(shown.id.as_str()));
        if let Some(obj) = v.as_object_mut() {
            if let Some(report) = drawn {
                obj.insert("drawn_from".into(), tiles_json(report));
            }
            if let Some(offset) = offset_json(shown.offset_m) {
                obj.insert("offset_m".into(), offset);
            }
            // Scene id, sensor, acquisition time … as the project file records them.
            for (k, value) in layer.iter().flat_map(|l| &l.extra) {
                obj.entry(k.clone()).or_insert_with(|| value.clone());
            }
        }
        layers.push(v);
    }
    layers
}

fn annotations_json(record: &Record<'_>) -> Vec<Value> {
    let project = record.project;
    record
        .scene
        .items
        .iter()
        .filter_map(|item| project.annotation(&item.id))
        .map(|a| {
            let sources: Vec<Value> = a
                .sources
                .iter()
                .map(|c| {
                    let s = project.source(&c.source);
                    json!({
                        "source": c.source,
                        "evidence": c.evidence.word(),
                        "detail": c.detail,
                        "outlet": s.map(|s| s.outlet.clone()),
                        "title": s.map(|s| s.title.clone()),
                        "url": s.and_then(|s| s.url.clone()),
                        "date": s.and_then(|s| s.date).map(|d| d.to_string()),
                    })
                })
                .collect();
            json!({
                "id": a.id,
                "label": a.display_label(),
                "category": project.category(&a.category).map_or(a.category.clone(), |c| c.name.clone()),
                "kind": a.shape.kind(),
                "certainty": a.certainty.label(),
                "status": a.status.label(),
                "seen_from": a.seen_from.to_string(),
                "seen_until": a.seen_until.map(|d| d.to_string()),
                "label_drawn": record.labels.iter().any(|l| l.id == a.id),
                "note": a.note,
                "sources": sources,
            })
        })
        .collect()
}

/// A swipe figure's left side: date A, its stage, its layers and where the divider is.
fn compare_json(compared: &super::Compared) -> Value {
    let scene = &compared.scene;
    json!({
        "mode": "swipe",
        "divider_px": compared.divider_px,
        "stretch": compared.stretch.name(),
        "picked_layers": { "a": compared.picked[0], "b": compared.picked[1] },
        "left": {
            "date": scene.date.to_string(),
            "date_label": scene.date_label,
            "stage": scene.caption.as_ref().map(|c| json!({
                "stage_date": c.stage_date, "title": c.title,
            })),
            "layers": scene.layers.iter().map(side_layer_json).collect::<Vec<_>>(),
            "tile_layers": compared.layers.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        },
        "right": "the record's own date, stage and layers",
    })
}

/// The JSON sidecar. `png_name` and `sha256` name the image it describes.
#[must_use]
pub fn sidecar(record: &Record<'_>, png_name: &str, sha256: &str) -> Value {
    let scene = record.scene;
    let caption = scene.caption.as_ref().map(|c| {
        json!({
            "stage_date": c.stage_date,
            "title": c.title,
            "summary": c.summary,
            "sources": c.sources.iter().map(|s| json!({
                "label": s.label, "url": s.url, "evidence": s.evidence.word(),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "sitewatch_export": 1,
        "image": { "file": png_name, "sha256": sha256, "format": "PNG" },
        "project": {
            "name": record.project.name,
            "file": record.project_file.map(|p| p.display().to_string()),
        },
        "date": scene.date.to_string(),
        "date_label": scene.date_label,
        "stage": caption,
        "view": view_json(record.view),
        "layers": layers_json(record),
        "layers_left_out": record.layers_left_out,
        "compare": record.compare.map(compare_json),
        "annotations": annotations_json(record),
        "credits": scene.credits,
        "notices": scene.notices,
        "software": { "name": "Sitewatch", "version": env!("CARGO_PKG_VERSION") },
        "exported_at_utc": rfc3339(record.exported_at),
        "crs_wkt": EPSG_3857_WKT,
    })
}

/// The PNG's text chunks: the standard keywords, then the view as JSON.
#[must_use]
pub fn png_text(record: &Record<'_>) -> Vec<TextChunk> {
    let scene = record.scene;
    let mut description = format!("{} at {}", record.project.name, scene.date_label);
    if let Some(c) = &scene.caption {
        let _ = write!(description, ". Stage {}: {}", c.stage_date, c.title);
    }
    let sources: Vec<String> = record
        .tile_layers
        .iter()
        .map(|l| l.name.clone())
        .chain(scene.layers.iter().map(|l| l.name.clone()))
        .collect();
    vec![
        (
            "Title".into(),
            format!("{} — {}", record.project.name, scene.date_label),
        ),
        ("Description".into(), description),
        ("Software".into(), software()),
        ("Creation Time".into(), rfc3339(record.exported_at)),
        ("Source".into(), sources.join(" | ")),
        ("Copyright".into(), scene.credits.join(" | ")),
        ("Disclaimer".into(), scene.notices.join(" | ")),
        ("sitewatch:project".into(), record.project.name.clone()),
        ("sitewatch:date".into(), scene.date.to_string()),
        ("sitewatch:view".into(), view_json(record.view).to_string()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}
