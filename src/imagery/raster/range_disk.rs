//! Fetched byte ranges of remote rasters, kept in the tiles' [`DiskCache`], so that a restart
//! does not download a file's header and tiles again and a remote raster opens offline.
//!
//! Each range is one cache entry keyed `URL#bytes=START-END` (end inclusive) that carries the
//! file's validators; one more entry, `URL#ranges`, lists the ranges stored and the file's size,
//! so a reopen knows what is on disk without listing the folder. The URL is always the unsigned
//! one: no token reaches a key, a file name or a file.
//!
//! A file is kept only when its server sends a validator (`ETag` or `Last-Modified`) and no
//! `Cache-Control: no-store`: without a validator a reopen could not tell a changed file from
//! the old one and would mix their bytes. When the validators change, every range of the URL is
//! deleted. Ranges share the tiles' byte cap, least-recently-used eviction and Clear; a range
//! evicted is fetched again when next needed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use crate::imagery::disk_cache::{DiskCache, Validators};

/// Smallest piece worth an entry: a cache capped below four of these keeps no ranges.
const MIN_PIECE: u64 = 4 << 10;

/// What a response says about keeping its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// Its `ETag` and `Last-Modified`.
    pub validators: Validators,
    /// Whether it said `Cache-Control: no-store`.
    pub no_store: bool,
}

impl ResponseMeta {
    /// The validators and `no-store` of a response's headers.
    #[must_use]
    pub fn from_headers(headers: &ureq::http::HeaderMap) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let no_store = headers.get_all("cache-control").iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
            })
        });
        Self {
            validators: Validators {
                etag: header("etag"),
                last_modified: header("last-modified"),
            },
            no_store,
        }
    }
}

/// Whether two sets of validators name the same version of a file: the `ETag`s when both
/// have one, else the `Last-Modified` dates; with nothing to compare, not the same.
#[must_use]
pub fn same_version(a: &Validators, b: &Validators) -> bool {
    match (&a.etag, &b.etag) {
        (Some(x), Some(y)) => x == y,
        _ => match (&a.last_modified, &b.last_modified) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// The cache key of the bytes `range` (end exclusive, not empty) of the unsigned `url`.
#[must_use]
pub fn range_key(url: &str, range: &Range<u64>) -> String {
    format!(
        "{url}#bytes={}-{}",
        range.start,
        range.end.saturating_sub(1)
    )
}

/// The cache key of the index of what is stored of the unsigned `url`.
#[must_use]
pub fn index_key(url: &str) -> String {
    format!("{url}#ranges")
}

/// What the disk was last known to hold of a file: the index entry's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Index {
    validators: Validators,
    len: u64,
    /// Stored ranges: start → end (exclusive).
    ranges: BTreeMap<u64, u64>,
}

impl Index {
    /// The index entry's body: `len N`, then one `START-END` line (end inclusive) a range.
    fn to_text(&self) -> String {
        let mut out = format!("len {}\n", self.len);
        for (start, end) in &self.ranges {
            let _ = writeln!(out, "{start}-{}", end - 1);
        }
        out
    }

    /// Reads an index body; `None` when it has no size line (damaged). Unreadable range
    /// lines are skipped: those ranges are fetched again.
    fn from_text(validators: Validators, text: &str) -> Option<Self> {
        let mut lines = text.lines();
        let len = lines.next()?.strip_prefix("len ")?.trim().parse().ok()?;
        let ranges = lines
            .filter_map(|line| {
                let (a, b) = line.split_once('-')?;
                let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                (a <= b && b < len).then_some((a, b + 1))
            })
            .collect();
        Some(Self {
            validators,
            len,
            ranges,
        })
    }
}

/// What a reopen can revalidate: the validators and size stored, with the first range on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The validators the stored ranges were fetched under.
    pub validators: Validators,
    /// The file's size, bytes.
    pub len: u64,
}

/// The disk side of one remote raster's range cache.
pub struct RangeDisk {
    cache: DiskCache,
    /// The unsigned URL.
    url: String,
    /// Largest range kept as one entry; larger ones are kept in pieces.
    max_piece: u64,
    state: Mutex<State>,
}

struct State {
    index: Index,
    /// Whether ranges may be written: the server sent validators and no `no-store`.
    writable: bool,
}

