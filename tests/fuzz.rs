//! A seeded, structure-aware mutation harness over every input format (issue #13: "keep it
//! so"), on the stable toolchain: `cargo fuzz` needs nightly.
//!
//! Each case is made from a seed and its number, so any case can be made again:
//! - a tiny hand-made document per format (`tests/fixtures/fuzz/`), mutated: bytes flipped,
//!   inserted, deleted, duplicated, the file truncated, BOMs and invalid UTF-8, huge
//!   numbers, deep nesting and huge lines spliced in;
//! - a reply tree drawn at random (bushy, a deep chain, a wide star; for formats that name
//!   parents by id also duplicate ids, self-parents, cycles, orphans and exact repeats),
//!   written in a format, and sometimes mutated;
//! - XML entity expansion (billion laughs) and external entities (XXE on `/etc/passwd`).
//!
//! Every case goes through the library (`parse_bytes` → `Discussion::build` → metrics →
//! scores → tables, as `analyse` chains them) and some through the binary (`threadlens
//! analyse FILE --out DIR --format jsonl`). Invariants checked: no panic; comments in =
//! rows out + `repeated_record` anomalies; every parent chain ends at the article; depth =
//! parent depth + 1; `threads` rows = top-level comments; a generated tree is read back with
//! its comments and links; an error names the file (and a non-zero exit comes with such a
//! line on stderr); nothing of `/etc/passwd` in any output; and, in the campaign only, time
//! within 0.5 s + 2 µs per byte (optimised builds) and no hang.
//!
//! `cargo test` runs a small fixed-seed subset without the time check. The campaign is
//! the ignored test `fuzz::campaign`, driven by `scripts/fuzz` (environment variables
//! `THREADLENS_FUZZ_*`, below), which writes each failing input to `fuzz-crashes/` with
//! what broke.
//!
//! Known bugs being fixed under issue #13 keep some sizes bounded ([`Bounds::today`]); each
//! bound names its item, and `THREADLENS_FUZZ_UNBOUNDED=1` (`scripts/fuzz --unbounded`)
//! lifts them all to show those bugs.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use threadlens::parse::{ParseOptions, parse_bytes};
use threadlens::scores::{DiscussionScores, Scorers};
use threadlens::tables::DiscussionTables;
use threadlens::{AnomalyKind, Discussion, metrics};

/// The input formats the generators write, with the fixture each mutation starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Text,
    WpHtml,
    Wpdiscuz,
    WpRest,
    Reddit,
    Hn,
    Wxr,
    Disqus,
    Csv,
    Tsv,
    Jsonl,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Text,
        Kind::WpHtml,
        Kind::Wpdiscuz,
        Kind::WpRest,
        Kind::Reddit,
        Kind::Hn,
        Kind::Wxr,
        Kind::Disqus,
        Kind::Csv,
        Kind::Tsv,
        Kind::Jsonl,
    ];

    /// The hand-made valid document mutations start from.
    fn fixture(self) -> &'static [u8] {
        match self {
            Kind::Text => include_bytes!("fixtures/fuzz/text.txt"),
            Kind::WpHtml => include_bytes!("fixtures/fuzz/wordpress.html"),
            Kind::Wpdiscuz => include_bytes!("fixtures/fuzz/wpdiscuz.html"),
            Kind::WpRest => include_bytes!("fixtures/fuzz/wp-rest.json"),
            Kind::Reddit => include_bytes!("fixtures/fuzz/reddit.json"),
            Kind::Hn => include_bytes!("fixtures/fuzz/hn.json"),
            Kind::Wxr => include_bytes!("fixtures/fuzz/wxr.xml"),
            Kind::Disqus => include_bytes!("fixtures/fuzz/disqus.xml"),
            Kind::Csv => include_bytes!("fixtures/fuzz/comments.csv"),
            Kind::Tsv => include_bytes!("fixtures/fuzz/comments.tsv"),
            Kind::Jsonl => include_bytes!("fixtures/fuzz/comments.jsonl"),
        }
    }

    /// File extension: tables are detected by it, the rest by content.
    fn ext(self) -> &'static str {
        match self {
            Kind::Text => "txt",
            Kind::WpHtml | Kind::Wpdiscuz => "html",
            Kind::WpRest | Kind::Reddit | Kind::Hn => "json",
            Kind::Wxr | Kind::Disqus => "xml",
            Kind::Csv => "csv",
            Kind::Tsv => "tsv",
            Kind::Jsonl => "jsonl",
        }
    }

    /// Whether the format names each comment's parent by id (so a generated tree may hold
    /// duplicate ids, self-parents, cycles and orphans); the others nest replies.
    fn links_by_id(self) -> bool {
        matches!(
            self,
            Kind::WpRest | Kind::Wxr | Kind::Disqus | Kind::Csv | Kind::Tsv | Kind::Jsonl
        )
    }
}

/// Sizes the generators stay within. [`Bounds::today`] keeps `cargo test` and the CI
/// campaign green on today's code while known bugs of issue #13 are fixed in parallel;
/// [`Bounds::lifted`] drops every such bound to show them.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Comments in a generated discussion.
    // bounded until #13 item 8 is fixed (time grows with threads × comments)
    pub max_comments: usize,
    /// Depth of a generated HTML chain or of `<div>`s spliced into a page.
    // bounded until #13 item 6 is fixed (deep HTML is quadratic)
    pub html_depth: usize,
    /// Depth of other generated chains and nestings.
    pub depth: usize,
    /// Length of a huge line (a comment's text) when the comment is scored.
    // bounded until #13 item 7 is fixed (scoring is quadratic in cue matches)
    pub scored_line: usize,
    /// Numeric ids beyond 64 bits in JSON and tables.
    // bounded until #13 item 9 is fixed (ids beyond 64 bits are rounded)
    pub huge_ids: bool,
    /// CSV/TSV times that are not plain (`1e300`, beyond 64 bits), checked against `time_raw`.
    // bounded until #13 item 10 is fixed (`time_raw` is not the raw text)
    pub odd_times: bool,
    /// Broken table rows: an unterminated quote (item 4), extra or missing fields (item 11).
    // bounded until #13 items 4 and 11 are fixed (broken CSV rows accepted silently)
    pub broken_rows: bool,
    /// Inputs of no known format (`<foo/>`, RSS, YAML, PDF-like, binary) must be refused.
    // bounded until #13 items 5 and 12 are fixed (unrecognised input read as something else)
    pub foreign: bool,
    /// Error messages are one line and quote at most ~200 characters of the input.
    // bounded until #13 item 13 is fixed (a message echoes a whole first line, or an XML
    // tag name holding a newline)
    pub short_messages: bool,
}

impl Bounds {
    /// What today's code passes.
    pub fn today() -> Bounds {
        // Items 4–13 are fixed: every check is on; discussions stay a little smaller than
        // `lifted` so a dev-profile campaign still runs many cases in its two minutes.
        Bounds { max_comments: 20_000, ..Bounds::lifted() }
    }

    /// Every known-bug bound lifted.
    pub fn lifted() -> Bounds {
        Bounds {
            max_comments: 30_000,
            html_depth: 20_000,
            depth: 20_000,
            scored_line: 1 << 20,
            huge_ids: true,
            odd_times: true,
            broken_rows: true,
            foreign: true,
            short_messages: true,
        }
    }

    /// Smaller sizes for the `cargo test` subset (dev profile, under ~30 s).
    fn small() -> Bounds {
        Bounds {
            max_comments: 150,
            html_depth: 120,
            depth: 400,
            scored_line: 8 * 1024,
            ..Bounds::today()
        }
    }
}

/// What a case must give besides the invariants every case is held to.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// Comments the parsers must read (summed over documents).
    pub comments: Option<usize>,
    /// (id, parent id) of every comment read, in source order.
    pub links: Option<Vec<(String, Option<String>)>>,
    /// `time_raw` of every comment read, in source order.
    pub time_raw: Option<Vec<String>>,
    /// The input must be refused (an error naming the file).
    pub refused: bool,
    /// A table row at this 1-based line is broken: an error or an anomaly must name it.
    pub broken_line: Option<usize>,
    /// An error message is one line and quotes at most ~200 characters of the input
    /// (item 13).
    pub short_message: bool,
}

