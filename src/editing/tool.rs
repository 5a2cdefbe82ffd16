//! The map tools: what a click on the map does.

use crate::model::Mark;

/// A map tool. Each has a single-key shortcut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tool {
    /// Select, move vertices, move features; drag empty map to pan.
    #[default]
    Select,
    /// Place a point.
    Point,
    /// Draw a line.
    Line,
    /// Draw an area.
    Polygon,
    /// Draw a rectangle from two corners.
    Rectangle,
    /// Place a text label.
    Text,
    /// Draw an arrow (callout) from its tail to its head.
    Arrow,
    /// Measure distance and area without creating an annotation.
    Measure,
    /// Align an imagery layer: arrow keys nudge it, Align to… estimates its shift.
    Align,
}

impl Tool {
    /// All tools, in toolbar order.
    pub const ALL: [Tool; 9] = [
        Tool::Select,
        Tool::Point,
        Tool::Line,
        Tool::Polygon,
        Tool::Rectangle,
        Tool::Text,
        Tool::Arrow,
        Tool::Measure,
        Tool::Align,
    ];

    /// The shortcut key (a letter, pressed without modifiers).
    #[must_use]
    pub fn key(self) -> char {
        match self {
            Tool::Select => 'V',
            Tool::Point => 'P',
            Tool::Line => 'L',
            Tool::Polygon => 'A',
            Tool::Rectangle => 'R',
            Tool::Text => 'T',
            Tool::Arrow => 'W',
            Tool::Measure => 'M',
            Tool::Align => 'N',
        }
    }

    /// The tool's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Tool::Select => "Select / edit",
            Tool::Point => "Point",
            Tool::Line => "Line",
            Tool::Polygon => "Area",
            Tool::Rectangle => "Rectangle",
            Tool::Text => "Text label",
            Tool::Arrow => "Arrow / callout",
            Tool::Measure => "Measure",
            Tool::Align => "Align imagery",
        }
    }

    /// The toolbar icon.
    #[must_use]
    pub fn icon(self) -> &'static str {
        match self {
            Tool::Select => "⬉",
            Tool::Point => "•",
            Tool::Line => "⟋",
            Tool::Polygon => "⬟",
            Tool::Rectangle => "▭",
            Tool::Text => "T",
            Tool::Arrow => "➚",
            Tool::Measure => "⟷",
            Tool::Align => "✥",
        }
    }

    /// What the tool does and how, with its shortcut (the tooltip).
    #[must_use]
    pub fn help(self) -> String {
        let how = match self {
            Tool::Select => {
                "click to select; drag a vertex to move it, a midpoint to add one, the body to \
                 move all; Alt-click or Delete removes a vertex, Delete the feature; drag empty \
                 map to pan"
            }
            Tool::Point => "click to place a point",
            Tool::Line | Tool::Polygon => {
                "click to add vertices, double-click or Enter to finish, Backspace removes the \
                 last, Esc cancels"
            }
            Tool::Rectangle => "click two opposite corners",
            Tool::Text => "click where the label goes, then type it in the inspector",
            Tool::Arrow => "click the tail, then the head",
            Tool::Measure => {
                "click points for the geodesic distance (and area from three points); \
                 Enter or double-click ends, Esc clears"
            }
            Tool::Align => {
                "arrow keys nudge the layer named in the Align panel one screen pixel (Shift: \
                 ten); Align to… estimates its shift to another layer; drag to pan"
            }
        };
        format!(
            "{} ({}): {how}. Shift holds snapping off; middle or right drag pans.",
            self.name(),
            self.key()
        )
    }

    /// True for tools that place vertices on click (everything but Select and Align).
    #[must_use]
    pub fn draws(self) -> bool {
        !matches!(self, Tool::Select | Tool::Align)
    }

    /// Vertices after which the drawing finishes by itself (`None`: finish by hand).
    #[must_use]
    pub fn max_vertices(self) -> Option<usize> {
        match self {
            Tool::Point | Tool::Text => Some(1),
            Tool::Rectangle | Tool::Arrow => Some(2),
            Tool::Select | Tool::Line | Tool::Polygon | Tool::Measure | Tool::Align => None,
        }
    }

    /// Fewest vertices the finished drawing needs.
    #[must_use]
    pub fn min_vertices(self) -> usize {
        match self {
            Tool::Select | Tool::Point | Tool::Text | Tool::Align => 1,
            Tool::Line | Tool::Rectangle | Tool::Arrow | Tool::Measure => 2,
            Tool::Polygon => 3,
        }
    }

    /// How the annotation it creates is drawn.
    #[must_use]
    pub fn mark(self) -> Mark {
        match self {
            Tool::Text => Mark::Text,
            Tool::Arrow => Mark::Arrow,
            _ => Mark::Feature,
        }
    }

    /// The label a new annotation starts with.
    #[must_use]
    pub fn default_label(self) -> &'static str {
        match self {
            Tool::Point => "New point",
            Tool::Line => "New line",
            Tool::Polygon | Tool::Rectangle => "New area",
            Tool::Text => "Text",
            Tool::Arrow => "Callout",
            Tool::Select | Tool::Measure | Tool::Align => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_its_own_shortcut_named_in_its_help() {
        let mut keys: Vec<char> = Tool::ALL.iter().map(|t| t.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Tool::ALL.len());
        for t in Tool::ALL {
            assert!(t.help().contains(&format!("({})", t.key())), "{t:?}");
        }
    }
}
