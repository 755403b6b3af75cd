//! Shared by every parser: HTML to plain text, quoted passages, times.
//!
//! - [`html_to_text`] turns an HTML fragment into plain text with
//!   paragraph breaks kept, entities decoded, and the byte ranges of
//!   `<blockquote>`s recorded as quotes.
//! - [`gt_quotes`] finds paragraphs that quote with a leading `>`
//!   (Markdown, e-mail, Hacker News).
//! - [`parse_time`] normalises a time to ISO 8601: UTC when the zone is
//!   known, local time (flagged) when it is not, and `None` with the raw
//!   text kept when it cannot be read (issue #3).

use std::ops::Range;
use std::sync::LazyLock;

use super::dom::{Edge, ElementRef, Html, MAX_TEXT, Node};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use regex::Regex;

/// Plain text and the byte ranges of it that are quotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlainText {
    /// Paragraphs separated by a blank line, line breaks (`<br>`) by `\n`.
    pub text: String,
    /// Byte ranges of `text` inside `<blockquote>` or starting with `>`.
    pub quotes: Vec<Range<usize>>,
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "hr",
    "address",
    "aside",
    "nav",
];
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "head", "svg"];

/// Build plain text from an HTML fragment (a comment's body).
///
/// # Example
/// ```
/// use threadlens::parse::clean::html_to_text;
///
/// let t = html_to_text("<blockquote><p>You said &amp; meant</p></blockquote><p>No.<br>Really</p>");
/// assert_eq!(t.text, "You said & meant\n\nNo.\nReally");
/// assert_eq!(&t.text[t.quotes[0].clone()], "You said & meant");
/// ```
pub fn html_to_text(html: &str) -> PlainText {
    if html.len() > MAX_TEXT {
        // Beyond what the tree holds (4 GiB): kept as the text it is.
        let mut w = Writer::default();
        w.text(html);
        return w.finish();
    }
    let doc = Html::parse_fragment(html);
    node_text(doc.root_element())
}

/// Plain text of an element already parsed (see [`html_to_text`]).
pub fn node_text(root: ElementRef<'_>) -> PlainText {
    node_text_without(root, |_| false)
}

/// Plain text of an element already parsed, leaving out the subtrees of the elements under it
/// that `drop` accepts (walked without entering them: replies nest deep).
pub fn node_text_without(root: ElementRef<'_>, drop: impl Fn(ElementRef<'_>) -> bool) -> PlainText {
    let mut w = Writer::default();
    let mut skip_depth = 0usize;
    let top = root.id();
    let mut walk = root.traverse();
    while let Some(edge) = walk.next() {
        match edge {
            Edge::Open(node) => {
                if node.id() != top && ElementRef::wrap(node).is_some_and(&drop) {
                    walk.skip_subtree();
                    continue;
                }
                match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        if skip_depth > 0 || SKIPPED.contains(&name) {
                            skip_depth += 1;
                        } else if name == "br" {
                            w.brk(1);
                        } else if BLOCKS.contains(&name) {
                            w.brk(2);
                            if name == "blockquote" {
                                w.open_quote();
                            }
                        }
                    }
                    Node::Text(t) if skip_depth == 0 => w.text(t),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if BLOCKS.contains(&e.name()) {
                        if e.name() == "blockquote" {
                            w.close_quote();
                        }
                        w.brk(2);
                    }
                }
            }
        }
    }
    w.finish()
}

#[derive(Default)]
struct Writer {
    out: String,
    pending_break: u8,
    pending_space: bool,
    quote_starts: Vec<Option<usize>>,
    /// How many of the last `quote_starts` have no start yet: always a
    /// suffix, so that a character sets only those (not the whole stack:
    /// issue #13, quotes nested thousands deep).
    unstarted: usize,
    quotes: Vec<Range<usize>>,
}

impl Writer {
    fn brk(&mut self, n: u8) {
        self.pending_break = self.pending_break.max(n);
    }

