//! Longitude/latitude bounding boxes.

use geo::Coord;
use serde::{Deserialize, Serialize};

/// A box in WGS 84 degrees, written `[west, south, east, north]` as in a GeoJSON `bbox`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct LonLatBox {
    /// Western edge, degrees east.
    pub west: f64,
    /// Southern edge, degrees north.
    pub south: f64,
    /// Eastern edge, degrees east.
    pub east: f64,
    /// Northern edge, degrees north.
    pub north: f64,
}

/// Why four numbers are not a box.
#[derive(Debug, thiserror::Error)]
#[error("bbox [{0}, {1}, {2}, {3}] is not [west, south, east, north] within ±180°/±90°")]
pub struct BadBox(f64, f64, f64, f64);

impl TryFrom<[f64; 4]> for LonLatBox {
    type Error = BadBox;

    fn try_from([west, south, east, north]: [f64; 4]) -> Result<Self, BadBox> {
        let ok = [west, south, east, north].iter().all(|v| v.is_finite())
            && (-180.0..=180.0).contains(&west)
            && (-180.0..=180.0).contains(&east)
            && (-90.0..=90.0).contains(&south)
            && (-90.0..=90.0).contains(&north)
            && west < east
            && south < north;
        if ok {
            Ok(Self {
                west,
                south,
                east,
                north,
            })
        } else {
            Err(BadBox(west, south, east, north))
        }
    }
}

impl From<LonLatBox> for [f64; 4] {
    fn from(b: LonLatBox) -> Self {
        [b.west, b.south, b.east, b.north]
    }
}

impl LonLatBox {
    /// The smallest box holding every coordinate; `None` for none.
    pub fn around(coords: impl IntoIterator<Item = Coord<f64>>) -> Option<Self> {
        let mut it = coords.into_iter();
        let first = it.next()?;
        let mut b = Self {
            west: first.x,
            south: first.y,
            east: first.x,
            north: first.y,
        };
        for c in it {
            b.west = b.west.min(c.x);
            b.east = b.east.max(c.x);
            b.south = b.south.min(c.y);
            b.north = b.north.max(c.y);
        }
        Some(b)
    }

    /// The centre, as (lon, lat).
    pub fn center(&self) -> Coord<f64> {
        Coord {
            x: f64::midpoint(self.west, self.east),
            y: f64::midpoint(self.south, self.north),
        }
    }

    /// True when the point lies inside or on the edge.
    pub fn contains(&self, c: Coord<f64>) -> bool {
        (self.west..=self.east).contains(&c.x) && (self.south..=self.north).contains(&c.y)
    }
}
