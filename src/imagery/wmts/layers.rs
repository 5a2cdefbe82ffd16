//! What the "Add WMTS layers" window offers and adds: which of a layer's tile matrix sets can be
//! drawn (Web Mercator ones) and why the others cannot, the `Time` value nearest a day, and a
//! chosen layer (one date, or a dated series on one track) as project layers credited to the
//! service, with a note naming the service URL.

use chrono::NaiveDate;
use serde_json::{Map, json};

use super::WmtsError;
use super::capabilities::{Capabilities, WmtsLayer};
use super::time::{WmtsDatedLayer, dated_layers};
use super::xyz::{XyzOptions, XyzTemplate, xyz_template};
use crate::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource};

/// The most dated layers one "Add dated series" makes (the newest are kept).
pub const MAX_SERIES: usize = 500;

/// One of a layer's tile matrix sets, and whether the map can draw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixSetChoice {
    /// The set's identifier.
    pub identifier: String,
    /// `None` when usable; else why not, in a few words.
    pub unusable: Option<String>,
}

/// The layer's tile matrix sets in document order, each usable or with the reason it is not.
#[must_use]
pub fn matrix_set_choices(capabilities: &Capabilities, layer: &WmtsLayer) -> Vec<MatrixSetChoice> {
    layer
        .tile_matrix_sets
        .iter()
        .map(|id| {
            let unusable = match capabilities.tile_matrix_set(id) {
                None => Some("not described in the document".to_owned()),
                Some(set) if set.web_mercator_zooms().is_empty() => Some(format!(
                    "not Web Mercator ({})",
                    if set.supported_crs.is_empty() {
                        "no CRS given"
                    } else {
                        set.supported_crs.as_str()
                    }
                )),
                Some(_) => None,
            };
            MatrixSetChoice {
                identifier: id.clone(),
                unusable,
            }
        })
        .collect()
}

/// The value whose day is nearest `date` (the earlier on a tie); `None` when there are none.
#[must_use]
pub fn nearest_value(
    values: &[(NaiveDate, String)],
    date: NaiveDate,
) -> Option<&(NaiveDate, String)> {
    values
        .iter()
        .min_by_key(|(day, _)| ((*day - date).num_days().abs(), *day))
}

/// The credit line for the service's layers: its provider, else its title, else its URL.
#[must_use]
pub fn service_credit(capabilities: &Capabilities) -> String {
    capabilities
        .provider
        .clone()
        .or_else(|| capabilities.title.clone())
        .unwrap_or_else(|| capabilities.origin.clone())
}

/// A WMTS layer as a project layer: `time` (day and value sent) when the layer is dated, on
/// `track`, with an id not among `taken`.
fn project_layer(
    capabilities: &Capabilities,
    layer: &WmtsLayer,
    template: &XyzTemplate,
    time: Option<(NaiveDate, &str)>,
    name: String,
    taken: &dyn Fn(&str) -> bool,
) -> ImageryLayer {
    let title = layer
        .title
        .clone()
        .unwrap_or_else(|| layer.identifier.clone());
    let base = match time {
        Some((day, _)) => format!("wmts-{}-{day}", layer.identifier),
        None => format!("wmts-{}", layer.identifier),
    };
    let mut note = format!(
        "WMTS layer {} in {} ({}) from {}",
        layer.identifier, template.tile_matrix_set, template.format, capabilities.origin
    );
    let mut extra = Map::new();
    extra.insert("wmts_service".to_owned(), json!(capabilities.origin));
    extra.insert("wmts_layer".to_owned(), json!(layer.identifier));
    if let Some((_, value)) = time {
        note = format!("{note}; Time={value}");
        extra.insert("wmts_time".to_owned(), json!(value));
    }
    ImageryLayer {
        id: crate::model::ids::unique_id(&base, taken),
        name,
        date: time.map(|(day, _)| FuzzyDate::day(day)),
        date_kind: DateKind::Acquisition,
        note,
        track: title,
        attribution: service_credit(capabilities),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::Tiles {
            url: template.url_template.clone(),
            release: None,
            max_zoom: template.max_zoom,
        },
        display: None,
        offset_m: None,
        extra,
    }
}

/// One layer: for a layer with a `Time` dimension, the value nearest `date` within `range`
/// (the default value when none lies there); else the layer as it is. `taken`: ids in use.
pub fn single_layer(
    capabilities: &Capabilities,
    layer_id: &str,
    options: &XyzOptions,
    range: Option<(NaiveDate, NaiveDate)>,
    date: NaiveDate,
    taken: &dyn Fn(&str) -> bool,
) -> Result<ImageryLayer, WmtsError> {
    let layer = capabilities.layer(layer_id)?;
    let title = layer
        .title
        .clone()
        .unwrap_or_else(|| layer.identifier.clone());
    let chosen = layer.time().and_then(|dimension| {
        let values = super::time::time_values(&dimension.values, range, usize::MAX);
        nearest_value(&values, date).cloned().or_else(|| {
            let default = dimension.default.clone()?;
            let day = NaiveDate::parse_from_str(default.get(..10)?, "%Y-%m-%d").ok()?;
            Some((day, default))
        })
    });
    // Undated (no `Time` dimension, or no value in range and no readable default).
    let Some((day, value)) = chosen else {
        let template = xyz_template(capabilities, layer, options)?;
        return Ok(project_layer(
            capabilities,
            layer,
            &template,
            None,
            title,
            taken,
        ));
    };
    let template = xyz_template(
        capabilities,
        layer,
        &XyzOptions {
            time: Some(value.clone()),
            ..options.clone()
        },
    )?;
    let name = format!("{title} {}", day.format("%-d %b %Y"));
    Ok(project_layer(
        capabilities,
        layer,
        &template,
        Some((day, &value)),
        name,
        taken,
    ))
}

