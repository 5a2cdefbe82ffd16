//! PDF figures: the SVG painter's document of the display list, read by usvg with the bundled
//! fonts and converted by svg2pdf into one form `XObject`, drawn on a page of the figure's size
//! (1 figure pixel = 1 pt, so 72 px to the inch). Text stays real, selectable text in subsets
//! of the bundled fonts; paths stay vector; the imagery is embedded lossless. The page carries
//! the georeference (see `geopdf`) and the document information dictionary the provenance.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, Timelike};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, TextStr};
use svg2pdf::usvg;
use svg2pdf::usvg::fontdb;

use super::files::TextChunk;
use super::view::ExportView;
use crate::render::display_list::DisplayList;
use crate::render::fonts;

/// The family the SVG's text falls back to, as the bundled Noto Sans names itself.
const SANS: &str = "Noto Sans";

/// The resource name of the figure's form `XObject` on the page.
const FIGURE: Name<'static> = Name(b"Figure");

/// Why a PDF figure could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// usvg could not read the painter's SVG.
    #[error("the figure's SVG cannot be read")]
    Svg(#[source] usvg::Error),
    /// svg2pdf could not convert it (its error has no source of its own, so its text is here).
    #[error("the figure cannot be converted to PDF: {0}")]
    Convert(String),
}

/// The bundled fonts, loaded once: the families the SVG names are missing from it, so usvg
/// takes Noto Sans by the CSS stack's fallback and the Hangul and symbol faces glyph by glyph.
fn font_database() -> Arc<fontdb::Database> {
    static DATABASE: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            let faces = [
                fonts::REGULAR_TTF,
                fonts::BOLD_TTF,
                fonts::HANGUL_REGULAR_OTF,
                fonts::HANGUL_BOLD_OTF,
            ]
            .into_iter()
            .chain(fonts::FALLBACK_TTFS.map(|(_, data)| data));
            for data in faces {
                db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
            }
            db.set_sans_serif_family(SANS);
            Arc::new(db)
        })
        .clone()
}

/// For a character the span's faces lack (Hangul, symbols), the next bundled face to try: one
/// of the span's weight first, so a bold label's Hangul is bold. usvg tries the face, and asks
/// again with it among `used` while the character is still missing. (usvg's own choice takes
/// any weight and logs every fallback.)
fn fallback() -> usvg::FallbackSelectionFn<'static> {
    Box::new(|_, used, db| {
        let weight = used.first().and_then(|id| db.face(*id)).map(|f| f.weight);
        let unused = || db.faces().filter(|f| !used.contains(&f.id));
        unused()
            .find(|f| Some(f.weight) == weight)
            .or_else(|| unused().next())
            .map(|f| f.id)
    })
}

/// The value of text chunk `key`, or "".
fn chunk<'a>(text: &'a [TextChunk], key: &str) -> &'a str {
    text.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// An RFC 3339 time as a PDF date (UTC).
