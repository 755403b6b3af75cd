//! Comment tables: CSV, TSV and JSON Lines with one comment per row, and Arrow record
//! batches of the same shape ([`parse_batches`]: a pyarrow, pandas or polars table from
//! Python).
//!
//! Columns are found by name (case-insensitive) from the candidates in
//! [`Role::candidates`], or named explicitly with [`TableOptions`] (the
//! `--id-col`, `--parent-col`, … flags). Required: an id column and a
//! parent column. Optional: discussion, author, time, text.
//!
//! - **Discussions.** Without a discussion column the file is one
//!   discussion (id = file stem). With one, each value is a discussion
//!   whose id is that value; the same value in several files is one
//!   discussion (they are merged), so sharded exports recombine. Rows whose
//!   discussion value is empty (or null) go to the discussion
//!   `<file stem>#no-discussion`, or to `<file stem>` when no row of the file has
//!   one, never to a discussion called `""`; each run of them is a `bad_record`
//!   anomaly giving the count and the first line (issue #13).
//! - **Parents.** An empty parent, `0`, `null`/`None`/`NaN`, or the
//!   discussion's own id means "replies to the article". Reddit dumps name
//!   parents `t1_<id>` and the post `t3_<id>`: a `t3_` parent is the article
//!   and the `t1_` prefix is dropped when the ids themselves lack it.
//! - **Times**: numbers are seconds since the Unix epoch (UTC); text goes
//!   through [`parse_time`].
//! - **Text** is kept as written; lines starting with `>` are marked as
//!   quotes.
//! - A row that cannot be read (a JSON line that is not an object, a row
//!   without an id) is reported as a `bad_record` anomaly with its line; the
//!   other rows are kept. A file with no readable row at all is an error.
//! - **Broken CSV/TSV rows** are kept and reported as `bad_record` anomalies with
//!   their line (issue #13): more fields than the header (the extras are quoted in
//!   the message), fewer fields, a stray `"` inside a field that is not quoted (or
//!   after its closing quote), and a quoted field spanning more than 1,000 lines or
//!   1 MB (usually a stray quote that swallowed the rows after it). A file that
//!   ends inside a quoted field is an error naming the line where that field
//!   opened; the discussions read before it are handed on.
//! - **Numbers** (ids, times) keep the text the source wrote: ids beyond 64 bits
//!   stay exact and `time_raw` is never a re-rendered number (issue #13).

use std::collections::HashSet;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use serde_json::Value;

use super::clean::{Time, gt_quotes, parse_time};
use super::{Format, ParseErrorKind};
use crate::model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};

/// At most this many characters of the input are quoted in a message (issue #13).
pub(crate) const QUOTE_CHARS: usize = 200;

/// `s` cut to [`QUOTE_CHARS`] characters, with `…` when cut: messages quote input, and a
/// one-line file can be megabytes long (issue #13).
pub(crate) fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    super::shorten(s, QUOTE_CHARS)
}

/// A quoted field running over more lines than this is reported (issue #13): it is
/// usually a stray quote that swallowed the rows after it.
const LONG_FIELD_LINES: usize = 1_000;
/// A field longer than this (bytes) is reported, for the same reason.
const LONG_FIELD_BYTES: usize = 1 << 20;

/// Column names of a comment table; `None` = find it among the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Comment id column.
    pub id: Option<String>,
    /// Parent comment id column.
    pub parent: Option<String>,
    /// Discussion (article, conversation, thread) id column.
    pub discussion: Option<String>,
    /// Author column.
    pub author: Option<String>,
    /// Time column.
    pub time: Option<String>,
    /// Text column.
    pub text: Option<String>,
    /// The other columns kept in a comment's `extra` map: `None` keeps every column no role
    /// takes; `Some(names)` only those named (matched ignoring ASCII case), none when empty.
    pub keep: Option<Vec<String>>,
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Comment id.
    Id,
    /// Parent comment id.
    Parent,
    /// Discussion id.
    Discussion,
    /// Author name.
    Author,
    /// Posting time.
    Time,
    /// Comment text.
    Text,
}

impl Role {
    const ALL: [Role; 6] =
        [Role::Id, Role::Parent, Role::Discussion, Role::Author, Role::Time, Role::Text];

    /// Column names recognised without a flag, in order of preference.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Role::Id => &["id", "comment_id", "commentid", "utterance_id", "message_id", "cid"],
            Role::Parent => &[
                "parent_id",
                "reply_to",
                "parent",
                "in_reply_to",
                "parent_comment_id",
                "reply_to_id",
                "in_reply_to_id",
                "replyto",
                // The New York Times comments (`parentID`; 0 at top level) and others in camel case.
                "parentid",
                "inreplyto",
            ],
            Role::Discussion => &[
                "article_id",
                "conversation_id",
                "thread_id",
                "discussion_id",
                "post_id",
                "link_id",
                "story_id",
                "article",
                "articleid",
                "asset_id",
                "assetid",
            ],
            Role::Author => &[
                "author",
                "speaker",
                "user",
                "username",
                "user_name",
                "author_name",
                "userdisplayname",
                "user_display_name",
                "display_name",
            ],
            Role::Time => &[
                "timestamp",
                "created_utc",
                "created_at",
                "time",
                "date",
                "datetime",
                "created",
                "createdate",
                "create_date",
            ],
            Role::Text => &[
                "text",
                "body",
                "content",
                "comment",
                "message",
                "comment_text",
                "commentbody",
                "comment_body",
            ],
        }
    }

    /// The option naming the column: the CLI's flag for a file, the Python keyword for an
    /// Arrow table (which comes from Python).
    fn flag(self, format: Format) -> &'static str {
        match (self, format == Format::Arrow) {
            (Role::Id, false) => "--id-col",
            (Role::Parent, false) => "--parent-col",
            (Role::Discussion, false) => "--discussion-col",
            (Role::Author, false) => "--author-col",
            (Role::Time, false) => "--time-col",
            (Role::Text, false) => "--text-col",
            (Role::Id, true) => "id_col",
            (Role::Parent, true) => "parent_col",
            (Role::Discussion, true) => "discussion_col",
            (Role::Author, true) => "author_col",
            (Role::Time, true) => "time_col",
            (Role::Text, true) => "text_col",
        }
    }

    fn chosen(self, o: &TableOptions) -> Option<&str> {
        match self {
            Role::Id => o.id.as_deref(),
            Role::Parent => o.parent.as_deref(),
            Role::Discussion => o.discussion.as_deref(),
            Role::Author => o.author.as_deref(),
            Role::Time => o.time.as_deref(),
            Role::Text => o.text.as_deref(),
        }
    }
}

/// The table format a header line suggests: a tab- or comma-separated line
/// naming an id column and a parent column.
pub fn sniff_header(line: &str) -> Option<Format> {
    let (format, sep) = if line.contains('\t') { (Format::Tsv, '\t') } else { (Format::Csv, ',') };
    let names: Vec<String> =
        line.split(sep).map(|n| n.trim().trim_matches('"').to_ascii_lowercase()).collect();
    let has = |r: Role| r.candidates().iter().any(|c| names.iter().any(|n| n == c));
    (names.len() >= 2 && has(Role::Id) && has(Role::Parent)).then_some(format)
}

/// Which column index (CSV) or key (JSONL) plays each role.
#[derive(Debug, Default)]
struct Mapping {
    columns: [Option<String>; 6],
    keep: Option<Vec<String>>,
}

