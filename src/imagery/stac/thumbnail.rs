//! An item's preview picture for a results list: which asset it is (the `thumbnail`, else a PNG
//! or JPEG rendered preview or overview), and its bytes fetched and decoded into a small RGBA
//! image under size limits. No UI here: the app calls [`fetch_thumbnail`] on worker threads.

use std::io::Cursor;
use std::time::Duration;

use image::{ImageError, ImageReader, RgbaImage};
use thiserror::Error;

use super::types::{Asset, Item};

/// How long one preview request may take, connection to last byte.
pub const THUMBNAIL_TIMEOUT: Duration = Duration::from_secs(15);

/// The longest edge of a decoded preview: larger pictures are scaled down to it.
pub const THUMBNAIL_EDGE_PX: u32 = 128;

/// The most bytes one preview may have (Sentinel-2 previews are tens of KiB).
const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;

/// The largest width or height a preview may declare before it is decoded.
const MAX_DECODED_EDGE_PX: u32 = 4096;

/// The most memory one preview's decoding may allocate.
const MAX_DECODE_ALLOC_BYTES: u64 = 96 * 1024 * 1024;

/// Asset keys or roles of a rendered picture that may stand in when there is no thumbnail.
const FALLBACK_NAMES: [&str; 2] = ["rendered_preview", "overview"];

/// Why an item's preview could not be shown.
#[derive(Debug, Error)]
pub enum ThumbnailError {
    /// No connection, a timeout, or an answer past the size limit.
    #[error("preview request got no answer: {url}")]
    Network {
        /// What ureq said.
        #[source]
        source: Box<ureq::Error>,
        /// The preview's URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("preview server answered HTTP {status}: {url}")]
    Http {
        /// The status.
        status: u16,
        /// The preview's URL.
        url: String,
    },
    /// Not a PNG or JPEG, corrupt, or larger than the decode limits.
    #[error("preview is not a readable PNG or JPEG within the size limits: {url}")]
    Decode {
        /// What `image` said.
        #[source]
        source: ImageError,
        /// The preview's URL.
        url: String,
    },
}

/// The URL of `item`'s preview picture: the `thumbnail` asset (by key or role), else a PNG or
/// JPEG `rendered_preview` or `overview`; `None` when it has none reachable over HTTP(S).
#[must_use]
pub fn thumbnail_url(item: &Item) -> Option<&str> {
    let thumbnail = named(item, "thumbnail")
        .find(|a| is_web(a) && a.media_type.as_deref().is_none_or(is_png_or_jpeg));
    thumbnail
        .or_else(|| {
            FALLBACK_NAMES.iter().find_map(|name| {
                named(item, name)
                    .find(|a| is_web(a) && a.media_type.as_deref().is_some_and(is_png_or_jpeg))
            })
        })
        .map(|a| a.href.as_str())
}

/// The assets of `item` keyed `name`, then those with the role `name`.
fn named<'a>(item: &'a Item, name: &'a str) -> impl Iterator<Item = &'a Asset> {
    item.assets.get(name).into_iter().chain(
        item.assets
            .values()
            .filter(move |a| a.roles.iter().any(|r| r == name)),
    )
}

/// Whether the asset is fetched over HTTP(S) (not a relative path or an `s3://` URL).
fn is_web(asset: &Asset) -> bool {
    asset.href.starts_with("https://") || asset.href.starts_with("http://")
}

/// Whether a media type is one the decoder reads.
fn is_png_or_jpeg(media_type: &str) -> bool {
    let media_type = media_type.to_ascii_lowercase();
    ["image/png", "image/jpeg", "image/jpg"]
        .iter()
        .any(|t| media_type.starts_with(t))
}

/// An agent for previews: the app's User-Agent and [`THUMBNAIL_TIMEOUT`].
#[must_use]
pub fn thumbnail_agent() -> ureq::Agent {
    super::transport::agent(Some(THUMBNAIL_TIMEOUT))
}

/// Downloads the preview at `url` and decodes it (at most [`THUMBNAIL_EDGE_PX`] on a side).
///
/// # Errors
/// When the server cannot be reached or answers with an error, or the bytes are not a PNG or
/// JPEG within the limits.
pub fn fetch_thumbnail(agent: &ureq::Agent, url: &str) -> Result<RgbaImage, ThumbnailError> {
    let network = |source: ureq::Error| ThumbnailError::Network {
        source: Box::new(source),
        url: url.to_owned(),
    };
    let mut response = agent
        .get(url)
        .header("Accept", "image/png, image/jpeg, image/*")
        .call()
        .map_err(network)?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(ThumbnailError::Http {
            status,
            url: url.to_owned(),
        });
    }
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(network)?;
    decode_thumbnail(&bytes).map_err(|source| ThumbnailError::Decode {
        source,
        url: url.to_owned(),
    })
}

