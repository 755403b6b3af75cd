//! Synthetic reader-comment corpora for the benchmarks: `examples/gen_corpus.rs` writes them
//! to disk for `scripts/bench`, and the criterion benches in `benches/` build them in memory
//! (each includes this file with `#[path]`, so the library gains no public API for it).
//!
//! Deterministic: a corpus depends only on the seed and the number of comments. The sizes of
//! the discussions come from stream 0 of a ChaCha8 generator seeded with the seed, discussion
//! `k` from stream `k + 1`; only `+ - * /` and `sqrt` are used on floats (`ln` and `exp` are
//! written out below, as the platform's libm may differ in the last bit), so the bytes are the
//! same on every platform. A corpus of N comments is a prefix of one of M > N comments, but
//! for its last discussion, cut to make N exactly.
//!
//! Shapes, as in news comment sections:
//! - discussion sizes log-normal (median 20 comments, σ 1.6, at most 10,000): many small
//!   discussions, a few with thousands;
//! - 40–65% of a discussion's comments are top level; a reply goes to one of the last 20
//!   comments (30%) or to an earlier comment picked with weight 1 + 2 × its replies so far
//!   (preferential attachment); 0.4% of replies open a chain of back-and-forth replies between
//!   two authors, of Pareto length (P(length ≥ l) = 2/l, at most 1,000): chains of tens are
//!   common, a 1,000-deep one rare;
//! - comment lengths log-normal (median 150 characters, σ 0.9, 8 to 3,000), sentences from a
//!   word list, with agree/disagree openers on replies (more in chains), uncivil phrases in 8%
//!   of comments (25% in chains), a quoted line from the parent in 3% of replies, empty
//!   (deleted) text in 0.5%;
//! - authors from a pool of 200,000 with Zipf-like activity (weight rank^-0.9); timestamps
//!   increase within a discussion, gaps growing as it ages.
#![allow(dead_code)] // each bench uses a part

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seed `scripts/bench` and the criterion benches use.
pub const SEED: u64 = 20_240_601;
/// Discussion 0 is published at 2021-01-01T00:00:00Z; each later one 45 minutes after.
pub const BASE_TIME: i64 = 1_609_459_200;
const DISCUSSION_SPACING: i64 = 2_700;
const AUTHOR_POOL: usize = 200_000;
const MAX_DISCUSSION: u32 = 10_000;
const MAX_CHAIN: u32 = 1_000;

/// One comment of a synthetic discussion.
#[derive(Clone, Debug)]
pub struct Comment {
    /// Corpus-wide id, from 1 (WordPress-like).
    pub id: u64,
    /// Index (in [`Discussion::comments`]) of the comment replied to; `None` at top level.
    pub parent: Option<usize>,
    /// Depth from the article: 1 = top level.
    pub depth: u32,
    pub author: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub text: String,
}

/// One synthetic discussion: an article and its comments in posting order (a parent always
/// before its replies).
#[derive(Clone, Debug)]
pub struct Discussion {
    pub id: String,
    pub title: String,
    pub published: i64,
    /// Paragraphs separated by blank lines.
    pub body: String,
    pub comments: Vec<Comment>,
}

impl Discussion {
    /// The id of the comment a comment replies to.
    pub fn parent_id(&self, c: &Comment) -> Option<u64> {
        c.parent.map(|p| self.comments[p].id)
    }

    /// The replies of each comment (by index), in posting order.
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.comments.len()];
        for (i, c) in self.comments.iter().enumerate() {
            if let Some(p) = c.parent {
                out[p].push(i);
            }
        }
        out
    }
}

