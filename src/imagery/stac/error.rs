//! Why a STAC search, a catalogue file, a token or a layer plan failed.

use std::path::PathBuf;

/// Why a STAC request, catalogue file, signing token or layer plan failed. The URL or path comes
/// last in each message and only once; the cause stays in `source()`.
#[derive(Debug, thiserror::Error)]
pub enum StacError {
    /// The request got no answer (refused, timed out, TLS) or the body could not be read.
    #[error("STAC request got no answer: {url}")]
    Network {
        /// What ureq reported.
        #[source]
        source: ureq::Error,
        /// Requested URL.
        url: String,
    },
    /// The server answered with an error status (404, 500…).
    #[error("STAC server answered HTTP {status}: {url}")]
    Http {
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// The answer or file is not the JSON expected (a STAC item, item collection, catalogue or
    /// token).
    #[error("malformed STAC JSON at line {line}, column {column}: {origin}")]
    Json {
        /// Line of the first problem, from 1.
        line: usize,
        /// Column of the first problem, from 1.
        column: usize,
        /// What `serde_json` reported.
        #[source]
        source: serde_json::Error,
        /// The URL or file it came from.
        origin: String,
    },
    /// A catalogue file (or a file it links to) could not be read.
    #[error("cannot read STAC file: {}", path.display())]
    Io {
        /// What the file system reported.
        #[source]
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// A JSON document that is well-formed but is not the kind of STAC object expected here.
    #[error("not a STAC item, item collection or catalogue ({what}): {origin}")]
    NotStac {
        /// What was found instead.
        what: String,
        /// The URL or file it came from.
        origin: String,
    },
    /// An item has no asset this plan can draw (no visual, no red/green/blue COG bands…).
    #[error("item {item_id} has no usable asset for {wanted}: {origin}")]
    NoUsableAsset {
        /// The item.
        item_id: String,
        /// What was looked for ("a visual asset or red, green and blue bands").
        wanted: String,
        /// Where the item came from (its `self` link, the search URL or the file).
        origin: String,
    },
    /// An item with neither `datetime` nor `start_datetime`, so it cannot be placed on a timeline.
    #[error("item {item_id} has no usable datetime: {origin}")]
    NoDate {
        /// The item.
        item_id: String,
        /// Where the item came from.
        origin: String,
    },
    /// A signed asset was refused (403) again right after a fresh token was fetched: the
    /// token endpoint hands out tokens the storage does not accept, or they expire at once.
    #[error("signed asset refused with HTTP 403 even after re-signing (token expired?): {url}")]
    TokenExpired {
        /// The asset URL, without its token.
        url: String,
    },
}

impl StacError {
    /// The JSON error for `source`, with its position, naming `origin`.
    pub(crate) fn json(source: serde_json::Error, origin: &str) -> Self {
        Self::Json {
            line: source.line(),
            column: source.column(),
            source,
            origin: origin.to_owned(),
        }
    }
}
