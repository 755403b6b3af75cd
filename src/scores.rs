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
use rayon::iter::{IntoParallelRefIterator, ParallelBridge, ParallelIterator};

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
    /// Incivility models for other languages than `incivility`'s, each scoring the comments
    /// of its language ([`FittedScorer::language`]).
    pub incivility_languages: Vec<FittedScorer>,
}

impl Scorers {
    /// The models shipped in `models/` (compiled into the binary).
    pub fn shipped() -> Scorers {
        // Loading (parsing the JSON, building the lexicons' automata) is most of a small run's
        // time and each model's is independent: one thread each (#17).
        std::thread::scope(|s| {
            let stance = s.spawn(stance::shipped_model);
            let de = s.spawn(incivility::shipped_model_de);
            let en = incivility::shipped_model();
            let join = |h: std::thread::ScopedJoinHandle<'_, FittedScorer>| {
                h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            };
            Scorers {
                incivility: Some(en),
                stance: Some(join(stance)),
                sides: SideParams::default(),
                targets: Vec::new(),
                incivility_languages: vec![join(de)],
            }
        })
    }

    /// The incivility model for comments in `language` (ISO 639-1; `None` when it cannot be
    /// told: the main model); `Err` when the run has incivility models but none for it.
    pub fn incivility_for(
        &self,
        language: Option<&str>,
    ) -> Result<Option<&FittedScorer>, ScoreStatus> {
        let Some(main) = &self.incivility else { return Ok(None) };
        match language {
            None => Ok(Some(main)),
            Some(l) if l == main.language() => Ok(Some(main)),
            Some(l) => self
                .incivility_languages
                .iter()
                .find(|m| m.language() == l)
                .map(Some)
                .ok_or(ScoreStatus::UnsupportedLanguage),
        }
    }

    /// Incivility of one text, without a discussion (`threadlens score`, Python's `score`):
    /// by the model of `language` when given (ISO 639-1), else of the language detected
    /// (the main model when it cannot be told). Text of only white space is `NoText`; a
    /// language no model covers is `UnsupportedLanguage`.
    pub fn score_text(&self, text: &str, language: Option<&str>) -> TextScore {
        let detected = match language {
            Some(l) => crate::language::iso639_1_static(l),
            None => crate::language::detect(text),
        };
        if text.trim().is_empty() {
            return TextScore { language: detected, status: ScoreStatus::NoText, incivility: None };
        }
        let read_as = language.or(detected);
        match self.incivility_for(read_as) {
            Ok(Some(m)) => {
                let quotes = crate::parse::clean::gt_quotes(text);
                TextScore {
                    language: detected,
                    status: ScoreStatus::Scored,
                    incivility: Some(incivility::score(m, text, &quotes)),
                }
            }
            Ok(None) => {
                TextScore { language: detected, status: ScoreStatus::NoModel, incivility: None }
            }
            Err(why) => TextScore { language: detected, status: why, incivility: None },
        }
    }

    /// The languages (ISO 639-1) the run's incivility models cover, the main model's first.
    pub fn incivility_languages(&self) -> Vec<&str> {
        let main = self.incivility.iter().map(|m| m.language());
        main.chain(self.incivility_languages.iter().map(|m| m.language())).collect()
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
                "language": m.language(),
            })
        };
        let mut models = Vec::new();
        if let Some(m) = &self.incivility {
            models.push(model("incivility", m));
        }
        for m in &self.incivility_languages {
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

/// A text scored on its own, without a discussion ([`Scorers::score_text`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TextScore {
    /// The text's language: as given, or detected ([`crate::language::detect`]).
    pub language: Option<&'static str>,
    /// Why `incivility` is there or is not.
    pub status: ScoreStatus,
    /// Incivility, by the model of the text's language.
    pub incivility: Option<IncivilityScore>,
}

