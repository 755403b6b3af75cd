//! Comment APIs that answer in JSON: the WordPress REST API, Reddit and
//! Hacker News (issue #3).
//!
//! **WordPress REST** (`wp-rest-json`, `/wp-json/wp/v2/comments`): an
//! array of comment objects (or one object, as `/comments/{id}` returns).
//! One [`Document`] per `post` in the file. `parent` 0 is a reply to the
//! post; `date_gmt` (written without a zone) is UTC, `date` (local) is used
//! only when there is no `date_gmt`; `content.rendered` is HTML; `type`
//! gives pingbacks and trackbacks; `status` is kept, with `hold` written
//! as `unapproved` and `trash` marking the comment deleted. A post's pages
//! share [`Document::merge_key`] (`wp-rest:{site}:{post}`, site = scheme
//! and host of the comments' `link`) and the article id
//! (`wp-post-{post}@{host}`, or `wp-post-{post}` without a link), so the
//! CLI merges pages into one discussion; the article URL is the `link`
//! without its `#comment-N` fragment and comment-page part. The API gives
//! no title. An empty array is a post without comments: one document with
//! an empty, present comment section.
//!
//! **Reddit** (`reddit-json`, a comments page's `.json`): an array of
//! `Listing`s, the post (`t3`) then the comments (`t1`, nested in
//! `replies`); also a single `Listing` and the `/api/morechildren`
//! answer (`{"json": {"data": {"things": [...]}}}`). `parent_id` `t3_…`
//! is a reply to the post, `t1_x` a reply to `x` (kept as given even when
//! `x` is not in the file: the tree builder flags the orphan). `more`
//! stubs are not comments: their `count` goes to
//! [`Document::hidden_comments`]; a "continue this thread" stub (count 0)
//! counts its `children`, at least one. `[deleted]`/`[removed]` bodies
//! and authors keep the comment with `deleted` set, the placeholder text
//! and author dropped. Files fetched without `raw_json=1` (their
//! `body_html` starts with `&lt;`) have `&lt; &gt; &amp;` decoded in the
//! Markdown bodies. The post gives title, URL (`https://www.reddit.com` +
//! permalink), time, subreddit (as outlet), author and self text.
//!
//! **Hacker News** (`hn-json`, the Algolia `items` API, and the HNPWA
//! shape with `comments`/`user`/`content`): the fetched item is the root
//! of the tree and is the article; its `children` are the top-level
//! comments. When the fetched item is itself a comment, the story is not
//! in the file: the fetched comment stands as the article (no title, its
//! author, time and text as byline, published and body, its HN page as
//! URL) and its replies are the top-level comments. Deleted and dead
//! items are kept, flagged `deleted`.
//!
//! **Detection** (when no format is forced): an array of `Listing`s or a
//! `Listing` → Reddit; an object with `children` and `story_id` or `type`
//! (or HNPWA's `comments` and `user`) → Hacker News; an array (possibly
//! empty) whose first object has `post` and `content.rendered` (or
//! `parent` and `author_name`) → WordPress REST; anything else is
//! [`ParseErrorKind::Unrecognised`], saying what the JSON looked like.
//!
//! Nesting: Reddit and Hacker News threads nest without bound, deeper than
//! serde_json's recursion limit (128 levels) allows. serde_json reads them
//! with the limit off and `serde_stacker` growing the stack as needed;
//! values are walked with explicit stacks and dismantled iteratively
//! (`Tree`), since dropping a deep `Value` recurses too. A Reddit page of
//! the plain shape is read without a `Value` tree: serde seeds put its
//! things in a flat list with only the fields read (a 100,000-deep chain
//! took 664 MB as a tree); any other shape goes to the `Value` reader.
//!
//! Numbers keep the text the source wrote (serde_json's
//! `arbitrary_precision`): ids beyond 64 bits stay exact, and `time_raw` of
//! an epoch number is its text (an exponent is written `e+N`), issue #13.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDateTime;
use regex::Regex;
use serde_json::{Map, Value};

use super::clean::{self, Time};
use super::table::clip;
use super::{Format, ParseErrorKind};
use crate::model::{
    Anomaly, AnomalyKind, Article, CommentKind, CommentSection, Document, RawComment,
};

/// Parse a JSON input as `format`, or detect which of the JSON formats it
/// is when `format` is `None`.
///
/// # Example
/// ```
/// use threadlens::parse::json::parse;
///
/// let page = r#"[{"id": 7, "post": 42, "parent": 0, "author_name": "Ann",
///   "date_gmt": "2024-03-01T08:15:00", "content": {"rendered": "<p>Hi</p>"},
///   "link": "https://example.org/?p=42#comment-7", "status": "approved", "type": "comment"}]"#;
/// let docs = parse(page, "page1", "page1.json", None)?;
/// assert_eq!(docs[0].article.format, "wp-rest-json");
/// assert_eq!(docs[0].comments[0].time.as_deref(), Some("2024-03-01T08:15:00Z"));
/// assert_eq!(docs[0].article.url.as_deref(), Some("https://example.org/?p=42"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(
    text: &str,
    id: &str,
    source: &str,
    format: Option<Format>,
) -> Result<Vec<Document>, ParseErrorKind> {
    let format = match format {
        Some(f @ (Format::WpRestJson | Format::RedditJson | Format::HnJson)) => Some(f),
        Some(other) => {
            return Err(ParseErrorKind::Unrecognised(format!(
                "`{other}` is not one of the JSON formats (wp-rest-json, reddit-json, hn-json)"
            )));
        }
        None => None,
    };
    if matches!(format, None | Some(Format::RedditJson))
        && let Some(mut doc) = reddit_flat(text)
    {
        doc.article.id = id.to_string();
        doc.article.source = source.to_string();
        return Ok(vec![doc]);
    }
    let tree = Tree(read(text, format)?);
    let root = &tree.0;
    let format = match format {
        Some(f) => f,
        None => detect(root)?,
    };
    match format {
        Format::WpRestJson => wp_rest(root, id, source),
        Format::RedditJson => reddit(root, id, source),
        _ => hn(root, id, source),
    }
}

// ---------------------------------------------------------------------------
// Reading and detecting

/// A parsed JSON value that is dismantled without recursion when dropped.
struct Tree(Value);

impl Drop for Tree {
    fn drop(&mut self) {
        dismantle(std::mem::take(&mut self.0));
    }
}

/// Drop a value of any depth with an explicit stack: each container is
/// emptied into the stack before it is dropped, so no drop recurses.
fn dismantle(v: Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

fn read(text: &str, format: Option<Format>) -> Result<Value, ParseErrorKind> {
    let err = |message| ParseErrorKind::Malformed {
        format: format.unwrap_or_else(|| guess(text)),
        message,
    };
    match from_json(text) {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut message =
                format!("line {}, column {}: {}", e.line(), e.column(), bare_message(&e));
            if e.is_eof() {
                message.push_str(" (the file ends too early: is it truncated?)");
            }
            Err(err(message))
        }
    }
}

/// serde_json without its nesting limit: deep reply chains nest far deeper
/// than its 128 levels, and `serde_stacker` grows the stack on the heap as
/// the parse goes deeper instead.
///
/// The text is checked first without building anything: a parse error met while building a
/// `Value` drops the subtrees built so far inside serde_json, recursively, and a deep one
/// overflowed the stack (a mutated 2,000-deep Reddit chain; found by the fuzzing harness,
/// #13). Once the text is known to be well-formed, building cannot fail that way, and the
/// tree is dismantled without recursion ([`Tree`]).
fn from_json(text: &str) -> Result<Value, serde_json::Error> {
    use serde::Deserialize;
    let mut check = serde_json::Deserializer::from_str(text);
    check.disable_recursion_limit();
    serde::de::IgnoredAny::deserialize(serde_stacker::Deserializer::new(&mut check))?;
    check.end()?;
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = Value::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(value)
}

/// serde_json's message without its " at line L column C" suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// Which format broken JSON was probably meant to be, to name it in the
/// error.
fn guess(text: &str) -> Format {
    if text.contains("\"Listing\"") || text.contains("\"t1_") {
        Format::RedditJson
    } else if text.contains("\"story_id\"") || text.contains("\"created_at_i\"") {
        Format::HnJson
    } else {
        Format::WpRestJson
    }
}

fn detect(root: &Value) -> Result<Format, ParseErrorKind> {
    shape(root).ok_or_else(|| {
        ParseErrorKind::Unrecognised(format!(
            "JSON that is not WordPress REST comments, a Reddit comments page or a Hacker News \
             item: {}",
            describe(root)
        ))
    })
}

