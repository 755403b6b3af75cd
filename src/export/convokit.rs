//! Writing a [ConvoKit](https://convokit.cornell.edu/documentation/data_format.html) corpus
//! (issue #15): `threadlens analyse --format convokit --out DIR` writes a folder that
//! `convokit.Corpus(filename=DIR)` loads, so that ConvoKit's own analyses (politeness,
//! forecasting derailment, …) run on discussions threadlens read.
//!
//! | File | What it holds |
//! |---|---|
//! | `utterances.jsonl` | Per discussion, a root utterance standing for the article, then one utterance per comment in source order: `id`, `speaker`, `conversation_id`, `reply_to`, `timestamp`, `text`, `meta`, `vectors` (`[]`). |
//! | `conversations.json` | `{conversation id: {"meta": {...}, "vectors": []}}`: the discussion's `articles` row, and its `threads` rows as a list under `thread_metrics`. |
//! | `speakers.json` | `{speaker: {"meta": {}, "vectors": []}}` for each speaker. |
//! | `corpus.json` | The run's manifest (as `run.json`), marked with `threadlens_version`. |
//! | `index.json` | ConvoKit's index of the meta fields and their Python types (`"<class 'float'>"`). |
//!
//! - **Ids.** A conversation's id (and its root utterance's) is the `article_id`; a comment's is
//!   `<article_id>/<comment_id>`, with `/` and `%` written `%2F` and `%25` inside each part, so
//!   ids are unique in the corpus and never taken for one another. A comment whose id an
//!   earlier comment of the discussion had (`duplicate`) gets `/<n>` after it (2 for the
//!   second). The root utterance's meta is `{"threadlens_article": true, "article_id": …}`.
//! - **Replies.** `reply_to` is the utterance of the `parent_id` (the first comment with that
//!   id), or the root utterance for a top-level comment: the tree is the exported tree,
//!   repairs included (an orphan replies to the root and keeps `orphan: true` in its meta).
//! - **Speakers.** ConvoKit needs a speaker for every utterance: a comment without an author,
//!   or an article without a byline, has the speaker `[unknown]`
//!   ([`PLACEHOLDER_SPEAKER`]), read back by
//!   threadlens as a null author.
//! - **Times.** ConvoKit sorts utterances by `timestamp` (replies in its tree walks, a
//!   conversation's utterances in chronological lists), so every utterance has one and they
//!   compare. When every comment of a discussion has an instant (`time`), `timestamp` is Unix
//!   seconds (an integer, or a float when not whole), the root's being the article's
//!   `published` when that is an instant, or else the earliest comment's. Otherwise (a local
//!   time of unknown zone is never turned into an instant, a missing time never invented),
//!   `timestamp` is the utterance's position in the conversation: the root 0, the comments
//!   1, 2, … in source order. The conversation meta's `timestamps` says which (`unix` or
//!   `order`); the comments' times are in their meta (`time`, `time_local`, `time_raw`).
//! - **Meta.** A comment's utterance meta is its `comments` row without `text` (it is the
//!   utterance's text): structure, flags, incivility, stance and side, and the columns of
//!   target models.
//!
//! Utterances and conversations are written as each discussion comes; only the speakers seen
//! and the meta fields' types are kept until the end.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use super::{Batch, Column, ExportError};
use crate::parse::convokit::{ARTICLE_MARK, CORPUS_MARK, PLACEHOLDER_SPEAKER};

/// The files of a corpus, in the order [`ConvokitWriter::finish`] returns them.
pub const FILES: [&str; 5] =
    ["utterances.jsonl", "conversations.json", "speakers.json", "corpus.json", "index.json"];

/// `s` with `%` and `/` escaped, so that `/` can join the parts of an utterance id.
pub fn escape_id(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['%', '/']) { s.replace('%', "%25").replace('/', "%2F").into() } else { s.into() }
}