/// Why a comment has a score or has none (the `score_status` and `stance_status` columns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ScoreStatus {
    /// Scored.
    Scored,
    /// No text to read: deleted, removed or empty.
    NoText,
    /// A pingback or trackback, not a reader's comment.
    NotAComment,
    /// In a language no model of the run covers (see [`CommentScores::language`]).
    UnsupportedLanguage,
    /// The run has no such model.
    #[default]
    NoModel,
    /// Stance only: nothing to read it against (the parent has no text, the article none).
    NoTarget,
}

impl ScoreStatus {
    /// Every status, in the order the schema lists them.
    pub const ALL: [ScoreStatus; 6] = [
        ScoreStatus::Scored,
        ScoreStatus::NoText,
        ScoreStatus::NotAComment,
        ScoreStatus::UnsupportedLanguage,
        ScoreStatus::NoModel,
        ScoreStatus::NoTarget,
    ];

    /// The name in the tables: `scored`, `no_text`, `not_a_comment`, `unsupported_language`,
    /// `no_model`, `no_target`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreStatus::Scored => "scored",
            ScoreStatus::NoText => "no_text",
            ScoreStatus::NotAComment => "not_a_comment",
            ScoreStatus::UnsupportedLanguage => "unsupported_language",
            ScoreStatus::NoModel => "no_model",
            ScoreStatus::NoTarget => "no_target",
        }
    }
}

/// The scores of one comment; `None` where the comment was not scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentScores {
    /// The comment's language (ISO 639-1) when it can be told ([`crate::language::detect`]).
    pub language: Option<&'static str>,
    /// Why `incivility` is there or is not.
    pub status: ScoreStatus,
    /// Why `stance` is there or is not.
    pub stance_status: ScoreStatus,
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
    language: Option<&'static str>,
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

/// Whether a comment gets scores: a reader's comment with some text (punctuation and emoji
/// count: the model has a view of "!!!!" too).
pub fn is_scored(d: &Discussion, id: NodeId) -> bool {
    text_status(d, id) == ScoreStatus::Scored
}

/// `NotAComment` for pingbacks and trackbacks, `NoText` for comments without text, else
/// `Scored`.
fn text_status(d: &Discussion, id: NodeId) -> ScoreStatus {
    let c = &d.node(id).comment;
    if c.kind != CommentKind::Comment {
        ScoreStatus::NotAComment
    } else if c.text.trim().is_empty() {
        ScoreStatus::NoText
    } else {
        ScoreStatus::Scored
    }
}

/// Comments from which a discussion analysed on a pool of threads is scored by all of them.
const PARALLEL_COMMENTS: usize = 1_000;

