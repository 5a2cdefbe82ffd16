//! Which files are imagery, and the layer a file becomes when it is added.

use std::path::Path;

use crate::imagery::file_date::date_from_file_name;
use crate::model::ids::unique_id;
use crate::model::{ImageryLayer, LayerSource};

/// File endings added as imagery layers (GeoTIFF, an image with a world file, or a PMTiles
/// raster archive).
pub const IMAGERY_EXTENSIONS: [&str; 6] = ["tif", "tiff", "png", "jpg", "jpeg", "pmtiles"];

/// True for a file that is added as an imagery layer when dropped or picked.
pub fn is_imagery_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGERY_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A layer for a file: named by its stem, dated from its name when it holds a date.
pub fn layer_for_file(path: &Path, base_dir: &Path, taken: &[String]) -> ImageryLayer {
    let stem = path.file_stem().map_or_else(
        || "imagery".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let id = unique_id(
        &format!(
            "file-{}",
            stem.to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "-")
        ),
        |t| taken.iter().any(|x| x == t),
    );
    // Keep paths relative to the project folder when the file is inside it.
    let shown_path = path
        .strip_prefix(base_dir)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    ImageryLayer {
        id,
        name: stem,
        date: date_from_file_name(path),
        date_kind: crate::model::layer::DateKind::Acquisition,
        note: String::new(),
        track: "Imported".to_owned(),
        attribution: String::new(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File { path: shown_path },
        display: None,
        offset_m: None,
        extra: serde_json::Map::new(),
    }
}

/// A layer for a GeoTIFF on a web server (`https://`, `http://`, `s3://`, `gs://`): named and
/// dated from the file name at the end of the address; `None` for an address Sitewatch cannot
/// read.
pub fn layer_for_url(url: &str) -> Option<ImageryLayer> {
    let url = url.trim();
    if !crate::imagery::raster::http_bytes::is_remote_url(url) {
        return None;
    }
    let file = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .filter(|f| !f.is_empty())
        .unwrap_or("remote");
    let stem = Path::new(file)
        .file_stem()
        .map_or_else(|| "remote".to_owned(), |s| s.to_string_lossy().into_owned());
    let slug: String = stem
        .to_lowercase()
        .replace(|c: char| !c.is_alphanumeric(), "-");
    Some(ImageryLayer {
        id: format!("remote-{slug}"),
        name: stem,
        date: date_from_file_name(Path::new(file)),
        date_kind: crate::model::layer::DateKind::Acquisition,
        note: String::new(),
        track: "Remote".to_owned(),
        attribution: String::new(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::Remote {
            url: url.to_owned(),
        },
        display: None,
        offset_m: None,
        extra: serde_json::Map::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_address_becomes_a_layer_named_and_dated_from_its_file() {
        let layer = layer_for_url(" s3://bucket/S2B_20250614_TCI.tif?x=1 ").unwrap();
        assert_eq!(layer.name, "S2B_20250614_TCI");
        assert_eq!(
            layer.date.map(|d| d.to_string()),
            Some("2025-06-14".to_owned())
        );
        assert_eq!(
            layer.source,
            LayerSource::Remote {
                url: "s3://bucket/S2B_20250614_TCI.tif?x=1".to_owned()
            }
        );
        assert!(layer_for_url("/home/me/a.tif").is_none());
    }

    #[test]
    fn a_dated_file_name_gives_the_layer_its_date_and_a_unique_id() {
        let base = Path::new("/data/site");
        let taken = vec!["file-planet-2025-07-05".to_owned()];
        let layer = layer_for_file(
            Path::new("/data/site/img/Planet_2025-07-05.tif"),
            base,
            &taken,
        );
        assert_eq!(layer.id, "file-planet-2025-07-05-2");
        assert_eq!(
            layer.date.map(|d| d.to_string()).as_deref(),
            Some("2025-07-05")
        );
        assert_eq!(
            layer.source,
            LayerSource::File {
                path: "img/Planet_2025-07-05.tif".into()
            }
        );
        let outside = layer_for_file(Path::new("/elsewhere/scene.jpg"), base, &[]);
        assert_eq!(outside.date, None);
        assert_eq!(
            outside.source,
            LayerSource::File {
                path: "/elsewhere/scene.jpg".into()
            }
        );
    }

    #[test]
    fn only_raster_files_are_imagery() {
        assert!(is_imagery_path(Path::new("a/b.TIF")));
        assert!(is_imagery_path(Path::new("x.jpeg")));
        assert!(!is_imagery_path(Path::new("x.geojson")));
        assert!(!is_imagery_path(Path::new("x")));
    }
}
