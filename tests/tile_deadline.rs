//! Export tile etiquette: against a 127.0.0.1 server that accepts connections and never
//! answers, an export holds at most 2 connections to it and ends at its deadline with an error
//! naming the layer, instead of running for minutes. Time is an injected clock: the test waits
//! for nothing but a few polls.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly; the server is the test's own"
)]

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use geo::Coord;
use sitewatch::export::ExportError;
use sitewatch::export::tiles::{Clock, FetchPolicy, TileLayer, composite_with};
use sitewatch::export::view::ExportView;
use sitewatch::imagery::http::{HttpTileConfig, HttpTileSource};

/// Accepts every connection, keeps it open, and says nothing.
struct SilentServer {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl SilentServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let counted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                held.lock().unwrap().push(stream);
            }
        });
        Self { port, connections }
    }
}

/// A clock that stands still until the server has seen `wait_for` connections, then moves
/// on 10 s each time it is read.
struct StepClock {
    ticks: AtomicU64,
    connections: Arc<AtomicUsize>,
    wait_for: usize,
}

impl Clock for StepClock {
    fn now(&self) -> Duration {
        if self.connections.load(Ordering::SeqCst) < self.wait_for {
            return Duration::from_secs(10 * self.ticks.load(Ordering::SeqCst));
        }
        Duration::from_secs(10 * self.ticks.fetch_add(1, Ordering::SeqCst))
    }
}

#[test]
fn an_export_against_a_server_that_never_answers_ends_at_its_deadline_with_two_connections() {
    let server = SilentServer::start();
    let mut config = HttpTileConfig::new(
        "Silent tiles",
        format!("http://127.0.0.1:{}/{{z}}/{{x}}/{{y}}.png", server.port),
        "test",
        19,
    );
    // Long enough that no request ends by itself while the test runs.
    config.timeout = Duration::from_mins(2);
    let layer = TileLayer {
        source: Arc::new(HttpTileSource::new(config, None)),
        opacity: 1.0,
    };
    let policy = FetchPolicy {
        clock: Arc::new(StepClock {
            ticks: AtomicU64::new(0),
            connections: Arc::clone(&server.connections),
            wait_for: 2,
        }),
        poll: Duration::from_millis(10),
        deadline: Duration::from_secs(40),
        ..FetchPolicy::default()
    };
    // 1920 × 1080 at zoom 15 needs dozens of tiles.
    let view = ExportView::new(
        Coord {
            x: 130.641_056,
            y: 42.415_167,
        },
        15.0,
        [1920, 1080],
    )
    .unwrap();
    let mut pixmap = tiny_skia::Pixmap::new(1920, 1080).unwrap();
    let err = composite_with(&mut pixmap, &view, &[layer], &|_, _| true, &policy).unwrap_err();
    let ExportError::Tiles { failed, total, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(failed, total, "{err}");
    assert!(*total > 20, "{err}");
    // The layer ends the message; the first tile's cause follows it in the printed chain.
    assert!(err.to_string().ends_with("layer: Silent tiles"), "{err}");
    let msg = sitewatch::app::error_chain(&err);
    assert!(msg.contains("deadline of 40 s"), "{msg}");
    let connections = server.connections.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&connections),
        "{connections} connections to one server"
    );
}
