//! A raster on a web server, read with HTTP range requests: the header and tile index first,
//! then only the tiles a view needs, neighbouring tiles merged into one request. Fetched ranges
//! are kept in memory (up to 64 MiB a file, least recently used dropped), so the decoder's small
//! reads cost nothing after the first. Reads start where asked, never rounded down, so a view
//! of an overview reads no byte of the full-resolution tiles.
//!
//! A server that ignores `Range` (answers 200 with the whole file) is read whole when the file
//! is at most [`WHOLE_FILE_LIMIT`]; a larger one is refused, naming the server. Failed requests
//! (network errors, 429, 5xx) are retried with a doubling backoff, a bounded number of times.
//! `s3://bucket/key` and `gs://bucket/key` are read from their public HTTPS endpoints.
//!
//! A signed asset ([`super::signed`]) has its current token appended to every request; a 403
//! fetches a new token and repeats that request once, and a second 403 is
//! [`RemoteError::RefusedAfterResign`]. The URL kept, logged and named in errors (and so the
//! key of the range cache) is always the unsigned one.
//!
//! Given a [`DiskCache`], fetched ranges are also kept on disk ([`super::range_disk`]): a reopen
//! revalidates the first read with the stored validators and then serves stored ranges with no
//! request; when the server cannot be reached, a file whose header is stored opens from the
//! stale copies.

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::bytes::ByteSource;
use super::range_disk::{RangeDisk, ResponseMeta, Stored};
use super::signed::RequestSigner;
use crate::imagery::disk_cache::{DiskCache, Validators};
use crate::imagery::http::user_agent;
use crate::imagery::stac::StacError;
use crate::imagery::stac::signing::append_token;

/// Largest file read whole from a server without range support.
pub const WHOLE_FILE_LIMIT: u64 = 64 << 20;
/// Bytes asked for first: the header and, in a cloud-optimized GeoTIFF, every tile index.
const FIRST_READ: u64 = 64 << 10;
/// Bytes of fetched ranges kept in memory per source.
const MAX_CACHED: usize = 64 << 20;
/// Reads larger than this bypass the cache.
const DIRECT_READ: u64 = 16 << 20;
/// Ranges wanted together this close are fetched in one request, the gap included.
const MERGE_GAP: u64 = 32 << 10;

/// How failed requests are retried.
#[derive(Clone)]
pub struct Retry {
    /// Requests per read, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each after.
    pub first_backoff: Duration,
    /// How to wait (tests pass one that does not).
    pub sleep: Arc<dyn Fn(Duration) + Send + Sync>,
    /// Limit for one request, connection to last byte.
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_backoff: Duration::from_millis(250),
            sleep: Arc::new(std::thread::sleep),
            timeout: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for Retry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("attempts", &self.attempts)
            .field("first_backoff", &self.first_backoff)
            .finish_non_exhaustive()
    }
}

/// Why a remote raster could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server answered with an error status.
    #[error("the server answered HTTP {status}")]
    Status {
        /// The status.
        status: u16,
    },
    /// No answer, a broken connection or a timeout.
    #[error("no usable answer: {message}")]
    Network {
        /// What went wrong.
        message: String,
    },
    /// The server ignores range requests and the file is too large to read whole.
    #[error(
        "the server {host} does not answer range requests, and the file ({size}) is over the \
         {limit} MiB read whole from such servers"
    )]
    NoRanges {
        /// The server.
        host: String,
        /// The file's size in words.
        size: String,
        /// The limit, MiB.
        limit: u64,
    },
    /// An answer that does not fit the request.
    #[error("a malformed answer: {message}")]
    Malformed {
        /// What was wrong.
        message: String,
    },
    /// The URL's scheme is not one Sitewatch reads.
    #[error("an address Sitewatch cannot read (use https://, http://, s3:// or gs://)")]
    Scheme,
    /// No signing token could be had; the cause names the token endpoint.
    #[error("no signing token for the asset")]
    Token {
        /// Why (the endpoint's status, no answer, malformed JSON), naming its URL.
        #[source]
        source: StacError,
    },
    /// A signed request was refused (403) again right after a fresh token was fetched.
    #[error(
        "signed asset refused with HTTP 403 even after re-signing with a fresh token (token \
         expired or not accepted)"
    )]
    RefusedAfterResign,
}

