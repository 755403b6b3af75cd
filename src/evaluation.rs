//! Evaluation of classifiers: metrics, bootstrap intervals, folds, reports.
//!
//! Binary classifiers are judged from `scores` (the predicted probability of
//! the positive class) and `labels` (`true` for positive): [`roc_auc`],
//! [`average_precision`] (PR-AUC), [`brier`], [`expected_calibration_error`],
//! [`calibration_table`], a [`Confusion`] at a threshold and
//! [`best_f1_threshold`]. [`binary_report`] gathers them with 95% bootstrap
//! percentile intervals ([`Interval`]).
//!
//! Multiclass classifiers are judged from predicted classes, true classes
//! and optionally per-class probabilities: [`ConfusionMatrix`] (per-class
//! precision, recall and F1, macro-F1, accuracy), [`multiclass_brier`],
//! [`log_loss`], gathered by [`multiclass_report`].
//!
//! [`stratified_folds`] and [`group_folds`] assign rows to cross-validation
//! folds; [`render_binary`] and [`render_multiclass`] draw reports for a
//! terminal.
//!
//! Conventions:
//! - A metric that is undefined for its input (an AUC with one class
//!   absent, a mean over no rows) is `None`, never NaN.
//! - Precision, recall and F1 with a zero denominator are 0, as in
//!   scikit-learn with `zero_division=0`, so that they are always a number.
//! - Everything is a pure function; randomness (bootstrap, folds) comes
//!   from a ChaCha8 generator seeded by the caller, so equal seeds give
//!   equal results on every platform.
//! - The metric functions panic when slices that describe the same rows
//!   differ in length (a caller's bug); the report and fold functions
//!   validate their input and return [`EvalError`] instead.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Coverage of the bootstrap intervals in the reports.
pub const CONFIDENCE: f64 = 0.95;

/// Number of equal-width bins [`binary_report`] uses for the ECE.
pub const ECE_BINS: usize = 10;

/// Input that a report or fold function cannot evaluate.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// Two inputs describing the same rows have different lengths.
    LengthMismatch {
        /// Which input is wrong.
        what: &'static str,
        /// Number of rows expected.
        expected: usize,
        /// Number of rows found.
        found: usize,
    },
    /// There are no rows to evaluate.
    Empty,
    /// A score is NaN, infinite or outside [0, 1].
    InvalidScore {
        /// Row of the score.
        index: usize,
        /// The score.
        value: f64,
    },
    /// The threshold is NaN.
    InvalidThreshold(f64),
    /// No class names were given.
    NoClasses,
    /// A class index is not below the number of classes.
    ClassOutOfRange {
        /// Which input holds it.
        what: &'static str,
        /// Row of the class.
        index: usize,
        /// The class index.
        class: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// A row of probabilities does not have one entry per class.
    ProbsWidth {
        /// Row of the probabilities.
        index: usize,
        /// Number of entries found.
        found: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// Zero folds were requested.
    ZeroFolds,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { what, expected, found } => {
                write!(f, "{what}: expected {expected} rows, found {found}")
            }
            Self::Empty => f.write_str("no rows to evaluate"),
            Self::InvalidScore { index, value } => {
                write!(f, "score {value} at row {index} is not a probability in [0, 1]")
            }
            Self::InvalidThreshold(t) => write!(f, "threshold {t} is not a number"),
            Self::NoClasses => f.write_str("no classes given"),
            Self::ClassOutOfRange { what, index, class, n_classes } => write!(
                f,
                "{what}: class {class} at row {index} is out of range for {n_classes} classes"
            ),
            Self::ProbsWidth { index, found, n_classes } => {
                write!(f, "probabilities at row {index} have {found} entries, expected {n_classes}")
            }
            Self::ZeroFolds => f.write_str("the number of folds must be at least 1"),
        }
    }
}

impl std::error::Error for EvalError {}

// ---------------------------------------------------------------------------
// Binary metrics
// ---------------------------------------------------------------------------

/// Rows sorted by descending score and cut into groups of equal score.
///
/// Ranking metrics only depend on per-group counts of positives and
/// negatives, so the bootstrap sorts once and then recounts each resample
/// in O(n) by weighting rows with how often they were drawn.
struct Ranking {
    order: Vec<usize>,
    /// Exclusive end of each tie group in `order`.
    ends: Vec<usize>,
}

impl Ranking {
    fn new(scores: &[f64]) -> Self {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let ends = (1..=order.len())
            .filter(|&i| i == order.len() || scores[order[i]] != scores[order[i - 1]])
            .collect();
        Self { order, ends }
    }

    /// (positives, negatives) per tie group, highest score first, counting
    /// row `i` `weight(i)` times.
    fn group_counts(
        &self,
        labels: &[bool],
        weight: impl Fn(usize) -> usize,
    ) -> Vec<(usize, usize)> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let (mut pos, mut neg) = (0, 0);
                for &row in &self.order[start..end] {
                    if labels[row] {
                        pos += weight(row);
                    } else {
                        neg += weight(row);
                    }
                }
                start = end;
                (pos, neg)
            })
            .collect()
    }

    /// Score shared by tie group `g`.
    fn group_score(&self, scores: &[f64], g: usize) -> f64 {
        scores[self.order[self.ends[g] - 1]]
    }
}

/// Mann–Whitney AUC from tie groups: the share of (positive, negative)
/// pairs ranked correctly, a tie counting half. Counted in integers
/// (doubled to keep the halves) so it is exact until the final division.
fn auc_from_groups(groups: &[(usize, usize)]) -> Option<f64> {
    let p: usize = groups.iter().map(|g| g.0).sum();
    let q: usize = groups.iter().map(|g| g.1).sum();
    if p == 0 || q == 0 {
        return None;
    }
    let (mut neg_above, mut twice_wins) = (0u128, 0u128);
    for &(pos, neg) in groups {
        let (pos, neg) = (pos as u128, neg as u128);
        let below = q as u128 - neg_above - neg;
        twice_wins += 2 * pos * below + pos * neg;
        neg_above += neg;
    }
    Some(twice_wins as f64 / (2.0 * p as f64 * q as f64))
}

/// Average precision from tie groups: Σ (Rₖ − Rₖ₋₁) Pₖ over distinct
/// thresholds, as scikit-learn's `average_precision_score` (no
/// interpolation).
fn ap_from_groups(groups: &[(usize, usize)]) -> Option<f64> {
    let p: usize = groups.iter().map(|g| g.0).sum();
    if p == 0 {
        return None;
    }
    let (mut tp, mut fp, mut ap) = (0usize, 0usize, 0.0);
    for &(pos, neg) in groups {
        tp += pos;
        fp += neg;
        if pos > 0 {
            ap += (pos as f64 / p as f64) * (tp as f64 / (tp + fp) as f64);
        }
    }
    Some(ap)
}

fn weighted_brier(scores: &[f64], labels: &[bool], weight: impl Fn(usize) -> usize) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0usize);
    for (i, (&s, &y)) in scores.iter().zip(labels).enumerate() {
        let w = weight(i);
        let err = s - if y { 1.0 } else { 0.0 };
        sum += w as f64 * err * err;
        total += w;
    }
    (total > 0).then(|| sum / total as f64)
}

/// Accumulated rows of one calibration bin.
#[derive(Clone, Copy, Default)]
struct BinAcc {
    count: usize,
    score_sum: f64,
    positives: usize,
}

/// Equal-width bin of a score on [0, 1]: bin `b` holds (b/bins, (b+1)/bins],
/// the first bin also holds 0, as in Guo et al. (2017) and scikit-learn's
/// `calibration_curve`. Scores outside [0, 1] fall in the edge bins.
fn bin_of(score: f64, bins: usize) -> usize {
    // `as usize` saturates, so NaN lands in bin 0 rather than panicking.
    let upper = (score.clamp(0.0, 1.0) * bins as f64).ceil() as usize;
    upper.saturating_sub(1).min(bins - 1)
}

