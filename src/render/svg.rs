//! The SVG painter: writes a [`DisplayList`] as a vector document. Paths stay paths, text stays
//! real, selectable text set in the bundled fonts (embedded, each glyph at the position the list
//! laid it out), imagery is embedded as PNG at figure resolution. Like the other painters it
//! makes no style decision of its own.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::display_list::{DashPx, DisplayList, ImageryOp, PaintOp, RectPx, TextRun, Weight};
use super::fonts;
use crate::model::Rgba;

/// The font family the document names for the bundled faces.
pub const FAMILY: &str = "Sitewatch Noto Sans";

/// A face embedded when the document's text needs it.
struct Face {
    family: &'static str,
    weight: u16,
    data: &'static [u8],
    format: &'static str,
    needed: fn(char) -> bool,
}

fn hangul(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7A3}')
}

fn symbol(c: char) -> bool {
    matches!(c, '\u{2190}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

fn always(_: char) -> bool {
    true
}

const FACES: [Face; 7] = [
    Face {
        family: FAMILY,
        weight: 400,
        data: fonts::REGULAR_TTF,
        format: "truetype",
        needed: always,
    },
    Face {
        family: FAMILY,
        weight: 700,
        data: fonts::BOLD_TTF,
        format: "truetype",
        needed: always,
    },
    Face {
        family: "Sitewatch Noto Sans KR",
        weight: 400,
        data: fonts::HANGUL_REGULAR_OTF,
        format: "opentype",
        needed: hangul,
    },
    Face {
        family: "Sitewatch Noto Sans KR",
        weight: 700,
        data: fonts::HANGUL_BOLD_OTF,
        format: "opentype",
        needed: hangul,
    },
    Face {
        family: "Sitewatch Noto Symbols 2",
        weight: 400,
        data: fonts::FALLBACK_TTFS[0].1,
        format: "truetype",
        needed: symbol,
    },
    Face {
        family: "Sitewatch Noto Symbols",
        weight: 400,
        data: fonts::FALLBACK_TTFS[1].1,
        format: "truetype",
        needed: symbol,
    },
    Face {
        family: "Sitewatch Noto Math",
        weight: 400,
        data: fonts::FALLBACK_TTFS[2].1,
        format: "truetype",
        needed: symbol,
    },
];

/// Writes the list as an SVG document with `title` and `description` (provenance) in it.
#[must_use]
pub fn document(list: &DisplayList, title: &str, description: &str) -> String {
    let [w, h] = list.size_px;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">
<title>{}</title>
<desc>{}</desc>
"#,
        escape(title),
        escape(description)
    );
    out.push_str(&styles(list));
    let mut clips = 0;
    let mut open = false;
    for op in &list.ops {
        match op {
            PaintOp::Clip(rect) => {
                if open {
                    out.push_str("</g>\n");
                }
                open = rect.is_some();
                if let Some(r) = rect {
                    clips += 1;
                    let _ = writeln!(out, "{}", clip_path(clips, *r));
                    let _ = writeln!(out, r#"<g clip-path="url(#clip{clips})">"#);
                }
            }
            PaintOp::FillRings { rings, color } => {
                let d: String = rings.iter().map(|r| path_data(r, true)).collect();
                let _ = writeln!(
                    out,
                    r#"<path d="{d}" fill-rule="evenodd"{}/>"#,
                    fill(*color)
                );
            }
            PaintOp::Stroke {
                points,
                closed,
                width_px,
                color,
                dash_px,
            } => {
                let d = path_data(points, *closed);
                let _ = writeln!(
                    out,
                    r#"<path d="{d}" fill="none"{}/>"#,
                    stroke(*width_px, *color, *dash_px)
                );
            }
            PaintOp::FillRect {
                rect_px: [x0, y0, x1, y1],
                radius_px,
                color,
            } => {
                let _ = writeln!(
                    out,
                    r#"<rect x="{x0}" y="{y0}" width="{}" height="{}" rx="{radius_px}"{}/>"#,
                    x1 - x0,
                    y1 - y0,
                    fill(*color)
                );
            }
            PaintOp::FillCircle {
                center_px: [x, y],
                radius_px,
                color,
            } => {
                let _ = writeln!(
                    out,
                    r#"<circle cx="{x}" cy="{y}" r="{radius_px}"{}/>"#,
                    fill(*color)
                );
            }
            PaintOp::StrokeCircle {
                center_px: [x, y],
                radius_px,
                width_px,
                color,
                dash_px,
            } => {
                let _ = writeln!(
                    out,
                    r#"<circle cx="{x}" cy="{y}" r="{radius_px}" fill="none"{}/>"#,
                    stroke(*width_px, *color, *dash_px)
                );
            }
            PaintOp::Text(run) => out.push_str(&text(run)),
            PaintOp::Imagery(op) => {
                clips += 1;
                out.push_str(&image(op, clips));
            }
        }
    }
    if open {
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// The embedded faces the list's text needs, and the classes that name them.
fn styles(list: &DisplayList) -> String {
    let chars: Vec<char> = list
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Text(run) => Some(run.text.chars()),
            _ => None,
        })
        .flatten()
        .collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut css = String::from("<style>\n");
    let mut families: Vec<&str> = Vec::new();
    for face in FACES
        .iter()
        .filter(|f| chars.iter().any(|&c| (f.needed)(c)))
    {
        let _ = writeln!(
            css,
            "@font-face {{ font-family: '{}'; font-weight: {}; src: url(data:font/{};base64,{}) format('{}'); }}",
            face.family,
            face.weight,
            if face.format == "truetype" {
                "ttf"
            } else {
                "otf"
            },
            STANDARD.encode(face.data),
            face.format
        );
        if !families.contains(&face.family) {
            families.push(face.family);
        }
    }
    let stack: Vec<String> = families.iter().map(|f| format!("'{f}'")).collect();
    let _ = writeln!(
        css,
        "text {{ font-family: {}, 'Noto Sans', sans-serif; white-space: pre; }}\n</style>",
        stack.join(", ")
    );
    css
}

fn text(run: &TextRun) -> String {
    let weight = match run.font.weight {
        Weight::Regular => 400,
        Weight::Bold => 700,
    };
    // A character the layout gave no advance (the second of a ligature such as "fi", a
    // combining mark) belongs to the cluster before it: the cluster keeps one position and the
    // renderer shapes it whole.
    let xs: Vec<f32> = run
        .glyphs
        .iter()
        .map(|g| run.origin_px[0] + g.x_px)
        .collect();
    let mut clusters: Vec<(f32, String)> = Vec::new();
    for (k, g) in run.glyphs.iter().enumerate() {
        let no_advance = xs
            .get(k + 1)
            .is_some_and(|next| (next - xs[k]).abs() < 0.01);
        match clusters.last_mut() {
            Some((_, chars)) if no_advance => chars.push(g.chr),
            _ => clusters.push((xs[k], g.chr.to_string())),
        }
    }
    // Single characters run together with an x each; a cluster stands alone.
    let mut segments: Vec<(Vec<String>, String)> = Vec::new();
    for (x, chars) in clusters {
        let single = chars.chars().count() == 1;
        match segments.last_mut() {
            Some((xs, text)) if single && text.chars().count() == xs.len() => {
                xs.push(num(x));
                text.push_str(&chars);
            }
            _ => segments.push((vec![num(x)], chars)),
        }
    }
    let body = if let [(xs, text)] = segments.as_slice() {
        format!(" x=\"{}\">{}", xs.join(" "), escape(text))
    } else {
        let mut spans = String::from(">");
        for (xs, text) in &segments {
            let _ = write!(
                spans,
                "<tspan x=\"{}\">{}</tspan>",
                xs.join(" "),
                escape(text)
            );
        }
        spans
    };
    format!(
        "<text y=\"{}\" font-size=\"{}\" font-weight=\"{weight}\"{}{body}</text>\n",
        num(run.origin_px[1] + run.baseline_px),
        num(run.font.size_px),
        fill(run.color),
    )
}

fn image(op: &ImageryOp, id: usize) -> String {
    // Window textures exist only on screen.
    let super::display_list::ImagerySource::Rgba { size_px, pixels } = &op.source else {
        return String::new();
    };
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, size_px[0], size_px[1]);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(pixels));
        if written.is_err() {
            return String::new();
        }
    }
    let [x0, y0, x1, y1] = op.dest_px;
    let [dx, dy] = op.offset_px;
    let (clip, open) = match op.clip_px {
        Some(r) => (
            format!("{}\n<g clip-path=\"url(#clip{id})\">\n", clip_path(id, r)),
            "</g>\n",
        ),
        None => (String::new(), ""),
    };
    format!(
        "{clip}<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" opacity=\"{}\" \
         preserveAspectRatio=\"none\" href=\"data:image/png;base64,{}\"/>\n{open}",
        num(x0 + dx),
        num(y0 + dy),
        num(x1 - x0),
        num(y1 - y0),
        num(op.opacity),
        STANDARD.encode(&png)
    )
}

