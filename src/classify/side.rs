//! Sides: where each comment stands relative to the article, derived from the reply tree.
//!
//! A top-level comment's relation to the article gives its side directly (agree → with the
//! article, disagree → against it). Down the tree, agreeing with a comment keeps its side and
//! disagreeing flips it. A neutral link, a link whose confidence is below
//! [`SideParams::min_link_confidence`], a comment without a relation, or an unclear parent
//! makes the side unclear. A clear side's confidence is the product of the link
//! confidences on its path from the article.
//!
//! The step is separate from the stance model: any per-comment relations feed it, a user's
//! own model included.

use serde::Serialize;

use super::stance::Relation;
use crate::thread::{Discussion, NodeId};

/// A comment's position relative to the article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// On the article's side.
    WithArticle,
    /// Against the article.
    AgainstArticle,
    /// Not known.
    Unclear,
}

impl Side {
    /// Its name in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::WithArticle => "with_article",
            Side::AgainstArticle => "against_article",
            Side::Unclear => "unclear",
        }
    }

    fn flipped(self) -> Side {
        match self {
            Side::WithArticle => Side::AgainstArticle,
            Side::AgainstArticle => Side::WithArticle,
            Side::Unclear => Side::Unclear,
        }
    }
}

/// A comment's relation to its target, with its confidence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// The relation.
    pub relation: Relation,
    /// How sure: the probability of the relation.
    pub confidence: f64,
}

/// Where a comment stands.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SideOf {
    /// The side.
    pub side: Side,
    /// Product of the link confidences from the article; `None` when the side is unclear.
    pub confidence: Option<f64>,
}

/// Settings of the propagation (a builder; the defaults are the documented ones).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SideParams {
    min_link_confidence: f64,
}

impl Default for SideParams {
    fn default() -> SideParams {
        // Three relations: a third is chance. 0.4 asks the chosen relation to lead clearly
        // while letting most replies through (on the Canary seed, 0.5 left 7 of 8 unclear).
        SideParams { min_link_confidence: 0.4 }
    }
}

/// A rejected setting.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("min_link_confidence must be a number from 0 to 1, got {0}")]
pub struct SideParamsError(pub f64);

impl SideParams {
    /// Links less sure than this make the side unclear (default 0.4).
    pub fn min_link_confidence(mut self, c: f64) -> Result<SideParams, SideParamsError> {
        if !(0.0..=1.0).contains(&c) {
            return Err(SideParamsError(c));
        }
        self.min_link_confidence = c;
        Ok(self)
    }

    /// The least link confidence in use.
    pub fn least_link_confidence(&self) -> f64 {
        self.min_link_confidence
    }

    /// The sides of every comment of `d`, by node, from each comment's link to its target
    /// (`links[i]` for node `i`; `None` where the comment has no relation).
    ///
    /// # Panics
    /// If `links` does not hold one entry per node.
    pub fn propagate(&self, d: &Discussion, links: &[Option<Link>]) -> Vec<SideOf> {
        assert_eq!(links.len(), d.len(), "one link per comment");
        let unclear = SideOf { side: Side::Unclear, confidence: None };
        let mut out = vec![unclear; d.len()];
        // Pre-order visits every parent before its children: no recursion, any depth.
        for &id in d.preorder() {
            let Some(link) = links[id.index()] else { continue };
            if link.relation == Relation::Neutral || link.confidence < self.min_link_confidence {
                continue;
            }
            let (from, conf) = match d.node(id).parent {
                None => (Side::WithArticle, 1.0),
                Some(p) => match out[p.index()] {
                    SideOf { side: Side::Unclear, .. } => continue,
                    SideOf { side, confidence } => (side, confidence.unwrap_or(0.0)),
                },
            };
            let side = if link.relation == Relation::Agree { from } else { from.flipped() };
            out[id.index()] = SideOf { side, confidence: Some(conf * link.confidence) };
        }
        out
    }
}

/// The longest run of comments, down one path of the tree, each disagreeing with the comment
/// it replies to, counted in disagreeing replies (a reply to the article does not count);
/// `nodes` restricts it to a thread.
///
/// `nodes` is a pre-order slice (a whole discussion or a subtree). Time and memory are
/// O(`nodes`), not O(discussion): it runs once per thread (issue #13).
pub fn longest_disagreement_chain(
    d: &Discussion,
    links: &[Option<Link>],
    nodes: &[NodeId],
) -> usize {
    longest_disagreement_chain_by(d, nodes, |id| {
        links[id.index()].is_some_and(|l| l.relation == Relation::Disagree)
    })
}

