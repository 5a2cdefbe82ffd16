//! The offline overview basemap: Natural Earth shaded relief reprojected into Web Mercator, with
//! the 1:10m country borders of north-east Asia stroked over it. Both are compiled in, so the
//! default basemap works with no network and from any working directory.
//!
//! The relief is 0.5° per pixel (~55 km), so it is only drawn up to [`RELIEF_MAX_ZOOM`]; deeper
//! tiles are one plain colour (the app says there is no offline imagery there) with the borders
//! still drawn for orientation. The 1:10m borders are about 1 km off at the Tumen crossing: they
//! are context, never a reference to place or measure anything at the site.
//! Origins and licences: `assets/overview/NOTICE.md`.

use geo::{Coord, Rect};
use image::RgbaImage;
use serde_json::Value;
use tiny_skia::{LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Stroke, Transform};

use super::tile_source::{TileError, TileKey, TileSource};
use crate::spatial::LonLatBox;
use crate::spatial::mercator::{TILE_SIZE, lonlat_from_world_px, world_px_from_lonlat};

/// Deepest zoom drawn from the relief. At z8 one tile spans ~1.4°, about three relief pixels, so a
/// tile still shows land, sea and mountains; one level deeper a tile is a single blurred relief
/// pixel and its coastline is off by more than a tile.
pub const RELIEF_MAX_ZOOM: u8 = 8;

/// Deepest zoom this source renders (the borders stay sharp down to it).
pub const MAX_ZOOM: u8 = 19;

/// Colour of every tile deeper than [`RELIEF_MAX_ZOOM`]: a muted grey-green, one colour
/// everywhere so neighbouring tiles join without seams.
pub const PLAIN_RGB: [u8; 3] = [58, 66, 60];

/// True while the map at a (fractional) `zoom` shows relief tiles rather than plain ones.
/// walkers picks the tile level by rounding the zoom, hence the half level.
#[must_use]
pub fn has_imagery_at(zoom: f64) -> bool {
    zoom < f64::from(RELIEF_MAX_ZOOM) + 0.5
}

/// Tile edge in pixels, as an integer for buffers.
const TILE_SIZE_PX: u32 = 256;
/// Most segments per indexed piece of border: small pieces keep a deep tile from walking a whole
/// coastline, large ones keep the index short.
const CHUNK_SEGMENTS: usize = 32;
/// Border line over the relief: dark, semi-transparent so the relief shows through.
const LINE_RGBA: [u8; 4] = [24, 24, 28, 190];
const LINE_WIDTH_PX: f32 = 1.25;
/// A faint light halo under the dark line keeps it legible on dark relief (deep sea, forest).
const HALO_RGBA: [u8; 4] = [255, 255, 255, 70];
const HALO_WIDTH_PX: f32 = 3.0;
/// Border line over the plain colour: light, as a dark line with a halo reads as a double line
/// on a dark ground.
const PLAIN_LINE_RGBA: [u8; 4] = [214, 220, 208, 170];
/// Points closer than this to the last one drawn are skipped: at low zoom a coastline has many
/// vertices per pixel, and stroking them all costs time for nothing visible.
const MIN_STEP_PX: f32 = 0.5;

const RELIEF_PATH: &str = "assets/overview/natural-earth-relief-720x360.png";
const RELIEF_PNG: &[u8] = include_bytes!("../../assets/overview/natural-earth-relief-720x360.png");
const BORDERS_PATH: &str = "assets/overview/ne10m_countries_ne_asia.geojson";
const BORDERS_GEOJSON: &str = include_str!("../../assets/overview/ne10m_countries_ne_asia.geojson");
/// The box the bundled borders were clipped to; its straight cut edges are not borders.
const BORDERS_CLIP_BOX: LonLatBox = LonLatBox {
    west: 115.0,
    south: 30.0,
    east: 150.0,
    north: 55.0,
};