fn clip_path(id: usize, [x0, y0, x1, y1]: RectPx) -> String {
    format!(
        "<clipPath id=\"clip{id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>",
        num(x0),
        num(y0),
        num(x1 - x0),
        num(y1 - y0)
    )
}

fn path_data(points: &[[f32; 2]], closed: bool) -> String {
    let mut d = String::new();
    for (i, [x, y]) in points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { "M" } else { "L" },
            num(*x),
            num(*y)
        );
    }
    if closed && !points.is_empty() {
        d.push('Z');
    }
    d
}

fn colour(color: Rgba) -> (String, f32) {
    let [r, g, b, a] = color.0;
    (
        format!("#{r:02x}{g:02x}{b:02x}"),
        f32::from(a) / f32::from(u8::MAX),
    )
}

fn fill(color: Rgba) -> String {
    let (hex, alpha) = colour(color);
    format!(r#" fill="{hex}" fill-opacity="{}""#, num(alpha))
}

fn stroke(width: f32, color: Rgba, dash: Option<DashPx>) -> String {
    let (hex, alpha) = colour(color);
    let shape = match dash {
        Some((d, g)) => format!(
            r#" stroke-linecap="butt" stroke-dasharray="{} {}""#,
            num(d),
            num(g)
        ),
        None => r#" stroke-linecap="round""#.to_owned(),
    };
    format!(
        r#" stroke="{hex}" stroke-opacity="{}" stroke-width="{}" stroke-linejoin="round"{shape}"#,
        num(alpha),
        num(width)
    )
}

/// A coordinate to 1/100 px, without trailing zeros.
fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn escape(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || c >= ' ')
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ligature_keeps_its_characters_at_one_position() {
        use crate::render::display_list::{FontSpec, GlyphPos};
        // "fil" as epaint lays out the "fi" ligature: the i has no advance of its own.
        let glyphs = [('f', 0.0), ('i', 12.0), ('l', 12.0)]
            .map(|(chr, x_px)| GlyphPos { chr, x_px })
            .to_vec();
        let run = TextRun {
            text: "fil".into(),
            font: FontSpec::regular(20.0),
            color: Rgba([0, 0, 0, 255]),
            origin_px: [10.0, 5.0],
            size_px: [20.0, 24.0],
            baseline_px: 18.0,
            glyphs,
        };
        let svg = text(&run);
        assert!(
            svg.contains(r#"<tspan x="10">fi</tspan><tspan x="22">l</tspan>"#),
            "{svg}"
        );
        assert!(svg.contains(r#"y="23""#));
    }

    #[test]
    fn numbers_are_short_and_text_is_escaped() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(41.236), "41.24");
        assert_eq!(
            escape("A & B <c> \"d\"\u{1}"),
            "A &amp; B &lt;c&gt; &quot;d&quot;"
        );
    }
}