/// The HTTPS address of `url`: `s3://bucket/key` → `https://bucket.s3.amazonaws.com/key`,
/// `gs://bucket/key` → `https://storage.googleapis.com/bucket/key`; `http(s)://` unchanged.
pub fn https_url(url: &str) -> Result<String, RemoteError> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, key) = rest.split_once('/').ok_or(RemoteError::Scheme)?;
        return Ok(format!("https://{bucket}.s3.amazonaws.com/{key}"));
    }
    if let Some(rest) = url.strip_prefix("gs://") {
        return Ok(format!("https://storage.googleapis.com/{rest}"));
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(url.to_owned());
    }
    Err(RemoteError::Scheme)
}

/// True for an address [`HttpBytes`] reads.
#[must_use]
pub fn is_remote_url(text: &str) -> bool {
    https_url(text).is_ok()
}

/// A file on a web server, read in ranges.
pub struct HttpBytes {
    /// The unsigned address: what is logged, named in errors and keys caches.
    url: String,
    signer: Option<Arc<dyn RequestSigner>>,
    agent: ureq::Agent,
    retry: Retry,
    len: u64,
    state: Mutex<CachedRanges>,
    /// Held while fetching, so two threads never download the same bytes.
    fetching: Mutex<()>,
    bytes_read: AtomicU64,
    requests: AtomicU64,
    /// Fetched ranges kept on disk, when there is a cache.
    disk: Option<RangeDisk>,
}

/// Fetched ranges, by start offset, each with its last use.
#[derive(Default)]
struct CachedRanges {
    ranges: BTreeMap<u64, (Arc<Vec<u8>>, u64)>,
    bytes: usize,
    tick: u64,
    /// The whole file, from a server without range support.
    whole: Option<Arc<Vec<u8>>>,
}

impl CachedRanges {
    /// The cached ranges that overlap `want`, by start.
    fn overlapping(&self, want: &Range<u64>) -> Vec<(u64, Arc<Vec<u8>>)> {
        self.ranges
            .range(..want.end)
            .filter(|(start, (data, _))| **start + data.len() as u64 > want.start)
            .map(|(start, (data, _))| (*start, Arc::clone(data)))
            .collect()
    }

    /// The parts of `want` no cached range holds.
    fn gaps(&self, want: &Range<u64>) -> Vec<Range<u64>> {
        let mut gaps = Vec::new();
        let mut frontier = want.start;
        for (start, data) in self.overlapping(want) {
            if start > frontier {
                gaps.push(frontier..start.min(want.end));
            }
            frontier = frontier.max(start + data.len() as u64);
            if frontier >= want.end {
                break;
            }
        }
        if frontier < want.end {
            gaps.push(frontier..want.end);
        }
        gaps
    }

    /// Copies `buf.len()` bytes at `offset` out of the cached ranges, marking them used; false
    /// when some are not held.
    fn copy(&mut self, offset: u64, buf: &mut [u8]) -> bool {
        let want = offset..offset + buf.len() as u64;
        if !self.gaps(&want).is_empty() {
            return false;
        }
        self.tick += 1;
        let tick = self.tick;
        for (start, data) in self.overlapping(&want) {
            let from = want.start.max(start);
            let to = want.end.min(start + data.len() as u64);
            let src = &data[(from - start) as usize..(to - start) as usize];
            buf[(from - offset) as usize..(to - offset) as usize].copy_from_slice(src);
            if let Some((_, used)) = self.ranges.get_mut(&start) {
                *used = tick;
            }
        }
        true
    }

    fn insert(&mut self, start: u64, data: Vec<u8>) {
        self.tick += 1;
        self.bytes += data.len();
        if let Some((old, _)) = self.ranges.insert(start, (Arc::new(data), self.tick)) {
            self.bytes -= old.len();
        }
        while self.bytes > MAX_CACHED && self.ranges.len() > 1 {
            let Some(oldest) = self
                .ranges
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((old, _)) = self.ranges.remove(&oldest) {
                self.bytes -= old.len();
            }
        }
    }
}

