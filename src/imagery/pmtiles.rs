//! A local PMTiles v3 raster archive opened as a [`TileSource`]: the header and root directory
//! read on open, leaf directories on demand (cached), each tile read from the file when fetched.
//!
//! Only raster archives (PNG or JPEG tiles) are shown; vector (MVT) archives are refused with a
//! clear error. Directories may be uncompressed or gzip; tiles too.

mod format;
mod write;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbaImage;

use crate::imagery::{TileError, TileKey, TileSource};
use crate::spatial::LonLatBox;

pub use format::{Compression, Entry, Header, TileType, tile_id};
pub use write::{WriteOptions, write_pmtiles};

/// Largest directory read, compressed or not: big leaf directories are a few MiB.
const MAX_DIRECTORY_BYTES: u64 = 64 << 20;
/// Largest tile read, compressed or not.
const MAX_TILE_BYTES: u64 = 32 << 20;
/// Largest tile image edge decoded.
const MAX_TILE_EDGE_PX: u32 = 4096;
/// Leaf directories nest at most this deep (the spec's writers use one level).
const MAX_LEAF_DEPTH: usize = 4;
/// Leaf directories kept decoded; the cache is emptied when it fills.
const MAX_CACHED_LEAVES: usize = 64;
/// Edge of the tiles served.
const TILE_EDGE_PX: u32 = 256;

/// Why an archive could not be opened. Messages end with the file.
#[derive(Debug, thiserror::Error)]
pub enum PmTilesError {
    /// The file could not be opened or read.
    #[error("cannot read the PMTiles archive: {path}")]
    Io {
        /// What the system said.
        #[source]
        source: io::Error,
        /// The archive.
        path: PathBuf,
    },
    /// The file ends before a section the header points to.
    #[error("truncated PMTiles archive (the {what} runs past the end of the file): {path}")]
    Truncated {
        /// The section cut off.
        what: &'static str,
        /// The archive.
        path: PathBuf,
    },
    /// The file does not start with `PMTiles`.
    #[error("not a PMTiles archive (no \"PMTiles\" magic at the start): {path}")]
    NotPmTiles {
        /// The file.
        path: PathBuf,
    },
    /// A version other than 3.
    #[error("PMTiles version {version} is not supported, only version 3: {path}")]
    Version {
        /// The version in the header.
        version: u8,
        /// The archive.
        path: PathBuf,
    },
    /// A vector tile archive.
    #[error("vector PMTiles are not supported, only raster (png/jpeg): {path}")]
    Vector {
        /// The archive.
        path: PathBuf,
    },
    /// Tiles in a raster format not decoded here (WebP, AVIF).
    #[error("PMTiles tile type {tile_type} is not supported, only raster (png/jpeg): {path}")]
    TileType {
        /// The header's tile type.
        tile_type: TileType,
        /// The archive.
        path: PathBuf,
    },
    /// Directories or tiles compressed other than gzip.
    #[error("PMTiles {what} compression {compression} is not supported, only none or gzip: {path}")]
    Compression {
        /// "directory" or "tile".
        what: &'static str,
        /// The header's compression.
        compression: Compression,
        /// The archive.
        path: PathBuf,
    },
    /// The header or a directory does not make sense.
    #[error("corrupt PMTiles archive ({message}): {path}")]
    Corrupt {
        /// What is wrong.
        message: String,
        /// The archive.
        path: PathBuf,
    },
}

/// Decoded leaf directories by their (offset, length) in the leaf section.
type LeafCache = HashMap<(u64, u32), Arc<Vec<Entry>>>;

/// A PMTiles v3 raster archive on disk, serving its tiles.
pub struct PmTilesSource {
    path: PathBuf,
    name: String,
    attribution: String,
    header: Header,
    file_len: u64,
    root: Arc<Vec<Entry>>,
    file: Mutex<File>,
    leaves: Mutex<LeafCache>,
}

impl std::fmt::Debug for PmTilesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PmTilesSource")
            .field("path", &self.path)
            .field("tile_type", &self.header.tile_type)
            .field("zooms", &(self.header.min_zoom..=self.header.max_zoom))
            .finish_non_exhaustive()
    }
}

