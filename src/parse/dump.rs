//! Reddit dump files (issue #15): the monthly Pushshift and Arctic Shift dumps and
//! per-subreddit extracts, one comment (`RC_…`) or submission (`RS_…`) JSON object per line,
//! zstd-compressed (frames written with a window of up to 2^31 bytes) or plain.
//!
//! - **Detected by content**, not by name: the zstd magic number, or lines whose first object
//!   carries a comment's (`link_id`, `parent_id`, `body`, `subreddit`) or a submission's
//!   (`title`, `permalink`, `subreddit`, `created_utc`) fields. Read as a stream, line by
//!   line, never whole.
//! - **Comments**: the discussion is `link_id` without its `t3_`; a `t1_` parent is a comment
//!   and a `t3_` parent the article. `[deleted]`/`[removed]` authors are null; a
//!   `[deleted]`/`[removed]` body gives an empty text with the comment marked deleted (kept as
//!   a row, never scored), as for Reddit pages (`reddit-json`). `created_utc` may be a
//!   number or a string of one.
//! - **Submissions** give the article: title, selftext as body, permalink as url, author,
//!   time and `r/subreddit` as the outlet. Given in another file (an `RS` file beside the
//!   `RC` file), they meet their comments through the merge key `reddit:<link id>`; a
//!   discussion without its submission has the link id and a null title.
//! - **Filters** ([`DumpOptions`]: `--subreddit`, `--since`, `--until`, `--link-id`) are
//!   applied to each line as it is read, before grouping.
//! - **Bad lines** (not JSON, not an object, not UTF-8) are `bad_record` anomalies with their
//!   line; the rest of the file is read. A compressed file cut short is an error naming the
//!   file and the last line read, and the discussions read before it are kept.
//!
//! The comments of one thread are spread over a month's file: they are grouped in memory,
//! per file, and each discussion is handed on in the order its first line came.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ParseErrorKind;
use super::json::{reddit_article, reddit_comment};
use crate::model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};

/// The zstd frame magic number (little-endian 0xFD2FB528).
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// The largest window a dump's frames use: Pushshift wrote them with `--long=31`.
const WINDOW_LOG_MAX: u32 = 31;

/// Which lines of a dump are read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpOptions {
    /// Only these subreddits (compared without case, without an `r/`); empty = all.
    pub subreddits: Vec<String>,
    /// Only lines created at or after this time (Unix seconds).
    pub since: Option<i64>,
    /// Only lines created before this time (Unix seconds).
    pub until: Option<i64>,
    /// Only these discussions (link ids, with or without `t3_`); empty = all.
    pub link_ids: Vec<String>,
    /// About how much memory a run reading dumps may use, in bytes (`--memory-limit`); past
    /// it, lines are spilled to disk. `None`: a quarter of the machine's memory.
    pub memory_limit: Option<u64>,
    /// Where spilled lines go (a temporary folder is made in it); `None`: the system's
    /// temporary folder.
    pub spill_dir: Option<PathBuf>,
}

impl DumpOptions {
    fn keeps(&self, d: &Map<String, Value>, link: Option<&str>) -> bool {
        if !self.subreddits.is_empty() {
            let Some(sub) = d.get("subreddit").and_then(Value::as_str) else { return false };
            let sub = sub.trim_start_matches("r/");
            if !self.subreddits.iter().any(|s| s.trim_start_matches("r/").eq_ignore_ascii_case(sub))
            {
                return false;
            }
        }
        if !self.link_ids.is_empty() {
            let Some(link) = link else { return false };
            if !self.link_ids.iter().any(|l| l.trim_start_matches("t3_") == link) {
                return false;
            }
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = d.get("created_utc").and_then(Value::as_f64) else { return false };
            if self.since.is_some_and(|s| t < s as f64) || self.until.is_some_and(|u| t >= u as f64)
            {
                return false;
            }
        }
        true
    }
}

