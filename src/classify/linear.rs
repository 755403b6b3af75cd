//! Linear models: linfa fits them on dense matrices, a sparse dot product scores them.
//!
//! A binary model holds one weight vector (the log-odds of the positive class, as linfa's
//! `FittedLogisticRegression`); a multinomial one holds one per class (softmax, as
//! `MultiFittedLogisticRegression`). [`LinearModel::probabilities`] reproduces linfa's
//! `predict_probabilities` on a sparse vector; a test checks they agree to 1e-6.

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::features::SparseVec;

/// A fitted linear model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// Class names; for a binary model `[negative, positive]`.
    pub classes: Vec<String>,
    /// Intercepts: one for a binary model, one per class otherwise.
    pub intercept: Vec<f64>,
    /// Weights, one vector per intercept, each as long as the feature space.
    pub weights: Vec<Vec<f64>>,
}

/// Platt scaling: `p = 1 / (1 + exp(-(a · logit + b)))`, fitted on data the model did not see.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope on the raw log-odds.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Platt {
    /// The calibrated probability of a raw log-odds.
    pub fn apply(&self, logit: f64) -> f64 {
        sigmoid(self.a * logit + self.b)
    }

    /// Fits the scaling on raw log-odds and labels with linfa (a one-feature logistic
    /// regression, lightly regularised).
    pub fn fit(logits: &[f64], labels: &[bool]) -> Result<Platt, linfa_logistic::error::Error> {
        let x = Array2::from_shape_vec((logits.len(), 1), logits.to_vec())
            .expect("one column per logit");
        let y = Array1::from_vec(labels.to_vec());
        let fitted = LogisticRegression::default()
            .alpha(1e-3)
            .max_iterations(200)
            .fit(&Dataset::new(x, y))?;
        // As in `fit_binary`: linfa models P(the more frequent label).
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        Ok(Platt { a: sign * fitted.params()[0], b: sign * fitted.intercept() })
    }
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl LinearModel {
    /// Whether the model is binary (one weight vector).
    pub fn is_binary(&self) -> bool {
        self.weights.len() == 1
    }

    /// Raw scores: the log-odds of the positive class for a binary model, one logit per class
    /// otherwise.
    pub fn logits(&self, x: &SparseVec) -> Vec<f64> {
        self.weights.iter().zip(&self.intercept).map(|(w, b)| b + x.dot(w)).collect()
    }

    /// The log-odds of the positive class of a binary model.
    pub fn logit(&self, x: &SparseVec) -> f64 {
        self.intercept[0] + x.dot(&self.weights[0])
    }

    /// Class probabilities, in [`classes`](Self::classes) order.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f64> {
        let z = self.logits(x);
        if self.is_binary() {
            let p = sigmoid(z[0]);
            vec![1.0 - p, p]
        } else {
            softmax(&z)
        }
    }

    /// Fits a binary model with linfa's logistic regression (L2 penalty `alpha`, L-BFGS).
    pub fn fit_binary(
        x: Array2<f64>,
        y: &[bool],
        classes: [&str; 2],
        alpha: f64,
        max_iterations: u64,
    ) -> Result<(LinearModel, linfa_logistic::FittedLogisticRegression<f64, bool>), FitError> {
        if !y.iter().any(|&b| b) || y.iter().all(|&b| b) {
            return Err(FitError::OneClass);
        }
        let ds = Dataset::new(x, Array1::from_vec(y.to_vec()));
        let fitted = LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(max_iterations)
            .gradient_tolerance(1e-5)
            .fit(&ds)?;
        // linfa's "positive" class is the more frequent one, whichever it is: its
        // `predict_probabilities` gives P(majority). Ours are the log-odds of `true`.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let model = LinearModel {
            classes: classes.iter().map(|s| s.to_string()).collect(),
            intercept: vec![sign * fitted.intercept()],
            weights: vec![fitted.params().iter().map(|w| sign * w).collect()],
        };
        Ok((model, fitted))
    }

    /// Fits a multinomial model with linfa; `y` holds class indices into `classes`.
    pub fn fit_multi(
        x: Array2<f64>,
        y: &[usize],
        classes: &[String],
        alpha: f64,
        max_iterations: u64,
    ) -> Result<(LinearModel, linfa_logistic::MultiFittedLogisticRegression<f64, usize>), FitError>
    {
        let present: std::collections::BTreeSet<usize> = y.iter().copied().collect();
        if present.len() != classes.len() {
            return Err(FitError::MissingClass);
        }
        let ds = Dataset::new(x, Array1::from_vec(y.to_vec()));
        let fitted = MultiLogisticRegression::default()
            .alpha(alpha)
            .max_iterations(max_iterations)
            .gradient_tolerance(1e-5)
            .fit(&ds)?;
        // linfa orders its classes ascending; ours are 0..k, so they line up.
        debug_assert_eq!(fitted.classes(), (0..classes.len()).collect::<Vec<_>>());
        let params = fitted.params();
        let model = LinearModel {
            classes: classes.to_vec(),
            intercept: fitted.intercept().to_vec(),
            weights: (0..classes.len()).map(|k| params.column(k).to_vec()).collect(),
        };
        Ok((model, fitted))
    }
}

