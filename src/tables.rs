//! Rows of the exported tables, built from a discussion, its metrics and its scores.
//!
//! [`DiscussionTables::new`] turns one [`Discussion`], its
//! [`StructureMetrics`] and its [`DiscussionScores`] into one [`Batch`] per table of
//! [`export::schema`](crate::export::schema). The column order and types
//! are checked against the schema by [`Batch::new`], so this module and the
//! schema document cannot drift apart silently.

use crate::export::schema::{ANOMALIES, ARTICLES, EDGES, INTERACTIONS, THREADS};
use crate::export::{Batch, Column, CueValue, ExportError};
use crate::metrics::StructureMetrics;
use crate::scores::{DiscussionScores, ScoreStatus, ScoreSummary, StanceSummary};

const UNSUPPORTED: ScoreStatus = ScoreStatus::UnsupportedLanguage;
use crate::thread::Discussion;

/// One discussion's rows in every table.
#[derive(Debug)]
pub struct DiscussionTables {
    /// One row.
    pub articles: Batch,
    /// One row per top-level comment.
    pub threads: Batch,
    /// One row per comment.
    pub comments: Batch,
    /// One row per anomaly.
    pub anomalies: Batch,
    /// One row per reply to a comment.
    pub edges: Batch,
    /// One row per ordered pair of authors of a reply.
    pub interactions: Batch,
}

fn int(v: impl TryInto<i64>) -> Option<i64> {
    v.try_into().ok()
}

fn quoted_chars(c: &crate::RawComment) -> usize {
    c.quotes.iter().filter_map(|r| c.text.get(r.clone())).map(|q| q.chars().count()).sum()
}

/// Microseconds since the Unix epoch of a comment's time in UTC (`…Z`); `None` when it has
/// none, its zone is unknown, or it does not read as RFC 3339.
pub(crate) fn utc_micros(c: &crate::RawComment) -> Option<i64> {
    instant(c.time.as_deref().filter(|_| !c.time_local)?, false)
}

/// Microseconds since 1970-01-01T00:00:00 of the wall-clock time of a comment whose zone is
/// unknown; `None` otherwise.
pub(crate) fn local_micros(c: &crate::RawComment) -> Option<i64> {
    instant(c.time.as_deref().filter(|_| c.time_local)?, true)
}

/// A time as the readers normalise it, in microseconds: with `local` false, an RFC 3339
/// instant (since the Unix epoch, UTC); with `local` true, a date-time without a zone or a
/// date (its midnight), since 1970-01-01T00:00:00 of that wall clock. `None` when it is not
/// of that kind.
pub(crate) fn instant(t: &str, local: bool) -> Option<i64> {
    if !local {
        return Some(chrono::DateTime::parse_from_rfc3339(t).ok()?.timestamp_micros());
    }
    let dt = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
        })
        .ok()?;
    Some(dt.and_utc().timestamp_micros())
}

fn text(v: &str) -> Option<&str> {
    Some(v)
}

/// A text column of one row.
fn one(v: Option<&str>) -> crate::export::Strs {
    std::iter::once(v).collect()
}

/// The conversation-dynamics columns shared by `articles` and `threads`, in schema order.
fn dynamics_columns(rows: &[crate::dynamics::Dynamics]) -> Vec<Column> {
    let esc = |f: &dyn Fn(&crate::html_report::Escalation) -> Option<i64>| {
        Column::Int(rows.iter().map(|r| r.escalation.as_ref().and_then(f)).collect())
    };
    let share = |f: &dyn Fn(&crate::html_report::Escalation) -> Option<f64>| {
        Column::Float(rows.iter().map(|r| r.escalation.as_ref().and_then(f)).collect())
    };
    let floats = |f: &dyn Fn(&crate::dynamics::Dynamics) -> Option<f64>| {
        Column::Float(rows.iter().map(f).collect())
    };
    vec![
        esc(&|e| int(e.after_uncivil)),
        share(&|e| e.after_uncivil_share()),
        esc(&|e| int(e.after_civil)),
        share(&|e| e.after_civil_share()),
        floats(&|r| r.opening_incivility),
        floats(&|r| r.later_uncivil_share),
        floats(&|r| r.reentry_share),
        floats(&|r| r.first_comment_seconds),
        floats(&|r| r.median_reply_seconds),
        floats(&|r| r.first_hour_share),
        Column::Int(rows.iter().map(|r| r.post_author_comments.and_then(int)).collect()),
    ]
}