/// The offline overview tile source: relief up to [`RELIEF_MAX_ZOOM`], a plain colour below,
/// country borders at every zoom. Immutable once built; share one behind an `Arc`.
pub struct OverviewTiles {
    /// Plate carrée of the whole world: lon −180…180 west→east, lat 90…−90 north→south.
    relief: RgbaImage,
    /// Border lines in pieces, each with its bounding box, in zoom-0 world pixels.
    border_chunks: Vec<BorderChunk>,
}

/// A short run of a border line with its bounding box, both in zoom-0 world pixels (0…256).
struct BorderChunk {
    bbox_z0: Rect<f64>,
    points_z0: Vec<Coord<f64>>,
}

impl OverviewTiles {
    /// The bundled Natural Earth relief and north-east Asian borders. Decoding takes some 15 ms
    /// and the result holds about 1.5 MB: build it once.
    pub fn embedded() -> Result<Self, TileError> {
        let relief = image::load_from_memory_with_format(RELIEF_PNG, image::ImageFormat::Png)
            .map_err(|e| TileError::Decode {
                message: e.to_string(),
                url: RELIEF_PATH.to_owned(),
            })?
            .to_rgba8();
        Self::build(
            relief,
            BORDERS_GEOJSON,
            Some(&BORDERS_CLIP_BOX),
            BORDERS_PATH,
        )
    }

    /// A source from any whole-world plate-carrée `relief` and `GeoJSON` borders (`Polygon`,
    /// `MultiPolygon`, `LineString`, `MultiLineString`, in features or geometry collections;
    /// points are ignored). All ring edges are stroked, including any made by clipping; lines are
    /// not split at the antimeridian.
    pub fn from_parts(relief: RgbaImage, borders_geojson: &str) -> Result<Self, TileError> {
        Self::build(relief, borders_geojson, None, "borders GeoJSON")
    }

    fn build(
        relief: RgbaImage,
        borders_geojson: &str,
        clip_box: Option<&LonLatBox>,
        borders_name: &str,
    ) -> Result<Self, TileError> {
        if relief.width() == 0 || relief.height() == 0 {
            return Err(TileError::Local {
                message: "the relief image is empty".to_owned(),
                what: "relief".to_owned(),
            });
        }
        let local_error = |message: String| TileError::Local {
            message,
            what: borders_name.to_owned(),
        };
        let json: Value = serde_json::from_str(borders_geojson)
            .map_err(|e| local_error(format!("not JSON ({e})")))?;
        let mut lines = Vec::new();
        collect_lines(&json, &mut lines).map_err(local_error)?;
        let border_chunks = lines
            .iter()
            .flat_map(|line| split_at_clip_edges(line, clip_box))
            .flat_map(|run| chunks_of(&run))
            .collect();
        Ok(Self {
            relief,
            border_chunks,
        })
    }

    /// Draws one tile; `key` must be valid and no deeper than [`MAX_ZOOM`].
    fn render(&self, key: TileKey) -> Result<RgbaImage, TileError> {
        let no_buffer = || TileError::Local {
            message: "could not allocate the tile".to_owned(),
            what: key.to_string(),
        };
        let mut pixmap = Pixmap::new(TILE_SIZE_PX, TILE_SIZE_PX).ok_or_else(no_buffer)?;
        if key.z <= RELIEF_MAX_ZOOM {
            self.paint_relief(key, pixmap.data_mut());
        } else {
            let [r, g, b] = PLAIN_RGB;
            pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
        }
        if let Some(path) = self.border_path(key) {
            if key.z <= RELIEF_MAX_ZOOM {
                stroke(&mut pixmap, &path, HALO_RGBA, HALO_WIDTH_PX);
                stroke(&mut pixmap, &path, LINE_RGBA, LINE_WIDTH_PX);
            } else {
                stroke(&mut pixmap, &path, PLAIN_LINE_RGBA, LINE_WIDTH_PX);
            }
        }
        // Every pixel is opaque, so tiny-skia's premultiplied bytes are also straight RGBA.
        RgbaImage::from_raw(TILE_SIZE_PX, TILE_SIZE_PX, pixmap.take()).ok_or_else(no_buffer)
    }

