//! Skipping the layout of rows scrolled out of sight.
//!
//! A scroll area lays out every row each frame, even those it clips away; a panel of rich rows
//! (the layer list: sliders, buttons, stretch controls) pays for all of them on every frame.
//! [`unless_offscreen`] remembers the height a row took when it was last drawn and, while that
//! space lies outside the visible part of the panel, reserves it instead of drawing the row.
//! Rows keep their ids (the caller gives each its own `push_id`), so a row scrolled back into
//! view is the same widget it was.

use egui::Ui;

/// Draws `row` unless the space it took when last drawn is out of sight; then reserves that
/// space so the scroll area keeps its length. Call it inside the row's own `push_id`.
pub fn unless_offscreen(ui: &mut Ui, row: impl FnOnce(&mut Ui)) {
    let key = ui.scope_id().with("sitewatch-row-height");
    let top = ui.cursor().min.y;
    if let Some(height) = ui.data(|d| d.get_temp::<f32>(key)) {
        let space = egui::Rect::from_min_size(
            egui::pos2(ui.cursor().min.x, top),
            egui::vec2(ui.available_width(), height),
        );
        if !ui.is_rect_visible(space) {
            ui.allocate_space(egui::vec2(0.0, height));
            return;
        }
    }
    row(ui);
    let height = ui.min_rect().bottom() - top;
    ui.data_mut(|d| d.insert_temp(key, height));
}

#[cfg(test)]
mod tests {
    use super::unless_offscreen;

    /// One frame of a 200 px tall scroll area with 50 rows of 30 px; returns the rows drawn and
    /// the content's height.
    fn frame(ctx: &egui::Context, offset: f32) -> (Vec<usize>, f32) {
        let mut drawn = Vec::new();
        let mut content = 0.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(300.0, 400.0),
            )),
            ..egui::RawInput::default()
        };
        let mut output = ctx.run_ui(input, |ui| {
            let output = egui::ScrollArea::vertical()
                .max_height(200.0)
                .vertical_scroll_offset(offset)
                .show(ui, |ui| {
                    for row in 0..50 {
                        ui.push_id(row, |ui| {
                            unless_offscreen(ui, |ui| {
                                drawn.push(row);
                                ui.allocate_space(egui::vec2(100.0, 30.0));
                            });
                        });
                    }
                });
            content = output.content_size.y;
        });
        // No renderer takes the font texture.
        output.textures_delta.clear();
        (drawn, content)
    }

    #[test]
    fn rows_out_of_sight_keep_their_space_but_are_not_drawn_until_scrolled_to() {
        let ctx = egui::Context::default();
        let (first, height) = frame(&ctx, 0.0);
        assert_eq!(
            first.len(),
            50,
            "heights are learnt by drawing every row once"
        );
        let (top, same_height) = frame(&ctx, 0.0);
        assert!(
            (same_height - height).abs() < 0.5,
            "skipped rows keep the scroll length: {same_height} against {height}"
        );
        assert!(top.contains(&0) && top.contains(&5), "{top:?}");
        assert!(top.len() < 12, "only the rows in sight are drawn: {top:?}");
        let (scrolled, _) = frame(&ctx, 900.0);
        assert!(
            scrolled.contains(&32) && !scrolled.contains(&0),
            "{scrolled:?}"
        );
    }
}
