//! The loupe: a square beside the pointer showing the ground under it magnified, the topmost
//! shown raster drawn from its full-resolution pixels without smoothing (so pixels show as
//! blocks), the basemap and tile layers under it, a crosshair on the pointer's point and the
//! pixel's values beside it. A window aid only: exports never draw it.

use egui::{
    Align2, Color32, ColorImage, Context, FontId, Key, Modifiers, Painter, Pos2, Rect, Stroke,
    TextureHandle, TextureOptions, Ui, pos2, vec2,
};
use geo::Coord;

use crate::command::{Command, ViewCommand};
use crate::imagery::raster::RasterTileSource;
use crate::imagery::tile_cover::MapView;
use crate::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};

/// The loupe's edge, points.
pub const LOUPE_PX: f32 = 160.0;
/// Magnifications offered.
pub const MAGNIFICATIONS: std::ops::RangeInclusive<u8> = 2..=8;
/// The magnification it starts with.
pub const DEFAULT_MAGNIFICATION: u8 = 4;
/// Samples along the patch's edge: one per two loupe points, each a full-resolution pixel.
const SAMPLES: usize = 80;
/// Between the pointer and the loupe, points.
const GAP_PX: f32 = 24.0;
/// The crosshair's arms, points (it leaves the centre pixel open).
const ARM_PX: (f32, f32) = (6.0, 22.0);

/// Whether the loupe is on, its magnification, and what it drew last.
pub struct Loupe {
    on: bool,
    magnification: u8,
    texture: Option<TextureHandle>,
    patch: Option<ColorImage>,
    drawn: Option<Rect>,
}

impl Default for Loupe {
    fn default() -> Self {
        Self {
            on: false,
            magnification: DEFAULT_MAGNIFICATION,
            texture: None,
            patch: None,
            drawn: None,
        }
    }
}

/// Where the loupe looks: the ground under the pointer at the map's zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoupeView {
    /// Lon/lat under the pointer.
    pub lonlat: Coord<f64>,
    /// The map's zoom.
    pub zoom: f64,
    /// Loupe points per map point.
    pub magnification: u8,
}

impl LoupeView {
    /// The lon/lat shown at a point of the loupe, given from its centre in loupe points.
    #[must_use]
    pub fn lonlat_at(&self, from_centre: egui::Vec2) -> Coord<f64> {
        let at = world_px_from_lonlat(self.lonlat, self.zoom);
        let k = f64::from(self.magnification.max(1));
        lonlat_from_world_px(
            Coord {
                x: at.x + f64::from(from_centre.x) / k,
                y: at.y + f64::from(from_centre.y) / k,
            },
            self.zoom,
        )
    }

    /// The view the tile layers are painted with inside the loupe centred at `centre`.
    #[must_use]
    pub fn tile_view(&self, centre: Pos2) -> MapView {
        MapView {
            center: self.lonlat,
            center_px: [f64::from(centre.x), f64::from(centre.y)],
            zoom: self.zoom + f64::from(self.magnification.max(1)).log2(),
        }
    }
}

/// Where the loupe is drawn this frame.
#[derive(Clone, Copy, Debug)]
pub struct LoupeAt<'a> {
    /// The map's rect on screen.
    pub map: Rect,
    /// The pointer, over the map.
    pub pointer: Pos2,
    /// The ground under the pointer and the magnification.
    pub view: LoupeView,
    /// The values of the pixel under the pointer, shown beside the loupe.
    pub readout: Option<&'a str>,
}

/// The loupe's picture of the rasters (topmost first): `SAMPLES`² full-resolution pixels,
/// each sample the colour of the first raster with a pixel there, transparent where none has.
#[must_use]
pub fn patch(view: &LoupeView, rasters: &[&RasterTileSource]) -> ColorImage {
    let mut image = ColorImage::filled([SAMPLES, SAMPLES], Color32::TRANSPARENT);
    let step = LOUPE_PX / SAMPLES as f32;
    for (i, px) in image.pixels.iter_mut().enumerate() {
        let (col, row) = ((i % SAMPLES) as f32, (i / SAMPLES) as f32);
        let from_centre = vec2(
            (col + 0.5) * step - LOUPE_PX / 2.0,
            (row + 0.5) * step - LOUPE_PX / 2.0,
        );
        let lonlat = view.lonlat_at(from_centre);
        if let Some([r, g, b, a]) = rasters
            .iter()
            .find_map(|s| s.shown_rgba_at(lonlat).filter(|c| c[3] > 0))
        {
            *px = Color32::from_rgba_unmultiplied(r, g, b, a);
        }
    }
    image
}