/// The JSON value of a cell, as the JSONL writer writes it.
fn cell(column: &Column, row: usize) -> Value {
    let json = |v: Option<Value>| v.unwrap_or(Value::Null);
    match column {
        Column::Str(v) | Column::Category(v) => {
            json(v.get(row).map(|s| Value::String(s.to_string())))
        }
        Column::Int(v) => json(v.get(row).map(Value::from)),
        Column::Float(v) => {
            json(v.get(row).and_then(serde_json::Number::from_f64).map(Value::Number))
        }
        Column::Bool(v) => json(v.get(row).map(Value::Bool)),
        Column::Timestamp(v) | Column::LocalTimestamp(v) => json(v.get(row).map(|micros| {
            let mut s = Vec::new();
            super::write_timestamp(&mut s, micros, matches!(column, Column::Timestamp(_)))
                .expect("checked by the batch");
            Value::String(String::from_utf8(s).expect("RFC 3339 is ASCII"))
        })),
        Column::StrList(v) => json(v[row].as_ref().map(|l| serde_json::json!(l))),
        Column::FloatList(v) => json(v[row].as_ref().map(|l| {
            Value::Array(
                l.iter()
                    .map(|&x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number))
                    .collect(),
            )
        })),
        Column::Cues(v) => json(v[row].as_ref().map(|l| serde_json::json!(l))),
        Column::StrMap(v) => json(v[row].as_ref().map(|m| serde_json::json!(super::JsonMap(m)))),
    }
}

/// Meta fields in column order (serde_json's maps sort their keys).
struct Meta<'a>(Vec<(&'a str, Value)>);

impl Serialize for Meta<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'a> Meta<'a> {
    /// Row `row` of `batch`, leaving out the columns named in `skip`.
    fn row(batch: &'a Batch, row: usize, skip: &[&str]) -> Meta<'a> {
        Meta(
            batch
                .spec()
                .columns
                .iter()
                .zip(batch.columns())
                .filter(|(c, _)| !skip.contains(&c.name))
                .map(|(c, col)| (c.name, cell(col, row)))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

#[derive(Serialize)]
struct Utterance<'a> {
    id: &'a str,
    speaker: &'a str,
    conversation_id: &'a str,
    reply_to: Option<&'a str>,
    timestamp: Option<Value>,
    text: &'a str,
    meta: &'a Meta<'a>,
    vectors: [(); 0],
}

/// A conversation's or speaker's entry in `conversations.json` or `speakers.json`.
#[derive(Serialize)]
struct Entry<'a> {
    meta: &'a Meta<'a>,
    vectors: [(); 0],
}

/// A meta field's types as ConvoKit's index names them (Python's classes).
#[derive(Default)]
struct Index(BTreeMap<String, Vec<&'static str>>);

impl Index {
    fn add(&mut self, meta: &Meta<'_>) {
        for (k, v) in &meta.0 {
            let types = match self.0.get_mut(*k) {
                Some(t) => t,
                None => self.0.entry(k.to_string()).or_default(),
            };
            let t = match v {
                Value::Null => continue,
                Value::Bool(_) => "<class 'bool'>",
                Value::Number(n) if n.is_i64() || n.is_u64() => "<class 'int'>",
                Value::Number(_) => "<class 'float'>",
                Value::String(_) => "<class 'str'>",
                Value::Array(_) => "<class 'list'>",
                Value::Object(_) => "<class 'dict'>",
            };
            if !types.contains(&t) {
                types.push(t);
            }
        }
    }
}

/// Unix seconds of an RFC 3339 instant: an integer when whole, else a float.
fn seconds(micros: i64) -> Value {
    if micros % 1_000_000 == 0 {
        Value::from(micros / 1_000_000)
    } else {
        serde_json::Number::from_f64(micros as f64 / 1e6).map_or(Value::Null, Value::Number)
    }
}

/// Writes a ConvoKit corpus into a folder, a discussion at a time.
pub struct ConvokitWriter {
    dir: PathBuf,
    utterances: BufWriter<File>,
    conversations: BufWriter<File>,
    conversations_written: usize,
    utterances_written: usize,
    speakers: Vec<String>,
    seen_speakers: HashSet<String>,
    utterance_index: Index,
    conversation_index: Index,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.to_path_buf(), source }
}

impl ConvokitWriter {
    /// Starts a corpus in the folder `dir`, which must exist (a staging folder: the files are
    /// written under their final names).
    pub fn create(dir: &Path) -> Result<ConvokitWriter, ExportError> {
        let open = |name: &str| {
            let path = dir.join(name);
            File::create(&path)
                .map(|f| BufWriter::with_capacity(256 * 1024, f))
                .map_err(io_err(&path))
        };
        let mut conversations = open(FILES[1])?;
        conversations.write_all(b"{").map_err(io_err(&dir.join(FILES[1])))?;
        Ok(ConvokitWriter {
            utterances: open(FILES[0])?,
            conversations,
            conversations_written: 0,
            utterances_written: 0,
            speakers: Vec::new(),
            seen_speakers: HashSet::new(),
            utterance_index: Index::default(),
            conversation_index: Index::default(),
            dir: dir.to_path_buf(),
        })
    }

    /// Utterances written so far (root utterances included).
    pub fn utterances(&self) -> usize {
        self.utterances_written
    }

    /// Conversations written so far.
    pub fn conversations(&self) -> usize {
        self.conversations_written
    }

    /// Notes a speaker for `speakers.json`; the placeholder for none.
    fn speaker<'a>(&mut self, name: Option<&'a str>) -> &'a str {
        let name = name.filter(|s| !s.is_empty()).unwrap_or(PLACEHOLDER_SPEAKER);
        if !self.seen_speakers.contains(name) {
            self.seen_speakers.insert(name.to_string());
            self.speakers.push(name.to_string());
        }
        name
    }