/// Makes discussions for one seed.
pub struct Generator {
    seed: u64,
    /// Cumulative author weights (Zipf-like), for a binary search.
    author_cdf: Vec<f64>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let mut cdf = Vec::with_capacity(AUTHOR_POOL);
        let mut total = 0.0;
        for rank in 1..=AUTHOR_POOL {
            total += exp(-0.9 * ln(rank as f64));
            cdf.push(total);
        }
        Generator { seed, author_cdf: cdf }
    }

    fn rng(&self, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream);
        rng
    }

    /// Discussion sizes adding up to exactly `total` comments (the last one cut).
    pub fn sizes(&self, total: u64) -> Vec<u32> {
        let mut rng = self.rng(0);
        let mut out = Vec::new();
        let mut left = total;
        while left > 0 {
            let z = normal(&mut rng);
            let n = (20.0 * exp(1.6 * z)).round().clamp(1.0, f64::from(MAX_DISCUSSION)) as u64;
            let n = n.min(left);
            out.push(n as u32);
            left -= n;
        }
        out
    }

    /// The discussions of a corpus of `total` comments, made one at a time.
    pub fn corpus(&self, total: u64) -> impl Iterator<Item = Discussion> + '_ {
        let mut next_id = 1;
        self.sizes(total).into_iter().enumerate().map(move |(k, n)| {
            let d = self.discussion(k as u64, n, next_id);
            next_id += u64::from(n);
            d
        })
    }

    /// Discussion number `index` (from 0) with `n` comments whose ids start at `first_id`.
    pub fn discussion(&self, index: u64, n: u32, first_id: u64) -> Discussion {
        let mut rng = self.rng(index + 1);
        let published = BASE_TIME + index as i64 * DISCUSSION_SPACING;
        let title = title(&mut rng);
        let body = (0..rng.random_range(3..7u32))
            .map(|_| {
                let len = 250 + rng.random_range(0..300u32) as usize;
                sentences(&mut rng, len)
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        let n = n as usize;
        let mut comments: Vec<Comment> = Vec::with_capacity(n);
        // Each comment once, plus twice per reply it has had: a uniform pick from the pool is
        // a pick with weight 1 + 2 × replies.
        let mut pool: Vec<usize> = Vec::with_capacity(2 * n);
        let top_share = 0.4 + 0.25 * rng.random::<f64>();
        let mut t = published + 60 + rng.random_range(0..600i64);
        let mut add = |comments: &mut Vec<Comment>,
                       pool: &mut Vec<usize>,
                       rng: &mut ChaCha8Rng,
                       parent: Option<usize>,
                       author: String,
                       mood: Mood,
                       gap: f64| {
            let i = comments.len();
            t += 1 + (gap * exponential(rng)) as i64;
            let depth = parent.map_or(1, |p| comments[p].depth + 1);
            let quote = parent
                .filter(|_| rng.random::<f64>() < 0.03)
                .and_then(|p| first_sentence(&comments[p].text))
                .map(str::to_string);
            let text = comment_text(rng, mood, quote.as_deref());
            comments.push(Comment {
                id: first_id + i as u64,
                parent,
                depth,
                author,
                timestamp: t,
                text,
            });
            pool.push(i);
            if let Some(p) = parent {
                pool.push(p);
                pool.push(p);
            }
        };
        while comments.len() < n {
            let i = comments.len();
            // Replies come more slowly as the discussion ages.
            let gap = 30.0 * (1.0 + i as f64 / 1000.0);
            if i == 0 || rng.random::<f64>() < top_share {
                let author = self.author(&mut rng);
                add(&mut comments, &mut pool, &mut rng, None, author, Mood::TopLevel, gap);
                continue;
            }
            let parent = if rng.random::<f64>() < 0.3 {
                i - 1 - rng.random_range(0..i.min(20) as u32) as usize
            } else {
                pool[rng.random_range(0..pool.len() as u32) as usize]
            };
            if rng.random::<f64>() < 0.004 && n - i >= 3 {
                // A back-and-forth chain: a new author and the parent's, alternating.
                let len = (2.0 / (1.0 - rng.random::<f64>())).floor() as u64;
                let len = len.clamp(3, u64::from(MAX_CHAIN)).min((n - i) as u64) as usize;
                let pair = [self.author(&mut rng), comments[parent].author.clone()];
                let mut at = parent;
                for k in 0..len {
                    let author = pair[k % 2].clone();
                    add(&mut comments, &mut pool, &mut rng, Some(at), author, Mood::Chain, 240.0);
                    at = comments.len() - 1;
                }
                continue;
            }
            let author = self.author(&mut rng);
            add(&mut comments, &mut pool, &mut rng, Some(parent), author, Mood::Reply, gap);
        }
        Discussion { id: format!("d{index:07}"), title, published, body, comments }
    }

    fn author(&self, rng: &mut ChaCha8Rng) -> String {
        let x = rng.random::<f64>() * self.author_cdf[AUTHOR_POOL - 1];
        let i = self.author_cdf.partition_point(|&c| c <= x).min(AUTHOR_POOL - 1);
        author_name(i)
    }
}

/// A handle for author number `i`: `GrumpyReader`, `HonestTaxpayer17`, …
pub fn author_name(i: usize) -> String {
    let a = AUTHOR_ADJECTIVES[i % AUTHOR_ADJECTIVES.len()];
    let n = AUTHOR_NOUNS[(i / AUTHOR_ADJECTIVES.len()) % AUTHOR_NOUNS.len()];
    match i / (AUTHOR_ADJECTIVES.len() * AUTHOR_NOUNS.len()) {
        0 => format!("{a}{n}"),
        k => format!("{a}{n}{k}"),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mood {
    TopLevel,
    Reply,
    Chain,
}

fn comment_text(rng: &mut ChaCha8Rng, mood: Mood, quote: Option<&str>) -> String {
    if rng.random::<f64>() < 0.005 {
        return String::new(); // deleted
    }
    let len = (115.0 * exp(0.9 * normal(rng))).clamp(8.0, 3000.0) as usize;
    let (disagree, agree, uncivil) = match mood {
        Mood::TopLevel => (0.05, 0.05, 0.08),
        Mood::Reply => (0.12, 0.10, 0.08),
        Mood::Chain => (0.45, 0.10, 0.25),
    };
    let mut out = String::with_capacity(len + 64);
    if let Some(q) = quote {
        out.push_str("> ");
        out.push_str(q);
        out.push_str("\n\n");
    }
    let u = rng.random::<f64>();
    if u < disagree {
        out.push_str(pick(rng, DISAGREE));
        out.push(' ');
    } else if u < disagree + agree {
        out.push_str(pick(rng, AGREE));
        out.push(' ');
    }
    let mut body = sentences(rng, len);
    if rng.random::<f64>() < uncivil {
        for _ in 0..rng.random_range(1..3u32) {
            let phrase = uncivil_phrase(rng);
            // At a sentence boundary, or at the end.
            let cuts: Vec<usize> = body.match_indices(". ").map(|(i, _)| i + 2).collect();
            let at = if cuts.is_empty() {
                body.len()
            } else {
                cuts[rng.random_range(0..cuts.len() as u32) as usize]
            };
            let sep = if at == body.len() { " " } else { "" };
            let tail = if at == body.len() { "" } else { " " };
            body.insert_str(at, &format!("{sep}{phrase}{tail}"));
        }
    }
    out.push_str(&body);
    if rng.random::<f64>() < 0.03 {
        out = out.replace('\'', "’");
    }
    if rng.random::<f64>() < 0.01 {
        out.push_str(" 🙂");
    }
    out
}

fn uncivil_phrase(rng: &mut ChaCha8Rng) -> String {
    let insult = pick(rng, INSULTS);
    let adj = pick(rng, ASPERSIONS);
    let noun = pick(rng, CONTENT);
    match rng.random_range(0..7u32) {
        0 => format!("You {insult}."),
        1 => format!("What a {insult}."),
        2 => format!("This {noun} is {adj}."),
        3 => format!("Utter {}.", pick(rng, PEJORATIVES)),
        4 => format!("Stop lying, you {insult}."),
        5 => format!("{} {adj}.", pick(rng, VULGAR_OPENERS)),
        _ => format!("Only a {insult} would believe this {noun}, you liar."),
    }
}

/// Sentences from the word lists, at least `len` characters in all, in paragraphs of about
/// four sentences.
fn sentences(rng: &mut ChaCha8Rng, len: usize) -> String {
    let mut out = String::with_capacity(len + 120);
    let mut in_paragraph = 0;
    while out.len() < len {
        if !out.is_empty() {
            if in_paragraph >= 4 && rng.random::<f64>() < 0.5 {
                out.push_str("\n\n");
                in_paragraph = 0;
            } else {
                out.push(' ');
            }
        }
        let words = rng.random_range(4..17u32);
        for w in 0..words {
            let word =
                if rng.random::<f64>() < 0.45 { pick(rng, FUNCTION) } else { pick(rng, CONTENT) };
            if w == 0 {
                let mut cs = word.chars();
                if let Some(first) = cs.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
                if w + 1 < words && rng.random::<f64>() < 0.06 {
                    out.push(',');
                }
            }
        }
        let u = rng.random::<f64>();
        out.push(if u < 0.85 {
            '.'
        } else if u < 0.95 {
            '?'
        } else {
            '!'
        });
        in_paragraph += 1;
    }
    out
}

fn title(rng: &mut ChaCha8Rng) -> String {
    let mut t = String::new();
    for w in 0..rng.random_range(5..11u32) {
        if w > 0 {
            t.push(' ');
        }
        let word = pick(rng, CONTENT);
        if w == 0 {
            let mut cs = word.chars();
            if let Some(first) = cs.next() {
                t.extend(first.to_uppercase());
                t.push_str(cs.as_str());
            }
        } else {
            t.push_str(word);
        }
    }
    t
}

fn first_sentence(text: &str) -> Option<&str> {
    let text = text.trim_start_matches(['>', ' ']);
    let end = text.find(['.', '?', '!']).map_or(text.len(), |i| i + 1);
    let s = text[..end].trim();
    (!s.is_empty() && !s.contains('\n')).then_some(s)
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len() as u32) as usize]
}

/// A standard normal variate, near enough: the Irwin–Hall sum of 12 uniforms, less 6 (tails cut
/// at ±6σ; arithmetic only).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0
}

