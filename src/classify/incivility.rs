//! Incivility: a calibrated probability per comment, the forms present and the cues behind
//! the score.
//!
//! Forms follow Coe, Kenski & Rains (2014) — name-calling, aspersion, lying accusation,
//! vulgarity, pejorative for speech — plus identity attack and threat. A form is present when
//! its lexicon (`models/lexicons/incivility/<form>.txt`) matches outside quoted text. Cues are
//! those matches, plus the words the model weighs most towards incivility (label `model`).

use std::ops::Range;

use serde::Serialize;

use super::features::Input;
use super::model::{FittedScorer, LexiconText, Task};
use super::text::CharOffsets;

/// The forms of incivility, in the order they are reported.
pub const FORMS: [&str; 7] = [
    "name_calling",
    "aspersion",
    "lying_accusation",
    "vulgarity",
    "pejorative_speech",
    "identity_attack",
    "threat",
];

/// The label of cues that come from the model's weights rather than a lexicon.
pub const MODEL_CUE: &str = "model";

/// Most model cues per comment.
const MAX_MODEL_CUES: usize = 5;

/// Least log-odds contribution of a word n-gram for it to be shown as a model cue: below it,
/// n-grams are mostly not what a person marks as toxic (`threadlens spans`: model cues of
/// 0.15 and over cut the span F1 of the cues from 0.603 to 0.530; from 0.5 they cost nothing).
const MIN_MODEL_CUE: f64 = 0.5;

/// [`MIN_MODEL_CUE`] of the German model. Both are the lowest of [`MODEL_CUE_THRESHOLDS`]
/// whose span F1 of all cues on the training rows is within 0.001 of the best
/// (`threadlens spans` prints them, and a test checks the choice): 0.5 on the English toxic
/// spans, 1.0 on AustroTox's vulgar words, where weaker model cues cost F1 (0.710 at 0.5,
/// 0.743 from 1.0).
const MIN_MODEL_CUE_DE: f64 = 1.0;

/// The thresholds `threadlens spans` tries on the training rows (infinity: no model cues).
pub const MODEL_CUE_THRESHOLDS: [f64; 7] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, f64::INFINITY];

/// The least contribution of a model cue for a model of `language`.
pub fn min_model_cue(language: &str) -> f64 {
    match language {
        "de" => MIN_MODEL_CUE_DE,
        _ => MIN_MODEL_CUE,
    }
}

/// The label of cues that are words people mark as toxic in news comments (a word list
/// learned from the SemEval-2021 toxic-spans training rows, `models/spans/toxic-words-en.txt`,
/// or for German from AustroTox's vulgarity tags, `models/spans/toxic-words-de.txt`), found
/// outside the lexicon cues; English and German models.
pub const WORD_CUE: &str = "word";

/// Words people mark as toxic in English news comments (see [`WORD_CUE`]), one per line
/// after `#` comments, as `threadlens spans --write-words` writes them.
pub const TOXIC_WORDS_EN: &str = include_str!("../../models/spans/toxic-words-en.txt");

/// Words AustroTox tags as vulgar in Austrian news-forum comments (see [`WORD_CUE`]), in the
/// form of [`TOXIC_WORDS_EN`].
pub const TOXIC_WORDS_DE: &str = include_str!("../../models/spans/toxic-words-de.txt");

