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
//!
//! German: AustroTox ([`load_austrotox`]) marks no character offsets but the vulgar words of
//! each comment (`Tags` of kind `Vulgarity`, as surface strings); every occurrence of such a
//! word in its comment, as a whole word and whatever its case, is taken as marked. Its rows are split as the German
//! model's training split them (by article), so the figures are on comments it did not see.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::data::{DataError, Example, Split, split_of};
use super::features::Input;
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
    /// Where the post falls in the models' split.
    pub split: Split,
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
        let ex = Example { text: rec[text].to_string(), ..Default::default() };
        out.push(SpanPost {
            split: split_of("toxic_spans", &ex, SEED),
            text: ex.text,
            marked: marked.into_iter().collect(),
            line,
        });
    }
    Ok(out)
}

/// Reads AustroTox (`austrotox_de.jsonl`: `Comment`, `Article_title`, `Tags`): a post per
/// comment, its marked characters those of every whole-word occurrence of its `Vulgarity`
/// tags (case ignored), split by article as the German model's training split
/// it. Also returns how many tags were found nowhere in their comment (the data's notes say a
/// few tokens differ from the comment in spelling or spacing).
pub fn load_austrotox(path: &Path) -> Result<(Vec<SpanPost>, usize), DataError> {
    let err = |line: Option<u64>, message: String| DataError {
        path: path.display().to_string(),
        line,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(None, e.to_string()))?;
    let mut out = Vec::new();
    let mut unlocated = 0;
    for (i, row) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if row.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(row).map_err(|e| err(Some(line), format!("not JSON: {e}")))?;
        let comment =
            v["Comment"].as_str().ok_or_else(|| err(Some(line), "no `Comment` string".into()))?;
        let article = v["Article_title"]
            .as_str()
            .ok_or_else(|| err(Some(line), "no `Article_title` string".into()))?;
        let tags = v["Tags"].as_array().ok_or_else(|| err(Some(line), "no `Tags` list".into()))?;
        let mut marked = BTreeSet::new();
        for tag in tags.iter().filter(|t| t["Tag"] == "Vulgarity") {
            let token = tag["Token"]
                .as_str()
                .ok_or_else(|| err(Some(line), "a tag without a `Token` string".into()))?;
            let found = whole_word_chars(comment, token);
            if found.is_empty() {
                unlocated += 1;
            }
            marked.extend(found);
        }
        // As the German model's training read the row (`data::austrotox`).
        let ex = Example {
            text: comment.to_string(),
            group: format!("article:{article}"),
            ..Default::default()
        };
        out.push(SpanPost { split: split_of("austrotox", &ex, SEED), text: ex.text, marked, line });
    }
    Ok((out, unlocated))
}

