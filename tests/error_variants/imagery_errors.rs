//! Rasters, remote reads, tiles, PMTiles, STAC, WMTS, Wayback and the synthetic imagery.

use std::path::PathBuf;

use sitewatch::imagery::TileKey;
use sitewatch::imagery::dated::DatedTilesError;
use sitewatch::imagery::pmtiles::{Compression, PmTilesError, TileType};
use sitewatch::imagery::raster::RasterError;
use sitewatch::imagery::raster::crs::CrsError;
use sitewatch::imagery::raster::http_bytes::RemoteError;
use sitewatch::imagery::raster::write::WriteError;
use sitewatch::imagery::stac::StacError;
use sitewatch::imagery::stac::thumbnail::ThumbnailError;
use sitewatch::imagery::synthetic::SyntheticError;
use sitewatch::imagery::tile_source::TileError;
use sitewatch::imagery::wayback::WaybackError;
use sitewatch::imagery::wayback_service::CaptureError;
use sitewatch::imagery::wmts::WmtsError;

use super::{Case, PATH, URL, check, io_error, json_error, naming, plain};

fn path() -> PathBuf {
    PathBuf::from(PATH)
}

fn timeout() -> ureq::Error {
    ureq::Error::Timeout(ureq::Timeout::Global)
}

fn case(
    what: &'static str,
    error: impl std::error::Error + 'static,
    names: Option<&'static str>,
) -> Case {
    match names {
        Some(names) => naming(what, error, names),
        None => plain(what, error),
    }
}

fn crs_error() -> CrsError {
    CrsError::Unsupported {
        name: "Bonne".into(),
        reason: "no such projection in proj4rs".into(),
    }
}

fn remote_errors() -> Vec<RemoteError> {
    vec![
        RemoteError::Status { status: 404 },
        RemoteError::Network {
            message: "connection refused".into(),
        },
        RemoteError::NoRanges {
            host: "127.0.0.1".into(),
            size: "80 MiB".into(),
            limit: 64,
        },
        RemoteError::Malformed {
            message: "Content-Range missing".into(),
        },
        RemoteError::Scheme,
        RemoteError::Token {
            source: StacError::Http {
                status: 500,
                url: "http://127.0.0.1:9/token/sentinel-2-l2a".into(),
            },
        },
        RemoteError::RefusedAfterResign,
    ]
}