impl Mapping {
    fn new(
        names: &[String],
        opts: &TableOptions,
        format: Format,
    ) -> Result<Mapping, ParseErrorKind> {
        let mut m = Mapping::default();
        for (i, role) in Role::ALL.into_iter().enumerate() {
            let found = match role.chosen(opts) {
                Some(name) => match names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
                    Some(n) => Some(n.clone()),
                    None => {
                        return Err(ParseErrorKind::Malformed {
                            format,
                            message: format!(
                                "{} names column `{name}`, which the table does not have \
                                 (columns: {})",
                                role.flag(format),
                                clip(&names.join(", "))
                            ),
                        });
                    }
                },
                None => role
                    .candidates()
                    .iter()
                    .find_map(|c| names.iter().find(|n| n.eq_ignore_ascii_case(c)).cloned()),
            };
            if found.is_none() && matches!(role, Role::Id | Role::Parent) {
                return Err(ParseErrorKind::Malformed {
                    format,
                    message: format!(
                        "no {} column: looked for {} (columns: {}); name it with {}",
                        if role == Role::Id { "comment id" } else { "parent id" },
                        role.candidates().join(", "),
                        clip(&names.join(", ")),
                        role.flag(format)
                    ),
                });
            }
            m.columns[i] = found;
        }
        // A named column to keep must exist, where every row has the same columns (a JSONL
        // line may carry keys the first one lacks).
        if let Some(keep) = &opts.keep
            && format != Format::Jsonl
            && let Some(missing) =
                keep.iter().find(|k| !names.iter().any(|n| n.eq_ignore_ascii_case(k)))
        {
            return Err(ParseErrorKind::Malformed {
                format,
                message: format!(
                    "{} names column `{missing}`, which the table does not have (columns: {})",
                    if format == Format::Arrow { "keep_cols" } else { "--keep-col" },
                    clip(&names.join(", "))
                ),
            });
        }
        m.keep = opts.keep.clone();
        Ok(m)
    }

    /// Whether column `name` goes into `extra`: no role takes it and it is kept.
    fn extra(&self, name: &str) -> bool {
        !self.columns.iter().flatten().any(|c| c == name)
            && self.keep.as_ref().is_none_or(|k| k.iter().any(|k| k.eq_ignore_ascii_case(name)))
    }

    fn get(&self, role: Role) -> Option<&str> {
        self.columns[Role::ALL.iter().position(|&r| r == role).expect("role")].as_deref()
    }
}

/// One row, with every value as text (or a number for times).
#[derive(Debug, Default)]
struct Row {
    line: usize,
    id: Option<String>,
    parent: Option<String>,
    discussion: Option<String>,
    author: Option<String>,
    time: Option<Value>,
    /// The time's text as written, when `time` does not keep it (a JSON number with an
    /// exponent, which serde_json writes `e+N`).
    time_text: Option<String>,
    text: Option<String>,
    /// The other columns kept (see [`TableOptions::keep`]), empty values left out.
    extra: Vec<(String, String)>,
}

/// Parse a CSV, TSV or JSONL table of comments.
pub fn parse(
    text: &str,
    id: &str,
    source: &str,
    format: Format,
    opts: &TableOptions,
) -> Result<Vec<Document>, ParseErrorKind> {
    let mut docs: Vec<Document> = Vec::new();
    parse_each(text.as_bytes(), id, source, format, opts, &mut |d| {
        // Parts of one discussion (rows not contiguous) are one document here.
        match docs.iter_mut().find(|e| e.merge_key.is_some() && e.merge_key == d.merge_key) {
            Some(e) => {
                e.comments.extend(d.comments);
                e.anomalies.extend(d.anomalies);
            }
            None => docs.push(d),
        }
        true
    })?;
    Ok(docs)
}

/// Parse a table from a reader, handing each discussion to `emit` as soon as its rows end
/// (when the discussion column changes value), so memory holds one discussion, not the
/// file; `emit` returns `false` to stop. A discussion whose rows are not contiguous comes
/// out in several parts with the same merge key, merged by the caller.
pub fn parse_each(
    rdr: impl std::io::BufRead,
    id: &str,
    source: &str,
    format: Format,
    opts: &TableOptions,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseErrorKind> {
    let mut g = Grouper::new(id, source, format, emit);
    let read = match format {
        Format::Jsonl => read_jsonl(rdr, opts, &mut g),
        Format::Csv => read_delimited(rdr, b',', format, opts, &mut g),
        Format::Tsv => read_delimited(rdr, b'\t', format, opts, &mut g),
        other => unreachable!("table::parse called for {other}"),
    };
    if let Err(e) = read {
        // What was read before the break is handed on; the error says where it broke.
        g.flush(false);
        return Err(e);
    }
    g.finish()
}

/// Collects contiguous rows of one discussion and hands each group on as a document.
struct Grouper<'a> {
    id: &'a str,
    source: &'a str,
    format: Format,
    emit: &'a mut dyn FnMut(Document) -> bool,
    /// Whether the table has a discussion column.
    by_discussion: bool,
    /// Whether any row had a discussion value.
    any_discussion: bool,
    rows: Vec<Row>,
    /// Rows read so far (for the `row-N` ids of rows without one).
    read: usize,
    /// The discussion of `rows`.
    current: Option<String>,
    /// The discussion column's name, for messages.
    discussion_col: String,
    /// Rows of `rows` without a discussion id: the first one's line and how many.
    no_discussion: Option<(usize, usize)>,
    /// Problems of rows that could not be read, waiting for a document to go to.
    anomalies: Vec<Anomaly>,
    emitted: usize,
    stopped: bool,
}

impl<'a> Grouper<'a> {
    fn new(
        id: &'a str,
        source: &'a str,
        format: Format,
        emit: &'a mut dyn FnMut(Document) -> bool,
    ) -> Self {
        Grouper {
            id,
            source,
            format,
            emit,
            by_discussion: false,
            any_discussion: false,
            rows: Vec::new(),
            read: 0,
            current: None,
            discussion_col: String::new(),
            no_discussion: None,
            anomalies: Vec::new(),
            emitted: 0,
            stopped: false,
        }
    }

    fn discussion_of(&self, row: &Row) -> String {
        match (&row.discussion, self.by_discussion) {
            (Some(d), _) => d.clone(),
            (None, true) => format!("{}#no-discussion", self.id),
            (None, false) => self.id.to_string(),
        }
    }

    fn push(&mut self, mut row: Row) {
        // An empty discussion id is none: never an article called "" (issue #13).
        if row.discussion.as_deref().is_some_and(|d| d.trim().is_empty()) {
            row.discussion = None;
        }
        self.any_discussion |= row.discussion.is_some();
        let d = self.discussion_of(&row);
        if self.current.as_ref().is_some_and(|c| *c != d) {
            self.flush(false);
        }
        if row.discussion.is_none() && self.by_discussion {
            self.no_discussion.get_or_insert((row.line, 0)).1 += 1;
        }
        self.current = Some(d);
        // Counted after a flush above, which numbers the rows before this one.
        self.read += 1;
        self.rows.push(row);
    }

    fn anomaly(&mut self, a: Anomaly) {
        self.anomalies.push(a);
    }

    /// Hands on the rows gathered; `last` when the file has ended.
    fn flush(&mut self, last: bool) {
        let Some(discussion) = self.current.take() else { return };
        let rows = std::mem::take(&mut self.rows);
        let first_row = self.read - rows.len();
        // A discussion column whose values are all empty: the file is one discussion.
        let whole_file = last && self.emitted == 0 && !self.any_discussion;
        let (discussion, merge) = if whole_file {
            (self.id.to_string(), false)
        } else {
            (discussion, self.by_discussion)
        };
        let mut doc = assemble(rows, first_row, &discussion, merge, self.source, self.format);
        doc.anomalies.splice(0..0, self.anomalies.drain(..));
        if let Some((line, n)) = self.no_discussion.take() {
            let (rows, have) = if n == 1 { ("row", "has") } else { ("rows", "have") };
            doc.anomalies.push(Anomaly {
                kind: AnomalyKind::BadRecord,
                line: Some(line),
                comment_id: None,
                message: format!(
                    "{n} {rows} from line {line} on {have} no discussion id (column `{}` \
                     empty); kept under the discussion `{discussion}`",
                    clip(&self.discussion_col)
                ),
            });
        }
        self.emitted += 1;
        if !self.stopped && !(self.emit)(doc) {
            self.stopped = true;
        }
    }

    fn finish(mut self) -> Result<(), ParseErrorKind> {
        if self.read == 0 && !self.anomalies.is_empty() {
            return Err(ParseErrorKind::Malformed {
                format: self.format,
                message: format!("no readable row; first problem: {}", self.anomalies[0].message),
            });
        }
        self.flush(true);
        Ok(())
    }
}

