//! Where Esri's Wayback answers, and the HTTP calls that finding captures makes: the release
//! list, the `tilemap` of a release, a release's tile and its metadata layer. Every address is
//! injectable ([`WaybackService::replica`]) so tests ask a server on 127.0.0.1.

use std::time::Duration;

use super::http::{DEFAULT_TIMEOUT, user_agent};
use super::wayback::{CONFIG_URL, WaybackError};

/// The environment variable naming the base URL of a Wayback mirror or replica the window asks
/// instead of Esri (see [`WaybackService::replica`]).
pub const SERVICE_ENV: &str = "SITEWATCH_WAYBACK_URL";

/// Esri's tilemap: whether a release (or an older one, named in `select`) has a tile here.
const ESRI_TILEMAP_URL: &str = "https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/MapServer/tilemap/{release}/{z}/{y}/{x}";

/// The most bytes one answer may have: tiles and metadata answers are tens of KiB.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The addresses of a Wayback service. Templates take `{release}`, `{z}`, `{y}` (row) and `{x}`
/// (column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaybackService {
    /// The release list (`waybackconfig.json`).
    pub config_url: String,
    /// The tilemap of a release at a tile.
    pub tilemap_template: String,
    /// A release's tile; also the URL of the layers made from captures.
    pub tile_template: String,
}

impl Default for WaybackService {
    fn default() -> Self {
        Self::esri()
    }
}

impl WaybackService {
    /// Esri's own service.
    #[must_use]
    pub fn esri() -> Self {
        Self {
            config_url: CONFIG_URL.to_owned(),
            tilemap_template: ESRI_TILEMAP_URL.to_owned(),
            tile_template: super::dated::WAYBACK_URL.to_owned(),
        }
    }

    /// A mirror or replica at `base`: `{base}/waybackconfig.json`,
    /// `{base}/tilemap/{release}/{z}/{y}/{x}` and `{base}/tile/{release}/{z}/{y}/{x}` (the
    /// metadata layers are wherever its release list says).
    #[must_use]
    pub fn replica(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Self {
            config_url: format!("{base}/waybackconfig.json"),
            tilemap_template: format!("{base}/tilemap/{{release}}/{{z}}/{{y}}/{{x}}"),
            tile_template: format!("{base}/tile/{{release}}/{{z}}/{{y}}/{{x}}"),
        }
    }

    /// The replica named by [`SERVICE_ENV`] when it is set, else Esri's.
    #[must_use]
    pub fn from_env() -> Self {
        std::env::var(SERVICE_ENV)
            .ok()
            .filter(|base| !base.trim().is_empty())
            .map_or_else(Self::esri, |base| Self::replica(&base))
    }

    /// Whether this is Esri's own service (whose release list may be cached on disk).
    #[must_use]
    pub fn is_esri(&self) -> bool {
        self.config_url == CONFIG_URL
    }

    /// The tilemap URL of `release` at a tile.
    #[must_use]
    pub fn tilemap_url(&self, release: u32, tile: TileAddress) -> String {
        fill(&self.tilemap_template, release, tile)
    }

    /// The tile URL of `release` at a tile.
    #[must_use]
    pub fn tile_url(&self, release: u32, tile: TileAddress) -> String {
        fill(&self.tile_template, release, tile)
    }
}

fn fill(template: &str, release: u32, tile: TileAddress) -> String {
    template
        .replace("{release}", &release.to_string())
        .replace("{z}", &tile.z.to_string())
        .replace("{y}", &tile.row.to_string())
        .replace("{x}", &tile.col.to_string())
}

/// A Web Mercator tile: zoom, row (from the north) and column (from the antimeridian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileAddress {
    /// Zoom level.
    pub z: u8,
    /// Row, 0 at the north edge.
    pub row: u32,
    /// Column, 0 at 180° W.
    pub col: u32,
}

impl TileAddress {
    /// The tile under `lonlat` (degrees) at zoom `z`.
    #[must_use]
    pub fn at(lonlat: [f64; 2], z: u8) -> Self {
        let n = f64::from(1u32 << z.min(30));
        let [lon, lat] = lonlat;
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let x = (lon + 180.0) / 360.0 * n;
        let y = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n;
        // Truncation is the point: the tile index is the integer part, kept inside the grid.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let index = |v: f64| v.floor().clamp(0.0, n - 1.0) as u32;
        Self {
            z,
            row: index(y),
            col: index(x),
        }
    }
}