#[test]
fn raster_errors_name_their_file_or_url_once() {
    let mut cases = Vec::new();
    let rasters = vec![
        RasterError::Missing { path: path() },
        RasterError::Io {
            source: io_error(),
            path: path(),
        },
        RasterError::NotAnImage {
            message: "no TIFF or PNG signature".into(),
            path: path(),
        },
        RasterError::Corrupt {
            message: "tile 3 is cut short".into(),
            path: path(),
        },
        RasterError::TooLarge {
            what: "a tile",
            width_px: 1 << 20,
            height_px: 1 << 20,
            limit: "1 GiB".into(),
            path: path(),
        },
        RasterError::Unsupported {
            message: "12-bit samples".into(),
            path: path(),
        },
        RasterError::NoGeoreferencing {
            detail: "no GeoKeys".into(),
            path: path(),
        },
        RasterError::Crs {
            source: crs_error(),
            path: path(),
        },
        RasterError::BadWorldFile {
            message: "5 lines, 6 needed".into(),
            path: path(),
        },
        RasterError::BadDisplay {
            message: "band 4 of 3".into(),
            path: path(),
        },
        RasterError::BandGrid {
            detail: "600 × 600 px, the first band 512 × 512 px".into(),
            path: path(),
        },
        RasterError::Cancelled { path: path() },
    ];
    for error in rasters {
        let what = match &error {
            RasterError::Missing { .. } => "RasterError::Missing",
            RasterError::Io { .. } => "RasterError::Io",
            RasterError::NotAnImage { .. } => "RasterError::NotAnImage",
            RasterError::Corrupt { .. } => "RasterError::Corrupt",
            RasterError::TooLarge { .. } => "RasterError::TooLarge",
            RasterError::Unsupported { .. } => "RasterError::Unsupported",
            RasterError::NoGeoreferencing { .. } => "RasterError::NoGeoreferencing",
            RasterError::Crs { .. } => "RasterError::Crs",
            RasterError::BadWorldFile { .. } => "RasterError::BadWorldFile",
            RasterError::BadDisplay { .. } => "RasterError::BadDisplay",
            RasterError::Remote { .. } => "RasterError::Remote",
            RasterError::BandGrid { .. } => "RasterError::BandGrid",
            RasterError::Cancelled { .. } => "RasterError::Cancelled",
        };
        cases.push(naming(what, error, PATH));
    }
    for source in remote_errors() {
        let what = match &source {
            RemoteError::Status { .. } => "RasterError::Remote(RemoteError::Status)",
            RemoteError::Network { .. } => "RasterError::Remote(RemoteError::Network)",
            RemoteError::NoRanges { .. } => "RasterError::Remote(RemoteError::NoRanges)",
            RemoteError::Malformed { .. } => "RasterError::Remote(RemoteError::Malformed)",
            RemoteError::Scheme => "RasterError::Remote(RemoteError::Scheme)",
            RemoteError::Token { .. } => "RasterError::Remote(RemoteError::Token)",
            RemoteError::RefusedAfterResign => {
                "RasterError::Remote(RemoteError::RefusedAfterResign)"
            }
        };
        let error = RasterError::Remote {
            source,
            url: URL.into(),
        };
        cases.push(naming(what, error, URL));
    }
    cases.push(plain("CrsError::Unsupported", crs_error()));
    let tiff = || tiff::TiffError::LimitsExceeded;
    for error in [
        WriteError::Tiff(tiff()),
        WriteError::Spec("no bands".into()),
    ] {
        let what = match &error {
            WriteError::Tiff(_) => "WriteError::Tiff",
            WriteError::Spec(_) => "WriteError::Spec",
        };
        cases.push(plain(what, error));
    }
    let synthetic = vec![
        SyntheticError::NoGrid {
            zone: 61,
            project: PATH.into(),
        },
        SyntheticError::TooLarge {
            pixel_m: 0.1,
            width: 90_000,
            height: 60_000,
            project: PATH.into(),
        },
        SyntheticError::Tiff {
            source: tiff(),
            path: path(),
        },
        SyntheticError::Io {
            source: io_error(),
            path: path(),
        },
    ];
    for error in synthetic {
        let what = match &error {
            SyntheticError::NoGrid { .. } => "SyntheticError::NoGrid",
            SyntheticError::TooLarge { .. } => "SyntheticError::TooLarge",
            SyntheticError::Tiff { .. } => "SyntheticError::Tiff",
            SyntheticError::Io { .. } => "SyntheticError::Io",
        };
        cases.push(naming(what, error, PATH));
    }
    check(&cases);
}

