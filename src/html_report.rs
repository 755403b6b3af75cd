//! One self-contained HTML page of discussions (`report --html`, issue #18).
//!
//! [`HtmlReport`] gathers discussions one at a time ([`HtmlReport::add`]) and writes a single
//! page ([`HtmlReport::write_to`]) that loads nothing from the network: its CSS, JavaScript
//! and SVG charts are inline. Per discussion the page shows the summary `report` prints, as a
//! card; the reply tree, collapsible and keyboard-navigable, each comment marked with its
//! incivility (a colour and its text, e.g. "uncivil 0.91"), its stance toward its parent, its
//! side, its author and time, and its cue words highlighted; and charts: comments and the
//! uncivil share by depth, sides over time (or over position in the source), escalation
//! ([`Escalation`]) and the author interaction network. With several discussions a sortable
//! overview table links to each.
//!
//! The tree's comments are embedded as JSON and drawn by a small script that renders a
//! node's replies only when it is expanded, so a discussion of 10,000 comments opens at once;
//! printing expands every node.
//!
//! # Example
//! ```
//! use threadlens::html_report::HtmlReport;
//! use threadlens::scores::{DiscussionScores, Scorers};
//! use threadlens::{parse, Discussion};
//!
//! let capture = "Headline\n\nArticle text.\nShow Comments\n  1. First\n    1. You prick.\n";
//! let doc = parse::parse_bytes(capture.as_bytes(), "page.txt", &Default::default())?.remove(0);
//! let d = Discussion::build(doc);
//! let mut page = HtmlReport::new();
//! page.add(&d, &DiscussionScores::new(&d, &Scorers::shipped()));
//! let html = page.to_html();
//! assert!(html.starts_with("<!DOCTYPE html>") && html.contains("role=\"tree\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;
use std::io;

use serde::Serialize;

use crate::classify::incivility::Cue;
use crate::model::CommentSection;
use crate::report::{self, DiscussionReport, TreeLine};
use crate::scores::DiscussionScores;
use crate::thread::{Discussion, NodeId};

/// Authors shown in the interaction network: the most active, by comments.
pub const MAX_NETWORK_AUTHORS: usize = 30;

/// Depths drawn one bar each in the by-depth charts; deeper comments share the last bar.
pub const MAX_CHART_DEPTHS: usize = 30;

/// Tree levels expanded when the page opens (deeper replies are one key or click away).
pub const OPEN_LEVELS: u32 = 2;

/// Tree levels nested in one view; a deeper thread continues in a view of its own ("Continue
/// this thread"), since browsers do not lay out DOM nested thousands deep (a 5,000-deep chain
/// crashed Chromium's tab).
pub const NEST_LEVELS: u32 = 24;

/// Points drawn per line of the sides chart.
const SIDE_POINTS: usize = 200;

const CSS: &str = include_str!("html_report/page.css");
const JS: &str = include_str!("html_report/page.js");

/// A page of discussion reports, gathered one discussion at a time.
#[derive(Clone, Debug, Default)]
pub struct HtmlReport {
    sections: Vec<Section>,
}

#[derive(Clone, Debug)]
struct Section {
    anchor: String,
    row: OverviewRow,
    html: String,
}

#[derive(Clone, Debug)]
struct OverviewRow {
    id: String,
    outlet: Option<String>,
    title: Option<String>,
    section: CommentSection,
    comments: u64,
    threads: u64,
    max_depth: u32,
    uncivil_share: Option<f64>,
    disagree_share: Option<f64>,
    anomalies: usize,
}

impl HtmlReport {
    /// An empty page.
    pub fn new() -> HtmlReport {
        HtmlReport::default()
    }

    /// Discussions added so far.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// Whether no discussion was added.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// Add discussion `d` with its `scores`; its section is rendered now, so `d` need not be
    /// kept.
    pub fn add(&mut self, d: &Discussion, scores: &DiscussionScores) {
        let n = self.sections.len();
        self.sections.push(section(n, d, scores));
    }

    /// The whole page.
    pub fn to_html(&self) -> String {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("writing to memory does not fail");
        String::from_utf8(out).expect("the page is UTF-8")
    }

