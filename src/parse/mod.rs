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
pub mod convokit;
pub mod dom;
pub mod dump;
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
    /// A Reddit dump file (Pushshift, Arctic Shift): one comment or submission object per
    /// line, zstd-compressed or plain.
    RedditDump,
    /// A ConvoKit corpus: its `utterances.jsonl` (one utterance per line), read with the
    /// `conversations.json` and `corpus.json` beside it ([`convokit`]).
    Convokit,
    /// Arrow record batches with id and parent columns, read from memory by
    /// [`table::parse_batches`] (a pyarrow, pandas or polars table from Python), never
    /// from bytes: not one of [`Format::ALL`], so `--input-format` does not take it.
    Arrow,
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
            Format::RedditDump => "reddit-dump",
            Format::Convokit => "convokit",
            Format::Arrow => "arrow",
        }
    }
}

impl Format {
    /// Every format read from files and bytes (all but [`Format::Arrow`]).
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
        Format::RedditDump,
        Format::Convokit,
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
    /// The content is binary (NUL or other control bytes), not a page, an export or a table.
    #[error(
        "binary content ({what} at byte offset {offset}): not a page, an export or a table \
         threadlens reads"
    )]
    Binary {
        /// What gave it away, e.g. "a NUL byte".
        what: &'static str,
        /// Byte offset of the first such byte.
        offset: usize,
    },
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

/// An input that could not be parsed, with the file it came from. The path is printed with
/// control characters escaped (a file name holding a newline stays on one line), and what went
/// wrong is cut at [`MAX_MESSAGE_CHARS`]: a message quoting input never floods the terminal.
#[derive(Debug, thiserror::Error)]
#[error("{}: {}", printable(path), printable(&shorten(&kind.to_string(), MAX_MESSAGE_CHARS)))]
pub struct ParseError {
    /// The input's path as given.
    pub path: String,
    /// What went wrong.
    #[source]
    pub kind: ParseErrorKind,
}

/// `s` with control characters escaped (`\n`, `\u{1b}`), for quoting a file name or input
/// text on one line of a message.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// The longest error message printed for an input, in characters (issue #13: a one-line JSON
/// file of 5 MB was echoed whole in "no comment id column … (columns: …)").
pub const MAX_MESSAGE_CHARS: usize = 400;

/// `s` cut to at most `max` characters, ending in `…` when cut.
pub fn shorten(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some((i, _)) => format!("{}…", &s[..i]).into(),
    }
}

/// Bytes looked at to tell binary content from text, as git and ripgrep do.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// Binary content: a NUL byte, or many control bytes, in the first 8 KiB (issue #13: a binary
/// file met in a folder was read as an article without comments).
fn check_not_binary(bytes: &[u8]) -> Result<(), ParseErrorKind> {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if let Some(offset) = head.iter().position(|&b| b == 0) {
        return Err(ParseErrorKind::Binary { what: "a NUL byte", offset });
    }
    let control = |b: &u8| b.is_ascii_control() && !b"\t\n\r\x0c".contains(b) && *b != 0x1b;
    let n = head.iter().filter(|b| control(b)).count();
    // Text has none, or a stray few; several, and more than 1 in 100, is not text.
    if n >= 4 && n * 100 > head.len() {
        let offset = head.iter().position(control).expect("counted above");
        return Err(ParseErrorKind::Binary { what: "control bytes", offset });
    }
    Ok(())
}

/// Options for reading inputs.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Read every input as this format instead of detecting it.
    pub format: Option<Format>,
    /// Column names for CSV/TSV/JSONL tables.
    pub table: table::TableOptions,
    /// Which lines of Reddit dump files are read.
    pub dump: dump::DumpOptions,
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
    // JSON Lines whose first object is a Reddit dump's comment or submission.
    let lines_format = |head: &str| {
        let first = head.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if dump::is_dump_line(first) {
            Format::RedditDump
        } else if convokit::is_utterance_line(first) {
            Format::Convokit
        } else {
            Format::Jsonl
        }
    };
    match ext.as_str() {
        "csv" => return Ok(Family::Exact(Format::Csv)),
        "tsv" | "tab" => return Ok(Family::Exact(Format::Tsv)),
        "jsonl" | "ndjson" => return Ok(Family::Exact(lines_format(head))),
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
        return Ok(if is_lines { Family::Exact(lines_format(head)) } else { Family::Json });
    }
    if let Some(f) = table::sniff_header(head.lines().next().unwrap_or("")) {
        return Ok(Family::Exact(f));
    }
    check_text_capture(head)?;
    Ok(Family::Exact(Format::Text))
}