    fn text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if !self.out.is_empty() {
                match self.pending_break {
                    2 => self.out.push_str("\n\n"),
                    1 => self.out.push('\n'),
                    _ if self.pending_space => self.out.push(' '),
                    _ => {}
                }
            }
            self.pending_break = 0;
            self.pending_space = false;
            let n = self.quote_starts.len();
            for s in &mut self.quote_starts[n - self.unstarted..] {
                *s = Some(self.out.len());
            }
            self.unstarted = 0;
            self.out.push(c);
        }
    }

    fn open_quote(&mut self) {
        self.quote_starts.push(None);
        self.unstarted += 1;
    }

    fn close_quote(&mut self) {
        let popped = self.quote_starts.pop();
        if matches!(popped, Some(None)) {
            self.unstarted -= 1;
        }
        if let Some(Some(start)) = popped
            && self.quote_starts.is_empty()
        {
            // Nested quotes are inside the outermost one.
            self.quotes.push(start..self.out.len());
        }
    }

    fn finish(self) -> PlainText {
        let mut quotes = self.quotes;
        quotes.extend(gt_quotes(&self.out));
        quotes.sort_by_key(|r| r.start);
        // Merge overlaps (a `>` paragraph inside a blockquote).
        let mut merged: Vec<Range<usize>> = Vec::new();
        for q in quotes {
            match merged.last_mut() {
                Some(last) if q.start <= last.end => last.end = last.end.max(q.end),
                _ => merged.push(q),
            }
        }
        PlainText { text: self.out, quotes: merged }
    }
}

/// Byte ranges of the lines of `text` that start with `>` (quoting).
pub fn gt_quotes(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if content.trim_start().starts_with('>') {
            let end = offset + content.len();
            match out.last_mut() {
                Some(Range { end: e, .. }) if *e + 1 >= offset => *e = end,
                _ => out.push(offset..end),
            }
        }
        offset += line.len();
    }
    out
}

/// A time as threadlens stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Time {
    /// ISO 8601: `YYYY-MM-DDTHH:MM:SSZ` in UTC, or without `Z` when local.
    pub value: Option<String>,
    /// `value` is local time of an unknown zone.
    pub local: bool,
    /// The text as given.
    pub raw: Option<String>,
}

impl Time {
    /// A time known in UTC.
    pub fn utc(t: DateTime<Utc>, raw: impl Into<String>) -> Time {
        Time { value: Some(iso_utc(t)), local: false, raw: Some(raw.into()) }
    }