impl DumpOptions {
    /// The bytes of lines a [`Gatherer`] holds before spilling: half the memory limit, the
    /// other half being for the discussions analysed and written meanwhile.
    pub fn held_limit(&self) -> usize {
        let limit = self.memory_limit.unwrap_or_else(default_memory_limit);
        usize::try_from(limit / 2).unwrap_or(usize::MAX)
    }
}

/// A quarter of the machine's memory (from `/proc/meminfo`), or 2 GiB where that cannot be
/// read.
pub fn default_memory_limit() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    total_kib.map_or(2 << 30, |k| k * 1024 / 4)
}

/// A size given to `--memory-limit`: bytes, or a number with `K`, `M`, `G` (powers of 1024,
/// an optional `B`/`iB`), e.g. `1G`, `512MiB`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: f64 = n.parse().map_err(|_| format!("`{s}` is not a size (e.g. 1G, 512M)"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches('b').trim_end_matches('i');
    let scale: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("`{s}` is not a size (e.g. 1G, 512M)")),
    };
    Ok((n * scale as f64) as u64)
}

/// A reader that counts the bytes read through it (compressed bytes, for progress).
pub struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R> Counting<R> {
    /// Count what `inner` gives into `count`.
    pub fn new(inner: R, count: std::rc::Rc<std::cell::Cell<u64>>) -> Counting<R> {
        Counting { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A date or time given to `--since`/`--until` (`2023-09-01`, `2023-09-01T12:00:00Z`, or Unix
/// seconds) as Unix seconds, UTC.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Ok(t.and_utc().timestamp());
    }
    Err(format!("`{s}` is not a date (2023-09-01), a time (2023-09-01T12:00:00Z) or Unix seconds"))
}

/// Whether the first line of a JSON Lines text is a dump's comment or submission.
pub fn is_dump_line(line: &str) -> bool {
    let line = line.trim();
    // Cheap checks first: a page or a large JSON document on one line is not parsed here.
    if line.len() > 1 << 20 || !line.starts_with('{') || !line.contains("\"subreddit\"") {
        return false;
    }
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line.trim()) else { return false };
    let has = |k: &str| o.contains_key(k);
    (has("link_id") && has("parent_id") && has("body") && has("subreddit"))
        || (has("title") && has("permalink") && has("subreddit") && has("created_utc"))
}

/// Whether bytes start a zstd frame.
pub fn is_zstd(head: &[u8]) -> bool {
    head.starts_with(&ZSTD_MAGIC)
}

/// A dump's decompressing reader (or the bytes as they are when not compressed).
pub fn reader<'a, R: Read + 'a>(
    inner: R,
    compressed: bool,
) -> std::io::Result<Box<dyn BufRead + 'a>> {
    Ok(if compressed {
        let mut d = zstd::stream::read::Decoder::new(inner)?;
        d.window_log_max(WINDOW_LOG_MAX)?;
        Box::new(std::io::BufReader::with_capacity(256 * 1024, d))
    } else {
        Box::new(std::io::BufReader::with_capacity(256 * 1024, inner))
    })
}

