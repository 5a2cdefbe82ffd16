//! Project files, recovery, editing, figures, measures, the change finder, alignment and the
//! annotation formats.

use std::path::PathBuf;

use sitewatch::analysis::align::AlignError;
use sitewatch::analysis::change::ChangeError;
use sitewatch::analysis::change::cli::CliError;
use sitewatch::analysis::change::geojson::WriteError as ChangesWriteError;
use sitewatch::analysis::change::pair::PairError;
use sitewatch::analysis::measures_cli::MeasuresCliError;
use sitewatch::analysis::measures_csv::MeasuresCsvError;
use sitewatch::editing::edit::EditError;
use sitewatch::export::ExportError;
use sitewatch::export::args::ArgError;
use sitewatch::export::pdf::PdfError;
use sitewatch::export::stage_view::StageViewError;
use sitewatch::export::view::ViewError;
use sitewatch::imagery::raster::RasterError;
use sitewatch::imagery::raster::crs::CrsError;
use sitewatch::imagery::tile_source::TileError;
use sitewatch::interchange::InterchangeError;
use sitewatch::model::FuzzyDate;
use sitewatch::model::io::ProjectError;
use sitewatch::model::recovery::RecoveryError;
use sitewatch::spatial::LonLatBox;

use super::{Case, PATH, URL, check, io_error, json_error, naming, plain};

fn path() -> PathBuf {
    PathBuf::from(PATH)
}

fn csv_error() -> csv::Error {
    let mut reader = csv::Reader::from_reader(&b"a,b\n1\n"[..]);
    reader.records().next().unwrap().unwrap_err()
}

fn project_errors() -> Vec<ProjectError> {
    let origin = || PATH.to_owned();
    vec![
        ProjectError::Read {
            origin: origin(),
            source: io_error(),
        },
        ProjectError::Json {
            origin: origin(),
            line: 1,
            column: 7,
            message: "EOF while parsing an object".into(),
            source: json_error(),
        },
        ProjectError::Invalid {
            origin: origin(),
            what: "stage 2 has no date".into(),
        },
        ProjectError::Serialize {
            origin: origin(),
            source: json_error(),
        },
        ProjectError::ReadOnly { origin: origin() },
        ProjectError::Write {
            origin: origin(),
            source: io_error(),
        },
    ]
}

fn project_case(error: ProjectError) -> Case {
    let what = match &error {
        ProjectError::Read { .. } => "ProjectError::Read",
        ProjectError::Json { .. } => "ProjectError::Json",
        ProjectError::Invalid { .. } => "ProjectError::Invalid",
        ProjectError::Serialize { .. } => "ProjectError::Serialize",
        ProjectError::ReadOnly { .. } => "ProjectError::ReadOnly",
        ProjectError::Write { .. } => "ProjectError::Write",
    };
    naming(what, error, PATH)
}

#[test]
fn project_and_recovery_errors_name_their_file_once() {
    let mut cases: Vec<Case> = project_errors().into_iter().map(project_case).collect();
    for error in [
        RecoveryError::Io {
            origin: PATH.into(),
            source: io_error(),
        },
        RecoveryError::Project(ProjectError::ReadOnly {
            origin: PATH.into(),
        }),
        RecoveryError::Meta {
            origin: PATH.into(),
            source: json_error(),
        },
    ] {
        let what = match &error {
            RecoveryError::Io { .. } => "RecoveryError::Io",
            RecoveryError::Project(_) => "RecoveryError::Project",
            RecoveryError::Meta { .. } => "RecoveryError::Meta",
        };
        cases.push(naming(what, error, PATH));
    }
    let date = "late 2025-13".parse::<FuzzyDate>().unwrap_err();
    cases.push(plain("DateParseError", date));
    let bbox = LonLatBox::try_from([10.0, 5.0, 9.0, 6.0]).unwrap_err();
    cases.push(plain("BadBox", bbox));
    check(&cases);
}