/// Why finding captures failed. The URL comes last in each message, once.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The release list could not be had.
    #[error(transparent)]
    Releases(#[from] WaybackError),
    /// A request got no answer within the time allowed.
    #[error("Wayback {what}: no answer within {timeout_ms} ms: {url}")]
    TimedOut {
        /// What was asked for ("tilemap", "tile", "metadata").
        what: &'static str,
        /// The limit.
        timeout_ms: u128,
        /// Requested URL.
        url: String,
    },
    /// A request failed before an answer (refused, TLS) or its body could not be read.
    #[error("Wayback {what}: no answer: {url}")]
    Network {
        /// What was asked for.
        what: &'static str,
        /// What ureq reported.
        #[source]
        source: ureq::Error,
        /// Requested URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("Wayback {what}: HTTP {status}: {url}")]
    Http {
        /// What was asked for.
        what: &'static str,
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// The answer is not what the service gives ("not JSON", "no `data` array").
    #[error("Wayback {what}: unexpected answer ({message}): {url}")]
    Malformed {
        /// What was asked for.
        what: &'static str,
        /// What is wrong with it.
        message: String,
        /// Requested URL.
        url: String,
    },
    /// The release list has no releases.
    #[error("the Wayback release list is empty: {url}")]
    NoReleases {
        /// The list's URL.
        url: String,
    },
    /// The user stopped it.
    #[error("cancelled")]
    Cancelled,
}

/// One ureq agent with the app's User-Agent and one limit per request.
#[derive(Clone, Debug)]
pub struct WaybackHttp {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Default for WaybackHttp {
    fn default() -> Self {
        Self::new(DEFAULT_TIMEOUT)
    }
}

impl WaybackHttp {
    /// Requests that each give up after `timeout`.
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .user_agent(user_agent().as_str())
            .http_status_as_error(false)
            .build()
            .into();
        Self { agent, timeout }
    }

    /// The limit of one request.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The body of `GET url`; `what` names the request in errors.
    pub fn get(&self, what: &'static str, url: &str) -> Result<Vec<u8>, CaptureError> {
        let failed = |source: ureq::Error| match source {
            ureq::Error::Timeout(_) => CaptureError::TimedOut {
                what,
                timeout_ms: self.timeout.as_millis(),
                url: url.to_owned(),
            },
            source => CaptureError::Network {
                what,
                source,
                url: url.to_owned(),
            },
        };
        log::debug!("Wayback {what}: {url}");
        let mut response = self.agent.get(url).call().map_err(failed)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(CaptureError::Http {
                what,
                status,
                url: url.to_owned(),
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(failed)
    }
}

/// Which part of the search is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading the release list.
    Releases,
    /// Walking the releases with the tilemap.
    Tilemap,
    /// Fetching the candidates' tiles to compare their bytes.
    Tiles,
    /// Asking each kept release's metadata layer for the capture date.
    Metadata,
}

/// Where a search stands: `done` of `total` in `phase` (releases for the tilemap walk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The part running.
    pub phase: Phase,
    /// Steps done.
    pub done: usize,
    /// Steps in this part.
    pub total: usize,
}

impl Progress {
    /// "Release 3 of 40 (tilemap)".
    #[must_use]
    pub fn text(&self) -> String {
        let (done, total) = (self.done, self.total);
        match self.phase {
            Phase::Releases => "Reading the Wayback release list…".to_owned(),
            Phase::Tilemap => format!("Checked {done} of {total} releases for changes here…"),
            Phase::Tiles => format!("Comparing tiles: {done} of {total} candidate releases…"),
            Phase::Metadata => format!("Capture dates: {done} of {total} releases…"),
        }
    }
}

/// How a search reports where it stands and learns that it should stop (checked before each
/// request; a request already sent ends within the timeout).
pub struct Watch<'a> {
    /// Set by the user to stop.
    pub cancel: &'a std::sync::atomic::AtomicBool,
    /// Called at each step.
    pub report: &'a (dyn Fn(Progress) + Sync),
}

impl Watch<'_> {
    /// Reports `progress`, then says whether to go on.
    pub fn step(&self, phase: Phase, done: usize, total: usize) -> Result<(), CaptureError> {
        (self.report)(Progress { phase, done, total });
        if self.cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(CaptureError::Cancelled);
        }
        Ok(())
    }
}

/// RFC 3986's unreserved characters, left as they are in query values.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes all but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_under_a_point_follows_the_xyz_grid() {
        assert_eq!(
            TileAddress::at([0.0, 0.0], 1),
            TileAddress {
                z: 1,
                row: 1,
                col: 1
            }
        );
        let site = TileAddress::at([130.64, 42.42], 12);
        assert_eq!((site.row, site.col), (1514, 3534));
        let corner = TileAddress::at([180.0, -90.0], 3);
        assert_eq!((corner.row, corner.col), (7, 7), "kept inside the grid");
    }

    #[test]
    fn esri_and_replica_urls_put_the_row_before_the_column() {
        let tile = TileAddress {
            z: 12,
            row: 1510,
            col: 3534,
        };
        let esri = WaybackService::esri();
        assert!(esri.is_esri());
        assert_eq!(
            esri.tilemap_url(58924, tile),
            "https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/MapServer/tilemap/58924/12/1510/3534"
        );
        let replica = WaybackService::replica("http://127.0.0.1:9/");
        assert!(!replica.is_esri());
        assert_eq!(
            replica.tile_url(7, tile),
            "http://127.0.0.1:9/tile/7/12/1510/3534"
        );
        assert_eq!(replica.config_url, "http://127.0.0.1:9/waybackconfig.json");
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a-b_c.d~"), "a-b_c.d~");
        assert_eq!(percent_encode("{\"x\":1}"), "%7B%22x%22%3A1%7D");
        assert_eq!(percent_encode("1=1"), "1%3D1");
    }
}