/// One generated input.
#[derive(Clone, Debug)]
pub struct Case {
    /// How it was made, e.g. `wxr/tree(cycles,n=12)+flip+truncate`.
    pub name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

impl Case {
    /// The file name it is written under (the extension matters for tables).
    pub fn file_name(&self) -> String {
        format!("case.{}", self.kind.ext())
    }
}

// ---------------------------------------------------------------------------------------
// Reply trees and their rendering in each format.

/// One generated comment.
#[derive(Clone, Debug)]
struct Spec {
    id: String,
    parent: Option<String>,
    author: String,
    text: String,
    time: String,
}

/// Shapes of generated trees.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Bushy,
    Chain,
    Star,
    /// Duplicate ids, self-parents, cycles, orphans, exact repeats (formats with links by id).
    Broken,
}

const WORDS: &[&str] = &[
    "the",
    "article",
    "is",
    "right",
    "wrong",
    "agree",
    "nonsense",
    "police",
    "government",
    "you",
    "idiot",
    "moron",
    "shut",
    "up",
    "thanks",
    "really",
    "good",
    "point",
    "stupid",
    "what",
    "about",
    "the",
    "data",
    "Ünïcödé",
    "😀",
    "naïve",
    "&",
    "<b>",
    "'quoted'",
    "\"double\"",
    "a,b",
    "tab\there",
    "semi;colon",
    "100%",
];

fn words(rng: &mut ChaCha8Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS.choose(rng).expect("words"));
    }
    s
}

/// A comment text of `len` bytes or so, insults among them so that scoring has cues.
fn huge_text(rng: &mut ChaCha8Rng, len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    while s.len() < len {
        s.push_str(WORDS.choose(rng).expect("words"));
        s.push(' ');
    }
    s
}

/// Parent index of each comment of a proper tree (every parent earlier in the list).
fn tree_parents(rng: &mut ChaCha8Rng, n: usize, shape: Shape) -> Vec<Option<usize>> {
    (0..n)
        .map(|i| match shape {
            Shape::Chain => i.checked_sub(1),
            Shape::Star => None,
            Shape::Bushy | Shape::Broken => {
                if i == 0 || rng.random_bool(0.3) {
                    None
                } else {
                    Some(rng.random_range(i.saturating_sub(8)..i))
                }
            }
        })
        .collect()
}

