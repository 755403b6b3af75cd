//! ConvoKit corpora (issue #15): a folder holding `utterances.jsonl` beside
//! `conversations.json`, `speakers.json`, `corpus.json` and `index.json`, as
//! [ConvoKit](https://convokit.cornell.edu/documentation/data_format.html) writes and reads
//! them.
//!
//! - **Detected** by name (a file called `utterances.jsonl`, or a folder holding one: the folder
//!   is one input and its other files are not read as inputs) or by content: JSON Lines whose
//!   first object has `conversation_id` (or the legacy `root`), `reply_to` (or `reply-to`, as
//!   ConvoKit 3+ writes it), `speaker` (or the legacy `user`) and `text`.
//! - **Conversations are discussions.** The discussion id is the conversation id. The
//!   conversation's root utterance (its id is the conversation id: the Reddit post, the first
//!   turn) stands for the article: its text is the body, its speaker the byline, its timestamp
//!   the publication time. The conversation's meta in `conversations.json` gives the title
//!   (`title`), address (`url`, or Reddit's `permalink`) and outlet (`outlet`, or `subreddit`
//!   as `r/<name>`).
//! - **Utterances are comments**: `id`, `reply_to` → parent (a reply to the root, or no
//!   `reply_to`, is a top-level comment; a reply to an utterance the conversation lacks is left
//!   as it is and the tree builder reports it as an `orphan`), `speaker` → author, `timestamp`
//!   (Unix seconds: a number, whole or not, or a string of one; other text is read as a
//!   written time) → time, its text as written kept as `time_raw`, `text` → text. A
//!   `[deleted]`/`[removed]` speaker or text is treated as the Reddit readers treat it (null
//!   author, empty text, the comment marked deleted), and the speaker `[unknown]` (the
//!   placeholder threadlens writes for a missing author) is a null author.
//! - **Utterance `meta`** is not kept in the tables yet (they have no column for free-form
//!   fields), except in corpora threadlens wrote (below).
//! - **Bad lines** (not JSON, not an object, not UTF-8) are `bad_record` anomalies with their
//!   line; an utterance without an id is kept as `line-<n>`, one without a conversation (and
//!   not a root) goes to the discussion `<file stem>#no-conversation`, each reported. A sibling
//!   file that exists but cannot be read is an error naming it.
//! - **Corpora written by threadlens** (`threadlens analyse --format convokit`, marked by
//!   `threadlens_version` in `corpus.json` or by the root utterance's `threadlens_article`
//!   meta) are read back as they were written: comment ids, parents, authors, times and
//!   moderation fields come from the utterance meta (the `comments` columns), the article's
//!   fields from the conversation meta (the `articles` columns), so the trees are the trees
//!   threadlens exported.
//!
//! Utterances are streamed: each run of lines of one conversation is handed on as it ends,
//! with a merge key joining the runs of a conversation whose lines are not contiguous.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde_json::{Map, Value};

use super::clean::{Time, gt_quotes, parse_time};
use super::{Format, ParseErrorKind};
use crate::model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};

/// The file holding a corpus's utterances.
pub const UTTERANCES: &str = "utterances.jsonl";

/// The other files of a corpus folder: read with `utterances.jsonl`, never as inputs of their
/// own (`users.json` is the legacy name of `speakers.json`).
pub const SIBLINGS: &[&str] =
    &["conversations.json", "speakers.json", "users.json", "corpus.json", "index.json"];

/// Whether a file met in a folder that holds `utterances.jsonl` belongs to the corpus: a
/// sibling, a pickle of binary meta ConvoKit writes as `<field>-bin.p`, or the `run.json`
/// threadlens writes beside a corpus.
pub fn is_corpus_file(name: &str) -> bool {
    SIBLINGS.contains(&name) || name.ends_with("-bin.p") || name == "run.json"
}

/// The speaker threadlens writes for an utterance without an author (ConvoKit needs one), read
/// back as a null author.
pub const PLACEHOLDER_SPEAKER: &str = "[unknown]";

/// The root utterance meta key marking the utterance that stands for the article in a corpus
/// threadlens wrote.
pub const ARTICLE_MARK: &str = "threadlens_article";

/// The `corpus.json` key marking a corpus threadlens wrote (its version).
pub const CORPUS_MARK: &str = "threadlens_version";

