//! How a discussion unfolds: escalation (incivility after incivility), its opening, authors
//! coming back, timing, and the article author's part. Defined, with their sources, in
//! `docs/metrics.md` ("Conversation dynamics"); the `articles` table's last columns.
//!
//! The order of comments is their time when every comment has a UTC time, else the order of
//! the source. Each value is one pass over the comments plus a sort: O(n log n).

use crate::html_report::Escalation;
use crate::interactions::Edge;
use crate::scores::DiscussionScores;
use crate::thread::{Discussion, NodeId};

/// Comments that make a discussion's opening (Saveski, Roy & Roy 2021 use the first 10).
pub const OPENING_COMMENTS: usize = 10;

/// A discussion's dynamics; `None` where a value is undefined (see each field).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dynamics {
    /// Replies after uncivil and after civil comments, when an incivility model scored them.
    pub escalation: Option<Escalation>,
    /// Mean incivility probability of the scored comments among the first
    /// [`OPENING_COMMENTS`]; `None` when none of them was scored.
    pub opening_incivility: Option<f64>,
    /// Share of the scored comments after the first [`OPENING_COMMENTS`] rated uncivil;
    /// `None` when there are none.
    pub later_uncivil_share: Option<f64>,
    /// Share of the known authors who commented again after someone else had commented
    /// since their previous comment (re-entry); `None` without known authors.
    pub reentry_share: Option<f64>,
    /// Seconds from publication to the first comment, when both are UTC instants.
    pub first_comment_seconds: Option<f64>,
    /// Median seconds from a comment to a reply to it, over the replies whose times and
    /// parents' times are known (of one kind); `None` without any.
    pub median_reply_seconds: Option<f64>,
    /// Share of the comments with a UTC time posted within an hour of publication; `None`
    /// without a UTC publication time or comment times.
    pub first_hour_share: Option<f64>,
    /// Comments marked as written by the article's author; `None` when the source marks no
    /// comment either way.
    pub post_author_comments: Option<u64>,
}

/// Each node's reply latency (`Edge::latency_seconds`), by node index.
fn latencies(d: &Discussion, edges: &[Edge]) -> Vec<Option<f64>> {
    let mut out = vec![None; d.len()];
    for e in edges {
        out[e.reply.index()] = e.latency_seconds;
    }
    out
}

impl Dynamics {
    /// The dynamics of `d` with its `scores` and its `edges` ([`crate::interactions::edges`]).
    pub fn of(d: &Discussion, scores: &DiscussionScores, edges: &[Edge]) -> Dynamics {
        Dynamics::of_part(d, scores, &latencies(d, edges), d.preorder())
    }

    /// The dynamics of each thread of `d` alone (its top-level comment and the replies below
    /// it), in the order of [`Discussion::roots`]. O(n log n) over all threads.
    pub fn of_threads(d: &Discussion, scores: &DiscussionScores, edges: &[Edge]) -> Vec<Dynamics> {
        let latency = latencies(d, edges);
        d.roots().iter().map(|&r| Dynamics::of_part(d, scores, &latency, d.subtree(r))).collect()
    }

