//! Dragging a label to where the analyst wants it. The label's box follows the pointer; each
//! step is one coalesced edit of the annotation's `label_place`, so the whole drag undoes at once,
//! is saved with the project and is honoured by every export.

use egui::{CursorIcon, PointerButton, Pos2, Response, Ui};

use super::MapEditor;
use crate::command::{Command, EditCommand};
use crate::editing::{AnnotationField, Edit};
use crate::model::LabelPlace;
use crate::ui::map_view::DrawnLabel;

/// A label grabbed by the pointer.
#[derive(Clone, Debug)]
pub(in crate::ui) struct LabelDrag {
    id: String,
    /// The pointer when it pressed.
    grab: Pos2,
    /// The box's centre then.
    center: Pos2,
    /// Screen position of what the label names.
    anchor: Pos2,
    /// Screen pixels per stored offset pixel.
    unit_px: f32,
    coalesce: String,
    /// The offset sent last (nothing is sent while the pointer rests).
    last: Option<[f32; 2]>,
}

/// The stored offset of a box centred at `center` for a label anchored at `anchor`.
pub(super) fn offset_for(center: Pos2, anchor: Pos2, unit_px: f32) -> [f32; 2] {
    let unit = unit_px.max(f32::EPSILON);
    let d = (center - anchor) / unit;
    // Whole pixels: the file stays readable and the figure does not move by rounding noise.
    [d.x.round(), d.y.round()]
}

impl MapEditor {
    /// Starts, follows and ends a label drag in the select tool. Returns true while a label has
    /// the pointer (the feature tools stand aside), with the edits to apply.
    pub(super) fn drag_label(
        &mut self,
        ui: &Ui,
        response: &Response,
        project: &crate::model::Project,
        labels: &[DrawnLabel],
        pointer: Option<Pos2>,
    ) -> (bool, Vec<Command>) {
        let mut commands = Vec::new();
        let under = |p: Pos2| labels.iter().rev().find(|l| l.rect.contains(p));
        if ui.input(|i| i.pointer.primary_pressed())
            && let Some(p) = pointer.filter(|p| response.rect.contains(*p))
            && let Some(label) = under(p)
        {
            self.gesture += 1;
            self.label_drag = Some(LabelDrag {
                id: label.id.clone(),
                grab: p,
                center: label.rect.center(),
                anchor: label.anchor,
                unit_px: label.unit_px,
                coalesce: format!("label-{}", self.gesture),
                last: None,
            });
            self.press = None;
        }
        if self.label_drag.is_none() {
            if pointer.and_then(under).is_some() && response.hovered() {
                ui.ctx().set_cursor_icon(CursorIcon::Grab);
            }
            return (false, commands);
        }
        if let Some(p) = pointer
            && response.dragged_by(PointerButton::Primary)
            && let Some(drag) = &mut self.label_drag
            && let Some(annotation) = project.annotation(&drag.id)
        {
            ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
            let offset = offset_for(drag.center + (p - drag.grab), drag.anchor, drag.unit_px);
            if drag.last != Some(offset) {
                drag.last = Some(offset);
                commands.push(Command::Edit(EditCommand::Apply {
                    edit: Edit::SetField {
                        id: drag.id.clone(),
                        field: AnnotationField::LabelPlace(LabelPlace {
                            offset: Some(offset),
                            ..annotation.label_place
                        }),
                    },
                    coalesce: Some(drag.coalesce.clone()),
                }));
            }
        }
        if response.drag_stopped() || !ui.input(|i| i.pointer.any_down()) {
            // A press that never moved stays a click: the caller selects the label's feature.
            self.label_drag = None;
        }
        (true, commands)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // whole-pixel geometry compares exactly
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_the_centre_from_the_anchor_in_figure_pixels() {
        let anchor = Pos2::new(100.0, 100.0);
        assert_eq!(
            offset_for(Pos2::new(130.0, 88.0), anchor, 1.0),
            [30.0, -12.0]
        );
        // The window draws labels at 0.6 of a 1920 px figure: 30 screen px are 50 figure px.
        assert_eq!(
            offset_for(Pos2::new(130.0, 100.0), anchor, 0.6),
            [50.0, 0.0]
        );
    }
}
