//! The project's structures as they would look from above at a date: what the timeline shows
//! then (planned and removed ones are not drawn), each by its category and shape.
//!
//! Categories of the default project have their own look (decks, piers with cofferdams, the
//! pontoon platform, causeway fill, customs yards that fill with buildings as the months pass,
//! the helipad, plants, stations); any other category falls back to a look by shape.

use chrono::NaiveDate;
use geo::{Contains as _, Coord, LineString, Point, Polygon};

use super::grid::{Canvas, Rgb, UtmGrid};
use super::landscape::{Landscape, Palette};
use super::noise::{hash, unit};
use crate::model::timeline::visible_annotations;
use crate::model::{Annotation, Mark, Project, Shape, Status};

/// Where shadows fall from a late-morning sun in the south-east, per metre of height.
const SHADOW_PER_M: Coord<f64> = Coord { x: -0.45, y: 0.9 };
const SHADOW: Rgb = [30, 32, 34];
const MACHINE_YELLOW: Rgb = [222, 184, 40];
const FORMWORK: Rgb = [150, 104, 62];
const WHITE: Rgb = [240, 240, 236];

/// An annotation's geometry in UTM metres.
enum Geometry {
    Point(Coord<f64>),
    Line(Vec<Coord<f64>>),
    Area(Vec<Coord<f64>>),
}

fn to_xy(grid: &UtmGrid, shape: &Shape) -> Option<Geometry> {
    let line = |l: &LineString<f64>| -> Option<Vec<Coord<f64>>> {
        l.0.iter().map(|&c| grid.xy(c)).collect()
    };
    Some(match shape {
        Shape::Point(p) => Geometry::Point(grid.xy(p.0)?),
        Shape::Line(l) => Geometry::Line(line(l)?),
        Shape::Polygon(p) => Geometry::Area(line(p.exterior())?),
    })
}

fn unit_vector(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if len > 0.0 {
        Coord {
            x: dx / len,
            y: dy / len,
        }
    } else {
        Coord { x: 1.0, y: 0.0 }
    }
}

fn offset(points: &[Coord<f64>], by: Coord<f64>) -> Vec<Coord<f64>> {
    points
        .iter()
        .map(|p| Coord {
            x: p.x + by.x,
            y: p.y + by.y,
        })
        .collect()
}

fn shadow_of(height_m: f64) -> Coord<f64> {
    Coord {
        x: SHADOW_PER_M.x * height_m,
        y: SHADOW_PER_M.y * height_m,
    }
}

/// Points every `step_m` along a polyline (its vertices' spacing aside).
fn samples(points: &[Coord<f64>], step_m: f64) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let [a, b] = pair else { continue };
        let len = (b.x - a.x).hypot(b.y - a.y);
        let n = (len / step_m).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = i as f64 / n as f64;
            out.push(Coord {
                x: a.x + (b.x - a.x) * t,
                y: a.y + (b.y - a.y) * t,
            });
        }
    }
    out.extend(points.last());
    out
}

/// Draws the project's structures standing at `date`.
pub struct Structures<'a> {
    project: &'a Project,
    land: &'a Landscape,
    palette: Palette,
    date: NaiveDate,
    seed: u64,
}

/// The order things are built up: ground works, then yards, piers, decks, buildings on top.
fn layer_of(annotation: &Annotation) -> u8 {
    match (annotation.category.as_str(), &annotation.shape) {
        (_, Shape::Polygon(_)) => 0,
        ("road" | "causeway" | "platform", Shape::Line(_)) => 1,
        ("support" | "checkpoint" | "causeway", Shape::Point(_)) => 2,
        ("pier", _) => 3,
        (_, Shape::Line(_)) => 4,
        _ => 5,
    }
}

