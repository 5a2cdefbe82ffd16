//! A raster's tiles drawn with a comparison's stretch: wraps any tile source and, where a
//! decoded raster is behind it, draws that raster with the given look; other sources (tile
//! services, archives) pass through unchanged.

use std::sync::Arc;

use super::shared_stretch::CompareLook;
use crate::imagery::{TileError, TileKey, TileSource};

/// Tiles of `inner` with a comparison's look.
pub struct CompareStretched {
    inner: Arc<dyn TileSource>,
    look: Arc<CompareLook>,
}

impl CompareStretched {
    /// `inner`'s tiles drawn with `look`.
    #[must_use]
    pub fn new(inner: Arc<dyn TileSource>, look: Arc<CompareLook>) -> Self {
        Self { inner, look }
    }

    /// The look drawn with.
    #[must_use]
    pub fn look(&self) -> &CompareLook {
        &self.look
    }
}

impl TileSource for CompareStretched {
    fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
        match self.inner.raster() {
            Some(raster) => raster.fetch_with(key, &self.look),
            None => self.inner.fetch(key),
        }
    }

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn attribution(&self) -> &str {
        self.inner.attribution()
    }

    fn max_zoom(&self) -> u8 {
        self.inner.max_zoom()
    }

    fn tile_size(&self) -> u32 {
        self.inner.tile_size()
    }

    fn is_remote(&self) -> bool {
        self.inner.is_remote()
    }

    fn raster(&self) -> Option<&super::RasterTileSource> {
        self.inner.raster()
    }

    fn draw_view(
        &self,
        rect: &crate::imagery::ViewRect,
        put: crate::imagery::tile_source::BlockSink<'_>,
    ) -> Option<Result<(), TileError>> {
        match self.inner.raster() {
            Some(raster) => Some(raster.render_view_into(rect, Some(&self.look), put)),
            None => self.inner.draw_view(rect, put),
        }
    }
}
