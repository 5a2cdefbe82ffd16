//! STAC from disk: an item collection file (a saved search), a single item, or a static
//! catalogue (`catalog.json` / `collection.json` with `item` and `child` links to files beside it).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::StacError;
use super::client::parse_item_collection;
use super::types::{Item, Link};

/// How deep `child` links are followed from the file opened.
const MAX_CATALOGUE_DEPTH: usize = 4;

/// How many files one catalogue may make us open.
const MAX_CATALOGUE_FILES: usize = 5000;

/// The items of a STAC file.
#[derive(Debug, Default)]
pub struct FileItems {
    /// Every item found, in link order.
    pub items: Vec<Item>,
    /// `item`/`child` links to `http(s)` URLs, not followed (a static catalogue online is read
    /// through its STAC API instead).
    pub remote_links_skipped: usize,
    /// Links not followed because the catalogue was deeper or larger than the limits.
    pub links_over_limit: usize,
}

/// Reads `path`: an item collection, an item, or a catalogue or collection whose `item` and
/// `child` links lead to local files.
pub fn read_items_file(path: &Path) -> Result<FileItems, StacError> {
    let mut found = FileItems::default();
    let mut files_opened = 0;
    read_into(path, 0, &mut files_opened, &mut found)?;
    Ok(found)
}

fn read_into(
    path: &Path,
    depth: usize,
    files_opened: &mut usize,
    found: &mut FileItems,
) -> Result<(), StacError> {
    *files_opened += 1;
    let bytes = std::fs::read(path).map_err(|source| StacError::Io {
        source,
        path: path.to_path_buf(),
    })?;
    let origin = path.display().to_string();
    let document: Value =
        serde_json::from_slice(&bytes).map_err(|err| StacError::json(err, &origin))?;
    let kind = document.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "FeatureCollection" => {
            let collection = parse_item_collection(&bytes, &origin)?;
            found.items.extend(collection.features);
        }
        "Feature" => {
            let item: Item =
                serde_json::from_value(document).map_err(|err| StacError::json(err, &origin))?;
            found.items.push(item);
        }
        "Catalog" | "Collection" => {
            let links: Vec<Link> = document
                .get("links")
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|err| StacError::json(err, &origin))?
                .unwrap_or_default();
            let base = path.parent().unwrap_or(Path::new("."));
            for link in links.iter().filter(|l| l.rel == "item" || l.rel == "child") {
                let Some(target) = local_target(base, &link.href) else {
                    found.remote_links_skipped += 1;
                    continue;
                };
                let next_depth = depth + usize::from(link.rel == "child");
                if next_depth > MAX_CATALOGUE_DEPTH || *files_opened >= MAX_CATALOGUE_FILES {
                    found.links_over_limit += 1;
                    continue;
                }
                read_into(&target, next_depth, files_opened, found)?;
            }
        }
        other => {
            return Err(StacError::NotStac {
                what: if other.is_empty() {
                    "no \"type\"".to_owned()
                } else {
                    format!("type {other}")
                },
                origin,
            });
        }
    }
    Ok(())
}

/// The file a link points to, relative to `base`; `None` for a URL.
fn local_target(base: &Path, href: &str) -> Option<PathBuf> {
    if href.contains("://") {
        return href.strip_prefix("file://").map(PathBuf::from);
    }
    Some(base.join(href))
}
