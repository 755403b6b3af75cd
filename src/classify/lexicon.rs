//! Cue lexicons: lists of words, phrases and patterns that the team writes, one file per form
//! (`models/lexicons/incivility/name_calling.txt`, …), documented in
//! `models/lexicons/README.md`.
//!
//! # File format
//! - `#` starts a comment line; blank lines are ignored.
//! - `#= text`: a sentence that must match an entry of the file; `#! text`: one that must not.
//!   Tests check both for every shipped file.
//! - `re: PATTERN`: a regular expression (Rust `regex` syntax), case-insensitive; write `\b`
//!   yourself. Patterns are ASCII where they can be: `\w`, `\s`, `\b` and case folding cover
//!   ASCII letters, digits and spaces, and other characters match themselves, which keeps
//!   matching on the regex crate's fast engines (`['’]` is rewritten `(?:'|’)`). A pattern that
//!   needs Unicode to stay within characters (`\W`, `[^…]`) keeps Unicode, costing speed.
//! - Any other line is a phrase: words separated by spaces, matched case-insensitively
//!   against the words of a text as the features read them (so `'` also matches `’`, letters
//!   repeated more than twice count twice, and anything that is not a word may stand
//!   between the words); a trailing `*` lets the last word go on (`idiot*`: idiots,
//!   idiotic). A phrase with punctuation that words do not carry (`+1`, `knee-jerk`) is
//!   matched as a pattern instead, with any whitespace between its words.
//! - ` #` after an entry starts a comment.

use std::collections::HashMap;
use std::ops::Range;

use regex::{Regex, RegexBuilder};

use super::text::{self, Token};

/// An error in a lexicon file.
#[derive(Debug, thiserror::Error)]
#[error("lexicon '{name}', line {line}: {message}")]
pub struct LexiconError {
    /// Lexicon name (the form).
    pub name: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A phrase entry as words: normalised like the tokens of a text, the last word a prefix when
/// the entry ends with `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Phrase {
    words: Vec<String>,
    open_end: bool,
}

/// One lexicon: phrase entries matched over words, and pattern entries compiled into one
/// regular expression.
#[derive(Clone, Debug)]
pub struct Lexicon {
    name: String,
    phrases: Vec<Phrase>,
    regex: Option<Regex>,
    entries: usize,
    must_match: Vec<(usize, String)>,
    must_not_match: Vec<(usize, String)>,
}

impl Lexicon {
    /// Parses a lexicon file's text.
    pub fn parse(name: &str, text: &str) -> Result<Lexicon, LexiconError> {
        let err =
            |line: usize, message: String| LexiconError { name: name.to_string(), line, message };
        let mut phrases = Vec::new();
        let mut alternatives = Vec::new();
        let mut must_match = Vec::new();
        let mut must_not_match = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let lineno = i + 1;
            let line = line.trim();
            if let Some(example) = line.strip_prefix("#=") {
                must_match.push((lineno, example.trim().to_string()));
                continue;
            }
            if let Some(example) = line.strip_prefix("#!") {
                must_not_match.push((lineno, example.trim().to_string()));
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = match line.find(" #") {
                Some(i) => line[..i].trim_end(),
                None => line,
            };
            let pattern = match entry.strip_prefix("re:") {
                Some(re) => ascii_boundaries(&re.trim().replace("['’]", "(?:'|’)")),
                None => match phrase_words(entry) {
                    Some(p) => {
                        phrases.push(p);
                        continue;
                    }
                    // Punctuation that words do not carry (`+1`, `knee-jerk`): a pattern.
                    None => phrase_pattern(entry),
                },
            };
            // Compile each entry on its own first so an error names its line. An entry that
            // needs Unicode (`\W`, a negated class: in ASCII they could split a character)
            // keeps it, as an island in the ASCII whole.
            let pattern = match builder(&pattern).build() {
                Ok(_) => format!("(?:{pattern})"),
                Err(_) => {
                    let island = format!("(?u:{pattern})");
                    builder(&island)
                        .build()
                        .map_err(|e| err(lineno, format!("bad pattern `{entry}`: {e}")))?;
                    island
                }
            };
            alternatives.push(pattern);
        }
        let entries = phrases.len() + alternatives.len();
        let regex = if alternatives.is_empty() {
            None
        } else {
            Some(
                builder(&alternatives.join("|"))
                    .size_limit(64 << 20)
                    .dfa_size_limit(64 << 20)
                    .build()
                    .map_err(|e| err(0, format!("lexicon does not compile as a whole: {e}")))?,
            )
        };
        Ok(Lexicon { name: name.to_string(), phrases, regex, entries, must_match, must_not_match })
    }