/// The words of a word list in `models/spans/`'s form: one per line, `#` lines comments.
pub fn list_words(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The toxic words of a model's language (English, German), in an FxHash set: looked up once
/// per word of every comment, where the standard SipHash set cost 2–3% of scoring (issue #17).
fn toxic_words(language: &str) -> Option<&'static rustc_hash::FxHashSet<&'static str>> {
    type Words = std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>>;
    static EN: Words = std::sync::OnceLock::new();
    static DE: Words = std::sync::OnceLock::new();
    match language {
        "en" => Some(EN.get_or_init(|| list_words(TOXIC_WORDS_EN).collect())),
        "de" => Some(DE.get_or_init(|| list_words(TOXIC_WORDS_DE).collect())),
        _ => None,
    }
}

/// Most cues kept per comment: the strongest (largest weight), the rest only counted in
/// [`IncivilityScore::more_cues`] (issue #13: a megabyte of insults gave hundreds of
/// thousands). Enough for any comment a person writes: the seeds' most has 7.
pub const MAX_CUES: usize = 50;

/// The seven lexicons of a folder of `models/lexicons/`, in [`FORMS`] order.
macro_rules! form_lexicons {
    ($dir:literal) => {{
        macro_rules! lex {
            ($name:literal) => {
                LexiconText {
                    name: $name.to_string(),
                    text: include_str!(concat!("../../models/lexicons/", $dir, "/", $name, ".txt"))
                        .to_string(),
                }
            };
        }
        vec![
            lex!("name_calling"),
            lex!("aspersion"),
            lex!("lying_accusation"),
            lex!("vulgarity"),
            lex!("pejorative_speech"),
            lex!("identity_attack"),
            lex!("threat"),
        ]
    }};
}

/// The incivility lexicons shipped in `models/lexicons/incivility/`, in [`FORMS`] order.
pub fn shipped_lexicons() -> Vec<LexiconText> {
    form_lexicons!("incivility")
}

/// The German incivility lexicons shipped in `models/lexicons/incivility-de/`, in [`FORMS`]
/// order (the same form names as the English ones).
pub fn shipped_lexicons_de() -> Vec<LexiconText> {
    form_lexicons!("incivility-de")
}

/// The model shipped in `models/incivility.json`, compiled into the binary.
pub const SHIPPED_MODEL: &str = include_str!("../../models/incivility.json");

/// Loads the shipped incivility model.
pub fn shipped_model() -> FittedScorer {
    FittedScorer::from_json(SHIPPED_MODEL, "models/incivility.json")
        .expect("the shipped incivility model loads (tested)")
}

/// The German model shipped in `models/incivility-de.json`, compiled into the binary.
pub const SHIPPED_MODEL_DE: &str = include_str!("../../models/incivility-de.json");

/// Loads the shipped German incivility model (`models/incivility-de.md`).
pub fn shipped_model_de() -> FittedScorer {
    FittedScorer::from_json(SHIPPED_MODEL_DE, "models/incivility-de.json")
        .expect("the shipped German incivility model loads (tested)")
}

/// Words that address or introduce an insult rather than carry it ("you prick", "what an
/// idiot", "du Trottel", "so ein Depp"): left out of the front of a lexicon cue's span, as a
/// person marking the toxic words leaves them out (SemEval-2021 toxic spans).
const ADDRESS: &[&str] = &[
    "you", "your", "you're", "youre", "u", "ur", "ya", "ye", "a", "an", "the", "such", "what",
    "are", "is", "so", "this", "that", "these", "those", "he", "she", "they", "he's", "she's",
    "they're", "it's", "bunch", "of", "total", "complete", "absolute", "utter", "du", "ihr", "sie",
    "ein", "eine", "einen", "einem", "so'n", "was", "für", "bist", "seid", "sind", "der", "die",
    "das", "alte", "alter", "blöde", "blöder",
];

/// `span` of `text` (bytes) without address words at its front and white space or punctuation
/// around it; the whole span when nothing else would be left.
fn marked_part(text: &str, span: Range<usize>) -> Range<usize> {
    let part = &text[span.clone()];
    let mut start = 0;
    loop {
        let rest = &part[start..];
        let word_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
            .unwrap_or(rest.len());
        let word = rest[..word_end].to_lowercase().replace('’', "'");
        let after = rest[word_end..].find(|c: char| c.is_alphanumeric()).map(|k| word_end + k);
        match after {
            Some(next) if word_end > 0 && ADDRESS.contains(&word.as_str()) => start += next,
            _ => break,
        }
    }
    let kept = part[start..].trim_end_matches(|c: char| !c.is_alphanumeric());
    if kept.is_empty() {
        return span;
    }
    span.start + start..span.start + start + kept.len()
}

/// Why a span counts towards incivility.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cue {
    /// Start, in characters (Unicode scalar values) from the start of the comment text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The form whose lexicon matched, or [`MODEL_CUE`].
    pub label: String,
    /// The text of the span.
    pub text: String,
    /// Its contribution to the log-odds of incivility.
    pub weight: f64,
}

