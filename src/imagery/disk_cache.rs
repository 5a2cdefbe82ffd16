//! Downloaded tiles kept on disk, one file per URL, so a restart does not download them again.
//!
//! Files are named by a stable hash of the URL (FNV-1a, 64 bit: std's `DefaultHasher` may change
//! between Rust versions, which would orphan the whole cache) in one folder per host.
//!
//! Each file starts with a small header block holding the response's validators (`ETag`,
//! `Last-Modified`), so that a stale entry can be revalidated with a conditional request;
//! files written before the header existed are read as bare bytes. The file's times carry the
//! rest, so nothing but the entries themselves has to survive a restart or a crash:
//!
//! - **modification time**: when the bytes were last known good (written, or confirmed by a
//!   `304 Not Modified`); freshness is counted from it. OpenStreetMap's tile policy asks for at
//!   least 7 days.
//! - **access time**: when the entry was last used, set explicitly on every read and write
//!   (so `noatime` mounts do not matter). The least recently used entries are evicted when the
//!   folder grows past its byte cap.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// The cap of caches without one of their own: see [`DiskCache::set_shared_max_bytes`].
static SHARED_MAX_BYTES: AtomicU64 = AtomicU64::new(DiskCache::DEFAULT_MAX_BYTES);

/// Marks an entry file that starts with a header block.
const MAGIC: &[u8] = b"SWCACHE1\n";

/// The validators a server sent with a response, used to ask whether a stale copy still holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, as sent (quotes and `W/` included).
    pub etag: Option<String>,
    /// The `Last-Modified` header, as sent.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to revalidate with.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// One entry read from the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedEntry {
    /// The stored body.
    pub bytes: Vec<u8>,
    /// Whether it was confirmed less than the cache's `max_age` ago.
    pub fresh: bool,
    /// The validators stored with it (empty for entries written without any).
    pub validators: Validators,
}

/// A folder of cached tile bytes keyed by URL, at most `max_bytes` big.
#[derive(Clone, Debug)]
pub struct DiskCache {
    root: PathBuf,
    max_age: Duration,
    /// Its own cap; `None` follows the shared cap (the app's preference).
    max_bytes: Option<u64>,
    /// Bytes in the folder as last counted, shared by clones; `None` until first counted.
    size: Arc<Mutex<Option<u64>>>,
}

impl DiskCache {
    /// How long an entry counts as fresh unless told otherwise: 30 days.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_hours(30 * 24);

    /// How big the folder may grow unless told otherwise: 1 GiB.
    pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

    /// A cache under `root` whose entries are fresh for `max_age` after they were written, at
    /// most the [shared cap](Self::set_shared_max_bytes) big (at first
    /// [`DEFAULT_MAX_BYTES`](Self::DEFAULT_MAX_BYTES)). Nothing is created until the
    /// first [`put`](Self::put).
    #[must_use]
    pub fn new(root: PathBuf, max_age: Duration) -> Self {
        Self {
            root,
            max_age,
            max_bytes: None,
            size: Arc::new(Mutex::new(None)),
        }
    }