fn read_delimited(
    rdr: impl std::io::BufRead,
    sep: u8,
    format: Format,
    opts: &TableOptions,
    g: &mut Grouper<'_>,
) -> Result<(), ParseErrorKind> {
    let malformed = |e: csv::Error| {
        if let csv::ErrorKind::Utf8 { pos: Some(p), err } = e.kind() {
            return ParseErrorKind::NotUtf8 {
                offset: p.byte() as usize + err.valid_up_to(),
                line: p.line() as usize,
            };
        }
        let at = e.position().map_or_else(String::new, |p| format!("line {}: ", p.line()));
        ParseErrorKind::Malformed { format, message: format!("{at}{e}") }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(QuoteWatch::new(rdr, sep));
    let names: Vec<String> = rdr
        .headers()
        .map_err(malformed)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let m = Mapping::new(&names, opts, format)?;
    g.by_discussion = m.get(Role::Discussion).is_some();
    g.discussion_col = m.get(Role::Discussion).unwrap_or_default().to_string();
    let index = |role: Role| m.get(role).and_then(|c| names.iter().position(|n| n == c));
    let idx: Vec<Option<usize>> = Role::ALL.iter().map(|&r| index(r)).collect();
    let extra_idx: Vec<usize> = (0..names.len()).filter(|&i| m.extra(&names[i])).collect();
    let sep_str = char::from(sep).to_string();
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(malformed)? {
        let (line, start) = rec.position().map_or((0, 0), |p| (p.line() as usize, p.byte()));
        let end = rdr.position().byte();
        // The csv crate reads a file that ends inside a quoted field as one last record
        // holding every later row: that is an error at the line the field opened (#13).
        let watch = rdr.get_ref();
        if let Some((open_line, open_byte)) = watch.unclosed()
            && (start..end).contains(&open_byte)
        {
            return Err(ParseErrorKind::Malformed {
                format,
                message: format!(
                    "line {open_line}: a quoted field opens here and is never closed (the \
                     file ends inside it, {} lines later); is a quote missing or stray? The \
                     rows before line {line} are kept",
                    watch.line - open_line
                ),
            });
        }
        // Fields and quotes that break the table's shape: kept, and reported (#13).
        let mut problems: Vec<(usize, String)> = rdr
            .get_mut()
            .take_stray(end)
            .into_iter()
            .map(|(l, field, opened)| {
                let column = names.get(field).map_or_else(
                    || format!("field {} (beyond the header)", field + 1),
                    |n| format!("column `{}`", clip(n)),
                );
                match opened {
                    Some(o) => (
                        o,
                        format!(
                            "line {o}: a quoted field in {column} opens here and closes on line \
                             {l}, where text follows its closing quote: lines {o}–{l} were read \
                             as one field; is a quote missing or stray? The row is kept as read"
                        ),
                    ),
                    None => (
                        l,
                        format!(
                            "line {l}: a stray `\"` in {column}, inside a field that is not \
                             quoted or after its closing quote; the row is kept as read"
                        ),
                    ),
                }
            })
            .collect();
        if rec.len() > names.len() {
            let extra: Vec<&str> = rec.iter().skip(names.len()).collect();
            problems.push((
                line,
                format!(
                    "line {line}: the row has {} fields, the header {}; the extra ones are in \
                     no column: {}",
                    rec.len(),
                    names.len(),
                    clip(&extra.join(&sep_str))
                ),
            ));
        } else if rec.len() < names.len() {
            problems.push((
                line,
                format!(
                    "line {line}: the row has {} field{}, the header {}; missing: {}",
                    rec.len(),
                    if rec.len() == 1 { "" } else { "s" },
                    names.len(),
                    clip(&names[rec.len()..].join(", "))
                ),
            ));
        }
        let mut field_line = line;
        for (i, f) in rec.iter().enumerate() {
            let newlines = memchr_count(f.as_bytes());
            if newlines > LONG_FIELD_LINES || f.len() > LONG_FIELD_BYTES {
                let column = names.get(i).map_or_else(
                    || format!("field {}", i + 1),
                    |n| format!("column `{}`", clip(n)),
                );
                problems.push((
                    field_line,
                    format!(
                        "line {field_line}: the field in {column} runs over {} lines ({} \
                         bytes), to line {}: is a quote missing or stray? The row is kept as \
                         read",
                        newlines + 1,
                        f.len(),
                        field_line + newlines
                    ),
                ));
            }
            field_line += newlines;
        }
        let field = |i: usize| idx[i].and_then(|j| rec.get(j)).map(str::to_string);
        let row = Row {
            line,
            id: field(0),
            parent: field(1),
            discussion: field(2),
            author: field(3),
            time: field(4).map(Value::String),
            time_text: None,
            text: field(5),
            extra: extra_idx
                .iter()
                .filter_map(|&i| {
                    let v = rec.get(i).filter(|v| !v.is_empty())?;
                    Some((names[i].clone(), v.to_string()))
                })
                .collect(),
        };
        let comment_id = row.id.as_deref().map(str::trim).filter(|i| !i.is_empty());
        let comment_id = comment_id.map(|i| clip(i).into_owned());
        // After the row, so that they go with its discussion.
        g.push(row);
        for (l, message) in problems {
            g.anomaly(Anomaly {
                kind: AnomalyKind::BadRecord,
                line: Some(l),
                // A stray quote in the header concerns no comment.
                comment_id: comment_id.clone().filter(|_| l >= line),
                message,
            });
        }
        if g.stopped {
            return Ok(());
        }
    }
    // A header that never closes its quote.
    if let Some((open_line, _)) = rdr.get_ref().unclosed() {
        return Err(ParseErrorKind::Malformed {
            format,
            message: format!(
                "line {open_line}: a quoted field opens here and is never closed (the file \
                 ends inside it)"
            ),
        });
    }
    Ok(())
}

/// How many `\n` bytes `b` holds.
fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Where a reader of CSV stands in the quoting rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field.
    Start,
    /// In a field that did not start with a quote.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the closing quote, or the first of
    /// an escaped `""`.
    QuoteInQuoted,
}

/// Passes bytes on to the csv reader while following the quoting rules alongside it,
/// since the csv crate accepts what issue #13 asks to report: a stray `"` in an
/// unquoted field (or after a closing quote), and a file ending inside a quoted field.
/// Linear: one look at each byte.
struct QuoteWatch<R> {
    inner: R,
    sep: u8,
    state: Quoting,
    /// Current 1-based line, counting every `\n` (as the csv crate does).
    line: usize,
    /// Bytes passed on so far.
    byte: u64,
    /// 0-based field of the current record.
    field: usize,
    /// Line and byte offset of the opening quote of the current quoted field.
    opened: (usize, u64),
    /// Stray quotes met, not yet reported: (byte offset, line, field, and the line its quoted
    /// field opened on when text follows a closing quote on a later line).
    stray: std::collections::VecDeque<(u64, usize, usize, Option<usize>)>,
    /// The inner reader has ended.
    eof: bool,
}

impl<R: std::io::Read> QuoteWatch<R> {
    fn new(inner: R, sep: u8) -> Self {
        QuoteWatch {
            inner,
            sep,
            state: Quoting::Start,
            line: 1,
            byte: 0,
            field: 0,
            opened: (0, 0),
            stray: Default::default(),
            eof: false,
        }
    }

    /// The line and byte of the quote that opened a field the file ended inside.
    fn unclosed(&self) -> Option<(usize, u64)> {
        (self.eof && self.state == Quoting::Quoted).then_some(self.opened)
    }

    /// Stray quotes before byte offset `end`, as (line, field, line its quoted field opened
    /// on when that is earlier).
    fn take_stray(&mut self, end: u64) -> Vec<(usize, usize, Option<usize>)> {
        let mut out: Vec<(usize, usize, Option<usize>)> = Vec::new();
        while let Some(&(b, line, field, opened)) = self.stray.front()
            && b < end
        {
            // One report per field.
            if out.last().is_none_or(|&(l, f, _)| (l, f) != (line, field)) {
                out.push((line, field, opened));
            }
            self.stray.pop_front();
        }
        out
    }

    fn watch(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let terminator = b == b'\n' || b == b'\r';
            self.state = match self.state {
                Quoting::Start | Quoting::Unquoted | Quoting::QuoteInQuoted if b == self.sep => {
                    self.field += 1;
                    Quoting::Start
                }
                Quoting::Start | Quoting::Unquoted | Quoting::QuoteInQuoted if terminator => {
                    self.field = 0;
                    Quoting::Start
                }
                Quoting::Start if b == b'"' => {
                    self.opened = (self.line, self.byte);
                    Quoting::Quoted
                }
                Quoting::Start => Quoting::Unquoted,
                Quoting::Unquoted => {
                    if b == b'"' {
                        self.stray.push_back((self.byte, self.line, self.field, None));
                    }
                    Quoting::Unquoted
                }
                Quoting::Quoted if b == b'"' => Quoting::QuoteInQuoted,
                Quoting::Quoted => Quoting::Quoted,
                Quoting::QuoteInQuoted if b == b'"' => Quoting::Quoted,
                Quoting::QuoteInQuoted => {
                    // Text after the closing quote (`"a"b`); when the quoted field opened on an
                    // earlier line, the rows between were read into it.
                    let opened = Some(self.opened.0).filter(|&l| l < self.line);
                    self.stray.push_back((self.byte, self.line, self.field, opened));
                    Quoting::Unquoted
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
            self.byte += 1;
        }
    }
}

impl<R: std::io::Read> std::io::Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        self.watch(&buf[..n]);
        Ok(n)
    }
}

