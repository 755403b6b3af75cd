//! Sparse features of a comment (and, for stance, of the comment it replies to).
//!
//! A [`FeatureSpace`] is the bounded, named feature set a model was fitted on: word n-grams
//! (`w:`), character n-grams within words (`c:`), per-lexicon match counts (`lex:`), a few
//! surface measures (`m:`) and, for reply pairs, pair features (`p:`). [`FeatureSpace::vectorize`]
//! turns a text into a [`SparseVec`] over it; training and scoring both go through it, so a
//! model scores exactly what it was fitted on.
//!
//! Weighting: word and character n-grams get sublinear term frequency `1 + ln(count)` times
//! their inverse document frequency, and each of the two blocks is scaled to unit length;
//! lexicon counts and surface measures enter as `ln(1 + x)`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::lexicon::LexiconSet;
use super::text::{self, Token, feature_hash};

/// Which features a model uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Word n-gram sizes, inclusive (`[1, 2]`).
    pub word_ngrams: [usize; 2],
    /// Character n-gram sizes, inclusive (`[2, 5]`); `[0, 0]` for none.
    pub char_ngrams: [usize; 2],
    /// Whether surface measures (`m:` features) are used.
    pub surface: bool,
    /// Whether reply/target pair features (`p:` features) are used.
    pub pair: bool,
    /// How many leading words of the text (outside quotes) give start n-grams (`s:`
    /// features, sizes as `word_ngrams`): how a reply opens ("No,", "Exactly", "I agree")
    /// says much about its relation to what it answers. 0 for none.
    #[serde(default)]
    pub start_words: usize,
    /// Whether the word n-grams of the target (the text replied to) are features (`t:`),
    /// pair models only.
    #[serde(default)]
    pub target_words: bool,
}

/// A block of n-gram features, weighted and scaled to unit length together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Word n-grams of the text (`w:`).
    Word,
    /// Character n-grams within the words of the text (`c:`).
    Char,
    /// Word n-grams of the first [`FeatureConfig::start_words`] words (`s:`).
    Start,
    /// Word n-grams of the target (`t:`).
    Target,
}

impl Block {
    /// Every block, in the order of the feature space.
    pub const ALL: [Block; 4] = [Block::Word, Block::Char, Block::Start, Block::Target];

    /// What the block is called in logs.
    pub fn name(self) -> &'static str {
        match self {
            Block::Word => "word",
            Block::Char => "character",
            Block::Start => "start",
            Block::Target => "target",
        }
    }

    /// The prefix of its feature names.
    pub fn prefix(self) -> &'static str {
        match self {
            Block::Word => text::WORD_PREFIX,
            Block::Char => text::CHAR_PREFIX,
            Block::Start => text::START_PREFIX,
            Block::Target => text::TARGET_PREFIX,
        }
    }
}

impl FeatureConfig {
    /// Whether `block` has features under this configuration.
    pub fn has(&self, block: Block) -> bool {
        let words = self.word_ngrams[1] > 0;
        match block {
            Block::Word => words,
            Block::Char => self.char_ngrams[1] > 0,
            Block::Start => words && self.start_words > 0,
            Block::Target => words && self.pair && self.target_words,
        }
    }

    /// Calls `f(hash)` for every n-gram of `block` in the text `tokens` (and `target`).
    fn for_each(&self, block: Block, tokens: &[Token], target: &[Token], mut f: impl FnMut(u64)) {
        let [lo, hi] = self.word_ngrams;
        match block {
            Block::Word => text::for_each_word_ngram(tokens, lo..hi + 1, |h, _, _| f(h)),
            Block::Char => {
                let [lo, hi] = self.char_ngrams;
                text::for_each_char_ngram(tokens, lo..hi + 1, f)
            }
            Block::Start => {
                let start = &tokens[..tokens.len().min(self.start_words)];
                text::for_each_prefixed_ngram(start, lo..hi + 1, block.prefix(), |h, _, _| f(h))
            }
            Block::Target => {
                text::for_each_prefixed_ngram(target, lo..hi + 1, block.prefix(), |h, _, _| f(h))
            }
        }
    }

