//! Writing an RGB image as a `GeoTIFF`: UTM (EPSG:326zz) `GeoKeys`, a tie point and pixel
//! scale, `PixelIsArea`, Deflate with the horizontal predictor, and the date in the TIFF `DateTime` tag.

use std::io::{Seek, Write};

use tiff::encoder::colortype::RGB8;
use tiff::encoder::{Compression, DeflateLevel, Predictor, TiffEncoder};
use tiff::tags::Tag;

use super::grid::UtmGrid;

/// `GeoKey` ids and values (OGC `GeoTIFF` 1.1).
mod key {
    pub const GT_MODEL_TYPE: u16 = 1024;
    pub const GT_RASTER_TYPE: u16 = 1025;
    pub const GT_CITATION: u16 = 1026;
    pub const PROJECTED_CRS: u16 = 3072;
    pub const PROJ_LINEAR_UNITS: u16 = 3076;
    pub const MODEL_TYPE_PROJECTED: u16 = 1;
    pub const RASTER_PIXEL_IS_AREA: u16 = 1;
    pub const LINEAR_METRE: u16 = 9001;
    pub const GEO_ASCII_PARAMS_TAG: u16 = 34737;
}

/// Rows per strip: small strips let a reader decode part of the image.
const ROWS_PER_STRIP: u32 = 64;

/// What goes into the file besides the pixels.
#[derive(Clone, Debug)]
pub struct GeoTiffMeta {
    /// TIFF `DateTime`, `YYYY:MM:DD HH:MM:SS`.
    pub datetime: String,
    /// TIFF `ImageDescription`.
    pub description: String,
    /// TIFF `Software`.
    pub software: String,
}

/// The `GeoKey` directory for WGS 84 / UTM `zone` north, and its ASCII parameters.
fn geokeys(zone: u8) -> (Vec<u16>, String) {
    let citation = format!("WGS 84 / UTM zone {zone}N|");
    let citation_len = citation.len() as u16;
    let keys: [[u16; 4]; 5] = [
        [key::GT_MODEL_TYPE, 0, 1, key::MODEL_TYPE_PROJECTED],
        [key::GT_RASTER_TYPE, 0, 1, key::RASTER_PIXEL_IS_AREA],
        [key::GT_CITATION, key::GEO_ASCII_PARAMS_TAG, citation_len, 0],
        [key::PROJECTED_CRS, 0, 1, 32600 + u16::from(zone)],
        [key::PROJ_LINEAR_UNITS, 0, 1, key::LINEAR_METRE],
    ];
    // Header: directory version 1, revision 1.0, number of keys.
    let mut directory = vec![1, 1, 0, keys.len() as u16];
    directory.extend(keys.iter().flatten());
    (directory, citation)
}

/// Writes `rgb` (`grid.width` × `grid.height` × 3 bytes, rows top down) as a `GeoTIFF`.
pub fn write_geotiff<W: Write + Seek>(
    writer: W,
    rgb: &[u8],
    grid: &UtmGrid,
    meta: &GeoTiffMeta,
) -> Result<(), tiff::TiffError> {
    let mut encoder = TiffEncoder::new(writer)?
        .with_compression(Compression::Deflate(DeflateLevel::Best))
        .with_predictor(Predictor::Horizontal);
    let mut image = encoder.new_image::<RGB8>(grid.width, grid.height)?;
    image.rows_per_strip(ROWS_PER_STRIP)?;
    let (directory, citation) = geokeys(grid.zone);
    let tags = image.encoder();
    tags.write_tag(
        Tag::ModelPixelScaleTag,
        &[grid.pixel_m, grid.pixel_m, 0.0][..],
    )?;
    tags.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, grid.west_m, grid.north_m, 0.0][..],
    )?;
    tags.write_tag(Tag::GeoKeyDirectoryTag, &directory[..])?;
    tags.write_tag(Tag::GeoAsciiParamsTag, citation.as_str())?;
    tags.write_tag(Tag::DateTime, meta.datetime.as_str())?;
    tags.write_tag(Tag::ImageDescription, meta.description.as_str())?;
    tags.write_tag(Tag::Software, meta.software.as_str())?;
    image.write_data(rgb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiff::decoder::{Decoder, DecodingResult};

    #[test]
    fn a_written_file_decodes_with_its_georeferencing_and_date() {
        let grid = UtmGrid {
            zone: 52,
            west_m: 633_000.0,
            north_m: 4_699_000.0,
            pixel_m: 3.0,
            width: 70,
            height: 130,
        };
        let rgb: Vec<u8> = (0..70 * 130 * 3).map(|i| (i % 251) as u8).collect();
        let meta = GeoTiffMeta {
            datetime: "2025:10:14 00:00:00".into(),
            description: "test".into(),
            software: "sitewatch test".into(),
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        write_geotiff(&mut bytes, &rgb, &grid, &meta).unwrap();

        let mut decoder = Decoder::new(std::io::Cursor::new(bytes.into_inner())).unwrap();
        assert_eq!(decoder.dimensions().unwrap(), (70, 130));
        let DecodingResult::U8(pixels) = decoder.read_image().unwrap() else {
            panic!("8-bit RGB expected");
        };
        assert_eq!(pixels, rgb);
        let scale = decoder.get_tag_f64_vec(Tag::ModelPixelScaleTag).unwrap();
        assert_eq!(scale, [3.0, 3.0, 0.0]);
        let tie = decoder.get_tag_f64_vec(Tag::ModelTiepointTag).unwrap();
        assert_eq!(tie, [0.0, 0.0, 0.0, 633_000.0, 4_699_000.0, 0.0]);
        let keys = decoder.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap();
        assert_eq!(&keys[..4], &[1, 1, 0, 5]);
        assert!(keys.chunks(4).any(|k| k == [3072, 0, 1, 32652]), "{keys:?}");
        assert!(keys.chunks(4).any(|k| k == [1025, 0, 1, 1]), "PixelIsArea");
        assert_eq!(
            decoder.get_tag_ascii_string(Tag::DateTime).unwrap(),
            "2025:10:14 00:00:00"
        );
        assert_eq!(
            decoder
                .get_tag_ascii_string(Tag::GeoAsciiParamsTag)
                .unwrap(),
            "WGS 84 / UTM zone 52N|"
        );
        assert_eq!(decoder.get_tag_u32(Tag::Compression).unwrap(), 8, "Deflate");
    }
}