fn read_jsonl(
    mut rdr: impl std::io::BufRead,
    opts: &TableOptions,
    g: &mut Grouper<'_>,
) -> Result<(), ParseErrorKind> {
    let mut mapping: Option<Mapping> = None;
    let mut buf = Vec::new();
    let (mut line_no, mut offset) = (0usize, 0usize);
    loop {
        buf.clear();
        let n = rdr.read_until(b'\n', &mut buf).map_err(ParseErrorKind::Io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = std::str::from_utf8(&buf).map_err(|e| ParseErrorKind::NotUtf8 {
            offset: offset + e.valid_up_to(),
            line: line_no,
        })?;
        offset += n;
        let line = if line_no == 1 { line.trim_start_matches('\u{feff}') } else { line };
        if line.trim().is_empty() {
            continue;
        }
        let obj = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => o,
            Ok(other) => {
                g.anomaly(bad_record(
                    line_no,
                    format!("line is JSON {} , not an object", kind_of(&other)),
                ));
                continue;
            }
            Err(e) => {
                g.anomaly(bad_record(line_no, format!("line is not valid JSON: {e}")));
                continue;
            }
        };
        if mapping.is_none() {
            let names: Vec<String> = obj.keys().cloned().collect();
            let m = Mapping::new(&names, opts, Format::Jsonl)?;
            g.by_discussion = m.get(Role::Discussion).is_some();
            g.discussion_col = m.get(Role::Discussion).unwrap_or_default().to_string();
            mapping = Some(m);
        }
        let m = mapping.as_ref().expect("set above");
        let value = |role: Role| m.get(role).and_then(|k| obj.get(k)).filter(|v| !v.is_null());
        let string = |role: Role| value(role).map(scalar_text);
        g.push(Row {
            line: line_no,
            id: string(Role::Id),
            parent: string(Role::Parent),
            discussion: string(Role::Discussion),
            author: string(Role::Author),
            time: value(Role::Time).cloned(),
            time_text: value(Role::Time)
                .filter(|v| matches!(v, Value::Number(n) if n.to_string().contains('e')))
                .and_then(|_| raw_field(line, m.get(Role::Time)?)),
            text: string(Role::Text),
            extra: obj
                .iter()
                .filter(|(k, v)| !v.is_null() && m.extra(k))
                .map(|(k, v)| (k.clone(), scalar_text(v)))
                .collect(),
        });
        if g.stopped {
            break;
        }
    }
    Ok(())
}

/// Read a table of comments held as Arrow record batches (a pyarrow, pandas or polars table
/// handed over through the Arrow C data interface), handing each discussion to `emit` as the
/// CSV reader does ([`parse_each`]): the same column recognition and [`TableOptions`], the
/// same discussions, parents and anomalies. `id` is the discussion id when the table has no
/// discussion column, `source` the name the rows are reported under; the `format` of the
/// discussions is `arrow`, and a comment's `line` is its row number in the table (from 1).
///
/// Values are read as the CSV reader reads their text:
/// - ids, parents, discussions, authors and texts may be strings (`utf8`, `large_utf8`,
///   `utf8_view`, or a dictionary of them, as pandas categories are), integers, floats,
///   booleans, dates or timestamps; a float holding a whole number is read as that integer
///   (`3.0` is `3`, as pandas turns an integer column with a missing value into floats), and a
///   null or a float NaN is an empty value;
/// - times may be strings (parsed as in a file), numbers (seconds since the Unix epoch, UTC)
///   or Arrow timestamps and dates; `time_raw` holds the value as text (a timestamp with a time
///   zone in RFC 3339 UTC, `2024-01-02T03:04:05Z`; one without as the wall-clock time,
///   `2024-01-02T03:04:05`).
///
/// A column of any other type (a list, a struct, binary) in a role is an error naming it, as is
/// a table without rows or without an id or parent column.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
/// use threadlens::parse::table::{parse_batches, TableOptions};
///
/// let batch = RecordBatch::try_from_iter([
///     ("comment_id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
///     ("reply_to", Arc::new(Int64Array::from(vec![None, Some(1), Some(2)])) as ArrayRef),
///     ("body", Arc::new(StringArray::from(vec!["First", "A reply", "Another"])) as ArrayRef),
/// ])?;
/// let mut docs = Vec::new();
/// parse_batches(&[batch], "table", "table", &TableOptions::default(), &mut |d| {
///     docs.push(d);
///     true
/// })?;
/// let c = &docs[0].comments;
/// assert_eq!((docs[0].article.id.as_str(), docs[0].article.format.as_str()), ("table", "arrow"));
/// assert_eq!((c[2].id.as_str(), c[2].parent_id.as_deref(), c[2].text.as_str()), ("3", Some("2"), "Another"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_batches(
    batches: &[RecordBatch],
    id: &str,
    source: &str,
    opts: &TableOptions,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseErrorKind> {
    let format = Format::Arrow;
    let mut g = Grouper::new(id, source, format, emit);
    let mut line = 0;
    let mut mapping: Option<Mapping> = None;
    let mut unkept: Vec<String> = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        if mapping.is_none() {
            let m = Mapping::new(&names, opts, format)?;
            g.by_discussion = m.get(Role::Discussion).is_some();
            g.discussion_col = m.get(Role::Discussion).unwrap_or_default().to_string();
            mapping = Some(m);
        }
        let m = mapping.as_ref().expect("set above");
        let mut columns: Vec<Option<Vec<Option<Cell>>>> = Vec::with_capacity(6);
        for role in Role::ALL {
            let values = match m.get(role) {
                None => None,
                Some(name) => {
                    let i = names.iter().position(|n| n == name).ok_or_else(|| {
                        ParseErrorKind::Malformed {
                            format,
                            message: format!(
                                "column `{}` is missing from a later batch",
                                clip(name)
                            ),
                        }
                    })?;
                    Some(cells(name, batch.column(i).as_ref())?)
                }
            };
            columns.push(values);
        }
        // The other columns kept: those of a type a role could not hold either (a list, a
        // struct) are left out, and said so once.
        let mut extra: Vec<(&String, Vec<Option<Cell>>)> = Vec::new();
        for (i, name) in names.iter().enumerate().filter(|(_, n)| m.extra(n)) {
            match cells(name, batch.column(i).as_ref()) {
                Ok(values) => extra.push((name, values)),
                Err(_) if !unkept.contains(name) => {
                    unkept.push(name.clone());
                    g.anomaly(Anomaly {
                        kind: AnomalyKind::BadRecord,
                        line: None,
                        comment_id: None,
                        message: format!(
                            "column `{}` ({}) is not kept in `extra`: only strings, numbers, \
                             booleans, dates and times are",
                            clip(name),
                            batch.column(i).data_type()
                        ),
                    });
                }
                Err(_) => {}
            }
        }
        let mut take = |role: usize, row: usize| -> Option<Cell> {
            columns[role].as_mut().and_then(|v| v[row].take())
        };
        for row in 0..batch.num_rows() {
            line += 1;
            let text = |c: Option<Cell>| c.map(|c| c.text);
            let time = take(4, row);
            g.push(Row {
                line,
                id: text(take(0, row)),
                parent: text(take(1, row)),
                discussion: text(take(2, row)),
                author: text(take(3, row)),
                time_text: time.as_ref().filter(|c| c.value.is_number()).map(|c| c.text.clone()),
                time: time.map(|c| c.value),
                text: text(take(5, row)),
                extra: extra
                    .iter_mut()
                    .filter_map(|(name, values)| Some(((*name).clone(), values[row].take()?.text)))
                    .collect(),
            });
            if g.stopped {
                return Ok(());
            }
        }
    }
    if line == 0 {
        let columns = batches.first().map_or_else(String::new, |b| {
            let names: Vec<String> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
            format!(" (columns: {})", clip(&names.join(", ")))
        });
        return Err(ParseErrorKind::Malformed {
            format,
            message: format!("the table has no rows{columns}"),
        });
    }
    g.finish()
}