    /// Names of the n-grams [`for_each`](Self::for_each) visits.
    fn names(&self, block: Block, tokens: &[Token], target: &[Token]) -> Vec<String> {
        let [lo, hi] = self.word_ngrams;
        match block {
            Block::Word => text::word_ngram_names(tokens, lo..hi + 1),
            Block::Char => {
                let [lo, hi] = self.char_ngrams;
                text::char_ngram_names(tokens, lo..hi + 1)
            }
            Block::Start => {
                let start = &tokens[..tokens.len().min(self.start_words)];
                text::prefixed_ngram_names(start, lo..hi + 1, block.prefix())
            }
            Block::Target => text::prefixed_ngram_names(target, lo..hi + 1, block.prefix()),
        }
    }
}

/// The tokens of an input's target, when the configuration reads them.
fn target_tokens<'a>(config: &FeatureConfig, input: Input<'a>) -> Cow<'a, [Token]> {
    match input.target {
        Some(t) if config.has(Block::Target) => input.target_words(t),
        _ => Cow::Borrowed(&[]),
    }
}

/// A sparse feature vector: feature indices (ascending, distinct) and values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseVec {
    /// Feature indices, ascending.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f64>,
}

impl SparseVec {
    /// `Σ values[i] · weights[indices[i]]`.
    #[inline]
    pub fn dot(&self, weights: &[f64]) -> f64 {
        self.indices.iter().zip(&self.values).map(|(&i, &v)| v * weights[i as usize]).sum()
    }

    fn push(&mut self, index: u32, value: f64) {
        self.indices.push(index);
        self.values.push(value);
    }

    fn sort(&mut self) {
        let mut pairs: Vec<(u32, f64)> =
            self.indices.iter().copied().zip(self.values.iter().copied()).collect();
        pairs.sort_unstable_by_key(|p| p.0);
        self.indices = pairs.iter().map(|p| p.0).collect();
        self.values = pairs.iter().map(|p| p.1).collect();
    }
}

/// A hasher for keys that already are well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map from feature hash to index.
pub type HashIndex = HashMap<u64, u32, BuildHasherDefault<PassThrough>>;

/// The surface measures, in order.
pub const SURFACE: [&str; 5] = ["m:second_person", "m:exclaim", "m:question", "m:caps", "m:length"];

/// The pair features, in order (reply against its target).
pub const PAIR: [&str; 6] = [
    "p:overlap",
    "p:quotes_target",
    "p:starts_with_no",
    "p:starts_with_yes",
    "p:negation",
    "p:target_question",
];

/// The inputs of one example: its text, the byte ranges of `text` that quote someone else
/// (left out), and for pair models the text it replies to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Input<'a> {
    /// The comment's text.
    pub text: &'a str,
    /// Byte ranges of `text` that quote someone else.
    pub quotes: &'a [Range<usize>],
    /// The text it replies to (pair models only).
    pub target: Option<&'a str>,
    /// The words of `text` outside `quotes` (`text::tokens(text, quotes)`), when the caller
    /// has them already: a text scored by several models is split into words once.
    pub tokens: Option<&'a [Token]>,
    /// The words of `target` (`text::tokens(target, &[])`), likewise.
    pub target_tokens: Option<&'a [Token]>,
    /// What the scoring space reads of `target`, worked out once for all the replies to it
    /// ([`FeatureSpace::target_cache`]); ignored by another space.
    pub target_cache: Option<&'a TargetCache>,
}

/// What a [`FeatureSpace`] reads of one target, the same for every reply to it: its target
/// n-gram block, its content words and its six-word windows. Scoring the replies to one
/// comment with it costs O(replies + target) rather than O(replies × target) (issue #13: a
/// long comment with thousands of replies).
#[derive(Clone, Debug)]
pub struct TargetCache {
    space: u64,
    block: Option<(Vec<u32>, Vec<f64>)>,
    content: rustc_hash::FxHashSet<CompactString>,
    windows: rustc_hash::FxHashSet<u64>,
}

impl<'a> Input<'a> {
    /// The words of the text outside quotes: the caller's, or worked out here.
    pub fn words(&self) -> Cow<'a, [Token]> {
        match self.tokens {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(text::tokens(self.text, self.quotes)),
        }
    }

    /// The words of `target` (which is `self.target`): the caller's, or worked out here.
    fn target_words(&self, target: &str) -> Cow<'a, [Token]> {
        match self.target_tokens {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(text::tokens(target, &[])),
        }
    }
}

