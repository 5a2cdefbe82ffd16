//! The basemap choices: offline overview (default, no network) and two online services.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::TileSource;
use super::disk_cache::DiskCache;
use super::http;
use super::overview::OverviewTiles;

/// Which basemap is under the imagery and annotations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Basemap {
    /// Bundled Natural Earth relief and borders; needs no network.
    #[default]
    Offline,
    /// OpenStreetMap's standard tiles.
    OpenStreetMap,
    /// Esri World Imagery (current, undated mosaic).
    EsriWorldImagery,
}

impl Basemap {
    /// All choices, in menu order.
    pub const ALL: [Basemap; 3] = [
        Basemap::Offline,
        Basemap::OpenStreetMap,
        Basemap::EsriWorldImagery,
    ];

    /// Name in the menu.
    pub fn label(self) -> &'static str {
        match self {
            Basemap::Offline => "Offline overview",
            Basemap::OpenStreetMap => "OpenStreetMap (online)",
            Basemap::EsriWorldImagery => "Esri World Imagery (online)",
        }
    }

    /// True when it needs the network.
    pub fn is_online(self) -> bool {
        !matches!(self, Basemap::Offline)
    }

    /// Builds the tile source. Online sources cache on disk in the user's cache folder.
    pub fn source(self) -> Result<Arc<dyn TileSource>, super::TileError> {
        let cache = || DiskCache::user();
        Ok(match self {
            Basemap::Offline => Arc::new(OverviewTiles::embedded()?),
            Basemap::OpenStreetMap => Arc::new(http::openstreetmap(cache())),
            Basemap::EsriWorldImagery => Arc::new(http::esri_world_imagery(cache())),
        })
    }
}
