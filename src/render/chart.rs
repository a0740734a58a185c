//! Charts as SVG (`--format html`, `--plot DIR`), drawn by plotters' SVG backend from plain data:
//! no engine type is seen here. Each chart kind is a small spec (what to draw) turned into a
//! [`Chart`] (a stable file name, a title, the SVG text).
//!
//! - Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), safe for the
//!   common colour-vision deficiencies; series also differ by marker and dash, so a grey print
//!   still tells them apart.
//! - Text: plotters escapes every string it draws; the `<title>` and `<desc>` added for screen
//!   readers are escaped by maud. Sizes are estimated without fonts, so the SVG is byte-identical
//!   on every machine.
//! - Undefined values are never drawn as 0: a bar chart writes "undefined: REASON" in the row.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use super::numbers::fmt_amount;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A finished chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem for `--plot DIR` (`race-selection-rate`): lower-case ASCII letters, digits and
    /// `-`, made by [`slug`] from the chart's place in the report; unique within a report.
    pub name: String,
    /// What the chart shows, in words (also its SVG `<title>`).
    pub title: String,
    /// The standalone SVG document.
    pub svg: String,
}

/// Okabe–Ito colours in the order used for series; black last (overall and reference lines).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];
const GREY: RGBColor = RGBColor(120, 120, 120);
const BAND: RGBColor = RGBColor(0, 158, 115);
const FONT: &str = "sans-serif";
const WIDTH: u32 = 720;

/// Series colour `i` (cycling).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A file-name stem from free text: ASCII letters and digits lower-cased, every other run of
/// characters one `-` (non-ASCII letters kept as their code point, `u2013`, so two names that
/// differ only there stay apart); at most 80 characters; `chart` when nothing is left.
pub fn slug(parts: &[&str]) -> String {
    let mut s = String::new();
    for part in parts {
        for ch in part.chars() {
            if ch.is_ascii_alphanumeric() {
                s.push(ch.to_ascii_lowercase());
            } else if ch.is_alphanumeric() {
                if !s.is_empty() && !s.ends_with('-') {
                    s.push('-');
                }
                s.push_str(&format!("u{:x}", ch as u32));
            } else if !s.is_empty() && !s.ends_with('-') {
                s.push('-');
            }
        }
        if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    let mut s: String = s.trim_matches('-').chars().take(80).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        "chart".into()
    } else {
        s
    }
}

/// An axis tick: whole numbers with thousands separators (`10,000`), others with the decimals
/// they need (`0.1`, `2.25`), at most 6.
fn tick(v: &f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else if r == r.trunc() {
        fmt_amount(Some(r))
    } else {
        let s = format!("{r:.6}");
        s.trim_end_matches('0').to_string()
    }
}

/// `label` cut to `max` characters with `…` (the full text is in the chart's table).
fn short(label: &str, max: usize) -> String {
    let n = label.chars().count();
    if n <= max {
        label.to_string()
    } else {
        // Both ends kept (`"><img src=x …&F`): names that differ only at the end stay apart.
        let tail = (max.saturating_sub(1)) / 3;
        let head = max.saturating_sub(1) - tail;
        let mut s: String = label.chars().take(head).collect();
        s.push('…');
        s.extend(label.chars().skip(n - tail));
        s
    }
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

/// Adds `<title>` and `<desc>` (escaped) and `role="img"` to plotters' `<svg …>` element.
fn finish(name: String, title: &str, desc: &str, svg: String) -> Chart {
    let head =
        maud::html! { title { (title) } @if !desc.is_empty() { desc { (desc) } } }.into_string();
    let svg = match svg.find('>') {
        Some(i) if svg.starts_with("<svg") => {
            format!("{} role=\"img\">\n{head}{}", &svg[..i], &svg[i + 1..])
        }
        _ => svg,
    };
    Chart {
        name,
        title: title.to_string(),
        // A control character is not allowed in XML: the file would not open.
        svg: super::text::markup_safe(&svg).into_owned(),
    }
}

/// Pads a range so marks at its ends stay inside; a single value gets a unit-wide range.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let w = if lo.abs() > 1e-12 {
            lo.abs() * 0.1
        } else {
            0.5
        };
        return (lo - w, hi + w);
    }
    let pad = (hi - lo) * 0.04;
    (lo - pad, hi + pad)
}

fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
}

/// One row of a [`Bars`] chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// The value, or why it is undefined.
    pub value: Result<f64, String>,
    /// An interval drawn as a whisker, when there is one.
    pub interval: Option<(f64, f64)>,
    /// Drawn lighter and labelled `*` (a small group: unreliable).
    pub flagged: bool,
}

/// A vertical line across a chart (an overall value, a reference).
#[derive(Debug, Clone)]
pub struct Rule {
    pub at: f64,
    pub label: String,
}

/// Horizontal bars, one per category, with optional whiskers, vertical rules and a shaded band.
#[derive(Debug, Clone, Default)]
pub struct Bars {
    pub name: String,
    pub title: String,
    /// Longer text for screen readers (what the band and rules mean).
    pub desc: String,
    /// The value axis' title, with its unit.
    pub x_label: String,
    pub bars: Vec<Bar>,
    /// Drawn dashed (first black, then grey).
    pub rules: Vec<Rule>,
    /// A shaded interval of the value axis (a parity band) and its legend text.
    pub band: Option<(f64, f64, String)>,
    /// Fixed value axis; else from the data (and 0).
    pub x_range: Option<(f64, f64)>,
    /// What the whiskers are, for the legend (`95% Wilson interval`); "interval" when empty.
    pub interval_label: String,
}

/// Draws a [`Bars`] chart. Bars start at 0 (or the axis' left end when 0 is outside it).
pub fn bars(spec: &Bars) -> Result<Chart> {
    let n = spec.bars.len().max(1);
    let (x0, x1) = spec.x_range.unwrap_or_else(|| {
        let vals = spec.bars.iter().flat_map(|b| {
            let v = b.value.as_ref().ok().copied();
            let (lo, hi) = b.interval.unzip();
            [v, lo, hi].into_iter().flatten()
        });
        let rules = spec.rules.iter().map(|r| r.at);
        let band = spec.band.iter().flat_map(|b| [b.0, b.1]);
        let (lo, hi) = extent(vals.chain(rules).chain(band).chain([0.0])).unwrap_or((0.0, 1.0));
        padded(lo, hi)
    });
    let labels: Vec<String> = spec
        .bars
        .iter()
        .map(|b| {
            short(
                &format!("{}{}", b.label, if b.flagged { " *" } else { "" }),
                28,
            )
        })
        .collect();
    let label_area =
        labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32 * CHAR_W + 16;
    let mut keys: Vec<(String, Key)> = Vec::new();
    if let Some((_, _, label)) = &spec.band {
        keys.push((label.clone(), Key::Band(BAND)));
    }
    for (k, r) in spec.rules.iter().enumerate() {
        keys.push((r.label.clone(), Key::Line(rule_colour(k), true)));
    }
    if spec.bars.iter().any(|b| b.interval.is_some()) {
        let label = if spec.interval_label.is_empty() {
            "interval".to_string()
        } else {
            spec.interval_label.clone()
        };
        keys.push((label, Key::Whisker));
    }
    let plot_h = (80 + 28 * n as u32).max(150);
    let legend_h = legend_height(&keys, WIDTH);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, plot_h + legend_h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (upper, lower) = root.split_vertically(plot_h);
        let mut chart = ChartBuilder::on(&upper)
            .caption(&spec.title, (FONT, TITLE))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(label_area.min(240))
            // Row 0 at the top.
            .build_cartesian_2d(x0..x1, (n as f64 - 0.4)..-0.6)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(0)
            .y_labels(0)
            .x_label_formatter(&tick)
            .x_desc(&spec.x_label)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, LABEL))
            .draw()
            .map_err(err)?;
        for (i, l) in labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(x0, i as f64));
            root.draw(&Text::new(l.clone(), (px - 6, py), text_style(HPos::Right)))
                .map_err(err)?;
        }
        if let Some((lo, hi, _)) = &spec.band {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(*lo, -0.6), (*hi, n as f64 - 0.4)],
                    BAND.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
        let base = 0f64.clamp(x0, x1);
        for (i, b) in spec.bars.iter().enumerate() {
            let y = i as f64;
            match &b.value {
                Ok(v) => {
                    let c = if b.flagged {
                        PALETTE[0].mix(0.35)
                    } else {
                        PALETTE[0].mix(0.85)
                    };
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(base, y - 0.32), (v.clamp(x0, x1), y + 0.32)],
                            c.filled(),
                        )))
                        .map_err(err)?;
                    if let Some((lo, hi)) = b.interval {
                        chart
                            .draw_series(std::iter::once(ErrorBar::new_horizontal(
                                y,
                                lo.clamp(x0, x1),
                                v.clamp(x0, x1),
                                hi.clamp(x0, x1),
                                BLACK.stroke_width(1),
                                8,
                            )))
                            .map_err(err)?;
                    }
                }
                Err(why) => {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("undefined: {}", short(why, 70)),
                            (x0 + (x1 - x0) * 0.01, y),
                            (FONT, LABEL)
                                .into_font()
                                .color(&GREY)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                        )))
                        .map_err(err)?;
                }
            }
        }
        for (k, r) in spec.rules.iter().enumerate() {
            chart
                .draw_series(DashedLineSeries::new(
                    [(r.at, -0.6), (r.at, n as f64 - 0.4)],
                    6,
                    4,
                    rule_colour(k).stroke_width(2),
                ))
                .map_err(err)?;
        }
        draw_legend(&lower, &keys, WIDTH)?;
        root.present().map_err(err)?;
    }
    Ok(finish(spec.name.clone(), &spec.title, &spec.desc, svg))
}

