//! The parts of a WMTS 1.0.0 capabilities document that tiling needs.

use super::WmtsError;
use super::xml::{self, Element};

/// A service's layers and tile matrix sets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Capabilities {
    /// The service's title.
    pub title: Option<String>,
    /// Who runs the service (`ServiceProvider/ProviderName`), the credit where one is given.
    pub provider: Option<String>,
    /// Every layer, in document order.
    pub layers: Vec<WmtsLayer>,
    /// Every tile matrix set, in document order.
    pub tile_matrix_sets: Vec<TileMatrixSet>,
    /// The KVP `GetTile` endpoint (`OperationsMetadata`), for layers without `ResourceURL`s.
    pub get_tile_kvp_url: Option<String>,
    /// Where the document came from, for messages.
    pub origin: String,
}

impl Capabilities {
    /// The layer with `identifier`.
    pub fn layer(&self, identifier: &str) -> Result<&WmtsLayer, WmtsError> {
        self.layers
            .iter()
            .find(|layer| layer.identifier == identifier)
            .ok_or_else(|| WmtsError::NoLayer {
                layer: identifier.to_owned(),
                origin: self.origin.clone(),
            })
    }

    /// The tile matrix set with `identifier`.
    #[must_use]
    pub fn tile_matrix_set(&self, identifier: &str) -> Option<&TileMatrixSet> {
        self.tile_matrix_sets
            .iter()
            .find(|set| set.identifier == identifier)
    }
}

/// One layer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WmtsLayer {
    /// Identifier used in requests.
    pub identifier: String,
    /// Human title.
    pub title: Option<String>,
    /// What the layer shows, in the service's words (`Abstract`).
    pub abstract_text: Option<String>,
    /// Image formats offered: `image/png`, `image/jpeg`.
    pub formats: Vec<String>,
    /// Styles; usually one, `default`.
    pub styles: Vec<Style>,
    /// Identifiers of the tile matrix sets the layer is tiled in.
    pub tile_matrix_sets: Vec<String>,
    /// `RESTful` tile URL templates.
    pub resource_urls: Vec<ResourceUrl>,
    /// Dimensions such as `Time`.
    pub dimensions: Vec<Dimension>,
    /// `[west, south, east, north]` in degrees, from `WGS84BoundingBox`.
    pub bbox_lonlat: Option<[f64; 4]>,
}

impl WmtsLayer {
    /// The `Time` dimension, if the layer has one (matched without regard to case).
    #[must_use]
    pub fn time(&self) -> Option<&Dimension> {
        self.dimensions
            .iter()
            .find(|dimension| dimension.identifier.eq_ignore_ascii_case("time"))
    }

    /// The default style's identifier (the first style when none is marked; `default` when
    /// there are none).
    #[must_use]
    pub fn default_style(&self) -> &str {
        self.styles
            .iter()
            .find(|style| style.is_default)
            .or(self.styles.first())
            .map_or("default", |style| style.identifier.as_str())
    }
}

/// A layer style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Identifier used in requests.
    pub identifier: String,
    /// Marked `isDefault="true"`.
    pub is_default: bool,
}

/// A `RESTful` URL template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceUrl {
    /// Image format of the tiles.
    pub format: String,
    /// `tile` for tiles (`FeatureInfo` for feature queries).
    pub resource_type: String,
    /// `https://…/{Time}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png`.
    pub template: String,
}

/// A dimension: an extra request parameter with allowed values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dimension {
    /// `Time`, `Elevation`…
    pub identifier: String,
    /// The value used when a request gives none.
    pub default: Option<String>,
    /// Allowed values as written: single values, or `start/end/period` intervals.
    pub values: Vec<String>,
}

/// A tile matrix set: a CRS and one matrix per level.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileMatrixSet {
    /// Identifier used in requests.
    pub identifier: String,
    /// `urn:ogc:def:crs:EPSG::3857` and the like.
    pub supported_crs: String,
    /// `urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible` and the like.
    pub well_known_scale_set: Option<String>,
    /// Levels, in document order.
    pub matrices: Vec<TileMatrix>,
}

/// One level of a tile matrix set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileMatrix {
    /// Identifier used in requests (`{TileMatrix}`).
    pub identifier: String,
    /// Scale denominator at 0.28 mm pixels.
    pub scale_denominator: f64,
    /// Top-left corner in the set's CRS, as written.
    pub top_left: [f64; 2],
    /// Tile width in pixels.
    pub tile_width: u32,
    /// Tile height in pixels.
    pub tile_height: u32,
    /// Tiles across.
    pub matrix_width: u64,
    /// Tiles down.
    pub matrix_height: u64,
}

