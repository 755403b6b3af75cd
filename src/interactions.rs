//! Who answers whom: the replies to comments of a discussion ([`edges`]) and, per ordered
//! pair of authors, how they replied to each other ([`interactions`]).
//!
//! Both are one pass over the tree (plus a sort of the author pairs), so a discussion of a
//! million comments costs O(n log n). They are the `edges` and `interactions` tables.

use std::collections::HashMap;

use crate::export::{Batch, Column};
use crate::scores::DiscussionScores;
use crate::tables::{local_micros, utc_micros};
use crate::thread::{Discussion, NodeId};

/// Quoted passages shorter than this (in characters, spaces evened out) are not looked for in
/// the parent: "> yes" proves nothing.
pub const MIN_QUOTE_CHARS: usize = 8;

/// A reply to a comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The reply.
    pub reply: NodeId,
    /// The comment it replies to.
    pub parent: NodeId,
    /// The reply's stance toward the parent (`disagree`, `neutral`, `agree`), when scored.
    pub stance: Option<&'static str>,
    /// The reply's incivility probability and whether it is uncivil, when scored.
    pub incivility: Option<(f64, bool)>,
    /// The parent's incivility probability, when scored.
    pub parent_incivility: Option<f64>,
    /// Seconds from parent to reply, when both times are of one kind (both UTC or both wall
    /// clock).
    pub latency_seconds: Option<f64>,
    /// The reply quotes the parent (see [`MIN_QUOTE_CHARS`]).
    pub quotes_parent: bool,
}

/// Replies from one author to another within a discussion.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// Who replied.
    pub author: String,
    /// To whom.
    pub parent_author: String,
    /// How many replies.
    pub replies: u64,
    /// Replies by stance: disagree, neutral, agree; `None` without a stance model.
    pub stances: Option<[u64; 3]>,
    /// Uncivil replies; `None` without an incivility model.
    pub uncivil: Option<u64>,
    /// First and last reply time in microseconds since the epoch (UTC), when any has one.
    pub first_micros: Option<i64>,
    /// See [`first_micros`](Self::first_micros).
    pub last_micros: Option<i64>,
    /// The other author replied to this one too (never for replies to oneself).
    pub reciprocated: bool,
}

/// Microseconds of a comment's time, as the `comments` table types it, and whether it is a
/// wall-clock time.
fn micros(c: &crate::RawComment) -> Option<(i64, bool)> {
    match c.time_local {
        true => Some((local_micros(c)?, true)),
        false => Some((utc_micros(c)?, false)),
    }
}