    /// Fills `rgba` (a tile's premultiplied pixels) with the relief resampled into the tile's
    /// Mercator pixels: lon is linear in x, lat follows Mercator in y.
    fn paint_relief(&self, key: TileKey, rgba: &mut [u8]) {
        let zoom = f64::from(key.z);
        let origin = tile_origin_world_px(key);
        let (width, height) = self.relief.dimensions();
        let relief = self.relief.as_raw();
        let stride = width as usize * 4;
        // Longitude depends only on the column and latitude only on the row: look each up once,
        // as the byte offsets of the two relief columns (rows) around it and the weight between.
        let columns: Vec<(usize, usize, f32)> = (0..TILE_SIZE_PX)
            .map(|col| {
                let px = Coord {
                    x: origin.x + f64::from(col) + 0.5,
                    y: origin.y,
                };
                let lon = lonlat_from_world_px(px, zoom).x;
                let u = (lon + 180.0) / 360.0 * f64::from(width) - 0.5;
                let x0 = (u.floor() as i64).rem_euclid(i64::from(width)) as u32;
                let x1 = (x0 + 1) % width;
                (x0 as usize * 4, x1 as usize * 4, (u - u.floor()) as f32)
            })
            .collect();
        let rows: Vec<(usize, usize, f32)> = (0..TILE_SIZE_PX)
            .map(|row| {
                let px = Coord {
                    x: origin.x,
                    y: origin.y + f64::from(row) + 0.5,
                };
                let lat = lonlat_from_world_px(px, zoom).y;
                let v = (90.0 - lat) / 180.0 * f64::from(height) - 0.5;
                let last_row = i64::from(height) - 1;
                let y0 = (v.floor() as i64).clamp(0, last_row) as usize;
                let y1 = (v.floor() as i64 + 1).clamp(0, last_row) as usize;
                (y0 * stride, y1 * stride, (v - v.floor()) as f32)
            })
            .collect();
        let row_bytes = TILE_SIZE_PX as usize * 4;
        for (out_row, &(y0, y1, fv)) in rgba.chunks_exact_mut(row_bytes).zip(&rows) {
            for (out_px, &(x0, x1, fu)) in out_row.chunks_exact_mut(4).zip(&columns) {
                let corners = [y0 + x0, y0 + x1, y1 + x0, y1 + x1];
                for (channel, out) in out_px.iter_mut().take(3).enumerate() {
                    let [p00, p10, p01, p11] =
                        corners.map(|at| f32::from(relief.get(at + channel).copied().unwrap_or(0)));
                    let top = p00 + (p10 - p00) * fu;
                    let bottom = p01 + (p11 - p01) * fu;
                    *out = (top + (bottom - top) * fv).round().clamp(0.0, 255.0) as u8;
                }
                if let Some(alpha) = out_px.get_mut(3) {
                    *alpha = 255;
                }
            }
        }
    }

    /// The border lines that touch the tile, in tile pixels, as one path (stroking one path
    /// blends overlapping pieces once).
    fn border_path(&self, key: TileKey) -> Option<Path> {
        let scale = 2f64.powi(i32::from(key.z));
        let origin = tile_origin_world_px(key);
        // The tile plus the halo's reach, in zoom-0 world pixels.
        let margin_px = f64::from(HALO_WIDTH_PX) / 2.0 + 1.0;
        let min_z0 = Coord {
            x: (origin.x - margin_px) / scale,
            y: (origin.y - margin_px) / scale,
        };
        let max_z0 = Coord {
            x: (origin.x + TILE_SIZE + margin_px) / scale,
            y: (origin.y + TILE_SIZE + margin_px) / scale,
        };
        let overlaps = |a_min: Coord<f64>, a_max: Coord<f64>| {
            a_min.x <= max_z0.x && a_max.x >= min_z0.x && a_min.y <= max_z0.y && a_max.y >= min_z0.y
        };
        let in_tile = |p: Coord<f64>| {
            (
                (p.x * scale - origin.x) as f32,
                (p.y * scale - origin.y) as f32,
            )
        };
        let mut builder = PathBuilder::new();
        for chunk in &self.border_chunks {
            if !overlaps(chunk.bbox_z0.min(), chunk.bbox_z0.max()) {
                continue;
            }
            // The last point drawn, while the pen is down.
            let mut pen: Option<(f32, f32)> = None;
            let last_segment = chunk.points_z0.len().saturating_sub(2);
            for (index, segment) in chunk.points_z0.windows(2).enumerate() {
                let &[a, b] = segment else { continue };
                let seg_min = Coord {
                    x: a.x.min(b.x),
                    y: a.y.min(b.y),
                };
                let seg_max = Coord {
                    x: a.x.max(b.x),
                    y: a.y.max(b.y),
                };
                if !overlaps(seg_min, seg_max) {
                    pen = None;
                    continue;
                }
                let (from_x, from_y) = pen.unwrap_or_else(|| {
                    let (x, y) = in_tile(a);
                    builder.move_to(x, y);
                    (x, y)
                });
                let (x, y) = in_tile(b);
                let short = (x - from_x).hypot(y - from_y) < MIN_STEP_PX;
                if short && index < last_segment {
                    pen = Some((from_x, from_y));
                } else {
                    builder.line_to(x, y);
                    pen = Some((x, y));
                }
            }
        }
        builder.finish()
    }
}