/// Everything [`FeatureSpace::vectorize`] works out on the way, kept for explanations.
#[derive(Clone, Debug, Default)]
pub struct Analysis<'a> {
    /// The comment's words (outside quotes).
    pub tokens: Cow<'a, [Token]>,
    /// Matches of each lexicon: (lexicon index, byte range).
    pub matches: Vec<super::lexicon::LexMatch>,
    /// The word n-grams of the comment that are features, as `(feature index, first token,
    /// n)` in [`text::for_each_word_ngram`] order; `None` when the space has no word block.
    /// The cues read them instead of hashing the n-grams again (issue #17).
    pub word_hits: Option<Vec<(u32, usize, usize)>>,
}

/// A named, bounded feature set with document frequencies.
#[derive(Clone, Debug)]
pub struct FeatureSpace {
    config: FeatureConfig,
    names: Vec<String>,
    idf: Vec<f64>,
    index: HashIndex,
    lex_index: Vec<Option<u32>>,
    surface_index: Vec<Option<u32>>,
    pair_index: Vec<Option<u32>>,
    /// Identifies the space in the per-thread cache of words' character n-grams.
    id: u64,
}

/// Words whose character n-gram hits a thread has cached, at most; the cache is emptied when
/// it fills (a corpus's vocabulary is Zipfian: the common words come back at once).
const WORD_CACHE: usize = 50_000;

/// (space id, word hash) → the space's character n-gram features of the word.
type WordCache = rustc_hash::FxHashMap<(u64, u64), Box<[u32]>>;

thread_local! {
    /// Per thread: for (space id, word hash), the space's character n-gram features the word
    /// has (with repeats). A word's n-grams never change, so the cache only saves work.
    static CHAR_HITS: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
    /// Per thread: a count per feature and a bit per feature (set when its count is not zero),
    /// all zero between blocks; `push_block` counts hits in them and reads the features out
    /// in index order from the bits, instead of sorting.
    static COUNTS: std::cell::RefCell<(Vec<u32>, Vec<u64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// `1 + ln(n)`, the sublinear term frequency (most counts are 1: no logarithm then; counts
/// below [`SUBLINEAR_TABLE`] are read from a table of the same values, issue #17).
fn sublinear(n: u32) -> f64 {
    match n {
        0 | 1 => f64::from(n),
        _ if (n as usize) < SUBLINEAR_TABLE => sublinear_table()[n as usize],
        _ => 1.0 + f64::from(n).ln(),
    }
}

/// Counts whose [`sublinear`] term is tabled.
const SUBLINEAR_TABLE: usize = 256;

/// `1 + ln(n)` for `n` below [`SUBLINEAR_TABLE`] (0 and 1 unused), computed as [`sublinear`]
/// computes it for larger counts, so the table changes no bit.
fn sublinear_table() -> &'static [f64; SUBLINEAR_TABLE] {
    static TABLE: std::sync::OnceLock<[f64; SUBLINEAR_TABLE]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|n| 1.0 + (n as f64).ln()))
}

impl FeatureSpace {
    /// Makes a feature space from names and their idf (1.0 for non-n-gram features), resolving
    /// `lex:` names against `lexicons`.
    pub fn new(
        config: FeatureConfig,
        names: Vec<String>,
        idf: Vec<f64>,
        lexicons: &LexiconSet,
    ) -> FeatureSpace {
        assert_eq!(names.len(), idf.len(), "one idf per feature");
        let index: HashIndex =
            names.iter().enumerate().map(|(i, n)| (feature_hash(n), i as u32)).collect();
        let find = |name: &str| names.iter().position(|n| n == name).map(|i| i as u32);
        let lex_index =
            lexicons.lexicons().iter().map(|l| find(&format!("lex:{}", l.name()))).collect();
        let surface_index = SURFACE.iter().map(|n| find(n)).collect();
        let pair_index = PAIR.iter().map(|n| find(n)).collect();
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        FeatureSpace { config, names, idf, index, lex_index, surface_index, pair_index, id }
    }

