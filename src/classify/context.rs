//! Stance across topics and from the reply tree (#16).
//!
//! - [`leave_topic_out`]: the stance recipe refitted once per topic (a DEBAGREEMENT subreddit,
//!   or a whole dataset without topics, such as the mask-mandate pairs), each time on every
//!   other topic, and the left-out topic's pairs scored: how the model does on a topic it has
//!   never seen (`threadlens evaluate --leave-topic-out`).
//! - [`context_features`] and [`second_stage`]: a small second-stage model over the first
//!   stage's probabilities and what the reply tree tells about a pair (siblings replying to
//!   the same parent, the same author's other replies in the thread, incivility, quoting),
//!   for the ablation in `examples/stance_context.rs` (models/stance.md).

use super::data::{self, Dataset, Example};
use super::linear::{FitError, LinearModel, dense};
use super::train::{self, Rows, TrainError, TrainParams};
use super::{FittedScorer, ModelError};

/// Every row's topic (datasets concatenated in order) as an index into the topic names, which
/// are in order of first appearance.
pub fn topics(datasets: &[Dataset]) -> (Vec<String>, Vec<usize>) {
    let mut names: Vec<String> = Vec::new();
    let mut of_row = Vec::new();
    for ds in datasets {
        for ex in &ds.examples {
            let t = data::topic_of(&ds.name, ex);
            let i = match names.iter().position(|n| *n == t) {
                Some(i) => i,
                None => {
                    names.push(t);
                    names.len() - 1
                }
            };
            of_row.push(i);
        }
    }
    (names, of_row)
}

/// Why leave-one-topic-out validation failed.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    /// Fewer than two topics.
    #[error("leaving a topic out needs at least two topics; the data has {0}")]
    TooFewTopics(usize),
    /// A fit failed.
    #[error("the model without topic `{topic}` could not be fitted: {source}")]
    Train {
        /// The topic left out.
        topic: String,
        /// Why.
        source: TrainError,
    },
    /// A fitted model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What [`leave_topic_out`] predicts.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicPredictions {
    /// The topics, in order of first appearance.
    pub names: Vec<String>,
    /// Each row's topic (datasets concatenated in order), an index into `names`.
    pub of_row: Vec<usize>,
    /// Each row's class probabilities from the model fitted without its topic.
    pub probs: Vec<Vec<f64>>,
    /// Each topic's model's decision threshold (binary models; 0.5 otherwise).
    pub thresholds: Vec<f64>,
}

/// Out-of-topic predictions: for every row (datasets concatenated in order), the class
/// probabilities of the recipe `params` fitted on the rows of every other topic (15% of them
/// calibrating, by the split rule). `log` hears which topic is being fitted.
pub fn leave_topic_out(
    datasets: &[Dataset],
    params: &TrainParams,
    mut log: impl FnMut(&str),
) -> Result<TopicPredictions, TopicError> {
    let (names, of_row) = topics(datasets);
    if names.len() < 2 {
        return Err(TopicError::TooFewTopics(names.len()));
    }
    let rows: Vec<&Example> = datasets.iter().flat_map(|d| &d.examples).collect();
    let mut probs = vec![Vec::new(); rows.len()];
    let mut thresholds = Vec::new();
    for (t, name) in names.iter().enumerate() {
        log(&format!("leaving out {name} ({}/{})", t + 1, names.len()));
        let file = train::train(datasets, params, Rows::Folds { folds: &of_row, fold: t }, |_| {})
            .map_err(|source| TopicError::Train { topic: name.clone(), source })?;
        let m = FittedScorer::new(file, "topic model")?;
        thresholds.push(m.threshold());
        for (i, e) in rows.iter().enumerate() {
            if of_row[i] == t {
                probs[i] = m.probabilities(e.input());
            }
        }
    }
    Ok(TopicPredictions { names, of_row, probs, thresholds })
}

