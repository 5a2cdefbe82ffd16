//! HTTP tile loading against a tiny HTTP/1.1 server on 127.0.0.1 that each test starts itself.
//! Nothing else is reached. Routes (by path prefix): `/png/` a 256 px PNG, `/big/` a 512 px PNG,
//! `/missing/` 404, `/broken/` 500, `/garbage/` 200 with bytes that are no image, `/slow/` never
//! answers (the handler gives up when the test ends).
// The helpers are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::http::{HttpTileConfig, HttpTileSource, user_agent};
use sitewatch::imagery::tile_loader::{Backoff, LoaderClock, TileLoader, TileState};
use sitewatch::imagery::{TileError, TileKey, TileSource};

const KEY: TileKey = TileKey { z: 3, x: 1, y: 2 };
const TIMEOUT: Duration = Duration::from_millis(300);

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    user_agent: Option<String>,
}

/// A server on an ephemeral port; stops (and lets any slow handler go) when dropped.
struct TestServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
                            std::thread::spawn(move || serve(stream, &seen, &stop));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Self {
            addr,
            seen,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// A URL template for `route` on this server.
    fn template(&self, route: &str) -> String {
        format!("http://{}/{route}/{{z}}/{{x}}/{{y}}.png", self.addr)
    }

    /// The URL of `KEY` on `route`.
    fn url(&self, route: &str) -> String {
        format!("http://{}/{route}/3/1/2.png", self.addr)
    }

    /// Requests seen so far whose path starts with `/route/`.
    fn hits(&self, route: &str) -> usize {
        let prefix = format!("/{route}/");
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|seen| seen.path.starts_with(&prefix))
            .count()
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// A PNG `size_px` square whose pixel (x, y) is `[x % 256, y % 256, 77, 255]`.
fn pattern_png(size_px: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(size_px, size_px, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 77, 255])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<Seen>>, stop: &AtomicBool) {
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
    let user_agent = request.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("user-agent")
            .then(|| value.trim().to_owned())
    });
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        user_agent,
    });

    let (status, body): (&str, Vec<u8>) = if path.starts_with("/png/") {
        ("200 OK", pattern_png(256))
    } else if path.starts_with("/big/") {
        ("200 OK", pattern_png(512))
    } else if path.starts_with("/garbage/") {
        ("200 OK", b"this is not a picture".to_vec())
    } else if path.starts_with("/broken/") {
        ("500 Internal Server Error", b"oops".to_vec())
    } else if path.starts_with("/slow/") {
        // Never answer; give up when the test is over (or after 5 s at most).
        let give_up = Instant::now() + Duration::from_secs(5);
        while !stop.load(Ordering::SeqCst) && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(10));
        }
        return;
    } else {
        ("404 Not Found", b"no such tile".to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

fn config(template: String) -> HttpTileConfig {
    HttpTileConfig {
        name: "test tiles".into(),
        url_template: template,
        attribution: "© the test".into(),
        max_zoom: 19,
        user_agent: user_agent(),
        timeout: TIMEOUT,
        vars: BTreeMap::new(),
    }
}

fn cache_in(dir: &Path) -> DiskCache {
    DiskCache::new(dir.to_path_buf(), DiskCache::DEFAULT_MAX_AGE)
}

/// Files anywhere under `dir`.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { files_under(&path) } else { 1 })
            .sum()
    })
}

/// Polls `condition` for up to two minutes (a bound for busy CI cores, not a timing).
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_mins(2);
    while !condition() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn failed_attempts(loader: &TileLoader, key: TileKey) -> Option<(u32, Instant)> {
    match loader.state(key) {
        TileState::Failed {
            attempts, retry_at, ..
        } => Some((attempts, retry_at)),
        _ => None,
    }
}

#[test]
fn a_png_tile_decodes_to_the_pixels_the_server_sent() {
    let server = TestServer::start();
    let source = HttpTileSource::new(config(server.template("png")), None);
    let tile = source.fetch(KEY).unwrap();
    assert_eq!(tile.dimensions(), (256, 256));
    assert_eq!(tile.get_pixel(0, 0).0, [0, 0, 77, 255]);
    assert_eq!(tile.get_pixel(200, 17).0, [200, 17, 77, 255]);
    assert_eq!(server.seen()[0].path, "/png/3/1/2.png");
}

