//! The PMTiles v3 byte layout: the 127-byte header, varint directories and Hilbert tile ids.
//! Pure functions over bytes, shared by the reader and the test writer.

use crate::imagery::TileKey;

/// Length of the fixed header at the start of every archive.
pub const HEADER_LEN: usize = 127;
/// The first seven bytes of every archive.
pub const MAGIC: &[u8; 7] = b"PMTiles";
/// The only version read.
pub const VERSION: u8 = 3;
/// Deepest zoom whose tile ids the format can hold and [`TileKey`] accepts.
pub const MAX_ZOOM: u8 = 30;

/// How directories, metadata or tiles are compressed (the spec's `Compression` enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// 0: not said.
    Unknown,
    /// 1: stored as is.
    None,
    /// 2: gzip.
    Gzip,
    /// 3: Brotli.
    Brotli,
    /// 4: Zstandard.
    Zstd,
    /// Any other value.
    Other(u8),
}

impl Compression {
    fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Unknown,
            1 => Self::None,
            2 => Self::Gzip,
            3 => Self::Brotli,
            4 => Self::Zstd,
            other => Self::Other(other),
        }
    }

    fn code(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::None => 1,
            Self::Gzip => 2,
            Self::Brotli => 3,
            Self::Zstd => 4,
            Self::Other(code) => code,
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown => f.write_str("unknown"),
            Self::None => f.write_str("none"),
            Self::Gzip => f.write_str("gzip"),
            Self::Brotli => f.write_str("brotli"),
            Self::Zstd => f.write_str("zstd"),
            Self::Other(code) => write!(f, "code {code}"),
        }
    }
}

/// What the tiles hold (the spec's `TileType` enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TileType {
    /// 0: not said.
    Unknown,
    /// 1: Mapbox Vector Tiles.
    Mvt,
    /// 2: PNG.
    Png,
    /// 3: JPEG.
    Jpeg,
    /// 4: WebP.
    Webp,
    /// 5: AVIF.
    Avif,
    /// Any other value.
    Other(u8),
}

impl TileType {
    fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Unknown,
            1 => Self::Mvt,
            2 => Self::Png,
            3 => Self::Jpeg,
            4 => Self::Webp,
            5 => Self::Avif,
            other => Self::Other(other),
        }
    }

    fn code(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Mvt => 1,
            Self::Png => 2,
            Self::Jpeg => 3,
            Self::Webp => 4,
            Self::Avif => 5,
            Self::Other(code) => code,
        }
    }
}

impl std::fmt::Display for TileType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown => f.write_str("unknown"),
            Self::Mvt => f.write_str("mvt"),
            Self::Png => f.write_str("png"),
            Self::Jpeg => f.write_str("jpeg"),
            Self::Webp => f.write_str("webp"),
            Self::Avif => f.write_str("avif"),
            Self::Other(code) => write!(f, "code {code}"),
        }
    }
}

/// The fixed header, fields as the spec names them. Offsets are from the start of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The format version (byte 7).
    pub version: u8,
    /// Where the root directory starts.
    pub root_offset: u64,
    /// Bytes of the root directory (compressed).
    pub root_length: u64,
    /// Where the JSON metadata starts.
    pub metadata_offset: u64,
    /// Bytes of the JSON metadata.
    pub metadata_length: u64,
    /// Where the leaf directories start; leaf entries count from here.
    pub leaf_offset: u64,
    /// Bytes of all leaf directories.
    pub leaf_length: u64,
    /// Where the tile data starts; tile entries count from here.
    pub tile_data_offset: u64,
    /// Bytes of tile data.
    pub tile_data_length: u64,
    /// Tiles addressed (sum of run lengths), 0 if unknown.
    pub addressed_tiles: u64,
    /// Entries with a run length, 0 if unknown.
    pub tile_entries: u64,
    /// Distinct tile blobs, 0 if unknown.
    pub tile_contents: u64,
    /// Whether tile data is in tile-id order.
    pub clustered: bool,
    /// Compression of directories and metadata.
    pub internal_compression: Compression,
    /// Compression of each tile.
    pub tile_compression: Compression,
    /// What the tiles hold.
    pub tile_type: TileType,
    /// Shallowest zoom with tiles.
    pub min_zoom: u8,
    /// Deepest zoom with tiles.
    pub max_zoom: u8,
    /// Western, southern, eastern, northern edges, degrees × 10⁷.
    pub bounds_e7: [i32; 4],
    /// Zoom to open at.
    pub center_zoom: u8,
    /// Longitude and latitude to open at, degrees × 10⁷.
    pub center_e7: [i32; 2],
}