enum Answer {
    Partial {
        total: u64,
        body: Vec<u8>,
    },
    Whole(Vec<u8>),
    /// `304 Not Modified` to a conditional first read.
    NotModified,
}

impl HttpBytes {
    /// Opens `url` (see [`https_url`]): the first request reads the header and learns the size.
    pub fn open(url: &str, retry: Retry) -> Result<Self, RemoteError> {
        Self::open_signed(url, retry, None)
    }

    /// Opens `url` (unsigned) with each request signed by `signer`, when there is one.
    pub fn open_signed(
        url: &str,
        retry: Retry,
        signer: Option<Arc<dyn RequestSigner>>,
    ) -> Result<Self, RemoteError> {
        Self::open_cached(url, retry, signer, None)
    }

    /// [`Self::open_signed`], keeping fetched ranges in `cache` when there is one.
    pub fn open_cached(
        url: &str,
        retry: Retry,
        signer: Option<Arc<dyn RequestSigner>>,
        cache: Option<DiskCache>,
    ) -> Result<Self, RemoteError> {
        let url = https_url(url)?;
        let disk = cache.map(|cache| RangeDisk::new(cache, &url, DIRECT_READ));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(retry.timeout))
            .user_agent(user_agent())
            .http_status_as_error(false)
            .build()
            .into();
        let mut this = Self {
            url,
            signer,
            agent,
            retry,
            len: 0,
            state: Mutex::new(CachedRanges::default()),
            fetching: Mutex::new(()),
            bytes_read: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            disk,
        };
        this.len = this.first_read()?;
        Ok(this)
    }

    /// Reads the header (conditionally when the disk holds it) and returns the file's size.
    /// Unchanged (304), the stored ranges stand; changed, they are deleted; with no server to
    /// ask, the stored copy is used as it is.
    fn first_read(&self) -> Result<u64, RemoteError> {
        let stored = self.disk.as_ref().and_then(RangeDisk::stored);
        let validators = stored.as_ref().map(|s| &s.validators);
        let (answer, meta) = match self.get(0..FIRST_READ, true, validators) {
            Err(RemoteError::Network { message }) if stored.is_some() => {
                log::warn!(
                    "offline ({message}): reading the stored copy of {}",
                    self.url
                );
                return Ok(stored.map_or(0, |s| s.len));
            }
            other => other?,
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match (answer, &self.disk, stored) {
            (Answer::NotModified, Some(disk), Some(Stored { len, .. })) => {
                disk.confirm(&meta);
                Ok(len)
            }
            (Answer::NotModified, ..) => Err(RemoteError::Malformed {
                message: "304 Not Modified to a request that asked for none".to_owned(),
            }),
            (Answer::Partial { total, body }, disk, _) => {
                if let Some(disk) = disk {
                    disk.adopt(&meta, total);
                    disk.store(0, &body);
                }
                state.insert(0, body);
                Ok(total)
            }
            (Answer::Whole(body), disk, _) => {
                let len = body.len() as u64;
                if let Some(disk) = disk {
                    // Read whole, not in ranges: nothing to keep in range entries.
                    disk.drop_all();
                }
                state.whole = Some(Arc::new(body));
                Ok(len)
            }
        }
    }

    /// The HTTPS address read.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    fn host(&self) -> String {
        crate::imagery::http::url_host(&self.url).to_owned()
    }

    /// One request for `range` (end exclusive, clipped by the server), signed when the asset
    /// is, retried on failures that may pass; a signed request refused with 403 is signed
    /// afresh and sent once more.
    fn get(
        &self,
        range: Range<u64>,
        first: bool,
        cond: Option<&Validators>,
    ) -> Result<(Answer, ResponseMeta), RemoteError> {
        let Some(signer) = &self.signer else {
            return self.get_retried(range, first, cond, "");
        };
        let token = signer.token()?;
        match self.get_retried(range.clone(), first, cond, &token) {
            Err(RemoteError::Status { status: 403 }) => {
                log::info!("signed request refused, fetching a new token: {}", self.url);
                let fresh = signer.renew(&token)?;
                match self.get_retried(range, first, cond, &fresh) {
                    Err(RemoteError::Status { status: 403 }) => {
                        Err(RemoteError::RefusedAfterResign)
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    /// [`Self::get`] with `token` (empty: unsigned), retried on failures that may pass.
    fn get_retried(
        &self,
        range: Range<u64>,
        first: bool,
        cond: Option<&Validators>,
        token: &str,
    ) -> Result<(Answer, ResponseMeta), RemoteError> {
        let mut wait = self.retry.first_backoff;
        let mut attempt = 1;
        loop {
            match self.get_once(range.clone(), first, cond, token) {
                Err(e) if attempt < self.retry.attempts && retryable(&e) => {
                    log::info!("retrying {} after: {e}", self.url);
                    (self.retry.sleep)(wait);
                    wait *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One request; with `cond`, conditional on those validators (a 304 is `NotModified`).
    fn get_once(
        &self,
        range: Range<u64>,
        first: bool,
        cond: Option<&Validators>,
        token: &str,
    ) -> Result<(Answer, ResponseMeta), RemoteError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let network = |e: ureq::Error| RemoteError::Network {
            message: match e {
                ureq::Error::Timeout(_) => {
                    format!("timed out after {} s", self.retry.timeout.as_secs())
                }
                other => without_token(&other.to_string(), token),
            },
        };
        let mut request = self
            .agent
            .get(append_token(&self.url, token))
            .header("Range", format!("bytes={}-{}", range.start, range.end - 1));
        if let Some(etag) = cond.and_then(|v| v.etag.as_deref()) {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = cond.and_then(|v| v.last_modified.as_deref()) {
            request = request.header("If-Modified-Since", modified);
        }
        let mut response = request.call().map_err(network)?;
        let status = response.status().as_u16();
        let meta = ResponseMeta::from_headers(response.headers());
        let answer = match status {
            304 if cond.is_some() => Ok(Answer::NotModified),
            206 => {
                let total = response
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit('/').next())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or_else(|| RemoteError::Malformed {
                        message: "a partial answer without the file's size".to_owned(),
                    })?;
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(range.end - range.start + 1)
                    .read_to_vec()
                    .map_err(network)?;
                self.bytes_read
                    .fetch_add(body.len() as u64, Ordering::Relaxed);
                Ok(Answer::Partial { total, body })
            }
            200 if first => {
                let too_large = |size: String| RemoteError::NoRanges {
                    host: self.host(),
                    size,
                    limit: WHOLE_FILE_LIMIT >> 20,
                };
                if let Some(n) = response.body().content_length()
                    && n > WHOLE_FILE_LIMIT
                {
                    return Err(too_large(format!("{} MiB", n >> 20)));
                }
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(WHOLE_FILE_LIMIT)
                    .read_to_vec()
                    .map_err(|e| match e {
                        ureq::Error::BodyExceedsLimit(_) => {
                            too_large(format!("over {} MiB", WHOLE_FILE_LIMIT >> 20))
                        }
                        other => network(other),
                    })?;
                self.bytes_read
                    .fetch_add(body.len() as u64, Ordering::Relaxed);
                Ok(Answer::Whole(body))
            }
            200 => Err(RemoteError::Malformed {
                message: "the server stopped answering range requests".to_owned(),
            }),
            status => Err(RemoteError::Status { status }),
        };
        answer.map(|answer| (answer, meta))
    }

    /// Fetches what the cache lacks of `wanted` (sorted by start), near ranges merged into one
    /// request.
    fn fill(&self, wanted: &[Range<u64>]) -> io::Result<()> {
        // One fill at a time: tile workers wanting the same tiles wait for one download rather
        // than each fetching it.
        let _fetching = self.fetching.lock().unwrap_or_else(PoisonError::into_inner);
        let mut missing = self.missing(wanted);
        if let Some(disk) = &self.disk
            && !missing.is_empty()
        {
            let found = disk.load(&missing);
            if !found.is_empty() {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                for (start, body) in found {
                    state.insert(start, body);
                }
                drop(state);
                missing = self.missing(wanted);
            }
        }
        let mut runs: Vec<Range<u64>> = Vec::new();
        for r in missing {
            match runs.last_mut() {
                Some(run) if r.start <= run.end + MERGE_GAP => run.end = run.end.max(r.end),
                _ => runs.push(r),
            }
        }
        for run in runs {
            match self
                .get(run.clone(), false, None)
                .map_err(io::Error::other)?
            {
                (Answer::Partial { body, .. }, meta) => {
                    if let Some(disk) = &self.disk {
                        if !disk.same_file(&meta) {
                            disk.drop_all();
                            return Err(io::Error::other(RemoteError::Malformed {
                                message: "the file changed on the server since it was opened"
                                    .to_owned(),
                            }));
                        }
                        disk.store(run.start, &body);
                    }
                    self.state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(run.start, body);
                }
                _ => return Err(io::Error::other("the server stopped answering ranges")),
            }
        }
        Ok(())
    }

    /// The parts of `wanted` (clipped to the file) no range in memory holds, by start; none
    /// when the file is held whole.
    fn missing(&self, wanted: &[Range<u64>]) -> Vec<Range<u64>> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.whole.is_some() {
            return Vec::new();
        }
        let mut missing: Vec<Range<u64>> = wanted
            .iter()
            .map(|r| r.start..r.end.min(self.len))
            .filter(|r| r.start < r.end)
            .flat_map(|r| state.gaps(&r))
            .collect();
        missing.sort_by_key(|r| r.start);
        missing
    }

    /// Reads `buf.len()` bytes at `offset` in one request, past the cache.
    fn read_direct(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset + buf.len() as u64;
        match self
            .get(offset..end, false, None)
            .map_err(io::Error::other)?
        {
            (Answer::Partial { body, .. }, _) if body.len() == buf.len() => {
                buf.copy_from_slice(&body);
                Ok(())
            }
            _ => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// `message` with any copy of `token` blanked out, so no token lands in an error or a log.
fn without_token(message: &str, token: &str) -> String {
    if token.is_empty() {
        message.to_owned()
    } else {
        message.replace(token, "…")
    }
}

fn retryable(e: &RemoteError) -> bool {
    match e {
        RemoteError::Network { .. } => true,
        RemoteError::Status { status } => *status == 429 || *status >= 500,
        _ => false,
    }
}

impl ByteSource for HttpBytes {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset + buf.len() as u64;
        if end > self.len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if buf.is_empty() {
            return Ok(());
        }
        if end - offset > DIRECT_READ {
            return self.read_direct(offset, buf);
        }
        let want = offset..end;
        self.fill(std::slice::from_ref(&want))?;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(whole) = &state.whole {
            let src = whole
                .get(offset as usize..end as usize)
                .ok_or(io::ErrorKind::UnexpectedEof)?;
            buf.copy_from_slice(src);
            return Ok(());
        }
        if state.copy(offset, buf) {
            Ok(())
        } else {
            // Dropped by another thread's fill meanwhile.
            drop(state);
            self.read_direct(offset, buf)
        }
    }

    fn prefetch(&self, ranges: &[Range<u64>]) -> io::Result<()> {
        let mut sorted = ranges.to_vec();
        sorted.sort_by_key(|r| r.start);
        self.fill(&sorted)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn name(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_addresses_become_their_public_https_endpoints() {
        assert_eq!(
            https_url("s3://sentinel-cogs/a/b.tif").unwrap(),
            "https://sentinel-cogs.s3.amazonaws.com/a/b.tif"
        );
        assert_eq!(
            https_url("gs://gcp-public-data/x.tif").unwrap(),
            "https://storage.googleapis.com/gcp-public-data/x.tif"
        );
        assert_eq!(
            https_url("https://example.org/x.tif").unwrap(),
            "https://example.org/x.tif"
        );
        assert!(https_url("ftp://example.org/x.tif").is_err());
        assert!(https_url("/home/me/x.tif").is_err());
    }
}