    /// The configuration.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Feature names, by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Inverse document frequencies, by index.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of a feature hash.
    pub fn lookup(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// The feature vector of `input`.
    pub fn vectorize(&self, input: Input<'_>, lexicons: &LexiconSet) -> SparseVec {
        self.analyse(input, lexicons).0
    }

    /// What this space reads of a target, from its words (`text::tokens(target, &[])`), for
    /// [`Input::target_cache`].
    pub fn target_cache(&self, target_tokens: &[Token]) -> TargetCache {
        let block = self.config.has(Block::Target).then(|| {
            let mut v = SparseVec::default();
            let mut hits = Vec::new();
            self.config.for_each(Block::Target, &[], target_tokens, |h| {
                if let Some(i) = self.lookup(h) {
                    hits.push(i);
                }
            });
            self.push_block(&mut v, &mut hits);
            (v.indices, v.values)
        });
        TargetCache {
            space: self.id,
            block,
            content: target_tokens.iter().filter(is_content).map(|t| t.norm.clone()).collect(),
            windows: shared_run_windows(target_tokens),
        }
    }

    /// The feature vector of `input` and what was found on the way.
    pub fn analyse<'a>(
        &self,
        input: Input<'a>,
        lexicons: &LexiconSet,
    ) -> (SparseVec, Analysis<'a>) {
        let tokens = input.words();
        // Room for the usual vector at once (a few features per word), not grown by doubling.
        let room = tokens.len() * 16 + 16;
        let mut v =
            SparseVec { indices: Vec::with_capacity(room), values: Vec::with_capacity(room) };
        let mut hits: Vec<u32> = Vec::with_capacity(tokens.len() * 16);

        // The target's words, split once for the target block and the pair features.
        let target_words = match input.target {
            Some(t) if self.config.has(Block::Target) || self.config.pair => input.target_words(t),
            _ => Cow::Borrowed(&[][..]),
        };
        let target: &[Token] = if self.config.has(Block::Target) { &target_words } else { &[] };
        let cache = input.target_cache.filter(|c| c.space == self.id && input.target.is_some());
        let mut word_hits = None;
        for block in Block::ALL {
            if !self.config.has(block) {
                continue;
            }
            if let (Block::Target, Some((indices, values))) =
                (block, cache.and_then(|c| c.block.as_ref()))
            {
                v.indices.extend_from_slice(indices);
                v.values.extend_from_slice(values);
                continue;
            }
            if block == Block::Char {
                self.char_hits(&tokens, &mut hits);
            } else if block == Block::Word {
                let [lo, hi] = self.config.word_ngrams;
                let mut found = Vec::with_capacity(tokens.len() * 2);
                text::for_each_word_ngram(&tokens, lo..hi + 1, |h, i, n| {
                    if let Some(f) = self.lookup(h) {
                        hits.push(f);
                        found.push((f, i, n));
                    }
                });
                word_hits = Some(found);
            } else {
                self.config.for_each(block, &tokens, target, |h| {
                    if let Some(i) = self.lookup(h) {
                        hits.push(i);
                    }
                });
            }
            self.push_block(&mut v, &mut hits);
        }

        let matches = lexicons.matches_in(input.text, &tokens, input.quotes);
        let mut counts = vec![0usize; lexicons.lexicons().len()];
        for m in &matches {
            counts[m.lexicon] += 1;
        }
        for (i, &c) in counts.iter().enumerate() {
            if let (Some(Some(idx)), true) = (self.lex_index.get(i), c > 0) {
                v.push(*idx, (c as f64).ln_1p());
            }
        }
        if self.config.surface {
            let s = surface(input, &tokens);
            for (idx, x) in self.surface_index.iter().zip(s) {
                if let (Some(idx), true) = (idx, x != 0.0) {
                    v.push(*idx, x);
                }
            }
        }
        if self.config.pair
            && let Some(target) = input.target
        {
            let p = pair(input, &tokens, target, &target_words, cache);
            for (idx, x) in self.pair_index.iter().zip(p) {
                if let (Some(idx), true) = (idx, x != 0.0) {
                    v.push(*idx, x);
                }
            }
        }
        // Blocks, lexicons, surface and pair features come in the order of the feature
        // names, and each block's indices are sorted: the vector is already ascending for any
        // model `train` writes. A hand-made file with another order still gets sorted.
        if !v.indices.is_sorted() {
            v.sort();
        }
        (v, Analysis { tokens, matches, word_hits })
    }