/// Read one dump from `rdr` and hand each discussion to `emit` (which returns `false` to
/// stop): a [`Gatherer`] of this file alone, held in memory. `source` names the input in
/// articles and messages.
pub fn parse_each(
    rdr: impl BufRead,
    source: &str,
    opts: &DumpOptions,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseErrorKind> {
    let mut g = Gatherer::new(usize::MAX, None);
    let read = g.read(rdr, source, opts, &mut |_| {});
    if let Err(ParseErrorKind::Empty) = read {
        return read;
    }
    g.finish(emit).map_err(ParseErrorKind::Io)?;
    read
}

/// One line kept from a dump, on its way to its discussion.
#[derive(Serialize, Deserialize)]
struct Rec {
    /// The discussion: the link id without `t3_`.
    link: String,
    /// The order lines were read in, over every file.
    seq: u64,
    /// The file it came from (an index into [`Gatherer::sources`]).
    file: u32,
    item: Item,
}

#[derive(Serialize, Deserialize)]
enum Item {
    Comment(RawComment, Vec<Anomaly>),
    Article(Article),
}

impl Rec {
    /// Discussions in the order of their link ids (Reddit's base-36 ids count up: shorter is
    /// older), then lines in the order read.
    fn order(&self, other: &Rec) -> std::cmp::Ordering {
        (self.link.len(), &self.link, self.seq).cmp(&(other.link.len(), &other.link, other.seq))
    }

    /// About how many bytes it holds in memory (its heap allocations with their overhead).
    fn weight(&self) -> usize {
        const ALLOC: usize = 16;
        let s = |s: &String| s.capacity() + ALLOC;
        let o = |o: &Option<String>| o.as_ref().map_or(0, s);
        let item = match &self.item {
            Item::Comment(c, anomalies) => {
                s(&c.id)
                    + o(&c.parent_id)
                    + o(&c.author)
                    + o(&c.time)
                    + o(&c.time_raw)
                    + o(&c.status)
                    + s(&c.text)
                    + c.quotes.capacity() * std::mem::size_of::<std::ops::Range<usize>>()
                    + c.extra.capacity() * std::mem::size_of::<(String, String)>()
                    + c.extra.iter().map(|(k, v)| s(k) + s(v)).sum::<usize>()
                    + anomalies
                        .iter()
                        .map(|a| std::mem::size_of::<Anomaly>() + s(&a.message) + o(&a.comment_id))
                        .sum::<usize>()
            }
            Item::Article(a) => {
                s(&a.id)
                    + s(&a.source)
                    + s(&a.format)
                    + o(&a.outlet)
                    + o(&a.title)
                    + o(&a.published)
                    + o(&a.byline)
                    + o(&a.url)
                    + s(&a.body)
            }
        };
        std::mem::size_of::<Rec>() + s(&self.link) + item
    }
}

/// The discussions of one or more dump files, gathered line by line (the comments of one
/// thread are spread over a month's file and into the next months'). Lines are held in
/// memory up to a limit; past it they are sorted and spilled to a compressed run in a
/// temporary folder, and [`finish`](Self::finish) merges the runs. Discussions come out in
/// the order of their link ids whatever the limit, so a run that spilled writes exactly what
/// one held in memory would.
pub struct Gatherer {
    limit: usize,
    spill_in: Option<PathBuf>,
    spill: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
    held: Vec<Rec>,
    held_bytes: usize,
    seq: u64,
    /// The files read, in order.
    sources: Vec<String>,
    /// Per file, anomalies of lines that name no discussion.
    stray: Vec<Vec<Anomaly>>,
    spilled: u64,
}

/// How a [`Gatherer`] spilled: the runs written and their size on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spilled {
    /// Sorted runs written to disk.
    pub runs: usize,
    /// Their compressed size in bytes.
    pub bytes: u64,
}

impl Gatherer {
    /// A gatherer that holds about `limit` bytes of lines in memory before spilling them to a
    /// temporary folder made in `spill_in` (the system's temporary folder when `None`).
    pub fn new(limit: usize, spill_in: Option<PathBuf>) -> Gatherer {
        Gatherer {
            limit,
            spill_in,
            spill: None,
            runs: Vec::new(),
            held: Vec::new(),
            held_bytes: 0,
            seq: 0,
            sources: Vec::new(),
            stray: Vec::new(),
            spilled: 0,
        }
    }

    /// The runs spilled to disk so far.
    pub fn spilled(&self) -> Spilled {
        Spilled { runs: self.runs.len(), bytes: self.spilled }
    }