/// An exponential variate with mean 1.
fn exponential(rng: &mut ChaCha8Rng) -> f64 {
    -ln(1.0 - rng.random::<f64>())
}

/// The natural logarithm of `x > 0` from `+ - * /` only (the same bits on every platform):
/// `x = m 2^e` with `m` in [√½, √2], then `ln m = 2 atanh((m - 1) / (m + 1))` as a series.
pub fn ln(x: f64) -> f64 {
    assert!(x.is_normal() && x > 0.0, "ln of {x}");
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let (mut term, mut sum) = (s, 0.0);
    for k in 0..14 {
        sum += term / f64::from(2 * k + 1);
        term *= s2;
    }
    2.0 * sum + e as f64 * std::f64::consts::LN_2
}

/// `e^x` from `+ - * /` only: `x = k ln 2 + r`, a Taylor series for `e^r`, times `2^k`.
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / std::f64::consts::LN_2).round();
    let r = x - k * std::f64::consts::LN_2;
    let (mut term, mut sum) = (1.0, 1.0);
    for i in 1..22 {
        term *= r / f64::from(i);
        sum += term;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// A corpus as JSON Lines, one comment per line: `id`, `parent_id` (null at top level),
/// `article_id`, `author`, `timestamp` (Unix seconds), `text`.
pub fn write_jsonl(d: &Discussion, out: &mut String) {
    for c in &d.comments {
        let parent = match d.parent_id(c) {
            Some(p) => format!("\"{p}\""),
            None => "null".to_string(),
        };
        let _ = writeln!(
            out,
            "{{\"id\":\"{}\",\"parent_id\":{parent},\"article_id\":\"{}\",\"author\":{},\"timestamp\":{},\"text\":{}}}",
            c.id,
            d.id,
            json_string(&c.author),
            c.timestamp,
            json_string(&c.text)
        );
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A saved WordPress article page (classic theme, `wp_list_comments` HTML5 markup) with the
/// discussion's comments nested in `ol.children` lists, `depth-N` classes as WordPress writes
/// them (no depth limit: WordPress flattens replies past its `thread_comments_depth`, at most
/// 10, which would lose the tree).
pub fn html_page(d: &Discussion) -> String {
    let mut out =
        String::with_capacity(d.comments.iter().map(|c| c.text.len() + 700).sum::<usize>() + 4000);
    let slug = d.title.to_lowercase().replace(' ', "-");
    let url = format!("https://synthetic-herald.example/{}/{slug}/", d.id);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"UTF-8\">\n\
         <title>{t} &#8211; The Synthetic Herald</title>\n\
         <link rel=\"canonical\" href=\"{url}\">\n\
         <meta property=\"og:title\" content=\"{t}\">\n\
         <meta property=\"og:site_name\" content=\"The Synthetic Herald\">\n\
         <meta property=\"article:published_time\" content=\"{p}\">\n\
         <meta name=\"author\" content=\"{a}\">\n</head>\n\
         <body class=\"post-template-default single single-post\">\n\
         <nav class=\"menu\"><ul><li><a href=\"/\">Home</a><ul class=\"children\"><li>News</li></ul></li></ul></nav>\n\
         <main id=\"main\" class=\"site-main\">\n<article class=\"post type-post status-publish\">\n\
         <header class=\"entry-header\"><h1 class=\"entry-title\">{t}</h1></header>\n\
         <div class=\"entry-content\">\n",
        t = escape(&d.title),
        p = iso_time(d.published),
        a = escape(&author_name(d.published as usize % 97)),
    );
    paragraphs(&d.body, &mut out);
    let _ = write!(
        out,
        "</div>\n</article>\n<div id=\"comments\" class=\"comments-area\">\n\
         <h2 class=\"comments-title\">{} thoughts on &ldquo;{}&rdquo;</h2>\n<ol class=\"commentlist\">\n",
        d.comments.len(),
        escape(&d.title)
    );
    let children = d.children();
    enum Step {
        Open(usize),
        Close(usize),
    }
    let mut stack: Vec<Step> = d
        .comments
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, c)| c.parent.is_none())
        .map(|(i, _)| Step::Open(i))
        .collect();
    let mut parity = 0usize;
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(i) => {
                let c = &d.comments[i];
                let even = if parity.is_multiple_of(2) { "even" } else { "odd" };
                parity += 1;
                let top =
                    if c.parent.is_none() { format!(" thread-{even}") } else { String::new() };
                let _ = write!(
                    out,
                    "<li id=\"comment-{id}\" class=\"comment {even}{top} depth-{depth}\">\n\
                     <article id=\"div-comment-{id}\" class=\"comment-body\">\n\
                     <footer class=\"comment-meta\">\n<div class=\"comment-author vcard\">\
                     <img alt=\"\" src=\"https://synthetic-herald.example/avatar.png\" class=\"avatar avatar-32 photo\" height=\"32\" width=\"32\">\
                     <b class=\"fn\">{author}</b> <span class=\"says\">says:</span></div>\n\
                     <div class=\"comment-metadata\"><a href=\"{url}#comment-{id}\">\
                     <time datetime=\"{iso}\">{human}</time></a></div>\n</footer>\n\
                     <div class=\"comment-content\">\n",
                    id = c.id,
                    depth = c.depth,
                    author = escape(&c.author),
                    iso = iso_time(c.timestamp),
                    human = human_time(c.timestamp),
                );
                paragraphs(&c.text, &mut out);
                let _ = write!(
                    out,
                    "</div>\n<div class=\"reply\"><a rel=\"nofollow\" class=\"comment-reply-link\" \
                     href=\"{url}?replytocom={id}#respond\" data-commentid=\"{id}\">Reply</a></div>\n\
                     </article>\n",
                    id = c.id
                );
                if children[i].is_empty() {
                    out.push_str("</li>\n");
                } else {
                    out.push_str("<ol class=\"children\">\n");
                    stack.push(Step::Close(i));
                    stack.extend(children[i].iter().rev().map(|&k| Step::Open(k)));
                }
            }
            Step::Close(_) => out.push_str("</ol>\n</li>\n"),
        }
    }
    out.push_str(
        "</ol>\n<div id=\"respond\" class=\"comment-respond\"><h3 id=\"reply-title\" class=\"comment-reply-title\">\
         Leave a Reply</h3><form action=\"/wp-comments-post.php\" method=\"post\" id=\"commentform\" class=\"comment-form\">\
         <textarea id=\"comment\" name=\"comment\"></textarea><input name=\"submit\" type=\"submit\" value=\"Post Comment\">\
         </form></div>\n</div>\n</main>\n\
         <aside id=\"secondary\" class=\"widget-area\"><ul class=\"children\"><li class=\"comment\">Recent comments</li></ul></aside>\n\
         </body>\n</html>\n",
    );
    out
}