const TITLE: u32 = 20;
const LABEL: u32 = 15;
/// Estimated width of a label character at [`LABEL`] size, in pixels.
const CHAR_W: u32 = 7;

fn rule_colour(k: usize) -> RGBColor {
    if k == 0 {
        BLACK
    } else {
        GREY
    }
}

fn text_style(h: HPos) -> TextStyle<'static> {
    (FONT, LABEL)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(h, VPos::Center))
}

/// A legend entry's symbol.
#[derive(Debug, Clone, Copy)]
enum Key {
    /// A line; dashed or solid.
    Line(RGBColor, bool),
    /// A shaded area.
    Band(RGBColor),
    /// A marker shape (circle, triangle, cross) alone, or on a line.
    Marker(usize, RGBColor, bool),
    /// An interval whisker.
    Whisker,
}

fn key_width(label: &str) -> u32 {
    30 + label.chars().count() as u32 * CHAR_W + 18
}

/// Rows of the legend under the chart (entries laid left to right, wrapped at `width`).
fn legend_rows(keys: &[(String, Key)], width: u32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut x = 0;
    for (i, (label, _)) in keys.iter().enumerate() {
        let w = key_width(label);
        if rows.is_empty() || (x + w > width.saturating_sub(40) && x > 0) {
            rows.push(Vec::new());
            x = 0;
        }
        if let Some(r) = rows.last_mut() {
            r.push(i);
        }
        x += w;
    }
    rows
}

fn legend_height(keys: &[(String, Key)], width: u32) -> u32 {
    match legend_rows(keys, width).len() as u32 {
        0 => 0,
        r => 10 + 22 * r,
    }
}

