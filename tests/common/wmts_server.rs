//! A WMTS service on 127.0.0.1 for tests, counting what it is asked: under a prefix unique to
//! each server (so no tile cache from an earlier run answers for it),
//! `caps.xml` is `tests/fixtures/wmts/site_time.xml` (a daily layer with a `Time` dimension and
//! a polar-only layer), `tiles/…` PNG tiles, and the faults: `wms.xml` a WMS document,
//! `broken.xml` truncated XML, `error500.xml` a 500, `hang.xml` no answer ever; anything else 404.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Servers started by this process, for unique prefixes.
static STARTED: AtomicUsize = AtomicUsize::new(0);

/// A server on an ephemeral port; stops when dropped.
pub struct WmtsServer {
    /// Where it listens.
    pub addr: SocketAddr,
    prefix: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

/// The fixture with `{base}` pointing at `base`.
pub fn capabilities_text(base: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wmts/site_time.xml");
    std::fs::read_to_string(path)
        .unwrap()
        .replace("{base}", base)
}

/// A 256 × 256 PNG of one colour.
pub fn png_tile(rgb: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(256, 256, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

impl WmtsServer {
    /// Starts serving on 127.0.0.1.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = STARTED.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("/wmts-{}-{n}-{stamp}", std::process::id());
        let base = format!("http://{addr}{prefix}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (seen, stop, prefix) = (Arc::clone(&seen), Arc::clone(&stop), prefix.clone());
            let caps = Arc::new(capabilities_text(&base));
            let tile = Arc::new(png_tile([40, 160, 90]));
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (seen, held, prefix) =
                                (Arc::clone(&seen), Arc::clone(&held), prefix.clone());
                            let (caps, tile) = (Arc::clone(&caps), Arc::clone(&tile));
                            std::thread::spawn(move || {
                                serve(stream, &prefix, &seen, &held, &caps, &tile);
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
                // Dropping the held streams closes the connections that never got an answer.
                held.lock().unwrap().clear();
            })
        };
        Self {
            addr,
            prefix,
            seen,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// The URL of `name` under the server's prefix.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}{}/{name}", self.addr, self.prefix)
    }

    /// The paths asked for (under the prefix, without it), in order.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests asked for `name`.
    pub fn count(&self, name: &str) -> usize {
        self.requests().iter().filter(|r| *r == name).count()
    }

    /// The tile paths asked for.
    pub fn tile_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.starts_with("tiles/"))
            .collect()
    }
}

impl Drop for WmtsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

const WMS: &str = r#"<?xml version="1.0"?>
<WMS_Capabilities version="1.3.0"><Service><Name>WMS</Name></Service></WMS_Capabilities>"#;

fn serve(
    stream: TcpStream,
    prefix: &str,
    seen: &Mutex<Vec<String>>,
    held: &Mutex<Vec<TcpStream>>,
    caps: &str,
    tile: &[u8],
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
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let name = target
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(&target)
        .to_owned();
    seen.lock().unwrap().push(name.clone());
    let (status, kind, body): (u16, &str, Vec<u8>) = match name.as_str() {
        "caps.xml" => (200, "text/xml", caps.as_bytes().to_vec()),
        "wms.xml" => (200, "text/xml", WMS.as_bytes().to_vec()),
        "broken.xml" => (200, "text/xml", caps.as_bytes()[..1200].to_vec()),
        "error500.xml" => (500, "text/plain", b"internal error".to_vec()),
        "hang.xml" => {
            held.lock().unwrap().push(stream);
            return;
        }
        tiles if tiles.starts_with("tiles/") && tiles.to_ascii_lowercase().ends_with(".png") => {
            (200, "image/png", tile.to_vec())
        }
        _ => (404, "text/plain", b"no such file".to_vec()),
    };
    let mut stream = stream;
    let status_line = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(status_line.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}