    /// Write the whole page to `wtr`.
    pub fn write_to(&self, mut wtr: impl io::Write) -> io::Result<()> {
        let title = match self.sections.as_slice() {
            [one] => format!(
                "{} — threadlens report",
                one.row.title.as_deref().unwrap_or(one.row.id.as_str())
            ),
            many => format!("{} discussions — threadlens report", many.len()),
        };
        write!(
            wtr,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"threadlens {}\">\n<title>{}</title>\n\
             <style>\n{CSS}</style>\n</head>\n<body>\n<header class=\"page\">\n\
             <h1>threadlens report</h1>\n<p>{} discussion{}, {} comments. Made by threadlens {}; \
             this page loads nothing from the network.</p>\n\
             <noscript><p class=\"note\">The reply trees and the overview's sorting need \
             JavaScript; the summaries and charts are shown without it.</p></noscript>\n\
             </header>\n<main>\n",
            env!("CARGO_PKG_VERSION"),
            esc(&title),
            self.sections.len(),
            if self.sections.len() == 1 { "" } else { "s" },
            self.sections.iter().map(|s| s.row.comments).sum::<u64>(),
            env!("CARGO_PKG_VERSION"),
        )?;
        if self.sections.len() > 1 {
            wtr.write_all(self.overview().as_bytes())?;
        }
        for s in &self.sections {
            wtr.write_all(s.html.as_bytes())?;
        }
        write!(wtr, "</main>\n<script>\n{JS}</script>\n</body>\n</html>\n")
    }