/// The groups of second-stage features, each of which the ablation adds or leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Pairs replying to the same parent: how many, and their mean first-stage
    /// probabilities of disagree and agree.
    Siblings,
    /// The same reply author's other replies in the thread: how many, their mean first-stage
    /// probabilities, whether the author replies to themself, whether the parent's author
    /// replies elsewhere in the thread to the reply's author.
    Author,
    /// The shipped incivility model's probabilities of the reply and of the parent.
    Incivility,
    /// A `>` quote in the reply, the share of the reply's words found in the parent and of
    /// the parent's words found in the reply.
    Quoting,
}

impl Group {
    /// Every group, in the order of the feature vector.
    pub const ALL: [Group; 4] = [Group::Siblings, Group::Author, Group::Incivility, Group::Quoting];

    /// Its name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Group::Siblings => "siblings",
            Group::Author => "author",
            Group::Incivility => "incivility",
            Group::Quoting => "quoting",
        }
    }

    /// How many features it adds.
    pub fn width(self) -> usize {
        match self {
            Group::Siblings => 4,
            Group::Author => 6,
            Group::Incivility => 2,
            Group::Quoting => 3,
        }
    }
}

/// The first-stage features every second stage uses: the log-probabilities of the classes.
pub const BASE: usize = 3;

/// The second-stage features of every row (datasets concatenated in order): the
/// log-probabilities of `first` (the first stage's probabilities of each row), then each
/// group of [`Group::ALL`]. Tree features are zero for rows without a [`data::ThreadInfo`];
/// `incivility` scores replies and parents.
pub fn context_features(
    datasets: &[Dataset],
    first: &[Vec<f64>],
    incivility: &FittedScorer,
) -> Vec<Vec<f64>> {
    use std::collections::HashMap;
    let rows: Vec<&Example> = datasets.iter().flat_map(|d| &d.examples).collect();
    assert_eq!(rows.len(), first.len(), "one first-stage prediction per row");
    let thread = |i: usize| rows[i].thread.as_deref();
    let mut by_parent: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut by_author: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for i in 0..rows.len() {
        if let Some(t) = thread(i) {
            by_parent.entry((&t.submission, &t.parent_id)).or_default().push(i);
            if !is_anonymous(&t.child_author) {
                by_author.entry((&t.submission, &t.child_author)).or_default().push(i);
            }
        }
    }
    let mean = |others: &[usize], c: usize| {
        if others.is_empty() {
            0.0
        } else {
            others.iter().map(|&j| first[j][c]).sum::<f64>() / others.len() as f64
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, e) in rows.iter().enumerate() {
        let mut f: Vec<f64> = first[i].iter().map(|p| p.max(1e-6).ln()).collect();
        // Siblings.
        let sib: Vec<usize> = thread(i)
            .and_then(|t| by_parent.get(&(t.submission.as_str(), t.parent_id.as_str())))
            .map(|v| v.iter().copied().filter(|&j| j != i).collect())
            .unwrap_or_default();
        f.extend([
            f64::from(u8::from(!sib.is_empty())),
            (sib.len() as f64).ln_1p(),
            mean(&sib, 0),
            mean(&sib, 2),
        ]);
        // The author's other replies.
        let own: Vec<usize> = thread(i)
            .and_then(|t| by_author.get(&(t.submission.as_str(), t.child_author.as_str())))
            .map(|v| v.iter().copied().filter(|&j| j != i).collect())
            .unwrap_or_default();
        let (self_reply, answered) = match thread(i) {
            Some(t) if !is_anonymous(&t.child_author) => {
                let back = by_author
                    .get(&(t.submission.as_str(), t.parent_author.as_str()))
                    .is_some_and(|v| {
                        v.iter()
                            .any(|&j| thread(j).is_some_and(|u| u.parent_author == t.child_author))
                    });
                (t.child_author == t.parent_author, back)
            }
            _ => (false, false),
        };
        f.extend([
            f64::from(u8::from(!own.is_empty())),
            (own.len() as f64).ln_1p(),
            mean(&own, 0),
            mean(&own, 2),
            f64::from(u8::from(self_reply)),
            f64::from(u8::from(answered)),
        ]);
        // Incivility of the reply and of the parent.
        let target = e.target.as_deref().unwrap_or("");
        let parent_quotes = crate::parse::clean::gt_quotes(target);
        f.extend([
            incivility.positive(super::features::Input {
                text: &e.text,
                quotes: &e.quotes,
                ..Default::default()
            }),
            incivility.positive(super::features::Input {
                text: target,
                quotes: &parent_quotes,
                ..Default::default()
            }),
        ]);
        // Quoting and repeated words.
        let reply = words(&e.text);
        let parent = words(target);
        let share = |a: &std::collections::HashSet<String>,
                     b: &std::collections::HashSet<String>| {
            if a.is_empty() { 0.0 } else { a.intersection(b).count() as f64 / a.len() as f64 }
        };
        f.extend([
            f64::from(u8::from(!e.quotes.is_empty())),
            share(&reply, &parent),
            share(&parent, &reply),
        ]);
        debug_assert_eq!(f.len(), BASE + Group::ALL.iter().map(|g| g.width()).sum::<usize>());
        out.push(f);
    }
    out
}

/// Reddit's placeholders for deleted accounts: never the same person.
fn is_anonymous(author: &str) -> bool {
    author.is_empty() || author == "[deleted]" || author == "[removed]"
}

/// Lower-cased words of three letters or more.
fn words(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// The columns of [`context_features`] that a second stage with `groups` uses.
pub fn columns(groups: &[Group]) -> Vec<usize> {
    let mut cols: Vec<usize> = (0..BASE).collect();
    let mut start = BASE;
    for g in Group::ALL {
        if groups.contains(&g) {
            cols.extend(start..start + g.width());
        }
        start += g.width();
    }
    cols
}

/// A fitted second stage: a multinomial logistic regression over some columns of
/// [`context_features`], with class offsets tuned for macro-F1 on its training rows.
#[derive(Clone, Debug)]
pub struct SecondStage {
    /// The columns used.
    pub columns: Vec<usize>,
    /// The model.
    pub model: LinearModel,
    /// Offsets added to the logits.
    pub bias: Vec<f64>,
}

/// The L2 penalty of the second stage (summed loss over some thousand rows: light).
pub const SECOND_STAGE_ALPHA: f64 = 1.0;

impl SecondStage {
    /// Fits on `features` (rows of [`context_features`]) and class `labels`, using the
    /// columns of `groups`.
    pub fn fit(
        features: &[&[f64]],
        labels: &[usize],
        classes: &[String],
        groups: &[Group],
    ) -> Result<SecondStage, FitError> {
        let columns = columns(groups);
        let xs: Vec<super::features::SparseVec> =
            features.iter().map(|f| sparse(f, &columns)).collect();
        let x = dense(&xs, columns.len());
        let (model, _) = LinearModel::fit_multi(x, labels, classes, SECOND_STAGE_ALPHA, 300)?;
        let logits: Vec<Vec<f64>> = xs.iter().map(|v| model.logits(v)).collect();
        let bias = train::tune_class_bias(&logits, labels, classes.len());
        Ok(SecondStage { columns, model, bias })
    }

    /// The predicted class of a row of [`context_features`].
    pub fn predict(&self, features: &[f64]) -> usize {
        let z = self.model.logits(&sparse(features, &self.columns));
        (0..z.len())
            .max_by(|&a, &b| {
                (z[a] + self.bias[a]).total_cmp(&(z[b] + self.bias[b])).then(b.cmp(&a))
            })
            .unwrap_or(0)
    }
}

fn sparse(features: &[f64], columns: &[usize]) -> super::features::SparseVec {
    let mut v = super::features::SparseVec::default();
    for (i, &c) in columns.iter().enumerate() {
        if features[c] != 0.0 {
            v.indices.push(i as u32);
            v.values.push(features[c]);
        }
    }
    v
}

/// Leave-one-topic-out macro-F1 of a second stage with `groups`: for each topic, the second
/// stage is fitted on the rows of every other topic and predicts the topic's rows. Returns the
/// predictions of every row.
pub fn second_stage(
    features: &[Vec<f64>],
    labels: &[usize],
    of_row: &[usize],
    n_topics: usize,
    classes: &[String],
    groups: &[Group],
) -> Result<Vec<usize>, FitError> {
    let mut pred = vec![0; labels.len()];
    for t in 0..n_topics {
        let train: Vec<usize> = (0..labels.len()).filter(|&i| of_row[i] != t).collect();
        let x: Vec<&[f64]> = train.iter().map(|&i| features[i].as_slice()).collect();
        let y: Vec<usize> = train.iter().map(|&i| labels[i]).collect();
        let stage = SecondStage::fit(&x, &y, classes, groups)?;
        for i in (0..labels.len()).filter(|&i| of_row[i] == t) {
            pred[i] = stage.predict(&features[i]);
        }
    }
    Ok(pred)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::data::ThreadInfo;

    fn pair(topic: &str, parent: &str, author: &str, text: &str, label: usize) -> Example {
        Example {
            quotes: crate::parse::clean::gt_quotes(text),
            text: text.into(),
            target: Some("the parent says something".into()),
            label,
            group: format!("submission:{topic}"),
            thread: Some(Box::new(ThreadInfo {
                topic: topic.into(),
                submission: format!("s-{topic}"),
                parent_id: parent.into(),
                child_id: format!("{parent}-{text}"),
                parent_author: "p".into(),
                child_author: author.into(),
                time: 0,
            })),
            ..Default::default()
        }
    }

    fn ds(name: &str, examples: Vec<Example>) -> Dataset {
        Dataset {
            name: name.into(),
            path: "x.csv".into(),
            labels: String::new(),
            classes: data::default_classes(super::super::Task::Stance),
            examples,
        }
    }

    #[test]
    fn topics_are_subreddits_or_datasets() {
        let a = ds(
            "debagreement",
            vec![pair("Brexit", "a", "u", "x", 0), pair("climate", "b", "u", "y", 1)],
        );
        let b = ds("masks", vec![Example { text: "z".into(), ..Default::default() }]);
        let (names, of_row) = topics(&[a, b]);
        assert_eq!(names, ["debagreement r/Brexit", "debagreement r/climate", "masks"]);
        assert_eq!(of_row, [0, 1, 2]);
        assert!(matches!(
            leave_topic_out(
                &[ds("one", vec![])],
                &TrainParams::stance(super::super::Task::Stance, vec![]),
                |_| {}
            ),
            Err(TopicError::TooFewTopics(0))
        ));
    }

    #[test]
    fn each_topic_is_scored_by_a_model_that_never_saw_it() {
        let replies =
            [(0, "no you are wrong"), (1, "what about tuesday"), (2, "yes exactly agreed")];
        let mut a = Vec::new();
        let mut b = Vec::new();
        for i in 0..90 {
            let (label, text) = replies[i % 3];
            a.push(pair("one", &format!("p{i}"), "u", &format!("{text} {i}"), label));
            b.push(pair("two", &format!("q{i}"), "v", &format!("{text} {i}"), label));
        }
        // A row only topic "two" has: the model without "two" cannot have learnt its word.
        b.push(pair("two", "z", "w", "zyzzyva", 2));
        let d = ds("debagreement", [a, b].concat());
        let mut params = TrainParams::stance(
            super::super::Task::Stance,
            data::default_classes(super::super::Task::Stance),
        );
        params.word_features = 50;
        params.char_features = 50;
        params.start_features = 20;
        let t = leave_topic_out(std::slice::from_ref(&d), &params, |_| {}).unwrap();
        assert_eq!(t.names, ["debagreement r/one", "debagreement r/two"]);
        assert_eq!(t.probs.len(), 181);
        let right = t
            .probs
            .iter()
            .zip(&d.examples)
            .filter(|(p, e)| p[e.label] == p.iter().copied().fold(0.0, f64::max))
            .count();
        assert!(right > 150, "{right} of 181 right");
        // Scored by the model without topic "two", whose training rows were all topic "one".
        let full = train::train(std::slice::from_ref(&d), &params, Rows::All, |_| {}).unwrap();
        let full = FittedScorer::new(full, "all").unwrap();
        assert_ne!(full.probabilities(d.examples[180].input()), t.probs[180]);
    }

    #[test]
    fn tree_features_see_siblings_and_the_authors_other_replies() {
        let d = ds(
            "debagreement",
            vec![
                pair("t", "p1", "ann", "no you are wrong", 0),
                pair("t", "p1", "bob", "yes exactly right", 2),
                pair("t", "p2", "ann", "wrong again", 0),
                pair("t", "p3", "cat", "> the parent says something\nwell", 1),
            ],
        );
        let first = vec![
            vec![0.8, 0.1, 0.1],
            vec![0.1, 0.1, 0.8],
            vec![0.6, 0.2, 0.2],
            vec![0.3, 0.4, 0.3],
        ];
        let inc = crate::classify::incivility::shipped_model();
        let f = context_features(std::slice::from_ref(&d), &first, &inc);
        let (sib, own) = (BASE, BASE + Group::Siblings.width());
        // Row 0: one sibling (bob, agreeing); one other reply by ann (disagreeing).
        assert_eq!(&f[0][sib..sib + 4], &[1.0, 2f64.ln(), 0.1, 0.8]);
        assert_eq!(&f[0][own..own + 4], &[1.0, 2f64.ln(), 0.6, 0.2]);
        // Row 3: alone, and quoting its parent.
        assert_eq!(&f[3][sib..sib + 4], &[0.0; 4]);
        assert_eq!(&f[3][own..own + 4], &[0.0; 4]);
        let q = f[3].len() - 3;
        assert_eq!(f[3][q], 1.0);
        assert!(f[3][q + 2] > 0.9, "{:?}", &f[3][q..]);
        assert_eq!(f[0][q], 0.0);
        assert_eq!(columns(&[]), [0, 1, 2]);
        assert_eq!(columns(&Group::ALL).len(), f[0].len());
        assert_eq!(columns(&[Group::Incivility]), [0, 1, 2, 13, 14]);
    }

    #[test]
    fn second_stage_learns_from_a_context_feature() {
        // The first stage is uninformative; the siblings' mean says the class.
        let classes = data::default_classes(super::super::Task::Stance);
        let mut feats = Vec::new();
        let mut labels = Vec::new();
        let mut of_row = Vec::new();
        for i in 0..600 {
            let label = i % 3;
            let mut f = vec![(1.0f64 / 3.0).ln(); 3];
            let mut rest = vec![0.0; Group::ALL.iter().map(|g| g.width()).sum()];
            rest[0] = 1.0;
            rest[2] = if label == 0 { 0.9 } else { 0.1 };
            rest[3] = if label == 2 { 0.9 } else { 0.1 };
            f.extend(rest);
            feats.push(f);
            labels.push(label);
            of_row.push(i % 2);
        }
        let f1 = |pred: &[usize]| {
            crate::evaluation::ConfusionMatrix::new(pred, &labels, 3).macro_f1().unwrap()
        };
        let with = second_stage(&feats, &labels, &of_row, 2, &classes, &[Group::Siblings]).unwrap();
        let without = second_stage(&feats, &labels, &of_row, 2, &classes, &[]).unwrap();
        assert!(f1(&with) > 0.95, "{}", f1(&with));
        assert!(f1(&without) < 0.6, "{}", f1(&without));
    }
}