fn shape(root: &Value) -> Option<Format> {
    match root {
        // The most common empty answer: a WordPress post without comments.
        Value::Array(items) if items.is_empty() => Some(Format::WpRestJson),
        Value::Array(items) if items.iter().all(|i| listing_children(i).is_some()) => {
            Some(Format::RedditJson)
        }
        Value::Array(items) => items
            .iter()
            .find(|i| i.is_object())
            .filter(|i| is_wp_comment(i))
            .map(|_| Format::WpRestJson),
        Value::Object(o) => {
            if listing_children(root).is_some() || morechildren_things(root).is_some() {
                Some(Format::RedditJson)
            } else if is_algolia(o) || is_hnpwa(o) {
                Some(Format::HnJson)
            } else if is_wp_comment(root) {
                Some(Format::WpRestJson)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn is_wp_comment(v: &Value) -> bool {
    v.get("post").is_some()
        && (v.get("content").and_then(|c| c.get("rendered")).is_some()
            || (v.get("parent").is_some() && v.get("author_name").is_some()))
}

fn is_algolia(o: &Map<String, Value>) -> bool {
    o.get("children").is_some_and(Value::is_array)
        && (o.contains_key("story_id") || o.contains_key("type"))
}

fn is_hnpwa(o: &Map<String, Value>) -> bool {
    o.get("comments").is_some_and(Value::is_array)
        && o.contains_key("id")
        && (o.contains_key("user") || o.contains_key("comments_count"))
}

/// The children of a Reddit `Listing`.
fn listing_children(v: &Value) -> Option<&Vec<Value>> {
    if v.get("kind")?.as_str()? != "Listing" {
        return None;
    }
    v.get("data")?.get("children")?.as_array()
}

/// The things of a Reddit `/api/morechildren` answer.
fn morechildren_things(v: &Value) -> Option<&Vec<Value>> {
    v.get("json")?.get("data")?.get("things")?.as_array()
}

/// What a JSON value looks like, for error messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(items) if items.is_empty() => "an empty array".into(),
        Value::Array(items) => {
            format!("an array of {} items, the first {}", items.len(), describe_shallow(&items[0]))
        }
        Value::Object(o) => {
            if let (Some(code), Some(msg)) =
                (o.get("code").and_then(Value::as_str), o.get("message").and_then(Value::as_str))
            {
                return format!("an API error response (code `{}`: {})", clip(code), clip(msg));
            }
            describe_shallow(v)
        }
    }
}

fn describe_shallow(v: &Value) -> String {
    match v {
        Value::Object(o) if o.is_empty() => "an empty object".into(),
        Value::Object(o) => {
            const SHOWN: usize = 10;
            let keys: Vec<String> =
                o.keys().take(SHOWN).map(|k| format!("`{}`", clip(k))).collect();
            let more = if o.len() > SHOWN {
                format!(" and {} more", o.len() - SHOWN)
            } else {
                String::new()
            };
            // Each key clipped, and the list: messages quote at most ~200 characters of
            // input (issue #13).
            format!("an object with keys {}{more}", clip(&keys.join(", ")))
        }
        Value::Array(items) => format!("an array of {} items", items.len()),
        other => describe(other),
    }
}

fn malformed(format: Format, message: String) -> ParseErrorKind {
    ParseErrorKind::Malformed { format, message }
}

fn bad_record(comment_id: Option<&str>, message: String) -> Anomaly {
    Anomaly {
        kind: AnomalyKind::BadRecord,
        line: None,
        comment_id: comment_id.map(String::from),
        message,
    }
}

/// A number of seconds since the Unix epoch, with the number's text as written as the
/// raw time (issue #13: never a re-rendered number).
fn epoch(v: &Value) -> Option<Time> {
    let Value::Number(n) = v else { return None };
    let mut t = Time::from_epoch(n.as_f64()?);
    t.raw = Some(n.to_string());
    Some(t)
}

/// A number or non-empty string as an id. Numbers keep their text exactly as written
/// (serde_json's `arbitrary_precision`): ids beyond 64 bits are not rounded to one float
/// (issue #13).
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// A non-empty string field.
fn str_field<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

fn new_document(id: &str, source: &str, format: Format) -> Document {
    Document {
        article: Article {
            id: id.to_string(),
            source: source.to_string(),
            format: format.name().to_string(),
            ..Default::default()
        },
        section: CommentSection::Present,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// WordPress REST API

static SITE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z][A-Za-z0-9+.-]*://([^/?#]+))").unwrap());
/// The comment-page part of a comment's link (`/comment-page-2/`,
/// `&cpage=2`), which is not part of the post's address.
static COMMENT_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:comment-page-\d+/?|[?&]cpage=\d+)$").unwrap());

/// A record of the file and its 1-based number.
type Record<'a> = (usize, &'a Map<String, Value>);

fn wp_rest(root: &Value, id: &str, source: &str) -> Result<Vec<Document>, ParseErrorKind> {
    let f = Format::WpRestJson;
    let records: Vec<&Value> = match root {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) if o.contains_key("code") && o.contains_key("message") => {
            return Err(malformed(f, format!("the file is {}, not comments", describe(root))));
        }
        Value::Object(_) => vec![root],
        other => {
            return Err(malformed(
                f,
                format!("expected an array of comment objects, found {}", describe(other)),
            ));
        }
    };

    // Group the records by post, in order of first appearance.
    // (post, [(1-based record number, record)]).
    let mut groups: Vec<(Option<String>, Vec<Record>)> = Vec::new();
    let mut index: HashMap<Option<String>, usize> = HashMap::new();
    let mut stray = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let n = i + 1;
        let Some(obj) = rec.as_object() else {
            stray.push(bad_record(
                None,
                format!("record #{n} is {}, not a comment object; skipped", describe(rec)),
            ));
            continue;
        };
        let post = obj.get("post").and_then(id_string);
        let g = *index.entry(post.clone()).or_insert_with(|| {
            groups.push((post, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((n, obj));
    }

    let mut docs = Vec::with_capacity(groups.len().max(1));
    for (post, records) in groups {
        let mut doc = new_document(id, source, f);
        let link = records.iter().find_map(|(_, o)| str_field(o, "link"));
        let site = link.and_then(|l| SITE.captures(l));
        if let Some(post) = &post {
            let host = site.as_ref().map(|c| c[2].to_string());
            doc.article.id = match host {
                Some(h) => format!("wp-post-{post}@{h}"),
                None => format!("wp-post-{post}"),
            };
            let site = site.as_ref().map_or("", |c| c.get(1).map_or("", |m| m.as_str()));
            doc.merge_key = Some(format!("wp-rest:{site}:{post}"));
        } else {
            doc.anomalies.push(bad_record(
                None,
                "comments without a `post` field are kept under a discussion of their own".into(),
            ));
        }
        doc.article.url = link.and_then(post_url);
        for (n, obj) in records {
            let c = wp_comment(obj, n, &mut doc.anomalies);
            doc.comments.push(c);
        }
        docs.push(doc);
    }
    if docs.is_empty() {
        docs.push(new_document(id, source, f));
    }
    docs[0].anomalies.extend(stray);
    Ok(docs)
}

/// The post's address from a comment's link: without the `#comment-N`
/// fragment and the comment-page part.
fn post_url(link: &str) -> Option<String> {
    let base = link.split('#').next().unwrap_or(link);
    let base = COMMENT_PAGE.replace(base, "");
    (!base.is_empty()).then(|| base.into_owned())
}

fn wp_comment(o: &Map<String, Value>, n: usize, anomalies: &mut Vec<Anomaly>) -> RawComment {
    let id = o.get("id").and_then(id_string).unwrap_or_else(|| {
        let id = format!("record-{n}");
        anomalies
            .push(bad_record(Some(&id), format!("record #{n} has no `id`; it is kept as `{id}`")));
        id
    });
    let status = str_field(o, "status").map(|s| match s {
        // The API says `hold` for comments awaiting moderation.
        "hold" | "0" => "unapproved".to_string(),
        "approve" | "1" => "approved".to_string(),
        s => s.to_string(),
    });
    let kind = match str_field(o, "type") {
        Some("pingback") => CommentKind::Pingback,
        Some("trackback") => CommentKind::Trackback,
        _ => CommentKind::Comment,
    };
    let html = match o.get("content") {
        Some(Value::Object(c)) => c.get("rendered").and_then(Value::as_str).unwrap_or(""),
        Some(Value::String(s)) => s,
        _ => "",
    };
    let plain = clean::html_to_text(html);
    let mut c = RawComment {
        parent_id: o.get("parent").and_then(id_string).filter(|p| p != "0"),
        author: str_field(o, "author_name").map(|a| a.trim().to_string()),
        text: plain.text,
        quotes: plain.quotes,
        kind,
        deleted: status.as_deref() == Some("trash"),
        status,
        ..Default::default()
    };
    wp_time(o).apply(&mut c);
    c.id = id;
    c
}

/// `date_gmt` is UTC written without a zone; `date` is the site's local
/// time, used only when `date_gmt` is missing.
fn wp_time(o: &Map<String, Value>) -> Time {
    if let Some(gmt) = str_field(o, "date_gmt") {
        let s = gmt.trim();
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                return Time::utc(t.and_utc(), gmt);
            }
        }
        let t = clean::parse_time(gmt);
        if !t.local {
            return t;
        }
    }
    str_field(o, "date").map(clean::parse_time).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Reddit

fn reddit(root: &Value, id: &str, source: &str) -> Result<Vec<Document>, ParseErrorKind> {
    let f = Format::RedditJson;
    let expected = "expected an array of Listings (a comments page), a Listing or a \
                    morechildren answer";
    let mut top: Vec<&Value> = Vec::new();
    match root {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some(children) = listing_children(item) else {
                    return Err(malformed(
                        f,
                        format!(
                            "item #{} of the top-level array is {}, not a Listing",
                            i + 1,
                            describe_shallow(item)
                        ),
                    ));
                };
                top.extend(children);
            }
        }
        _ => match listing_children(root).or_else(|| morechildren_things(root)) {
            Some(children) => top.extend(children),
            None => return Err(malformed(f, format!("{expected}, found {}", describe(root)))),
        },
    }

    let mut walk = RedditWalk::new(id, source);
    // (thing, id of the comment it is nested under); popped in source order.
    let mut stack: Vec<(&Value, Option<&str>)> = top.iter().rev().map(|t| (*t, None)).collect();
    while let Some((thing, enclosing)) = stack.pop() {
        let kind = thing.get("kind").and_then(Value::as_str);
        let data = thing.get("data").and_then(Value::as_object);
        if let Some((children, me)) = walk.thing(kind, data, enclosing, || describe_shallow(thing))
        {
            stack.extend(children.iter().rev().map(|ch| (ch, me)));
        }
    }
    Ok(vec![walk.finish()])
}

