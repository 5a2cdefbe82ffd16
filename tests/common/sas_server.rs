//! A Planetary-Computer-style storage on 127.0.0.1: `GET /token/{collection}` hands out SAS
//! tokens (`st=…&se=…&sig=tN`, `msft:expiry` as set), and every other path serves one file with
//! range requests, but only to a request whose query carries a token still accepted (403
//! otherwise). The test can make the storage stop accepting the tokens it handed out, refuse
//! every request, or make the token endpoint fail; requests are counted per kind.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// How the token endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenMode {
    /// A fresh token, expiring at the given RFC 3339 time.
    Issue(String),
    /// This status, no token.
    Status(u16),
    /// A body that is not JSON.
    Malformed,
    /// Reads the request and never answers.
    Hang,
}

/// What the server saw and how it behaves.
#[derive(Debug)]
pub struct SasState {
    /// The token endpoint's behaviour.
    pub token_mode: TokenMode,
    /// True: the file is refused with 403 whatever the token.
    pub refuse_all: bool,
    /// Tokens issued so far.
    pub issued: u32,
    /// Signatures the storage accepts now.
    pub accepted: Vec<String>,
    /// Token requests seen.
    pub token_requests: u32,
    /// File requests seen, with their query strings (empty when none).
    pub file_queries: Vec<String>,
    /// File requests refused with 403.
    pub refused: u32,
}

/// The running server.
pub struct SasServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its state, shared with the serving threads.
    pub state: Arc<Mutex<SasState>>,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl SasServer {
    /// Serves `data` at every path but `/token/…`, issuing tokens that expire at `expiry`.
    pub fn start(data: Vec<u8>, expiry: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(SasState {
            token_mode: TokenMode::Issue(expiry.to_owned()),
            refuse_all: false,
            issued: 0,
            accepted: Vec::new(),
            token_requests: 0,
            file_queries: Vec::new(),
            refused: 0,
        }));
        let held = Arc::new(Mutex::new(Vec::new()));
        let data = Arc::new(data);
        let (s, h) = (Arc::clone(&state), Arc::clone(&held));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (data, s, h) = (Arc::clone(&data), Arc::clone(&s), Arc::clone(&h));
                std::thread::spawn(move || serve(stream, &data, &s, &h));
            }
        });
        Self { port, state, held }
    }

    /// The token endpoint, without the collection.
    pub fn token_url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The URL of the file, unsigned.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// The storage stops accepting every token handed out so far (they expired early).
    pub fn expire_tokens(&self) {
        self.state.lock().unwrap().accepted.clear();
    }

    /// Token requests seen.
    pub fn token_requests(&self) -> u32 {
        self.state.lock().unwrap().token_requests
    }

    /// File requests seen.
    pub fn file_requests(&self) -> usize {
        self.state.lock().unwrap().file_queries.len()
    }

    /// File requests refused with 403.
    pub fn refused(&self) -> u32 {
        self.state.lock().unwrap().refused
    }
}

impl Drop for SasServer {
    fn drop(&mut self) {
        self.held.lock().unwrap().clear();
    }
}

/// The value of `sig` in a query string.
fn signature(query: &str) -> Option<&str> {
    query.split('&').find_map(|pair| pair.strip_prefix("sig="))
}

fn serve(stream: TcpStream, data: &[u8], state: &Mutex<SasState>, held: &Mutex<Vec<TcpStream>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut range = None;
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
                && let Some((a, b)) = value.trim().trim_start_matches("bytes=").split_once('-')
            {
                range = a
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .zip(b.trim().parse::<u64>().ok());
            }
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let (status, extra, body): (&str, String, Vec<u8>) = if path.starts_with("/token/") {
            let mut s = state.lock().unwrap();
            s.token_requests += 1;
            match s.token_mode.clone() {
                TokenMode::Issue(expiry) => {
                    s.issued += 1;
                    let sig = format!("t{}", s.issued);
                    s.accepted.push(sig.clone());
                    let json = format!(
                        r#"{{"msft:expiry": "{expiry}", "token": "st=2025-01-01&se=x&sp=rl&sig={sig}"}}"#
                    );
                    ("200 OK", String::new(), json.into_bytes())
                }
                TokenMode::Status(code) => (
                    if code == 404 {
                        "404 Not Found"
                    } else {
                        "500 Oops"
                    },
                    String::new(),
                    b"{}".to_vec(),
                ),
                TokenMode::Malformed => ("200 OK", String::new(), b"{\"token\": ".to_vec()),
                TokenMode::Hang => {
                    drop(s);
                    held.lock().unwrap().push(stream.try_clone().unwrap());
                    return;
                }
            }
        } else {
            let mut s = state.lock().unwrap();
            s.file_queries.push(query.to_owned());
            let valid = !s.refuse_all
                && signature(query).is_some_and(|sig| s.accepted.iter().any(|a| a == sig));
            if valid {
                let len = data.len() as u64;
                match range {
                    Some((a, b)) if a < len => {
                        let b = b.min(len - 1);
                        (
                            "206 Partial Content",
                            format!("Content-Range: bytes {a}-{b}/{len}\r\n"),
                            data[a as usize..=b as usize].to_vec(),
                        )
                    }
                    _ => ("200 OK", String::new(), data.to_vec()),
                }
            } else {
                s.refused += 1;
                (
                    "403 Forbidden",
                    String::new(),
                    b"AuthenticationFailed".to_vec(),
                )
            }
        };
        let status_line = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: keep-alive\r\n\r\n",
            body.len()
        );
        if stream.write_all(status_line.as_bytes()).is_err()
            || stream.write_all(&body).is_err()
            || stream.flush().is_err()
        {
            return;
        }
    }
}