    /// The lexicon's name (the form or cue kind it marks).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Byte ranges of the non-overlapping matches in `text`, leftmost first.
    pub fn find_iter(&self, text: &str) -> impl Iterator<Item = Range<usize>> + use<> {
        let set = LexiconSet::from_lexicons(vec![self.clone()]);
        set.matches(text, &[]).into_iter().map(|m| m.span)
    }

    /// Checks the file's `#=` and `#!` examples; returns one message per failing example.
    pub fn check_examples(&self) -> Vec<String> {
        let set = LexiconSet::from_lexicons(vec![self.clone()]);
        let mut failures = Vec::new();
        for (line, ex) in &self.must_match {
            if set.matches(ex, &[]).is_empty() {
                failures.push(format!("{} line {line}: `{ex}` should match", self.name));
            }
        }
        for (line, ex) in &self.must_not_match {
            if let Some(m) = set.matches(ex, &[]).first() {
                failures.push(format!(
                    "{} line {line}: `{ex}` should not match, but `{}` does",
                    self.name,
                    &ex[m.span.clone()]
                ));
            }
        }
        failures
    }

    /// Number of `#=` and `#!` examples in the file.
    pub fn examples(&self) -> (usize, usize) {
        (self.must_match.len(), self.must_not_match.len())
    }
}

/// The words of a phrase entry, when its text is nothing but words as [`text::tokens`]
/// reads them, separated by spaces (apostrophes inside words and `*`, `@`, `$` standing for
/// letters are part of words); `None` when it has other punctuation.
fn phrase_words(entry: &str) -> Option<Phrase> {
    let (body, open_end) = match entry.strip_suffix('*') {
        Some(body) => (body, true),
        None => (entry, false),
    };
    let tokens = text::tokens(body, &[]);
    let rebuilt = tokens.iter().map(|t| t.norm.as_str()).collect::<Vec<_>>().join(" ");
    let written = body.split_whitespace().map(text::normalise_word).collect::<Vec<_>>().join(" ");
    if tokens.is_empty() || rebuilt != written {
        return None;
    }
    Some(Phrase { words: tokens.into_iter().map(|t| t.norm).collect(), open_end })
}

/// How lexicon patterns compile: case-insensitive and ASCII (`\w`, `\s`, `\b` and case
/// folding are ASCII's; other characters match themselves), which keeps the regex crate on
/// its DFA engines: Unicode classes and case folding multiply the states they build.
fn builder(pattern: &str) -> RegexBuilder {
    let mut b = RegexBuilder::new(pattern);
    b.case_insensitive(true).unicode(false);
    b
}

/// `pattern` with each `\b` (not `\\b`) made an ASCII word boundary, `(?-u:\b)`: the regex
/// crate's DFAs cannot run Unicode word boundaries on non-ASCII text and fall back to a
/// matcher many times slower.
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str(r"(?-u:\b)"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The regular expression of a phrase entry with punctuation.
fn phrase_pattern(phrase: &str) -> String {
    let (body, open_end) = match phrase.strip_suffix('*') {
        Some(body) => (body, true),
        None => (phrase, false),
    };
    let words: Vec<String> = body
        .split_whitespace()
        .map(|w| {
            let mut out = String::new();
            for c in w.chars() {
                match c {
                    '\'' | '’' => out.push_str("(?:'|’)"),
                    c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                }
            }
            out
        })
        .collect();
    let tail = if open_end { r"\w*" } else { "" };
    // `\b` only where the phrase starts or ends with a word character, so `+1` or `this!`
    // still match.
    let starts_word = body.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
    let ends_word =
        open_end || body.chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
    format!(
        "{}{}{}{}",
        if starts_word { r"(?-u:\b)" } else { "" },
        words.join(r"\s+"),
        tail,
        if ends_word { r"(?-u:\b)" } else { "" }
    )
}

/// A match of a lexicon in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexMatch {
    /// Index of the lexicon in its [`LexiconSet`].
    pub lexicon: usize,
    /// Byte range in the text.
    pub span: Range<usize>,
}

/// Phrases by their first word: `(lexicon, phrase)` pairs.
type PhraseMap = HashMap<String, Vec<(usize, usize)>>;

