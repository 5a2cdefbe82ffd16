//! Tiles downloaded over HTTP(S) from an XYZ URL template, through a [`DiskCache`].
//!
//! `fetch` blocks (ureq); the [`TileLoader`](super::tile_loader::TileLoader) calls it on worker
//! threads. Only bytes that decode as an image are cached, so an error page is never served
//! from disk later.

use std::collections::BTreeMap;
use std::time::Duration;

use super::disk_cache::{CachedEntry, DiskCache, Validators};
use super::tile_source::{TileError, TileKey, TileSource};

/// How long one tile request may take, connection to last byte, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The `host[:port]` of a URL: no scheme, credentials, path, query or fragment (the text up to
/// the first `/` when it has no scheme). The unit of per-host limits, cache folders and messages.
#[must_use]
pub fn url_host(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// Tile servers are asked to identify the application (OpenStreetMap's policy requires it):
/// `sitewatch/<version> (+<repository>)`.
#[must_use]
pub fn user_agent() -> String {
    format!(
        "{}/{} (+{})",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// What an HTTP tile layer is: where its tiles are and how to ask for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpTileConfig {
    /// Short name shown in the layer list and in failure messages.
    pub name: String,
    /// URL with `{z}`, `{x}`, `{y}` and any `{name}` from `vars`, for example
    /// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub url_template: String,
    /// The provider's credit line, shown on the map and in exports.
    pub attribution: String,
    /// Highest zoom the server has; deeper views magnify this level.
    pub max_zoom: u8,
    /// Sent as the `User-Agent` header.
    pub user_agent: String,
    /// Limit for one request, connection to last byte.
    pub timeout: Duration,
    /// Values for the other placeholders in `url_template`: `{date}`, `{year}`, `{release}`,
    /// `{layer}`…
    pub vars: BTreeMap<String, String>,
}

impl HttpTileConfig {
    /// A layer with this crate's [`user_agent`], the [`DEFAULT_TIMEOUT`] and no extra
    /// placeholders.
    pub fn new(
        name: impl Into<String>,
        url_template: impl Into<String>,
        attribution: impl Into<String>,
        max_zoom: u8,
    ) -> Self {
        Self {
            name: name.into(),
            url_template: url_template.into(),
            attribution: attribution.into(),
            max_zoom,
            user_agent: user_agent(),
            timeout: DEFAULT_TIMEOUT,
            vars: BTreeMap::new(),
        }
    }

    /// The same layer with `{name}` in the URL template standing for `value`.
    #[must_use]
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }
}

/// A [`TileSource`] that downloads from an XYZ server, reading and filling a disk cache.
pub struct HttpTileSource {
    config: HttpTileConfig,
    cache: Option<DiskCache>,
    agent: ureq::Agent,
    tile_size_px: u32,
}

impl HttpTileSource {
    /// A source for `config`; with `cache`, tiles are read from and written to it.
    #[must_use]
    pub fn new(config: HttpTileConfig, cache: Option<DiskCache>) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .user_agent(config.user_agent.as_str())
            // Statuses are looked at here, so the URL lands in the error.
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            config,
            cache,
            agent,
            tile_size_px: 256,
        }
    }

    /// The same source for a server whose tiles are `tile_size_px` square (256 unless told).
    /// Tiles of another size are resized to it.
    #[must_use]
    pub fn with_tile_size(mut self, tile_size_px: u32) -> Self {
        self.tile_size_px = tile_size_px.max(1);
        self
    }

    /// What this source was made from.
    #[must_use]
    pub fn config(&self) -> &HttpTileConfig {
        &self.config
    }

    /// The disk cache, if there is one.
    #[must_use]
    pub fn cache(&self) -> Option<&DiskCache> {
        self.cache.as_ref()
    }

    /// The URL of one tile: the template with `{z}`, `{x}`, `{y}` and the `vars` filled in.
    /// A placeholder with no value is an error rather than a request for a nonsense URL.
    pub fn tile_url(&self, key: TileKey) -> Result<String, TileError> {
        expand_template(&self.config.url_template, key, &self.config.vars)
    }

    /// Downloads `url`, conditionally when `validators` are given: the body of a success with
    /// its validators and whether it may be stored, `NotModified` for a 304, or the error
    /// naming the URL.
    fn download(&self, url: &str, validators: Option<&Validators>) -> Result<Download, TileError> {
        let network = |err: ureq::Error| TileError::Network {
            message: match err {
                ureq::Error::Timeout(_) => {
                    format!("timed out after {} ms", self.config.timeout.as_millis())
                }
                other => other.to_string(),
            },
            url: url.to_owned(),
        };
        log::trace!("downloading {url}");
        let mut request = self.agent.get(url);
        if let Some(validators) = validators {
            if let Some(etag) = &validators.etag {
                request = request.header("If-None-Match", etag.as_str());
            }
            if let Some(modified) = &validators.last_modified {
                request = request.header("If-Modified-Since", modified.as_str());
            }
        }
        let mut response = request.call().map_err(network)?;
        let status = response.status().as_u16();
        if status == 304 && validators.is_some() {
            return Ok(Download::NotModified);
        }
        if status >= 400 {
            return Err(TileError::Http {
                status,
                url: url.to_owned(),
            });
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let no_store = header("cache-control").is_some_and(|value| {
            value
                .split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
        });
        let validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let bytes = response.body_mut().read_to_vec().map_err(network)?;
        Ok(Download::Body {
            bytes,
            validators,
            no_store,
        })
    }

    /// Decodes downloaded or cached bytes into a tile of the source's size.
    fn decode(&self, bytes: &[u8], url: &str) -> Result<image::RgbaImage, TileError> {
        let decoded = image::load_from_memory(bytes).map_err(|err| TileError::Decode {
            message: err.to_string(),
            url: url.to_owned(),
        })?;
        let rgba = decoded.into_rgba8();
        let size_px = self.tile_size_px;
        if rgba.width() == size_px && rgba.height() == size_px {
            Ok(rgba)
        } else {
            Ok(image::imageops::resize(
                &rgba,
                size_px,
                size_px,
                image::imageops::FilterType::Triangle,
            ))
        }
    }

    /// The last copy on disk, however old, when the server cannot give a fresh one.
    fn stale_fallback(
        &self,
        stale: Option<&CachedEntry>,
        url: &str,
        err: TileError,
    ) -> Result<image::RgbaImage, TileError> {
        match stale.map(|entry| self.decode(&entry.bytes, url)) {
            Some(Ok(tile)) => {
                log::info!("using an old cached copy ({err})");
                Ok(tile)
            }
            _ => Err(err),
        }
    }
}

