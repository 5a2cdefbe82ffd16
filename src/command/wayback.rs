//! The Wayback captures window: which distinct captures Esri's Wayback holds under the view's
//! centre (or a chosen point), and adding them as layers dated by their capture days.

use crate::imagery::wayback_service::WaybackService;

/// What the Wayback captures window asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum WaybackCommand {
    /// Open the window and look for the captures under the view's centre (and at its corners).
    LookHere,
    /// Open the window and look for the captures at this point (the view's corners still say
    /// whether a capture is mixed).
    LookAt {
        /// Longitude, degrees.
        lon: f64,
        /// Latitude, degrees.
        lat: f64,
    },
    /// Hide the window (the captures found are kept).
    Close,
    /// Stop the search in progress.
    Cancel,
    /// Add one capture (its index in the list) as a layer.
    Add(usize),
    /// Add every capture as layers on one track, one undo step.
    AddAll,
    /// Ask this service from now on (a mirror, or a replica in tests).
    UseService(WaybackService),
}