    fn utterance(&mut self, u: &Utterance<'_>) -> Result<(), ExportError> {
        self.utterance_index.add(u.meta);
        let w = &mut self.utterances;
        serde_json::to_writer(&mut *w, u)
            .map_err(std::io::Error::from)
            .and_then(|()| w.write_all(b"\n"))
            .map_err(io_err(&self.dir.join(FILES[0])))?;
        self.utterances_written += 1;
        Ok(())
    }

    /// Writes one discussion: its row of `articles`, its rows of `threads` and `comments`,
    /// and the article's body (the root utterance's text).
    pub fn write(
        &mut self,
        articles: &Batch,
        threads: &Batch,
        comments: &Batch,
        body: &str,
    ) -> Result<(), ExportError> {
        if articles.num_rows() != 1 {
            return Err(ExportError::Schema(format!(
                "a ConvoKit conversation is one discussion: expected 1 row of `articles`, got {}",
                articles.num_rows()
            )));
        }
        let article = Meta::row(articles, 0, &[]);
        let article_id = article.str("article_id").unwrap_or_default().to_string();
        let conversation = escape_id(&article_id).into_owned();

        let col = |name: &str| {
            let i = comments.spec().columns.iter().position(|c| c.name == name);
            i.map(|i| &comments.columns()[i])
        };
        let str_at = |name: &str, row: usize| match col(name) {
            Some(Column::Str(v)) => v.get(row),
            _ => None,
        };
        // ConvoKit sorts utterances (replies, a conversation's utterances) by timestamp, so
        // every utterance needs one and they must compare: Unix seconds when every comment
        // has an instant (the root: the article's publication instant, or else the earliest
        // comment's), otherwise the position in the conversation (root 0, comments 1, 2, …).
        let times: Option<Vec<i64>> = match col("time") {
            Some(Column::Timestamp(v)) => v.iter().collect(),
            _ => None,
        };
        let published = article
            .str("published")
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|t| t.timestamp_micros());
        let root_time = times.as_ref().and_then(|t| published.or_else(|| t.iter().min().copied()));
        let unix = root_time.is_some();
        let timestamp = |row: Option<usize>| match (unix, row) {
            (true, Some(r)) => times.as_ref().map(|t| seconds(t[r])),
            (true, None) => root_time.map(seconds),
            (false, r) => Some(Value::from(r.map_or(0, |r| r + 1))),
        };

        // The root utterance, standing for the article.
        let root_meta = Meta(vec![
            (ARTICLE_MARK, Value::Bool(true)),
            ("article_id", Value::String(article_id.clone())),
        ]);
        let speaker = self.speaker(article.str("byline"));
        self.utterance(&Utterance {
            id: &conversation,
            speaker,
            conversation_id: &conversation,
            reply_to: None,
            timestamp: timestamp(None),
            text: body,
            meta: &root_meta,
            vectors: [],
        })?;