    /// A local time of unknown zone.
    pub fn local(t: NaiveDateTime, raw: impl Into<String>) -> Time {
        Time {
            value: Some(t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            local: true,
            raw: Some(raw.into()),
        }
    }

    /// A local date without a time of day.
    pub fn local_date(d: NaiveDate, raw: impl Into<String>) -> Time {
        Time { value: Some(d.format("%Y-%m-%d").to_string()), local: true, raw: Some(raw.into()) }
    }

    /// Seconds since the Unix epoch (UTC).
    pub fn from_epoch(secs: f64) -> Time {
        let t = Utc.timestamp_opt(secs.trunc() as i64, 0).single();
        match t {
            Some(t) => Time::utc(t, format!("{secs}")),
            None => Time { value: None, local: false, raw: Some(format!("{secs}")) },
        }
    }

    /// Put this time into a comment's fields.
    pub fn apply(self, c: &mut crate::RawComment) {
        c.time = self.value;
        c.time_local = c.time.is_some() && self.local;
        c.time_raw = self.raw;
    }
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ`, as chrono's `%Y-%m-%dT%H:%M:%SZ` writes it, without
/// parsing the format each time (a time per comment: issue #17).
fn iso_utc(t: DateTime<Utc>) -> String {
    use std::fmt::Write;
    let year = t.year();
    if !(0..=9999).contains(&year) {
        // chrono writes a sign and more digits out of this range.
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    let mut s = String::with_capacity(20);
    let _ = write!(
        s,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    s
}

static NUMERIC_TZ_LESS: &[&str] =
    &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"];

/// Read a time written by a machine or a person.
///
/// - With a zone (RFC 3339, RFC 2822, a trailing `Z` or `+01:00`):
///   converted to UTC.
/// - ISO without a zone, and dates written out in words in English,
///   German, French, Spanish, Italian or Dutch ("March 3, 2015 at 10:15 pm",
///   "3. März 2015 um 10:15", "3 mars 2015 à 10 h 15"): local time.
/// - Anything else: `value` is `None` and `raw` keeps the text.
///
/// # Example
/// ```
/// use threadlens::parse::clean::parse_time;
///
/// assert_eq!(parse_time("2013-03-14T11:30:33+02:00").value.as_deref(), Some("2013-03-14T09:30:33Z"));
/// let t = parse_time("14. März 2013 um 11:30 Uhr");
/// assert_eq!((t.value.as_deref(), t.local), (Some("2013-03-14T11:30:00"), true));
/// assert_eq!(parse_time("yesterday").value, None);
/// ```
pub fn parse_time(raw: &str) -> Time {
    let s = raw.trim();
    let unknown = Time { value: None, local: false, raw: Some(raw.to_string()) };
    if s.is_empty() {
        return Time::default();
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Time::utc(t.with_timezone(&Utc), raw);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Time::utc(t.with_timezone(&Utc), raw);
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Time::utc(t.with_timezone(&Utc), raw);
        }
    }
    for f in NUMERIC_TZ_LESS {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Time::local(t, raw);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Time::local_date(d, raw);
    }
    words_time(s).map_or(unknown, |(d, t)| match t {
        Some(t) => Time::local(d.and_time(t), raw),
        None => Time::local_date(d, raw),
    })
}

/// Month names (and common abbreviations) in the languages of the
/// outlets and blogs we meet, lower case.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("januari", 1),
    ("jänner", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("februari", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("maart", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("mei", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("augustus", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
];

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2})(?:\.|st|nd|rd|th)?\s+(?:de\s+)?(\p{L}{3,10})\.?,?\s+(?:de\s+)?(\d{4})",
    )
    .unwrap()
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\p{L}{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})").unwrap()
});
static DOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b").unwrap());
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2})\s*(?::|h|\.)\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?",
    )
    .unwrap()
});

fn month(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == lower).map(|&(_, m)| m)
}