/// Draws the legend in `area` (below the plot, never over the data).
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    keys: &[(String, Key)],
    width: u32,
) -> Result<()> {
    for (row, items) in legend_rows(keys, width).iter().enumerate() {
        let y = 12 + 22 * row as i32;
        let mut x = 20i32;
        for &i in items {
            let (label, key) = &keys[i];
            match *key {
                Key::Line(c, dashed) => {
                    if dashed {
                        for k in 0..3 {
                            area.draw(&PathElement::new(
                                vec![(x + k * 8, y), (x + k * 8 + 5, y)],
                                c.stroke_width(2),
                            ))
                            .map_err(err)?;
                        }
                    } else {
                        area.draw(&PathElement::new(
                            vec![(x, y), (x + 22, y)],
                            c.stroke_width(2),
                        ))
                        .map_err(err)?;
                    }
                }
                Key::Band(c) => {
                    area.draw(&Rectangle::new(
                        [(x, y - 6), (x + 22, y + 6)],
                        c.mix(0.3).filled(),
                    ))
                    .map_err(err)?;
                }
                Key::Marker(shape, c, line) => {
                    if line {
                        area.draw(&PathElement::new(
                            vec![(x, y), (x + 22, y)],
                            c.stroke_width(2),
                        ))
                        .map_err(err)?;
                    }
                    area.draw(&marker_at((x + 11, y), shape, c)).map_err(err)?;
                }
                Key::Whisker => {
                    let s = BLACK.stroke_width(1);
                    area.draw(&PathElement::new(vec![(x, y), (x + 22, y)], s))
                        .map_err(err)?;
                    area.draw(&PathElement::new(vec![(x, y - 4), (x, y + 4)], s))
                        .map_err(err)?;
                    area.draw(&PathElement::new(vec![(x + 22, y - 4), (x + 22, y + 4)], s))
                        .map_err(err)?;
                }
            }
            area.draw(&Text::new(
                label.clone(),
                (x + 30, y),
                text_style(HPos::Left),
            ))
            .map_err(err)?;
            x += key_width(label) as i32;
        }
    }
    Ok(())
}

/// How a [`Series`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    /// A line through the points.
    #[default]
    Line,
    /// A line with a marker at each point.
    LineAndPoints,
    /// Markers only (a scatter).
    Points,
}

/// One named series of (x, y) points.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
    /// Dashed line (a fitted or expected curve next to measured points).
    pub dashed: bool,
    /// Colour index in [`PALETTE`]; series `i` when `None`.
    pub colour: Option<usize>,
}

/// Lines or scatter points on numeric axes.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub name: String,
    pub title: String,
    pub desc: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// The y = x diagonal, dashed grey, with this legend text (ROC chance line, perfect calibration).
    pub diagonal: Option<String>,
    /// Vertical rules (a peak, a threshold).
    pub rules: Vec<Rule>,
}

/// Draws a [`Lines`] chart, with its legend underneath.
pub fn lines(spec: &Lines) -> Result<Chart> {
    let pts = || spec.series.iter().flat_map(|s| s.points.iter());
    let (x0, x1) = spec.x_range.unwrap_or_else(|| {
        extent(pts().map(|p| p.0).chain(spec.rules.iter().map(|r| r.at)))
            .map_or((0.0, 1.0), |(a, b)| padded(a, b))
    });
    let (y0, y1) = spec
        .y_range
        .unwrap_or_else(|| extent(pts().map(|p| p.1)).map_or((0.0, 1.0), |(a, b)| padded(a, b)));
    let mut keys: Vec<(String, Key)> = Vec::new();
    for (i, s) in spec.series.iter().enumerate() {
        let c = colour(s.colour.unwrap_or(i));
        keys.push((
            s.name.clone(),
            match s.mark {
                Mark::Line => Key::Line(c, s.dashed),
                Mark::LineAndPoints => Key::Marker(i % 3, c, true),
                Mark::Points => Key::Marker(i % 3, c, false),
            },
        ));
    }
    if let Some(label) = &spec.diagonal {
        keys.push((label.clone(), Key::Line(GREY, true)));
    }
    for r in &spec.rules {
        keys.push((r.label.clone(), Key::Line(BLACK, true)));
    }
    if keys.len() == 1 && spec.diagonal.is_none() && spec.rules.is_empty() {
        keys.clear();
    }
    let plot_h = 440;
    let legend_h = legend_height(&keys, WIDTH);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, plot_h + legend_h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (upper, lower) = root.split_vertically(plot_h);
        let mut chart = ChartBuilder::on(&upper)
            .caption(&spec.title, (FONT, TITLE))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&spec.x_label)
            .y_desc(&spec.y_label)
            .x_labels(7)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, LABEL))
            .max_light_lines(0)
            .draw()
            .map_err(err)?;
        if spec.diagonal.is_some() {
            let lo = x0.max(y0);
            let hi = x1.min(y1);
            chart
                .draw_series(DashedLineSeries::new(
                    [(lo, lo), (hi, hi)],
                    5,
                    4,
                    GREY.stroke_width(1),
                ))
                .map_err(err)?;
        }
        for r in &spec.rules {
            chart
                .draw_series(DashedLineSeries::new(
                    [(r.at, y0), (r.at, y1)],
                    6,
                    4,
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?;
        }
        for (i, s) in spec.series.iter().enumerate() {
            let c = colour(s.colour.unwrap_or(i));
            let style = c.stroke_width(2);
            let inside: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            if s.mark != Mark::Points {
                if s.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(inside.clone(), 8, 5, style))
                        .map_err(err)?;
                } else {
                    chart
                        .draw_series(LineSeries::new(inside.clone(), style))
                        .map_err(err)?;
                }
            }
            if s.mark != Mark::Line {
                // Marker shape by series (circle, triangle, cross), so grey prints differ.
                chart
                    .draw_series(inside.iter().map(|&p| marker(p, i % 3, c)))
                    .map_err(err)?;
            }
        }
        draw_legend(&lower, &keys, WIDTH)?;
        root.present().map_err(err)?;
    }
    Ok(finish(spec.name.clone(), &spec.title, &spec.desc, svg))
}