/// The loupe's keys, when no text field has the keyboard: Shift+L turns it on and off (L
/// alone is the line tool); while it is on, + and − (or Alt with the mouse wheel, which then
/// does not zoom the map) change the magnification.
pub fn loupe_input(ctx: &Context, loupe: &Loupe, free: bool) -> Vec<Command> {
    let mut out = Vec::new();
    if !free {
        return out;
    }
    let mut step = 0i32;
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::SHIFT, Key::L) {
            out.push(Command::View(ViewCommand::ToggleLoupe));
        }
        if !loupe.on {
            return;
        }
        for key in [Key::Plus, Key::Equals] {
            if i.consume_key(Modifiers::NONE, key) {
                step += 1;
            }
        }
        if i.consume_key(Modifiers::NONE, Key::Minus) {
            step -= 1;
        }
        if i.modifiers.alt {
            for e in &i.events {
                if let egui::Event::MouseWheel { delta, .. } = e
                    && delta.y != 0.0
                {
                    step += if delta.y > 0.0 { 1 } else { -1 };
                }
            }
            // The wheel is the loupe's while Alt is held: the map keeps its zoom.
            i.smooth_scroll_delta = egui::Vec2::ZERO;
        }
    });
    if step != 0 {
        let wanted = i32::from(loupe.magnification) + step;
        let m = wanted.clamp(
            i32::from(*MAGNIFICATIONS.start()),
            i32::from(*MAGNIFICATIONS.end()),
        );
        if let Ok(m) = u8::try_from(m)
            && m != loupe.magnification
        {
            out.push(Command::View(ViewCommand::SetLoupeMagnification(m)));
        }
    }
    out
}

/// Where the loupe goes for a pointer: up and right of it, flipped to stay on the map.
fn placed(map: Rect, pointer: Pos2) -> Rect {
    let size = vec2(LOUPE_PX, LOUPE_PX);
    let mut min = pointer + vec2(GAP_PX, -GAP_PX - LOUPE_PX);
    if min.x + LOUPE_PX > map.right() {
        min.x = pointer.x - GAP_PX - LOUPE_PX;
    }
    if min.y < map.top() {
        min.y = pointer.y + GAP_PX;
    }
    Rect::from_min_size(min, size)
}

impl Loupe {
    /// Whether it is on.
    #[must_use]
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Turns it on or off.
    pub fn toggle(&mut self) {
        self.on = !self.on;
        if !self.on {
            self.hide();
        }
    }

    /// Loupe points per map point.
    #[must_use]
    pub fn magnification(&self) -> u8 {
        self.magnification
    }

    /// Sets the magnification (kept within [`MAGNIFICATIONS`]).
    pub fn set_magnification(&mut self, magnification: u8) {
        self.magnification = magnification.clamp(*MAGNIFICATIONS.start(), *MAGNIFICATIONS.end());
    }

    /// Where it was drawn on the last frame (`None` when it was not).
    #[must_use]
    pub fn drawn(&self) -> Option<Rect> {
        self.drawn
    }

    /// The rasters' picture it drew on the last frame.
    #[must_use]
    pub fn last_patch(&self) -> Option<&ColorImage> {
        self.patch.as_ref()
    }

    /// Draws nothing this frame (the pointer left the map, or it is off).
    pub fn hide(&mut self) {
        self.drawn = None;
        self.patch = None;
    }