/// `text` with `>` quote markers at line starts dropped and runs of white space made one
/// space, for comparing quoted passages with what they quote.
fn even(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim_start();
        let line = line.trim_start_matches('>');
        for word in line.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Every reply to a comment of `d`, in pre-order of the replies.
pub fn edges(d: &Discussion, scores: &DiscussionScores) -> Vec<Edge> {
    // The parents' evened-out texts, made once per parent that is quoted.
    let mut evened: HashMap<NodeId, String> = HashMap::new();
    let mut out = Vec::new();
    for &id in d.preorder() {
        let node = d.node(id);
        let Some(parent) = node.parent else { continue };
        let p = d.node(parent);
        let s = scores.get(id);
        let latency = match (micros(&node.comment), micros(&p.comment)) {
            (Some((r, a)), Some((q, b))) if a == b => Some((r - q) as f64 / 1e6),
            _ => None,
        };
        let c = &node.comment;
        let quotes: Vec<String> = c
            .quotes
            .iter()
            .filter_map(|r| c.text.get(r.clone()))
            .map(even)
            .filter(|q| q.chars().count() >= MIN_QUOTE_CHARS)
            .collect();
        let quotes_parent = !quotes.is_empty() && {
            let parent_text = evened.entry(parent).or_insert_with(|| even(&p.comment.text));
            quotes.iter().any(|q| parent_text.contains(q.as_str()))
        };
        out.push(Edge {
            reply: id,
            parent,
            stance: s.stance.as_ref().map(|s| s.relation.as_str()),
            incivility: s.incivility.as_ref().map(|i| (i.probability, i.uncivil)),
            parent_incivility: scores.get(parent).incivility.as_ref().map(|i| i.probability),
            latency_seconds: latency,
            quotes_parent,
        });
    }
    out
}

/// Per ordered pair of known authors, the replies of `edges` (of `d`), sorted by author and
/// then parent author. `stance` and `incivility` say whether the run had those models.
pub fn interactions(
    d: &Discussion,
    edges: &[Edge],
    stance: bool,
    incivility: bool,
) -> Vec<Interaction> {
    let mut pairs: HashMap<(&str, &str), Interaction> = HashMap::new();
    for e in edges {
        let (r, p) = (&d.node(e.reply).comment, &d.node(e.parent).comment);
        let (Some(a), Some(b)) = (r.author.as_deref(), p.author.as_deref()) else { continue };
        let i = pairs.entry((a, b)).or_insert_with(|| Interaction {
            author: a.to_string(),
            parent_author: b.to_string(),
            replies: 0,
            stances: stance.then_some([0; 3]),
            uncivil: incivility.then_some(0),
            first_micros: None,
            last_micros: None,
            reciprocated: false,
        });
        i.replies += 1;
        if let (Some(counts), Some(s)) = (i.stances.as_mut(), e.stance) {
            match s {
                "disagree" => counts[0] += 1,
                "neutral" => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
        if let (Some(n), Some((_, true))) = (i.uncivil.as_mut(), e.incivility) {
            *n += 1;
        }
        if let Some(t) = utc_micros(r) {
            i.first_micros = Some(i.first_micros.map_or(t, |f| f.min(t)));
            i.last_micros = Some(i.last_micros.map_or(t, |l| l.max(t)));
        }
    }
    let keys: std::collections::HashSet<(String, String)> =
        pairs.keys().map(|&(a, b)| (a.to_string(), b.to_string())).collect();
    let mut out: Vec<Interaction> = pairs.into_values().collect();
    for i in &mut out {
        i.reciprocated = i.author != i.parent_author
            && keys.contains(&(i.parent_author.clone(), i.author.clone()));
    }
    out.sort_by(|x, y| (&x.author, &x.parent_author).cmp(&(&y.author, &y.parent_author)));
    out
}

/// Author pairs over a whole corpus (`analyse --corpus-pairs`): the per-discussion rows of
/// `interactions` added up by ordered author pair, with authors matched by name across
/// discussions. Memory grows with the number of distinct pairs, not with the comments.
#[derive(Clone, Debug, Default)]
pub struct CorpusPairs {
    pairs: HashMap<(String, String), CorpusPair>,
}

#[derive(Clone, Debug, Default)]
struct CorpusPair {
    discussions: u64,
    replies: u64,
    stances: Option<[u64; 3]>,
    uncivil: Option<u64>,
    first: Option<i64>,
    last: Option<i64>,
}

fn add_opt(sum: &mut Option<u64>, v: Option<i64>) {
    if let Some(v) = v {
        *sum = Some(sum.unwrap_or(0) + v.max(0) as u64);
    }
}

impl CorpusPairs {
    /// Adds one discussion's `interactions` rows.
    pub fn add(&mut self, interactions: &Batch) {
        use crate::network::{ints, strings, timestamps};
        let b = interactions;
        let (from, to) = (strings(b, "author"), strings(b, "parent_author"));
        let (discussions, replies, uncivil) =
            (ints(b, "discussions"), ints(b, "replies"), ints(b, "uncivil"));
        let stances = [ints(b, "disagree"), ints(b, "neutral"), ints(b, "agree")];
        let (first, last) = (timestamps(b, "first_time"), timestamps(b, "last_time"));
        for r in 0..b.num_rows() {
            let (Some(a), Some(p)) = (from.get(r), to.get(r)) else { continue };
            let key = (a.to_string(), p.to_string());
            let e = self.pairs.entry(key).or_default();
            e.discussions += discussions.get(r).unwrap_or(1).max(0) as u64;
            e.replies += replies.get(r).unwrap_or(0).max(0) as u64;
            if stances.iter().any(|s| !s.is_null(r)) {
                let c = e.stances.get_or_insert([0; 3]);
                for (k, s) in stances.iter().enumerate() {
                    c[k] += s.get(r).unwrap_or(0).max(0) as u64;
                }
            }
            add_opt(&mut e.uncivil, uncivil.get(r));
            if let Some(t) = first.get(r) {
                e.first = Some(e.first.map_or(t, |f| f.min(t)));
            }
            if let Some(t) = last.get(r) {
                e.last = Some(e.last.map_or(t, |l| l.max(t)));
            }
        }
    }

    /// Ordered author pairs so far.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair was added.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The corpus-wide `interactions` rows, sorted by author and then parent author
    /// (`article_id` null; `reciprocated` when the other author replied in any discussion).
    pub fn rows(&self) -> Result<Batch, crate::export::ExportError> {
        let mut keys: Vec<&(String, String)> = self.pairs.keys().collect();
        keys.sort();
        let rows: Vec<(&(String, String), &CorpusPair)> =
            keys.into_iter().map(|k| (k, &self.pairs[k])).collect();
        let int = |v: u64| Some(i64::try_from(v).unwrap_or(i64::MAX));
        let count = |f: &dyn Fn(&CorpusPair) -> Option<u64>| {
            Column::Int(rows.iter().map(|(_, p)| f(p).and_then(int)).collect())
        };
        Batch::new(
            &crate::export::INTERACTIONS,
            vec![
                Column::Str(rows.iter().map(|_| None::<&str>).collect()),
                Column::Str(rows.iter().map(|((a, _), _)| Some(a)).collect()),
                Column::Str(rows.iter().map(|((_, b), _)| Some(b)).collect()),
                count(&|p| Some(p.discussions)),
                count(&|p| Some(p.replies)),
                count(&|p| p.stances.map(|s| s[0])),
                count(&|p| p.stances.map(|s| s[1])),
                count(&|p| p.stances.map(|s| s[2])),
                count(&|p| p.uncivil),
                Column::Timestamp(rows.iter().map(|(_, p)| p.first).collect()),
                Column::Timestamp(rows.iter().map(|(_, p)| p.last).collect()),
                Column::Bool(
                    rows.iter()
                        .map(|((a, b), _)| {
                            Some(a != b && self.pairs.contains_key(&(b.clone(), a.clone())))
                        })
                        .collect(),
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, CommentSection, Document, RawComment};
    use crate::scores::Scorers;

    fn c(
        id: &str,
        parent: Option<&str>,
        author: Option<&str>,
        time: &str,
        text: &str,
    ) -> RawComment {
        RawComment {
            id: id.into(),
            parent_id: parent.map(String::from),
            author: author.map(String::from),
            time: (!time.is_empty()).then(|| time.to_string()),
            quotes: crate::parse::clean::gt_quotes(text),
            text: text.into(),
            ..Default::default()
        }
    }

    fn discussion(comments: Vec<RawComment>) -> Discussion {
        let doc = Document {
            article: Article { id: "a".into(), ..Default::default() },
            section: CommentSection::Present,
            comments,
            ..Default::default()
        };
        Discussion::build(doc)
    }

    /// A by hand: ann opens, bob replies twice (once quoting her), ann answers bob, cat
    /// (no time) replies to bob, an unknown author replies to ann.
    fn sample() -> Discussion {
        discussion(vec![
            c(
                "1",
                None,
                Some("ann"),
                "2024-01-01T10:00:00Z",
                "The figures in the report are wrong.",
            ),
            c("2", Some("1"), Some("bob"), "2024-01-01T10:01:30Z", "> the report are   wrong\nNo."),
            c("3", Some("1"), Some("bob"), "2024-01-01T10:05:00Z", "> wrong.\nShort quote."),
            c("4", Some("2"), Some("ann"), "2024-01-01T11:00:00Z", "Yes they are."),
            c("5", Some("2"), Some("cat"), "", "> not in the parent at all\nHm."),
            c("6", Some("1"), None, "2024-01-01T12:00:00Z", "Anonymous."),
        ])
    }

    #[test]
    fn edges_by_hand() {
        let d = sample();
        let scores = DiscussionScores::new(&d, &Scorers::default());
        let e = edges(&d, &scores);
        let id = |n: NodeId| d.node(n).comment.id.as_str();
        let got: Vec<(&str, &str, Option<f64>, bool)> = e
            .iter()
            .map(|e| (id(e.reply), id(e.parent), e.latency_seconds, e.quotes_parent))
            .collect();
        assert_eq!(
            got,
            [
                ("2", "1", Some(90.0), true),
                ("4", "2", Some(3510.0), false),
                ("5", "2", None, false),
                // A quote of fewer than 8 characters is not looked for.
                ("3", "1", Some(300.0), false),
                ("6", "1", Some(7200.0), false),
            ]
        );
        // No models: nothing scored.
        assert!(e.iter().all(|e| e.stance.is_none() && e.incivility.is_none()));
    }

    #[test]
    fn interactions_by_hand() {
        let d = sample();
        let scores = DiscussionScores::new(&d, &Scorers::default());
        let e = edges(&d, &scores);
        let got = interactions(&d, &e, false, true);
        let rows: Vec<(&str, &str, u64, Option<u64>, bool)> = got
            .iter()
            .map(|i| {
                (i.author.as_str(), i.parent_author.as_str(), i.replies, i.uncivil, i.reciprocated)
            })
            .collect();
        // The unknown author's reply is left out; bob and ann answered each other, cat did not
        // get an answer.
        assert_eq!(
            rows,
            [
                ("ann", "bob", 1, Some(0), true),
                ("bob", "ann", 2, Some(0), true),
                ("cat", "bob", 1, Some(0), false)
            ]
        );
        let bob = &got[1];
        assert_eq!(bob.stances, None);
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_micros();
        assert_eq!(
            (bob.first_micros, bob.last_micros),
            (Some(t("2024-01-01T10:01:30Z")), Some(t("2024-01-01T10:05:00Z")))
        );
        assert_eq!((got[2].first_micros, got[2].last_micros), (None, None));
    }
}
