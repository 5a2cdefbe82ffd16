//! Imagery layers of a project: dated rasters and tile services.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date::FuzzyDate;
use super::layer_display::LayerDisplay;

/// The exact words that mark generated imagery everywhere (FIGURES.md).
pub const SYNTHETIC_NOTICE: &str = "SYNTHETIC IMAGERY — not an observation";
/// The credit of generated demo imagery, in the credit line like any provider's.
pub const SYNTHETIC_CREDIT: &str = "Synthetic demo imagery, Sitewatch generator";

/// The field of a layer whose pixels span several days (a Wayback view whose corners show other
/// captures than its centre): the last day, `date` being the first. It lives among the flattened
/// fields, so it saves as `"date_until"` beside `"date"` and no constructor changes.
pub const DATE_UNTIL_FIELD: &str = "date_until";

/// Dates read from undated layers' files (a GeoTIFF's `DateTime`), by layer id. The window holds
/// them while it runs and passes them to the timeline and the scene; they are never saved, so
/// reading a file never changes the project (the user keeps a date with an ordinary edit).
pub type FileDates = BTreeMap<String, NaiveDate>;

/// Where a layer's pixels come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerSource {
    /// An XYZ tile service; `{z} {x} {y}` and optionally `{date}`, `{year}`, `{release}` in the URL.
    Tiles {
        /// URL template.
        url: String,
        /// Value substituted for `{release}` (e.g. an Esri Wayback release number).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        release: Option<String>,
        /// Highest zoom the service has.
        #[serde(default = "default_max_zoom")]
        max_zoom: u8,
    },
    /// A georeferenced raster file (GeoTIFF or image + world file), relative to the project file.
    File {
        /// Path, relative to the project file's folder or absolute.
        path: String,
    },
    /// A GeoTIFF on a web server, read with range requests (a cloud-optimized GeoTIFF reads
    /// only the tiles of the overview a view needs): `https://…`, or `s3://bucket/key` and
    /// `gs://bucket/key` read from their public HTTPS endpoints.
    Remote {
        /// The address.
        url: String,
    },
    /// A band composite: three single-band GeoTIFFs on one grid (a STAC item's red, green and
    /// blue COGs, or near-infrared, red and green for false colour) shown as red, green and
    /// blue. Each is an address as [`Self::Remote`] reads, or a path as [`Self::File`] takes.
    Bands {
        /// Shown as red.
        red: String,
        /// Shown as green.
        green: String,
        /// Shown as blue.
        blue: String,
    },
    /// A same-day mosaic: scenes taken the same day (a STAC search's neighbouring granules),
    /// each a [`Self::Remote`], [`Self::Bands`] or [`Self::File`], drawn one over another in
    /// order, later over earlier, as one dated layer.
    Mosaic {
        /// The scenes, the first drawn first.
        scenes: Vec<LayerSource>,
    },
}

impl LayerSource {
    /// A mosaic's first scene (what its layer is named and credited by); any other source
    /// itself.
    #[must_use]
    pub fn first_scene(&self) -> &Self {
        match self {
            Self::Mosaic { scenes } => scenes.first().map_or(self, Self::first_scene),
            _ => self,
        }
    }

    /// The file paths a source reads (a file, a band composite's bands, a mosaic's scenes'),
    /// URLs among them; not a tile service's or a remote file's address.
    pub fn file_locations_mut(&mut self) -> Vec<&mut String> {
        match self {
            Self::File { path } => vec![path],
            Self::Bands { red, green, blue } => vec![red, green, blue],
            Self::Mosaic { scenes } => scenes
                .iter_mut()
                .flat_map(Self::file_locations_mut)
                .collect(),
            Self::Tiles { .. } | Self::Remote { .. } => Vec::new(),
        }
    }
}

fn default_max_zoom() -> u8 {
    19
}

