//! `walkers::Tiles` over a [`TileLoader`]: turns finished tiles into egui textures and, while a
//! tile loads, draws the matching part of the nearest coarser tile so zooming never shows holes.
//!
//! Everything that can be decided without egui (queueing, backoff, which ancestor covers which
//! part) lives in [`crate::imagery::tile_loader`]; this file only owns the textures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use egui::{ColorImage, Rect, TextureHandle, TextureOptions, pos2};
use walkers::sources::Attribution;
use walkers::{Stats, Tile, TileId, TilePiece, Tiles};

use crate::imagery::tile_loader::{
    DEFAULT_WORKERS, LayerStatus, TileLoader, UvRect, covering_ancestor,
};
use crate::imagery::{TileKey, TileSource};

/// Textures kept per layer unless told otherwise: a full-HD screen shows about 60 tiles, so
/// this holds the screen, its ancestors and some panning history (256 KiB of GPU memory each).
const DEFAULT_MAX_TEXTURES: usize = 256;

struct CachedTexture {
    texture: TextureHandle,
    /// The egui pass it was last drawn in: textures drawn in this pass are never evicted.
    last_pass: u64,
    /// Order of last use, for least-recently-used eviction.
    last_use: u64,
}

/// One tile layer as walkers draws it: textures for loaded tiles, loading in the background.
pub struct EguiTiles {
    ctx: egui::Context,
    loader: TileLoader,
    textures: HashMap<TileKey, CachedTexture>,
    max_textures: usize,
    uses: u64,
    attribution: Attribution,
    tile_size_px: u32,
    max_zoom: u8,
}

impl EguiTiles {
    /// Tiles from `source`, loaded by [`DEFAULT_WORKERS`] threads that repaint `ctx` after each
    /// tile.
    pub fn new(ctx: egui::Context, source: Arc<dyn TileSource>) -> Self {
        Self::with_workers(ctx, source, DEFAULT_WORKERS)
    }

    /// Tiles from `source`, loaded by `workers` threads.
    pub fn with_workers(ctx: egui::Context, source: Arc<dyn TileSource>, workers: usize) -> Self {
        let attribution = Attribution {
            text: leak_once(source.attribution()),
            url: "",
            logo_light: None,
            logo_dark: None,
        };
        let (tile_size_px, max_zoom) = (source.tile_size(), source.max_zoom());
        let loader = TileLoader::new(source, workers);
        let repaint_ctx = ctx.clone();
        loader.set_wakeup(Arc::new(move || repaint_ctx.request_repaint()));
        Self {
            ctx,
            loader,
            textures: HashMap::new(),
            max_textures: DEFAULT_MAX_TEXTURES,
            uses: 0,
            attribution,
            tile_size_px,
            max_zoom,
        }
    }

    /// The same layer keeping at most `max_textures` textures (more while they are all on
    /// screen at once).
    #[must_use]
    pub fn with_max_textures(mut self, max_textures: usize) -> Self {
        self.max_textures = max_textures;
        self
    }

    /// Tiles queued or being fetched (the app waits for 0 before a screenshot).
    #[must_use]
    pub fn pending(&self) -> usize {
        self.loader.pending()
    }

    /// What the layer's loading/failure indicator shows.
    #[must_use]
    pub fn status(&self) -> LayerStatus {
        self.loader.status()
    }

    /// Where the tiles come from.
    #[must_use]
    pub fn source(&self) -> &Arc<dyn TileSource> {
        self.loader.source()
    }

    /// The loader behind the textures (for [`TileLoader::retry_failed_now`] and tile states).
    pub fn loader_mut(&mut self) -> &mut TileLoader {
        &mut self.loader
    }