/// The metric columns shared by `articles` and `threads`, in schema order
/// (from `max_depth` on; `comments` and `threads` are placed by the caller).
fn metric_columns(rows: &[&StructureMetrics]) -> Vec<Column> {
    let ints = |f: &dyn Fn(&StructureMetrics) -> Option<i64>| {
        Column::Int(rows.iter().map(|m| f(m)).collect())
    };
    let floats = |f: &dyn Fn(&StructureMetrics) -> Option<f64>| {
        Column::Float(rows.iter().map(|m| f(m)).collect())
    };
    vec![
        ints(&|m| int(m.max_depth)),
        floats(&|m| m.mean_depth),
        ints(&|m| int(m.max_width)),
        ints(&|m| int(m.leaves)),
        floats(&|m| m.branching_factor),
        floats(&|m| m.reply_share),
        ints(&|m| int(m.h_index)),
        floats(&|m| m.structural_virality),
        ints(&|m| m.authors.as_ref().and_then(|a| int(a.distinct))),
        ints(&|m| m.authors.as_ref().and_then(|a| int(a.max_per_author))),
        floats(&|m| m.authors.as_ref().map(|a| a.gini)),
        floats(&|m| m.authors.as_ref().and_then(|a| a.reciprocity)),
        ints(&|m| m.authors.as_ref().and_then(|a| int(a.back_and_forth))),
    ]
}

/// The score-summary columns shared by `articles` and `threads`, in schema order; all null
/// when the run had no incivility model.
fn summary_columns(rows: &[ScoreSummary], scored: bool) -> Vec<Column> {
    let on = |v: Option<i64>| if scored { v } else { None };
    vec![
        Column::Int(rows.iter().map(|s| on(int(s.scored))).collect()),
        Column::Int(rows.iter().map(|s| on(int(s.uncivil))).collect()),
        Column::Float(rows.iter().map(|s| s.uncivil_share).collect()),
        Column::Float(rows.iter().map(|s| s.incivility_mean).collect()),
        Column::FloatList(
            rows.iter()
                .map(|s| {
                    scored.then(|| {
                        s.uncivil_share_by_depth.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
                    })
                })
                .collect(),
        ),
    ]
}

/// The stance-summary columns shared by `articles` and `threads`, in schema order.
fn stance_columns(rows: &[StanceSummary], stance: bool) -> Vec<Column> {
    let f = |g: &dyn Fn(&StanceSummary) -> Option<f64>| Column::Float(rows.iter().map(g).collect());
    vec![
        f(&|s| s.disagree_share),
        f(&|s| s.agree_share),
        f(&|s| s.with_article_share),
        f(&|s| s.against_article_share),
        f(&|s| s.unclear_share),
        Column::Int(
            rows.iter()
                .map(|s| if stance { int(s.longest_disagreement_chain) } else { None })
                .collect(),
        ),
        f(&|s| s.incivility_disagree),
        f(&|s| s.incivility_neutral),
        f(&|s| s.incivility_agree),
    ]
}

impl DiscussionTables {
    /// Rows of `d`; `metrics` is the whole discussion's, `threads` one per
    /// entry of [`Discussion::roots`], in that order; `scores` are `d`'s.
    pub fn new(
        d: &Discussion,
        metrics: &StructureMetrics,
        threads: &[StructureMetrics],
        scores: &DiscussionScores,
    ) -> Result<DiscussionTables, ExportError> {
        DiscussionTables::build(d, metrics, threads, scores)
    }

    /// As [`new`](Self::new), taking the scores, which are freed as soon as the comments'
    /// rows are made rather than held until every table is (#13: a large discussion's peak).
    pub fn from_scores(
        d: &Discussion,
        metrics: &StructureMetrics,
        threads: &[StructureMetrics],
        scores: DiscussionScores,
    ) -> Result<DiscussionTables, ExportError> {
        DiscussionTables::build(d, metrics, threads, scores)
    }

