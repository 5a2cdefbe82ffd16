//! The bottom panel: the time slider with a tick per stage, play controls and the stage caption.

use chrono::{Days, NaiveDate};
use egui::{Color32, RichText, Role, Sense, Stroke, Ui, WidgetInfo, pos2, vec2};

use super::theme::{WidgetInfoLabel, bold};
use crate::command::{Command, TimeCommand};
use crate::model::Project;
use crate::model::timeline::date_range;
use crate::scene::Scene;

/// Accessible label of the date slider.
pub const DATE_SLIDER_LABEL: &str = "Date";
/// Accessible label of the next-stage button.
pub const NEXT_LABEL: &str = "Next stage";
/// Accessible label of the previous-stage button.
pub const PREVIOUS_LABEL: &str = "Previous stage";

/// Accessible label of the tick of stage `index` (0-based).
pub fn tick_label(index: usize, date_text: &str, title: &str) -> String {
    format!("Stage {}: {date_text} — {title}", index + 1)
}

/// Draws the timeline; returns what the user asked for.
pub fn timeline_ui(ui: &mut Ui, project: &Project, scene: &Scene, playing: bool) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some((first, last)) = date_range(project) else {
        ui.label("This project has no stages: add dated stages to use the time slider.");
        return commands;
    };
    let date = scene.date;

    ui.horizontal(|ui| {
        if ui
            .button("⏮")
            .on_hover_text("Previous stage (←)")
            .widget_info_label(PREVIOUS_LABEL)
            .clicked()
        {
            commands.push(Command::Time(TimeCommand::PreviousStage));
        }
        let (icon, label) = if playing {
            ("⏸", "Pause")
        } else {
            ("▶", "Play")
        };
        if ui
            .button(icon)
            .on_hover_text(format!("{label} through the stages, one a second (Space)"))
            .widget_info_label(label)
            .clicked()
        {
            commands.push(Command::Time(TimeCommand::TogglePlay));
        }
        if ui
            .button("⏭")
            .on_hover_text("Next stage (→)")
            .widget_info_label(NEXT_LABEL)
            .clicked()
        {
            commands.push(Command::Time(TimeCommand::NextStage));
        }
        ui.add_space(8.0);
        ui.label(
            RichText::new(&scene.date_label)
                .font(bold(22.0))
                .color(Color32::WHITE),
        );
        ui.add_space(8.0);
        match &scene.caption {
            Some(c) => {
                // The stage's own date, at its precision, when the slider sits past it.
                if c.stage_date != scene.date_label {
                    ui.label(
                        RichText::new(format!("stage of {}:", c.stage_date))
                            .font(bold(15.0))
                            .color(Color32::from_rgb(0xF0, 0xE4, 0x42)),
                    );
                }
                ui.label(RichText::new(&c.title).font(bold(15.0)));
            }
            None => {
                ui.label(RichText::new("Before the first stage").italics());
            }
        }
        ui.add_space(12.0);
        commands.extend(super::stage_views::stage_view_ui(ui, project, date));
    });

    // The slider spans the stages day by day.
    let total_days = (last - first).num_days().max(1);
    let mut day = (date - first).num_days().clamp(0, total_days);
    let slider_width = (ui.available_width() - 16.0).max(100.0);
    ui.spacing_mut().slider_width = slider_width;
    let response = ui.add(
        egui::Slider::new(&mut day, 0..=total_days)
            .show_value(false)
            .text("")
            .step_by(1.0),
    );
    response.widget_info(|| WidgetInfo::slider(true, day as f64, DATE_SLIDER_LABEL));
    if response.changed()
        && let Some(new_date) = first.checked_add_days(Days::new(day.max(0) as u64))
    {
        commands.push(Command::Time(TimeCommand::SetDate(new_date)));
    }
    let track = response.rect;
    commands.extend(ticks_ui(ui, project, first, total_days, track, date));

    if let Some(c) = &scene.caption {
        if !c.summary.is_empty() {
            ui.label(&c.summary);
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Sources:").strong());
            if c.sources.is_empty() {
                ui.label(RichText::new("none cited").color(Color32::LIGHT_RED));
            }
            for s in &c.sources {
                let text = format!("{} ({})", s.label, s.evidence.word());
                match &s.url {
                    Some(url) => {
                        ui.hyperlink_to(text, url).on_hover_text(url);
                    }
                    None => {
                        ui.label(format!("{text} — URL not recorded"));
                    }
                }
            }
        });
    }
    commands
}

/// A tick under the slider for every stage; clicking one jumps to it.
fn ticks_ui(
    ui: &mut Ui,
    project: &Project,
    first: NaiveDate,
    total_days: i64,
    track: egui::Rect,
    date: NaiveDate,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let (strip, _) = ui.allocate_exact_size(vec2(ui.available_width(), 30.0), Sense::hover());
    // egui's slider keeps its handle inside the track by half the handle's width.
    let handle_margin = track.height() / 2.5;
    let x_of = |d: NaiveDate| {
        let t = (d - first).num_days() as f32 / total_days as f32;
        track.left() + handle_margin + t * (track.width() - 2.0 * handle_margin)
    };
    let mut last_label_right = f32::NEG_INFINITY;
    for (index, stage) in project.stages.iter().enumerate() {
        let x = x_of(stage.date.key());
        let date_text = stage.date.display_upper();
        let rect = egui::Rect::from_center_size(pos2(x, strip.top() + 7.0), vec2(9.0, 14.0));
        let id = ui.scope_id().with(("stage-tick", index));
        let response = ui.interact(rect, id, Sense::click());
        let label = tick_label(index, &date_text, &stage.title);
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, label.clone()));
        let current = stage.date.key() <= date
            && project
                .stages
                .get(index + 1)
                .is_none_or(|next| next.date.key() > date);
        let color = if current {
            Color32::from_rgb(0xF0, 0xE4, 0x42)
        } else if response.hovered() {
            Color32::WHITE
        } else {
            Color32::GRAY
        };
        let painter = ui.painter();
        painter.line_segment(
            [pos2(x, strip.top()), pos2(x, strip.top() + 12.0)],
            Stroke::new(if current { 3.0 } else { 2.0 }, color),
        );
        if stage.view.is_some() {
            // A kept view: a small bookmark flag on the tick.
            let top = strip.top();
            painter.add(egui::Shape::convex_polygon(
                vec![
                    pos2(x + 1.0, top),
                    pos2(x + 6.0, top),
                    pos2(x + 6.0, top + 7.0),
                    pos2(x + 3.5, top + 5.0),
                    pos2(x + 1.0, top + 7.0),
                ],
                Color32::from_rgb(0x56, 0xB4, 0xE9),
                Stroke::NONE,
            ));
        }
        let short = stage.date.key().format("%b %y").to_string().to_uppercase();
        let galley = painter.layout_no_wrap(short, egui::FontId::proportional(10.0), color);
        let left = x - galley.size().x / 2.0;
        if left > last_label_right + 4.0 || current {
            last_label_right = left + galley.size().x;
            painter.galley(pos2(left, strip.top() + 14.0), galley, color);
        }
        let kept = if stage.view.is_some() {
            " · a view is kept"
        } else {
            ""
        };
        let response = response.on_hover_text(format!("{date_text}: {}{kept}", stage.title));
        if response.clicked() {
            commands.push(Command::Time(TimeCommand::SetDate(stage.date.key())));
        }
    }
    commands
}