/// Most comments in one group of comments scored together (one thread's unit of work).
const PARALLEL_GROUP: usize = 64;

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
        // Each comment's language, and the discussion's for those that cannot be told.
        // A large discussion is read by every thread of the pool it is analysed on (none when
        // it is analysed outside a pool: `--threads 1` stays on one thread).
        let parallel = d.len() >= PARALLEL_COMMENTS && rayon::current_thread_index().is_some();
        let detect = |n: &crate::thread::Node| crate::language::detect(&n.comment.text);
        let languages: Vec<Option<&'static str>> =
            match scorers.incivility.is_some() || scorers.stance.is_some() {
                true if parallel => d.nodes().par_iter().map(detect).collect(),
                true => d.nodes().iter().map(detect).collect(),
                false => vec![None; d.len()],
            };
        let language = crate::language::discussion_language(d, &languages);
        if scorers.incivility.is_none() && scorers.stance.is_none() && scorers.targets.is_empty() {
            // Nothing to score (`--no-scores`): no comment's words are read.
            let none = CommentScores {
                status: ScoreStatus::NoModel,
                stance_status: ScoreStatus::NoModel,
                ..CommentScores::default()
            };
            return DiscussionScores {
                comments: vec![none; d.len()],
                language,
                incivility: false,
                stance: false,
                targets: Vec::new(),
            };
        }
        let score = |id: NodeId, target: Option<(&str, &[text::Token], Option<&TargetCache>)>| {
            let status = text_status(d, id);
            if status != ScoreStatus::Scored {
                return CommentScores {
                    language: languages[id.index()],
                    status: if scorers.incivility.is_some() {
                        status
                    } else {
                        ScoreStatus::NoModel
                    },
                    stance_status: if scorers.stance.is_some() {
                        status
                    } else {
                        ScoreStatus::NoModel
                    },
                    ..CommentScores::default()
                };
            }
            let read_as = languages[id.index()].or(language);
            let c = &d.node(id).comment;
            let words = text::tokens(&c.text, &c.quotes);
            let input = Input {
                text: &c.text,
                quotes: &c.quotes,
                tokens: Some(&words),
                ..Default::default()
            };
            let (incivility, status) = match scorers.incivility_for(read_as) {
                Ok(Some(m)) => (Some(incivility::score_input(m, input)), ScoreStatus::Scored),
                Ok(None) => (None, ScoreStatus::NoModel),
                Err(why) => (None, why),
            };
            let stance_status = match (&scorers.stance, target) {
                (None, _) => ScoreStatus::NoModel,
                (Some(m), _) if read_as.is_some_and(|l| l != m.language()) => {
                    ScoreStatus::UnsupportedLanguage
                }
                (Some(_), None) => ScoreStatus::NoTarget,
                (Some(_), Some(_)) => ScoreStatus::Scored,
            };
            CommentScores {
                language: languages[id.index()],
                status,
                stance_status,
                incivility,
                stance: scorers.stance.as_ref().and_then(|m| {
                    if stance_status != ScoreStatus::Scored {
                        return None;
                    }
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
        // Comments go in groups read against the same target: the top-level comments (the
        // article), then each comment's replies (their parent), in runs of at most
        // `PARALLEL_GROUP`. A parent's words, and what the stance model reads of them, are
        // worked out once for its group, not once per reply (a long comment with many replies
        // made that O(replies × length), issue #13), and dropped when the group is scored.
        let groups = d.roots().chunks(PARALLEL_GROUP).map(|g| (None, g)).chain(
            (0..d.len() as u32)
                .map(NodeId)
                .flat_map(|p| d.children(p).chunks(PARALLEL_GROUP).map(move |g| (Some(p), g))),
        );
        let score_group = |(parent, replies): (Option<NodeId>, &[NodeId]),
                           put: &mut dyn FnMut(NodeId, CommentScores)| {
            let Some(p) = parent else {
                replies.iter().for_each(|&r| put(r, score(r, article_target)));
                return;
            };
            let parent_words = (scorers.stance.is_some() && is_scored(d, p))
                .then(|| text::tokens(&d.node(p).comment.text, &[]));
            let cache = parent_words.as_deref().zip(scorers.stance.as_ref()).and_then(|(w, m)| {
                // Worth it only for several replies.
                (d.children(p).len() > 1).then(|| m.space().target_cache(w))
            });
            let target = parent_words
                .as_deref()
                .map(|w| (d.node(p).comment.text.as_str(), w, cache.as_ref()));
            replies.iter().for_each(|&r| put(r, score(r, target)));
        };
        if parallel {
            let out = std::sync::Mutex::new(comments);
            groups.par_bridge().for_each(|g| {
                let mut done = Vec::with_capacity(g.1.len());
                score_group(g, &mut |r, s| done.push((r, s)));
                let mut out = out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                done.into_iter().for_each(|(r, s)| out[r.index()] = s);
            });
            comments = out.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        } else {
            groups.for_each(|g| score_group(g, &mut |r, s| comments[r.index()] = s));
        }
        if scorers.stance.is_some() {
            let sides = scorers.sides.propagate(d, &links(&comments));
            for (c, s) in comments.iter_mut().zip(sides) {
                c.side = Some(s);
            }
        }
        DiscussionScores {
            comments,
            language,
            incivility: scorers.incivility.is_some(),
            stance: scorers.stance.is_some(),
            targets: scorers.target_names(),
        }
    }

    /// No scores for any of `d`'s comments (as with [`Scorers::none`]).
    pub fn unscored(d: &Discussion) -> DiscussionScores {
        DiscussionScores {
            comments: vec![CommentScores::default(); d.len()],
            language: None,
            incivility: false,
            stance: false,
            targets: Vec::new(),
        }
    }

    /// The discussion's language ([`crate::language::discussion_language`]); `None` when it
    /// cannot be told or the run scored nothing.
    pub fn language(&self) -> Option<&'static str> {
        self.language
    }

    /// Comments not scored for incivility because no model of the run covers their language,
    /// by that language (the comment's, or the discussion's when the comment's cannot be
    /// told), in code order.
    pub fn unsupported_languages(&self) -> Vec<(&'static str, usize)> {
        let mut by: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for c in &self.comments {
            if c.status == ScoreStatus::UnsupportedLanguage {
                *by.entry(c.language.or(self.language).unwrap_or("und")).or_default() += 1;
            }
        }
        by.into_iter().collect()
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
    fn a_large_discussion_scored_by_a_pool_is_scored_as_on_one_thread() {
        // Enough comments for the parallel path, with top-level comments, long runs of replies
        // to one parent (several groups), chains, German, empty and uncivil texts.
        let texts = [
            "You are an idiot and everybody knows it.",
            "I agree, the figures are right.",
            "Das ist eine Lüge, du Trottel.",
            "",
            "No, that is simply wrong: read the report.",
            "!!!!",
        ];
        let mut jsonl = String::new();
        for i in 0..(PARALLEL_COMMENTS + 500) {
            let parent = match i % 10 {
                0 => None,
                1..=4 => Some(1),
                _ => Some(i * 7919 % i.max(1)),
            };
            let row = serde_json::json!({
                "id": i.to_string(),
                "parent_id": parent.map(|p: usize| p.to_string()),
                "text": format!("{} {}", texts[i % texts.len()], i % 13),
            });
            jsonl.push_str(&format!("{row}\n"));
        }
        let doc =
            parse::parse_bytes(jsonl.as_bytes(), "t.jsonl", &Default::default()).unwrap().remove(0);
        let d = Discussion::build(doc);
        assert!(d.len() >= PARALLEL_COMMENTS && d.children(NodeId(1)).len() > PARALLEL_GROUP);
        let scorers = Scorers::shipped();
        let one = DiscussionScores::new(&d, &scorers);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let pooled = pool.install(|| DiscussionScores::new(&d, &scorers));
        assert!(one.comments().iter().filter(|c| c.status == ScoreStatus::Scored).count() > 1_000);
        assert!(one.comments().iter().any(|c| c.stance.is_some()));
        assert!(one == pooled, "the same scores, comment by comment");
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
    fn punctuation_and_emoji_are_scored_empty_text_is_not() {
        let d = discussion(
            "H\n\nThe article says the figures are wrong.\nShow Comments\n  1. !!!!\n  2. ???\n  3. 👍👍\n",
        );
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        for &n in d.preorder() {
            let c = s.get(n);
            assert_eq!(c.status, ScoreStatus::Scored, "{:?}", d.node(n).comment.text);
            let p = c.incivility.as_ref().expect("a probability").probability;
            assert!((0.0..=1.0).contains(&p));
            assert_eq!(c.language, None, "too short to tell");
        }
        // No model: the reason says so.
        let s = DiscussionScores::new(&d, &Scorers::none());
        assert!(
            s.comments().iter().all(
                |c| c.status == ScoreStatus::NoModel && c.stance_status == ScoreStatus::NoModel
            )
        );
    }

    #[test]
    fn a_language_without_a_model_is_not_scored_and_says_why() {
        let en = "I think the figures in this article are simply wrong, and the author knows it.";
        let fr = "Je pense que les chiffres de cet article sont tout simplement faux, et l'auteur le sait.";
        let d = discussion(&format!(
            "H\n\nThe government published new figures today.\nShow Comments\n  1. {en}\n    1. {fr}\n    2. Ok\n"
        ));
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        assert_eq!(s.language(), Some("en"));
        let [a, b, c] = [d.find("1").unwrap(), d.find("1.1").unwrap(), d.find("1.2").unwrap()];
        assert_eq!((s.get(a).language, s.get(a).status), (Some("en"), ScoreStatus::Scored));
        let f = s.get(b);
        assert_eq!(f.language, Some("fr"));
        assert_eq!(
            (f.status, f.stance_status),
            (ScoreStatus::UnsupportedLanguage, ScoreStatus::UnsupportedLanguage)
        );
        assert!(f.incivility.is_none() && f.stance.is_none());
        // Too short to tell: read as the discussion's language.
        assert_eq!((s.get(c).language, s.get(c).status), (None, ScoreStatus::Scored));
        assert_eq!(s.unsupported_languages(), [("fr", 1)]);
        // Without the model for it a discussion in French is not scored, short comments too.
        let d = discussion(&format!(
            "Les chiffres\n\nLe gouvernement a publié aujourd'hui de nouveaux chiffres sur le chômage.\nShow Comments\n  1. {fr}\n    1. Ok\n"
        ));
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        assert_eq!(s.language(), Some("fr"));
        assert!(s.comments().iter().all(|c| c.status == ScoreStatus::UnsupportedLanguage));
        assert_eq!(s.unsupported_languages(), [("fr", 2)]);
    }

    #[test]
    fn german_comments_are_scored_by_the_german_model() {
        let de = "Was für ein Vollidiot, der Typ lügt doch, sobald er den Mund aufmacht.";
        let d = discussion(&format!(
            "Die Zahlen\n\nDie Bundesregierung hat heute neue Zahlen zur Arbeitslosigkeit vorgelegt.\nShow Comments\n  1. {de}\n    1. Genau!\n"
        ));
        let scorers = Scorers::shipped();
        assert_eq!(scorers.incivility_languages(), ["en", "de"]);
        let s = DiscussionScores::new(&d, &scorers);
        assert_eq!(s.language(), Some("de"));
        let german = incivility::shipped_model_de();
        let english = incivility::shipped_model();
        for &n in d.preorder() {
            let c = s.get(n);
            let text = &d.node(n).comment.text;
            assert_eq!(c.status, ScoreStatus::Scored, "{text}");
            // No German stance model: the reason says so.
            assert_eq!(c.stance_status, ScoreStatus::UnsupportedLanguage, "{text}");
            assert!(c.stance.is_none());
            let p = c.incivility.as_ref().unwrap().probability;
            assert_eq!(p, incivility::score(&german, text, &[]).probability, "{text}");
            assert_ne!(p, incivility::score(&english, text, &[]).probability, "{text}");
        }
        assert_eq!(s.get(d.find("1").unwrap()).language, Some("de"));
        // "Genau!" is too short to tell: read as the discussion's German.
        assert_eq!(s.get(d.find("1.1").unwrap()).language, None);
        assert!(s.unsupported_languages().is_empty());
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
                c("a", "  \n ", CommentKind::Comment),
                c("b", "You prick, linking here", CommentKind::Pingback),
                c("c", "Fine words", CommentKind::Comment),
                // Punctuation is text: the model has a view of it (issue #16).
                c("d", "  … ", CommentKind::Comment),
            ],
            ..Default::default()
        };
        let d = Discussion::build(doc);
        let s = DiscussionScores::new(&d, &Scorers::shipped());
        let scored: Vec<bool> = (0..4).map(|i| s.get(NodeId(i)).incivility.is_some()).collect();
        assert_eq!(scored, [false, false, true, true]);
        let why: Vec<&str> = (0..4).map(|i| s.get(NodeId(i)).status.as_str()).collect();
        assert_eq!(why, ["no_text", "not_a_comment", "scored", "scored"]);
    }
}