fn marker<DB: DrawingBackend>(
    p: (f64, f64),
    shape: usize,
    c: RGBColor,
) -> DynElement<'static, DB, (f64, f64)> {
    match shape {
        0 => Circle::new(p, 4, c.filled()).into_dyn(),
        1 => TriangleMarker::new(p, 5, c.filled()).into_dyn(),
        _ => Cross::new(p, 4, c.stroke_width(2)).into_dyn(),
    }
}

fn marker_at<DB: DrawingBackend>(
    p: (i32, i32),
    shape: usize,
    c: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    match shape {
        0 => Circle::new(p, 4, c.filled()).into_dyn(),
        1 => TriangleMarker::new(p, 5, c.filled()).into_dyn(),
        _ => Cross::new(p, 4, c.stroke_width(2)).into_dyn(),
    }
}

/// Counts (or shares) over bins, one series per group: drawn as step outlines so groups overlay.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    pub name: String,
    pub title: String,
    pub desc: String,
    pub x_label: String,
    pub y_label: String,
    /// Bin edges, ascending; `counts` of each series have `edges.len() - 1` entries.
    pub edges: Vec<f64>,
    pub series: Vec<(String, Vec<f64>)>,
}

/// Draws a [`Histogram`] as step outlines, one per series.
pub fn histogram(spec: &Histogram) -> Result<Chart> {
    let series: Vec<Series> = spec
        .series
        .iter()
        .map(|(name, counts)| {
            let mut points = Vec::with_capacity(counts.len() * 2 + 2);
            for (i, c) in counts.iter().enumerate() {
                if i == 0 {
                    points.push((spec.edges[0], 0.0));
                }
                points.push((spec.edges[i], *c));
                points.push((spec.edges[i + 1], *c));
            }
            if let Some(&last) = spec.edges.get(counts.len()) {
                points.push((last, 0.0));
            }
            Series {
                name: name.clone(),
                points,
                ..Default::default()
            }
        })
        .collect();
    let top = extent(spec.series.iter().flat_map(|s| s.1.iter().copied())).map_or(1.0, |e| e.1);
    lines(&Lines {
        name: spec.name.clone(),
        title: spec.title.clone(),
        desc: spec.desc.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        series,
        x_range: extent(spec.edges.iter().copied()).map(|(a, b)| padded(a, b)),
        y_range: Some((0.0, if top > 0.0 { top * 1.08 } else { 1.0 })),
        ..Default::default()
    })
}

/// A matrix of values as coloured cells with the value written in each.
#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    pub name: String,
    pub title: String,
    pub desc: String,
    pub x_label: String,
    pub y_label: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `cells[row][column]`; `None` is drawn hatched-grey with "—".
    pub cells: Vec<Vec<Option<f64>>>,
    /// Cells drawn with a heavy border (an allocation's bundles).
    pub marked: Vec<(usize, usize)>,
    /// The colour scale's ends; else the data's.
    pub range: Option<(f64, f64)>,
    /// Decimals written in the cells.
    pub decimals: usize,
}