/// Paragraphs as `<p>`s; a paragraph of `> ` lines as a blockquote.
fn paragraphs(text: &str, out: &mut String) {
    for p in text.split("\n\n").filter(|p| !p.is_empty()) {
        match p.strip_prefix("> ") {
            Some(q) => {
                let _ = writeln!(out, "<blockquote><p>{}</p></blockquote>", escape(q));
            }
            None => {
                let _ = writeln!(out, "<p>{}</p>", escape(p).replace('\n', "<br>\n"));
            }
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#8217;"),
            c => out.push(c),
        }
    }
    out
}

fn iso_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("in range")
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

fn human_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("in range")
        .format("%B %-d, %Y at %-I:%M %P")
        .to_string()
}

const AUTHOR_ADJECTIVES: &[&str] = &[
    "Grumpy",
    "Honest",
    "Angry",
    "Quiet",
    "Real",
    "Old",
    "Young",
    "Northern",
    "Southern",
    "Tired",
    "Curious",
    "Sceptical",
    "Sensible",
    "Plain",
    "Common",
    "Local",
    "Retired",
    "Proud",
    "Free",
    "Humble",
    "Weary",
    "Cheerful",
    "Blunt",
    "Frank",
    "Loyal",
    "Silent",
    "Simple",
    "Stubborn",
    "Worried",
    "Hopeful",
    "Modest",
    "Rural",
    "Urban",
    "Lone",
    "Wise",
    "Ordinary",
    "Fair",
    "Brave",
    "Candid",
    "Steady",
];