/// What a Reddit page gives, gathered thing by thing in source order (pre-order).
struct RedditWalk {
    doc: Document,
    /// The post's data (the fields read from it).
    post: Option<Map<String, Value>>,
    /// The first comment's subreddit and `link_id`, for a page without its post.
    first_comment: Option<(Option<String>, Option<String>)>,
    legacy: bool,
    /// Things seen, for the `record #N` of messages.
    n: usize,
}

impl RedditWalk {
    fn new(id: &str, source: &str) -> Self {
        RedditWalk {
            doc: new_document(id, source, Format::RedditJson),
            post: None,
            first_comment: None,
            legacy: false,
            n: 0,
        }
    }

    /// One thing, nested under the comment `enclosing`. Returns the children of a
    /// comment's replies Listing, and the comment's id, to be visited next.
    fn thing<'v>(
        &mut self,
        kind: Option<&str>,
        data: Option<&'v Map<String, Value>>,
        enclosing: Option<&str>,
        describe: impl FnOnce() -> String,
    ) -> Option<(&'v Vec<Value>, Option<&'v str>)> {
        self.n += 1;
        let n = self.n;
        let doc = &mut self.doc;
        match (kind, data) {
            (Some("t3"), Some(d)) if self.post.is_none() => {
                let fields = REDDIT_KEYS.iter().chain(REDDIT_EXTRA).chain(REDDIT_HTML_KEYS);
                self.post = Some(
                    fields.filter_map(|&k| Some((k.to_string(), d.get(k)?.clone()))).collect(),
                );
            }
            (Some("t3"), Some(d)) => doc.anomalies.push(bad_record(
                None,
                format!(
                    "record #{n} is a second post (`{}`); only the first is the article",
                    clip(str_field(d, "id").unwrap_or("?"))
                ),
            )),
            (Some("t1"), Some(d)) => {
                self.first_comment.get_or_insert_with(|| {
                    (subreddit(d), str_field(d, "link_id").map(String::from))
                });
                self.legacy |= is_legacy_escaped(d.get("body_html"));
                let c = reddit_comment(d, enclosing, n, &mut doc.anomalies);
                let mut next = None;
                match d.get("replies") {
                    Some(Value::String(_) | Value::Null) | None => {}
                    Some(r) => match listing_children(r) {
                        Some(children) => {
                            next = Some((children, d.get("id").and_then(Value::as_str)));
                        }
                        None => doc.anomalies.push(bad_record(
                            Some(&c.id),
                            format!(
                                "the replies of comment `{}` are {}, not a Listing; skipped",
                                clip(&c.id),
                                describe_shallow(r)
                            ),
                        )),
                    },
                }
                doc.comments.push(c);
                return next;
            }
            (Some("more"), Some(d)) => doc.hidden_comments += more_count(d),
            _ => doc.anomalies.push(bad_record(
                None,
                format!(
                    "record #{n} is {}, not a comment (t1), post (t3) or `more` stub; skipped",
                    match kind {
                        Some(k) => format!("a `{}` thing", clip(k)),
                        None => describe(),
                    }
                ),
            )),
        }
        None
    }

    fn finish(mut self) -> Document {
        let doc = &mut self.doc;
        if let Some(p) = &self.post {
            self.legacy |= is_legacy_escaped(p.get("selftext_html"));
            reddit_article(&mut doc.article, p, self.legacy);
        } else if let Some((outlet, link_id)) = self.first_comment {
            // A morechildren answer: the post is not in the file, but the
            // comments name its subreddit and id.
            doc.article.outlet = outlet;
            doc.article.url = link_id.map(|l| {
                format!("https://www.reddit.com/comments/{}/", l.trim_start_matches("t3_"))
            });
        }
        if self.legacy {
            for c in &mut doc.comments {
                c.text = unescape_legacy(&c.text);
                c.quotes = clean::gt_quotes(&c.text);
            }
        }
        self.doc
    }
}

/// The fields read from a Reddit thing's data (post, comment or `more` stub), with
/// [`REDDIT_EXTRA`].
const REDDIT_KEYS: &[&str] = &[
    "id",
    "name",
    "parent_id",
    "link_id",
    "author",
    "body",
    "created_utc",
    "subreddit",
    "subreddit_name_prefixed",
    "count",
    "children",
    "title",
    "permalink",
    "selftext",
    "is_submitter",
];
/// HTML fields, read only for whether they are escaped (their start).
const REDDIT_HTML_KEYS: &[&str] = &["body_html", "selftext_html"];

/// A Reddit comments page read without building its JSON tree (issue #13: a 100,000-deep
/// chain, 25 MB, took 664 MB as a `Value` tree, five maps per reply level). The things
/// come out flat, in source order, with only the fields threadlens reads; `None` when the
/// page is not of the plain shape (an array of Listings, or a Listing, whose things are
/// objects with a `kind` and a `data` object, replies a Listing or empty), or not JSON:
/// the `Value` reader then reads it and says what is wrong, as before.
fn reddit_flat(text: &str) -> Option<Document> {
    // Other JSON is not read twice.
    let head = &text.as_bytes()[..text.len().min(4096)];
    if !head.windows(9).any(|w| w == b"\"Listing\"") {
        return None;
    }
    let arena = flat::read(text)?;
    Some(reddit_walk_flat(arena))
}

fn reddit_walk_flat(arena: Vec<flat::Thing>) -> Document {
    let mut walk = RedditWalk::new("", "");
    // The id of each comment read, for the `enclosing` of its replies.
    let mut ids: Vec<Option<String>> = Vec::with_capacity(arena.len());
    for t in arena {
        let data: Map<String, Value> =
            t.data.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let enclosing = t.enclosing.and_then(|e| ids[e].as_deref());
        let next = walk.thing(Some(&t.kind), Some(&data), enclosing, String::new);
        debug_assert!(next.is_none(), "replies are read into the arena");
        ids.push(data.get("id").and_then(Value::as_str).map(String::from));
    }
    walk.finish()
}

/// A Reddit page read into a flat list of things (see [`reddit_flat`]) by a pull parser
/// (`json-event-parser`) and an explicit stack, so that neither reading nor dropping
/// recurses: memory grows with the things kept, not with the depth of the chain (issue
/// #13: reading the same page with serde's recursion, on a stack grown on the heap, took
/// about 200 MB of stack for a 100,000-deep chain). Any shape it does not expect gives
/// `None`, and the `Value` reader takes over.
mod flat {
    use json_event_parser::{JsonEvent, LowLevelJsonParser};
    use serde_json::{Number, Value};

    use super::{REDDIT_EXTRA, REDDIT_HTML_KEYS, REDDIT_KEYS};

    /// A thing: its kind, the fields read from its data, and the index of the thing whose
    /// replies it is in.
    pub(super) struct Thing {
        pub kind: String,
        pub data: Vec<(&'static str, Value)>,
        pub enclosing: Option<usize>,
    }

    /// Where the reader is. Each frame is one open object or array of the page's shape:
    /// an array of Listings or one Listing, a Listing's `data` with its `children`, a
    /// thing with its `kind` and `data`, and a comment's `replies` (a Listing again).
    enum Frame {
        /// The top-level array of Listings, and whether it held any.
        Root { any: bool },
        /// A Listing object: its `kind`, whether its `data` was read.
        Listing { enclosing: Option<usize>, kind: Option<String>, data: bool },
        /// A Listing's `data`: whether `children` was read.
        ListingData { enclosing: Option<usize>, children: bool },
        /// The `children` array.
        Children { enclosing: Option<usize> },
        /// A thing (its index in the arena): its `kind`, whether its `data` was read and
        /// whether that held a `replies` Listing.
        Thing { me: usize, kind: Option<String>, data: bool, replies: bool },
        /// A thing's `data`: the fields kept.
        Data { me: usize, fields: Vec<(&'static str, Value)> },
    }

    /// The events of one JSON text.
    struct Events<'a> {
        input: &'a [u8],
        parser: LowLevelJsonParser,
    }

    impl<'a> Events<'a> {
        fn next(&mut self) -> Option<JsonEvent<'a>> {
            loop {
                let r = self.parser.parse_next(self.input, true);
                self.input = &self.input[r.consumed_bytes..];
                if let Some(event) = r.event {
                    return event.ok();
                }
            }
        }

