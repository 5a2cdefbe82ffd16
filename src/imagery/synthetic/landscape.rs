//! The land and river under the structures: banks, water or ice, sand, riparian trees, DPRK
//! fields, Russian meadow and marsh, the rail line, roads and houses.
//!
//! The banks pass where the default project's annotations need them (the works "into the river"
//! start at the banks, the graded Russian shore lies just inland, the tripoint marker sits on
//! the left bank), and the river runs SSE as the data file says. Everything else here (fields,
//! roads, houses) is illustrative, not surveyed.

use chrono::{Datelike as _, NaiveDate};
use geo::Coord;

use super::grid::{Canvas, Rgb, UtmGrid, mix};
use super::noise::{fbm, hash, unit, value};

/// Bank positions, north to south: latitude, west (DPRK) bank longitude, east bank longitude.
const BANKS: [(f64, f64, f64); 11] = [
    (42.4400, 130.6235, 130.6290),
    (42.4340, 130.6262, 130.6318),
    (42.4280, 130.6300, 130.6358),
    (42.4198, 130.6345, 130.6391),
    (42.4152, 130.6378, 130.6440),
    (42.4130, 130.6392, 130.6461),
    (42.4115, 130.6399, 130.6469),
    (42.4100, 130.6407, 130.6477),
    (42.4070, 130.6420, 130.6492),
    (42.4030, 130.6437, 130.6510),
    (42.3990, 130.6455, 130.6530),
];

/// Sand bars that show at low water: centre lon/lat, half-length and half-width in metres, and
/// the direction of their long axis (radians from east).
const SAND_BARS: [(f64, f64, f64, f64, f64); 2] = [
    (130.6318, 42.4262, 160.0, 26.0, 2.2),
    (130.6483, 42.4060, 130.0, 20.0, 1.95),
];

/// The rail line beside the bridge, DPRK side then Russian side (lon, lat): the approaches of
/// the Friendship Bridge towards Tumangang and Khasan stations.
const RAIL_DPRK: [(f64, f64); 4] = [
    (130.6374, 42.41517),
    (130.6335, 42.4163),
    (130.6270, 42.4182),
    (130.6150, 42.4210),
];
const RAIL_RUSSIA: [(f64, f64); 5] = [
    (130.6447, 42.41517),
    (130.6457, 42.4175),
    (130.6455, 42.4240),
    (130.6449, 42.4301),
    (130.6446, 42.4400),
];

/// Existing roads (illustrative): a DPRK road along the river, the Russian road through Khasan.
const ROADS: [&[(f64, f64)]; 2] = [
    &[
        (130.6190, 42.4300),
        (130.6240, 42.4225),
        (130.6262, 42.4180),
        (130.6280, 42.4130),
        (130.6296, 42.4080),
        (130.6335, 42.4000),
    ],
    &[
        (130.6400, 42.4360),
        (130.6465, 42.4305),
        (130.6527, 42.4282),
        (130.6620, 42.4255),
    ],
];

/// Villages (illustrative): lon/lat box of houses.
const VILLAGES: [(f64, f64, f64, f64); 2] = [
    (130.6462, 42.4288, 130.6545, 42.4340),
    (130.6225, 42.4195, 130.6262, 42.4228),
];

/// What the season does to the colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Season {
    /// December to February: snow on the land, the river frozen.
    Winter,
    /// March and April: snow patches, ice floes, brown fields.
    Thaw,
    /// May and June: young crops, much bare soil.
    EarlySummer,
    /// July and August: full green.
    Summer,
    /// September to November: harvest, yellow and brown.
    Autumn,
}

impl Season {
    /// The season of a day.
    #[must_use]
    pub fn of(date: NaiveDate) -> Self {
        match date.month() {
            12 | 1 | 2 => Season::Winter,
            3 | 4 => Season::Thaw,
            5 | 6 => Season::EarlySummer,
            7 | 8 => Season::Summer,
            _ => Season::Autumn,
        }
    }
}

