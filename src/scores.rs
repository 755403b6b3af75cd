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
use crate::classify::features::{Input, TargetCache};
use crate::classify::incivility::{self, IncivilityScore};
use crate::classify::side::{self, Link, Side, SideOf, SideParams};
use crate::classify::stance::{self, Relation, StanceScore};
use crate::classify::text;
use crate::model::{Article, CommentKind};
use crate::thread::{Discussion, NodeId};

/// Characters of the article body, after its title, that a top-level comment's stance is read
/// against: the lede, where a news article states its case.
pub const ARTICLE_TARGET_CHARS: usize = 1000;

/// The models a run scores comments with; a missing model leaves its columns null.
#[derive(Clone, Debug, Default)]
pub struct Scorers {
    /// The incivility model.
    pub incivility: Option<FittedScorer>,
    /// The stance model (relation to the parent comment, or to the article).
    pub stance: Option<FittedScorer>,
    /// How relations become sides.
    pub sides: SideParams,
    /// The user's own target models (`train --task target`), each adding a column.
    pub targets: Vec<FittedScorer>,
}

impl Scorers {
    /// The models shipped in `models/` (compiled into the binary).
    pub fn shipped() -> Scorers {
        Scorers {
            incivility: Some(incivility::shipped_model()),
            stance: Some(stance::shipped_model()),
            sides: SideParams::default(),
            targets: Vec::new(),
        }
    }

    /// The column names of the target models.
    pub fn target_names(&self) -> Vec<String> {
        self.targets.iter().map(|m| m.name().unwrap_or("target").to_string()).collect()
    }

    /// No models: structure only.
    pub fn none() -> Scorers {
        Scorers::default()
    }

    /// What the run scored with, for the tables' metadata: per model its column, task, the
    /// threadlens version that trained it, classes, feature count, decision threshold and
    /// class offsets; and the side propagation's least link confidence.
    pub fn describe(&self) -> serde_json::Value {
        let model = |column: &str, m: &FittedScorer| {
            let f = m.file();
            serde_json::json!({
                "column": column,
                "task": f.task,
                "trained_with": f.threadlens_version,
                "classes": f.model.classes,
                "features": f.feature_names.len(),
                "threshold": f.threshold,
                "class_bias": f.class_bias,
            })
        };
        let mut models = Vec::new();
        if let Some(m) = &self.incivility {
            models.push(model("incivility", m));
        }
        if let Some(m) = &self.stance {
            models.push(model("stance", m));
        }
        for (m, name) in self.targets.iter().zip(self.target_names()) {
            models.push(model(&name, m));
        }
        serde_json::json!({
            "models": models,
            "side_min_link_confidence": self.stance.as_ref().map(|_| self.sides.least_link_confidence()),
        })
    }
}

/// The scores of one comment; `None` where the comment was not scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentScores {
    /// Incivility: probability, forms, cues.
    pub incivility: Option<IncivilityScore>,
    /// Relation to the parent comment (top level: to the article).
    pub stance: Option<StanceScore>,
    /// Side relative to the article; `None` when the run had no stance model.
    pub side: Option<SideOf>,
    /// Label and probability of each target model, in [`Scorers::targets`] order (empty
    /// when the comment was not scored).
    pub targets: Vec<(String, f64)>,
}

/// The scores of every comment of a discussion, by [`NodeId`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiscussionScores {
    comments: Vec<CommentScores>,
    incivility: bool,
    stance: bool,
    targets: Vec<String>,
}

/// What a top-level comment's stance is read against: the title and the start of the body;
/// `None` when the source gives neither.
pub fn article_target(a: &Article) -> Option<String> {
    let lede: String = a.body.chars().take(ARTICLE_TARGET_CHARS).collect();
    let text = match (&a.title, lede.trim().is_empty()) {
        (Some(t), false) => format!("{t}\n\n{lede}"),
        (Some(t), true) => t.clone(),
        (None, false) => lede,
        (None, true) => return None,
    };
    Some(text)
}

/// Whether a comment gets scores: a reader's comment with some text.
pub fn is_scored(d: &Discussion, id: NodeId) -> bool {
    let c = &d.node(id).comment;
    c.kind == CommentKind::Comment && c.text.chars().any(|ch| ch.is_alphanumeric())
}

