//! The imagery under an export: tile layers, bottom first, each fetched for the view alone
//! (politely and within one deadline, see [`FetchPolicy`]) and resampled bilinearly onto the
//! image at its opacity.

mod fallback;
mod fetch;
mod resample;

use std::collections::HashMap;
use std::sync::Arc;

use image::RgbaImage;
use tiny_skia::Pixmap;

use super::ExportError;
use super::view::ExportView;
use crate::imagery::{TileError, TileKey, TileSource};
pub use fallback::LowerTile;
pub use fetch::{Clock, DEFAULT_TILE_DEADLINE, FetchPolicy, SystemClock};
use resample::{Grid, blend_block, draw_layer};

/// One raster layer of an export: where its tiles come from and how opaque it is drawn.
#[derive(Clone)]
pub struct TileLayer {
    /// The tile source (`TileSource::fetch` blocks; the export calls it on its own threads).
    pub source: Arc<dyn TileSource>,
    /// Opacity 0–1.
    pub opacity: f32,
}

impl std::fmt::Debug for TileLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileLayer")
            .field("source", &self.source.name())
            .field("opacity", &self.opacity)
            .finish()
    }
}

/// What was drawn of one layer, for the provenance record.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerReport {
    /// The project imagery layer it drew, `None` for the basemap and extra layers.
    pub layer_id: Option<String>,
    /// The source's name.
    pub name: String,
    /// Its credit line.
    pub credit: String,
    /// The tile level drawn.
    pub tile_zoom: u8,
    /// How many tiles were fetched.
    pub tiles: usize,
    /// Opacity drawn at.
    pub opacity: f32,
    /// Tiles drawn from a coarser level because their own did not come (in key order).
    pub lower_resolution: Vec<LowerTile>,
}

impl LayerReport {
    /// The figure's notice when some tiles were drawn from a coarser level:
    /// "<layer>: N of M tiles at lower resolution".
    #[must_use]
    pub fn lower_resolution_notice(&self) -> Option<String> {
        (!self.lower_resolution.is_empty()).then(|| {
            format!(
                "{}: {} of {} tiles at lower resolution",
                self.name,
                self.lower_resolution.len(),
                self.tiles
            )
        })
    }
}

/// The tile level drawn for a view: the nearest level (as the window picks it), no deeper than
/// the source has.
#[must_use]
pub fn tile_zoom(view_zoom: f64, source_max_zoom: u8) -> u8 {
    (view_zoom.round().max(0.0) as u8).min(source_max_zoom)
}

/// The tile columns and rows (unwrapped: columns may run past the antimeridian) that the view
/// needs at level `z`, including the texels bilinear sampling reads at the edges.
#[must_use]
pub fn tile_range(view: &ExportView, z: u8, tile_size_px: u32) -> ([i64; 2], [i64; 2]) {
    let f = 2f64.powf(f64::from(z) - view.zoom());
    let origin = view.origin_world_px();
    let [w, h] = view.size_px();
    let ts = f64::from(tile_size_px.max(1)) / 256.0;
    let texel = |world: f64| world * f * ts;
    let first = |world: f64| ((texel(world) - 1.0).floor() / (256.0 * ts)).floor() as i64;
    let last = |world: f64| ((texel(world) + 1.0).floor() / (256.0 * ts)).floor() as i64;
    (
        [first(origin.x), last(origin.x + f64::from(w))],
        [
            first(origin.y).max(0),
            last(origin.y + f64::from(h)).min((1i64 << z) - 1),
        ],
    )
}

/// The tile keys of the range, wrapping columns around the world.
fn keys_for(z: u8, cols: [i64; 2], rows: [i64; 2]) -> Vec<(i64, i64, TileKey)> {
    let n = 1i64 << z;
    let mut keys = Vec::new();
    for row in rows[0]..=rows[1] {
        for col in cols[0]..=cols[1] {
            let key = TileKey {
                z,
                x: col.rem_euclid(n) as u32,
                y: row as u32,
            };
            keys.push((col, row, key));
        }
    }
    keys
}