    fn build<S: std::borrow::Borrow<DiscussionScores>>(
        d: &Discussion,
        metrics: &StructureMetrics,
        threads: &[StructureMetrics],
        owned: S,
    ) -> Result<DiscussionTables, ExportError> {
        let scores = owned.borrow();
        assert_eq!(threads.len(), d.roots().len(), "one metrics row per thread");
        assert_eq!(scores.comments().len(), d.len(), "one score row per comment");
        let scored = scores.has_incivility();
        let summary = ScoreSummary::of(d, scores, d.preorder());
        let stance = scores.has_stance();
        let stance_summary = StanceSummary::of(d, scores, d.preorder());
        let a = &d.article;
        let aid = &a.id;

        let mut cols = vec![
            Column::Str(one(text(aid))),
            Column::Str(one(text(&a.source))),
            Column::Category(one(text(&a.format))),
            Column::Category(one(a.outlet.as_deref())),
            Column::Str(one(a.title.as_deref())),
            Column::Timestamp(vec![a.published.as_deref().and_then(|t| instant(t, false))].into()),
            Column::LocalTimestamp(
                vec![a.published.as_deref().and_then(|t| instant(t, true))].into(),
            ),
            Column::Str(one(a.published.as_deref())),
            Column::Str(one(a.byline.as_deref())),
            Column::Str(one(a.url.as_deref())),
            Column::Int(vec![int(a.body.chars().count())].into()),
            Column::Category(one(text(d.section.as_str()))),
            Column::Category(one(scores.language())),
            Column::Int(
                vec![scored.then(|| {
                    let n = scores.comments().iter().filter(|c| c.status == UNSUPPORTED).count();
                    n as i64
                })]
                .into(),
            ),
            Column::Int(vec![int(metrics.comments)].into()),
            Column::Int(vec![int(d.hidden_comments)].into()),
            Column::Int(vec![int(metrics.threads)].into()),
        ];
        cols.extend(metric_columns(&[metrics]));
        cols.push(Column::Int(vec![int(d.anomalies.len())].into()));
        cols.extend(summary_columns(std::slice::from_ref(&summary), scored));
        cols.extend(stance_columns(std::slice::from_ref(&stance_summary), stance));
        let edges = crate::interactions::edges(d, scores);
        let dy = crate::dynamics::Dynamics::of(d, scores, &edges);
        cols.extend(dynamics_columns(std::slice::from_ref(&dy)));
        let articles = Batch::new(&ARTICLES, cols)?;

        // Per-thread summaries live only while their columns are made: a discussion of 100,000
        // top-level comments has 100,000 of each (#13).
        let roots = d.roots();
        let refs: Vec<&StructureMetrics> = threads.iter().collect();
        let thread_summaries: Vec<ScoreSummary> =
            roots.iter().map(|&r| ScoreSummary::of(d, scores, d.subtree(r))).collect();
        let thread_stances: Vec<StanceSummary> =
            roots.iter().map(|&r| StanceSummary::of(d, scores, d.subtree(r))).collect();
        let mut cols = vec![
            Column::Str(roots.iter().map(|_| text(aid)).collect()),
            Column::Str(roots.iter().map(|&r| text(&d.node(r).comment.id)).collect()),
            Column::Int((1..=roots.len()).map(int).collect()),
            Column::Int(threads.iter().map(|m| int(m.comments)).collect()),
        ];
        cols.extend(metric_columns(&refs));
        cols.extend(summary_columns(&thread_summaries, scored));
        drop(thread_summaries);
        cols.extend(stance_columns(&thread_stances, stance));
        drop(thread_stances);
        cols.extend(dynamics_columns(&crate::dynamics::Dynamics::of_threads(d, scores, &edges)));
        let threads = Batch::new(&THREADS, cols)?;

        let nodes = d.nodes();
        let all = scores.comments();
        let inc: Vec<_> = all.iter().map(|s| s.incivility.as_ref()).collect();
        let st: Vec<_> = scores.comments().iter().map(|s| s.stance.as_ref()).collect();
        // A comment that was not scored has no side either (it is not unclear, it is unread).
        let sides: Vec<_> = (0..nodes.len())
            .map(|i| {
                let id = crate::NodeId(i as u32);
                crate::scores::is_scored(d, id).then(|| scores.get(id).side).flatten()
            })
            .collect();
        let id_of = |n: crate::NodeId| text(&d.node(n).comment.id);
        let mut comment_cols = vec![
            Column::Str(nodes.iter().map(|_| text(aid)).collect()),
            Column::Str(nodes.iter().map(|n| text(&n.comment.id)).collect()),
            Column::Str(nodes.iter().map(|n| n.parent.and_then(id_of)).collect()),
            Column::Str(nodes.iter().map(|n| id_of(n.root)).collect()),
            Column::Int(nodes.iter().map(|n| int(n.depth)).collect()),
            Column::Int(nodes.iter().map(|n| int(n.position)).collect()),
            Column::Str(nodes.iter().map(|n| n.comment.author.as_deref()).collect()),
            Column::Timestamp(nodes.iter().map(|n| utc_micros(&n.comment)).collect()),
            Column::LocalTimestamp(nodes.iter().map(|n| local_micros(&n.comment)).collect()),
            Column::Str(nodes.iter().map(|n| n.comment.time_raw.as_deref()).collect()),
            Column::Category(nodes.iter().map(|n| text(n.comment.kind.as_str())).collect()),
            Column::Category(nodes.iter().map(|n| n.comment.status.as_deref()).collect()),
            Column::Bool(nodes.iter().map(|n| Some(n.comment.deleted)).collect()),
            Column::Bool(nodes.iter().map(|n| n.comment.by_post_author).collect()),
            Column::Str(nodes.iter().map(|n| text(&n.comment.text)).collect()),
            Column::Int(nodes.iter().map(|n| int(quoted_chars(&n.comment))).collect()),
            Column::Int(
                (0..nodes.len()).map(|i| int(d.children(crate::NodeId(i as u32)).len())).collect(),
            ),
            Column::Int(nodes.iter().map(|n| int(n.subtree_size)).collect()),
            Column::Int(nodes.iter().map(|n| n.comment.line.and_then(int)).collect()),
            Column::StrMap(
                nodes
                    .iter()
                    .map(|n| {
                        // By key: the same map whatever order the source wrote it in.
                        let mut e = n.comment.extra.clone();
                        e.sort();
                        (!e.is_empty()).then_some(e)
                    })
                    .collect(),
            ),
            Column::Bool(nodes.iter().map(|n| Some(n.flags.orphan)).collect()),
            Column::Bool(nodes.iter().map(|n| Some(n.flags.duplicate)).collect()),
            Column::Bool(nodes.iter().map(|n| Some(n.flags.cycle)).collect()),
            Column::Bool(nodes.iter().map(|n| Some(n.flags.self_reply)).collect()),
            Column::Category(all.iter().map(|c| c.language).collect()),
            Column::Category(all.iter().map(|c| text(c.status.as_str())).collect()),
            Column::Float(inc.iter().map(|s| s.map(|s| s.probability)).collect()),
            Column::Bool(inc.iter().map(|s| s.map(|s| s.uncivil)).collect()),
            Column::StrList(inc.iter().map(|s| s.map(|s| s.forms.clone())).collect()),
            Column::Cues(
                inc.iter()
                    .map(|s| {
                        s.map(|s| {
                            s.cues
                                .iter()
                                .map(|c| CueValue {
                                    start: c.start as i64,
                                    end: c.end as i64,
                                    label: c.label.clone(),
                                    text: c.text.clone(),
                                    weight: c.weight,
                                })
                                .collect()
                        })
                    })
                    .collect(),
            ),
            Column::Int(inc.iter().map(|s| s.map(|s| s.more_cues as i64)).collect()),
            Column::Category(all.iter().map(|c| text(c.stance_status.as_str())).collect()),
            Column::Category(st.iter().map(|s| s.map(|s| s.relation.as_str())).collect()),
            Column::Float(st.iter().map(|s| s.map(|s| s.probabilities[0])).collect()),
            Column::Float(st.iter().map(|s| s.map(|s| s.probabilities[1])).collect()),
            Column::Float(st.iter().map(|s| s.map(|s| s.probabilities[2])).collect()),
            Column::Category(sides.iter().map(|s| s.map(|s| s.side.as_str())).collect()),
            Column::Float(sides.iter().map(|s| s.and_then(|s| s.confidence)).collect()),
        ];
        for t in 0..scores.target_names().len() {
            let of = |c: &crate::scores::CommentScores| c.targets.get(t).cloned();
            comment_cols.push(Column::Category(
                scores.comments().iter().map(|c| of(c).map(|(l, _)| l)).collect(),
            ));
            comment_cols.push(Column::Float(
                scores.comments().iter().map(|c| of(c).map(|(_, p)| p)).collect(),
            ));
        }
        let spec = crate::export::schema::comments_with_targets(scores.target_names());
        let comments = Batch::new(spec, comment_cols)?;
        drop(owned);

        let an = &d.anomalies;
        let anomalies = Batch::new(
            &ANOMALIES,
            vec![
                Column::Str(an.iter().map(|_| text(aid)).collect()),
                Column::Str(an.iter().map(|_| text(&a.source)).collect()),
                Column::Int(an.iter().map(|x| x.line.and_then(int)).collect()),
                Column::Str(an.iter().map(|x| x.comment_id.as_deref()).collect()),
                Column::Category(an.iter().map(|x| text(x.kind.as_str())).collect()),
                Column::Str(an.iter().map(|x| text(&x.message)).collect()),
            ],
        )?;

        let pairs = crate::interactions::interactions(d, &edges, stance, scored);
        let author = |n: crate::NodeId| d.node(n).comment.author.as_deref();
        let edge_rows = Batch::new(
            &EDGES,
            vec![
                Column::Str(edges.iter().map(|_| text(aid)).collect()),
                Column::Str(edges.iter().map(|e| id_of(e.reply)).collect()),
                Column::Str(edges.iter().map(|e| id_of(e.parent)).collect()),
                Column::Str(edges.iter().map(|e| author(e.reply)).collect()),
                Column::Str(edges.iter().map(|e| author(e.parent)).collect()),
                Column::Int(edges.iter().map(|e| int(d.node(e.reply).depth)).collect()),
                Column::Category(edges.iter().map(|e| e.stance).collect()),
                Column::Float(edges.iter().map(|e| e.incivility.map(|(p, _)| p)).collect()),
                Column::Float(edges.iter().map(|e| e.parent_incivility).collect()),
                Column::Float(edges.iter().map(|e| e.latency_seconds).collect()),
                Column::Bool(edges.iter().map(|e| Some(e.quotes_parent)).collect()),
            ],
        )?;
        let count = |f: &dyn Fn(&crate::interactions::Interaction) -> Option<u64>| {
            Column::Int(pairs.iter().map(|i| f(i).and_then(int)).collect())
        };
        let interactions = Batch::new(
            &INTERACTIONS,
            vec![
                Column::Str(pairs.iter().map(|_| text(aid)).collect()),
                Column::Str(pairs.iter().map(|i| text(&i.author)).collect()),
                Column::Str(pairs.iter().map(|i| text(&i.parent_author)).collect()),
                count(&|_| Some(1)),
                count(&|i| Some(i.replies)),
                count(&|i| i.stances.map(|s| s[0])),
                count(&|i| i.stances.map(|s| s[1])),
                count(&|i| i.stances.map(|s| s[2])),
                count(&|i| i.uncivil),
                Column::Timestamp(pairs.iter().map(|i| i.first_micros).collect()),
                Column::Timestamp(pairs.iter().map(|i| i.last_micros).collect()),
                Column::Bool(pairs.iter().map(|i| Some(i.reciprocated)).collect()),
            ],
        )?;

        Ok(DiscussionTables {
            articles,
            threads,
            comments,
            anomalies,
            edges: edge_rows,
            interactions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::instant;

    #[test]
    fn tables_from_owned_scores_are_those_from_borrowed_ones() {
        use crate::scores::{DiscussionScores, Scorers};
        let capture =
            "H\n\nThe figures are wrong.\nShow Comments\n  1. You prick.\n  2. I agree.\n";
        let doc = crate::parse::parse_bytes(capture.as_bytes(), "t.txt", &Default::default())
            .unwrap()
            .remove(0);
        let d = crate::thread::Discussion::build(doc);
        let m = crate::metrics::discussion_metrics(&d);
        let threads: Vec<_> =
            d.roots().iter().map(|&r| crate::metrics::thread_metrics(&d, r)).collect();
        let scores = DiscussionScores::new(&d, &Scorers::shipped());
        let borrowed = super::DiscussionTables::new(&d, &m, &threads, &scores).unwrap();
        let owned = super::DiscussionTables::from_scores(&d, &m, &threads, scores).unwrap();
        assert_eq!(owned.comments.num_rows(), 2);
        for (a, b) in [
            (&borrowed.articles, &owned.articles),
            (&borrowed.threads, &owned.threads),
            (&borrowed.comments, &owned.comments),
            (&borrowed.anomalies, &owned.anomalies),
            (&borrowed.edges, &owned.edges),
            (&borrowed.interactions, &owned.interactions),
        ] {
            assert_eq!(a, b, "{}", a.spec().name);
        }
    }

    #[test]
    fn publication_times_are_typed_by_their_kind() {
        // An instant is UTC and never a wall clock; a date-time without a zone or a date is a
        // wall clock and never an instant.
        let z = "2020-01-28T09:55:52Z";
        assert_eq!(instant(z, false), Some(1_580_205_352_000_000));
        assert_eq!(instant(z, true), None);
        let local = "2023-09-24T08:12:00";
        assert_eq!(instant(local, false), None);
        assert_eq!(instant(local, true), Some(1_695_543_120_000_000));
        assert_eq!(instant("2024-02-29", true), Some(1_709_164_800_000_000));
        assert_eq!(instant("2024-02-30", true), None);
        assert_eq!(instant("Tuesday", true), None);
    }
}
