//! Plain-text captures of news pages: an article, possibly followed by its
//! comment section.
//!
//! **Article.** The outlet is recognised from the text by the rules in
//! [`outlets`](super::outlets); the headline, date and byline are taken
//! where the outlet's rule says they are, and boilerplate lines are
//! removed from the body. A field that is not recognised is `None`.
//!
//! **Comment section** (issue #2):
//! - starts at a line `Show Comments` (optionally after a bullet `•`);
//! - items are lines `N. text`; an item indented deeper than the previous
//!   item replies to the nearest shallower item above it;
//! - reply numbering restarts at 1 under each parent;
//! - unnumbered lines indented deeper than their item's marker are further
//!   paragraphs of that item (paragraphs are joined by a blank line);
//! - the section ends at `Leave a Reply`, `Join the conversation`,
//!   `Please read our comment moderation policy…`, or end of input.
//!
//! Ids are position paths (`1`, `1.2`, `2.1`) since captures carry none;
//! author and time are `None`. Rule breaks (numbering gaps, indentation
//! that fits no level, stray text, an empty section) become
//! [`Anomaly`]s with their line number, and every item read is kept.
//!
//! Indentation is counted in columns: a tab advances to the next multiple
//! of [`TAB_WIDTH`], and any Unicode whitespace counts as one column.

use std::sync::LazyLock;

use regex::Regex;

use super::outlets::{Boilerplate, GENERIC, OUTLETS, TitleRule};
use crate::model::{Anomaly, AnomalyKind, Article, CommentSection, Document, RawComment};

/// Columns a tab advances indentation to (the next multiple of this).
pub const TAB_WIDTH: usize = 4;

/// Longest line taken as a headline when a capture starts with one.
const MAX_TITLE_CHARS: usize = 250;

static SECTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:[•·*-]\s*)?Show Comments$").unwrap());
/// Whether a (trimmed) line opens a capture's comment section (`Show Comments`).
pub fn is_comments_marker(line: &str) -> bool {
    SECTION_START.is_match(line)
}

static SECTION_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:Leave a Reply|Join the conversation|Please read our comment moderation policy)",
    )
    .unwrap()
});
static ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,6})\.(?:\s+(.*))?$").unwrap());
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^By ((?:\p{Lu}[\p{L}'’.-]*)(?:\s+(?:\p{Lu}[\p{L}'’.-]*|de|van|von|der|da|al)){0,5})$",
    )
    .unwrap()
});
/// Bylines are looked for among the first lines only, so a sentence
/// starting "By" deep in the body is never taken for one.
const BYLINE_WINDOW: usize = 15;

struct CompiledBoilerplate {
    drop_lines: Vec<Regex>,
    cut_from: Vec<Regex>,
    blocks: Vec<(Regex, Regex)>,
}

impl CompiledBoilerplate {
    fn new(b: &Boilerplate) -> Self {
        let re = |p: &str| Regex::new(p).expect("outlet patterns are tested to compile");
        CompiledBoilerplate {
            drop_lines: b.drop_lines.iter().map(|p| re(p)).collect(),
            cut_from: b.cut_from.iter().map(|p| re(p)).collect(),
            blocks: b.blocks.iter().map(|(s, e)| (re(s), re(e))).collect(),
        }
    }
}

struct CompiledOutlet {
    name: &'static str,
    markers: Vec<Regex>,
    title: TitleRule,
    date: Option<Regex>,
    boilerplate: CompiledBoilerplate,
}

static COMPILED: LazyLock<(CompiledBoilerplate, Vec<CompiledOutlet>)> = LazyLock::new(|| {
    let outlets = OUTLETS
        .iter()
        .map(|o| CompiledOutlet {
            name: o.name,
            markers: o.markers.iter().map(|p| Regex::new(p).expect("tested")).collect(),
            title: o.title,
            date: o.date.map(|p| Regex::new(p).expect("tested")),
            boilerplate: CompiledBoilerplate::new(&o.boilerplate),
        })
        .collect();
    (CompiledBoilerplate::new(&GENERIC), outlets)
});

/// Parse a capture already decoded to text. `id` names the discussion and
/// `source` the input it came from.
pub fn parse(text: &str, id: &str, source: &str) -> Document {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();

    let start = lines.iter().position(|l| SECTION_START.is_match(l.trim()));
    let article_end = start.unwrap_or(lines.len());
    let article = parse_article(&lines[..article_end], id, source);

    let mut doc = Document { article, ..Default::default() };
    if let Some(start) = start {
        doc.section = CommentSection::Present;
        parse_section(&lines, start, &mut doc);
    }
    doc
}