/// Whether text that no other format claims looks like a page captured as text: prose (some
/// line of several words), not a PDF, PostScript, YAML or configuration file (issue #13:
/// those were read as captures with no comments).
fn check_text_capture(head: &str) -> Result<(), ParseErrorKind> {
    let unrecognised = |what: &str| {
        Err(ParseErrorKind::Unrecognised(format!(
            "{what}, not a page captured as text, a page, an export or a table; \
             --input-format text reads it as a capture anyway"
        )))
    };
    for (magic, what) in [
        ("%PDF-", "a PDF file"),
        ("%!PS", "a PostScript file"),
        ("{\\rtf", "an RTF document"),
        ("#!", "a script"),
    ] {
        if head.starts_with(magic) {
            return unrecognised(what);
        }
    }
    let lines: Vec<&str> =
        head.lines().take(2_000).map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.iter().any(|l| text::is_comments_marker(l)) {
        return Ok(());
    }
    let words =
        |l: &str| l.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
    if !lines.iter().any(|l| words(l) >= 4) {
        return unrecognised("text without a line of prose (no line of four words or more)");
    }
    // YAML, INI, TOML, .properties: mostly `key: value`, `key = value`, `[section]`, `- item`
    // and comment lines.
    let structured = |l: &&str| {
        let key_end = l.find([':', '=']).filter(|&i| {
            i > 0
                && l[..i]
                    .trim_start_matches("- ")
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"' | '\''))
                && l[..i].split_whitespace().count() <= 3
                && l[i + 1..].chars().next().is_none_or(|c| c == ' ' || c == '=')
        });
        key_end.is_some()
            || (l.starts_with('[') && l.ends_with(']'))
            || l.starts_with("- ")
            || l.starts_with('#')
            || *l == "---"
            || *l == "..."
    };
    let n = lines.iter().filter(|l| structured(l)).count();
    if lines.len() >= 3 && n * 10 >= lines.len() * 7 {
        return unrecognised("structured text (YAML or configuration: mostly `key: value` lines)");
    }
    Ok(())
}

/// Detect the format of decoded content from its first bytes and the
/// file name. JSON and markup report the family's most common format; their
/// parsers decide between the formats of the family.
pub fn sniff(text: &str) -> Result<Format, ParseErrorKind> {
    Ok(match sniff_family(text, "")? {
        Family::Exact(f) => f,
        Family::Markup => markup_format(text)?,
        Family::Json => Format::WpRestJson,
    })
}

/// WXR and Disqus exports announce themselves near the top; other markup is an HTML page
/// when its first element is an HTML one (or it declares an HTML doctype). Other XML (an RSS
/// feed, a sitemap, `<foo/>`) is not read as a page without comments but reported (#13).
fn markup_format(text: &str) -> Result<Format, ParseErrorKind> {
    let head: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
    if head.contains("<disqus") {
        return Ok(Format::DisqusXml);
    }
    if head.contains("<rss") && (head.contains("wordpress.org/export") || head.contains("<wp:")) {
        return Ok(Format::Wxr);
    }
    if head.contains("<!doctype html") || head.contains("<html") {
        return Ok(Format::Html);
    }
    match root_element(&head) {
        Some(name) if html::is_html_element(name) => Ok(Format::Html),
        Some("rss" | "feed" | "rdf:rdf") => Err(ParseErrorKind::Unrecognised(
            "a news feed (RSS or Atom), not a WordPress export (WXR), a Disqus export or a page"
                .into(),
        )),
        Some(name) => Err(ParseErrorKind::Unrecognised(format!(
            "XML whose first element is <{}>: neither a WordPress export (WXR), a Disqus export \
             nor an HTML page; --input-format html reads it as a page anyway",
            printable(&name.chars().take(40).collect::<String>())
        ))),
        None => Err(ParseErrorKind::Unrecognised(
            "markup without an element in its first 4 KiB; --input-format html reads it as a \
             page anyway"
                .into(),
        )),
    }
}

/// The name of the first element of lower-cased markup, after any XML declaration,
/// processing instructions, comments and doctype.
fn root_element(head: &str) -> Option<&str> {
    let mut rest = head.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let end =
                r.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(r.len());
            return Some(&r[..end]).filter(|n| !n.is_empty());
        } else {
            // Text before the first element: a page fragment or a text file that starts
            // with `<`; only a page can be meant.
            return Some("html").filter(|_| !rest.is_empty());
        }
    }
}

