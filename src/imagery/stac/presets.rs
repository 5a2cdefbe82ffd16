//! The STAC APIs Sitewatch knows by name, and any other by URL. Every URL is a field, so tests
//! point them at a server on 127.0.0.1.

/// Element 84's Earth Search: Sentinel-2 L2A COGs on AWS, public, no signing.
pub const EARTH_SEARCH_URL: &str = "https://earth-search.aws.element84.com/v1";

/// Microsoft's Planetary Computer STAC API; its assets need a SAS token appended.
pub const PLANETARY_COMPUTER_URL: &str = "https://planetarycomputer.microsoft.com/api/stac/v1";

/// Where the Planetary Computer hands out SAS tokens: `GET {this}/{collection}`.
pub const PLANETARY_COMPUTER_TOKEN_URL: &str =
    "https://planetarycomputer.microsoft.com/api/sas/v1/token";

/// How an API's asset URLs become readable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Signing {
    /// Asset URLs are public as they are.
    #[default]
    None,
    /// Planetary Computer SAS tokens, fetched per collection from `token_url/{collection}` and
    /// appended to asset URLs as their query string.
    PlanetaryComputer {
        /// The token endpoint without the collection: [`PLANETARY_COMPUTER_TOKEN_URL`].
        token_url: String,
    },
}

/// A collection offered by a preset, with the name the "Find imagery" panel shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionPreset {
    /// The collection id sent in searches: `sentinel-2-l2a`.
    pub id: String,
    /// What the panel shows: "Sentinel-2 L2A".
    pub label: String,
    /// Whether a cloud-cover filter makes sense (false for radar).
    pub has_cloud_cover: bool,
}

impl CollectionPreset {
    fn new(id: &str, label: &str, has_cloud_cover: bool) -> Self {
        Self {
            id: id.to_owned(),
            label: label.to_owned(),
            has_cloud_cover,
        }
    }
}

/// A STAC API: where it is, what it offers and how its assets are signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StacApi {
    /// What the panel shows: "Earth Search".
    pub name: String,
    /// The API's root (landing page), without a trailing `/search`.
    pub root_url: String,
    /// Collections to offer; empty for an API given by URL (the user types the id).
    pub collections: Vec<CollectionPreset>,
    /// How asset URLs are made readable.
    pub signing: Signing,
}

impl StacApi {
    /// Any STAC API by its root URL, without signing.
    pub fn custom(root_url: impl Into<String>) -> Self {
        let root_url = root_url.into();
        Self {
            name: root_url.clone(),
            root_url,
            collections: Vec::new(),
            signing: Signing::None,
        }
    }

    /// Earth Search's Sentinel-2 L2A.
    #[must_use]
    pub fn earth_search() -> Self {
        Self {
            name: "Earth Search".to_owned(),
            root_url: EARTH_SEARCH_URL.to_owned(),
            collections: vec![CollectionPreset::new(
                "sentinel-2-l2a",
                "Sentinel-2 L2A",
                true,
            )],
            signing: Signing::None,
        }
    }

    /// The Planetary Computer's Sentinel-2 L2A, Landsat Collection 2 Level-2 and Sentinel-1
    /// RTC, with SAS signing.
    #[must_use]
    pub fn planetary_computer() -> Self {
        Self {
            name: "Planetary Computer".to_owned(),
            root_url: PLANETARY_COMPUTER_URL.to_owned(),
            collections: vec![
                CollectionPreset::new("sentinel-2-l2a", "Sentinel-2 L2A", true),
                CollectionPreset::new("landsat-c2-l2", "Landsat C2 L2", true),
                CollectionPreset::new("sentinel-1-rtc", "Sentinel-1 RTC", false),
            ],
            signing: Signing::PlanetaryComputer {
                token_url: PLANETARY_COMPUTER_TOKEN_URL.to_owned(),
            },
        }
    }

    /// The same API at another root (a mirror, or a test server).
    #[must_use]
    pub fn with_root_url(mut self, root_url: impl Into<String>) -> Self {
        self.root_url = root_url.into();
        self
    }

    /// The same API with its token endpoint elsewhere (only for Planetary Computer signing).
    #[must_use]
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        if let Signing::PlanetaryComputer { token_url: url } = &mut self.signing {
            *url = token_url.into();
        }
        self
    }

    /// The item search endpoint: `{root}/search`.
    #[must_use]
    pub fn search_url(&self) -> String {
        format!("{}/search", self.root_url.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_point_at_the_public_apis() {
        assert_eq!(
            StacApi::earth_search().search_url(),
            "https://earth-search.aws.element84.com/v1/search"
        );
        let pc = StacApi::planetary_computer();
        let ids: Vec<_> = pc.collections.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["sentinel-2-l2a", "landsat-c2-l2", "sentinel-1-rtc"]);
        assert!(matches!(pc.signing, Signing::PlanetaryComputer { .. }));
    }

    #[test]
    fn urls_can_be_moved_to_a_local_server() {
        let api = StacApi::planetary_computer()
            .with_root_url("http://127.0.0.1:1/stac/")
            .with_token_url("http://127.0.0.1:1/token");
        assert_eq!(api.search_url(), "http://127.0.0.1:1/stac/search");
        assert_eq!(
            api.signing,
            Signing::PlanetaryComputer {
                token_url: "http://127.0.0.1:1/token".to_owned()
            }
        );
    }
}