/// The colours of one season.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    fields: [Rgb; 5],
    meadow: [Rgb; 2],
    trees: Rgb,
    water_edge: Rgb,
    water_deep: Rgb,
    sand: Rgb,
    /// How much of the land is under snow, 0..1.
    snow: f32,
    /// River ice: 1 frozen over, 0 open.
    ice: f32,
    /// Rails, roads, concrete and earthworks.
    pub road: Rgb,
    /// New concrete.
    pub concrete: Rgb,
    /// Freshly graded earth.
    pub graded: Rgb,
    /// Weathered steel and old concrete.
    pub steel: Rgb,
}

const SNOW: Rgb = [228, 231, 235];
const ICE: Rgb = [206, 216, 222];

impl Palette {
    /// The colours of `season`.
    #[must_use]
    pub fn of(season: Season) -> Self {
        let summer = Palette {
            fields: [
                [88, 122, 62],
                [112, 140, 72],
                [132, 150, 84],
                [150, 152, 96],
                [104, 118, 70],
            ],
            meadow: [[92, 114, 70], [120, 130, 84]],
            trees: [46, 74, 46],
            water_edge: [110, 112, 94],
            water_deep: [70, 84, 82],
            sand: [192, 182, 156],
            snow: 0.0,
            ice: 0.0,
            road: [168, 160, 142],
            concrete: [206, 204, 198],
            graded: [170, 150, 118],
            steel: [92, 94, 98],
        };
        match season {
            Season::Summer => summer,
            Season::EarlySummer => Palette {
                fields: [
                    [128, 116, 92],
                    [112, 130, 78],
                    [140, 126, 98],
                    [98, 124, 70],
                    [150, 136, 108],
                ],
                meadow: [[96, 120, 72], [126, 136, 88]],
                ..summer
            },
            Season::Autumn => Palette {
                fields: [
                    [170, 150, 98],
                    [150, 126, 84],
                    [126, 112, 82],
                    [182, 164, 112],
                    [140, 132, 96],
                ],
                meadow: [[150, 134, 92], [128, 118, 84]],
                trees: [104, 88, 52],
                water_edge: [98, 104, 92],
                water_deep: [60, 74, 78],
                ..summer
            },
            Season::Winter => Palette {
                fields: [[200, 200, 198]; 5],
                meadow: [[206, 206, 204], [188, 188, 184]],
                trees: [70, 68, 62],
                snow: 0.9,
                ice: 1.0,
                road: [140, 138, 134],
                graded: [118, 108, 98],
                ..summer
            },
            Season::Thaw => Palette {
                fields: [
                    [136, 122, 98],
                    [120, 108, 88],
                    [148, 134, 108],
                    [128, 118, 96],
                    [110, 100, 84],
                ],
                meadow: [[142, 130, 100], [120, 112, 92]],
                trees: [84, 78, 64],
                snow: 0.25,
                ice: 0.3,
                road: [150, 144, 132],
                ..summer
            },
        }
    }
}

/// A bank line in UTM metres, north to south.
struct Bank(Vec<Coord<f64>>);

impl Bank {
    /// Easting of the bank at `northing_m` (linear between points, held beyond the ends).
    fn easting_at(&self, northing_m: f64) -> f64 {
        let points = &self.0;
        let Some(first) = points.first() else {
            return 0.0;
        };
        if northing_m >= first.y {
            return first.x;
        }
        for pair in points.windows(2) {
            let [a, b] = pair else { continue };
            if northing_m >= b.y {
                let t = (a.y - northing_m) / (a.y - b.y);
                return a.x + (b.x - a.x) * t;
            }
        }
        points.last().map_or(0.0, |p| p.x)
    }
}

/// The river and the static features, in the grid's metres.
pub struct Landscape {
    west: Bank,
    east: Bank,
    seed: u64,
}

fn xy_of(grid: &UtmGrid, lon: f64, lat: f64) -> Option<Coord<f64>> {
    grid.xy(Coord { x: lon, y: lat })
}

fn line_xy(grid: &UtmGrid, points: &[(f64, f64)]) -> Vec<Coord<f64>> {
    points
        .iter()
        .filter_map(|&(lon, lat)| xy_of(grid, lon, lat))
        .collect()
}