const AUTHOR_NOUNS: &[&str] = &[
    "Reader",
    "Voter",
    "Taxpayer",
    "Observer",
    "Citizen",
    "Commuter",
    "Pensioner",
    "Parent",
    "Worker",
    "Teacher",
    "Nurse",
    "Farmer",
    "Builder",
    "Driver",
    "Owl",
    "Badger",
    "Fox",
    "Hawk",
    "Thinker",
    "Walker",
    "Sailor",
    "Gardener",
    "Reporter",
    "Neighbour",
    "Resident",
    "Lurker",
    "Critic",
    "Realist",
    "Cynic",
    "Optimist",
    "Patriot",
    "Liberal",
    "Tory",
    "Socialist",
    "Moderate",
    "Scot",
    "Yorkshireman",
    "Brummie",
    "Cornishman",
    "Londoner",
];

/// Function words, drawn 45% of the time.
const FUNCTION: &[&str] = &[
    "the", "a", "to", "of", "and", "in", "is", "that", "it", "for", "this", "they", "we", "you",
    "not", "be", "have", "with", "on", "are", "but", "was", "as", "at", "their", "all", "so", "if",
    "or", "there", "what", "just", "will", "would", "can", "more", "about", "when", "who", "do",
    "no", "any", "some", "our", "them", "than", "then", "very", "only", "even", "also", "because",
    "how", "much", "should", "could", "been", "were", "has", "he", "she", "his", "her", "its",
    "my", "i", "me", "don't", "it's", "they're", "isn't", "can't",
];

