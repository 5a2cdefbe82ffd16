//! What is painted, made from the dates' lists: the slider's list alone, or date A's, the middle
//! panes' and the slider's compared, in two parts. The body (the dates' lists cut and placed,
//! the divider) changes only when a date's list is lowered again; the tags naming each side's
//! date change with every day the slider moves. Each part is composed and tessellated only when
//! what it is made from changes, so scrubbing a comparison between changes of what the map
//! shows lowers one small list of tags a frame.

use super::compare_content::{CompareContent, CompareDraw};
use super::lists::{Composed, Frame, ListCache, Side, screen_labels};
use super::{AIDS_ROW_PX, MapContent, PANE_GUTTER_PX, WINDOW_FURNITURE_SCALE};
use crate::render::display_list::{DisplayList, PaintOp};
use crate::render::lower::compare::{self, SideTags};
use crate::render::lower::style::Scale;
use crate::render::text::EpaintText;

impl ListCache {
    /// Composes what changed of the painted list after the dates' lists were refreshed.
    pub(super) fn compose(&mut self, content: &MapContent<'_>, frame: &Frame<'_>) {
        let composed: Composed = (
            self.b.id,
            content.compare.map(|c| {
                let middle = self.middle.iter().map(|side| side.id).collect();
                (self.a.id, c.draw, middle)
            }),
        );
        let side_by_side = content
            .compare
            .is_some_and(|c| c.draw == CompareDraw::SideBySide);
        if self.composed.as_ref() != Some(&composed) {
            self.body = match content.compare {
                None => std::sync::Arc::clone(&self.b.list),
                Some(c) => std::sync::Arc::new(self.compose_body(c, frame)),
            };
            // Labels are dragged on the slider's list; panes are for looking.
            self.drawn = if side_by_side {
                Vec::new()
            } else {
                screen_labels(
                    &self.body,
                    self.b.place,
                    content.scene,
                    frame.projector,
                    self.b.unit_px,
                )
            };
            self.imagery = self.body.only(|op| matches!(op, PaintOp::Imagery(_)));
            self.last_meshes = self.meshes.take().or(self.last_meshes.take());
            self.full = std::sync::OnceLock::new();
            self.compositions += 1;
            self.composed = Some(composed.clone());
        }
        let names: Vec<String> = content.compare.map_or_else(Vec::new, |c| {
            std::iter::once(&c.tags[0])
                .chain(c.middle.iter().map(|m| &m.tag))
                .chain(std::iter::once(&c.tags[1]))
                .cloned()
                .collect()
        });
        let tags_key = (composed, names);
        if self.tags_key.as_ref() == Some(&tags_key) {
            return;
        }
        self.tags = match content.compare {
            None => DisplayList::new(self.body.size_px),
            Some(c) => self.compose_tags(c, content.text, frame),
        };
        self.last_tag_meshes = self.tag_meshes.take().or(self.last_tag_meshes.take());
        self.full = std::sync::OnceLock::new();
        self.tags_key = Some(tags_key);
    }

    /// Date A's list and the slider's (and the middle panes'), compared as `c` says, without
    /// the tags.
    fn compose_body(&self, c: &CompareContent<'_>, frame: &Frame<'_>) -> DisplayList {
        let (a, b) = (&self.a.list, &self.b.list);
        match c.draw {
            CompareDraw::Swipe { divider } => compare::swipe_body(
                a,
                b,
                compare::divider_px(b.size_px[0], divider),
                self.b.furniture_scale(),
            ),
            CompareDraw::Blend { t } => compare::blend(a, b, t),
            CompareDraw::SideBySide => {
                let size = [frame.rect.width(), frame.rect.height()];
                let rects = compare::pane_rects(size, 2 + self.middle.len(), PANE_GUTTER_PX);
                let lists: Vec<DisplayList> = std::iter::once(&self.a)
                    .chain(&self.middle)
                    .chain(std::iter::once(&self.b))
                    .map(Side::pane_list)
                    .collect();
                let pairs: Vec<(&DisplayList, _)> =
                    lists.iter().zip(rects.iter().copied()).collect();
                compare::panes(size, &pairs)
            }
        }
    }

    /// The tags naming each side's (or pane's) date, drawn over the body.
    fn compose_tags(
        &self,
        c: &CompareContent<'_>,
        text: &EpaintText,
        frame: &Frame<'_>,
    ) -> DisplayList {
        let b = &self.b.list;
        // Below the window's own buttons along the map's top edge.
        let tags = SideTags {
            a: &c.tags[0],
            b: &c.tags[1],
            top_px: AIDS_ROW_PX,
        };
        match c.draw {
            CompareDraw::Swipe { divider } => compare::swipe_tags(
                b.size_px,
                compare::divider_px(b.size_px[0], divider),
                text,
                tags,
                self.b.furniture_scale(),
            ),
            CompareDraw::Blend { .. } => DisplayList::new(b.size_px),
            CompareDraw::SideBySide => {
                let size = [frame.rect.width(), frame.rect.height()];
                let rects = compare::pane_rects(size, 2 + self.middle.len(), PANE_GUTTER_PX);
                let names: Vec<&str> = std::iter::once(tags.a)
                    .chain(c.middle.iter().map(|m| m.tag.as_str()))
                    .chain(std::iter::once(tags.b))
                    .collect();
                let mut list = DisplayList::new(size);
                compare::lower_pane_tags(
                    &mut list,
                    &rects,
                    &names,
                    text,
                    Scale(WINDOW_FURNITURE_SCALE),
                    AIDS_ROW_PX,
                );
                list
            }
        }
    }
}
