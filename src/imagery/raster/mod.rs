//! Georeferenced rasters as tile sources: `GeoTIFF` (8/16-bit integers, 1–16 bands, or
//! 32/64-bit floats held in 16 bits as [`float`] says; strips or tiles,
//! uncompressed, LZW, Deflate, JPEG) and PNG/JPEG/TIFF with a world file, in WGS 84,
//! Web Mercator, WGS 84 / UTM (exact) or any CRS `proj4rs` knows: by EPSG code, or from the WKT
//! of a `.prj` or `.aux.xml` through `proj4wkt` (see [`wkt`]).
//!
//! A tiled GeoTIFF with overviews (a cloud-optimized GeoTIFF, or internal overviews), and any
//! tiled GeoTIFF on a web server ([`http_bytes`]), is **streamed** ([`stream`]): opening reads
//! the header and tile indexes only, each pyramid level the file stores is served from its own
//! tiles as views need them, the missing levels averaged from the level above on demand, and
//! decoded chunks are kept up to the memory budget, least recently drawn dropped first. Its
//! percentile stretch comes from the coarsest stored level. Other files are decoded once, off
//! the UI thread ([`RasterLoad`]), on [`OpenOptions::decode_threads`] threads (every core
//! headless, all but one in the window: [`parallel_decode`]), into 256×256 chunks on a pyramid
//! of 2×-averaged levels, each coarser row averaged as soon as the rows under it are in; an
//! export opens such a file for its one view ([`OpenOptions::view`]) and keeps only the level
//! that view reads and the coarser ones; a
//! stripped GeoTIFF of more than [`preview::PREVIEW_STRIPS`] strips first offers a coarse
//! [`preview`] of its whole extent (from every k-th strip, about 128 of them), drawn while the
//! full decode goes on. Tiles are then reprojected per request through a mesh
//! (exact transform every ≤16 output pixels, bilinear in between, refined until the
//! interpolation error is under [`reproject::MESH_TOLERANCE_PX`]) with bilinear resampling from
//! the pyramid level whose pixels are closest to, and not smaller than, half a screen pixel.
//!
//! # Memory
//! Pixels are held in their own type (1 or 2 bytes per sample, floats in 2; no RGBA copy). Every
//! open raster shares one [`memory_budget::MemoryBudget`] ([`OpenOptions::budget`]; the
//! window's is a preference, default 1 GiB or a quarter of the machine's memory): a streamed
//! raster's decoded chunks are dropped least recently drawn first, across rasters; a raster
//! decoded whole keeps in memory what the budget has room for when it is built, coarse levels
//! first; the rest go to an anonymous temporary file and
//! come back through a cache of 48 chunks (≤ 48 × 256 × 256 × bands × bytes). While decoding, the
//! strip or tile being read and the chunk rows it touches are held besides. A 10000 × 10000 RGB
//! raster is 300 MB of pixels plus 100 MB of pyramid: it stays in memory whole.
//! Sizes are checked against [`Limits`] (default 1 Gpx, 131072 px a side, 1 GiB a strip or
//! tile) before any pixel is allocated, on every path: TIFF strips and tiles of any compression,
//! PNG and JPEG (whose decoder runs under limits derived from these, not `image`'s 512 MiB).
//! PNG and JPEG have no random access and are decoded whole first, so they briefly need twice
//! their decoded size.
//!
//! # Left to the caller
//! [`RasterTileSource::set_display`] changes tiles fetched afterwards; tiles already cached by a
//! [`crate::imagery::tile_loader::TileLoader`] must be dropped to redraw. Overviews whose size is
//! not a pyramid level's (`ceil(w / 2^k)`) are not used. A tiled file without internal
//! overviews uses those of its external `.ovr` ([`external_ovr`]); a file in strips is decoded
//! whole even beside one (its strips span the width, so reading a view from them costs about as
//! much as decoding them), and a remote file's `.ovr` is not looked for.

pub mod band_stack;
pub mod bytes;
pub mod chunk_lru;
pub mod compare_source;
pub mod crs;
pub mod date;
pub mod decode;
pub mod external_ovr;
pub mod float;
pub mod focus;
pub mod geokeys;
pub mod georef;
pub mod http_bytes;
pub mod load;
pub mod lzw;
pub mod memory_budget;
pub mod mosaic;
pub mod parallel_decode;
pub mod preview;
pub mod pyramid;
pub mod range_disk;
pub mod reproject;
pub mod shared_stretch;
pub mod signed;
pub mod source;
pub mod stream;
pub mod stretch;
pub mod utm;
pub mod view_render;
pub mod wkt;
pub mod write;

