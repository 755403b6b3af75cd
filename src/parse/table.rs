//! Comment tables: CSV, TSV and JSON Lines with one comment per row.
//!
//! Columns are found by name (case-insensitive) from the candidates in
//! [`Role::candidates`], or named explicitly with [`TableOptions`] (the
//! `--id-col`, `--parent-col`, … flags). Required: an id column and a
//! parent column. Optional: discussion, author, time, text.
//!
//! - **Discussions.** Without a discussion column the file is one
//!   discussion (id = file stem). With one, each value is a discussion
//!   whose id is that value; the same value in several files is one
//!   discussion (they are merged), so sharded exports recombine.
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

use std::collections::HashSet;

use serde_json::Value;

use super::clean::{Time, gt_quotes, parse_time};
use super::{Format, ParseErrorKind};
use crate::model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};

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
            ],
            Role::Author => &["author", "speaker", "user", "username", "user_name", "author_name"],
            Role::Time => {
                &["timestamp", "created_utc", "created_at", "time", "date", "datetime", "created"]
            }
            Role::Text => &["text", "body", "content", "comment", "message", "comment_text"],
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Role::Id => "--id-col",
            Role::Parent => "--parent-col",
            Role::Discussion => "--discussion-col",
            Role::Author => "--author-col",
            Role::Time => "--time-col",
            Role::Text => "--text-col",
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
                                role.flag(),
                                names.join(", ")
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
                        names.join(", "),
                        role.flag()
                    ),
                });
            }
            m.columns[i] = found;
        }
        Ok(m)
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
    text: Option<String>,
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

    fn push(&mut self, row: Row) {
        self.read += 1;
        self.any_discussion |= row.discussion.is_some();
        let d = self.discussion_of(&row);
        if self.current.as_ref().is_some_and(|c| *c != d) {
            self.flush(false);
        }
        self.current = Some(d);
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
    let mut rdr = csv::ReaderBuilder::new().delimiter(sep).flexible(true).from_reader(rdr);
    let names: Vec<String> = rdr
        .headers()
        .map_err(malformed)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let m = Mapping::new(&names, opts, format)?;
    g.by_discussion = m.get(Role::Discussion).is_some();
    let index = |role: Role| m.get(role).and_then(|c| names.iter().position(|n| n == c));
    let idx: Vec<Option<usize>> = Role::ALL.iter().map(|&r| index(r)).collect();
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(malformed)? {
        let field = |i: usize| idx[i].and_then(|j| rec.get(j)).map(str::to_string);
        g.push(Row {
            line: rec.position().map_or(0, |p| p.line() as usize),
            id: field(0),
            parent: field(1),
            discussion: field(2),
            author: field(3),
            time: field(4).map(Value::String),
            text: field(5),
        });
        if g.stopped {
            break;
        }
    }
    Ok(())
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
            text: string(Role::Text),
        });
        if g.stopped {
            break;
        }
    }
    Ok(())
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
            ..Default::default()
        };
        if let Some(t) = &row.time {
            time_of(t).apply(&mut c);
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
}
