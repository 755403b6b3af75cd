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
    vec![lex!("agree"), lex!("disagree")]
}