impl DiscussionScores {
    /// Scores every comment of `d` with `scorers`.
    pub fn new(d: &Discussion, scorers: &Scorers) -> DiscussionScores {
        let article = article_target(&d.article);
        // A comment's words are split once for all its models, and a reply's target once for
        // all its stance features (the article's once for the discussion). Words are not kept
        // beyond their comment, so memory does not grow with the discussion.
        let article_words = match scorers.stance {
            Some(_) => article.as_deref().map(|t| text::tokens(t, &[])),
            None => None,
        };
        // `target`: what a comment's stance is read against, with its words; `None` when
        // that is a comment without a score (so is its relation).
        let score = |id: NodeId, target: Option<(&str, &[text::Token], Option<&TargetCache>)>| {
            if !is_scored(d, id) {
                return CommentScores::default();
            }
            let c = &d.node(id).comment;
            let words = text::tokens(&c.text, &c.quotes);
            let input = Input {
                text: &c.text,
                quotes: &c.quotes,
                tokens: Some(&words),
                ..Default::default()
            };
            CommentScores {
                incivility: scorers.incivility.as_ref().map(|m| incivility::score_input(m, input)),
                stance: scorers.stance.as_ref().and_then(|m| {
                    let (target, target_words, target_cache) = target?;
                    let input = Input {
                        target: Some(target),
                        target_tokens: Some(target_words),
                        target_cache,
                        ..input
                    };
                    Some(stance::score_input(m, input))
                }),
                side: None,
                targets: scorers
                    .targets
                    .iter()
                    .map(|m| {
                        let p = m.probabilities(input);
                        let best = (0..p.len())
                            .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a)))
                            .unwrap_or(0);
                        (m.classes()[best].clone(), p[best])
                    })
                    .collect(),
            }
        };
        let mut comments: Vec<CommentScores> = vec![CommentScores::default(); d.len()];
        let article_target =
            article.as_deref().zip(article_words.as_deref()).map(|(t, w)| (t, w, None));
        for &r in d.roots() {
            comments[r.index()] = score(r, article_target);
        }
        // Replies by parent: a parent's words, and what the stance model reads of them, are
        // worked out once for all its replies, not once per reply (a long comment with many
        // replies made that O(replies × length), issue #13), and dropped when its replies are
        // scored.
        for i in 0..d.len() {
            let p = NodeId(i as u32);
            let replies = d.children(p);
            if replies.is_empty() {
                continue;
            }
            let parent_words = (scorers.stance.is_some() && is_scored(d, p))
                .then(|| text::tokens(&d.node(p).comment.text, &[]));
            let cache = parent_words.as_deref().zip(scorers.stance.as_ref()).and_then(|(w, m)| {
                // Worth it only for several replies.
                (replies.len() > 1).then(|| m.space().target_cache(w))
            });
            let target = parent_words
                .as_deref()
                .map(|w| (d.node(p).comment.text.as_str(), w, cache.as_ref()));
            for &r in replies {
                comments[r.index()] = score(r, target);
            }
        }
        if scorers.stance.is_some() {
            let sides = scorers.sides.propagate(d, &links(&comments));
            for (c, s) in comments.iter_mut().zip(sides) {
                c.side = Some(s);
            }
        }
        DiscussionScores {
            comments,
            incivility: scorers.incivility.is_some(),
            stance: scorers.stance.is_some(),
            targets: scorers.target_names(),
        }
    }

    /// No scores for any of `d`'s comments (as with [`Scorers::none`]).
    pub fn unscored(d: &Discussion) -> DiscussionScores {
        DiscussionScores {
            comments: vec![CommentScores::default(); d.len()],
            incivility: false,
            stance: false,
            targets: Vec::new(),
        }
    }

    /// The names of the target models that scored the discussion.
    pub fn target_names(&self) -> &[String] {
        &self.targets
    }

    /// Whether a stance model scored the discussion.
    pub fn has_stance(&self) -> bool {
        self.stance
    }

    /// Each comment's relation as a side-propagation link.
    pub fn links(&self) -> Vec<Option<Link>> {
        links(&self.comments)
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

fn links(comments: &[CommentScores]) -> Vec<Option<Link>> {
    comments
        .iter()
        .map(|c| {
            c.stance.as_ref().map(|s| Link { relation: s.relation, confidence: s.confidence() })
        })
        .collect()
}

/// Stance summed up over a set of comments.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct StanceSummary {
    /// Replies (not top-level comments) with a relation to their parent.
    pub replies: usize,
    /// Share of those replies that disagree with their parent; `None` without replies.
    pub disagree_share: Option<f64>,
    /// Share that agree.
    pub agree_share: Option<f64>,
    /// Comments with a side (all scored comments).
    pub sided: usize,
    /// Shares of `sided` with the article, against it, and unclear.
    pub with_article_share: Option<f64>,
    /// Share against the article.
    pub against_article_share: Option<f64>,
    /// Share unclear.
    pub unclear_share: Option<f64>,
    /// Longest run of replies each disagreeing with its parent, down one path.
    pub longest_disagreement_chain: usize,
    /// Mean incivility probability of comments that disagree with their target.
    pub incivility_disagree: Option<f64>,
    /// Mean incivility of comments that are neutral to their target.
    pub incivility_neutral: Option<f64>,
    /// Mean incivility of comments that agree with their target.
    pub incivility_agree: Option<f64>,
}