/// A date written with a month name or as `DD.MM.YYYY`/`DD/MM/YYYY`
/// (day first, as in the European sites these come from), with an optional
/// clock time after it.
fn words_time(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let (date, end) = if let Some(c) = DAY_MONTH_YEAR.captures(s)
        && let Some(m) = month(&c[2])
    {
        (NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[1].parse().ok()?)?, c.get(0)?.end())
    } else if let Some(c) = MONTH_DAY_YEAR.captures(s)
        && let Some(m) = month(&c[1])
    {
        (NaiveDate::from_ymd_opt(c[3].parse().ok()?, m, c[2].parse().ok()?)?, c.get(0)?.end())
    } else if let Some(c) = DOTTED.captures(s) {
        (
            NaiveDate::from_ymd_opt(c[3].parse().ok()?, c[2].parse().ok()?, c[1].parse().ok()?)?,
            c.get(0)?.end(),
        )
    } else {
        return None;
    };
    let time = CLOCK.captures(&s[end..]).and_then(|c| {
        let mut h: u32 = c[1].parse().ok()?;
        let m: u32 = c[2].parse().ok()?;
        let sec: u32 = c.get(3).map_or(Some(0), |x| x.as_str().parse().ok())?;
        match c.get(4).map(|x| x.as_str().to_ascii_lowercase().replace('.', "")) {
            Some(ap) if ap == "pm" && h < 12 => h += 12,
            Some(ap) if ap == "am" && h == 12 => h = 0,
            _ => {}
        }
        NaiveTime::from_hms_opt(h, m, sec)
    });
    Some((date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_utc_writes_what_chrono_writes() {
        // Both sides of the year range chrono writes with a sign, leap seconds aside.
        for secs in [
            0i64,
            1,
            -1,
            951_782_400,
            1_700_000_000,
            253_402_300_799,
            253_402_300_800,
            -62_167_219_200,
            -62_167_219_201,
            8_210_266_876_799,
        ] {
            let t = Utc.timestamp_opt(secs, 0).single().unwrap();
            assert_eq!(iso_utc(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "{secs}");
        }
    }

    #[test]
    fn paragraphs_breaks_and_entities() {
        let t = html_to_text(
            "<p>One &amp; <b>two</b></p>\n<p>Three<br/>four</p><ul><li>a</li><li>b</li></ul>",
        );
        assert_eq!(t.text, "One & two\n\nThree\nfour\n\na\n\nb");
        assert!(t.quotes.is_empty());
    }

    #[test]
    fn whitespace_collapses_and_scripts_are_skipped() {
        let t = html_to_text("  Hello,\n   <i>world</i>  <script>var x = 1;</script>!  ");
        assert_eq!(t.text, "Hello, world !");
    }

    #[test]
    fn blockquotes_are_marked_even_nested() {
        let t = html_to_text(
            "<blockquote>Outer <blockquote>inner</blockquote> tail</blockquote><p>Mine</p>",
        );
        assert_eq!(t.text, "Outer\n\ninner\n\ntail\n\nMine");
        assert_eq!(t.quotes.len(), 1);
        assert_eq!(&t.text[t.quotes[0].clone()], "Outer\n\ninner\n\ntail");
    }

    #[test]
    fn gt_lines_are_quotes() {
        let text = "> you said\n> this\n\nNo.\n>again";
        let q = gt_quotes(text);
        assert_eq!(
            q.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["> you said\n> this", ">again"]
        );
        let t = html_to_text("<p>&gt; quoted</p><p>reply</p>");
        assert_eq!(&t.text[t.quotes[0].clone()], "> quoted");
    }

    #[test]
    fn times_with_zone_become_utc() {
        assert_eq!(
            parse_time("2006-10-09T19:52:45.000Z").value.as_deref(),
            Some("2006-10-09T19:52:45Z")
        );
        assert_eq!(
            parse_time("Thu, 14 Mar 2013 18:30:33 +0000").value.as_deref(),
            Some("2013-03-14T18:30:33Z")
        );
        let t = parse_time("2013-03-14T11:30:33-07:00");
        assert_eq!((t.value.as_deref(), t.local), (Some("2013-03-14T18:30:33Z"), false));
    }

    #[test]
    fn times_without_zone_stay_local_and_flagged() {
        let t = parse_time("2013-03-14 11:30:33");
        assert_eq!((t.value.as_deref(), t.local), (Some("2013-03-14T11:30:33"), true));
        assert_eq!(t.raw.as_deref(), Some("2013-03-14 11:30:33"));
        for (raw, want) in [
            ("March 14, 2013 at 11:30 pm", "2013-03-14T23:30:00"),
            ("14. März 2013 um 11:30 Uhr", "2013-03-14T11:30:00"),
            ("14 mars 2013 à 11 h 30 min", "2013-03-14T11:30:00"),
            ("14 de marzo de 2013 a las 11:30", "2013-03-14T11:30:00"),
            ("14.03.2013 um 11:30", "2013-03-14T11:30:00"),
            ("12 April 2014 at 12:05 am", "2014-04-12T00:05:00"),
        ] {
            assert_eq!(parse_time(raw).value.as_deref(), Some(want), "{raw}");
        }
        assert_eq!(parse_time("3rd May 2015").value.as_deref(), Some("2015-05-03"));
    }

    #[test]
    fn unreadable_time_keeps_raw() {
        let t = parse_time("vor 3 Tagen");
        assert_eq!((t.value, t.raw.as_deref()), (None, Some("vor 3 Tagen")));
        assert_eq!(parse_time("31 February 2013").value, None);
        assert_eq!(Time::from_epoch(1160423565.0).value.as_deref(), Some("2006-10-09T19:52:45Z"));
    }
}