/// The incivility of one comment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncivilityScore {
    /// Calibrated probability that the comment is uncivil.
    pub probability: f64,
    /// Whether the probability reaches the model's threshold.
    pub uncivil: bool,
    /// Forms present, in [`FORMS`] order.
    pub forms: Vec<String>,
    /// Cues, by position: the [`MAX_CUES`] strongest.
    pub cues: Vec<Cue>,
    /// Cues found beyond the [`MAX_CUES`] kept (weaker than every one kept), counted, not
    /// listed; 0 for nearly every comment.
    pub more_cues: usize,
}

/// Scores one comment's text, leaving out the byte ranges in `quotes`.
///
/// # Panics
/// If `scorer` is not an incivility model.
pub fn score(scorer: &FittedScorer, text: &str, quotes: &[Range<usize>]) -> IncivilityScore {
    score_input(scorer, Input { text, quotes, ..Default::default() })
}

/// As [`score`], for an [`Input`] that may carry the text's words already; its target is
/// not read.
///
/// # Panics
/// If `scorer` is not an incivility model.
pub fn score_input(scorer: &FittedScorer, input: Input<'_>) -> IncivilityScore {
    score_capped(scorer, input, MAX_CUES)
}

/// As [`score_input`], keeping the `max_cues` strongest cues. Time is O(t + m log m) in the
/// t bytes of the text and its m lexicon matches, whatever they are (issue #13).
///
/// # Panics
/// If `scorer` is not an incivility model.
pub fn score_capped(scorer: &FittedScorer, input: Input<'_>, max_cues: usize) -> IncivilityScore {
    score_with(scorer, input, max_cues, min_model_cue(scorer.language()))
}