fn draw_tree(rng: &mut ChaCha8Rng, kind: Kind, n: usize, shape: Shape, b: &Bounds) -> Vec<Spec> {
    let parents = tree_parents(rng, n, shape);
    let huge = b.huge_ids && rng.random_bool(0.3) && kind != Kind::Disqus;
    // Numeric ids: most formats need them. Beyond 2^64 when huge ids are allowed.
    let id_of = |i: usize| -> String {
        if huge {
            // 2^64 + i: distinct ids that an f64 rounds to one value (item 9).
            let v = 18_446_744_073_709_551_616u128 + i as u128;
            v.to_string()
        } else {
            (i + 1).to_string()
        }
    };
    let odd_times = b.odd_times && matches!(kind, Kind::Csv | Kind::Tsv);
    let mut specs: Vec<Spec> = parents
        .iter()
        .enumerate()
        .map(|(i, p)| Spec {
            id: id_of(i),
            parent: p.map(id_of),
            author: format!("user{}", rng.random_range(0..6)),
            text: {
                let n = rng.random_range(1..12);
                words(rng, n)
            },
            time: if odd_times && rng.random_bool(0.3) {
                ["1e300", "18446744073709551617", "-0", "1.5e9"].choose(rng).unwrap().to_string()
            } else {
                (1_439_801_151 + i as u64 * 7).to_string()
            },
        })
        .collect();
    if let Shape::Broken = shape {
        let m = rng.random_range(1..=4.min(n.max(1)));
        for _ in 0..m {
            if specs.is_empty() {
                break;
            }
            let i = rng.random_range(0..specs.len());
            match rng.random_range(0..5) {
                0 => specs[i].parent = Some(specs[i].id.clone()),
                1 => specs[i].parent = Some("999999".into()),
                2 => {
                    // A cycle i → j → i, both away from the article.
                    let j = rng.random_range(0..specs.len());
                    if j != i {
                        let (a, c) = (specs[i].id.clone(), specs[j].id.clone());
                        specs[i].parent = Some(c);
                        specs[j].parent = Some(a);
                    }
                }
                3 => {
                    // A duplicate id with other text.
                    let mut dup = specs[i].clone();
                    dup.text.push_str(" again");
                    specs.push(dup);
                }
                _ => {
                    // An exact repeat, as overlapping export pages give.
                    let dup = specs[i].clone();
                    specs.push(dup);
                }
            }
        }
    }
    specs
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn csv_field(s: &str, sep: char) -> String {
    if s.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Children lists (by index) of a proper tree, in source order; roots first.
fn children(specs: &[Spec]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let index: HashMap<&str, usize> =
        specs.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut roots = Vec::new();
    let mut kids = vec![Vec::new(); specs.len()];
    for (i, s) in specs.iter().enumerate() {
        match s.parent.as_deref().and_then(|p| index.get(p)) {
            Some(&p) => kids[p].push(i),
            None => roots.push(i),
        }
    }
    (roots, kids)
}

/// Writes a proper tree depth-first without recursion (chains may be thousands deep):
/// `open(i, depth, position)` before a comment's replies, `close(i, has_replies)` after.
fn nested(
    specs: &[Spec],
    out: &mut String,
    open: &dyn Fn(&mut String, usize, usize, usize, bool),
    close: &dyn Fn(&mut String, usize, bool),
) {
    let (roots, kids) = children(specs);
    // (index, depth, position, opened)
    let mut stack: Vec<(usize, usize, usize, bool)> =
        roots.iter().enumerate().rev().map(|(k, &i)| (i, 1, k + 1, false)).collect();
    while let Some((i, depth, pos, opened)) = stack.pop() {
        if opened {
            close(out, i, !kids[i].is_empty());
            continue;
        }
        open(out, i, depth, pos, !kids[i].is_empty());
        stack.push((i, depth, pos, true));
        for (k, &c) in kids[i].iter().enumerate().rev() {
            stack.push((c, depth + 1, k + 1, false));
        }
    }
}

fn render(kind: Kind, specs: &[Spec]) -> String {
    let mut out = String::new();
    match kind {
        Kind::Text => {
            out.push_str("A generated headline\nBy Some Writer\n\nArticle text.\nShow Comments\n");
            // Text captures hold plain words: a line must not look like an item.
            nested(
                specs,
                &mut out,
                &|o, i, depth, pos, _| {
                    let text: String = specs[i]
                        .text
                        .chars()
                        .map(|c| if c.is_ascii_alphabetic() || c == ' ' { c } else { 'x' })
                        .collect();
                    let _ = writeln!(o, "{}{pos}. {text}", " ".repeat(2 * depth));
                },
                &|_, _, _| {},
            );
        }
        Kind::WpHtml => {
            out.push_str(
                "<!DOCTYPE html><html><head><title>A post</title></head><body>\n\
                 <div id=\"comments\" class=\"comments-area\"><ol class=\"comment-list\">\n",
            );
            nested(
                specs,
                &mut out,
                &|o, i, depth, _, has_kids| {
                    let s = &specs[i];
                    let _ = write!(
                        o,
                        "<li id=\"comment-{id}\" class=\"comment depth-{depth}\"><article id=\"div-comment-{id}\" class=\"comment-body\">\
                         <footer class=\"comment-meta\"><div class=\"comment-author vcard\"><b class=\"fn\">{a}</b></div></footer>\
                         <div class=\"comment-content\"><p>{t}</p></div></article>",
                        id = s.id,
                        a = xml_escape(&s.author),
                        t = xml_escape(&s.text)
                    );
                    if has_kids {
                        o.push_str("<ol class=\"children\">");
                    }
                    o.push('\n');
                },
                &|o, _, has_kids| o.push_str(if has_kids { "</ol></li>\n" } else { "</li>\n" }),
            );
            out.push_str("</ol></div></body></html>\n");
        }
        Kind::Wpdiscuz => {
            out.push_str(
                "<html><body><div id=\"wpdcom\"><div id=\"wcThreadWrapper\" class=\"wc-thread-wrapper\">\n",
            );
            nested(
                specs,
                &mut out,
                &|o, i, depth, _, _| {
                    let s = &specs[i];
                    let _ = writeln!(
                        o,
                        "<div id=\"wc-comm-{id}_{p}\" class=\"wc-comment wc_comment_level-{depth}\"><div id=\"comment-{id}\" class=\"wc-comment-right\">\
                         <div class=\"wc-comment-header\"><div class=\"wc-comment-author \">{a}</div></div>\
                         <div class=\"wc-comment-text\"><p>{t}</p></div></div>",
                        id = s.id,
                        p = s.parent.as_deref().unwrap_or("0"),
                        a = xml_escape(&s.author),
                        t = xml_escape(&s.text)
                    );
                },
                &|o, _, _| o.push_str("</div>\n"),
            );
            out.push_str("</div></div></body></html>\n");
        }
        Kind::WpRest => {
            let rows: Vec<String> = specs
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "id": "@ID@", "post": 5, "parent": "@PARENT@", "author": 0,
                        "author_name": s.author, "date_gmt": "2013-03-14T18:30:33",
                        "content": {"rendered": format!("<p>{}</p>\n", xml_escape(&s.text))},
                        "link": "https://blog.example.org/a-post/#comment", "status": "approved",
                        "type": "comment"
                    })
                    .to_string()
                    // Ids are numbers as written (beyond 64 bits too), not JSON strings.
                    .replace("\"@ID@\"", &s.id)
                    .replace("\"@PARENT@\"", s.parent.as_deref().unwrap_or("0"))
                })
                .collect();
            out.push('[');
            out.push_str(&rows.join(",\n"));
            out.push_str("]\n");
        }
        Kind::Reddit => {
            out.push_str(
                r#"[{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"A post","permalink":"/r/test/comments/abc/a/","created_utc":1439797480.0,"author":"op","selftext":"Self"}}]}},
{"kind":"Listing","data":{"after":null,"children":["#,
            );
            nested(
                specs,
                &mut out,
                &|o, i, _, pos, has_kids| {
                    let s = &specs[i];
                    if pos > 1 {
                        o.push(',');
                    }
                    let parent =
                        s.parent.as_ref().map_or("t3_abc".to_string(), |p| format!("t1_c{p}"));
                    let _ = write!(
                        o,
                        r#"{{"kind":"t1","data":{{"id":"c{id}","name":"t1_c{id}","parent_id":"{parent}","link_id":"t3_abc","author":{a},"body":{t},"created_utc":1439801151.0,"replies":"#,
                        id = s.id,
                        a = serde_json::Value::from(s.author.as_str()),
                        t = serde_json::Value::from(s.text.as_str()),
                    );
                    if has_kids {
                        o.push_str(r#"{"kind":"Listing","data":{"after":null,"children":["#);
                    } else {
                        o.push_str("\"\"}}\n");
                    }
                },
                &|o, _, has_kids| {
                    if has_kids {
                        o.push_str("]}}}}\n");
                    }
                },
            );
            out.push_str("]}}]\n");
        }
        Kind::Hn => {
            out.push_str(
                r#"{"id":0,"created_at":"2006-10-09T18:21:51.000Z","type":"story","author":"pg","title":"A story","url":"http://example.org","text":null,"parent_id":null,"children":["#,
            );
            nested(
                specs,
                &mut out,
                &|o, i, _, pos, _| {
                    let s = &specs[i];
                    if pos > 1 {
                        o.push(',');
                    }
                    let _ = write!(
                        o,
                        r#"{{"id":{id},"created_at_i":1160423565,"type":"comment","author":{a},"text":{t},"parent_id":{p},"children":["#,
                        id = s.id,
                        a = serde_json::Value::from(s.author.as_str()),
                        t = serde_json::Value::from(format!("<p>{}</p>", xml_escape(&s.text))),
                        p = s.parent.as_deref().unwrap_or("0"),
                    );
                },
                &|o, _, _| o.push_str("]}\n"),
            );
            out.push_str("]}\n");
        }
        Kind::Wxr => {
            out.push_str(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>A Site</title><link>https://example.org</link>
<item><title>Post 7</title><link>https://example.org/?p=7</link><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type>
"#,
            );
            for s in specs {
                let _ = writeln!(
                    out,
                    "<wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author>{}</wp:comment_author>\
                     <wp:comment_date_gmt>2014-01-14 17:31:03</wp:comment_date_gmt>\
                     <wp:comment_content><![CDATA[{}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>\
                     <wp:comment_parent>{}</wp:comment_parent></wp:comment>",
                    s.id,
                    xml_escape(&s.author),
                    s.text,
                    s.parent.as_deref().unwrap_or("0")
                );
            }
            out.push_str("</item>\n</channel>\n</rss>\n");
        }
        Kind::Disqus => {
            out.push_str(
                r#"<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="100"><id>site-100</id><forum>f</forum><link>http://example.org/100</link><title>Thread 100</title><createdAt>2012-12-12T12:12:12Z</createdAt></thread>
"#,
            );
            for s in specs {
                let parent = s
                    .parent
                    .as_ref()
                    .map(|p| format!("<parent dsq:id=\"{p}\" />"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<post dsq:id=\"{}\"><id /><message><![CDATA[<p>{}</p>]]></message>\
                     <createdAt>2013-10-10T19:20:29Z</createdAt><author><name>{}</name></author>\
                     <thread dsq:id=\"100\" />{parent}</post>",
                    s.id,
                    xml_escape(&s.text),
                    xml_escape(&s.author)
                );
            }
            out.push_str("</disqus>\n");
        }
        Kind::Csv | Kind::Tsv => {
            let sep = if kind == Kind::Csv { ',' } else { '\t' };
            let fields = ["id", "parent_id", "article_id", "author", "timestamp", "text"];
            out.push_str(&fields.join(&sep.to_string()));
            out.push('\n');
            for s in specs {
                // TSV has no quoting: its texts hold no tabs or newlines.
                let text = if sep == '\t' {
                    csv_field(&s.text.replace(['\t', '"'], " "), sep)
                } else {
                    csv_field(&s.text, sep)
                };
                let row = [
                    s.id.clone(),
                    s.parent.clone().unwrap_or_default(),
                    "a1".into(),
                    s.author.clone(),
                    s.time.clone(),
                    text,
                ];
                out.push_str(&row.join(&sep.to_string()));
                out.push('\n');
            }
        }
        Kind::Jsonl => {
            for s in specs {
                let line = serde_json::json!({
                    "id": "@ID@", "parent_id": "@PARENT@", "article_id": "a1",
                    "author": s.author, "timestamp": 1439801151, "text": s.text
                })
                .to_string()
                .replace("\"@ID@\"", &s.id)
                .replace("\"@PARENT@\"", s.parent.as_deref().unwrap_or("null"));
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

/// (id, parent id) as each format's parser gives them back for a generated tree, in
/// reading order: source order, which is depth-first for formats that nest replies. (Text
/// captures have no ids: their position paths are not compared.)
fn expected_links(kind: Kind, specs: &[Spec]) -> Vec<(String, Option<String>)> {
    let order: Vec<usize> = if kind.links_by_id() {
        (0..specs.len()).collect()
    } else {
        let mut order = Vec::new();
        let (roots, kids) = children(specs);
        let mut stack: Vec<usize> = roots.into_iter().rev().collect();
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(kids[i].iter().rev());
        }
        order
    };
    order
        .into_iter()
        .map(|i| {
            let s = &specs[i];
            match kind {
                Kind::Reddit => (format!("c{}", s.id), s.parent.as_ref().map(|p| format!("c{p}"))),
                _ => (s.id.clone(), s.parent.clone()),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Mutations.

const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"\"",
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\n",
    b"\r\n",
    b"\t",
    b"\0",
    b"&",
    b";",
    b" ",
    b"0",
    b"-1",
    b"null",
    b"\\",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\x80",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"</li>",
    b"</ol>",
    b"<ol class=\"children\">",
    b"  1. ",
    b"    1. ",
    b"18446744073709551617",
    b"1e400",
    b"-9223372036854775809",
];

/// Applies 1 to 4 random mutations to `bytes`; returns their names.
fn mutate(rng: &mut ChaCha8Rng, kind: Kind, bytes: &mut Vec<u8>, b: &Bounds) -> Vec<String> {
    let mut names = Vec::new();
    for _ in 0..rng.random_range(1..=4) {
        let len = bytes.len();
        let at = if len == 0 { 0 } else { rng.random_range(0..=len) };
        let name = match rng.random_range(0..11) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                bytes[i] ^= 1 << rng.random_range(0..8);
                "flip"
            }
            1 => {
                let tok = INTERESTING.choose(rng).expect("tokens");
                bytes.splice(at..at, tok.iter().copied());
                "insert"
            }
            2 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                bytes.drain(at.min(end)..end);
                "delete"
            }
            3 => {
                bytes.truncate(at);
                "truncate"
            }
            4 if len > 0 => {
                // Duplicate a slice in place (repeated records, repeated tags).
                let start = rng.random_range(0..len);
                let end = (start + rng.random_range(1..400)).min(len);
                let chunk = bytes[start..end].to_vec();
                let to = rng.random_range(start..=len);
                bytes.splice(to..to, chunk);
                "duplicate"
            }
            5 => {
                bytes.splice(0..0, *b"\xef\xbb\xbf");
                "bom"
            }
            6 => {
                let bad: &[&[u8]] = &[b"\xff\xfe", b"\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80"];
                bytes.splice(at..at, bad.choose(rng).expect("bad").iter().copied());
                "invalid-utf8"
            }
            7 => {
                // A huge line: one token repeated, spliced in.
                let n = rng.random_range(1_000..(b.scored_line / 4).max(2_000));
                let tok: &[u8] = [&b"idiot "[..], b"a", b"<p>", b"\\n", b"&amp;"]
                    .choose(rng)
                    .copied()
                    .expect("tok");
                let long: Vec<u8> = tok.iter().copied().cycle().take(n).collect();
                bytes.splice(at..at, long);
                "huge-line"
            }
            8 => {
                // Deep nesting spliced in, in the format's own brackets.
                let (open, close): (&[u8], &[u8]) = match kind {
                    Kind::WpHtml | Kind::Wpdiscuz => (b"<div>", b""),
                    Kind::Wxr | Kind::Disqus => (b"<a>", b"</a>"),
                    Kind::WpRest | Kind::Reddit | Kind::Hn | Kind::Jsonl => (b"[", b"]"),
                    Kind::Text | Kind::Csv | Kind::Tsv => (b"  ", b""),
                };
                let max = if matches!(kind, Kind::WpHtml | Kind::Wpdiscuz) {
                    b.html_depth
                } else {
                    b.depth
                };
                let n = rng.random_range(1..=max.max(1));
                let mut deep: Vec<u8> = open.repeat(n);
                if rng.random_bool(0.5) {
                    deep.extend(close.repeat(n));
                }
                bytes.splice(at..at, deep);
                "deep"
            }
            9 => {
                // Swap two slices of digits (ids and parents get mixed up).
                let digits: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if let (Some(&i), Some(&j)) = (digits.choose(rng), digits.choose(rng)) {
                    bytes.swap(i, j);
                }
                "swap-digits"
            }
            _ => {
                let tok = INTERESTING.choose(rng).expect("tokens");
                if len > 0 {
                    let i = rng.random_range(0..len);
                    let end = (i + tok.len()).min(len);
                    bytes.splice(i..end, tok.iter().copied());
                }
                "overwrite"
            }
        };
        names.push(name.to_string());
    }
    names
}

// ---------------------------------------------------------------------------------------
// Special inputs.

/// A WXR export whose comment text uses `entity`, declared by `dtd`.
fn wxr_with_dtd(dtd: &str, text: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [
{dtd}
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Entities</title>
<item><title>{text}</title><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>{text}</wp:comment_author>
<wp:comment_content>{text}</wp:comment_content><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item></channel></rss>
"#
    )
}

/// The same for a Disqus export.
fn disqus_with_dtd(dtd: &str, text: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE disqus [
{dtd}
]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="100"><id>t</id><link>http://example.org/1</link><title>{text}</title></thread>
<post dsq:id="1"><message>{text}</message><author><name>{text}</name></author><thread dsq:id="100" /></post>
</disqus>
"#
    )
}

/// Billion laughs: `&lol9;` expands to 10^9 `lol`s.
pub fn billion_laughs(kind: Kind) -> Vec<u8> {
    let mut dtd = String::from("<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        let _ = writeln!(dtd, "<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10));
    }
    match kind {
        Kind::Disqus => disqus_with_dtd(&dtd, "&lol9;"),
        _ => wxr_with_dtd(&dtd, "&lol9;"),
    }
    .into_bytes()
}

/// An external entity on `/etc/passwd` (XXE).
pub fn xxe(kind: Kind) -> Vec<u8> {
    let dtd = "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">";
    match kind {
        Kind::Disqus => disqus_with_dtd(dtd, "&xxe;"),
        _ => wxr_with_dtd(dtd, "&xxe;"),
    }
    .into_bytes()
}

/// Inputs of no format threadlens reads (items 5 and 12).
const FOREIGN: &[&[u8]] = &[
    b"<foo/>\n",
    b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed</title><item><title>x</title></item></channel></rss>\n",
    b"title: a yaml file\nitems:\n  - one\n  - two\n",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n",
    b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0",
];

// ---------------------------------------------------------------------------------------
// Cases.

/// Makes case `index` of the campaign with `seed`; `only` restricts it to one format.
pub fn make_case(seed: u64, index: u64, b: &Bounds, only: Option<Kind>) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    let kind = only.unwrap_or_else(|| *Kind::ALL.choose(&mut rng).expect("kinds"));
    let roll = rng.random_range(0..100);
    let mut expect = Expect::default();
    let (name, bytes) = match roll {
        // A fixture, mutated.
        0..30 => {
            let mut bytes = kind.fixture().to_vec();
            let m = mutate(&mut rng, kind, &mut bytes, b);
            (format!("fixture+{}", m.join("+")), bytes)
        }
        // A generated tree, valid, or mutated.
        30..80 => {
            let shape = match rng.random_range(0..10) {
                0 => Shape::Chain,
                1 => Shape::Star,
                2..5 if kind.links_by_id() => Shape::Broken,
                _ => Shape::Bushy,
            };
            let cap = match (shape, kind) {
                (Shape::Chain, Kind::WpHtml | Kind::Wpdiscuz) => b.html_depth,
                // Text captures indent 2 spaces a level: size is quadratic in depth.
                (Shape::Chain, Kind::Text) => 300,
                (Shape::Chain, _) => b.depth.min(b.max_comments),
                _ => b.max_comments,
            };
            let n = if rng.random_bool(0.8) {
                rng.random_range(0..=20.min(cap))
            } else {
                rng.random_range(0..=cap)
            };
            let specs = draw_tree(&mut rng, kind, n, shape, b);
            let mut bytes = render(kind, &specs).into_bytes();
            let mut name = format!("tree({shape:?},n={})", specs.len()).to_lowercase();
            if roll < 60 {
                expect.comments = Some(specs.len());
                if kind != Kind::Text {
                    expect.links = Some(expected_links(kind, &specs));
                }
                if matches!(kind, Kind::Csv | Kind::Tsv) {
                    expect.time_raw = Some(specs.iter().map(|s| s.time.clone()).collect());
                }
                let row = rng.random_range(1..specs.len().max(2));
                if b.broken_rows
                    && kind == Kind::Csv
                    && specs.len() >= 3
                    && !specs[row].text.contains([',', '"'])
                    && rng.random_bool(0.3)
                {
                    // One broken row: an unterminated quote (item 4) or a field too many
                    // or too few (item 11).
                    let mut lines: Vec<String> =
                        String::from_utf8(bytes).expect("utf8").lines().map(String::from).collect();
                    // Quoted texts may span lines only when they hold a newline: none do here.
                    let line = row + 1;
                    let what = match rng.random_range(0..3) {
                        0 => {
                            let l = &mut lines[line];
                            let cut = l.rfind(',').expect("fields") + 1;
                            l.insert(cut, '"');
                            "unterminated-quote"
                        }
                        1 => {
                            lines[line].push_str(",extra");
                            "extra-field"
                        }
                        _ => {
                            let l = &mut lines[line];
                            let cut = l.rfind(',').expect("fields");
                            l.truncate(cut);
                            "missing-field"
                        }
                    };
                    bytes = (lines.join("\n") + "\n").into_bytes();
                    name.push_str(&format!("+{what}@line{}", line + 1));
                    expect = Expect { broken_line: Some(line + 1), ..Expect::default() };
                }
            } else {
                let m = mutate(&mut rng, kind, &mut bytes, b);
                name = format!("{name}+{}", m.join("+"));
            }
            (name, bytes)
        }
        // A huge comment text.
        80..86 => {
            let len = rng.random_range(1_000..=b.scored_line.max(1_001));
            let mut specs = draw_tree(&mut rng, kind, 3, Shape::Bushy, b);
            specs[1].text = huge_text(&mut rng, len);
            if kind == Kind::Tsv {
                specs[1].text = specs[1].text.replace('\t', " ");
            }
            expect.comments = Some(specs.len());
            (format!("huge-text({len})"), render(kind, &specs).into_bytes())
        }
        // Deep nesting around or inside the comment list.
        86..92 => {
            let max =
                if matches!(kind, Kind::WpHtml | Kind::Wpdiscuz) { b.html_depth } else { b.depth };
            let n = rng.random_range(1..=max.max(1));
            let specs = draw_tree(&mut rng, kind, 3, Shape::Bushy, b);
            let doc = render(kind, &specs);
            let (open, close) = match kind {
                Kind::WpHtml | Kind::Wpdiscuz => ("<div class=\"x\">", ""),
                Kind::Wxr | Kind::Disqus => ("<x>", "</x>"),
                Kind::WpRest | Kind::Reddit | Kind::Hn | Kind::Jsonl => ("[", "]"),
                Kind::Text | Kind::Csv | Kind::Tsv => ("> ", ""),
            };
            let mut bytes = doc.into_bytes();
            let at = bytes.len() / 2;
            bytes.splice(at..at, format!("{}{}", open.repeat(n), close.repeat(n)).into_bytes());
            (format!("deep({n})"), bytes)
        }
        // XML entities.
        92..96 => {
            let k = if rng.random_bool(0.5) { Kind::Wxr } else { Kind::Disqus };
            let (name, bytes) = if rng.random_bool(0.5) {
                ("billion-laughs", billion_laughs(k))
            } else {
                ("xxe", xxe(k))
            };
            return Case { name: format!("{k:?}/{name}").to_lowercase(), kind: k, bytes, expect };
        }
        // Foreign inputs, BOMs and encodings.
        _ => {
            if b.foreign && rng.random_bool(0.5) {
                let bytes = FOREIGN.choose(&mut rng).expect("foreign").to_vec();
                expect.refused = true;
                return Case { name: "foreign".into(), kind: Kind::Text, bytes, expect };
            }
            let mut bytes = kind.fixture().to_vec();
            let name = match rng.random_range(0..3) {
                0 => {
                    bytes.splice(0..0, *b"\xef\xbb\xbf");
                    expect.comments = Some(count_fixture(kind));
                    "bom"
                }
                1 => {
                    // UTF-16 with its BOM: not UTF-8, refused.
                    let text = String::from_utf8(bytes).expect("utf8");
                    bytes = b"\xff\xfe".to_vec();
                    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
                    expect.refused = true;
                    "utf16"
                }
                _ => {
                    // Latin-1 text: not UTF-8, refused.
                    bytes.extend(b"\ncaf\xe9\n");
                    expect.refused = true;
                    "latin1"
                }
            };
            (name.to_string(), bytes)
        }
    };
    expect.short_message = b.short_messages;
    Case { name: format!("{}/{name}", kind_name(kind)), kind, bytes, expect }
}

fn kind_name(kind: Kind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// Comments in each fixture.
fn count_fixture(kind: Kind) -> usize {
    match kind {
        Kind::Text => 5,
        Kind::WpHtml => 4,
        Kind::Wxr | Kind::Disqus => 2,
        _ => 3,
    }
}

// ---------------------------------------------------------------------------------------
// Invariants.

/// What broke on one input.
#[derive(Clone, Debug)]
pub struct Failure {
    /// A short key naming the broken invariant (crashes are grouped by it).
    pub what: String,
    pub detail: String,
}

fn fail(what: &str, detail: impl Into<String>) -> Failure {
    Failure { what: what.to_string(), detail: detail.into() }
}

/// What the library read from an input.
#[derive(Clone, Debug, Default)]
pub struct Read {
    pub error: Option<String>,
    /// Comments the parser gave, over all documents.
    pub comments_in: usize,
    /// Comment rows (tree nodes), over all documents.
    pub rows: usize,
    pub threads: usize,
    pub repeated: usize,
}

/// Time allowed for `bytes` of input: 0.5 s + 2 µs per byte.
pub fn time_bound(bytes: usize) -> Duration {
    Duration::from_millis(500) + Duration::from_micros(2 * bytes as u64)
}

/// Runs one input through the library pipeline and checks its invariants.
pub fn check_library(case: &Case, source: &str, scorers: &Scorers) -> Result<Read, Failure> {
    let opts = ParseOptions::default();
    let mut read = Read::default();
    let docs = match parse_bytes(&case.bytes, source, &opts) {
        Ok(docs) => docs,
        Err(e) => {
            let msg = e.to_string();
            if !msg.starts_with(source) {
                return Err(fail("error-without-file-name", msg));
            }
            if case.expect.short_message && msg.lines().count() > 1 {
                return Err(fail("error-on-several-lines", msg));
            }
            if case.expect.short_message && msg.len() > source.len() + 600 {
                let head: String = msg.chars().take(300).collect();
                return Err(fail(
                    "error-message-too-long",
                    format!("{} bytes: {head}…", msg.len()),
                ));
            }
            let blank = case.bytes.iter().all(u8::is_ascii_whitespace);
            if (case.expect.comments.is_some() || case.expect.links.is_some()) && !blank {
                return Err(fail("valid-input-refused", msg));
            }
            read.error = Some(msg);
            return Ok(read);
        }
    };
    if case.expect.refused {
        return Err(fail(
            "foreign-input-accepted",
            format!("read as {:?}", docs.iter().map(|d| &d.article.format).collect::<Vec<_>>()),
        ));
    }
    let mut links = Vec::new();
    let mut times = Vec::new();
    let mut anomaly_lines = Vec::new();
    for doc in docs {
        let n_in = doc.comments.len();
        read.comments_in += n_in;
        links.extend(doc.comments.iter().map(|c| (c.id.clone(), c.parent_id.clone())));
        times.extend(doc.comments.iter().map(|c| c.time_raw.clone().unwrap_or_default()));
        anomaly_lines.extend(doc.anomalies.iter().filter_map(|a| a.line));
        let hay = [&doc.article.title, &doc.article.byline, &doc.article.url];
        let leaks = hay.iter().any(|f| f.as_deref().is_some_and(|t| t.contains("root:")))
            || doc.article.body.contains("root:")
            || doc.comments.iter().any(|c| {
                c.text.contains("root:") || c.author.as_deref().is_some_and(|a| a.contains("root:"))
            });
        if leaks {
            return Err(fail("external-entity-read", "`root:` from /etc/passwd in the output"));
        }
        let text_len: usize = doc.comments.iter().map(|c| c.text.len()).sum::<usize>()
            + doc.article.body.len()
            + doc.article.title.as_ref().map_or(0, |t| t.len());
        if text_len > 16 * case.bytes.len() + 4096 {
            return Err(fail(
                "entity-expansion",
                format!("{text_len} bytes of text from {} bytes of input", case.bytes.len()),
            ));
        }
        let d = Discussion::build(doc);
        let repeated = d.anomalies.iter().filter(|a| a.kind == AnomalyKind::RepeatedRecord).count();
        if n_in != d.len() + repeated {
            return Err(fail(
                "comment-lost",
                format!("{n_in} comments read, {} rows + {repeated} repeated records", d.len()),
            ));
        }
        check_tree(&d)?;
        let m = metrics::discussion_metrics(&d);
        if m.comments as usize != d.len() || m.threads as usize != d.roots().len() {
            return Err(fail(
                "metrics-counts",
                format!(
                    "metrics say {} comments in {} threads; the tree has {} in {}",
                    m.comments,
                    m.threads,
                    d.len(),
                    d.roots().len()
                ),
            ));
        }
        let threads: Vec<_> = d.roots().iter().map(|&r| metrics::thread_metrics(&d, r)).collect();
        let scores = DiscussionScores::new(&d, scorers);
        let tables = DiscussionTables::new(&d, &m, &threads, &scores)
            .map_err(|e| fail("tables-error", e.to_string()))?;
        let counts = [
            ("articles", tables.articles.num_rows(), 1),
            ("threads", tables.threads.num_rows(), d.roots().len()),
            ("comments", tables.comments.num_rows(), d.len()),
            ("anomalies", tables.anomalies.num_rows(), d.anomalies.len()),
        ];
        for (table, got, want) in counts {
            if got != want {
                return Err(fail("table-rows", format!("{table}: {got} rows, expected {want}")));
            }
        }
        read.rows += d.len();
        read.threads += d.roots().len();
        read.repeated += repeated;
    }
    if let Some(n) = case.expect.comments
        && n != read.comments_in
    {
        return Err(fail(
            "generated-comments-not-read",
            format!("{n} written, {} read", read.comments_in),
        ));
    }
    if let Some(want) = &case.expect.links
        && *want != links
    {
        let first = want
            .iter()
            .zip(&links)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(links.len()));
        return Err(fail(
            "links-changed",
            format!(
                "comment #{}: written {:?}, read {:?}",
                first + 1,
                want.get(first),
                links.get(first)
            ),
        ));
    }
    if let Some(want) = &case.expect.time_raw
        && *want != times
    {
        let i = want.iter().zip(&times).position(|(a, b)| a != b).unwrap_or(0);
        return Err(fail(
            "time-raw-changed",
            format!("comment #{}: written {:?}, time_raw {:?}", i + 1, want.get(i), times.get(i)),
        ));
    }
    if let Some(line) = case.expect.broken_line
        && !anomaly_lines.contains(&line)
    {
        return Err(fail(
            "broken-row-accepted-silently",
            format!("no error or anomaly names line {line}"),
        ));
    }
    Ok(read)
}

/// Every parent chain ends at the article; depth = parent depth + 1; roots are depth 1.
fn check_tree(d: &Discussion) -> Result<(), Failure> {
    let nodes = d.nodes();
    for (i, n) in nodes.iter().enumerate() {
        match n.parent {
            None => {
                if n.depth != 1 {
                    return Err(fail(
                        "depth",
                        format!("top-level comment #{i} at depth {}", n.depth),
                    ));
                }
            }
            Some(p) => {
                let pd = nodes.get(p.index()).map(|p| p.depth);
                if pd.map(|pd| pd + 1) != Some(n.depth) {
                    return Err(fail(
                        "depth",
                        format!("comment #{i} at depth {} under one at {pd:?}", n.depth),
                    ));
                }
            }
        }
        let (mut at, mut steps) = (n.parent, 0);
        while let Some(p) = at {
            steps += 1;
            if steps > nodes.len() {
                return Err(fail("parent-chain-loops", format!("from comment #{i}")));
            }
            at = nodes[p.index()].parent;
        }
    }
    let tops = nodes.iter().filter(|n| n.parent.is_none()).count();
    if tops != d.roots().len() {
        return Err(fail("roots", format!("{tops} top-level comments, {} roots", d.roots().len())));
    }
    Ok(())
}

/// Runs the binary on `path`, killing it after `limit`.
fn run_binary(
    bin: &Path,
    path: &Path,
    out: &Path,
    limit: Duration,
) -> Result<(Option<i32>, String, Duration), Failure> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["analyse", "--quiet", "--format", "jsonl", "--out"])
        .arg(out)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail("binary-not-run", e.to_string()))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| fail("binary-wait", e.to_string()))? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail("binary-hang", format!("killed after {limit:?}")));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    Ok((status.code(), stderr, took))
}