/// Several lexicons searched together, e.g. one per incivility form.
///
/// Phrases are looked up word by word in a hash map of their first words (one-word phrases
/// ending in `*` by every prefix of a word); pattern entries run only when one regular
/// expression over all of them matches somewhere, which most comments do not.
#[derive(Clone, Debug)]
pub struct LexiconSet {
    lexicons: Vec<Lexicon>,
    /// Phrases by their first word, when it must be whole.
    first: PhraseMap,
    /// One-word phrases ending in `*`, by their word.
    prefixes: PhraseMap,
    /// Length in bytes of the longest key of `prefixes`.
    longest_prefix: usize,
    /// All lexicons' pattern entries as one expression, to skip texts none of them matches.
    any_pattern: Option<Regex>,
}

impl LexiconSet {
    /// Parses `(name, file text)` pairs.
    pub fn parse(files: &[(&str, &str)]) -> Result<LexiconSet, LexiconError> {
        let lexicons =
            files.iter().map(|(n, t)| Lexicon::parse(n, t)).collect::<Result<Vec<_>, _>>()?;
        Ok(LexiconSet::from_lexicons(lexicons))
    }

    fn from_lexicons(lexicons: Vec<Lexicon>) -> LexiconSet {
        let mut first = PhraseMap::new();
        let mut prefixes = PhraseMap::new();
        for (l, lex) in lexicons.iter().enumerate() {
            for (p, phrase) in lex.phrases.iter().enumerate() {
                let map = if phrase.open_end && phrase.words.len() == 1 {
                    &mut prefixes
                } else {
                    &mut first
                };
                map.entry(phrase.words[0].clone()).or_default().push((l, p));
            }
        }
        let longest_prefix = prefixes.keys().map(String::len).max().unwrap_or(0);
        let patterns: Vec<&str> =
            lexicons.iter().filter_map(|l| l.regex.as_ref().map(Regex::as_str)).collect();
        // Each lexicon's expression compiled on its own, so their union does too.
        let any_pattern = (!patterns.is_empty()).then(|| {
            builder(&patterns.join("|"))
                .size_limit(256 << 20)
                .dfa_size_limit(256 << 20)
                .build()
                .expect("a union of compiled expressions compiles")
        });
        LexiconSet { lexicons, first, prefixes, longest_prefix, any_pattern }
    }

    /// The lexicons, in the order given.
    pub fn lexicons(&self) -> &[Lexicon] {
        &self.lexicons
    }

    /// Index of the lexicon called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.lexicons.iter().position(|l| l.name == name)
    }

    /// All matches of all lexicons in `text`, leaving out those that start inside `skip`
    /// (quoted text), sorted by position.
    pub fn matches(&self, text: &str, skip: &[Range<usize>]) -> Vec<LexMatch> {
        self.matches_in(text, &text::tokens(text, skip), skip)
    }

    /// As [`matches`](Self::matches), with the words of `text` outside `skip` given.
    pub fn matches_in(&self, text: &str, tokens: &[Token], skip: &[Range<usize>]) -> Vec<LexMatch> {
        let mut found: Vec<LexMatch> = Vec::new();
        // Phrases: at each word, the longest phrase of each lexicon that starts there.
        let mut best: Vec<Option<usize>> = vec![None; self.lexicons.len()]; // end token
        let mut next_free = vec![0usize; self.lexicons.len()];
        for i in 0..tokens.len() {
            best.iter_mut().for_each(|b| *b = None);
            let word = tokens[i].norm.as_str();
            let mut consider = |&(l, p): &(usize, usize)| {
                if i < next_free[l] {
                    return;
                }
                let phrase = &self.lexicons[l].phrases[p];
                if let Some(end) = phrase_at(phrase, tokens, i)
                    && best[l].is_none_or(|b| end > b)
                {
                    best[l] = Some(end);
                }
            };
            if let Some(cands) = self.first.get(word) {
                cands.iter().for_each(&mut consider);
            }
            if !self.prefixes.is_empty() {
                for (cut, _) in word.char_indices().skip(1).chain([(word.len(), ' ')]) {
                    if cut > self.longest_prefix {
                        break;
                    }
                    if let Some(cands) = self.prefixes.get(&word[..cut]) {
                        cands.iter().for_each(&mut consider);
                    }
                }
            }
            for (l, end) in best.iter().enumerate() {
                if let Some(end) = *end {
                    let span = tokens[i].span.start..tokens[end].span.end;
                    found.push(LexMatch { lexicon: l, span });
                    next_free[l] = end + 1;
                }
            }
        }
        // Patterns, only where their union matches.
        if self.any_pattern.as_ref().is_some_and(|re| re.is_match(text)) {
            for (l, lex) in self.lexicons.iter().enumerate() {
                let Some(re) = &lex.regex else { continue };
                for m in re.find_iter(text) {
                    let span = m.range();
                    if span.is_empty() || skip.iter().any(|r| r.contains(&span.start)) {
                        continue;
                    }
                    // A pattern match overlapping a phrase match of its lexicon is the same cue.
                    let overlaps = found.iter().any(|f| {
                        f.lexicon == l && f.span.start < span.end && span.start < f.span.end
                    });
                    if !overlaps {
                        found.push(LexMatch { lexicon: l, span });
                    }
                }
            }
        }
        found.sort_by_key(|m| (m.span.start, m.lexicon));
        found
    }

    /// Number of matches per lexicon in `text` outside `skip`.
    pub fn counts(&self, text: &str, skip: &[Range<usize>]) -> Vec<usize> {
        let mut counts = vec![0; self.lexicons.len()];
        for m in self.matches(text, skip) {
            counts[m.lexicon] += 1;
        }
        counts
    }
}

