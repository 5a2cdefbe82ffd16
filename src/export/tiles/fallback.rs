//! Tiles an export could not get at their own level, drawn from the best coarser tile there is:
//! one already fetched for this export, one the source holds locally (its disk cache), or,
//! while the deadline has not passed, one fetched from the server. The ancestor's quarter (or
//! sixteenth…) that covers the missing tile is cropped and scaled up to a whole tile.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use image::RgbaImage;

use super::fetch::{self, FetchPolicy};
use crate::export::ExportError;
use crate::imagery::{TileError, TileKey, TileSource};

/// How many levels up a missing tile is looked for: 2⁸ = 256, one texel of a 256 px tile.
const MAX_LEVELS_UP: u8 = 8;

/// A tile drawn from a coarser one, for the provenance record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LowerTile {
    /// The tile the view needed.
    pub tile: TileKey,
    /// The level of the tile it was drawn from.
    pub from_zoom: u8,
}

/// The ancestor of `key` `up` levels up; `None` above zoom 0.
fn ancestor(key: TileKey, up: u8) -> Option<TileKey> {
    let z = key.z.checked_sub(up)?;
    Some(TileKey {
        z,
        x: key.x >> up,
        y: key.y >> up,
    })
}

/// The part of `coarse` (the ancestor `up` levels above `key`) that covers `key`, scaled to
/// `tile_size`; `None` when that part is less than a pixel.
fn crop_scaled(coarse: &RgbaImage, key: TileKey, up: u8, tile_size: u32) -> Option<RgbaImage> {
    let n = 1u32 << up;
    let (cw, ch) = (coarse.width() / n, coarse.height() / n);
    if cw == 0 || ch == 0 {
        return None;
    }
    let (qx, qy) = (key.x % n, key.y % n);
    let part = image::imageops::crop_imm(coarse, qx * cw, qy * ch, cw, ch).to_image();
    Some(image::imageops::resize(
        &part,
        tile_size,
        tile_size,
        image::imageops::FilterType::Triangle,
    ))
}

/// Fills the failed tiles of `fetched` from coarser levels where it can, level by level up to
/// [`MAX_LEVELS_UP`]. Returns the tiles drawn that way; tiles with no ancestor anywhere keep
/// their error. Network fetches of ancestors stop at `deadline_at`; after it only what the
/// source holds locally is used.
pub(super) fn fill_from_coarser(
    source: &Arc<dyn TileSource>,
    fetched: &mut HashMap<TileKey, Result<RgbaImage, TileError>>,
    policy: &FetchPolicy,
    deadline_at: Duration,
    progress: &mut dyn FnMut() -> bool,
) -> Result<Vec<LowerTile>, ExportError> {
    let mut missing: Vec<TileKey> = fetched
        .iter()
        .filter(|(_, result)| result.is_err())
        .map(|(key, _)| *key)
        .collect();
    missing.sort_unstable();
    let tile_size = source.tile_size();
    let mut lower = Vec::new();
    for up in 1..=MAX_LEVELS_UP {
        if missing.is_empty() {
            break;
        }
        let mut wanted: Vec<TileKey> = missing.iter().filter_map(|&k| ancestor(k, up)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            break;
        }
        let mut coarse: HashMap<TileKey, RgbaImage> = HashMap::new();
        let mut to_fetch = Vec::new();
        for key in wanted {
            match source.cached(key) {
                Some(tile) => {
                    coarse.insert(key, tile);
                }
                None => to_fetch.push(key),
            }
        }
        if !to_fetch.is_empty() && policy.clock.now() < deadline_at {
            let got = fetch::fetch_all(source, &to_fetch, policy, deadline_at, progress)?;
            coarse.extend(
                got.into_iter()
                    .filter_map(|(key, result)| result.ok().map(|tile| (key, tile))),
            );
        }
        missing.retain(|&key| {
            let Some(tile) = ancestor(key, up)
                .and_then(|a| coarse.get(&a))
                .and_then(|coarse| crop_scaled(coarse, key, up, tile_size))
            else {
                return true;
            };
            fetched.insert(key, Ok(tile));
            lower.push(LowerTile {
                tile: key,
                from_zoom: key.z - up,
            });
            false
        });
    }
    lower.sort_unstable_by_key(|l| l.tile);
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ancestor_quarter_is_scaled_to_a_whole_tile() {
        // Left half red, right half blue; the tile at (1, 0) of level 1 is the right top quarter.
        let coarse = RgbaImage::from_fn(256, 256, |x, _| {
            if x < 128 {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 255, 255])
            }
        });
        let key = TileKey { z: 1, x: 1, y: 0 };
        let tile = crop_scaled(&coarse, key, 1, 256).unwrap();
        assert_eq!(tile.dimensions(), (256, 256));
        assert_eq!(tile.get_pixel(10, 10).0, [0, 0, 255, 255]);
        assert_eq!(tile.get_pixel(250, 250).0, [0, 0, 255, 255]);
    }

    #[test]
    fn ancestors_walk_up_the_levels() {
        let key = TileKey { z: 5, x: 13, y: 6 };
        assert_eq!(ancestor(key, 2), Some(TileKey { z: 3, x: 3, y: 1 }));
        assert_eq!(ancestor(key, 6), None);
    }
}