fn lines_of(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.lines().filter(|l| !l.trim().is_empty()).map(String::from).collect())
}

/// Runs one input through `threadlens analyse` and checks it against what the library read.
/// `startup`, when given, is how long the binary takes on a tiny input on this machine: the
/// time bound is checked, with twice that added to [`time_bound`].
pub fn check_binary(
    case: &Case,
    bin: &Path,
    dir: &Path,
    read: &Read,
    startup: Option<Duration>,
) -> Result<(), Failure> {
    let path = dir.join(case.file_name());
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::write(&path, &case.bytes).map_err(|e| fail("write-input", e.to_string()))?;
    // The process starts, loads its models and writes four tables: its start-up time twice
    // more than the library.
    let bound = time_bound(case.bytes.len()) + 2 * startup.unwrap_or_default();
    let (code, stderr, took) = run_binary(bin, &path, &out, bound * 20 + Duration::from_secs(20))?;
    let code = code.ok_or_else(|| fail("binary-killed-by-signal", stderr.clone()))?;
    if stderr.contains("panicked") {
        return Err(fail("binary-panic", stderr));
    }
    if startup.is_some() && took > bound {
        return Err(fail(
            "binary-time-bound",
            format!("{took:?} for {} bytes (bound {bound:?})", case.bytes.len()),
        ));
    }
    let shown = path.display().to_string();
    if code != 0 {
        if !stderr.lines().any(|l| l.starts_with("threadlens: error: ") && l.contains(&shown)) {
            return Err(fail("exit-without-error-line", format!("exit {code}, stderr:\n{stderr}")));
        }
        return Ok(());
    }
    if let Some(e) = &read.error {
        return Err(fail("binary-accepts-what-library-refuses", e.clone()));
    }
    for name in ["articles", "threads", "comments", "anomalies"] {
        let file = out.join(format!("{name}.jsonl"));
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains("root:") || stderr.contains("root:") {
            return Err(fail("external-entity-read", format!("`root:` in {name}.jsonl")));
        }
    }
    let comments = lines_of(&out.join("comments.jsonl"))
        .ok_or_else(|| fail("binary-table-missing", "comments.jsonl"))?;
    let threads = lines_of(&out.join("threads.jsonl"))
        .ok_or_else(|| fail("binary-table-missing", "threads.jsonl"))?;
    let anomalies = lines_of(&out.join("anomalies.jsonl"))
        .ok_or_else(|| fail("binary-table-missing", "anomalies.jsonl"))?;
    let repeated = anomalies.iter().filter(|l| l.contains("\"repeated_record\"")).count();
    if comments.len() + repeated != read.comments_in {
        return Err(fail(
            "binary-comment-lost",
            format!(
                "{} rows + {repeated} repeated records; the library read {}",
                comments.len(),
                read.comments_in
            ),
        ));
    }
    let tops = comments
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("depth").and_then(|d| d.as_i64()) == Some(1))
        .count();
    if tops != threads.len() {
        return Err(fail(
            "binary-threads",
            format!("{} thread rows, {tops} comments at depth 1", threads.len()),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The campaign.

/// How a run of cases is made and checked.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    /// First case number (a restarted campaign goes on after the case that hung).
    pub start: u64,
    /// Stop after this many cases…
    pub cases: u64,
    /// …or at this time.
    pub until: Option<Instant>,
    /// One case in `binary_every` also goes through the binary.
    pub binary_every: u64,
    pub bin: Option<PathBuf>,
    pub bounds: Bounds,
    /// Check the time bound in the library (campaign, optimised builds).
    pub timed: bool,
    /// Check the time bound of the binary (campaign, a release binary), allowing for its
    /// start-up time on this machine.
    pub timed_binary: bool,
    /// Restrict to one format.
    pub only: Option<Kind>,
    /// Where failing inputs are written.
    pub crashes: Option<PathBuf>,
}

/// What a run found: failures grouped by what broke, with the first few cases of each.
#[derive(Debug, Default)]
pub struct Outcome {
    pub cases: u64,
    /// The binary's start-up time measured for its time bound.
    pub startup: Option<Duration>,
    pub binary_runs: u64,
    pub failures: BTreeMap<String, Vec<(u64, String, String)>>,
}

impl Outcome {
    pub fn report(&self) -> String {
        let mut s = format!("{} cases, {} through the binary", self.cases, self.binary_runs);
        for (what, list) in &self.failures {
            let _ = write!(s, "\n{what}: {} case(s)", list.len());
            for (i, name, detail) in list.iter().take(3) {
                let detail: String = detail.chars().take(300).collect();
                let _ = write!(s, "\n  case {i} {name}: {detail}");
            }
        }
        s
    }
}

/// The case being checked, for the watchdog.
static CURRENT: Mutex<Option<(u64, Instant, Case)>> = Mutex::new(None);

fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// Writes a failing input and what broke beside it.
fn save_crash(dir: &Path, cfg: &Config, index: u64, case: &Case, f: &Failure) {
    let _ = std::fs::create_dir_all(dir);
    let base = format!("{}-seed{}-case{index}", slug(&f.what), cfg.seed);
    let _ = std::fs::write(dir.join(format!("{base}.{}", case.kind.ext())), &case.bytes);
    let note = format!(
        "what broke: {}\ndetail: {}\ncase: {} ({} bytes)\nformat: {:?}\nseed: {} case: {index}\n\
         again: scripts/fuzz --seed {} --start {index} --cases 1{}\n",
        f.what,
        f.detail,
        case.name,
        case.bytes.len(),
        case.kind,
        cfg.seed,
        cfg.seed,
        if cfg.bounds.foreign { " --unbounded" } else { "" },
    ) + &cfg
        .only
        .map(|k| format!("(with --format {})\n", kind_name(k)))
        .unwrap_or_default();
    let _ = std::fs::write(dir.join(format!("{base}.txt")), note);
}

/// Starts a thread that, when one case runs past `limit`, saves it and ends the process
/// (exit code 3) so that `scripts/fuzz` goes on after it.
fn watchdog(cfg: Config, limit: Duration) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let cur = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((index, started, case)) = cur.as_ref() {
                let allowed = limit + time_bound(case.bytes.len()) * 10;
                if started.elapsed() > allowed {
                    let f = fail(
                        "library-hang",
                        format!("still running after {:?}", started.elapsed()),
                    );
                    if let Some(dir) = &cfg.crashes {
                        save_crash(dir, &cfg, *index, case, &f);
                        // Where scripts/fuzz goes on.
                        let _ = std::fs::write(dir.join(".resume"), (index + 1).to_string());
                    }
                    eprintln!("fuzz: case {index} {} hangs: saved; stopping (exit 3)", case.name);
                    std::process::exit(3);
                }
            }
        }
    });
}

