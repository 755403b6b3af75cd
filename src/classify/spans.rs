//! How well the cue spans of the incivility model agree with the words people mark as toxic:
//! the SemEval-2021 Task 5 (toxic spans) data and metric.
//!
//! The data (`tsd_train.csv`: `spans,text`, the spans a JSON list of the code-point offsets
//! of the toxic characters) is split by the hash rule the models use ([`super::data::split_of`],
//! one row per group); figures are on the held-out rows. The metric is SemEval's: per post, the
//! F1 of the predicted against the marked character offsets (1 when both are empty, 0 when one
//! is), averaged over the posts.
//!
//! Three predictions are compared with the model's cues: its lexicon cues alone, its `model`
//! cues alone, and a word list learned from the training rows' spans (each word marked when
//! most of its occurrences in the training posts are inside a marked span) — the baseline a
//! lexicon of toxic words reaches on this data.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::data::{DataError, Example, Split, split_of};
use super::incivility::{self, Cue, MODEL_CUE, WORD_CUE};
use super::model::FittedScorer;

/// Hash seed of the split (the shipped models' seed).
pub const SEED: u64 = 20231124;

/// One post with its marked characters.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanPost {
    /// The post.
    pub text: String,
    /// Code-point offsets of the characters marked toxic.
    pub marked: BTreeSet<usize>,
    /// 1-based line of the file where the row starts.
    pub line: u64,
}

/// Reads a SemEval toxic-spans CSV (`spans,text`).
pub fn load(path: &Path) -> Result<Vec<SpanPost>, DataError> {
    let err = |line: u64, message: String| DataError {
        path: path.display().to_string(),
        line: Some(line),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| DataError {
        path: path.display().to_string(),
        line: None,
        message: e.to_string(),
    })?;
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            err(1, format!("no `{name}` column (a SemEval toxic-spans file has `spans,text`)"))
        })
    };
    let (spans, text) = (col("spans")?, col("text")?);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let marked: Vec<usize> = serde_json::from_str(&rec[spans])
            .map_err(|e| err(line, format!("`spans` is not a list of offsets: {e}")))?;
        out.push(SpanPost {
            text: rec[text].to_string(),
            marked: marked.into_iter().collect(),
            line,
        });
    }
    Ok(out)
}

/// The split of a post (by its text, as for the other datasets without groups).
pub fn split(post: &SpanPost) -> Split {
    let ex = Example { text: post.text.clone(), ..Default::default() };
    split_of("toxic_spans", &ex, SEED)
}

/// SemEval-2021 Task 5's per-post F1 of `predicted` against `marked` characters.
pub fn f1(predicted: &BTreeSet<usize>, marked: &BTreeSet<usize>) -> f64 {
    match (predicted.is_empty(), marked.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let both = predicted.intersection(marked).count() as f64;
    if both == 0.0 {
        return 0.0;
    }
    let (p, r) = (both / predicted.len() as f64, both / marked.len() as f64);
    2.0 * p * r / (p + r)
}

/// The characters the cues cover that `keep` accepts.
pub fn cue_chars(cues: &[Cue], keep: impl Fn(&Cue) -> bool) -> BTreeSet<usize> {
    cues.iter().filter(|c| keep(c)).flat_map(|c| c.start..c.end).collect()
}

/// A word list learned from marked posts: the lower-cased words most of whose occurrences
/// are inside a marked span (at least [`WordList::MIN_COUNT`] occurrences).
#[derive(Clone, Debug, Default)]
pub struct WordList {
    words: std::collections::HashSet<String>,
}

/// Words of `text` as the models read them ([`super::text::tokens`]: lower-cased, apostrophes
/// straightened) with their code-point ranges.
fn words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut offsets = super::text::CharOffsets::new(text);
    super::text::tokens(text, &[])
        .into_iter()
        .map(|t| {
            let start = offsets.at(t.span.start);
            (t.norm, start..offsets.at(t.span.end))
        })
        .collect()
}

