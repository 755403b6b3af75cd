//! Scores of a discussion's comments, and their summaries per thread and per discussion.
//!
//! The scoring stage of the pipeline: a [`Discussion`] and the [`Scorers`] of a run go in,
//! [`DiscussionScores`] (one [`CommentScores`] per node, by [`NodeId`]) come out;
//! [`ScoreSummary::of`] sums them up over any set of nodes (a thread, the discussion).
//!
//! A comment is scored when it is a reader's comment with text: pingbacks and trackbacks
//! (quotes of another site) and comments whose text is empty (deleted, removed) get no score,
//! which the tables write as null rather than a made-up number.
//!
//! # Example
//! ```
//! use threadlens::{parse, scores::{DiscussionScores, ScoreSummary, Scorers}, Discussion};
//!
//! let capture = "Headline\n\nText.\nShow Comments\n  1. Good piece.\n    1. You prick, what tripe.\n";
//! let doc = parse::parse_bytes(capture.as_bytes(), "page.txt", &Default::default())?.remove(0);
//! let d = Discussion::build(doc);
//! let scores = DiscussionScores::new(&d, &Scorers::shipped());
//! let reply = scores.get(d.find("1.1").unwrap()).incivility.as_ref().unwrap();
//! assert!(reply.forms.contains(&"name_calling".to_string()));
//! let all: Vec<_> = d.preorder().to_vec();
//! let summary = ScoreSummary::of(&d, &scores, &all);
//! assert_eq!(summary.scored, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::classify::FittedScorer;
use crate::classify::incivility::{self, IncivilityScore};
use crate::model::CommentKind;
use crate::thread::{Discussion, NodeId};

/// The models a run scores comments with; a missing model leaves its columns null.
#[derive(Clone, Debug, Default)]
pub struct Scorers {
    /// The incivility model.
    pub incivility: Option<FittedScorer>,
}

impl Scorers {
    /// The models shipped in `models/` (compiled into the binary).
    pub fn shipped() -> Scorers {
        Scorers { incivility: Some(incivility::shipped_model()) }
    }

    /// No models: structure only.
    pub fn none() -> Scorers {
        Scorers::default()
    }
}

/// The scores of one comment; `None` where the comment was not scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentScores {
    /// Incivility: probability, forms, cues.
    pub incivility: Option<IncivilityScore>,
}

/// The scores of every comment of a discussion, by [`NodeId`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiscussionScores {
    comments: Vec<CommentScores>,
    incivility: bool,
}

/// Whether a comment gets scores: a reader's comment with some text.
pub fn is_scored(d: &Discussion, id: NodeId) -> bool {
    let c = &d.node(id).comment;
    c.kind == CommentKind::Comment && c.text.chars().any(|ch| ch.is_alphanumeric())
}

impl DiscussionScores {
    /// Scores every comment of `d` with `scorers`.
    pub fn new(d: &Discussion, scorers: &Scorers) -> DiscussionScores {
        let comments = (0..d.len())
            .map(|i| {
                let id = NodeId(i as u32);
                if !is_scored(d, id) {
                    return CommentScores::default();
                }
                let c = &d.node(id).comment;
                CommentScores {
                    incivility: scorers
                        .incivility
                        .as_ref()
                        .map(|m| incivility::score(m, &c.text, &c.quotes)),
                }
            })
            .collect();
        DiscussionScores { comments, incivility: scorers.incivility.is_some() }
    }

    /// No scores for any of `d`'s comments (as with [`Scorers::none`]).
    pub fn unscored(d: &Discussion) -> DiscussionScores {
        DiscussionScores { comments: vec![CommentScores::default(); d.len()], incivility: false }
    }

    /// Whether an incivility model scored the discussion.
    pub fn has_incivility(&self) -> bool {
        self.incivility
    }

    /// The scores of one comment.
    ///
    /// # Panics
    /// If `id` is not a node of the discussion scored.
    pub fn get(&self, id: NodeId) -> &CommentScores {
        &self.comments[id.index()]
    }

    /// Scores by node, in node order.
    pub fn comments(&self) -> &[CommentScores] {
        &self.comments
    }
}

/// Scores summed up over a set of comments (a thread, or a whole discussion).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ScoreSummary {
    /// Comments with an incivility score.
    pub scored: usize,
    /// Of those, comments at or above the model's threshold.
    pub uncivil: usize,
    /// `uncivil / scored`; `None` when nothing was scored.
    pub uncivil_share: Option<f64>,
    /// Mean incivility probability; `None` when nothing was scored.
    pub incivility_mean: Option<f64>,
    /// Share of scored comments that are uncivil at each depth: index 0 is depth 1 (top
    /// level). A depth with no scored comment is `None`.
    pub uncivil_share_by_depth: Vec<Option<f64>>,
}

