//! Bounded waits for the work the window hands to worker threads (files opening, servers
//! answering, exports writing). The bound is wall-clock time, generous, and only ever ends a
//! wait for something that should arrive: on two busy CI cores a worker can take many frames,
//! so a count of frames is no bound at all. Nothing here times anything or proves an absence.

use std::time::{Duration, Instant};

use egui_kittest::Harness;

/// How long a wait lasts before the test calls the answer lost.
pub const PATIENCE: Duration = Duration::from_mins(2);

/// Draws frames until `done` holds (checked after each frame) or [`PATIENCE`] has passed;
/// whether it held. Between frames the thread sleeps a little, leaving the workers the core.
pub fn frames_until<'a, S>(
    h: &mut Harness<'a, S>,
    mut done: impl FnMut(&mut Harness<'a, S>) -> bool,
) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        h.step();
        if done(h) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits, without drawing, until `done` holds or [`PATIENCE`] has passed; whether it held.
pub fn until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