    /// Turns the tiles finished since the last call into textures, then evicts the least
    /// recently drawn beyond the cap.
    fn absorb_ready(&mut self) {
        let ready = self.loader.take_ready();
        if ready.is_empty() {
            return;
        }
        let pass = self.ctx.cumulative_pass_nr();
        for (key, tile) in ready {
            let size = [tile.width() as usize, tile.height() as usize];
            let image = ColorImage::from_rgba_unmultiplied(size, tile.as_raw());
            let name = format!("{} {key}", self.loader.source().name());
            let texture = self.ctx.load_texture(name, image, TextureOptions::LINEAR);
            self.uses += 1;
            self.textures.insert(
                key,
                CachedTexture {
                    texture,
                    last_pass: pass,
                    last_use: self.uses,
                },
            );
        }
        while self.textures.len() > self.max_textures {
            let Some((&oldest, cached)) = self
                .textures
                .iter()
                .min_by_key(|(_, cached)| cached.last_use)
            else {
                break;
            };
            if cached.last_pass == pass {
                // Everything left is on screen now; dropping it would only load it again.
                break;
            }
            self.textures.remove(&oldest);
            self.loader.forget(oldest);
        }
    }

    /// The texture for `key` as a piece showing `uv` of it, marked as drawn now.
    fn piece(&mut self, key: TileKey, uv: UvRect) -> Option<TilePiece> {
        let cached = self.textures.get_mut(&key)?;
        self.uses += 1;
        cached.last_use = self.uses;
        cached.last_pass = self.ctx.cumulative_pass_nr();
        Some(TilePiece::new(
            Tile::Raster(cached.texture.clone()),
            Rect::from_min_max(pos2(uv.min[0], uv.min[1]), pos2(uv.max[0], uv.max[1])),
        ))
    }
}

impl Tiles for EguiTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.absorb_ready();
        let key = TileKey {
            z: tile_id.zoom,
            x: tile_id.x,
            y: tile_id.y,
        };
        if !key.is_valid() {
            return None;
        }
        // Beyond the source's deepest level, that level is magnified.
        let deepest = key.z.min(self.max_zoom);
        let (wanted, _) = covering_ancestor(key, deepest)?;
        if !self.textures.contains_key(&wanted) {
            self.loader.request(wanted);
        }
        (0..=deepest).rev().find_map(|zoom| {
            let (ancestor, uv) = covering_ancestor(key, zoom)?;
            self.piece(ancestor, uv)
        })
    }

    fn attribution(&self) -> Attribution {
        self.attribution.clone()
    }

    fn tile_size(&self) -> u32 {
        self.tile_size_px
    }

    fn stats(&self) -> Stats {
        Stats {
            in_progress: self.loader.pending(),
        }
    }
}

/// `text` as a `&'static str` (walkers' `Attribution` wants one), leaked once per distinct
/// text however many layers are created.
fn leak_once(text: &str) -> &'static str {
    static LEAKED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut leaked = LEAKED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&existing) = leaked.iter().find(|existing| **existing == text) {
        return existing;
    }
    let new: &'static str = Box::leak(text.to_owned().into_boxed_str());
    leaked.push(new);
    new
}