/// What a download brought.
enum Download {
    /// A body, with the validators to store it under; `no_store` when the server forbids
    /// keeping it (`Cache-Control: no-store`).
    Body {
        bytes: Vec<u8>,
        validators: Validators,
        no_store: bool,
    },
    /// `304 Not Modified`: the stale copy still holds.
    NotModified,
}

impl TileSource for HttpTileSource {
    fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
        if !key.is_valid() || key.z > self.config.max_zoom {
            return Err(TileError::OutOfRange(key));
        }
        let url = self.tile_url(key)?;

        let mut cached = self.cache.as_ref().and_then(|cache| cache.entry(&url));
        if let Some(entry) = cached.take_if(|entry| entry.fresh) {
            match self.decode(&entry.bytes, &url) {
                Ok(tile) => return Ok(tile),
                // A damaged entry is replaced by downloading again, unconditionally.
                Err(err) => log::warn!("cached tile unusable, downloading again: {err}"),
            }
        }
        // A stale copy with validators is revalidated: a 304 costs no body.
        let conditional = cached
            .as_ref()
            .map(|entry| &entry.validators)
            .filter(|validators| !validators.is_empty());

        let (bytes, validators, no_store) = match self.download(&url, conditional) {
            Ok(Download::Body {
                bytes,
                validators,
                no_store,
            }) => (bytes, validators, no_store),
            Ok(Download::NotModified) => {
                let Some(entry) = cached else {
                    return Err(TileError::Http {
                        status: 304,
                        url: url.clone(),
                    });
                };
                if let Some(cache) = &self.cache
                    && let Err(err) = cache.refresh(&url)
                {
                    log::warn!("could not refresh cached tile ({err}): {url}");
                }
                return self.decode(&entry.bytes, &url);
            }
            // The server is unreachable or failing: an old tile beats a hole in the map.
            Err(err @ TileError::Network { .. }) => {
                return self.stale_fallback(cached.as_ref(), &url, err);
            }
            Err(err @ TileError::Http { status, .. }) if status >= 500 => {
                return self.stale_fallback(cached.as_ref(), &url, err);
            }
            Err(err) => return Err(err),
        };
        let tile = self.decode(&bytes, &url)?;
        if let Some(cache) = &self.cache {
            let stored = if no_store {
                // The server forbids keeping it: not even an older copy stays.
                cache.remove(&url)
            } else {
                // A new validator replaces the entry and its old validators together.
                cache.put_with(&url, &bytes, &validators)
            };
            if let Err(err) = stored {
                // The tile is good; only the next start will have to download it again.
                log::warn!("could not update the tile cache ({err}): {url}");
            }
        }
        Ok(tile)
    }

    fn cached(&self, key: TileKey) -> Option<image::RgbaImage> {
        if !key.is_valid() || key.z > self.config.max_zoom {
            return None;
        }
        let url = self.tile_url(key).ok()?;
        let bytes = self.cache.as_ref()?.get_stale(&url)?;
        self.decode(&bytes, &url).ok()
    }

    fn name(&self) -> &str {
        &self.config.name
    }

    fn attribution(&self) -> &str {
        &self.config.attribution
    }

    fn max_zoom(&self) -> u8 {
        self.config.max_zoom
    }

    fn tile_size(&self) -> u32 {
        self.tile_size_px
    }

    fn is_remote(&self) -> bool {
        true
    }
}