fn parse_article(lines: &[&str], id: &str, source: &str) -> Article {
    let (generic, outlets) = &*COMPILED;
    let joined = lines.join("\n");
    let outlet = outlets.iter().find(|o| o.markers.iter().any(|m| m.is_match(&joined)));

    let mut article = Article {
        id: id.to_string(),
        source: source.to_string(),
        format: "text".to_string(),
        outlet: outlet.map(|o| o.name.to_string()),
        ..Default::default()
    };

    // The date may span lines (GB News puts the time on the next line), so
    // it is found in the joined text and blanked out there.
    let mut text = joined;
    if let Some(re) = outlet.and_then(|o| o.date.as_ref())
        && let Some(caps) = re.captures(&text)
    {
        article.published = iso_date(&caps);
        let range = caps.get(0).expect("group 0").range();
        // Keep the line structure: the matched text becomes line breaks.
        let breaks = "\n".repeat(text[range.clone()].matches('\n').count());
        text.replace_range(range, &breaks);
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut keep: Vec<bool> = lines.iter().map(|l| !l.trim().is_empty()).collect();

    let title_rule = outlet.map_or(TitleRule::FirstLine, |o| o.title);
    if title_rule == TitleRule::FirstLine
        && let Some(first) = keep.iter().position(|&k| k)
    {
        let t = lines[first].trim();
        if t.chars().count() <= MAX_TITLE_CHARS {
            article.title = Some(t.to_string());
            keep[first] = false;
        }
    }

    let specific = outlet.map(|o| &o.boilerplate);
    for b in std::iter::once(generic).chain(specific) {
        strip_boilerplate(b, &lines, &mut keep);
    }

    if let Some((i, name)) = lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| keep[i])
        .take(BYLINE_WINDOW)
        .find_map(|(i, l)| BYLINE.captures(l.trim()).map(|c| (i, c[1].to_string())))
    {
        keep[i] = false;
        // Outlets often print the author's name alone above the byline too.
        for (j, l) in lines.iter().enumerate().take(i) {
            if l.trim() == name {
                keep[j] = false;
            }
        }
        article.byline = Some(name);
    }

    let paragraphs: Vec<&str> =
        lines.iter().zip(&keep).filter(|&(_, &k)| k).map(|(l, _)| l.trim()).collect();
    article.body = paragraphs.join("\n\n");
    article
}