/// Whether a JSON Lines text whose first line is `line` is a ConvoKit `utterances.jsonl`.
pub fn is_utterance_line(line: &str) -> bool {
    let line = line.trim();
    if line.len() > 1 << 20 || !line.starts_with('{') || !line.contains("\"text\"") {
        return false;
    }
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line) else { return false };
    let has = |k: &str| o.contains_key(k);
    (has("conversation_id") || has("root"))
        && (has("reply_to") || has("reply-to"))
        && (has("speaker") || has("user"))
        && has("text")
}

/// What the conversation meta says of an article.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ConversationMeta {
    /// The meta is an `articles` row (a corpus threadlens wrote): the article's fields come
    /// from it alone, not from the root utterance.
    exported: bool,
    article_id: Option<String>,
    title: Option<String>,
    url: Option<String>,
    outlet: Option<String>,
    byline: Option<String>,
    published: Option<String>,
    section: Option<CommentSection>,
    hidden_comments: Option<u64>,
}

impl ConversationMeta {
    fn from_meta(m: &Map<String, Value>) -> ConversationMeta {
        let s = |k: &str| str_field(m, k).map(String::from);
        ConversationMeta {
            exported: m.contains_key("article_id") && m.contains_key("body_chars"),
            article_id: s("article_id"),
            title: s("title"),
            url: s("url").or_else(|| {
                str_field(m, "permalink").map(|l| {
                    if l.starts_with('/') {
                        format!("https://www.reddit.com{l}")
                    } else {
                        l.to_string()
                    }
                })
            }),
            outlet: s("outlet").or_else(|| {
                str_field(m, "subreddit")
                    .map(|r| if r.starts_with("r/") { r.to_string() } else { format!("r/{r}") })
            }),
            byline: s("byline"),
            published: s("published"),
            section: match str_field(m, "comment_section") {
                Some("present") => Some(CommentSection::Present),
                Some("absent") => Some(CommentSection::Absent),
                Some("not_in_page") => Some(CommentSection::NotInPage),
                _ => None,
            },
            hidden_comments: m.get("hidden_comments").and_then(Value::as_u64),
        }
    }
}

/// What the files beside `utterances.jsonl` say: the conversations' meta and whether
/// threadlens wrote the corpus.
#[derive(Clone, Debug, Default)]
pub struct CorpusInfo {
    conversations: HashMap<String, ConversationMeta>,
    threadlens: bool,
}

impl CorpusInfo {
    /// Reads `conversations.json` and `corpus.json` from the folder `dir`, when they exist.
    /// A file that exists but cannot be read or is not the JSON object ConvoKit writes is an
    /// error naming it.
    pub fn read(dir: &Path) -> Result<CorpusInfo, ParseErrorKind> {
        let mut info = CorpusInfo::default();
        let read = |name: &str| -> Result<Option<Map<String, Value>>, ParseErrorKind> {
            let path = dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(malformed(format!("{name} beside it: could not read: {e}"))),
            };
            match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
                Ok(Value::Object(o)) => Ok(Some(o)),
                Ok(_) => Err(malformed(format!("{name} beside it: expected a JSON object"))),
                Err(e) => Err(malformed(format!("{name} beside it: not valid JSON: {e}"))),
            }
        };
        if let Some(corpus) = read("corpus.json")? {
            info.threadlens = corpus.contains_key(CORPUS_MARK);
        }
        if let Some(convos) = read("conversations.json")? {
            for (id, entry) in convos {
                let Value::Object(entry) = entry else { continue };
                // `{"meta": {...}, "vectors": [...]}`, or (older corpora) the meta itself.
                let meta = match entry.get("meta") {
                    Some(Value::Object(m)) => ConversationMeta::from_meta(m),
                    _ => ConversationMeta::from_meta(&entry),
                };
                info.conversations.insert(id, meta);
            }
        }
        Ok(info)
    }
}

fn malformed(message: String) -> ParseErrorKind {
    ParseErrorKind::Malformed { format: Format::Convokit, message }
}

fn str_field<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// A number or a non-empty string as an id; numbers keep their text as written.
fn id_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn is_placeholder(s: &str) -> bool {
    s == "[deleted]" || s == "[removed]"
}

/// A ConvoKit timestamp: Unix seconds as a number or a string of one; other text is read as
/// a written time. The raw text is what the file holds.
fn timestamp(v: &Value) -> Option<Time> {
    match v {
        Value::Number(n) => {
            let mut t = Time::from_epoch(n.as_f64()?);
            t.raw = Some(n.to_string());
            Some(t)
        }
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(secs) if secs.is_finite() => {
                let mut t = Time::from_epoch(secs);
                t.raw = Some(s.clone());
                Some(t)
            }
            _ => Some(parse_time(s)),
        },
        _ => None,
    }
}