/// Draws a [`Heatmap`]: a sequential blue scale (light = low), dark cells with white text.
pub fn heatmap(spec: &Heatmap) -> Result<Chart> {
    let (nr, nc) = (spec.rows.len().max(1), spec.columns.len().max(1));
    let (lo, hi) = spec.range.unwrap_or_else(|| {
        extent(spec.cells.iter().flatten().flatten().copied()).unwrap_or((0.0, 1.0))
    });
    let row_labels: Vec<String> = spec.rows.iter().map(|r| short(r, 24)).collect();
    let col_labels: Vec<String> = spec.columns.iter().map(|c| short(c, 14)).collect();
    let label_area = row_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4) as u32
        * 7
        + 16;
    let cell_w = ((WIDTH - label_area.min(200) - 40) / nc as u32).clamp(24, 120);
    let width = (label_area.min(200) + 40 + cell_w * nc as u32).min(1400);
    let height = (90 + 34 * nr as u32).max(160);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&spec.title, (FONT, TITLE))
            .margin(10)
            .x_label_area_size(40)
            // Room for the row labels and, left of them, the axis title.
            .y_label_area_size(label_area.min(200) + 24)
            .build_cartesian_2d(0.0..nc as f64, 0.0..nr as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(&spec.x_label)
            .y_desc(&spec.y_label)
            .label_style((FONT, LABEL))
            .draw()
            .map_err(err)?;
        let centred = |h| {
            (FONT, LABEL)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(h, VPos::Center))
        };
        for (i, l) in col_labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            root.draw(&Text::new(l.clone(), (px, py + 12), centred(HPos::Center)))
                .map_err(err)?;
        }
        // Row 0 at the top.
        for (i, l) in row_labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, (nr - 1 - i) as f64 + 0.5));
            root.draw(&Text::new(l.clone(), (px - 6, py), centred(HPos::Right)))
                .map_err(err)?;
        }
        for (r, row) in spec.cells.iter().enumerate() {
            let y = (nr - 1 - r) as f64;
            for (c, v) in row.iter().enumerate() {
                let x = c as f64;
                let (fill, text, ink) = match v {
                    Some(v) => {
                        let t = if hi > lo {
                            ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
                        } else {
                            0.5
                        };
                        let blend =
                            |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
                        let fill = RGBColor(blend(239, 8), blend(243, 48), blend(255, 107));
                        let ink = if t > 0.55 { WHITE } else { BLACK };
                        (fill, format!("{v:.*}", spec.decimals), ink)
                    }
                    None => (RGBColor(225, 225, 225), "—".to_string(), BLACK),
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, y), (x + 1.0, y + 1.0)],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                if spec.marked.contains(&(r, c)) {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x + 0.04, y + 0.06), (x + 0.96, y + 0.94)],
                            PALETTE[1].stroke_width(4),
                        )))
                        .map_err(err)?;
                }
                if cell_w >= 34 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            (x + 0.5, y + 0.5),
                            (FONT, LABEL)
                                .into_font()
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )))
                        .map_err(err)?;
                }
            }
        }
        root.present().map_err(err)?;
    }
    Ok(finish(spec.name.clone(), &spec.title, &spec.desc, svg))
}

/// A directed graph with nodes on a circle (an envy graph).
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub name: String,
    pub title: String,
    pub desc: String,
    pub nodes: Vec<String>,
    /// (from, to, label): an arrow from node `from` to node `to`.
    pub edges: Vec<(usize, usize, String)>,
}