impl Landscape {
    /// The landscape on `grid`; `seed` varies the texture, never the layout.
    #[must_use]
    pub fn new(grid: &UtmGrid, seed: u64) -> Self {
        let bank = |pick: fn(&(f64, f64, f64)) -> f64| {
            Bank(
                BANKS
                    .iter()
                    .filter_map(|b| xy_of(grid, pick(b), b.0))
                    .collect(),
            )
        };
        Self {
            west: bank(|b| b.1),
            east: bank(|b| b.2),
            seed,
        }
    }

    /// Bank eastings at a northing, with a few metres of natural wiggle.
    fn banks_at(&self, northing_m: f64) -> (f64, f64) {
        let wiggle = |salt: u64| {
            (f64::from(fbm(self.seed ^ salt, 0.0, northing_m as f32, 90.0, 3)) - 0.5) * 10.0
        };
        (
            self.west.easting_at(northing_m) + wiggle(11),
            self.east.easting_at(northing_m) + wiggle(12),
        )
    }

    /// True when the point is in the river (between the banks).
    #[must_use]
    pub fn is_water(&self, xy: Coord<f64>) -> bool {
        let (west, east) = self.banks_at(xy.y);
        west < xy.x && xy.x < east
    }

    /// Paints the ground, pixel by pixel.
    pub fn paint_ground(&self, canvas: &mut Canvas, palette: &Palette) {
        let grid = canvas.grid;
        let bars: Vec<(Coord<f64>, f64, f64, f64)> = SAND_BARS
            .iter()
            .filter_map(|&(lon, lat, half_len, half_width, angle)| {
                Some((xy_of(&grid, lon, lat)?, half_len, half_width, angle))
            })
            .collect();
        let width = grid.width as usize;
        let data = canvas.pixmap.data_mut();
        for row in 0..grid.height {
            let northing = grid.xy_of_pixel(0, row).y;
            let (west, east) = self.banks_at(northing);
            for col in 0..grid.width {
                let xy = grid.xy_of_pixel(col, row);
                let color = if west < xy.x && xy.x < east {
                    self.water(xy, west, east, &bars, palette)
                } else {
                    let (distance_m, dprk) = if xy.x <= west {
                        (west - xy.x, true)
                    } else {
                        (xy.x - east, false)
                    };
                    self.land(xy, distance_m, dprk, palette)
                };
                let index = (row as usize * width + col as usize) * 4;
                if let Some(pixel) = data.get_mut(index..index + 4) {
                    pixel.copy_from_slice(&[color[0], color[1], color[2], 255]);
                }
            }
        }
    }

    fn water(
        &self,
        xy: Coord<f64>,
        west: f64,
        east: f64,
        bars: &[(Coord<f64>, f64, f64, f64)],
        palette: &Palette,
    ) -> Rgb {
        let (x, y) = (xy.x as f32, xy.y as f32);
        let half = ((east - west) / 2.0).max(1.0);
        let from_bank = ((xy.x - west).min(east - xy.x) / half) as f32;
        let mut color = mix(palette.water_edge, palette.water_deep, from_bank * 1.6);
        color = mix(
            color,
            palette.water_edge,
            fbm(self.seed ^ 0x15, x, y, 120.0, 3) * 0.35,
        );
        let on_bar = bars.iter().any(|&(c, half_len, half_width, angle)| {
            let (dx, dy) = (xy.x - c.x, xy.y - c.y);
            let (s, t) = (
                dx * angle.cos() + dy * angle.sin(),
                -dx * angle.sin() + dy * angle.cos(),
            );
            (s / half_len).powi(2) + (t / half_width).powi(2) < 1.0
        });
        if on_bar {
            color = mix(
                palette.sand,
                palette.water_edge,
                fbm(self.seed ^ 0x16, x, y, 25.0, 2) * 0.4,
            );
        }
        if palette.ice > 0.0 {
            let floes = fbm(self.seed ^ 0x17, x, y, 45.0, 4);
            let frozen = if palette.ice >= 1.0 {
                1.0
            } else {
                // Shore ice plus floes drifting in the open middle.
                let shore = (1.0 - from_bank * 2.5).clamp(0.0, 1.0);
                shore.max(((floes - (1.0 - palette.ice)) * 6.0).clamp(0.0, 1.0))
            };
            let ice = mix(
                ICE,
                [176, 190, 200],
                value(self.seed ^ 0x18, x / 30.0, y / 8.0) * 0.5,
            );
            color = mix(color, ice, frozen);
        }
        color
    }

