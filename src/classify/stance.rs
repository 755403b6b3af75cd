//! Stance: a comment's relation to what it replies to (disagree, neutral, agree), and the
//! cue lexicons the stance model counts.

use super::model::LexiconText;

/// The relations, in the order of the stance model's classes.
pub const RELATIONS: [&str; 3] = ["disagree", "neutral", "agree"];

/// The stance lexicons shipped in `models/lexicons/stance/`.
pub fn shipped_lexicons() -> Vec<LexiconText> {
    macro_rules! lex {
        ($name:literal) => {
            LexiconText {
                name: $name.to_string(),
                text: include_str!(concat!("../../models/lexicons/stance/", $name, ".txt"))
                    .to_string(),
            }
        };
    }
    vec![lex!("agree"), lex!("disagree"), lex!("positive"), lex!("negative")]
}

use std::ops::Range;

use serde::Serialize;

use super::features::Input;
use super::model::{FittedScorer, Task};

/// The model shipped in `models/stance.json`, compiled into the binary.
pub const SHIPPED_MODEL: &str = include_str!("../../models/stance.json");

/// Loads the shipped stance model.
pub fn shipped_model() -> FittedScorer {
    FittedScorer::from_json(SHIPPED_MODEL, "models/stance.json")
        .expect("the shipped stance model loads (tested)")
}

/// A comment's relation to what it replies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// It rejects, corrects or contradicts its target.
    Disagree,
    /// Neither: a question, an aside, information.
    Neutral,
    /// It endorses or builds on its target.
    Agree,
}

impl Relation {
    /// The relation of a class index of the stance model ([`RELATIONS`] order).
    pub fn from_index(i: usize) -> Relation {
        match i {
            0 => Relation::Disagree,
            1 => Relation::Neutral,
            _ => Relation::Agree,
        }
    }

    /// Its name in tables and reports.
    pub fn as_str(self) -> &'static str {
        RELATIONS[self as usize]
    }
}

/// The stance of one comment towards its target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StanceScore {
    /// The most probable relation.
    pub relation: Relation,
    /// Probabilities of disagree, neutral and agree.
    pub probabilities: [f64; 3],
}

impl StanceScore {
    /// The probability of the chosen relation.
    pub fn confidence(&self) -> f64 {
        self.probabilities[self.relation as usize]
    }
}

/// Scores a comment's `text` (leaving out the byte ranges in `quotes`) against `target`, the
/// text it replies to.
///
/// # Panics
/// If `scorer` is not a stance model with the classes disagree, neutral, agree.
pub fn score(
    scorer: &FittedScorer,
    text: &str,
    quotes: &[Range<usize>],
    target: &str,
) -> StanceScore {
    score_input(scorer, Input { text, quotes, target: Some(target), ..Default::default() })
}

/// As [`score`], for an [`Input`] (with its target) that may carry the words of the text and
/// of the target already.
///
/// # Panics
/// As [`score`].
pub fn score_input(scorer: &FittedScorer, input: Input<'_>) -> StanceScore {
    assert_eq!(scorer.task(), Task::Stance, "a stance model");
    assert_eq!(scorer.classes(), RELATIONS, "stance classes");
    let p = scorer.probabilities(input);
    let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap_or(1);
    StanceScore { relation: Relation::from_index(best), probabilities: [p[0], p[1], p[2]] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::lexicon::LexiconSet;

    #[test]
    fn shipped_lexicons_parse_and_their_examples_hold() {
        let lexicons = shipped_lexicons();
        let pairs: Vec<(&str, &str)> =
            lexicons.iter().map(|l| (l.name.as_str(), l.text.as_str())).collect();
        let set = LexiconSet::parse(&pairs).expect("stance lexicons compile");
        let mut failures = Vec::new();
        for lex in set.lexicons() {
            let (yes, no) = lex.examples();
            assert!(yes >= 5 && no >= 3, "lexicon {} has too few examples", lex.name());
            failures.extend(lex.check_examples());
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn shipped_model_was_trained_with_the_shipped_lexicons() {
        let m = shipped_model();
        assert_eq!(m.task(), Task::Stance);
        assert_eq!(m.classes(), RELATIONS);
        assert!(
            m.file().lexicons == shipped_lexicons(),
            "models/lexicons/stance changed since models/stance.json was trained: retrain \
             (see models/stance.md)"
        );
    }

    #[test]
    fn clear_replies_get_the_expected_relation() {
        let m = shipped_model();
        let parent = "The council should scrap the new parking charges, they hurt local shops.";
        let agree = score(&m, "Exactly, well said. I agree completely.", &[], parent);
        let disagree =
            score(&m, "No, that's simply not true. You're wrong about the shops.", &[], parent);
        assert_eq!(agree.relation, Relation::Agree, "{agree:?}");
        assert_eq!(disagree.relation, Relation::Disagree, "{disagree:?}");
        approx::assert_abs_diff_eq!(agree.probabilities.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
        assert_eq!(agree.confidence(), agree.probabilities[2]);
    }
}
