//! The one disk cache for tiles, against a 127.0.0.1 server that counts requests, conditional
//! headers and bodies sent: the byte cap evicts the least recently used entry, a stale entry is
//! revalidated (a 304 sends no body; a changed `ETag` replaces the entry), `no-store` responses
//! are not kept, and a stale copy is served when the server is gone. Routes: `/etag/` answers
//! with the current `ETag` (304 when `If-None-Match` matches), `/lm/` with a fixed
//! `Last-Modified` (304 when `If-Modified-Since` matches), `/nostore/` with
//! `Cache-Control: no-store`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly; the server is the test's own"
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::http::{HttpTileConfig, HttpTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// One request as the server saw it and what it answered.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    status: u16,
    body_bytes: usize,
}

#[derive(Default)]
struct State {
    etag: Mutex<String>,
    seen: Mutex<Vec<Seen>>,
}

struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        "\"v1\"".clone_into(&mut state.etag.lock().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => serve(stream, &state),
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Self {
            addr,
            state,
            stop,
            acceptor: Some(acceptor),
        }
    }

    fn source(&self, route: &str, cache: &DiskCache) -> HttpTileSource {
        let mut config = HttpTileConfig::new(
            "cached tiles",
            format!("http://{}/{route}/{{z}}/{{x}}/{{y}}.png", self.addr),
            "test",
            19,
        );
        config.timeout = Duration::from_secs(5);
        HttpTileSource::new(config, Some(cache.clone()))
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    fn set_etag(&self, etag: &str) {
        etag.clone_into(&mut self.state.etag.lock().unwrap());
    }

    /// Closes the port: later requests are refused.
    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A 256 px PNG whose colour depends on `seed`.
fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(256, 256, |x, y| {
        image::Rgba([seed, (x % 256) as u8, (y % 256) as u8, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn serve(mut stream: TcpStream, state: &State) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("")
        .to_owned();
    let header = |wanted: &str| {
        request.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case(wanted)
                .then(|| value.trim().to_owned())
        })
    };
    let (if_none_match, if_modified_since) = (header("if-none-match"), header("if-modified-since"));
    let etag = state.etag.lock().unwrap().clone();
    // The body differs with the ETag, so a replaced entry can be told from the old one.
    let seed = etag.bytes().map(u32::from).sum::<u32>() as u8;
    let (status, extra, body) = if path.starts_with("/etag/") {
        if if_none_match.as_deref() == Some(etag.as_str()) {
            (304, format!("ETag: {etag}\r\n"), Vec::new())
        } else {
            (200, format!("ETag: {etag}\r\n"), png(seed))
        }
    } else if path.starts_with("/lm/") {
        if if_modified_since.as_deref() == Some(LAST_MODIFIED) {
            (304, String::new(), Vec::new())
        } else {
            (200, format!("Last-Modified: {LAST_MODIFIED}\r\n"), png(9))
        }
    } else if path.starts_with("/nostore/") {
        (
            200,
            "Cache-Control: private, no-store\r\n".to_owned(),
            png(3),
        )
    } else {
        (404, String::new(), b"no such tile".to_vec())
    };
    state.seen.lock().unwrap().push(Seen {
        path,
        if_none_match,
        if_modified_since,
        status,
        body_bytes: body.len(),
    });
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        _ => "Not Found",
    };
    let length = if status == 304 {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: image/png\r\n{extra}{length}Connection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

fn key(x: u32) -> TileKey {
    TileKey { z: 5, x, y: 7 }
}

fn hits(server: &Server, x: u32) -> usize {
    let tail = format!("/5/{x}/7.png");
    server
        .seen()
        .iter()
        .filter(|seen| seen.path.ends_with(&tail))
        .count()
}

#[test]
fn the_byte_cap_evicts_the_least_recently_used_tile() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let probe = DiskCache::new(dir.path().join("probe"), DiskCache::DEFAULT_MAX_AGE);
    server.source("etag", &probe).fetch(key(0)).unwrap();
    let one_tile = probe.size_bytes();
    assert!(one_tile > 1000, "{one_tile}");

    // Room for two tiles and a half.
    let cache = DiskCache::new(dir.path().join("capped"), DiskCache::DEFAULT_MAX_AGE)
        .with_max_bytes(one_tile * 5 / 2);
    let source = server.source("etag", &cache);
    source.fetch(key(1)).unwrap();
    source.fetch(key(2)).unwrap();
    // Tile 1 is used again (from disk, no request): tile 2 is now the least recently used.
    source.fetch(key(1)).unwrap();
    assert_eq!(hits(&server, 1), 1);
    source.fetch(key(3)).unwrap();
    assert!(cache.size_bytes() <= cache.max_bytes());

    source.fetch(key(1)).unwrap();
    source.fetch(key(3)).unwrap();
    assert_eq!(
        (hits(&server, 1), hits(&server, 3)),
        (1, 1),
        "kept tiles asked again"
    );
    source.fetch(key(2)).unwrap();
    assert_eq!(
        hits(&server, 2),
        2,
        "the least recently used tile was not evicted"
    );
}

#[test]
fn a_stale_tile_revalidated_with_a_304_downloads_no_body() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    // Every entry is stale at once.
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    let source = server.source("etag", &cache);
    let first = source.fetch(key(0)).unwrap();
    let again = source.fetch(key(0)).unwrap();
    assert_eq!(first, again);

    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].if_none_match, None);
    assert_eq!(seen[1].if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!((seen[1].status, seen[1].body_bytes), (304, 0));
}