/// The index of the last word of `phrase` when it matches `tokens` from word `i`.
fn phrase_at(phrase: &Phrase, tokens: &[Token], i: usize) -> Option<usize> {
    let n = phrase.words.len();
    let words = tokens.get(i..i + n)?;
    for (k, (w, t)) in phrase.words.iter().zip(words).enumerate() {
        let last = k + 1 == n;
        let ok =
            if last && phrase.open_end { t.norm.starts_with(w.as_str()) } else { t.norm == *w };
        if !ok {
            return None;
        }
    }
    Some(i + n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_on_word_boundaries() {
        let lex = Lexicon::parse(
            "t",
            "# insults\nidiot*\nyou prick # address\nthat's a lie\n+1\nre: \\bf[u*]+ck\n",
        )
        .unwrap();
        assert_eq!(lex.len(), 5);
        let found = |t: &str| lex.find_iter(t).map(|r| t[r].to_string()).collect::<Vec<_>>();
        assert_eq!(found("Idiots! idiotic"), ["Idiots", "idiotic"]);
        assert_eq!(found("you  PRICK"), ["you  PRICK"]);
        assert!(found("you pricked it").is_empty());
        assert_eq!(found("That’s a lie."), ["That’s a lie"]);
        assert_eq!(found("+1 from me"), ["+1"]);
        assert_eq!(found("f*ck off"), ["f*ck"]);
        assert!(found("semi-idiotically").len() == 1, "hyphen is a word boundary");
    }

    #[test]
    fn word_boundaries_are_ascii_and_escaped_backslashes_stay() {
        assert_eq!(ascii_boundaries(r"\bidiot\b"), r"(?-u:\b)idiot(?-u:\b)");
        assert_eq!(ascii_boundaries(r"a\\b\s"), r"a\\b\s");
        let lex = Lexicon::parse("t", "re: \\bprick\\b\nbellend").unwrap();
        // Curly quotes and accents around a word still give boundaries.
        let text = "You’re a bellend, “prick”, café prick";
        let found: Vec<&str> = lex.find_iter(text).map(|r| &text[r]).collect();
        assert_eq!(found, ["bellend", "prick", "prick"]);
    }

    #[test]
    fn examples_are_checked() {
        let lex = Lexicon::parse("t", "#= you idiot\n#! idiomatic\n#= fine\nidiot\n").unwrap();
        assert_eq!(lex.examples(), (2, 1));
        let failures = lex.check_examples();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].contains("line 3"), "{failures:?}");
    }

    #[test]
    fn bad_pattern_names_its_line() {
        let err = Lexicon::parse("name_calling", "ok\nre: (unclosed\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("name_calling"), "{err}");
    }

    #[test]
    fn quoted_matches_are_skipped() {
        let set = LexiconSet::parse(&[("a", "idiot"), ("b", "liar")]).unwrap();
        let text = "> you idiot\nyou liar, idiot";
        let m = set.matches(text, std::slice::from_ref(&(0..12)));
        assert_eq!(m.iter().map(|m| m.lexicon).collect::<Vec<_>>(), [1, 0]);
        assert_eq!(set.counts(text, std::slice::from_ref(&(0..12))), [1, 1]);
    }
}
