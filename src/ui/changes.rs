//! The Find changes window's form: dates A and B, the track, the area of interest, the minimum
//! area, the sensitivity and the areas left out; Find, the run's progress with Cancel, and why
//! a run failed. The review of what it found is `changes_review`.

use egui::{Color32, RichText, Ui};
use geo::Polygon;

use crate::analysis::change::ChangeOptions;
use crate::analysis::change::options::{DEFAULT_MIN_AREA_M2, DEFAULT_SENSITIVITY, threshold_sigma};
use crate::command::{ChangesCommand, ChangesRequest, Command};
use crate::model::{FuzzyDate, Project, Shape};
use crate::spatial::LonLatBox;

/// Accessible label of the date A field.
pub const FROM_LABEL: &str = "Changes from";
/// Accessible label of the date B field.
pub const TO_LABEL: &str = "Changes to";
/// Accessible label of the track combo box.
pub const TRACK_LABEL: &str = "Track to compare";
/// Accessible label of the sensitivity slider.
pub const SENSITIVITY_LABEL: &str = "Sensitivity";
/// Accessible label of the minimum area field.
pub const MIN_AREA_LABEL: &str = "Minimum area (m²)";
/// Accessible label of the combo box of the areas left out.
pub const MASK_LABEL: &str = "Areas left out";
/// Accessible label of the button that starts a run.
pub const FIND_LABEL: &str = "Find";
/// Accessible label of the button that stops a run.
pub const CANCEL_LABEL: &str = "Cancel find";
/// Accessible label of the button that resets the dates to the map's A and B.
pub const DATES_FROM_MAP_LABEL: &str = "Dates from the map";
/// The choice of the track combo box that lets the finder choose.
const ANY_TRACK: &str = "The one with layers at both dates";

/// Where the area of interest comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AreaChoice {
    /// The map's view as it is.
    #[default]
    View,
    /// Everywhere the two layers overlap.
    Overlap,
}

/// The form's fields between frames.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangesForm {
    /// Date A as typed.
    pub from: String,
    /// Date B as typed.
    pub to: String,
    /// The track (`None`: the finder chooses the one with layers at both dates).
    pub track: Option<String>,
    /// The area of interest.
    pub area: AreaChoice,
    /// Smallest region reported, m².
    pub min_area_m2: f64,
    /// 0–1 (see [`ChangeOptions::sensitivity`]).
    pub sensitivity: f64,
    /// Leave out the areas drawn in this category (clouds, shadows).
    pub mask_category: Option<String>,
    /// Why the last Find could not start (a bad date), until the next one.
    pub problem: Option<String>,
}

impl Default for ChangesForm {
    fn default() -> Self {
        Self {
            from: String::new(),
            to: String::new(),
            track: None,
            area: AreaChoice::default(),
            min_area_m2: DEFAULT_MIN_AREA_M2,
            sensitivity: DEFAULT_SENSITIVITY,
            mask_category: None,
            problem: None,
        }
    }
}

/// Where a run stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FindStatus {
    /// Nothing run yet.
    #[default]
    Idle,
    /// Running on a worker: the fraction done and what it does now.
    Running {
        /// 0–1.
        fraction: f32,
        /// "reading both layers onto one grid" …
        stage: String,
    },
    /// The last run finished with this many candidates.
    Done(usize),
    /// The last run was cancelled.
    Cancelled,
    /// The last run failed: why (the whole chain).
    Failed(String),
}

/// What the form needs from the app each frame.
pub struct FormView<'a> {
    /// The project.
    pub project: &'a Project,
    /// The tracks that can be compared, by name.
    pub tracks: &'a [String],
    /// The map's view, for the area of interest.
    pub view_box: Option<LonLatBox>,
    /// Date A and B of the map, for "Dates from the map".
    pub map_dates: (FuzzyDate, FuzzyDate),
    /// The run's state.
    pub status: &'a FindStatus,
}

fn labelled(response: &egui::Response, role: egui::Role, label: &str) {
    response.widget_info(|| egui::WidgetInfo::labeled(role, true, label));
}

