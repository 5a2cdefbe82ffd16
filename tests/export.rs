//! Export: figures rendered on the CPU from small fixture projects with the offline basemap
//! (nothing touches the network), checked against golden PNGs with a tolerance, by probing
//! pixels, and by reading back the files written beside them.
//!
//! Goldens live in `tests/golden/`. After a deliberate change in how figures look, run with
//! `SITEWATCH_BLESS=1`, look at the new images, and commit them; a mismatch writes the actual
//! image to `target/tmp/golden-actual/` for inspection.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::Coord;
use image::RgbaImage;
use sitewatch::export::files::parse_world_file;
use sitewatch::export::view::ExportView;
use sitewatch::export::{
    ExportError, ExportOptions, Figure, ViewChoice, export_all_stages, export_gif, export_png,
    render_figure,
};
use sitewatch::model::Project;
use sitewatch::model::io::parse;
use sitewatch::spatial::LonLatBox;
use sitewatch::spatial::measure::distance_m;

/// A site-scale project: every certainty, an area, points with markers, three stages.
const SITE: &str = r##"{
  "type": "FeatureCollection",
  "sitewatch": {
    "format_version": 1,
    "name": "Fixture crossing",
    "home": [130.630, 42.405, 130.652, 42.422],
    "categories": [
      {"key": "bridge", "name": "Bridge", "style": {"color": "#F0E442", "width_px": 5.0, "marker": "diamond"}},
      {"key": "pier", "name": "Pier", "style": {"color": "#D55E00", "marker": "circle"}},
      {"key": "yard", "name": "Customs yard", "style": {"color": "#009E73", "fill_alpha": 60, "marker": "square"}},
      {"key": "probe", "name": "Probe", "style": {"color": "#CC79A7", "width_px": 6.0, "marker": "square"}}
    ],
    "sources": [
      {"key": "a", "outlet": "Outlet A", "title": "Imagery report", "url": "https://example.org/a", "date": "2025-04-16", "evidence": "confirmed"},
      {"key": "b", "outlet": "Outlet B", "title": "Article", "evidence": "reported"}
    ],
    "stages": [
      {"date": "2025-02-27", "title": "Platform", "summary": "A platform on the east bank.", "sources": [{"source": "a", "evidence": "confirmed"}]},
      {"date": "late 2025-05", "title": "Foundations", "summary": "Pier foundations on both banks.", "sources": [{"source": "b", "evidence": "reported"}]},
      {"date": "2025-10-14", "title": "Spans", "summary": "Both sides build into the river; a customs yard is cleared.", "sources": [{"source": "a", "evidence": "confirmed"}, {"source": "b", "evidence": "reported"}]}
    ]
  },
  "features": [
    {"type": "Feature", "id": "bridge", "geometry": {"type": "LineString", "coordinates": [[130.634, 42.4115], [130.648, 42.4115]]},
     "properties": {"label": "Road bridge", "category": "bridge", "certainty": "probable", "seen_from": "2025-02-27", "sources": [{"source": "a", "evidence": "confirmed"}]}},
    {"type": "Feature", "id": "yard", "geometry": {"type": "Polygon", "coordinates": [[[130.6445, 42.417], [130.6485, 42.417], [130.6485, 42.4195], [130.6445, 42.4195], [130.6445, 42.417]]]},
     "properties": {"label": "Customs yard", "category": "yard", "certainty": "confirmed", "seen_from": "2025-06-02", "sources": [{"source": "b", "evidence": "derived"}]}},
    {"type": "Feature", "id": "pier-1", "geometry": {"type": "Point", "coordinates": [130.637, 42.4085]},
     "properties": {"label": "Pier", "category": "pier", "certainty": "possible", "seen_from": "late 2025-05", "sources": [{"source": "b", "evidence": "reported"}]}},
    {"type": "Feature", "id": "pier-2", "geometry": {"type": "Point", "coordinates": [130.6455, 42.4085]},
     "properties": {"label": "Pier", "category": "pier", "certainty": "confirmed", "seen_from": "late 2025-05", "sources": [{"source": "a", "evidence": "confirmed"}]}},
    {"type": "Feature", "id": "probe", "geometry": {"type": "Point", "coordinates": [130.641, 42.4135]},
     "properties": {"label": "Probe point", "category": "probe", "certainty": "confirmed", "seen_from": "2025-02-27", "sources": [{"source": "a", "evidence": "confirmed"}]}}
  ]
}"##;

