//! Reading inputs into [`Document`]s.
//!
//! [`parse_path`] reads a file, checks that it is UTF-8, detects its
//! [`Format`] from the content ([`sniff`]) and hands it to that format's
//! parser. Errors name the file ([`ParseError`]).
//!
//! # Example
//! ```
//! use threadlens::parse::{parse_bytes, Format};
//!
//! let capture = "A headline\n\nSome article text.\n• Show Comments\n  1. First!\n    1. Reply\n";
//! let docs = parse_bytes(capture.as_bytes(), "capture.txt", None)?;
//! assert_eq!(docs[0].article.title.as_deref(), Some("A headline"));
//! assert_eq!(docs[0].comments.len(), 2);
//! assert_eq!(docs[0].comments[1].parent_id.as_deref(), Some("1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod outlets;
pub mod text;

use std::fmt;
use std::path::Path;

use crate::model::Document;

/// An input format threadlens reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A plain-text capture of a news page (article, then comments).
    Text,
}

impl Format {
    /// The name used in tables, reports and `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
        }
    }
}

impl Format {
    /// Every format, in the order tried when detecting.
    pub const ALL: &'static [Format] = &[Format::Text];
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL.iter().copied().find(|f| f.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown input format `{s}`; expected one of: {}", names.join(", "))
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What went wrong reading an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The file could not be read.
    #[error("could not read: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not UTF-8.
    #[error(
        "not valid UTF-8 (invalid byte at offset {offset}, line {line}); \
         convert the file to UTF-8 first"
    )]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// The file is empty or only whitespace.
    #[error("the file is empty")]
    Empty,
    /// The content is in a format this version does not read.
    #[error("unrecognised format: {0}")]
    Unrecognised(String),
}

/// An input that could not be parsed, with the file it came from.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct ParseError {
    /// The input's path as given.
    pub path: String,
    /// What went wrong.
    #[source]
    pub kind: ParseErrorKind,
}

/// Detect the format of decoded content, or say what it looks like.
pub fn sniff(text: &str) -> Result<Format, ParseErrorKind> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.is_empty() {
        return Err(ParseErrorKind::Empty);
    }
    let lower: String = head.chars().take(200).collect::<String>().to_ascii_lowercase();
    let looks_like = if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        Some("HTML")
    } else if lower.starts_with("<?xml") || lower.starts_with('<') {
        Some("XML/HTML markup")
    } else if lower.starts_with('{') || lower.starts_with('[') {
        Some("JSON")
    } else {
        None
    };
    match looks_like {
        Some(kind) => Err(ParseErrorKind::Unrecognised(format!(
            "the content looks like {kind}; this version reads plain-text captures only"
        ))),
        None => Ok(Format::Text),
    }
}

/// Parse bytes read from `source`. `format` forces a format; `None`
/// detects it from the content.
pub fn parse_bytes(
    bytes: &[u8],
    source: &str,
    format: Option<Format>,
) -> Result<Vec<Document>, ParseError> {
    let err = |kind| ParseError { path: source.to_string(), kind };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        err(ParseErrorKind::NotUtf8 { offset, line })
    })?;
    let format = match format {
        Some(f) => f,
        None => sniff(text).map_err(err)?,
    };
    let id = discussion_id(source);
    match format {
        Format::Text => Ok(vec![text::parse(text, &id, source)]),
    }
}

/// Read and parse one file.
pub fn parse_path(path: &Path, format: Option<Format>) -> Result<Vec<Document>, ParseError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ParseError { path: source.clone(), kind: ParseErrorKind::Io(e) })?;
    parse_bytes(&bytes, &source, format)
}

/// The discussion id of a single-article input: its file stem.
fn discussion_id(source: &str) -> String {
    let p = Path::new(source);
    p.file_stem()
        .or(p.file_name())
        .map_or_else(|| source.to_string(), |s| s.to_string_lossy().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_is_an_error_naming_file_and_line() {
        let e = parse_bytes(b"ok line\nbad \xff byte\n", "dir/latin1.txt", None).unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::NotUtf8 { offset: 12, line: 2 }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.starts_with("dir/latin1.txt: not valid UTF-8"), "{msg}");
    }

    #[test]
    fn empty_and_markup_are_rejected() {
        assert!(matches!(sniff(" \n\n"), Err(ParseErrorKind::Empty)));
        assert!(matches!(sniff("<!DOCTYPE html><html>"), Err(ParseErrorKind::Unrecognised(_))));
        assert!(matches!(sniff("\u{feff}[{\"id\": 1}]"), Err(ParseErrorKind::Unrecognised(_))));
        assert_eq!(sniff("A headline\n\nbody").unwrap(), Format::Text);
    }

    #[test]
    fn discussion_id_is_file_stem() {
        assert_eq!(discussion_id("seeds/002_33127b48be7e0ce9.txt"), "002_33127b48be7e0ce9");
        assert_eq!(discussion_id("noext"), "noext");
    }
}