/// A dated imagery layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageryLayer {
    /// Unique within the project.
    pub id: String,
    /// Name shown in the layer panel.
    pub name: String,
    /// Acquisition (or mosaic, or release) date: see `date_kind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<FuzzyDate>,
    /// What `date` means: when the pixels were taken, the year of a mosaic, or when a service
    /// published a version (which says nothing exact about when its pixels were taken).
    #[serde(default, skip_serializing_if = "DateKind::is_acquisition")]
    pub date_kind: DateKind,
    /// What an analyst should know about the layer (licence, how its date was chosen).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Track the layer belongs to ("Sentinel-2", "Planet"); the slider shows one layer per track.
    #[serde(default)]
    pub track: String,
    /// Credit line in the provider's own wording.
    #[serde(default)]
    pub attribution: String,
    /// True for generated demo imagery, which must be marked as not an observation.
    #[serde(default)]
    pub synthetic: bool,
    /// Opacity 0–1.
    #[serde(default = "default_opacity")]
    pub opacity: f32,
    /// Shown or hidden.
    #[serde(default = "default_visible")]
    pub visible: bool,
    /// Where the pixels come from.
    pub source: LayerSource,
    /// A raster's bands and stretch; `None` shows what the file suggests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<LayerDisplay>,
    /// A shift of the layer's pixels in ground metres `[east, north]` (alignment), applied where
    /// the layer is drawn (window, export) and read (the change finder); `None`: as georeferenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_m: Option<[f64; 2]>,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What an imagery layer's date stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// The pixels were taken on (or within) the date.
    #[default]
    Acquisition,
    /// A mosaic of many acquisitions over the date's period (a yearly cloudless mosaic).
    Mosaic,
    /// The day a service published this version; its pixels were taken on or before it.
    Release,
}

impl DateKind {
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference.
    fn is_acquisition(&self) -> bool {
        *self == DateKind::Acquisition
    }
}

impl ImageryLayer {
    /// The layer's date as captions show it: `14 OCT 2025`, `MOSAIC · 2024`,
    /// `RELEASE · 25 SEP 2025`; `None` for an undated layer.
    #[must_use]
    pub fn date_label(&self) -> Option<String> {
        Some(self.label_of(self.date?))
    }

    /// The date the timeline and the scene use: the layer's own, or else the one read from its
    /// file.
    #[must_use]
    pub fn effective_date(&self, file_dates: &FileDates) -> Option<FuzzyDate> {
        self.date
            .or_else(|| file_dates.get(&self.id).map(|&day| FuzzyDate::day(day)))
    }

    /// [`Self::date_label`] of the [`Self::effective_date`].
    #[must_use]
    pub fn effective_date_label(&self, file_dates: &FileDates) -> Option<String> {
        Some(self.label_of(self.effective_date(file_dates)?))
    }

    /// The last day of a layer whose pixels span several days (see [`DATE_UNTIL_FIELD`]).
    #[must_use]
    pub fn date_until(&self) -> Option<FuzzyDate> {
        self.extra.get(DATE_UNTIL_FIELD)?.as_str()?.parse().ok()
    }

    /// Sets or clears the last day of the layer's span.
    pub fn set_date_until(&mut self, until: Option<FuzzyDate>) {
        match until {
            Some(until) => {
                self.extra
                    .insert(DATE_UNTIL_FIELD.to_owned(), until.to_string().into());
            }
            None => {
                self.extra.remove(DATE_UNTIL_FIELD);
            }
        }
    }

    fn label_of(&self, date: FuzzyDate) -> String {
        let mut date = date.display_upper();
        if let Some(until) = self.date_until().map(|u| u.display_upper()) {
            date = format!("{date} – {until}");
        }
        match self.date_kind {
            DateKind::Acquisition => date,
            DateKind::Mosaic => format!("MOSAIC · {date}"),
            DateKind::Release => format!("RELEASE · {date}"),
        }
    }

    /// The layer's shift in ground metres `[east, north]`; zero when it has none.
    #[must_use]
    pub fn offset_or_zero(&self) -> [f64; 2] {
        self.offset_m.unwrap_or([0.0, 0.0])
    }

    /// The file of a [`LayerSource::File`] layer; `None` for a tile service or a remote file.
    #[must_use]
    pub fn file_path(&self) -> Option<&str> {
        match &self.source {
            LayerSource::File { path } => Some(path),
            LayerSource::Tiles { .. }
            | LayerSource::Remote { .. }
            | LayerSource::Bands { .. }
            | LayerSource::Mosaic { .. } => None,
        }
    }

    /// The file of a [`LayerSource::File`] layer, a relative path taken from `base_dir` (the
    /// project file's folder: see `default_project::project_base_dir`); `None` for a tile
    /// service.
    #[must_use]
    pub fn resolved_file_path(&self, base_dir: &std::path::Path) -> Option<std::path::PathBuf> {
        self.file_path().map(|path| base_dir.join(path))
    }
}

fn default_opacity() -> f32 {
    1.0
}

fn default_visible() -> bool {
    true
}