/// A conversation being gathered (a run of its lines).
struct Gathered {
    conversation: String,
    article_id: Option<String>,
    root: Option<Root>,
    comments: Vec<RawComment>,
    anomalies: Vec<Anomaly>,
}

/// The root utterance: what it says of the article.
struct Root {
    body: String,
    byline: Option<String>,
    published: Option<String>,
}

/// Read `utterances.jsonl` from `rdr` and hand each conversation to `emit` (which returns
/// `false` to stop). `info` is what the files beside it say ([`CorpusInfo::read`]; the default
/// for an `utterances.jsonl` read on its own), `source` names the input (utterances that name
/// no conversation go to the discussion `<its file stem>#no-conversation`).
pub fn parse_each(
    mut rdr: impl BufRead,
    info: &CorpusInfo,
    source: &str,
    emit: &mut dyn FnMut(Document) -> bool,
) -> Result<(), ParseErrorKind> {
    let stem = super::discussion_id(source);
    let mut threadlens = info.threadlens;
    let mut current: Option<Gathered> = None;
    // Anomalies of bad lines before the first utterance, waiting for its document.
    let mut stray: Vec<Anomaly> = Vec::new();
    let mut buf = Vec::new();
    let (mut line, mut utterances) = (0usize, 0usize);
    loop {
        buf.clear();
        if rdr.read_until(b'\n', &mut buf).map_err(ParseErrorKind::Io)? == 0 {
            break;
        }
        line += 1;
        let bad = |message: String| Anomaly {
            kind: AnomalyKind::BadRecord,
            line: Some(line),
            comment_id: None,
            message,
        };
        // A bad line goes with the conversation being read, or the next one.
        let mut skip = |a: Anomaly| match current.as_mut() {
            Some(g) => g.anomalies.push(a),
            None => stray.push(a),
        };
        let Ok(text) = std::str::from_utf8(&buf) else {
            skip(bad("not valid UTF-8; the line is skipped".into()));
            continue;
        };
        let text = if line == 1 { text.trim_start_matches('\u{feff}') } else { text };
        if text.trim().is_empty() {
            continue;
        }
        let u = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(u)) => u,
            Ok(other) => {
                skip(bad(format!(
                    "expected an utterance (a JSON object), found {}; the line is skipped",
                    kind_of(&other)
                )));
                continue;
            }
            Err(e) => {
                skip(bad(format!("not JSON ({e}); the line is skipped")));
                continue;
            }
        };
        utterances += 1;
        let meta = match u.get("meta") {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        };
        if utterances == 1 && meta.is_some_and(|m| m.get(ARTICLE_MARK) == Some(&Value::Bool(true)))
        {
            threadlens = true;
        }
        let mut anomalies = Vec::new();
        let id = id_string(u.get("id"));
        let reply_to = id_string(u.get("reply_to").or_else(|| u.get("reply-to")));
        let conversation = id_string(u.get("conversation_id").or_else(|| u.get("root")))
            // A root without a conversation id starts its own conversation.
            .or_else(|| id.clone().filter(|_| reply_to.is_none()));
        let id = id.unwrap_or_else(|| {
            let fallback = format!("line-{line}");
            anomalies.push(Anomaly {
                comment_id: Some(fallback.clone()),
                ..bad(format!("utterance without an `id`; kept as `{fallback}`"))
            });
            fallback
        });
        let conversation = conversation.unwrap_or_else(|| {
            let fallback = format!("{stem}#no-conversation");
            anomalies.push(Anomaly {
                comment_id: Some(id.clone()),
                ..bad(format!(
                    "utterance `{}` names no `conversation_id`; kept under the discussion \
                     `{fallback}`",
                    super::table::clip(&id)
                ))
            });
            fallback
        });
        if current.as_ref().is_some_and(|g| g.conversation != conversation) {
            let g = current.take().expect("checked");
            if !emit(assemble(g, info, source, &mut stray)) {
                return Ok(());
            }
        }
        let g = current.get_or_insert_with(|| Gathered {
            conversation: conversation.clone(),
            article_id: None,
            root: None,
            comments: Vec::new(),
            anomalies: Vec::new(),
        });
        let ours = |k: &str| meta.filter(|_| threadlens).and_then(|m| m.get(k));
        if g.article_id.is_none() {
            g.article_id = ours("article_id").and_then(|v| id_string(Some(v)));
        }
        g.anomalies.append(&mut anomalies);
        let speaker = id_string(u.get("speaker").or_else(|| u.get("user")));
        let text = u.get("text").and_then(Value::as_str).unwrap_or("");
        let time = u.get("timestamp").and_then(timestamp);
        if id == conversation {
            let deleted = speaker.as_deref().is_some_and(is_placeholder);
            g.root = Some(Root {
                body: if is_placeholder(text) { String::new() } else { text.to_string() },
                byline: speaker.filter(|s| !deleted && s != PLACEHOLDER_SPEAKER),
                published: time.and_then(|t| t.value),
            });
            continue;
        }
        let status = if text == "[removed]" || speaker.as_deref() == Some("[removed]") {
            Some("removed")
        } else if text == "[deleted]" || speaker.as_deref() == Some("[deleted]") {
            Some("deleted")
        } else {
            None
        };
        let text = if is_placeholder(text) { String::new() } else { text.to_string() };
        let mut c = RawComment {
            id,
            parent_id: reply_to.filter(|p| *p != conversation),
            author: speaker.filter(|s| !is_placeholder(s) && s != PLACEHOLDER_SPEAKER),
            quotes: gt_quotes(&text),
            text,
            status: status.map(String::from),
            deleted: status.is_some(),
            line: Some(line),
            ..Default::default()
        };
        if let Some(t) = time {
            t.apply(&mut c);
        }
        // A corpus threadlens wrote: the comment as it was exported; any other: its meta
        // kept in `extra`.
        if let Some(Value::String(cid)) = ours("comment_id") {
            restore(&mut c, cid, meta.expect("ours"));
        } else if let Some(m) = meta {
            c.extra = m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect();
        }
        g.comments.push(c);
    }
    if let Some(g) = current.take()
        && !emit(assemble(g, info, source, &mut stray))
    {
        return Ok(());
    }
    if utterances == 0 {
        return Err(match stray.first() {
            None => ParseErrorKind::Empty,
            Some(a) => malformed(format!("no readable utterance; first problem: {}", a.message)),
        });
    }
    Ok(())
}

