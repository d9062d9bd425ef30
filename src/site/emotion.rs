//! The emotion lane of the journey map. The map's columns take the page's width, so the
//! lane cannot be one fixed-size chart: its line is an SVG stretched over the stage columns
//! (`preserveAspectRatio="none"`, strokes that do not scale) and its points are HTML placed
//! in the same columns by the template, so numbers and labels keep their size at any width.

use std::fmt::Write as _;

/// Height of the drawing in viewBox units; each column is [`COLUMN`] wide.
const HEIGHT: f64 = 100.0;
const COLUMN: f64 = 100.0;

/// Vertical position of a score, as a share of the lane's height (5 at the top, 1 low
/// enough to leave room for its label under it). The stylesheet places the points with the
/// same formula: `top: calc(12% + (5 - e) * 14%)`.
fn y_of(e: f64) -> f64 {
    HEIGHT * (0.12 + (5.0 - e.clamp(1.0, 5.0)) * 0.14)
}

/// The line through each stage's stated emotion (1 … 5), broken where a stage has none,
/// over a dashed "neutral" guide; and the emotion surveys measured (1 … 5, any value
/// between), dashed, when any stage has one. Decorative: the points carry the text.
pub fn line(emotions: &[Option<u8>], measured: &[Option<f64>]) -> String {
    let w = COLUMN * emotions.len() as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="emotion-line" viewBox="0 0 {w:.0} {HEIGHT:.0}" preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg"><line class="e-guide" x1="0" x2="{w:.0}" y1="{y:.0}" y2="{y:.0}" vector-effect="non-scaling-stroke"/>"#,
        y = y_of(3.0)
    );
    let stated: Vec<Option<f64>> = emotions.iter().map(|e| e.map(f64::from)).collect();
    polylines(&stated, "e-line", &mut out);
    polylines(measured, "e-measured", &mut out);
    out.push_str("</svg>");
    out
}

/// One polyline per run of stages with a value.
fn polylines(values: &[Option<f64>], class: &str, out: &mut String) {
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        if run.len() > 1 {
            let _ = write!(
                out,
                r#"<polyline class="{class}" points="{}" vector-effect="non-scaling-stroke"/>"#,
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, e) in values.iter().enumerate() {
        match e {
            Some(e) => run.push(format!("{:.0},{:.1}", COLUMN * i as f64 + COLUMN / 2.0, y_of(*e))),
            None => flush(&mut run, out),
        }
    }
    flush(&mut run, out);
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn the_line_breaks_where_a_stage_has_no_emotion() {
        let svg = line(&[Some(3), Some(1), None, Some(5), Some(4)], &[None; 5]);
        assert!(svg.contains(r#"viewBox="0 0 500 100""#), "{svg}");
        assert!(svg.contains(r#"points="50,40.0 150,68.0""#), "{svg}");
        assert!(svg.contains(r#"points="350,12.0 450,26.0""#), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(
            line(&[Some(2), None, Some(4)], &[None; 3]).matches("<polyline").count(),
            0
        );
    }

    #[test]
    fn the_measured_emotion_is_a_second_line() {
        let svg = line(&[Some(4), Some(4), Some(2)], &[Some(3.5), None, Some(2.25)]);
        assert_eq!(svg.matches(r#"class="e-line""#).count(), 1, "{svg}");
        assert_eq!(
            svg.matches(r#"class="e-measured""#).count(),
            0,
            "broken by the stage without answers"
        );
        let svg = line(&[Some(4), Some(4)], &[Some(3.5), Some(2.25)]);
        assert!(
            svg.contains(r#"<polyline class="e-measured" points="50,33.0 150,50.5""#),
            "{svg}"
        );
    }
}