/// Fills `{z}`, `{x}`, `{y}` and `{name}` placeholders (there is no escape for a literal `{`).
fn expand_template(
    template: &str,
    key: TileKey,
    vars: &BTreeMap<String, String>,
) -> Result<String, TileError> {
    let mut url = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after_open)) = rest.split_once('{') {
        url.push_str(before);
        let Some((name, after_close)) = after_open.split_once('}') else {
            return Err(TileError::Local {
                message: "URL template has an unclosed `{`".to_owned(),
                what: template.to_owned(),
            });
        };
        match name {
            "z" => url.push_str(&key.z.to_string()),
            "x" => url.push_str(&key.x.to_string()),
            "y" => url.push_str(&key.y.to_string()),
            _ => {
                let Some(value) = vars.get(name) else {
                    return Err(TileError::Local {
                        message: format!("URL template has no value for `{{{name}}}`"),
                        what: template.to_owned(),
                    });
                };
                url.push_str(value);
            }
        }
        rest = after_close;
    }
    url.push_str(rest);
    Ok(url)
}

/// The standard OpenStreetMap tiles. Their policy: a valid User-Agent, cache for at least
/// 7 days, at most 2 parallel downloads, no bulk downloading.
#[must_use]
pub fn openstreetmap(cache: Option<DiskCache>) -> HttpTileSource {
    HttpTileSource::new(
        HttpTileConfig::new(
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© OpenStreetMap contributors",
            19,
        ),
        cache,
    )
}

