//! LZW strips and tiles decoded here rather than by `tiff` 0.11: its streaming LZW reader
//! (weezl 0.1 with `yield_on_full_buffer`) fails with "no lzw end code found" on valid chunks
//! whose rows it reads in pieces — every tiled LZW file whose width is not a multiple of the tile
//! width, GDAL's included (image-tiff issue #395, fixed on its master, not released). Here the
//! whole chunk is decoded at once, tolerating a missing end code as libtiff does, then the
//! horizontal predictor is undone and padding dropped.

use std::io::{Read, Seek, SeekFrom};

use tiff::decoder::DecodingResult;

/// How the file stores an LZW chunk's samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LzwLayout {
    /// File offset of each chunk.
    pub offsets: Vec<u64>,
    /// Compressed length of each chunk.
    pub counts: Vec<u64>,
    /// 1 (none), 2 (horizontal differencing) or 3 (floating-point byte planes differenced).
    pub predictor: u16,
    /// Samples per pixel in a chunk (1 for planar files): the predictor's stride.
    pub samples_per_pixel: usize,
    /// Multi-byte samples are big-endian.
    pub big_endian: bool,
    /// 8, 16, or 32 and 64 for floats.
    pub bits: u16,
    /// Signed samples.
    pub signed: bool,
    /// Photometric `WhiteIsZero`: samples are inverted, as `tiff` does.
    pub white_is_zero: bool,
    /// Largest chunk read or decoded, bytes.
    pub max_chunk_bytes: u64,
}

/// Decodes chunk `index`, stored `stored_w` pixels wide of which `data_w`×`data_h` are image,
/// with `spp` samples per pixel.
pub fn read_chunk<R: Read + Seek>(
    reader: &mut R,
    layout: &LzwLayout,
    index: u32,
    (stored_w, data_w, data_h): (u32, u32, u32),
    spp: usize,
) -> Result<DecodingResult, String> {
    let i = index as usize;
    let (Some(&offset), Some(&count)) = (layout.offsets.get(i), layout.counts.get(i)) else {
        return Err(format!("chunk {index} has no offset"));
    };
    if count > layout.max_chunk_bytes {
        return Err(format!("chunk {index} claims {count} bytes"));
    }
    reader
        .seek(SeekFrom::Start(offset))
        .map_err(|e| e.to_string())?;
    // Read what is there rather than allocating what the header claims.
    let mut packed = Vec::new();
    reader
        .take(count)
        .read_to_end(&mut packed)
        .map_err(|e| e.to_string())?;
    if (packed.len() as u64) < count {
        return Err(format!(
            "chunk {index} breaks off after {} of {count} bytes",
            packed.len()
        ));
    }

    let bytes = usize::from(layout.bits / 8);
    // The caller has checked the chunk against the limits; checked here again so that no
    // header can ask for an allocation beyond them.
    let need = u64::from(stored_w)
        .checked_mul(u64::from(data_h))
        .and_then(|n| n.checked_mul((spp * bytes) as u64))
        .filter(|&n| n <= layout.max_chunk_bytes)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("chunk {index} of {stored_w} × {data_h} pixels is too large"))?;
    let stored_row = stored_w as usize * spp * bytes;
    let mut raw = vec![0u8; need];
    let filled = decode_into(&packed, &mut raw);
    // Like libtiff, a stream that breaks off after every needed byte is fine.
    if let Err((filled, why)) = filled {
        return Err(format!(
            "LZW chunk {index} gives {filled} of {need} bytes ({why})"
        ));
    }
    let row_samples = data_w as usize * spp;
    if bytes == 4 || bytes == 8 {
        return Ok(float_rows(&raw, layout, stored_row, data_h, row_samples));
    }
    Ok(if bytes == 1 {
        let mut out = Vec::with_capacity(row_samples * data_h as usize);
        for row in raw.chunks_exact(stored_row).take(data_h as usize) {
            let start = out.len();
            out.extend_from_slice(row);
            if layout.predictor == 2 {
                undo_predictor(
                    out.get_mut(start..).unwrap_or_default(),
                    spp,
                    u8::wrapping_add,
                );
            }
            out.truncate(start + row_samples);
        }
        if layout.white_is_zero {
            for v in &mut out {
                *v = !*v;
            }
        }
        if layout.signed {
            DecodingResult::I8(out.into_iter().map(|v| i8::from_ne_bytes([v])).collect())
        } else {
            DecodingResult::U8(out)
        }
    } else {
        let mut out: Vec<u16> = Vec::with_capacity(row_samples * data_h as usize);
        for row in raw.chunks_exact(stored_row).take(data_h as usize) {
            let start = out.len();
            out.extend(row.chunks_exact(2).map(|b| {
                if layout.big_endian {
                    u16::from_be_bytes([b[0], b[1]])
                } else {
                    u16::from_le_bytes([b[0], b[1]])
                }
            }));
            if layout.predictor == 2 {
                undo_predictor(
                    out.get_mut(start..).unwrap_or_default(),
                    spp,
                    u16::wrapping_add,
                );
            }
            out.truncate(start + row_samples);
        }
        if layout.white_is_zero {
            for v in &mut out {
                *v = !*v;
            }
        }
        if layout.signed {
            DecodingResult::I16(
                out.into_iter()
                    .map(|v| i16::from_ne_bytes(v.to_ne_bytes()))
                    .collect(),
            )
        } else {
            DecodingResult::U16(out)
        }
    })
}