#[test]
fn requests_carry_a_sitewatch_user_agent() {
    let server = TestServer::start();
    HttpTileSource::new(config(server.template("png")), None)
        .fetch(KEY)
        .unwrap();
    let agent = server.seen()[0].user_agent.clone().unwrap_or_default();
    assert!(agent.starts_with("sitewatch/"), "{agent:?}");
}

#[test]
fn a_second_fetch_of_a_tile_comes_from_the_disk_cache() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let source = HttpTileSource::new(config(server.template("png")), Some(cache_in(dir.path())));
    let first = source.fetch(KEY).unwrap();
    assert_eq!(server.hits("png"), 1);

    let second = source.fetch(KEY).unwrap();
    assert_eq!(server.hits("png"), 1, "the second fetch reached the server");
    assert_eq!(first, second);

    // A new source over the same folder (the next start of the app) finds it too.
    let restarted = HttpTileSource::new(config(server.template("png")), Some(cache_in(dir.path())));
    restarted.fetch(KEY).unwrap();
    assert_eq!(server.hits("png"), 1);
    assert_eq!(files_under(dir.path()), 1);
}

#[test]
fn template_vars_reach_the_server() {
    let server = TestServer::start();
    let template = format!(
        "http://{}/png/{{layer}}/{{date}}/{{z}}/{{x}}/{{y}}.png",
        server.addr
    );
    let config = config(template)
        .with_var("layer", "rgb")
        .with_var("date", "2024-05-01");
    HttpTileSource::new(config, None).fetch(KEY).unwrap();
    assert_eq!(server.seen()[0].path, "/png/rgb/2024-05-01/3/1/2.png");
}

#[test]
fn a_tile_of_another_size_is_resized_to_the_tile_size() {
    let server = TestServer::start();
    let tile = HttpTileSource::new(config(server.template("big")), None)
        .fetch(KEY)
        .unwrap();
    assert_eq!(tile.dimensions(), (256, 256));
}

/// Fetches `KEY` from `route` twice through a tempdir cache: both must fail, both must reach
/// the server, and nothing may be left in the cache.
fn assert_fails_uncached(route: &str) -> TileError {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let source = HttpTileSource::new(config(server.template(route)), Some(cache_in(dir.path())));
    let err = source.fetch(KEY).unwrap_err();
    assert!(
        err.to_string().ends_with(&server.url(route)),
        "the message does not end with the URL: {err}"
    );
    assert!(source.fetch(KEY).is_err());
    assert_eq!(
        server.hits(route),
        2,
        "the failure was served from the cache"
    );
    assert_eq!(files_under(dir.path()), 0, "the failure was cached");
    err
}

#[test]
fn a_404_is_an_http_error_naming_the_url_and_is_not_cached() {
    let err = assert_fails_uncached("missing");
    assert!(
        matches!(err, TileError::Http { status: 404, .. }),
        "{err:?}"
    );
}

#[test]
fn a_500_is_an_http_error_naming_the_url_and_is_not_cached() {
    let err = assert_fails_uncached("broken");
    assert!(
        matches!(err, TileError::Http { status: 500, .. }),
        "{err:?}"
    );
}

#[test]
fn garbage_bytes_are_a_decode_error_and_are_not_cached() {
    let err = assert_fails_uncached("garbage");
    assert!(matches!(err, TileError::Decode { .. }), "{err:?}");
}