/// Content words of news and its comments.
const CONTENT: &[&str] = &[
    "government",
    "council",
    "tax",
    "police",
    "minister",
    "policy",
    "people",
    "country",
    "money",
    "public",
    "housing",
    "schools",
    "hospital",
    "nurses",
    "doctors",
    "waiting",
    "lists",
    "prices",
    "energy",
    "bills",
    "wages",
    "jobs",
    "economy",
    "budget",
    "spending",
    "cuts",
    "services",
    "transport",
    "trains",
    "buses",
    "roads",
    "parking",
    "charges",
    "shops",
    "town",
    "city",
    "village",
    "community",
    "local",
    "national",
    "election",
    "vote",
    "voters",
    "party",
    "leader",
    "opposition",
    "parliament",
    "law",
    "court",
    "judge",
    "crime",
    "justice",
    "prison",
    "officers",
    "report",
    "article",
    "journalist",
    "media",
    "news",
    "story",
    "facts",
    "figures",
    "evidence",
    "research",
    "study",
    "climate",
    "weather",
    "flooding",
    "farmers",
    "food",
    "water",
    "rivers",
    "pollution",
    "planning",
    "developers",
    "homes",
    "rent",
    "landlords",
    "tenants",
    "families",
    "children",
    "parents",
    "pensioners",
    "pension",
    "benefits",
    "welfare",
    "immigration",
    "borders",
    "europe",
    "trade",
    "business",
    "companies",
    "profits",
    "banks",
    "interest",
    "rates",
    "inflation",
    "cost",
    "living",
    "strike",
    "union",
    "workers",
    "pay",
    "rise",
    "decision",
    "plan",
    "scheme",
    "proposal",
    "consultation",
    "years",
    "months",
    "week",
    "today",
    "yesterday",
    "tomorrow",
    "time",
    "problem",
    "solution",
    "answer",
    "question",
    "point",
    "reason",
    "example",
    "truth",
    "opinion",
    "argument",
    "debate",
    "change",
    "future",
    "history",
    "common",
    "sense",
    "simple",
    "clear",
    "important",
    "serious",
    "real",
    "good",
    "bad",
    "better",
    "worse",
    "fair",
    "unfair",
    "expensive",
    "cheap",
    "free",
    "new",
    "old",
    "young",
    "long",
    "short",
    "big",
    "small",
    "local",
    "honest",
    "wrong",
    "right",
    "true",
    "false",
    "obvious",
    "difficult",
    "easy",
    "likely",
    "never",
    "always",
    "often",
    "really",
    "actually",
    "probably",
    "certainly",
    "perhaps",
    "already",
    "still",
    "again",
    "here",
    "pay",
    "build",
    "fix",
    "cut",
    "raise",
    "stop",
    "start",
    "think",
    "know",
    "believe",
    "say",
    "said",
    "read",
    "write",
    "wrote",
    "agree",
    "support",
    "oppose",
    "need",
    "want",
    "get",
    "give",
    "take",
    "make",
    "made",
    "see",
    "look",
    "work",
    "works",
    "happen",
    "happened",
    "remember",
    "forget",
    "blame",
    "explain",
    "ignore",
    "listen",
    "understand",
    "vote",
];