        /// Skip the value that starts with `first`, however deep, without recursing.
        fn skip(&mut self, first: JsonEvent<'a>) -> Option<()> {
            let mut depth = 0usize;
            let mut event = first;
            loop {
                match event {
                    JsonEvent::StartArray | JsonEvent::StartObject => depth += 1,
                    JsonEvent::EndArray | JsonEvent::EndObject => depth = depth.checked_sub(1)?,
                    JsonEvent::ObjectKey(_) => {}
                    JsonEvent::Eof => return None,
                    _ => {}
                }
                if depth == 0 {
                    return Some(());
                }
                event = self.next()?;
            }
        }

        /// A string value.
        fn string(&mut self) -> Option<String> {
            match self.next()? {
                JsonEvent::String(s) => Some(s.into_owned()),
                _ => None,
            }
        }
    }

    /// A scalar as a `Value` (numbers kept as written).
    fn scalar(event: JsonEvent<'_>) -> Option<Value> {
        Some(match event {
            JsonEvent::String(s) => Value::String(s.into_owned()),
            JsonEvent::Number(n) => Value::Number(n.parse::<Number>().ok()?),
            JsonEvent::Boolean(b) => Value::Bool(b),
            JsonEvent::Null => Value::Null,
            _ => return None,
        })
    }

