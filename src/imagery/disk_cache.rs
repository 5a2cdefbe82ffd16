//! Downloaded tiles kept on disk, one file per URL, so a restart does not download them again.
//!
//! Files are named by a stable hash of the URL (FNV-1a, 64 bit: std's `DefaultHasher` may change
//! between Rust versions, which would orphan the whole cache) in one folder per host. Freshness
//! is the file's modification time: OpenStreetMap's tile policy asks for at least 7 days.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// A folder of cached tile bytes keyed by URL.
#[derive(Clone, Debug)]
pub struct DiskCache {
    root: PathBuf,
    max_age: Duration,
}

impl DiskCache {
    /// How long an entry counts as fresh unless told otherwise: 30 days.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_hours(30 * 24);

    /// A cache under `root` whose entries are fresh for `max_age` after they were written.
    /// Nothing is created until the first [`put`](Self::put).
    #[must_use]
    pub fn new(root: PathBuf, max_age: Duration) -> Self {
        Self { root, max_age }
    }

    /// The `tiles` folder in the user's cache directory, or `None` where the platform has none
    /// (no home directory).
    #[must_use]
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("org", "sitewatch", "sitewatch")
            .map(|dirs| dirs.cache_dir().join("tiles"))
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

    /// Where the entry for `url` lives (whether or not it exists).
    #[must_use]
    pub fn path_for(&self, url: &str) -> PathBuf {
        self.root
            .join(host_folder(url))
            .join(format!("{:016x}.tile", fnv1a_64(url.as_bytes())))
    }

    /// The bytes stored for `url` if they were written less than `max_age` ago.
    #[must_use]
    pub fn get(&self, url: &str) -> Option<Vec<u8>> {
        let path = self.path_for(url);
        let modified = read_metadata(&path)?.modified().ok()?;
        // A modification time in the future (clock moved back) counts as brand new.
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or(Duration::ZERO);
        if age >= self.max_age {
            return None;
        }
        read_bytes(&path)
    }

    /// The bytes stored for `url`, however old: the fallback when the network fails.
    #[must_use]
    pub fn get_stale(&self, url: &str) -> Option<Vec<u8>> {
        read_bytes(&self.path_for(url))
    }

    /// Stores `bytes` for `url`, replacing any older entry. Written to a temporary file and
    /// renamed into place, so a reader never sees half a tile and a crash leaves no torn entry.
    pub fn put(&self, url: &str, bytes: &[u8]) -> io::Result<()> {
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
        let written = write_file(&temp_path, bytes).and_then(|()| fs::rename(&temp_path, &path));
        if written.is_err() {
            // Best effort: the error that matters is the one from writing.
            let _ = fs::remove_file(&temp_path);
        }
        written
    }
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
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    // Credentials have no place in a folder name.
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let folder: String = host
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
}