/// The code-point offsets of every occurrence of `word` in `text`, case ignored, that is a
/// whole word (no letter or digit right before or after it).
fn whole_word_chars(text: &str, word: &str) -> BTreeSet<usize> {
    let word = word.trim();
    let mut out = BTreeSet::new();
    if word.is_empty() {
        return out;
    }
    let chars: Vec<char> = text.chars().collect();
    let want: Vec<char> = word.chars().collect();
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    for start in 0..chars.len() {
        let end = start + want.len();
        if end > chars.len() || !chars[start..end].iter().zip(&want).all(|(&a, &b)| same(a, b)) {
            continue;
        }
        let bounded = |c: Option<&char>| c.is_none_or(|c| !c.is_alphanumeric());
        if bounded(start.checked_sub(1).and_then(|i| chars.get(i))) && bounded(chars.get(end)) {
            out.extend(start..end);
        }
    }
    out
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
            (t.norm.into_string(), start..offsets.at(t.span.end))
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
        self.with_header(format!(
            "# Words people mark as toxic in news comments: learned by `threadlens spans \
             --write-words` from\n# the training rows of {source} (SemEval-2021 toxic \
             spans, CC0): each word seen\n# at least {} times there, more than half of them \
             inside a marked span.\n",
            Self::MIN_COUNT
        ))
    }

    /// The list as `models/spans/toxic-words-de.txt` holds it (learned from AustroTox).
    pub fn to_text_de(&self, source: &str) -> String {
        self.with_header(format!(
            "# Words AustroTox tags as vulgar in Austrian news-forum comments: learned by \
             `threadlens spans\n# --write-words` from the training rows of {source} (AustroTox; \
             the comments are\n# not redistributed): each word seen at least {} times there, \
             more than half of them tagged.\n",
            Self::MIN_COUNT
        ))
    }

    /// `header`, then the words in order, one per line.
    fn with_header(&self, mut out: String) -> String {
        let mut words: Vec<&String> = self.words.iter().collect();
        words.sort();
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
    /// Whether that list is the one shipped (`models/spans/toxic-words-en.txt`); `None` when
    /// none is shipped for the data.
    pub shipped_list: Option<bool>,
    /// The list.
    pub list: WordList,
    /// (prediction, mean F1) in the order printed.
    pub f1: Vec<(&'static str, f64)>,
    /// Training rows (the thresholds are tried on these).
    pub training: usize,
    /// (least model-cue contribution, mean F1 of all cues) on the training rows, for each of
    /// [`incivility::MODEL_CUE_THRESHOLDS`]: how the shipped threshold was chosen.
    pub thresholds: Vec<(f64, f64)>,
}

impl SpanReport {
    /// The lowest threshold of [`thresholds`](Self::thresholds) whose F1 is within
    /// [`THRESHOLD_TOLERANCE`] of the best: model cues are kept where they cost nothing.
    pub fn best_threshold(&self) -> Option<f64> {
        let best = self.thresholds.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
        self.thresholds.iter().find(|t| t.1 >= best - THRESHOLD_TOLERANCE).map(|t| t.0)
    }
}

/// How far below the best span F1 a lower model-cue threshold may be and still be chosen.
pub const THRESHOLD_TOLERANCE: f64 = 0.001;

/// Evaluates the cues of `model` on the held-out posts; `shipped`: the word list shipped for
/// this data, compared with the one learned (`None`: none is shipped).
pub fn evaluate(model: &FittedScorer, posts: &[SpanPost], shipped: Option<&str>) -> SpanReport {
    let (heldout, rest): (Vec<&SpanPost>, Vec<&SpanPost>) =
        posts.iter().partition(|p| p.split == Split::Heldout);
    let training: Vec<&SpanPost> = rest.into_iter().filter(|p| p.split == Split::Train).collect();
    let list = WordList::learn(training.iter().copied());
    let mut sweep = [0.0f64; incivility::MODEL_CUE_THRESHOLDS.len()];
    for p in &training {
        let quotes = crate::parse::clean::gt_quotes(&p.text);
        let input = Input { text: &p.text, quotes: &quotes, ..Default::default() };
        for (sum, &t) in sweep.iter_mut().zip(&incivility::MODEL_CUE_THRESHOLDS) {
            let s = incivility::score_with(model, input, incivility::MAX_CUES, t);
            *sum += f1(&cue_chars(&s.cues, |_| true), &p.marked);
        }
    }
    let per_row = |sum: f64| sum / training.len().max(1) as f64;
    let thresholds =
        incivility::MODEL_CUE_THRESHOLDS.iter().zip(sweep).map(|(&t, s)| (t, per_row(s))).collect();
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
        shipped_list: shipped.map(|t| list.words == WordList::from_text(t).words),
        list,
        f1: names.into_iter().zip(sums.map(|s| s / n)).collect(),
        training: training.len(),
        thresholds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[usize]) -> BTreeSet<usize> {
        v.iter().copied().collect()
    }

    #[test]
    fn austrotox_tags_mark_every_whole_word_occurrence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("austrotox_de.jsonl");
        let rows = [
            r#"{"Comment": "Ihr Trottel, so ein Trottelverein! trottel", "Article_title": "A", "Tags": [{"Tag": "Target_Group", "Token": "Ihr"}, {"Tag": "Vulgarity", "Token": "Trottel"}], "Label": 1}"#,
            r#"{"Comment": "Gibt es Studien?", "Article_title": "B", "Tags": [], "Label": 0}"#,
            r#"{"Comment": "So ein Scheiß", "Article_title": "A", "Tags": [{"Tag": "Vulgarity", "Token": "Scheiss"}], "Label": 0}"#,
        ];
        std::fs::write(&path, rows.join("\n")).unwrap();
        let (posts, unlocated) = load_austrotox(&path).unwrap();
        assert_eq!(posts.len(), 3);
        // "Trottel" at 4..11 and "trottel" at 35..42, not inside "Trottelverein"; targets
        // are not marked.
        assert_eq!(posts[0].marked, (4..11).chain(35..42).collect());
        assert!(posts[1].marked.is_empty());
        assert_eq!(unlocated, 1, "Scheiss is not in 'So ein Scheiß'");
        // Rows of one article share a split (the German model's grouping).
        assert_eq!(posts[0].split, posts[2].split);
        assert_eq!(posts[0].line, 1);
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
            split: Split::Train,
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
