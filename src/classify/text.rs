//! Text normalisation, tokens, n-grams and feature hashing, shared by training and scoring.
//!
//! Features are named by strings (`w:you prick`, `c:ick `) so a model file can be read by
//! people, but scoring never builds those strings: each name maps to a 64-bit hash computed
//! incrementally over the same bytes, and the model looks hashes up. [`feature_hash`] hashes a
//! full name; the n-gram walkers below produce the same hashes for the n-grams of a text.

use std::ops::Range;

use compact_str::CompactString;

/// Prefix of word n-gram feature names.
pub const WORD_PREFIX: &str = "w:";
/// Prefix of character n-gram feature names.
pub const CHAR_PREFIX: &str = "c:";
/// Prefix of the word n-grams a reply starts with (`s:no`, `s:i agree`).
pub const START_PREFIX: &str = "s:";
/// Prefix of the word n-grams of the text replied to (`t:why`).
pub const TARGET_PREFIX: &str = "t:";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Incremental FNV-1a over bytes; [`Hasher::finish`] mixes the state so the low bits spread.
#[derive(Clone, Copy, Debug)]
pub struct Hasher(u64);

impl Hasher {
    /// A hasher that has seen `prefix`.
    pub fn new(prefix: &str) -> Hasher {
        let mut h = Hasher(FNV_OFFSET);
        h.write(prefix.as_bytes());
        h
    }

    /// Feeds bytes.
    #[inline]
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    /// Feeds one character's UTF-8 bytes.
    #[inline]
    pub fn write_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.write(c.encode_utf8(&mut buf).as_bytes());
    }

    /// The hash of everything fed so far (a splitmix64 finaliser over the FNV state).
    #[inline]
    pub fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The hash of a feature name, e.g. `feature_hash("w:you prick")`.
pub fn feature_hash(name: &str) -> u64 {
    let mut h = Hasher(FNV_OFFSET);
    h.write(name.as_bytes());
    h.finish()
}

/// A word of a text: its normalised form and its byte range in the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Lower-cased, curly apostrophes made straight, letters repeated more than twice cut to
    /// two (`fuuuuck` → `fuuck`). Held inline up to 24 bytes: most words take no allocation.
    pub norm: CompactString,
    /// Byte range in the text it came from.
    pub span: Range<usize>,
}

/// Whether `c` can be inside a word: letters, digits, apostrophes, and the `*`, `@`, `$` that
/// people put in place of letters (`f*ck`, `a$$`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\'' | '’' | '*' | '@' | '$')
}

/// Splits `text` into words, skipping the byte ranges in `skip` (quoted text).
///
/// A word starts with a letter or digit (so a lone `*` or `$5` sign is not a word) and runs
/// over word characters (letters, digits, `'`, `’`, `*`, `@`, `$`); trailing apostrophes are dropped.
pub fn tokens(text: &str, skip: &[Range<usize>]) -> Vec<Token> {
    // Room for the usual number of words at once (about one per six bytes).
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    let skip = Skip::new(skip);
    if text.is_ascii() {
        ascii_tokens(text, &skip, &mut out);
    } else {
        char_tokens(text, &skip, &mut out);
    }
    out
}

/// [`tokens`] character by character, for any text.
fn char_tokens(text: &str, skip: &Skip, out: &mut Vec<Token>) {
    let mut chars = text.char_indices().peekable();
    let mut cursor = 0;
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() || skip.contains_from(start, &mut cursor) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !is_word_char(c) || skip.contains_from(i, &mut cursor) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let mut raw = &text[start..end];
        while let Some(stripped) = raw.strip_suffix(['\'', '’']) {
            raw = stripped;
        }
        let end = start + raw.len();
        out.push(Token { norm: normalise_word(raw), span: start..end });
    }
}

/// [`tokens`] of an ASCII text, byte by byte: the same words (an ASCII byte is a character,
/// and `’` is not ASCII) without decoding characters (issue #17).
fn ascii_tokens(text: &str, skip: &Skip, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'\'' | b'*' | b'@' | b'$');
    let mut cursor = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        i += 1;
        if !bytes[start].is_ascii_alphanumeric() || skip.contains_from(start, &mut cursor) {
            continue;
        }
        while i < bytes.len() && word_byte(bytes[i]) && !skip.contains_from(i, &mut cursor) {
            i += 1;
        }
        let mut end = i;
        while bytes[end - 1] == b'\'' {
            end -= 1;
        }
        out.push(Token { norm: normalise_ascii_word(&bytes[start..end]), span: start..end });
    }
}