    /// Appends the character n-gram features of each token to `hits`, through the per-thread
    /// word cache.
    fn char_hits(&self, tokens: &[Token], hits: &mut Vec<u32>) {
        let [lo, hi] = self.config.char_ngrams;
        CHAR_HITS.with_borrow_mut(|cache| {
            if cache.len() > WORD_CACHE {
                cache.clear();
            }
            for tok in tokens {
                let key = (self.id, text::feature_hash(&tok.norm));
                let cached = cache.entry(key).or_insert_with(|| {
                    let mut own = Vec::new();
                    text::for_each_char_ngram(std::slice::from_ref(tok), lo..hi + 1, |h| {
                        if let Some(i) = self.lookup(h) {
                            own.push(i);
                        }
                    });
                    own.into_boxed_slice()
                });
                hits.extend_from_slice(cached);
            }
        });
    }

    /// Adds one n-gram block: counts the hit indices, weights them and scales to unit length.
    fn push_block(&self, v: &mut SparseVec, hits: &mut Vec<u32>) {
        let start = v.indices.len();
        COUNTS.with_borrow_mut(|(counts, bits)| {
            if counts.len() < self.names.len() {
                counts.resize(self.names.len(), 0);
                bits.resize(self.names.len().div_ceil(64), 0);
            }
            // Slices of the model's length: one bounds check each, not one per hit.
            let n = self.names.len();
            let (counts, bits, idf) =
                (&mut counts[..n], &mut bits[..n.div_ceil(64)], &self.idf[..n]);
            let (mut lo, mut hi, mut distinct) = (usize::MAX, 0, 0);
            for &h in hits.iter() {
                let h = h as usize;
                let c = &mut counts[h];
                distinct += usize::from(*c == 0);
                *c += 1;
                bits[h / 64] |= 1 << (h % 64);
                lo = lo.min(h / 64);
                hi = hi.max(h / 64);
            }
            v.indices.reserve(distinct);
            v.values.reserve(distinct);
            let mut norm = 0.0;
            for w in lo..hi.saturating_add(1).min(bits.len()) {
                let mut word = std::mem::take(&mut bits[w]);
                while word != 0 {
                    let idx = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    let c = std::mem::take(&mut counts[idx]);
                    let x = sublinear(c) * idf[idx];
                    norm += x * x;
                    v.indices.push(idx as u32);
                    v.values.push(x);
                }
            }
            if norm > 0.0 {
                let norm = norm.sqrt();
                v.values[start..].iter_mut().for_each(|x| *x /= norm);
            }
        });
        hits.clear();
    }
}

/// Surface measures of a text, in [`SURFACE`] order.
fn surface(input: Input<'_>, tokens: &[Token]) -> [f64; 5] {
    let second = tokens
        .iter()
        .filter(|t| {
            matches!(
                t.norm.as_str(),
                "you" | "your" | "you're" | "yours" | "yourself" | "ya" | "u" | "ur"
            )
        })
        .count();
    let mut exclaim = 0usize;
    let mut question = 0usize;
    let mut upper = 0usize;
    let mut letters = 0usize;
    let quotes = text::Skip::new(input.quotes);
    let mut cursor = 0;
    for (i, c) in input.text.char_indices() {
        if quotes.contains_from(i, &mut cursor) {
            continue;
        }
        match c {
            '!' => exclaim += 1,
            '?' => question += 1,
            c if c.is_uppercase() => {
                upper += 1;
                letters += 1
            }
            c if c.is_alphabetic() => letters += 1,
            _ => {}
        }
    }
    // Shouting: the share of capitals, counted only once there are enough letters to tell.
    let caps = if letters >= 12 { upper as f64 / letters as f64 } else { 0.0 };
    [
        (second as f64).ln_1p(),
        (exclaim as f64).ln_1p(),
        (question as f64).ln_1p(),
        caps,
        (tokens.len() as f64).ln_1p() / 5.0,
    ]
}