fn bin_accumulate(
    scores: &[f64],
    labels: &[bool],
    bins: usize,
    weight: impl Fn(usize) -> usize,
) -> Vec<BinAcc> {
    let mut acc = vec![BinAcc::default(); bins];
    if bins == 0 {
        return acc;
    }
    for (i, (&s, &y)) in scores.iter().zip(labels).enumerate() {
        let w = weight(i);
        let bin = &mut acc[bin_of(s, bins)];
        bin.count += w;
        bin.score_sum += w as f64 * s;
        if y {
            bin.positives += w;
        }
    }
    acc
}

fn ece_from_bins(acc: &[BinAcc]) -> Option<f64> {
    let total: usize = acc.iter().map(|b| b.count).sum();
    if total == 0 {
        return None;
    }
    let gap_sum: f64 =
        acc.iter().filter(|b| b.count > 0).map(|b| (b.score_sum - b.positives as f64).abs()).sum();
    // Σ (count/total)·|mean score − positive rate| = Σ |score sum − positives| / total.
    Some(gap_sum / total as f64)
}

fn check_len(scores: &[f64], labels: &[bool]) {
    assert_eq!(scores.len(), labels.len(), "scores and labels must have the same length");
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting half (Mann–Whitney U / (P·N)).
///
/// `None` when positives or negatives are absent. Scores need not be
/// probabilities, but must not be NaN.
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check_len(scores, labels);
    auc_from_groups(&Ranking::new(scores).group_counts(labels, |_| 1))
}

/// Average precision (PR-AUC) as scikit-learn's `average_precision_score`:
/// Σ (Rₖ − Rₖ₋₁) Pₖ over the distinct scores taken as thresholds, highest
/// first, with equal scores entering together. It is a step-wise sum, not
/// the trapezoidal area, so it does not reward interpolation.
///
/// `None` when there are no positives (recall is undefined).
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check_len(scores, labels);
    ap_from_groups(&Ranking::new(scores).group_counts(labels, |_| 1))
}

/// Brier score: the mean squared difference between score and outcome
/// (1 for positive, 0 for negative). 0 is perfect; `None` for no rows.
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn brier(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check_len(scores, labels);
    weighted_brier(scores, labels, |_| 1)
}

/// Expected calibration error over `bins` equal-width bins of [0, 1]:
/// Σ (rows in bin / rows) · |mean score in bin − positive rate in bin|.
///
/// Bin `b` holds scores in (b/bins, (b+1)/bins]; the first bin also holds
/// 0. `None` for no rows or zero bins.
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn expected_calibration_error(scores: &[f64], labels: &[bool], bins: usize) -> Option<f64> {
    check_len(scores, labels);
    ece_from_bins(&bin_accumulate(scores, labels, bins, |_| 1))
}

/// One bin of a reliability diagram, from [`calibration_table`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Lower edge of the bin (exclusive, except for the first bin).
    pub lo: f64,
    /// Upper edge of the bin (inclusive).
    pub hi: f64,
    /// Rows whose score falls in the bin.
    pub count: usize,
    /// Mean score of those rows.
    pub mean_score: f64,
    /// Share of those rows that are positive.
    pub positive_rate: f64,
}

/// Reliability diagram: for each of `bins` equal-width bins of [0, 1], the
/// mean score against the observed positive rate. A calibrated classifier
/// has `mean_score ≈ positive_rate` in every bin.
///
/// Empty bins are left out (as in scikit-learn's `calibration_curve`),
/// since their mean is undefined; bins are as in
/// [`expected_calibration_error`].
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn calibration_table(scores: &[f64], labels: &[bool], bins: usize) -> Vec<CalibrationBin> {
    check_len(scores, labels);
    bin_accumulate(scores, labels, bins, |_| 1)
        .iter()
        .enumerate()
        .filter(|(_, b)| b.count > 0)
        .map(|(i, b)| CalibrationBin {
            lo: i as f64 / bins as f64,
            hi: (i + 1) as f64 / bins as f64,
            count: b.count,
            mean_score: b.score_sum / b.count as f64,
            positive_rate: b.positives as f64 / b.count as f64,
        })
        .collect()
}

/// Binary confusion matrix at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Confusion {
    /// Positives predicted positive.
    pub tp: usize,
    /// Negatives predicted positive.
    pub fp: usize,
    /// Negatives predicted negative.
    pub tn: usize,
    /// Positives predicted negative (`fn` is a keyword; serialised as `fn`).
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Confusion {
    /// Counts rows, predicting positive when `score >= threshold`.
    ///
    /// # Panics
    /// If `scores` and `labels` differ in length.
    pub fn at_threshold(scores: &[f64], labels: &[bool], threshold: f64) -> Self {
        check_len(scores, labels);
        Self::weighted(scores, labels, threshold, |_| 1)
    }

    fn weighted(
        scores: &[f64],
        labels: &[bool],
        threshold: f64,
        weight: impl Fn(usize) -> usize,
    ) -> Self {
        let mut c = Self::default();
        for (i, (&s, &y)) in scores.iter().zip(labels).enumerate() {
            let w = weight(i);
            match (y, s >= threshold) {
                (true, true) => c.tp += w,
                (false, true) => c.fp += w,
                (false, false) => c.tn += w,
                (true, false) => c.fn_ += w,
            }
        }
        c
    }

    /// Number of rows counted.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// tp / (tp + fp); 0 when nothing is predicted positive.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn); 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when
    /// undefined (no positives and none predicted).
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// (tp + tn) / total; 0 for no rows.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.total())
    }
}

/// num / den, or 0 when den is 0 (the `zero_division=0` convention).
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 { 0.0 } else { num as f64 / den as f64 }
}

/// The threshold, among the observed scores, whose [`Confusion`] has the
/// highest F1. Of equally good thresholds the highest wins, flagging the
/// fewest rows.
///
/// `None` when there are no positives (F1 is 0 at every threshold).
///
/// # Panics
/// If `scores` and `labels` differ in length.
pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> Option<f64> {
    best_f1_threshold_weighted(scores, labels, 1.0, 1.0)
}

/// [`best_f1_threshold`] with each positive row counted `w_pos` times and each negative
/// `w_neg` times: the threshold that would maximise F1 where positives make up a different
/// share than in `labels` (a calibration set of 40% uncivil comments standing for comment
/// sections of 10%: `w_pos = 0.1 / 0.4`, `w_neg = 0.9 / 0.6`). With weights 1 it is
/// [`best_f1_threshold`] exactly.
pub fn best_f1_threshold_weighted(
    scores: &[f64],
    labels: &[bool],
    w_pos: f64,
    w_neg: f64,
) -> Option<f64> {
    check_len(scores, labels);
    let ranking = Ranking::new(scores);
    let groups = ranking.group_counts(labels, |_| 1);
    let p: usize = groups.iter().map(|g| g.0).sum();
    if p == 0 {
        return None;
    }
    // Lowering the threshold group by group adds that group's rows to the
    // predicted positives, so tp and fp accumulate in one pass.
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best: Option<(f64, f64)> = None;
    for (g, &(pos, neg)) in groups.iter().enumerate() {
        tp += pos;
        fp += neg;
        let (wtp, wfp, wp) = (w_pos * tp as f64, w_neg * fp as f64, w_pos * p as f64);
        let f1 = 2.0 * wtp / (wtp + wfp + wp);
        if best.is_none_or(|(b, _)| f1 > b) {
            best = Some((f1, ranking.group_score(scores, g)));
        }
    }
    best.map(|(_, t)| t)
}

// ---------------------------------------------------------------------------
// Bootstrap
// ---------------------------------------------------------------------------

/// A point estimate with a bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Value on the full sample.
    pub estimate: f64,
    /// Lower bound: the (1 − [`CONFIDENCE`]) / 2 quantile of the resamples.
    pub lo: f64,
    /// Upper bound: the (1 + [`CONFIDENCE`]) / 2 quantile of the resamples.
    pub hi: f64,
    /// Resamples in which the metric was defined. When 0 (no bootstrap
    /// requested, or never defined) `lo` and `hi` equal `estimate`.
    pub resamples: usize,
}