/// Floating-point rows (32 or 64-bit): predictor undone (3: the byte planes of each row
/// differenced, as libtiff writes them; 2: whole words differenced), padding dropped.
fn float_rows(
    raw: &[u8],
    layout: &LzwLayout,
    stored_row: usize,
    data_h: u32,
    row_samples: usize,
) -> DecodingResult {
    let bytes = usize::from(layout.bits / 8);
    let mut words: Vec<u64> = Vec::with_capacity(row_samples * data_h as usize);
    let mut planes = vec![0u8; stored_row];
    for row in raw.chunks_exact(stored_row).take(data_h as usize) {
        let start = words.len();
        let wc = stored_row / bytes;
        if layout.predictor == 3 {
            planes.copy_from_slice(row);
            let stride = layout.samples_per_pixel.max(1);
            for k in stride..planes.len() {
                if let Some(&left) = planes.get(k - stride)
                    && let Some(v) = planes.get_mut(k)
                {
                    *v = v.wrapping_add(left);
                }
            }
            // Plane b holds byte b (most significant first) of every sample.
            words.extend((0..wc).map(|i| {
                (0..bytes).fold(0u64, |acc, b| {
                    (acc << 8) | u64::from(planes.get(b * wc + i).copied().unwrap_or(0))
                })
            }));
        } else {
            words.extend(row.chunks_exact(bytes).map(|b| {
                let mut v = 0u64;
                for (k, byte) in b.iter().enumerate() {
                    let shift = if layout.big_endian {
                        8 * (bytes - 1 - k)
                    } else {
                        8 * k
                    };
                    v |= u64::from(*byte) << shift;
                }
                v
            }));
            if layout.predictor == 2 {
                let add: fn(u64, u64) -> u64 = if bytes == 4 {
                    |a, b| a.wrapping_add(b) & 0xFFFF_FFFF
                } else {
                    u64::wrapping_add
                };
                undo_predictor(
                    words.get_mut(start..).unwrap_or_default(),
                    layout.samples_per_pixel.max(1),
                    add,
                );
            }
        }
        words.truncate(start + row_samples);
    }
    if bytes == 4 {
        DecodingResult::F32(
            words
                .into_iter()
                .map(|w| f32::from_bits(u32::try_from(w).unwrap_or(u32::MAX)))
                .collect(),
        )
    } else {
        DecodingResult::F64(words.into_iter().map(f64::from_bits).collect())
    }
}