#[test]
fn tile_and_archive_errors_name_their_url_or_file_once() {
    let mut cases = Vec::new();
    let tiles = vec![
        TileError::Http {
            status: 503,
            url: URL.into(),
        },
        TileError::Network {
            message: "timed out".into(),
            url: URL.into(),
        },
        TileError::Decode {
            message: "not a PNG".into(),
            url: URL.into(),
        },
        TileError::OutOfRange(TileKey { z: 25, x: 1, y: 2 }),
        TileError::Local {
            message: "no tile in the archive".into(),
            what: PATH.into(),
        },
    ];
    for error in tiles {
        let (what, names) = match &error {
            TileError::Http { .. } => ("TileError::Http", Some(URL)),
            TileError::Network { .. } => ("TileError::Network", Some(URL)),
            TileError::Decode { .. } => ("TileError::Decode", Some(URL)),
            TileError::OutOfRange(_) => ("TileError::OutOfRange", None),
            TileError::Local { .. } => ("TileError::Local", Some(PATH)),
        };
        cases.push(case(what, error, names));
    }
    let archives = vec![
        PmTilesError::Io {
            source: io_error(),
            path: path(),
        },
        PmTilesError::Truncated {
            what: "root directory",
            path: path(),
        },
        PmTilesError::NotPmTiles { path: path() },
        PmTilesError::Version {
            version: 2,
            path: path(),
        },
        PmTilesError::Vector { path: path() },
        PmTilesError::TileType {
            tile_type: TileType::Unknown,
            path: path(),
        },
        PmTilesError::Compression {
            what: "tile",
            compression: Compression::Brotli,
            path: path(),
        },
        PmTilesError::Corrupt {
            message: "directory entry past the end".into(),
            path: path(),
        },
    ];
    for error in archives {
        let what = match &error {
            PmTilesError::Io { .. } => "PmTilesError::Io",
            PmTilesError::Truncated { .. } => "PmTilesError::Truncated",
            PmTilesError::NotPmTiles { .. } => "PmTilesError::NotPmTiles",
            PmTilesError::Version { .. } => "PmTilesError::Version",
            PmTilesError::Vector { .. } => "PmTilesError::Vector",
            PmTilesError::TileType { .. } => "PmTilesError::TileType",
            PmTilesError::Compression { .. } => "PmTilesError::Compression",
            PmTilesError::Corrupt { .. } => "PmTilesError::Corrupt",
        };
        cases.push(naming(what, error, PATH));
    }
    let dated = vec![
        DatedTilesError::NotTiles {
            layer: "esri-2025".into(),
        },
        DatedTilesError::MissingValue {
            placeholder: "release".into(),
            why: "the layer has no release".into(),
            layer: "esri-2025".into(),
        },
        DatedTilesError::BadTemplate {
            layer: "esri-2025".into(),
        },
        DatedTilesError::NoSuchYear { year: 2031 },
    ];
    for error in dated {
        let (what, names) = match &error {
            DatedTilesError::NotTiles { .. } => ("DatedTilesError::NotTiles", Some("esri-2025")),
            DatedTilesError::MissingValue { .. } => {
                ("DatedTilesError::MissingValue", Some("esri-2025"))
            }
            DatedTilesError::BadTemplate { .. } => {
                ("DatedTilesError::BadTemplate", Some("esri-2025"))
            }
            DatedTilesError::NoSuchYear { .. } => ("DatedTilesError::NoSuchYear", None),
        };
        cases.push(case(what, error, names));
    }
    check(&cases);
}