/// Draws the layers, bottom first, over what `pixmap` holds, fetching only the tiles the view
/// needs, under the default [`FetchPolicy`] (2 connections to a server, 30 s for all tiles).
/// `progress(done, total)` counts tiles over all layers; `false` cancels.
pub fn composite(
    pixmap: &mut Pixmap,
    view: &ExportView,
    layers: &[TileLayer],
    progress: &dyn Fn(usize, usize) -> bool,
) -> Result<Vec<LayerReport>, ExportError> {
    composite_with(pixmap, view, layers, progress, &FetchPolicy::default())
}

/// [`composite`] under `policy`: one deadline for the tiles of every layer, counted from now on
/// the policy's clock; a tile missing when it passes fails the export, naming the layer.
pub fn composite_with(
    pixmap: &mut Pixmap,
    view: &ExportView,
    layers: &[TileLayer],
    progress: &dyn Fn(usize, usize) -> bool,
    policy: &FetchPolicy,
) -> Result<Vec<LayerReport>, ExportError> {
    let deadline_at = policy.deadline_from_now();
    let plans: Vec<_> = layers
        .iter()
        .map(|layer| {
            let z = tile_zoom(view.zoom(), layer.source.max_zoom());
            let ts = layer.source.tile_size();
            let (cols, rows) = tile_range(view, z, ts);
            (z, ts, cols, rows, keys_for(z, cols, rows))
        })
        .collect();
    let total: usize = plans.iter().map(|p| p.4.len()).sum();
    let mut done = 0usize;
    if !progress(done, total) {
        return Err(ExportError::Cancelled);
    }
    let mut reports = Vec::with_capacity(layers.len());
    let rect = view.rect();
    for (layer, (z, ts, cols, rows, keys)) in layers.iter().zip(plans) {
        // A raster file is drawn straight into the figure, at its zoom, resampled once.
        // Each block is blended into the figure as it is drawn: no image of the whole view.
        let figure = std::sync::Mutex::new(&mut *pixmap);
        let put = |image: &RgbaImage, block: [u32; 4]| {
            let mut figure = figure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            blend_block(&mut figure, image, block, layer.opacity);
        };
        if let Some(drawn) = layer.source.draw_view(&rect, &put) {
            drawn.map_err(|source| ExportError::Tiles {
                layer: layer.source.name().to_owned(),
                failed: 1,
                total: 1,
                source,
            })?;
            done += keys.len();
            if !progress(done, total) {
                return Err(ExportError::Cancelled);
            }
            reports.push(LayerReport {
                layer_id: None,
                name: layer.source.name().to_owned(),
                credit: layer.source.attribution().to_owned(),
                tile_zoom: z,
                tiles: 0,
                opacity: layer.opacity,
                lower_resolution: Vec::new(),
            });
            continue;
        }
        let fetched = fetch_planned(
            layer,
            (z, ts, cols, rows, &keys),
            &|_| true,
            policy,
            deadline_at,
            (&mut done, total, progress),
        )?;
        fetched.draw(pixmap, view, Blend::Over);
        reports.push(fetched.report);
    }
    Ok(reports)
}

/// Puts an opaque `rgb` under the pixmap where it is not opaque (the export's background under
/// everything else).
pub fn fill_under(pixmap: &mut Pixmap, [r, g, b]: [u8; 3]) {
    for pixel in pixmap.data_mut().chunks_exact_mut(4) {
        let &mut [pr, pg, pb, pa] = pixel else {
            continue;
        };
        if pa == u8::MAX {
            continue;
        }
        let through = 1.0 - f32::from(pa) / 255.0;
        let mix = |held: u8, under: u8| {
            (f32::from(held) + f32::from(under) * through)
                .round()
                .clamp(0.0, 255.0) as u8
        };
        pixel.copy_from_slice(&[mix(pr, r), mix(pg, g), mix(pb, b), u8::MAX]);
    }
}

/// A tile layer's tiles fetched for a view, not drawn yet.
pub struct FetchedLayer {
    grid: Vec<Option<RgbaImage>>,
    width: usize,
    tile_size: u32,
    first: [i64; 2],
    z: u8,
    /// What was fetched, for the provenance record.
    pub report: LayerReport,
}

/// How a fetched layer meets what the pixmap holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blend {
    /// Over it, as layers stack bottom first.
    Over,
    /// Under it: only where it is not opaque (the result is as if drawn first).
    Under,
}