    /// The same cache capped at `max_bytes`: after a write takes it past the cap, the least
    /// recently used entries are deleted until it is under it again.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// The `tiles` folder in the user's cache directory, or `None` where the platform has none
    /// (no home directory).
    #[must_use]
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("org", "sitewatch", "sitewatch")
            .map(|dirs| dirs.cache_dir().join("tiles"))
    }

    /// The user's one cache of tiles and byte ranges (in [`Self::default_root`], entries
    /// revalidated after [`Self::DEFAULT_MAX_AGE`]); `None` where the platform has no cache
    /// directory.
    #[must_use]
    pub fn user() -> Option<Self> {
        Self::default_root().map(|root| Self::new(root, Self::DEFAULT_MAX_AGE))
    }

    /// The folder the entries live in.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How long an entry counts as fresh.
    #[must_use]
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The byte cap.
    #[must_use]
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes.unwrap_or_else(Self::shared_max_bytes)
    }

    /// Sets the cap of every cache without one of its own ([`with_max_bytes`](Self::with_max_bytes)),
    /// those already open included: the app's preference, so it reaches every tile source.
    pub fn set_shared_max_bytes(max_bytes: u64) {
        SHARED_MAX_BYTES.store(max_bytes, Ordering::Relaxed);
    }

    /// The cap of caches without one of their own.
    #[must_use]
    pub fn shared_max_bytes() -> u64 {
        SHARED_MAX_BYTES.load(Ordering::Relaxed)
    }

    /// Where the entry for `url` lives (whether or not it exists).
    #[must_use]
    pub fn path_for(&self, url: &str) -> PathBuf {
        self.root
            .join(host_folder(url))
            .join(format!("{:016x}.tile", fnv1a_64(url.as_bytes())))
    }

    /// The bytes stored for `url` if they were confirmed less than `max_age` ago.
    #[must_use]
    pub fn get(&self, url: &str) -> Option<Vec<u8>> {
        self.entry(url)
            .filter(|entry| entry.fresh)
            .map(|entry| entry.bytes)
    }

    /// The bytes stored for `url`, however old: the fallback when the network fails.
    #[must_use]
    pub fn get_stale(&self, url: &str) -> Option<Vec<u8>> {
        self.entry(url).map(|entry| entry.bytes)
    }

    /// The entry for `url`, fresh or not, with its validators. Reading it counts as a use.
    #[must_use]
    pub fn entry(&self, url: &str) -> Option<CachedEntry> {
        let path = self.path_for(url);
        let modified = read_metadata(&path)?.modified().ok()?;
        let raw = read_bytes(&path)?;
        mark_used(&path);
        // A modification time in the future (clock moved back) counts as brand new.
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or(Duration::ZERO);
        let (validators, bytes) = split_entry(raw);
        Some(CachedEntry {
            bytes,
            fresh: age < self.max_age,
            validators,
        })
    }

    /// Stores `bytes` for `url` without validators; see [`put_with`](Self::put_with).
    pub fn put(&self, url: &str, bytes: &[u8]) -> io::Result<()> {
        self.put_with(url, bytes, &Validators::default())
    }

    /// Stores `bytes` and the server's `validators` for `url`, replacing any older entry, then
    /// evicts the least recently used entries if the folder is past its cap. Written to a
    /// temporary file and renamed into place, so a reader never sees half a tile and a crash
    /// leaves no torn entry.
    pub fn put_with(&self, url: &str, bytes: &[u8], validators: &Validators) -> io::Result<()> {
        // Unique per process and call, so two workers writing the same URL never share a file.
        static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

        let path = self.path_for(url);
        let Some(folder) = path.parent() else {
            return Err(io::Error::other(format!(
                "cache entry has no folder: {}",
                path.display()
            )));
        };
        fs::create_dir_all(folder)?;
        let temp_path = path.with_extension(format!(
            "{}-{}.tmp",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        ));
        let contents = join_entry(validators, bytes);
        let replaced = fs::metadata(&path).map_or(0, |m| m.len());
        let written =
            write_file(&temp_path, &contents).and_then(|()| fs::rename(&temp_path, &path));
        if written.is_err() {
            // Best effort: the error that matters is the one from writing.
            let _ = fs::remove_file(&temp_path);
        }
        written?;
        mark_used(&path);
        self.account(contents.len() as u64, replaced);
        Ok(())
    }

    /// Marks the entry for `url` as confirmed now (a `304 Not Modified`): fresh again for
    /// `max_age`, without rewriting its bytes.
    pub fn refresh(&self, url: &str) -> io::Result<()> {
        let path = self.path_for(url);
        let now = stamp();
        fs::File::options()
            .write(true)
            .open(&path)?
            .set_times(fs::FileTimes::new().set_modified(now).set_accessed(now))
    }

    /// Deletes the entry for `url`, if there is one.
    pub fn remove(&self, url: &str) -> io::Result<()> {
        let path = self.path_for(url);
        let len = fs::metadata(&path).map_or(0, |m| m.len());
        match fs::remove_file(&path) {
            Ok(()) => {
                self.account(0, len);
                Ok(())
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Bytes the entries take on disk, counted now.
    #[must_use]
    pub fn size_bytes(&self) -> u64 {
        let total = list_entries(&self.root).iter().map(|e| e.len).sum();
        *self.size.lock().unwrap_or_else(PoisonError::into_inner) = Some(total);
        total
    }

    /// Deletes every entry (and any temporary file left by a crash).
    pub fn clear(&self) -> io::Result<()> {
        let mut size = self.size.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match fs::remove_dir_all(&self.root) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        *size = None;
        result
    }

    /// Updates the running size after a write of `added` bytes over `removed`, and evicts when
    /// it passes the cap.
    fn account(&self, added: u64, removed: u64) {
        let mut size = self.size.lock().unwrap_or_else(PoisonError::into_inner);
        let total = match *size {
            Some(total) => total.saturating_add(added).saturating_sub(removed),
            None => list_entries(&self.root).iter().map(|e| e.len).sum(),
        };
        *size = Some(if total > self.max_bytes() {
            self.evict()
        } else {
            total
        });
    }

    /// Deletes the least recently used entries until the folder is under the cap; returns
    /// what is left.
    fn evict(&self) -> u64 {
        let mut entries = list_entries(&self.root);
        let mut total: u64 = entries.iter().map(|e| e.len).sum();
        entries.sort_by_key(|e| e.used);
        for entry in entries {
            if total <= self.max_bytes() {
                break;
            }
            match fs::remove_file(&entry.path) {
                Ok(()) => {
                    log::debug!("tile cache: evicted {}", entry.path.display());
                    total = total.saturating_sub(entry.len);
                }
                Err(err) => {
                    log::warn!("tile cache: cannot evict ({err}): {}", entry.path.display());
                }
            }
        }
        total
    }
}

/// Two handles are equal when they share folder, freshness and cap (the running size is
/// bookkeeping, not identity): so options holding a cache can still be compared.
impl PartialEq for DiskCache {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
            && self.max_age == other.max_age
            && self.max_bytes == other.max_bytes
    }
}

/// One file of the cache as the eviction sees it.
struct Listed {
    path: PathBuf,
    len: u64,
    used: SystemTime,
}

/// Every entry file under `root` (one level of host folders), with its size and last use.
fn list_entries(root: &Path) -> Vec<Listed> {
    let mut out = Vec::new();
    let Ok(hosts) = fs::read_dir(root) else {
        return out;
    };
    for host in hosts.flatten() {
        let Ok(files) = fs::read_dir(host.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|ext| ext != "tile") {
                continue;
            }
            let Ok(meta) = file.metadata() else {
                continue;
            };
            let used = meta
                .accessed()
                .or_else(|_| meta.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            out.push(Listed {
                path,
                len: meta.len(),
                used,
            });
        }
    }
    out
}

/// Now, but always later than the last time handed out in this process, so that two uses in
/// quick succession are told apart by the eviction.
fn stamp() -> SystemTime {
    static LAST: Mutex<Option<SystemTime>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    let now = SystemTime::now();
    let next = match *last {
        Some(prev) if prev >= now => prev + Duration::from_micros(1),
        _ => now,
    };
    *last = Some(next);
    next
}

/// Records a use of the entry at `path` in its access time (best effort).
fn mark_used(path: &Path) {
    let marked = fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_times(fs::FileTimes::new().set_accessed(stamp())));
    if let Err(err) = marked {
        log::debug!("tile cache: cannot mark use ({err}): {}", path.display());
    }
}