impl RangeDisk {
    /// The ranges of the unsigned `url` in `cache`, as its index entry lists them (none when
    /// there is no index); nothing is written before [`Self::adopt`] or [`Self::confirm`].
    #[must_use]
    pub fn new(cache: DiskCache, url: &str, max_piece: u64) -> Self {
        let index = cache
            .entry(&index_key(url))
            .and_then(|entry| {
                Index::from_text(entry.validators, &String::from_utf8_lossy(&entry.bytes))
            })
            .unwrap_or_default();
        Self {
            cache,
            url: url.to_owned(),
            max_piece,
            state: Mutex::new(State {
                index,
                writable: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The validators and size to revalidate with, when the index has validators and the
    /// file's first range (its header) is stored.
    #[must_use]
    pub fn stored(&self) -> Option<Stored> {
        let state = self.lock();
        let index = &state.index;
        (!index.validators.is_empty() && index.len > 0 && index.ranges.contains_key(&0)).then(
            || Stored {
                validators: index.validators.clone(),
                len: index.len,
            },
        )
    }

    /// The server confirmed the stored copy (`304 Not Modified`): its ranges stand and new
    /// ones may be added, unless this answer says `no-store`.
    pub fn confirm(&self, meta: &ResponseMeta) {
        if meta.no_store {
            self.drop_all();
            return;
        }
        self.lock().writable = true;
    }

    /// The server sent the file afresh, `len` bytes with `meta`: ranges stored under other
    /// validators (or another size) are deleted, and new ones are written only when the
    /// answer has validators and no `no-store`.
    pub fn adopt(&self, meta: &ResponseMeta, len: u64) {
        let keep = {
            let state = self.lock();
            state.index.len == len && same_version(&state.index.validators, &meta.validators)
        };
        if !keep || meta.no_store {
            self.drop_all();
        }
        let mut state = self.lock();
        state.writable = !meta.no_store && !meta.validators.is_empty();
        if !keep && state.writable {
            state.index = Index {
                validators: meta.validators.clone(),
                len,
                ranges: BTreeMap::new(),
            };
        }
    }

    /// Whether a later answer, with `meta`, is of the version the stored ranges are: false
    /// only when both sides have validators and they differ. An answer saying `no-store`
    /// stops all writing (and what is stored is deleted).
    pub fn same_file(&self, meta: &ResponseMeta) -> bool {
        if meta.no_store {
            self.drop_all();
        }
        let state = self.lock();
        state.index.validators.is_empty()
            || meta.validators.is_empty()
            || same_version(&state.index.validators, &meta.validators)
    }

    /// The stored ranges that overlap any of `wanted`, read from disk (each read counts as a
    /// use). A range gone from disk (evicted) or stored under other validators is forgotten.
    #[must_use]
    pub fn load(&self, wanted: &[Range<u64>]) -> Vec<(u64, Vec<u8>)> {
        let mut state = self.lock();
        let hits: Vec<Range<u64>> = state
            .index
            .ranges
            .iter()
            .map(|(&start, &end)| start..end)
            .filter(|r| wanted.iter().any(|w| r.start < w.end && w.start < r.end))
            .collect();
        let mut found = Vec::new();
        for range in hits {
            let key = range_key(&self.url, &range);
            let entry = self.cache.entry(&key).filter(|entry| {
                entry.bytes.len() as u64 == range.end - range.start
                    && entry.validators == state.index.validators
            });
            if let Some(entry) = entry {
                found.push((range.start, entry.bytes));
            } else {
                log::debug!("range cache: {key} is gone or of another version");
                state.index.ranges.remove(&range.start);
                let _ = self.cache.remove(&key);
            }
        }
        found
    }

    /// Writes `body`, the bytes from `start`, in pieces of at most the piece limit (and a
    /// quarter of the cache's cap), then the index; nothing when writing is not allowed.
    /// Failures are logged: the cache is a convenience, reading goes on without it.
    pub fn store(&self, start: u64, body: &[u8]) {
        let mut state = self.lock();
        if !state.writable {
            return;
        }
        let piece = self.max_piece.min(self.cache.max_bytes() / 4);
        if piece < MIN_PIECE {
            return;
        }
        let Ok(piece_len) = usize::try_from(piece) else {
            return;
        };
        let mut at = start;
        for chunk in body.chunks(piece_len) {
            let range = at..at + chunk.len() as u64;
            at = range.end;
            let key = range_key(&self.url, &range);
            if let Err(err) = self.cache.put_with(&key, chunk, &state.index.validators) {
                log::warn!("range cache: cannot write ({err}): {key}");
                break;
            }
            state.index.ranges.insert(range.start, range.end);
        }
        self.save_index(&mut state);
    }

    /// Writes the index, first taking in ranges another reader of the same version stored
    /// meanwhile (the window and an export may read one file at once).
    fn save_index(&self, state: &mut State) {
        let key = index_key(&self.url);
        if let Some(on_disk) = self.cache.entry(&key).and_then(|entry| {
            Index::from_text(entry.validators, &String::from_utf8_lossy(&entry.bytes))
        }) && on_disk.len == state.index.len
            && on_disk.validators == state.index.validators
        {
            for (start, end) in on_disk.ranges {
                state.index.ranges.entry(start).or_insert(end);
            }
        }
        let text = state.index.to_text();
        if let Err(err) = self
            .cache
            .put_with(&key, text.as_bytes(), &state.index.validators)
        {
            log::warn!("range cache: cannot write the index ({err}): {key}");
        }
    }

    /// Deletes every stored range of the URL and its index, and stops writing.
    pub fn drop_all(&self) {
        let mut state = self.lock();
        let ranges = std::mem::take(&mut state.index.ranges);
        for (start, end) in ranges {
            let _ = self.cache.remove(&range_key(&self.url, &(start..end)));
        }
        let _ = self.cache.remove(&index_key(&self.url));
        state.index = Index::default();
        state.writable = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://example.org/scene.tif";

    fn cache() -> (tempfile::TempDir, DiskCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), DiskCache::DEFAULT_MAX_AGE)
            .with_max_bytes(1 << 30);
        (dir, cache)
    }

    fn meta(etag: &str) -> ResponseMeta {
        ResponseMeta {
            validators: Validators {
                etag: Some(etag.to_owned()),
                last_modified: None,
            },
            no_store: false,
        }
    }

    /// One range to ask for.
    fn one(range: Range<u64>) -> Vec<Range<u64>> {
        vec![range]
    }

    fn entries(dir: &tempfile::TempDir) -> usize {
        walk(dir.path()).len()
    }

    fn walk(path: &std::path::Path) -> Vec<std::path::PathBuf> {
        let Ok(read) = std::fs::read_dir(path) else {
            return Vec::new();
        };
        read.flatten()
            .flat_map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    vec![e.path()]
                }
            })
            .collect()
    }