impl WordList {
    /// Occurrences a word needs in the training posts to be judged.
    pub const MIN_COUNT: usize = 5;

    /// Words naming who people are (identity groups, nationalities, religions, sexual
    /// orientation): never listed, whatever the raters marked. Marked in context ("Mexicans
    /// are …"), they are not toxic words, and a list of them would flag every comment that
    /// names a group (the identity-term bias of toxicity classifiers; the identity-attack
    /// lexicon reads such attacks as phrases).
    pub const IDENTITY: &'static [&'static str] = &[
        "gay",
        "gays",
        "lesbian",
        "lesbians",
        "homosexual",
        "homosexuals",
        "homosexuality",
        "transgender",
        "trans",
        "queer",
        "bisexual",
        "muslim",
        "muslims",
        "islam",
        "islamic",
        "jew",
        "jews",
        "jewish",
        "christian",
        "christians",
        "catholic",
        "catholics",
        "black",
        "blacks",
        "white",
        "whites",
        "mexican",
        "mexicans",
        "iranian",
        "iranians",
        "arab",
        "arabs",
        "african",
        "africans",
        "asian",
        "asians",
        "chinese",
        "immigrant",
        "immigrants",
        "women",
        "woman",
        "men",
        "man",
        "female",
        "females",
        "male",
        "males",
        "liberal",
        "liberals",
        "conservative",
        "conservatives",
        "democrat",
        "democrats",
        "republican",
        "republicans",
        "indian",
        "indians",
        "native",
        "natives",
    ];

    /// Learns the list from `posts`: a word is kept when more than half of its occurrences
    /// have their first character marked.
    pub fn learn<'a>(posts: impl IntoIterator<Item = &'a SpanPost>) -> WordList {
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        for p in posts {
            for (w, r) in words(&p.text) {
                let e = counts.entry(w).or_default();
                e.0 += 1;
                e.1 += usize::from(p.marked.contains(&r.start));
            }
        }
        let words = counts
            .into_iter()
            .filter(|(w, (n, m))| {
                *n >= Self::MIN_COUNT && 2 * m > *n && !Self::IDENTITY.contains(&w.as_str())
            })
            .map(|(w, _)| w)
            .collect();
        WordList { words }
    }

    /// The list as `models/spans/toxic-words-en.txt` holds it: a comment on how it was
    /// made, then the words in order, one per line.
    pub fn to_text(&self, source: &str) -> String {
        let mut words: Vec<&String> = self.words.iter().collect();
        words.sort();
        let mut out = format!(
            "# Words people mark as toxic in news comments: learned by `threadlens spans \
             --write-words` from\n# the training rows of {source} (SemEval-2021 toxic \
             spans, CC0): each word seen\n# at least {} times there, more than half of them \
             inside a marked span.\n",
            Self::MIN_COUNT
        );
        for w in words {
            out.push_str(w);
            out.push('\n');
        }
        out
    }

    /// The words of a list in [`to_text`](Self::to_text)'s form.
    pub fn from_text(text: &str) -> WordList {
        WordList { words: incivility::list_words(text).map(String::from).collect() }
    }

    /// Words in the list.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The characters of `text`'s words in the list.
    pub fn mark(&self, text: &str) -> BTreeSet<usize> {
        words(text)
            .into_iter()
            .filter(|(w, _)| self.words.contains(w))
            .flat_map(|(_, r)| r)
            .collect()
    }
}

