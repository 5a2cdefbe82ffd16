//! The map's context menu (right click): what can be asked about the point clicked.

use egui::Response;
use geo::Coord;

use crate::command::{Command, WaybackCommand};
use crate::spatial::coords::format_lat_lon;

/// Decimals shown for the point (about a metre).
const SHOWN_DECIMALS: usize = 5;
/// Decimals copied (about a decimetre), as "lat, lon" that Google Earth and QGIS paste.
const COPIED_DECIMALS: usize = 6;

/// Label of the menu item that looks for Wayback captures at the point.
pub const WAYBACK_HERE: &str = "Wayback captures here…";
/// Label of the menu item that copies the point's coordinates.
pub const COPY_POINT: &str = "Copy coordinates";

/// The menu on the map's `response`; `hover` is the lon/lat under the pointer this frame, kept
/// as the menu's point when the menu opens.
pub fn map_menu_ui(response: &Response, hover: Option<Coord<f64>>) -> Vec<Command> {
    let id = response.id.with("sitewatch-map-menu-point");
    if response.secondary_clicked()
        && let Some(point) = hover
    {
        response.ctx.data_mut(|d| d.insert_temp(id, point));
    }
    let mut commands = Vec::new();
    response.context_menu(|ui| {
        let Some(point) = ui.ctx().data(|d| d.get_temp::<Coord<f64>>(id)) else {
            ui.close();
            return;
        };
        ui.weak(format_lat_lon(point, SHOWN_DECIMALS));
        if ui.button(COPY_POINT).clicked() {
            ui.ctx().copy_text(format!(
                "{:.COPIED_DECIMALS$}, {:.COPIED_DECIMALS$}",
                point.y, point.x
            ));
            ui.close();
        }
        if ui
            .button(WAYBACK_HERE)
            .on_hover_text("The distinct Esri Wayback captures of the imagery at this point")
            .clicked()
        {
            commands.push(
                WaybackCommand::LookAt {
                    lon: point.x,
                    lat: point.y,
                }
                .into(),
            );
            ui.close();
        }
    });
    commands
}
