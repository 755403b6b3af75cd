//! Reading inputs into [`Document`]s.
//!
//! [`parse_path`] reads a file, checks that it is UTF-8, detects its
//! [`Format`] from the content ([`sniff`]) and hands it to that format's
//! parser. Errors name the file ([`ParseError`]).
//!
//! # Example
//! ```
//! use threadlens::parse::{parse_bytes, ParseOptions};
//!
//! let capture = "A headline\n\nSome article text.\n• Show Comments\n  1. First!\n    1. Reply\n";
//! let docs = parse_bytes(capture.as_bytes(), "capture.txt", &ParseOptions::default())?;
//! assert_eq!(docs[0].article.title.as_deref(), Some("A headline"));
//! assert_eq!(docs[0].comments.len(), 2);
//! assert_eq!(docs[0].comments[1].parent_id.as_deref(), Some("1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod clean;
pub mod html;
pub mod json;
pub mod outlets;
pub mod table;
pub mod text;
pub mod xml;

use std::fmt;
use std::path::Path;

use crate::model::Document;

/// An input format threadlens reads. The name (`Format::name`) is what
/// `--input-format` takes; the `format` column of `articles` may be more
/// specific (e.g. `wpdiscuz-html` for an `html` input).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A plain-text capture of a news page (article, then comments).
    Text,
    /// A saved HTML article page with its comments (WordPress, wpDiscuz,
    /// WordPress.com), or a page whose comments load by JavaScript.
    Html,
    /// WordPress REST API comments (`/wp-json/wp/v2/comments`).
    WpRestJson,
    /// A Reddit comments page as JSON.
    RedditJson,
    /// A Hacker News item from the Algolia `items` API.
    HnJson,
    /// A WordPress export file (WXR).
    Wxr,
    /// A Disqus export file.
    DisqusXml,
    /// A comma-separated table with id and parent columns.
    Csv,
    /// A tab-separated table with id and parent columns.
    Tsv,
    /// JSON Lines, one comment object per line.
    Jsonl,
}

impl Format {
    /// The name used in tables, reports and `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::WpRestJson => "wp-rest-json",
            Format::RedditJson => "reddit-json",
            Format::HnJson => "hn-json",
            Format::Wxr => "wxr",
            Format::DisqusXml => "disqus-xml",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
        }
    }
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[
        Format::Text,
        Format::Html,
        Format::WpRestJson,
        Format::RedditJson,
        Format::HnJson,
        Format::Wxr,
        Format::DisqusXml,
        Format::Csv,
        Format::Tsv,
        Format::Jsonl,
    ];
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
    /// The content is in a known format but broken; the message says where
    /// (line and column, or the element or record) and what was expected.
    #[error("{format}: {message}")]
    Malformed {
        /// The format it was read as.
        format: Format,
        /// Where and what, e.g. "line 3, column 7: expected `,` or `]`".
        message: String,
    },
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

/// Options for reading inputs.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Read every input as this format instead of detecting it.
    pub format: Option<Format>,
    /// Column names for CSV/TSV/JSONL tables.
    pub table: table::TableOptions,
}

/// What the content looks like, before a family's parser decides the
/// exact format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Exact(Format),
    Markup,
    Json,
}

fn sniff_family(text: &str, source: &str) -> Result<Family, ParseErrorKind> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.is_empty() {
        return Err(ParseErrorKind::Empty);
    }
    let ext = Path::new(source)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => return Ok(Family::Exact(Format::Csv)),
        "tsv" | "tab" => return Ok(Family::Exact(Format::Tsv)),
        "jsonl" | "ndjson" => return Ok(Family::Exact(Format::Jsonl)),
        _ => {}
    }
    if head.starts_with('<') {
        return Ok(Family::Markup);
    }
    if head.starts_with('{') || head.starts_with('[') {
        // Several lines each holding one object: JSON Lines.
        let mut lines = head.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("");
        let is_lines = first.starts_with('{')
            && first.ends_with('}')
            && serde_json::from_str::<serde_json::Value>(first).is_ok()
            && lines.next().is_some_and(|l| l.starts_with('{'));
        return Ok(if is_lines { Family::Exact(Format::Jsonl) } else { Family::Json });
    }
    if let Some(f) = table::sniff_header(head.lines().next().unwrap_or("")) {
        return Ok(Family::Exact(f));
    }
    Ok(Family::Exact(Format::Text))
}

/// Detect the format of decoded content from its first bytes and the
/// file name. JSON and markup report the family's most common format; their
/// parsers decide between the formats of the family.
pub fn sniff(text: &str) -> Result<Format, ParseErrorKind> {
    Ok(match sniff_family(text, "")? {
        Family::Exact(f) => f,
        Family::Markup => markup_format(text),
        Family::Json => Format::WpRestJson,
    })
}

/// WXR and Disqus exports announce themselves near the top; anything else
/// in angle brackets is an HTML page.
fn markup_format(text: &str) -> Format {
    let head: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
    if head.contains("<disqus") {
        Format::DisqusXml
    } else if head.contains("<rss")
        && (head.contains("wordpress.org/export") || head.contains("<wp:"))
    {
        Format::Wxr
    } else {
        Format::Html
    }
}