const NEGATIONS: [&str; 12] = [
    "not", "no", "never", "don't", "doesn't", "isn't", "aren't", "wasn't", "can't", "won't",
    "nothing", "nobody",
];

/// Whether a word counts for the overlap of a reply and its target.
fn is_content(t: &&Token) -> bool {
    t.norm.chars().count() > 3
}

/// Pair features of a reply and its target, in [`PAIR`] order; `cache` holds the target's
/// side when it was worked out already.
fn pair(
    input: Input<'_>,
    tokens: &[Token],
    target: &str,
    target_tokens: &[Token],
    cache: Option<&TargetCache>,
) -> [f64; 6] {
    // FxHash: these sets are made for every reply (SipHash was a tenth of stance scoring).
    let mine: rustc_hash::FxHashSet<&str> =
        tokens.iter().filter(is_content).map(|t| t.norm.as_str()).collect();
    let built;
    let (theirs_len, shared) = match cache {
        Some(c) => (c.content.len(), mine.iter().filter(|w| c.content.contains(**w)).count()),
        None => {
            built = target_tokens
                .iter()
                .filter(is_content)
                .map(|t| t.norm.as_str())
                .collect::<rustc_hash::FxHashSet<&str>>();
            (built.len(), mine.intersection(&built).count())
        }
    };
    let overlap = if mine.is_empty() || theirs_len == 0 {
        0.0
    } else {
        shared as f64 / mine.len().min(theirs_len) as f64
    };
    let shares_run = match cache {
        Some(c) => shares_window(tokens, &c.windows),
        None => longest_shared_run(tokens, target_tokens) >= 6,
    };
    let quotes_target = f64::from(input.quotes.iter().any(|r| r.len() > 10) || shares_run);
    let first = tokens.first().map(|t| t.norm.as_str()).unwrap_or("");
    let starts_no = f64::from(matches!(first, "no" | "nope" | "nah" | "wrong" | "false"));
    let starts_yes = f64::from(matches!(
        first,
        "yes" | "yeah" | "yep" | "exactly" | "agreed" | "agree" | "true" | "indeed" | "absolutely"
    ));
    let negation = tokens.iter().filter(|t| NEGATIONS.contains(&t.norm.as_str())).count() as f64;
    let target_question = f64::from(target.trim_end().ends_with('?'));
    [overlap, quotes_target, starts_no, starts_yes, negation.ln_1p(), target_question]
}

/// Length of the longest run of words the reply shares, in order, with its target.
fn longest_shared_run(a: &[Token], b: &[Token]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    // Hash the target's 6-word windows, look the reply's up: enough to tell a quote.
    if a.len() < W || b.len() < W {
        return 0;
    }
    if shares_window(a, &shared_run_windows(b)) { W } else { 0 }
}

/// Words in a window of [`longest_shared_run`].
const W: usize = 6;

fn window_hash(t: &[Token]) -> u64 {
    let mut h = super::text::Hasher::new("");
    for tok in t {
        h.write(tok.norm.as_bytes());
        h.write(b" ");
    }
    h.finish()
}

/// The hashes of a target's six-word windows.
fn shared_run_windows(b: &[Token]) -> rustc_hash::FxHashSet<u64> {
    b.windows(W).map(window_hash).collect()
}

/// Whether a six-word window of `a` is one of `theirs`.
fn shares_window(a: &[Token], theirs: &rustc_hash::FxHashSet<u64>) -> bool {
    !theirs.is_empty() && a.windows(W).any(|w| theirs.contains(&window_hash(w)))
}

/// Feature names with their document frequencies per class, collected from training texts.
#[derive(Debug, Default)]
pub struct TermCounts {
    /// Per hash: document frequency per class.
    pub df: HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>>,
    /// Documents per class.
    pub docs: Vec<u32>,
}