    /// The things of a Reddit page, in source order; `None` when it is not JSON of the
    /// plain shape.
    pub(super) fn read(text: &str) -> Option<Vec<Thing>> {
        let mut ev = Events {
            input: text.as_bytes(),
            parser: LowLevelJsonParser::new().with_max_stack_size(usize::MAX),
        };
        let mut arena: Vec<Thing> = Vec::new();
        let mut stack: Vec<Frame> = match ev.next()? {
            JsonEvent::StartArray => vec![Frame::Root { any: false }],
            JsonEvent::StartObject => {
                vec![Frame::Listing { enclosing: None, kind: None, data: false }]
            }
            _ => return None,
        };
        while let Some(frame) = stack.last_mut() {
            let event = ev.next()?;
            match frame {
                Frame::Root { any } => match event {
                    JsonEvent::StartObject => {
                        *any = true;
                        stack.push(Frame::Listing { enclosing: None, kind: None, data: false });
                    }
                    // An empty array is a WordPress post without comments.
                    JsonEvent::EndArray if *any => {
                        stack.pop();
                    }
                    _ => return None,
                },
                Frame::Listing { enclosing, kind, data } => match event {
                    JsonEvent::ObjectKey(k) if k == "kind" && kind.is_none() => {
                        *kind = Some(ev.string()?);
                    }
                    JsonEvent::ObjectKey(k) if k == "data" && !*data => {
                        *data = true;
                        let enclosing = *enclosing;
                        match ev.next()? {
                            JsonEvent::StartObject => {
                                stack.push(Frame::ListingData { enclosing, children: false })
                            }
                            _ => return None,
                        }
                    }
                    JsonEvent::ObjectKey(k) if k == "kind" || k == "data" => return None,
                    JsonEvent::ObjectKey(_) => {
                        let first = ev.next()?;
                        ev.skip(first)?;
                    }
                    JsonEvent::EndObject if kind.as_deref() == Some("Listing") && *data => {
                        stack.pop();
                    }
                    _ => return None,
                },
                Frame::ListingData { enclosing, children } => match event {
                    JsonEvent::ObjectKey(k) if k == "children" => {
                        if *children {
                            return None;
                        }
                        *children = true;
                        let enclosing = *enclosing;
                        match ev.next()? {
                            JsonEvent::StartArray => stack.push(Frame::Children { enclosing }),
                            _ => return None,
                        }
                    }
                    JsonEvent::ObjectKey(_) => {
                        let first = ev.next()?;
                        ev.skip(first)?;
                    }
                    JsonEvent::EndObject if *children => {
                        stack.pop();
                    }
                    _ => return None,
                },
                Frame::Children { enclosing } => match event {
                    JsonEvent::StartObject => {
                        let me = arena.len();
                        arena.push(Thing {
                            kind: String::new(),
                            data: Vec::new(),
                            enclosing: *enclosing,
                        });
                        stack.push(Frame::Thing { me, kind: None, data: false, replies: false });
                    }
                    JsonEvent::EndArray => {
                        stack.pop();
                    }
                    _ => return None,
                },
                Frame::Thing { me, kind, data, replies } => match event {
                    JsonEvent::ObjectKey(k) if k == "kind" && kind.is_none() => {
                        *kind = Some(ev.string()?);
                    }
                    JsonEvent::ObjectKey(k) if k == "data" && !*data => {
                        *data = true;
                        let me = *me;
                        match ev.next()? {
                            JsonEvent::StartObject => {
                                stack.push(Frame::Data { me, fields: Vec::new() })
                            }
                            _ => return None,
                        }
                    }
                    JsonEvent::ObjectKey(k) if k == "kind" || k == "data" => return None,
                    JsonEvent::ObjectKey(_) => {
                        let first = ev.next()?;
                        ev.skip(first)?;
                    }
                    JsonEvent::EndObject if *data => {
                        let kind = kind.take()?;
                        // Only a comment's replies are read.
                        if *replies && kind != "t1" {
                            return None;
                        }
                        arena[*me].kind = kind;
                        stack.pop();
                    }
                    _ => return None,
                },
                Frame::Data { me, fields } => match event {
                    JsonEvent::ObjectKey(k) if k == "replies" => {
                        let me = *me;
                        match ev.next()? {
                            JsonEvent::String(_) | JsonEvent::Null => {}
                            JsonEvent::StartObject => {
                                // Mark the thing (the frame below this one) as having
                                // replies, once.
                                let Some(Frame::Thing { replies, .. }) =
                                    stack.iter_mut().rev().nth(1)
                                else {
                                    unreachable!("a thing's data sits on its thing")
                                };
                                if *replies {
                                    return None;
                                }
                                *replies = true;
                                stack.push(Frame::Listing {
                                    enclosing: Some(me),
                                    kind: None,
                                    data: false,
                                });
                            }
                            _ => return None,
                        }
                    }
                    JsonEvent::ObjectKey(k) => {
                        let html = REDDIT_HTML_KEYS.iter().find(|&&n| n == k);
                        let kept = || REDDIT_KEYS.iter().chain(REDDIT_EXTRA).find(|&&n| n == k);
                        let Some(&name) = html.or_else(kept) else {
                            let first = ev.next()?;
                            ev.skip(first)?;
                            continue;
                        };
                        // A scalar, or an array of scalars (`children` of a `more` stub).
                        let v = match ev.next()? {
                            JsonEvent::StartArray => {
                                let mut items = Vec::new();
                                loop {
                                    match ev.next()? {
                                        JsonEvent::EndArray => break,
                                        e => items.push(scalar(e)?),
                                    }
                                }
                                Value::Array(items)
                            }
                            e => scalar(e)?,
                        };
                        let v = match v {
                            // Only whether it starts escaped is read.
                            Value::String(s) if html.is_some() => {
                                Value::String(s.trim_start().chars().take(4).collect())
                            }
                            v => v,
                        };
                        // A repeated key: the last one counts, as in a `Value`.
                        fields.retain(|(n, _)| *n != name);
                        fields.push((name, v));
                    }
                    JsonEvent::EndObject => {
                        let (me, mut fields) = (*me, std::mem::take(fields));
                        fields.shrink_to_fit();
                        arena[me].data = fields;
                        stack.pop();
                    }
                    _ => return None,
                },
            }
        }
        matches!(ev.next()?, JsonEvent::Eof).then_some(arena)
    }
}

/// Without `raw_json=1` Reddit escapes `&`, `<` and `>` in every text
/// field; the HTML fields then start with `&lt;div`.
fn is_legacy_escaped(html: Option<&Value>) -> bool {
    html.and_then(Value::as_str).is_some_and(|h| h.trim_start().starts_with("&lt;"))
}

fn unescape_legacy(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn subreddit(d: &Map<String, Value>) -> Option<String> {
    str_field(d, "subreddit_name_prefixed")
        .map(String::from)
        .or_else(|| str_field(d, "subreddit").map(|s| format!("r/{s}")))
}

fn is_placeholder(s: &str) -> bool {
    s == "[deleted]" || s == "[removed]"
}

/// Fields of a Reddit comment that have no column of their own, kept in its `extra` map
/// when the source carries them (not null): the subreddit, votes, moderation and flair.
pub(super) const REDDIT_EXTRA: &[&str] = &[
    "subreddit",
    "score",
    "distinguished",
    "author_flair_text",
    "edited",
    "stickied",
    "controversiality",
    "gilded",
    "retrieved_on",
];

/// `keys` of `o` that are set (not null), as text: strings as they are, other values as
/// JSON (`12`, `true`, `1700000000.0`).
pub(super) fn extra_fields(o: &Map<String, Value>, keys: &[&str]) -> Vec<(String, String)> {
    keys.iter()
        .filter_map(|&k| {
            let v = match o.get(k)? {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            Some((k.to_string(), v))
        })
        .collect()
}

pub(super) fn reddit_article(a: &mut Article, p: &Map<String, Value>, legacy: bool) {
    let text = |s: &str| if legacy { unescape_legacy(s) } else { s.to_string() };
    a.title = str_field(p, "title").map(text);
    a.url = str_field(p, "permalink").map(|l| {
        if l.starts_with('/') { format!("https://www.reddit.com{l}") } else { l.to_string() }
    });
    a.published = p.get("created_utc").and_then(epoch).and_then(|t| t.value);
    a.outlet = subreddit(p);
    a.byline = str_field(p, "author").filter(|s| !is_placeholder(s)).map(String::from);
    a.body = str_field(p, "selftext").filter(|s| !is_placeholder(s)).map(text).unwrap_or_default();
}

pub(super) fn reddit_comment(
    d: &Map<String, Value>,
    enclosing: Option<&str>,
    n: usize,
    anomalies: &mut Vec<Anomaly>,
) -> RawComment {
    let id = str_field(d, "id")
        .map(String::from)
        .or_else(|| str_field(d, "name").map(|s| s.trim_start_matches("t1_").to_string()))
        .unwrap_or_else(|| {
            let id = format!("record-{n}");
            anomalies.push(bad_record(
                Some(&id),
                format!("record #{n} is a comment without an `id`; it is kept as `{id}`"),
            ));
            id
        });
    let parent_id = match str_field(d, "parent_id") {
        Some(p) if p.starts_with("t3_") => None,
        Some(p) => Some(p.strip_prefix("t1_").unwrap_or(p).to_string()),
        // No parent given: the nesting is the source's only word on it.
        None => enclosing.map(String::from),
    };
    let author = str_field(d, "author");
    let body = d.get("body").and_then(Value::as_str).unwrap_or("");
    let status = if body == "[removed]" || author == Some("[removed]") {
        Some("removed")
    } else if body == "[deleted]" || author == Some("[deleted]") {
        Some("deleted")
    } else {
        None
    };
    let text = if is_placeholder(body) { String::new() } else { body.to_string() };
    let mut c = RawComment {
        id,
        parent_id,
        author: author.filter(|a| !is_placeholder(a)).map(String::from),
        quotes: clean::gt_quotes(&text),
        text,
        status: status.map(String::from),
        deleted: status.is_some(),
        by_post_author: d.get("is_submitter").and_then(Value::as_bool),
        extra: extra_fields(d, REDDIT_EXTRA),
        ..Default::default()
    };
    if let Some(t) = d.get("created_utc").and_then(epoch) {
        t.apply(&mut c);
    }
    c
}

/// Comments a `more` stub stands for. A "continue this thread" stub has
/// count 0 and no children, yet Reddit shows it only where replies exist:
/// it hides at least one.
fn more_count(d: &Map<String, Value>) -> u64 {
    let count = d.get("count").and_then(Value::as_u64).unwrap_or(0);
    let listed = d.get("children").and_then(Value::as_array).map_or(0, |c| c.len() as u64);
    if count > 0 { count } else { listed.max(1) }
}

// ---------------------------------------------------------------------------
// Hacker News

/// Field names of the two item shapes.
struct HnFields {
    children: &'static str,
    author: &'static str,
    text: &'static str,
}

const ALGOLIA: HnFields = HnFields { children: "children", author: "author", text: "text" };
const HNPWA: HnFields = HnFields { children: "comments", author: "user", text: "content" };

fn hn(root: &Value, id: &str, source: &str) -> Result<Vec<Document>, ParseErrorKind> {
    let f = Format::HnJson;
    let fields = match root.as_object() {
        Some(o) if o.get("children").is_some_and(Value::is_array) => &ALGOLIA,
        Some(o) if o.get("comments").is_some_and(Value::is_array) => &HNPWA,
        _ => {
            return Err(malformed(
                f,
                format!(
                    "expected a Hacker News item (an object with `children`), found {}",
                    describe(root)
                ),
            ));
        }
    };
    let item = root.as_object().expect("checked above");
    let root_id = item.get("id").and_then(id_string);

    let mut doc = new_document(id, source, f);
    let a = &mut doc.article;
    a.outlet = Some("Hacker News".into());
    a.title = str_field(item, "title").map(String::from);
    a.byline = str_field(item, fields.author).map(String::from);
    a.published = hn_time(item).value;
    a.body = clean::html_to_text(str_field(item, fields.text).unwrap_or("")).text;
    a.url = match str_field(item, "url") {
        Some(u) if u.starts_with("item?id=") => Some(format!("https://news.ycombinator.com/{u}")),
        Some(u) => Some(u.to_string()),
        None => root_id.as_ref().map(|i| format!("https://news.ycombinator.com/item?id={i}")),
    };

    let children = item[fields.children].as_array().expect("checked above");
    // (item, id of the item it is nested under; None for the root).
    let mut stack: Vec<(&Value, Option<String>)> =
        children.iter().rev().map(|c| (c, None)).collect();
    let mut n = 0usize;
    while let Some((v, enclosing)) = stack.pop() {
        n += 1;
        let Some(o) = v.as_object() else {
            doc.anomalies.push(bad_record(
                None,
                format!("item #{n} is {}, not an item object; skipped", describe(v)),
            ));
            continue;
        };
        let c = hn_comment(o, fields, n, root_id.as_deref(), enclosing, &mut doc.anomalies);
        if let Some(kids) = o.get(fields.children).and_then(Value::as_array) {
            stack.extend(kids.iter().rev().map(|k| (k, Some(c.id.clone()))));
        }
        doc.comments.push(c);
    }
    Ok(vec![doc])
}

fn hn_time(o: &Map<String, Value>) -> Time {
    if let Some(t) = str_field(o, "created_at") {
        return clean::parse_time(t);
    }
    o.get("created_at_i").or_else(|| o.get("time")).and_then(epoch).unwrap_or_default()
}

fn hn_comment(
    o: &Map<String, Value>,
    fields: &HnFields,
    n: usize,
    root_id: Option<&str>,
    enclosing: Option<String>,
    anomalies: &mut Vec<Anomaly>,
) -> RawComment {
    let id = o.get("id").and_then(id_string).unwrap_or_else(|| {
        let id = format!("record-{n}");
        anomalies
            .push(bad_record(Some(&id), format!("item #{n} has no `id`; it is kept as `{id}`")));
        id
    });
    let parent_id = match o.get("parent_id").and_then(id_string) {
        Some(p) if Some(p.as_str()) == root_id => None,
        Some(p) => {
            if enclosing.as_deref() != Some(p.as_str()) {
                anomalies.push(bad_record(
                    Some(&id),
                    format!(
                        "comment `{}` names `{}` as its parent but is nested under {}; the \
                         parent it names is kept",
                        clip(&id),
                        clip(&p),
                        enclosing
                            .as_deref()
                            .map_or("the fetched item".into(), |e| format!("`{}`", clip(e)))
                    ),
                ));
            }
            Some(p)
        }
        // HNPWA items carry no parent id: the nesting is the source's word.
        None => enclosing,
    };
    let author = str_field(o, fields.author);
    let raw_text = o.get(fields.text).and_then(Value::as_str);
    let flag = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
    // Algolia gives deleted items with neither author nor text.
    let deleted = flag("deleted") || (author.is_none() && raw_text.is_none());
    let dead = flag("dead");
    let html = raw_text.filter(|t| !matches!(*t, "[deleted]" | "[dead]" | "[flagged]"));
    let plain = clean::html_to_text(html.unwrap_or(""));
    let mut c = RawComment {
        id,
        parent_id,
        author: author.map(String::from),
        text: plain.text,
        quotes: plain.quotes,
        status: if deleted {
            Some("deleted".into())
        } else if dead {
            Some("dead".into())
        } else {
            None
        },
        deleted: deleted || dead,
        ..Default::default()
    };
    hn_time(o).apply(&mut c);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread::Discussion;

    fn one(text: &str, format: Option<Format>) -> Document {
        let mut docs = parse(text, "stem", "in/stem.json", format).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0)
    }

    fn ids(doc: &Document) -> Vec<(&str, Option<&str>)> {
        doc.comments.iter().map(|c| (c.id.as_str(), c.parent_id.as_deref())).collect()
    }

    /// A WordPress REST comment record as the API writes it.
    fn wp(id: u32, post: u32, parent: u32, kind: &str, status: &str, html: &str) -> String {
        format!(
            r#"{{"id":{id},"post":{post},"parent":{parent},"author":0,"author_name":"Reader {id}",
            "date":"2013-03-14T11:30:33","date_gmt":"2013-03-14T18:30:33",
            "content":{{"rendered":{html:?}}},
            "link":"https:\/\/blog.example.org\/2013\/03\/a-post\/comment-page-2\/#comment-{id}",
            "status":"{status}","type":"{kind}","meta":[]}}"#
        )
    }

