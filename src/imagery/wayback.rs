//! Esri World Imagery Wayback: the list of archived versions ("releases") of World Imagery.
//!
//! Esri publishes the list as `waybackconfig.json`, an object keyed by release number:
//! `{"58924": {"itemTitle": "World Imagery (Wayback 2025-09-25)", "layerIdentifier":
//! "WB_2025_R09", …}, …}`. The date in the title is the day the version was **released**: each
//! area in it shows the newest imagery Esri had then, captured on or before that day (often
//! months or years before). The layer names and notes built from it say so.
//!
//! The list is downloaded with the app's User-Agent and the parsed list kept in a [`DiskCache`],
//! so a restart (or a day offline) does not ask again.

use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::disk_cache::DiskCache;
use super::http::{DEFAULT_TIMEOUT, user_agent};

/// Where Esri publishes the release list.
pub const CONFIG_URL: &str =
    "https://s3-us-west-2.amazonaws.com/config.maptiles.arcgis.com/waybackconfig.json";

/// How long a downloaded list counts as fresh: new releases come out a few times a month.
pub const CONFIG_MAX_AGE: Duration = Duration::from_hours(24);

/// The cache entry of the parsed list is keyed by the config URL plus this suffix, so it never
/// collides with the raw document.
const PARSED_KEY_SUFFIX: &str = "#sitewatch-parsed-releases-v1";

/// One archived version of World Imagery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaybackRelease {
    /// The release number, the `{release}` in tile URLs.
    pub number: u32,
    /// The day the version was published (not when its pixels were captured).
    pub release_date: NaiveDate,
    /// Esri's title, "World Imagery (Wayback 2025-09-25)".
    pub title: String,
    /// Esri's layer identifier, `WB_2025_R09`, if given.
    #[serde(default)]
    pub layer_identifier: Option<String>,
    /// The map service with per-area capture dates for this release, if given.
    #[serde(default)]
    pub metadata_url: Option<String>,
}

/// Why the release list could not be had. The URL (or origin) comes last in each message.
#[derive(Debug, thiserror::Error)]
pub enum WaybackError {
    /// The request failed before an answer (refused, timed out, TLS).
    #[error("Wayback release list: no answer ({message}): {url}")]
    Network {
        /// What went wrong.
        message: String,
        /// Requested URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("Wayback release list: HTTP {status}: {url}")]
    Http {
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// The document is not a Wayback config.
    #[error("not a Wayback release list ({message}): {origin}")]
    Parse {
        /// What is wrong with it.
        message: String,
        /// The URL or file it came from.
        origin: String,
    },
}

/// Where a [`ReleaseList`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOrigin {
    /// Downloaded just now.
    Downloaded,
    /// From the disk cache, still fresh.
    Cache,
    /// From the disk cache past its freshness, because the download failed.
    StaleCache,
}

/// The releases, newest first, and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseList {
    /// Newest release first.
    pub releases: Vec<WaybackRelease>,
    /// Downloaded or cached.
    pub origin: ListOrigin,
    /// Why a fresh list could not be downloaded, when `origin` is [`ListOrigin::StaleCache`].
    pub download_error: Option<String>,
}

/// A cache for the release list: `wayback` beside the tile cache, fresh for a day. `None` where
/// the platform has no cache folder.
#[must_use]
pub fn default_cache() -> Option<DiskCache> {
    let tiles = DiskCache::default_root()?;
    let root = tiles.parent().map_or(tiles.clone(), |p| p.join("wayback"));
    Some(DiskCache::new(root, CONFIG_MAX_AGE))
}

/// The first `YYYY-MM-DD` in `text` that is a real day.
fn first_iso_day(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|start| {
        let candidate = text.get(start..start + 10)?;
        let shape_ok = candidate.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        let before_ok = start == 0 || !bytes.get(start - 1).is_some_and(u8::is_ascii_digit);
        let after_ok = !bytes.get(start + 10).is_some_and(u8::is_ascii_digit);
        (shape_ok && before_ok && after_ok)
            .then(|| NaiveDate::parse_from_str(candidate, "%Y-%m-%d").ok())
            .flatten()
    })
}