/// A comment of a corpus threadlens wrote, from its utterance meta (the `comments` columns):
/// id, parent, author, time and moderation fields as they were exported.
fn restore(c: &mut RawComment, id: &str, m: &Map<String, Value>) {
    c.id = id.to_string();
    c.parent_id = m.get("parent_id").and_then(Value::as_str).map(String::from);
    if let Some(a) = m.get("author") {
        c.author = a.as_str().map(String::from);
    }
    let t = match (m.get("time"), m.get("time_local")) {
        (Some(Value::String(t)), _) | (_, Some(Value::String(t))) => Some(parse_time(t)),
        (Some(Value::Null), Some(Value::Null)) => Some(Time::default()),
        _ => None,
    };
    if let Some(mut t) = t {
        t.raw = m.get("time_raw").and_then(Value::as_str).map(String::from);
        t.apply(c);
    }
    if let Some(s) = m.get("status") {
        c.status = s.as_str().map(String::from);
    }
    if let Some(d) = m.get("deleted").and_then(Value::as_bool) {
        c.deleted = d;
    }
    if let Some(b) = m.get("by_post_author") {
        c.by_post_author = b.as_bool();
    }
    if let Some(Value::Object(e)) = m.get("extra") {
        c.extra =
            e.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect();
    }
    c.kind = match m.get("kind").and_then(Value::as_str) {
        Some("pingback") => crate::model::CommentKind::Pingback,
        Some("trackback") => crate::model::CommentKind::Trackback,
        _ => c.kind,
    };
}

