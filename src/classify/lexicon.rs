//! Cue lexicons: lists of words, phrases and patterns that the team writes, one file per form
//! (`models/lexicons/incivility/name_calling.txt`, …), documented in
//! `models/lexicons/README.md`.
//!
//! # File format
//! - `#` starts a comment line; blank lines are ignored.
//! - `#= text`: a sentence that must match an entry of the file; `#! text`: one that must not.
//!   Tests check both for every shipped file.
//! - `re: PATTERN`: a regular expression (Rust `regex` syntax), case-insensitive; write `\b`
//!   yourself. `\b` is an ASCII word boundary (letters, digits and `_` of ASCII), so the fast
//!   DFA engines run on text with curly quotes and accents; `\w` stays Unicode.
//! - Any other line is a phrase: words separated by spaces, matched case-insensitively on word
//!   boundaries with any whitespace between words; a trailing `*` lets any word characters
//!   follow; `'` also matches `’`.
//! - ` #` after an entry starts a comment.

use std::ops::Range;

use regex::{Regex, RegexBuilder};

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

/// One lexicon: a named list of entries compiled into one regular expression.
#[derive(Clone, Debug)]
pub struct Lexicon {
    name: String,
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
                Some(re) => ascii_boundaries(re.trim()),
                None => phrase_pattern(entry),
            };
            // Compile each entry on its own first so an error names its line.
            RegexBuilder::new(&pattern)
                .case_insensitive(true)
                .build()
                .map_err(|e| err(lineno, format!("bad pattern `{entry}`: {e}")))?;
            alternatives.push(format!("(?:{pattern})"));
        }
        let entries = alternatives.len();
        let regex = if alternatives.is_empty() {
            None
        } else {
            let joined = alternatives.join("|");
            Some(
                RegexBuilder::new(&joined)
                    .case_insensitive(true)
                    .size_limit(64 << 20)
                    .dfa_size_limit(64 << 20)
                    .build()
                    .map_err(|e| err(0, format!("lexicon does not compile as a whole: {e}")))?,
            )
        };
        Ok(Lexicon { name: name.to_string(), regex, entries, must_match, must_not_match })
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
    pub fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Range<usize>> + 't {
        self.regex
            .iter()
            .flat_map(move |re| re.find_iter(text))
            .filter(|m| !m.is_empty())
            .map(|m| m.range())
    }

    /// Checks the file's `#=` and `#!` examples; returns one message per failing example.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (line, ex) in &self.must_match {
            if self.find_iter(ex).next().is_none() {
                failures.push(format!("{} line {line}: `{ex}` should match", self.name));
            }
        }
        for (line, ex) in &self.must_not_match {
            if let Some(m) = self.find_iter(ex).next() {
                failures.push(format!(
                    "{} line {line}: `{ex}` should not match, but `{}` does",
                    self.name, &ex[m]
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

/// The regular expression of a phrase entry.
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
                    '\'' | '’' => out.push_str("['’]"),
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

/// Several lexicons searched together, e.g. one per incivility form.
#[derive(Clone, Debug)]
pub struct LexiconSet {
    lexicons: Vec<Lexicon>,
    /// One pass over a text tells which lexicons match at all; only those are searched for
    /// their match positions (most comments match none or one).
    any: Option<regex::RegexSet>,
    /// Index in `lexicons` of each pattern of `any`.
    any_lexicon: Vec<usize>,
}

impl LexiconSet {
    /// Parses `(name, file text)` pairs.
    pub fn parse(files: &[(&str, &str)]) -> Result<LexiconSet, LexiconError> {
        let lexicons =
            files.iter().map(|(n, t)| Lexicon::parse(n, t)).collect::<Result<Vec<_>, _>>()?;
        let (patterns, any_lexicon): (Vec<&str>, Vec<usize>) = lexicons
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.regex.as_ref().map(|r| (r.as_str(), i)))
            .unzip();
        let any = if patterns.is_empty() {
            None
        } else {
            Some(
                regex::RegexSetBuilder::new(&patterns)
                    .case_insensitive(true)
                    .size_limit(256 << 20)
                    .dfa_size_limit(256 << 20)
                    .build()
                    .map_err(|e| LexiconError {
                        name: "(all lexicons)".into(),
                        line: 0,
                        message: format!("the lexicons do not compile together: {e}"),
                    })?,
            )
        };
        Ok(LexiconSet { lexicons, any, any_lexicon })
    }

    /// Which lexicons match somewhere in `text`, by index.
    fn matching(&self, text: &str) -> Vec<usize> {
        match &self.any {
            Some(set) => set.matches(text).iter().map(|p| self.any_lexicon[p]).collect(),
            None => Vec::new(),
        }
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
        let mut out = Vec::new();
        for i in self.matching(text) {
            let lex = &self.lexicons[i];
            for span in lex.find_iter(text) {
                if !skip.iter().any(|r| r.contains(&span.start)) {
                    out.push(LexMatch { lexicon: i, span });
                }
            }
        }
        out.sort_by_key(|m| (m.span.start, m.lexicon));
        out
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
