//! The per-discussion report: a readable summary and the reply tree.
//!
//! [`DiscussionReport::new`] gathers what is shown about one discussion;
//! [`render`] draws it for a terminal, and the same value serialises to
//! JSON (`report --json`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::classify::incivility::{Cue, FORMS};
use crate::metrics::{self, StructureMetrics};
use crate::model::{Anomaly, CommentSection};
use crate::scores::{DiscussionScores, ScoreSummary, StanceSummary};
use crate::thread::{Discussion, NodeId};

/// Characters of comment text shown per tree line.
pub const EXCERPT_CHARS: usize = 70;

/// Tree levels drawn with guides; deeper comments are drawn at this
/// indentation with their depth written out, so a 100,000-deep chain stays
/// readable and the output linear in size.
pub const MAX_DRAWN_DEPTH: usize = 24;

/// What the report says about one discussion.
#[derive(Clone, Debug, Serialize)]
pub struct DiscussionReport {
    /// Discussion id.
    pub id: String,
    /// Input path.
    pub source: String,
    /// Parser that read it.
    pub format: String,
    /// Outlet, when recognised.
    pub outlet: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Publication date.
    pub published: Option<String>,
    /// Byline.
    pub byline: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Whether the input had a comment section.
    pub comment_section: CommentSection,
    /// Structure of the whole discussion.
    pub metrics: StructureMetrics,
    /// Comments the source said exist but did not include ("load more"
    /// stubs).
    pub hidden_comments: u64,
    /// Anomalies met while parsing and building the tree.
    pub anomalies: Vec<Anomaly>,
    /// The discussion's language (ISO 639-1), when it can be told.
    pub language: Option<&'static str>,
    /// Comments not scored because no model covers their language, by language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported_languages: Vec<(&'static str, usize)>,
    /// Incivility over the discussion, when an incivility model scored it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incivility: Option<IncivilitySummary>,
    /// Stance over the discussion, when a stance model scored it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<StanceSummary>,
    /// The reply tree in pre-order, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree: Option<Vec<TreeLine>>,
}

/// Incivility over a discussion.
#[derive(Clone, Debug, Serialize)]
pub struct IncivilitySummary {
    /// Counts, shares and the by-depth profile.
    #[serde(flatten)]
    pub summary: ScoreSummary,
    /// Uncivil comments showing each form, in [`FORMS`] order; forms no uncivil comment shows
    /// are left out.
    pub forms: Vec<(String, usize)>,
    /// Comments the model rates civil in which a cue lexicon still matched (a form's words
    /// without the model's verdict: quoted insults, "lies" about figures, banter).
    pub civil_with_cues: usize,
}

/// One comment in the drawn tree.
#[derive(Clone, Debug, Serialize)]
pub struct TreeLine {
    /// Comment id.
    pub id: String,
    /// Parent comment id; `None` under the article.
    pub parent_id: Option<String>,
    /// Depth (top-level = 1).
    pub depth: u32,
    /// Author, when known.
    pub author: Option<String>,
    /// The first [`EXCERPT_CHARS`] characters of the text, on one line.
    pub excerpt: String,
    /// Anomaly flags of the node (`orphan`, `duplicate`, `cycle`,
    /// `self_reply`).
    pub flags: Vec<&'static str>,
    /// Incivility probability; `None` when not scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incivility: Option<f64>,
    /// Whether the probability reaches the model's threshold; `None` when not scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncivil: Option<bool>,
    /// Forms of incivility present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    /// The spans behind the incivility score.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<Cue>,
    /// Cues found beyond those listed (the strongest 50), counted.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_cues: usize,
    /// Relation to the parent (or the article) and its probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<(&'static str, f64)>,
    /// Side relative to the article and its confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<(&'static str, Option<f64>)>,
    #[serde(skip)]
    last_sibling: bool,
}