    /// The dynamics of `part`: all comments of `d`, or one thread (a subtree, whose replies'
    /// parents are all in it); `latency` is each node's reply latency.
    fn of_part(
        d: &Discussion,
        scores: &DiscussionScores,
        latency: &[Option<f64>],
        part: &[NodeId],
    ) -> Dynamics {
        let n = part.len();
        let utc = |i: usize| crate::tables::utc_micros(&d.nodes()[i].comment);
        // Source order, or time order when every comment of the part has a UTC time.
        let mut timed: Vec<(usize, Option<i64>)> =
            part.iter().map(|id| (id.index(), utc(id.index()))).collect();
        timed.sort_unstable_by_key(|&(i, _)| i);
        if timed.iter().all(|(_, t)| t.is_some()) {
            timed.sort_by_key(|&(i, t)| (t, i));
        }
        let order: Vec<usize> = timed.iter().map(|&(i, _)| i).collect();
        let times: Vec<i64> = timed.iter().filter_map(|&(_, t)| t).collect();
        let incivility = |i: usize| scores.get(NodeId(i as u32)).incivility.as_ref();

        let mut dy = Dynamics::default();
        if scores.has_incivility() {
            let uncivil = |id: NodeId| scores.get(id).incivility.as_ref().map(|s| s.uncivil);
            dy.escalation = Some(Escalation::of_part(d, part, uncivil));
        }
        let (opening, later) = order.split_at(n.min(OPENING_COMMENTS));
        let probs: Vec<f64> =
            opening.iter().filter_map(|&i| incivility(i).map(|s| s.probability)).collect();
        if !probs.is_empty() {
            dy.opening_incivility = Some(probs.iter().sum::<f64>() / probs.len() as f64);
        }
        let later: Vec<bool> =
            later.iter().filter_map(|&i| incivility(i).map(|s| s.uncivil)).collect();
        if !later.is_empty() {
            let uncivil = later.iter().filter(|&&u| u).count();
            dy.later_uncivil_share = Some(uncivil as f64 / later.len() as f64);
        }

        // Re-entry: an author's comment whose previous comment by them is not the one just
        // before it (someone else commented in between).
        let mut last: std::collections::HashMap<&str, (usize, bool)> = Default::default();
        for (pos, &i) in order.iter().enumerate() {
            let Some(a) = d.nodes()[i].comment.author.as_deref() else { continue };
            last.entry(a)
                .and_modify(|(prev, back)| {
                    *back |= pos > *prev + 1;
                    *prev = pos;
                })
                .or_insert((pos, false));
        }
        if !last.is_empty() {
            let back = last.values().filter(|(_, b)| *b).count();
            dy.reentry_share = Some(back as f64 / last.len() as f64);
        }

        let published =
            d.article.published.as_deref().and_then(|t| crate::tables::instant(t, false));
        let first = times.iter().min().copied();
        if let (Some(p), Some(f)) = (published, first) {
            dy.first_comment_seconds = Some((f - p) as f64 / 1e6);
        }
        let mut latencies: Vec<f64> = part.iter().filter_map(|id| latency[id.index()]).collect();
        if !latencies.is_empty() {
            latencies.sort_by(f64::total_cmp);
            let m = latencies.len();
            dy.median_reply_seconds = Some(if m % 2 == 1 {
                latencies[m / 2]
            } else {
                (latencies[m / 2 - 1] + latencies[m / 2]) / 2.0
            });
        }
        if let (Some(p), false) = (published, times.is_empty()) {
            let early = times.iter().filter(|&&t| t - p <= 3_600_000_000).count();
            dy.first_hour_share = Some(early as f64 / times.len() as f64);
        }
        let marks: Vec<bool> =
            part.iter().filter_map(|&id| d.node(id).comment.by_post_author).collect();
        if !marks.is_empty() {
            dy.post_author_comments = Some(marks.iter().filter(|&&b| b).count() as u64);
        }
        dy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, CommentSection, Document, RawComment};
    use crate::scores::Scorers;

    fn c(id: &str, parent: Option<&str>, author: Option<&str>, time: Option<&str>) -> RawComment {
        RawComment {
            id: id.into(),
            parent_id: parent.map(String::from),
            author: author.map(String::from),
            time: time.map(String::from),
            text: format!("Comment {id}"),
            ..Default::default()
        }
    }

    fn discussion(published: Option<&str>, comments: Vec<RawComment>) -> Discussion {
        Discussion::build(Document {
            article: Article {
                id: "a".into(),
                published: published.map(String::from),
                ..Default::default()
            },
            section: CommentSection::Present,
            comments,
            ..Default::default()
        })
    }