/// Parse bytes read from `source`.
pub fn parse_bytes(
    bytes: &[u8],
    source: &str,
    opts: &ParseOptions,
) -> Result<Vec<Document>, ParseError> {
    let err = |kind| ParseError { path: source.to_string(), kind };
    if dump::is_zstd(bytes) && matches!(opts.format, None | Some(Format::RedditDump)) {
        return dump_docs(bytes, true, source, opts);
    }
    if opts.format.is_none() {
        check_not_binary(bytes).map_err(err)?;
    }
    // A plain dump: read line by line, so that a line that is not UTF-8 is an anomaly.
    let first_line = bytes.split(|&b| b == b'\n').find(|l| !l.trim_ascii().is_empty());
    let plain_dump = match opts.format {
        Some(f) => f == Format::RedditDump,
        None => {
            first_line.and_then(|l| std::str::from_utf8(l).ok()).is_some_and(dump::is_dump_line)
        }
    };
    if plain_dump {
        return dump_docs(bytes, false, source, opts);
    }
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
        Family::Markup => Family::Exact(markup_format(text).map_err(err)?),
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
        Family::Exact(Format::RedditDump) => {
            return dump_docs(text.as_bytes(), false, source, opts);
        }
        Family::Exact(Format::Convokit) => {
            let mut docs = Vec::new();
            let info = convokit::CorpusInfo::default();
            convokit::parse_each(text.as_bytes(), &info, source, &mut |d| {
                docs.push(d);
                true
            })
            .map(|()| docs)
        }
        Family::Exact(Format::Arrow) => Err(ParseErrorKind::Unrecognised(
            "arrow: record batches are read from memory (parse::table::parse_batches), \
             not from bytes"
                .into(),
        )),
        Family::Markup => unreachable!("resolved above"),
    };
    parsed.map_err(err)
}