    #[test]
    fn keys_name_the_url_and_the_inclusive_byte_range() {
        assert_eq!(
            range_key(URL, &(0..65536)),
            "https://example.org/scene.tif#bytes=0-65535"
        );
        assert_eq!(index_key(URL), "https://example.org/scene.tif#ranges");
    }

    #[test]
    fn the_same_etag_is_the_same_version_and_a_missing_one_is_not() {
        let v = |etag: Option<&str>, modified: Option<&str>| Validators {
            etag: etag.map(str::to_owned),
            last_modified: modified.map(str::to_owned),
        };
        assert!(same_version(
            &v(Some("\"a\""), None),
            &v(Some("\"a\""), None)
        ));
        assert!(!same_version(
            &v(Some("\"a\""), None),
            &v(Some("\"b\""), None)
        ));
        assert!(same_version(&v(None, Some("d1")), &v(None, Some("d1"))));
        assert!(!same_version(
            &v(Some("\"a\""), Some("d1")),
            &v(Some("\"b\""), Some("d1"))
        ));
        assert!(!same_version(&v(None, None), &v(None, None)));
    }

    #[test]
    fn an_index_survives_its_text_and_bad_lines_are_skipped() {
        let index = Index {
            validators: meta("\"v1\"").validators,
            len: 1000,
            ranges: [(0, 100), (500, 1000)].into_iter().collect(),
        };
        let text = index.to_text();
        assert_eq!(text, "len 1000\n0-99\n500-999\n");
        assert_eq!(
            Index::from_text(index.validators.clone(), &text),
            Some(index.clone())
        );
        let damaged = "len 1000\n0-99\nrubbish\n900-2000\n7-3\n";
        let read = Index::from_text(Validators::default(), damaged).unwrap();
        assert_eq!(read.ranges, [(0, 100)].into_iter().collect());
        assert_eq!(Index::from_text(Validators::default(), "0-99\n"), None);
    }

    #[test]
    fn stored_ranges_come_back_in_a_second_reader_with_their_validators() {
        let (_dir, cache) = cache();
        let first = RangeDisk::new(cache.clone(), URL, 16 << 20);
        assert_eq!(first.stored(), None, "nothing stored yet");
        first.adopt(&meta("\"v1\""), 10_000);
        first.store(0, &[1; 100]);
        first.store(5000, &[2; 50]);

        let second = RangeDisk::new(cache, URL, 16 << 20);
        assert_eq!(
            second.stored(),
            Some(Stored {
                validators: meta("\"v1\"").validators,
                len: 10_000
            })
        );
        assert_eq!(second.load(&one(5010..5020)), vec![(5000, vec![2; 50])]);
        assert_eq!(second.load(&one(200..300)), Vec::new());
        assert_eq!(second.load(&[0..1, 5049..6000]).len(), 2);
    }