/// Makes and checks cases per `cfg`.
pub fn run(cfg: &Config) -> Outcome {
    let scorers = Scorers::shipped();
    let mut outcome = Outcome::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("case");
    // The binary's start-up time here: the fastest of three runs on a tiny input.
    let startup = match (&cfg.bin, cfg.timed_binary) {
        (Some(bin), true) => {
            let tiny = dir.path().join("tiny.json");
            std::fs::write(&tiny, Kind::Hn.fixture()).expect("write");
            let out = dir.path().join("tiny-out");
            let limit = Duration::from_secs(60);
            (0..3).filter_map(|_| run_binary(bin, &tiny, &out, limit).ok().map(|(_, _, t)| t)).min()
        }
        _ => None,
    };
    outcome.startup = startup;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for index in cfg.start..cfg.start.saturating_add(cfg.cases) {
        if cfg.until.is_some_and(|t| Instant::now() >= t) {
            break;
        }
        let case = make_case(cfg.seed, index, &cfg.bounds, cfg.only);
        let source = format!("{}.{}", source.display(), case.kind.ext());
        if let Some(dir) = &cfg.crashes {
            // A process that dies in a case (a stack overflow aborts, the kernel kills on
            // memory) leaves it here; scripts/fuzz saves it and goes on after it.
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(".current"), &case.bytes);
            let _ = std::fs::write(
                dir.join(".current.txt"),
                format!("{index}\n{}\n{}\n", case.kind.ext(), case.name),
            );
        }
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((index, Instant::now(), case.clone()));
        let check = |case: &Case| {
            let start = Instant::now();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                check_library(case, &source, &scorers)
            }));
            (start.elapsed(), r)
        };
        let (took, r) = check(&case);
        let mut result = match r {
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(fail("panic", msg))
            }
            Ok(r) => r,
        };
        if cfg.timed && result.is_ok() && took > time_bound(case.bytes.len()) {
            // Timed twice, so that a busy machine does not make a failure.
            let (again, _) = check(&case);
            if again > time_bound(case.bytes.len()) {
                result = Err(fail(
                    "library-time-bound",
                    format!(
                        "{again:?} for {} bytes (bound {:?})",
                        case.bytes.len(),
                        time_bound(case.bytes.len())
                    ),
                ));
            }
        }
        if let (Ok(read), Some(bin)) = (&result, &cfg.bin)
            && (index % cfg.binary_every.max(1) == 0 || case.name.contains("xxe"))
        {
            outcome.binary_runs += 1;
            let mut r = check_binary(&case, bin, dir.path(), read, startup);
            if matches!(&r, Err(f) if f.what == "binary-time-bound") {
                r = check_binary(&case, bin, dir.path(), read, startup);
            }
            if let Err(f) = r {
                result = Err(f);
            }
        }
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
        outcome.cases += 1;
        if let Err(f) = result {
            let what = format!("{} [{}]", f.what, kind_name(case.kind));
            let n = seen.entry(what.clone()).or_default();
            *n += 1;
            if let (Some(dir), true) = (&cfg.crashes, *n <= 3) {
                save_crash(dir, cfg, index, &case, &f);
            }
            outcome.failures.entry(what).or_default().push((index, case.name.clone(), f.detail));
        }
    }
    if let Some(dir) = &cfg.crashes {
        let _ = std::fs::remove_file(dir.join(".current"));
        let _ = std::fs::remove_file(dir.join(".current.txt"));
    }
    outcome
}