/// Parse bytes read from `source`.
pub fn parse_bytes(
    bytes: &[u8],
    source: &str,
    opts: &ParseOptions,
) -> Result<Vec<Document>, ParseError> {
    let err = |kind| ParseError { path: source.to_string(), kind };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        err(ParseErrorKind::NotUtf8 { offset, line })
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err(ParseErrorKind::Empty));
    }
    let id = discussion_id(source);
    let family = match opts.format {
        Some(f) => Family::Exact(f),
        None => sniff_family(text, source).map_err(err)?,
    };
    let family = match family {
        Family::Markup => Family::Exact(markup_format(text)),
        f => f,
    };
    let parsed = match family {
        Family::Exact(Format::Text) => Ok(vec![text::parse(text, &id, source)]),
        Family::Exact(Format::Html) => html::parse(text, &id, source),
        Family::Exact(f @ (Format::Wxr | Format::DisqusXml)) => {
            xml::parse(text, &id, source, Some(f))
        }
        Family::Json => json::parse(text, &id, source, None),
        Family::Exact(f @ (Format::WpRestJson | Format::RedditJson | Format::HnJson)) => {
            json::parse(text, &id, source, Some(f))
        }
        Family::Exact(f @ (Format::Csv | Format::Tsv | Format::Jsonl)) => {
            table::parse(text, &id, source, f, &opts.table)
        }
        Family::Markup => unreachable!("resolved above"),
    };
    parsed.map_err(err)
}

/// Read and parse one file.
pub fn parse_path(path: &Path, opts: &ParseOptions) -> Result<Vec<Document>, ParseError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ParseError { path: source.clone(), kind: ParseErrorKind::Io(e) })?;
    parse_bytes(&bytes, &source, opts)
}

/// Read one file and hand each discussion to `emit` (which returns `false` to stop). Tables
/// (CSV, TSV, JSONL) are streamed: a discussion is handed on when its rows end, so memory
/// holds one discussion, not the file; a discussion whose rows are not contiguous comes out
/// in parts with one merge key. Other formats are read whole, as [`parse_path`] does.
pub fn parse_path_each(
    path: &Path,
    opts: &ParseOptions,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseError> {
    use std::io::{BufReader, Read};
    let source = path.display().to_string();
    let err = |kind| ParseError { path: source.clone(), kind };
    let mut file = std::fs::File::open(path).map_err(|e| err(ParseErrorKind::Io(e)))?;
    let mut head = Vec::new();
    (&mut file).take(64 * 1024).read_to_end(&mut head).map_err(|e| err(ParseErrorKind::Io(e)))?;
    // Sniff on the valid start of the head (it may end inside a character, or hold bytes
    // that are not UTF-8: a table reports those at their line as it streams, having handed
    // on the discussions before them; other formats are checked whole below).
    let valid = match std::str::from_utf8(&head) {
        Ok(_) => head.len(),
        Err(e) => e.valid_up_to(),
    };
    let head_text = std::str::from_utf8(&head[..valid]).expect("valid up to here");
    if valid == 0 && !head.is_empty() {
        return Err(err(ParseErrorKind::NotUtf8 { offset: 0, line: 1 }));
    }
    let head_text = head_text.strip_prefix('\u{feff}').unwrap_or(head_text);
    if head_text.trim().is_empty() && valid == head.len() && head.len() < 64 * 1024 {
        return Err(err(ParseErrorKind::Empty));
    }
    let family = match opts.format {
        Some(f) => Family::Exact(f),
        None => sniff_family(head_text, &source).map_err(&err)?,
    };
    if let Family::Exact(f @ (Format::Csv | Format::Tsv | Format::Jsonl)) = family {
        let id = discussion_id(&source);
        let rdr = BufReader::with_capacity(256 * 1024, std::io::Cursor::new(head).chain(file));
        return table::parse_each(rdr, &id, &source, f, &opts.table, emit).map_err(err);
    }
    let mut bytes = head;
    file.read_to_end(&mut bytes).map_err(|e| err(ParseErrorKind::Io(e)))?;
    for doc in parse_bytes(&bytes, &source, opts)? {
        if !emit(doc) {
            break;
        }
    }
    Ok(())
}

/// The discussion id of a single-article input: its file stem.
pub fn discussion_id(source: &str) -> String {
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
        let opts = ParseOptions::default();
        let e = parse_bytes(b"ok line\nbad \xff byte\n", "dir/latin1.txt", &opts).unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::NotUtf8 { offset: 12, line: 2 }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.starts_with("dir/latin1.txt: not valid UTF-8"), "{msg}");
    }

    #[test]
    fn empty_and_markup_are_rejected() {
        assert!(matches!(sniff(" \n\n"), Err(ParseErrorKind::Empty)));
        assert_eq!(sniff("<!DOCTYPE html><html>").unwrap(), Format::Html);
        assert_eq!(
            sniff("<?xml version=\"1.0\"?><disqus xmlns=\"x\">").unwrap(),
            Format::DisqusXml
        );
        let wxr = "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\">";
        assert_eq!(sniff(wxr).unwrap(), Format::Wxr);
        assert_eq!(sniff("{\"a\": 1}\n{\"a\": 2}\n").unwrap(), Format::Jsonl);
        assert_eq!(sniff("A headline\n\nbody").unwrap(), Format::Text);
    }

    #[test]
    fn discussion_id_is_file_stem() {
        assert_eq!(discussion_id("seeds/002_33127b48be7e0ce9.txt"), "002_33127b48be7e0ce9");
        assert_eq!(discussion_id("noext"), "noext");
    }
}
