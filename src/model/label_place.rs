//! Where an analyst put an annotation's label: moved off its automatic place, pinned so it always
//! shows, or hidden. Saved with the annotation and honoured by the window and every export.

use serde::{Deserialize, Serialize};

/// An annotation's label placement. The default is automatic placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelPlace {
    /// The label box's centre relative to its anchor, in pixels of a 1920 px wide figure (the
    /// window and other figure sizes scale it as they scale labels); `None`: placed automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<[f32; 2]>,
    /// Always shown, even where it overlaps other labels or the label limit is reached.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Never shown (the annotation itself still is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl LabelPlace {
    /// True for automatic placement: nothing to save.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// A one-line summary for the inspector and the undo menu.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.hidden {
            parts.push("hidden");
        }
        if self.pinned {
            parts.push("pinned");
        }
        if self.offset.is_some() {
            parts.push("moved");
        }
        if parts.is_empty() {
            "automatic".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_automatic_place_writes_nothing_and_a_moved_pinned_one_round_trips() {
        assert_eq!(
            serde_json::to_value(LabelPlace::default()).unwrap(),
            serde_json::json!({})
        );
        let place = LabelPlace {
            offset: Some([40.0, -12.5]),
            pinned: true,
            hidden: false,
        };
        let json = serde_json::to_value(place).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"offset": [40.0, -12.5], "pinned": true})
        );
        assert_eq!(serde_json::from_value::<LabelPlace>(json).unwrap(), place);
        assert_eq!(place.describe(), "pinned, moved");
        assert_eq!(LabelPlace::default().describe(), "automatic");
    }
}