impl Interval {
    /// Percentile interval of `samples` around `estimate`. Quantiles
    /// interpolate linearly between order statistics (NumPy's default).
    fn percentile(estimate: f64, mut samples: Vec<f64>) -> Self {
        samples.sort_by(f64::total_cmp);
        let alpha = (1.0 - CONFIDENCE) / 2.0;
        match (quantile(&samples, alpha), quantile(&samples, 1.0 - alpha)) {
            (Some(lo), Some(hi)) => Self { estimate, lo, hi, resamples: samples.len() },
            _ => Self { estimate, lo: estimate, hi: estimate, resamples: 0 },
        }
    }
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q * last as f64;
    let i = h.floor() as usize;
    let j = (i + 1).min(last);
    Some(sorted[i] + (h - i as f64) * (sorted[j] - sorted[i]))
}

/// Draws `bootstrap` resamples of `n` rows with replacement and calls
/// `visit` with how many times each row was drawn.
fn for_each_resample(n: usize, bootstrap: usize, seed: u64, mut visit: impl FnMut(&[usize])) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut drawn = vec![0usize; n];
    if n == 0 {
        return;
    }
    for _ in 0..bootstrap {
        drawn.fill(0);
        for _ in 0..n {
            drawn[rng.random_range(0..n)] += 1;
        }
        visit(&drawn);
    }
}

/// Binary metrics of one (re)sample.
struct BinaryPoint {
    roc_auc: Option<f64>,
    pr_auc: Option<f64>,
    brier: Option<f64>,
    ece: Option<f64>,
    confusion: Confusion,
}

fn binary_point(
    scores: &[f64],
    labels: &[bool],
    ranking: &Ranking,
    threshold: f64,
    weight: impl Fn(usize) -> usize + Copy,
) -> BinaryPoint {
    let groups = ranking.group_counts(labels, weight);
    BinaryPoint {
        roc_auc: auc_from_groups(&groups),
        pr_auc: ap_from_groups(&groups),
        brier: weighted_brier(scores, labels, weight),
        ece: ece_from_bins(&bin_accumulate(scores, labels, ECE_BINS, weight)),
        confusion: Confusion::weighted(scores, labels, threshold, weight),
    }
}

/// Interval of one metric: `None` when undefined on the full sample;
/// resamples where it is undefined are skipped.
fn metric_interval<P>(
    full: &P,
    points: &[P],
    metric: impl Fn(&P) -> Option<f64>,
) -> Option<Interval> {
    let estimate = metric(full)?;
    Some(Interval::percentile(estimate, points.iter().filter_map(&metric).collect()))
}

/// Everything [`binary_report`] measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryReport {
    /// Rows evaluated.
    pub n: usize,
    /// Positive rows.
    pub positives: usize,
    /// [`roc_auc`]; `None` when one class is absent.
    pub roc_auc: Option<Interval>,
    /// [`average_precision`]; `None` when there are no positives.
    pub pr_auc: Option<Interval>,
    /// [`brier`] score.
    pub brier: Interval,
    /// [`expected_calibration_error`] over [`ECE_BINS`] bins.
    pub ece: Interval,
    /// Number of bins of the ECE.
    pub ece_bins: usize,
    /// Threshold of `confusion`, `precision`, `recall` and `f1`.
    pub threshold: f64,
    /// Confusion matrix at `threshold`.
    pub confusion: Confusion,
    /// [`Confusion::precision`] at `threshold`.
    pub precision: Interval,
    /// [`Confusion::recall`] at `threshold`.
    pub recall: Interval,
    /// [`Confusion::f1`] at `threshold`.
    pub f1: Interval,
    /// Bootstrap resamples requested.
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

/// Evaluates a binary classifier: all binary metrics, the confusion at
/// `threshold`, and for each headline figure a [`CONFIDENCE`] bootstrap
/// percentile interval from `bootstrap` resamples drawn with a generator
/// seeded by `seed` (same seed, same intervals). Resamples in which a
/// metric is undefined (a class missing) are skipped for that metric.
/// `bootstrap = 0` gives point estimates only.
///
/// Scores must be probabilities in [0, 1], since the Brier score and the
/// ECE compare them with outcomes.
///
/// # Errors
/// [`EvalError`] when the lengths differ, there are no rows, a score is not
/// in [0, 1], or the threshold is NaN.
///
/// # Example
/// ```
/// use threadlens::evaluation::{binary_report, render_binary};
///
/// let scores = [0.9, 0.8, 0.35, 0.6, 0.2, 0.1];
/// let labels = [true, true, true, false, false, false];
/// let report = binary_report(&scores, &labels, 0.5, 200, 7)?;
/// assert_eq!((report.n, report.positives), (6, 3));
/// // 8 of the 9 (positive, negative) pairs are ranked correctly.
/// let auc = report.roc_auc.expect("both classes are present");
/// assert!((auc.estimate - 8.0 / 9.0).abs() < 1e-12);
/// assert!(auc.lo <= auc.estimate && auc.estimate <= auc.hi);
/// assert_eq!((report.confusion.tp, report.confusion.fp), (2, 1));
/// assert!(render_binary(&report).contains("ROC-AUC"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn binary_report(
    scores: &[f64],
    labels: &[bool],
    threshold: f64,
    bootstrap: usize,
    seed: u64,
) -> Result<BinaryReport, EvalError> {
    if labels.len() != scores.len() {
        return Err(EvalError::LengthMismatch {
            what: "labels",
            expected: scores.len(),
            found: labels.len(),
        });
    }
    if scores.is_empty() {
        return Err(EvalError::Empty);
    }
    if let Some((index, &value)) =
        scores.iter().enumerate().find(|(_, s)| !(0.0..=1.0).contains(*s))
    {
        return Err(EvalError::InvalidScore { index, value });
    }
    if threshold.is_nan() {
        return Err(EvalError::InvalidThreshold(threshold));
    }

    // Every metric ignores row order, so work on the rows sorted by score:
    // each resample then walks memory in order instead of jumping around.
    let order = Ranking::new(scores).order;
    let scores: Vec<f64> = order.iter().map(|&i| scores[i]).collect();
    let labels: Vec<bool> = order.iter().map(|&i| labels[i]).collect();
    let (scores, labels) = (scores.as_slice(), labels.as_slice());
    let ranking = Ranking::new(scores);
    let full = binary_point(scores, labels, &ranking, threshold, |_| 1);
    let mut points = Vec::with_capacity(bootstrap);
    for_each_resample(scores.len(), bootstrap, seed, |drawn| {
        points.push(binary_point(scores, labels, &ranking, threshold, |i| drawn[i]));
    });

    // With at least one row the Brier score and the ECE are always defined.
    let brier = metric_interval(&full, &points, |p| p.brier).ok_or(EvalError::Empty)?;
    let ece = metric_interval(&full, &points, |p| p.ece).ok_or(EvalError::Empty)?;
    let always = |metric: fn(&Confusion) -> f64| {
        let samples = points.iter().map(|p| metric(&p.confusion)).collect();
        Interval::percentile(metric(&full.confusion), samples)
    };
    Ok(BinaryReport {
        n: scores.len(),
        positives: labels.iter().filter(|&&y| y).count(),
        roc_auc: metric_interval(&full, &points, |p| p.roc_auc),
        pr_auc: metric_interval(&full, &points, |p| p.pr_auc),
        brier,
        ece,
        ece_bins: ECE_BINS,
        threshold,
        confusion: full.confusion,
        precision: always(Confusion::precision),
        recall: always(Confusion::recall),
        f1: always(Confusion::f1),
        bootstrap,
        seed,
    })
}

// ---------------------------------------------------------------------------
// Multiclass metrics
// ---------------------------------------------------------------------------

/// Multiclass confusion matrix: `counts[truth][predicted]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix {
    /// Rows are true classes, columns predicted classes.
    pub counts: Vec<Vec<usize>>,
}

/// Precision, recall and F1 of one class against the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Share of rows predicted as the class that belong to it; 0 when none
    /// are predicted as it.
    pub precision: f64,
    /// Share of the class's rows predicted as it; 0 when it has no rows.
    pub recall: f64,
    /// 2tp / (2tp + fp + fn); 0 when the class is neither present nor
    /// predicted.
    pub f1: f64,
    /// Rows truly of the class.
    pub support: usize,
}

