//! A Wayback replica on 127.0.0.1: the release list, each release's `tilemap` (with `select`
//! naming the newest release at or before it that stored the tile, as Esri's does), its tiles
//! (a release that stored none serves the one before; stored tiles may repeat the bytes of the
//! release before) and its metadata layer's query (points and multipoints against boxes). It
//! counts requests by kind, and can refuse the list, send garbage, or hang a kind of request
//! until it is dropped.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

/// A capture area of a release's metadata.
#[derive(Clone, Debug)]
pub struct Area {
    /// `[west, south, east, north]`, degrees.
    pub bbox: [f64; 4],
    /// Capture day, `YYYY-MM-DD`.
    pub day: &'static str,
    /// `NICE_DESC`.
    pub provider: &'static str,
    /// `SAMP_RES`, metres.
    pub resolution_m: f64,
}

/// One release of the replica.
#[derive(Clone, Debug)]
pub struct Release {
    /// Release number.
    pub number: u32,
    /// Release day, `YYYY-MM-DD`.
    pub day: &'static str,
    /// The tile it stored (the same for every tile address), if any.
    pub stored: Option<Vec<u8>>,
    /// Its metadata areas; `None`: the list gives no metadata URL for it.
    pub areas: Option<Vec<Area>>,
}

/// What the replica does wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// Nothing.
    #[default]
    None,
    /// The release list answers with this status.
    ConfigStatus(u16),
    /// The release list is this text.
    ConfigBody(String),
    /// Requests whose path starts with this prefix (`/tilemap`, `/metadata`) never answer.
    Hang(&'static str),
    /// The tile of this release answers with this status.
    TileStatus(u32, u16),
}

/// The replica; stops when dropped.
pub struct WaybackServer {
    /// Where it listens.
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<(String, String)>>>,
    stop: Arc<AtomicBool>,
    hung: Arc<(Mutex<bool>, Condvar)>,
    acceptor: Option<JoinHandle<()>>,
}

struct Replica {
    releases: Vec<Release>,
    fault: Fault,
    base: String,
}

impl WaybackServer {
    /// Serves `releases` (any order), with `fault`.
    pub fn start(releases: Vec<Release>, fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let replica = Arc::new(Replica {
            releases,
            fault,
            base: format!("http://{addr}"),
        });
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let hung = Arc::new((Mutex::new(false), Condvar::new()));
        let acceptor = {
            let (seen, stop, hung) = (Arc::clone(&seen), Arc::clone(&stop), Arc::clone(&hung));
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (seen, hung, replica) =
                                (Arc::clone(&seen), Arc::clone(&hung), Arc::clone(&replica));
                            std::thread::spawn(move || serve(stream, &seen, &hung, &replica));
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
            hung,
            acceptor: Some(acceptor),
        }
    }

    /// The base URL (`WaybackService::replica` takes it).
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Request targets (path and query) whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(target, _)| target.starts_with(prefix))
            .map(|(target, _)| target.clone())
            .collect()
    }

    /// How many requests had a path starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.requests(prefix).len()
    }

    /// The User-Agent of every request so far.
    pub fn user_agents(&self) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter().map(|(_, agent)| agent.clone()).collect()
    }
}

impl Drop for WaybackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let (released, wake) = &*self.hung;
        *released.lock().unwrap() = true;
        wake.notify_all();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    seen: &Mutex<Vec<(String, String)>>,
    hung: &(Mutex<bool>, Condvar),
    replica: &Replica,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut agent = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("user-agent")
        {
            value.trim().clone_into(&mut agent);
        }
    }
    seen.lock().unwrap().push((target.clone(), agent));
    if let Fault::Hang(prefix) = &replica.fault
        && target.starts_with(prefix)
    {
        let (released, wake) = hung;
        let mut done = released.lock().unwrap();
        while !*done {
            done = wake.wait(done).unwrap();
        }
        return;
    }
    let (status, kind, body) = replica.answer(&target);
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

impl Replica {
    fn answer(&self, target: &str) -> (u16, &'static str, Vec<u8>) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let json = |status: u16, v: Value| (status, "application/json", v.to_string().into_bytes());
        match parts.as_slice() {
            ["waybackconfig.json"] => match &self.fault {
                Fault::ConfigStatus(status) => (*status, "text/html", b"<html>no</html>".to_vec()),
                Fault::ConfigBody(text) => (200, "application/json", text.clone().into_bytes()),
                _ => json(200, self.config()),
            },
            ["tilemap", release, _, _, _] => match self.stored_at(release.parse().unwrap()) {
                Some(stored) => json(
                    200,
                    json!({"data": [1], "select": [stored.number],
                    "valid": true, "location": {"left": 0, "top": 0, "width": 1, "height": 1}}),
                ),
                None => json(200, json!({"data": [0], "valid": true})),
            },
            ["tile", release, _, _, _] if self.refused_tile(release).is_some() => {
                let status = self.refused_tile(release).unwrap();
                (status, "text/plain", b"tile server error".to_vec())
            }
            ["tile", release, _, _, _] => match self.stored_at(release.parse().unwrap()) {
                Some(stored) => (200, "image/png", stored.stored.clone().unwrap()),
                None => (404, "text/plain", b"no tile".to_vec()),
            },
            ["metadata", release, "MapServer", _, "query"] => {
                let release: u32 = release.parse().unwrap();
                let areas = self
                    .releases
                    .iter()
                    .find(|r| r.number == release)
                    .and_then(|r| r.areas.clone())
                    .unwrap_or_default();
                let points = points_of(query);
                let features: Vec<Value> = areas
                    .iter()
                    .filter(|a| points.iter().any(|p| inside(a.bbox, *p)))
                    .map(feature)
                    .collect();
                json(200, json!({"features": features}))
            }
            _ => (404, "text/plain", b"not here".to_vec()),
        }
    }

