//! A file server on 127.0.0.1 for remote-raster tests: answers `Range: bytes=a-b` with 206,
//! counts requests and bytes sent, and can misbehave on purpose.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl RangeServer {
    /// Serves `data` at every path.
    pub fn start(data: Vec<u8>, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicU64::new(0));
        let bytes_sent = Arc::new(AtomicU64::new(0));
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let held = Arc::new(Mutex::new(Vec::new()));
        let data = Arc::new(data);
        let (r, b, rs, h) = (
            Arc::clone(&requests),
            Arc::clone(&bytes_sent),
            Arc::clone(&ranges),
            Arc::clone(&held),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (data, r, b, rs, h) = (
                    Arc::clone(&data),
                    Arc::clone(&r),
                    Arc::clone(&b),
                    Arc::clone(&rs),
                    Arc::clone(&h),
                );
                std::thread::spawn(move || serve(stream, &data, behaviour, &r, &b, &rs, &h));
            }
        });
        Self {
            port,
            requests,
            bytes_sent,
            ranges,
            held,
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

#[allow(clippy::too_many_arguments)]
fn serve(
    stream: TcpStream,
    data: &[u8],
    behaviour: Behaviour,
    requests: &AtomicU64,
    bytes_sent: &AtomicU64,
    ranges: &Mutex<Vec<(u64, u64)>>,
    held: &Mutex<Vec<TcpStream>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut range = None;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
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
