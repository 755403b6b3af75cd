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

use std::collections::HashMap;
use std::io::{BufRead, Read};

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

/// A discussion being gathered.
struct Gathered {
    article: Option<Article>,
    comments: Vec<RawComment>,
    anomalies: Vec<Anomaly>,
}

/// Read a dump from `rdr` and hand each discussion to `emit` (which returns `false` to stop).
/// `source` names the input in articles and messages.
pub fn parse_each(
    mut rdr: impl BufRead,
    source: &str,
    opts: &DumpOptions,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseErrorKind> {
    let mut order: Vec<String> = Vec::new();
    let mut by_link: HashMap<String, Gathered> = HashMap::new();
    // Anomalies of lines that name no discussion.
    let mut stray: Vec<Anomaly> = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0usize;
    let mut records = 0usize;
    let mut failure = None;
    loop {
        buf.clear();
        match rdr.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                failure = Some(ParseErrorKind::Malformed {
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
                break;
            }
        }
        line += 1;
        let bad = |message: String| Anomaly {
            kind: AnomalyKind::BadRecord,
            line: Some(line),
            comment_id: None,
            message,
        };
        let Ok(text) = std::str::from_utf8(&buf) else {
            stray.push(bad("not valid UTF-8; the line is skipped".into()));
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let mut d = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(d)) => d,
            Ok(other) => {
                stray.push(bad(format!("expected a JSON object, found {}", kind_of(&other))));
                continue;
            }
            Err(e) => {
                stray.push(bad(format!("not JSON ({e}); the line is skipped")));
                continue;
            }
        };
        records += 1;
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
            continue;
        }
        let Some(link) = link else {
            let what = if is_comment {
                "a comment without a `link_id`"
            } else {
                "a submission without an `id`"
            };
            stray.push(bad(format!("{what}; it names no discussion and is skipped")));
            continue;
        };
        let g = by_link.entry(link.clone()).or_insert_with(|| {
            order.push(link.clone());
            Gathered { article: None, comments: Vec::new(), anomalies: Vec::new() }
        });
        if is_comment {
            let mut anomalies = Vec::new();
            let mut c = reddit_comment(&d, None, g.comments.len() + 1, &mut anomalies);
            c.line = Some(line);
            for mut a in anomalies {
                a.line = Some(line);
                g.anomalies.push(a);
            }
            g.comments.push(c);
        } else {
            let mut a = Article { id: link.clone(), ..Default::default() };
            reddit_article(&mut a, &d, false);
            g.article = Some(a);
        }
    }
    for link in order {
        let g = by_link.remove(&link).expect("gathered");
        let mut article =
            g.article.unwrap_or_else(|| Article { id: link.clone(), ..Default::default() });
        article.id = link.clone();
        article.source = source.to_string();
        article.format = super::Format::RedditDump.name().to_string();
        // Lines that named no discussion go with the first one (`append` empties `stray`).
        let mut anomalies = g.anomalies;
        anomalies.append(&mut stray);
        let doc = Document {
            article,
            section: CommentSection::Present,
            comments: g.comments,
            anomalies,
            hidden_comments: 0,
            merge_key: Some(format!("reddit:{link}")),
        };
        if !emit(doc) {
            return Ok(());
        }
    }
    if records == 0 && stray.is_empty() && failure.is_none() {
        return Err(ParseErrorKind::Empty);
    }
    if !stray.is_empty() {
        // Nothing named a discussion: the file's own, holding what went wrong.
        let doc = Document {
            article: Article {
                id: super::discussion_id(source),
                source: source.to_string(),
                format: super::Format::RedditDump.name().to_string(),
                ..Default::default()
            },
            section: CommentSection::Absent,
            anomalies: stray,
            ..Default::default()
        };
        emit(doc);
    }
    failure.map_or(Ok(()), Err)
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
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].comments.len(), 2);
        let lines: Vec<_> = d[0].anomalies.iter().map(|a| a.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4)], "{:?}", d[0].anomalies);
        assert!(d[0].anomalies[2].message.contains("UTF-8"));
    }

    #[test]
    fn dates_for_filters() {
        assert_eq!(parse_date("2023-09-01"), Ok(1_693_526_400));
        assert_eq!(parse_date("2023-09-01T00:00:10Z"), Ok(1_693_526_410));
        assert_eq!(parse_date("1693526400"), Ok(1_693_526_400));
        assert!(parse_date("yesterday").is_err());
    }
}