impl TermCounts {
    /// Counts, for each n-gram of `input` in `blocks`, one document of class `class` (of
    /// `classes`).
    pub fn add(
        &mut self,
        config: &FeatureConfig,
        blocks: &[Block],
        input: Input<'_>,
        class: usize,
        classes: usize,
    ) {
        if self.docs.len() < classes {
            self.docs.resize(classes, 0);
        }
        self.docs[class] += 1;
        let tokens = text::tokens(input.text, input.quotes);
        let target = target_tokens(config, input);
        let mut seen: Vec<u64> = Vec::new();
        for &block in blocks {
            if config.has(block) {
                config.for_each(block, &tokens, &target, |h| seen.push(h));
            }
        }
        seen.sort_unstable();
        seen.dedup();
        for h in seen {
            let e = self.df.entry(h).or_insert_with(|| vec![0; classes]);
            e[class] += 1;
        }
    }
}

/// Names of the n-grams of `input` in `blocks` (for recovering the names of selected hashes).
pub fn ngram_names(config: &FeatureConfig, blocks: &[Block], input: Input<'_>) -> Vec<String> {
    let tokens = text::tokens(input.text, input.quotes);
    let target = target_tokens(config, input);
    let mut out = Vec::new();
    for &block in blocks {
        if config.has(block) {
            out.extend(config.names(block, &tokens, &target));
        }
    }
    out
}