fn strip_boilerplate(b: &CompiledBoilerplate, lines: &[&str], keep: &mut [bool]) {
    let trimmed: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
    if let Some(cut) = trimmed.iter().position(|l| b.cut_from.iter().any(|r| r.is_match(l))) {
        keep[cut..].iter_mut().for_each(|k| *k = false);
    }
    for (start, end) in &b.blocks {
        let mut i = 0;
        while i < trimmed.len() {
            if keep[i] && start.is_match(trimmed[i]) {
                let close = (i + 1..trimmed.len())
                    .take_while(|&j| !start.is_match(trimmed[j]))
                    .find(|&j| end.is_match(trimmed[j]));
                if let Some(close) = close {
                    keep[i..=close].iter_mut().for_each(|k| *k = false);
                    i = close;
                }
            }
            i += 1;
        }
    }
    for (i, l) in trimmed.iter().enumerate() {
        if b.drop_lines.iter().any(|r| r.is_match(l)) {
            keep[i] = false;
        }
    }
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:00` when the time is given; `None`
/// when the numbers are not a real date.
fn iso_date(caps: &regex::Captures) -> Option<String> {
    let num = |k: &str| caps.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = chrono::NaiveDate::from_ymd_opt(num("y")? as i32, num("m")?, num("d")?)?;
    match num("H").zip(num("M")).and_then(|(h, m)| chrono::NaiveTime::from_hms_opt(h, m, 0)) {
        Some(t) => Some(date.and_time(t).format("%Y-%m-%dT%H:%M:%S").to_string()),
        None => Some(date.format("%Y-%m-%d").to_string()),
    }
}

fn indent_of(line: &str) -> usize {
    let mut col = 0;
    for c in line.chars() {
        match c {
            '\t' => col = (col / TAB_WIDTH + 1) * TAB_WIDTH,
            c if c.is_whitespace() => col += 1,
            _ => break,
        }
    }
    col
}

/// An item whose replies may still follow.
struct Open {
    indent: usize,
    comment: usize,
    replies: u32,
}

fn parse_section(lines: &[&str], start: usize, doc: &mut Document) {
    let comments = &mut doc.comments;
    let anomalies = &mut doc.anomalies;
    let mut stack: Vec<Open> = Vec::new();
    let mut top_level = 0u32;
    // Paragraphs of the item being read; flushed into its text.
    let mut current: Option<(usize, usize)> = None; // (comment index, marker indent)

    for (i, raw) in lines.iter().enumerate().skip(start + 1) {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if SECTION_END.is_match(line) {
            break;
        }
        let indent = indent_of(raw);
        if let Some(caps) = ITEM.captures(line) {
            let number: u64 = caps[1].parse().expect("digits");
            let text = caps.get(2).map_or("", |m| m.as_str().trim_end());

            // The nearest shallower item above is the parent; items at the
            // same indentation as a popped one are its siblings.
            let mut level_indent = None;
            while stack.last().is_some_and(|o| o.indent >= indent) {
                level_indent = stack.pop().map(|o| o.indent);
            }
            let fits = match (level_indent, stack.last()) {
                (Some(l), _) => l == indent,
                (None, Some(_)) => true, // deeper than its parent: first reply
                (None, None) => comments.is_empty(),
            };
            let (parent_id, expected) = match stack.last_mut() {
                Some(p) => {
                    p.replies += 1;
                    (Some(comments[p.comment].id.clone()), p.replies)
                }
                None => {
                    top_level += 1;
                    (None, top_level)
                }
            };
            let id = match &parent_id {
                Some(p) => format!("{p}.{expected}"),
                None => expected.to_string(),
            };
            if !fits {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::BadIndentation,
                    line: Some(line_no),
                    comment_id: Some(id.clone()),
                    message: format!(
                        "item `{number}.` is indented {indent} columns, which fits no level above \
                         it; read as comment {id}, a reply to the nearest shallower item"
                    ),
                });
            }
            if number != u64::from(expected) {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::NumberingGap,
                    line: Some(line_no),
                    comment_id: Some(id.clone()),
                    message: format!(
                        "item numbered {number} where {expected} was expected; kept as comment {id}"
                    ),
                });
            }
            comments.push(RawComment {
                id,
                parent_id,
                text: text.to_string(),
                line: Some(line_no),
                ..Default::default()
            });
            stack.push(Open { indent, comment: comments.len() - 1, replies: 0 });
            current = Some((comments.len() - 1, indent));
        } else if let Some((c, marker)) = current {
            let comment = &mut comments[c];
            if indent <= marker {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::StrayText,
                    line: Some(line_no),
                    comment_id: Some(comment.id.clone()),
                    message: format!(
                        "unnumbered line not indented under comment {}; kept as a paragraph of it",
                        comment.id
                    ),
                });
            }
            if !comment.text.is_empty() {
                comment.text.push_str("\n\n");
            }
            comment.text.push_str(line);
        } else {
            anomalies.push(Anomaly {
                kind: AnomalyKind::StrayText,
                line: Some(line_no),
                comment_id: None,
                message: format!("text before the first comment: {line:?}"),
            });
        }
    }
    for c in comments.iter_mut() {
        c.quotes = super::clean::gt_quotes(&c.text);
    }
    if comments.is_empty() {
        anomalies.push(Anomaly {
            kind: AnomalyKind::EmptySection,
            line: Some(start + 1),
            comment_id: None,
            message: "comment section has no items".to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = include_str!("../../seeds/002_33127b48be7e0ce9.txt");

    fn doc(text: &str) -> Document {
        parse(text, "t", "t.txt")
    }

    fn tree(d: &Document) -> Vec<(String, Option<String>)> {
        d.comments.iter().map(|c| (c.id.clone(), c.parent_id.clone())).collect()
    }

    fn seed(name: &str) -> Document {
        let path = format!("{}/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read_to_string(path).unwrap(), "s", name)
    }

    fn replies(d: &Document, parent: Option<&str>) -> usize {
        d.comments.iter().filter(|c| c.parent_id.as_deref() == parent).count()
    }

    #[test]
    fn canary_seed_comment_tree() {
        let d = doc(CANARY);
        assert_eq!(d.section, CommentSection::Present);
        assert_eq!(d.comments.len(), 8);
        assert_eq!(replies(&d, None), 3);
        assert_eq!(
            [replies(&d, Some("1")), replies(&d, Some("2")), replies(&d, Some("3"))],
            [3, 1, 1]
        );
        let max_depth = d.comments.iter().map(|c| c.id.split('.').count()).max();
        assert_eq!(max_depth, Some(2));
        assert_eq!(
            tree(&d).into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
            ["1", "1.1", "1.2", "1.3", "2", "2.1", "3", "3.1"]
        );
        assert!(d.anomalies.is_empty(), "{:#?}", d.anomalies);
        assert!(d.comments.iter().all(|c| c.author.is_none() && c.time.is_none()));
        assert_eq!(d.comments[0].line, Some(62)); // `grep -n "1. Of course" seeds/002_*`
    }

    #[test]
    fn canary_seed_paragraphs() {
        let d = doc(CANARY);
        let find = |start: &str| d.comments.iter().find(|c| c.text.starts_with(start)).unwrap();
        let ridiculous = find("Such ridiculous sentiments");
        let paras: Vec<&str> = ridiculous.text.split("\n\n").collect();
        assert_eq!(paras.len(), 2);
        assert!(paras[1].starts_with("In the armed forces"));
        assert_eq!(find("I suppose it’s fine").text.split("\n\n").count(), 4);
        let last = &d.comments[7];
        assert!(last.text.ends_with("causing someone’s death."), "{}", last.text);
    }

    #[test]
    fn canary_seed_article() {
        let a = doc(CANARY).article;
        assert_eq!(a.outlet.as_deref(), Some("The Canary"));
        assert_eq!(
            a.title.as_deref(),
            Some("Downing guns shows armed police want ‘impunity’ to kill, critics claim")
        );
        assert_eq!((a.published, a.byline), (None, None));
        for boilerplate in
            ["Support us", "Read on", "Featured image", "Canary Workers", "Show Comments"]
        {
            assert!(!a.body.contains(boilerplate), "body still has {boilerplate:?}");
        }
        assert!(
            a.body.starts_with("Armed police on the streets of London\n\nThe Crown Prosecution")
        );
        assert!(a.body.ends_with("do away with it altogether."));
    }

    #[test]
    fn news_line_seeds() {
        for (name, date) in
            [("000_d9b278959070677e.txt", "2023-09-25"), ("001_999234820501752a.txt", "2023-09-24")]
        {
            let d = seed(name);
            assert_eq!(d.article.outlet.as_deref(), Some("News Line"));
            assert_eq!(d.article.published.as_deref(), Some(date));
            assert_eq!(d.article.title, None, "News Line captures start with the body");
            assert!(!d.article.body.contains("date 20"));
            assert_eq!(d.section, CommentSection::Absent);
            assert!(d.comments.is_empty() && d.anomalies.is_empty());
        }
    }

    #[test]
    fn gb_news_seed() {
        let a = seed("003_f25abc09e29af3fb.txt").article;
        assert_eq!(a.outlet.as_deref(), Some("GB News"));
        assert_eq!(a.published.as_deref(), Some("2023-09-24T08:12:00"));
        assert_eq!(a.byline.as_deref(), Some("Mark White"));
        assert!(a.title.unwrap().starts_with("'Police mustn't fear ending up in dock!'"));
        for gone in
            ["Published:", "Updated:", "By Mark White", "\n\nPA\n\n", "You may like", "- 08:"]
        {
            assert!(!a.body.contains(gone), "body still has {gone:?}");
        }
        assert!(a.body.starts_with("Armed police officers\n\n"));
    }

    #[test]
    fn the_week_seed() {
        let a = seed("004_f6aa056cd6eb0edf.txt").article;
        assert_eq!(a.outlet.as_deref(), Some("The Week"));
        assert!(a.title.unwrap().starts_with("UK: London police seeks army backup"));
        assert!(!a.body.contains("Telegram") && !a.body.contains("PTI inputs"));
        assert!(a.body.ends_with("she tweeted."));
    }

    #[test]
    fn unknown_outlet_is_null_not_guessed() {
        let a = doc("Some headline\n\nBy Jane Doe\n\nBody text here.\n").article;
        assert_eq!(a.outlet, None);
        assert_eq!(a.published, None);
        assert_eq!(a.title.as_deref(), Some("Some headline"));
        assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(a.body, "Body text here.");
    }

    const THREE_LEVELS: &str = "\
Headline
Body.
Show Comments
  1. Top one
     second paragraph of top one

     third paragraph after a blank line
    1. Reply one
      1. Reply to reply
        1. Fourth level
    2. Reply two
  2. Top two
";

    #[test]
    fn three_levels_and_paragraphs_without_end_marker() {
        let d = doc(THREE_LEVELS);
        assert_eq!(
            tree(&d),
            [
                ("1".into(), None),
                ("1.1".into(), Some("1".into())),
                ("1.1.1".into(), Some("1.1".into())),
                ("1.1.1.1".into(), Some("1.1.1".into())),
                ("1.2".into(), Some("1".into())),
                ("2".into(), None),
            ]
        );
        assert_eq!(
            d.comments[0].text,
            "Top one\n\nsecond paragraph of top one\n\nthird paragraph after a blank line"
        );
        assert_eq!(d.comments[3].line, Some(10));
        assert!(d.anomalies.is_empty(), "{:#?}", d.anomalies);
    }

    #[test]
    fn crlf_tabs_and_bom_read_like_plain_lf() {
        let crlf = format!("\u{feff}{}", THREE_LEVELS.replace('\n', "\r\n"));
        assert_eq!(doc(&crlf).comments, doc(THREE_LEVELS).comments);
        let tabs = "T\n• Show Comments\n\t1. a\n\t\tcontinued\n\t\t1. reply\n\t2. b\r\n";
        let d = doc(tabs);
        assert_eq!(tree(&d)[1], ("1.1".into(), Some("1".into())));
        assert_eq!(d.comments[0].text, "a\n\ncontinued");
        assert_eq!(d.comments[2].text, "b");
        assert!(d.anomalies.is_empty(), "{:#?}", d.anomalies);
    }

    #[test]
    fn numbering_gap_and_restart_are_reported_and_kept() {
        let text = "T\nShow Comments\n  1. a\n  3. b\n    2. reply starts at 2\n  1. restart\nLeave a Reply\n  9. after the end\n";
        let d = doc(text);
        assert_eq!(d.comments.len(), 4);
        let gaps: Vec<(Option<usize>, Option<&str>)> = d
            .anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::NumberingGap)
            .map(|a| (a.line, a.comment_id.as_deref()))
            .collect();
        assert_eq!(gaps, [(Some(4), Some("2")), (Some(5), Some("2.1")), (Some(6), Some("3"))]);
        assert_eq!(d.comments[3].text, "restart");
    }

    #[test]
    fn indentation_between_levels_is_reported() {
        let text = "T\nShow Comments\n  1. a\n      1. deep reply\n    2. between levels\n 2. shallower than top\n";
        let d = doc(text);
        assert_eq!(d.comments.len(), 4);
        assert_eq!(tree(&d)[2], ("1.2".into(), Some("1".into())));
        assert_eq!(tree(&d)[3], ("2".into(), None));
        let bad: Vec<Option<usize>> = d
            .anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::BadIndentation)
            .map(|a| a.line)
            .collect();
        assert_eq!(bad, [Some(5), Some(6)]);
    }

    #[test]
    fn empty_section_and_stray_text() {
        let d = doc("T\n• Show Comments\n\nLeave a Reply\n");
        assert_eq!(d.section, CommentSection::Present);
        assert_eq!(d.anomalies.len(), 1);
        assert_eq!(
            (d.anomalies[0].kind, d.anomalies[0].line),
            (AnomalyKind::EmptySection, Some(2))
        );

        let d = doc("T\nShow Comments\nLoad more\n  1. a\nnot indented\n");
        let kinds: Vec<_> = d.anomalies.iter().map(|a| (a.kind, a.line)).collect();
        assert_eq!(kinds, [(AnomalyKind::StrayText, Some(3)), (AnomalyKind::StrayText, Some(5))]);
        assert!(d.anomalies[0].message.contains("Load more"));
        assert_eq!(d.comments[0].text, "a\n\nnot indented");
    }

    #[test]
    fn no_section_is_absent_not_an_error() {
        let d = doc("Title\n\nJust an article.\n");
        assert_eq!(d.section, CommentSection::Absent);
        assert!(d.comments.is_empty() && d.anomalies.is_empty());
    }

    #[test]
    fn implausible_date_is_null() {
        let d = doc(" date 2023-13-45 Body starts here.\n");
        assert_eq!(d.article.outlet.as_deref(), Some("News Line"));
        assert_eq!(d.article.published, None);
        assert_eq!(doc(" date 2023-02-29 x\n").article.published, None);
        assert_eq!(doc(" date 2024-02-29 x\n").article.published.as_deref(), Some("2024-02-29"));
    }
}
