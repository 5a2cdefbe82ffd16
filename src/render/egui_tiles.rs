//! Tile layers in the window over a [`TileLoader`]: turns finished tiles into egui textures and,
//! while a tile loads, draws the matching part of the nearest coarser tile so zooming never shows
//! holes. The basemap goes to walkers as `walkers::Tiles`; imagery layers are painted by the app
//! ([`EguiTiles::paint`]) so they can be clipped, offset and faded per display-list op.
//!
//! Everything that can be decided without egui (queueing, backoff, which ancestor covers which
//! part) lives in [`crate::imagery::tile_loader`]; this file only owns the textures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use egui::{
    Color32, ColorImage, Mesh, Painter, Rect, Shape, TextureHandle, TextureOptions, Vec2, pos2,
};
use walkers::sources::Attribution;
use walkers::{Stats, Tile, TileId, TilePiece, Tiles};

use crate::imagery::tile_cover::{MapView, tiles_covering};
use crate::imagery::tile_loader::{
    LayerStatus, TileLoader, UvRect, covering_ancestor, window_workers,
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
    /// Drawn in this tile's place until its own texture loads (from a loading file's preview,
    /// or the layer's look before a display change).
    stand_in: bool,
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
    /// Tiles from `source`, loaded by [`window_workers`] threads (two for a remote source, every
    /// core but the UI's for a local one) that repaint `ctx` after each tile.
    pub fn new(ctx: egui::Context, source: Arc<dyn TileSource>) -> Self {
        let workers = window_workers(source.as_ref());
        Self::with_workers(ctx, source, workers)
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

    /// Keeps `earlier`'s textures to draw in place of this layer's tiles until they load (a
    /// loading file's preview, or the layer's look before a display change), so the layer is
    /// never blank in between; each is still asked for, and replaced when it arrives.
    pub fn keep_as_stand_ins(&mut self, earlier: EguiTiles) {
        for (key, mut cached) in earlier.textures {
            cached.stand_in = true;
            self.textures.entry(key).or_insert(cached);
        }
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
                    stand_in: false,
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

    /// The texture for `key` and the part of it to show, marked as drawn now.
    fn piece(&mut self, key: TileKey, uv: UvRect) -> Option<(TextureHandle, Rect)> {
        let cached = self.textures.get_mut(&key)?;
        self.uses += 1;
        cached.last_use = self.uses;
        cached.last_pass = self.ctx.cumulative_pass_nr();
        Some((
            cached.texture.clone(),
            Rect::from_min_max(pos2(uv.min[0], uv.min[1]), pos2(uv.max[0], uv.max[1])),
        ))
    }

    /// What stands for tile `key` now: its own texture, or the matching part of the nearest
    /// coarser one while it loads (beyond the source's deepest level, that level magnified).
    /// Asks for the tile when it is missing.
    fn texture_for(&mut self, key: TileKey) -> Option<(TextureHandle, Rect)> {
        self.absorb_ready();
        if !key.is_valid() {
            return None;
        }
        let deepest = key.z.min(self.max_zoom);
        let (wanted, _) = covering_ancestor(key, deepest)?;
        if self.textures.get(&wanted).is_none_or(|c| c.stand_in) {
            self.loader.request(wanted);
        }
        (0..=deepest).rev().find_map(|zoom| {
            let (ancestor, uv) = covering_ancestor(key, zoom)?;
            self.piece(ancestor, uv)
        })
    }

    /// Draws the layer's tiles over the part of `view` that `painter` clips to, shifted by
    /// `offset` screen pixels and multiplied by `tint`: the window's imagery op.
    pub fn paint(&mut self, painter: &Painter, view: &MapView, offset: Vec2, tint: Color32) {
        let clip = painter.clip_rect().translate(-offset);
        let area = [
            f64::from(clip.min.x),
            f64::from(clip.min.y),
            f64::from(clip.max.x),
            f64::from(clip.max.y),
        ];
        for tile in tiles_covering(view, self.tile_size_px, area) {
            let Some((texture, uv)) = self.texture_for(tile.key) else {
                continue;
            };
            let [x0, y0, x1, y1] = tile.rect_px.map(|v| v as f32);
            let rect = Rect::from_min_max(pos2(x0, y0), pos2(x1, y1)).translate(offset);
            // egui merges neighbouring meshes of one texture when it tessellates.
            let mut mesh = Mesh::with_texture(texture.id());
            mesh.add_rect_with_uv(rect, uv, tint);
            painter.add(Shape::mesh(mesh));
        }
    }
}

impl Tiles for EguiTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        let key = TileKey {
            z: tile_id.zoom,
            x: tile_id.x,
            y: tile_id.y,
        };
        let (texture, uv) = self.texture_for(key)?;
        Some(TilePiece::new(Tile::Raster(texture), uv))
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

    /// [`ColourSource`] announcing 256 px tiles, as map services do.
    struct ServiceSizedSource;

    impl TileSource for ServiceSizedSource {
        fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
            ColourSource.fetch(key)
        }

        fn name(&self) -> &'static str {
            "colours"
        }

        fn attribution(&self) -> &'static str {
            ""
        }

        fn max_zoom(&self) -> u8 {
            3
        }

        fn tile_size(&self) -> u32 {
            256
        }
    }

    fn service_tiles() -> EguiTiles {
        EguiTiles::with_workers(egui::Context::default(), Arc::new(ServiceSizedSource), 1)
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

    #[test]
    fn a_stand_in_is_drawn_until_the_tile_itself_arrives() {
        // One context, as in the window, so texture ids tell the two apart.
        let ctx = egui::Context::default();
        let mut earlier = EguiTiles::with_workers(ctx.clone(), Arc::new(ColourSource), 1);
        let stand_in = load(&mut earlier, id(2, 1, 1));
        let mut tiles = EguiTiles::with_workers(ctx, Arc::new(ColourSource), 1);
        tiles.keep_as_stand_ins(earlier);
        let piece = tiles.at(id(2, 1, 1)).unwrap();
        assert_eq!(
            texture_id(&piece),
            stand_in,
            "the earlier texture stands in"
        );
        assert_ne!(
            tiles.loader_mut().state(TileKey { z: 2, x: 1, y: 1 }),
            TileState::Idle,
            "the tile itself is still asked for"
        );
        wait_for_loads(&tiles);
        let own = texture_id(&tiles.at(id(2, 1, 1)).unwrap());
        assert_ne!(own, stand_in, "its own texture replaces the stand-in");
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

    /// The textured meshes `paint` adds for `view` inside `clip`, shifted by `offset`:
    /// (texture, screen rect, uv rect, tint).
    fn painted(
        tiles: &mut EguiTiles,
        view: &MapView,
        clip: Rect,
        offset: Vec2,
    ) -> Vec<(egui::TextureId, Rect, Rect, Color32)> {
        let ctx = tiles.ctx.clone();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let painter = ui.painter().with_clip_rect(clip);
            tiles.paint(&painter, view, offset, Color32::from_white_alpha(128));
        });
        output.textures_delta.clear();
        output
            .shapes
            .into_iter()
            .filter_map(|clipped| match clipped.shape {
                Shape::Mesh(mesh) if mesh.texture_id != egui::TextureId::default() => {
                    let (a, b) = (mesh.vertices[0], mesh.vertices[3]);
                    Some((
                        mesh.texture_id,
                        Rect::from_two_pos(a.pos, b.pos),
                        Rect::from_two_pos(a.uv, b.uv),
                        a.color,
                    ))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn painting_a_view_draws_the_tiles_it_covers_where_they_lie_and_shifted_by_the_offset() {
        let mut tiles = service_tiles();
        // Zoom 1 with null island at (256, 256): the four tiles fill 0..512 on both axes.
        let view = MapView {
            center: geo::Coord { x: 0.0, y: 0.0 },
            center_px: [256.0, 256.0],
            zoom: 1.0,
        };
        let clip = Rect::from_min_max(pos2(0.0, 0.0), pos2(200.0, 200.0));
        // Nothing loaded: nothing drawn, the tile is asked for.
        assert!(painted(&mut tiles, &view, clip, Vec2::ZERO).is_empty());
        wait_for_loads(&tiles);
        let drawn = painted(&mut tiles, &view, clip, Vec2::ZERO);
        assert_eq!(drawn.len(), 1, "only the north-west tile is in the clip");
        let (texture, rect, uv, tint) = drawn[0];
        assert_eq!(texture, load(&mut tiles, id(1, 0, 0)));
        assert_eq!(rect, Rect::from_min_max(pos2(0.0, 0.0), pos2(256.0, 256.0)));
        assert_eq!(uv, Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)));
        assert_eq!(tint, Color32::from_white_alpha(128));
        // Shifted 100 px right, the clip shows the world left of the tile's old place: nothing
        // lies west of the world's edge, so only the shifted north-west tile shows.
        let shifted = painted(&mut tiles, &view, clip, egui::vec2(100.0, 0.0));
        assert_eq!(shifted.len(), 1);
        assert_eq!(
            shifted[0].1,
            Rect::from_min_max(pos2(100.0, 0.0), pos2(356.0, 256.0))
        );
    }

    #[test]
    fn painting_deeper_than_the_source_magnifies_its_deepest_tile() {
        let mut tiles = service_tiles();
        // Zoom 5 (the source stops at 3), centred in zoom-5 tile 13/9, inside zoom-3 tile 3/2.
        let view = MapView {
            center: crate::spatial::mercator::lonlat_from_world_px(
                geo::Coord {
                    x: 3.3 * 256.0,
                    y: 2.3 * 256.0,
                },
                3.0,
            ),
            center_px: [100.0, 100.0],
            zoom: 5.0,
        };
        let clip = Rect::from_min_max(pos2(99.0, 99.0), pos2(101.0, 101.0));
        let _ = painted(&mut tiles, &view, clip, Vec2::ZERO);
        wait_for_loads(&tiles);
        let drawn = painted(&mut tiles, &view, clip, Vec2::ZERO);
        assert_eq!(drawn.len(), 1);
        assert_eq!(drawn[0].0, load(&mut tiles, id(3, 3, 2)));
        // Tile 13/9 is the second quarter across and down of its zoom-3 ancestor.
        assert_eq!(
            drawn[0].2,
            Rect::from_min_max(pos2(0.25, 0.25), pos2(0.5, 0.5))
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
