//! A rectangle of output pixels in Web Mercator: what an export draws a raster into directly,
//! at the figure's own (fractional) zoom, instead of through tiles.

use geo::Coord;

use super::TileKey;
use crate::spatial::mercator::TILE_SIZE;

/// Edge of a tile, pixels.
const TILE_EDGE_PX: u32 = 256;

/// Output pixels: the top-left corner in world pixels at `zoom`, and the size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewRect {
    /// Top-left corner, world pixels at `zoom`.
    pub origin_world_px: Coord<f64>,
    /// Zoom (fractional: a figure's scale is any scale).
    pub zoom: f64,
    /// Width and height, pixels.
    pub size_px: [u32; 2],
}

impl ViewRect {
    /// The pixels of one tile.
    #[must_use]
    pub fn of_tile(key: TileKey) -> Self {
        Self {
            origin_world_px: Coord {
                x: f64::from(key.x) * TILE_SIZE,
                y: f64::from(key.y) * TILE_SIZE,
            },
            zoom: f64::from(key.z),
            size_px: [TILE_EDGE_PX; 2],
        }
    }

    /// The part `[x, y, w, h]` of this rectangle (in its pixels), as a rectangle of its own.
    #[must_use]
    pub fn part(&self, [x, y, w, h]: [u32; 4]) -> Self {
        Self {
            origin_world_px: Coord {
                x: self.origin_world_px.x + f64::from(x),
                y: self.origin_world_px.y + f64::from(y),
            },
            zoom: self.zoom,
            size_px: [w, h],
        }
    }

    /// Square blocks of at most `edge` pixels covering the rectangle, row by row, as
    /// `[x, y, w, h]` in its pixels.
    #[must_use]
    pub fn blocks(&self, edge: u32) -> Vec<[u32; 4]> {
        let edge = edge.max(1);
        let [w, h] = self.size_px;
        let mut out = Vec::new();
        for y in (0..h).step_by(edge as usize) {
            for x in (0..w).step_by(edge as usize) {
                out.push([x, y, edge.min(w - x), edge.min(h - y)]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_rectangle_once_with_short_blocks_at_the_edges() {
        let rect = ViewRect {
            origin_world_px: Coord { x: 10.0, y: 20.0 },
            zoom: 14.5,
            size_px: [600, 300],
        };
        let blocks = rect.blocks(256);
        assert_eq!(blocks.len(), 3 * 2);
        let area: u64 = blocks
            .iter()
            .map(|b| u64::from(b[2]) * u64::from(b[3]))
            .sum();
        assert_eq!(area, 600 * 300);
        assert_eq!(blocks[2], [512, 0, 88, 256]);
        assert_eq!(blocks[5], [512, 256, 88, 44]);
        let part = rect.part(blocks[5]);
        assert_eq!(part.origin_world_px, Coord { x: 522.0, y: 276.0 });
        assert_eq!(part.size_px, [88, 44]);
    }
}
