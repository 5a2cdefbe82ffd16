//! A small PMTiles v3 writer: one root directory, no leaves, no metadata beyond `{}`. Enough
//! for tests and fixtures; real archives come from tools such as `pmtiles convert`.

use std::io::Write;
use std::path::Path;

use flate2::Compression as Level;
use flate2::write::GzEncoder;

use super::PmTilesError;
use super::format::{
    Compression, Entry, HEADER_LEN, Header, TileType, VERSION, encode_directory, tile_id,
};
use crate::imagery::TileKey;
use crate::spatial::LonLatBox;

/// How [`write_pmtiles`] lays out an archive.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteOptions {
    /// What the tiles hold, as written in the header.
    pub tile_type: TileType,
    /// Gzip the root directory and metadata.
    pub gzip_directories: bool,
    /// Gzip each tile.
    pub gzip_tiles: bool,
    /// The extent written in the header.
    pub bounds_lonlat: LonLatBox,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            tile_type: TileType::Png,
            gzip_directories: false,
            gzip_tiles: false,
            bounds_lonlat: LonLatBox {
                west: -180.0,
                south: -85.051_128_78,
                east: 180.0,
                north: 85.051_128_78,
            },
        }
    }
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Level::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Writes `tiles` (any order, valid keys) as a v3 archive at `path`. Tiles with the same bytes
/// next to each other on the Hilbert curve become one run-length entry, as real writers do.
pub fn write_pmtiles(
    path: &Path,
    tiles: &[(TileKey, Vec<u8>)],
    options: &WriteOptions,
) -> Result<(), PmTilesError> {
    let io_err = |source| PmTilesError::Io {
        source,
        path: path.to_path_buf(),
    };
    let mut sorted: Vec<(u64, TileKey, &[u8])> = tiles
        .iter()
        .map(|(key, bytes)| (tile_id(*key), *key, bytes.as_slice()))
        .collect();
    sorted.sort_by_key(|t| t.0);
    sorted.dedup_by_key(|t| t.0);

    let mut data = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut last_blob: Option<&[u8]> = None;
    for &(id, _, bytes) in &sorted {
        if let Some(last) = entries.last_mut()
            && last_blob == Some(bytes)
            && last.tile_id + u64::from(last.run_length) == id
        {
            last.run_length += 1;
            continue;
        }
        let blob = if options.gzip_tiles {
            gzip(bytes).map_err(io_err)?
        } else {
            bytes.to_vec()
        };
        let length = u32::try_from(blob.len()).map_err(|_| PmTilesError::Corrupt {
            message: "a tile over 4 GiB".to_owned(),
            path: path.to_path_buf(),
        })?;
        entries.push(Entry {
            tile_id: id,
            offset: data.len() as u64,
            length,
            run_length: 1,
        });
        data.extend_from_slice(&blob);
        last_blob = Some(bytes);
    }

    let internal = |bytes: &[u8]| {
        if options.gzip_directories {
            gzip(bytes)
        } else {
            Ok(bytes.to_vec())
        }
    };
    let root = internal(&encode_directory(&entries)).map_err(io_err)?;
    let metadata = internal(b"{}").map_err(io_err)?;
    let root_offset = HEADER_LEN as u64;
    let metadata_offset = root_offset + root.len() as u64;
    let tile_data_offset = metadata_offset + metadata.len() as u64;
    let zooms = sorted.iter().map(|t| t.1.z);
    let b = &options.bounds_lonlat;
    let e7 = |deg: f64| (deg * 1e7).round() as i32;
    let header = Header {
        version: VERSION,
        root_offset,
        root_length: root.len() as u64,
        metadata_offset,
        metadata_length: metadata.len() as u64,
        leaf_offset: tile_data_offset,
        leaf_length: 0,
        tile_data_offset,
        tile_data_length: data.len() as u64,
        addressed_tiles: sorted.len() as u64,
        tile_entries: entries.len() as u64,
        tile_contents: entries.len() as u64,
        clustered: true,
        internal_compression: if options.gzip_directories {
            Compression::Gzip
        } else {
            Compression::None
        },
        tile_compression: if options.gzip_tiles {
            Compression::Gzip
        } else {
            Compression::None
        },
        tile_type: options.tile_type,
        min_zoom: zooms.clone().min().unwrap_or(0),
        max_zoom: zooms.max().unwrap_or(0),
        bounds_e7: [e7(b.west), e7(b.south), e7(b.east), e7(b.north)],
        center_zoom: 0,
        center_e7: [
            e7(f64::midpoint(b.west, b.east)),
            e7(f64::midpoint(b.south, b.north)),
        ],
    };
    let mut out = Vec::with_capacity(HEADER_LEN + root.len() + metadata.len() + data.len());
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(&root);
    out.extend_from_slice(&metadata);
    out.extend_from_slice(&data);
    std::fs::write(path, out).map_err(io_err)
}