fn pdf_date(rfc3339: &str) -> Option<Date> {
    let t = DateTime::parse_from_rfc3339(rfc3339).ok()?.to_utc();
    let narrow = |v: u32| u8::try_from(v).ok();
    Some(
        Date::new(u16::try_from(t.year()).ok()?)
            .month(narrow(t.month())?)
            .day(narrow(t.day())?)
            .hour(narrow(t.hour())?)
            .minute(narrow(t.minute())?)
            .second(narrow(t.second())?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// Writes `list` as a one-page PDF. `text` is the figure's provenance (the PNG's text chunks):
/// `Title` becomes the document's title, all of it, as the SVG's `<desc>` has it, its subject,
/// its sources and credits its keywords. With a `view` the page is georeferenced to it.
pub fn document(
    list: &DisplayList,
    text: &[TextChunk],
    description: &str,
    view: Option<&ExportView>,
) -> Result<Vec<u8>, PdfError> {
    let title = chunk(text, "Title");
    let svg = crate::render::svg::document(list, title, description);
    // usvg skips `@font-face` with a warning (the faces come from the database instead): the
    // rules, megabytes of base64, are left out before it reads the document.
    let svg: String = svg
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("@font-face"))
        .collect();
    let options = usvg::Options {
        font_family: SANS.to_owned(),
        fontdb: font_database(),
        font_resolver: usvg::FontResolver {
            select_font: usvg::FontResolver::default_font_selector(),
            select_fallback: fallback(),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &options).map_err(PdfError::Svg)?;
    let conversion = svg2pdf::ConversionOptions {
        compress: true,
        embed_text: true,
        ..svg2pdf::ConversionOptions::default()
    };
    let (figure_chunk, figure_ref) =
        svg2pdf::to_chunk(&tree, conversion).map_err(|e| PdfError::Convert(e.to_string()))?;

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let page_tree_id = alloc.bump();
    let page_id = alloc.bump();
    let content_id = alloc.bump();
    let info_id = alloc.bump();
    let mut renumbered = HashMap::new();
    let figure_chunk =
        figure_chunk.renumber(|old| *renumbered.entry(old).or_insert_with(|| alloc.bump()));
    let Some(&figure_id) = renumbered.get(&figure_ref) else {
        return Err(PdfError::Convert("the figure's XObject is missing".into()));
    };

    // 1 figure pixel = 1 pt.
    let [w, h] = list.size_px;
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id).kids([page_id]).count(1);
    {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(page_tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(FIGURE, figure_id);
        if let Some(view) = view {
            super::geopdf::write_viewport(&mut page, view, [w, h]);
        }
        page.finish();
    }
    // svg2pdf's XObject is one point square, y up: scaled to the page.
    let mut content = Content::new();
    content.save_state();
    content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
    content.x_object(FIGURE);
    content.restore_state();
    pdf.stream(content_id, &content.finish());
    pdf.extend(&figure_chunk);

    let software = super::provenance::software();
    let keywords: Vec<&str> = ["Source", "Copyright"]
        .iter()
        .map(|k| chunk(text, k))
        .filter(|v| !v.is_empty())
        .collect();
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(title));
    info.subject(TextStr(description));
    info.keywords(TextStr(&keywords.join(" | ")));
    info.creator(TextStr(&software));
    info.producer(TextStr(&format!("{software} (svg2pdf)")));
    if let Some(date) = pdf_date(chunk(text, "Creation Time")) {
        info.creation_date(date);
    }
    info.finish();
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rgba;
    use crate::render::display_list::{FontSpec, GlyphPos, PaintOp, TextRun};

    fn list_with_text(text: &str, font: FontSpec) -> DisplayList {
        let glyphs = text
            .chars()
            .enumerate()
            .map(|(i, chr)| GlyphPos {
                chr,
                x_px: i as f32 * 10.0,
            })
            .collect();
        DisplayList {
            size_px: [200.0, 100.0],
            ops: vec![
                PaintOp::FillRect {
                    rect_px: [0.0, 0.0, 200.0, 100.0],
                    radius_px: 0.0,
                    color: Rgba([255, 255, 255, 255]),
                },
                PaintOp::Text(TextRun {
                    text: text.into(),
                    font,
                    color: Rgba([0, 0, 0, 255]),
                    origin_px: [10.0, 10.0],
                    size_px: [180.0, 20.0],
                    baseline_px: 16.0,
                    glyphs,
                }),
            ],
            boxes: Vec::new(),
        }
    }

    #[test]
    fn a_pdf_has_a_page_of_the_figures_size_and_its_provenance() {
        let text = vec![
            ("Title".to_owned(), "Site — 14 Oct 2025".to_owned()),
            (
                "Creation Time".to_owned(),
                "2026-12-03T09:30:00Z".to_owned(),
            ),
            ("Source".to_owned(), "Synthetic".to_owned()),
            ("Copyright".to_owned(), "© Sitewatch".to_owned()),
        ];
        let pdf = document(
            &list_with_text("Stage", FontSpec::regular(16.0)),
            &text,
            "Title: Site",
            None,
        )
        .unwrap();
        let body = String::from_utf8_lossy(&pdf);
        assert!(body.starts_with("%PDF-"));
        assert!(body.contains("/MediaBox [0 0 200 100]"));
        assert!(body.contains("/Creator (Sitewatch "));
        assert!(body.contains("/CreationDate (D:20261203093000Z)"));
        assert!(body.contains("/Subject (Title: Site)"));
        assert!(!body.contains("/VP"), "no view, no georeference");
        // Real text: a font, subset from the bundled Noto Sans, with a ToUnicode map.
        assert!(body.contains("/FontFile2") || body.contains("/FontFile3"));
        assert!(body.contains("/ToUnicode"));
    }

    #[test]
    fn hangul_in_a_bold_label_is_set_in_the_bold_hangul_face() {
        let list = list_with_text("Khasan 하산역", FontSpec::bold(16.0));
        let pdf = document(&list, &[], "", None).unwrap();
        let body = String::from_utf8_lossy(&pdf);
        assert!(body.contains("NotoSans-Bold"), "the Latin part");
        assert!(body.contains("NotoSansCJKkr-Bold"), "the Hangul part, bold");
        assert!(!body.contains("NotoSansCJKkr-Regular"));
    }

    #[test]
    fn pdf_dates_are_utc() {
        let d = pdf_date("2025-10-14T23:30:00+09:00").unwrap();
        let mut buf = Vec::new();
        pdf_writer::Primitive::write(d, &mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), "(D:20251014143000Z)");
        assert!(pdf_date("").is_none());
    }
}