/// One conversation's document; `stray` anomalies (bad lines read before it) go with it.
fn assemble(g: Gathered, info: &CorpusInfo, source: &str, stray: &mut Vec<Anomaly>) -> Document {
    let meta = info.conversations.get(&g.conversation).cloned().unwrap_or_default();
    let id = meta.article_id.clone().or(g.article_id).unwrap_or_else(|| g.conversation.clone());
    // In a corpus threadlens wrote, the root's speaker and timestamp may be stand-ins.
    let root =
        g.root.map(|r| if meta.exported { Root { byline: None, published: None, ..r } } else { r });
    let article = Article {
        id,
        source: source.to_string(),
        format: Format::Convokit.name().to_string(),
        outlet: meta.outlet,
        title: meta.title,
        byline: meta.byline.or_else(|| root.as_ref().and_then(|r| r.byline.clone())),
        published: meta.published.or_else(|| root.as_ref().and_then(|r| r.published.clone())),
        url: meta.url,
        body: root.map(|r| r.body).unwrap_or_default(),
    };
    let mut anomalies = std::mem::take(stray);
    anomalies.extend(g.anomalies);
    Document {
        merge_key: Some(format!("convokit:{source}#{}", g.conversation)),
        article,
        section: meta.section.unwrap_or(CommentSection::Present),
        comments: g.comments,
        anomalies,
        hidden_comments: meta.hidden_comments.unwrap_or(0),
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
    use crate::parse::{ParseOptions, parse_bytes};

    fn utt(id: &str, conv: &str, reply_to: Option<&str>, speaker: &str, text: &str) -> String {
        serde_json::json!({
            "id": id, "speaker": speaker, "conversation_id": conv, "reply_to": reply_to,
            "timestamp": 1_693_526_400, "text": text, "meta": {"score": 3}, "vectors": []
        })
        .to_string()
    }

    fn read(text: &str, info: &CorpusInfo) -> Vec<Document> {
        let mut docs = Vec::new();
        parse_each(text.as_bytes(), info, "corpus/utterances.jsonl", &mut |d| {
            docs.push(d);
            true
        })
        .unwrap();
        docs
    }

    fn pairs(d: &Document) -> Vec<(&str, Option<&str>)> {
        d.comments.iter().map(|c| (c.id.as_str(), c.parent_id.as_deref())).collect()
    }

    #[test]
    fn the_root_is_the_article_and_replies_to_it_are_top_level() {
        let text = [
            utt("p1", "p1", None, "op", "The post"),
            utt("c1", "p1", Some("p1"), "ann", "First"),
            utt("c2", "p1", Some("c1"), "[deleted]", "[deleted]"),
            utt("c3", "p1", Some("gone"), "bob", "Orphan"),
            utt("c4", "p1", None, "cat", "Not a reply"),
        ]
        .join("\n");
        let docs = read(&text, &CorpusInfo::default());
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.article.id, "p1");
        assert_eq!(d.article.body, "The post");
        assert_eq!(d.article.byline.as_deref(), Some("op"));
        assert_eq!(d.article.published.as_deref(), Some("2023-09-01T00:00:00Z"));
        assert_eq!(d.article.format, "convokit");
        assert_eq!(
            pairs(d),
            [("c1", None), ("c2", Some("c1")), ("c3", Some("gone")), ("c4", None)]
        );
        let c2 = &d.comments[1];
        assert_eq!((c2.author.as_deref(), c2.text.as_str(), c2.deleted), (None, "", true));
        assert_eq!(c2.status.as_deref(), Some("deleted"));
        assert_eq!(d.comments[0].time_raw.as_deref(), Some("1693526400"));
        assert_eq!(d.comments[0].line, Some(2));
        let built = crate::Discussion::build(d.clone());
        assert!(built.node(built.find("c3").unwrap()).flags.orphan);
    }

    #[test]
    fn legacy_keys_float_and_string_timestamps() {
        let lines = [
            r#"{"id": "r", "user": "op", "root": "r", "reply-to": null, "timestamp": "1693526400", "text": "Root"}"#,
            r#"{"id": 7, "user": null, "root": "r", "reply-to": "r", "timestamp": 1693526400.75, "text": "A"}"#,
            r#"{"id": "8", "user": "x", "root": "r", "reply-to": 7, "timestamp": "Sept 1, 2023", "text": "B"}"#,
        ];
        let docs = read(&lines.join("\n"), &CorpusInfo::default());
        let d = &docs[0];
        assert_eq!(pairs(d), [("7", None), ("8", Some("7"))]);
        assert_eq!(d.comments[0].author, None);
        assert_eq!(d.comments[0].time.as_deref(), Some("2023-09-01T00:00:00Z"));
        assert_eq!(d.comments[0].time_raw.as_deref(), Some("1693526400.75"));
        assert_eq!(d.comments[1].time_raw.as_deref(), Some("Sept 1, 2023"));
        assert_eq!(d.article.published.as_deref(), Some("2023-09-01T00:00:00Z"));
    }

    #[test]
    fn bad_lines_are_anomalies_and_conversations_split_and_merge() {
        let text = [
            utt("a", "a", None, "x", "A"),
            "not json".to_string(),
            utt("b", "b", None, "x", "B"),
            "[1, 2]".to_string(),
            r#"{"speaker": "y", "conversation_id": "a", "reply_to": "a", "text": "no id"}"#
                .to_string(),
            r#"{"id": "q", "speaker": "y", "reply_to": "zz", "text": "no conversation"}"#
                .to_string(),
        ]
        .join("\n");
        let docs = read(&text, &CorpusInfo::default());
        let ids: Vec<&str> = docs.iter().map(|d| d.article.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a", "utterances#no-conversation"]);
        assert_eq!(docs[0].merge_key, docs[2].merge_key);
        let lines = |d: &Document| d.anomalies.iter().map(|a| a.line).collect::<Vec<_>>();
        assert_eq!(lines(&docs[0]), [Some(2)]);
        assert_eq!(lines(&docs[1]), [Some(4)]);
        assert_eq!(lines(&docs[2]), [Some(5)]);
        assert_eq!(docs[2].comments[0].id, "line-5");
        assert_eq!(lines(&docs[3]), [Some(6)]);
        assert!(docs.iter().flat_map(|d| &d.anomalies).all(|a| a.kind == AnomalyKind::BadRecord));
    }

    #[test]
    fn detected_by_content() {
        let text =
            [utt("p", "p", None, "op", "Post"), utt("c", "p", Some("p"), "a", "Hi")].join("\n");
        assert!(is_utterance_line(&utt("p", "p", None, "op", "Post")));
        assert!(!is_utterance_line(r#"{"id": "1", "parent_id": null, "text": "x"}"#));
        let docs = parse_bytes(text.as_bytes(), "dump.jsonl", &ParseOptions::default()).unwrap();
        assert_eq!(docs[0].article.format, "convokit");
        assert_eq!(docs[0].comments.len(), 1);
        // Without the extension too.
        let docs = parse_bytes(text.as_bytes(), "dump", &ParseOptions::default()).unwrap();
        assert_eq!(docs[0].article.format, "convokit");
        assert_eq!("convokit".parse::<Format>(), Ok(Format::Convokit));
    }

    #[test]
    fn conversation_meta_gives_title_url_and_outlet() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("conversations.json"),
            r#"{"p": {"meta": {"title": "A post", "subreddit": "Python", "permalink": "/r/Python/comments/p/"}, "vectors": []}}"#,
        )
        .unwrap();
        let info = CorpusInfo::read(dir.path()).unwrap();
        let docs = read(&utt("p", "p", None, "op", "Post"), &info);
        let a = &docs[0].article;
        assert_eq!(a.title.as_deref(), Some("A post"));
        assert_eq!(a.outlet.as_deref(), Some("r/Python"));
        assert_eq!(a.url.as_deref(), Some("https://www.reddit.com/r/Python/comments/p/"));
        std::fs::write(dir.path().join("conversations.json"), "{broken").unwrap();
        let e = CorpusInfo::read(dir.path()).unwrap_err().to_string();
        assert!(e.contains("conversations.json") && e.contains("not valid JSON"), "{e}");
    }

    #[test]
    fn a_threadlens_corpus_is_read_as_exported() {
        let root = serde_json::json!({"id": "a%2Fb", "speaker": "[unknown]",
            "conversation_id": "a%2Fb", "reply_to": null, "timestamp": null, "text": "Body",
            "meta": {ARTICLE_MARK: true, "article_id": "a/b"}});
        let c = serde_json::json!({"id": "a%2Fb/1", "speaker": "[unknown]",
            "conversation_id": "a%2Fb", "reply_to": "a%2Fb", "timestamp": null, "text": "x",
            "meta": {"article_id": "a/b", "comment_id": "1", "parent_id": null, "author": null,
                     "time": null, "time_local": "2023-09-24T08:12:00", "time_raw": "24.9.",
                     "deleted": true, "status": "trash"}});
        let text = format!("{root}\n{c}\n");
        let docs = read(&text, &CorpusInfo::default());
        let d = &docs[0];
        assert_eq!(d.article.id, "a/b");
        let c = &d.comments[0];
        assert_eq!((c.id.as_str(), c.parent_id.as_deref(), c.author.as_deref()), ("1", None, None));
        assert_eq!((c.time.as_deref(), c.time_local), (Some("2023-09-24T08:12:00"), true));
        assert_eq!(c.time_raw.as_deref(), Some("24.9."));
        assert_eq!((c.deleted, c.status.as_deref()), (true, Some("trash")));
    }
}