/// Esri's World Imagery satellite and aerial mosaic (note the `{y}/{x}` order).
#[must_use]
pub fn esri_world_imagery(cache: Option<DiskCache>) -> HttpTileSource {
    HttpTileSource::new(
        HttpTileConfig::new(
            "Esri World Imagery",
            "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
            "Esri, Maxar, Earthstar Geographics, and the GIS User Community",
            19,
        ),
        cache,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: TileKey = TileKey { z: 3, x: 4, y: 2 };

    #[test]
    fn the_user_agent_names_the_app_its_version_and_repository() {
        let agent = user_agent();
        assert!(agent.starts_with(&format!("sitewatch/{} (+", env!("CARGO_PKG_VERSION"))));
        assert!(agent.ends_with(')'));
    }

    #[test]
    fn openstreetmap_urls_are_z_x_y() {
        assert_eq!(
            openstreetmap(None).tile_url(KEY).unwrap(),
            "https://tile.openstreetmap.org/3/4/2.png"
        );
    }

    #[test]
    fn esri_urls_put_the_row_before_the_column() {
        assert_eq!(
            esri_world_imagery(None).tile_url(KEY).unwrap(),
            "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/3/2/4"
        );
    }

    #[test]
    fn presets_carry_their_credit_and_zoom_limit() {
        let osm = openstreetmap(None);
        assert_eq!(osm.attribution(), "© OpenStreetMap contributors");
        assert_eq!(osm.max_zoom(), 19);
        assert_eq!(osm.tile_size(), 256);
        assert!(esri_world_imagery(None).attribution().starts_with("Esri"));
    }

    #[test]
    fn named_placeholders_come_from_vars() {
        let config = HttpTileConfig::new("dated", "https://h/{layer}/{date}/{z}/{x}/{y}", "", 18)
            .with_var("date", "2024-05-01")
            .with_var("layer", "rgb");
        let source = HttpTileSource::new(config, None);
        assert_eq!(
            source.tile_url(KEY).unwrap(),
            "https://h/rgb/2024-05-01/3/4/2"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_is_an_error_naming_the_template() {
        let source = HttpTileSource::new(
            HttpTileConfig::new("t", "https://h/{release}/{z}/{x}/{y}", "", 18),
            None,
        );
        let err = source.tile_url(KEY).unwrap_err().to_string();
        assert!(err.contains("{release}"), "{err}");
        assert!(err.ends_with("https://h/{release}/{z}/{x}/{y}"), "{err}");
    }

    #[test]
    fn an_unclosed_brace_is_an_error() {
        let source = HttpTileSource::new(HttpTileConfig::new("t", "https://h/{z", "", 18), None);
        assert!(matches!(source.tile_url(KEY), Err(TileError::Local { .. })));
    }

    #[test]
    fn a_tile_beyond_max_zoom_is_out_of_range_without_a_request() {
        let source = HttpTileSource::new(
            // Port 9 on localhost: nothing is asked of it, the range check comes first.
            HttpTileConfig::new("t", "http://127.0.0.1:9/{z}/{x}/{y}", "", 2),
            None,
        );
        assert!(matches!(
            source.fetch(KEY),
            Err(TileError::OutOfRange(key)) if key == KEY
        ));
        let invalid = TileKey { z: 1, x: 2, y: 0 };
        assert!(matches!(
            source.fetch(invalid),
            Err(TileError::OutOfRange(_))
        ));
    }

    #[test]
    fn a_good_cached_tile_is_used_without_the_network() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), DiskCache::DEFAULT_MAX_AGE);
        let url = "http://127.0.0.1:9/3/4/2.png";
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbaImage::from_pixel(2, 2, image::Rgba([1, 2, 3, 255]))
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        cache.put(url, png.get_ref()).unwrap();

        let source = HttpTileSource::new(
            HttpTileConfig::new("t", "http://127.0.0.1:9/{z}/{x}/{y}.png", "", 19),
            Some(cache),
        );
        let tile = source.fetch(KEY).unwrap();
        // Resized from 2 px to the tile size.
        assert_eq!(tile.dimensions(), (256, 256));
        assert_eq!(tile.get_pixel(128, 128).0, [1, 2, 3, 255]);
    }
}