const AGREE: &[&str] = &[
    "I agree.",
    "Exactly.",
    "Well said.",
    "Spot on.",
    "Absolutely.",
    "Good point.",
    "Agreed.",
    "You're right.",
    "Couldn't agree more.",
    "Fair point.",
];

const DISAGREE: &[&str] = &[
    "I disagree.",
    "No, that's not true.",
    "You're wrong.",
    "That's simply not the case.",
    "Not true.",
    "Nope.",
    "I don't agree.",
    "Wrong again.",
    "That is false.",
    "Not at all.",
];

const INSULTS: &[&str] = &[
    "idiot",
    "moron",
    "clown",
    "imbecile",
    "buffoon",
    "halfwit",
    "dimwit",
    "numpty",
    "troll",
    "fool",
    "nitwit",
    "hypocrite",
];

const ASPERSIONS: &[&str] = &[
    "pathetic",
    "disgraceful",
    "disgusting",
    "laughable",
    "ludicrous",
    "shameful",
    "despicable",
    "idiotic",
    "moronic",
    "vile",
];

const PEJORATIVES: &[&str] =
    &["drivel", "tripe", "twaddle", "claptrap", "codswallop", "hogwash", "garbage", "rubbish"];

const VULGAR_OPENERS: &[&str] =
    &["Bloody", "WTF, this is", "FFS, how", "Damn, so", "Crap, utterly"];

/// A discussion that is one chain of `n` replies, each to the one before (the deepest tree a
/// discussion of `n` comments can have), with texts and authors as in [`Generator`].
pub fn chain(n: u32) -> Discussion {
    let mut d = Generator::new(SEED).discussion(0, n, 1);
    for (i, c) in d.comments.iter_mut().enumerate() {
        c.parent = i.checked_sub(1);
        c.depth = i as u32 + 1;
    }
    d.id = format!("chain{n}");
    d
}

/// A discussion's comments as a JSONL file's text.
pub fn jsonl(discussions: &[Discussion]) -> String {
    let mut out = String::new();
    for d in discussions {
        write_jsonl(d, &mut out);
    }
    out
}