impl StanceSummary {
    /// Sums up the stance of `nodes` of `d` (a pre-order slice: a discussion or a thread), in
    /// O(`nodes`) time and memory.
    pub fn of(d: &Discussion, scores: &DiscussionScores, nodes: &[NodeId]) -> StanceSummary {
        let mut s = StanceSummary::default();
        let (mut disagree, mut agree) = (0usize, 0usize);
        let mut sides = [0usize; 3];
        let mut inc = [(0.0f64, 0usize); 3];
        for &id in nodes {
            let c = scores.get(id);
            if let Some(st) = &c.stance {
                if d.node(id).parent.is_some() {
                    s.replies += 1;
                    match st.relation {
                        Relation::Disagree => disagree += 1,
                        Relation::Agree => agree += 1,
                        Relation::Neutral => {}
                    }
                }
                if let Some(i) = &c.incivility {
                    let e = &mut inc[st.relation as usize];
                    e.0 += i.probability;
                    e.1 += 1;
                }
            }
            if let (Some(side), Some(_)) = (&c.side, &c.stance) {
                s.sided += 1;
                sides[match side.side {
                    Side::WithArticle => 0,
                    Side::AgainstArticle => 1,
                    Side::Unclear => 2,
                }] += 1;
            }
        }
        let share = |n: usize, of: usize| (of > 0).then(|| n as f64 / of as f64);
        s.disagree_share = share(disagree, s.replies);
        s.agree_share = share(agree, s.replies);
        s.with_article_share = share(sides[0], s.sided);
        s.against_article_share = share(sides[1], s.sided);
        s.unclear_share = share(sides[2], s.sided);
        // Links of `nodes` only: building every comment's link here made a discussion's
        // thread summaries O(threads × comments) (issue #13).
        s.longest_disagreement_chain = side::longest_disagreement_chain_by(d, nodes, |id| {
            scores.get(id).stance.as_ref().is_some_and(|st| st.relation == Relation::Disagree)
        });
        let mean = |(sum, n): (f64, usize)| (n > 0).then(|| sum / n as f64);
        s.incivility_disagree = mean(inc[0]);
        s.incivility_neutral = mean(inc[1]);
        s.incivility_agree = mean(inc[2]);
        s
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
    /// Share of scored comments that are uncivil at each depth the comments reach: index 0
    /// is depth 1 (top level). A depth with no scored comment is `None`; empty when the run
    /// had no incivility model.
    pub uncivil_share_by_depth: Vec<Option<f64>>,
}

impl ScoreSummary {
    /// Sums up the scores of `nodes` of `d`, in O(`nodes`) time and memory.
    pub fn of(d: &Discussion, scores: &DiscussionScores, nodes: &[NodeId]) -> ScoreSummary {
        let mut s = ScoreSummary::default();
        let mut sum = 0.0;
        // (scored, uncivil) per depth.
        let mut by_depth: Vec<(usize, usize)> = Vec::new();
        for &id in nodes {
            let depth = d.node(id).depth.max(1) as usize;
            // One item per depth the comments reach, scored or not (NaN in the tables when
            // none at that depth was scored).
            if by_depth.len() < depth && scores.has_incivility() {
                by_depth.resize(depth, (0, 0));
            }
            let Some(inc) = &scores.get(id).incivility else { continue };
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
    fn by_depth_has_an_item_per_depth_even_when_nothing_there_was_scored() {
        use crate::model::{Document, RawComment};
        // Regression (issue #6 notebooks): a discussion whose comments were all pingbacks or
        // empty gave `[]` while another gave `[NaN, 0.0]`.
        let c = |id: &str, parent: Option<&str>, text: &str| RawComment {
            id: id.into(),
            parent_id: parent.map(Into::into),
            text: text.into(),
            ..Default::default()
        };
        let doc = Document {
            comments: vec![c("a", None, ""), c("b", Some("a"), "A fair point, thanks")],
            ..Default::default()
        };
        let d = Discussion::build(doc);
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        let sum = ScoreSummary::of(&d, &s, d.preorder());
        assert_eq!(sum.uncivil_share_by_depth.len(), 2);
        assert_eq!(sum.uncivil_share_by_depth[0], None);
        let none = DiscussionScores::unscored(&d);
        assert!(ScoreSummary::of(&d, &none, d.preorder()).uncivil_share_by_depth.is_empty());
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