/// Keeps the hash-stable [`PassThrough`] hasher honest: `write_u64` must be what `HashMap`
/// calls for `u64` keys.
#[cfg(test)]
fn pass_through_is_identity(x: u64) -> u64 {
    use std::hash::Hasher as _;
    let mut h = PassThrough::default();
    std::hash::Hash::hash(&x, &mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(names: &[&str]) -> (FeatureSpace, LexiconSet) {
        let lex = LexiconSet::parse(&[("name_calling", "idiot\nprick")]).unwrap();
        let config = FeatureConfig {
            word_ngrams: [1, 2],
            char_ngrams: [2, 3],
            surface: true,
            pair: true,
            start_words: 0,
            target_words: false,
        };
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let idf = vec![1.0; names.len()];
        (FeatureSpace::new(config, names, idf, &lex), lex)
    }

    #[test]
    fn pass_through_hasher_keeps_the_key() {
        assert_eq!(pass_through_is_identity(0xdead_beef), 0xdead_beef);
    }

    #[test]
    fn the_sublinear_table_is_the_logarithm() {
        for n in 2..SUBLINEAR_TABLE as u32 + 10 {
            assert_eq!(sublinear(n).to_bits(), (1.0 + f64::from(n).ln()).to_bits(), "{n}");
        }
        assert_eq!((sublinear(0), sublinear(1)), (0.0, 1.0));
    }

    #[test]
    fn blocks_are_unit_length_and_counts_are_sublinear() {
        let (fs, lex) = space(&["w:you", "w:prick", "w:you prick", "c:pr", "lex:name_calling"]);
        let v = fs.vectorize(Input { text: "You prick, you", ..Default::default() }, &lex);
        assert_eq!(v.indices, [0, 1, 2, 3, 4]);
        let word: f64 = v.values[..3].iter().map(|x| x * x).sum();
        approx::assert_abs_diff_eq!(word, 1.0, epsilon = 1e-12);
        // "you" twice: 1 + ln 2 against 1 for the others.
        approx::assert_abs_diff_eq!(v.values[0] / v.values[1], 1.0 + 2f64.ln(), epsilon = 1e-12);
        approx::assert_abs_diff_eq!(v.values[3], 1.0, epsilon = 1e-12);
        approx::assert_abs_diff_eq!(v.values[4], 2f64.ln(), epsilon = 1e-12);
    }

    #[test]
    fn vectors_are_ascending_whatever_the_order_of_the_names() {
        // `train` writes blocks in order; a hand-made file may not.
        let (fs, lex) = space(&["lex:name_calling", "c:pr", "w:prick", "w:you", "c:yo"]);
        let v = fs.vectorize(Input { text: "you prick you", ..Default::default() }, &lex);
        assert_eq!(v.indices, [0, 1, 2, 3, 4]);
        approx::assert_abs_diff_eq!(v.values[0], 2f64.ln(), epsilon = 1e-12);
        // Within a block, values follow the index: "you" twice against "prick" once.
        approx::assert_abs_diff_eq!(v.values[3] / v.values[2], 1.0 + 2f64.ln(), epsilon = 1e-12);
    }

    #[test]
    fn the_word_cache_changes_nothing() {
        let names = ["c:id", "c:idi", "c:ot ", "c: yo", "c:ou", "w:you", "w:idiot"];
        let (fs, lex) = space(&names);
        let texts = ["you idiot", "You, you IDIOT idiot", "idiotic you"];
        let warm: Vec<SparseVec> = texts
            .iter()
            .chain(texts.iter())
            .map(|t| fs.vectorize(Input { text: t, ..Default::default() }, &lex))
            .collect();
        // A new space is a new cache key: every word computed afresh.
        for (i, t) in texts.iter().enumerate() {
            let (fresh, lex) = space(&names);
            let cold = fresh.vectorize(Input { text: t, ..Default::default() }, &lex);
            assert_eq!(warm[i], cold, "{t}");
            assert_eq!(warm[i + texts.len()], cold, "{t} (cached)");
        }
    }

    #[test]
    fn quoted_text_is_left_out() {
        let (fs, lex) = space(&["w:idiot", "lex:name_calling", "w:agree"]);
        let text = "> you idiot\nI agree";
        let v = fs.vectorize(
            Input { text, quotes: std::slice::from_ref(&(0..12)), ..Default::default() },
            &lex,
        );
        assert_eq!(v.indices, [2]);
    }

    #[test]
    fn pair_features_read_the_target() {
        let (fs, lex) = space(&["p:overlap", "p:starts_with_no", "p:target_question"]);
        let input = Input {
            text: "No, the minister resigned",
            quotes: &[],
            target: Some("Has the minister resigned?"),
            ..Default::default()
        };
        let v = fs.vectorize(input, &lex);
        assert_eq!(v.indices, [0, 1, 2]);
        approx::assert_abs_diff_eq!(v.values[0], 1.0, epsilon = 1e-12);
    }

    #[test]
    fn term_counts_count_documents_not_occurrences() {
        let config = FeatureConfig {
            word_ngrams: [1, 1],
            char_ngrams: [0, 0],
            surface: false,
            pair: false,
            start_words: 0,
            target_words: false,
        };
        let mut tc = TermCounts::default();
        let all = Block::ALL;
        tc.add(&config, &all, Input { text: "idiot idiot", ..Default::default() }, 1, 2);
        tc.add(&config, &all, Input { text: "fine idiot", ..Default::default() }, 0, 2);
        assert_eq!(tc.df[&feature_hash("w:idiot")], [1, 1]);
        assert_eq!(tc.docs, [1, 1]);
    }

    /// Issue #13: replies scored with their target's cache get the very same vector as
    /// without it (the stance model reads target n-grams and pair features).
    #[test]
    fn r13_a_target_cache_changes_no_feature() {
        let model = crate::classify::stance::shipped_model();
        let space = model.space();
        let target = "The figures on police shootings are per capita, and the UK compares \
                      well with the rest of Europe. Why would anyone dispute that?";
        let words = text::tokens(target, &[]);
        let cache = space.target_cache(&words);
        let lex = model.lexicons();
        for reply in [
            "No, you are wrong: the figures on police shootings are per capita and misleading.",
            "I agree, thanks.",
            "",
            "Why would anyone dispute that? Because the UK compares well with the rest of it.",
        ] {
            let quoted = 0..3;
            let quotes = std::slice::from_ref(&quoted);
            let input = Input { text: reply, target: Some(target), ..Default::default() };
            let cached = Input { target_cache: Some(&cache), ..input };
            assert_eq!(space.vectorize(input, lex), space.vectorize(cached, lex), "{reply}");
            let input = Input { quotes, ..input };
            let cached = Input { quotes, ..cached };
            assert_eq!(space.vectorize(input, lex), space.vectorize(cached, lex), "{reply}");
        }
        // Another space ignores the cache.
        let other = crate::classify::incivility::shipped_model();
        let input = Input { text: "you prick", target: Some(target), ..Default::default() };
        let cached = Input { target_cache: Some(&cache), ..input };
        assert_eq!(
            other.space().vectorize(input, other.lexicons()),
            other.space().vectorize(cached, other.lexicons())
        );
    }
}