/// As [`score_capped`], showing model cues of a contribution of `min_model_cue` or more.
///
/// # Panics
/// If `scorer` is not an incivility model.
pub fn score_with(
    scorer: &FittedScorer,
    input: Input<'_>,
    max_cues: usize,
    min_model_cue: f64,
) -> IncivilityScore {
    assert_eq!(scorer.task(), Task::Incivility, "an incivility model");
    let text = input.text;
    let input = Input { target: None, target_tokens: None, ..input };
    let (x, analysis) = scorer.space().analyse(input, scorer.lexicons());
    let probability = scorer.probabilities_of(&x)[1];
    let weights = &scorer.model().weights[0];
    let lexicons = scorer.lexicons().lexicons();

    // Lexicon cues share their form's contribution.
    let mut per_form = vec![0usize; lexicons.len()];
    for m in &analysis.matches {
        per_form[m.lexicon] += 1;
    }
    let contribution = |name: &str| {
        let i = scorer.space().lookup(super::text::feature_hash(name))?;
        let k = x.indices.binary_search(&i).ok()?;
        Some(x.values[k] * weights[i as usize])
    };
    // Cues as (weight, byte span, label) until the strongest are chosen; their text and
    // character offsets are worked out only for those kept.
    // The rank orders cues of one span: lexicons in their order, then the model.
    let mut found: Vec<(f64, Range<usize>, &str, usize)> =
        Vec::with_capacity(analysis.matches.len());
    let mut form_weight: Vec<Option<f64>> = vec![None; lexicons.len()];
    for m in &analysis.matches {
        let name = lexicons[m.lexicon].name();
        let w = *form_weight[m.lexicon].get_or_insert_with(|| {
            contribution(&format!("lex:{name}")).unwrap_or(0.0) / per_form[m.lexicon] as f64
        });
        // Insults and vulgar words are marked as words; threats, accusations and attacks on
        // groups ("you lot") as the phrases they are.
        let span = match name {
            "name_calling" | "vulgarity" | "aspersion" => marked_part(text, m.span.clone()),
            _ => m.span.clone(),
        };
        found.push((w, span, name, m.lexicon));
    }
    // Lexicon matches by start, each with the greatest end up to it: whether a span overlaps
    // any of them is one binary search (a scan of all of them made this quadratic).
    let mut lex_spans: Vec<Range<usize>> =
        analysis.matches.iter().map(|m| m.span.clone()).collect();
    if !lex_spans.is_sorted_by_key(|r| r.start) {
        lex_spans.sort_unstable_by_key(|r| r.start);
    }
    let reach: Vec<usize> = lex_spans
        .iter()
        .scan(0, |max, r| {
            *max = r.end.max(*max);
            Some(*max)
        })
        .collect();
    let overlaps_lexicon = |span: &Range<usize>| {
        let k = lex_spans.partition_point(|r| r.start < span.end);
        k > 0 && reach[k - 1] > span.start
    };

    // Word cues: words people mark as toxic, outside the lexicon cues, weighed by the model's
    // unigram contribution (the lexicon's share of the score is already on the lexicon cues).
    let mut unigram: std::collections::BTreeMap<usize, f64> = Default::default();
    let mut word_spans: Vec<Range<usize>> = Vec::new();
    if let Some(words) = toxic_words(scorer.language()) {
        for (i, t) in analysis.tokens.iter().enumerate() {
            if words.contains(t.norm.as_str()) && !overlaps_lexicon(&t.span) {
                word_spans.push(t.span.clone());
                unigram.insert(i, 0.0);
            }
        }
    }
    // Model cues: word n-grams with the largest positive contributions, not already covered.
    let mut word: Vec<(f64, usize, usize)> = Vec::new(); // (contribution, first token, n)
    let mut consider = |f: u32, i: usize, n: usize| {
        if let Ok(k) = x.indices.binary_search(&f) {
            let c = x.values[k] * weights[f as usize];
            if n == 1
                && let Some(w) = unigram.get_mut(&i)
            {
                *w = c;
            }
            if c >= min_model_cue {
                word.push((c, i, n));
            }
        }
    };
    // The word n-grams the features found, in the same order; hashed again only for a space
    // without a word block.
    match &analysis.word_hits {
        Some(hits) => hits.iter().for_each(|&(f, i, n)| consider(f, i, n)),
        None => super::text::for_each_word_ngram(
            &analysis.tokens,
            {
                let [lo, hi] = scorer.space().config().word_ngrams;
                lo..hi + 1
            },
            |h, i, n| {
                if let Some(f) = scorer.space().lookup(h) {
                    consider(f, i, n);
                }
            },
        ),
    }
    word.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut model_spans: Vec<Range<usize>> = Vec::new();
    for (c, i, n) in word {
        if model_spans.len() == MAX_MODEL_CUES {
            break;
        }
        let span = analysis.tokens[i].span.start..analysis.tokens[i + n - 1].span.end;
        let overlaps = |r: &Range<usize>| r.start < span.end && span.start < r.end;
        // Word cues are tokens, in order and apart: one binary search (not a scan per n-gram).
        let k = word_spans.partition_point(|r| r.end <= span.start);
        if overlaps_lexicon(&span)
            || model_spans.iter().any(overlaps)
            || word_spans.get(k).is_some_and(overlaps)
        {
            continue;
        }
        found.push((c, span.clone(), MODEL_CUE, usize::MAX));
        model_spans.push(span);
    }

    for (i, w) in unigram {
        found.push((w, analysis.tokens[i].span.clone(), WORD_CUE, usize::MAX - 1));
    }
    // The strongest `max_cues`, ties to the earlier; then by position.
    let place = |c: &(f64, Range<usize>, &str, usize)| (c.1.start, c.1.end, c.3);
    let by_strength = |a: &(f64, Range<usize>, &str, usize),
                       b: &(f64, Range<usize>, &str, usize)| {
        b.0.total_cmp(&a.0).then(place(a).cmp(&place(b)))
    };
    let more_cues = found.len().saturating_sub(max_cues);
    if more_cues > 0 {
        found.select_nth_unstable_by(max_cues, by_strength);
        found.truncate(max_cues);
    }
    found.sort_by_key(place);
    let mut offsets = CharOffsets::new(text);
    let cues: Vec<Cue> = found
        .into_iter()
        .map(|(weight, span, label, _)| {
            let start = offsets.at(span.start);
            Cue {
                start,
                end: start + text[span.clone()].chars().count(),
                label: label.to_string(),
                text: text[span].to_string(),
                weight,
            }
        })
        .collect();

    let forms = lexicons
        .iter()
        .zip(&per_form)
        .filter(|(_, n)| **n > 0)
        .map(|(l, _)| l.name().to_string())
        .collect();
    IncivilityScore {
        probability,
        uncivil: probability >= scorer.threshold(),
        forms,
        cues,
        more_cues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::lexicon::LexiconSet;

    #[test]
    fn german_models_mark_words_of_the_german_list() {
        // "Haufen" is in models/spans/toxic-words-de.txt and in no lexicon: a word cue of the
        // German model; the English model reads no German list.
        assert!(list_words(TOXIC_WORDS_DE).any(|w| w == "haufen"));
        let words = |m: &FittedScorer| -> Vec<String> {
            score(m, "So ein Haufen Deppen hier im Forum.", &[])
                .cues
                .iter()
                .filter(|c| c.label == WORD_CUE)
                .map(|c| c.text.clone())
                .collect()
        };
        assert_eq!(words(&shipped_model_de()), ["Haufen"]);
        assert!(words(&shipped_model()).is_empty());
    }

    #[test]
    fn shipped_lexicons_parse_and_their_examples_hold() {
        check_lexicons(shipped_lexicons());
    }

    #[test]
    fn german_lexicons_parse_and_their_examples_hold() {
        check_lexicons(shipped_lexicons_de());
        // German comments: umlauts, ß written ss, capitalised nouns, compounds.
        let lexicons = shipped_lexicons_de();
        let pairs: Vec<(&str, &str)> =
            lexicons.iter().map(|l| (l.name.as_str(), l.text.as_str())).collect();
        let set = LexiconSet::parse(&pairs).unwrap();
        let forms = |text: &str| {
            let mut f: Vec<&str> =
                set.matches(text, &[]).iter().map(|m| FORMS[m.lexicon]).collect();
            f.dedup();
            f
        };
        assert_eq!(forms("Scheiss-Klimaschützer."), ["vulgarity"]);
        assert_eq!(forms("Du VOLLIDIOT"), ["name_calling"]);
        assert_eq!(forms("Die LÜGENPRESSE lügt."), ["lying_accusation"]);
        assert_eq!(forms("Volksverräterin Merkel"), ["name_calling"]);
        assert_eq!(forms("Er lügt, der Luegner"), ["lying_accusation"]);
        assert!(forms("Ich danke Ihnen für den ausgewogenen Artikel über Österreich.").is_empty());
    }

    fn check_lexicons(lexicons: Vec<LexiconText>) {
        assert_eq!(lexicons.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), FORMS);
        let pairs: Vec<(&str, &str)> =
            lexicons.iter().map(|l| (l.name.as_str(), l.text.as_str())).collect();
        let set = LexiconSet::parse(&pairs).expect("shipped lexicons compile");
        let mut failures = Vec::new();
        for lex in set.lexicons() {
            assert!(!lex.is_empty(), "lexicon {} is empty", lex.name());
            let (yes, no) = lex.examples();
            assert!(
                yes >= 5 && no >= 3,
                "lexicon {} has too few examples ({yes}, {no})",
                lex.name()
            );
            failures.extend(lex.check_examples());
        }
        assert!(failures.is_empty(), "lexicon examples fail:\n{}", failures.join("\n"));
    }

    #[test]
    fn shipped_model_was_trained_with_the_shipped_lexicons() {
        // Editing models/lexicons/ changes nothing until the model is retrained; this keeps
        // the two from drifting apart unnoticed.
        let model = shipped_model();
        assert!(
            model.file().lexicons == shipped_lexicons(),
            "models/lexicons/incivility changed since models/incivility.json was trained: \
             retrain (see models/incivility.md)"
        );
        assert_eq!(model.task(), Task::Incivility);
        assert!(model.file().calibration.is_some() && model.file().threshold.is_some());
    }

    #[test]
    fn german_model_was_trained_with_the_german_lexicons() {
        // models/incivility-de.json is not compiled in here; read it from the repository.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/incivility-de.json");
        let model = FittedScorer::load(std::path::Path::new(path)).expect("the German model loads");
        assert_eq!(model.language(), "de");
        assert_eq!(model.task(), Task::Incivility);
        assert!(
            model.file().lexicons == shipped_lexicons_de(),
            "models/lexicons/incivility-de changed since models/incivility-de.json was trained: \
             retrain (see models/incivility-de.md)"
        );
        let s = score(&model, "Du bist ein Vollidiot und ein Lügner.", &[]);
        assert!(s.uncivil, "p = {}", s.probability);
        assert!(s.forms.contains(&"name_calling".to_string()), "{:?}", s.forms);
        let s = score(&model, "Vielen Dank für den ausgewogenen Artikel.", &[]);
        assert!(!s.uncivil, "p = {}", s.probability);
    }

    #[test]
    fn seed_insults_are_cues_of_their_comment() {
        // The Canary seed's comment 1.3 (issue #4).
        let text = "You’re a (obviously right-wing) bellend, you prick. With a name like that \
                    you must be another neuvo rich Indian. Stick to the Mail comments page, \
                    you prick.";
        let s = score(&shipped_model(), text, &[]);
        let cue_texts: Vec<String> = s.cues.iter().map(|c| c.text.to_lowercase()).collect();
        assert!(cue_texts.iter().any(|c| c == "bellend"), "{cue_texts:?}");
        assert!(cue_texts.iter().any(|c| c.contains("prick")), "{cue_texts:?}");
        assert!(s.forms.contains(&"name_calling".to_string()), "{:?}", s.forms);
        assert!(s.uncivil, "p = {}", s.probability);
        // Offsets are characters: the curly apostrophe before "re" is one.
        for c in &s.cues {
            let span: String = text.chars().skip(c.start).take(c.end - c.start).collect();
            assert_eq!(span, c.text);
        }
    }

    #[test]
    fn quoted_text_does_not_count_against_the_quoter() {
        let m = shipped_model();
        let text = "> You absolute prick, you bellend.\nPlease keep it civil, we can disagree.";
        let quote_end = text.find('\n').unwrap() + 1;
        let quoted = score(&m, text, std::slice::from_ref(&(0..quote_end)));
        let unquoted = score(&m, text, &[]);
        assert!(quoted.cues.iter().all(|c| c.start >= quote_end), "{:?}", quoted.cues);
        assert!(!quoted.forms.contains(&"name_calling".to_string()));
        assert!(quoted.probability < unquoted.probability);
        assert!(!quoted.uncivil, "p = {}", quoted.probability);
    }

    #[test]
    fn civil_disagreement_is_not_uncivil() {
        let m = shipped_model();
        for text in [
            "I disagree with the article: the figures on police shootings are per capita, and \
             the UK compares well.",
            "Thank you for a thoughtful piece. I hadn't considered the inquest process.",
        ] {
            let s = score(&m, text, &[]);
            assert!(!s.uncivil, "{text}: p = {}", s.probability);
        }
    }
}