    #[test]
    fn a_changed_etag_deletes_every_stored_range_of_the_url() {
        let (dir, cache) = cache();
        let first = RangeDisk::new(cache.clone(), URL, 16 << 20);
        first.adopt(&meta("\"v1\""), 10_000);
        first.store(0, &[1; 100]);
        first.store(5000, &[2; 50]);
        assert_eq!(entries(&dir), 3, "two ranges and the index");

        let second = RangeDisk::new(cache.clone(), URL, 16 << 20);
        second.adopt(&meta("\"v2\""), 10_000);
        assert_eq!(entries(&dir), 0, "all dropped");
        second.store(0, &[9; 100]);
        assert_eq!(second.load(&one(0..10)), vec![(0, vec![9; 100])]);
        let third = RangeDisk::new(cache, URL, 16 << 20);
        assert_eq!(
            third.stored().unwrap().validators,
            meta("\"v2\"").validators
        );
    }

    #[test]
    fn the_same_etag_keeps_what_is_stored() {
        let (dir, cache) = cache();
        let first = RangeDisk::new(cache.clone(), URL, 16 << 20);
        first.adopt(&meta("\"v1\""), 10_000);
        first.store(5000, &[2; 50]);
        let second = RangeDisk::new(cache, URL, 16 << 20);
        second.adopt(&meta("\"v1\""), 10_000);
        assert_eq!(entries(&dir), 2);
        assert_eq!(second.load(&one(5000..5001)).len(), 1);
    }

    #[test]
    fn no_store_or_no_validators_writes_nothing() {
        let (dir, cache) = cache();
        let disk = RangeDisk::new(cache.clone(), URL, 16 << 20);
        disk.adopt(
            &ResponseMeta {
                no_store: true,
                ..meta("\"v1\"")
            },
            10_000,
        );
        disk.store(0, &[1; 100]);
        let bare = RangeDisk::new(cache, "https://example.org/b.tif", 16 << 20);
        bare.adopt(&ResponseMeta::default(), 10_000);
        bare.store(0, &[1; 100]);
        assert_eq!(entries(&dir), 0);
    }

    #[test]
    fn a_long_range_is_stored_in_pieces_no_bigger_than_the_limit() {
        let (_dir, cache) = cache();
        let disk = RangeDisk::new(cache.clone(), URL, 8 << 10);
        disk.adopt(&meta("\"v1\""), 100_000);
        let body: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        disk.store(1000, &body);
        assert!(cache.entry(&range_key(URL, &(1000..9192))).is_some());
        let back = RangeDisk::new(cache, URL, 8 << 10).load(&one(1000..21_000));
        assert_eq!(back.len(), 3);
        let joined: Vec<u8> = back.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(joined, body);
    }

    #[test]
    fn an_evicted_range_is_forgotten_and_not_read() {
        let (_dir, cache) = cache();
        let disk = RangeDisk::new(cache.clone(), URL, 16 << 20);
        disk.adopt(&meta("\"v1\""), 10_000);
        disk.store(0, &[1; 100]);
        disk.store(5000, &[2; 50]);
        cache.remove(&range_key(URL, &(5000..5050))).unwrap();
        let again = RangeDisk::new(cache, URL, 16 << 20);
        assert_eq!(again.load(&one(5000..5050)), Vec::new());
        assert_eq!(again.load(&one(0..5050)).len(), 1);
    }

    #[test]
    fn a_later_answer_of_another_version_is_told_apart() {
        let (_dir, cache) = cache();
        let disk = RangeDisk::new(cache, URL, 16 << 20);
        disk.adopt(&meta("\"v1\""), 10_000);
        assert!(disk.same_file(&meta("\"v1\"")));
        assert!(disk.same_file(&ResponseMeta::default()));
        assert!(!disk.same_file(&meta("\"v2\"")));
    }

    #[test]
    fn response_headers_give_validators_and_no_store() {
        let mut headers = ureq::http::HeaderMap::new();
        headers.insert("etag", "\"abc\"".parse().unwrap());
        headers.insert("cache-control", "private, No-Store".parse().unwrap());
        let meta = ResponseMeta::from_headers(&headers);
        assert_eq!(meta.validators.etag.as_deref(), Some("\"abc\""));
        assert_eq!(meta.validators.last_modified, None);
        assert!(meta.no_store);
        headers.insert("cache-control", "max-age=60".parse().unwrap());
        assert!(!ResponseMeta::from_headers(&headers).no_store);
    }
}
