//! Imagery layers.

use std::path::PathBuf;

use crate::model::ImageryLayer;

/// Adding layers and changing how they display.
#[derive(Clone, Debug, PartialEq)]
pub enum ImageryCommand {
    /// Add an imagery layer (a dated service preset) on top of the stack.
    AddLayer(Box<ImageryLayer>),
    /// Ask for imagery files with the file dialog.
    AddLayerFilesDialog,
    /// Add imagery files as layers (dialog or drop).
    AddLayerFiles(Vec<PathBuf>),
    /// Estimate the offset that aligns layer `moving` to layer `reference` (Align to…), off the
    /// UI thread; the Align panel shows the proposal.
    EstimateAlignment {
        /// The layer to move.
        moving: String,
        /// The layer it is aligned to.
        reference: String,
    },
}