        // The comments, in source order.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for row in 0..comments.num_rows() {
            let comment_id = str_at("comment_id", row).unwrap_or_default();
            let n = seen.entry(comment_id).or_insert(0);
            *n += 1;
            let mut id = format!("{conversation}/{}", escape_id(comment_id));
            if *n > 1 {
                id = format!("{id}/{n}");
            }
            let reply_to = match str_at("parent_id", row) {
                Some(p) => format!("{conversation}/{}", escape_id(p)),
                None => conversation.clone(),
            };
            let meta = Meta::row(comments, row, &["text"]);
            let speaker = self.speaker(str_at("author", row));
            self.utterance(&Utterance {
                id: &id,
                speaker,
                conversation_id: &conversation,
                reply_to: Some(&reply_to),
                timestamp: timestamp(Some(row)),
                text: str_at("text", row).unwrap_or_default(),
                meta: &meta,
                vectors: [],
            })?;
        }

        // The conversation's meta: the `articles` row and the `threads` rows.
        let mut meta = article;
        let thread_rows: Vec<Value> = (0..threads.num_rows())
            .map(|r| {
                let m = Meta::row(threads, r, &["article_id"]);
                Value::Object(
                    m.0.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>(),
                )
            })
            .collect();
        meta.0.push(("thread_metrics", Value::Array(thread_rows)));
        meta.0.push(("timestamps", Value::from(if unix { "unix" } else { "order" })));
        self.conversation_index.add(&meta);
        let sep: &[u8] = if self.conversations_written == 0 { b"\n" } else { b",\n" };
        let w = &mut self.conversations;
        (|| -> std::io::Result<()> {
            w.write_all(sep)?;
            serde_json::to_writer(&mut *w, &conversation)?;
            w.write_all(b": ")?;
            serde_json::to_writer(&mut *w, &Entry { meta: &meta, vectors: [] })?;
            Ok(())
        })()
        .map_err(io_err(&self.dir.join(FILES[1])))?;
        self.conversations_written += 1;
        Ok(())
    }

    /// Completes the corpus: closes `conversations.json` and writes `speakers.json`,
    /// `corpus.json` (`manifest`, marked with [`CORPUS_MARK`]) and `index.json`. Returns the
    /// paths of the five files.
    pub fn finish(mut self, manifest: &Value) -> Result<Vec<PathBuf>, ExportError> {
        let path = |name: &str| self.dir.join(name);
        self.utterances.flush().map_err(io_err(&path(FILES[0])))?;
        self.conversations
            .write_all(b"\n}\n")
            .and_then(|()| self.conversations.flush())
            .map_err(io_err(&path(FILES[1])))?;
        let write_json = |name: &str, value: &Value| -> Result<(), ExportError> {
            let p = path(name);
            let mut w = BufWriter::new(File::create(&p).map_err(io_err(&p))?);
            serde_json::to_writer(&mut w, value)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush())
                .map_err(io_err(&p))
        };
        let speakers: Map<String, Value> = self
            .speakers
            .iter()
            .map(|s| (s.clone(), serde_json::json!({"meta": {}, "vectors": []})))
            .collect();
        write_json(FILES[2], &Value::Object(speakers))?;
        let mut corpus = match manifest {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        corpus
            .entry(CORPUS_MARK)
            .or_insert_with(|| Value::String(env!("CARGO_PKG_VERSION").to_string()));
        let mut overall = Index::default();
        overall.add(&Meta(corpus.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()));
        write_json(FILES[3], &Value::Object(corpus))?;
        let index = |i: &Index| serde_json::to_value(&i.0).expect("a map of strings");
        write_json(
            FILES[4],
            &serde_json::json!({
                "utterances-index": index(&self.utterance_index),
                "speakers-index": {},
                "conversations-index": index(&self.conversation_index),
                "overall-index": index(&overall),
                "version": 1,
                "vectors": [],
            }),
        )?;
        Ok(FILES.iter().map(|f| path(f)).collect())
    }
}