impl FetchedLayer {
    /// Resamples the tiles onto `pixmap`, over or under what it holds.
    pub fn draw(&self, pixmap: &mut Pixmap, view: &ExportView, blend: Blend) {
        let grid = Grid {
            tiles: &self.grid,
            width: self.width,
            tile_size: self.tile_size,
            first: self.first,
        };
        draw_layer(pixmap, view, &grid, self.z, self.report.opacity, blend);
    }
}

/// Draws `layer` (a tile layer: the basemap) under what `pixmap` holds for `view`, fetching
/// only the tiles under pixels the pixmap leaves see-through (with a 2 px margin for the
/// bilinear taps): a figure whose imagery covers it fetches and resamples none. Under
/// `policy`, one deadline from now; `progress(done, total)` counts the tiles fetched.
pub fn draw_under(
    pixmap: &mut Pixmap,
    view: &ExportView,
    layer: &TileLayer,
    progress: &dyn Fn(usize, usize) -> bool,
    policy: &FetchPolicy,
) -> Result<LayerReport, ExportError> {
    let z = tile_zoom(view.zoom(), layer.source.max_zoom());
    let ts = layer.source.tile_size();
    let (cols, rows) = tile_range(view, z, ts);
    let keys = keys_for(z, cols, rows);
    let world_per_tile = 256.0 / 2f64.powf(f64::from(z) - view.zoom());
    let origin = view.origin_world_px();
    let see_through = |&(col, row, _): &(i64, i64, TileKey)| {
        let x0 = col as f64 * world_per_tile - origin.x - 2.0;
        let y0 = row as f64 * world_per_tile - origin.y - 2.0;
        let span = world_per_tile + 4.0;
        any_see_through(pixmap, [x0, y0, x0 + span, y0 + span])
    };
    let wanted: std::collections::HashSet<(i64, i64)> = keys
        .iter()
        .filter(|k| see_through(k))
        .map(|&(col, row, _)| (col, row))
        .collect();
    let total = wanted.len();
    let mut done = 0;
    let fetched = fetch_planned(
        layer,
        (z, ts, cols, rows, &keys),
        &|&(col, row, _)| wanted.contains(&(col, row)),
        policy,
        policy.deadline_from_now(),
        (&mut done, total, progress),
    )?;
    fetched.draw(pixmap, view, Blend::Under);
    Ok(fetched.report)
}

/// True when a pixel of the pixmap within `[x0, y0, x1, y1]` (figure pixels) is not opaque.
fn any_see_through(pixmap: &Pixmap, [x0, y0, x1, y1]: [f64; 4]) -> bool {
    let (w, h) = (f64::from(pixmap.width()), f64::from(pixmap.height()));
    let clamp = |v: f64, max: f64| v.floor().clamp(0.0, max) as usize;
    let (x0, x1) = (clamp(x0, w), clamp(x1.ceil(), w));
    let (y0, y1) = (clamp(y0, h), clamp(y1.ceil(), h));
    let stride = pixmap.width() as usize * 4;
    let data = pixmap.data();
    (y0..y1).any(|y| {
        data.get(y * stride + x0 * 4..y * stride + x1 * 4)
            .is_some_and(|row| row.chunks_exact(4).any(|p| p.get(3) != Some(&u8::MAX)))
    })
}

/// A layer's tile level, tile size, columns, rows and keys.
type Plan<'k> = (u8, u32, [i64; 2], [i64; 2], &'k [(i64, i64, TileKey)]);

