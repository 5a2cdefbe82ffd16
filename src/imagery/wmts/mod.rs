//! WMTS (OGC Web Map Tile Service): a `GetCapabilities` document's layers, formats and tile matrix
//! sets; the Web Mercator sets turned into XYZ URL templates (`{z}/{x}/{y}`) the tile loader
//! reads; and a layer's `Time` dimension (NASA GIBS has one on every daily product) expanded
//! into dated layers for one track.

mod capabilities;
mod layers;
mod time;
mod xml;
mod xyz;

use std::time::Duration;

pub use capabilities::{
    Capabilities, Dimension, ResourceUrl, Style, TileMatrix, TileMatrixSet, WmtsLayer,
    parse_capabilities,
};
pub use layers::{
    MAX_SERIES, MatrixSetChoice, matrix_set_choices, nearest_value, series_layers, service_credit,
    single_layer,
};
pub use time::{WmtsDatedLayer, dated_layers, time_values};
pub use xyz::{XyzOptions, XyzTemplate, xyz_template};

use super::http::{DEFAULT_TIMEOUT, user_agent};

/// The most bytes a capabilities document may have (NASA GIBS' full document is about 10 MiB).
const MAX_CAPABILITIES_BYTES: u64 = 64 * 1024 * 1024;

/// Why a WMTS service could not be read or a layer not be turned into tiles. The URL, file or
/// layer comes last in each message.
#[derive(Debug, thiserror::Error)]
pub enum WmtsError {
    /// The request got no answer (refused, timed out, TLS) or the body could not be read.
    #[error("WMTS capabilities request got no answer: {url}")]
    Network {
        /// What ureq reported.
        #[source]
        source: ureq::Error,
        /// Requested URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("WMTS server answered HTTP {status}: {url}")]
    Http {
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// The document is not well-formed XML.
    #[error("malformed WMTS capabilities XML ({message}): {origin}")]
    Xml {
        /// What is wrong and near which byte.
        message: String,
        /// The URL or file.
        origin: String,
    },
    /// Well-formed XML that is not a WMTS `Capabilities` document (a WMS one, an error report).
    #[error("not a WMTS capabilities document (root <{root}>): {origin}")]
    NotCapabilities {
        /// The root element found.
        root: String,
        /// The URL or file.
        origin: String,
    },
    /// The layer asked for is not in the document.
    #[error("no layer {layer} in the capabilities: {origin}")]
    NoLayer {
        /// The identifier asked for.
        layer: String,
        /// The URL or file.
        origin: String,
    },
    /// None of the layer's tile matrix sets is Web Mercator.
    #[error("layer has no Web Mercator (EPSG:3857) tile matrix set: {layer}")]
    NoWebMercator {
        /// The layer.
        layer: String,
    },
    /// The layer has no tile URL in the format asked for, and the service no KVP `GetTile`.
    #[error("layer has no tile URL for format {format}: {layer}")]
    NoTileUrl {
        /// The format asked for (or `any`).
        format: String,
        /// The layer.
        layer: String,
    },
    /// The tile matrix identifiers do not follow the zoom levels (`0`, `1`… or `prefix:0`,
    /// `prefix:1`…), so one `{z}` cannot stand for them.
    #[error("tile matrix identifiers do not follow zoom levels: {tile_matrix_set}")]
    IrregularMatrixIds {
        /// The tile matrix set.
        tile_matrix_set: String,
    },
}

/// Downloads and parses the capabilities document at `url`, giving up after `timeout` (the
/// tiles' default when `None`).
pub fn fetch_capabilities(url: &str, timeout: Option<Duration>) -> Result<Capabilities, WmtsError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout.unwrap_or(DEFAULT_TIMEOUT)))
        .user_agent(user_agent().as_str())
        .http_status_as_error(false)
        .build()
        .into();
    let network = |source| WmtsError::Network {
        source,
        url: url.to_owned(),
    };
    let mut response = agent.get(url).call().map_err(network)?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(WmtsError::Http {
            status,
            url: url.to_owned(),
        });
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_CAPABILITIES_BYTES)
        .read_to_string()
        .map_err(network)?;
    parse_capabilities(&text, url)
}