/// The polygons of annotations in `category`: the areas a run leaves out.
#[must_use]
pub fn mask_polygons(project: &Project, category: &str) -> Vec<Polygon<f64>> {
    project
        .annotations
        .iter()
        .filter(|a| a.category == category)
        .filter_map(|a| match &a.shape {
            Shape::Polygon(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

/// The request the form describes, or why it cannot run.
pub fn request(form: &ChangesForm, view: &FormView<'_>) -> Result<ChangesRequest, String> {
    let date = |which: &str, text: &str| {
        text.trim()
            .parse::<FuzzyDate>()
            .map_err(|e| format!("date {which}: {e}"))
    };
    let from = date("A", &form.from)?;
    let to = date("B", &form.to)?;
    let area_of_interest = match form.area {
        AreaChoice::Overlap => None,
        AreaChoice::View => Some(
            view.view_box
                .ok_or_else(|| "the map has not been drawn yet: no view to look in".to_owned())?,
        ),
    };
    let exclude = form
        .mask_category
        .as_deref()
        .map(|k| mask_polygons(view.project, k))
        .unwrap_or_default();
    Ok(ChangesRequest {
        from,
        to,
        track: form.track.clone(),
        options: ChangeOptions {
            area_of_interest,
            min_area_m2: form.min_area_m2.max(0.0),
            sensitivity: form.sensitivity.clamp(0.0, 1.0),
            exclude,
        },
    })
}

fn date_row(ui: &mut Ui, label: &str, name: &str, text: &mut String) {
    ui.horizontal(|ui| {
        ui.label(name);
        let edit = ui.add(
            egui::TextEdit::singleline(text)
                .desired_width(110.0)
                .hint_text("2025-07, summer 2025 …"),
        );
        labelled(&edit, egui::Role::TextInput, label);
    });
}

fn options_ui(ui: &mut Ui, form: &mut ChangesForm, view: &FormView<'_>) {
    ui.horizontal(|ui| {
        ui.label("Track");
        let shown = form.track.as_deref().unwrap_or(ANY_TRACK).to_owned();
        let inner = egui::ComboBox::from_id_salt(TRACK_LABEL)
            .selected_text(shown)
            .width(220.0)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(form.track.is_none(), ANY_TRACK)
                    .clicked()
                {
                    form.track = None;
                }
                for name in view.tracks {
                    let chosen = form.track.as_deref() == Some(name.as_str());
                    if ui.selectable_label(chosen, name).clicked() {
                        form.track = Some(name.clone());
                    }
                }
            });
        labelled(&inner.response, egui::Role::ComboBox, TRACK_LABEL);
    });
    ui.horizontal(|ui| {
        ui.label("Look in");
        ui.radio_value(&mut form.area, AreaChoice::View, "the map's view");
        ui.radio_value(&mut form.area, AreaChoice::Overlap, "the whole overlap");
    });
    ui.horizontal(|ui| {
        ui.label("Smallest");
        let drag = ui.add(
            egui::DragValue::new(&mut form.min_area_m2)
                .range(0.0..=1_000_000.0)
                .speed(10.0)
                .suffix(" m²"),
        );
        labelled(&drag, egui::Role::SpinButton, MIN_AREA_LABEL);
    });
    ui.horizontal(|ui| {
        let text = format!("sensitivity ({:.1} σ)", threshold_sigma(form.sensitivity));
        let slider = ui.add(egui::Slider::new(&mut form.sensitivity, 0.0..=1.0).text(text));
        labelled(&slider, egui::Role::Slider, SENSITIVITY_LABEL);
    });
    ui.horizontal(|ui| {
        ui.label("Leave out");
        let shown = form
            .mask_category
            .as_deref()
            .and_then(|k| view.project.category(k))
            .map_or("nothing (nodata is always left out)", |c| c.name.as_str())
            .to_owned();
        let mask = egui::ComboBox::from_id_salt(MASK_LABEL)
            .selected_text(shown)
            .width(200.0)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(form.mask_category.is_none(), "nothing")
                    .clicked()
                {
                    form.mask_category = None;
                }
                for c in &view.project.categories {
                    let chosen = form.mask_category.as_deref() == Some(c.key.as_str());
                    if ui
                        .selectable_label(chosen, format!("areas drawn as {}", c.name))
                        .clicked()
                    {
                        form.mask_category = Some(c.key.clone());
                    }
                }
            })
            .response
            .on_hover_text(
                "Clouds, shadows, anything known not to matter: draw them as areas of one category",
            );
        labelled(&mask, egui::Role::ComboBox, MASK_LABEL);
    });
}