impl ConfusionMatrix {
    /// Counts `(truth[i], pred[i])` pairs over `n_classes` classes.
    ///
    /// # Panics
    /// If `pred` and `truth` differ in length or a class is not below
    /// `n_classes`.
    pub fn new(pred: &[usize], truth: &[usize], n_classes: usize) -> Self {
        assert_eq!(pred.len(), truth.len(), "pred and truth must have the same length");
        Self::weighted(pred, truth, n_classes, |_| 1)
    }

    fn weighted(
        pred: &[usize],
        truth: &[usize],
        n_classes: usize,
        weight: impl Fn(usize) -> usize,
    ) -> Self {
        let mut counts = vec![vec![0; n_classes]; n_classes];
        for (i, (&p, &t)) in pred.iter().zip(truth).enumerate() {
            counts[t][p] += weight(i);
        }
        Self { counts }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of rows counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Share of rows predicted correctly; `None` for no rows.
    pub fn accuracy(&self) -> Option<f64> {
        let total = self.total();
        let correct: usize = (0..self.n_classes()).map(|c| self.counts[c][c]).sum();
        (total > 0).then(|| correct as f64 / total as f64)
    }

    /// One-vs-rest metrics of each class, in class order.
    pub fn class_metrics(&self) -> Vec<ClassMetrics> {
        (0..self.n_classes())
            .map(|c| {
                let tp = self.counts[c][c];
                let support: usize = self.counts[c].iter().sum();
                let predicted: usize = self.counts.iter().map(|row| row[c]).sum();
                ClassMetrics {
                    precision: ratio(tp, predicted),
                    recall: ratio(tp, support),
                    f1: ratio(2 * tp, support + predicted),
                    support,
                }
            })
            .collect()
    }

    /// Unweighted mean of the classes' F1 over the classes that occur in the
    /// truth or the predictions, as scikit-learn's
    /// `f1_score(average='macro')` without `labels`; a class that never
    /// occurs says nothing about the classifier. `None` for no rows.
    pub fn macro_f1(&self) -> Option<f64> {
        let present: Vec<f64> = self
            .class_metrics()
            .iter()
            .enumerate()
            .filter(|&(c, m)| m.support > 0 || self.counts.iter().any(|row| row[c] > 0))
            .map(|(_, m)| m.f1)
            .collect();
        (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
    }
}

/// Multiclass Brier score (Brier 1950): the mean over rows of
/// Σₖ (pₖ − [k = truth])², from 0 (perfect) to 2, as scikit-learn's
/// `brier_score_loss` on multiclass input. With two classes it is twice the
/// binary [`brier`]. `None` for no rows.
///
/// # Panics
/// If `probs` and `truth` differ in length or a true class has no entry in
/// its row of `probs`.
pub fn multiclass_brier(probs: &[Vec<f64>], truth: &[usize]) -> Option<f64> {
    assert_eq!(probs.len(), truth.len(), "probs and truth must have the same length");
    let sum: f64 = probs
        .iter()
        .zip(truth)
        .map(|(row, &t)| {
            assert!(t < row.len(), "class {t} has no probability");
            row.iter()
                .enumerate()
                .map(|(k, &p)| {
                    let err = p - if k == t { 1.0 } else { 0.0 };
                    err * err
                })
                .sum::<f64>()
        })
        .sum();
    (!truth.is_empty()).then(|| sum / truth.len() as f64)
}

/// Log loss (cross-entropy): −mean ln p(truth). Probabilities are clipped
/// to [ε, 1 − ε] with ε = `f64::EPSILON`, as scikit-learn's `log_loss`, so a
/// confident mistake costs about 36 rather than infinity. `None` for no
/// rows.
///
/// # Panics
/// If `probs` and `truth` differ in length or a true class has no entry in
/// its row of `probs`.
pub fn log_loss(probs: &[Vec<f64>], truth: &[usize]) -> Option<f64> {
    assert_eq!(probs.len(), truth.len(), "probs and truth must have the same length");
    let sum: f64 = probs
        .iter()
        .zip(truth)
        .map(|(row, &t)| -row[t].clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln())
        .sum();
    (!truth.is_empty()).then(|| sum / truth.len() as f64)
}

/// Everything [`multiclass_report`] measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MulticlassReport {
    /// Rows evaluated.
    pub n: usize,
    /// Name of each class, by class index.
    pub class_names: Vec<String>,
    /// [`ConfusionMatrix::accuracy`].
    pub accuracy: Interval,
    /// [`ConfusionMatrix::macro_f1`].
    pub macro_f1: Interval,
    /// [`ConfusionMatrix::class_metrics`], by class index.
    pub per_class: Vec<ClassMetrics>,
    /// Confusion matrix, rows true and columns predicted classes.
    pub confusion: ConfusionMatrix,
    /// [`multiclass_brier`], when probabilities were given.
    pub brier: Option<f64>,
    /// [`log_loss`], when probabilities were given.
    pub log_loss: Option<f64>,
    /// Bootstrap resamples requested.
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

/// Evaluates a multiclass classifier from predicted classes `pred`, true
/// classes `truth` and optionally the predicted probabilities `probs` (one
/// row per row, one entry per class). The number of classes is
/// `class_names.len()`. Accuracy and macro-F1 get [`CONFIDENCE`] bootstrap
/// percentile intervals as in [`binary_report`].
///
/// # Errors
/// [`EvalError`] when there are no classes or no rows, lengths differ, a
/// class is out of range, or a probability row has the wrong width or a
/// value outside [0, 1].
pub fn multiclass_report<S: AsRef<str>>(
    pred: &[usize],
    probs: Option<&[Vec<f64>]>,
    truth: &[usize],
    class_names: &[S],
    bootstrap: usize,
    seed: u64,
) -> Result<MulticlassReport, EvalError> {
    let n_classes = class_names.len();
    let n = truth.len();
    if n_classes == 0 {
        return Err(EvalError::NoClasses);
    }
    if pred.len() != n {
        return Err(EvalError::LengthMismatch { what: "pred", expected: n, found: pred.len() });
    }
    if n == 0 {
        return Err(EvalError::Empty);
    }
    for (what, classes) in [("pred", pred), ("truth", truth)] {
        if let Some((index, &class)) = classes.iter().enumerate().find(|(_, c)| **c >= n_classes) {
            return Err(EvalError::ClassOutOfRange { what, index, class, n_classes });
        }
    }
    if let Some(probs) = probs {
        if probs.len() != n {
            return Err(EvalError::LengthMismatch {
                what: "probs",
                expected: n,
                found: probs.len(),
            });
        }
        for (index, row) in probs.iter().enumerate() {
            if row.len() != n_classes {
                return Err(EvalError::ProbsWidth { index, found: row.len(), n_classes });
            }
            if let Some(&value) = row.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                return Err(EvalError::InvalidScore { index, value });
            }
        }
    }

    let confusion = ConfusionMatrix::new(pred, truth, n_classes);
    let mut points = Vec::with_capacity(bootstrap);
    for_each_resample(n, bootstrap, seed, |drawn| {
        points.push(ConfusionMatrix::weighted(pred, truth, n_classes, |i| drawn[i]));
    });
    // With at least one row both metrics are defined.
    let accuracy =
        metric_interval(&confusion, &points, ConfusionMatrix::accuracy).ok_or(EvalError::Empty)?;
    let macro_f1 =
        metric_interval(&confusion, &points, ConfusionMatrix::macro_f1).ok_or(EvalError::Empty)?;

    Ok(MulticlassReport {
        n,
        class_names: class_names.iter().map(|s| s.as_ref().to_owned()).collect(),
        accuracy,
        macro_f1,
        per_class: confusion.class_metrics(),
        brier: probs.and_then(|p| multiclass_brier(p, truth)),
        log_loss: probs.and_then(|p| log_loss(p, truth)),
        confusion,
        bootstrap,
        seed,
    })
}

// ---------------------------------------------------------------------------
// Folds
// ---------------------------------------------------------------------------

/// Assigns each row a fold in `0..k` so that every class is spread evenly:
/// per class, fold sizes differ by at most 1, and so do total fold sizes.
///
/// Rows of each class (in class order) are shuffled and dealt round-robin,
/// the deal continuing across classes from a random starting fold; the
/// result depends only on `labels`, `k` and `seed`. With fewer rows than
/// folds some folds are empty.
///
/// # Errors
/// [`EvalError::ZeroFolds`] when `k` is 0.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Result<Vec<usize>, EvalError> {
    if k == 0 {
        return Err(EvalError::ZeroFolds);
    }
    let mut by_class: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (row, &class) in labels.iter().enumerate() {
        by_class.entry(class).or_default().push(row);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // A random start keeps the larger folds from always being the first.
    let mut next = rng.random_range(0..k);
    let mut folds = vec![0; labels.len()];
    for rows in by_class.values_mut() {
        rows.shuffle(&mut rng);
        for &row in rows.iter() {
            folds[row] = next;
            next = (next + 1) % k;
        }
    }
    Ok(folds)
}

/// Assigns each row a fold in `0..k`, keeping all rows of a group in one
/// fold (e.g. all comments under one article, which must not be split
/// between training and test).
///
/// Groups are shuffled, then placed largest first, each into the fold with
/// the fewest rows so far (ties to the lowest fold), which balances fold
/// sizes in rows. The result depends only on `groups`, `k` and `seed`.
///
/// # Errors
/// [`EvalError::ZeroFolds`] when `k` is 0.
pub fn group_folds(groups: &[u64], k: usize, seed: u64) -> Result<Vec<usize>, EvalError> {
    if k == 0 {
        return Err(EvalError::ZeroFolds);
    }
    let mut sizes: BTreeMap<u64, usize> = BTreeMap::new();
    for &g in groups {
        *sizes.entry(g).or_default() += 1;
    }
    let mut order: Vec<(u64, usize)> = sizes.into_iter().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    order.shuffle(&mut rng);
    // Stable sort: groups of equal size keep their shuffled order.
    order.sort_by_key(|&(_, size)| std::cmp::Reverse(size));

    let mut load = vec![0usize; k];
    let mut fold_of: HashMap<u64, usize> = HashMap::with_capacity(order.len());
    for (group, size) in order {
        let fold = (0..k).min_by_key(|&f| load[f]).unwrap_or(0);
        load[fold] += size;
        fold_of.insert(group, fold);
    }
    Ok(groups.iter().map(|g| fold_of.get(g).copied().unwrap_or(0)).collect())
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/// `n` with thousands separators: 2400 → "2,400".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "0.871  [0.848, 0.893]", or just the estimate without resamples.
fn fmt_interval(iv: &Interval) -> String {
    if iv.resamples == 0 {
        format!("{:.3}", iv.estimate)
    } else {
        format!("{:.3}  [{:.3}, {:.3}]", iv.estimate, iv.lo, iv.hi)
    }
}

/// A threshold with up to 4 decimals and no trailing zeros: 0.31, 0.5.
fn fmt_threshold(t: f64) -> String {
    let s = format!("{t:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn interval_footer(bootstrap: usize, seed: u64) -> String {
    if bootstrap == 0 {
        "no bootstrap intervals\n".to_owned()
    } else {
        format!(
            "intervals: {:.0}% bootstrap percentile, {} resamples, seed {seed}\n",
            CONFIDENCE * 100.0,
            thousands(bootstrap)
        )
    }
}

/// Plain-text report of a [`BinaryReport`] for a terminal: headline
/// metrics with their intervals, then the confusion at the threshold.
pub fn render_binary(report: &BinaryReport) -> String {
    let mut out = format!(
        "n {} (positives {}, {:.1}%)\n",
        thousands(report.n),
        thousands(report.positives),
        ratio(report.positives, report.n) * 100.0
    );
    let optional = |iv: &Option<Interval>, why: &str| match iv {
        Some(iv) => fmt_interval(iv),
        None => format!("n/a ({why})"),
    };
    let lines = [
        ("ROC-AUC", optional(&report.roc_auc, "needs both classes")),
        ("PR-AUC", optional(&report.pr_auc, "needs positives")),
        ("Brier", fmt_interval(&report.brier)),
        ("ECE", fmt_interval(&report.ece)),
        ("precision", fmt_interval(&report.precision)),
        ("recall", fmt_interval(&report.recall)),
        ("F1", fmt_interval(&report.f1)),
    ];
    for (label, value) in lines {
        out += &format!("{label:<10}{value}\n");
    }

    let c = &report.confusion;
    let w = [c.tp, c.fp, c.tn, c.fn_].iter().map(|v| v.to_string().len()).max().unwrap_or(0).max(6);
    out += &format!("confusion at threshold {}\n", fmt_threshold(report.threshold));
    out += &format!("{:10}   {:>w$}   {:>w$}\n", "", "pred +", "pred -");
    out += &format!("{:10}   {:>w$}   {:>w$}\n", "  actual +", c.tp, c.fn_);
    out += &format!("{:10}   {:>w$}   {:>w$}\n", "  actual -", c.fp, c.tn);
    out += &format!("ECE over {} bins; ", report.ece_bins);
    out += &interval_footer(report.bootstrap, report.seed);
    out
}

/// Plain-text report of a [`MulticlassReport`] for a terminal: headline
/// metrics, a per-class table and the confusion matrix.
pub fn render_multiclass(report: &MulticlassReport) -> String {
    let mut out = format!("n {}, {} classes\n", thousands(report.n), report.class_names.len());
    out += &format!("{:<10}{}\n", "accuracy", fmt_interval(&report.accuracy));
    out += &format!("{:<10}{}\n", "macro-F1", fmt_interval(&report.macro_f1));
    if let Some(b) = report.brier {
        out += &format!("{:<10}{b:.3}\n", "Brier");
    }
    if let Some(l) = report.log_loss {
        out += &format!("{:<10}{l:.3}\n", "log loss");
    }

    let name_w = report.class_names.iter().map(|s| s.chars().count()).chain([5]).max().unwrap_or(5);
    out += &format!("  {:<name_w$}  precision  recall     F1  support\n", "class");
    for (name, m) in report.class_names.iter().zip(&report.per_class) {
        out += &format!(
            "  {name:<name_w$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}\n",
            m.precision,
            m.recall,
            m.f1,
            thousands(m.support)
        );
    }

    out += "confusion (rows actual, columns predicted)\n";
    let counts = &report.confusion.counts;
    // Each column is as wide as its name or its widest count.
    let col_w: Vec<usize> = report
        .class_names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let widest = counts.iter().map(|row| row[c].to_string().len()).max();
            name.chars().count().max(widest.unwrap_or(0))
        })
        .collect();
    out += &format!("  {:<name_w$}", "");
    for (name, w) in report.class_names.iter().zip(&col_w) {
        out += &format!("  {name:>w$}");
    }
    out += "\n";
    for (name, row) in report.class_names.iter().zip(counts) {
        out += &format!("  {name:<name_w$}");
        for (count, w) in row.iter().zip(&col_w) {
            out += &format!("  {count:>w$}");
        }
        out += "\n";
    }
    out += &interval_footer(report.bootstrap, report.seed);
    out
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    const T: bool = true;
    const F: bool = false;

    fn labels01(ys: &[u8]) -> Vec<bool> {
        ys.iter().map(|&y| y == 1).collect()
    }

    /// 30 rows with many tied scores; expected values from scikit-learn 1.9.1.
    fn thirty() -> (Vec<f64>, Vec<bool>) {
        let ys = [
            1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0,
            1,
        ];
        let ss = vec![
            0.9, 0.1, 0.3, 0.7, 0.3, 0.5, 0.7, 0.2, 0.5, 0.1, 0.8, 0.4, 0.3, 0.3, 0.0, 0.6, 0.2,
            0.5, 0.1, 0.7, 1.0, 0.4, 0.2, 0.5, 0.3, 0.1, 0.6, 0.0, 0.4, 0.9,
        ];
        (ss, labels01(&ys))
    }

    /// 400 rows, 30% positive, scores informative but noisy.
    fn noisy(seed: u64) -> (Vec<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..400)
            .map(|_| {
                let y = rng.random_bool(0.3);
                let base = if y { 0.6 } else { 0.3 };
                let s: f64 = base + rng.random_range(-0.3..0.3);
                (s.clamp(0.0, 1.0), y)
            })
            .unzip()
    }

