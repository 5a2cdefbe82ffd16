//! Web Mercator tile matrix sets as XYZ templates: `{TileMatrix}` becomes `{z}`, `{TileRow}`
//! `{y}` and `{TileCol}` `{x}`, with the set, style and dimensions filled in.

use std::collections::BTreeMap;

use super::WmtsError;
use super::capabilities::{Capabilities, TileMatrix, TileMatrixSet, WmtsLayer};

/// Half the Web Mercator world's width in metres.
const HALF_WORLD_M: f64 = 20_037_508.342_789_244;

/// Metres per pixel of the OGC standard 0.28 mm pixel, per unit of scale denominator.
const PIXEL_SIZE_M: f64 = 0.000_28;

/// What to ask a WMTS layer for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XyzOptions {
    /// Image format; PNG, else JPEG, else the first offered, when `None`.
    pub format: Option<String>,
    /// Style; the layer's default when `None`.
    pub style: Option<String>,
    /// Value for the `Time` dimension; its default when `None`.
    pub time: Option<String>,
    /// Tile matrix set; the layer's first Web Mercator one when `None`.
    pub tile_matrix_set: Option<String>,
}

/// An XYZ URL template for the tile loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XyzTemplate {
    /// URL with `{z}`, `{x}` and `{y}` and nothing else to fill.
    pub url_template: String,
    /// Shallowest zoom the set has.
    pub min_zoom: u8,
    /// Deepest zoom the set has.
    pub max_zoom: u8,
    /// Tile size in pixels.
    pub tile_size_px: u32,
    /// Image format asked for.
    pub format: String,
    /// The tile matrix set used.
    pub tile_matrix_set: String,
    /// Zoom level → tile matrix identifier.
    pub matrix_by_zoom: BTreeMap<u8, String>,
}

impl TileMatrixSet {
    /// True when the set's CRS or well-known scale set names Web Mercator.
    #[must_use]
    pub fn names_web_mercator(&self) -> bool {
        let crs = self.supported_crs.to_ascii_uppercase();
        let named_crs = ["3857", "900913", "102100", "102113"]
            .iter()
            .any(|code| crs.ends_with(&format!(":{code}")));
        let scale_set = self
            .well_known_scale_set
            .as_deref()
            .is_some_and(|set| set.ends_with("GoogleMapsCompatible"));
        named_crs || scale_set
    }

    /// The levels that are Web Mercator XYZ zooms, by zoom: the whole world from the
    /// −20037508 m, +20037508 m corner in 2^z × 2^z tiles at the matching scale. Empty when the
    /// set neither names Web Mercator nor has every level matching (a set in another CRS).
    #[must_use]
    pub fn web_mercator_zooms(&self) -> BTreeMap<u8, &TileMatrix> {
        let zooms: BTreeMap<u8, &TileMatrix> = self
            .matrices
            .iter()
            .filter_map(|matrix| Some((web_mercator_zoom(matrix)?, matrix)))
            .collect();
        let all_match = !self.matrices.is_empty() && zooms.len() == self.matrices.len();
        if self.names_web_mercator() || all_match {
            zooms
        } else {
            BTreeMap::new()
        }
    }
}

/// The XYZ zoom of a matrix that covers the Web Mercator world the XYZ way, else `None`.
fn web_mercator_zoom(matrix: &TileMatrix) -> Option<u8> {
    let width = matrix.matrix_width;
    if width == 0 || !width.is_power_of_two() || matrix.matrix_height != width {
        return None;
    }
    let [x, y] = matrix.top_left;
    let corner_ok = (x + HALF_WORLD_M).abs() < 1.0 && (y - HALF_WORLD_M).abs() < 1.0;
    let world_m =
        matrix.scale_denominator * PIXEL_SIZE_M * f64::from(matrix.tile_width) * width as f64;
    let scale_ok = (world_m / (2.0 * HALF_WORLD_M) - 1.0).abs() < 0.005;
    let square = matrix.tile_width == matrix.tile_height;
    (corner_ok && scale_ok && square).then(|| width.trailing_zeros() as u8)
}