/// Byte ranges to leave out (quoted text), sorted and merged once so that asking whether an
/// offset is inside one costs O(log q) (or O(1) amortised for ascending offsets) rather than
/// a pass over all q ranges: a comment of many short quotes made that pass quadratic
/// (issue #13).
#[derive(Clone, Debug, Default)]
pub struct Skip {
    ranges: Vec<Range<usize>>,
}

impl Skip {
    /// The union of `ranges` (in any order, overlapping or empty).
    pub fn new(ranges: &[Range<usize>]) -> Skip {
        let mut sorted: Vec<Range<usize>> =
            ranges.iter().filter(|r| !r.is_empty()).cloned().collect();
        if !sorted.is_sorted_by_key(|r| r.start) {
            sorted.sort_unstable_by_key(|r| r.start);
        }
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
        for r in sorted {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        Skip { ranges: merged }
    }

    /// Whether `i` lies in one of the ranges.
    pub fn contains(&self, i: usize) -> bool {
        let k = self.ranges.partition_point(|r| r.end <= i);
        self.ranges.get(k).is_some_and(|r| r.start <= i)
    }

    /// As [`contains`](Self::contains), for offsets asked in ascending order with the same
    /// `cursor` (start it at 0): linear over all the offsets of a text.
    pub fn contains_from(&self, i: usize, cursor: &mut usize) -> bool {
        while self.ranges.get(*cursor).is_some_and(|r| r.end <= i) {
            *cursor += 1;
        }
        self.ranges.get(*cursor).is_some_and(|r| r.start <= i)
    }
}

/// Character offsets of ascending byte offsets of one text, counted in one pass: the cues of
/// a long comment would otherwise each count from the start (issue #13).
#[derive(Debug)]
pub struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    /// Offsets into `text`.
    pub fn new(text: &'a str) -> CharOffsets<'a> {
        CharOffsets { text, byte: 0, chars: 0 }
    }

    /// The character offset of `byte`; from the start again when `byte` is before the last
    /// one asked.
    pub fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// Lower-cases a word, straightens apostrophes and cuts runs of a repeated letter to two.
pub fn normalise_word(word: &str) -> CompactString {
    if word.is_ascii() {
        return normalise_ascii_word(word.as_bytes());
    }
    normalise_chars(word)
}

/// [`normalise_word`] character by character, for any word.
fn normalise_chars(word: &str) -> CompactString {
    let chars = word.chars().flat_map(char::to_lowercase);
    squeeze_runs(chars.map(|c| if c == '’' { '\'' } else { c }), word.len())
}

/// [`normalise_word`] of an ASCII word, byte by byte: the same result (ASCII lower-cases to
/// one ASCII byte, and `’` is not ASCII) without decoding characters (issue #17).
fn normalise_ascii_word(word: &[u8]) -> CompactString {
    // Through a buffer on the stack: pushing to the string byte by byte costs more than the
    // rest of tokenising.
    let mut buf = [0u8; 64];
    if word.len() > buf.len() {
        return squeeze_runs(word.iter().map(|&b| char::from(b.to_ascii_lowercase())), word.len());
    }
    let (mut n, mut runs) = (0, Runs::default());
    for &b in word {
        let c = b.to_ascii_lowercase();
        if runs.keep(char::from(c)) {
            buf[n] = c;
            n += 1;
        }
    }
    CompactString::from(std::str::from_utf8(&buf[..n]).expect("ASCII bytes"))
}

/// Runs of one character, read one character at a time: a letter is kept at most twice in a
/// row ("soooo" → "soo"), anything else always.
#[derive(Default)]
struct Runs {
    last: Option<char>,
    run: u32,
}

impl Runs {
    /// Whether `c`, the next character, is kept.
    #[inline]
    fn keep(&mut self, c: char) -> bool {
        if Some(c) == self.last {
            self.run += 1;
            self.run <= 2 || !c.is_alphabetic()
        } else {
            self.last = Some(c);
            self.run = 1;
            true
        }
    }
}

/// `chars` with every run of a letter cut to two ("soooo" → "soo"); other characters kept.
fn squeeze_runs(chars: impl Iterator<Item = char>, capacity: usize) -> CompactString {
    // Into a buffer on the stack, then the string at once (pushing to a `CompactString` char
    // by char is slow); a word too long for it goes through a `String`.
    let mut buf = [0u8; 128];
    let mut long: Option<String> = None;
    let (mut n, mut runs) = (0, Runs::default());
    for c in chars.filter(|&c| runs.keep(c)) {
        match &mut long {
            Some(s) => s.push(c),
            None if n + c.len_utf8() <= buf.len() => n += c.encode_utf8(&mut buf[n..]).len(),
            None => {
                let mut s = String::with_capacity(capacity.max(n + 4));
                s.push_str(std::str::from_utf8(&buf[..n]).expect("whole characters"));
                s.push(c);
                long = Some(s);
            }
        }
    }
    match long {
        Some(s) => CompactString::from(s),
        None => CompactString::from(std::str::from_utf8(&buf[..n]).expect("whole characters")),
    }
}

/// Calls `f(hash, token_index, n)` for each word n-gram of `tokens` with `n` in `sizes`; the
/// hash is [`feature_hash`] of `w:` + the words joined by single spaces.
pub fn for_each_word_ngram(
    tokens: &[Token],
    sizes: Range<usize>,
    f: impl FnMut(u64, usize, usize),
) {
    for_each_prefixed_ngram(tokens, sizes, WORD_PREFIX, f)
}

/// As [`for_each_word_ngram`], with names starting `prefix` instead of `w:`.
pub fn for_each_prefixed_ngram(
    tokens: &[Token],
    sizes: Range<usize>,
    prefix: &str,
    mut f: impl FnMut(u64, usize, usize),
) {
    for i in 0..tokens.len() {
        let mut h = Hasher::new(prefix);
        for n in 1..sizes.end {
            let Some(tok) = tokens.get(i + n - 1) else { break };
            if n > 1 {
                h.write(b" ");
            }
            h.write(tok.norm.as_bytes());
            if n >= sizes.start {
                f(h.finish(), i, n);
            }
        }
    }
}

/// Calls `f(hash)` for each character n-gram of each token with `n` in `sizes`, taken from
/// the token padded with a space on both sides (`" idiot "`), as scikit-learn's `char_wb`
/// analyser does; the hash is [`feature_hash`] of `c:` + the n-gram.
pub fn for_each_char_ngram(tokens: &[Token], sizes: Range<usize>, mut f: impl FnMut(u64)) {
    let mut chars: Vec<char> = Vec::with_capacity(32);
    for tok in tokens {
        chars.clear();
        chars.push(' ');
        chars.extend(tok.norm.chars());
        chars.push(' ');
        for i in 0..chars.len() {
            let mut h = Hasher::new(CHAR_PREFIX);
            for n in 1..sizes.end {
                let Some(&c) = chars.get(i + n - 1) else { break };
                h.write_char(c);
                if n >= sizes.start {
                    f(h.finish());
                }
            }
        }
    }
}

/// Names of the word n-grams of `tokens`, in the order [`for_each_word_ngram`] visits them.
pub fn word_ngram_names(tokens: &[Token], sizes: Range<usize>) -> Vec<String> {
    prefixed_ngram_names(tokens, sizes, WORD_PREFIX)
}

/// Names of the n-grams [`for_each_prefixed_ngram`] visits.
pub fn prefixed_ngram_names(tokens: &[Token], sizes: Range<usize>, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let mut name = String::from(prefix);
        for n in 1..sizes.end {
            let Some(tok) = tokens.get(i + n - 1) else { break };
            if n > 1 {
                name.push(' ');
            }
            name.push_str(&tok.norm);
            if n >= sizes.start {
                out.push(name.clone());
            }
        }
    }
    out
}

/// Names of the character n-grams of `tokens`, in the order [`for_each_char_ngram`] visits
/// them.
pub fn char_ngram_names(tokens: &[Token], sizes: Range<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for tok in tokens {
        let chars: Vec<char> =
            std::iter::once(' ').chain(tok.norm.chars()).chain(std::iter::once(' ')).collect();
        for i in 0..chars.len() {
            for n in sizes.clone() {
                if i + n <= chars.len() {
                    let gram: String = chars[i..i + n].iter().collect();
                    out.push(format!("{CHAR_PREFIX}{gram}"));
                }
            }
        }
    }
    out
}

/// Converts a byte offset of `text` into a character offset (what Python's `str` indexes).
pub fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_path_splits_as_the_general_one() {
        // Longer than both stack buffers, and not shortened below them by squeezing.
        let long = format!("{}OOOO{}", "aB".repeat(40), "xyz".repeat(30));
        let texts = [
            "You're an IDIOT'' -- f*ck off!!! $5 @you a$$ 'quoted' o'neill's",
            "Soooooo goooood... 123abc x'y' ''lead *star* end'",
            long.as_str(),
            "",
            "'x''",
        ];
        for text in texts {
            for skip in [vec![], vec![3..9, 9..9], vec![0..2, 5..6, 20..400]] {
                let skip = Skip::new(&skip);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                ascii_tokens(text, &skip, &mut a);
                char_tokens(text, &skip, &mut b);
                assert_eq!(a, b, "{text:?} {skip:?}");
            }
        }
        assert_eq!(normalise_word(&long), normalise_chars(&long));
        assert_eq!(normalise_word(&long), format!("{}oo{}", "ab".repeat(40), "xyz".repeat(30)));
        let umlaut = format!("Ü{long}");
        assert_eq!(normalise_word(&umlaut), format!("ü{}", normalise_word(&long)));
    }

