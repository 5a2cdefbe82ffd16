//! Dated tile services and the Esri Wayback release list, against a tiny HTTP/1.1 server on
//! 127.0.0.1 that each test starts itself. Nothing else is reached.
// The helpers are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use sitewatch::imagery::dated::{hls_layer, tile_source, wayback_layer};
use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::http::user_agent;
use sitewatch::imagery::wayback::{
    ListOrigin, WaybackError, fetch_releases, fetch_releases_with_timeout,
};
use sitewatch::imagery::{TileKey, TileSource as _};
use sitewatch::model::LayerSource;

const CONFIG: &str = r#"{
  "58924": {"itemTitle": "World Imagery (Wayback 2025-09-25)", "layerIdentifier": "WB_2025_R09",
            "metadataLayerUrl": "https://metadata.example/World_Imagery_Metadata_2025_r09/MapServer"},
  "44988": {"itemTitle": "World Imagery (Wayback 2022-10-12)", "layerIdentifier": "WB_2022_R13"}
}"#;

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    user_agent: Option<String>,
}

type Route = dyn Fn(&str) -> (u16, Vec<u8>) + Send + Sync;

/// A server on an ephemeral port answering every request with `route(path)`.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    route: Arc<Mutex<Box<Route>>>,
}

impl Server {
    fn start(route: impl Fn(&str) -> (u16, Vec<u8>) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let route: Arc<Mutex<Box<Route>>> = Arc::new(Mutex::new(Box::new(route)));
        let (seen_in, route_in) = (Arc::clone(&seen), Arc::clone(&route));
        // The thread ends with the test process; each connection is served then closed.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                serve(stream, &seen_in, &route_in);
            }
        });
        Self { addr, seen, route }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn answer(&self, route: impl Fn(&str) -> (u16, Vec<u8>) + Send + Sync + 'static) {
        *self.route.lock().unwrap() = Box::new(route);
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<Seen>>, route: &Mutex<Box<Route>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("")
        .to_owned();
    let user_agent = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("user-agent")
            .then(|| value.trim().to_owned())
    });
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        user_agent,
    });
    let (status, body) = (route.lock().unwrap())(&path);
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.write_all(&body);
}

fn png() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(256, 256, image::Rgba([10, 20, 30, 255]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn the_wayback_list_is_downloaded_with_the_app_user_agent_then_served_from_the_cache() {
    let server = Server::start(|_| (200, CONFIG.as_bytes().to_vec()));
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::from_hours(24));
    let url = server.url("/waybackconfig.json");

    let list = fetch_releases(&url, Some(&cache)).unwrap();
    assert_eq!(list.origin, ListOrigin::Downloaded);
    let numbers: Vec<u32> = list.releases.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [58924, 44988]);
    assert_eq!(list.releases[0].release_date, day("2025-09-25"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/waybackconfig.json");
    assert_eq!(seen[0].user_agent.as_deref(), Some(user_agent().as_str()));

    let again = fetch_releases(&url, Some(&cache)).unwrap();
    assert_eq!(again.origin, ListOrigin::Cache);
    assert_eq!(again.releases, list.releases);
    assert_eq!(server.seen().len(), 1, "the cached list needs no request");
}

#[test]
fn a_garbage_wayback_list_is_a_clear_error_and_is_not_cached() {
    let server = Server::start(|_| {
        (
            200,
            b"<html><body>Service Unavailable</body></html>".to_vec(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::from_hours(24));
    let url = server.url("/waybackconfig.json");

    let err = fetch_releases(&url, Some(&cache)).unwrap_err();
    assert!(matches!(err, WaybackError::Parse { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("not a Wayback release list (not JSON"),
        "{message}"
    );
    assert!(message.ends_with(&url), "{message}");

    server.answer(|_| (503, Vec::new()));
    let err = fetch_releases(&url, Some(&cache)).unwrap_err();
    assert!(
        matches!(err, WaybackError::Http { status: 503, .. }),
        "{err}"
    );
    assert_eq!(
        server.seen().len(),
        2,
        "nothing was cached, so it asked again"
    );
}

#[test]
fn an_old_cached_list_stands_in_when_the_server_fails() {
    let server = Server::start(|_| (200, CONFIG.as_bytes().to_vec()));
    let dir = tempfile::tempdir().unwrap();
    // Entries are never fresh: every call asks the server first.
    let cache = DiskCache::new(dir.path().to_path_buf(), Duration::ZERO);
    let url = server.url("/waybackconfig.json");
    assert_eq!(
        fetch_releases(&url, Some(&cache)).unwrap().origin,
        ListOrigin::Downloaded
    );

    server.answer(|_| (500, Vec::new()));
    let list = fetch_releases_with_timeout(&url, Some(&cache), Duration::from_secs(5)).unwrap();
    assert_eq!(list.origin, ListOrigin::StaleCache);
    assert_eq!(list.releases.len(), 2);
    assert!(list.download_error.unwrap().contains("HTTP 500"));
}

#[test]
fn a_dated_layer_requests_tiles_of_its_own_day() {
    let server = Server::start(|_| (200, png()));
    let mut layer = hls_layer(day("2025-10-14"));
    let LayerSource::Tiles { url, .. } = &mut layer.source else {
        panic!("HLS is a tile service");
    };
    // The real template, pointed at the test server.
    *url = url.replace("https://gibs.earthdata.nasa.gov", &server.url(""));

    let source = tile_source(&layer, None).unwrap();
    let tile = source
        .fetch(TileKey {
            z: 12,
            x: 3534,
            y: 1510,
        })
        .unwrap();
    assert_eq!(tile.get_pixel(5, 5).0, [10, 20, 30, 255]);
    let seen = server.seen();
    assert_eq!(
        seen[0].path,
        "/wmts/epsg3857/best/HLS_S30_Nadir_BRDF_Adjusted_Reflectance/default/2025-10-14/GoogleMapsCompatible_Level12/12/1510/3534.png"
    );
    assert_eq!(seen[0].user_agent.as_deref(), Some(user_agent().as_str()));
}

#[test]
fn a_wayback_layer_requests_tiles_of_its_release() {
    let server = Server::start(|_| (200, png()));
    let release = sitewatch::imagery::wayback::parse_config(CONFIG.as_bytes(), "test")
        .unwrap()
        .remove(0);
    let mut layer = wayback_layer(&release);
    let LayerSource::Tiles { url, .. } = &mut layer.source else {
        panic!("Wayback is a tile service");
    };
    *url = url.replace("https://wayback.maptiles.arcgis.com", &server.url(""));

    let source = tile_source(&layer, None).unwrap();
    source
        .fetch(TileKey {
            z: 16,
            x: 56543,
            y: 24168,
        })
        .unwrap();
    assert_eq!(
        server.seen()[0].path,
        "/arcgis/rest/services/World_Imagery/WMTS/1.0.0/default028mm/MapServer/tile/58924/16/24168/56543"
    );
}
