//! Many annotations for scale checks: a deterministic scatter of areas, lines and points around
//! a centre, as a dense site survey might have (the bench and the scale tests use it).

use geo::{Coord, LineString, Point, Polygon};
use serde_json::Map;

use crate::model::{Annotation, Certainty, FuzzyDate, Mark, Project, Shape, Status};

/// A small deterministic generator (`SplitMix64`), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `count` annotations spread over `span_deg` degrees around `center`: a third each areas
/// (5–8 vertices), lines (3–6 vertices) and points, in the project's categories, all visible
/// from `seen_from`.
#[must_use]
pub fn scatter(
    project: &Project,
    count: usize,
    center: Coord<f64>,
    span_deg: f64,
    seen_from: FuzzyDate,
) -> Vec<Annotation> {
    let mut random = Rng(0x5175_7E3A_7C8E_0001);
    let categories: Vec<String> = project.categories.iter().map(|c| c.key.clone()).collect();
    (0..count)
        .map(|i| {
            let at = Coord {
                x: center.x + (random.next() - 0.5) * span_deg,
                y: center.y + (random.next() - 0.5) * span_deg * 0.75,
            };
            let size = 0.000_2 + random.next() * 0.000_8;
            let shape = match i % 3 {
                0 => {
                    let n = 5 + (random.next() * 4.0) as usize;
                    let mut ring: Vec<Coord<f64>> = (0..n)
                        .map(|k| {
                            let angle = k as f64 / n as f64 * std::f64::consts::TAU;
                            let radius = size * (0.7 + 0.3 * random.next());
                            Coord {
                                x: at.x + radius * angle.cos(),
                                y: at.y + radius * angle.sin() * 0.75,
                            }
                        })
                        .collect();
                    if let Some(first) = ring.first().copied() {
                        ring.push(first);
                    }
                    Shape::Polygon(Polygon::new(LineString::new(ring), vec![]))
                }
                1 => {
                    let n = 3 + (random.next() * 4.0) as usize;
                    Shape::Line(LineString::new(
                        (0..n)
                            .map(|k| Coord {
                                x: at.x + k as f64 * size,
                                y: at.y + (random.next() - 0.5) * size,
                            })
                            .collect(),
                    ))
                }
                _ => Shape::Point(Point(at)),
            };
            Annotation {
                id: format!("s-{i}"),
                shape,
                label: format!("Structure {i}"),
                category: categories
                    .get(i % categories.len().max(1))
                    .cloned()
                    .unwrap_or_default(),
                status: Status::default(),
                certainty: Certainty::ALL
                    .get(i % Certainty::ALL.len())
                    .copied()
                    .unwrap_or_default(),
                mark: Mark::Feature,
                seen_from,
                seen_until: None,
                sources: Vec::new(),
                note: String::new(),
                label_place: crate::model::LabelPlace::default(),
                extra_properties: Map::new(),
                extra_members: Map::new(),
            }
        })
        .collect()
}