    #[test]
    fn wp_rest_parents_kinds_html_and_utc_times() {
        let text = format!(
            "[{},{},{}]",
            wp(10, 5, 0, "comment", "approved", "<p>First &amp; best</p>\n"),
            wp(11, 5, 10, "comment", "hold", "<blockquote><p>First</p></blockquote><p>No.</p>"),
            wp(12, 5, 0, "pingback", "approved", "<p>[&#8230;] linked [&#8230;]</p>"),
        );
        let doc = one(&text, None);
        assert_eq!(ids(&doc), [("10", None), ("11", Some("10")), ("12", None)]);
        let [a, b, p] = &doc.comments[..] else { panic!() };
        assert_eq!(a.text, "First & best");
        assert_eq!(a.author.as_deref(), Some("Reader 10"));
        assert_eq!(a.time.as_deref(), Some("2013-03-14T18:30:33Z"));
        assert!(!a.time_local);
        assert_eq!(a.time_raw.as_deref(), Some("2013-03-14T18:30:33"));
        assert_eq!(a.status.as_deref(), Some("approved"));
        assert_eq!(b.text, "First\n\nNo.");
        assert_eq!(&b.text[b.quotes[0].clone()], "First");
        assert_eq!(b.status.as_deref(), Some("unapproved"));
        assert_eq!((a.kind, p.kind), (CommentKind::Comment, CommentKind::Pingback));
        assert_eq!(p.text, "[…] linked […]");
        let art = &doc.article;
        assert_eq!(art.format, "wp-rest-json");
        assert_eq!(art.id, "wp-post-5@blog.example.org");
        assert_eq!(art.url.as_deref(), Some("https://blog.example.org/2013/03/a-post/"));
        assert_eq!(art.title, None);
        assert_eq!(doc.section, CommentSection::Present);
    }

    #[test]
    fn wp_rest_pages_of_a_post_share_merge_key_and_id() {
        let page1 = format!("[{}]", wp(20, 7, 0, "comment", "approved", "<p>top</p>"));
        let page2 = format!("[{}]", wp(21, 7, 20, "comment", "trash", "<p>reply</p>"));
        let d1 = parse(&page1, "page1", "p/page1.json", None).unwrap().remove(0);
        let d2 = parse(&page2, "page2", "p/page2.json", None).unwrap().remove(0);
        assert_eq!(d1.merge_key.as_deref(), Some("wp-rest:https://blog.example.org:7"));
        assert_eq!(d1.merge_key, d2.merge_key);
        assert_eq!(d1.article.id, d2.article.id);
        // The parent on the other page is kept as the source gives it.
        assert_eq!(ids(&d2), [("21", Some("20"))]);
        assert!(d2.comments[0].deleted);
        assert_eq!(d2.comments[0].status.as_deref(), Some("trash"));
    }

    #[test]
    fn wp_rest_one_document_per_post_and_single_object() {
        let text = format!(
            "[{},{},{}]",
            wp(1, 100, 0, "comment", "approved", "a"),
            wp(2, 200, 0, "trackback", "approved", "b"),
            wp(3, 100, 1, "comment", "approved", "c"),
        );
        let docs = parse(&text, "stem", "stem.json", Some(Format::WpRestJson)).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(ids(&docs[0]), [("1", None), ("3", Some("1"))]);
        assert_eq!(docs[1].comments[0].kind, CommentKind::Trackback);
        assert_ne!(docs[0].merge_key, docs[1].merge_key);
        // `/wp/v2/comments/{id}` answers one object.
        let single = one(&wp(905, 1148, 904, "comment", "approved", "<p>x</p>"), None);
        assert_eq!(ids(&single), [("905", Some("904"))]);
    }

    #[test]
    fn wp_rest_empty_array_is_an_empty_section() {
        let doc = one(" [ ] ", None);
        assert_eq!(doc.article.format, "wp-rest-json");
        assert_eq!(doc.article.id, "stem");
        assert_eq!(doc.section, CommentSection::Present);
        assert!(doc.comments.is_empty() && doc.merge_key.is_none());
    }

    #[test]
    fn wp_rest_bad_records_are_reported() {
        let text = r#"[{"post": 3, "parent": 0, "content": {"rendered": "no id"}}, 17]"#;
        let doc = one(text, Some(Format::WpRestJson));
        assert_eq!(ids(&doc), [("record-1", None)]);
        assert_eq!(doc.anomalies.len(), 2, "{:?}", doc.anomalies);
        assert!(doc.anomalies.iter().all(|a| a.kind == AnomalyKind::BadRecord));
        assert!(doc.anomalies[1].message.contains("record #2 is a number"));
    }