#[cfg(test)]
// The uv corners compared are exact binary fractions.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::imagery::TileError;
    use crate::imagery::tile_loader::TileState;
    use std::time::{Duration, Instant};

    /// Every tile one colour, made from its address; `max_zoom` 3.
    struct ColourSource;

    impl TileSource for ColourSource {
        fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
            Ok(image::RgbaImage::from_pixel(
                8,
                8,
                image::Rgba([key.x as u8, key.y as u8, key.z, 255]),
            ))
        }

        fn name(&self) -> &'static str {
            "colours"
        }

        fn attribution(&self) -> &'static str {
            "© the colour wheel"
        }

        fn max_zoom(&self) -> u8 {
            3
        }

        fn tile_size(&self) -> u32 {
            8
        }
    }

    fn tiles() -> EguiTiles {
        EguiTiles::with_workers(egui::Context::default(), Arc::new(ColourSource), 1)
    }

    fn id(zoom: u8, x: u32, y: u32) -> TileId {
        TileId { x, y, zoom }
    }

    fn wait_for_loads(tiles: &EguiTiles) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while tiles.pending() > 0 {
            assert!(Instant::now() < deadline, "tiles still loading after 5 s");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn uv(piece: &TilePiece) -> [f32; 4] {
        [
            piece.uv.min.x,
            piece.uv.min.y,
            piece.uv.max.x,
            piece.uv.max.y,
        ]
    }

    #[allow(unreachable_patterns)]
    fn texture_id(piece: &TilePiece) -> egui::TextureId {
        match &piece.tile {
            Tile::Raster(texture) => texture.id(),
            _ => panic!("not a raster tile"),
        }
    }

    /// Loads `tile_id` and returns its texture's id.
    fn load(tiles: &mut EguiTiles, tile_id: TileId) -> egui::TextureId {
        let _ = tiles.at(tile_id);
        wait_for_loads(tiles);
        texture_id(&tiles.at(tile_id).unwrap())
    }

    #[test]
    fn a_tile_with_nothing_loaded_is_blank_until_it_arrives() {
        let mut tiles = tiles();
        assert!(tiles.at(id(2, 1, 1)).is_none());
        wait_for_loads(&tiles);
        assert_eq!(tiles.stats().in_progress, 0);
        let piece = tiles.at(id(2, 1, 1)).unwrap();
        assert_eq!(uv(&piece), [0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn a_loading_tile_borrows_its_parents_quarter() {
        let mut tiles = tiles();
        let parent = load(&mut tiles, id(2, 1, 1));
        let piece = tiles.at(id(3, 3, 2)).unwrap();
        assert_eq!(texture_id(&piece), parent);
        assert_eq!(uv(&piece), [0.5, 0.0, 1.0, 0.5]);
    }

    #[test]
    fn beyond_max_zoom_the_deepest_tile_is_magnified() {
        let mut tiles = tiles();
        let deepest = load(&mut tiles, id(5, 13, 6));
        let piece = tiles.at(id(5, 13, 6)).unwrap();
        assert_eq!(texture_id(&piece), deepest);
        assert_eq!(uv(&piece), [0.25, 0.5, 0.5, 0.75]);
        let requested = TileKey { z: 3, x: 3, y: 1 };
        assert_eq!(tiles.loader_mut().state(requested), TileState::Ready);
    }

    #[test]
    fn an_invalid_tile_is_nothing() {
        let mut tiles = tiles();
        assert!(tiles.at(id(1, 5, 0)).is_none());
        assert_eq!(tiles.pending(), 0);
    }

    /// Runs an empty egui pass, so that what is drawn next counts as a new frame.
    fn next_pass(ctx: &egui::Context) {
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        // No renderer here to take the textures.
        output.textures_delta.clear();
    }

    #[test]
    fn least_recently_drawn_textures_are_evicted_past_the_cap() {
        let ctx = egui::Context::default();
        let mut tiles =
            EguiTiles::with_workers(ctx.clone(), Arc::new(ColourSource), 1).with_max_textures(2);
        let first = id(3, 0, 0);
        load(&mut tiles, first);
        next_pass(&ctx);
        load(&mut tiles, id(3, 1, 0));
        next_pass(&ctx);
        load(&mut tiles, id(3, 2, 0));
        assert_eq!(tiles.textures.len(), 2);
        assert!(!tiles.textures.contains_key(&TileKey { z: 3, x: 0, y: 0 }));
        // The evicted tile is fetched again when it is drawn next.
        assert!(tiles.at(first).is_none());
        assert_ne!(
            tiles.loader_mut().state(TileKey { z: 3, x: 0, y: 0 }),
            TileState::Idle
        );
    }

    #[test]
    fn the_attribution_and_tile_size_come_from_the_source() {
        let tiles = tiles();
        assert_eq!(tiles.attribution().text, "© the colour wheel");
        assert_eq!(tiles.tile_size(), 8);
        assert_eq!(tiles.source().name(), "colours");
        assert!(std::ptr::eq(
            leak_once("© the colour wheel"),
            tiles.attribution().text
        ));
    }
}
