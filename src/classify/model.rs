//! Model files (`models/*.json`) and the [`FittedScorer`] they load into.
//!
//! A model file is self-contained: feature configuration, the lexicon texts it was fitted
//! with, feature names and idf, weights, calibration, threshold and a summary of the training
//! data. Lexicons are copied in so that editing `models/lexicons/` never silently changes what
//! a shipped model means; retrain to pick the edits up.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::{FeatureConfig, FeatureSpace, Input, SparseVec};
use super::lexicon::{LexiconError, LexiconSet};
use super::linear::{LinearModel, Platt};

/// The `format` field of every model file.
pub const MODEL_FORMAT: &str = "threadlens-model";
/// Version of the model file layout.
pub const MODEL_VERSION: u32 = 1;

/// The language of models that do not name one: English.
pub const DEFAULT_LANGUAGE: &str = "en";

/// [`DEFAULT_LANGUAGE`], for serde defaults.
pub fn default_language() -> String {
    DEFAULT_LANGUAGE.to_string()
}

/// Whether `language` is [`DEFAULT_LANGUAGE`] (then it is not written to a model file, so
/// English model files read and write as they did before the field).
pub fn is_default_language(language: &str) -> bool {
    language == DEFAULT_LANGUAGE
}

/// What a model scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Whether a comment is uncivil (binary).
    Incivility,
    /// A reply's relation to its parent: disagree, neutral, agree.
    Stance,
    /// A stance toward the user's own target, with the user's labels.
    Target,
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Incivility => "incivility",
            Task::Stance => "stance",
            Task::Target => "target",
        })
    }
}

/// A lexicon as stored in a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LexiconText {
    /// Name (the form or cue kind).
    pub name: String,
    /// The lexicon file's text.
    pub text: String,
}

/// One training dataset, as summarised in a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Short name (`c3`, `reddit`, …).
    pub name: String,
    /// File it was read from, as given to `train`.
    pub path: String,
    /// How its labels were made.
    pub labels: String,
    /// Rows read.
    pub rows: usize,
    /// Rows used for fitting, per class.
    pub train: Vec<usize>,
    /// Rows used for calibration and the threshold, per class.
    pub calibration: Vec<usize>,
    /// Rows held out (never used in training), per class.
    pub heldout: Vec<usize>,
}

/// How a model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The training parameters, enough to refit the same recipe (`evaluate --folds`).
    pub params: super::train::TrainParams,
    /// How features were selected.
    pub selection: String,
    /// How rows were split into train, calibration and held-out parts.
    pub split: String,
    /// The datasets.
    pub datasets: Vec<DatasetSummary>,
    /// Stable hashes ([`super::data::text_hash`]) of every text the model was fitted or
    /// calibrated on, sorted: `evaluate` leaves those rows out of its figures. Empty (and not
    /// written) in files from before the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_hashes: Vec<u64>,
    /// How the final model was fitted when not by the split rule alone (`train --refit-all`):
    /// the held-out figures taken first, then the refit on every row. Empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub final_fit: String,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A model file's contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Layout version, [`MODEL_VERSION`].
    pub version: u32,
    /// What the model scores.
    pub task: Task,
    /// Name of a target model: the column its labels go to in `comments` (letters, digits
    /// and `_`); `None` for the shipped tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Language of the comments the model was trained on (ISO 639-1: `en`, `de`); absent in
    /// files from before the field and in English ones.
    #[serde(default = "default_language", skip_serializing_if = "is_default_language")]
    pub language: String,
    /// threadlens version that trained it.
    pub threadlens_version: String,
    /// Feature configuration.
    pub features: FeatureConfig,
    /// Lexicons the `lex:` features count.
    pub lexicons: Vec<LexiconText>,
    /// Feature names, by index.
    pub feature_names: Vec<String>,
    /// Inverse document frequency per feature (1 for non-n-gram features).
    pub idf: Vec<f64>,
    /// Weights.
    pub model: LinearModel,
    /// Calibration of a binary model's probability.
    pub calibration: Option<Platt>,
    /// Decision threshold on the calibrated probability of a binary model.
    pub threshold: Option<f64>,
    /// Offsets added to a multinomial model's logits before the softmax (tuned for macro-F1
    /// on the calibration part); none = zeros.
    #[serde(default)]
    pub class_bias: Option<Vec<f64>>,
    /// Whether the probabilities were calibrated (binary: Platt scaling; multinomial: class
    /// offsets); `false` when a class had fewer than
    /// [`super::train::MIN_CALIBRATION_ROWS`] calibration rows. Absent (true) in older files.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub calibrated: bool,
    /// How it was trained.
    pub training: TrainingSummary,
}

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    // The cause is in the message, not also a `source`: an error chain printed it twice
    // ("… (os error 2): … (os error 2)", #13).
    #[error("could not read model '{path}': {cause}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The file is not a model file.
    #[error("'{path}' is not a threadlens model file: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A lexicon in the file does not compile.
    #[error("model '{path}': {source}")]
    Lexicon {
        /// The file.
        path: String,
        /// The cause.
        source: LexiconError,
    },
}

/// Whether `name` can name a column: ASCII letters, digits and `_`, not starting with a digit.
pub fn is_column_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A loaded model, ready to score.
#[derive(Clone, Debug)]
pub struct FittedScorer {
    file: ModelFile,
    space: FeatureSpace,
    lexicons: LexiconSet,
}

