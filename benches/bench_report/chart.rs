//! The report's charts. Both sections draw the same figure: ns/op per
//! candidate per scenario on top (log scale, a group of bars per
//! scenario), what each pool keeps after its burst bottom left (a pair of
//! bars per candidate: threads alive, and after they exit), and the legend
//! bottom right.

use std::path::Path;

use plotters::prelude::*;

use crate::measure::Timings;

/// repool's colour.
pub(crate) const RED: RGBColor = RGBColor(214, 39, 40);
/// The hand-written baseline's.
pub(crate) const DARK: RGBColor = RGBColor(40, 40, 40);
/// The first of the others'.
pub(crate) const BLUE: RGBColor = RGBColor(31, 119, 180);

/// Muted, distinguishable colours for the candidates without one of their
/// own, taken in turn.
const OTHERS: [RGBColor; 10] = [
    BLUE,
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(174, 199, 232),
];

/// The bottom panel: a quantity each pool keeps after the burst.
pub(crate) struct Kept {
    pub(crate) caption: String,
    pub(crate) caption_size: u32,
    pub(crate) x_desc: &'static str,
    /// `[candidate]`: threads alive (solid bar).
    pub(crate) alive: Vec<f64>,
    /// `[candidate]`: after the threads exit (light bar).
    pub(crate) exited: Vec<f64>,
    /// `[candidate]`: the text beside the solid bar.
    pub(crate) notes: Vec<String>,
    /// The end of the axis.
    pub(crate) max: f64,
    /// A bound, drawn as a vertical line.
    pub(crate) line: Option<f64>,
}

/// One figure.
pub(crate) struct Figure<'a> {
    pub(crate) timings: &'a Timings,
    /// Candidates with a colour of their own; the rest take [`OTHERS`]'s
    /// (less these) in turn.
    pub(crate) fixed: &'a [(&'a str, RGBColor)],
    /// The top panel's height of the figure's 960 pixels.
    pub(crate) top_height: u32,
    pub(crate) caption: String,
    pub(crate) caption_size: u32,
    pub(crate) kept: Kept,
}

/// The bar an axis position stands for: labels go only on the whole
/// numbers `0..n`, one per bar.
fn bar_at(at: f64, n: usize) -> Option<usize> {
    let i = at.round();
    ((at - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then_some(i as usize)
}

fn colors(names: &[&str], fixed: &[(&str, RGBColor)]) -> Vec<RGBColor> {
    let mut others = OTHERS
        .iter()
        .filter(|c| !fixed.iter().any(|(_, f)| f == *c))
        .cycle();
    names
        .iter()
        .map(|n| match fixed.iter().find(|(name, _)| name == n) {
            Some(&(_, c)) => c,
            None => *others.next().expect("a palette"),
        })
        .collect()
}

/// Draws `figure` to `path`, as an SVG.
pub(crate) fn draw(figure: &Figure, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let timings = figure.timings;
    let names = &timings.candidates;
    let colors = colors(names, figure.fixed);
    let (nc, ns) = (names.len(), timings.scenarios.len());

    let root = SVGBackend::new(path, (1400, 960)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(figure.top_height);
    let (kept_area, legend_area) = bottom.split_horizontally(1120);

    // Top: ns/op, grouped by scenario, log scale (a pool's own cost is tens
    // of ns, real work microseconds).
    let values: Vec<f64> = (0..nc)
        .flat_map(|c| (0..ns).map(move |s| (c, s)))
        .map(|(c, s)| timings.median_ns(c, s))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min) / 2.0;
    let hi = values.iter().cloned().fold(0.0, f64::max) * 2.0;
    let mut chart = ChartBuilder::on(&top)
        .caption(&figure.caption, ("sans-serif", figure.caption_size))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..ns as f64 - 0.5, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(ns)
        .x_label_formatter(&|&x| {
            bar_at(x, ns).map_or_else(String::new, |s| timings.scenarios[s].to_owned())
        })
        .x_label_style(("sans-serif", 15))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("ns/op")
        .draw()?;
    let width = 0.86 / nc as f64;
    for (c, color) in colors.iter().enumerate() {
        chart.draw_series((0..ns).map(|s| {
            let x0 = s as f64 - 0.43 + c as f64 * width;
            let v = timings.median_ns(c, s).max(lo);
            Rectangle::new([(x0, lo), (x0 + width * 0.9, v)], color.filled())
        }))?;
    }

    // Bottom left: what each pool keeps after the burst.
    let kept = &figure.kept;
    let mut chart = ChartBuilder::on(&kept_area)
        .caption(&kept.caption, ("sans-serif", kept.caption_size))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(140)
        .build_cartesian_2d(0f64..kept.max, -0.5f64..nc as f64 - 0.5)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(nc)
        .y_label_formatter(&|&y| {
            // Top to bottom in candidate order.
            bar_at(y, nc).map_or_else(String::new, |i| names[nc - 1 - i].to_owned())
        })
        .y_label_style(("sans-serif", 14))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc(kept.x_desc)
        .draw()?;
    for (c, color) in colors.iter().enumerate() {
        let y = (nc - 1 - c) as f64;
        chart.draw_series([
            Rectangle::new([(0.0, y - 0.38), (kept.alive[c], y)], color.filled()),
            Rectangle::new(
                [(0.0, y), (kept.exited[c], y + 0.38)],
                color.mix(0.35).filled(),
            ),
        ])?;
    }
    chart.draw_series(kept.notes.iter().enumerate().map(|(c, note)| {
        Text::new(
            note.clone(),
            (kept.alive[c] + kept.max * 0.008, (nc - 1 - c) as f64 - 0.05),
            ("sans-serif", 12).into_font(),
        )
    }))?;
    if let Some(line) = kept.line {
        chart.draw_series(LineSeries::new(
            [(line, -0.5), (line, nc as f64 - 0.5)],
            BLACK.stroke_width(1),
        ))?;
    }

    // Bottom right: the legend.
    for (c, name) in names.iter().enumerate() {
        let y = 40 + c as i32 * 26;
        legend_area.draw(&Rectangle::new([(16, y), (34, y + 16)], colors[c].filled()))?;
        legend_area.draw(&Text::new(
            name.to_string(),
            (42, y + 2),
            ("sans-serif", 15).into_font(),
        ))?;
    }

    root.present()?;
    Ok(())
}