    fn overview(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "<section class=\"overview\" aria-labelledby=\"overview-h\">\n\
             <h2 id=\"overview-h\">Discussions</h2>\n\
             <p class=\"hint\">Click a column's heading to sort by it; click again to reverse.</p>\n\
             <table class=\"sortable\">\n<thead><tr>",
        );
        let heads = [
            ("Discussion", "text"),
            ("Outlet", "text"),
            ("Title", "text"),
            ("Comments", "num"),
            ("Threads", "num"),
            ("Max depth", "num"),
            ("Uncivil", "num"),
            ("Disagree", "num"),
            ("Anomalies", "num"),
        ];
        for (h, kind) in heads {
            let _ = write!(
                out,
                "<th scope=\"col\" aria-sort=\"none\" data-kind=\"{kind}\"><button type=\"button\">{h}</button></th>"
            );
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for s in &self.sections {
            let r = &s.row;
            let pct = |x: Option<f64>| match x {
                Some(v) => format!("<td data-v=\"{v:.6}\">{:.0}%</td>", 100.0 * v),
                None => "<td data-v=\"-1\">—</td>".to_string(),
            };
            let num = |n: u64, present: bool| {
                if present {
                    format!("<td data-v=\"{n}\">{n}</td>")
                } else {
                    "<td data-v=\"-1\">—</td>".to_string()
                }
            };
            let present = r.section == CommentSection::Present;
            let _ = writeln!(
                out,
                "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td>{}{}{}{}{}<td data-v=\"{}\">{}</td></tr>",
                s.anchor,
                esc(&r.id),
                esc(r.outlet.as_deref().unwrap_or("—")),
                esc(r.title.as_deref().unwrap_or("—")),
                num(r.comments, present),
                num(r.threads, present),
                num(u64::from(r.max_depth), present),
                pct(r.uncivil_share),
                pct(r.disagree_share),
                r.anomalies,
                r.anomalies,
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        out
    }
}

/// Escape text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

fn esc_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` are written as `\u003c`,
/// `\u003e` and `\u0026` (they only occur inside strings), so no `</script>` or `<!--` can
/// end or change the element.
fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).expect("report data serialises");
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// One comment as the page's script reads it.
#[derive(Serialize)]
struct JsNode<'a> {
    /// Comment id.
    id: &'a str,
    /// Parent's index in the list (pre-order), -1 under the article.
    p: i64,
    /// Depth.
    d: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<&'a str>,
    /// Time as shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    /// The text as HTML, cues in `<mark>`.
    h: String,
    /// Incivility probability and whether it is uncivil.
    #[serde(skip_serializing_if = "Option::is_none")]
    u: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<bool>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    f: &'a [String],
    /// Cues as text: `“text” (label)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    c: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    m: usize,
    /// Stance: relation and probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<(&'static str, f64)>,
    /// Side and confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    sd: Option<(&'static str, Option<f64>)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fl: Vec<&'static str>,
    /// Kind, when not a reader's comment (pingback, trackback).
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<&'static str>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Serialize)]
struct JsTree<'a> {
    /// Levels open when the page loads.
    open: u32,
    /// Levels nested in one view.
    nest: u32,
    /// Comments in pre-order.
    nodes: Vec<JsNode<'a>>,
}

fn section(n: usize, d: &Discussion, scores: &DiscussionScores) -> Section {
    let mut r = DiscussionReport::new(d, scores, true);
    // The tree goes to the page's data; the summary card is the report without it.
    let lines = r.tree.take().unwrap_or_default();
    let anchor = format!("d{}", n + 1);
    let row = OverviewRow {
        id: r.id.clone(),
        outlet: r.outlet.clone(),
        title: r.title.clone(),
        section: r.comment_section,
        comments: r.metrics.comments,
        threads: r.metrics.threads,
        max_depth: r.metrics.max_depth,
        uncivil_share: r.incivility.as_ref().and_then(|i| i.summary.uncivil_share),
        disagree_share: r.stance.as_ref().and_then(|s| s.disagree_share),
        anomalies: r.anomalies.len(),
    };
    let mut out = String::new();
    let heading = r.title.as_deref().unwrap_or(&r.id);
    let _ = write!(
        out,
        "<section class=\"discussion\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\" data-id=\"{}\">\n\
         <h2 id=\"{anchor}-h\">{}</h2>\n",
        esc(&r.id),
        esc(heading)
    );
    out.push_str(&summary_card(&r));
    if r.comment_section == CommentSection::Present && !d.is_empty() {
        out.push_str(&charts(d, scores));
        out.push_str(&tree(&anchor, d, &lines));
    }
    out.push_str("</section>\n");
    Section { anchor, row, html: out }
}

/// The summary `report` prints, as a card: each `key: value` line a term and its
/// description, the anomalies a list.
fn summary_card(r: &DiscussionReport) -> String {
    let text = report::render(std::slice::from_ref(r));
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    let mut out = format!(
        "<div class=\"card\">\n<p class=\"card-head\">{}</p>\n<dl class=\"summary\">\n",
        esc(head)
    );
    let mut in_list = false;
    for line in lines {
        if let Some(item) = line.strip_prefix("    - ") {
            if !in_list {
                out.push_str("<ul class=\"anomalies\">");
                in_list = true;
            }
            let _ = write!(out, "<li>{}</li>", esc(item));
            continue;
        }
        if in_list {
            out.push_str("</ul></dd>\n");
            in_list = false;
        }
        let Some((key, value)) = line.trim_start().split_once(':') else { continue };
        let _ = write!(out, "<dt>{}</dt><dd>{}", esc(key), esc(value.trim()));
        if key == "anomalies" && value.trim() != "none" {
            // The anomalies follow, one line each: a list closed after the last.
            out.push_str("<ul class=\"anomalies\">");
            in_list = true;
        } else {
            out.push_str("</dd>\n");
        }
    }
    if in_list {
        out.push_str("</ul></dd>\n");
    }
    out.push_str("</dl>\n</div>\n");
    out
}

fn tree(anchor: &str, d: &Discussion, lines: &[TreeLine]) -> String {
    let order = d.preorder();
    let mut index = vec![0i64; d.len()];
    for (i, &id) in order.iter().enumerate() {
        index[id.index()] = i as i64;
    }
    let nodes: Vec<JsNode> = order
        .iter()
        .zip(lines)
        .map(|(&id, line)| {
            let node = d.node(id);
            let c = &node.comment;
            let time = c
                .time
                .as_ref()
                .map(|t| if c.time_local { format!("{t} (local)") } else { t.clone() })
                .or_else(|| c.time_raw.clone());
            JsNode {
                id: &c.id,
                p: node.parent.map_or(-1, |p| index[p.index()]),
                d: node.depth,
                a: c.author.as_deref(),
                t: time,
                h: text_html(&c.text, &line.cues),
                u: line.incivility.map(round2),
                v: line.uncivil,
                f: &line.forms,
                c: cue_texts(&line.cues),
                m: line.more_cues,
                s: line.stance.map(|(rel, p)| (rel, round2(p))),
                sd: line.side.map(|(s, c)| (s, c.map(round2))),
                fl: line.flags.clone(),
                k: (c.kind != crate::model::CommentKind::Comment).then(|| c.kind.as_str()),
            }
        })
        .collect();
    let n = nodes.len();
    let data = script_json(&JsTree { open: OPEN_LEVELS, nest: NEST_LEVELS, nodes });
    format!(
        "<div class=\"tree-block\">\n<h3 id=\"{anchor}-tree-h\">Reply tree</h3>\n\
         <p class=\"hint\">{n} comments. Arrow keys move through the tree (→ opens, ← closes), \
         Enter or Space opens or closes a comment's replies. Replies deeper than level \
         {OPEN_LEVELS} start closed; a thread deeper than {NEST_LEVELS} levels continues in a \
         view of its own.</p>\n\
         <div class=\"controls\"><button type=\"button\" data-act=\"expand\" data-tree=\"{anchor}-tree\">Expand all</button> \
         <button type=\"button\" data-act=\"collapse\" data-tree=\"{anchor}-tree\">Collapse all</button></div>\n\
         <div class=\"legend\" aria-hidden=\"true\"><span class=\"inc inc0\">civil &lt;0.2</span>\
         <span class=\"inc inc1\">0.2–0.4</span><span class=\"inc inc2\">0.4–0.6</span>\
         <span class=\"inc inc3\">0.6–0.8</span><span class=\"inc inc4\">≥0.8</span>\
         <span class=\"mark-sample\"><mark class=\"cue\">cue word</mark></span></div>\n\
         <ul class=\"tree\" role=\"tree\" id=\"{anchor}-tree\" aria-labelledby=\"{anchor}-tree-h\"></ul>\n\
         <script type=\"application/json\" class=\"tl-data\" data-tree=\"{anchor}-tree\">{data}</script>\n\
         </div>\n"
    )
}

/// The cues of a comment as `“text” (label)`, in order.
fn cue_texts(cues: &[Cue]) -> Vec<String> {
    let mut seen: Vec<(String, &str, usize)> = Vec::new();
    for c in cues {
        let text = c.text.to_lowercase();
        match seen.iter_mut().find(|(t, l, _)| *t == text && *l == c.label) {
            Some(e) => e.2 += 1,
            None => seen.push((text, &c.label, 1)),
        }
    }
    seen.into_iter()
        .map(|(t, l, n)| {
            let times = if n > 1 { format!(" ×{n}") } else { String::new() };
            format!("“{t}”{times} ({l})")
        })
        .collect()
}

/// `text` as HTML, each cue (character offsets) in a `<mark>` naming its forms; overlapping
/// cues share one mark.
fn text_html(text: &str, cues: &[Cue]) -> String {
    let mut sorted: Vec<&Cue> = cues.iter().filter(|c| c.end > c.start).collect();
    sorted.sort_by_key(|c| (c.start, c.end));
    let mut spans: Vec<(usize, usize, Vec<&str>)> = Vec::new();
    for c in sorted {
        match spans.last_mut() {
            Some(s) if c.start < s.1 => {
                s.1 = s.1.max(c.end);
                if !s.2.contains(&c.label.as_str()) {
                    s.2.push(&c.label);
                }
            }
            _ => spans.push((c.start, c.end, vec![&c.label])),
        }
    }
    let mut out = String::with_capacity(text.len() + 64 * spans.len());
    let mut next = 0;
    let mut open = false;
    let mut buf = [0u8; 4];
    for (i, ch) in text.chars().enumerate() {
        if open && i == spans[next].1 {
            out.push_str("</mark>");
            open = false;
            next += 1;
        }
        if !open && next < spans.len() && i == spans[next].0 {
            let labels = spans[next].2.join(", ");
            let _ = write!(out, "<mark class=\"cue\" title=\"cue: {}\">", esc(&labels));
            open = true;
        }
        esc_into(&mut out, ch.encode_utf8(&mut buf));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Figures

/// Replies after an uncivil comment against replies after a civil one: does incivility beget
/// incivility?
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// Scored replies to an uncivil scored comment.
    pub after_uncivil: usize,
    /// Of those, uncivil ones.
    pub after_uncivil_uncivil: usize,
    /// Scored replies to a civil scored comment.
    pub after_civil: usize,
    /// Of those, uncivil ones.
    pub after_civil_uncivil: usize,
}

impl Escalation {
    /// Count over the replies of `d`; `uncivil(id)` is whether comment `id` is uncivil, `None`
    /// when it was not scored (such comments and their direct replies are left out).
    pub fn of(d: &Discussion, uncivil: impl Fn(NodeId) -> Option<bool>) -> Escalation {
        Escalation::of_part(d, d.preorder(), uncivil)
    }

    /// Count over the replies among `part` (all of `d`, or a subtree: every reply's parent is
    /// in it).
    pub fn of_part(
        d: &Discussion,
        part: &[NodeId],
        uncivil: impl Fn(NodeId) -> Option<bool>,
    ) -> Escalation {
        let mut e = Escalation::default();
        for &id in part {
            let Some(p) = d.node(id).parent else { continue };
            let (Some(child), Some(parent)) = (uncivil(id), uncivil(p)) else { continue };
            if parent {
                e.after_uncivil += 1;
                e.after_uncivil_uncivil += usize::from(child);
            } else {
                e.after_civil += 1;
                e.after_civil_uncivil += usize::from(child);
            }
        }
        e
    }

    /// Share of replies to uncivil comments that are uncivil; `None` without any.
    pub fn after_uncivil_share(&self) -> Option<f64> {
        (self.after_uncivil > 0)
            .then(|| self.after_uncivil_uncivil as f64 / self.after_uncivil as f64)
    }

    /// Share of replies to civil comments that are uncivil; `None` without any.
    pub fn after_civil_share(&self) -> Option<f64> {
        (self.after_civil > 0).then(|| self.after_civil_uncivil as f64 / self.after_civil as f64)
    }
}

fn charts(d: &Discussion, scores: &DiscussionScores) -> String {
    let mut out = String::from("<div class=\"charts\">\n");
    out.push_str(&depth_charts(d, scores));
    if scores.has_stance() {
        out.push_str(&sides_chart(d, scores));
    }
    if scores.has_incivility() {
        let e = Escalation::of(d, |id| scores.get(id).incivility.as_ref().map(|i| i.uncivil));
        out.push_str(&escalation_chart(&e));
    }
    out.push_str(&network_chart(d));
    out.push_str("</div>\n");
    out
}

/// A bar chart: `bars` are (label, value, value as text), scaled to `max`.
fn bar_chart(title: &str, desc: &str, bars: &[(String, f64, String)], max: f64) -> String {
    let (w, h, left, bottom, top) = (440.0, 170.0, 8.0, 22.0, 16.0);
    let n = bars.len().max(1) as f64;
    let slot = (w - 2.0 * left) / n;
    let bw = (slot * 0.7).min(40.0);
    let plot_h = h - bottom - top;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\
         <title>{}</title><desc>{}</desc>",
        esc(title),
        esc(title),
        esc(desc)
    );
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        h - bottom,
        w - left,
        h - bottom
    );
    let small = bars.len() > 15;
    for (i, (label, value, text)) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bw) / 2.0;
        let bh = if max > 0.0 { plot_h * value / max } else { 0.0 };
        let y = h - bottom - bh;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\">\
             <title>{}: {}</title></rect>",
            esc(label),
            esc(text)
        );
        let cx = x + bw / 2.0;
        if !small || i % 5 == 0 || i + 1 == bars.len() {
            let _ = write!(
                svg,
                "<text class=\"lab\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                h - bottom + 14.0,
                esc(label)
            );
        }
        if !small {
            let _ = write!(
                svg,
                "<text class=\"val\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y - 3.0,
                esc(text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn depth_charts(d: &Discussion, scores: &DiscussionScores) -> String {
    // (comments, scored, uncivil) per depth, the last bucket holding everything deeper.
    let mut by: Vec<(u64, u64, u64)> = Vec::new();
    for (i, node) in d.nodes().iter().enumerate() {
        let k = (node.depth.max(1) as usize).min(MAX_CHART_DEPTHS) - 1;
        if by.len() <= k {
            by.resize(k + 1, (0, 0, 0));
        }
        by[k].0 += 1;
        if let Some(inc) = &scores.get(NodeId(i as u32)).incivility {
            by[k].1 += 1;
            by[k].2 += u64::from(inc.uncivil);
        }
    }
    let capped = d.nodes().iter().any(|n| n.depth as usize > MAX_CHART_DEPTHS);
    let label = |k: usize| {
        if capped && k + 1 == MAX_CHART_DEPTHS {
            format!("{}+", k + 1)
        } else {
            (k + 1).to_string()
        }
    };
    let counts: Vec<(String, f64, String)> =
        by.iter().enumerate().map(|(k, c)| (label(k), c.0 as f64, c.0.to_string())).collect();
    let max = by.iter().map(|c| c.0).max().unwrap_or(0) as f64;
    let cap_note = if capped {
        format!(" Depths beyond {MAX_CHART_DEPTHS} are counted in the last bar.")
    } else {
        String::new()
    };
    let mut out = format!(
        "<figure class=\"chart\">\n<figcaption>Comments by depth (1 = top level).{cap_note}</figcaption>\n{}\n",
        bar_chart(
            "Comments by depth",
            "Bars: number of comments at each depth of the reply tree.",
            &counts,
            max
        )
    );
    out.push_str(&depth_table(&by, &label, scores.has_incivility()));
    out.push_str("</figure>\n");
    if scores.has_incivility() {
        let shares: Vec<(String, f64, String)> = by
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let share = if c.1 > 0 { c.2 as f64 / c.1 as f64 } else { 0.0 };
                let text =
                    if c.1 > 0 { format!("{:.0}%", 100.0 * share) } else { "—".to_string() };
                (label(k), share, text)
            })
            .collect();
        let _ = write!(
            out,
            "<figure class=\"chart\">\n<figcaption>Uncivil share of scored comments by depth.{cap_note}</figcaption>\n{}\n</figure>\n",
            bar_chart(
                "Uncivil share by depth",
                "Bars: share of the scored comments at each depth that the incivility model \
                 marks uncivil, from 0 to 100%.",
                &shares,
                1.0
            )
        );
    }
    out
}

fn depth_table(by: &[(u64, u64, u64)], label: &dyn Fn(usize) -> String, inc: bool) -> String {
    let mut out = String::from(
        "<details><summary>As a table</summary><table class=\"data\"><thead><tr>\
         <th scope=\"col\">Depth</th><th scope=\"col\">Comments</th>",
    );
    if inc {
        out.push_str("<th scope=\"col\">Scored</th><th scope=\"col\">Uncivil</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (k, c) in by.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", label(k), c.0);
        if inc {
            let _ = write!(out, "<td>{}</td><td>{}</td>", c.1, c.2);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>\n");
    out
}

/// Seconds since the epoch of a comment time as the tables hold it (UTC with `Z`, or local
/// time as written); `None` when it cannot be read.
fn seconds(t: &str) -> Option<i64> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .map(|dt| dt.and_utc().timestamp())
}

fn sides_chart(d: &Discussion, scores: &DiscussionScores) -> String {
    use crate::classify::side::Side;
    // Comments with a side, in source order, with their time when known.
    let mut items: Vec<(Option<i64>, usize, Side)> = Vec::new();
    for (i, node) in d.nodes().iter().enumerate() {
        let c = scores.get(NodeId(i as u32));
        if let (Some(side), Some(_)) = (&c.side, &c.stance) {
            items.push((node.comment.time.as_deref().and_then(seconds), i, side.side));
        }
    }
    if items.is_empty() {
        return String::new();
    }
    let by_time = items.iter().all(|(t, _, _)| t.is_some());
    if by_time {
        items.sort_by_key(|&(t, i, _)| (t, i));
    }
    let total = items.len();
    let mut counts = [0usize; 3];
    // Cumulative counts after each item, sampled.
    let step = total.div_ceil(SIDE_POINTS).max(1);
    let mut points: Vec<(f64, [usize; 3])> = vec![(0.0, [0; 3])];
    let t0 = items[0].0.unwrap_or(0);
    let t1 = items[total - 1].0.unwrap_or(0);
    for (k, &(t, _, side)) in items.iter().enumerate() {
        counts[match side {
            Side::WithArticle => 0,
            Side::AgainstArticle => 1,
            Side::Unclear => 2,
        }] += 1;
        if (k + 1) % step == 0 || k + 1 == total {
            let x = if by_time && t1 > t0 {
                (t.unwrap_or(t0) - t0) as f64 / (t1 - t0) as f64
            } else {
                (k + 1) as f64 / total as f64
            };
            points.push((x, counts));
        }
    }
    let (w, h, left, right, top, bottom) = (440.0, 170.0, 30.0, 120.0, 10.0, 30.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let names = ["with the article", "against the article", "unclear"];
    let axis = if by_time { "time (UTC or as written)" } else { "position in the source" };
    let title = format!("Sides over {}", if by_time { "time" } else { "position" });
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\
         <title>{}</title><desc>Lines: cumulative number of comments on each side, by {axis}. \
         Final counts: {} with the article, {} against, {} unclear.</desc>",
        esc(&title),
        esc(&title),
        counts[0],
        counts[1],
        counts[2]
    );
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"/>\
         <line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{y}\"/>\
         <text class=\"lab\" x=\"{left}\" y=\"{ly}\">{start}</text>\
         <text class=\"lab\" x=\"{x2}\" y=\"{ly}\" text-anchor=\"end\">{end}</text>\
         <text class=\"lab\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{maxn}</text>\
         <text class=\"lab\" x=\"{lx}\" y=\"{y}\" text-anchor=\"end\">0</text>",
        y = top + ph,
        x2 = left + pw,
        ly = top + ph + 14.0,
        lx = left - 4.0,
        ty = top + 8.0,
        maxn = max as usize,
        start = if by_time { esc(&short_time(t0)) } else { "1".to_string() },
        end = if by_time { esc(&short_time(t1)) } else { total.to_string() },
    );
    let _ = write!(
        svg,
        "<text class=\"lab\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{axis}</text>",
        left + pw / 2.0,
        top + ph + 26.0
    );
    for (s, name) in names.iter().enumerate() {
        let pts: Vec<String> = points
            .iter()
            .map(|(x, c)| format!("{:.1},{:.1}", left + x * pw, top + ph - ph * c[s] as f64 / max))
            .collect();
        let _ = write!(
            svg,
            "<polyline class=\"side side{s}\" points=\"{}\"><title>{name}: {}</title></polyline>",
            pts.join(" "),
            counts[s]
        );
        let ly = top + 14.0 + 18.0 * s as f64;
        let _ = write!(
            svg,
            "<line class=\"side side{s}\" x1=\"{x}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"/>\
             <text class=\"lab\" x=\"{tx}\" y=\"{ty}\">{name} {n}</text>",
            x = left + pw + 8.0,
            x2 = left + pw + 26.0,
            y = ly - 4.0,
            tx = left + pw + 30.0,
            ty = ly,
            n = counts[s]
        );
    }
    svg.push_str("</svg>");
    format!(
        "<figure class=\"chart\">\n<figcaption>{} (cumulative comments on each side; {} \
         comments with a side). Solid: with the article; dashed: against; dotted: \
         unclear.</figcaption>\n{svg}\n</figure>\n",
        esc(&title),
        total
    )
}

fn short_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn escalation_chart(e: &Escalation) -> String {
    let rows = [
        ("after an uncivil comment", e.after_uncivil_uncivil, e.after_uncivil),
        ("after a civil comment", e.after_civil_uncivil, e.after_civil),
    ];
    let (w, h) = (440.0, 90.0);
    let (left, bar_w) = (170.0, 200.0);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"Escalation\"><title>Escalation</title><desc>Share of replies that are \
         uncivil: {} of {} after an uncivil comment, {} of {} after a civil one.</desc>",
        e.after_uncivil_uncivil, e.after_uncivil, e.after_civil_uncivil, e.after_civil
    );
    for (i, (name, k, n)) in rows.iter().enumerate() {
        let y = 12.0 + 36.0 * i as f64;
        let share = if *n > 0 { *k as f64 / *n as f64 } else { 0.0 };
        let text = if *n > 0 {
            format!("{:.0}% ({k} of {n})", 100.0 * share)
        } else {
            "no replies".to_string()
        };
        let _ = write!(
            svg,
            "<text class=\"lab\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{name}</text>\
             <rect class=\"track\" x=\"{left}\" y=\"{y}\" width=\"{bar_w}\" height=\"18\"/>\
             <rect class=\"bar bar-u\" x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"18\">\
             <title>{name}: {text}</title></rect>\
             <text class=\"val\" x=\"{}\" y=\"{}\">{text}</text>",
            left - 6.0,
            y + 13.0,
            bar_w * share,
            left + 4.0,
            y + 32.0
        );
    }
    svg.push_str("</svg>");
    format!(
        "<figure class=\"chart\">\n<figcaption>Escalation: the share of replies that are \
         uncivil, after an uncivil and after a civil comment (replies whose parent was scored).\
         </figcaption>\n{svg}\n</figure>\n"
    )
}