/// A regional project, zoomed out far enough for the offline relief and borders to show.
const REGION: &str = r##"{
  "type": "FeatureCollection",
  "sitewatch": {
    "format_version": 1,
    "name": "Fixture region",
    "home": [129.6, 41.9, 131.6, 43.2],
    "categories": [
      {"key": "route", "name": "Rail line", "style": {"color": "#56B4E9", "width_px": 5.0}},
      {"key": "town", "name": "Town", "style": {"color": "#FFFFFF", "marker": "square"}}
    ],
    "stages": [
      {"date": "2024-06-19", "title": "Agreement", "summary": "An agreement is signed."}
    ]
  },
  "features": [
    {"type": "Feature", "id": "rail", "geometry": {"type": "LineString", "coordinates": [[130.2, 42.9], [130.64, 42.415], [131.2, 42.3]]},
     "properties": {"label": "Rail line", "category": "route", "certainty": "confirmed", "seen_from": "1959"}},
    {"type": "Feature", "id": "khasan", "geometry": {"type": "Point", "coordinates": [130.646, 42.43]},
     "properties": {"label": "Khasan", "category": "town", "certainty": "confirmed", "seen_from": "1950"}}
  ]
}"##;

fn project(text: &str) -> Project {
    parse(text, "fixture").unwrap().project
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn small(size_px: [u32; 2]) -> ExportOptions {
    ExportOptions {
        size_px,
        ..ExportOptions::default()
    }
}

fn render(project: &Project, date: NaiveDate, options: &ExportOptions) -> Figure {
    render_figure(project, date, options, &|_, _| true).unwrap()
}

/// Compares with a golden image: a pixel differs when a channel is off by more than 24, and at
/// most 0.2 % of pixels may differ (anti-aliased edges move with float rounding).
fn assert_matches_golden(actual: &RgbaImage, name: &str) {
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.png"));
    let actual_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden-actual");
    std::fs::create_dir_all(&actual_dir).unwrap();
    let actual_path = actual_dir.join(format!("{name}.png"));
    actual.save(&actual_path).unwrap();
    if std::env::var_os("SITEWATCH_BLESS").is_some() {
        let rgb = image::DynamicImage::ImageRgba8(actual.clone()).to_rgb8();
        rgb.save(&golden_path).unwrap();
        return;
    }
    let golden = image::open(&golden_path)
        .unwrap_or_else(|e| {
            panic!(
                "no golden {} ({e}); the actual image is {}",
                golden_path.display(),
                actual_path.display()
            )
        })
        .to_rgba8();
    assert_eq!(
        golden.dimensions(),
        actual.dimensions(),
        "size differs; actual: {}",
        actual_path.display()
    );
    let differing = golden
        .pixels()
        .zip(actual.pixels())
        .filter(|(g, a)| g.0.iter().zip(a.0).any(|(x, y)| x.abs_diff(y) > 24))
        .count();
    let allowed = (golden.width() * golden.height()) as usize / 500;
    assert!(
        differing <= allowed,
        "{differing} pixels differ (at most {allowed}); actual: {}",
        actual_path.display()
    );
}

#[test]
fn the_site_figure_matches_its_golden_image() {
    let options = ExportOptions {
        grid: true,
        title: Some("Fixture crossing".into()),
        ..small([480, 270])
    };
    let figure = render(&project(SITE), day(2025, 10, 14), &options);
    assert_matches_golden(&figure.to_rgba_image().unwrap(), "site-480x270");
}

#[test]
fn the_regional_figure_with_relief_matches_its_golden_image() {
    let figure = render(&project(REGION), day(2025, 1, 1), &small([480, 320]));
    assert_matches_golden(&figure.to_rgba_image().unwrap(), "region-480x320");
}

fn pixel(figure: &Figure, at: [f32; 2]) -> [u8; 3] {
    let p = figure
        .pixmap
        .pixel(at[0].floor() as u32, at[1].floor() as u32)
        .unwrap();
    [p.red(), p.green(), p.blue()]
}

/// True when the colour is found within `radius` pixels of `at`.
fn colour_near(figure: &Figure, at: [f32; 2], rgb: [u8; 3], radius: i32) -> bool {
    (-radius..=radius).any(|dy| {
        (-radius..=radius).any(|dx| {
            let p = [at[0] + dx as f32, at[1] + dy as f32];
            pixel(figure, p)
                .iter()
                .zip(rgb)
                .all(|(a, b)| a.abs_diff(b) <= 2)
        })
    })
}

#[test]
fn an_annotation_colour_lands_at_its_projected_position() {
    let figure = render(&project(SITE), day(2025, 10, 14), &small([960, 540]));
    let probe = figure.view.to_px(Coord {
        x: 130.641,
        y: 42.4135,
    });
    // The square marker's centre is its category colour, #CC79A7.
    assert!(
        colour_near(&figure, probe, [0xCC, 0x79, 0xA7], 1),
        "{probe:?}"
    );
    // The bridge line (yellow, dashed as probable) crosses x at its latitude within a pixel.
    let on_bridge = |lon: f64| figure.view.to_px(Coord { x: lon, y: 42.4115 });
    let yellow = [0xF0, 0xE4, 0x42];
    // The west half: the label sits east of the midpoint, over the line.
    let hits = (0..40)
        .map(|i| on_bridge(130.6345 + f64::from(i) * 0.00012))
        .filter(|p| colour_near(&figure, *p, yellow, 1))
        .count();
    // Dashes 16 on, 10 off: well over half the samples land on a dash.
    assert!(hits > 20, "{hits}");
    // Off the line, no yellow.
    let off = on_bridge(130.64);
    assert!(!colour_near(&figure, [off[0], off[1] + 12.0], yellow, 1));
}

#[test]
fn the_scale_bar_drawn_length_matches_the_ground_distance() {
    let figure = render(&project(SITE), day(2025, 10, 14), &small([960, 540]));
    let bar = figure.layout.scale_bar.as_ref().unwrap();
    // Scan the bar's middle row for its dark outline: first and last black pixel.
    let y = f32::midpoint(bar.bar_px[1], bar.bar_px[3]) as u32;
    let dark: Vec<u32> = (0..figure.pixmap.width())
        .filter(|&x| {
            let p = figure.pixmap.pixel(x, y).unwrap();
            // Pure black: the bar's outline and black half, not the dark box around it.
            p.red() < 8 && p.green() < 8 && p.blue() < 8
        })
        .filter(|&x| x as f32 >= bar.bar_px[0] - 2.0)
        .collect();
    let drawn_px = f64::from(dark.last().unwrap() - dark.first().unwrap() + 1);
    assert!(
        (drawn_px - bar.bar.length_px).abs() <= 1.5,
        "{drawn_px} {:?}",
        bar.bar
    );
    // That many pixels across the centre of the view is the bar's ground length.
    let c = figure.view.center_lonlat();
    let centre_px = figure.view.px_from_lonlat(c);
    let west = figure.view.lonlat_from_px(Coord {
        x: centre_px.x - drawn_px / 2.0,
        y: centre_px.y,
    });
    let east = figure.view.lonlat_from_px(Coord {
        x: centre_px.x + drawn_px / 2.0,
        y: centre_px.y,
    });
    let ground_m = distance_m(west.into(), east.into());
    let error = (ground_m - bar.bar.length_m).abs() / bar.bar.length_m;
    assert!(
        error < 0.01,
        "{ground_m} m drawn for {} m",
        bar.bar.length_m
    );
}

#[test]
fn the_world_file_read_back_gives_the_corners_of_the_view() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site.png");
    let bbox = LonLatBox {
        west: 130.630,
        south: 42.405,
        east: 130.652,
        north: 42.422,
    };
    let options = ExportOptions {
        view: ViewChoice::BBox(bbox),
        ..small([400, 400])
    };
    let written = export_png(
        &project(SITE),
        day(2025, 10, 14),
        &options,
        &out,
        &|_, _| true,
    )
    .unwrap();
    let text = std::fs::read_to_string(&written.side.world_file).unwrap();
    let [size_x, rot_y, rot_x, size_y, first_x, first_y] = parse_world_file(&text).unwrap();
    assert_eq!((rot_y, rot_x), (0.0, 0.0));
    // The outer corners are half a pixel out from the centres the world file names.
    let (west_m, north_m) = (first_x - size_x / 2.0, first_y - size_y / 2.0);
    let (east_m, south_m) = (west_m + 400.0 * size_x, north_m + 400.0 * size_y);
    let lonlat = |x: f64, y: f64| {
        let r = 6_378_137.0;
        Coord {
            x: (x / r).to_degrees(),
            y: (2.0 * (y / r).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
        }
    };
    let nw = lonlat(west_m, north_m);
    let se = lonlat(east_m, south_m);
    // The box is taller than wide in Mercator, so it fills the height exactly…
    assert!((nw.y - bbox.north).abs() < 1e-7, "{nw:?}");
    assert!((se.y - bbox.south).abs() < 1e-7, "{se:?}");
    // …and the width holds it, centred.
    assert!(nw.x < bbox.west && se.x > bbox.east);
    assert!((f64::midpoint(nw.x, se.x) - f64::midpoint(bbox.west, bbox.east)).abs() < 1e-7);
    // The view agrees with itself.
    let view: &ExportView = &written.view;
    let [west, south, east, north] = view.bbox_lonlat();
    assert!((west - nw.x).abs() < 1e-9 && (north - nw.y).abs() < 1e-9);
    assert!((east - se.x).abs() < 1e-9 && (south - se.y).abs() < 1e-9);
    let prj = std::fs::read_to_string(&written.side.prj).unwrap();
    assert!(prj.contains("AUTHORITY[\"EPSG\",\"3857\"]"));
}

#[test]
fn the_sidecar_records_the_png_hash_the_view_and_the_annotations_shown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fig.png");
    let written = export_png(
        &project(SITE),
        day(2025, 10, 14),
        &small([480, 270]),
        &out,
        &|_, _| true,
    )
    .unwrap();
    let png = std::fs::read(&out).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written.side.sidecar).unwrap()).unwrap();
    assert_eq!(
        json["image"]["sha256"],
        sitewatch::export::files::sha256_hex(&png)
    );
    assert_eq!(json["image"]["file"], "fig.png");
    assert_eq!(json["project"]["name"], "Fixture crossing");
    assert_eq!(json["date"], "2025-10-14");
    assert_eq!(json["view"]["crs"], "EPSG:3857");
    assert_eq!(json["layers"][0]["provider"], "Offline overview");
    assert_eq!(json["layers"][0]["credit"], "Natural Earth (public domain)");
    assert_eq!(json["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["exported_at_utc"].as_str().unwrap().ends_with('Z'));
    let shown: Vec<&str> = json["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(shown.len(), 5, "{shown:?}");
    let bridge = json["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "bridge")
        .unwrap();
    assert_eq!(bridge["certainty"], "probable");
    assert_eq!(bridge["sources"][0]["outlet"], "Outlet A");
    assert_eq!(bridge["sources"][0]["url"], "https://example.org/a");
    // The PNG carries the short form in its text chunks.
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    let texts: Vec<(String, String)> = info
        .uncompressed_latin1_text
        .iter()
        .map(|t| (t.keyword.clone(), t.text.clone()))
        .chain(
            info.utf8_text
                .iter()
                .map(|t| (t.keyword.clone(), t.get_text().unwrap())),
        )
        .collect();
    let get = |k: &str| {
        texts
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        get("sitewatch:project").as_deref(),
        Some("Fixture crossing")
    );
    assert_eq!(get("sitewatch:date").as_deref(), Some("2025-10-14"));
    assert!(get("Software").unwrap().starts_with("Sitewatch "));
    assert_eq!(get("Source").as_deref(), Some("Offline overview"));
    assert!(get("Creation Time").is_some() && get("Title").is_some());
}

#[test]
fn the_gif_has_one_frame_per_stage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("timelapse.gif");
    let written = export_gif(&project(SITE), &small([320, 180]), &out, &|_, _| true).unwrap();
    assert_eq!(written.dates.len(), 3);
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::io::BufReader::new(std::fs::File::open(&out).unwrap()))
        .unwrap();
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!((frame.width, frame.height), (320, 180));
        delays.push(frame.delay);
    }
    assert_eq!(delays, [100, 100, 300]);
    assert!(written.side.world_file.ends_with("timelapse.gfw"));
    assert!(written.side.sidecar.exists());
}