    /// Read one dump file from `rdr` (named `source` in articles and messages), keeping the
    /// lines `opts` keeps. `tick(lines)` is called every few thousand lines (for progress).
    /// A file with no record is [`ParseErrorKind::Empty`]; one that cannot be read to its end
    /// (a compressed file cut short) is an error, and the lines before the failure are kept.
    pub fn read(
        &mut self,
        mut rdr: impl BufRead,
        source: &str,
        opts: &DumpOptions,
        tick: &mut dyn FnMut(usize),
    ) -> Result<(), ParseErrorKind> {
        let file = u32::try_from(self.sources.len()).expect("fewer than 2^32 files");
        self.sources.push(source.to_string());
        self.stray.push(Vec::new());
        let mut buf = Vec::new();
        let mut line = 0usize;
        let mut records = 0usize;
        loop {
            buf.clear();
            match rdr.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    return Err(ParseErrorKind::Malformed {
                        format: super::Format::RedditDump,
                        message: if line == 0 {
                            format!("could not read: {e} (a compressed file cut short?)")
                        } else {
                            format!(
                                "could not read past line {line}: {e} (a compressed file cut \
                                 short?); the {records} records before it are kept"
                            )
                        },
                    });
                }
            }
            line += 1;
            if line.is_multiple_of(4096) {
                tick(line);
            }
            match self.line(&buf, line, file, opts) {
                Ok(true) => records += 1,
                Ok(false) => {}
                Err(message) => {
                    records += 1;
                    self.stray[file as usize].push(Anomaly {
                        kind: AnomalyKind::BadRecord,
                        line: Some(line),
                        comment_id: None,
                        message,
                    })
                }
            }
            if self.held_bytes > self.limit {
                self.spill_held().map_err(ParseErrorKind::Io)?;
            }
        }
        if records == 0 {
            return Err(ParseErrorKind::Empty);
        }
        Ok(())
    }

    /// Keep one line: `Ok(true)` when it was a record (kept or filtered out), `Ok(false)` when
    /// blank, `Err(why)` when it is a bad record.
    fn line(
        &mut self,
        buf: &[u8],
        line: usize,
        file: u32,
        opts: &DumpOptions,
    ) -> Result<bool, String> {
        let Ok(text) = std::str::from_utf8(buf) else {
            return Err("not valid UTF-8; the line is skipped".into());
        };
        let text = text.trim();
        if text.is_empty() {
            return Ok(false);
        }
        let mut d = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(d)) => d,
            Ok(other) => return Err(format!("expected a JSON object, found {}", kind_of(&other))),
            Err(e) => return Err(format!("not JSON ({e}); the line is skipped")),
        };
        // Older dumps write `created_utc` as a string of the number: read as the number it
        // holds, by the filters and the Reddit readers alike.
        if let Some(Value::String(t)) = d.get("created_utc")
            && let Ok(n) = t.trim().parse::<serde_json::Number>()
        {
            d.insert("created_utc".into(), Value::Number(n));
        }
        let is_comment = d.contains_key("link_id") || d.contains_key("body");
        let link = if is_comment {
            d.get("link_id").and_then(Value::as_str).map(|l| l.trim_start_matches("t3_"))
        } else {
            d.get("id").and_then(Value::as_str)
        }
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string);
        if !opts.keeps(&d, link.as_deref()) {
            return Ok(true);
        }
        let Some(link) = link else {
            return Err(if is_comment {
                "a comment without a `link_id`; it names no discussion and is skipped".into()
            } else {
                "a submission without an `id`; it names no discussion and is skipped".into()
            });
        };
        let item = if is_comment {
            let mut anomalies = Vec::new();
            let mut c = reddit_comment(&d, None, line, &mut anomalies);
            c.line = Some(line);
            for a in &mut anomalies {
                a.line = Some(line);
            }
            Item::Comment(c, anomalies)
        } else {
            let mut a = Article { id: link.clone(), ..Default::default() };
            reddit_article(&mut a, &d, false);
            Item::Article(a)
        };
        let rec = Rec { link, seq: self.seq, file, item };
        self.seq += 1;
        self.held_bytes += rec.weight();
        self.held.push(rec);
        Ok(true)
    }

    /// Sort what is held and write it to a new run on disk.
    fn spill_held(&mut self) -> std::io::Result<()> {
        self.held.sort_unstable_by(Rec::order);
        if self.spill.is_none() {
            let mut b = tempfile::Builder::new();
            b.prefix(".threadlens-spill-");
            self.spill = Some(match &self.spill_in {
                Some(dir) => b.tempdir_in(dir)?,
                None => b.tempdir()?,
            });
        }
        let dir = self.spill.as_ref().expect("made above").path();
        let path = dir.join(format!("run-{}.zst", self.runs.len()));
        let file = std::fs::File::create(&path)?;
        let mut z = zstd::stream::write::Encoder::new(std::io::BufWriter::new(file), 1)?;
        let mut bytes = Vec::new();
        for rec in self.held.drain(..) {
            bytes.clear();
            bytes = postcard::to_extend(&rec, bytes).map_err(std::io::Error::other)?;
            z.write_all(&u32::try_from(bytes.len()).map_err(std::io::Error::other)?.to_le_bytes())?;
            z.write_all(&bytes)?;
        }
        z.finish()?.flush()?;
        self.spilled += std::fs::metadata(&path)?.len();
        self.runs.push(path);
        self.held = Vec::new();
        self.held_bytes = 0;
        Ok(())
    }

    /// Hand each discussion to `emit` (which returns `false` to stop) in the order of their
    /// link ids, merging the runs spilled with what is held; then, for each file with lines
    /// that named no discussion, a discussion of its own (named after the file) holding
    /// their anomalies. The spilled runs are removed.
    pub fn finish(mut self, emit: &mut dyn FnMut(Document) -> bool) -> std::io::Result<()> {
        self.held.sort_unstable_by(Rec::order);
        let mut sources: Vec<Box<dyn Iterator<Item = std::io::Result<Rec>>>> = Vec::new();
        for path in &self.runs {
            sources.push(Box::new(RunReader::open(path)?));
        }
        sources.push(Box::new(std::mem::take(&mut self.held).into_iter().map(Ok)));
        let mut heap = std::collections::BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(rec) = s.next() {
                heap.push(Head(rec?, i));
            }
        }
        let mut open: Option<Open> = None;
        while let Some(Head(rec, i)) = heap.pop() {
            if let Some(next) = sources[i].next() {
                heap.push(Head(next?, i));
            }
            if open.as_ref().is_some_and(|o| o.link != rec.link) {
                let doc = open.take().expect("checked").document(&self.sources);
                if !emit(doc) {
                    return Ok(());
                }
            }
            open.get_or_insert_with(|| Open::new(&rec.link)).add(rec);
        }
        if let Some(o) = open
            && !emit(o.document(&self.sources))
        {
            return Ok(());
        }
        for (source, stray) in self.sources.iter().zip(std::mem::take(&mut self.stray)) {
            if stray.is_empty() {
                continue;
            }
            // Lines that named no discussion: the file's own, holding what went wrong.
            let doc = Document {
                article: Article {
                    id: super::discussion_id(source),
                    source: source.clone(),
                    format: super::Format::RedditDump.name().to_string(),
                    ..Default::default()
                },
                section: CommentSection::Absent,
                anomalies: stray,
                ..Default::default()
            };
            if !emit(doc) {
                break;
            }
        }
        Ok(())
    }
}