/// Draws the form and the run's state; returns what the user asked for.
pub fn changes_form_ui(ui: &mut Ui, form: &mut ChangesForm, view: &FormView<'_>) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        date_row(ui, FROM_LABEL, "A", &mut form.from);
        date_row(ui, TO_LABEL, "B", &mut form.to);
        let reset = ui
            .small_button("⟲")
            .on_hover_text("Date A and the slider's date B, as the map compares them");
        labelled(&reset, egui::Role::Button, DATES_FROM_MAP_LABEL);
        if reset.clicked() {
            form.from = view.map_dates.0.to_string();
            form.to = view.map_dates.1.to_string();
        }
    });
    options_ui(ui, form, view);
    let running = matches!(view.status, FindStatus::Running { .. });
    ui.horizontal(|ui| {
        let find = ui.add_enabled(!running, egui::Button::new(RichText::new("Find").strong()));
        labelled(&find, egui::Role::Button, FIND_LABEL);
        if find.clicked() {
            match request(form, view) {
                Ok(r) => {
                    form.problem = None;
                    commands.push(Command::Changes(ChangesCommand::Find(Box::new(r))));
                }
                Err(why) => form.problem = Some(why),
            }
        }
        if let FindStatus::Running { fraction, stage } = view.status {
            ui.add(
                egui::ProgressBar::new(*fraction)
                    .desired_width(150.0)
                    .text(stage.as_str()),
            );
            let cancel = ui.button("Cancel");
            labelled(&cancel, egui::Role::Button, CANCEL_LABEL);
            if cancel.clicked() {
                commands.push(Command::Changes(ChangesCommand::Cancel));
            }
        }
    });
    let warn = |ui: &mut Ui, text: &str| {
        ui.label(RichText::new(text).color(Color32::from_rgb(0xE6, 0x9F, 0x00)));
    };
    if let Some(why) = &form.problem {
        warn(ui, &format!("Cannot run: {why}"));
    }
    match view.status {
        FindStatus::Failed(why) => warn(ui, &format!("The change finder failed: {why}")),
        FindStatus::Cancelled => {
            ui.label(RichText::new("Cancelled.").weak());
        }
        FindStatus::Idle | FindStatus::Running { .. } | FindStatus::Done(_) => {}
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;

    fn view<'a>(project: &'a Project, status: &'a FindStatus) -> FormView<'a> {
        FormView {
            project,
            tracks: &[],
            view_box: LonLatBox::try_from([130.6, 42.4, 130.7, 42.5]).ok(),
            map_dates: ("2025-07".parse().unwrap(), "2025-10".parse().unwrap()),
            status,
        }
    }

    #[test]
    fn a_form_becomes_a_request_with_the_view_as_its_area() {
        let project = load_default_project().unwrap().project;
        let status = FindStatus::Idle;
        let form = ChangesForm {
            from: " 2025-07 ".to_owned(),
            to: "2025-10".to_owned(),
            sensitivity: 3.0,
            ..ChangesForm::default()
        };
        let r = request(&form, &view(&project, &status)).unwrap();
        assert_eq!(r.from.to_string(), "2025-07");
        assert_eq!(r.options.area_of_interest, view(&project, &status).view_box);
        assert!((r.options.sensitivity - 1.0).abs() < 1e-12, "clamped");
        let whole = ChangesForm {
            area: AreaChoice::Overlap,
            ..form.clone()
        };
        assert_eq!(
            request(&whole, &view(&project, &status))
                .unwrap()
                .options
                .area_of_interest,
            None
        );
    }

    #[test]
    fn a_bad_date_is_said_before_anything_runs() {
        let project = load_default_project().unwrap().project;
        let status = FindStatus::Idle;
        let form = ChangesForm {
            from: "June".to_owned(),
            to: "2025-10".to_owned(),
            ..ChangesForm::default()
        };
        let why = request(&form, &view(&project, &status)).unwrap_err();
        assert!(why.starts_with("date A:"), "{why}");
    }
}
