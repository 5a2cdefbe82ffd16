//! `GeoPackage` geometry blobs: the `GP` header (version, flags, SRS id, envelope) over ISO
//! well-known binary (OGC 06-103r4), read and written.
//!
//! The reader takes either byte order, 2D/Z/M/ZM ISO type codes and the EWKB flag bits GDAL's
//! older files carry; Z and M are read and dropped (annotations are 2D). Every count is checked
//! against the bytes left and nesting is bounded, so a crafted blob is an error, never a huge
//! allocation or a deep recursion.

use geo::{Coord, Geometry, GeometryCollection, LineString, Point, Polygon};

use crate::spatial::LonLatBox;

/// How deep collections may nest.
const MAX_DEPTH: usize = 16;
const MAGIC: &[u8; 2] = b"GP";

/// An empty geometry (the header's empty flag, an empty point of NaNs, a polygon of no rings).
fn empty() -> Geometry<f64> {
    Geometry::GeometryCollection(GeometryCollection(Vec::new()))
}

/// Reads a `GeoPackage` geometry blob; returns the header's SRS id and the geometry in the
/// table's own coordinates.
///
/// # Errors
/// What is wrong with the blob.
pub fn read_blob(blob: &[u8]) -> Result<(i32, Geometry<f64>), String> {
    let header = blob
        .get(..8)
        .ok_or("the geometry blob is shorter than its header")?;
    if header.get(..2) != Some(MAGIC.as_slice()) {
        return Err("the geometry blob does not start with GP".into());
    }
    let flags = header[3];
    if flags & 0b0010_0000 != 0 {
        return Err("the geometry uses a GeoPackage extension type".into());
    }
    let little = flags & 1 == 1;
    let srs_bytes: [u8; 4] = [header[4], header[5], header[6], header[7]];
    let srs_id = if little {
        i32::from_le_bytes(srs_bytes)
    } else {
        i32::from_be_bytes(srs_bytes)
    };
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => return Err(format!("envelope code {code} is not defined")),
    };
    if flags & 0b1_0000 != 0 {
        return Ok((srs_id, empty()));
    }
    let wkb = blob
        .get(8 + envelope_len..)
        .ok_or("the geometry blob ends inside its envelope")?;
    let mut reader = Reader { bytes: wkb, at: 0 };
    Ok((srs_id, reader.geometry(0)?))
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let slice = self
            .bytes
            .get(self.at..self.at + N)
            .ok_or("the geometry ends early")?;
        self.at += N;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `item_len` bytes each, checked against what is left.
    fn count(&mut self, little: bool, item_len: usize) -> Result<usize, String> {
        let n = self.u32(little)? as usize;
        let left = self.bytes.len().saturating_sub(self.at);
        if n.saturating_mul(item_len) > left {
            return Err(format!("a count of {n} runs past the geometry's end"));
        }
        Ok(n)
    }

    fn position(&mut self, little: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(little)?;
        let y = self.f64(little)?;
        for _ in 2..dims {
            self.f64(little)?;
        }
        Ok(Coord { x, y })
    }

    fn positions(&mut self, little: bool, dims: usize) -> Result<Vec<Coord<f64>>, String> {
        let n = self.count(little, dims * 8)?;
        (0..n).map(|_| self.position(little, dims)).collect()
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > MAX_DEPTH {
            return Err("geometry collections nest too deeply".into());
        }
        let little = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            [b] => return Err(format!("byte order {b} is neither 0 nor 1")),
        };
        let code = self.u32(little)?;
        // EWKB flags (PostGIS, old GDAL), then ISO's thousands.
        let ewkb_z = code & 0x8000_0000 != 0;
        let ewkb_m = code & 0x4000_0000 != 0;
        if code & 0x2000_0000 != 0 {
            self.u32(little)?; // an embedded SRID
        }
        let iso = code & 0x0fff_ffff;
        let (base, iso_dims) = (iso % 1000, iso / 1000);
        let dims = match iso_dims {
            0 => 2 + usize::from(ewkb_z) + usize::from(ewkb_m),
            1 | 2 => 3,
            3 => 4,
            _ => return Err(format!("geometry type code {code} is not known")),
        };
        Ok(match base {
            1 => {
                let p = self.position(little, dims)?;
                if p.x.is_nan() && p.y.is_nan() {
                    empty()
                } else {
                    Geometry::Point(Point(p))
                }
            }
            2 => Geometry::LineString(LineString::new(self.positions(little, dims)?)),
            3 => {
                let n = self.count(little, 4)?;
                let mut rings = (0..n)
                    .map(|_| self.positions(little, dims).map(LineString::new))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter();
                match rings.next() {
                    None => empty(),
                    Some(exterior) => Geometry::Polygon(Polygon::new(exterior, rings.collect())),
                }
            }
            4..=7 => {
                // Multi-geometries and collections alike: their members, in order.
                let n = self.count(little, 5)?;
                let members = (0..n)
                    .map(|_| self.geometry(depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Geometry::GeometryCollection(GeometryCollection(members))
            }
            _ => {
                return Err(format!(
                    "geometry type {base} (curves, surfaces, TINs) is not supported"
                ));
            }
        })
    }
}