/// Softmax of logits.
pub fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

/// Why a model could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The labels hold one class only.
    #[error("the training labels hold one class only; need both")]
    OneClass,
    /// A class has no example.
    #[error("every class needs at least one training example")]
    MissingClass,
    /// linfa failed.
    #[error("linfa could not fit the model: {0}")]
    Linfa(#[from] linfa_logistic::error::Error),
}

/// Builds the dense matrix linfa fits on from sparse rows over `n_features` features.
///
/// The matrix is column-major (Fortran order): linfa's gradient multiplies `xᵀ` by a vector,
/// which ndarray (without BLAS) does row by row of `xᵀ`; column-major `x` makes those rows
/// contiguous. With row-major `x` every step strides across the whole matrix and a fit on
/// 20k × 10k took over ten minutes instead of about one. `x · w` goes through
/// `matrixmultiply`, which is fast in either layout.
pub fn dense(rows: &[SparseVec], n_features: usize) -> Array2<f64> {
    use ndarray::ShapeBuilder;
    let mut x = Array2::zeros((rows.len(), n_features).f());
    for (r, v) in rows.iter().enumerate() {
        for (&i, &val) in v.indices.iter().zip(&v.values) {
            x[[r, i as usize]] = val;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Random sparse rows with labels that depend on a few features.
    fn sample(n: usize, f: usize, seed: u64) -> (Vec<SparseVec>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let mut v = SparseVec::default();
            for i in 0..f {
                if rng.random_bool(0.3) {
                    v.indices.push(i as u32);
                    v.values.push(rng.random_range(0.0..1.0));
                }
            }
            let s: f64 = v.indices.iter().zip(&v.values).map(|(&i, x)| x * (i as f64 - 2.0)).sum();
            let noisy = s + rng.random_range(-1.0..1.0);
            labels.push(if noisy > 1.0 {
                2
            } else if noisy > -0.5 {
                1
            } else {
                0
            });
            rows.push(v);
        }
        (rows, labels)
    }

    /// linfa's `predict_probabilities` is P(the more frequent class); ours is P(`true`).
    fn linfa_p_true(
        fitted: &linfa_logistic::FittedLogisticRegression<f64, bool>,
        x: &Array2<f64>,
    ) -> Vec<f64> {
        let p = fitted.predict_probabilities(x);
        if fitted.labels().pos.class { p.to_vec() } else { p.iter().map(|p| 1.0 - p).collect() }
    }

    #[test]
    fn sparse_scores_match_linfa_binary() {
        // Both ways round: `true` the minority class, then the majority class.
        for (seed, positive) in [(1, 2), (4, 0)] {
            let (rows, labels) = sample(300, 7, seed);
            let y: Vec<bool> = labels.iter().map(|&l| l != positive).collect();
            let x = dense(&rows, 7);
            let (model, fitted) =
                LinearModel::fit_binary(x.clone(), &y, ["no", "yes"], 0.1, 200).expect("fits");
            for (row, want) in rows.iter().zip(linfa_p_true(&fitted, &x)) {
                approx::assert_abs_diff_eq!(model.probabilities(row)[1], want, epsilon = 1e-6);
            }
        }
    }

    #[test]
    fn binary_scores_rise_with_the_positive_class_whichever_is_larger() {
        // Regression: linfa calls the more frequent class "positive"; when `true` was the
        // minority the shipped model scored backwards (ROC-AUC 0.02 on held-out data).
        for share_true in [0.1, 0.9] {
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let mut rows = Vec::new();
            let mut y = Vec::new();
            for _ in 0..400 {
                let is_true = rng.random_bool(share_true);
                let v = if is_true { 1.0 } else { 0.0 } + rng.random_range(-0.3..0.3);
                rows.push(SparseVec { indices: vec![0], values: vec![v] });
                y.push(is_true);
            }
            let (model, _) =
                LinearModel::fit_binary(dense(&rows, 1), &y, ["no", "yes"], 0.1, 200).unwrap();
            assert!(model.weights[0][0] > 0.0, "share {share_true}: {model:?}");
            let hi = SparseVec { indices: vec![0], values: vec![1.0] };
            assert!(model.probabilities(&hi)[1] > 0.5, "share {share_true}");
        }
    }

    #[test]
    fn sparse_scores_match_linfa_multinomial() {
        let (rows, labels) = sample(300, 7, 2);
        let x = dense(&rows, 7);
        let classes: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let (model, fitted) =
            LinearModel::fit_multi(x.clone(), &labels, &classes, 0.1, 200).expect("fits");
        let expected = fitted.predict_probabilities(&x);
        for (row, want) in rows.iter().zip(expected.rows()) {
            let got = model.probabilities(row);
            for k in 0..3 {
                approx::assert_abs_diff_eq!(got[k], want[k], epsilon = 1e-6);
            }
        }
    }

    #[test]
    fn one_class_is_rejected() {
        let x = Array2::zeros((3, 2));
        let err = LinearModel::fit_binary(x, &[true, true, true], ["n", "p"], 1.0, 10);
        assert!(matches!(err, Err(FitError::OneClass)));
    }

    #[test]
    fn platt_fixes_overconfident_scores() {
        // Log-odds twice too large: the fitted slope comes out near 1/2.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut logits = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..4000 {
            let z: f64 = rng.random_range(-4.0..4.0);
            labels.push(rng.random_bool(sigmoid(z)));
            logits.push(2.0 * z);
        }
        let p = Platt::fit(&logits, &labels).unwrap();
        assert!((p.a - 0.5).abs() < 0.08, "{p:?}");
        assert!(p.b.abs() < 0.15, "{p:?}");
    }

    #[test]
    fn platt_keeps_its_direction_when_positives_are_rare() {
        // Regression: with `true` the minority, linfa's "positive" class is `false`, and the
        // fitted slope came out negative, turning every calibrated score around.
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let (mut logits, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..4000 {
            let z: f64 = rng.random_range(-6.0..2.0);
            labels.push(rng.random_bool(sigmoid(z)));
            logits.push(z);
        }
        assert!(labels.iter().filter(|&&l| l).count() < 1500, "positives are the minority");
        let p = Platt::fit(&logits, &labels).unwrap();
        assert!((p.a - 1.0).abs() < 0.15, "{p:?}");
        assert!(p.b.abs() < 0.25, "{p:?}");
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        approx::assert_abs_diff_eq!(sigmoid(0.0), 0.5);
    }
}
