//! Categories of structures and how each is drawn.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An sRGB colour with alpha, written `#RRGGBB` or `#RRGGBBAA` in files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// An opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self([r, g, b, 255])
    }

    /// The same colour with another alpha.
    #[must_use]
    pub const fn with_alpha(self, alpha: u8) -> Self {
        let [r, g, b, _] = self.0;
        Self([r, g, b, alpha])
    }

    /// Parses `#RRGGBB` or `#RRGGBBAA`.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#')?;
        if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        let alpha = if hex.len() == 8 { byte(6)? } else { 255 };
        Some(Self([byte(0)?, byte(2)?, byte(4)?, alpha]))
    }

    /// `#RRGGBB`, or `#RRGGBBAA` when not opaque.
    pub fn to_hex(self) -> String {
        let [r, g, b, a] = self.0;
        if a == 255 {
            format!("#{r:02X}{g:02X}{b:02X}")
        } else {
            format!("#{r:02X}{g:02X}{b:02X}{a:02X}")
        }
    }
}

impl Serialize for Rgba {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Rgba {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse_hex(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a #RRGGBB colour")))
    }
}

/// The marker drawn for point annotations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    /// A filled disc.
    #[default]
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle, apex up.
    Triangle,
    /// A filled diamond.
    Diamond,
}

/// How a category is drawn, in pixels at the figure master width of 1920 px.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Style {
    /// Line and marker colour.
    pub color: Rgba,
    /// Line width in pixels (the dark casing is drawn 3 px wider).
    #[serde(default = "default_width")]
    pub width_px: f32,
    /// Alpha of the area fill in the line colour, 0 for none.
    #[serde(default = "default_fill_alpha")]
    pub fill_alpha: u8,
    /// Marker for points.
    #[serde(default)]
    pub marker: Marker,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn default_width() -> f32 {
    4.0
}

fn default_fill_alpha() -> u8 {
    60
}

/// A kind of structure (bridge, pier, checkpoint …) with its style.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Key that annotations use, e.g. `bridge`.
    pub key: String,
    /// Name shown in the legend.
    pub name: String,
    /// How its annotations are drawn.
    pub style: Style,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_through_hex() {
        for text in ["#F0E442", "#56B4E980"] {
            assert_eq!(Rgba::parse_hex(text).unwrap().to_hex(), text);
        }
        assert_eq!(
            Rgba::parse_hex("#f0e442"),
            Some(Rgba::rgb(0xF0, 0xE4, 0x42))
        );
        for bad in ["F0E442", "#F0E44", "#GGGGGG", "#ÄÄÄ"] {
            assert_eq!(Rgba::parse_hex(bad), None, "{bad}");
        }
    }
}