impl DiscussionReport {
    /// Gather the report of `d` with its `scores`; `tree` includes the reply tree.
    pub fn new(d: &Discussion, scores: &DiscussionScores, tree: bool) -> DiscussionReport {
        let a = &d.article;
        let incivility = scores.has_incivility().then(|| {
            let forms = FORMS
                .iter()
                .map(|f| {
                    let n = scores
                        .comments()
                        .iter()
                        .filter(|c| {
                            c.incivility
                                .as_ref()
                                .is_some_and(|i| i.uncivil && i.forms.iter().any(|x| x == f))
                        })
                        .count();
                    (f.to_string(), n)
                })
                .filter(|(_, n)| *n > 0)
                .collect();
            let civil_with_cues = scores
                .comments()
                .iter()
                .filter_map(|c| c.incivility.as_ref())
                .filter(|i| !i.uncivil && !i.forms.is_empty())
                .count();
            IncivilitySummary {
                summary: ScoreSummary::of(d, scores, d.preorder()),
                forms,
                civil_with_cues,
            }
        });
        DiscussionReport {
            id: a.id.clone(),
            source: a.source.clone(),
            format: a.format.clone(),
            outlet: a.outlet.clone(),
            title: a.title.clone(),
            published: a.published.clone(),
            byline: a.byline.clone(),
            url: a.url.clone(),
            comment_section: d.section,
            metrics: metrics::discussion_metrics(d),
            hidden_comments: d.hidden_comments,
            anomalies: d.anomalies.clone(),
            language: scores.language(),
            unsupported_languages: scores.unsupported_languages(),
            incivility,
            stance: scores.has_stance().then(|| StanceSummary::of(d, scores, d.preorder())),
            tree: tree.then(|| tree_lines(d, scores)),
        }
    }
}

fn tree_lines(d: &Discussion, scores: &DiscussionScores) -> Vec<TreeLine> {
    let last_of = |siblings: &[NodeId], id: NodeId| siblings.last() == Some(&id);
    d.preorder()
        .iter()
        .map(|&id| {
            let n = d.node(id);
            let siblings = match n.parent {
                Some(p) => d.children(p),
                None => d.roots(),
            };
            let f = n.flags;
            let flags = [
                (f.orphan, "orphan"),
                (f.duplicate, "duplicate"),
                (f.cycle, "cycle"),
                (f.self_reply, "self_reply"),
            ]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
            let inc = scores.get(id).incivility.as_ref();
            let st = scores.get(id).stance.as_ref();
            let side = scores.get(id).side.filter(|_| st.is_some());
            TreeLine {
                id: n.comment.id.clone(),
                parent_id: n.parent.map(|p| d.node(p).comment.id.clone()),
                depth: n.depth,
                author: n.comment.author.clone(),
                excerpt: excerpt(&n.comment.text, EXCERPT_CHARS),
                flags,
                incivility: inc.map(|i| i.probability),
                uncivil: inc.map(|i| i.uncivil),
                forms: inc.map(|i| i.forms.clone()).unwrap_or_default(),
                cues: inc.map(|i| i.cues.clone()).unwrap_or_default(),
                more_cues: inc.map_or(0, |i| i.more_cues),
                stance: st.map(|s| (s.relation.as_str(), s.confidence())),
                side: side.map(|s| (s.side.as_str(), s.confidence)),
                last_sibling: last_of(siblings, id),
            }
        })
        .collect()
}

/// The first `max` characters of `text` on one line, with `…` when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = flat.chars();
    let mut out: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn or_dash(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

fn opt_f(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{x:.2}"))
}

/// Draw reports for a terminal.
pub fn render(reports: &[DiscussionReport]) -> String {
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, r);
    }
    out
}