/// The file contents for `bytes` with `validators`: the header block, then the body.
fn join_entry(validators: &Validators, bytes: &[u8]) -> Vec<u8> {
    let clean = |value: &str| value.replace(['\r', '\n'], " ");
    let mut out = MAGIC.to_vec();
    if let Some(etag) = &validators.etag {
        out.extend_from_slice(format!("etag: {}\n", clean(etag)).as_bytes());
    }
    if let Some(modified) = &validators.last_modified {
        out.extend_from_slice(format!("last-modified: {}\n", clean(modified)).as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(bytes);
    out
}

/// Splits a file into its validators and body; a file without the header block is all body.
fn split_entry(raw: Vec<u8>) -> (Validators, Vec<u8>) {
    let Some(rest) = raw.strip_prefix(MAGIC) else {
        return (Validators::default(), raw);
    };
    let mut validators = Validators::default();
    let mut at = 0;
    while let Some(end) = rest[at..].iter().position(|&b| b == b'\n') {
        let line = &rest[at..at + end];
        at += end + 1;
        if line.is_empty() {
            return (validators, rest[at..].to_vec());
        }
        let line = String::from_utf8_lossy(line);
        if let Some((name, value)) = line.split_once(": ") {
            match name {
                "etag" => validators.etag = Some(value.to_owned()),
                "last-modified" => validators.last_modified = Some(value.to_owned()),
                _ => {}
            }
        }
    }
    // A header without its end: treat as damaged, no body.
    (Validators::default(), Vec::new())
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn read_metadata(path: &Path) -> Option<fs::Metadata> {
    match fs::metadata(path) {
        Ok(metadata) => Some(metadata),
        Err(err) => {
            if err.kind() != io::ErrorKind::NotFound {
                log::warn!("tile cache entry unreadable ({err}): {}", path.display());
            }
            None
        }
    }
}

fn read_bytes(path: &Path) -> Option<Vec<u8>> {
    match fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            if err.kind() != io::ErrorKind::NotFound {
                log::warn!("tile cache entry unreadable ({err}): {}", path.display());
            }
            None
        }
    }
}

/// The URL's host (and port) as a folder name: only ASCII letters, digits, `.`, `-` and `_`
/// survive, so no URL can climb out of the cache root.
fn host_folder(url: &str) -> String {
    // Credentials have no place in a folder name: `url_host` leaves them out.
    let folder: String = super::http::url_host(url)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if folder.is_empty() || folder.chars().all(|c| c == '.') {
        "_".to_owned()
    } else {
        folder
    }
}

/// FNV-1a, 64 bit: a hash that is the same on every platform and Rust version.
#[must_use]
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://tile.openstreetmap.org/3/4/2.png";

    fn cache(max_age: Duration) -> (tempfile::TempDir, DiskCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), max_age);
        (dir, cache)
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn an_empty_cache_has_nothing() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        assert_eq!(cache.get(URL), None);
        assert_eq!(cache.get_stale(URL), None);
    }

    #[test]
    fn what_was_put_comes_back_fresh() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        cache.put(URL, b"tile bytes").unwrap();
        assert_eq!(cache.get(URL).as_deref(), Some(&b"tile bytes"[..]));
        assert_eq!(cache.get_stale(URL).as_deref(), Some(&b"tile bytes"[..]));
    }

    #[test]
    fn a_second_put_replaces_the_first() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        cache.put(URL, b"old").unwrap();
        cache.put(URL, b"new").unwrap();
        assert_eq!(cache.get(URL).as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn an_old_entry_is_only_there_as_stale() {
        let (_dir, cache) = cache(Duration::ZERO);
        cache.put(URL, b"old").unwrap();
        assert_eq!(cache.get(URL), None);
        assert_eq!(cache.get_stale(URL).as_deref(), Some(&b"old"[..]));
    }

    #[test]
    fn entries_live_in_a_folder_per_host_and_leave_no_temporary_files() {
        let (dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        cache.put(URL, b"a").unwrap();
        cache.put("http://127.0.0.1:8080/1/0/0.png", b"b").unwrap();

        let host = dir.path().join("tile.openstreetmap.org");
        let names: Vec<_> = fs::read_dir(&host)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(cache.path_for(URL).starts_with(&host));
        assert!(dir.path().join("127.0.0.1_8080").is_dir());
    }

    #[test]
    fn different_urls_get_different_files() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        assert_ne!(
            cache.path_for("https://a.example/1/0/0.png"),
            cache.path_for("https://a.example/1/0/1.png")
        );
    }

    #[test]
    fn a_hostile_host_cannot_leave_the_cache_root() {
        assert_eq!(host_folder("http://../x"), "_");
        assert_eq!(
            host_folder("http://user:pw@Example.org:81/a"),
            "example.org_81"
        );
        assert_eq!(host_folder("no scheme/at/all"), "no_scheme");
        assert_eq!(host_folder(""), "_");
    }

    #[test]
    fn a_put_into_an_unwritable_place_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        fs::write(&file, b"x").unwrap();
        let cache = DiskCache::new(file, DiskCache::DEFAULT_MAX_AGE);
        assert!(cache.put(URL, b"tile").is_err());
    }

    #[test]
    fn validators_are_stored_with_the_bytes() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        let validators = Validators {
            etag: Some("\"v1\"".to_owned()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        };
        cache.put_with(URL, b"\nbody\n\n", &validators).unwrap();
        let entry = cache.entry(URL).unwrap();
        assert_eq!(entry.bytes, b"\nbody\n\n");
        assert_eq!(entry.validators, validators);
        assert!(entry.fresh);
    }

    #[test]
    fn an_entry_written_before_headers_existed_reads_as_bare_bytes() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        let path = cache.path_for(URL);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"old tile").unwrap();
        let entry = cache.entry(URL).unwrap();
        assert_eq!(entry.bytes, b"old tile");
        assert!(entry.validators.is_empty());
    }

    #[test]
    fn a_refreshed_stale_entry_is_fresh_again() {
        let (_dir, cache) = cache(Duration::from_hours(1));
        cache.put(URL, b"tile").unwrap();
        let old = SystemTime::now() - Duration::from_hours(2);
        fs::File::options()
            .write(true)
            .open(cache.path_for(URL))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(cache.get(URL), None);
        cache.refresh(URL).unwrap();
        assert_eq!(cache.get(URL).as_deref(), Some(&b"tile"[..]));
    }

    #[test]
    fn clear_empties_the_cache_and_size_counts_the_files() {
        let (_dir, cache) = cache(DiskCache::DEFAULT_MAX_AGE);
        cache.put(URL, &[7; 1000]).unwrap();
        let size = cache.size_bytes();
        assert!((1000..1100).contains(&size), "{size}");
        cache.clear().unwrap();
        assert_eq!(cache.size_bytes(), 0);
        assert_eq!(cache.get_stale(URL), None);
        cache.put(URL, b"again").unwrap();
        assert!(cache.get(URL).is_some());
    }
}
