//! Writes the starting inputs of every fuzz target to `seeds/<target>/`: the test fixtures, and
//! small valid files made with Sitewatch's own writers where the fixtures have none (a project,
//! a KMZ, a GeoPackage, a COG with overviews, PMTiles archives). Run from `fuzz/`.

use std::fs;
use std::path::{Path, PathBuf};

use sitewatch::fuzz_targets::{PART_SEPARATOR, TARGETS};
use sitewatch::imagery::TileKey;
use sitewatch::imagery::pmtiles::{WriteOptions, write_pmtiles};
use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, write_geotiff_levels_with,
};

type Res = Result<(), Box<dyn std::error::Error>>;

fn main() -> Res {
    let root = Path::new("..");
    let fixtures = root.join("tests/fixtures");
    let seeds = PathBuf::from("seeds");
    for (name, _) in TARGETS {
        fs::create_dir_all(seeds.join(name))?;
    }
    let put = |target: &str, name: &str, bytes: &[u8]| -> Res {
        fs::write(seeds.join(target).join(name), bytes)?;
        Ok(())
    };
    let copy = |target: &str, from: &Path| -> Res {
        let name = from.file_name().ok_or("no file name")?.to_string_lossy();
        put(target, &name, &fs::read(from)?)
    };
    let inter = fixtures.join("interchange");

    // A project of the default site with five annotations, and what the exporters make of it.
    let mut small = sitewatch::model::default_project::load_default_project()?.project;
    small.annotations.truncate(5);
    put("project", "small.sitewatch.geojson", &tiny_project(&small)?)?;
    put(
        "project",
        "empty.json",
        br#"{"type":"FeatureCollection","features":[]}"#,
    )?;
    put(
        "kmz",
        "small.kmz",
        &sitewatch::interchange::kmz::export_bytes(&small, "small.kmz")?,
    )?;
    let gpkg = std::env::temp_dir().join("sitewatch-seed.gpkg");
    let _ = fs::remove_file(&gpkg);
    sitewatch::interchange::gpkg::export_file(&gpkg, &small)?;
    put("gpkg", "small.gpkg", &small_pages(&gpkg)?)?;
    fs::copy(inter.join("geopackage/two-crs.gpkg"), &gpkg)?;
    put("gpkg", "two-crs.gpkg", &small_pages(&gpkg)?)?;
    fs::remove_file(&gpkg)?;

    for f in [
        "qgis-export.geojson",
        "shapefile/sites-areas.geojson",
        "shapefile/sites-points.geojson",
    ] {
        copy("geojson", &inter.join(f))?;
    }
    copy("kml", &inter.join("google-earth/doc.kml"))?;
    copy("csv", &inter.join("sites-excel.csv"))?;
    put(
        "csv",
        "dms.csv",
        "name;lat;lon\nbridge;42°25'30.5\"N;130°38'24,1\"E\n".as_bytes(),
    )?;
    put("csv", "mgrs.csv", b"name,mgrs\nA,52TGN 12345 67890\n")?;
    put(
        "csv",
        "wkt.csv",
        b"name,WKT\nline,\"LINESTRING (130.6 42.4, 130.7 42.5)\"\n",
    )?;
    copy("gpx", &inter.join("survey.gpx"))?;

    for stem in ["albers-points", "cp949-points", "utm52n-areas"] {
        let mut joined = Vec::new();
        for (i, ext) in ["shp", "shx", "dbf", "prj", "cpg"].iter().enumerate() {
            if i > 0 {
                joined.extend_from_slice(PART_SEPARATOR);
            }
            let part = inter.join("shapefile").join(format!("{stem}.{ext}"));
            joined.extend(fs::read(&part).unwrap_or_default());
        }
        put("shapefile", &format!("{stem}.parts"), &joined)?;
        copy("wkt", &inter.join("shapefile").join(format!("{stem}.prj")))?;
    }
    put(
        "wkt",
        "site.tif.aux.xml",
        b"<PAMDataset><SRS>PROJCS[&quot;WGS 84 / UTM zone 52N&quot;,GEOGCS[&quot;WGS 84&quot;,DATUM[&quot;WGS_1984&quot;,SPHEROID[&quot;WGS 84&quot;,6378137,298.257223563]],PRIMEM[&quot;Greenwich&quot;,0],UNIT[&quot;degree&quot;,0.0174532925199433]],PROJECTION[&quot;Transverse_Mercator&quot;],PARAMETER[&quot;latitude_of_origin&quot;,0],PARAMETER[&quot;central_meridian&quot;,129],PARAMETER[&quot;scale_factor&quot;,0.9996],PARAMETER[&quot;false_easting&quot;,500000],PARAMETER[&quot;false_northing&quot;,0],UNIT[&quot;metre&quot;,1]]</SRS><GeoTransform>  7.0e+05, 1.0, 0.0, 4.7e+06, 0.0, -1.0</GeoTransform></PAMDataset>",
    )?;

    for entry in fs::read_dir(fixtures.join("geotiff"))? {
        let path = entry?.path();
        let small_tif =
            path.extension().is_some_and(|e| e == "tif") && fs::metadata(&path)?.len() < 64_000;
        if small_tif {
            copy("geotiff", &path)?;
        }
    }
    put("geotiff", "cog_overviews.tif", &cog()?)?;
    put(
        "world_file",
        "site.tfw",
        b"2.0\n0.0\n0.0\n-2.0\n700001.0\n4700001.0\n",
    )?;
    put(
        "world_file",
        "rotated.pgw",
        b"1.5e-05\n2e-06\n3e-06\n-1.5e-05\n130.6\n42.45\n",
    )?;

    for (name, options) in [
        ("plain.pmtiles", WriteOptions::default()),
        (
            "gzip.pmtiles",
            WriteOptions {
                gzip_directories: true,
                gzip_tiles: true,
                ..WriteOptions::default()
            },
        ),
    ] {
        let path = std::env::temp_dir().join(name);
        let tiles: Vec<(TileKey, Vec<u8>)> = [(0, 0, 0), (1, 1, 0), (1, 1, 1), (2, 3, 1)]
            .into_iter()
            .map(|(z, x, y)| (TileKey { z, x, y }, png_tile(z)))
            .collect();
        write_pmtiles(&path, &tiles, &options)?;
        put("pmtiles", name, &fs::read(&path)?)?;
        fs::remove_file(&path)?;
    }

    let stac = fixtures.join("stac");
    for f in [
        "item_collection.json",
        "catalog/catalog.json",
        "catalog/items/a.json",
        "catalog/sub/collection.json",
    ] {
        copy("stac", &stac.join(f))?;
    }
    for f in ["gibs_epsg3857.xml", "site_time.xml"] {
        copy("wmts", &fixtures.join("wmts").join(f))?;
    }
    put("wayback", "config.json", br#"{"58924":{"itemID":"925025d364fa4e49958f4f1dd2362beb","itemTitle":"World Imagery (Wayback 2025-09-25)","itemURL":"https://wayback.maptiles.arcgis.com/arcgis/rest/services/World_Imagery/WMTS/1.0.0/default028mm/MapServer/tile/58924/{level}/{row}/{col}","metadataLayerUrl":"https://metadata.maptiles.arcgis.com/arcgis/rest/services/World_Imagery_Metadata_2025_r09/MapServer","layerIdentifier":"WB_2025_R09"},"3201":{"itemTitle":"World Imagery (Wayback 2018-11-07)"}}"#)?;
    put("wayback", "metadata.json", br#"{"features":[{"attributes":{"SRC_DATE2":1588291200000,"NICE_DESC":"Maxar","SRC_DESC":"WV02","SAMP_RES":0.5,"SRC_ACC":5}},{"attributes":{"SRC_DATE":"20190102","SAMP_RES":"0.3"}}]}"#)?;
    put("wayback", "tilemap.json", br#"{"data":[1],"select":[13192],"valid":true,"location":{"left":0,"top":0,"width":1,"height":1}}"#)?;
    Ok(())
}

/// `project` as a project file of about 6 KB (AFL++ mutates small inputs best): three features,
/// the first few categories, sources, stages, layers and measures, every string cut to 24
/// characters, compact JSON. Citations of sources left out stay (a reader warns of them).
fn tiny_project(
    project: &sitewatch::model::Project,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    fn cut(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = s.chars().take(24).collect(),
            serde_json::Value::Array(items) => items.iter_mut().for_each(cut),
            serde_json::Value::Object(members) => members.values_mut().for_each(cut),
            _ => {}
        }
    }
    let text = sitewatch::model::io::to_json_string(project);
    let mut doc: serde_json::Value = serde_json::from_str(&text)?;
    if let Some(features) = doc
        .get_mut("features")
        .and_then(serde_json::Value::as_array_mut)
    {
        features.truncate(3);
    }
    if let Some(meta) = doc
        .get_mut("sitewatch")
        .and_then(serde_json::Value::as_object_mut)
    {
        let keep = [
            ("categories", 4),
            ("sources", 6),
            ("stages", 4),
            ("layers", 3),
            ("measures", 2),
        ];
        for (member, n) in keep {
            if let Some(list) = meta
                .get_mut(member)
                .and_then(serde_json::Value::as_array_mut)
            {
                list.truncate(n);
            }
        }
    }
    cut(&mut doc);
    Ok(serde_json::to_vec(&doc)?)
}

/// A 64 × 64 RGB COG-like GeoTIFF (tiled, Deflate, two overviews) in UTM 52N over the site.
fn cog() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut spec = GeoTiffSpec::new(64, 64, 3);
    spec.layout = Layout::Tiles { edge_px: 16 };
    spec.compression = Compression::Deflate;
    spec.epsg = Some((32652, true));
    spec.transform =
        GeoTransform::from_world_file("4.0\n0.0\n0.0\n-4.0\n700002.0\n4700002.0\n").ok();
    let mut out = std::io::Cursor::new(Vec::new());
    write_geotiff_levels_with::<_, u8>(&mut out, &spec, 2, |_, x, y, w, h, buf| {
        buf.clear();
        for row in y..y + h {
            for col in x..x + w {
                buf.extend([(col * 4) as u8, (row * 4) as u8, 128]);
            }
        }
    })?;
    Ok(out.into_inner())
}

/// The SQLite file at `path` rewritten with 512-byte pages (a GeoPackage of a few tables is
/// then a few kilobytes, not 45 to 127), returned.
fn small_pages(path: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let db = rusqlite::Connection::open(path)?;
    db.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA page_size = 512; VACUUM;")?;
    drop(db);
    Ok(fs::read(path)?)
}

/// A tiny valid PNG tile, its colour from `z`.
fn png_tile(z: u8) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(8, 8, image::Rgba([z * 60, 90, 160, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = image.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}