    /// Draws the loupe beside the pointer on the map: `under` paints the basemap and tile
    /// layers for a view and a painter clipped to the loupe, then the rasters' pixels go on
    /// top, then the crosshair and the readout.
    pub fn paint(
        &mut self,
        ui: &Ui,
        at: &LoupeAt<'_>,
        rasters: &[&RasterTileSource],
        under: &mut dyn FnMut(&Painter, &MapView),
    ) {
        let LoupeAt {
            map,
            pointer,
            view,
            readout,
        } = *at;
        let rect = placed(map, pointer);
        let inside = ui.painter().with_clip_rect(rect);
        inside.rect_filled(rect, 0.0, Color32::from_gray(24));
        under(&inside, &view.tile_view(rect.center()));
        let image = patch(&view, rasters);
        if let Some(t) = &mut self.texture {
            t.set(image.clone(), TextureOptions::NEAREST);
        } else {
            self.texture = Some(ui.ctx().load_texture(
                "sitewatch-loupe",
                image.clone(),
                TextureOptions::NEAREST,
            ));
        }
        if let Some(texture) = &self.texture {
            let uv = Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0));
            inside.image(texture.id(), rect, uv, Color32::WHITE);
        }
        self.patch = Some(image);
        crosshair(&inside, rect.center());
        let outline = ui.painter().with_clip_rect(map);
        outline.rect_stroke(
            rect,
            0.0,
            Stroke::new(2.0, Color32::from_gray(230)),
            egui::StrokeKind::Outside,
        );
        let caption = match readout {
            Some(text) => format!("×{} · {text}", self.magnification),
            None => format!("×{}", self.magnification),
        };
        let galley = outline.layout_no_wrap(caption, FontId::monospace(11.0), Color32::WHITE);
        let box_size = galley.size() + vec2(8.0, 6.0);
        let below = rect.bottom() + 4.0 + box_size.y <= map.bottom();
        // Under the loupe (over it near the map's foot), kept on the map.
        let anchor = pos2(
            rect.left().min(map.right() - box_size.x).max(map.left()),
            if below {
                rect.bottom() + 4.0
            } else {
                rect.top() - 4.0 - box_size.y
            },
        );
        let text_box = Align2::LEFT_TOP.anchor_size(anchor, box_size);
        outline.rect_filled(text_box, 2.0, Color32::from_black_alpha(200));
        outline.galley(text_box.min + vec2(4.0, 3.0), galley, Color32::WHITE);
        self.drawn = Some(rect);
    }
}

/// Four arms around the pointer's point, dark under light so they show on any imagery.
fn crosshair(painter: &Painter, centre: Pos2) {
    let (inner, outer) = ARM_PX;
    for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
        let d = vec2(dx, dy);
        let seg = [centre + d * inner, centre + d * outer];
        painter.line_segment(seg, Stroke::new(3.0, Color32::from_black_alpha(180)));
        painter.line_segment(seg, Stroke::new(1.0, Color32::WHITE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loupe_sits_up_and_right_of_the_pointer_and_flips_at_the_edges() {
        let map = Rect::from_min_size(Pos2::ZERO, vec2(1000.0, 800.0));
        let r = placed(map, pos2(500.0, 400.0));
        assert!(r.left() > 500.0 && r.bottom() < 400.0, "{r:?}");
        let r = placed(map, pos2(990.0, 10.0));
        assert!(r.right() < 990.0 && r.top() > 10.0, "{r:?}");
    }

    #[test]
    fn the_loupe_centre_is_the_pointer_and_its_edge_is_the_magnified_distance() {
        let view = LoupeView {
            lonlat: Coord {
                x: 130.64,
                y: 42.41,
            },
            zoom: 15.0,
            magnification: 4,
        };
        let c = view.lonlat_at(egui::Vec2::ZERO);
        assert!((c.x - 130.64).abs() < 1e-12 && (c.y - 42.41).abs() < 1e-12);
        // 80 loupe points right is 20 map points right.
        let right = view.lonlat_at(vec2(80.0, 0.0));
        let at = world_px_from_lonlat(view.lonlat, 15.0);
        let moved = world_px_from_lonlat(right, 15.0);
        assert!((moved.x - at.x - 20.0).abs() < 1e-6);
        assert!((view.tile_view(Pos2::ZERO).zoom - 17.0).abs() < 1e-12);
    }
}