fn u64_at(bytes: &[u8; HEADER_LEN], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fn i32_at(bytes: &[u8; HEADER_LEN], at: usize) -> i32 {
    let mut b = [0u8; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    i32::from_le_bytes(b)
}

impl Header {
    /// Reads the fields; the magic is checked by the caller, which knows the file's name.
    pub fn parse(bytes: &[u8; HEADER_LEN]) -> Self {
        Self {
            version: bytes[7],
            root_offset: u64_at(bytes, 8),
            root_length: u64_at(bytes, 16),
            metadata_offset: u64_at(bytes, 24),
            metadata_length: u64_at(bytes, 32),
            leaf_offset: u64_at(bytes, 40),
            leaf_length: u64_at(bytes, 48),
            tile_data_offset: u64_at(bytes, 56),
            tile_data_length: u64_at(bytes, 64),
            addressed_tiles: u64_at(bytes, 72),
            tile_entries: u64_at(bytes, 80),
            tile_contents: u64_at(bytes, 88),
            clustered: bytes[96] == 1,
            internal_compression: Compression::from_code(bytes[97]),
            tile_compression: Compression::from_code(bytes[98]),
            tile_type: TileType::from_code(bytes[99]),
            min_zoom: bytes[100],
            max_zoom: bytes[101],
            bounds_e7: [
                i32_at(bytes, 102),
                i32_at(bytes, 106),
                i32_at(bytes, 110),
                i32_at(bytes, 114),
            ],
            center_zoom: bytes[118],
            center_e7: [i32_at(bytes, 119), i32_at(bytes, 123)],
        }
    }

    /// The 127 bytes, magic first.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(MAGIC);
        out.push(self.version);
        for v in [
            self.root_offset,
            self.root_length,
            self.metadata_offset,
            self.metadata_length,
            self.leaf_offset,
            self.leaf_length,
            self.tile_data_offset,
            self.tile_data_length,
            self.addressed_tiles,
            self.tile_entries,
            self.tile_contents,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&[
            u8::from(self.clustered),
            self.internal_compression.code(),
            self.tile_compression.code(),
            self.tile_type.code(),
            self.min_zoom,
            self.max_zoom,
        ]);
        for v in self.bounds_e7 {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(self.center_zoom);
        for v in self.center_e7 {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let mut bytes = [0u8; HEADER_LEN];
        bytes.copy_from_slice(&out);
        bytes
    }
}

/// One directory entry: a run of tiles sharing one blob, or (run length 0) a leaf directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The first tile id covered.
    pub tile_id: u64,
    /// Bytes from the start of the tile data (or leaf) section.
    pub offset: u64,
    /// Bytes of the blob or leaf directory.
    pub length: u32,
    /// Tiles covered, from `tile_id` on; 0 for a leaf directory.
    pub run_length: u32,
}

/// The tile id of a valid key: all tiles of shallower zooms, then the key's distance along
/// its zoom's Hilbert curve (the spec's `ZXYToTileID`).
pub fn tile_id(key: TileKey) -> u64 {
    let zoom = u32::from(key.z.min(MAX_ZOOM));
    // 1 + 4 + … + 4^(zoom-1) tiles come before this zoom.
    let before = ((1u64 << (2 * zoom)) - 1) / 3;
    let (mut col, mut row) = (u64::from(key.x), u64::from(key.y));
    let mut along = 0u64;
    let mut half = (1u64 << zoom) >> 1;
    while half > 0 {
        let right = u64::from(col & half > 0);
        let lower = u64::from(row & half > 0);
        along += half * half * ((3 * right) ^ lower);
        // Rotate the quadrant so the sub-curve starts where the parent's segment does.
        if lower == 0 {
            if right == 1 {
                col = half - 1 - (col & (half - 1));
                row = half - 1 - (row & (half - 1));
            }
            std::mem::swap(&mut col, &mut row);
        }
        col &= half - 1;
        row &= half - 1;
        half >>= 1;
    }
    before + along
}

/// Reads an unsigned LEB128 varint.
fn read_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = bytes.get(*pos) else {
            return Err("a directory ends inside a number".to_owned());
        };
        *pos += 1;
        let bits = u64::from(b & 0x7f);
        if shift == 63 && bits > 1 {
            return Err("a directory number overflows 64 bits".to_owned());
        }
        value |= bits << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a directory number overflows 64 bits".to_owned())
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Decodes an (uncompressed) directory: the entry count, then columns of delta-coded tile ids,
/// run lengths, lengths and offsets (0 meaning "right after the previous entry", else offset + 1).
pub fn parse_directory(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut pos = 0;
    let count = read_varint(bytes, &mut pos)?;
    // Each entry takes at least four bytes, so a count beyond that is corrupt, not a reason to
    // allocate.
    let count = usize::try_from(count)
        .ok()
        .filter(|&n| n <= bytes.len().saturating_sub(pos) / 4)
        .ok_or_else(|| {
            format!(
                "a directory claims {count} entries in {} bytes",
                bytes.len()
            )
        })?;
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0,
        };
        count
    ];
    let mut last_id = 0u64;
    for (i, e) in entries.iter_mut().enumerate() {
        let delta = read_varint(bytes, &mut pos)?;
        if i > 0 && delta == 0 {
            return Err("a directory repeats a tile id".to_owned());
        }
        last_id = last_id
            .checked_add(delta)
            .ok_or("a directory's tile ids overflow 64 bits")?;
        e.tile_id = last_id;
    }
    for e in &mut entries {
        e.run_length = u32::try_from(read_varint(bytes, &mut pos)?)
            .map_err(|_| "a run length exceeds 32 bits".to_owned())?;
    }
    for e in &mut entries {
        e.length = u32::try_from(read_varint(bytes, &mut pos)?)
            .map_err(|_| "an entry length exceeds 32 bits".to_owned())?;
        if e.length == 0 {
            return Err("a directory entry has length 0".to_owned());
        }
    }
    let mut previous_end: Option<u64> = None;
    for e in &mut entries {
        let v = read_varint(bytes, &mut pos)?;
        e.offset = match (v, previous_end) {
            (0, Some(end)) => end,
            (0, None) => return Err("the first directory entry has no offset".to_owned()),
            (v, _) => v - 1,
        };
        previous_end = Some(
            e.offset
                .checked_add(u64::from(e.length))
                .ok_or("a directory offset overflows 64 bits")?,
        );
    }
    Ok(entries)
}