/// Reads a `waybackconfig.json` document; `origin` names it in errors. Entries without a numeric
/// key or a dated title are skipped (Esri may add other kinds); a document with none left, or
/// that is not a JSON object, is an error.
pub fn parse_config(bytes: &[u8], origin: &str) -> Result<Vec<WaybackRelease>, WaybackError> {
    let parse_err = |message: String| WaybackError::Parse {
        message,
        origin: origin.to_owned(),
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|err| {
        parse_err(format!(
            "not JSON at line {} column {}: {err}",
            err.line(),
            err.column()
        ))
    })?;
    let Value::Object(entries) = doc else {
        return Err(parse_err(
            "expected an object of releases keyed by release number".to_owned(),
        ));
    };
    let total = entries.len();
    let text = |entry: &Value, key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut releases: Vec<WaybackRelease> = entries
        .iter()
        .filter_map(|(key, entry)| {
            let number: u32 = key.trim().parse().ok()?;
            let title = text(entry, "itemTitle")?;
            let release_date = first_iso_day(&title)?;
            Some(WaybackRelease {
                number,
                release_date,
                title,
                layer_identifier: text(entry, "layerIdentifier"),
                metadata_url: text(entry, "metadataLayerUrl"),
            })
        })
        .collect();
    if releases.is_empty() {
        return Err(parse_err(format!(
            "no entry has a release number and a dated itemTitle ({total} entries)"
        )));
    }
    releases.sort_by_key(|r| std::cmp::Reverse((r.release_date, r.number)));
    Ok(releases)
}

/// The newest release published on or before `date` (`releases` newest first, as parsed).
#[must_use]
pub fn release_on_or_before(
    releases: &[WaybackRelease],
    date: NaiveDate,
) -> Option<&WaybackRelease> {
    releases.iter().find(|r| r.release_date <= date)
}