#[test]
fn editing_errors_name_what_they_miss() {
    let id = || "ann-17".to_owned();
    let errors = vec![
        EditError::UnknownAnnotation(id()),
        EditError::DuplicateAnnotation(id()),
        EditError::UnknownCategory(id()),
        EditError::DuplicateCategory(id()),
        EditError::UnknownSource(id()),
        EditError::DuplicateSource(id()),
        EditError::UnknownLayer(id()),
        EditError::DuplicateLayer(id()),
        EditError::UnknownStage(9),
        EditError::UnknownMeasure(id()),
        EditError::DuplicateMeasure(id()),
    ];
    let cases: Vec<Case> = errors
        .into_iter()
        .map(|error| {
            let what = match &error {
                EditError::UnknownAnnotation(_) => "EditError::UnknownAnnotation",
                EditError::DuplicateAnnotation(_) => "EditError::DuplicateAnnotation",
                EditError::UnknownCategory(_) => "EditError::UnknownCategory",
                EditError::DuplicateCategory(_) => "EditError::DuplicateCategory",
                EditError::UnknownSource(_) => "EditError::UnknownSource",
                EditError::DuplicateSource(_) => "EditError::DuplicateSource",
                EditError::UnknownLayer(_) => "EditError::UnknownLayer",
                EditError::DuplicateLayer(_) => "EditError::DuplicateLayer",
                EditError::UnknownStage(_) => "EditError::UnknownStage",
                EditError::UnknownMeasure(_) => "EditError::UnknownMeasure",
                EditError::DuplicateMeasure(_) => "EditError::DuplicateMeasure",
            };
            if matches!(error, EditError::UnknownStage(_)) {
                plain(what, error)
            } else {
                naming(what, error, "ann-17")
            }
        })
        .collect();
    check(&cases);
}

fn tile_error() -> TileError {
    TileError::Http {
        status: 503,
        url: URL.into(),
    }
}

#[test]
fn figure_errors_name_their_file_or_tile_url_once() {
    let mut cases = Vec::new();
    for error in [
        ViewError::Zoom(30.0),
        ViewError::Center {
            lat: 91.0,
            lon: 0.0,
        },
        ViewError::Size(0, 10),
    ] {
        let what = match &error {
            ViewError::Zoom(_) => "ViewError::Zoom",
            ViewError::Center { .. } => "ViewError::Center",
            ViewError::Size(..) => "ViewError::Size",
        };
        cases.push(plain(what, error));
    }
    for error in [
        ArgError::Size("12x".into()),
        ArgError::Center("north".into()),
        ArgError::BBox("1,2".into()),
    ] {
        let what = match &error {
            ArgError::Size(_) => "ArgError::Size",
            ArgError::Center(_) => "ArgError::Center",
            ArgError::BBox(_) => "ArgError::BBox",
        };
        cases.push(plain(what, error));
    }
    for error in [
        StageViewError::NoStage {
            date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            kept: "2025-10-14".into(),
        },
        StageViewError::NoView {
            date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            kept: "none".into(),
        },
    ] {
        let what = match &error {
            StageViewError::NoStage { .. } => "StageViewError::NoStage",
            StageViewError::NoView { .. } => "StageViewError::NoView",
        };
        cases.push(plain(what, error));
    }
    let exports = vec![
        ExportError::Size {
            width: 1,
            height: 1,
        },
        ExportError::View(ViewError::Zoom(30.0)),
        ExportError::Basemap {
            basemap: "OpenStreetMap".into(),
            source: tile_error(),
        },
        ExportError::Tiles {
            layer: "Sentinel-2 2025-06-14".into(),
            failed: 3,
            total: 12,
            source: tile_error(),
        },
        ExportError::Imagery {
            layer: "Sentinel-2 2025-06-14".into(),
            source: tile_error(),
        },
        ExportError::Allocate {
            width: 40_000,
            height: 40_000,
        },
        ExportError::Encode {
            message: "image too large for PNG".into(),
            path: path(),
        },
        ExportError::Write {
            source: io_error(),
            path: path(),
        },
        ExportError::Format {
            path: path(),
            why: "unknown extension".into(),
        },
        ExportError::Panels { count: 1 },
        ExportError::NoStages {
            project: PATH.into(),
        },
        ExportError::Cancelled,
    ];
    for error in exports {
        let (what, names) = match &error {
            ExportError::Size { .. } => ("ExportError::Size", None),
            ExportError::View(_) => ("ExportError::View", None),
            ExportError::Basemap { .. } => ("ExportError::Basemap", Some(URL)),
            ExportError::Tiles { .. } => ("ExportError::Tiles", Some(URL)),
            ExportError::Imagery { .. } => ("ExportError::Imagery", Some(URL)),
            ExportError::Allocate { .. } => ("ExportError::Allocate", None),
            ExportError::Encode { .. } => ("ExportError::Encode", Some(PATH)),
            ExportError::Write { .. } => ("ExportError::Write", Some(PATH)),
            ExportError::Format { .. } => ("ExportError::Format", Some(PATH)),
            ExportError::Panels { .. } => ("ExportError::Panels", None),
            ExportError::NoStages { .. } => ("ExportError::NoStages", Some(PATH)),
            ExportError::Cancelled => ("ExportError::Cancelled", None),
        };
        cases.push(match names {
            Some(names) => naming(what, error, names),
            None => plain(what, error),
        });
    }
    let svg = resvg::usvg::Error::NotAnUtf8Str;
    for error in [PdfError::Svg(svg), PdfError::Convert("no page".into())] {
        let what = match &error {
            PdfError::Svg(_) => "PdfError::Svg",
            PdfError::Convert(_) => "PdfError::Convert",
        };
        cases.push(plain(what, error));
    }
    check(&cases);
}