/// Every `Time` value of the layer within `range` as a dated layer on one track (the newest
/// [`MAX_SERIES`]), oldest first. `taken`: ids in use.
pub fn series_layers(
    capabilities: &Capabilities,
    layer_id: &str,
    options: &XyzOptions,
    range: Option<(NaiveDate, NaiveDate)>,
    taken: &dyn Fn(&str) -> bool,
) -> Result<Vec<ImageryLayer>, WmtsError> {
    let layer = capabilities.layer(layer_id)?;
    let dated: Vec<WmtsDatedLayer> =
        dated_layers(capabilities, layer_id, options, range, MAX_SERIES)?;
    let mut out: Vec<ImageryLayer> = Vec::with_capacity(dated.len());
    for one in dated {
        let made = project_layer(
            capabilities,
            layer,
            &one.template,
            Some((one.date, &one.time_value)),
            one.name,
            &|id| taken(id) || out.iter().any(|l| l.id == id),
        );
        out.push(made);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::wmts::parse_capabilities;

    const DOC: &str = r#"<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1">
 <ows:ServiceIdentification><ows:Title>Test tiles</ows:Title></ows:ServiceIdentification>
 <ows:ServiceProvider><ows:ProviderName>Test agency</ows:ProviderName></ows:ServiceProvider>
 <Contents>
  <Layer><ows:Title>Daily</ows:Title><ows:Abstract>Every day</ows:Abstract><ows:Identifier>daily</ows:Identifier>
   <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
   <Format>image/png</Format>
   <Dimension><ows:Identifier>Time</ows:Identifier><Default>2025-06-11</Default>
    <Value>2025-05-02</Value><Value>2025-06-11</Value><Value>2025-08-20</Value></Dimension>
   <TileMatrixSetLink><TileMatrixSet>geo</TileMatrixSet></TileMatrixSetLink>
   <TileMatrixSetLink><TileMatrixSet>gm</TileMatrixSet></TileMatrixSetLink>
   <ResourceURL format="image/png" resourceType="tile" template="http://t/{Time}/{TileMatrix}/{TileRow}/{TileCol}.png"/>
  </Layer>
  <TileMatrixSet><ows:Identifier>gm</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
   <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>559082264.0287178</ScaleDenominator>
    <TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight>
    <MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
  </TileMatrixSet>
  <TileMatrixSet><ows:Identifier>geo</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::4326</ows:SupportedCRS>
   <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>279541132.0143589</ScaleDenominator>
    <TopLeftCorner>90 -180</TopLeftCorner><TileWidth>512</TileWidth><TileHeight>512</TileHeight>
    <MatrixWidth>2</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
  </TileMatrixSet>
 </Contents>
</Capabilities>"#;

    fn caps() -> Capabilities {
        parse_capabilities(DOC, "http://t/caps.xml").unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_geographic_set_is_listed_unusable_with_its_crs() {
        let caps = caps();
        let choices = matrix_set_choices(&caps, &caps.layers[0]);
        assert_eq!(choices.len(), 2);
        assert_eq!(
            choices[0].unusable.as_deref(),
            Some("not Web Mercator (urn:ogc:def:crs:EPSG::4326)")
        );
        assert_eq!(choices[1].unusable, None);
        assert_eq!(caps.layers[0].abstract_text.as_deref(), Some("Every day"));
    }

    #[test]
    fn the_nearest_value_is_taken_and_a_tie_goes_to_the_earlier_day() {
        let values = vec![
            (day("2025-05-02"), "a".to_owned()),
            (day("2025-05-06"), "b".to_owned()),
        ];
        assert_eq!(nearest_value(&values, day("2025-05-04")).unwrap().1, "a");
        assert_eq!(nearest_value(&values, day("2026-01-01")).unwrap().1, "b");
        assert!(nearest_value(&[], day("2026-01-01")).is_none());
    }

    #[test]
    fn a_series_is_dated_layers_on_one_track_credited_to_the_provider() {
        let caps = caps();
        let range = Some((day("2025-05-01"), day("2025-07-01")));
        let taken = |id: &str| id == "wmts-daily-2025-05-02";
        let layers = series_layers(&caps, "daily", &XyzOptions::default(), range, &taken).unwrap();
        let ids: Vec<&str> = layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["wmts-daily-2025-05-02-2", "wmts-daily-2025-06-11"]);
        for layer in &layers {
            assert_eq!(layer.track, "Daily");
            assert_eq!(layer.attribution, "Test agency");
            assert!(
                layer.note.contains("from http://t/caps.xml"),
                "{}",
                layer.note
            );
        }
        let LayerSource::Tiles { url, max_zoom, .. } = &layers[1].source else {
            panic!("tiles");
        };
        assert_eq!(url, "http://t/2025-06-11/{z}/{y}/{x}.png");
        assert_eq!(*max_zoom, 0);
    }

    #[test]
    fn one_layer_takes_the_value_nearest_the_slider_within_the_range() {
        let caps = caps();
        let one = single_layer(
            &caps,
            "daily",
            &XyzOptions::default(),
            None,
            day("2025-08-01"),
            &|_| false,
        )
        .unwrap();
        assert_eq!(one.date, Some(FuzzyDate::day(day("2025-08-20"))));
        assert_eq!(one.extra["wmts_time"], "2025-08-20");
        let chosen_set = XyzOptions {
            tile_matrix_set: Some("geo".to_owned()),
            ..XyzOptions::default()
        };
        let err = single_layer(
            &caps,
            "daily",
            &chosen_set,
            None,
            day("2025-08-01"),
            &|_| false,
        )
        .unwrap_err();
        assert!(matches!(err, WmtsError::NoWebMercator { .. }), "{err:?}");
    }
}