/// Reads `len` bytes at `offset`, refusing ranges outside the file before allocating.
fn read_range(
    file: &mut File,
    file_len: u64,
    offset: u64,
    len: u64,
    what: &'static str,
) -> Result<Vec<u8>, ReadError> {
    let end = offset.checked_add(len).ok_or(ReadError::Truncated(what))?;
    if end > file_len {
        return Err(ReadError::Truncated(what));
    }
    let len = usize::try_from(len).map_err(|_| ReadError::Truncated(what))?;
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(offset)).map_err(ReadError::Io)?;
    file.read_exact(&mut buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ReadError::Truncated(what),
        _ => ReadError::Io(e),
    })?;
    Ok(buf)
}

/// A failed read before the path is attached.
enum ReadError {
    Io(io::Error),
    Truncated(&'static str),
}

/// Gunzips at most `limit` bytes; more is an error, not an allocation.
fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad gzip data: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!("gzip data expands past {limit} bytes"));
    }
    Ok(out)
}

impl PmTilesSource {
    /// Opens an archive: reads and checks the header and the root directory.
    pub fn open(path: &Path, attribution: &str) -> Result<Self, PmTilesError> {
        let path_buf = path.to_path_buf();
        let io_err = |source| PmTilesError::Io {
            source,
            path: path_buf.clone(),
        };
        let corrupt = |message: String| PmTilesError::Corrupt {
            message,
            path: path_buf.clone(),
        };
        let mut file = File::open(path).map_err(io_err)?;
        let file_len = file.metadata().map_err(io_err)?.len();
        let mut start = [0u8; format::HEADER_LEN];
        let got = read_up_to(&mut file, &mut start).map_err(io_err)?;
        let magic_len = got.min(format::MAGIC.len());
        if start.get(..magic_len) != format::MAGIC.get(..magic_len) {
            return Err(PmTilesError::NotPmTiles { path: path_buf });
        }
        if got > 7 && start[7] != format::VERSION {
            return Err(PmTilesError::Version {
                version: start[7],
                path: path_buf,
            });
        }
        if got < format::HEADER_LEN {
            return Err(PmTilesError::Truncated {
                what: "header",
                path: path_buf,
            });
        }
        let header = Header::parse(&start);
        match header.tile_type {
            TileType::Png | TileType::Jpeg | TileType::Unknown => {}
            TileType::Mvt => return Err(PmTilesError::Vector { path: path_buf }),
            tile_type => {
                return Err(PmTilesError::TileType {
                    tile_type,
                    path: path_buf,
                });
            }
        }
        if !matches!(
            header.internal_compression,
            Compression::None | Compression::Gzip
        ) {
            return Err(PmTilesError::Compression {
                what: "directory",
                compression: header.internal_compression,
                path: path_buf,
            });
        }
        if !matches!(
            header.tile_compression,
            Compression::None | Compression::Gzip | Compression::Unknown
        ) {
            return Err(PmTilesError::Compression {
                what: "tile",
                compression: header.tile_compression,
                path: path_buf,
            });
        }
        if header.min_zoom > header.max_zoom || header.max_zoom > format::MAX_ZOOM {
            return Err(corrupt(format!(
                "zooms {}..{} (at most 0..{})",
                header.min_zoom,
                header.max_zoom,
                format::MAX_ZOOM
            )));
        }
        if header.root_length > MAX_DIRECTORY_BYTES {
            return Err(corrupt(format!(
                "a root directory of {} bytes",
                header.root_length
            )));
        }
        let mut source = Self {
            name: path.file_stem().map_or_else(
                || "PMTiles".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            ),
            attribution: attribution.to_owned(),
            header,
            file_len,
            root: Arc::new(Vec::new()),
            file: Mutex::new(file),
            leaves: Mutex::new(HashMap::new()),
            path: path_buf,
        };
        let root = source
            .read_directory(
                source.header.root_offset,
                source.header.root_length,
                "root directory",
            )
            .map_err(|e| match e {
                DirError::Read(ReadError::Io(e)) => PmTilesError::Io {
                    source: e,
                    path: source.path.clone(),
                },
                DirError::Read(ReadError::Truncated(what)) => PmTilesError::Truncated {
                    what,
                    path: source.path.clone(),
                },
                DirError::Corrupt(message) => PmTilesError::Corrupt {
                    message,
                    path: source.path.clone(),
                },
            })?;
        source.root = Arc::new(root);
        Ok(source)
    }