/// The XYZ template of `layer` in its first Web Mercator tile matrix set.
pub fn xyz_template(
    capabilities: &Capabilities,
    layer: &WmtsLayer,
    options: &XyzOptions,
) -> Result<XyzTemplate, WmtsError> {
    let (set, zooms) = layer
        .tile_matrix_sets
        .iter()
        .filter(|id| {
            options
                .tile_matrix_set
                .as_ref()
                .is_none_or(|chosen| chosen == *id)
        })
        .filter_map(|id| capabilities.tile_matrix_set(id))
        .map(|set| (set, set.web_mercator_zooms()))
        .find(|(_, zooms)| !zooms.is_empty())
        .ok_or_else(|| WmtsError::NoWebMercator {
            layer: layer.identifier.clone(),
        })?;
    let matrix_by_zoom: BTreeMap<u8, String> = zooms
        .iter()
        .map(|(zoom, matrix)| (*zoom, matrix.identifier.clone()))
        .collect();
    let z_placeholder =
        matrix_placeholder(&matrix_by_zoom).ok_or_else(|| WmtsError::IrregularMatrixIds {
            tile_matrix_set: set.identifier.clone(),
        })?;
    let tiles: Vec<_> = layer
        .resource_urls
        .iter()
        .filter(|url| url.resource_type.eq_ignore_ascii_case("tile"))
        .collect();
    let offered: Vec<&str> = if tiles.is_empty() {
        layer.formats.iter().map(String::as_str).collect()
    } else {
        tiles.iter().map(|url| url.format.as_str()).collect()
    };
    let format = match &options.format {
        Some(format) => format.clone(),
        None => ["image/png", "image/jpeg"]
            .into_iter()
            .find(|f| offered.contains(f))
            .or(offered.first().copied())
            .unwrap_or("image/png")
            .to_owned(),
    };
    let no_url = || WmtsError::NoTileUrl {
        format: format.clone(),
        layer: layer.identifier.clone(),
    };
    let style = options
        .style
        .clone()
        .unwrap_or_else(|| layer.default_style().to_owned());
    let mut values: BTreeMap<String, String> = layer
        .dimensions
        .iter()
        .filter_map(|d| Some((d.identifier.to_ascii_lowercase(), d.default.clone()?)))
        .collect();
    if let Some(time) = &options.time {
        values.insert("time".to_owned(), time.clone());
    }
    values.insert("tilematrixset".to_owned(), set.identifier.clone());
    values.insert("style".to_owned(), style.clone());
    values.insert("tilematrix".to_owned(), z_placeholder.clone());
    values.insert("tilerow".to_owned(), "{y}".to_owned());
    values.insert("tilecol".to_owned(), "{x}".to_owned());

    let url_template = if tiles.is_empty() {
        let base = capabilities
            .get_tile_kvp_url
            .as_deref()
            .ok_or_else(no_url)?;
        if !offered.contains(&format.as_str()) {
            return Err(no_url());
        }
        kvp_template(
            base,
            &layer.identifier,
            &style,
            &set.identifier,
            &format,
            &z_placeholder,
            &values,
        )
    } else {
        let resource = tiles
            .iter()
            .find(|url| url.format == format)
            .ok_or_else(no_url)?;
        fill(&resource.template, &values)
    };
    let first = zooms
        .values()
        .next()
        .map_or(256, |matrix| matrix.tile_width);
    Ok(XyzTemplate {
        url_template,
        min_zoom: matrix_by_zoom.keys().next().copied().unwrap_or(0),
        max_zoom: matrix_by_zoom.keys().next_back().copied().unwrap_or(0),
        tile_size_px: first,
        format,
        tile_matrix_set: set.identifier.clone(),
        matrix_by_zoom,
    })
}

/// `{z}` when the identifiers are the zooms, `prefix{z}` when they are a common prefix and the
/// zoom (`EPSG:3857:5`), else `None`.
fn matrix_placeholder(matrix_by_zoom: &BTreeMap<u8, String>) -> Option<String> {
    let mut prefix: Option<&str> = None;
    for (zoom, identifier) in matrix_by_zoom {
        let this = identifier.strip_suffix(&zoom.to_string())?;
        // `1` must not read as prefix `1` plus zoom… of another digit: the prefix may not end
        // in a digit.
        if this.ends_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        match prefix {
            None => prefix = Some(this),
            Some(seen) if seen == this => {}
            Some(_) => return None,
        }
    }
    Some(format!("{}{{z}}", prefix?))
}