impl<'a> Structures<'a> {
    /// Structures of `project` at `date`, drawn over `land` in `palette`'s season.
    #[must_use]
    pub fn new(
        project: &'a Project,
        land: &'a Landscape,
        palette: Palette,
        date: NaiveDate,
        seed: u64,
    ) -> Self {
        Self {
            project,
            land,
            palette,
            date,
            seed,
        }
    }

    /// The annotations drawn: visible at the date, real features, neither planned nor removed.
    fn standing(&self) -> Vec<&'a Annotation> {
        let mut standing: Vec<&Annotation> = visible_annotations(self.project, self.date)
            .filter(|a| a.mark == Mark::Feature)
            .filter(|a| !matches!(a.status, Status::Planned | Status::Removed))
            .collect();
        standing.sort_by_key(|a| layer_of(a));
        standing
    }

    /// Paints every standing structure.
    pub fn paint(&self, canvas: &mut Canvas) {
        for annotation in self.standing() {
            let Some(geometry) = to_xy(&canvas.grid, &annotation.shape) else {
                continue;
            };
            let days = (self.date - annotation.seen_from.key()).num_days().max(0);
            let salt = crate::imagery::disk_cache::fnv1a_64(annotation.id.as_bytes());
            self.paint_one(canvas, annotation, &geometry, days, salt);
        }
    }

    fn paint_one(
        &self,
        canvas: &mut Canvas,
        annotation: &Annotation,
        geometry: &Geometry,
        days: i64,
        salt: u64,
    ) {
        let p = &self.palette;
        let label = annotation.label.to_lowercase();
        match (annotation.category.as_str(), geometry) {
            ("boundary-marker", _) | ("bridge", Geometry::Point(_)) => {}
            ("bridge" | "span", Geometry::Line(points)) => {
                let complete = annotation.status == Status::Complete;
                self.deck(canvas, points, complete);
            }
            ("span", Geometry::Point(at)) => {
                let along = self.axis_near(&canvas.grid, *at);
                let half = 40.0;
                let ends = [
                    Coord {
                        x: at.x - along.x * half,
                        y: at.y - along.y * half,
                    },
                    Coord {
                        x: at.x + along.x * half,
                        y: at.y + along.y * half,
                    },
                ];
                self.deck(canvas, &ends, false);
            }
            ("pier", Geometry::Point(at)) => self.pier(canvas, *at, annotation.status),
            ("platform", Geometry::Area(ring)) => self.framework(canvas, ring),
            ("platform", Geometry::Line(points)) => {
                let wet = samples(points, 10.0);
                let in_water = wet.iter().filter(|&&c| self.land.is_water(c)).count();
                if in_water * 2 > wet.len() {
                    self.pontoon(canvas, points);
                } else {
                    canvas.line(points, 32.0, p.graded, 0.95);
                }
            }
            ("causeway", Geometry::Line(points)) => {
                canvas.line(points, 46.0, [120, 108, 88], 0.9);
                canvas.line(points, 38.0, p.graded, 1.0);
                canvas.line(points, 8.0, p.road, 1.0);
            }
            ("causeway" | "support", Geometry::Point(at)) if label.contains("heli") => {
                self.helipad(canvas, *at);
            }
            ("causeway" | "support", Geometry::Point(at)) => {
                self.yard(canvas, *at, 80.0, 60.0, salt);
            }
            ("checkpoint", Geometry::Area(ring)) => self.customs(canvas, ring, days, salt),
            ("checkpoint", Geometry::Point(at)) => {
                canvas.rect(*at, Coord { x: 1.0, y: 0.0 }, 80.0, 55.0, p.graded, 0.95);
            }
            ("road", Geometry::Line(points)) => {
                if annotation.status != Status::Complete {
                    canvas.line(points, 18.0, p.graded, 0.9);
                }
                canvas.line(points, 8.0, p.road, 1.0);
            }
            ("station", Geometry::Point(at)) => self.station(canvas, *at),
            (_, Geometry::Area(ring)) => canvas.fill(ring, p.graded, 0.9),
            (_, Geometry::Line(points)) => canvas.line(points, 8.0, p.road, 1.0),
            (_, Geometry::Point(at)) => {
                canvas.rect(*at, Coord { x: 1.0, y: 0.0 }, 20.0, 20.0, p.graded, 1.0);
            }
        }
    }

    /// The direction of the bridge-like line nearest `at` (any date), east when there is none.
    fn axis_near(&self, grid: &UtmGrid, at: Coord<f64>) -> Coord<f64> {
        let mut best: Option<(f64, Coord<f64>)> = None;
        for annotation in &self.project.annotations {
            if !matches!(annotation.category.as_str(), "bridge" | "span" | "causeway") {
                continue;
            }
            let Some(Geometry::Line(points)) = to_xy(grid, &annotation.shape) else {
                continue;
            };
            for pair in points.windows(2) {
                let [a, b] = pair else { continue };
                let mid = Coord {
                    x: f64::midpoint(a.x, b.x),
                    y: f64::midpoint(a.y, b.y),
                };
                let distance = (mid.x - at.x).hypot(mid.y - at.y);
                if best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, unit_vector(*a, *b)));
                }
            }
        }
        best.map_or(Coord { x: 1.0, y: 0.0 }, |(_, along)| along)
    }

    fn deck(&self, canvas: &mut Canvas, points: &[Coord<f64>], complete: bool) {
        let p = &self.palette;
        let (width_m, color) = if complete {
            (9.0, p.steel)
        } else {
            (12.0, p.concrete)
        };
        canvas.line(&offset(points, shadow_of(10.0)), width_m, SHADOW, 0.55);
        if complete {
            // Piers wider than the deck, every span.
            let along = points
                .first()
                .zip(points.last())
                .map_or(Coord { x: 1.0, y: 0.0 }, |(a, b)| unit_vector(*a, *b));
            for pier in samples(points, 50.0) {
                canvas.rect(pier, along, 4.0, width_m + 6.0, [150, 150, 146], 1.0);
            }
        }
        if !complete {
            // Formwork and scaffolding along the edges of a deck being cast.
            canvas.line(points, width_m + 4.0, FORMWORK, 1.0);
        }
        canvas.line(points, width_m, color, 1.0);
        canvas.line(
            points,
            1.5,
            if complete {
                [58, 56, 54]
            } else {
                [170, 168, 162]
            },
            1.0,
        );
        if !complete && let (Some(&start), Some(&tip)) = (points.first(), points.last()) {
            canvas.rect(tip, unit_vector(start, tip), 10.0, 5.0, MACHINE_YELLOW, 1.0);
        }
    }

    fn pier(&self, canvas: &mut Canvas, at: Coord<f64>, status: Status) {
        let p = &self.palette;
        let along = self.axis_near(&canvas.grid, at);
        if self.land.is_water(at) {
            // A sheet-pile cofferdam keeps the river out of the footing.
            canvas.disc(at, 13.0, p.graded, 1.0);
            canvas.ring(at, 13.0, 2.0, p.steel, 1.0);
        } else {
            canvas.rect(at, along, 22.0, 26.0, p.graded, 0.9);
        }
        let shadow = shadow_of(4.0);
        canvas.rect(
            Coord {
                x: at.x + shadow.x,
                y: at.y + shadow.y,
            },
            along,
            7.0,
            14.0,
            SHADOW,
            0.5,
        );
        if status != Status::Complete {
            canvas.rect(at, along, 10.0, 17.0, FORMWORK, 1.0);
        }
        canvas.rect(at, along, 7.0, 14.0, p.concrete, 1.0);
    }

    fn pontoon(&self, canvas: &mut Canvas, points: &[Coord<f64>]) {
        let p = &self.palette;
        canvas.line(&offset(points, shadow_of(2.0)), 12.0, SHADOW, 0.5);
        canvas.line(points, 12.0, p.steel, 1.0);
        let along = points
            .first()
            .zip(points.last())
            .map_or(Coord { x: 1.0, y: 0.0 }, |(a, b)| unit_vector(*a, *b));
        for joint in samples(points, 12.0) {
            canvas.rect(joint, along, 0.8, 12.0, [60, 62, 66], 1.0);
        }
    }

    /// A steel framework: a grid of beams over graded ground, along the ring's first edge.
    fn framework(&self, canvas: &mut Canvas, ring: &[Coord<f64>]) {
        let steel = self.palette.steel;
        canvas.fill(ring, self.palette.graded, 1.0);
        let [c0, c1, c2, c3, ..] = ring else {
            return;
        };
        let lerp = |from: Coord<f64>, to: Coord<f64>, t: f64| Coord {
            x: from.x + (to.x - from.x) * t,
            y: from.y + (to.y - from.y) * t,
        };
        let mut beams =
            |first: (Coord<f64>, Coord<f64>), second: (Coord<f64>, Coord<f64>), count: usize| {
                for i in 0..=count {
                    let t = i as f64 / count as f64;
                    let beam = [lerp(first.0, first.1, t), lerp(second.0, second.1, t)];
                    canvas.line(&beam, 1.6, steel, 1.0);
                }
            };
        beams((*c0, *c1), (*c3, *c2), 8);
        beams((*c0, *c3), (*c1, *c2), 12);
    }

    fn helipad(&self, canvas: &mut Canvas, at: Coord<f64>) {
        let p = &self.palette;
        let east = Coord { x: 1.0, y: 0.0 };
        canvas.rect(at, east, 30.0, 30.0, p.concrete, 1.0);
        canvas.ring(at, 10.0, 1.5, WHITE, 1.0);
        canvas.rect(
            Coord {
                x: at.x - 3.0,
                y: at.y,
            },
            east,
            1.2,
            8.0,
            WHITE,
            1.0,
        );
        canvas.rect(
            Coord {
                x: at.x + 3.0,
                y: at.y,
            },
            east,
            1.2,
            8.0,
            WHITE,
            1.0,
        );
        canvas.rect(at, east, 6.0, 1.2, WHITE, 1.0);
    }

    /// A works yard: graded ground, sheds, silos or stockpiles, machines.
    fn yard(&self, canvas: &mut Canvas, at: Coord<f64>, length_m: f64, width_m: f64, salt: u64) {
        let p = &self.palette;
        let east = Coord { x: 1.0, y: 0.0 };
        canvas.rect(at, east, length_m, width_m, p.graded, 1.0);
        let spot = |k: i64| Coord {
            x: at.x + (f64::from(unit(self.seed ^ salt, k, 0)) - 0.5) * length_m * 0.75,
            y: at.y + (f64::from(unit(self.seed ^ salt, k, 1)) - 0.5) * width_m * 0.75,
        };
        for k in 0..2 {
            let c = spot(k);
            let shadow = shadow_of(4.0);
            canvas.rect(
                Coord {
                    x: c.x + shadow.x,
                    y: c.y + shadow.y,
                },
                east,
                24.0,
                10.0,
                SHADOW,
                0.45,
            );
            canvas.rect(c, east, 24.0, 10.0, [110, 128, 150], 1.0);
        }
        for k in 2..4 {
            let c = spot(k);
            canvas.disc(
                Coord {
                    x: c.x - 4.0,
                    y: c.y + 8.0,
                },
                4.0,
                SHADOW,
                0.45,
            );
            canvas.disc(c, 4.0, p.concrete, 1.0);
        }
        for k in 4..6 {
            canvas.disc(spot(k), 6.0, [132, 124, 112], 1.0);
        }
        for k in 6..9 {
            canvas.rect(spot(k), east, 6.0, 3.0, MACHINE_YELLOW, 1.0);
        }
    }

    /// A customs or checkpoint site: graded, then walls and buildings that multiply with the
    /// months since it was first seen.
    fn customs(&self, canvas: &mut Canvas, ring: &[Coord<f64>], days: i64, salt: u64) {
        let p = &self.palette;
        canvas.fill(ring, p.graded, 1.0);
        let polygon = Polygon::new(LineString::from(ring.to_vec()), vec![]);
        let along = match ring {
            [a, b, ..] => unit_vector(*a, *b),
            _ => Coord { x: 1.0, y: 0.0 },
        };
        let (min, max) = ring.iter().fold(
            (
                Coord {
                    x: f64::MAX,
                    y: f64::MAX,
                },
                Coord {
                    x: f64::MIN,
                    y: f64::MIN,
                },
            ),
            |(lo, hi), c| {
                (
                    Coord {
                        x: lo.x.min(c.x),
                        y: lo.y.min(c.y),
                    },
                    Coord {
                        x: hi.x.max(c.x),
                        y: hi.y.max(c.y),
                    },
                )
            },
        );
        let wanted = (days / 10).clamp(0, 16);
        let mut placed = 0;
        for k in 0..200 {
            if placed >= wanted {
                break;
            }
            let c = Coord {
                x: min.x + (max.x - min.x) * f64::from(unit(self.seed ^ salt, k, 0)),
                y: min.y + (max.y - min.y) * f64::from(unit(self.seed ^ salt, k, 1)),
            };
            if !polygon.contains(&Point(c)) {
                continue;
            }
            placed += 1;
            let size = 14.0 + f64::from(unit(self.seed ^ salt, k, 2)) * 26.0;
            let roofed = days > 90 && !hash(self.seed ^ salt, k, 3).is_multiple_of(3);
            let shadow = shadow_of(if roofed { 6.0 } else { 3.0 });
            canvas.rect(
                Coord {
                    x: c.x + shadow.x,
                    y: c.y + shadow.y,
                },
                along,
                size,
                size * 0.6,
                SHADOW,
                0.4,
            );
            if roofed {
                let roof = if k % 2 == 0 {
                    [104, 122, 146]
                } else {
                    [176, 176, 172]
                };
                canvas.rect(c, along, size, size * 0.6, roof, 1.0);
            } else {
                // Walls and crossbeams, no roof yet.
                canvas.rect(c, along, size, size * 0.6, p.concrete, 1.0);
                canvas.rect(c, along, size - 3.0, size * 0.6 - 3.0, [120, 112, 100], 1.0);
                canvas.rect(c, along, 1.2, size * 0.6, p.concrete, 1.0);
            }
        }
        if days > 0 {
            for k in 0..3 {
                let c = Coord {
                    x: min.x + (max.x - min.x) * f64::from(unit(self.seed ^ salt, 500 + k, 0)),
                    y: min.y + (max.y - min.y) * f64::from(unit(self.seed ^ salt, 500 + k, 1)),
                };
                if polygon.contains(&Point(c)) {
                    canvas.rect(c, along, 6.0, 3.0, MACHINE_YELLOW, 1.0);
                }
            }
        }
    }

    fn station(&self, canvas: &mut Canvas, at: Coord<f64>) {
        let p = &self.palette;
        let along = Coord { x: 0.0, y: 1.0 };
        let beside = Coord {
            x: at.x + 18.0,
            y: at.y,
        };
        canvas.rect(beside, along, 160.0, 6.0, p.concrete, 1.0);
        let shadow = shadow_of(8.0);
        let building = Coord {
            x: at.x + 32.0,
            y: at.y,
        };
        canvas.rect(
            Coord {
                x: building.x + shadow.x,
                y: building.y + shadow.y,
            },
            along,
            40.0,
            14.0,
            SHADOW,
            0.45,
        );
        canvas.rect(building, along, 40.0, 14.0, [150, 90, 74], 1.0);
    }
}
