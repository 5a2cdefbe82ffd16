//! The georeference of a PDF figure: an ISO 32000 geospatial viewport on its page (`/VP` with a
//! `/Measure` of subtype `/GEO`), the form GDAL's PDF driver and QGIS read. The figure's four
//! corners are given in lat/lon (`/GPTS`) against the unit square of the viewport (`/LPTS`),
//! and the CRS they are drawn in (EPSG:3857) as its WKT.

use pdf_writer::{Dict, Name, Primitive, Str, TextStr};

use super::files::EPSG_3857_WKT;
use super::view::ExportView;

/// A real written to 10 decimals: pdf-writer writes `f32`, about 0.5 m on a latitude,
/// too coarse for a figure at street zoom.
#[derive(Clone, Copy, Debug)]
struct Real(f64);

impl Primitive for Real {
    fn write(self, buf: &mut Vec<u8>) {
        // PDF reals have no exponent; `{:.10}` never writes one.
        let text = format!("{:.10}", self.0);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        buf.extend_from_slice(if text == "-0" { "0" } else { text }.as_bytes());
    }
}

/// The viewport's corners in its unit square, PDF's y up: upper left, lower left, lower right,
/// upper right (the order GDAL writes).
const UNIT_CORNERS: [f32; 8] = [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0];

/// The same corners as lat/lon pairs (`/GPTS` is latitude first) of `view`.
fn corners_latlon(view: &ExportView) -> [f64; 8] {
    let [west, south, east, north] = view.bbox_lonlat();
    [north, west, south, west, south, east, north, east]
}

/// Writes `/VP`, one viewport covering the whole page of `page_size_pt` (the figure drawn
/// edge to edge), georeferenced to `view`, into a page's dictionary.
pub(super) fn write_viewport(page: &mut Dict<'_>, view: &ExportView, page_size_pt: [f32; 2]) {
    let [w, h] = page_size_pt;
    let mut viewports = page.insert(Name(b"VP")).array();
    let mut viewport = viewports.push().dict();
    viewport.pair(Name(b"Type"), Name(b"Viewport"));
    viewport
        .insert(Name(b"BBox"))
        .array()
        .items([0.0, 0.0, w, h]);
    viewport.pair(Name(b"Name"), TextStr("Map"));
    let mut measure = viewport.insert(Name(b"Measure")).dict();
    measure.pair(Name(b"Type"), Name(b"Measure"));
    measure.pair(Name(b"Subtype"), Name(b"GEO"));
    measure.insert(Name(b"Bounds")).array().items(UNIT_CORNERS);
    measure
        .insert(Name(b"GPTS"))
        .array()
        .items(corners_latlon(view).map(Real));
    measure.insert(Name(b"LPTS")).array().items(UNIT_CORNERS);
    // Preferred display units: metres, square metres, degrees.
    measure
        .insert(Name(b"PDU"))
        .array()
        .items([Name(b"M"), Name(b"SQM"), Name(b"DEG")]);
    let mut gcs = measure.insert(Name(b"GCS")).dict();
    gcs.pair(Name(b"Type"), Name(b"PROJCS"));
    gcs.pair(Name(b"EPSG"), 3857);
    gcs.pair(Name(b"WKT"), Str(EPSG_3857_WKT.as_bytes()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: impl Primitive) -> String {
        let mut buf = Vec::new();
        value.write(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn reals_keep_ten_decimals_and_never_an_exponent() {
        assert_eq!(written(Real(37.123_456_789_01)), "37.123456789");
        assert_eq!(written(Real(127.5)), "127.5");
        assert_eq!(written(Real(-0.000_000_000_01)), "0");
        assert_eq!(written(Real(1e-7)), "0.0000001");
        assert_eq!(written(Real(-123_456.25)), "-123456.25");
    }

    #[test]
    fn the_viewport_gives_the_views_corners_latitude_first() {
        let view = ExportView::new(geo::Coord { x: 127.0, y: 37.5 }, 15.0, [800, 400]).unwrap();
        let [west, south, east, north] = view.bbox_lonlat();
        let mut pdf = pdf_writer::Pdf::new();
        {
            let mut page = pdf.page(pdf_writer::Ref::new(1));
            write_viewport(&mut page, &view, [800.0, 400.0]);
        }
        let bytes = pdf.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/VP [<<"), "{text}");
        assert!(text.contains("/Subtype /GEO"));
        assert!(text.contains("/BBox [0 0 800 400]"));
        assert!(text.contains("/LPTS [0 1 0 0 1 0 1 1]"));
        let gpts = format!(
            "/GPTS [{} {} {}",
            written(Real(north)),
            written(Real(west)),
            written(Real(south))
        );
        assert!(text.contains(&gpts), "{gpts} in {text}");
        assert!(text.contains(&written(Real(east))));
        assert!(text.contains("/EPSG 3857"));
        assert!(text.contains("AUTHORITY[\"EPSG\",\"3857\"]"));
    }
}