impl TileSource for OverviewTiles {
    fn fetch(&self, key: TileKey) -> Result<RgbaImage, TileError> {
        if !key.is_valid() || key.z > MAX_ZOOM {
            return Err(TileError::OutOfRange(key));
        }
        self.render(key)
    }

    fn name(&self) -> &'static str {
        "Offline overview"
    }

    fn attribution(&self) -> &'static str {
        "Natural Earth (public domain)"
    }

    fn max_zoom(&self) -> u8 {
        MAX_ZOOM
    }

    fn tile_size(&self) -> u32 {
        TILE_SIZE_PX
    }
}

/// World pixels of a tile's north-west corner at its own zoom.
fn tile_origin_world_px(key: TileKey) -> Coord<f64> {
    Coord {
        x: f64::from(key.x) * TILE_SIZE,
        y: f64::from(key.y) * TILE_SIZE,
    }
}

fn stroke(pixmap: &mut Pixmap, path: &Path, [r, g, b, a]: [u8; 4], width_px: f32) {
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, a);
    paint.anti_alias = true;
    let stroke = Stroke {
        width: width_px,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    pixmap.stroke_path(path, &paint, &stroke, Transform::identity(), None);
}

/// Appends every line and polygon ring in a `GeoJSON` object to `lines`, as lon/lat.
fn collect_lines(json: &Value, lines: &mut Vec<Vec<Coord<f64>>>) -> Result<(), String> {
    let kind = json.get("type").and_then(Value::as_str).unwrap_or_default();
    let member = |name: &str| {
        json.get(name)
            .ok_or_else(|| format!("a {kind} without \"{name}\""))
    };
    match kind {
        "FeatureCollection" => {
            for feature in as_array(member("features")?)? {
                collect_lines(feature, lines)?;
            }
        }
        "Feature" => match member("geometry")? {
            Value::Null => {}
            geometry => collect_lines(geometry, lines)?,
        },
        "GeometryCollection" => {
            for geometry in as_array(member("geometries")?)? {
                collect_lines(geometry, lines)?;
            }
        }
        "LineString" => lines.push(positions(member("coordinates")?)?),
        "MultiLineString" | "Polygon" => {
            for line in as_array(member("coordinates")?)? {
                lines.push(positions(line)?);
            }
        }
        "MultiPolygon" => {
            for polygon in as_array(member("coordinates")?)? {
                for ring in as_array(polygon)? {
                    lines.push(positions(ring)?);
                }
            }
        }
        "Point" | "MultiPoint" => {}
        other => return Err(format!("unknown GeoJSON type \"{other}\"")),
    }
    Ok(())
}

fn as_array(json: &Value) -> Result<&Vec<Value>, String> {
    json.as_array()
        .ok_or_else(|| format!("expected an array, found {json}"))
}