#[test]
fn last_modified_is_sent_back_as_if_modified_since() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    let source = server.source("lm", &cache);
    source.fetch(key(0)).unwrap();
    source.fetch(key(0)).unwrap();
    let seen = server.seen();
    assert_eq!(seen[1].if_modified_since.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(seen[1].status, 304);
}

#[test]
fn a_304_makes_the_entry_fresh_again() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::from_hours(1));
    let source = server.source("etag", &cache);
    source.fetch(key(0)).unwrap();
    let url = source.tile_url(key(0)).unwrap();
    // Written two hours ago: stale.
    std::fs::File::options()
        .write(true)
        .open(cache.path_for(&url))
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_hours(2))
        .unwrap();
    source.fetch(key(0)).unwrap();
    source.fetch(key(0)).unwrap();
    let statuses: Vec<u16> = server.seen().iter().map(|seen| seen.status).collect();
    assert_eq!(statuses, [200, 304], "the refreshed entry was asked again");
}

#[test]
fn a_changed_etag_replaces_the_cached_tile() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    let source = server.source("etag", &cache);
    let old = source.fetch(key(0)).unwrap();
    server.set_etag("\"v2\"");
    let new = source.fetch(key(0)).unwrap();
    assert_ne!(old.get_pixel(0, 0), new.get_pixel(0, 0));

    let url = source.tile_url(key(0)).unwrap();
    let entry = cache.entry(&url).unwrap();
    assert_eq!(entry.validators.etag.as_deref(), Some("\"v2\""));
    // The next revalidation asks with the new ETag and gets a 304.
    source.fetch(key(0)).unwrap();
    let seen = server.seen();
    assert_eq!(seen[1].status, 200);
    assert_eq!(seen[2].if_none_match.as_deref(), Some("\"v2\""));
    assert_eq!(seen[2].status, 304);
}

#[test]
fn a_no_store_response_is_not_cached() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), DiskCache::DEFAULT_MAX_AGE);
    let source = server.source("nostore", &cache);
    source.fetch(key(0)).unwrap();
    source.fetch(key(0)).unwrap();
    assert_eq!(hits(&server, 0), 2);
    assert_eq!(cache.size_bytes(), 0);
}

#[test]
fn a_stale_tile_is_served_when_the_server_is_gone() {
    let mut server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    let source = server.source("etag", &cache);
    let online = source.fetch(key(0)).unwrap();
    server.shut_down();
    let offline = source.fetch(key(0)).unwrap();
    assert_eq!(online, offline);
    assert_eq!(hits(&server, 0), 1);
}

#[test]
fn clear_empties_the_cache() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), DiskCache::DEFAULT_MAX_AGE);
    let source = server.source("etag", &cache);
    source.fetch(key(0)).unwrap();
    assert!(cache.size_bytes() > 0);
    cache.clear().unwrap();
    assert_eq!(cache.size_bytes(), 0);
    source.fetch(key(0)).unwrap();
    assert_eq!(hits(&server, 0), 2);
}