    fn land(&self, xy: Coord<f64>, distance_m: f64, dprk: bool, palette: &Palette) -> Rgb {
        let (x, y) = (xy.x as f32, xy.y as f32);
        let seed = self.seed;
        let edge = fbm(seed ^ 0x1F, x, y, 60.0, 3);
        // How much of the pixel is trees or shrubs: they keep less snow and stay dark.
        let mut trees = 0.0;
        let mut color = if distance_m < 5.0 + f64::from(edge) * 8.0 {
            palette.sand
        } else if distance_m < 25.0 + f64::from(edge) * 60.0 {
            let clumps = value(seed ^ 0x20, x / 9.0, y / 9.0);
            trees = (0.4 + clumps * 0.8).min(1.0);
            mix(palette.meadow[0], palette.trees, trees)
        } else if dprk {
            self.field(x, y, palette)
        } else {
            let wet = fbm(seed ^ 0x21, x, y, 220.0, 4);
            let meadow = mix(palette.meadow[0], palette.meadow[1], wet * 1.4 - 0.2);
            let shrubs = fbm(seed ^ 0x22, x, y, 45.0, 3);
            trees = ((shrubs - 0.6) * 4.0).clamp(0.0, 0.8);
            mix(meadow, palette.trees, trees)
        };
        if palette.snow > 0.0 {
            let cover = fbm(seed ^ 0x23, x, y, 70.0, 3);
            let snowy =
                ((cover - (1.0 - palette.snow)) * 3.0).clamp(0.0, 0.9) * (1.0 - trees * 0.7);
            color = mix(color, SNOW, snowy);
        }
        color
    }

    /// DPRK farmland: strips of fields in a grid turned off north, with darker margins.
    fn field(&self, x: f32, y: f32, palette: &Palette) -> Rgb {
        let (sin, cos) = 0.28f32.sin_cos();
        let u = x * cos + y * sin;
        let v = -x * sin + y * cos;
        let column_m = 130.0;
        let column = (u / column_m).floor();
        let offset = unit(self.seed ^ 0x29, column as i64, 0) * 60.0;
        let row_m = 45.0 + unit(self.seed ^ 0x2A, column as i64, 1) * 55.0;
        let row = ((v + offset) / row_m).floor();
        let pick = hash(self.seed ^ 0x2B, column as i64, row as i64);
        let base = palette.fields[(pick % 5) as usize];
        let within = fbm(self.seed ^ 0x2C, x, y, 35.0, 2);
        let mut color = mix(base, [0, 0, 0], (within - 0.5) * 0.25);
        let du = (u - column * column_m).min((column + 1.0) * column_m - u);
        let dv = ((v + offset) - row * row_m).min((row + 1.0) * row_m - (v + offset));
        if du.min(dv) < 2.0 {
            color = mix(color, palette.trees, 0.45);
        }
        color
    }

    /// Draws the rail line, roads and villages.
    pub fn paint_features(&self, canvas: &mut Canvas, palette: &Palette) {
        let grid = canvas.grid;
        for road in ROADS {
            let points = line_xy(&grid, road);
            canvas.line(&points, 9.0, palette.road, 1.0);
        }
        for rail in [&RAIL_DPRK[..], &RAIL_RUSSIA[..]] {
            let points = line_xy(&grid, rail);
            canvas.line(&points, 7.0, [128, 120, 108], 1.0);
            canvas.line(&points, 2.0, [70, 66, 62], 1.0);
        }
        for (index, &(west, south, east, north)) in VILLAGES.iter().enumerate() {
            self.village(canvas, index as i64, (west, south, east, north), palette);
        }
    }