/// Draws a [`Graph`]: nodes evenly on a circle, arrows between them with their labels at the
/// middle; a node with an edge is coloured, one without is grey.
pub fn graph(spec: &Graph) -> Result<Chart> {
    let n = spec.nodes.len().max(1);
    let size = 520u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, size)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let root = root.titled(&spec.title, (FONT, TITLE)).map_err(err)?;
        let (cx, cy, rad) = (
            WIDTH as f64 / 2.0,
            (size as f64 - 40.0) / 2.0,
            (size as f64 - 40.0) / 2.0 - 60.0,
        );
        let pos: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
                (cx + rad * a.cos(), cy + rad * a.sin())
            })
            .collect();
        let px = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
        for (from, to, label) in &spec.edges {
            let (Some(&a), Some(&b)) = (pos.get(*from), pos.get(*to)) else {
                continue;
            };
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            // From the edge of one node's circle to the edge of the other's.
            let s = (a.0 + ux * 16.0, a.1 + uy * 16.0);
            let e = (b.0 - ux * 18.0, b.1 - uy * 18.0);
            let c = PALETTE[5];
            root.draw(&PathElement::new(vec![px(s), px(e)], c.stroke_width(2)))
                .map_err(err)?;
            let (hx, hy) = (e.0 - ux * 10.0, e.1 - uy * 10.0);
            let head = vec![
                px(e),
                px((hx - uy * 5.0, hy + ux * 5.0)),
                px((hx + uy * 5.0, hy - ux * 5.0)),
            ];
            root.draw(&Polygon::new(head, c.filled())).map_err(err)?;
            if !label.is_empty() {
                let m = ((s.0 + e.0) / 2.0 - uy * 10.0, (s.1 + e.1) / 2.0 + ux * 10.0);
                root.draw(&Text::new(
                    label.clone(),
                    px(m),
                    (FONT, 13).into_font().color(&BLACK),
                ))
                .map_err(err)?;
            }
        }
        for (i, p) in pos.iter().enumerate() {
            let involved = spec.edges.iter().any(|e| e.0 == i || e.1 == i);
            let c = if involved { PALETTE[0] } else { GREY };
            root.draw(&Circle::new(px(*p), 14, c.filled()))
                .map_err(err)?;
            let label = short(spec.nodes.get(i).map_or("", String::as_str), 18);
            // The label outside the circle of nodes (away from the arrows, which run inside it).
            let (dx, dy) = (p.0 - cx, p.1 - cy);
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let at = (p.0 + dx / d * 24.0, p.1 + dy / d * 24.0);
            let h = if dx / d > 0.3 {
                HPos::Left
            } else if dx / d < -0.3 {
                HPos::Right
            } else {
                HPos::Center
            };
            root.draw(&Text::new(
                label,
                px(at),
                (FONT, LABEL)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(h, VPos::Center)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(finish(spec.name.clone(), &spec.title, &spec.desc, svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_is_stable_and_safe() {
        assert_eq!(slug(&["race", "selection_rate"]), "race-selection-rate");
        assert_eq!(slug(&["<script>", "a b"]), "script-a-b");
        assert_eq!(slug(&["", "!!"]), "chart");
        assert_eq!(slug(&["Łódź"]), "u141-uf3d-u17a");
    }

    #[test]
    fn hostile_labels_are_escaped_in_svg() {
        let c = bars(&Bars {
            name: "x".into(),
            title: "<script>alert(1)</script>".into(),
            x_label: "rate".into(),
            bars: vec![Bar {
                label: "\"><img src=x onerror=alert(1)>".into(),
                value: Ok(0.5),
                interval: Some((0.4, 0.6)),
                flagged: false,
            }],
            ..Default::default()
        })
        .unwrap();
        assert!(!c.svg.contains("<script>"), "{}", c.svg);
        assert!(!c.svg.contains("<img"), "{}", c.svg);
        assert!(c.svg.contains("&lt;script&gt;"));
        assert!(c.svg.contains("<title>"));
    }

    #[test]
    fn undefined_bar_is_written_not_drawn_as_zero() {
        let c = bars(&Bars {
            name: "x".into(),
            title: "t".into(),
            bars: vec![Bar {
                label: "g".into(),
                value: Err("no positive labels".into()),
                interval: None,
                flagged: false,
            }],
            ..Default::default()
        })
        .unwrap();
        assert!(c.svg.contains("undefined: no positive labels"));
    }
}
