//! An export whose tiles do not all come draws the missing ones from the best coarser tile:
//! from the disk cache once the deadline has passed (an injected clock passes it), or from the
//! server's lower levels when the deepest level fails. The figure says "N of M tiles at lower
//! resolution", the sidecar lists those tiles, and a layer with no tile at all still fails the
//! export, naming the layer. The server on 127.0.0.1 answers levels below 16 with a PNG whose
//! red is the level; `/hang/` holds level 16 and deeper open, `/deep404/` answers them 404 and
//! `/none/` answers everything 404.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly; the server is the test's own"
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use geo::Coord;
use sitewatch::export::tiles::{Clock, FetchPolicy, TileLayer, composite_with};
use sitewatch::export::view::ExportView;
use sitewatch::export::{ExportError, ExportOptions, ViewChoice, export_png};
use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::http::{HttpTileConfig, HttpTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const CENTER: Coord = Coord {
    x: 130.641_056,
    y: 42.415_167,
};

struct Server {
    addr: SocketAddr,
    paths: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let paths: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (Arc::clone(&paths), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (seen, stopped) = (Arc::clone(&seen), Arc::clone(&stopped));
                        std::thread::spawn(move || serve(stream, &seen, &stopped));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self { addr, paths, stop }
    }

    fn source(&self, route: &str, cache: Option<DiskCache>) -> HttpTileSource {
        let mut config = HttpTileConfig::new(
            format!("{route} tiles"),
            format!("http://{}/{route}/{{z}}/{{x}}/{{y}}.png", self.addr),
            "test",
            19,
        );
        // Long enough that no hanging request ends by itself while a test runs.
        config.timeout = Duration::from_mins(1);
        HttpTileSource::new(config, cache)
    }

    fn requests_at(&self, z: u8) -> usize {
        let prefix = format!("/{z}/");
        self.paths
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.contains(&prefix))
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn png_for_level(z: u8) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(256, 256, image::Rgba([z * 10, 50, 90, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>, stop: &AtomicBool) {
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
    seen.lock().unwrap().push(path.clone());
    let mut parts = path.trim_start_matches('/').split('/');
    let route = parts.next().unwrap_or("");
    let z: u8 = parts.next().and_then(|z| z.parse().ok()).unwrap_or(0);
    let (status, body) = match (route, z >= 16) {
        ("hang", true) => {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            return;
        }
        ("hang" | "deep404", false) => ("200 OK", png_for_level(z)),
        _ => ("404 Not Found", b"no tile".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A clock that stands still until `release` is set, then moves 10 s each time it is read.
struct GateClock {
    ticks: AtomicU64,
    release: Arc<AtomicBool>,
}

impl Clock for GateClock {
    fn now(&self) -> Duration {
        if !self.release.load(Ordering::SeqCst) {
            return Duration::from_secs(10 * self.ticks.load(Ordering::SeqCst));
        }
        Duration::from_secs(10 * self.ticks.fetch_add(1, Ordering::SeqCst))
    }
}

#[test]
fn after_the_deadline_missing_tiles_come_from_the_cached_level_above() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), DiskCache::DEFAULT_MAX_AGE);
    let view = ExportView::new(CENTER, 16.0, [512, 256]).unwrap();
    // An earlier session left level 15 in the cache.
    let warm = server.source("hang", Some(cache.clone()));
    let (cols, rows) = sitewatch::export::tiles::tile_range(&view, 15, 256);
    for y in rows[0]..=rows[1] {
        for x in cols[0]..=cols[1] {
            let key = TileKey {
                z: 15,
                x: x as u32,
                y: y as u32,
            };
            warm.fetch(key).unwrap();
        }
    }
    let requests_before = server.requests_at(15);

    let release = Arc::new(AtomicBool::new(true));
    let policy = FetchPolicy {
        clock: Arc::new(GateClock {
            ticks: AtomicU64::new(0),
            release,
        }),
        poll: Duration::from_millis(10),
        deadline: Duration::from_secs(30),
        ..FetchPolicy::default()
    };
    let layer = TileLayer {
        source: Arc::new(server.source("hang", Some(cache))),
        opacity: 1.0,
    };
    let mut pixmap = tiny_skia::Pixmap::new(512, 256).unwrap();
    let reports = composite_with(&mut pixmap, &view, &[layer], &|_, _| true, &policy).unwrap();
    let report = &reports[0];
    assert_eq!(report.tile_zoom, 16);
    assert!(!report.lower_resolution.is_empty());
    assert!(report.lower_resolution.iter().all(|t| t.from_zoom == 15));
    assert_eq!(
        server.requests_at(15),
        requests_before,
        "level 15 was asked again"
    );
    // Level 15's colour fills the figure.
    let p = pixmap.pixel(256, 128).unwrap();
    assert_eq!((p.red(), p.green(), p.blue()), (150, 50, 90));
    let notice = report.lower_resolution_notice().unwrap();
    assert_eq!(
        notice,
        format!(
            "hang tiles: {} of {} tiles at lower resolution",
            report.lower_resolution.len(),
            report.tiles
        )
    );
}

fn stage_project() -> sitewatch::model::Project {
    let text = r#"{
      "type": "FeatureCollection",
      "sitewatch": {
        "format_version": 1,
        "name": "Fallback",
        "home": [130.63, 42.41, 130.65, 42.42],
        "stages": [{"date": "2025-10-14", "title": "Now"}]
      },
      "features": []
    }"#;
    sitewatch::model::io::parse(text, "fixture")
        .unwrap()
        .project
}

fn options_with(layer: TileLayer) -> ExportOptions {
    ExportOptions {
        size_px: [480, 270],
        view: ViewChoice::Center {
            center_lonlat: CENTER,
            zoom: 16.0,
        },
        layers: vec![layer],
        ..ExportOptions::default()
    }
}

#[test]
fn an_export_whose_deep_tiles_fail_says_how_many_are_coarser_and_lists_them() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let layer = TileLayer {
        source: Arc::new(server.source("deep404", None)),
        opacity: 1.0,
    };
    let out = dir.path().join("fig.png");
    let date = NaiveDate::from_ymd_opt(2025, 10, 14).unwrap();
    let written = export_png(
        &stage_project(),
        date,
        &options_with(layer),
        &out,
        &|_, _| true,
    )
    .unwrap();
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written.side.sidecar).unwrap()).unwrap();
    let text = sidecar.to_string();
    assert!(
        text.contains("deep404 tiles: ") && text.contains("tiles at lower resolution"),
        "{text}"
    );
    let layers = sidecar["layers"].as_array().unwrap();
    let drawn = layers
        .iter()
        .find(|l| l["provider"] == "deep404 tiles")
        .unwrap();
    let lower = drawn["lower_resolution_tiles"].as_array().unwrap();
    assert!(!lower.is_empty());
    assert_eq!(lower[0]["drawn_from_zoom"], 15);
    assert!(lower[0]["tile"].as_str().unwrap().starts_with("16/"));
    assert!(server.requests_at(15) > 0);
}

#[test]
fn a_layer_with_no_tile_at_all_still_fails_the_export_naming_it() {
    let server = Server::start();
    let layer = TileLayer {
        source: Arc::new(server.source("none", None)),
        opacity: 1.0,
    };
    let view = ExportView::new(CENTER, 16.0, [256, 256]).unwrap();
    let mut pixmap = tiny_skia::Pixmap::new(256, 256).unwrap();
    let err = composite_with(
        &mut pixmap,
        &view,
        &[layer],
        &|_, _| true,
        &FetchPolicy::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::Tiles { .. }), "{err}");
    assert!(err.to_string().contains("none tiles"), "{err}");
}