#[test]
fn a_server_that_never_answers_is_a_network_error_after_the_timeout() {
    let err = assert_fails_uncached("slow");
    assert!(matches!(err, TileError::Network { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[test]
fn a_refused_connection_is_a_network_error_naming_the_url() {
    // Bind and release a port so that nothing listens on it.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let source = HttpTileSource::new(
        config(format!("http://{addr}/png/{{z}}/{{x}}/{{y}}.png")),
        None,
    );
    let err = source.fetch(KEY).unwrap_err();
    assert!(matches!(err, TileError::Network { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with(&format!("http://{addr}/png/3/1/2.png")),
        "{err}"
    );
}

#[test]
fn an_old_cached_tile_stands_in_when_the_server_fails() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    // Every entry is stale at once: only the fallback can use it.
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    cache.put(&server.url("broken"), &pattern_png(256)).unwrap();
    let source = HttpTileSource::new(config(server.template("broken")), Some(cache));
    let tile = source.fetch(KEY).unwrap();
    assert_eq!(tile.get_pixel(9, 8).0, [9, 8, 77, 255]);
    assert_eq!(server.hits("broken"), 1, "a fresh copy was asked for first");
}

fn loader(server: &TestServer, route: &str, workers: usize) -> TileLoader {
    let source = HttpTileSource::new(config(server.template(route)), None);
    TileLoader::new(Arc::new(source), workers)
}

#[test]
fn the_loader_answers_at_once_while_the_server_is_slow() {
    let server = TestServer::start();
    let mut loader = loader(&server, "slow", 1);
    let keys: Vec<_> = (0..4).map(|x| TileKey { z: 3, x, y: 0 }).collect();
    for _frame in 0..10 {
        for &key in &keys {
            loader.request(key);
        }
        assert!(loader.take_ready().is_empty());
    }
    // Had a request waited for its fetch, that fetch would have timed out and the tile failed:
    // all four are still pending, so every ask returned at once.
    assert_eq!(loader.pending(), 4);
    assert_eq!(loader.status().failed, 0);
    wait_until("every slow tile failed", || loader.pending() == 0);
    assert_eq!(loader.status().failed, 4);
}

#[test]
fn the_loader_retries_a_failed_tile_only_after_its_backoff() {
    let server = TestServer::start();
    let backoff = Backoff {
        first: Duration::from_millis(600),
        max: Duration::from_millis(600),
        ..Backoff::default()
    };
    // The loader tells the time by a clock the test moves by hand.
    let start = Instant::now();
    let elapsed_ms = Arc::new(AtomicU64::new(0));
    let read = Arc::clone(&elapsed_ms);
    let clock: LoaderClock =
        Arc::new(move || start + Duration::from_millis(read.load(Ordering::SeqCst)));
    let mut loader = loader(&server, "broken", 1)
        .with_backoff(backoff)
        .with_clock(clock);
    loader.request(KEY);
    wait_until("the first attempt failed", || {
        failed_attempts(&loader, KEY).is_some()
    });
    let (attempts, retry_at) = failed_attempts(&loader, KEY).unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(retry_at, start + backoff.first);

    // Every frame asks again; until the backoff ends none of those asks queues a fetch.
    for ms in [0, 100, 300, 599] {
        elapsed_ms.store(ms, Ordering::SeqCst);
        loader.request(KEY);
        assert_eq!(loader.pending(), 0, "asked again at {ms} ms");
    }
    assert_eq!(failed_attempts(&loader, KEY).unwrap().0, 1);

    elapsed_ms.store(600, Ordering::SeqCst);
    loader.request(KEY);
    wait_until("the second attempt failed", || {
        failed_attempts(&loader, KEY).is_some_and(|(attempts, _)| attempts == 2)
    });
    assert_eq!(server.hits("broken"), 2);
}

#[test]
fn pending_drops_to_zero_when_every_tile_is_done() {
    let server = TestServer::start();
    let mut loader = loader(&server, "png", 2);
    let keys: Vec<_> = (0..6).map(|x| TileKey { z: 4, x, y: 5 }).collect();
    for &key in &keys {
        loader.request(key);
    }
    assert!(loader.pending() > 0);
    let mut received = Vec::new();
    wait_until("every tile arrived", || {
        received.extend(loader.take_ready());
        loader.pending() == 0 && received.len() == keys.len()
    });
    assert!(
        keys.iter()
            .all(|&key| loader.state(key) == TileState::Ready)
    );
    assert_eq!(server.hits("png"), 6);
    assert_eq!(loader.status().failed, 0);
}

#[test]
fn status_reports_failures_with_their_reason() {
    let server = TestServer::start();
    let mut loader = loader(&server, "missing", 1);
    loader.request(KEY);
    wait_until("the tile failed", || loader.pending() == 0);
    let status = loader.status();
    assert_eq!(status.loading, 0);
    assert_eq!(status.failed, 1);
    assert_eq!(
        status.last_error,
        Some(format!("HTTP 404: {}", server.url("missing")))
    );
}