/// Encodes a directory as [`parse_directory`] reads it (entries sorted by tile id).
pub fn encode_directory(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    write_varint(&mut out, entries.len() as u64);
    let mut last_id = 0;
    for e in entries {
        write_varint(&mut out, e.tile_id - last_id);
        last_id = e.tile_id;
    }
    for e in entries {
        write_varint(&mut out, u64::from(e.run_length));
    }
    for e in entries {
        write_varint(&mut out, u64::from(e.length));
    }
    let mut previous_end: Option<u64> = None;
    for e in entries {
        if previous_end == Some(e.offset) {
            write_varint(&mut out, 0);
        } else {
            write_varint(&mut out, e.offset + 1);
        }
        previous_end = Some(e.offset + u64::from(e.length));
    }
    out
}

/// The entry covering `tile_id`: a run holding it, or the leaf directory it falls in.
pub fn find_entry(entries: &[Entry], tile_id: u64) -> Option<&Entry> {
    let after = entries.partition_point(|e| e.tile_id <= tile_id);
    let e = entries.get(after.checked_sub(1)?)?;
    (e.run_length == 0 || tile_id - e.tile_id < u64::from(e.run_length)).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(z: u8, x: u32, y: u32) -> TileKey {
        TileKey { z, x, y }
    }

    #[test]
    fn tile_ids_follow_the_spec_examples() {
        assert_eq!(tile_id(key(0, 0, 0)), 0);
        let z1: Vec<u64> = [(0, 0), (0, 1), (1, 1), (1, 0)]
            .into_iter()
            .map(|(x, y)| tile_id(key(1, x, y)))
            .collect();
        assert_eq!(z1, [1, 2, 3, 4]);
        assert_eq!(tile_id(key(2, 0, 0)), 5);
        assert_eq!(tile_id(key(3, 0, 0)), 21);
    }

    #[test]
    fn zoom_two_walks_the_hilbert_curve() {
        // The order-2 Hilbert curve: the first quadrant transposed, ending at (3,0).
        let curve = [
            (0, 0),
            (1, 0),
            (1, 1),
            (0, 1),
            (0, 2),
            (0, 3),
            (1, 3),
            (1, 2),
            (2, 2),
            (2, 3),
            (3, 3),
            (3, 2),
            (3, 1),
            (2, 1),
            (2, 0),
            (3, 0),
        ];
        for (d, (x, y)) in curve.into_iter().enumerate() {
            assert_eq!(tile_id(key(2, x, y)), 5 + d as u64, "({x}, {y})");
        }
    }

    #[test]
    fn each_zoom_fills_its_id_range_exactly_once() {
        for z in 1..=6u8 {
            let side = 1u32 << z;
            let mut ids: Vec<u64> = (0..side)
                .flat_map(|x| (0..side).map(move |y| tile_id(key(z, x, y))))
                .collect();
            ids.sort_unstable();
            let first = ((1u64 << (2 * z)) - 1) / 3;
            assert_eq!(
                ids,
                (first..first + u64::from(side * side)).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn the_deepest_zoom_does_not_overflow() {
        let side = (1u32 << 30) - 1;
        let last = tile_id(key(30, side, 0));
        // The curve ends at the eastern end of the top row: the last id of zoom 30.
        assert_eq!(last, ((1u64 << 60) - 1) / 3 + (1u64 << 60) - 1);
    }

    #[test]
    fn a_directory_round_trips_with_contiguous_and_jumping_offsets() {
        let entries = vec![
            Entry {
                tile_id: 1,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 2,
                offset: 10,
                length: 5,
                run_length: 3,
            },
            Entry {
                tile_id: 9,
                offset: 0,
                length: 10,
                run_length: 1,
            },
        ];
        let bytes = encode_directory(&entries);
        assert_eq!(parse_directory(&bytes).unwrap(), entries);
    }

    #[test]
    fn runs_and_leaves_are_found_and_gaps_are_not() {
        let dir = parse_directory(&[2, 5, 3, 3, 0, 10, 20, 1, 0]).unwrap();
        assert_eq!(find_entry(&dir, 7).map(|e| e.tile_id), Some(5));
        assert_eq!(find_entry(&dir, 4), None);
        assert_eq!(find_entry(&dir, 100).map(|e| e.run_length), Some(0));
        let runs = parse_directory(&encode_directory(&[
            Entry {
                tile_id: 5,
                offset: 0,
                length: 1,
                run_length: 2,
            },
            Entry {
                tile_id: 10,
                offset: 1,
                length: 1,
                run_length: 1,
            },
        ]))
        .unwrap();
        assert_eq!(find_entry(&runs, 7), None);
    }

    #[test]
    fn a_directory_claiming_absurd_counts_is_refused_without_allocating() {
        let mut bytes = Vec::new();
        write_varint(&mut bytes, u64::MAX >> 1);
        assert!(parse_directory(&bytes).unwrap_err().contains("claims"));
        assert!(parse_directory(&[0xff; 20]).is_err());
        assert!(parse_directory(&[]).is_err());
    }

    #[test]
    fn a_header_round_trips_through_its_bytes() {
        let header = Header {
            version: 3,
            root_offset: 127,
            root_length: 20,
            metadata_offset: 147,
            metadata_length: 2,
            leaf_offset: 149,
            leaf_length: 0,
            tile_data_offset: 149,
            tile_data_length: 1000,
            addressed_tiles: 4,
            tile_entries: 3,
            tile_contents: 3,
            clustered: true,
            internal_compression: Compression::Gzip,
            tile_compression: Compression::None,
            tile_type: TileType::Png,
            min_zoom: 2,
            max_zoom: 3,
            bounds_e7: [-1_800_000_000, -850_511_287, 1_800_000_000, 850_511_287],
            center_zoom: 2,
            center_e7: [0, 0],
        };
        assert_eq!(Header::parse(&header.to_bytes()), header);
    }
}