/// Decodes `packed` until `out` is full: never more output than that, however the stream is
/// crafted. `Err` holds the bytes decoded and why the stream ended early.
fn decode_into(packed: &[u8], out: &mut [u8]) -> Result<(), (usize, String)> {
    let mut decoder = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let (mut input, mut filled) = (packed, 0);
    while filled < out.len() {
        let Some(rest) = out.get_mut(filled..) else {
            break;
        };
        let result = decoder.decode_bytes(input, rest);
        input = input.get(result.consumed_in..).unwrap_or_default();
        filled += result.consumed_out;
        let why = match result.status {
            Err(e) => e.to_string(),
            Ok(weezl::LzwStatus::Done) => "end code".to_owned(),
            Ok(weezl::LzwStatus::NoProgress) => "stream ends".to_owned(),
            Ok(weezl::LzwStatus::Ok) if result.consumed_in == 0 && result.consumed_out == 0 => {
                "stream ends".to_owned()
            }
            Ok(weezl::LzwStatus::Ok) => continue,
        };
        if filled < out.len() {
            return Err((filled, why));
        }
    }
    Ok(())
}

/// Horizontal differencing undone: each sample plus the same band's sample one pixel left.
fn undo_predictor<T: Copy>(row: &mut [T], spp: usize, add: fn(T, T) -> T) {
    for k in spp..row.len() {
        if let Some(&left) = row.get(k - spp)
            && let Some(v) = row.get_mut(k)
        {
            *v = add(*v, left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predictor_is_undone_per_band() {
        let mut row = [10u8, 20, 1, 2, 1, 2];
        undo_predictor(&mut row, 2, u8::wrapping_add);
        assert_eq!(row, [10, 20, 11, 22, 12, 24]);
    }

    #[test]
    fn a_chunk_is_decoded_cropped_and_a_short_stream_refused() {
        let rows: Vec<u8> = (0..4 * 6).map(|i| i as u8).collect(); // 6 px stored, 4 rows, 1 band
        let mut packed = Vec::new();
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .into_vec(&mut packed)
            .encode_all(&rows)
            .status
            .unwrap();
        let layout = LzwLayout {
            offsets: vec![0],
            counts: vec![packed.len() as u64],
            predictor: 1,
            samples_per_pixel: 1,
            big_endian: false,
            bits: 8,
            signed: false,
            white_is_zero: false,
            max_chunk_bytes: 1 << 20,
        };
        let mut file = std::io::Cursor::new(packed.clone());
        let DecodingResult::U8(v) = read_chunk(&mut file, &layout, 0, (6, 4, 3), 1).unwrap() else {
            panic!()
        };
        assert_eq!(v, [0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 14, 15]);
        let short = LzwLayout {
            counts: vec![3],
            ..layout.clone()
        };
        assert!(read_chunk(&mut file, &short, 0, (6, 4, 3), 1).is_err());
        assert!(read_chunk(&mut file, &layout, 1, (6, 4, 3), 1).is_err());
    }

    #[test]
    fn float_rows_with_the_floating_point_predictor_come_back_as_written() {
        // Two rows of three float32 samples, stored four wide (one pixel of padding).
        let rows = [[0.01f32, -2.5, 1e6, 0.0], [f32::NAN, 7.0, 0.25, 0.0]];
        let mut raw = Vec::new();
        for row in rows {
            // Byte planes (most significant first), then each byte minus the one before it.
            let wc = row.len();
            let mut planes = vec![0u8; wc * 4];
            for (i, v) in row.iter().enumerate() {
                for (b, byte) in v.to_be_bytes().iter().enumerate() {
                    planes[b * wc + i] = *byte;
                }
            }
            for k in (1..planes.len()).rev() {
                planes[k] = planes[k].wrapping_sub(planes[k - 1]);
            }
            raw.extend(planes);
        }
        let mut packed = Vec::new();
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .into_vec(&mut packed)
            .encode_all(&raw)
            .status
            .unwrap();
        let layout = LzwLayout {
            offsets: vec![0],
            counts: vec![packed.len() as u64],
            predictor: 3,
            samples_per_pixel: 1,
            big_endian: false,
            bits: 32,
            signed: false,
            white_is_zero: false,
            max_chunk_bytes: 1 << 20,
        };
        let mut file = std::io::Cursor::new(packed);
        let DecodingResult::F32(v) = read_chunk(&mut file, &layout, 0, (4, 3, 2), 1).unwrap()
        else {
            panic!("float samples")
        };
        assert_eq!(v.len(), 6);
        assert_eq!(&v[..3], &[0.01, -2.5, 1e6]);
        assert!(v[3].is_nan());
        assert_eq!(&v[4..], &[7.0, 0.25]);
    }
}
