//! STAC (the `SpatioTemporal` Asset Catalog): searching an API or reading a catalogue file for dated
//! scenes over the site, signing Planetary Computer assets, and planning dated layers from the
//! items (which assets, which stretch, whose credit). No UI and no pixels in here: the app turns
//! a [`StacLayerPlan`] into a layer, and the raster reader reads its assets.

pub mod assets;
pub mod clear_sky;
pub mod client;
pub mod composite;
mod error;
pub mod file;
pub mod plan;
pub mod presets;
pub mod series;
pub mod signing;
pub mod stretch;
pub mod thumbnail;
mod transport;
pub mod types;

pub use assets::{AssetChoice, BandAsset, Composite, choose_assets};
pub use clear_sky::{ClearSky, scene_classification};
pub use client::{SearchMethod, SearchParams, SearchResults, StacClient};
pub use composite::composite_layer;
pub use error::StacError;
pub use file::{FileItems, read_items_file};
pub use plan::{PlanOptions, Provider, StacLayerPlan, StacScene, plan_layer, plan_scene, provider};
pub use presets::{CollectionPreset, Signing, StacApi};
pub use series::{SeriesPlan, Thinning, plan_series, plan_series_over_view};
pub use signing::{Clock, SasSigner, SasToken};
pub use stretch::{DecibelStretch, ReflectanceStretch};
pub use types::{Asset, BandValues, Item, ItemCollection, Link};

#[cfg(test)]
mod tests;