/// Mean span F1 of each prediction over some posts.
#[derive(Clone, Debug, Default)]
pub struct SpanReport {
    /// Posts read.
    pub posts: usize,
    /// Of them, held out (the figures are on these).
    pub heldout: usize,
    /// Held-out posts with no marked character.
    pub heldout_unmarked: usize,
    /// Words in the list learned from the training rows.
    pub learned_words: usize,
    /// Whether that list is the one shipped (`models/spans/toxic-words-en.txt`).
    pub shipped_list: bool,
    /// The list.
    pub list: WordList,
    /// (prediction, mean F1) in the order printed.
    pub f1: Vec<(&'static str, f64)>,
}

/// Evaluates the cues of `model` on the held-out posts.
pub fn evaluate(model: &FittedScorer, posts: &[SpanPost]) -> SpanReport {
    let (heldout, rest): (Vec<&SpanPost>, Vec<&SpanPost>) =
        posts.iter().partition(|p| split(p) == Split::Heldout);
    let training = rest.into_iter().filter(|p| split(p) == Split::Train);
    let list = WordList::learn(training);
    let mut sums = [0.0f64; 5];
    for p in &heldout {
        let quotes = crate::parse::clean::gt_quotes(&p.text);
        let s = incivility::score(model, &p.text, &quotes);
        let all = cue_chars(&s.cues, |_| true);
        let lexicon = cue_chars(&s.cues, |c| c.label != MODEL_CUE && c.label != WORD_CUE);
        let model_cues = cue_chars(&s.cues, |c| c.label == MODEL_CUE);
        let uncivil_only = if s.uncivil { all.clone() } else { BTreeSet::new() };
        let learned = list.mark(&p.text);
        for (k, pred) in [all, lexicon, model_cues, uncivil_only, learned].iter().enumerate() {
            sums[k] += f1(pred, &p.marked);
        }
    }
    let n = heldout.len().max(1) as f64;
    let names = [
        "cues (lexicon, word and model)",
        "lexicon cues only",
        "model cues only",
        "cues of comments rated uncivil only",
        "word list learned from the training rows",
    ];
    SpanReport {
        posts: posts.len(),
        heldout: heldout.len(),
        heldout_unmarked: heldout.iter().filter(|p| p.marked.is_empty()).count(),
        learned_words: list.len(),
        shipped_list: list.words == WordList::from_text(incivility::TOXIC_WORDS_EN).words,
        list,
        f1: names.into_iter().zip(sums.map(|s| s / n)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[usize]) -> BTreeSet<usize> {
        v.iter().copied().collect()
    }

    #[test]
    fn semeval_f1_by_hand() {
        assert_eq!(f1(&set(&[]), &set(&[])), 1.0);
        assert_eq!(f1(&set(&[1]), &set(&[])), 0.0);
        assert_eq!(f1(&set(&[]), &set(&[1])), 0.0);
        assert_eq!(f1(&set(&[1, 2]), &set(&[3])), 0.0);
        // 2 of 4 predicted are marked, 2 of 2 marked found: P 0.5, R 1, F1 2/3.
        assert!((f1(&set(&[1, 2, 3, 4]), &set(&[3, 4])) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn words_are_code_points_and_the_list_keeps_marked_words() {
        let w = words("Ça, you IDIOT’s!");
        assert_eq!(w, [("ça".to_string(), 0..2), ("you".into(), 4..7), ("idiot's".into(), 8..15)]);
        let post = |text: &str, marked: &[usize]| SpanPost {
            text: text.into(),
            marked: set(marked),
            line: 0,
        };
        let posts = [
            post("you idiot", &[4, 5, 6, 7, 8]),
            post("what an idiot", &[8, 9, 10, 11, 12]),
            post("idiot you are", &[0, 1, 2, 3, 4]),
            post("you are right", &[]),
        ];
        let posts: Vec<SpanPost> = posts.iter().cycle().take(8).cloned().collect();
        let list = WordList::learn(&posts);
        assert_eq!(list.len(), 1, "idiot (6 of 6 marked); you (0 of 6) is not");
        assert_eq!(list.mark("Such an IDIOT."), set(&[8, 9, 10, 11, 12]));
        assert_eq!(WordList::from_text(&list.to_text("t")).words, list.words);
        // Identity words are never listed, however often they were marked.
        let marked: Vec<SpanPost> =
            (0..6).map(|_| post("gay idiot", &[0, 1, 2, 4, 5, 6, 7, 8])).collect();
        assert_eq!(WordList::learn(&marked).mark("gay idiot"), set(&[4, 5, 6, 7, 8]));
    }
}