    /// The archive's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header as read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Shallowest zoom with tiles.
    pub fn min_zoom(&self) -> u8 {
        self.header.min_zoom
    }

    /// The extent the header declares (WGS 84 degrees).
    pub fn bounds_lonlat(&self) -> LonLatBox {
        let [w, s, e, n] = self.header.bounds_e7.map(|v| f64::from(v) / 1e7);
        LonLatBox {
            west: w,
            south: s,
            east: e,
            north: n,
        }
    }

    fn read_directory(
        &self,
        offset: u64,
        length: u64,
        what: &'static str,
    ) -> Result<Vec<Entry>, DirError> {
        if length > MAX_DIRECTORY_BYTES {
            return Err(DirError::Corrupt(format!("a {what} of {length} bytes")));
        }
        let bytes = {
            let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
            read_range(&mut file, self.file_len, offset, length, what).map_err(DirError::Read)?
        };
        let bytes = match self.header.internal_compression {
            Compression::Gzip => gunzip(&bytes, MAX_DIRECTORY_BYTES)
                .map_err(|e| DirError::Corrupt(format!("{what}: {e}")))?,
            _ => bytes,
        };
        format::parse_directory(&bytes).map_err(|e| DirError::Corrupt(format!("{what}: {e}")))
    }

    /// A leaf directory, from the cache or the file.
    fn leaf(&self, entry: &Entry) -> Result<Arc<Vec<Entry>>, DirError> {
        let key = (entry.offset, entry.length);
        let cached = self
            .leaves
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(leaf) = cached {
            return Ok(leaf);
        }
        let offset = self
            .header
            .leaf_offset
            .checked_add(entry.offset)
            .ok_or(DirError::Read(ReadError::Truncated("leaf directory")))?;
        let leaf =
            Arc::new(self.read_directory(offset, u64::from(entry.length), "leaf directory")?);
        let mut leaves = self.leaves.lock().unwrap_or_else(PoisonError::into_inner);
        if leaves.len() >= MAX_CACHED_LEAVES {
            leaves.clear();
        }
        leaves.insert(key, Arc::clone(&leaf));
        Ok(leaf)
    }

    /// The entry holding `key`'s tile, walking leaf directories; `None` when absent.
    fn find(&self, key: TileKey) -> Result<Option<Entry>, TileError> {
        let id = tile_id(key);
        let mut dir = Arc::clone(&self.root);
        for _ in 0..=MAX_LEAF_DEPTH {
            let Some(&entry) = format::find_entry(&dir, id) else {
                return Ok(None);
            };
            if entry.run_length > 0 {
                return Ok(Some(entry));
            }
            dir = self.leaf(&entry).map_err(|e| self.tile_error(key, &e))?;
        }
        Err(self.local(key, "leaf directories nest too deep"))
    }

    fn local(&self, key: TileKey, message: &str) -> TileError {
        TileError::Local {
            message: message.to_owned(),
            what: format!("tile {key} of {}", self.path.display()),
        }
    }

    fn tile_error(&self, key: TileKey, e: &DirError) -> TileError {
        match e {
            DirError::Read(ReadError::Io(e)) => self.local(key, &format!("read failed: {e}")),
            DirError::Read(ReadError::Truncated(what)) => self.local(
                key,
                &format!("truncated archive: the {what} runs past the end of the file"),
            ),
            DirError::Corrupt(message) => self.local(key, &format!("corrupt archive: {message}")),
        }
    }

