//! Remote rasters whose every request needs a token (Planetary Computer SAS signing): how a
//! layer records it, and the signers that read it.
//!
//! A layer stores its asset's URL **unsigned** (tokens expire within the hour) and, among its
//! flattened fields, `"signing": {"kind": "planetary_computer", "token_url": …, "collection": …}`.
//! When it is read, [`super::http_bytes::HttpBytes`] appends the collection's current token to
//! each request; the token comes from one [`SasSigner`] per token endpoint, shared by every layer
//! ([`Signers::shared`]), so a series of one collection fetches one token. A 403 fetches a new
//! token once and repeats the request once. Tokens never reach a message, a log line or a cache
//! key: those all use the unsigned URL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::http_bytes::RemoteError;
use crate::imagery::stac::{Clock, SasSigner};
use crate::model::{ImageryLayer, LayerSource};

/// The layer field holding an [`AssetSigning`].
pub const SIGNING_FIELD: &str = "signing";

/// How long a token request may take before the layer fails with a message naming the endpoint.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(20);

/// How a remote layer's asset is made readable; saved in the project beside the unsigned URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssetSigning {
    /// A Planetary Computer SAS token from `{token_url}/{collection}`, appended as the query.
    PlanetaryComputer {
        /// The token endpoint, without the collection.
        token_url: String,
        /// The STAC collection whose token signs the asset.
        collection: String,
    },
}

impl AssetSigning {
    /// The signing recorded on `layer`, for a remote layer that has one. A field that cannot be
    /// read is treated as none (the layer then reads unsigned and says why it was refused).
    #[must_use]
    pub fn of_layer(layer: &ImageryLayer) -> Option<Self> {
        if !matches!(
            layer.source,
            LayerSource::Remote { .. } | LayerSource::Bands { .. } | LayerSource::Mosaic { .. }
        ) {
            return None;
        }
        let value = layer.extra.get(SIGNING_FIELD)?;
        serde_json::from_value(value.clone())
            .inspect_err(|e| log::warn!("layer {}: unreadable signing field: {e}", layer.id))
            .ok()
    }

    /// Records this signing in a layer's flattened fields.
    pub fn store(&self, extra: &mut Map<String, Value>) {
        if let Ok(value) = serde_json::to_value(self) {
            extra.insert(SIGNING_FIELD.to_owned(), value);
        }
    }
}

/// Signs a remote raster's requests.
pub trait RequestSigner: Send + Sync {
    /// The query string to append to requests now (a kept token while it is valid).
    fn token(&self) -> Result<String, RemoteError>;
    /// A token other than `rejected`, which the storage just refused with 403.
    fn renew(&self, rejected: &str) -> Result<String, RemoteError>;
}

/// One collection's tokens from a shared [`SasSigner`].
pub struct CollectionSigner {
    signer: Arc<SasSigner>,
    collection: String,
}

impl CollectionSigner {
    /// Signs with `signer`'s tokens for `collection`.
    pub fn new(signer: Arc<SasSigner>, collection: impl Into<String>) -> Self {
        Self {
            signer,
            collection: collection.into(),
        }
    }
}

impl RequestSigner for CollectionSigner {
    fn token(&self) -> Result<String, RemoteError> {
        self.signer
            .token(&self.collection)
            .map(|t| t.token)
            .map_err(|source| RemoteError::Token { source })
    }

    fn renew(&self, rejected: &str) -> Result<String, RemoteError> {
        self.signer
            .renew(&self.collection, rejected)
            .map(|t| t.token)
            .map_err(|source| RemoteError::Token { source })
    }
}

/// The signers of a process (or a test), one per token endpoint, so every layer of a collection
/// shares its token.
pub struct Signers {
    by_endpoint: Mutex<HashMap<String, Arc<SasSigner>>>,
    clock: Option<Clock>,
    timeout: Duration,
}

impl Signers {
    /// Signers on the system clock with the default token timeout.
    #[must_use]
    pub fn new() -> Self {
        Self {
            by_endpoint: Mutex::new(HashMap::new()),
            clock: None,
            timeout: TOKEN_TIMEOUT,
        }
    }

    /// Signers reading the time from `clock` and giving up on a token request after `timeout`.
    #[must_use]
    pub fn with_clock(clock: Clock, timeout: Duration) -> Self {
        Self {
            by_endpoint: Mutex::new(HashMap::new()),
            clock: Some(clock),
            timeout,
        }
    }

    /// The process's signers (the window's layers and `sitewatch export`).
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Signers> = OnceLock::new();
        SHARED.get_or_init(Self::new)
    }

    /// The signer for `signing`'s endpoint, made on first use.
    pub fn endpoint(&self, token_url: &str) -> Arc<SasSigner> {
        let mut map = self
            .by_endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry(token_url.to_owned()).or_insert_with(|| {
            let signer = SasSigner::new(token_url, Some(self.timeout));
            Arc::new(match &self.clock {
                Some(clock) => signer.with_clock(Arc::clone(clock)),
                None => signer,
            })
        }))
    }

    /// What signs requests for an asset recorded with `signing`.
    pub fn request_signer(&self, signing: &AssetSigning) -> Arc<dyn RequestSigner> {
        match signing {
            AssetSigning::PlanetaryComputer {
                token_url,
                collection,
            } => Arc::new(CollectionSigner::new(
                self.endpoint(token_url),
                collection.clone(),
            )),
        }
    }

    /// What signs `layer`'s requests, when it records a signing.
    pub fn for_layer(&self, layer: &ImageryLayer) -> Option<Arc<dyn RequestSigner>> {
        AssetSigning::of_layer(layer).map(|s| self.request_signer(&s))
    }
}

impl Default for Signers {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signing_saves_as_a_tagged_field_and_reads_back() {
        let signing = AssetSigning::PlanetaryComputer {
            token_url: "https://pc/token".into(),
            collection: "sentinel-2-l2a".into(),
        };
        let mut extra = Map::new();
        signing.store(&mut extra);
        assert_eq!(extra[SIGNING_FIELD]["kind"], "planetary_computer");
        assert_eq!(extra[SIGNING_FIELD]["collection"], "sentinel-2-l2a");
        let back: AssetSigning = serde_json::from_value(extra[SIGNING_FIELD].clone()).unwrap();
        assert_eq!(back, signing);
    }

    #[test]
    fn layers_of_one_endpoint_share_one_signer() {
        let signers = Signers::new();
        let a = signers.endpoint("http://127.0.0.1:9/token");
        let b = signers.endpoint("http://127.0.0.1:9/token");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