use std::path::PathBuf;

/// Dates in file names (`2025-07-05`, `20250705`), re-exported for raster callers.
pub use crate::imagery::file_date::date_from_file_name;
pub use compare_source::CompareStretched;
pub use crs::{Crs, CrsError};
pub use georef::GeoTransform;
pub use load::{Progress, RasterLoad};
pub use shared_stretch::{CompareLook, CompareStretch};
pub use source::{OpenOptions, PixelValues, RasterTileSource};
pub use stretch::{BandMapping, Display, SampleKind, Stretch};

/// Largest raster accepted, checked on the header before anything is allocated: one set of
/// limits for every decode path (TIFF strips and tiles of any compression, PNG, JPEG).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Widest or tallest side, pixels.
    pub max_side_px: u32,
    /// Most pixels in all.
    pub max_pixels: u64,
    /// Largest strip or tile, decoded bytes: a file's chunks are decoded one whole at a time.
    pub max_chunk_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_side_px: 1 << 17,
            max_pixels: 1 << 30,
            max_chunk_bytes: 1 << 30,
        }
    }
}

/// Why a raster could not be opened or drawn. Every message ends with the file's path.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    /// There is no such file.
    #[error("file not found: {path}")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// Reading failed (permissions, a disk error, the spill file).
    #[error("cannot read: {path}")]
    Io {
        /// The cause.
        #[source]
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not a TIFF, PNG or JPEG.
    #[error("not an image ({message}): {path}")]
    NotAnImage {
        /// What the file looks like instead.
        message: String,
        /// The file.
        path: PathBuf,
    },
    /// A TIFF (or PNG/JPEG) that breaks off or contradicts itself.
    #[error("corrupt or truncated image ({message}): {path}")]
    Corrupt {
        /// What the decoder said.
        message: String,
        /// The file.
        path: PathBuf,
    },
    /// Larger than the limits; refused before allocating.
    #[error("{what} of {width_px} × {height_px} pixels is more than the limit of {limit}: {path}")]
    TooLarge {
        /// What is too large: "image", "tile" or "strip".
        what: &'static str,
        /// Width the header claims.
        width_px: u64,
        /// Height the header claims.
        height_px: u64,
        /// The limit broken, in words.
        limit: String,
        /// The file.
        path: PathBuf,
    },
    /// A layout this reader does not handle (1-bit or 32-bit integer samples, 16-bit palette, …).
    #[error("unsupported image layout ({message}): {path}")]
    Unsupported {
        /// Which.
        message: String,
        /// The file.
        path: PathBuf,
    },
    /// Nothing says where the raster is.
    #[error("no georeferencing ({detail}): add a world file or give its corners: {path}")]
    NoGeoreferencing {
        /// What was looked for.
        detail: String,
        /// The file.
        path: PathBuf,
    },
    /// The CRS is named but cannot be used.
    #[error("the coordinate system cannot be used: {path}")]
    Crs {
        /// Which CRS and why.
        #[source]
        source: CrsError,
        /// The file that names it (the raster, its `.prj` or `.aux.xml`).
        path: PathBuf,
    },
    /// A world file that is not six numbers.
    #[error("bad world file ({message}): {path}")]
    BadWorldFile {
        /// Why.
        message: String,
        /// The world file.
        path: PathBuf,
    },
    /// A band mapping or stretch that does not fit the raster.
    #[error("bad display settings ({message}): {path}")]
    BadDisplay {
        /// Why.
        message: String,
        /// The raster.
        path: PathBuf,
    },
    /// A raster on a web server that could not be read.
    #[error("cannot read the remote raster: {url}")]
    Remote {
        /// Why.
        #[source]
        source: http_bytes::RemoteError,
        /// The address.
        url: String,
    },
    /// A band of a band composite whose grid (size, sample type, transform or CRS) is not the
    /// first band's.
    #[error("this band's grid is not the first band's ({detail}): {path}")]
    BandGrid {
        /// What differs.
        detail: String,
        /// The band's file or URL.
        path: PathBuf,
    },
    /// The caller cancelled the load.
    #[error("loading cancelled: {path}")]
    Cancelled {
        /// The file.
        path: PathBuf,
    },
}

impl RasterError {
    /// An I/O error on `path`, a missing file told apart.
    pub fn io(source: std::io::Error, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            Self::Missing { path }
        } else {
            Self::Io { source, path }
        }
    }
}