    /// The tile's bytes as stored, decompressed.
    fn tile_bytes(&self, key: TileKey, entry: &Entry) -> Result<Vec<u8>, TileError> {
        let length = u64::from(entry.length);
        if length > MAX_TILE_BYTES {
            return Err(self.local(key, &format!("a tile of {length} bytes")));
        }
        let offset = self
            .header
            .tile_data_offset
            .checked_add(entry.offset)
            .ok_or_else(|| self.local(key, "tile offset overflows"))?;
        let bytes = {
            let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
            read_range(&mut file, self.file_len, offset, length, "tile")
                .map_err(|e| self.tile_error(key, &DirError::Read(e)))?
        };
        let gzipped = match self.header.tile_compression {
            Compression::Gzip => true,
            // Unknown: gzip announces itself.
            Compression::Unknown => bytes.starts_with(&[0x1f, 0x8b]),
            _ => false,
        };
        if gzipped {
            gunzip(&bytes, MAX_TILE_BYTES).map_err(|e| self.local(key, &e))
        } else {
            Ok(bytes)
        }
    }

    fn decode(&self, key: TileKey, bytes: &[u8]) -> Result<RgbaImage, TileError> {
        let decode_err = |message: String| TileError::Decode {
            message,
            url: format!("tile {key} of {}", self.path.display()),
        };
        let mut reader = image::ImageReader::new(io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| decode_err(e.to_string()))?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_TILE_EDGE_PX);
        limits.max_image_height = Some(MAX_TILE_EDGE_PX);
        reader.limits(limits);
        let rgba = reader
            .decode()
            .map_err(|e| decode_err(e.to_string()))?
            .into_rgba8();
        if rgba.dimensions() == (TILE_EDGE_PX, TILE_EDGE_PX) {
            Ok(rgba)
        } else {
            // 512 px archives and the like are shown at the walkers tile size.
            Ok(image::imageops::resize(
                &rgba,
                TILE_EDGE_PX,
                TILE_EDGE_PX,
                image::imageops::FilterType::Triangle,
            ))
        }
    }
}

/// Reads until `buf` is full or the file ends; the count read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        let Some(rest) = buf.get_mut(got..) else {
            break;
        };
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A failed directory read before it is turned into an open or tile error.
enum DirError {
    Read(ReadError),
    Corrupt(String),
}

impl TileSource for PmTilesSource {
    fn fetch(&self, key: TileKey) -> Result<RgbaImage, TileError> {
        if !key.is_valid() || key.z < self.header.min_zoom || key.z > self.header.max_zoom {
            return Err(TileError::OutOfRange(key));
        }
        let Some(entry) = self.find(key)? else {
            return Err(TileError::OutOfRange(key));
        };
        let bytes = self.tile_bytes(key, &entry)?;
        self.decode(key, &bytes)
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn attribution(&self) -> &str {
        &self.attribution
    }

    fn max_zoom(&self) -> u8 {
        self.header.max_zoom
    }
}

/// True for a file opened as a PMTiles archive rather than a raster image.
pub fn is_pmtiles_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pmtiles"))
}

#[cfg(test)]
mod tests {
    use super::format::{HEADER_LEN, VERSION, encode_directory};
    use super::*;
    use std::io::Write;