    #[test]
    fn ranking_metrics_match_sklearn_doc_example() {
        // roc_auc_score / average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        // in scikit-learn 1.9.1: 0.75 and 0.8333333333333333.
        let (s, y) = ([0.1, 0.4, 0.35, 0.8], [F, F, T, T]);
        assert_abs_diff_eq!(roc_auc(&s, &y).unwrap(), 0.75, epsilon = 1e-12);
        assert_abs_diff_eq!(
            average_precision(&s, &y).unwrap(),
            0.833_333_333_333_333_3,
            epsilon = 1e-12
        );
    }

    #[test]
    fn ties_count_half_and_enter_together() {
        // By hand: positives 0.9, 0.5, 0.2 against negatives 0.5, 0.5, 0.2 win
        // 3 + (1 + 0.5·2) + 0.5 = 5.5 of 9 pairs. AP: thresholds 0.9, 0.5, 0.2
        // give (R, P) = (1/3, 1), (2/3, 1/2), (1, 1/2), so 1/3 + 1/6 + 1/6.
        // scikit-learn 1.9.1 agrees: 0.6111111111111112 and 0.6666666666666667.
        let s = [0.5, 0.5, 0.5, 0.9, 0.2, 0.2];
        let y = labels01(&[0, 1, 0, 1, 1, 0]);
        assert_abs_diff_eq!(roc_auc(&s, &y).unwrap(), 5.5 / 9.0, epsilon = 1e-12);
        assert_abs_diff_eq!(average_precision(&s, &y).unwrap(), 2.0 / 3.0, epsilon = 1e-12);

        // All scores equal: AUC 0.5, AP the positive rate (scikit-learn: 0.5, 0.4).
        let y = labels01(&[0, 1, 0, 1, 0]);
        assert_abs_diff_eq!(roc_auc(&[0.3; 5], &y).unwrap(), 0.5, epsilon = 1e-12);
        assert_abs_diff_eq!(average_precision(&[0.3; 5], &y).unwrap(), 0.4, epsilon = 1e-12);
    }