/// Decodes PNG or JPEG bytes under the limits, scaled down to at most [`THUMBNAIL_EDGE_PX`] on
/// its longer side (the aspect kept).
///
/// # Errors
/// When the bytes are no PNG or JPEG, are corrupt, or declare a picture past the limits.
pub fn decode_thumbnail(bytes: &[u8]) -> Result<RgbaImage, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(ImageError::IoError)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODED_EDGE_PX);
    limits.max_image_height = Some(MAX_DECODED_EDGE_PX);
    limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
    reader.limits(limits);
    let rgba = reader.decode()?.into_rgba8();
    let (width, height) = rgba.dimensions();
    let longest = width.max(height);
    if longest <= THUMBNAIL_EDGE_PX {
        return Ok(rgba);
    }
    let scaled = |edge: u32| {
        u32::try_from(u64::from(edge) * u64::from(THUMBNAIL_EDGE_PX) / u64::from(longest))
            .unwrap_or(THUMBNAIL_EDGE_PX)
            .max(1)
    };
    Ok(image::imageops::thumbnail(
        &rgba,
        scaled(width),
        scaled(height),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(assets: &serde_json::Value) -> Item {
        serde_json::from_value(json!({"type": "Feature", "id": "a", "assets": assets})).unwrap()
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbaImage::from_pixel(width, height, image::Rgba([10, 200, 30, 255]));
        let mut bytes = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn an_item_without_assets_has_no_preview() {
        assert_eq!(thumbnail_url(&item(&json!({}))), None);
    }

    #[test]
    fn the_thumbnail_asset_is_the_preview() {
        let item = item(&json!({
            "rendered_preview": {"href": "https://e/p.png", "type": "image/png"},
            "thumbnail": {"href": "https://e/t.jpg", "type": "image/jpeg"}}));
        assert_eq!(thumbnail_url(&item), Some("https://e/t.jpg"));
    }

    #[test]
    fn an_asset_with_the_thumbnail_role_counts_and_an_untyped_one_is_tried() {
        let item = item(&json!({"preview": {"href": "https://e/t", "roles": ["thumbnail"]}}));
        assert_eq!(thumbnail_url(&item), Some("https://e/t"));
    }

    #[test]
    fn a_png_rendered_preview_stands_in_for_a_missing_thumbnail() {
        let item = item(&json!({
            "overview": {"href": "https://e/o.tif", "type": "image/tiff"},
            "rendered_preview": {"href": "https://e/p.png", "type": "image/png",
                                 "roles": ["overview"]}}));
        assert_eq!(thumbnail_url(&item), Some("https://e/p.png"));
    }

    #[test]
    fn a_tiff_overview_or_an_s3_thumbnail_is_no_preview() {
        let item = item(&json!({
            "overview": {"href": "https://e/o.tif", "type": "image/tiff"},
            "thumbnail": {"href": "s3://bucket/t.jpg", "type": "image/jpeg"}}));
        assert_eq!(thumbnail_url(&item), None);
    }

    #[test]
    fn a_small_png_decodes_as_it_is() {
        let rgba = decode_thumbnail(&png(4, 3)).unwrap();
        assert_eq!(rgba.dimensions(), (4, 3));
        assert_eq!(rgba.get_pixel(0, 0).0, [10, 200, 30, 255]);
    }

    #[test]
    fn a_large_png_is_scaled_down_keeping_its_aspect() {
        let rgba = decode_thumbnail(&png(512, 256)).unwrap();
        assert_eq!(
            rgba.dimensions(),
            (THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX / 2)
        );
    }

    #[test]
    fn a_picture_past_the_edge_limit_is_refused() {
        let err = decode_thumbnail(&png(MAX_DECODED_EDGE_PX + 1, 1)).unwrap_err();
        assert!(matches!(err, ImageError::Limits(_)), "{err:?}");
    }

    #[test]
    fn bytes_that_are_no_picture_are_a_decode_error() {
        assert!(decode_thumbnail(b"<html>not found</html>").is_err());
    }
}