/// The next line of a run, first in the heap (the heap is a max-heap: the order reversed).
struct Head(Rec, usize);

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.order(&self.0)
    }
}

/// A spilled run read back, record by record.
struct RunReader {
    z: zstd::stream::read::Decoder<'static, std::io::BufReader<std::fs::File>>,
    buf: Vec<u8>,
}

impl RunReader {
    fn open(path: &std::path::Path) -> std::io::Result<RunReader> {
        Ok(RunReader {
            z: zstd::stream::read::Decoder::new(std::fs::File::open(path)?)?,
            buf: Vec::new(),
        })
    }
}

impl Iterator for RunReader {
    type Item = std::io::Result<Rec>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut len = [0u8; 4];
        match self.z.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
            Err(e) => return Some(Err(e)),
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        Some(
            self.z
                .read_exact(&mut self.buf)
                .and_then(|()| postcard::from_bytes(&self.buf).map_err(std::io::Error::other)),
        )
    }
}

/// The discussion being put together as its lines come out of the merge.
struct Open {
    link: String,
    article: Option<Article>,
    comments: Vec<RawComment>,
    anomalies: Vec<Anomaly>,
    files: Vec<u32>,
}

impl Open {
    fn new(link: &str) -> Open {
        Open {
            link: link.to_string(),
            article: None,
            comments: Vec::new(),
            anomalies: Vec::new(),
            files: Vec::new(),
        }
    }