    #[test]
    fn thirty_rows_match_sklearn() {
        // scikit-learn 1.9.1: roc_auc_score, average_precision_score,
        // brier_score_loss, f1_score at 0.5; best threshold by brute force.
        let (s, y) = thirty();
        assert_abs_diff_eq!(roc_auc(&s, &y).unwrap(), 0.897_129_186_602_870_9, epsilon = 1e-12);
        assert_abs_diff_eq!(
            average_precision(&s, &y).unwrap(),
            0.820_498_945_498_945_5,
            epsilon = 1e-12
        );
        assert_abs_diff_eq!(brier(&s, &y).unwrap(), 0.131_333_333_333_333_33, epsilon = 1e-12);
        assert_abs_diff_eq!(Confusion::at_threshold(&s, &y, 0.5).f1(), 0.75, epsilon = 1e-12);
        assert_eq!(best_f1_threshold(&s, &y), Some(0.5));
    }

    #[test]
    fn brier_matches_sklearn_doc_example() {
        // brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) = 0.0375 (scikit-learn 1.9.1).
        let y = labels01(&[0, 1, 1, 0]);
        assert_abs_diff_eq!(brier(&[0.1, 0.9, 0.8, 0.3], &y).unwrap(), 0.0375, epsilon = 1e-12);
    }

    #[test]
    fn calibration_matches_sklearn_calibration_curve() {
        // calibration_curve(y, s, n_bins=5) in scikit-learn 1.9.1:
        // prob_true [0, 0.25, 0.5, 0.75, 1], prob_pred [0.1111, 0.3375, 0.5333, 0.725, 0.9333].
        // Counts by hand (edges go to the lower bin): 9, 8, 6, 4, 3.
        let (s, y) = thirty();
        let table = calibration_table(&s, &y, 5);
        let counts: Vec<usize> = table.iter().map(|b| b.count).collect();
        assert_eq!(counts, [9, 8, 6, 4, 3]);
        let rates = [0.0, 0.25, 0.5, 0.75, 1.0];
        let means = [1.0 / 9.0, 0.3375, 3.2 / 6.0, 0.725, 2.8 / 3.0];
        for ((bin, rate), mean) in table.iter().zip(rates).zip(means) {
            assert_abs_diff_eq!(bin.positive_rate, rate, epsilon = 1e-12);
            assert_abs_diff_eq!(bin.mean_score, mean, epsilon = 1e-12);
        }
        assert_abs_diff_eq!(table[1].lo, 0.2, epsilon = 1e-12);
        assert_abs_diff_eq!(table[1].hi, 0.4, epsilon = 1e-12);
        // By hand: Σ |score sum − positives| per bin = 1.0 + 0.7 + 0.2 + 0.1 + 0.2 over 30 rows.
        let ece = expected_calibration_error(&s, &y, 5).unwrap();
        assert_abs_diff_eq!(ece, 2.2 / 30.0, epsilon = 1e-12);
    }

    #[test]
    fn calibration_skips_empty_bins_and_handles_edges() {
        let table = calibration_table(&[0.0, 1.0, 1.0], &[F, T, F], 4);
        assert_eq!(table.len(), 2);
        assert_eq!((table[0].count, table[1].count), (1, 2));
        assert_abs_diff_eq!(table[1].positive_rate, 0.5, epsilon = 1e-12);
        // A perfectly calibrated bin has zero error.
        let ece = expected_calibration_error(&[0.5, 0.5], &[T, F], 10).unwrap();
        assert_abs_diff_eq!(ece, 0.0, epsilon = 1e-12);
    }

    #[test]
    fn undefined_metrics_are_none() {
        assert_eq!(roc_auc(&[0.2, 0.8], &[T, T]), None);
        assert_eq!(roc_auc(&[0.2, 0.8], &[F, F]), None);
        assert_eq!(roc_auc(&[], &[]), None);
        assert_eq!(average_precision(&[0.2, 0.8], &[F, F]), None);
        // Only positives: precision is 1 at every threshold (scikit-learn: 1.0).
        assert_eq!(average_precision(&[0.2, 0.8], &[T, T]), Some(1.0));
        assert_eq!(brier(&[], &[]), None);
        assert_eq!(expected_calibration_error(&[], &[], 10), None);
        assert_eq!(expected_calibration_error(&[0.5], &[T], 0), None);
        assert!(calibration_table(&[0.5], &[T], 0).is_empty());
        assert_eq!(best_f1_threshold(&[0.2, 0.8], &[F, F]), None);
        assert_eq!(best_f1_threshold(&[], &[]), None);
    }

    #[test]
    fn perfect_and_inverted_classifiers() {
        let s = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
        let y = [F, F, F, T, T, T];
        assert_eq!(roc_auc(&s, &y), Some(1.0));
        assert_eq!(average_precision(&s, &y), Some(1.0));
        assert_eq!(best_f1_threshold(&s, &y), Some(0.7));
        let c = Confusion::at_threshold(&s, &y, 0.7);
        assert_eq!((c.f1(), c.accuracy()), (1.0, 1.0));

        let inv: Vec<bool> = y.iter().map(|&v| !v).collect();
        assert_eq!(roc_auc(&s, &inv), Some(0.0));
        // By hand: positives at ranks 4..6 give precisions 1/4, 2/5, 3/6, each for recall 1/3.
        let ap = average_precision(&s, &inv).unwrap();
        assert_abs_diff_eq!(ap, (0.25 + 0.4 + 0.5) / 3.0, epsilon = 1e-12);
        // Flagging everything is then best: F1 = 2·3 / (2·3 + 3).
        assert_eq!(best_f1_threshold(&s, &inv), Some(0.1));
    }