/// Fetches the planned tiles of `layer` that `wanted` takes (asked in key order), drawing
/// failed or late ones from a coarser level where one is there; a tile still missing fails the
/// export, naming the layer.
fn fetch_planned(
    layer: &TileLayer,
    (z, ts, cols, rows, keys): Plan<'_>,
    wanted: &dyn Fn(&(i64, i64, TileKey)) -> bool,
    policy: &FetchPolicy,
    deadline_at: std::time::Duration,
    (done, total, progress): (&mut usize, usize, &dyn Fn(usize, usize) -> bool),
) -> Result<FetchedLayer, ExportError> {
    let only_keys: Vec<TileKey> = keys.iter().filter(|k| wanted(k)).map(|k| k.2).collect();
    let mut tick = || {
        *done += 1;
        progress(*done, total)
    };
    let mut fetched = fetch::fetch_all(&layer.source, &only_keys, policy, deadline_at, &mut tick)?;
    // Tiles that failed or came too late are drawn from a coarser level where one is there.
    let lower_resolution = if fetched.values().any(Result::is_err) {
        let mut still = || progress(*done, total);
        fallback::fill_from_coarser(&layer.source, &mut fetched, policy, deadline_at, &mut still)?
    } else {
        Vec::new()
    };
    // The first failure in key order, so that the report does not change from run to run.
    let first_failure = only_keys
        .iter()
        .filter_map(|key| fetched.get(key).and_then(|r| r.as_ref().err()))
        .map(clone_error)
        .next();
    if let Some(first) = first_failure {
        let failed = fetched.values().filter(|r| r.is_err()).count();
        return Err(ExportError::Tiles {
            layer: layer.source.name().to_owned(),
            failed,
            total: fetched.len(),
            source: first,
        });
    }
    let width = (cols[1] - cols[0] + 1).max(0) as usize;
    let tiles = only_keys.len();
    let grid = into_grid(keys, fetched);
    Ok(FetchedLayer {
        grid,
        width,
        tile_size: ts,
        first: [cols[0], rows[0]],
        z,
        report: LayerReport {
            layer_id: None,
            name: layer.source.name().to_owned(),
            credit: layer.source.attribution().to_owned(),
            tile_zoom: z,
            tiles,
            opacity: layer.opacity,
            lower_resolution,
        },
    })
}

/// The fetched tiles in the order of `keys`, moved, not copied (a 4K figure's basemap is 240
/// tiles, 63 MB, and a copy of them all once set the export's peak memory); a key the grid
/// holds twice (a view wider than the world) is copied for all but its last place.
fn into_grid(
    keys: &[(i64, i64, TileKey)],
    mut fetched: HashMap<TileKey, Result<RgbaImage, TileError>>,
) -> Vec<Option<RgbaImage>> {
    let mut left: HashMap<TileKey, usize> = HashMap::new();
    for (_, _, key) in keys {
        *left.entry(*key).or_default() += 1;
    }
    keys.iter()
        .map(|(_, _, key)| {
            let count = left.entry(*key).or_default();
            *count = count.saturating_sub(1);
            if *count == 0 {
                fetched.remove(key).and_then(Result::ok)
            } else {
                fetched.get(key).and_then(|r| r.as_ref().ok()).cloned()
            }
        })
        .collect()
}