/// One value of an Arrow column: as JSON (a string, a number or a boolean, for times) and as
/// the text a CSV file would hold.
struct Cell {
    value: Value,
    text: String,
}

impl Cell {
    fn text(text: String) -> Cell {
        Cell { value: Value::String(text.clone()), text }
    }

    fn int(n: impl Into<serde_json::Number> + ToString + Copy) -> Cell {
        Cell { value: Value::Number(n.into()), text: n.to_string() }
    }

    /// A float: NaN (pandas' missing value) and infinities are no value; a whole number is
    /// its integer.
    fn float(f: f64) -> Option<Cell> {
        let number = serde_json::Number::from_f64(f)?;
        let text = if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
            (f as i64).to_string()
        } else {
            format!("{f:?}")
        };
        Some(Cell { value: Value::Number(number), text })
    }
}

/// The values of an Arrow column of a comment table (`name` for messages).
fn cells(name: &str, array: &dyn Array) -> Result<Vec<Option<Cell>>, ParseErrorKind> {
    use arrow_array::types::*;
    use arrow_schema::{DataType as A, TimeUnit};

    let n = array.len();
    let each = |f: &dyn Fn(usize) -> Option<Cell>| -> Vec<Option<Cell>> {
        (0..n).map(|i| if array.is_null(i) { None } else { f(i) }).collect()
    };
    macro_rules! ints {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            each(&|i| Some(Cell::int(a.value(i))))
        }};
    }
    // Nanoseconds per unit of a timestamp.
    let timestamp = |per_unit: i128, value: &dyn Fn(usize) -> i64, utc: bool| {
        each(&|i| {
            let ns = i128::from(value(i)) * per_unit;
            let secs = i64::try_from(ns.div_euclid(1_000_000_000)).ok()?;
            let nanos = ns.rem_euclid(1_000_000_000) as u32;
            let t = chrono::DateTime::from_timestamp(secs, nanos)?.naive_utc();
            let z = if utc { "Z" } else { "" };
            Some(Cell::text(format!("{}{z}", t.format("%Y-%m-%dT%H:%M:%S%.f"))))
        })
    };
    let date = |days: &dyn Fn(usize) -> i64| {
        each(&|i| {
            let d = chrono::DateTime::from_timestamp(days(i).checked_mul(86_400)?, 0)?;
            Some(Cell::text(d.format("%Y-%m-%d").to_string()))
        })
    };
    Ok(match array.data_type() {
        A::Null => (0..n).map(|_| None).collect(),
        A::Utf8 => {
            let a = array.as_string::<i32>();
            each(&|i| Some(Cell::text(a.value(i).to_string())))
        }
        A::LargeUtf8 => {
            let a = array.as_string::<i64>();
            each(&|i| Some(Cell::text(a.value(i).to_string())))
        }
        A::Utf8View => {
            let a = array.as_string_view();
            each(&|i| Some(Cell::text(a.value(i).to_string())))
        }
        A::Int8 => ints!(Int8Type),
        A::Int16 => ints!(Int16Type),
        A::Int32 => ints!(Int32Type),
        A::Int64 => ints!(Int64Type),
        A::UInt8 => ints!(UInt8Type),
        A::UInt16 => ints!(UInt16Type),
        A::UInt32 => ints!(UInt32Type),
        A::UInt64 => ints!(UInt64Type),
        A::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            // Through its shortest text, so `0.1f32` is `0.1`, not `0.10000000149011612`.
            each(&|i| Cell::float(a.value(i).to_string().parse().ok()?))
        }
        A::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            each(&|i| Cell::float(a.value(i)))
        }
        A::Boolean => {
            let a = array.as_boolean();
            each(&|i| Some(Cell { value: Value::Bool(a.value(i)), text: a.value(i).to_string() }))
        }
        A::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            match unit {
                TimeUnit::Second => {
                    let a = array.as_primitive::<TimestampSecondType>();
                    timestamp(1_000_000_000, &|i| a.value(i), utc)
                }
                TimeUnit::Millisecond => {
                    let a = array.as_primitive::<TimestampMillisecondType>();
                    timestamp(1_000_000, &|i| a.value(i), utc)
                }
                TimeUnit::Microsecond => {
                    let a = array.as_primitive::<TimestampMicrosecondType>();
                    timestamp(1_000, &|i| a.value(i), utc)
                }
                TimeUnit::Nanosecond => {
                    let a = array.as_primitive::<TimestampNanosecondType>();
                    timestamp(1, &|i| a.value(i), utc)
                }
            }
        }
        A::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            date(&|i| i64::from(a.value(i)))
        }
        A::Date64 => {
            let a = array.as_primitive::<Date64Type>();
            date(&|i| a.value(i).div_euclid(86_400_000))
        }
        A::Dictionary(_, _) => {
            let d = array.as_any_dictionary();
            let mut values: Vec<Option<Cell>> = cells(name, d.values().as_ref())?;
            // (`normalized_keys` panics on an empty dictionary: every value is null.)
            if values.is_empty() {
                return Ok((0..n).map(|_| None).collect());
            }
            let keys = d.normalized_keys();
            (0..n)
                .map(|i| {
                    if array.is_null(i) {
                        return None;
                    }
                    let v = values.get_mut(keys[i])?.as_ref()?;
                    Some(Cell { value: v.value.clone(), text: v.text.clone() })
                })
                .collect()
        }
        other => {
            return Err(ParseErrorKind::Malformed {
                format: Format::Arrow,
                message: format!(
                    "column `{}` holds {other}; a comment table's columns hold text, numbers, \
                     booleans, dates or timestamps",
                    clip(name)
                ),
            });
        }
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text of `key`'s value in a JSON object line, exactly as written.
fn raw_field(line: &str, key: &str) -> Option<String> {
    let map: std::collections::HashMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(line).ok()?;
    map.get(key).map(|v| v.get().to_string())
}

fn bad_record(line: usize, message: String) -> Anomaly {
    Anomaly { kind: AnomalyKind::BadRecord, line: Some(line), comment_id: None, message }
}

fn is_null_parent(p: &str) -> bool {
    matches!(p.trim(), "" | "0" | "null" | "NULL" | "None" | "none" | "NaN" | "nan")
}

fn time_of(v: &Value) -> Time {
    match v {
        Value::Number(n) => n.as_f64().map_or_else(Time::default, Time::from_epoch),
        Value::String(s) if s.trim().parse::<f64>().is_ok_and(|x| x > 1e8) => {
            // Epoch seconds written as text (`created_utc` in CSV dumps).
            Time::from_epoch(s.trim().parse().expect("checked"))
        }
        Value::String(s) => parse_time(s),
        other => parse_time(&other.to_string()),
    }
}