/// The campaign: `scripts/fuzz` runs it with `cargo test --release … fuzz::campaign --
/// --ignored`, configured by `THREADLENS_FUZZ_SEED` (default 13), `_SECONDS` (60),
/// `_START` (0), `_CASES` (unlimited), `_BIN` (a `threadlens` binary to run one case in 8
/// through), `_CRASHES` (a folder for failing inputs), `_UNBOUNDED` (1: lift the known-bug
/// bounds), `_FORMAT` (only this format: `text`, `wphtml`, `wpdiscuz`, `wprest`, `reddit`,
/// `hn`, `wxr`, `disqus`, `csv`, `tsv`, `jsonl`). Fails when anything broke; exit code 3
/// when a case hung (it is saved).
#[test]
#[ignore = "a campaign: run by scripts/fuzz"]
fn campaign() {
    let var = |k: &str| std::env::var(format!("THREADLENS_FUZZ_{k}")).ok();
    let num = |k: &str, d: u64| var(k).map_or(d, |v| v.parse().expect("a number"));
    let seconds = num("SECONDS", 60);
    let cfg = Config {
        seed: num("SEED", 13),
        start: num("START", 0),
        cases: num("CASES", u64::MAX),
        until: Some(Instant::now() + Duration::from_secs(seconds)),
        binary_every: 8,
        bin: var("BIN").map(PathBuf::from),
        bounds: if var("UNBOUNDED").as_deref() == Some("1") {
            Bounds::lifted()
        } else {
            Bounds::today()
        },
        timed: !cfg!(debug_assertions),
        timed_binary: var("BIN").is_some(),
        only: var("FORMAT").map(|f| {
            *Kind::ALL.iter().find(|k| kind_name(**k) == f).unwrap_or_else(|| {
                panic!("THREADLENS_FUZZ_FORMAT: one of {:?}", Kind::ALL.map(kind_name))
            })
        }),
        crashes: var("CRASHES").map(PathBuf::from),
    };
    // A case that hangs is saved and ends the process; scripts/fuzz goes on after it.
    let limit = if cfg!(debug_assertions) { 120 } else { 30 };
    watchdog(cfg.clone(), Duration::from_secs(limit));
    // Cases run on a thread with the stack of a process's main thread (8 MiB), where the
    // CLI parses its inputs; a test thread has 2 MiB, and a ~2,000-deep Reddit JSON chain,
    // mutated, overflows that in `parse_bytes` (seed 99, case 6681): reported under #13.
    let outcome = {
        let cfg = cfg.clone();
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || run(&cfg))
            .expect("start the campaign thread")
            .join()
            .expect("the campaign thread does not panic")
    };
    let report = outcome.report();
    eprintln!("fuzz: seed {}, from case {}: {report}", cfg.seed, cfg.start);
    if let Some(s) = outcome.startup {
        eprintln!("fuzz: the binary's start-up time here: {s:?}");
    }
    assert!(outcome.failures.is_empty(), "the campaign found failures:\n{report}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::Workdir;

    fn cfg(cases: u64, binary_every: u64, only: Option<Kind>) -> Config {
        Config {
            seed: 13,
            start: 0,
            cases,
            until: None,
            binary_every,
            bin: None,
            bounds: Bounds::small(),
            timed: false,
            timed_binary: false,
            only,
            crashes: None,
        }
    }

    #[track_caller]
    fn assert_clean(outcome: &Outcome) {
        assert!(outcome.failures.is_empty(), "{}", outcome.report());
    }

    /// Every format, 30 cases each, through the library, with a fixed seed.
    #[test]
    fn fuzz_every_format_fixed_seed() {
        for kind in Kind::ALL {
            let outcome = run(&cfg(30, 1, Some(kind)));
            assert_eq!(outcome.cases, 30);
            assert_clean(&outcome);
        }
    }

    /// A mix of formats, one case in 10 also through the binary.
    #[test]
    fn fuzz_through_the_binary_fixed_seed() {
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_threadlens"));
        let outcome = run(&Config { bin: Some(bin), start: 1_000, ..cfg(120, 10, None) });
        assert!(outcome.binary_runs >= 12, "{}", outcome.report());
        assert_clean(&outcome);
    }

    /// The generators write what they say: each valid tree is read back with its comments
    /// and links (a check of the harness itself: it must be able to fail).
    #[test]
    fn fuzz_generated_trees_are_read_back() {
        let b = Bounds::small();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let scorers = Scorers::none();
        for kind in Kind::ALL {
            let shape = if kind.links_by_id() { Shape::Broken } else { Shape::Bushy };
            let specs = draw_tree(&mut rng, kind, 25, shape, &b);
            let case = Case {
                name: "tree".into(),
                kind,
                bytes: render(kind, &specs).into_bytes(),
                expect: Expect {
                    comments: Some(specs.len()),
                    links: (kind != Kind::Text).then(|| expected_links(kind, &specs)),
                    ..Expect::default()
                },
            };
            let source = format!("t/case.{}", kind.ext());
            let read = check_library(&case, &source, &scorers).unwrap_or_else(|f| {
                panic!("{kind:?}: {f:?}\n{}", String::from_utf8_lossy(&case.bytes))
            });
            assert_eq!(read.comments_in, specs.len(), "{kind:?}");
            // A comment dropped from the input is caught.
            let mut fewer = case.clone();
            fewer.expect.comments = Some(specs.len() + 1);
            assert!(check_library(&fewer, &source, &scorers).is_err(), "{kind:?}");
        }
    }

    /// Billion laughs: refused or left unexpanded (the output stays small).
    #[test]
    fn xml_billion_laughs_is_refused_or_left_unexpanded() {
        for kind in [Kind::Wxr, Kind::Disqus] {
            let bytes = billion_laughs(kind);
            let source = format!("laughs.{}", kind.ext());
            match parse_bytes(&bytes, &source, &ParseOptions::default()) {
                Err(e) => assert!(e.to_string().starts_with(&source), "{e}"),
                Ok(docs) => {
                    for d in &docs {
                        let text: usize = d
                            .comments
                            .iter()
                            .map(|c| c.text.len() + c.author.as_ref().map_or(0, |a| a.len()))
                            .sum::<usize>()
                            + d.article.title.as_ref().map_or(0, |t| t.len());
                        assert!(text < 10_000, "{kind:?}: {text} bytes of text: expanded");
                        assert!(d.comments.iter().all(|c| !c.text.contains("lollol")), "{kind:?}");
                    }
                }
            }
        }
    }

    /// XXE: an external entity on `/etc/passwd` is never read, through the library and
    /// through the binary (no `root:` in any table or message).
    #[test]
    fn xml_external_entity_is_never_read() {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        // The check can fail only where the file holds `root:`; say so rather than pass
        // vacuously.
        assert!(passwd.contains("root:"), "this test needs an /etc/passwd holding `root:`");
        let wd = Workdir::new();
        for kind in [Kind::Wxr, Kind::Disqus] {
            let bytes = xxe(kind);
            let name = format!("xxe.{}", kind.ext());
            if let Ok(docs) = parse_bytes(&bytes, &name, &ParseOptions::default()) {
                let dump = format!("{docs:?}");
                assert!(!dump.contains("root:"), "{kind:?}: /etc/passwd read");
            }
            wd.create(&name, &bytes);
            let out = format!("out-{}", kind.ext());
            let run =
                wd.run(&["analyse", &name, "--out", &out, "--format", "jsonl", "--no-scores"]);
            assert!(!run.stderr.contains("root:") && !run.stdout.contains("root:"), "{run:?}");
            if let Ok(entries) = std::fs::read_dir(wd.join(&out)) {
                for e in entries {
                    let text =
                        std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default();
                    assert!(!text.contains("root:"), "{kind:?}: /etc/passwd in the tables");
                }
            }
        }
    }

    /// Found by the campaign (seed 7, case 265): a WXR export whose closing tag name holds a
    /// newline gives an error message on two lines, as the XML reader quotes the tag as
    /// written; an error is one line naming the file (issue #13, item 13: messages).
    #[test]
    fn r13_xml_error_on_one_line() {
        let text = String::from_utf8(Kind::Wxr.fixture().to_vec()).expect("utf8");
        let broken = text.replacen("</wp:comment_date_gmt>", "</wp:\nomment_date_gmt>", 1);
        let e = parse_bytes(broken.as_bytes(), "dir/export.xml", &ParseOptions::default())
            .expect_err("ill-formed");
        let msg = e.to_string();
        assert!(msg.starts_with("dir/export.xml: "), "{msg}");
        assert_eq!(msg.lines().count(), 1, "{msg}");
    }

    /// The same seed makes the same cases (a saved crash can be made again).
    #[test]
    fn fuzz_cases_are_reproducible() {
        let b = Bounds::small();
        for i in 0..50 {
            let (x, y) = (make_case(5, i, &b, None), make_case(5, i, &b, None));
            assert_eq!((x.name, x.bytes), (y.name, y.bytes));
        }
        assert_ne!(make_case(5, 1, &b, None).bytes, make_case(6, 1, &b, None).bytes);
    }
}