fn render_one(out: &mut String, r: &DiscussionReport) {
    let m = &r.metrics;
    let _ = writeln!(out, "{} — {}", r.id, or_dash(&r.outlet));
    let _ = writeln!(out, "  title:      {}", or_dash(&r.title));
    let _ = writeln!(out, "  published:  {}", or_dash(&r.published));
    let _ = writeln!(out, "  byline:     {}", or_dash(&r.byline));
    if r.url.is_some() {
        let _ = writeln!(out, "  url:        {}", or_dash(&r.url));
    }
    let _ = writeln!(out, "  source:     {} ({})", r.source, r.format);
    match r.comment_section {
        CommentSection::Absent => {
            let _ = writeln!(out, "  comments:   none (no comment section in this input)");
        }
        CommentSection::NotInPage => {
            let _ = writeln!(
                out,
                "  comments:   not in the page (they load by JavaScript from a comment service)"
            );
        }
        CommentSection::Present => {
            let _ = writeln!(
                out,
                "  comments:   {} in {} threads; max depth {}, mean depth {}, max width {}",
                m.comments,
                m.threads,
                m.max_depth,
                opt_f(m.mean_depth),
                m.max_width
            );
            let _ = writeln!(
                out,
                "  structure:  {} leaves, branching {}, reply share {}, h-index {}, \
                 structural virality {}",
                m.leaves,
                opt_f(m.branching_factor),
                opt_f(m.reply_share),
                m.h_index,
                opt_f(m.structural_virality)
            );
            if r.hidden_comments > 0 {
                let _ = writeln!(
                    out,
                    "  hidden:     {} more comments were not in the input (\"load more\" / \
                     \"continue this thread\" stubs)",
                    r.hidden_comments
                );
            }
            match &m.authors {
                None => {
                    let _ = writeln!(out, "  authors:    not in the source");
                }
                Some(a) => {
                    let _ = writeln!(
                        out,
                        "  authors:    {} distinct, at most {} comments each (Gini {:.2}), \
                         reciprocity {}, {} back-and-forth replies",
                        a.distinct,
                        a.max_per_author,
                        a.gini,
                        opt_f(a.reciprocity),
                        a.back_and_forth
                    );
                }
            }
        }
    }
    if r.incivility.is_some() && r.comment_section == CommentSection::Present {
        let lang = r.language.unwrap_or("not told");
        if r.unsupported_languages.is_empty() {
            let _ = writeln!(out, "  language:   {lang}");
        } else {
            let n: usize = r.unsupported_languages.iter().map(|(_, n)| n).sum();
            let by: Vec<String> =
                r.unsupported_languages.iter().map(|(l, n)| format!("{l} {n}")).collect();
            let _ = writeln!(
                out,
                "  language:   {lang}; {n} comments not scored, no model for their language ({})",
                by.join(", ")
            );
        }
    }
    if let Some(inc) = &r.incivility
        && r.comment_section == CommentSection::Present
    {
        let s = &inc.summary;
        let share = s.uncivil_share.map_or_else(String::new, |x| format!(" ({:.0}%)", 100.0 * x));
        let mut forms = if inc.forms.is_empty() {
            "no forms in uncivil comments".to_string()
        } else {
            let f: Vec<String> = inc.forms.iter().map(|(f, n)| format!("{f} {n}")).collect();
            format!("forms in uncivil comments {}", f.join(", "))
        };
        if inc.civil_with_cues > 0 {
            let _ = write!(forms, "; cue words in {} civil comments", inc.civil_with_cues);
        }
        let _ = writeln!(
            out,
            "  incivility: {} of {} scored comments uncivil{share}, mean probability {}; {forms}",
            s.uncivil,
            s.scored,
            opt_f(s.incivility_mean)
        );
    }
    if let Some(st) = &r.stance
        && r.comment_section == CommentSection::Present
    {
        let pct =
            |x: Option<f64>| x.map_or_else(|| "—".to_string(), |x| format!("{:.0}%", 100.0 * x));
        let _ = writeln!(
            out,
            "  stance:     {} of {} replies disagree with their parent, {} agree; longest \
             disagreement chain {}",
            pct(st.disagree_share),
            st.replies,
            pct(st.agree_share),
            st.longest_disagreement_chain
        );
        let _ = writeln!(
            out,
            "  sides:      {} with the article, {} against, {} unclear",
            pct(st.with_article_share),
            pct(st.against_article_share),
            pct(st.unclear_share)
        );
    }
    if r.anomalies.is_empty() {
        let _ = writeln!(out, "  anomalies:  none");
    } else {
        let _ = writeln!(out, "  anomalies:  {}", r.anomalies.len());
        for a in &r.anomalies {
            let line = a.line.map_or_else(String::new, |l| format!("line {l}: "));
            let _ = writeln!(out, "    - {line}{} ({})", a.message, a.kind.as_str());
        }
    }
    if let Some(tree) = &r.tree
        && !tree.is_empty()
    {
        out.push('\n');
        render_tree(out, r, tree);
    }
}