    fn config(&self) -> Value {
        let mut config = serde_json::Map::new();
        for r in &self.releases {
            let mut entry = json!({
                "itemTitle": format!("World Imagery (Wayback {})", r.day),
                "layerIdentifier": format!("WB_R{}", r.number),
            });
            if r.areas.is_some() {
                entry["metadataLayerUrl"] =
                    json!(format!("{}/metadata/{}/MapServer", self.base, r.number));
            }
            config.insert(r.number.to_string(), entry);
        }
        Value::Object(config)
    }

    /// The status the tile of `release` answers with, when the fault says so.
    fn refused_tile(&self, release: &str) -> Option<u16> {
        match self.fault {
            Fault::TileStatus(number, status) if release == number.to_string() => Some(status),
            _ => None,
        }
    }

    /// The newest release at or before `number` (by release day) that stored a tile.
    fn stored_at(&self, number: u32) -> Option<&Release> {
        let asked = self.releases.iter().find(|r| r.number == number)?;
        self.releases
            .iter()
            .filter(|r| r.stored.is_some() && r.day <= asked.day)
            .max_by_key(|r| r.day)
    }
}

fn feature(area: &Area) -> Value {
    let day = chrono::NaiveDate::parse_from_str(area.day, "%Y-%m-%d").unwrap();
    let ms = day
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    json!({"attributes": {"SRC_DATE2": ms, "NICE_DESC": area.provider, "SRC_DESC": "WV03",
        "SAMP_RES": area.resolution_m, "SRC_ACC": 4.5}})
}

fn inside(bbox: [f64; 4], [x, y]: [f64; 2]) -> bool {
    x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3]
}

/// The point or multipoint of a metadata query's `geometry`.
fn points_of(query: &str) -> Vec<[f64; 2]> {
    let Some(encoded) = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("geometry="))
    else {
        return Vec::new();
    };
    let geometry: Value = serde_json::from_str(&percent_decode(encoded)).unwrap();
    if let (Some(x), Some(y)) = (geometry["x"].as_f64(), geometry["y"].as_f64()) {
        return vec![[x, y]];
    }
    geometry["points"]
        .as_array()
        .map(|points| {
            points
                .iter()
                .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
                .collect()
        })
        .unwrap_or_default()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A small PNG tile of one colour.
pub fn png_tile(rgb: [u8; 3]) -> Vec<u8> {
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_fn(256, 256, |x, y| {
        let shade = if (x / 32 + y / 32) % 2 == 0 { 0 } else { 24 };
        image::Rgba([
            rgb[0].saturating_add(shade),
            rgb[1].saturating_add(shade),
            rgb[2].saturating_add(shade),
            255,
        ])
    })
    .write_to(&mut png, image::ImageFormat::Png)
    .unwrap();
    png.into_inner()
}

/// The standard replica: releases 60 (2025-06-01, new tile C), 50 (stored nothing), 40 (stored
/// B again), 30 (B), 20 (stored A again), 10 (A) and 5 (no tile yet). Captures: 60 on
/// 2025-03-15, but 2024-11-02 north-east of `mixed_from` (so a view whose north-east corner is
/// there is mixed), 30 on 2023-04-20, 10 on 2020-08-17.
pub fn standard_releases(mixed_from: [f64; 2]) -> Vec<Release> {
    let world = |day: &'static str| Area {
        bbox: [-180.0, -90.0, 180.0, 90.0],
        day,
        provider: "Maxar",
        resolution_m: 0.5,
    };
    let north_east = Area {
        bbox: [mixed_from[0] + 1e-6, mixed_from[1] + 1e-6, 180.0, 90.0],
        day: "2024-11-02",
        provider: "Vantor",
        resolution_m: 0.3,
    };
    let (a, b, c) = (
        png_tile([40, 90, 40]),
        png_tile([150, 120, 80]),
        png_tile([110, 110, 130]),
    );
    let release = |number, day, stored: Option<&Vec<u8>>, areas| Release {
        number,
        day,
        stored: stored.cloned(),
        areas: Some(areas),
    };
    vec![
        release(
            60,
            "2025-06-01",
            Some(&c),
            vec![north_east, world("2025-03-15")],
        ),
        release(50, "2024-09-01", None, vec![world("2023-04-20")]),
        release(40, "2024-03-01", Some(&b), vec![world("2023-04-20")]),
        release(30, "2023-07-01", Some(&b), vec![world("2023-04-20")]),
        release(20, "2022-05-01", Some(&a), vec![world("2020-08-17")]),
        release(10, "2021-01-01", Some(&a), vec![world("2020-08-17")]),
        release(5, "2020-01-01", None, vec![]),
    ]
}
