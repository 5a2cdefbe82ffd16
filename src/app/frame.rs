//! One frame of the window: the panels and the map laid out, keys read, commands applied.

use std::time::Duration;

use egui::{Color32, Key, Modifiers, RichText};

use super::SitewatchApp;
use crate::command::{Command, CompareCommand, CompareSide, TimeCommand, ViewCommand};
use crate::model::timeline::next_stage_date;
use crate::spatial::coords::format_lat_lon;
use crate::ui::annotations::{PanelView, annotations_ui};
use crate::ui::compare_bar::compare_bar_ui;
use crate::ui::file_menu::FileMenu;
use crate::ui::map_edit::EditView;
use crate::ui::map_view::{
    CompareContent, DateContent, LayerLine, MapContent, PaneContent, fit, map_ui,
};
use crate::ui::tools::tools_ui;
use crate::ui::{timeline::timeline_ui, top_bar::top_bar_ui};

impl SitewatchApp {
    fn play_tick(&mut self, ctx: &egui::Context) {
        let Some(last) = self.playing_since_step else {
            return;
        };
        let now = ctx.input(|i| i.time);
        if now - last >= 1.0 {
            match next_stage_date(&self.project, self.date) {
                Some(d) => {
                    self.date = d;
                    self.playing_since_step = Some(now);
                }
                None => self.playing_since_step = None,
            }
        }
        ctx.request_repaint_after(Duration::from_millis(100));
    }