    #[test]
    fn the_ascii_path_normalises_as_the_general_one() {
        for w in [
            "",
            "a",
            "FUUUUCK",
            "fuuuuck",
            "a$$",
            "f*ck",
            "Aaa111",
            "aaa1111",
            "don't",
            "DON'T",
            "zzZZzz",
            "ABC",
            "Mississippi",
            "cooool",
            "!!!!",
            "@@@@@",
            "SH1T",
        ] {
            assert_eq!(normalise_ascii_word(w.as_bytes()), normalise_chars(w), "{w}");
        }
        assert_eq!(normalise_word("FUUUUCK"), "fuuck");
        assert_eq!(normalise_word("Grüüüün’s"), "grüün's");
    }

    fn norms(text: &str) -> Vec<String> {
        tokens(text, &[]).into_iter().map(|t| t.norm.into_string()).collect()
    }

    #[test]
    fn tokens_keep_obfuscations_and_drop_quotes() {
        assert_eq!(norms("You’re a f*ck-wit, SH1T!"), ["you're", "a", "f*ck", "wit", "sh1t"]);
        assert_eq!(norms("Fuuuuuck offff"), ["fuuck", "off"]);
        assert_eq!(norms("the lads' view"), ["the", "lads", "view"]);
        assert_eq!(norms("costs $5 * 3"), ["costs", "5", "3"]);
        let text = "> you idiot\nno you";
        let toks = tokens(text, std::slice::from_ref(&(0..12)));
        assert_eq!(toks.iter().map(|t| t.norm.as_str()).collect::<Vec<_>>(), ["no", "you"]);
        assert_eq!(&text[toks[0].span.clone()], "no");
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Ça va, BELLEND";
        let toks = tokens(text, &[]);
        assert_eq!(&text[toks[2].span.clone()], "BELLEND");
        assert_eq!(toks[2].norm, "bellend");
        assert_eq!(char_offset(text, toks[2].span.start), 7);
    }