/// Parses a capabilities document; `origin` (URL or file) names it in errors.
pub fn parse_capabilities(text: &str, origin: &str) -> Result<Capabilities, WmtsError> {
    let root = xml::parse(text).map_err(|message| WmtsError::Xml {
        message,
        origin: origin.to_owned(),
    })?;
    if root.name != "Capabilities" {
        return Err(WmtsError::NotCapabilities {
            root: root.name,
            origin: origin.to_owned(),
        });
    }
    let title = root
        .child("ServiceIdentification")
        .and_then(|service| service.child_text("Title"))
        .map(str::to_owned);
    let provider = root
        .child("ServiceProvider")
        .and_then(|provider| provider.child_text("ProviderName"))
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let contents = root.child("Contents");
    let layers = contents
        .into_iter()
        .flat_map(|contents| contents.children("Layer"))
        .map(layer)
        .collect();
    let tile_matrix_sets = contents
        .into_iter()
        .flat_map(|contents| contents.children("TileMatrixSet"))
        .map(tile_matrix_set)
        .collect();
    Ok(Capabilities {
        title,
        provider,
        layers,
        tile_matrix_sets,
        get_tile_kvp_url: get_tile_kvp_url(&root),
        origin: origin.to_owned(),
    })
}

fn layer(element: &Element) -> WmtsLayer {
    let texts = |name: &str| -> Vec<String> {
        element
            .children(name)
            .map(|child| child.text.trim().to_owned())
            .filter(|text| !text.is_empty())
            .collect()
    };
    WmtsLayer {
        identifier: element.child_text("Identifier").unwrap_or("").to_owned(),
        title: element.child_text("Title").map(str::to_owned),
        abstract_text: element
            .child_text("Abstract")
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
        formats: texts("Format"),
        styles: element
            .children("Style")
            .map(|style| Style {
                identifier: style.child_text("Identifier").unwrap_or("").to_owned(),
                is_default: style.attribute("isDefault") == Some("true"),
            })
            .collect(),
        tile_matrix_sets: element
            .children("TileMatrixSetLink")
            .filter_map(|link| link.child_text("TileMatrixSet"))
            .map(str::to_owned)
            .collect(),
        resource_urls: element
            .children("ResourceURL")
            .filter_map(|url| {
                Some(ResourceUrl {
                    format: url.attribute("format").unwrap_or("").to_owned(),
                    resource_type: url.attribute("resourceType").unwrap_or("tile").to_owned(),
                    template: url.attribute("template")?.to_owned(),
                })
            })
            .collect(),
        dimensions: element
            .children("Dimension")
            .map(|dimension| Dimension {
                identifier: dimension.child_text("Identifier").unwrap_or("").to_owned(),
                default: dimension.child_text("Default").map(str::to_owned),
                values: dimension
                    .children("Value")
                    .map(|value| value.text.trim().to_owned())
                    .filter(|value| !value.is_empty())
                    .collect(),
            })
            .collect(),
        bbox_lonlat: element.child("WGS84BoundingBox").and_then(|bbox| {
            let [west, south] = numbers(bbox.child_text("LowerCorner")?)?;
            let [east, north] = numbers(bbox.child_text("UpperCorner")?)?;
            Some([west, south, east, north])
        }),
    }
}

fn tile_matrix_set(element: &Element) -> TileMatrixSet {
    TileMatrixSet {
        identifier: element.child_text("Identifier").unwrap_or("").to_owned(),
        supported_crs: element.child_text("SupportedCRS").unwrap_or("").to_owned(),
        well_known_scale_set: element.child_text("WellKnownScaleSet").map(str::to_owned),
        matrices: element
            .children("TileMatrix")
            .filter_map(|matrix| {
                let number = |name: &str| matrix.child_text(name)?.parse::<f64>().ok();
                let integer = |name: &str| matrix.child_text(name)?.parse::<u64>().ok();
                Some(TileMatrix {
                    identifier: matrix.child_text("Identifier")?.to_owned(),
                    scale_denominator: number("ScaleDenominator")?,
                    top_left: numbers(matrix.child_text("TopLeftCorner")?)?,
                    tile_width: u32::try_from(integer("TileWidth")?).ok()?,
                    tile_height: u32::try_from(integer("TileHeight")?).ok()?,
                    matrix_width: integer("MatrixWidth")?,
                    matrix_height: integer("MatrixHeight")?,
                })
            })
            .collect(),
    }
}

/// Two numbers separated by white space: `-180.0 -90.0`.
fn numbers(text: &str) -> Option<[f64; 2]> {
    let mut parts = text.split_whitespace().map(str::parse::<f64>);
    let first = parts.next()?.ok()?;
    let second = parts.next()?.ok()?;
    Some([first, second])
}

/// `OperationsMetadata/Operation[@name=GetTile]/DCP/HTTP/Get/@href`, preferring one marked KVP.
fn get_tile_kvp_url(root: &Element) -> Option<String> {
    let operation = root
        .child("OperationsMetadata")?
        .children("Operation")
        .find(|operation| operation.attribute("name") == Some("GetTile"))?;
    let gets: Vec<&Element> = operation
        .children("DCP")
        .filter_map(|dcp| dcp.child("HTTP"))
        .flat_map(|http| http.children("Get"))
        .collect();
    let is_kvp = |get: &&&Element| {
        get.child("Constraint").is_some_and(|constraint| {
            constraint
                .child("AllowedValues")
                .is_some_and(|values| values.children("Value").any(|v| v.text.trim() == "KVP"))
        })
    };
    let chosen = gets.iter().find(is_kvp).or(gets.first())?;
    chosen.attribute("href").map(str::to_owned)
}