fn render_tree(out: &mut String, r: &DiscussionReport, tree: &[TreeLine]) {
    let _ = writeln!(out, "  ▣ {}", r.title.as_deref().unwrap_or(&r.id));
    // open[k]: whether the ancestor at depth k + 1 has siblings still to come.
    let mut open: Vec<bool> = Vec::new();
    for line in tree {
        let depth = line.depth as usize;
        open.truncate(depth - 1);
        let drawn = depth.min(MAX_DRAWN_DEPTH);
        let mut prefix = String::from("  ");
        for &more in open.iter().take(drawn - 1) {
            prefix.push_str(if more { "│  " } else { "   " });
        }
        prefix.push_str(if line.last_sibling { "└─ " } else { "├─ " });
        if depth > MAX_DRAWN_DEPTH {
            let _ = write!(prefix, "[depth {depth}] ");
        }
        let who = line.author.as_deref().map_or_else(String::new, |a| format!("{a}: "));
        let flags = if line.flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", line.flags.join(", "))
        };
        let _ = writeln!(out, "{prefix}{} {who}{}{flags}", line.id, line.excerpt);
        open.push(!line.last_sibling);
        if let Some(detail) = detail_line(line) {
            // Continue the guides under the comment: its own (if it has replies to come, the
            // next line draws them) and its ancestors'.
            let mut guide = String::from("  ");
            for &more in open.iter().take(drawn) {
                guide.push_str(if more { "│  " } else { "   " });
            }
            let _ = writeln!(out, "{guide}  {detail}");
        }
    }
}

/// What is shown under a comment: its stance, side and, when uncivil, why.
fn detail_line(line: &TreeLine) -> Option<String> {
    let mut parts = Vec::new();
    if let Some((rel, p)) = line.stance {
        let target = if line.depth <= 1 { "the article" } else { "parent" };
        let verb = match rel {
            "disagree" => "disagrees with",
            "agree" => "agrees with",
            _ => "neutral to",
        };
        parts.push(format!("{verb} {target} {p:.2}"));
    }
    if let Some((side, conf)) = line.side {
        parts.push(match conf {
            Some(c) => format!("side {} {c:.2}", side.replace('_', " ")),
            None => format!("side {}", side.replace('_', " ")),
        });
    }
    // Forms and cues wherever a lexicon matched; the verdict is the model's.
    if line.uncivil == Some(true) || !line.forms.is_empty() {
        parts.push(match line.uncivil {
            Some(true) => format!("⚠ uncivil {}", opt_f(line.incivility)),
            _ => format!("civil {}", opt_f(line.incivility)),
        });
        if !line.forms.is_empty() {
            parts.push(line.forms.join(", "));
        }
        if !line.cues.is_empty() {
            let more = match line.more_cues {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            parts.push(format!("cues: {}{more}", cue_list(&line.cues)));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Cues as `“text” (label)`, repeated texts counted once with `×n`.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn cue_list(cues: &[Cue]) -> String {
    let mut seen: Vec<(String, &str, usize)> = Vec::new();
    for c in cues {
        let text = c.text.to_lowercase();
        match seen.iter_mut().find(|(t, l, _)| *t == text && *l == c.label) {
            Some(e) => e.2 += 1,
            None => seen.push((text, &c.label, 1)),
        }
    }
    seen.iter()
        .map(|(t, l, n)| {
            let times = if *n > 1 { format!(" ×{n}") } else { String::new() };
            format!("“{t}”{times} ({l})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_flattens_and_cuts() {
        assert_eq!(excerpt("a\n\nb  c", 10), "a b c");
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("naïve café", 5), "naïve…");
    }

    #[test]
    fn summary_forms_match_the_tree() {
        // One rule (#16): the summary counts forms among uncivil comments and, apart, the
        // civil comments with cue words; the tree shows forms wherever a lexicon matched.
        let capture = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/002_33127b48be7e0ce9.txt"),
        )
        .unwrap();
        let doc = crate::parse::parse_bytes(&capture, "canary.txt", &Default::default())
            .unwrap()
            .remove(0);
        let d = Discussion::build(doc);
        let scores = DiscussionScores::new(&d, &crate::scores::Scorers::shipped());
        let r = DiscussionReport::new(&d, &scores, true);
        let tree = r.tree.as_ref().unwrap();
        let inc = r.incivility.as_ref().unwrap();
        for (form, n) in &inc.forms {
            let in_tree =
                tree.iter().filter(|l| l.uncivil == Some(true) && l.forms.contains(form)).count();
            assert_eq!(*n, in_tree, "{form}");
        }
        let civil_with_forms =
            tree.iter().filter(|l| l.uncivil == Some(false) && !l.forms.is_empty()).count();
        assert_eq!(inc.civil_with_cues, civil_with_forms);
        assert!(civil_with_forms > 0, "the seed has civil comments with cue words");
        // Each of those shows its forms in the drawn tree.
        for l in tree.iter().filter(|l| !l.forms.is_empty()) {
            let line = detail_line(l).unwrap();
            assert!(line.contains(&l.forms.join(", ")), "{line}");
        }
    }
}