    #[test]
    fn incremental_hashes_equal_hashes_of_names() {
        let toks = tokens("You prick, you utter prick", &[]);
        let mut hashes = Vec::new();
        for_each_word_ngram(&toks, 1..3, |h, _, _| hashes.push(h));
        let names = word_ngram_names(&toks, 1..3);
        assert_eq!(names.len(), hashes.len());
        assert!(names.contains(&"w:you prick".to_string()));
        assert_eq!(hashes, names.iter().map(|n| feature_hash(n)).collect::<Vec<_>>());

        let mut hashes = Vec::new();
        for_each_char_ngram(&toks, 2..6, |h| hashes.push(h));
        let mut names = char_ngram_names(&toks, 2..6);
        assert!(names.contains(&"c:ick ".to_string()));
        // The walker visits by start position then length; the name list does too.
        let mut expected: Vec<u64> = names.iter().map(|n| feature_hash(n)).collect();
        expected.sort_unstable();
        hashes.sort_unstable();
        names.dedup();
        assert_eq!(hashes, expected);
    }

    #[test]
    fn distinct_names_get_distinct_hashes() {
        let a = feature_hash("w:a b");
        assert_ne!(a, feature_hash("w:ab"));
        assert_ne!(a, feature_hash("c:a b"));
        assert_eq!(a, feature_hash("w:a b"));
    }
}