fn download(url: &str, timeout: Duration) -> Result<Vec<u8>, WaybackError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .user_agent(user_agent().as_str())
        .http_status_as_error(false)
        .build()
        .into();
    let network = |err: ureq::Error| WaybackError::Network {
        message: err.to_string(),
        url: url.to_owned(),
    };
    let mut response = agent.get(url).call().map_err(network)?;
    let status = response.status().as_u16();
    if status >= 400 {
        return Err(WaybackError::Http {
            status,
            url: url.to_owned(),
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_vec()
        .map_err(network)
}

fn cached_list(bytes: Option<Vec<u8>>, key: &str) -> Option<Vec<WaybackRelease>> {
    let bytes = bytes?;
    match serde_json::from_slice::<Vec<WaybackRelease>>(&bytes) {
        Ok(list) if !list.is_empty() => Some(list),
        Ok(_) => None,
        Err(err) => {
            log::warn!("cached Wayback release list unusable ({err}): {key}");
            None
        }
    }
}

/// The release list from `url` ([`CONFIG_URL`] in the app): a fresh cached copy if `cache` has
/// one, else downloaded (and cached), else a stale cached copy when the download fails. Blocks:
/// call it off the UI thread.
pub fn fetch_releases(url: &str, cache: Option<&DiskCache>) -> Result<ReleaseList, WaybackError> {
    fetch_releases_with_timeout(url, cache, DEFAULT_TIMEOUT)
}

/// [`fetch_releases`] with a limit for the download.
pub fn fetch_releases_with_timeout(
    url: &str,
    cache: Option<&DiskCache>,
    timeout: Duration,
) -> Result<ReleaseList, WaybackError> {
    let key = format!("{url}{PARSED_KEY_SUFFIX}");
    if let Some(releases) = cached_list(cache.and_then(|c| c.get(&key)), &key) {
        return Ok(ReleaseList {
            releases,
            origin: ListOrigin::Cache,
            download_error: None,
        });
    }
    let downloaded = download(url, timeout).and_then(|bytes| parse_config(&bytes, url));
    match downloaded {
        Ok(releases) => {
            if let Some(cache) = cache {
                let json = serde_json::to_vec(&releases).unwrap_or_default();
                if let Err(err) = cache.put(&key, &json) {
                    // The list is good; only the next start will have to download it again.
                    log::warn!("could not cache the Wayback release list ({err}): {url}");
                }
            }
            Ok(ReleaseList {
                releases,
                origin: ListOrigin::Downloaded,
                download_error: None,
            })
        }
        Err(err) => match cached_list(cache.and_then(|c| c.get_stale(&key)), &key) {
            Some(releases) => Ok(ReleaseList {
                releases,
                origin: ListOrigin::StaleCache,
                download_error: Some(err.to_string()),
            }),
            None => Err(err),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "58924": {
            "itemID": "925025d364fa4e49958f4f1dd2362beb",
            "itemTitle": "World Imagery (Wayback 2025-09-25)",
            "itemURL": "https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/WMTS/1.0.0/default028mm/MapServer/tile/58924/{level}/{row}/{col}",
            "metadataLayerUrl": "https://metadata.maptiles.arcgis.com/arcgis/rest/services/World_Imagery_Metadata_2025_r09/MapServer",
            "layerIdentifier": "WB_2025_R09"
        },
        "3201": {"itemTitle": "World Imagery (Wayback 2018-11-07)", "layerIdentifier": "WB_2018_R15"},
        "44988": {"itemTitle": "World Imagery (Wayback 2022-10-12)"},
        "not-a-number": {"itemTitle": "World Imagery (Wayback 2023-01-01)"},
        "77": {"itemTitle": "World Imagery (no date here)"},
        "78": {"note": "no title"}
    }"#;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn releases_come_newest_first_with_their_release_dates() {
        let releases = parse_config(SAMPLE.as_bytes(), "sample").unwrap();
        let numbers: Vec<u32> = releases.iter().map(|r| r.number).collect();
        assert_eq!(
            numbers,
            [58924, 44988, 3201],
            "undated and unnumbered skipped"
        );
        let newest = &releases[0];
        assert_eq!(newest.release_date, day("2025-09-25"));
        assert_eq!(newest.layer_identifier.as_deref(), Some("WB_2025_R09"));
        assert!(
            newest
                .metadata_url
                .as_deref()
                .unwrap()
                .ends_with("2025_r09/MapServer")
        );
        assert_eq!(releases[1].layer_identifier, None);
    }

    #[test]
    fn garbage_is_a_parse_error_naming_the_origin() {
        for garbage in [
            "<html>503</html>",
            "",
            "[1, 2]",
            "{\"1\": {\"itemTitle\": \"x\"}}",
            "{}",
        ] {
            let err = parse_config(garbage.as_bytes(), "http://h/waybackconfig.json").unwrap_err();
            assert!(
                matches!(err, WaybackError::Parse { .. }),
                "{garbage}: {err}"
            );
            assert!(
                err.to_string().ends_with(": http://h/waybackconfig.json"),
                "{err}"
            );
        }
        let err = parse_config(b"{\"1\": ", "x").unwrap_err().to_string();
        assert!(err.contains("not JSON at line 1"), "{err}");
    }

    #[test]
    fn a_release_is_chosen_on_or_before_a_date() {
        let releases = parse_config(SAMPLE.as_bytes(), "sample").unwrap();
        let pick = |d: &str| release_on_or_before(&releases, day(d)).map(|r| r.number);
        assert_eq!(pick("2025-10-14"), Some(58924));
        assert_eq!(pick("2025-09-24"), Some(44988));
        assert_eq!(pick("2018-11-07"), Some(3201));
        assert_eq!(pick("2010-01-01"), None);
    }

    #[test]
    fn only_a_whole_iso_day_in_a_title_counts() {
        assert_eq!(
            first_iso_day("(Wayback 2014-02-20)"),
            Some(day("2014-02-20"))
        );
        assert_eq!(first_iso_day("12014-02-20"), None);
        assert_eq!(first_iso_day("2014-02-30"), None);
        assert_eq!(first_iso_day("2014-02-2"), None);
        assert_eq!(first_iso_day(""), None);
    }

    #[test]
    fn a_fresh_cached_list_is_used_without_the_network() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), CONFIG_MAX_AGE);
        // Port 9 on localhost: nothing answers there, so only the cache can give the list.
        let url = "http://127.0.0.1:9/waybackconfig.json";
        let releases = parse_config(SAMPLE.as_bytes(), url).unwrap();
        cache
            .put(
                &format!("{url}{PARSED_KEY_SUFFIX}"),
                &serde_json::to_vec(&releases).unwrap(),
            )
            .unwrap();
        let list = fetch_releases(url, Some(&cache)).unwrap();
        assert_eq!(list.origin, ListOrigin::Cache);
        assert_eq!(list.releases, releases);
    }
}