    fn keyboard(&mut self, ctx: &egui::Context, map_focused: bool) -> Vec<Command> {
        let free = map_focused || ctx.memory(|m| m.focused().is_none());
        // Editing keys work unless a text field takes the keys: a focused button (arrow keys
        // move the focus between widgets) must not block the tool shortcuts.
        let mut out = self.changes_keys(ctx);
        out.extend(self.editing_keys(ctx, !ctx.text_edit_focused()));
        if !free {
            return out;
        }
        out.extend(self.align_keys(ctx));
        out.extend(Self::find_imagery_keys(ctx));
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::ArrowRight) {
                out.push(Command::Time(TimeCommand::NextStage));
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                out.push(Command::Time(TimeCommand::PreviousStage));
            }
            if i.consume_key(Modifiers::NONE, Key::Space) {
                out.push(Command::Time(TimeCommand::TogglePlay));
            }
            if i.consume_key(Modifiers::NONE, Key::S) {
                out.push(Command::Compare(CompareCommand::ToggleSwipe));
            }
        });
        out
    }

    /// The window title: the project, its file, and "•" while there are unsaved changes.
    #[must_use]
    pub fn title(&self) -> String {
        let file = self.project_path.as_ref().map_or_else(
            || "not saved to a file".to_owned(),
            |p| p.display().to_string(),
        );
        let unsaved = if self.history.is_dirty() { "• " } else { "" };
        format!("{unsaved}Sitewatch — {} ({file})", self.project.name)
    }

    /// What is still loading (basemap tiles, layers opening or loading tiles), one line each:
    /// a screenshot waits for none, and the frame benchmark for a loaded layer.
    #[must_use]
    pub fn pending_work(&self) -> Vec<String> {
        let mut pending: Vec<String> = self
            .tiles
            .iter()
            .filter(|t| t.pending() > 0)
            .map(|t| format!("{} tile(s) of {}", t.pending(), t.source().name()))
            .collect();
        pending.extend(self.imagery.pending(&self.shown_layers()));
        pending
    }

    /// Draws one frame and applies what the user asked for.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let mut commands: Vec<Command> = Vec::new();
        self.files_frame(&ctx, &mut commands);
        self.sync_imagery(&ctx);
        commands.extend(self.poll_imagery_dialog());
        commands.extend(Self::dropped_imagery(&ctx));
        commands.extend(self.export_frame(&ctx));
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.title()));
        let (scene, index) = self.scene_parts();
        let file_menu = FileMenu {
            recent: &self.prefs.recent_files,
            undo: self.history.undo_label(),
            redo: self.history.redo_label(),
            autosave_interval_s: self.prefs.autosave_interval_s,
        };

        egui::Panel::top("menu").show(ui, |ui| {
            commands.extend(top_bar_ui(
                ui,
                self.prefs.basemap,
                self.prefs.side_panel_open,
                self.prefs.figure_frame,
                self.loupe.is_on(),
                self.project.label_language.as_deref(),
                &mut self.prefs.map_text_scale,
                &file_menu,
            ));
        });
        if !self.messages.is_empty() {
            egui::Panel::top("messages").show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    for m in &self.messages {
                        ui.label(
                            RichText::new(format!("⚠ {m}"))
                                .color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
                        );
                    }
                    if ui.button("Dismiss").clicked() {
                        commands.push(Command::View(ViewCommand::DismissMessage));
                    }
                });
            });
        }
        egui::Panel::bottom("timeline")
            .resizable(false)
            .show(ui, |ui| {
                ui.add_space(4.0);
                commands.extend(timeline_ui(ui, &self.project, &scene, self.is_playing()));
                ui.add_space(2.0);
                let bar = self.compare_bar();
                commands.extend(compare_bar_ui(ui, &bar));
                ui.add_space(2.0);
            });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                match self.hover {
                    Some(c) => ui.monospace(format_lat_lon(c, 6)),
                    None => ui.monospace("move the pointer over the map for coordinates"),
                };
                if let Some((layer, values)) = self.hover.and_then(|c| self.values_under(c)) {
                    ui.separator();
                    ui.monospace(format!("{layer} · {}", values.readout()))
                        .on_hover_text(
                            "the raw values of the pixel under the pointer, as the file holds them",
                        );
                }
                ui.separator();
                ui.monospace(format!("zoom {:.1}", self.zoom));
                ui.separator();
                ui.label(format!(
                    "{} — {}",
                    self.editor.tool().name(),
                    self.editor
                        .measure_text()
                        .unwrap_or_else(|| self.editor.tool().help())
                ));
            });
        });
        if self.prefs.side_panel_open {
            egui::Panel::right("annotations")
                .resizable(true)
                .default_size(300.0)
                .show(ui, |ui| {
                    let view = PanelView {
                        project: &self.project,
                        scene: &scene,
                        scene_version: self.scene_cache.map_version(),
                        selected: self.selected.as_deref(),
                    };
                    commands.extend(annotations_ui(
                        ui,
                        &view,
                        &mut self.inspector,
                        &mut self.list_order,
                    ));
                });
        }
        if self.prefs.layers_panel_open {
            egui::Panel::left("layers")
                .resizable(true)
                .default_size(270.0)
                .show(ui, |ui| {
                    commands.extend(crate::ui::layers::layers_ui(
                        ui,
                        &self.project,
                        &self.imagery,
                        self.date,
                    ));
                });
        }
        egui::Panel::left("tools")
            .resizable(false)
            .exact_size(52.0)
            .show(ui, |ui| {
                commands.extend(tools_ui(
                    ui,
                    self.editor.tool(),
                    self.history.undo_label(),
                    self.history.redo_label(),
                ));
            });
        let layer_line = self.tiles.as_ref().map(|t| {
            let s = t.status();
            LayerLine {
                name: t.source().name().to_owned(),
                loading: s.loading,
                failed: s.failed,
                last_error: s.last_error,
            }
        });
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.map_size = ui.available_size();
                // Before the map: Alt+wheel is the loupe's, not the map's zoom.
                commands.extend(self.loupe_input(&ctx));
                if let Some(bbox) = self.fit_request.take() {
                    fit(&mut self.memory, &bbox, ui.available_size());
                }
                let dates = self.map_dates(&ctx);
                let view = EditView {
                    project: &self.project,
                    scene: &scene,
                    index: &index,
                    selected: self.selected.as_deref(),
                    date: self.date,
                };
                let frame = self.prefs.figure_frame.then(|| self.figure_frame());
                let wanted: Vec<(String, f32)> = dates
                    .shown
                    .iter()
                    .chain(dates.a.as_ref().map_or(&[][..], |a| &a.shown[..]))
                    .chain(dates.middle.iter().flat_map(|m| m.shown.iter()))
                    .cloned()
                    .collect();
                let tag_b = self.side_tag(CompareSide::B, &scene);
                let tiles = self.imagery.draw_list(&wanted);
                let ready = |list: &[(String, f32)]| -> Vec<(String, f32)> {
                    list.iter()
                        .filter(|(id, _)| tiles.iter().any(|(t, _, _)| t == id))
                        .cloned()
                        .collect()
                };
                let shown = ready(&dates.shown);
                let shown_a = dates.a.as_ref().map(|a| ready(&a.shown));
                let shown_middle: Vec<Vec<(String, f32)>> =
                    dates.middle.iter().map(|m| ready(&m.shown)).collect();
                let middle: Vec<PaneContent<'_>> = dates
                    .middle
                    .iter()
                    .zip(&shown_middle)
                    .map(|(m, imagery)| PaneContent {
                        date: DateContent {
                            scene: &m.scene,
                            index: &m.index,
                            scene_version: m.version,
                            imagery,
                        },
                        tag: m.tag.clone(),
                    })
                    .collect();
                let compare = dates
                    .a
                    .as_ref()
                    .zip(shown_a.as_deref())
                    .zip(dates.draw)
                    .map(|((a, imagery), draw)| CompareContent {
                        date: DateContent {
                            scene: &a.scene,
                            index: &a.index,
                            scene_version: a.version,
                            imagery,
                        },
                        draw,
                        tags: [a.tag.clone(), tag_b.clone()],
                        middle: &middle,
                    });
                let content = MapContent {
                    scene: &scene,
                    // The figure frame shows the date and caption; the bare map does not.
                    scene_version: dates.version,
                    px_scale: self.prefs.map_text_scale,
                    layer: layer_line.as_ref(),
                    frame: frame.as_ref(),
                    text: &self.text,
                    imagery: &shown,
                    compare: compare.as_ref(),
                };
                let out = map_ui(
                    ui,
                    self.tiles.as_mut(),
                    tiles,
                    &mut self.memory,
                    &self.project.home,
                    &content,
                    &mut self.editor,
                    &view,
                    &mut self.list_cache,
                );
                self.hover = out.hover_lonlat;
                self.frame_box = out.frame_box;
                self.paint_changes(ui, out.response.rect);
                self.paint_footprints(ui, out.response.rect);
                self.paint_loupe(ui, out.response.rect);
                commands.extend(out.commands);
                commands.extend(crate::ui::map_menu::map_menu_ui(
                    &out.response,
                    out.hover_lonlat,
                ));
                commands.extend(self.align_window(&ctx, out.response.rect, &scene));
                commands.extend(self.keyboard(&ctx, out.response.has_focus()));
            });
        self.zoom = self.memory.zoom();
        commands.extend(self.progress_window(&ctx));
        commands.extend(self.changes_window(&ctx));
        commands.extend(self.find_imagery_window(&ctx));
        commands.extend(self.wayback_window(&ctx));
        commands.extend(self.wmts_window(&ctx));
        commands.extend(self.preferences_window(&ctx));
        self.modals(&ctx, &mut commands);

        // The cached scene must not be shared while commands patch it in place.
        drop(scene);
        drop(index);
        // Commands change what is drawn: show the result at once, not at the next input event.
        if !commands.is_empty() {
            ctx.request_repaint();
        }
        for c in commands {
            self.apply(&ctx, c);
        }
        self.play_tick(&ctx);

        let pending = self.pending_work();
        if let Some(job) = &mut self.screenshot
            && job.frame(&ctx, &pending)
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