    fn png_of(id: u64) -> Vec<u8> {
        let image = RgbaImage::from_pixel(256, 256, image::Rgba([id as u8 * 10, 7, 99, 255]));
        let mut out = io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// All of zoom 2 (ids 5..=20), its entries split over two leaf directories.
    fn archive_with_leaves(gzip_directories: bool) -> Vec<u8> {
        let internal = |b: Vec<u8>| if gzip_directories { gzip(&b) } else { b };
        let mut data = Vec::new();
        let mut entries = Vec::new();
        for id in 5..=20u64 {
            let blob = png_of(id);
            entries.push(Entry {
                tile_id: id,
                offset: data.len() as u64,
                length: blob.len() as u32,
                run_length: 1,
            });
            data.extend_from_slice(&blob);
        }
        let (first, second) = entries.split_at(8);
        let leaf_a = internal(encode_directory(first));
        let leaf_b = internal(encode_directory(second));
        let root = internal(encode_directory(&[
            Entry {
                tile_id: 5,
                offset: 0,
                length: leaf_a.len() as u32,
                run_length: 0,
            },
            Entry {
                tile_id: 13,
                offset: leaf_a.len() as u64,
                length: leaf_b.len() as u32,
                run_length: 0,
            },
        ]));
        let root_offset = HEADER_LEN as u64;
        let leaf_offset = root_offset + root.len() as u64;
        let leaf_length = (leaf_a.len() + leaf_b.len()) as u64;
        let header = Header {
            version: VERSION,
            root_offset,
            root_length: root.len() as u64,
            metadata_offset: leaf_offset,
            metadata_length: 0,
            leaf_offset,
            leaf_length,
            tile_data_offset: leaf_offset + leaf_length,
            tile_data_length: data.len() as u64,
            addressed_tiles: 16,
            tile_entries: 16,
            tile_contents: 16,
            clustered: true,
            internal_compression: if gzip_directories {
                Compression::Gzip
            } else {
                Compression::None
            },
            tile_compression: Compression::None,
            tile_type: TileType::Png,
            min_zoom: 2,
            max_zoom: 2,
            bounds_e7: [0; 4],
            center_zoom: 2,
            center_e7: [0; 2],
        };
        [header.to_bytes().to_vec(), root, leaf_a, leaf_b, data].concat()
    }

    fn open_bytes(bytes: &[u8]) -> (tempfile::TempDir, Result<PmTilesSource, PmTilesError>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pmtiles");
        std::fs::write(&path, bytes).unwrap();
        let source = PmTilesSource::open(&path, "");
        (dir, source)
    }

    #[test]
    fn tiles_behind_leaf_directories_are_found_and_leaves_are_cached() {
        for gzip_directories in [false, true] {
            let (_dir, source) = open_bytes(&archive_with_leaves(gzip_directories));
            let source = source.unwrap();
            assert!(
                source.leaves.lock().unwrap().is_empty(),
                "leaves are read on demand"
            );
            for x in 0..4 {
                for y in 0..4 {
                    let k = TileKey { z: 2, x, y };
                    let got = source.fetch(k).unwrap();
                    assert_eq!(got.get_pixel(3, 3).0[0], tile_id(k) as u8 * 10, "{k}");
                }
            }
            assert_eq!(source.leaves.lock().unwrap().len(), 2);
        }
    }

    #[test]
    fn a_root_directory_claiming_millions_of_entries_is_corrupt() {
        let mut bytes = archive_with_leaves(false);
        // The root's entry count (a one-byte varint) becomes 2^35.
        bytes.splice(
            HEADER_LEN..=HEADER_LEN,
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        );
        let (_dir, source) = open_bytes(&bytes);
        let err = source.unwrap_err();
        assert!(matches!(err, PmTilesError::Corrupt { .. }), "{err:?}");
    }

    #[test]
    fn a_header_pointing_past_the_end_is_truncated_not_allocated() {
        let mut bytes = archive_with_leaves(false);
        bytes[16..24].copy_from_slice(&(60u64 << 20).to_le_bytes());
        let (_dir, source) = open_bytes(&bytes);
        assert!(matches!(
            source.unwrap_err(),
            PmTilesError::Truncated { .. }
        ));
        bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        let (_dir, source) = open_bytes(&bytes);
        assert!(matches!(source.unwrap_err(), PmTilesError::Corrupt { .. }));
    }

    #[test]
    fn a_gzip_bomb_directory_is_refused() {
        let huge = vec![0u8; (MAX_DIRECTORY_BYTES + 1) as usize];
        assert!(gunzip(&gzip(&huge), MAX_DIRECTORY_BYTES).is_err());
    }

    #[test]
    fn an_empty_file_is_truncated_and_webp_is_named_as_unsupported() {
        let (_dir, source) = open_bytes(&[]);
        assert!(matches!(
            source.unwrap_err(),
            PmTilesError::Truncated { .. }
        ));
        let mut bytes = archive_with_leaves(false);
        bytes[99] = 4;
        let (_dir, source) = open_bytes(&bytes);
        assert!(source.unwrap_err().to_string().contains("tile type webp"));
        bytes[99] = 2;
        bytes[97] = 3;
        let (_dir, source) = open_bytes(&bytes);
        assert!(
            source
                .unwrap_err()
                .to_string()
                .contains("compression brotli")
        );
    }
}
