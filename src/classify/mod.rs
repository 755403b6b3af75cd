//! Comment classifiers: incivility (binary, calibrated, with forms and cues), stance
//! (disagree / neutral / agree with the parent) and users' own stance targets.
//!
//! Models are fitted with linfa's logistic regression on a bounded, named feature set
//! ([`features`]) and stored as JSON in `models/` ([`model::ModelFile`]); at run time a
//! [`FittedScorer`] scores with a sparse dot product over the same features, which a test
//! checks against linfa's `predict_probabilities`.
//!
//! # Example
//! ```
//! use threadlens::classify::incivility;
//!
//! let scorer = incivility::shipped_model();
//! let s = incivility::score(&scorer, "You're a bellend, you prick.", &[]);
//! assert!(s.forms.contains(&"name_calling".to_string()));
//! assert!(s.cues.iter().any(|c| c.text == "bellend"));
//! ```

pub mod context;
pub mod data;
pub mod features;
pub mod incivility;
pub mod lexicon;
pub mod linear;
pub mod model;
pub mod side;
pub mod spans;
pub mod stance;
pub mod text;
pub mod train;

pub use model::{FittedScorer, ModelError, ModelFile, Task};