impl FittedScorer {
    /// Builds a scorer from a model file's contents; `origin` names it in errors.
    pub fn new(file: ModelFile, origin: &str) -> Result<FittedScorer, ModelError> {
        let fmt_err = |message: String| ModelError::Format { path: origin.to_string(), message };
        if file.format != MODEL_FORMAT {
            return Err(fmt_err(format!("format is `{}`, expected `{MODEL_FORMAT}`", file.format)));
        }
        if file.version != MODEL_VERSION {
            return Err(fmt_err(format!(
                "layout version {} is not supported (this threadlens reads {MODEL_VERSION})",
                file.version
            )));
        }
        let n = file.feature_names.len();
        if file.idf.len() != n
            || file.model.weights.iter().any(|w| w.len() != n)
            || file.model.weights.len() != file.model.intercept.len()
            || file.model.weights.is_empty()
        {
            return Err(fmt_err(format!(
                "{n} feature names but {} idf values and weight vectors of lengths {:?}",
                file.idf.len(),
                file.model.weights.iter().map(Vec::len).collect::<Vec<_>>()
            )));
        }
        let expected = if file.model.weights.len() == 1 { 2 } else { file.model.weights.len() };
        if file.model.classes.len() != expected {
            return Err(fmt_err(format!(
                "{} classes for {} weight vectors",
                file.model.classes.len(),
                file.model.weights.len()
            )));
        }
        if let Some(name) = &file.name
            && !is_column_name(name)
        {
            return Err(fmt_err(format!(
                "name `{name}` is not a column name (letters, digits and `_`, not starting \
                 with a digit)"
            )));
        }
        if let Some(b) = &file.class_bias
            && (b.len() != file.model.classes.len() || b.iter().any(|x| !x.is_finite()))
        {
            return Err(fmt_err(format!(
                "{} class offsets for {} classes",
                b.len(),
                file.model.classes.len()
            )));
        }
        let pairs: Vec<(&str, &str)> =
            file.lexicons.iter().map(|l| (l.name.as_str(), l.text.as_str())).collect();
        let lexicons = LexiconSet::parse(&pairs)
            .map_err(|source| ModelError::Lexicon { path: origin.to_string(), source })?;
        let space = FeatureSpace::new(
            file.features.clone(),
            file.feature_names.clone(),
            file.idf.clone(),
            &lexicons,
        );
        Ok(FittedScorer { file, space, lexicons })
    }

    /// Parses a model file's JSON text.
    pub fn from_json(json: &str, origin: &str) -> Result<FittedScorer, ModelError> {
        let file: ModelFile = serde_json::from_str(json)
            .map_err(|e| ModelError::Format { path: origin.to_string(), message: e.to_string() })?;
        FittedScorer::new(file, origin)
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<FittedScorer, ModelError> {
        let origin = path.display().to_string();
        let json = std::fs::read_to_string(path)
            .map_err(|cause| ModelError::Io { path: origin.clone(), cause })?;
        FittedScorer::from_json(&json, &origin)
    }

    /// The model file's contents.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// What the model scores.
    pub fn task(&self) -> Task {
        self.file.task
    }

    /// Language of the comments the model was trained on (ISO 639-1: `en`, `de`).
    pub fn language(&self) -> &str {
        &self.file.language
    }

    /// The name of a target model (its column).
    pub fn name(&self) -> Option<&str> {
        self.file.name.as_deref()
    }

    /// Class names.
    pub fn classes(&self) -> &[String] {
        &self.file.model.classes
    }

    /// The feature space.
    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// The lexicons.
    pub fn lexicons(&self) -> &LexiconSet {
        &self.lexicons
    }

    /// The linear model.
    pub fn model(&self) -> &LinearModel {
        &self.file.model
    }

    /// The decision threshold of a binary model (0.5 when the file gives none).
    pub fn threshold(&self) -> f64 {
        self.file.threshold.unwrap_or(0.5)
    }

    /// The feature vector of an input.
    pub fn vectorize(&self, input: Input<'_>) -> SparseVec {
        self.space.vectorize(input, &self.lexicons)
    }

    /// Class probabilities of a feature vector; a binary model's are calibrated.
    pub fn probabilities_of(&self, x: &SparseVec) -> Vec<f64> {
        match (self.file.model.is_binary(), self.file.calibration) {
            (true, Some(platt)) => {
                let p = platt.apply(self.file.model.logit(x));
                vec![1.0 - p, p]
            }
            (false, _) => match &self.file.class_bias {
                Some(bias) => {
                    let z: Vec<f64> =
                        self.file.model.logits(x).iter().zip(bias).map(|(z, b)| z + b).collect();
                    super::linear::softmax(&z)
                }
                None => self.file.model.probabilities(x),
            },
            _ => self.file.model.probabilities(x),
        }
    }

    /// Class probabilities of an input.
    pub fn probabilities(&self, input: Input<'_>) -> Vec<f64> {
        self.probabilities_of(&self.vectorize(input))
    }

    /// The (calibrated) probability of the positive class of a binary model.
    pub fn positive(&self, input: Input<'_>) -> f64 {
        self.probabilities(input)[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_defaults_to_english_and_is_written_only_when_not() {
        let english = super::super::incivility::shipped_model();
        assert_eq!(english.language(), "en");
        assert!(
            !super::super::incivility::SHIPPED_MODEL.contains("\"language\""),
            "the English model file has no language field"
        );
        let value = serde_json::to_value(english.file()).unwrap();
        assert!(value.get("language").is_none(), "English files stay as they were");
        assert!(value["training"]["params"].get("language").is_none());

        let mut file = english.file().clone();
        file.language = "de".into();
        file.training.params.language = "de".into();
        let json = serde_json::to_string(&file).unwrap();
        assert!(json.contains("\"language\":\"de\""), "German files name their language");
        let german = FittedScorer::from_json(&json, "de.json").unwrap();
        assert_eq!(german.language(), "de");
        assert_eq!(german.file().training.params.language, "de");
    }
}