/// A `GeoJSON` array of positions as lon/lat.
fn positions(json: &Value) -> Result<Vec<Coord<f64>>, String> {
    as_array(json)?
        .iter()
        .map(|position| match position.as_array().map(Vec::as_slice) {
            Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
                (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
                _ => Err(format!("not a position: {position}")),
            },
            _ => Err(format!("not a position: {position}")),
        })
        .collect()
}

/// Splits a lon/lat line where it runs along an edge of `clip_box` (a cut, not a border).
fn split_at_clip_edges(line: &[Coord<f64>], clip_box: Option<&LonLatBox>) -> Vec<Vec<Coord<f64>>> {
    let on_edge = |a: Coord<f64>, b: Coord<f64>| {
        clip_box.is_some_and(|clip| {
            let same =
                |u: f64, v: f64, edge: f64| (u - edge).abs() < 1e-9 && (v - edge).abs() < 1e-9;
            same(a.x, b.x, clip.west)
                || same(a.x, b.x, clip.east)
                || same(a.y, b.y, clip.south)
                || same(a.y, b.y, clip.north)
        })
    };
    let mut runs = Vec::new();
    let mut run: Vec<Coord<f64>> = line.first().copied().into_iter().collect();
    for segment in line.windows(2) {
        let &[a, b] = segment else { continue };
        if on_edge(a, b) {
            runs.push(std::mem::replace(&mut run, vec![b]));
        } else {
            run.push(b);
        }
    }
    runs.push(run);
    runs.retain(|run| run.len() >= 2);
    runs
}