/// A Reddit dump held in memory, read as [`dump::parse_each`] reads a file.
fn dump_docs(
    bytes: &[u8],
    compressed: bool,
    source: &str,
    opts: &ParseOptions,
) -> Result<Vec<Document>, ParseError> {
    let err = |kind| ParseError { path: source.to_string(), kind };
    let rdr = dump::reader(bytes, compressed).map_err(|e| err(ParseErrorKind::Io(e)))?;
    let mut docs = Vec::new();
    dump::parse_each(rdr, source, &opts.dump, &mut |d| {
        docs.push(d);
        true
    })
    .map_err(err)?;
    Ok(docs)
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
    (&mut file).take(HEAD as u64).read_to_end(&mut head).map_err(|e| err(ParseErrorKind::Io(e)))?;
    if dump::is_zstd(&head) && matches!(opts.format, None | Some(Format::RedditDump)) {
        // A compressed Reddit dump: streamed through the decompressor.
        let rdr = dump::reader(std::io::Cursor::new(head).chain(file), true)
            .map_err(|e| err(ParseErrorKind::Io(e)))?;
        return dump::parse_each(rdr, &source, &opts.dump, emit).map_err(err);
    }
    if opts.format.is_none() {
        check_not_binary(&head).map_err(&err)?;
    }
    // Sniff on the valid start of the head (it may end inside a character, or hold bytes
    // that are not UTF-8: a table reports those at their line as it streams, having handed
    // on the discussions before them; other formats are checked whole below).
    let head_text = valid_start(&head);
    let valid = head_text.len();
    if valid == 0 && !head.is_empty() {
        return Err(err(ParseErrorKind::NotUtf8 { offset: 0, line: 1 }));
    }
    let head_text = head_text.strip_prefix('\u{feff}').unwrap_or(head_text);
    if head_text.trim().is_empty() && valid == head.len() && head.len() < HEAD {
        return Err(err(ParseErrorKind::Empty));
    }
    let is_utterances = path.file_name().is_some_and(|n| n == convokit::UTTERANCES);
    let family = match opts.format {
        Some(f) => Family::Exact(f),
        // A ConvoKit corpus's utterances, by name.
        None if is_utterances => Family::Exact(Format::Convokit),
        None => match sniff_family(head_text, &source) {
            Ok(family) => family,
            // Not recognised on a start cut short by a byte that is not UTF-8: that byte is
            // the error to report.
            Err(_) if std::str::from_utf8(&head).is_err_and(|e| e.error_len().is_some()) => {
                let line = head[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(err(ParseErrorKind::NotUtf8 { offset: valid, line }));
            }
            Err(e) => return Err(err(e)),
        },
    };
    if let Family::Exact(f @ (Format::Csv | Format::Tsv | Format::Jsonl)) = family {
        let id = discussion_id(&source);
        let rdr = BufReader::with_capacity(256 * 1024, std::io::Cursor::new(head).chain(file));
        return table::parse_each(rdr, &id, &source, f, &opts.table, emit).map_err(err);
    }
    if let Family::Exact(Format::Convokit) = family {
        // With the files beside it when it is a corpus folder's `utterances.jsonl`.
        let info = match path.parent() {
            Some(dir) if is_utterances => convokit::CorpusInfo::read(dir).map_err(&err)?,
            _ => convokit::CorpusInfo::default(),
        };
        let rdr = BufReader::with_capacity(256 * 1024, std::io::Cursor::new(head).chain(file));
        return convokit::parse_each(rdr, &info, &source, emit).map_err(err);
    }
    if let Family::Exact(Format::RedditDump) = family {
        let rdr = dump::reader(std::io::Cursor::new(head).chain(file), false)
            .map_err(|e| err(ParseErrorKind::Io(e)))?;
        return dump::parse_each(rdr, &source, &opts.dump, emit).map_err(err);
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

/// Whether the file at `path` is a Reddit dump, by its content (the zstd magic number, or a
/// first line that is a dump's comment or submission) or because `opts.format` says so: then
/// `Some(compressed)`. Such files are read together by a [`dump::Gatherer`], so that the
/// comments of one thread spread over several files meet.
fn dump_kind(head: &[u8], opts: &ParseOptions) -> Option<bool> {
    if !matches!(opts.format, None | Some(Format::RedditDump)) {
        return None;
    }
    if dump::is_zstd(head) {
        return Some(true);
    }
    let first = head.split(|&b| b == b'\n').find(|l| !l.trim_ascii().is_empty());
    let first = first.and_then(|l| std::str::from_utf8(l).ok());
    (opts.format == Some(Format::RedditDump) || first.is_some_and(dump::is_dump_line))
        .then_some(false)
}

/// Whether an input's documents may carry a [`Document::merge_key`] (parts of one discussion
/// to be joined: tables, WordPress REST pages, ConvoKit utterances), by `opts.format` or by the
/// start of the content (`head`, with its file name `source`). Pages, captures and the other
/// exports never do, so the pipeline's first pass (which finds each discussion's last part)
/// need not parse them (#17: it parsed every page twice). When in doubt (unrecognised content,
/// JSON): `true`.
pub fn may_merge(head: &[u8], source: &str, opts: &ParseOptions) -> bool {
    let exact = |f: Format| {
        matches!(
            f,
            Format::WpRestJson
                | Format::Csv
                | Format::Tsv
                | Format::Jsonl
                | Format::Convokit
                | Format::Arrow
        )
    };
    if let Some(f) = opts.format {
        return exact(f);
    }
    if Path::new(source).file_name().is_some_and(|n| n == convokit::UTTERANCES) {
        return true;
    }
    let text = valid_start(head);
    match sniff_family(text.strip_prefix('\u{feff}').unwrap_or(text), source) {
        Ok(Family::Markup) => false,
        Ok(Family::Exact(f)) => exact(f),
        Ok(Family::Json) | Err(_) => true,
    }
}

/// What the pipeline asks of a file before reading it, from its first [`HEAD`] bytes (read
/// once for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileKind {
    /// Whether it is a Reddit dump (the zstd magic number, a first line that is a dump's
    /// comment or submission, or `--input-format reddit-dump`): `Some(compressed)`.
    pub dump: Option<bool>,
    /// [`may_merge`]; `true` when the file cannot be read (the parse reports why).
    pub may_merge: bool,
}

/// The [`FileKind`] of the file at `path`.
pub fn file_kind(path: &Path, opts: &ParseOptions) -> FileKind {
    match read_head(path) {
        Ok(head) => FileKind {
            dump: dump_kind(&head, opts),
            may_merge: may_merge(&head, &path.display().to_string(), opts),
        },
        Err(_) => FileKind { dump: None, may_merge: true },
    }
}

/// Bytes of a file's start that format detection reads.
pub const HEAD: usize = 64 * 1024;

/// The first [`HEAD`] bytes of the file at `path`.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)?.take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The longest start of `head` that is UTF-8 (it may end inside a character).
fn valid_start(head: &[u8]) -> &str {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => head.len(),
        Err(e) => e.valid_up_to(),
    };
    std::str::from_utf8(&head[..valid]).expect("valid up to here")
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
    fn only_inputs_that_can_hold_parts_of_a_discussion_may_merge() {
        let opts = ParseOptions::default();
        let no = [
            ("<!DOCTYPE html><html><body><p>hi</p></body></html>", "a.html"),
            (
                "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"></rss>",
                "a.xml",
            ),
            ("Headline\n\nA sentence of the article here.\nShow Comments\n  1. First\n", "a.txt"),
        ];
        for (head, name) in no {
            assert!(!may_merge(head.as_bytes(), name, &opts), "{name}");
        }
        let yes = [
            ("id,parent_id,text\n1,,hi\n", "a.csv"),
            ("id\tparent_id\ttext\n1\t\thi\n", "a.tsv"),
            ("{\"id\": \"1\", \"text\": \"hi\"}\n{\"id\": \"2\", \"text\": \"ho\"}\n", "a.jsonl"),
            ("[{\"id\": 1, \"post\": 7, \"content\": {\"rendered\": \"hi\"}}]", "a.json"),
            ("{\"id\": \"u1\", \"conversation_id\": \"u1\", \"text\": \"hi\"}", "utterances.jsonl"),
            ("\u{1}\u{2}garbage", "a.bin"),
        ];
        for (head, name) in yes {
            assert!(may_merge(head.as_bytes(), name, &opts), "{name}");
        }
        // A format given on the command line decides.
        let html = ParseOptions { format: Some(Format::Html), ..Default::default() };
        assert!(!may_merge(b"id,parent_id\n", "a.csv", &html));
        let csv = ParseOptions { format: Some(Format::Csv), ..Default::default() };
        assert!(may_merge(b"<html></html>", "a.html", &csv));
    }

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
        assert_eq!(sniff("A headline\n\nThe body of the article.").unwrap(), Format::Text);
    }

    /// Issue #13, item 12: XML of no known kind was read as a page without comments.
    #[test]
    fn r13_markup_of_no_known_kind_is_unrecognised() {
        for page in ["<div class=\"comments\"><ol></ol></div>", "<!-- saved -->\n<HTML>", "<p>x"] {
            assert_eq!(sniff(page).unwrap(), Format::Html, "{page}");
        }
        for xml in [
            "<foo/>",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>",
            "<?xml version=\"1.0\"?>\n<urlset xmlns=\"x\"></urlset>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        ] {
            assert!(matches!(sniff(xml), Err(ParseErrorKind::Unrecognised(_))), "{xml}");
        }
    }

    /// Issue #13, item 12: YAML, PDF-like text and text without prose were read as captures.
    #[test]
    fn r13_text_of_no_known_kind_is_unrecognised() {
        for text in [
            "name: corpus\nversion: 2\nsources:\n  - a\n  - b\n",
            "%PDF-1.7\n1 0 obj\n",
            "; settings\nkey = value\nother = 2\nname = a b c d\n",
            "x\ny\nz\n",
        ] {
            assert!(matches!(sniff(text), Err(ParseErrorKind::Unrecognised(_))), "{text}");
        }
        // Prose, or a comment section, is a capture.
        let capture = "Title: something\nBy: someone\nDate: today\nShow Comments\n  1. Hi\n";
        assert_eq!(sniff(capture).unwrap(), Format::Text);
        assert_eq!(sniff("Headline\n\nA sentence of several words.\n").unwrap(), Format::Text);
    }

    /// Issue #13, item 5: a binary file became an article without comments.
    #[test]
    fn r13_binary_content_is_an_error() {
        let opts = ParseOptions::default();
        let e = parse_bytes(b"GIF89a\x01\x00\x00", "in/a.gif", &opts).unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::Binary { offset: 7, .. }), "{e:?}");
        let controls: Vec<u8> = (0..200u8).map(|i| if i % 20 == 0 { 1 } else { b'a' }).collect();
        let e = parse_bytes(&controls, "x.bin", &opts).unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::Binary { .. }), "{e:?}");
        // A stray control byte in text is not binary.
        let text = "Headline\n\nA sentence \x07of several words.\n";
        assert!(parse_bytes(text.as_bytes(), "ok.txt", &opts).is_ok());
    }

    /// Issue #13, item 13: a message quoting a 5 MB line was printed whole.
    #[test]
    fn r13_error_messages_are_cut() {
        let e = ParseError {
            path: "big.json".into(),
            kind: ParseErrorKind::Unrecognised("x".repeat(100_000)),
        };
        let msg = e.to_string();
        assert!(msg.chars().count() < MAX_MESSAGE_CHARS + 50 && msg.ends_with('…'), "{msg}");
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("ééééé", 2), "éé…");
    }

    /// Issue #13, item 13: a newline in a file name split the error line.
    #[test]
    fn r13_file_names_are_printed_on_one_line() {
        let e = parse_bytes(b"", "new\nline.txt", &ParseOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "new\\nline.txt: the file is empty");
    }

    #[test]
    fn discussion_id_is_file_stem() {
        assert_eq!(discussion_id("seeds/002_33127b48be7e0ce9.txt"), "002_33127b48be7e0ce9");
        assert_eq!(discussion_id("noext"), "noext");
    }
}