/// A tile error has no `Clone`; the report keeps its words and its address.
fn clone_error(e: &TileError) -> TileError {
    match e {
        TileError::Http { status, url } => TileError::Http {
            status: *status,
            url: url.clone(),
        },
        TileError::Network { message, url } => TileError::Network {
            message: message.clone(),
            url: url.clone(),
        },
        TileError::Decode { message, url } => TileError::Decode {
            message: message.clone(),
            url: url.clone(),
        },
        TileError::OutOfRange(key) => TileError::OutOfRange(*key),
        TileError::Local { message, what } => TileError::Local {
            message: message.clone(),
            what: what.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

    /// Every tile one colour, chosen by its address, so a test can tell which tile it sees.
    struct Solid;

    impl TileSource for Solid {
        fn fetch(&self, key: TileKey) -> Result<RgbaImage, TileError> {
            let v = ((key.x + key.y) % 2) as u8 * 200 + 20;
            Ok(RgbaImage::from_pixel(256, 256, image::Rgba([v, 0, 0, 255])))
        }
        fn name(&self) -> &'static str {
            "solid"
        }
        fn attribution(&self) -> &'static str {
            "test"
        }
        fn max_zoom(&self) -> u8 {
            5
        }
    }

    struct Failing;

    impl TileSource for Failing {
        fn fetch(&self, key: TileKey) -> Result<RgbaImage, TileError> {
            Err(TileError::OutOfRange(key))
        }
        fn name(&self) -> &'static str {
            "failing"
        }
        fn attribution(&self) -> &'static str {
            ""
        }
        fn max_zoom(&self) -> u8 {
            5
        }
    }

    fn layer(source: impl TileSource + 'static, opacity: f32) -> TileLayer {
        TileLayer {
            source: Arc::new(source),
            opacity,
        }
    }

    #[test]
    fn the_tile_level_rounds_and_stops_at_the_source_maximum() {
        assert_eq!(tile_zoom(16.4, 19), 16);
        assert_eq!(tile_zoom(16.6, 19), 17);
        assert_eq!(tile_zoom(21.0, 19), 19);
    }

    #[test]
    fn the_grid_takes_each_tile_and_copies_one_only_for_a_second_place() {
        let key = |x| TileKey { z: 1, x, y: 0 };
        let tile = |v| RgbaImage::from_pixel(1, 1, image::Rgba([v, 0, 0, 255]));
        let mut fetched = HashMap::new();
        fetched.insert(key(0), Ok(tile(10)));
        fetched.insert(key(1), Err(TileError::OutOfRange(key(1))));
        // A view wider than the world holds column 0 twice.
        let keys = [(0, 0, key(0)), (1, 0, key(1)), (2, 0, key(0))];
        let grid = into_grid(&keys, fetched);
        assert_eq!(grid.len(), 3);
        assert_eq!(grid[0].as_ref().map(|t| t.get_pixel(0, 0)[0]), Some(10));
        assert!(grid[1].is_none());
        assert_eq!(grid[2].as_ref().map(|t| t.get_pixel(0, 0)[0]), Some(10));
    }

    #[test]
    fn only_the_tiles_in_view_are_fetched() {
        // Zoom 2 is 1024 px wide: a 256 px view at the centre spans 2 × 2 tiles (edges touch).
        let view = ExportView::new(Coord { x: 0.0, y: 0.0 }, 2.0, [256, 256]).unwrap();
        let (cols, rows) = tile_range(&view, 2, 256);
        assert!(cols[0] >= 0 && cols[1] <= 3 && rows[0] >= 0 && rows[1] <= 3);
        let mut pixmap = Pixmap::new(256, 256).unwrap();
        let reports = composite(&mut pixmap, &view, &[layer(Solid, 1.0)], &|_, _| true).unwrap();
        assert!(reports[0].tiles <= 9, "{}", reports[0].tiles);
    }

    #[test]
    fn an_opaque_layer_shows_its_tiles_and_a_half_layer_blends() {
        let view = ExportView::new(Coord { x: 0.0, y: 0.0 }, 1.0, [512, 512]).unwrap();
        let mut pixmap = Pixmap::new(512, 512).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(0, 0, 255, 255));
        composite(&mut pixmap, &view, &[layer(Solid, 1.0)], &|_, _| true).unwrap();
        // Tile (0, 0) is dark red (20), tile (1, 0) bright red (220), away from the seam.
        let p = pixmap.pixel(100, 100).unwrap();
        assert_eq!((p.red(), p.blue()), (20, 0));
        let p = pixmap.pixel(400, 100).unwrap();
        assert_eq!((p.red(), p.blue()), (220, 0));

        let mut pixmap = Pixmap::new(512, 512).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(0, 0, 200, 255));
        composite(&mut pixmap, &view, &[layer(Solid, 0.5)], &|_, _| true).unwrap();
        let p = pixmap.pixel(400, 100).unwrap();
        assert_eq!((p.red(), p.blue(), p.alpha()), (110, 100, 255));
    }

    #[test]
    fn a_failed_tile_fails_the_export_and_names_the_layer() {
        let view = ExportView::new(Coord { x: 0.0, y: 0.0 }, 1.0, [64, 64]).unwrap();
        let mut pixmap = Pixmap::new(64, 64).unwrap();
        let err = composite(&mut pixmap, &view, &[layer(Failing, 1.0)], &|_, _| true).unwrap_err();
        assert!(err.to_string().contains("failing"), "{err}");
    }

    #[test]
    fn a_false_from_progress_cancels() {
        let view = ExportView::new(Coord { x: 0.0, y: 0.0 }, 3.0, [512, 512]).unwrap();
        let mut pixmap = Pixmap::new(512, 512).unwrap();
        let err = composite(&mut pixmap, &view, &[layer(Solid, 1.0)], &|done, _| {
            done < 2
        })
        .unwrap_err();
        assert!(matches!(err, ExportError::Cancelled));
    }
}
