//! A file server on 127.0.0.1 for remote-raster tests: answers `Range: bytes=a-b` with 206,
//! counts requests and bytes sent, and can misbehave on purpose. It can also send validators
//! and answer conditional requests ([`Behaviour::Validated`]), have its file replaced (a new
//! version, a new `ETag`) and be stopped (connections refused from then on).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

/// How the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// 206 with the asked range.
    Ranges,
    /// 200 with the whole file, whatever is asked.
    NoRanges,
    /// 200 claiming a `Content-Length` of this many bytes, then closing.
    NoRangesClaiming(u64),
    /// This status for every request.
    Status(u16),
    /// 500 for the first `n` requests, then ranges.
    FailFirst(u64),
    /// Reads the request and never answers.
    Hang,
    /// Ranges, each answer with an `ETag` and `Last-Modified` of the file's version, and `304
    /// Not Modified` to a request whose `If-None-Match` names the current version.
    Validated,
    /// [`Behaviour::Validated`] with `Cache-Control: no-store` on every answer.
    NoStore,
}

/// The running server.
pub struct RangeServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Requests seen.
    pub requests: Arc<AtomicU64>,
    /// Body bytes sent.
    pub bytes_sent: Arc<AtomicU64>,
    /// The ranges asked for, in order (start, end inclusive).
    pub ranges: Arc<Mutex<Vec<(u64, u64)>>>,
    /// `304 Not Modified` answers sent.
    pub not_modified: Arc<AtomicU64>,
    /// The request targets (path and query), in order.
    pub targets: Arc<Mutex<Vec<String>>>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    file: Arc<RwLock<Version>>,
    stopped: Arc<AtomicBool>,
    listening: Mutex<Option<JoinHandle<()>>>,
}

/// The file served and its version number (the `ETag`).
struct Version {
    data: Arc<Vec<u8>>,
    number: u64,
}

impl Version {
    fn etag(&self) -> String {
        format!("\"v{}\"", self.number)
    }

    fn last_modified(&self) -> String {
        format!("Mon, 01 Jan 2024 00:00:{:02} GMT", self.number % 60)
    }
}

/// What one connection's thread shares with the server.
struct Shared {
    requests: Arc<AtomicU64>,
    bytes_sent: Arc<AtomicU64>,
    ranges: Arc<Mutex<Vec<(u64, u64)>>>,
    not_modified: Arc<AtomicU64>,
    targets: Arc<Mutex<Vec<String>>>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    file: Arc<RwLock<Version>>,
    stopped: Arc<AtomicBool>,
}

impl RangeServer {
    /// Serves `data` at every path.
    pub fn start(data: Vec<u8>, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Shared {
            requests: Arc::new(AtomicU64::new(0)),
            bytes_sent: Arc::new(AtomicU64::new(0)),
            ranges: Arc::new(Mutex::new(Vec::new())),
            not_modified: Arc::new(AtomicU64::new(0)),
            targets: Arc::new(Mutex::new(Vec::new())),
            held: Arc::new(Mutex::new(Vec::new())),
            file: Arc::new(RwLock::new(Version {
                data: Arc::new(data),
                number: 1,
            })),
            stopped: Arc::new(AtomicBool::new(false)),
        };
        let this = Self {
            port,
            requests: Arc::clone(&shared.requests),
            bytes_sent: Arc::clone(&shared.bytes_sent),
            ranges: Arc::clone(&shared.ranges),
            not_modified: Arc::clone(&shared.not_modified),
            targets: Arc::clone(&shared.targets),
            held: Arc::clone(&shared.held),
            file: Arc::clone(&shared.file),
            stopped: Arc::clone(&shared.stopped),
            listening: Mutex::new(None),
        };
        let listening = std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if shared.stopped.load(Ordering::SeqCst) {
                    // Dropping the listener refuses every later connection.
                    return;
                }
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, behaviour, &shared));
            }
        });
        *this.listening.lock().unwrap() = Some(listening);
        this
    }

    /// Serves `data` from now on as the file's next version (a new `ETag`).
    pub fn replace(&self, data: Vec<u8>) {
        let mut file = self.file.write().unwrap();
        file.data = Arc::new(data);
        file.number += 1;
    }

    /// Stops listening and answering: from when this returns, connections are refused.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(listening) = self.listening.lock().unwrap().take() {
            listening.join().unwrap();
        }
    }

    /// The URL of a file on it.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// Requests seen so far.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Body bytes sent so far.
    pub fn sent(&self) -> u64 {
        self.bytes_sent.load(Ordering::SeqCst)
    }
}

impl Drop for RangeServer {
    fn drop(&mut self) {
        self.held.lock().unwrap().clear();
    }
}