    #[test]
    fn timing_reentry_and_post_author_by_hand() {
        // Published at 10:00. Times (not in source order): ann 10:30, bob 10:40 (reply to
        // ann), ann 10:45 (reply to bob: ann is back after bob), bob 12:00, cat 10:50.
        let mut comments = vec![
            c("1", None, Some("ann"), Some("2024-01-01T10:30:00Z")),
            c("2", Some("1"), Some("bob"), Some("2024-01-01T10:40:00Z")),
            c("3", Some("2"), Some("ann"), Some("2024-01-01T10:45:00Z")),
            c("4", None, Some("bob"), Some("2024-01-01T12:00:00Z")),
            c("5", None, Some("cat"), Some("2024-01-01T10:50:00Z")),
        ];
        comments[2].by_post_author = Some(true);
        comments[0].by_post_author = Some(false);
        let d = discussion(Some("2024-01-01T10:00:00Z"), comments);
        let scores = DiscussionScores::new(&d, &Scorers::default());
        let edges = crate::interactions::edges(&d, &scores);
        let dy = Dynamics::of(&d, &scores, &edges);
        assert_eq!(dy.first_comment_seconds, Some(1800.0));
        // Replies 10:30→10:40 and 10:40→10:45: 600 and 300 s.
        assert_eq!(dy.median_reply_seconds, Some(450.0));
        // 10:30, 10:40, 10:45, 10:50 within the hour; 12:00 not.
        assert_eq!(dy.first_hour_share, Some(0.8));
        // In time order ann, bob, ann, cat, bob: ann and bob come back after others, cat
        // does not.
        assert_eq!(dy.reentry_share, Some(2.0 / 3.0));
        assert_eq!(dy.post_author_comments, Some(1));
        // No model: nothing about incivility.
        assert_eq!(
            (dy.escalation, dy.opening_incivility, dy.later_uncivil_share),
            (None, None, None)
        );
    }

    #[test]
    fn a_thread_is_measured_alone() {
        let mut comments = vec![
            c("1", None, Some("ann"), Some("2024-01-01T10:30:00Z")),
            c("2", Some("1"), Some("bob"), Some("2024-01-01T10:40:00Z")),
            c("3", Some("2"), Some("ann"), Some("2024-01-01T10:45:00Z")),
            c("4", None, Some("bob"), Some("2024-01-01T12:00:00Z")),
            c("5", None, Some("cat"), Some("2024-01-01T10:50:00Z")),
        ];
        comments[3].by_post_author = Some(true);
        let d = discussion(Some("2024-01-01T10:00:00Z"), comments);
        let scores = DiscussionScores::new(&d, &Scorers::default());
        let edges = crate::interactions::edges(&d, &scores);
        let threads = Dynamics::of_threads(&d, &scores, &edges);
        assert_eq!(threads.len(), 3);
        let first = &threads[0];
        // ann, bob, ann: ann is back, bob is not; bob's and cat's other comments are elsewhere.
        assert_eq!(first.reentry_share, Some(0.5));
        assert_eq!(first.median_reply_seconds, Some(450.0));
        assert_eq!(
            (first.first_comment_seconds, first.first_hour_share),
            (Some(1800.0), Some(1.0))
        );
        assert_eq!(first.post_author_comments, None);
        let second = &threads[1];
        assert_eq!((second.reentry_share, second.median_reply_seconds), (Some(0.0), None));
        assert_eq!(
            (second.first_comment_seconds, second.first_hour_share),
            (Some(7200.0), Some(0.0))
        );
        assert_eq!(second.post_author_comments, Some(1));
    }

    #[test]
    fn without_times_the_source_order_counts() {
        // One comment has no time: source order. ann, ann (no one between), bob.
        let d = discussion(
            None,
            vec![
                c("1", None, Some("ann"), Some("2024-01-01T10:30:00Z")),
                c("2", None, Some("ann"), None),
                c("3", None, Some("bob"), Some("2024-01-01T09:00:00Z")),
            ],
        );
        let scores = DiscussionScores::new(&d, &Scorers::default());
        let dy = Dynamics::of(&d, &scores, &[]);
        assert_eq!(dy.reentry_share, Some(0.0));
        assert_eq!((dy.first_comment_seconds, dy.first_hour_share), (None, None));
        assert_eq!((dy.median_reply_seconds, dy.post_author_comments), (None, None));
    }
}