/// As [`longest_disagreement_chain`], with whether each comment disagrees given by `disagrees`.
pub(crate) fn longest_disagreement_chain_by(
    d: &Discussion,
    nodes: &[NodeId],
    disagrees: impl Fn(NodeId) -> bool,
) -> usize {
    // In pre-order a comment's parent is the last comment met one level up, so the runs of
    // the path being walked are enough: `runs[k]` is the run ending at the path's comment
    // k levels below the slice's first one. A parent outside the slice counts 0.
    let Some(&first) = nodes.first() else { return 0 };
    let base = d.node(first).depth as usize;
    let mut runs: Vec<usize> = Vec::new();
    let mut best = 0;
    for &id in nodes {
        let n = d.node(id);
        let level = (n.depth as usize).saturating_sub(base);
        runs.truncate(level);
        let above = if level > 0 { runs.get(level - 1).copied().unwrap_or(0) } else { 0 };
        let run = if n.parent.is_some() && disagrees(id) { above + 1 } else { 0 };
        best = best.max(run);
        runs.push(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, RawComment};

    /// A discussion from `(id, parent)` pairs.
    fn tree(pairs: &[(&str, Option<&str>)]) -> Discussion {
        let comments = pairs
            .iter()
            .map(|(id, p)| RawComment {
                id: id.to_string(),
                parent_id: p.map(str::to_string),
                text: format!("comment {id}"),
                ..Default::default()
            })
            .collect();
        Discussion::build(Document { comments, ..Default::default() })
    }

    fn link(relation: Relation, confidence: f64) -> Option<Link> {
        Some(Link { relation, confidence })
    }

    #[test]
    fn agreeing_keeps_and_disagreeing_flips_the_side() {
        use Relation::*;
        // a agrees with the article; b disagrees with a; c disagrees with b; d agrees with b.
        let d = tree(&[("a", None), ("b", Some("a")), ("c", Some("b")), ("d", Some("b"))]);
        let links = [link(Agree, 0.9), link(Disagree, 0.8), link(Disagree, 0.5), link(Agree, 0.6)];
        let sides = SideParams::default().propagate(&d, &links);
        let side = |id: &str| sides[d.find(id).unwrap().index()];
        assert_eq!(side("a").side, Side::WithArticle);
        assert_eq!(side("b").side, Side::AgainstArticle);
        assert_eq!(side("c").side, Side::WithArticle);
        assert_eq!(side("d").side, Side::AgainstArticle);
        // Confidence: product along the path, worked out by hand.
        approx::assert_abs_diff_eq!(side("c").confidence.unwrap(), 0.9 * 0.8 * 0.5);
        approx::assert_abs_diff_eq!(side("d").confidence.unwrap(), 0.9 * 0.8 * 0.6);
    }

    #[test]
    fn neutral_weak_or_missing_links_make_the_subtree_unclear() {
        use Relation::*;
        let d = tree(&[
            ("a", None),
            ("b", Some("a")),
            ("c", Some("b")),
            ("x", None),
            ("y", Some("x")),
            ("z", None),
        ]);
        let links = [
            link(Disagree, 0.7),
            link(Neutral, 0.9), // neutral: b and everything below are unclear
            link(Agree, 0.99),
            link(Agree, 0.35), // below the 0.4 default
            link(Agree, 0.9),
            None, // not scored
        ];
        let sides = SideParams::default().propagate(&d, &links);
        let side = |id: &str| sides[d.find(id).unwrap().index()].side;
        assert_eq!(side("a"), Side::AgainstArticle);
        for id in ["b", "c", "x", "y", "z"] {
            assert_eq!(side(id), Side::Unclear, "{id}");
            assert_eq!(sides[d.find(id).unwrap().index()].confidence, None);
        }
        // A lower bar lets the weak link through.
        let sides = SideParams::default().min_link_confidence(0.3).unwrap().propagate(&d, &links);
        assert_eq!(SideParams::default(), SideParams::default().min_link_confidence(0.4).unwrap());
        assert_eq!(sides[d.find("y").unwrap().index()].side, Side::WithArticle);
    }

    #[test]
    fn rejects_confidence_outside_0_to_1() {
        assert_eq!(SideParams::default().min_link_confidence(1.5), Err(SideParamsError(1.5)));
        assert!(SideParams::default().min_link_confidence(f64::NAN).is_err());
    }

    #[test]
    fn a_100k_deep_chain_propagates_without_recursion() {
        let n = 100_000;
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let pairs: Vec<(&str, Option<&str>)> = (0..n)
            .map(|i| (ids[i].as_str(), if i == 0 { None } else { Some(ids[i - 1].as_str()) }))
            .collect();
        let d = tree(&pairs);
        let links = vec![link(Relation::Disagree, 1.0); n];
        let sides = SideParams::default().propagate(&d, &links);
        // Sides alternate down the chain: against, with, against, …
        assert_eq!(sides[d.find("c0").unwrap().index()].side, Side::AgainstArticle);
        assert_eq!(sides[d.find("c99999").unwrap().index()].side, Side::WithArticle);
        assert_eq!(longest_disagreement_chain(&d, &links, d.preorder()), n - 1);
    }

    #[test]
    fn disagreement_chains_count_replies_that_disagree_in_a_row() {
        use Relation::*;
        let d = tree(&[
            ("a", None),
            ("b", Some("a")),
            ("c", Some("b")),
            ("e", Some("c")),
            ("f", Some("a")),
        ]);
        // a→article disagree (not counted), b disagrees, c agrees, e disagrees, f disagrees.
        let links = [
            link(Disagree, 0.9),
            link(Disagree, 0.9),
            link(Agree, 0.9),
            link(Disagree, 0.9),
            link(Disagree, 0.9),
        ];
        assert_eq!(longest_disagreement_chain(&d, &links, d.preorder()), 1);
        let links =
            [link(Agree, 0.9), link(Disagree, 0.9), link(Disagree, 0.9), link(Disagree, 0.9), None];
        assert_eq!(longest_disagreement_chain(&d, &links, d.preorder()), 3);
    }
}