/// A lon/lat run as indexed pieces in zoom-0 world pixels; neighbours share their end point.
fn chunks_of(run: &[Coord<f64>]) -> Vec<BorderChunk> {
    let points_z0: Vec<Coord<f64>> = run
        .iter()
        .map(|&lonlat| world_px_from_lonlat(lonlat, 0.0))
        .collect();
    let mut chunks = Vec::new();
    let mut start = 0;
    while start + 1 < points_z0.len() {
        let end = (start + CHUNK_SEGMENTS + 1).min(points_z0.len());
        let Some(points) = points_z0.get(start..end) else {
            break;
        };
        let first = points.first().copied().unwrap_or_default();
        let bbox_z0 = points.iter().fold(Rect::new(first, first), |bbox, &p| {
            Rect::new(
                Coord {
                    x: bbox.min().x.min(p.x),
                    y: bbox.min().y.min(p.y),
                },
                Coord {
                    x: bbox.max().x.max(p.x),
                    y: bbox.max().y.max(p.y),
                },
            )
        });
        chunks.push(BorderChunk {
            bbox_z0,
            points_z0: points.to_vec(),
        });
        start = end - 1;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREY: [u8; 4] = [128, 128, 128, 255];
    /// A 10°×10° square, 10–20° E, 10–20° N.
    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[10,10],[20,10],
        [20,20],[10,20],[10,10]]]]}}]}"#;
    const NO_BORDERS: &str = r#"{"type":"FeatureCollection","features":[]}"#;

    fn grey_relief() -> RgbaImage {
        RgbaImage::from_pixel(720, 360, image::Rgba(GREY))
    }

    /// Which tile at `z` holds a lon/lat, and the pixel in it.
    fn tile_and_px(lon: f64, lat: f64, z: u8) -> (TileKey, u32, u32) {
        let world = world_px_from_lonlat(Coord { x: lon, y: lat }, f64::from(z));
        let (x, y) = ((world.x / 256.0) as u32, (world.y / 256.0) as u32);
        let key = TileKey { z, x, y };
        (key, world.x as u32 - x * 256, world.y as u32 - y * 256)
    }

    fn rgb(tile: &RgbaImage, col: u32, row: u32) -> [u8; 3] {
        let p = tile.get_pixel(col, row);
        [p[0], p[1], p[2]]
    }

    #[test]
    fn the_z0_tile_stretches_latitude_as_mercator_does() {
        // A red band from 60° N to 61° N (relief rows 58 and 59 at 0.5°/px).
        let mut relief = grey_relief();
        for y in 58..60 {
            for x in 0..720 {
                relief.put_pixel(x, y, image::Rgba([255, 0, 0, 255]));
            }
        }
        let tiles = OverviewTiles::from_parts(relief, NO_BORDERS).unwrap();
        let tile = tiles.fetch(TileKey { z: 0, x: 0, y: 0 }).unwrap();
        let mercator_row = world_px_from_lonlat(Coord { x: 0.0, y: 60.5 }, 0.0).y as u32;
        let linear_row = ((90.0 - 60.5) / 180.0 * 256.0) as u32;
        assert_eq!(mercator_row, 73);
        assert_eq!(linear_row, 41);
        assert!(rgb(&tile, 100, mercator_row)[0] > 200 && rgb(&tile, 100, mercator_row)[1] < 60);
        assert_eq!(rgb(&tile, 100, linear_row), [128, 128, 128]);
    }

    #[test]
    fn a_pixel_at_a_known_place_samples_the_relief_there() {
        // A gradient relief (red = column, green = row) that bilinear sampling reproduces exactly.
        let relief = RgbaImage::from_fn(200, 100, |x, y| image::Rgba([x as u8, y as u8, 0, 255]));
        let tiles = OverviewTiles::from_parts(relief, NO_BORDERS).unwrap();
        let (lon, lat) = (130.641_056, 42.415_167);
        let (key, col, row) = tile_and_px(lon, lat, 5);
        let tile = tiles.fetch(key).unwrap();
        let expected_col = (lon + 180.0) / 360.0 * 200.0 - 0.5;
        let expected_row = (90.0 - lat) / 180.0 * 100.0 - 0.5;
        let [r, g, _] = rgb(&tile, col, row);
        assert!(
            (f64::from(r) - expected_col).abs() < 1.0,
            "{r} vs {expected_col}"
        );
        assert!(
            (f64::from(g) - expected_row).abs() < 1.0,
            "{g} vs {expected_row}"
        );
    }

    #[test]
    fn borders_darken_their_pixels_and_leave_the_rest_alone() {
        let tiles = OverviewTiles::from_parts(grey_relief(), SQUARE).unwrap();
        let (key, col, row) = tile_and_px(10.0, 15.0, 3);
        let tile = tiles.fetch(key).unwrap();
        let darkest = (col.saturating_sub(2)..=col + 2)
            .map(|c| rgb(&tile, c, row)[0])
            .min()
            .unwrap();
        assert!(darkest < 100, "the western edge is only {darkest}");
        let (inside_key, inside_col, inside_row) = tile_and_px(15.0, 15.0, 3);
        let (outside_key, outside_col, outside_row) = tile_and_px(30.0, 30.0, 3);
        assert_eq!((inside_key, outside_key), (key, key));
        assert_eq!(rgb(&tile, inside_col, inside_row), [128, 128, 128]);
        assert_eq!(rgb(&tile, outside_col, outside_row), [128, 128, 128]);
    }

    #[test]
    fn tiles_deeper_than_the_relief_are_plain_away_from_borders() {
        let tiles = OverviewTiles::from_parts(grey_relief(), SQUARE).unwrap();
        let z = RELIEF_MAX_ZOOM + 1;
        let (far, _, _) = tile_and_px(100.0, -40.0, z);
        let far_tile = tiles.fetch(far).unwrap();
        assert!(far_tile.pixels().all(|p| [p[0], p[1], p[2]] == PLAIN_RGB));

        let (key, col, row) = tile_and_px(10.0, 15.0, z);
        let tile = tiles.fetch(key).unwrap();
        let near: Vec<[u8; 3]> = (col.saturating_sub(2)..=(col + 2).min(255))
            .map(|c| rgb(&tile, c, row))
            .collect();
        assert!(near.iter().any(|&p| p != PLAIN_RGB));
        let away_col = if col < 128 { col + 60 } else { col - 60 };
        assert_eq!(rgb(&tile, away_col, row), PLAIN_RGB);
    }

    #[test]
    fn an_address_outside_the_pyramid_is_out_of_range() {
        let tiles = OverviewTiles::from_parts(grey_relief(), NO_BORDERS).unwrap();
        for key in [
            TileKey { z: 3, x: 8, y: 0 },
            TileKey { z: 0, x: 0, y: 1 },
            TileKey {
                z: MAX_ZOOM + 1,
                x: 0,
                y: 0,
            },
        ] {
            assert!(matches!(tiles.fetch(key), Err(TileError::OutOfRange(k)) if k == key));
        }
    }

    #[test]
    fn broken_borders_are_an_error_not_an_empty_map() {
        for broken in [
            "not json",
            r#"{"type":"Polygon"}"#,
            r#"{"type":"Polygon","coordinates":[[[1,"x"]]]}"#,
            r#"{"type":"Blob"}"#,
        ] {
            let result = OverviewTiles::from_parts(grey_relief(), broken);
            assert!(matches!(result, Err(TileError::Local { .. })), "{broken}");
        }
        let empty = OverviewTiles::from_parts(RgbaImage::new(0, 0), NO_BORDERS);
        assert!(empty.is_err());
    }

    #[test]
    fn the_embedded_data_loads() {
        let tiles = OverviewTiles::embedded().unwrap();
        assert_eq!(tiles.relief.dimensions(), (720, 360));
        assert!(tiles.border_chunks.len() > 100);
        let tile = tiles.fetch(TileKey { z: 3, x: 6, y: 2 }).unwrap();
        assert_eq!(tile.dimensions(), (256, 256));
        assert_eq!(tiles.name(), "Offline overview");
    }

    #[test]
    fn the_cut_edges_of_the_bundled_borders_are_not_drawn() {
        // 115° E is where China and Mongolia were cut; at 40° N it is the cut, not a border.
        let embedded = OverviewTiles::embedded().unwrap();
        let relief_only = OverviewTiles::from_parts(embedded.relief.clone(), NO_BORDERS).unwrap();
        let (key, col, row) = tile_and_px(115.0, 40.0, 6);
        let with = embedded.fetch(key).unwrap();
        let without = relief_only.fetch(key).unwrap();
        for c in col.saturating_sub(3)..=(col + 3).min(255) {
            assert_eq!(rgb(&with, c, row), rgb(&without, c, row));
        }
    }

    #[test]
    fn imagery_ends_where_walkers_rounds_to_the_first_plain_level() {
        assert!(has_imagery_at(0.0));
        assert!(has_imagery_at(f64::from(RELIEF_MAX_ZOOM) + 0.49));
        assert!(!has_imagery_at(f64::from(RELIEF_MAX_ZOOM) + 0.5));
        assert!(!has_imagery_at(17.0));
        assert!(!has_imagery_at(f64::NAN));
    }

    /// A look at real tiles, not a check: `cargo test --release --lib overview -- --ignored`.
    #[test]
    #[ignore = "writes PNGs to /tmp for a person to look at"]
    fn render_sample_tiles_to_tmp() {
        let started = std::time::Instant::now();
        let tiles = OverviewTiles::embedded().unwrap();
        eprintln!("embedded() took {:?}", started.elapsed());
        // NE Asia straddles four z3 tiles (x 6–7, y 2–3): stitch them.
        let mut mosaic = RgbaImage::new(512, 512);
        for (x, y) in [(6, 2), (7, 2), (6, 3), (7, 3)] {
            let tile = tiles.fetch(TileKey { z: 3, x, y }).unwrap();
            image::imageops::replace(
                &mut mosaic,
                &tile,
                i64::from(x - 6) * 256,
                i64::from(y - 2) * 256,
            );
        }
        mosaic.save("/tmp/overview-z3-ne-asia.png").unwrap();
        for z in [3, 6, RELIEF_MAX_ZOOM, RELIEF_MAX_ZOOM + 1, 12] {
            let (key, _, _) = tile_and_px(130.64, 42.41, z);
            let rounds = 20;
            let started = std::time::Instant::now();
            for _ in 1..rounds {
                tiles.fetch(key).unwrap();
            }
            let tile = tiles.fetch(key).unwrap();
            eprintln!("{key}: {:?} per tile", started.elapsed() / rounds);
            tile.save(format!("/tmp/overview-z{z}-site.png")).unwrap();
        }
    }
}