    fn add(&mut self, rec: Rec) {
        if !self.files.contains(&rec.file) {
            self.files.push(rec.file);
        }
        match rec.item {
            Item::Comment(c, anomalies) => {
                self.comments.push(c);
                self.anomalies.extend(anomalies);
            }
            // A submission given twice: the later line wins.
            Item::Article(a) => self.article = Some(a),
        }
    }

    fn document(self, sources: &[String]) -> Document {
        let mut article =
            self.article.unwrap_or_else(|| Article { id: self.link.clone(), ..Default::default() });
        article.id = self.link;
        let mut files = self.files;
        files.sort_unstable();
        article.source =
            files.iter().map(|&f| sources[f as usize].as_str()).collect::<Vec<_>>().join("; ");
        article.format = super::Format::RedditDump.name().to_string();
        Document {
            article,
            section: CommentSection::Present,
            comments: self.comments,
            anomalies: self.anomalies,
            hidden_comments: 0,
            merge_key: None,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Format, ParseOptions, parse_bytes};

    const RC: &str = r#"{"id":"a1","link_id":"t3_p1","parent_id":"t3_p1","author":"ann","body":"hi","subreddit":"Python","created_utc":"1693526400"}"#;

    fn docs(bytes: &[u8]) -> Vec<Document> {
        parse_bytes(bytes, "RC_x", &ParseOptions::default()).unwrap()
    }

    #[test]
    fn detected_by_content_plain_and_compressed() {
        let plain = format!("{RC}\n{RC}\n");
        assert_eq!(docs(plain.as_bytes())[0].article.format, "reddit-dump");
        let z = zstd::encode_all(plain.as_bytes(), 3).unwrap();
        let d = docs(&z);
        assert_eq!(d[0].comments.len(), 2);
        // A string `created_utc` (older dumps) is a time.
        assert_eq!(d[0].comments[0].time.as_deref(), Some("2023-09-01T00:00:00Z"));
        // Other JSON Lines stay tables.
        assert!(!is_dump_line(r#"{"id":"a","parent_id":"","body":"x"}"#));
        assert!(is_dump_line(RC));
        assert!(is_dump_line(
            r#"{"id":"p1","title":"T","permalink":"/r/x/","subreddit":"x","created_utc":1}"#
        ));
        assert_eq!("reddit-dump".parse::<Format>(), Ok(Format::RedditDump));
    }

    /// Pushshift wrote its dumps with `zstd --long=31`: frames whose window is beyond the
    /// decoder's default limit (2^27) must still be read.
    #[test]
    fn long_window_frames_are_read() {
        let text: String = (0..2000).map(|_| format!("{RC}\n")).collect();
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
        enc.window_log(30).unwrap();
        enc.long_distance_matching(true).unwrap();
        std::io::Write::write_all(&mut enc, &text.as_bytes()[..1000]).unwrap();
        std::io::Write::flush(&mut enc).unwrap();
        std::io::Write::write_all(&mut enc, &text.as_bytes()[1000..]).unwrap();
        let z = enc.finish().unwrap();
        // The default decoder refuses it, so this test means something.
        let mut plain = zstd::stream::read::Decoder::new(&z[..]).unwrap();
        assert!(std::io::copy(&mut plain, &mut std::io::sink()).is_err());
        assert_eq!(docs(&z)[0].comments.len(), 2000);
    }

    #[test]
    fn bad_lines_are_anomalies_with_their_line() {
        let mut bytes = format!("{RC}\n[1]\nnot json\n").into_bytes();
        bytes.extend_from_slice(b"{\"id\":\"\xff\"}\n");
        bytes.extend_from_slice(format!("{}\n", RC.replace("a1", "a2")).as_bytes());
        let d = docs(&bytes);
        // The discussion, then the file's own holding the lines that named none.
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].comments.len(), 2);
        assert!(d[0].anomalies.is_empty());
        assert_eq!((d[1].article.id.as_str(), d[1].comments.len()), ("RC_x", 0));
        let lines: Vec<_> = d[1].anomalies.iter().map(|a| a.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4)], "{:?}", d[1].anomalies);
        assert!(d[1].anomalies[2].message.contains("UTF-8"));
    }

    /// Lines of many threads, several files, submissions after their comments.
    fn corpus(files: usize, lines: usize) -> Vec<String> {
        (0..files)
            .map(|f| {
                (0..lines)
                    .map(|i| {
                        let link = format!("{:x}", (i * 7 + f * 3) % 37 + 1);
                        if i % 11 == 5 {
                            format!(
                                r#"{{"id":"{link}","title":"T{link} {f}","permalink":"/r/s/","subreddit":"s","created_utc":{i}}}"#
                            )
                        } else {
                            let parent = if i % 3 == 0 { format!("t3_{link}") } else { format!("t1_f{f}c{}", i / 2) };
                            format!(
                                r#"{{"id":"f{f}c{i}","link_id":"t3_{link}","parent_id":"{parent}","author":"u{}","body":"text {i} of file {f}","subreddit":"s","created_utc":{i}}}"#,
                                i % 5
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }

    fn gather(files: &[String], limit: usize) -> (Vec<Document>, Spilled) {
        let mut g = Gatherer::new(limit, None);
        for (i, f) in files.iter().enumerate() {
            g.read(f.as_bytes(), &format!("RC_{i}"), &DumpOptions::default(), &mut |_| {}).unwrap();
        }
        let spilled = g.spilled();
        let mut docs = Vec::new();
        g.finish(&mut |d| {
            docs.push(d);
            true
        })
        .unwrap();
        (docs, spilled)
    }

    #[test]
    fn spilled_runs_give_what_memory_gives() {
        let files = corpus(3, 400);
        let (held, none) = gather(&files, usize::MAX);
        assert_eq!(none.runs, 0);
        for limit in [1, 10_000, 100_000] {
            let (spilled, s) = gather(&files, limit);
            assert!(s.runs > 1 && s.bytes > 0, "limit {limit}: {s:?}");
            assert_eq!(spilled, held, "limit {limit}");
        }
        // Every comment is in one discussion, the threads meet over the files, and the
        // discussions come in the order of their link ids (base 36: shorter first).
        let comments: usize = held.iter().map(|d| d.comments.len()).sum();
        assert_eq!(comments, 3 * (0..400).filter(|i| i % 11 != 5).count());
        let ids: Vec<&str> = held.iter().map(|d| d.article.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| (id.len(), *id));
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 37);
        let d = &held[0];
        assert_eq!(d.article.source, "RC_0; RC_1; RC_2");
        // The later submission line wins; comments keep the order they were read in.
        assert!(d.article.title.as_deref().is_some_and(|t| t.ends_with(" 2")), "{:?}", d.article);
        let order: Vec<(&str, Option<usize>)> =
            d.comments.iter().map(|c| (&c.id[..2], c.line)).collect();
        let mut by_read = order.clone();
        by_read.sort_by_key(|&(file, line)| (file, line));
        assert_eq!(order, by_read);
    }

    #[test]
    fn dates_for_filters() {
        assert_eq!(parse_date("2023-09-01"), Ok(1_693_526_400));
        assert_eq!(parse_date("2023-09-01T00:00:10Z"), Ok(1_693_526_410));
        assert_eq!(parse_date("1693526400"), Ok(1_693_526_400));
        assert!(parse_date("yesterday").is_err());
    }
}