    /// A Reddit comment (`t1`) with its replies.
    fn t1(id: &str, parent: &str, author: &str, body: &str, replies: &str) -> String {
        format!(
            r#"{{"kind":"t1","data":{{"id":"{id}","name":"t1_{id}","parent_id":"{parent}",
            "link_id":"t3_abc","author":"{author}","body":{body:?},
            "body_html":"<div class=\"md\"><p>x</p></div>","created_utc":1439801151.0,
            "subreddit_name_prefixed":"r/python","replies":{replies}}}}}"#
        )
    }

    fn listing(children: &[String]) -> String {
        format!(
            r#"{{"kind":"Listing","data":{{"children":[{}],"after":null}}}}"#,
            children.join(",")
        )
    }

    fn more(parent: &str, count: u32, children: &[&str]) -> String {
        format!(
            r#"{{"kind":"more","data":{{"count":{count},"parent_id":"{parent}","id":"_",
            "children":{children:?}}}}}"#
        )
    }

    const T3: &str = r#"{"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"A &amp; B",
        "url":"https://i.example.com/x.gif","permalink":"/r/python/comments/abc/a_b/",
        "created_utc":1439797480.0,"subreddit":"python","subreddit_name_prefixed":"r/python",
        "author":"op","selftext":"Self text","selftext_html":"<div>Self text</div>"}}"#;

    #[test]
    fn reddit_nested_replies_stubs_and_deleted() {
        let deep = t1("c3", "t1_c2", "carol", "> you\nno", r#""""#);
        let mid = t1("c2", "t1_c1", "bob", "two", &listing(&[deep, more("t1_c2", 0, &[])]));
        let top = t1("c1", "t3_abc", "ann", "one\n\nmore", &listing(&[mid]));
        let gone = t1("c4", "t3_abc", "[deleted]", "[deleted]", r#""""#);
        let text = format!(
            "[{}, {}]",
            listing(&[T3.to_string()]),
            listing(&[top, gone, more("t3_abc", 5, &["c5", "c6"])])
        );
        let doc = one(&text, None);
        assert_eq!(ids(&doc), [("c1", None), ("c2", Some("c1")), ("c3", Some("c2")), ("c4", None)]);
        // 5 behind "load more", at least 1 behind "continue this thread".
        assert_eq!(doc.hidden_comments, 6);
        let c3 = &doc.comments[2];
        assert_eq!(&c3.text[c3.quotes[0].clone()], "> you");
        assert_eq!(c3.time.as_deref(), Some("2015-08-17T08:45:51Z"));
        assert_eq!(doc.comments[0].text, "one\n\nmore");
        let gone = &doc.comments[3];
        assert!(gone.deleted);
        assert_eq!((gone.author.as_deref(), gone.text.as_str()), (None, ""));
        assert_eq!(gone.status.as_deref(), Some("deleted"));
        assert!(!doc.comments[0].deleted && doc.comments[0].status.is_none());
        let a = &doc.article;
        assert_eq!(a.format, "reddit-json");
        assert_eq!(a.id, "stem");
        assert_eq!(a.title.as_deref(), Some("A &amp; B"));
        assert_eq!(a.url.as_deref(), Some("https://www.reddit.com/r/python/comments/abc/a_b/"));
        assert_eq!(a.published.as_deref(), Some("2015-08-17T07:44:40Z"));
        assert_eq!(a.outlet.as_deref(), Some("r/python"));
        assert_eq!(a.byline.as_deref(), Some("op"));
        assert_eq!(a.body, "Self text");
    }

    #[test]
    fn reddit_removed_and_permalink_orphan() {
        let removed = t1("d2", "t1_d1", "[deleted]", "[removed]", r#""""#);
        let doc = one(&format!("[{},{}]", listing(&[T3.into()]), listing(&[removed])), None);
        // The parent is not in the file: kept as given, the builder flags it.
        assert_eq!(ids(&doc), [("d2", Some("d1"))]);
        assert_eq!(doc.comments[0].status.as_deref(), Some("removed"));
        assert!(doc.comments[0].deleted);
    }

    #[test]
    fn reddit_without_raw_json_is_unescaped() {
        let c = t1("e1", "t3_abc", "ann", "&gt; a &amp;lt; b\n\nyes", r#""""#)
            .replace(r#"<div class=\"md\"><p>x</p></div>"#, "&lt;div class=\\\"md\\\"&gt;");
        let doc = one(&format!("[{},{}]", listing(&[T3.into()]), listing(&[c])), None);
        let e1 = &doc.comments[0];
        assert_eq!(e1.text, "> a &lt; b\n\nyes");
        assert_eq!(&e1.text[e1.quotes[0].clone()], "> a &lt; b");
        assert_eq!(doc.article.title.as_deref(), Some("A & B"));
    }

    #[test]
    fn reddit_morechildren_answer() {
        let text = format!(
            r#"{{"json":{{"errors":[],"data":{{"things":[{},{}]}}}}}}"#,
            t1("f1", "t1_zz", "ann", "hi", r#""""#),
            more("t1_f1", 3, &["f2"])
        );
        let doc = one(&text, None);
        assert_eq!(ids(&doc), [("f1", Some("zz"))]);
        assert_eq!(doc.hidden_comments, 3);
        assert_eq!(doc.article.url.as_deref(), Some("https://www.reddit.com/comments/abc/"));
        assert_eq!(doc.article.outlet.as_deref(), Some("r/python"));
    }

    #[test]
    fn hn_story_with_nested_and_deleted_children() {
        let text = r#"{"id":1,"created_at":"2006-10-09T18:21:51.000Z","created_at_i":1160418111,
          "type":"story","author":"pg","title":"Y Combinator","url":"http://ycombinator.com",
          "text":null,"points":57,"parent_id":null,"story_id":1,"children":[
            {"id":15,"created_at":"2006-10-09T19:51:01.000Z","type":"comment","author":"sama",
             "text":"<p>&gt; quoted</p><p>Mine</p>","parent_id":1,"story_id":1,"children":[
               {"id":17,"created_at_i":1160423565,"type":"comment","author":"pg",
                "text":"<p>Reply</p>","parent_id":15,"story_id":1,"children":[]}]},
            {"id":16,"created_at":"2006-10-09T19:52:00.000Z","type":"comment","author":null,
             "text":null,"parent_id":1,"story_id":1,"children":[]}]}"#;
        let doc = one(text, None);
        assert_eq!(ids(&doc), [("15", None), ("17", Some("15")), ("16", None)]);
        let [c15, c17, c16] = &doc.comments[..] else { panic!() };
        assert_eq!(c15.text, "> quoted\n\nMine");
        assert_eq!(&c15.text[c15.quotes[0].clone()], "> quoted");
        assert_eq!(c15.time.as_deref(), Some("2006-10-09T19:51:01Z"));
        assert_eq!(c17.time.as_deref(), Some("2006-10-09T19:52:45Z"));
        assert!(c16.deleted && c16.author.is_none() && c16.text.is_empty());
        assert_eq!(c16.status.as_deref(), Some("deleted"));
        assert!(!c15.deleted);
        let a = &doc.article;
        assert_eq!(a.format, "hn-json");
        assert_eq!(a.title.as_deref(), Some("Y Combinator"));
        assert_eq!(a.url.as_deref(), Some("http://ycombinator.com"));
        assert_eq!(a.byline.as_deref(), Some("pg"));
        assert_eq!(a.published.as_deref(), Some("2006-10-09T18:21:51Z"));
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    /// The fetched item is a comment (as in Algolia's `/items/17`): it is
    /// the root, its replies the top-level comments.
    #[test]
    fn hn_fetched_comment_is_the_root() {
        let text = r#"{"id":17,"created_at":"2006-10-09T19:52:45.000Z","type":"comment",
          "author":"pg","text":"<p>Question?</p>","parent_id":15,"story_id":1,"children":[
            {"id":20,"type":"comment","author":"a","text":"<p>x</p>","parent_id":17,"children":[]},
            {"id":21,"type":"comment","author":"b","text":"<p>y</p>","parent_id":17,"children":[]}]}"#;
        let doc = one(text, Some(Format::HnJson));
        assert_eq!(ids(&doc), [("20", None), ("21", None)]);
        let a = &doc.article;
        assert_eq!(a.title, None);
        assert_eq!(a.byline.as_deref(), Some("pg"));
        assert_eq!(a.body, "Question?");
        assert_eq!(a.url.as_deref(), Some("https://news.ycombinator.com/item?id=17"));
        let d = Discussion::build(doc);
        assert_eq!(d.roots().len(), 2);
        assert!(d.anomalies.is_empty());
    }

    #[test]
    fn hnpwa_shape_nests_by_structure() {
        let text = r#"{"id":9,"title":"Ask HN: x?","points":3,"user":"ann","time":1160418111,
          "content":"<p>Body</p>","type":"ask","url":"item?id=9","comments_count":2,"comments":[
            {"id":10,"level":0,"user":"bob","time":1160418200,"content":"<p>a</p>","comments":[
              {"id":11,"level":1,"time":1160418300,"content":"[deleted]","deleted":true,
               "comments":[]}]}]}"#;
        let doc = one(text, None);
        assert_eq!(ids(&doc), [("10", None), ("11", Some("10"))]);
        assert!(doc.comments[1].deleted && doc.comments[1].text.is_empty());
        assert_eq!(doc.article.url.as_deref(), Some("https://news.ycombinator.com/item?id=9"));
        assert_eq!(doc.article.body, "Body");
    }

    #[test]
    fn detection_and_unrecognised_json() {
        let reddit = format!("[{}]", listing(&[T3.into()]));
        let hn = r#"{"id":1,"type":"story","children":[]}"#;
        let wp_page = format!("[{}]", wp(1, 2, 0, "comment", "approved", "x"));
        for (text, want) in
            [(reddit.as_str(), "reddit-json"), (hn, "hn-json"), (wp_page.as_str(), "wp-rest-json")]
        {
            assert_eq!(one(text, None).article.format, want, "{text}");
        }
        for (text, says) in [
            (r#"{"hits": [], "nbHits": 0}"#, "an object with keys `hits`, `nbHits`"),
            ("[1, 2]", "an array of 2 items"),
            (r#""text""#, "a string"),
            (
                r#"{"code":"rest_forbidden_param","message":"Query parameter not permitted: type","data":{"status":401}}"#,
                "code `rest_forbidden_param`",
            ),
        ] {
            match parse(text, "s", "s.json", None) {
                Err(ParseErrorKind::Unrecognised(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn forced_format_that_does_not_fit_is_malformed() {
        let reddit = format!("[{}]", listing(&[T3.into()]));
        match parse(&reddit, "s", "s.json", Some(Format::HnJson)) {
            Err(ParseErrorKind::Malformed { format: Format::HnJson, message }) => {
                assert!(message.contains("expected a Hacker News item"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        match parse("[1]", "s", "s.json", Some(Format::RedditJson)) {
            Err(ParseErrorKind::Malformed { message, .. }) => {
                assert!(message.contains("item #1 of the top-level array is a number"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_says_line_and_column() {
        let e = parse("[\n  {\"id\": 1,\n   \"post\" 2}\n]", "s", "s.json", None).unwrap_err();
        match e {
            ParseErrorKind::Malformed { format: Format::WpRestJson, message } => {
                assert_eq!(message, "line 3, column 11: expected `:`")
            }
            other => panic!("{other:?}"),
        }
        let e = parse("[{\"kind\": \"Listing\", ", "s", "s.json", None).unwrap_err();
        match e {
            ParseErrorKind::Malformed { format: Format::RedditJson, message } => {
                assert!(message.starts_with("line 1, column 21: EOF"), "{message}");
                assert!(message.contains("truncated"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Reddit pages nest five JSON levels per reply level: a 5,000-deep
    /// chain is ~25,000 levels, far past serde_json's limit of 128.
    #[test]
    fn deep_reddit_chain_parses_without_recursion() {
        const DEPTH: usize = 5000;
        let mut text = format!("[{},", listing(&[T3.into()]));
        for i in 0..DEPTH {
            let parent = if i == 0 { "t3_abc".to_string() } else { format!("t1_c{}", i - 1) };
            text.push_str(&format!(
                r#"{{"kind":"Listing","data":{{"children":[{{"kind":"t1","data":{{"id":"c{i}","parent_id":"{parent}","author":"u","body":"b","replies":"#
            ));
        }
        text.push_str(r#""""#);
        text.push_str(&"}}]}}".repeat(DEPTH));
        text.push(']');
        let doc = one(&text, None);
        assert_eq!(doc.comments.len(), DEPTH);
        assert_eq!(doc.comments[DEPTH - 1].parent_id.as_deref(), Some("c4998"));
        let d = Discussion::build(doc);
        assert_eq!(d.nodes().iter().map(|n| n.depth).max(), Some(DEPTH as u32));
        // A deep file cut short is still an error with a place, not a crash.
        let cut = &text[..text.len() / 2];
        match parse(cut, "s", "s.json", None) {
            Err(ParseErrorKind::Malformed { format: Format::RedditJson, message }) => {
                assert!(message.starts_with("line 4, column "), "{message}");
                assert!(message.contains("EOF while parsing"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Issue #13: numeric ids 2^64 and 2^64+1 (and below -2^63) were both read as
    /// `1.8446744073709552e+19`: a false `duplicate_id` and `self_reply`, the reply link lost.
    #[test]
    fn r13_big_numeric_ids_keep_their_text() {
        const A: &str = "18446744073709551616";
        const B: &str = "18446744073709551617";
        const C: &str = "-9223372036854775809";
        let rec = |id: &str, parent: &str| {
            format!(
                r#"{{"id":{id},"post":{A},"parent":{parent},"author_name":"x",
                "content":{{"rendered":"<p>t</p>"}}}}"#
            )
        };
        let wp = format!("[{},{},{}]", rec(A, "0"), rec(B, A), rec(C, B));
        let doc = one(&wp, None);
        assert_eq!(ids(&doc), [(A, None), (B, Some(A)), (C, Some(B))]);
        assert_eq!(doc.article.id, format!("wp-post-{A}"));
        let d = Discussion::build(doc);
        assert!(d.anomalies.is_empty(), "{:?}", d.anomalies);

        let hn = format!(
            r#"{{"id":{C},"type":"story","title":"t","children":[
              {{"id":{A},"type":"comment","author":"a","text":"x","parent_id":{C},"children":[
                {{"id":{B},"type":"comment","author":"b","text":"y","parent_id":{A},
                  "children":[]}}]}}]}}"#
        );
        let doc = one(&hn, None);
        assert_eq!(ids(&doc), [(A, None), (B, Some(A))]);
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        assert_eq!(doc.article.url, Some(format!("https://news.ycombinator.com/item?id={C}")));
        let d = Discussion::build(doc);
        assert!(d.anomalies.is_empty(), "{:?}", d.anomalies);
    }

    /// Issue #13: `time_raw` of a JSON number was re-rendered (`1439801151.0` became
    /// `1439801151`); it is the text the source wrote.
    #[test]
    fn r13_time_raw_of_json_numbers_is_the_source_text() {
        let c = t1("c1", "t3_abc", "ann", "x", r#""""#).replace("1439801151.0", "1439801151.50");
        let doc = one(&format!("[{},{}]", listing(&[T3.into()]), listing(&[c])), None);
        let c1 = &doc.comments[0];
        assert_eq!(c1.time_raw.as_deref(), Some("1439801151.50"));
        assert_eq!(c1.time.as_deref(), Some("2015-08-17T08:45:51Z"));
        let hn = r#"{"id":1,"type":"story","children":[
            {"id":2,"type":"comment","author":"a","text":"x","parent_id":1,
             "created_at_i":1e300,"children":[]},
            {"id":3,"type":"comment","author":"a","text":"x","parent_id":1,
             "created_at_i":1160423565.000,"children":[]}]}"#;
        let doc = one(hn, None);
        let raw: Vec<_> = doc.comments.iter().map(|c| c.time_raw.as_deref()).collect();
        // serde_json writes an exponent `e+N` (its `arbitrary_precision` form).
        assert_eq!(raw, [Some("1e+300"), Some("1160423565.000")]);
        assert_eq!(doc.comments[0].time, None);
        assert_eq!(doc.comments[1].time.as_deref(), Some("2006-10-09T19:52:45Z"));
    }

    /// Issue #13: messages quote at most ~200 characters of the input.
    #[test]
    fn r13_messages_quote_at_most_200_characters() {
        let key = "k".repeat(100_000);
        let text = format!(r#"{{"{key}": 1, "b{key}": 2}}"#);
        match parse(&text, "s", "s.json", None) {
            Err(ParseErrorKind::Unrecognised(m)) => {
                assert!(m.len() < 600 && m.contains('…'), "{}", &m[..m.len().min(600)])
            }
            other => panic!("{other:?}"),
        }
        let msg = "m".repeat(100_000);
        let text = format!(r#"{{"code":"c","message":"{msg}"}}"#);
        let m = parse(&text, "s", "s.json", None).unwrap_err().to_string();
        assert!(m.len() < 600, "{}", m.len());
    }

    /// Both Reddit readers on `text`: the flat one (`None` when it leaves the page to the
    /// other) and the `Value` one.
    fn both_reddit(text: &str) -> (Option<Document>, Document) {
        let flat = reddit_flat(text).map(|mut d| {
            d.article.id = "stem".into();
            d.article.source = "in/stem.json".into();
            d
        });
        let tree = Tree(read(text, None).unwrap());
        (flat, reddit(&tree.0, "stem", "in/stem.json").unwrap().remove(0))
    }

    /// Issue #13: a 100,000-deep Reddit chain (25 MB) peaked at 664 MB as a `Value` tree;
    /// plain pages are now read flat, keeping only the fields read. Same documents.
    #[test]
    fn r13_flat_reddit_reader_matches_the_value_reader() {
        let deep = t1("c3", "t1_c2", "carol", "> you\nno", r#""""#);
        let mid = t1("c2", "t1_c1", "bob", "two", &listing(&[deep, more("t1_c2", 0, &[])]));
        let top = t1("c1", "t3_abc", "ann", "one\n\nmore", &listing(&[mid]));
        let gone = t1("c4", "t3_abc", "[deleted]", "[deleted]", r#""""#);
        let removed = t1("d2", "t1_d1", "[deleted]", "[removed]", "null");
        let legacy = t1("e1", "t3_abc", "ann", "&gt; a &amp;lt; b", r#""""#)
            .replace(r#"<div class=\"md\"><p>x</p></div>"#, "&lt;div class=\\\"md\\\"&gt;");
        let no_parent = t1("g1", "t3_abc", "ann", "x", &listing(&[t1("g2", "", "b", "y", "\"\"")]))
            .replace(r#""parent_id":"","#, "");
        let pages = [
            format!(
                "[{}, {}]",
                listing(&[T3.to_string()]),
                listing(&[top, gone, more("t3_abc", 5, &["c5", "c6"])])
            ),
            format!("[{},{}]", listing(&[T3.into()]), listing(&[removed])),
            format!("[{},{}]", listing(&[T3.into()]), listing(&[legacy])),
            format!("[{},{}]", listing(&[T3.into(), T3.into()]), listing(&[no_parent])),
            listing(&[t1("h1", "t3_abc", "ann", "solo", r#""""#)]),
            // Escapes (a surrogate pair), numbers beyond 64 bits and in exponent form, and
            // an ignored field holding deep structure: as the `Value` reader reads them.
            listing(&[t1("h2", "t3_abc", "ann", "x", r#""""#)
                .replace(r#""body":"x""#, r#""body":"caf\u00e9 \ud83d\ude00 \\n""#)
                .replace(
                    r#""id":"h2","#,
                    r#""id":"h2","count":18446744073709551617,"x":[[{"y":[]}]],"#,
                )
                .replace("1439801151.0", "1.4398011e9")]),
            format!(
                r#"[{},{{"kind":"Listing","data":{{"children":[{{"kind":"t5","data":{{}}}}]}}}}]"#,
                listing(&[T3.into()])
            ),
        ];
        for page in &pages {
            let (flat, tree) = both_reddit(page);
            assert_eq!(flat.as_ref(), Some(&tree), "{page}");
        }
        assert_eq!(both_reddit(&pages[0]).1.comments.len(), 4);
        assert!(both_reddit(&pages[3]).1.anomalies.len() == 1, "the second post");
        assert_eq!(both_reddit(&pages[3]).1.comments[1].parent_id.as_deref(), Some("g1"));

        // Shapes left to the `Value` reader, which reports them.
        let not_listing = t1("f1", "t3_abc", "ann", "x", r#"{"kind":"t1"}"#);
        for page in [
            format!(
                r#"{{"json":{{"errors":[],"data":{{"things":[{}]}}}}}}"#,
                t1("f1", "t1_zz", "ann", "hi", r#""""#)
            ),
            format!("[{},{}]", listing(&[T3.into()]), listing(&[not_listing])),
            format!("[{},[1]]", listing(&[T3.into()])),
            format!("[{},{}]", listing(&[T3.into()]), listing(&["17".into()])),
            format!("[{},{}]", listing(&[T3.into()]), listing(&[r#"{"data":{}}"#.into()])),
            format!("[{}", listing(&[T3.into()])),
        ] {
            assert!(reddit_flat(&page).is_none(), "{page}");
        }
        // Other JSON is not read twice.
        assert!(reddit_flat(&format!("[{}]", wp(1, 2, 0, "comment", "approved", "x"))).is_none());

        // A deep chain: read flat, without recursion in the walk or the drop.
        const DEPTH: usize = 20_000;
        let mut text = format!("[{},", listing(&[T3.into()]));
        for i in 0..DEPTH {
            let parent = if i == 0 { "t3_abc".to_string() } else { format!("t1_c{}", i - 1) };
            text.push_str(&format!(
                r#"{{"kind":"Listing","data":{{"children":[{{"kind":"t1","data":{{"id":"c{i}","parent_id":"{parent}","ups":1,"body":"b","replies":"#
            ));
        }
        text.push_str(r#""""#);
        text.push_str(&"}}]}}".repeat(DEPTH));
        text.push(']');
        let doc = reddit_flat(&text).expect("a plain page");
        assert_eq!(doc.comments.len(), DEPTH);
        assert_eq!(doc.comments[DEPTH - 1].parent_id.as_deref(), Some("c19998"));
    }
}

#[cfg(test)]
mod r13_deep_error_tests {
    use super::*;

    /// Found by the fuzzing harness (seed 99, case 6681; #13): a syntax error after a deep,
    /// complete subtree dropped that subtree recursively inside serde_json and overflowed the
    /// stack (the process died by a signal). Now an error naming the line.
    #[test]
    fn r13_a_syntax_error_after_a_deep_subtree_is_an_error() {
        let depth = 100_000;
        let text = format!("[{}{}, x]", "[".repeat(depth), "]".repeat(depth));
        for format in [None, Some(Format::HnJson), Some(Format::RedditJson)] {
            let e = parse(&text, "deep", "deep.json", format).unwrap_err();
            assert!(e.to_string().contains("line 1, column"), "{e}");
        }
    }
}