/// One discussion's document from its rows; `first_row` counts the rows before them in the
/// file (for the `row-N` ids of rows without one).
fn assemble(
    rows: Vec<Row>,
    first_row: usize,
    discussion: &str,
    merge: bool,
    source: &str,
    format: Format,
) -> Document {
    // Reddit dumps name parents `t1_<id>` and the post `t3_<id>`; judged within the
    // discussion.
    let ids: HashSet<&str> = rows.iter().filter_map(|r| r.id.as_deref()).collect();
    let ids_have_t1 = ids.iter().any(|i| i.starts_with("t1_"));
    let mut doc = Document {
        article: Article {
            id: discussion.to_string(),
            source: source.to_string(),
            format: format.name().to_string(),
            ..Default::default()
        },
        section: CommentSection::Present,
        merge_key: merge.then(|| format!("table:{discussion}")),
        ..Default::default()
    };
    for (n, row) in rows.iter().enumerate() {
        let comment_id = match row.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => c.to_string(),
            None => {
                let fallback = format!("row-{}", first_row + n + 1);
                doc.anomalies.push(Anomaly {
                    kind: AnomalyKind::BadRecord,
                    line: Some(row.line),
                    comment_id: Some(fallback.clone()),
                    message: format!("row has no comment id; kept as `{fallback}`"),
                });
                fallback
            }
        };
        let parent_id = row.parent.as_deref().map(str::trim).and_then(|p| {
            let names_post = p.starts_with("t3_") && !ids.contains(p);
            if is_null_parent(p) || p == discussion || names_post {
                return None;
            }
            match p.strip_prefix("t1_") {
                Some(stripped) if !ids_have_t1 => Some(stripped.to_string()),
                _ => Some(p.to_string()),
            }
        });
        let text = row.text.clone().unwrap_or_default();
        let mut c = RawComment {
            id: comment_id,
            parent_id,
            author: row.author.clone().filter(|a| !a.trim().is_empty()),
            quotes: gt_quotes(&text),
            text,
            line: Some(row.line),
            extra: row.extra.clone(),
            ..Default::default()
        };
        if let Some(t) = &row.time {
            let mut time = time_of(t);
            // What the source wrote, never a re-rendered number (issue #13).
            if time.raw.is_some() {
                time.raw = Some(row.time_text.clone().unwrap_or_else(|| scalar_text(t)));
            }
            time.apply(&mut c);
        }
        doc.comments.push(c);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str, format: Format) -> Vec<Document> {
        parse(text, "f", "f.csv", format, &TableOptions::default()).unwrap()
    }

    fn pairs(d: &Document) -> Vec<(&str, Option<&str>)> {
        d.comments.iter().map(|c| (c.id.as_str(), c.parent_id.as_deref())).collect()
    }

    #[test]
    fn csv_with_default_names() {
        let csv = "id,parent_id,author,timestamp,text\n1,,ann,2024-01-02T03:04:05Z,\"Hi, all\"\n2,1,bob,1704164645,\"> Hi\nno\"\n3,0,,,\n";
        let docs = parse_ok(csv, Format::Csv);
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.article.id, "f");
        assert_eq!(d.merge_key, None);
        assert_eq!(pairs(d), [("1", None), ("2", Some("1")), ("3", None)]);
        assert_eq!(d.comments[0].time.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(d.comments[1].time.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(d.comments[1].quotes, vec![0..4usize]);
        assert_eq!(d.comments[2].author, None);
        assert_eq!(d.comments[1].line, Some(3));
    }

    /// The New York Times comments dataset's columns are recognised without flags.
    #[test]
    fn nyt_comment_columns() {
        let csv = "approveDate,articleID,commentBody,commentID,createDate,depth,parentID,userDisplayName\n\
                   1514764800,a1,First,11,1514764800,1,0,Ann\n\
                   1514764900,a1,Reply,12,1514764860,2,11,Bob\n";
        let d = &parse_ok(csv, Format::Csv)[0];
        assert_eq!(d.article.id, "a1");
        assert_eq!(pairs(d), [("11", None), ("12", Some("11"))]);
        assert_eq!(d.comments[1].author.as_deref(), Some("Bob"));
        assert_eq!(d.comments[1].text, "Reply");
        assert_eq!(d.comments[1].time.as_deref(), Some("2018-01-01T00:01:00Z"));
        assert_eq!(sniff_header(csv.lines().next().unwrap()), Some(Format::Csv));
    }

    #[test]
    fn tsv_and_discussion_column_split_and_merge_keys() {
        let tsv = "conversation_id\tid\treply_to\tspeaker\ttext\nA\ta1\t\tx\tone\nB\tb1\tB\ty\ttwo\nA\ta2\ta1\tz\tthree\n";
        let docs = parse_ok(tsv, Format::Tsv);
        assert_eq!(docs.iter().map(|d| d.article.id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(pairs(&docs[0]), [("a1", None), ("a2", Some("a1"))]);
        assert_eq!(pairs(&docs[1]), [("b1", None)], "parent = discussion id is the article");
        assert_eq!(docs[0].merge_key.as_deref(), Some("table:A"));

        // Streamed, each run of rows comes out as it ends: A's rows are split by B's.
        let mut parts = Vec::new();
        parse_each(tsv.as_bytes(), "f", "f.tsv", Format::Tsv, &TableOptions::default(), &mut |d| {
            parts.push((d.article.id.clone(), d.comments.len(), d.merge_key.clone()));
            true
        })
        .unwrap();
        let key = |k: &str| Some(format!("table:{k}"));
        assert_eq!(
            parts,
            [("A".into(), 1, key("A")), ("B".into(), 1, key("B")), ("A".into(), 1, key("A"))]
        );
    }

    #[test]
    fn streaming_stops_when_asked_and_reports_bad_utf8_with_its_line() {
        let jl = "{\"article_id\":\"A\",\"id\":\"1\",\"parent_id\":null}\n\
                  {\"article_id\":\"B\",\"id\":\"2\",\"parent_id\":null}\n\
                  {\"article_id\":\"C\",\"id\":\"3\",\"parent_id\":null}\n";
        let mut seen = 0;
        parse_each(
            jl.as_bytes(),
            "f",
            "f.jsonl",
            Format::Jsonl,
            &TableOptions::default(),
            &mut |_| {
                seen += 1;
                false
            },
        )
        .unwrap();
        assert_eq!(seen, 1, "nothing is handed on after `false`");
        let bad = b"{\"id\":\"1\",\"parent_id\":null}\n{\"id\":\"2\",\"parent_id\":\"\xff\"}\n";
        let e = parse_each(
            &bad[..],
            "f",
            "f.jsonl",
            Format::Jsonl,
            &TableOptions::default(),
            &mut |_| true,
        )
        .unwrap_err();
        assert!(matches!(e, ParseErrorKind::NotUtf8 { line: 2, offset: 51 }), "{e:?}");
    }

    #[test]
    fn jsonl_reddit_style_prefixes_and_bad_lines() {
        let jl = "{\"id\":\"c1\",\"parent_id\":\"t3_p\",\"link_id\":\"t3_p\",\"body\":\"top\",\"created_utc\":1700000000}\n\
                  not json\n\
                  [1,2]\n\
                  {\"id\":\"c2\",\"parent_id\":\"t1_c1\",\"link_id\":\"t3_p\",\"body\":\"reply\",\"created_utc\":1700000100}\n";
        let docs = parse_ok(jl, Format::Jsonl);
        assert_eq!(docs.len(), 1);
        assert_eq!(pairs(&docs[0]), [("c1", None), ("c2", Some("c1"))]);
        let bad: Vec<_> = docs[0].anomalies.iter().map(|a| (a.kind, a.line)).collect();
        assert_eq!(bad, [(AnomalyKind::BadRecord, Some(2)), (AnomalyKind::BadRecord, Some(3))]);
        assert_eq!(docs[0].comments[0].time.as_deref(), Some("2023-11-14T22:13:20Z"));
    }

    #[test]
    fn explicit_columns_and_missing_columns() {
        let csv = "cid,re,who,words\n1,,a,x\n2,1,b,y\n";
        let opts = TableOptions {
            parent: Some("re".into()),
            author: Some("who".into()),
            text: Some("words".into()),
            ..Default::default()
        };
        let d = parse(csv, "f", "f.csv", Format::Csv, &opts).unwrap();
        assert_eq!(pairs(&d[0]), [("1", None), ("2", Some("1"))]);
        assert_eq!(d[0].comments[1].text, "y");

        let e = parse(csv, "f", "f.csv", Format::Csv, &TableOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("no parent id column") && msg.contains("--parent-col"), "{msg}");
        let wrong = TableOptions { text: Some("nope".into()), ..opts };
        let msg = parse(csv, "f", "f.csv", Format::Csv, &wrong).unwrap_err().to_string();
        assert!(msg.contains("--text-col names column `nope`"), "{msg}");
    }

    #[test]
    fn row_without_id_is_kept_and_flagged() {
        let d = parse_ok("id,parent_id,text\n,,lost?\n", Format::Csv);
        assert_eq!(d[0].comments[0].id, "row-1");
        assert_eq!(d[0].anomalies[0].kind, AnomalyKind::BadRecord);
    }

    /// `row-N` is the row's number in the file, whichever discussion it is in (it was one
    /// too many after the discussion changed, so two discussions could share one).
    #[test]
    fn row_without_id_is_numbered_by_its_row_across_discussions() {
        let csv = "thread_id,id,parent_id,text\nA,a,,x\nA,,,y\nB,,,z\nB,b,,w\nC,,,v\n";
        let d = parse_ok(csv, Format::Csv);
        let ids: Vec<Vec<&str>> =
            d.iter().map(|d| d.comments.iter().map(|c| c.id.as_str()).collect()).collect();
        assert_eq!(ids, [vec!["a", "row-2"], vec!["row-3", "b"], vec!["row-5"]]);
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let e = parse(
            "garbage\nmore garbage\n",
            "f",
            "f.jsonl",
            Format::Jsonl,
            &TableOptions::default(),
        );
        assert!(matches!(e, Err(ParseErrorKind::Malformed { format: Format::Jsonl, .. })), "{e:?}");
    }

    #[test]
    fn header_sniffing() {
        assert_eq!(sniff_header("id,parent_id,text"), Some(Format::Csv));
        assert_eq!(sniff_header("\"ID\"\t\"Reply_To\"\tbody"), Some(Format::Tsv));
        assert_eq!(sniff_header("Some headline, with a comma"), None);
    }

    fn each(text: &str, format: Format) -> (Vec<Document>, Result<(), ParseErrorKind>) {
        let mut docs = Vec::new();
        let r =
            parse_each(text.as_bytes(), "f", "f.csv", format, &TableOptions::default(), &mut |d| {
                docs.push(d);
                true
            });
        (docs, r)
    }

    fn lines_of(d: &Document) -> Vec<Option<usize>> {
        d.anomalies.iter().map(|a| a.line).collect()
    }

    /// Issue #13: a stray, unterminated quote folded every later row into one comment, exit
    /// 0; now an error at the line the field opened, the discussions before it kept.
    #[test]
    fn r13_unterminated_quote_is_an_error_at_its_line() {
        let csv = "article_id,id,parent_id,text\nA,1,,ok\nA,2,1,fine\nB,3,,\"never closed\nB,4,,x\nB,5,,y\n";
        let (docs, r) = each(csv, Format::Csv);
        let e = r.unwrap_err().to_string();
        assert!(e.contains("line 4: a quoted field opens here and is never closed"), "{e}");
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(pairs(&docs[0]), [("1", None), ("2", Some("1"))]);
        // Without a final newline, in TSV, and with the quote in the first row.
        let (docs, r) = each("id\tparent_id\n1\t\"0\n2\t1", Format::Tsv);
        assert!(r.unwrap_err().to_string().contains("line 2:"));
        assert!(docs.iter().all(|d| d.comments.is_empty()), "{docs:?}");
        // In the header.
        let (_, r) = each("id,parent_id,\"text\n1,,a\n", Format::Csv);
        assert!(r.unwrap_err().to_string().contains("line 1:"));
        // Closed quotes spanning lines, and escaped quotes, are fine.
        let (docs, r) = each("id,parent_id,text\n1,,\"a \"\"b\"\"\nc\"\n2,1,d\n", Format::Csv);
        r.unwrap();
        assert_eq!(docs[0].comments[0].text, "a \"b\"\nc");
        assert!(docs[0].anomalies.is_empty(), "{:?}", docs[0].anomalies);
    }

    /// Issue #13: a quoted field spanning an implausible number of lines or bytes is an
    /// anomaly naming the line it opened on; the row is kept.
    #[test]
    fn r13_long_quoted_field_is_an_anomaly() {
        let long = "x\n".repeat(LONG_FIELD_LINES + 1);
        let csv = format!("id,parent_id,text\n1,,short\n2,1,\"{long}\"\n3,1,after\n");
        let d = &parse_ok(&csv, Format::Csv)[0];
        assert_eq!(pairs(d), [("1", None), ("2", Some("1")), ("3", Some("1"))]);
        assert_eq!(lines_of(d), [Some(3)]);
        let m = &d.anomalies[0].message;
        assert!(m.contains("line 3:") && m.contains("1002 lines") && m.contains("`text`"), "{m}");
        assert_eq!(d.comments[2].line, Some(3 + LONG_FIELD_LINES + 2));
        // The line is where the field opened, after a multi-line field before it.
        let csv = format!("id,parent_id,author,text\n1,,\"a\nb\",\"{long}\"\n");
        assert_eq!(lines_of(&parse_ok(&csv, Format::Csv)[0]), [Some(3)]);
        // Over 1 MB on one line.
        let big = "y".repeat(LONG_FIELD_BYTES + 1);
        let d = &parse_ok(&format!("id,parent_id,text\n1,,\"{big}\"\n"), Format::Csv)[0];
        assert_eq!(lines_of(d), [Some(2)]);
        assert_eq!(d.comments[0].text.len(), LONG_FIELD_BYTES + 1);
        // Exactly at the limits: nothing to report.
        let ok = "x\n".repeat(LONG_FIELD_LINES - 1);
        assert!(
            parse_ok(&format!("id,parent_id,text\n1,,\"{ok}x\"\n"), Format::Csv)[0]
                .anomalies
                .is_empty()
        );
    }

    /// Found by the fuzzing harness (seed 13, case 27): a stray opening quote swallowed the
    /// rows up to the next quote, and only that later line was named.
    #[test]
    fn r13_a_quote_that_swallows_rows_names_its_opening_line() {
        let csv = "id,parent_id,text\n1,,a\n2,1,\"b\n3,1,c\n4,,said \"hi\" then\n5,,e\n";
        let d = &parse_ok(csv, Format::Csv)[0];
        assert_eq!(lines_of(d), [Some(3)], "{:?}", d.anomalies);
        let m = &d.anomalies[0].message;
        assert!(m.contains("opens here and closes on line 5") && m.contains("lines 3–5"), "{m}");
    }

    /// Issue #13: extra fields were dropped, short rows and stray quotes accepted silently.
    #[test]
    fn r13_broken_rows_are_anomalies_with_their_line() {
        let csv = "id,parent_id,text\n1,,a,EXTRA1,EXTRA2\n2,1\n3,1,ab\"c\n4,,\"x\"y\n5,,fine\n";
        let d = &parse_ok(csv, Format::Csv)[0];
        assert_eq!(d.comments.len(), 5, "every row is kept");
        assert_eq!(lines_of(d), [Some(2), Some(3), Some(4), Some(5)]);
        let m: Vec<&str> = d.anomalies.iter().map(|a| a.message.as_str()).collect();
        assert!(m[0].contains("3 fields") || m[0].contains("5 fields"), "{}", m[0]);
        assert!(m[0].contains("EXTRA1,EXTRA2"), "{}", m[0]);
        assert!(m[1].contains("missing: text"), "{}", m[1]);
        assert!(m[2].contains("stray") && m[2].contains("`text`"), "{}", m[2]);
        assert!(m[3].contains("stray"), "{}", m[3]);
        let ids: Vec<_> = d.anomalies.iter().map(|a| a.comment_id.as_deref()).collect();
        assert_eq!(ids, [Some("1"), Some("2"), Some("3"), Some("4")]);
        assert!(d.anomalies.iter().all(|a| a.kind == AnomalyKind::BadRecord));
        // Extras are quoted at most ~200 characters.
        let extra = "z".repeat(5000);
        let d = &parse_ok(&format!("id,parent_id\n1,,{extra}\n"), Format::Csv)[0];
        assert!(d.anomalies[0].message.len() < 400 && d.anomalies[0].message.ends_with('…'));
        // The anomalies go with the row's discussion, not the one before.
        let d = parse_ok("article_id,id,parent_id\nA,1,\nB,2,,extra\n", Format::Csv);
        assert_eq!((d[0].anomalies.len(), d[1].anomalies.len()), (0, 1));
    }

    /// Issue #13: `time_raw` was a re-rendered number (`1e300` became 301 digits).
    #[test]
    fn r13_time_raw_is_the_source_text() {
        let csv = "id,parent_id,created_utc\n1,,1e300\n2,,18446744073709551617\n3,,1700000000.50\n";
        let d = &parse_ok(csv, Format::Csv)[0];
        let raw: Vec<_> = d.comments.iter().map(|c| c.time_raw.as_deref()).collect();
        assert_eq!(raw, [Some("1e300"), Some("18446744073709551617"), Some("1700000000.50")]);
        assert_eq!(d.comments[2].time.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(d.comments[0].time, None);
        let jl = "{\"id\":1,\"parent_id\":null,\"created_utc\":1e300}\n\
                  {\"id\":2,\"parent_id\":null,\"created_utc\":1700000000.0}\n\
                  {\"id\":3,\"parent_id\":null,\"created_utc\":18446744073709551617}\n";
        let d = &parse_ok(jl, Format::Jsonl)[0];
        let raw: Vec<_> = d.comments.iter().map(|c| c.time_raw.as_deref()).collect();
        assert_eq!(raw, [Some("1e300"), Some("1700000000.0"), Some("18446744073709551617")]);
        assert_eq!(d.comments[1].time.as_deref(), Some("2023-11-14T22:13:20Z"));
    }

    /// Issue #13: ids beyond 64 bits were rounded to one float, giving false duplicates
    /// and self-replies and losing reply links.
    #[test]
    fn r13_big_numeric_ids_keep_their_text() {
        let jl = "{\"id\":18446744073709551616,\"parent_id\":null}\n\
                  {\"id\":18446744073709551617,\"parent_id\":18446744073709551616}\n\
                  {\"id\":-9223372036854775809,\"parent_id\":18446744073709551617}\n\
                  {\"id\":-9223372036854775810,\"parent_id\":-9223372036854775809}\n";
        let d = &parse_ok(jl, Format::Jsonl)[0];
        assert_eq!(
            pairs(d),
            [
                ("18446744073709551616", None),
                ("18446744073709551617", Some("18446744073709551616")),
                ("-9223372036854775809", Some("18446744073709551617")),
                ("-9223372036854775810", Some("-9223372036854775809")),
            ]
        );
        let built = crate::thread::Discussion::build(d.clone());
        assert!(built.anomalies.is_empty(), "{:?}", built.anomalies);
    }

    /// Issue #13: the error echoed the whole first line (5 MB for a one-line JSON file).
    #[test]
    fn r13_messages_quote_at_most_200_characters() {
        let key = "k".repeat(5_000_000);
        let jl = format!("{{\"{key}\":1}}\n{{\"{key}\":2}}\n");
        let e = parse(&jl, "f", "f.jsonl", Format::Jsonl, &TableOptions::default()).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("no comment id column") && m.contains('…'), "{}", &m[..300]);
        assert!(m.len() < 1000, "{} bytes", m.len());
        let header = format!("id,{}\n1\n", "h".repeat(10_000));
        let opts = TableOptions { parent: Some("p".into()), ..Default::default() };
        let m = parse(&header, "f", "f.csv", Format::Csv, &opts).unwrap_err().to_string();
        assert!(m.len() < 500 && m.contains('…'), "{m}");
        assert_eq!(clip("ab"), "ab");
        assert_eq!(clip(&"é".repeat(300)).chars().count(), QUOTE_CHARS + 1);
    }

    /// Issue #13: a row with an empty discussion id gave `article_id ""` and no anomaly.
    #[test]
    fn r13_empty_discussion_id_is_visible_and_reported() {
        let csv = "article_id,id,parent_id\nA,1,\n,2,\n  ,3,2\nA,4,1\n";
        let d = parse_ok(csv, Format::Csv);
        let ids: Vec<_> = d.iter().map(|d| d.article.id.as_str()).collect();
        assert_eq!(ids, ["A", "f#no-discussion"]);
        assert_eq!(pairs(&d[1]), [("2", None), ("3", Some("2"))]);
        assert_eq!(lines_of(&d[1]), [Some(3)]);
        let m = &d[1].anomalies[0].message;
        assert!(m.contains("2 rows from line 3") && m.contains("`article_id`"), "{m}");
        assert!(d[0].anomalies.is_empty());
        // Every value empty: the file is one discussion, named after it, still reported.
        let jl = "{\"article_id\":\"\",\"id\":\"1\",\"parent_id\":null}\n\
                  {\"article_id\":null,\"id\":\"2\",\"parent_id\":\"1\"}\n";
        let d = parse_ok(jl, Format::Jsonl);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].article.id, "f");
        assert_eq!(lines_of(&d[0]), [Some(1)]);
    }

    fn from_arrow(
        columns: Vec<(&str, arrow_array::ArrayRef)>,
    ) -> Result<Vec<Document>, ParseErrorKind> {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let mut docs = Vec::new();
        parse_batches(&[batch], "t", "t", &TableOptions::default(), &mut |d| {
            docs.push(d);
            true
        })?;
        Ok(docs)
    }

    /// Issue #14: a table from Python reads as the same rows written as JSON Lines do.
    #[test]
    fn arrow_batches_read_as_jsonl_does() {
        use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
        use std::sync::Arc;
        let jl = "{\"article_id\":\"A\",\"id\":1,\"parent_id\":null,\"created_utc\":1700000000,\"body\":\"> quoted\\nhi\"}\n\
                  {\"article_id\":\"B\",\"id\":2,\"parent_id\":null,\"created_utc\":\"2024-01-02 03:04\",\"body\":\"b\"}\n\
                  {\"article_id\":\"A\",\"id\":3,\"parent_id\":1,\"created_utc\":1700000000.5,\"body\":null}\n";
        let (mut expected, read) = each(jl, Format::Jsonl);
        read.unwrap();
        let docs = from_arrow(vec![
            ("article_id", Arc::new(StringArray::from(vec!["A", "B", "A"])) as ArrayRef),
            ("id", Arc::new(Int64Array::from(vec![1, 2, 3]))),
            // pandas: an integer column with a missing value is a float column.
            ("parent_id", Arc::new(Float64Array::from(vec![f64::NAN, f64::NAN, 1.0]))),
            (
                "created_utc",
                Arc::new(StringArray::from(vec!["1700000000", "2024-01-02 03:04", "1700000000.5"])),
            ),
            ("body", Arc::new(StringArray::from(vec![Some("> quoted\nhi"), Some("b"), None]))),
        ])
        .unwrap();
        for d in &mut expected {
            d.article.format = "arrow".into();
            d.article.source = "t".into();
        }
        assert_eq!(docs, expected);
        assert_eq!(pairs(&docs[2]), [("3", Some("1"))], "1.0 is the id 1");
    }

    #[test]
    fn arrow_times_dictionaries_and_bad_columns() {
        use arrow_array::types::Int32Type;
        use arrow_array::{
            ArrayRef, DictionaryArray, Int64Array, ListArray, StringArray,
            TimestampMillisecondArray, UInt32Array,
        };
        use std::sync::Arc;
        let times = TimestampMillisecondArray::from(vec![Some(1_704_164_645_250), None]);
        let discussions: DictionaryArray<Int32Type> = vec!["x", "x"].into_iter().collect();
        let docs = from_arrow(vec![
            ("cid", Arc::new(UInt32Array::from(vec![7, 8])) as ArrayRef),
            ("reply_to", Arc::new(Int64Array::from(vec![None, Some(7)]))),
            ("thread_id", Arc::new(discussions)),
            ("time", Arc::new(times.clone().with_timezone("UTC"))),
        ])
        .unwrap();
        assert_eq!(docs[0].article.id, "x");
        let c = &docs[0].comments;
        assert_eq!(pairs(&docs[0]), [("7", None), ("8", Some("7"))]);
        assert_eq!(c[0].time.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(c[0].time_raw.as_deref(), Some("2024-01-02T03:04:05.250Z"));
        assert_eq!((c[1].time.as_deref(), c[1].line), (None, Some(2)));
        // Without a zone: a wall-clock time.
        let docs = from_arrow(vec![
            ("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("parent_id", Arc::new(Int64Array::from(vec![None::<i64>]))),
            ("time", Arc::new(TimestampMillisecondArray::from(vec![1_704_164_645_000]))),
        ])
        .unwrap();
        assert_eq!(docs[0].comments[0].time_raw.as_deref(), Some("2024-01-02T03:04:05"));

        let e = from_arrow(vec![
            ("comment", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("parent_id", Arc::new(Int64Array::from(vec![None::<i64>]))),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("arrow: no comment id column"), "{e}");
        assert!(e.ends_with("(columns: comment, parent_id); name it with id_col"), "{e}");
        let lists = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
        let e = from_arrow(vec![
            ("id", Arc::new(lists) as ArrayRef),
            ("parent_id", Arc::new(Int64Array::from(vec![None::<i64>]))),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("column `id` holds List("), "{e}");
        let e = from_arrow(vec![
            ("id", Arc::new(Int64Array::from(Vec::<i64>::new())) as ArrayRef),
            ("parent_id", Arc::new(Int64Array::from(Vec::<i64>::new()))),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(e, "arrow: the table has no rows (columns: id, parent_id)");
    }
}