/// Replaces `{Name}` placeholders (any case) with `values` (keys lower case); unknown ones stay.
fn fill(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((before, after_open)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, after_close)) = after_open.split_once('}') else {
            out.push('{');
            rest = after_open;
            continue;
        };
        if let Some(value) = values.get(&name.to_ascii_lowercase()) {
            out.push_str(value);
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = after_close;
    }
    out.push_str(rest);
    out
}

/// A KVP `GetTile` URL with `{z}`, `{x}`, `{y}` for the matrix, row and column.
fn kvp_template(
    base: &str,
    layer: &str,
    style: &str,
    set: &str,
    format: &str,
    z_placeholder: &str,
    values: &BTreeMap<String, String>,
) -> String {
    let separator = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let mut url = format!(
        "{base}{separator}SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE={style}\
         &TILEMATRIXSET={set}&TILEMATRIX={z_placeholder}&TILEROW={{y}}&TILECOL={{x}}&FORMAT={}",
        format.replace('/', "%2F")
    );
    if let Some(time) = values.get("time") {
        url.push_str("&TIME=");
        url.push_str(time);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(identifier: &str, zoom: u32) -> TileMatrix {
        let width = 1u64 << zoom;
        TileMatrix {
            identifier: identifier.to_owned(),
            scale_denominator: 559_082_264.028_717_8 / width as f64,
            top_left: [-HALF_WORLD_M, HALF_WORLD_M],
            tile_width: 256,
            tile_height: 256,
            matrix_width: width,
            matrix_height: width,
        }
    }

    #[test]
    fn a_google_maps_compatible_level_is_its_zoom() {
        assert_eq!(web_mercator_zoom(&matrix("5", 5)), Some(5));
        let mut wrong_scale = matrix("5", 5);
        wrong_scale.scale_denominator *= 1.5;
        assert_eq!(web_mercator_zoom(&wrong_scale), None);
        let mut geographic = matrix("0", 0);
        geographic.top_left = [90.0, -180.0];
        assert_eq!(web_mercator_zoom(&geographic), None);
    }

    #[test]
    fn a_set_in_an_unnamed_crs_is_web_mercator_when_every_level_matches() {
        let set = TileMatrixSet {
            identifier: "custom".to_owned(),
            supported_crs: "urn:x-local:mercator".to_owned(),
            well_known_scale_set: None,
            matrices: vec![matrix("a0", 0), matrix("a1", 1)],
        };
        assert_eq!(set.web_mercator_zooms().len(), 2);
        let mut partial = set.clone();
        partial.matrices[1].top_left = [0.0, 0.0];
        assert!(partial.web_mercator_zooms().is_empty());
    }

    #[test]
    fn matrix_identifiers_map_to_z_plain_or_prefixed() {
        let ids = |list: &[(u8, &str)]| {
            list.iter()
                .map(|(z, id)| (*z, (*id).to_owned()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            matrix_placeholder(&ids(&[(0, "0"), (1, "1")])).as_deref(),
            Some("{z}")
        );
        assert_eq!(
            matrix_placeholder(&ids(&[(0, "EPSG:3857:0"), (1, "EPSG:3857:1")])).as_deref(),
            Some("EPSG:3857:{z}")
        );
        assert_eq!(matrix_placeholder(&ids(&[(0, "a"), (1, "b")])), None);
        assert_eq!(matrix_placeholder(&ids(&[(1, "11"), (2, "12")])), None);
    }

    #[test]
    fn placeholders_fill_in_any_case_and_unknown_ones_stay() {
        let values = [("time".to_owned(), "2025-01-02".to_owned())].into();
        assert_eq!(
            fill("a/{Time}/{TIME}/{Other}/{", &values),
            "a/2025-01-02/2025-01-02/{Other}/{"
        );
    }
}