#[test]
fn all_stages_writes_one_png_per_stage_in_date_order() {
    let dir = tempfile::tempdir().unwrap();
    let stages = dir.path().join("stages");
    let written =
        export_all_stages(&project(SITE), &small([320, 180]), &stages, &|_, _| true).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|w| w.png.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "01-2025-02-27.png",
            "02-2025-05-21.png",
            "03-2025-10-14.png"
        ]
    );
    for w in &written {
        assert!(w.side.world_file.exists() && w.side.prj.exists() && w.side.sidecar.exists());
    }
}

#[test]
fn a_cancelled_export_stops_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.png");
    let err = export_png(
        &project(SITE),
        day(2025, 10, 14),
        &small([480, 270]),
        &out,
        &|_, _| false,
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::Cancelled), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_default_project_exports_at_the_master_size() {
    let loaded = sitewatch::model::default_project::load_default_project().unwrap();
    let figure = render(
        &loaded.project,
        day(2025, 10, 14),
        &ExportOptions::default(),
    );
    assert_eq!(figure.view.size_px(), [1920, 1080]);
    assert!(figure.scene.items.len() > 5);
    assert!(figure.labels.len() > 3, "{}", figure.labels.len());
    assert!(figure.layout.legend.is_some() && figure.layout.caption.is_some());
    assert_eq!(figure.layout.header.lines[0].text, "14 OCT 2025");
}

