//! Where map tiles come from: the trait every tile source implements, with no UI in it.

/// An XYZ tile address (Web Mercator, `y` counted from the north).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileKey {
    /// Zoom level.
    pub z: u8,
    /// Column, 0 at 180° W.
    pub x: u32,
    /// Row, 0 at the northern edge.
    pub y: u32,
}

impl TileKey {
    /// True when the address exists at its zoom.
    pub fn is_valid(&self) -> bool {
        self.z <= 30 && self.x < (1u32 << self.z.min(31)) && self.y < (1u32 << self.z.min(31))
    }

    /// The tile one level up that holds this one, with this tile's quarter in it
    /// (`(col, row)` each 0 or 1); `None` at zoom 0.
    pub fn parent(&self) -> Option<(TileKey, (u32, u32))> {
        let z = self.z.checked_sub(1)?;
        Some((
            TileKey {
                z,
                x: self.x / 2,
                y: self.y / 2,
            },
            (self.x % 2, self.y % 2),
        ))
    }
}

impl std::fmt::Display for TileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Why a tile could not be had. Messages end with the URL or tile address.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// The server answered with an error status.
    #[error("HTTP {status}: {url}")]
    Http {
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// The request failed before an answer (refused, timed out, TLS).
    #[error("no answer ({message}): {url}")]
    Network {
        /// What went wrong.
        message: String,
        /// Requested URL.
        url: String,
    },
    /// The bytes are not an image.
    #[error("not an image ({message}): {url}")]
    Decode {
        /// What the decoder said.
        message: String,
        /// Requested URL.
        url: String,
    },
    /// The tile is outside what the source covers.
    #[error("outside the source's zoom range or extent: {0}")]
    OutOfRange(TileKey),
    /// Local generation or reading failed.
    #[error("{message}: {what}")]
    Local {
        /// What went wrong.
        message: String,
        /// Which file or tile.
        what: String,
    },
}

/// Where a view drawn block by block goes: each block's pixels and its `[x, y, w, h]` in the
/// view ([`TileSource::draw_view`]).
pub type BlockSink<'a> = &'a (dyn Fn(&image::RgbaImage, [u32; 4]) + Sync);

/// A source of raster tiles. `fetch` blocks; it is called on worker threads, never the UI thread.
pub trait TileSource: Send + Sync {
    /// Produces one tile's pixels (`tile_size()` square, RGBA).
    fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError>;

    /// Short name shown in the layer list and in failure messages.
    fn name(&self) -> &str;

    /// The credit line in the provider's own wording ("© OpenStreetMap contributors").
    fn attribution(&self) -> &str;

    /// Highest zoom with tiles; deeper views magnify this level.
    fn max_zoom(&self) -> u8;

    /// Edge of a tile in pixels.
    fn tile_size(&self) -> u32 {
        256
    }

    /// The tile as held locally (a disk cache), however old, without asking a server; `None`
    /// where the source keeps nothing. An export draws a missing tile from a coarser one it
    /// finds here once its deadline has passed.
    fn cached(&self, _key: TileKey) -> Option<image::RgbaImage> {
        None
    }

    /// True when tiles come from a server, whose etiquette limits the requests in flight;
    /// false for files and generated tiles.
    fn is_remote(&self) -> bool {
        false
    }

    /// The decoded raster behind the tiles, when there is one: a comparison draws it with a
    /// stretch shared across dates.
    fn raster(&self) -> Option<&crate::imagery::raster::RasterTileSource> {
        None
    }

    /// The pixels of `rect` drawn straight from the source, at the rectangle's own zoom, where
    /// the source can (a raster file: resampled once, from the level that fits), handed to
    /// `put` a block at a time; `None` where it has only tiles. An export draws a layer this
    /// way when it can, blending each block into its figure.
    fn draw_view(
        &self,
        _rect: &crate::imagery::ViewRect,
        _put: BlockSink<'_>,
    ) -> Option<Result<(), TileError>> {
        None
    }
}