#[test]
fn measures_errors_name_their_csv_once() {
    let mut cases = Vec::new();
    let csv_errors = || {
        vec![
            MeasuresCsvError::Encode(csv_error()),
            MeasuresCsvError::Write {
                path: path(),
                source: io_error(),
            },
            MeasuresCsvError::Csv {
                line: 3,
                source: csv_error(),
            },
            MeasuresCsvError::Header {
                expected: "measure,date,value".into(),
                found: "a,b".into(),
            },
            MeasuresCsvError::Field {
                line: 4,
                column: "value",
                text: "lots".into(),
                why: "not a number".into(),
            },
        ]
    };
    for error in csv_errors() {
        let (what, names) = match &error {
            MeasuresCsvError::Encode(_) => ("MeasuresCsvError::Encode", None),
            MeasuresCsvError::Write { .. } => ("MeasuresCsvError::Write", Some(PATH)),
            MeasuresCsvError::Csv { .. } => ("MeasuresCsvError::Csv", None),
            MeasuresCsvError::Header { .. } => ("MeasuresCsvError::Header", None),
            MeasuresCsvError::Field { .. } => ("MeasuresCsvError::Field", None),
        };
        cases.push(match names {
            Some(names) => naming(what, error, names),
            None => plain(what, error),
        });
    }
    for error in [
        MeasuresCliError::Project(ProjectError::ReadOnly {
            origin: PATH.into(),
        }),
        MeasuresCliError::Csv(MeasuresCsvError::Write {
            path: path(),
            source: io_error(),
        }),
        MeasuresCliError::CsvIsFolder(path()),
        MeasuresCliError::Stdout(io_error()),
    ] {
        let (what, names) = match &error {
            MeasuresCliError::Project(_) => ("MeasuresCliError::Project", Some(PATH)),
            MeasuresCliError::Csv(_) => ("MeasuresCliError::Csv", Some(PATH)),
            MeasuresCliError::CsvIsFolder(_) => ("MeasuresCliError::CsvIsFolder", Some(PATH)),
            MeasuresCliError::Stdout(_) => ("MeasuresCliError::Stdout", None),
        };
        cases.push(match names {
            Some(names) => naming(what, error, names),
            None => plain(what, error),
        });
    }
    check(&cases);
}

fn raster_missing() -> RasterError {
    RasterError::Missing { path: path() }
}

fn change_errors() -> Vec<ChangeError> {
    vec![
        ChangeError::GridMismatch,
        ChangeError::NoOverlap { within_area: true },
        ChangeError::TooFewPixels {
            valid: 3,
            total: 4000,
        },
        ChangeError::NotARaster {
            layer: "esri-2025".into(),
        },
        ChangeError::Offset {
            layer: "esri-2025".into(),
        },
        ChangeError::Raster(raster_missing()),
        ChangeError::Pair(PairError::AmbiguousTrack {
            tracks: "Sentinel-2, Esri Wayback".into(),
        }),
        ChangeError::Cancelled,
    ]
}