/// Every tile one colour: a stand-in for an imagery layer's pixels.
#[derive(Debug)]
struct Plain([u8; 3]);

impl sitewatch::imagery::TileSource for Plain {
    fn fetch(
        &self,
        _key: sitewatch::imagery::TileKey,
    ) -> Result<RgbaImage, sitewatch::imagery::TileError> {
        let [r, g, b] = self.0;
        Ok(RgbaImage::from_pixel(256, 256, image::Rgba([r, g, b, 255])))
    }
    fn name(&self) -> &'static str {
        "plain"
    }
    fn attribution(&self) -> &'static str {
        ""
    }
    fn max_zoom(&self) -> u8 {
        19
    }
}

/// Has a source for the synthetic layer only.
#[derive(Debug)]
struct OnlySynthetic;

impl sitewatch::export::LayerSources for OnlySynthetic {
    fn source(
        &self,
        layer: &sitewatch::model::ImageryLayer,
    ) -> Option<
        Result<std::sync::Arc<dyn sitewatch::imagery::TileSource>, sitewatch::imagery::TileError>,
    > {
        (layer.id == "synth").then(|| {
            Ok(std::sync::Arc::new(Plain([90, 120, 60]))
                as std::sync::Arc<dyn sitewatch::imagery::TileSource>)
        })
    }
}