fn network_chart(d: &Discussion) -> String {
    use std::collections::HashMap;
    let mut per_author: HashMap<&str, usize> = HashMap::new();
    for node in d.nodes() {
        if let Some(a) = node.comment.author.as_deref() {
            *per_author.entry(a).or_default() += 1;
        }
    }
    if per_author.len() < 2 {
        let why = if per_author.is_empty() {
            "the source names no authors"
        } else {
            "one author wrote every named comment"
        };
        return format!(
            "<figure class=\"chart\">\n<figcaption>Author interactions</figcaption>\n\
             <p class=\"note\">No network to draw: {why}.</p>\n</figure>\n"
        );
    }
    let mut ranked: Vec<(&str, usize)> = per_author.iter().map(|(a, n)| (*a, *n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let k = ranked.len().min(MAX_NETWORK_AUTHORS);
    let shown: HashMap<&str, usize> =
        ranked[..k].iter().enumerate().map(|(i, (a, _))| (*a, i)).collect();
    let mut m = vec![vec![0usize; k]; k];
    let mut replies = 0usize;
    for node in d.nodes() {
        let (Some(p), Some(a)) = (node.parent, node.comment.author.as_deref()) else { continue };
        let Some(b) = d.node(p).comment.author.as_deref() else { continue };
        if let (Some(&i), Some(&j)) = (shown.get(a), shown.get(b)) {
            m[i][j] += 1;
            replies += 1;
        }
    }
    let max = m.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let cell = (360.0 / k as f64).min(18.0);
    let label_w = 120.0;
    let size = label_w + cell * k as f64 + 4.0;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {size:.0} {size:.0}\" width=\"{size:.0}\" height=\"{size:.0}\" \
         role=\"img\" aria-label=\"Author interactions\"><title>Author interactions</title>\
         <desc>Adjacency matrix: a cell is shaded by how many times the row's author replied to \
         the column's author.</desc>"
    );
    let short = |a: &str| {
        let s: String = a.chars().take(16).collect();
        if a.chars().count() > 16 { format!("{s}…") } else { s }
    };
    let font = (cell * 0.75).clamp(6.0, 11.0);
    for (i, (a, n)) in ranked[..k].iter().enumerate() {
        let y = label_w + cell * i as f64 + cell * 0.75;
        let x = label_w + cell * i as f64 + cell * 0.75;
        let _ = write!(
            svg,
            "<text class=\"lab\" style=\"font-size:{font:.1}px\" x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\">{}<title>{} ({n} comments)</title></text>\
             <text class=\"lab\" style=\"font-size:{font:.1}px\" transform=\"translate({x:.1},{:.1}) rotate(-60)\">{}</text>",
            label_w - 4.0,
            esc(&short(a)),
            esc(a),
            label_w - 4.0,
            esc(&short(a)),
        );
    }
    for (i, row) in m.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            let x = label_w + cell * j as f64;
            let y = label_w + cell * i as f64;
            let op = if c == 0 { 0.0 } else { 0.15 + 0.85 * c as f64 / max };
            let _ = write!(
                svg,
                "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell:.1}\" height=\"{cell:.1}\" fill-opacity=\"{op:.2}\">\
                 <title>{} → {}: {c} repl{}</title></rect>",
                esc(ranked[i].0),
                esc(ranked[j].0),
                if c == 1 { "y" } else { "ies" }
            );
        }
    }
    svg.push_str("</svg>");
    // The strongest pairs, as text.
    let mut pairs: Vec<(usize, usize, usize)> = m
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().enumerate().map(move |(j, &c)| (i, j, c)))
        .filter(|p| p.2 > 0)
        .collect();
    pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    let list: Vec<String> = pairs
        .iter()
        .take(10)
        .map(|&(i, j, c)| format!("<li>{} → {}: {c}</li>", esc(ranked[i].0), esc(ranked[j].0)))
        .collect();
    let cap = if ranked.len() > k {
        format!(
            "the {k} most active of {} authors (by comments; the cap is {MAX_NETWORK_AUTHORS})",
            ranked.len()
        )
    } else {
        format!("all {k} authors (at most {MAX_NETWORK_AUTHORS} are shown)")
    };
    format!(
        "<figure class=\"chart network\">\n<figcaption>Author interactions: {cap}, most active \
         first. A row's author replied to a column's author; darker means more replies \
         ({replies} replies between them).</figcaption>\n{svg}\n\
         <details><summary>Most frequent pairs</summary><ol>{}</ol></details>\n</figure>\n",
        list.join("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use crate::scores::Scorers;

    fn discussion(capture: &str) -> Discussion {
        let doc =
            parse::parse_bytes(capture.as_bytes(), "t.txt", &Default::default()).unwrap().remove(0);
        Discussion::build(doc)
    }

    /// 1 (uncivil) → 1.1 (uncivil), 1.2 (civil), 1.3 (not scored) → 1.3.1 (uncivil);
    /// 2 (civil) → 2.1 (civil), 2.2 (uncivil), 2.3 (civil) → 2.3.1 (civil).
    #[test]
    fn escalation_counts_replies_by_their_parent() {
        let d = discussion(
            "H\n\nBody.\nShow Comments\n  1. a\n    1. b\n    2. c\n    3. d\n      1. e\n  \
             2. f\n    1. g\n    2. h\n    3. i\n      1. j\n",
        );
        let uncivil = |id: NodeId| match d.node(id).comment.id.as_str() {
            "1" | "1.1" | "1.3.1" | "2.2" => Some(true),
            "1.3" => None,
            _ => Some(false),
        };
        let e = Escalation::of(&d, uncivil);
        // Worked out by hand: after 1 (uncivil) come 1.1 (uncivil) and 1.2 (civil); 1.3 and
        // 1.3.1 are left out (1.3 not scored). After civil parents: 2.1, 2.2 (uncivil), 2.3
        // under 2, and 2.3.1 under 2.3.
        assert_eq!(
            e,
            Escalation {
                after_uncivil: 2,
                after_uncivil_uncivil: 1,
                after_civil: 4,
                after_civil_uncivil: 1
            }
        );
        assert_eq!(e.after_uncivil_share(), Some(0.5));
        assert_eq!(e.after_civil_share(), Some(0.25));
        assert_eq!(Escalation::of(&d, |_| None).after_civil_share(), None);
    }

    #[test]
    fn cues_are_marked_by_characters_and_text_escaped() {
        let cue = |start, end, label: &str| Cue {
            start,
            end,
            label: label.to_string(),
            text: String::new(),
            weight: 1.0,
        };
        // Offsets in characters: "é" is one.
        let html = text_html(
            "é <b> you prick & bellend",
            &[cue(6, 15, "name_calling"), cue(18, 25, "vulgarity"), cue(18, 25, "name_calling")],
        );
        assert_eq!(
            html,
            "é &lt;b&gt; <mark class=\"cue\" title=\"cue: name_calling\">you prick</mark> &amp; \
             <mark class=\"cue\" title=\"cue: vulgarity, name_calling\">bellend</mark>"
        );
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = script_json(&serde_json::json!({"t": "</script><!-- & \u{2028}"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["t"], "</script><!-- & \u{2028}");
    }

    #[test]
    fn page_holds_every_comment_in_preorder() {
        let d = discussion("H\n\nBody.\nShow Comments\n  1. a\n    1. b\n  2. c\n");
        let mut page = HtmlReport::new();
        page.add(&d, &DiscussionScores::new(&d, &Scorers::shipped()));
        let html = page.to_html();
        let start = html.find("class=\"tl-data\"").unwrap();
        let json_start = start + html[start..].find('>').unwrap() + 1;
        let json_end = json_start + html[json_start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&html[json_start..json_end]).unwrap();
        let ids: Vec<&str> =
            data["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "1.1", "2"]);
        let parents: Vec<i64> =
            data["nodes"].as_array().unwrap().iter().map(|n| n["p"].as_i64().unwrap()).collect();
        assert_eq!(parents, [-1, 0, -1]);
        // One discussion: no overview table.
        assert!(!html.contains("class=\"sortable\""));
    }
}