fn change_case(error: ChangeError) -> Case {
    let (what, names) = match &error {
        ChangeError::GridMismatch => ("ChangeError::GridMismatch", None),
        ChangeError::NoOverlap { .. } => ("ChangeError::NoOverlap", None),
        ChangeError::TooFewPixels { .. } => ("ChangeError::TooFewPixels", None),
        ChangeError::NotARaster { .. } => ("ChangeError::NotARaster", Some("esri-2025")),
        ChangeError::Offset { .. } => ("ChangeError::Offset", Some("esri-2025")),
        ChangeError::Raster(_) => ("ChangeError::Raster", Some(PATH)),
        ChangeError::Pair(_) => ("ChangeError::Pair", None),
        ChangeError::Cancelled => ("ChangeError::Cancelled", None),
    };
    match names {
        Some(names) => naming(what, error, names),
        None => plain(what, error),
    }
}

#[test]
fn change_finder_and_alignment_errors_name_their_file_or_layer_once() {
    let mut cases: Vec<Case> = change_errors().into_iter().map(change_case).collect();
    let pairs = vec![
        PairError::Backwards {
            from: "2025-10-14".into(),
            to: "2025-06-01".into(),
        },
        PairError::NoLayerAt {
            date: "2025-06-01".into(),
            tracks: "Sentinel-2".into(),
        },
        PairError::AmbiguousTrack {
            tracks: "Sentinel-2, Esri Wayback".into(),
        },
        PairError::UnknownTrack {
            name: "Landsat".into(),
            tracks: "Sentinel-2".into(),
        },
        PairError::TrackHasNoLayerAt {
            track: "Sentinel-2".into(),
            date: "2025-06-01".into(),
        },
        PairError::SameLayer {
            layer: "esri-2025".into(),
            track: "Esri Wayback".into(),
        },
    ];
    for error in pairs {
        let what = match &error {
            PairError::Backwards { .. } => "PairError::Backwards",
            PairError::NoLayerAt { .. } => "PairError::NoLayerAt",
            PairError::AmbiguousTrack { .. } => "PairError::AmbiguousTrack",
            PairError::UnknownTrack { .. } => "PairError::UnknownTrack",
            PairError::TrackHasNoLayerAt { .. } => "PairError::TrackHasNoLayerAt",
            PairError::SameLayer { .. } => "PairError::SameLayer",
        };
        cases.push(plain(what, error));
    }
    let date_error = "someday".parse::<FuzzyDate>().unwrap_err();
    let clis = vec![
        CliError::Project(ProjectError::ReadOnly {
            origin: PATH.into(),
        }),
        CliError::Date {
            which: "from",
            source: date_error,
        },
        CliError::BBox(ArgError::BBox("1,2".into())),
        CliError::Sensitivity(2.0),
        CliError::MinArea(-1.0),
        CliError::MaskRead {
            source: io_error(),
            path: path(),
        },
        CliError::Mask {
            reason: "a LineString".into(),
            path: path(),
        },
        CliError::Change(ChangeError::Raster(raster_missing())),
        CliError::Write(ChangesWriteError {
            source: io_error(),
            path: path(),
        }),
    ];
    for error in clis {
        let (what, names) = match &error {
            CliError::Project(_) => ("CliError::Project", Some(PATH)),
            CliError::Date { .. } => ("CliError::Date", None),
            CliError::BBox(_) => ("CliError::BBox", None),
            CliError::Sensitivity(_) => ("CliError::Sensitivity", None),
            CliError::MinArea(_) => ("CliError::MinArea", None),
            CliError::MaskRead { .. } => ("CliError::MaskRead", Some(PATH)),
            CliError::Mask { .. } => ("CliError::Mask", Some(PATH)),
            CliError::Change(_) => ("CliError::Change", Some(PATH)),
            CliError::Write(_) => ("CliError::Write", Some(PATH)),
        };
        cases.push(match names {
            Some(names) => naming(what, error, names),
            None => plain(what, error),
        });
    }
    let aligns = vec![
        AlignError::UnknownLayer("esri-2025".into()),
        AlignError::SameLayer("esri-2025".into()),
        AlignError::NoOverlap,
        AlignError::TooSmall {
            width: 4,
            height: 9,
            min: 32,
        },
        AlignError::Featureless {
            std_dn: 0.2,
            layer: "esri-2025".into(),
        },
        AlignError::NoClearPeak {
            peak_to_noise: 1.5,
            min: 4.0,
        },
        AlignError::Layers(ChangeError::Raster(raster_missing())),
    ];
    for error in aligns {
        let (what, names) = match &error {
            AlignError::UnknownLayer(_) => ("AlignError::UnknownLayer", Some("esri-2025")),
            AlignError::SameLayer(_) => ("AlignError::SameLayer", Some("esri-2025")),
            AlignError::NoOverlap => ("AlignError::NoOverlap", None),
            AlignError::TooSmall { .. } => ("AlignError::TooSmall", None),
            AlignError::Featureless { .. } => ("AlignError::Featureless", Some("esri-2025")),
            AlignError::NoClearPeak { .. } => ("AlignError::NoClearPeak", None),
            AlignError::Layers(_) => ("AlignError::Layers", Some(PATH)),
        };
        cases.push(match names {
            Some(names) => naming(what, error, names),
            None => plain(what, error),
        });
    }
    check(&cases);
}

