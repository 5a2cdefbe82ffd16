//! A tiny HTTP/1.1 JSON server on 127.0.0.1 for STAC tests: each request goes to a handler
//! the test gives, and is recorded. Pictures (thumbnails) are served with [`reply_png`].

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    /// GET, POST…
    pub method: String,
    /// Path with its query string.
    pub target: String,
    /// The body, as text.
    pub body: String,
}

/// What the server answers.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body (JSON unless `content_type` says otherwise).
    pub body: Vec<u8>,
    /// The `Content-Type` header.
    pub content_type: &'static str,
}

/// A JSON answer.
pub fn reply(status: u16, body: impl Into<String>) -> Reply {
    Reply {
        status,
        body: body.into().into_bytes(),
        content_type: "application/json",
    }
}

/// A 200 answer with a `width` × `height` PNG of one colour.
pub fn reply_png(width: u32, height: u32, rgb: [u8; 3]) -> Reply {
    let [r, g, b] = rgb;
    let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([r, g, b, 255]));
    let mut body = Vec::new();
    picture
        .write_to(
            &mut std::io::Cursor::new(&mut body),
            image::ImageFormat::Png,
        )
        .unwrap();
    Reply {
        status: 200,
        body,
        content_type: "image/png",
    }
}

/// Answers a request.
pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A server on an ephemeral port; stops when dropped.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving on 127.0.0.1 with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let handler: Arc<Handler> = Arc::new(handler);
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
                            let (seen, handler) = (Arc::clone(&seen), Arc::clone(&handler));
                            std::thread::spawn(move || serve(stream, &seen, &*handler));
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

    /// A URL on the server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests whose path (before any `?`) is `path`.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.target.split('?').next() == Some(path))
            .cloned()
            .collect()
    }

    /// How many requests `path` got.
    pub fn count(&self, path: &str) -> usize {
        self.requests(path).len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Request>>, handler: &Handler) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let request = Request {
        method,
        target,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    seen.lock().unwrap().push(request.clone());
    let answer = handler(&request);
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&answer.body);
}