/// One lon/lat shape as a `GeoPackage` blob (little-endian, SRS 4326, with its envelope).
#[must_use]
pub fn write_blob(shape: &crate::model::Shape) -> Vec<u8> {
    use crate::model::Shape;
    let mut wkb = Vec::new();
    match shape {
        Shape::Point(p) => {
            wkb_header(&mut wkb, 1);
            push_position(&mut wkb, p.0);
        }
        Shape::Line(line) => {
            wkb_header(&mut wkb, 2);
            push_positions(&mut wkb, line);
        }
        Shape::Polygon(polygon) => write_polygon(&mut wkb, polygon),
    }
    // Holes lie inside the exterior: its vertices bound the shape.
    let envelope = LonLatBox::around(shape.vertices());
    let mut blob = Vec::with_capacity(8 + 32 + wkb.len());
    blob.extend_from_slice(MAGIC);
    blob.push(0); // version 1
    // Little-endian header; envelope [minx, maxx, miny, maxy] when there is one.
    blob.push(if envelope.is_some() {
        0b0000_0011
    } else {
        0b0000_0001
    });
    blob.extend_from_slice(&4326_i32.to_le_bytes());
    if let Some(b) = envelope {
        for v in [b.west, b.east, b.south, b.north] {
            blob.extend_from_slice(&v.to_le_bytes());
        }
    }
    blob.extend_from_slice(&wkb);
    blob
}

fn wkb_header(out: &mut Vec<u8>, code: u32) {
    out.push(1);
    out.extend_from_slice(&code.to_le_bytes());
}

fn push_position(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn push_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn push_positions(out: &mut Vec<u8>, line: &LineString<f64>) {
    push_count(out, line.0.len());
    for c in &line.0 {
        push_position(out, *c);
    }
}

fn write_polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    wkb_header(out, 3);
    push_count(out, 1 + polygon.interiors().len());
    push_positions(out, polygon.exterior());
    for hole in polygon.interiors() {
        push_positions(out, hole);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shape;
    use geo::{line_string, polygon};

    #[test]
    fn written_shapes_read_back_with_their_srs_and_rings() {
        let square = polygon!(
            exterior: [(x: 130.0, y: 42.0), (x: 130.1, y: 42.0), (x: 130.1, y: 42.1), (x: 130.0, y: 42.0)],
            interiors: [[(x: 130.02, y: 42.02), (x: 130.05, y: 42.02), (x: 130.05, y: 42.05), (x: 130.02, y: 42.02)]],
        );
        let (srs, g) = read_blob(&write_blob(&Shape::Polygon(square.clone()))).unwrap();
        assert_eq!(srs, 4326);
        assert_eq!(g, Geometry::Polygon(square));
        let line = line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)];
        let (_, g) = read_blob(&write_blob(&Shape::Line(line.clone()))).unwrap();
        assert_eq!(g, Geometry::LineString(line));
        let (_, g) = read_blob(&write_blob(&Shape::Point(Point::new(5.0, 6.0)))).unwrap();
        assert_eq!(g, Geometry::Point(Point::new(5.0, 6.0)));
    }

    #[test]
    fn the_envelope_bounds_the_shape() {
        let line = line_string![(x: 1.0, y: 9.0), (x: 3.0, y: -4.0)];
        let blob = write_blob(&Shape::Line(line));
        let env: Vec<f64> = blob[8..40]
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(env, vec![1.0, 3.0, -4.0, 9.0]);
    }

    /// A big-endian ISO multipoint Z without an envelope, as some writers give it.
    #[test]
    fn big_endian_z_multipoints_lose_their_z() {
        let mut blob = b"GP\0\0".to_vec();
        blob.extend_from_slice(&32652_i32.to_be_bytes());
        blob.push(0);
        blob.extend_from_slice(&1004_u32.to_be_bytes());
        blob.extend_from_slice(&2_u32.to_be_bytes());
        for (x, y, z) in [(1.0_f64, 2.0_f64, 9.0_f64), (3.0, 4.0, 9.0)] {
            blob.push(0);
            blob.extend_from_slice(&1001_u32.to_be_bytes());
            for v in [x, y, z] {
                blob.extend_from_slice(&v.to_be_bytes());
            }
        }
        let (srs, g) = read_blob(&blob).unwrap();
        assert_eq!(srs, 32652);
        assert_eq!(
            g,
            Geometry::GeometryCollection(GeometryCollection(vec![
                Geometry::Point(Point::new(1.0, 2.0)),
                Geometry::Point(Point::new(3.0, 4.0)),
            ]))
        );
    }

    #[test]
    fn crafted_blobs_are_errors_not_allocations() {
        let good = write_blob(&Shape::Line(
            line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)],
        ));
        // A count of four billion positions.
        let mut huge = good.clone();
        huge[45..49].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_blob(&huge).unwrap_err().contains("runs past"));
        // Truncated anywhere.
        for cut in 0..good.len() {
            assert!(read_blob(&good[..cut]).is_err(), "cut at {cut}");
        }
        // Collections nested past the bound.
        let mut deep = b"GP\0\x01\0\0\0\0".to_vec();
        for _ in 0..40 {
            deep.push(1);
            deep.extend_from_slice(&7_u32.to_le_bytes());
            deep.extend_from_slice(&1_u32.to_le_bytes());
        }
        assert!(read_blob(&deep).unwrap_err().contains("deeply"));
        assert!(read_blob(b"XX\0\x01\0\0\0\0").is_err());
    }

    #[test]
    fn the_empty_flag_gives_an_empty_geometry() {
        let blob = b"GP\0\x11\xe6\x10\0\0";
        assert_eq!(read_blob(blob).unwrap(), (4326, empty()));
    }
}