impl Clone for Shared {
    fn clone(&self) -> Self {
        Self {
            requests: Arc::clone(&self.requests),
            bytes_sent: Arc::clone(&self.bytes_sent),
            ranges: Arc::clone(&self.ranges),
            not_modified: Arc::clone(&self.not_modified),
            targets: Arc::clone(&self.targets),
            held: Arc::clone(&self.held),
            file: Arc::clone(&self.file),
            stopped: Arc::clone(&self.stopped),
        }
    }
}

fn serve(stream: TcpStream, behaviour: Behaviour, shared: &Shared) {
    let Shared {
        requests,
        bytes_sent,
        ranges,
        not_modified,
        targets,
        held,
        file,
        stopped,
    } = shared;
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut range = None;
        let mut if_none_match = None;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || stopped.load(Ordering::SeqCst) {
            return;
        }
        if let Some(target) = line.split_whitespace().nth(1) {
            targets.lock().unwrap().push(target.to_owned());
        }
        let (data, etag, last_modified) = {
            let file = file.read().unwrap();
            (Arc::clone(&file.data), file.etag(), file.last_modified())
        };
        let data = data.as_slice();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("if-none-match")
            {
                if_none_match = Some(value.trim().to_owned());
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("range")
                && let Some(spec) = value.trim().strip_prefix("bytes=")
                && let Some((a, b)) = spec.split_once('-')
            {
                // Only the first range of a multi-range request is answered.
                let b = b.split(',').next().unwrap_or(b);
                range = a
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .zip(b.trim().parse::<u64>().ok());
            }
        }
        let head_only = line.starts_with("HEAD ");
        let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(r) = range {
            ranges.lock().unwrap().push(r);
        }
        let len = data.len() as u64;
        let answer = |stream: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
            let status_line = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: keep-alive\r\n\r\n",
                body.len()
            );
            stream.write_all(status_line.as_bytes())?;
            stream.write_all(body)?;
            bytes_sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            stream.flush()
        };
        let result = match behaviour {
            Behaviour::Ranges if head_only => {
                let status_line = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nAccept-Ranges: bytes\r\n\r\n"
                );
                stream.write_all(status_line.as_bytes())
            }
            Behaviour::Hang => {
                held.lock().unwrap().push(stream.try_clone().unwrap());
                return;
            }
            Behaviour::Status(code) => answer(&mut stream, &format!("{code} Status"), "", b""),
            Behaviour::FailFirst(k) if n <= k => answer(&mut stream, "500 Oops", "", b""),
            Behaviour::NoRanges => answer(&mut stream, "200 OK", "", data),
            Behaviour::NoRangesClaiming(claimed) => {
                let status_line = format!("HTTP/1.1 200 OK\r\nContent-Length: {claimed}\r\n\r\n");
                let _ = stream.write_all(status_line.as_bytes());
                return;
            }
            Behaviour::Validated | Behaviour::NoStore
                if if_none_match.as_deref() == Some(etag.as_str()) =>
            {
                not_modified.fetch_add(1, Ordering::SeqCst);
                let status_line = format!(
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: keep-alive\r\n\r\n"
                );
                stream.write_all(status_line.as_bytes())
            }
            Behaviour::Validated | Behaviour::NoStore => {
                let no_store = if behaviour == Behaviour::NoStore {
                    "Cache-Control: no-store\r\n"
                } else {
                    ""
                };
                let validators =
                    format!("ETag: {etag}\r\nLast-Modified: {last_modified}\r\n{no_store}");
                match range {
                    Some((a, b)) if a < len => {
                        let b = b.min(len - 1);
                        answer(
                            &mut stream,
                            "206 Partial Content",
                            &format!("Content-Range: bytes {a}-{b}/{len}\r\n{validators}"),
                            &data[a as usize..=b as usize],
                        )
                    }
                    Some(_) => answer(&mut stream, "416 Range Not Satisfiable", "", b""),
                    None => answer(&mut stream, "200 OK", &validators, data),
                }
            }
            Behaviour::Ranges | Behaviour::FailFirst(_) => match range {
                Some((a, b)) if a < len => {
                    let b = b.min(len - 1);
                    let body = &data[a as usize..=b as usize];
                    answer(
                        &mut stream,
                        "206 Partial Content",
                        &format!("Content-Range: bytes {a}-{b}/{len}\r\n"),
                        body,
                    )
                }
                Some(_) => answer(&mut stream, "416 Range Not Satisfiable", "", b""),
                None => answer(&mut stream, "200 OK", "", data),
            },
        };
        if result.is_err() {
            return;
        }
    }
}