    /// Houses along a few parallel streets, each with its garden plot.
    fn village(
        &self,
        canvas: &mut Canvas,
        salt: i64,
        (west, south, east, north): (f64, f64, f64, f64),
        palette: &Palette,
    ) {
        let grid = canvas.grid;
        let (Some(sw), Some(ne)) = (xy_of(&grid, west, south), xy_of(&grid, east, north)) else {
            return;
        };
        let seed = self.seed ^ 0x33;
        let angle = 0.35 * (f64::from(unit(seed, salt, 0)) - 0.5);
        let along = Coord {
            x: angle.cos(),
            y: angle.sin(),
        };
        let across = Coord {
            x: -along.y,
            y: along.x,
        };
        let centre = Coord {
            x: f64::midpoint(sw.x, ne.x),
            y: f64::midpoint(sw.y, ne.y),
        };
        let (half_w, half_h) = ((ne.x - sw.x) / 2.0, (ne.y - sw.y) / 2.0);
        let at = |s: f64, t: f64| Coord {
            x: centre.x + along.x * s + across.x * t,
            y: centre.y + along.y * s + across.y * t,
        };
        let roofs: [Rgb; 4] = [
            [150, 150, 146],
            [138, 92, 74],
            [112, 122, 136],
            [186, 184, 176],
        ];
        let plot = mix(palette.fields[1], [120, 104, 84], 0.4);
        let street_gap_m = 70.0;
        let streets = (half_h * 2.0 / street_gap_m).floor() as i64;
        for street in 0..=streets {
            let t = -half_h + street as f64 * street_gap_m;
            canvas.line(&[at(-half_w, t), at(half_w, t)], 5.0, palette.road, 1.0);
            let mut s = -half_w + f64::from(unit(seed, salt * 100 + street, 1)) * 10.0;
            let mut k = 0;
            while s < half_w - 10.0 {
                k += 1;
                for side in [-1.0, 1.0] {
                    let h = hash(seed, salt * 10_000 + street * 100 + k, side as i64);
                    if h.is_multiple_of(5) {
                        continue;
                    }
                    canvas.rect(at(s, t + side * 22.0), along, 20.0, 26.0, plot, 0.8);
                    let house = at(s, t + side * 11.0);
                    let shadow = Coord {
                        x: house.x - 2.5,
                        y: house.y + 4.0,
                    };
                    canvas.rect(shadow, along, 13.0, 9.0, [40, 42, 40], 0.45);
                    let roof = mix(
                        roofs[(h >> 8) as usize % roofs.len()],
                        SNOW,
                        palette.snow * 0.7,
                    );
                    canvas.rect(house, along, 13.0, 9.0, roof, 1.0);
                }
                s += 24.0 + f64::from(unit(seed, salt * 100 + street, k)) * 10.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> UtmGrid {
        let bbox = crate::spatial::LonLatBox::try_from([130.624, 42.405, 130.656, 42.433]).unwrap();
        UtmGrid::covering(&bbox, 52, 10.0, 30.0).unwrap()
    }

    fn water(land: &Landscape, lon: f64, lat: f64) -> bool {
        land.is_water(grid().xy(Coord { x: lon, y: lat }).unwrap())
    }

    #[test]
    fn seasons_follow_the_months() {
        let season = |d: &str| Season::of(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
        assert_eq!(season("2025-02-27"), Season::Winter);
        assert_eq!(season("2026-03-01"), Season::Thaw);
        assert_eq!(season("2025-06-02"), Season::EarlySummer);
        assert_eq!(season("2025-07-05"), Season::Summer);
        assert_eq!(season("2025-10-14"), Season::Autumn);
    }

    #[test]
    fn the_banks_sit_where_the_works_into_the_river_begin() {
        let land = Landscape::new(&grid(), 1);
        // On the road bridge line: DPRK land piers on land, river piers in the water.
        assert!(!water(&land, 130.6393, 42.4115), "DPRK land pier 6");
        assert!(water(&land, 130.6404, 42.4115), "DPRK river pier 1");
        assert!(water(&land, 130.6462, 42.4115), "Russian pier under way");
        assert!(!water(&land, 130.6475, 42.4115), "Russian land pier 1");
        assert!(
            water(&land, 130.6434, 42.4112),
            "the causeway's tip is mid-river"
        );
        // The rail bridge's Wikipedia point is on the span, over the water.
        assert!(water(&land, 130.641_056, 42.415_167));
        // The graded Russian shore is just inland.
        assert!(!water(&land, 130.6463, 42.4130));
    }
}
