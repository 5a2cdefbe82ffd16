//! The layer panel's add row: files, a GeoTIFF from a web address, dated services.

use chrono::{Datelike as _, NaiveDate};
use egui::Ui;

use crate::command::{Command, ImageryCommand};
use crate::imagery::dated;

/// Accessible label of the add-files button.
pub const ADD_FILES_LABEL: &str = "Add imagery files…";

/// Accessible label of the menu that adds a GeoTIFF from a web address.
pub const ADD_REMOTE_LABEL: &str = "Add remote GeoTIFF…";

/// Label of the address field in that menu.
pub const REMOTE_URL_LABEL: &str =
    "Address of a GeoTIFF (a cloud-optimized one reads only what the view needs):";

/// The add buttons under the layer list.
pub(super) fn add_ui(ui: &mut Ui, date: NaiveDate, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(ADD_FILES_LABEL)
            .on_hover_text("GeoTIFF, or PNG/JPEG with a world file; or drop files on the window")
            .clicked()
        {
            commands.push(Command::Imagery(ImageryCommand::AddLayerFilesDialog));
        }
        ui.menu_button(ADD_REMOTE_LABEL, |ui| {
            let id = egui::Id::unique("sitewatch-remote-geotiff-url");
            let mut url: String = ui.data_mut(|d| d.get_temp(id)).unwrap_or_default();
            let label = ui.label(REMOTE_URL_LABEL);
            ui.add(
                egui::TextEdit::singleline(&mut url)
                    .hint_text("https://…/scene.tif, s3://bucket/key or gs://bucket/key")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            let layer = crate::imagery::layer_file::layer_for_url(&url);
            if !url.trim().is_empty() && layer.is_none() {
                ui.label("Use an https://, http://, s3:// or gs:// address.");
            }
            if ui
                .add_enabled(layer.is_some(), egui::Button::new("Add"))
                .clicked()
                && let Some(layer) = layer
            {
                commands.push(Command::Imagery(ImageryCommand::AddLayer(Box::new(layer))));
                url.clear();
                ui.close();
            }
            ui.data_mut(|d| d.insert_temp(id, url));
        });
        if ui.button(crate::ui::wmts::OPEN_LABEL).clicked() {
            commands.push(crate::command::WmtsCommand::Toggle.into());
        }
        ui.menu_button("Add dated service", |ui| {
            let year = date.year().clamp(2016, 2024);
            if ui
                .button(format!("Sentinel-2 cloudless {year} (EOX)"))
                .on_hover_text("Yearly cloudless mosaic; the slider's year, 2016–2024")
                .clicked()
                && let Ok(layer) = dated::s2cloudless_layer(year)
            {
                commands.push(Command::Imagery(ImageryCommand::AddLayer(Box::new(layer))));
                ui.close();
            }
            if ui
                .button(format!("NASA HLS {} (GIBS, 30 m)", date.format("%Y-%m-%d")))
                .on_hover_text("Harmonized Landsat Sentinel-2 of the slider's day")
                .clicked()
            {
                commands.push(Command::Imagery(ImageryCommand::AddLayer(Box::new(
                    dated::hls_layer(date),
                ))));
                ui.close();
            }
            if ui
                .button(crate::ui::wayback::LOOK_HERE_LABEL)
                .on_hover_text("The distinct Esri Wayback captures under the view's centre")
                .clicked()
            {
                commands.push(crate::command::WaybackCommand::LookHere.into());
                ui.close();
            }
        });
    });
}