fn with_imagery() -> Project {
    let layers = r#""layers": [
      {"id": "synth", "name": "Synthetic scene, 1 OCT 2025", "date": "2025-10-01", "track": "Synthetic demo",
       "attribution": "SYNTHETIC IMAGERY — not an observation", "synthetic": true,
       "source": {"kind": "file", "path": "synth.tif"}},
      {"id": "planet", "name": "PlanetScope", "date": "2025-10-12", "track": "Planet",
       "attribution": "Image © 2025 Planet Labs PBC", "opacity": 0.5,
       "source": {"kind": "tiles", "url": "https://example.invalid/{z}/{x}/{y}.png"}}
    ],
    "stages":"#;
    project(&SITE.replacen("\"stages\":", layers, 1))
}

#[test]
fn a_synthetic_layer_is_drawn_and_marked_beside_the_credit() {
    let options = ExportOptions {
        imagery: Some(std::sync::Arc::new(OnlySynthetic)),
        ..small([480, 270])
    };
    let figure = render(&with_imagery(), day(2025, 10, 14), &options);
    let image = figure.to_rgba_image().unwrap();
    assert_matches_golden(&image, "site-synthetic-480x270");
    let plain = image.pixels().filter(|p| p.0[..3] == [90, 120, 60]).count();
    assert!(plain > (480 * 270) / 3, "{plain}");
    let synthetic = figure.layout.synthetic.as_ref().unwrap();
    let credit = figure.layout.credit.as_ref().unwrap();
    assert_eq!(synthetic.lines[0].text, sitewatch::model::SYNTHETIC_NOTICE);
    assert!(synthetic.lines[0].style.size_px >= credit.lines[0].style.size_px);
    assert!(synthetic.rect_px[3] <= credit.rect_px[1]);
    // The credit line does not repeat the notice; the header gives the imagery's own date.
    assert_eq!(credit.lines[0].text, "Natural Earth (public domain)");
    let header: Vec<&str> = figure
        .layout
        .header
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        header,
        [
            "14 OCT 2025",
            "IMAGERY 1 OCT 2025 · Synthetic scene, 1 OCT 2025"
        ]
    );
    // No "no imagery" notice over imagery.
    assert!(figure.layout.notices.is_empty());
    // The layer with no source here is left out, and the figure says nothing of it.
    assert_eq!(figure.layers_left_out, ["PlanetScope"]);
    assert!(!figure.scene.credits.iter().any(|c| c.contains("Planet")));
}

#[test]
fn imagery_layers_without_a_source_are_left_out_and_unclaimed() {
    let figure = render(&with_imagery(), day(2025, 10, 14), &small([480, 270]));
    assert!(figure.scene.layers.is_empty());
    assert!(figure.layout.synthetic.is_none());
    assert_eq!(figure.layers_left_out.len(), 2);
    assert_eq!(figure.layout.header.lines.len(), 1);
}