    #[test]
    fn weighted_best_f1_counts_rows_by_their_class_weight() {
        let s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
        let y = [T, F, T, F, F, T];
        // By hand, F1 = 2·w₊tp / (w₊tp + w₋fp + w₊·3) at each threshold from the top:
        // weights 1, 1: 0.5, 0.4, 0.667, 0.571, 0.5, 0.667 (the first best kept);
        assert_eq!(best_f1_threshold(&s, &y), Some(0.7));
        assert_eq!(best_f1_threshold_weighted(&s, &y, 1.0, 1.0), Some(0.7));
        // negatives × 3: 0.5, 0.286, 0.5, 0.364, 0.286, 0.4;
        assert_eq!(best_f1_threshold_weighted(&s, &y, 1.0, 3.0), Some(0.9));
        // positives × 3: 0.5, 0.462, 0.75, 0.706, 0.667, 0.857.
        assert_eq!(best_f1_threshold_weighted(&s, &y, 3.0, 1.0), Some(0.4));
    }

    #[test]
    fn confusion_counts_and_zero_division() {
        // By hand: at 0.5 (inclusive) rows 0.5 and 0.9 are flagged.
        let s = [0.9, 0.5, 0.4, 0.2, 0.6];
        let y = [T, F, T, F, F];
        let c = Confusion::at_threshold(&s, &y, 0.5);
        assert_eq!(c, Confusion { tp: 1, fp: 2, tn: 1, fn_: 1 });
        assert_eq!(c.total(), 5);
        assert_abs_diff_eq!(c.precision(), 1.0 / 3.0, epsilon = 1e-12);
        assert_abs_diff_eq!(c.recall(), 0.5, epsilon = 1e-12);
        assert_abs_diff_eq!(c.f1(), 0.4, epsilon = 1e-12);
        assert_abs_diff_eq!(c.accuracy(), 0.4, epsilon = 1e-12);

        let none = Confusion::at_threshold(&[0.1, 0.2], &[F, F], 0.5);
        assert_eq!((none.precision(), none.recall(), none.f1()), (0.0, 0.0, 0.0));
        assert_eq!(Confusion::default().accuracy(), 0.0);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"tp":1,"fp":2,"tn":1,"fn":1}"#);
    }

    #[test]
    fn bootstrap_is_deterministic_and_contains_estimate() {
        let (s, y) = noisy(1);
        let a = binary_report(&s, &y, 0.45, 300, 42).unwrap();
        let b = binary_report(&s, &y, 0.45, 300, 42).unwrap();
        assert_eq!(a, b);
        let c = binary_report(&s, &y, 0.45, 300, 43).unwrap();
        assert_ne!(a.brier, c.brier);

        let auc = a.roc_auc.unwrap();
        assert_eq!(auc.estimate, roc_auc(&s, &y).unwrap());
        assert_eq!(a.pr_auc.unwrap().estimate, average_precision(&s, &y).unwrap());
        // Summed in score order, so equal to the plain function up to rounding.
        assert_abs_diff_eq!(a.brier.estimate, brier(&s, &y).unwrap(), epsilon = 1e-12);
        let ece = expected_calibration_error(&s, &y, ECE_BINS).unwrap();
        assert_abs_diff_eq!(a.ece.estimate, ece, epsilon = 1e-12);
        assert_eq!(a.confusion, Confusion::at_threshold(&s, &y, 0.45));
        let all = [auc, a.pr_auc.unwrap(), a.brier, a.ece, a.precision, a.recall, a.f1];
        for iv in all {
            assert!(iv.lo <= iv.estimate && iv.estimate <= iv.hi, "{iv:?}");
            assert!(iv.lo < iv.hi, "{iv:?}");
            assert_eq!(iv.resamples, 300);
        }
        assert_eq!(a.n, 400);
        assert_eq!(a.positives, y.iter().filter(|&&v| v).count());
    }

    #[test]
    fn bootstrap_skips_resamples_without_a_class() {
        // One positive in 10 rows: about (9/10)^10 ≈ 35% of resamples lack it.
        let s = [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.15, 0.25, 0.35];
        let mut y = [F; 10];
        y[0] = T;
        let r = binary_report(&s, &y, 0.5, 500, 7).unwrap();
        let auc = r.roc_auc.unwrap();
        assert!(auc.resamples > 200 && auc.resamples < 450, "{auc:?}");
        assert_eq!(auc.estimate, 1.0);
        assert_eq!(r.brier.resamples, 500);
    }

    #[test]
    fn report_without_bootstrap_or_with_one_class() {
        let r = binary_report(&[0.2, 0.7], &[F, F], 0.5, 0, 1).unwrap();
        assert_eq!((r.roc_auc, r.pr_auc), (None, None));
        assert_eq!(r.brier.resamples, 0);
        assert_eq!((r.brier.lo, r.brier.hi), (r.brier.estimate, r.brier.estimate));
        assert_abs_diff_eq!(r.brier.estimate, (0.04 + 0.49) / 2.0, epsilon = 1e-12);
    }

    #[test]
    fn report_rejects_bad_input() {
        assert_eq!(
            binary_report(&[0.5], &[T, F], 0.5, 0, 0),
            Err(EvalError::LengthMismatch { what: "labels", expected: 1, found: 2 })
        );
        assert_eq!(binary_report(&[], &[], 0.5, 0, 0), Err(EvalError::Empty));
        assert_eq!(
            binary_report(&[0.5, 1.5], &[T, F], 0.5, 0, 0),
            Err(EvalError::InvalidScore { index: 1, value: 1.5 })
        );
        assert!(matches!(
            binary_report(&[f64::NAN], &[T], 0.5, 0, 0),
            Err(EvalError::InvalidScore { index: 0, .. })
        ));
        assert!(matches!(
            binary_report(&[0.5], &[T], f64::NAN, 0, 0),
            Err(EvalError::InvalidThreshold(_))
        ));
    }

    #[test]
    fn multiclass_matches_sklearn() {
        // f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro') =
        // 0.26666666666666666; per class precision (2/3, 0, 0), recall (1, 0, 0),
        // F1 (0.8, 0, 0), support 2 each (scikit-learn 1.9.1).
        let truth = [0, 1, 2, 0, 1, 2];
        let pred = [0, 2, 1, 0, 0, 1];
        let m = ConfusionMatrix::new(&pred, &truth, 3);
        assert_eq!(m.counts, vec![vec![2, 0, 0], vec![1, 0, 1], vec![0, 2, 0]]);
        assert_abs_diff_eq!(m.macro_f1().unwrap(), 0.266_666_666_666_666_66, epsilon = 1e-12);
        assert_abs_diff_eq!(m.accuracy().unwrap(), 2.0 / 6.0, epsilon = 1e-12);
        let per = m.class_metrics();
        assert_abs_diff_eq!(per[0].precision, 2.0 / 3.0, epsilon = 1e-12);
        assert_abs_diff_eq!(per[0].f1, 0.8, epsilon = 1e-12);
        assert_eq!((per[0].recall, per[1].f1, per[2].support), (1.0, 0.0, 2));

        // A class that never occurs is left out of the macro average, as in
        // scikit-learn without `labels`: f1_score([0,1,1,0], [0,1,0,0],
        // average='macro') = 0.7333333333333334 even with 4 classes here.
        let m = ConfusionMatrix::new(&[0, 1, 0, 0], &[0, 1, 1, 0], 4);
        assert_abs_diff_eq!(m.macro_f1().unwrap(), 0.733_333_333_333_333_4, epsilon = 1e-12);
        assert_eq!(ConfusionMatrix::new(&[], &[], 3).macro_f1(), None);
        assert_eq!(ConfusionMatrix::new(&[], &[], 3).accuracy(), None);
    }

    #[test]
    fn multiclass_probabilistic_scores_match_sklearn() {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2],
        // [.35, .65]]) = 0.21616187468057912 (scikit-learn doc example, 1.9.1).
        let probs = vec![vec![0.1, 0.9], vec![0.9, 0.1], vec![0.8, 0.2], vec![0.35, 0.65]];
        assert_abs_diff_eq!(
            log_loss(&probs, &[1, 0, 0, 1]).unwrap(),
            0.216_161_874_680_579_12,
            epsilon = 1e-12
        );

        // brier_score_loss and log_loss on these rows in scikit-learn 1.9.1:
        // 0.465 (by hand: (0.14 + 0.86 + 0.24 + 0.62) / 4) and 0.7469410259762036.
        let probs = vec![
            vec![0.7, 0.2, 0.1],
            vec![0.1, 0.6, 0.3],
            vec![0.2, 0.2, 0.6],
            vec![0.5, 0.4, 0.1],
        ];
        let truth = [0, 2, 2, 1];
        assert_abs_diff_eq!(multiclass_brier(&probs, &truth).unwrap(), 0.465, epsilon = 1e-12);
        assert_abs_diff_eq!(
            log_loss(&probs, &truth).unwrap(),
            0.746_941_025_976_203_6,
            epsilon = 1e-12
        );
        // A certain mistake is clipped, not infinite.
        let clipped = log_loss(&[vec![1.0, 0.0]], &[1]).unwrap();
        assert_abs_diff_eq!(clipped, -f64::EPSILON.ln(), epsilon = 1e-9);
        assert_eq!(multiclass_brier(&[], &[]), None);
        assert_eq!(log_loss(&[], &[]), None);
    }

    #[test]
    fn multiclass_report_bootstraps_and_validates() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let truth: Vec<usize> = (0..300).map(|_| rng.random_range(0..3)).collect();
        let pred: Vec<usize> = truth
            .iter()
            .map(|&t| if rng.random_bool(0.7) { t } else { rng.random_range(0..3) })
            .collect();
        let probs: Vec<Vec<f64>> = pred
            .iter()
            .map(|&p| (0..3).map(|k| if k == p { 0.6 } else { 0.2 }).collect())
            .collect();
        let names = ["news", "opinion", "other"];
        let a = multiclass_report(&pred, Some(&probs), &truth, &names, 200, 9).unwrap();
        assert_eq!(a, multiclass_report(&pred, Some(&probs), &truth, &names, 200, 9).unwrap());
        let m = ConfusionMatrix::new(&pred, &truth, 3);
        assert_eq!(a.macro_f1.estimate, m.macro_f1().unwrap());
        assert_eq!(a.accuracy.estimate, m.accuracy().unwrap());
        for iv in [a.accuracy, a.macro_f1] {
            assert!(iv.lo <= iv.estimate && iv.estimate <= iv.hi && iv.lo < iv.hi, "{iv:?}");
            assert_eq!(iv.resamples, 200);
        }
        assert_eq!(a.brier, multiclass_brier(&probs, &truth));
        assert_eq!(a.per_class.iter().map(|c| c.support).sum::<usize>(), 300);
        let none = multiclass_report(&pred, None, &truth, &names, 0, 9).unwrap();
        assert_eq!((none.brier, none.log_loss, none.accuracy.resamples), (None, None, 0));

        let no_names: [&str; 0] = [];
        assert_eq!(multiclass_report(&[0], None, &[0], &no_names, 0, 0), Err(EvalError::NoClasses));
        assert_eq!(multiclass_report(&[], None, &[], &names, 0, 0), Err(EvalError::Empty));
        assert_eq!(
            multiclass_report(&[0, 3], None, &[0, 1], &names, 0, 0),
            Err(EvalError::ClassOutOfRange { what: "pred", index: 1, class: 3, n_classes: 3 })
        );
        let narrow = vec![vec![0.5, 0.5]];
        assert_eq!(
            multiclass_report(&[0], Some(&narrow), &[0], &names, 0, 0),
            Err(EvalError::ProbsWidth { index: 0, found: 2, n_classes: 3 })
        );
    }

    #[test]
    fn stratified_folds_balance_every_class() {
        // Classes of 17, 5, 2 and 1 rows, interleaved.
        let mut labels = vec![0; 17];
        labels.extend([1; 5]);
        labels.extend([2; 2]);
        labels.push(7);
        labels.rotate_left(6);
        for k in [1, 2, 3, 4, 5, 10] {
            let folds = stratified_folds(&labels, k, 3).unwrap();
            assert_eq!(folds, stratified_folds(&labels, k, 3).unwrap());
            assert!(folds.iter().all(|&f| f < k));
            let spread = |rows: Vec<usize>| {
                let mut per_fold = vec![0; k];
                rows.iter().for_each(|&f| per_fold[f] += 1);
                per_fold.iter().max().unwrap() - per_fold.iter().min().unwrap()
            };
            for class in [0, 1, 2, 7] {
                let in_class = folds.iter().zip(&labels).filter(|(_, l)| **l == class);
                assert!(spread(in_class.map(|(f, _)| *f).collect()) <= 1, "class {class}, k {k}");
            }
            assert!(spread(folds.clone()) <= 1, "k {k}");
        }
        assert_ne!(stratified_folds(&labels, 5, 3), stratified_folds(&labels, 5, 4));
        assert_eq!(stratified_folds(&labels, 0, 3), Err(EvalError::ZeroFolds));
        assert_eq!(stratified_folds(&[], 3, 3), Ok(vec![]));
    }

    #[test]
    fn group_folds_never_split_a_group() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let groups: Vec<u64> = (0..500).map(|_| rng.random_range(0..60) * 1_000_003).collect();
        let folds = group_folds(&groups, 5, 2).unwrap();
        assert_eq!(folds, group_folds(&groups, 5, 2).unwrap());
        let mut fold_of = HashMap::new();
        for (&g, &f) in groups.iter().zip(&folds) {
            assert!(f < 5);
            assert_eq!(*fold_of.entry(g).or_insert(f), f, "group {g} split");
        }
        // Greedy placement keeps folds within one group's size of each other.
        let mut sizes = [0usize; 5];
        folds.iter().for_each(|&f| sizes[f] += 1);
        let largest_group = {
            let mut n = HashMap::new();
            groups.iter().for_each(|&g| *n.entry(g).or_insert(0) += 1);
            n.into_values().max().unwrap()
        };
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= largest_group);

        // More folds than groups: each group alone, the rest empty.
        let few = group_folds(&[4, 4, 9], 5, 0).unwrap();
        assert_eq!(few[0], few[1]);
        assert_ne!(few[0], few[2]);
        assert_eq!(group_folds(&[1, 2], 0, 0), Err(EvalError::ZeroFolds));
    }

    #[test]
    fn render_binary_is_aligned() {
        let (s, y) = thirty();
        let r = binary_report(&s, &y, 0.5, 0, 0).unwrap();
        // Figures from scikit-learn 1.9.1 (see `thirty_rows_match_sklearn`);
        // the ECE recomputed with NumPy over calibration_curve's 10 bins;
        // the confusion counted by hand (flagged: 9 positives, 4 negatives).
        let expected = "\
n 30 (positives 11, 36.7%)
ROC-AUC   0.897
PR-AUC    0.820
Brier     0.131
ECE       0.080
precision 0.692
recall    0.818
F1        0.750
confusion at threshold 0.5
             pred +   pred -
  actual +        9        2
  actual -        4       15
ECE over 10 bins; no bootstrap intervals
";
        assert_eq!(render_binary(&r), expected);

        let r = binary_report(&s, &y, 0.3125, 100, 0).unwrap();
        let text = render_binary(&r);
        assert!(text.contains("confusion at threshold 0.3125\n"), "{text}");
        assert!(text.contains("intervals: 95% bootstrap percentile, 100 resamples, seed 0"));
        let auc = r.roc_auc.unwrap();
        assert!(text.contains(&format!("ROC-AUC   0.897  [{:.3}, {:.3}]", auc.lo, auc.hi)));
    }

    #[test]
    fn render_multiclass_is_aligned() {
        let names = ["news", "opinion", "x"];
        let r = multiclass_report(&[0, 2, 1, 0, 0, 1], None, &[0, 1, 2, 0, 1, 2], &names, 0, 0)
            .unwrap();
        let expected = "\
n 6, 3 classes
accuracy  0.333
macro-F1  0.267
  class    precision  recall     F1  support
  news         0.667   1.000  0.800        2
  opinion      0.000   0.000  0.000        2
  x            0.000   0.000  0.000        2
confusion (rows actual, columns predicted)
           news  opinion  x
  news        2        0  0
  opinion     1        0  1
  x           0        2  0
no bootstrap intervals
";
        assert_eq!(render_multiclass(&r), expected);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2400), "2,400");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(fmt_threshold(0.31), "0.31");
        assert_eq!(fmt_threshold(1.0), "1");
    }
}
