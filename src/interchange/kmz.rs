//! KMZ: KML zipped with the images it uses (Google Earth's "Save Place As … .kmz").
//!
//! In: the archive's `doc.kml` (else its first `.kml` at the top level, else anywhere), read by
//! the KML reader (folders, `TimeStamp`/`TimeSpan`, `gx:Track`); its `GroundOverlay`s are listed
//! for the app to open as imagery ([`read_entry`] gives their images). Out: `doc.kml` from the
//! KML writer, deflated.

use std::io::{Cursor, Read as _, Write as _};
use std::path::Path;

use chrono::NaiveDate;

use super::{Imported, InterchangeError, ground_overlay, kml};
use crate::model::Project;

/// The largest KML text read from an archive: a guard against zip bombs, far above any
/// annotation file a person trades.
pub const MAX_KML_BYTES: u64 = 256 * 1024 * 1024;

/// The largest overlay image read from an archive.
pub const MAX_ENTRY_BYTES: u64 = 1024 * 1024 * 1024;

fn zip_error(origin: &str, source: zip::result::ZipError) -> InterchangeError {
    InterchangeError::Zip {
        origin: origin.to_owned(),
        source,
    }
}

fn malformed(origin: &str, what: String) -> InterchangeError {
    InterchangeError::Malformed {
        origin: origin.to_owned(),
        format: "KMZ",
        what,
    }
}

/// The entry that holds the document: `doc.kml`, else the first `.kml` at the top level, else
/// the first anywhere.
fn kml_entry(names: &[String]) -> Option<&String> {
    let is_kml = |n: &&String| n.to_ascii_lowercase().ends_with(".kml");
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| names.iter().filter(is_kml).find(|n| !n.contains('/')))
        .or_else(|| names.iter().find(is_kml))
}

fn read_limited(
    archive: &mut Archive<'_>,
    name: &str,
    limit: u64,
    origin: &str,
) -> Result<Vec<u8>, InterchangeError> {
    let file = archive.by_name(name).map_err(|e| zip_error(origin, e))?;
    if file.size() > limit {
        return Err(malformed(
            origin,
            format!("{name} unpacks to {} bytes, more than {limit}", file.size()),
        ));
    }
    let mut bytes = Vec::new();
    // The declared size can lie; the limit holds either way.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| InterchangeError::Read {
            origin: origin.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(malformed(
            origin,
            format!("{name} unpacks to more than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// An archive read from memory.
type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn open<'a>(bytes: &'a [u8], origin: &str) -> Result<(Archive<'a>, Vec<String>), InterchangeError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(origin, e))?;
    let names = archive
        .file_names()
        .filter_map(Result::ok)
        .map(std::borrow::Cow::into_owned)
        .collect();
    Ok((archive, names))
}

/// Reads KMZ bytes: the placemarks as annotations, the ground overlays listed.
pub fn import_bytes(
    bytes: &[u8],
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    let (mut archive, names) = open(bytes, origin)?;
    let Some(entry) = kml_entry(&names).cloned() else {
        return Err(malformed(origin, "no .kml file inside".into()));
    };
    let kml_bytes = read_limited(&mut archive, &entry, MAX_KML_BYTES, origin)?;
    let text = String::from_utf8(kml_bytes)
        .map_err(|_| malformed(origin, format!("{entry} is not UTF-8 text")))?;
    let mut imported = kml::import_str(&text, origin, project, default_date)?;
    imported.ground_overlays = ground_overlay::find(&text, true);
    for o in &mut imported.ground_overlays {
        if o.in_archive && !names.contains(&o.href) {
            // A relative path next to the KMZ rather than inside it.
            o.in_archive = false;
        }
    }
    Ok(imported)
}

/// Reads a KMZ file.
pub fn import_file(
    path: &Path,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InterchangeError::Read {
        origin: origin.clone(),
        source,
    })?;
    import_bytes(&bytes, &origin, project, default_date)
}

/// One entry of a KMZ (a ground overlay's image), at most [`MAX_ENTRY_BYTES`].
pub fn read_entry(path: &Path, name: &str) -> Result<Vec<u8>, InterchangeError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InterchangeError::Read {
        origin: origin.clone(),
        source,
    })?;
    let (mut archive, _) = open(&bytes, &origin)?;
    read_limited(&mut archive, name, MAX_ENTRY_BYTES, &origin)
}

/// The project's annotations as KMZ bytes: `doc.kml`, deflated.
pub fn export_bytes(project: &Project, origin: &str) -> Result<Vec<u8>, InterchangeError> {
    let text = kml::export_string(project).map_err(|source| InterchangeError::Kml {
        origin: origin.to_owned(),
        source,
    })?;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer
        .start_file("doc.kml", options)
        .map_err(|e| zip_error(origin, e))?;
    writer
        .write_all(text.as_bytes())
        .map_err(|source| InterchangeError::Write {
            origin: origin.to_owned(),
            source,
        })?;
    let cursor = writer.finish().map_err(|e| zip_error(origin, e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn the_document_is_doc_kml_else_a_top_level_kml() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            kml_entry(&names(&["files/a.kml", "b.kml", "doc.kml"])).map(String::as_str),
            Some("doc.kml")
        );
        assert_eq!(
            kml_entry(&names(&["files/a.kml", "b.kml"])).map(String::as_str),
            Some("b.kml")
        );
        assert_eq!(
            kml_entry(&names(&["files/a.kml"])).map(String::as_str),
            Some("files/a.kml")
        );
        assert_eq!(kml_entry(&names(&["files/a.png"])), None);
    }

    #[test]
    fn an_archive_without_kml_or_not_a_zip_is_an_error() {
        let project = crate::model::default_project::load_default_project()
            .unwrap()
            .project;
        let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let no_kml = zip_of(&[("icon.png", b"png")]);
        let err = import_bytes(&no_kml, "a.kmz", &project, date).unwrap_err();
        assert!(matches!(err, InterchangeError::Malformed { .. }), "{err}");
        let err = import_bytes(b"not a zip", "b.kmz", &project, date).unwrap_err();
        assert!(matches!(err, InterchangeError::Zip { .. }), "{err}");
        assert!(err.to_string().contains("b.kmz"));
        let bad_utf8 = zip_of(&[("doc.kml", b"\xff\xfe")]);
        assert!(import_bytes(&bad_utf8, "c.kmz", &project, date).is_err());
    }
}