impl ScoreSummary {
    /// Sums up the scores of `nodes` of `d`.
    pub fn of(d: &Discussion, scores: &DiscussionScores, nodes: &[NodeId]) -> ScoreSummary {
        let mut s = ScoreSummary::default();
        let mut sum = 0.0;
        // (scored, uncivil) per depth.
        let mut by_depth: Vec<(usize, usize)> = Vec::new();
        for &id in nodes {
            let Some(inc) = &scores.get(id).incivility else { continue };
            let depth = d.node(id).depth.max(1) as usize;
            if by_depth.len() < depth {
                by_depth.resize(depth, (0, 0));
            }
            s.scored += 1;
            sum += inc.probability;
            by_depth[depth - 1].0 += 1;
            if inc.uncivil {
                s.uncivil += 1;
                by_depth[depth - 1].1 += 1;
            }
        }
        if s.scored > 0 {
            s.uncivil_share = Some(s.uncivil as f64 / s.scored as f64);
            s.incivility_mean = Some(sum / s.scored as f64);
        }
        s.uncivil_share_by_depth =
            by_depth.into_iter().map(|(n, u)| (n > 0).then(|| u as f64 / n as f64)).collect();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn discussion(capture: &str) -> Discussion {
        let doc =
            parse::parse_bytes(capture.as_bytes(), "t.txt", &Default::default()).unwrap().remove(0);
        Discussion::build(doc)
    }

    #[test]
    fn without_models_nothing_is_scored() {
        let d = discussion("H\n\nBody.\nShow Comments\n  1. You prick.\n");
        let s = DiscussionScores::new(&d, &Scorers::none());
        assert_eq!(s.comments(), [CommentScores::default()]);
        let sum = ScoreSummary::of(&d, &s, d.preorder());
        assert_eq!((sum.scored, sum.uncivil_share, sum.incivility_mean), (0, None, None));
        assert!(sum.uncivil_share_by_depth.is_empty());
    }

    #[test]
    fn summary_counts_by_depth() {
        let d = discussion(
            "H\n\nBody.\nShow Comments\n  1. Thanks for this.\n    1. You absolute prick, \
             you bellend.\n    2. Fair point.\n  2. Agreed.\n",
        );
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        let sum = ScoreSummary::of(&d, &s, d.preorder());
        assert_eq!(sum.scored, 4);
        let flagged: Vec<bool> =
            d.preorder().iter().map(|&n| s.get(n).incivility.as_ref().unwrap().uncivil).collect();
        let uncivil = flagged.iter().filter(|&&u| u).count();
        assert_eq!(sum.uncivil, uncivil);
        assert_eq!(sum.uncivil_share_by_depth.len(), 2);
        // Depth 2 holds "1.1" and "1.2".
        let depth2 = [flagged[1], flagged[2]].iter().filter(|&&u| u).count() as f64 / 2.0;
        assert_eq!(sum.uncivil_share_by_depth[1], Some(depth2));
        let mean: f64 = d
            .preorder()
            .iter()
            .map(|&n| s.get(n).incivility.as_ref().unwrap().probability)
            .sum::<f64>()
            / 4.0;
        approx::assert_abs_diff_eq!(sum.incivility_mean.unwrap(), mean, epsilon = 1e-12);
        // The insult is scored above the thanks.
        let p = |id: &str| s.get(d.find(id).unwrap()).incivility.as_ref().unwrap().probability;
        assert!(p("1.1") > p("1"), "{} vs {}", p("1.1"), p("1"));
    }

    #[test]
    fn empty_text_and_pingbacks_are_not_scored() {
        use crate::model::{Document, RawComment};
        let c = |id: &str, text: &str, kind| RawComment {
            id: id.into(),
            text: text.into(),
            kind,
            ..Default::default()
        };
        let doc = Document {
            comments: vec![
                c("a", "  … ", CommentKind::Comment),
                c("b", "You prick, linking here", CommentKind::Pingback),
                c("c", "Fine words", CommentKind::Comment),
            ],
            ..Default::default()
        };
        let d = Discussion::build(doc);
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        let scored: Vec<bool> = (0..3).map(|i| s.get(NodeId(i)).incivility.is_some()).collect();
        assert_eq!(scored, [false, false, true]);
    }
}