#[test]
fn catalogue_and_service_errors_name_their_url_once() {
    let mut cases = Vec::new();
    let stac = || {
        vec![
            StacError::Network {
                source: timeout(),
                url: URL.into(),
            },
            StacError::Http {
                status: 500,
                url: URL.into(),
            },
            StacError::Json {
                line: 1,
                column: 7,
                source: json_error(),
                origin: URL.into(),
            },
            StacError::Io {
                source: io_error(),
                path: PathBuf::from(URL),
            },
            StacError::NotStac {
                what: "no \"type\"".into(),
                origin: URL.into(),
            },
            StacError::NoUsableAsset {
                item_id: "S2B_52TGN".into(),
                wanted: "visual".into(),
                origin: URL.into(),
            },
            StacError::NoDate {
                item_id: "S2B_52TGN".into(),
                origin: URL.into(),
            },
            StacError::TokenExpired { url: URL.into() },
        ]
    };
    for error in stac() {
        let what = match &error {
            StacError::Network { .. } => "StacError::Network",
            StacError::Http { .. } => "StacError::Http",
            StacError::Json { .. } => "StacError::Json",
            StacError::Io { .. } => "StacError::Io",
            StacError::NotStac { .. } => "StacError::NotStac",
            StacError::NoUsableAsset { .. } => "StacError::NoUsableAsset",
            StacError::NoDate { .. } => "StacError::NoDate",
            StacError::TokenExpired { .. } => "StacError::TokenExpired",
        };
        cases.push(naming(what, error, URL));
    }
    let image = image::ImageError::Limits(image::error::LimitError::from_kind(
        image::error::LimitErrorKind::DimensionError,
    ));
    for error in [
        ThumbnailError::Network {
            source: Box::new(timeout()),
            url: URL.into(),
        },
        ThumbnailError::Http {
            status: 404,
            url: URL.into(),
        },
        ThumbnailError::Decode {
            source: image,
            url: URL.into(),
        },
    ] {
        let what = match &error {
            ThumbnailError::Network { .. } => "ThumbnailError::Network",
            ThumbnailError::Http { .. } => "ThumbnailError::Http",
            ThumbnailError::Decode { .. } => "ThumbnailError::Decode",
        };
        cases.push(naming(what, error, URL));
    }
    let wmts = vec![
        WmtsError::Network {
            source: timeout(),
            url: URL.into(),
        },
        WmtsError::Http {
            status: 500,
            url: URL.into(),
        },
        WmtsError::Xml {
            message: "unclosed <Layer>".into(),
            origin: URL.into(),
        },
        WmtsError::NotCapabilities {
            root: "html".into(),
            origin: URL.into(),
        },
        WmtsError::NoLayer {
            layer: "MODIS_Terra".into(),
            origin: URL.into(),
        },
        WmtsError::NoWebMercator {
            layer: "MODIS_Terra".into(),
        },
        WmtsError::NoTileUrl {
            format: "image/webp".into(),
            layer: "MODIS_Terra".into(),
        },
        WmtsError::IrregularMatrixIds {
            tile_matrix_set: "GoogleMapsCompatible_Level9".into(),
        },
    ];
    for error in wmts {
        let (what, names) = match &error {
            WmtsError::Network { .. } => ("WmtsError::Network", URL),
            WmtsError::Http { .. } => ("WmtsError::Http", URL),
            WmtsError::Xml { .. } => ("WmtsError::Xml", URL),
            WmtsError::NotCapabilities { .. } => ("WmtsError::NotCapabilities", URL),
            WmtsError::NoLayer { .. } => ("WmtsError::NoLayer", URL),
            WmtsError::NoWebMercator { .. } => ("WmtsError::NoWebMercator", "MODIS_Terra"),
            WmtsError::NoTileUrl { .. } => ("WmtsError::NoTileUrl", "MODIS_Terra"),
            WmtsError::IrregularMatrixIds { .. } => (
                "WmtsError::IrregularMatrixIds",
                "GoogleMapsCompatible_Level9",
            ),
        };
        cases.push(naming(what, error, names));
    }
    let lists = || {
        vec![
            WaybackError::Network {
                message: "connection refused".into(),
                url: URL.into(),
            },
            WaybackError::Http {
                status: 404,
                url: URL.into(),
            },
            WaybackError::Parse {
                message: "not JSON".into(),
                origin: URL.into(),
            },
        ]
    };
    for error in lists() {
        let what = match &error {
            WaybackError::Network { .. } => "WaybackError::Network",
            WaybackError::Http { .. } => "WaybackError::Http",
            WaybackError::Parse { .. } => "WaybackError::Parse",
        };
        cases.push(naming(what, error, URL));
    }
    let captures = vec![
        CaptureError::Releases(lists().remove(0)),
        CaptureError::TimedOut {
            what: "tilemap",
            timeout_ms: 300,
            url: URL.into(),
        },
        CaptureError::Network {
            what: "tile",
            source: timeout(),
            url: URL.into(),
        },
        CaptureError::Http {
            what: "tile",
            status: 500,
            url: URL.into(),
        },
        CaptureError::Malformed {
            what: "metadata",
            message: "no features".into(),
            url: URL.into(),
        },
        CaptureError::NoReleases { url: URL.into() },
        CaptureError::Cancelled,
    ];
    for error in captures {
        let (what, names) = match &error {
            CaptureError::Releases(_) => ("CaptureError::Releases", Some(URL)),
            CaptureError::TimedOut { .. } => ("CaptureError::TimedOut", Some(URL)),
            CaptureError::Network { .. } => ("CaptureError::Network", Some(URL)),
            CaptureError::Http { .. } => ("CaptureError::Http", Some(URL)),
            CaptureError::Malformed { .. } => ("CaptureError::Malformed", Some(URL)),
            CaptureError::NoReleases { .. } => ("CaptureError::NoReleases", Some(URL)),
            CaptureError::Cancelled => ("CaptureError::Cancelled", None),
        };
        cases.push(case(what, error, names));
    }
    check(&cases);
}
