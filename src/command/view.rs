//! What the map and the panels show.

use crate::imagery::basemap::Basemap;
use crate::spatial::LonLatBox;

/// Selection, zoom, basemap, panels and messages.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewCommand {
    /// Select an annotation (or clear the selection).
    Select(Option<String>),
    /// Select an annotation and fit the map to it.
    ZoomToAnnotation(String),
    /// Fit the map to the project's home view.
    GoHome,
    /// Fit the map to a box (zoom to layer).
    ZoomToBox(LonLatBox),
    /// Zoom to a raster layer's native resolution (one screen pixel per image pixel), staying
    /// where the map is when the layer is there, else going to the layer's centre.
    ZoomToNative(String),
    /// Switch the basemap.
    SetBasemap(Basemap),
    /// Close the error banner.
    DismissMessage,
    /// Show or hide the side panel.
    ToggleSidePanel,
    /// Show or hide the layer panel.
    ToggleLayerPanel,
    /// Show or hide the export's figure frame and furniture on the map (View ▸ Figure frame).
    ToggleFigureFrame,
    /// Show or hide the loupe beside the pointer (View ▸ Loupe, Shift+L).
    ToggleLoupe,
    /// The loupe's magnification (loupe points per map point, 2–8).
    SetLoupeMagnification(u8),
}