fn interchange_errors() -> Vec<InterchangeError> {
    let origin = || PATH.to_owned();
    vec![
        InterchangeError::Read {
            origin: origin(),
            source: io_error(),
        },
        InterchangeError::Write {
            origin: origin(),
            source: io_error(),
        },
        InterchangeError::Json {
            origin: origin(),
            line: 1,
            column: 7,
            source: json_error(),
        },
        InterchangeError::Kml {
            origin: origin(),
            source: kml::Error::InvalidInput("no <kml> root".into()),
        },
        InterchangeError::Invalid {
            origin: origin(),
            what: "no features".into(),
        },
        InterchangeError::UnsupportedCrs {
            origin: origin(),
            crs: "EPSG:32652".into(),
        },
        InterchangeError::Malformed {
            origin: origin(),
            format: "CSV",
            what: "no latitude column".into(),
        },
        InterchangeError::Csv {
            origin: origin(),
            source: csv_error(),
        },
        InterchangeError::Gpx {
            origin: origin(),
            source: gpx::errors::GpxError::InvalidChildElement("wpt".into(), "trk"),
        },
        InterchangeError::Zip {
            origin: origin(),
            source: zip::result::ZipError::InvalidArchive("no end of central directory".into()),
        },
        InterchangeError::GeoPackage {
            origin: origin(),
            source: rusqlite::Error::QueryReturnedNoRows,
        },
        InterchangeError::Shapefile {
            origin: origin(),
            source: shapefile::Error::InvalidFileCode(17),
        },
        InterchangeError::UnknownEncoding { origin: origin() },
        InterchangeError::Projection {
            origin: origin(),
            source: CrsError::Unsupported {
                name: "Bonne".into(),
                reason: "no such projection in proj4rs".into(),
            },
        },
        InterchangeError::ExportUnsupported {
            origin: origin(),
            format: "CSV",
        },
        InterchangeError::UnknownFormat { origin: origin() },
    ]
}

#[test]
fn annotation_format_errors_name_their_file_once() {
    let cases: Vec<Case> = interchange_errors()
        .into_iter()
        .map(|error| {
            let what = match &error {
                InterchangeError::Read { .. } => "InterchangeError::Read",
                InterchangeError::Write { .. } => "InterchangeError::Write",
                InterchangeError::Json { .. } => "InterchangeError::Json",
                InterchangeError::Kml { .. } => "InterchangeError::Kml",
                InterchangeError::Invalid { .. } => "InterchangeError::Invalid",
                InterchangeError::UnsupportedCrs { .. } => "InterchangeError::UnsupportedCrs",
                InterchangeError::Malformed { .. } => "InterchangeError::Malformed",
                InterchangeError::Csv { .. } => "InterchangeError::Csv",
                InterchangeError::Gpx { .. } => "InterchangeError::Gpx",
                InterchangeError::Zip { .. } => "InterchangeError::Zip",
                InterchangeError::GeoPackage { .. } => "InterchangeError::GeoPackage",
                InterchangeError::Shapefile { .. } => "InterchangeError::Shapefile",
                InterchangeError::UnknownEncoding { .. } => "InterchangeError::UnknownEncoding",
                InterchangeError::Projection { .. } => "InterchangeError::Projection",
                InterchangeError::ExportUnsupported { .. } => "InterchangeError::ExportUnsupported",
                InterchangeError::UnknownFormat { .. } => "InterchangeError::UnknownFormat",
            };
            naming(what, error, PATH)
        })
        .collect();
    check(&cases);
}
