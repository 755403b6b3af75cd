//! Site exports in XML that hold many discussions: WordPress exports
//! (WXR) and Disqus exports (issue #3).
//!
//! Both are read in one streaming pass with [`quick_xml::NsReader`]: no
//! tree of the file is built, elements are tracked on an explicit stack
//! (never by recursion), and only the record being read (a post and its
//! comments, or one Disqus post) is held besides the output. Elements are
//! matched by local name and, where prefixes are used, by namespace URI, so
//! any prefix works. The root element decides the format when none is
//! given: `<rss>` is a WordPress export, `<disqus>` a Disqus export.
//!
//! **WordPress (WXR 1.0, 1.1, 1.2).** The `wp` namespace is any
//! `http://` or `https://` `wordpress.org/export/<version>/` URI. Each
//! `<item>` with at least one `<wp:comment>` becomes a [`Document`] with id
//! `"{id}#post-{wp:post_id}"` (`"{id}#item-{n}"`, the item's position, if
//! it has no post id). Items *without* comments are left out on purpose: a
//! site export lists every page, attachment and menu entry, and a
//! discussion per comment-less item would flood the tables with empty
//! ones. The article takes `title`, `link`, `dc:creator` (byline), the
//! channel `<title>` (outlet: the site's name), `content:encoded` (body)
//! and `wp:post_date_gmt` (UTC), else `wp:post_date` (local), else
//! `pubDate` (published). Comments take `wp:comment_id`,
//! `wp:comment_parent` (`0` or empty: a reply to the article),
//! `wp:comment_author`, `wp:comment_date_gmt` (UTC) or, when it is absent
//! or `0000-00-00 00:00:00`, `wp:comment_date` (local, flagged),
//! `wp:comment_content`, `wp:comment_approved` (`1` → `approved`, `0` →
//! `unapproved`, `spam`, `trash`; `trash` and `post-trashed` also set
//! `deleted`; other values are kept as written) and `wp:comment_type`
//! (`pingback`, `trackback`; anything else is a comment). WordPress
//! stores bodies with bare line breaks and turns them into paragraphs
//! when it shows them (`wpautop`), so before HTML is turned into text a
//! blank line becomes a paragraph break and a single line break a line
//! break. Comment ids repeat across posts; each post is its own
//! discussion, so that is fine.
//!
//! **Disqus.** `<thread dsq:id>` declarations (`link`, `title`,
//! `createdAt`, `forum`) and `<post dsq:id>` records (`<thread dsq:id/>`,
//! optional `<parent dsq:id/>`, `message` as HTML, `createdAt`,
//! `author/name`, `isDeleted`, `isSpam`) are collected in any order and
//! assembled at the end: one [`Document`] per thread that has posts, id
//! `"{id}#thread-{dsq:id}"`, declared threads first in file order. A post
//! naming a thread that is not declared is kept in a document for that
//! thread id (no title, no link) with an [`AnomalyKind::UndeclaredThread`]
//! anomaly; a post naming no thread at all goes into `"{id}#no-thread"`
//! with an [`AnomalyKind::BadRecord`] anomaly. `isDeleted` sets `deleted`
//! and status `deleted`, `isSpam` status `spam`.
//!
//! A comment record without an id is kept with the id `line-{N}` (the line
//! where it starts) and a [`AnomalyKind::BadRecord`] anomaly. Every comment
//! carries the line where its record starts. Broken XML (a mismatched or
//! missing closing tag, a truncated file) is
//! [`ParseErrorKind::Malformed`] with the line and column.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::clean::{self, Time};
use super::{Format, ParseErrorKind};
use crate::model::{
    Anomaly, AnomalyKind, Article, CommentKind, CommentSection, Document, RawComment,
};

/// Parse a WordPress or Disqus export. `format` is the format to read it
/// as; with `None` the root element decides. `id` prefixes the ids of the
/// discussions found and `source` names the input.
///
/// # Example
/// ```
/// use threadlens::parse::xml;
///
/// let wxr = r#"<rss xmlns:wp="https://wordpress.org/export/1.2/"><channel>
///   <title>My blog</title>
///   <item><title>Hello</title><wp:post_id>7</wp:post_id>
///     <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_parent>0</wp:comment_parent>
///       <wp:comment_content><![CDATA[<p>First &amp; foremost</p>]]></wp:comment_content>
///     </wp:comment>
///     <wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_parent>1</wp:comment_parent>
///       <wp:comment_type>pingback</wp:comment_type></wp:comment>
///   </item>
/// </channel></rss>"#;
/// let docs = xml::parse(wxr, "blog", "blog.xml", None)?;
/// assert_eq!(docs[0].article.id, "blog#post-7");
/// assert_eq!(docs[0].article.outlet.as_deref(), Some("My blog"));
/// assert_eq!(docs[0].comments[0].text, "First & foremost");
/// assert_eq!(docs[0].comments[1].parent_id.as_deref(), Some("1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(
    text: &str,
    id: &str,
    source: &str,
    format: Option<Format>,
) -> Result<Vec<Document>, ParseErrorKind> {
    if let Some(f) = format.filter(|f| !matches!(f, Format::Wxr | Format::DisqusXml)) {
        return Err(ParseErrorKind::Unrecognised(format!("the XML reader does not read `{f}`")));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Until the root element is seen, errors name the format asked for, or
    // the one the content looks like.
    let guess = format.unwrap_or(match super::sniff(text) {
        Ok(Format::DisqusXml) => Format::DisqusXml,
        _ => Format::Wxr,
    });
    let mut x = Xml::new(text, guess);

    let Some((pos, root, empty)) = x.root()? else {
        let expected = format.map_or("a root element", root_of);
        let end = text.trim_end().len();
        return Err(x.malformed(end, format_args!("expected {expected}, found none")));
    };
    let name = root.name().as_ref().to_string();
    let found = match root.local_name().as_ref() {
        "rss" => Some(Format::Wxr),
        "disqus" => Some(Format::DisqusXml),
        _ => None,
    };
    let format = match (format, found) {
        (None, Some(f)) => f,
        (Some(f), Some(g)) if f == g => f,
        (Some(f), _) => {
            let msg = format_args!("expected {}, found `<{name}>`", root_of(f));
            return Err(x.malformed(pos, msg));
        }
        (None, None) => {
            return Err(ParseErrorKind::Unrecognised(format!(
                "XML whose root element is `<{name}>`: neither a WordPress export (`<rss>`) \
                 nor a Disqus export (`<disqus>`)"
            )));
        }
    };
    x.format = format;
    if empty {
        return Ok(Vec::new());
    }
    let line = x.line(pos);
    match format {
        Format::Wxr => {
            let mut h = Wxr::new(id, source);
            x.drive(&mut h, Frame { role: W::Rss, line, name })?;
            Ok(h.finish())
        }
        _ => {
            let mut h = Disqus::new(id, source);
            x.drive(&mut h, Frame { role: D::Root, line, name })?;
            Ok(h.finish())
        }
    }
}

/// How an error message names the root element a format starts with.
fn root_of(f: Format) -> &'static str {
    match f {
        Format::DisqusXml => "the root element `<disqus>` of a Disqus export",
        _ => "the root element `<rss>` of a WordPress export",
    }
}

// ---------------------------------------------------------------------------
// Streaming driver shared by both formats.

/// An open element: what it means to the format, and where it started.
struct Frame<R> {
    role: R,
    line: usize,
    name: String,
}

/// What a format does with the elements the driver meets.
trait Handler {
    /// What an element means to the format.
    type Role: Copy;
    /// The role of anything the format does not read.
    const OTHER: Self::Role;

    /// An element opens under `parent` (the root's role for its children).
    fn open(
        &mut self,
        x: &mut Xml<'_>,
        parent: Self::Role,
        e: &BytesStart<'_>,
        line: usize,
    ) -> Result<Self::Role, ParseErrorKind>;

    /// Whether the text of an element with this role is kept, and whether
    /// it is HTML (so that markup nested in it is kept as markup).
    fn capture(role: Self::Role) -> Option<bool>;

    /// An element closes; `text` is its text when [`capture`](Self::capture)
    /// asked for it.
    fn close(&mut self, frame: Frame<Self::Role>, text: String);
}

/// The reader and where it is in the input.
struct Xml<'a> {
    text: &'a str,
    rdr: NsReader<&'a [u8]>,
    format: Format,
    /// Line counting resumes where it stopped: positions mostly grow.
    counted_to: usize,
    counted_line: usize,
}

impl<'a> Xml<'a> {
    fn new(text: &'a str, format: Format) -> Xml<'a> {
        let mut rdr = NsReader::from_str(text);
        // A bare `&` (not a reference) is kept as text, not an error: seen
        // in hand-edited exports and harmless.
        rdr.config_mut().allow_dangling_amp = true;
        Xml { text, rdr, format, counted_to: 0, counted_line: 1 }
    }

    /// The next event and the byte offset where it starts.
    fn next(&mut self) -> Result<(usize, Event<'a>), ParseErrorKind> {
        let start = self.rdr.buffer_position() as usize;
        match self.rdr.read_event() {
            Ok(ev) => Ok((start, ev)),
            Err(e) => {
                let at = self.rdr.error_position() as usize;
                Err(self.malformed(at, e))
            }
        }
    }

    /// Read up to the root element: its offset, the tag, and whether it is
    /// empty (`<rss/>`). `None` when the input has no element.
    fn root(&mut self) -> Result<Option<(usize, BytesStart<'a>, bool)>, ParseErrorKind> {
        loop {
            match self.next()? {
                (pos, Event::Start(e)) => return Ok(Some((pos, e, false))),
                (pos, Event::Empty(e)) => return Ok(Some((pos, e, true))),
                (pos, Event::Text(t)) if !t.trim().is_empty() => {
                    let skipped = t.len() - t.trim_start().len();
                    let msg = format!("expected {}, found text", root_of(self.format));
                    return Err(self.malformed(pos + skipped, msg));
                }
                (_, Event::Eof) => return Ok(None),
                _ => {}
            }
        }
    }

    /// 1-based line of the first non-blank byte at or after `pos`.
    fn line(&mut self, pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut pos = pos.min(bytes.len());
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos < self.counted_to {
            self.counted_to = 0;
            self.counted_line = 1;
        }
        self.counted_line += bytes[self.counted_to..pos].iter().filter(|&&b| b == b'\n').count();
        self.counted_to = pos;
        self.counted_line
    }

    /// A `Malformed` error at byte `pos`, with its line and column.
    fn malformed(&mut self, pos: usize, what: impl fmt::Display) -> ParseErrorKind {
        let bytes = self.text.as_bytes();
        let pos = pos.min(bytes.len());
        let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = bytes[..pos].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Count characters, not bytes: UTF-8 continuation bytes are 10xxxxxx.
        let column = bytes[line_start..pos].iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        ParseErrorKind::Malformed {
            format: self.format,
            message: format!("line {line}, column {column}: {what}"),
        }
    }

    /// Read everything under the root (already read, in `root`), telling
    /// `h` about each element, until the root closes.
    fn drive<H: Handler>(&mut self, h: &mut H, root: Frame<H::Role>) -> Result<(), ParseErrorKind> {
        let mut stack = vec![root];
        // Stack height of the element whose text is being kept, and
        // whether that text is HTML.
        let mut capture: Option<(usize, bool)> = None;
        let mut buf = String::new();
        loop {
            let (pos, ev) = self.next()?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    let line = self.line(pos);
                    let name = e.name().as_ref().to_string();
                    let role = match capture {
                        Some((_, html)) => {
                            // Markup inside a kept element: not a field.
                            if html {
                                buf.push('<');
                                buf.push_str(e);
                                buf.push_str(if empty { "/>" } else { ">" });
                            }
                            H::OTHER
                        }
                        None => {
                            let parent = stack.last().map_or(H::OTHER, |f| f.role);
                            h.open(self, parent, e, line)?
                        }
                    };
                    let frame = Frame { role, line, name };
                    if capture.is_some() {
                        if !empty {
                            stack.push(frame);
                        }
                        continue;
                    }
                    match (H::capture(role), empty) {
                        (_, true) => h.close(frame, String::new()),
                        (Some(html), false) => {
                            buf.clear();
                            stack.push(frame);
                            capture = Some((stack.len(), html));
                        }
                        (None, false) => stack.push(frame),
                    }
                }
                Event::End(ref e) => {
                    let Some(frame) = stack.pop() else {
                        // quick-xml checks end names, so this does not happen.
                        return Err(self.malformed(pos, "closing tag without an open element"));
                    };
                    match capture {
                        Some((height, _)) if height == stack.len() + 1 => {
                            capture = None;
                            h.close(frame, std::mem::take(&mut buf));
                        }
                        Some((_, html)) => {
                            if html {
                                buf.push_str("</");
                                buf.push_str(e.name().as_ref());
                                buf.push('>');
                            }
                        }
                        None => h.close(frame, String::new()),
                    }
                    if stack.is_empty() {
                        // The root closed; anything after it is not read.
                        return Ok(());
                    }
                }
                Event::Text(t) if capture.is_some() => buf.push_str(&t.xml10_content()),
                Event::CData(t) if capture.is_some() => buf.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if capture.is_some() => push_reference(&mut buf, &r),
                Event::Eof => {
                    let Some(open) = stack.last() else { return Ok(()) };
                    let msg = format!(
                        "the input ends inside `<{}>` (opened at line {}): the file is \
                         truncated or a closing tag is missing",
                        open.name, open.line
                    );
                    // Point at the last character, not past a final newline.
                    return Err(self.malformed(self.text.trim_end().len(), msg));
                }
                _ => {}
            }
        }
    }

    /// The namespace an element is in, as far as these formats care.
    fn ns(&self, e: &BytesStart<'_>) -> Ns {
        let name = e.name();
        let (res, _) = self.rdr.resolver().resolve_element(name);
        match res {
            ResolveResult::Bound(ns) => match known_ns(ns.as_ref()) {
                Some(k) => k,
                None if name.prefix().is_none() => Ns::Plain,
                None => Ns::Other,
            },
            ResolveResult::Unbound => Ns::Plain,
            // An undeclared prefix: trust the usual ones.
            ResolveResult::Unknown(p) => match p.as_str() {
                "wp" => Ns::Wp,
                "dc" => Ns::Dc,
                "content" => Ns::Content,
                _ => Ns::Other,
            },
        }
    }

    /// The value of the `dsq:id` attribute (Disqus internals namespace),
    /// else of any attribute named `id`.
    fn dsq_id(&self, e: &BytesStart<'_>, line: usize) -> Result<Option<String>, ParseErrorKind> {
        let mut fallback = None;
        for a in e.attributes() {
            let a = a.map_err(|err| self.malformed_line(line, err))?;
            let (res, local) = self.rdr.resolver().resolve_attribute(a.key);
            if local.as_ref() != "id" {
                continue;
            }
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.malformed_line(line, err))?
                .trim()
                .to_string();
            let is_dsq = match &res {
                ResolveResult::Bound(ns) => is_dsq_ns(ns.as_ref()),
                ResolveResult::Unknown(p) => p == "dsq",
                ResolveResult::Unbound => false,
            };
            if is_dsq {
                return Ok(Some(value).filter(|v| !v.is_empty()));
            }
            fallback.get_or_insert(value);
        }
        Ok(fallback.filter(|v| !v.is_empty()))
    }

    fn malformed_line(&self, line: usize, what: impl fmt::Display) -> ParseErrorKind {
        ParseErrorKind::Malformed { format: self.format, message: format!("line {line}: {what}") }
    }
}

/// Append an entity or character reference, decoded. References XML does
/// not define (`&nbsp;` without a DTD) are kept as written, so that HTML
/// fields still decode them.
fn push_reference(buf: &mut String, r: &BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        buf.push(c);
    } else if let Some(s) = resolve_xml_entity(r) {
        buf.push_str(s);
    } else {
        buf.push('&');
        buf.push_str(r);
        buf.push(';');
    }
}

/// Namespaces that matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    /// No prefix: RSS's own elements.
    Plain,
    /// `http(s)://wordpress.org/export/<version>/`.
    Wp,
    /// Dublin Core elements.
    Dc,
    /// RSS content module (`content:encoded`).
    Content,
    /// Anything else (`excerpt:`, `wfw:`, …).
    Other,
}

/// Strip the scheme and a trailing slash, so that `http`/`https` and
/// `…/`/`…` variants compare equal.
fn bare_uri(uri: &str) -> &str {
    let rest = uri.trim();
    let rest =
        rest.strip_prefix("https://").or_else(|| rest.strip_prefix("http://")).unwrap_or(rest);
    rest.trim_end_matches('/')
}

fn known_ns(uri: &str) -> Option<Ns> {
    let uri = bare_uri(uri);
    let uri = uri.strip_prefix("www.").unwrap_or(uri);
    if let Some(version) = uri.strip_prefix("wordpress.org/export/") {
        let is_version =
            !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        return is_version.then_some(Ns::Wp);
    }
    match uri {
        "purl.org/dc/elements/1.1" => Some(Ns::Dc),
        "purl.org/rss/1.0/modules/content" => Some(Ns::Content),
        _ => None,
    }
}

fn is_dsq_ns(uri: &str) -> bool {
    bare_uri(uri) == "disqus.com/disqus-internals"
}

// ---------------------------------------------------------------------------
// Helpers for field values.

/// A trimmed value; `None` when empty.
fn plain(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Text of a one-line HTML value (a title, a name): tags dropped,
/// entities decoded, whitespace collapsed.
fn inline_html(s: Option<&str>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    let t = clean::html_to_text(s).text;
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// WordPress shows stored text through `wpautop`: a blank line is a
/// paragraph break, a single line break a `<br>`. Line breaks inside tags
/// and HTML comments are left alone.
fn autop(html: &str) -> Cow<'_, str> {
    if !html.contains('\n') {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 32);
    let mut rest = html;
    while let Some(i) = rest.find(['<', '\n']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let is_markup = rest[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
            let end = if !is_markup {
                1
            } else if rest.starts_with("<!--") {
                rest.find("-->").map_or(rest.len(), |j| j + 3)
            } else {
                rest.find('>').map_or(rest.len(), |j| j + 1)
            };
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let run = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
            let breaks = rest[..run].matches('\n').count();
            // An empty paragraph is a paragraph break wherever it lands.
            out.push_str(if breaks >= 2 { "<p></p>" } else { "<br>" });
            rest = &rest[run..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// WordPress writes `0000-00-00 00:00:00` for "no date".
fn is_zero_date(s: &str) -> bool {
    s.starts_with("0000-00-00")
}

/// A WordPress time from its `…_gmt` field (UTC, written without a zone)
/// or, when that is absent or zero, its local field (flagged local).
fn wp_time(gmt: Option<&str>, local: Option<&str>) -> Time {
    let gmt = gmt.map(str::trim).filter(|s| !s.is_empty());
    let local = local.map(str::trim).filter(|s| !s.is_empty());
    if let Some(g) = gmt.filter(|g| !is_zero_date(g)) {
        let t = clean::parse_time(g);
        match t.value {
            // The field is UTC by definition, though written without a zone.
            Some(v) if t.local && v.contains('T') => {
                return Time { value: Some(format!("{v}Z")), local: false, raw: t.raw };
            }
            Some(_) => return t,
            None => {}
        }
    }
    if let Some(l) = local.filter(|l| !is_zero_date(l)) {
        return clean::parse_time(l);
    }
    match gmt.or(local) {
        Some(raw) => Time { value: None, local: false, raw: Some(raw.to_string()) },
        None => Time::default(),
    }
}

/// `true`, `1`, `yes` (any case) are true.
fn flag(s: Option<&str>) -> bool {
    s.map(str::trim).is_some_and(|s| {
        s.eq_ignore_ascii_case("true") || s == "1" || s.eq_ignore_ascii_case("yes")
    })
}

fn bad_record(line: usize, id: &str, what: &str) -> Anomaly {
    Anomaly {
        kind: AnomalyKind::BadRecord,
        line: Some(line),
        comment_id: Some(id.to_string()),
        message: format!("{what}; kept as `{id}`"),
    }
}

// ---------------------------------------------------------------------------
// WordPress (WXR).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum W {
    Rss,
    Channel,
    SiteTitle,
    Item,
    ItemField(ItemField),
    Comment,
    CommentField(CommentField),
    /// A `wp:author` of the channel, and its `author_id` (0) and `author_login` (1).
    Author,
    AuthorField(usize),
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ItemField {
    Title,
    Link,
    PubDate,
    Creator,
    Content,
    PostId,
    PostDate,
    PostDateGmt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommentField {
    Id,
    Parent,
    Author,
    Date,
    DateGmt,
    Content,
    Approved,
    Type,
    UserId,
}

impl CommentField {
    fn from_local(local: &str) -> Option<CommentField> {
        Some(match local {
            "comment_id" => CommentField::Id,
            "comment_parent" => CommentField::Parent,
            "comment_author" => CommentField::Author,
            "comment_date" => CommentField::Date,
            "comment_date_gmt" => CommentField::DateGmt,
            "comment_content" => CommentField::Content,
            "comment_approved" => CommentField::Approved,
            "comment_type" => CommentField::Type,
            "comment_user_id" => CommentField::UserId,
            _ => return None,
        })
    }
}

/// The text of a record's fields, indexed by a field enum's discriminant.
struct Fields<const N: usize>([Option<String>; N]);

impl<const N: usize> Default for Fields<N> {
    fn default() -> Self {
        Fields(std::array::from_fn(|_| None))
    }
}

impl<const N: usize> Fields<N> {
    fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).and_then(Option::as_deref)
    }

    fn set(&mut self, i: usize, text: String) {
        if let Some(slot) = self.0.get_mut(i) {
            *slot = Some(text);
        }
    }
}

#[derive(Default)]
struct ItemRec {
    fields: Fields<8>,
    comments: Vec<RawComment>,
    /// Each comment's `wp:comment_user_id`, when given.
    user_ids: Vec<Option<String>>,
    anomalies: Vec<Anomaly>,
}

impl ItemRec {
    fn get(&self, f: ItemField) -> Option<&str> {
        self.fields.get(f as usize)
    }
}

struct CommentRec {
    line: usize,
    fields: Fields<9>,
}

impl CommentRec {
    fn get(&self, f: CommentField) -> Option<&str> {
        self.fields.get(f as usize)
    }
}

struct Wxr<'s> {
    id: &'s str,
    source: &'s str,
    site: Option<String>,
    items: usize,
    item: Option<ItemRec>,
    comment: Option<CommentRec>,
    /// The channel's `wp:author`s: id and login.
    authors: Vec<(Option<String>, Option<String>)>,
    docs: Vec<Document>,
}

impl<'s> Wxr<'s> {
    fn new(id: &'s str, source: &'s str) -> Wxr<'s> {
        Wxr {
            id,
            source,
            site: None,
            items: 0,
            item: None,
            comment: None,
            authors: Vec::new(),
            docs: Vec::new(),
        }
    }

    fn finish(self) -> Vec<Document> {
        let mut docs = self.docs;
        for d in &mut docs {
            d.article.outlet.clone_from(&self.site);
        }
        docs
    }

    fn end_comment(&mut self, rec: CommentRec) {
        let Some(item) = self.item.as_mut() else { return };
        let line = rec.line;
        let id = plain(rec.get(CommentField::Id));
        let mut c = RawComment {
            id: id.clone().unwrap_or_else(|| format!("line-{line}")),
            parent_id: plain(rec.get(CommentField::Parent)).filter(|p| p != "0"),
            author: inline_html(rec.get(CommentField::Author)),
            line: Some(line),
            ..Default::default()
        };
        if id.is_none() {
            item.anomalies.push(bad_record(line, &c.id, "a comment without `wp:comment_id`"));
        }
        wp_time(rec.get(CommentField::DateGmt), rec.get(CommentField::Date)).apply(&mut c);
        let body = rec.get(CommentField::Content).unwrap_or_default().trim();
        let t = clean::html_to_text(&autop(body));
        (c.text, c.quotes) = (t.text, t.quotes);
        c.kind = match rec.get(CommentField::Type).map(|s| s.trim().to_ascii_lowercase()) {
            Some(k) if k == "pingback" => CommentKind::Pingback,
            Some(k) if k == "trackback" => CommentKind::Trackback,
            _ => CommentKind::Comment,
        };
        c.status =
            plain(rec.get(CommentField::Approved)).map(|s| match s.to_ascii_lowercase().as_str() {
                "1" | "approve" | "approved" => "approved".to_string(),
                "0" | "hold" | "unapproved" => "unapproved".to_string(),
                "post-trashed" => "trash".to_string(),
                other => other.to_string(),
            });
        c.deleted = c.status.as_deref() == Some("trash");
        item.comments.push(c);
        item.user_ids.push(plain(rec.get(CommentField::UserId)));
    }

    fn end_item(&mut self, mut item: ItemRec) {
        if item.comments.is_empty() {
            return;
        }
        // By the post's author, as WordPress marks `bypostauthor`: the comment's user is the
        // post's (`dc:creator`, a login, whose id the channel's `wp:author` gives). Unknown
        // when the export lists no such author or the comment no user id.
        let creator = plain(item.get(ItemField::Creator));
        let author_id = self
            .authors
            .iter()
            .find(|(_, login)| login.is_some() && *login == creator)
            .and_then(|(id, _)| id.clone());
        if let Some(author_id) = author_id {
            for (c, user) in item.comments.iter_mut().zip(&item.user_ids) {
                c.by_post_author = user.as_ref().map(|u| *u == author_id);
            }
        }
        let post_id = plain(item.get(ItemField::PostId));
        let article_id = match &post_id {
            Some(p) => format!("{}#post-{p}", self.id),
            None => format!("{}#item-{}", self.id, self.items),
        };
        let published = wp_time(item.get(ItemField::PostDateGmt), item.get(ItemField::PostDate))
            .value
            .or_else(|| clean::parse_time(item.get(ItemField::PubDate).unwrap_or_default()).value);
        let body = item.get(ItemField::Content).unwrap_or_default().trim();
        let article = Article {
            id: article_id,
            source: self.source.to_string(),
            format: Format::Wxr.name().to_string(),
            outlet: None,
            title: inline_html(item.get(ItemField::Title)),
            published,
            byline: plain(item.get(ItemField::Creator)),
            url: plain(item.get(ItemField::Link)),
            body: clean::html_to_text(&autop(body)).text,
        };
        self.docs.push(Document {
            article,
            section: CommentSection::Present,
            comments: item.comments,
            anomalies: item.anomalies,
            ..Default::default()
        });
    }
}

impl Handler for Wxr<'_> {
    type Role = W;
    const OTHER: W = W::Other;

    fn open(
        &mut self,
        x: &mut Xml<'_>,
        parent: W,
        e: &BytesStart<'_>,
        line: usize,
    ) -> Result<W, ParseErrorKind> {
        let ns = x.ns(e);
        let local = e.local_name();
        let local = local.as_ref();
        Ok(match (parent, ns, local) {
            (W::Rss, Ns::Plain, "channel") => W::Channel,
            (W::Channel, Ns::Plain, "title") => W::SiteTitle,
            (W::Channel, Ns::Wp, "author") => {
                self.authors.push((None, None));
                W::Author
            }
            (W::Author, Ns::Wp, "author_id") => W::AuthorField(0),
            (W::Author, Ns::Wp, "author_login") => W::AuthorField(1),
            (W::Channel, Ns::Plain, "item") => {
                self.items += 1;
                self.item = Some(ItemRec::default());
                W::Item
            }
            (W::Item, Ns::Plain, "title") => W::ItemField(ItemField::Title),
            (W::Item, Ns::Plain, "link") => W::ItemField(ItemField::Link),
            (W::Item, Ns::Plain, "pubDate") => W::ItemField(ItemField::PubDate),
            (W::Item, Ns::Dc, "creator") => W::ItemField(ItemField::Creator),
            (W::Item, Ns::Content, "encoded") => W::ItemField(ItemField::Content),
            (W::Item, Ns::Wp, "post_id") => W::ItemField(ItemField::PostId),
            (W::Item, Ns::Wp, "post_date") => W::ItemField(ItemField::PostDate),
            (W::Item, Ns::Wp, "post_date_gmt") => W::ItemField(ItemField::PostDateGmt),
            (W::Item, Ns::Wp, "comment") => {
                self.comment = Some(CommentRec { line, fields: Fields::default() });
                W::Comment
            }
            (W::Comment, Ns::Wp, f) => {
                CommentField::from_local(f).map_or(W::Other, W::CommentField)
            }
            _ => W::Other,
        })
    }

    fn capture(role: W) -> Option<bool> {
        match role {
            W::SiteTitle | W::ItemField(_) | W::CommentField(_) | W::AuthorField(_) => {
                Some(matches!(
                    role,
                    W::ItemField(ItemField::Content) | W::CommentField(CommentField::Content)
                ))
            }
            _ => None,
        }
    }

    fn close(&mut self, frame: Frame<W>, text: String) {
        match frame.role {
            W::SiteTitle => {
                if self.site.is_none() {
                    self.site = inline_html(Some(&text));
                }
            }
            W::ItemField(f) => {
                if let Some(item) = self.item.as_mut() {
                    item.fields.set(f as usize, text);
                }
            }
            W::CommentField(f) => {
                if let Some(c) = self.comment.as_mut() {
                    c.fields.set(f as usize, text);
                }
            }
            W::Comment => {
                if let Some(c) = self.comment.take() {
                    self.end_comment(c);
                }
            }
            W::Item => {
                if let Some(item) = self.item.take() {
                    self.end_item(item);
                }
            }
            W::AuthorField(i) => {
                if let Some(a) = self.authors.last_mut() {
                    let slot = if i == 0 { &mut a.0 } else { &mut a.1 };
                    *slot = plain(Some(&text));
                }
            }
            W::Rss | W::Channel | W::Author | W::Other => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Disqus.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum D {
    Root,
    Thread,
    ThreadField(ThreadField),
    /// A thread's `author`.
    ThreadAuthor,
    Post,
    PostField(PostField),
    Author,
    AuthorField(PostField),
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ThreadField {
    Link,
    Title,
    CreatedAt,
    Forum,
    AuthorUsername,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PostField {
    Message,
    CreatedAt,
    IsDeleted,
    IsSpam,
    Name,
    Username,
}

#[derive(Default)]
struct ThreadRec {
    dsq_id: Option<String>,
    link: Option<String>,
    title: Option<String>,
    created_at: Option<String>,
    forum: Option<String>,
    /// The Disqus username of the thread's author, when the export gives it.
    author_username: Option<String>,
}

#[derive(Default)]
struct PostRec {
    dsq_id: Option<String>,
    line: usize,
    thread: Option<String>,
    parent: Option<String>,
    fields: Fields<6>,
}

impl PostRec {
    fn get(&self, f: PostField) -> Option<&str> {
        self.fields.get(f as usize)
    }
}

struct Disqus<'s> {
    id: &'s str,
    source: &'s str,
    threads: Vec<ThreadRec>,
    thread: Option<ThreadRec>,
    post: Option<PostRec>,
    /// Posts read so far: the thread they name, the comment and its author's username.
    posts: Vec<(Option<String>, RawComment, Option<String>)>,
    anomalies: Vec<(usize, Anomaly)>,
}

impl<'s> Disqus<'s> {
    fn new(id: &'s str, source: &'s str) -> Disqus<'s> {
        Disqus {
            id,
            source,
            threads: Vec::new(),
            thread: None,
            post: None,
            posts: Vec::new(),
            anomalies: Vec::new(),
        }
    }

    fn end_post(&mut self, p: PostRec) {
        let line = p.line;
        let mut c = RawComment {
            id: p.dsq_id.clone().unwrap_or_else(|| format!("line-{line}")),
            parent_id: p.parent.clone(),
            author: plain(p.get(PostField::Name)).or_else(|| plain(p.get(PostField::Username))),
            line: Some(line),
            ..Default::default()
        };
        if p.dsq_id.is_none() {
            let a = bad_record(line, &c.id, "a post without `dsq:id`");
            self.anomalies.push((self.posts.len(), a));
        }
        clean::parse_time(p.get(PostField::CreatedAt).unwrap_or_default()).apply(&mut c);
        let t = clean::html_to_text(p.get(PostField::Message).unwrap_or_default().trim());
        (c.text, c.quotes) = (t.text, t.quotes);
        let spam = flag(p.get(PostField::IsSpam));
        c.deleted = flag(p.get(PostField::IsDeleted));
        // As the export wrote them: the flags behind `status`, and the account name where
        // the display name is the author.
        let fields = [("isSpam", PostField::IsSpam), ("isDeleted", PostField::IsDeleted)];
        c.extra = fields
            .into_iter()
            .filter_map(|(k, f)| Some((k.to_string(), p.get(f)?.trim().to_string())))
            .collect();
        let username = plain(p.get(PostField::Username));
        if let Some(u) = username.clone().filter(|u| c.author.as_ref() != Some(u)) {
            c.extra.push(("username".into(), u));
        }
        c.status = if spam {
            Some("spam".into())
        } else if c.deleted {
            Some("deleted".into())
        } else {
            None
        };
        self.posts.push((p.thread, c, username));
    }

    /// Group the posts by thread: declared threads first, in file order,
    /// then undeclared ones in the order their first post came.
    fn finish(self) -> Vec<Document> {
        let Disqus { id, source, threads, posts, anomalies, .. } = self;
        let mut extra: HashMap<usize, Vec<Anomaly>> = HashMap::new();
        for (i, a) in anomalies {
            extra.entry(i).or_default().push(a);
        }
        let mut declared: HashMap<&str, usize> = HashMap::new();
        for (i, t) in threads.iter().enumerate() {
            if let Some(d) = t.dsq_id.as_deref() {
                declared.entry(d).or_insert(i);
            }
        }
        let mut groups: Vec<Document> = Vec::new();
        let mut group_of: HashMap<Option<String>, usize> = HashMap::new();
        let mut order: Vec<(Option<usize>, usize)> = Vec::new();
        for (i, (thread, mut c, username)) in posts.into_iter().enumerate() {
            // By the thread's author when both usernames are given (display names are not
            // unique).
            let decl = thread.as_deref().and_then(|t| declared.get(t).copied());
            if let (Some(by), Some(u)) =
                (decl.and_then(|d| threads[d].author_username.as_ref()), &username)
            {
                c.by_post_author = Some(by == u);
            }
            let g = match group_of.get(&thread) {
                Some(&g) => g,
                None => {
                    let decl = thread.as_deref().and_then(|t| declared.get(t).copied());
                    let t = decl.map(|d| &threads[d]);
                    let article_id = match &thread {
                        Some(t) => format!("{id}#thread-{t}"),
                        None => format!("{id}#no-thread"),
                    };
                    groups.push(Document {
                        article: Article {
                            id: article_id,
                            source: source.to_string(),
                            format: Format::DisqusXml.name().to_string(),
                            outlet: t.and_then(|t| t.forum.clone()),
                            title: t.and_then(|t| t.title.clone()),
                            published: t.and_then(|t| {
                                clean::parse_time(t.created_at.as_deref().unwrap_or_default()).value
                            }),
                            url: t.and_then(|t| t.link.clone()),
                            ..Default::default()
                        },
                        section: CommentSection::Present,
                        ..Default::default()
                    });
                    order.push((decl, groups.len() - 1));
                    group_of.insert(thread.clone(), groups.len() - 1);
                    groups.len() - 1
                }
            };
            let doc = &mut groups[g];
            let undeclared = thread.as_deref().filter(|t| !declared.contains_key(t));
            if let Some(t) = undeclared {
                doc.anomalies.push(Anomaly {
                    kind: AnomalyKind::UndeclaredThread,
                    line: c.line,
                    comment_id: Some(c.id.clone()),
                    message: format!(
                        "post `{}` names thread `{t}`, which the export does not declare; \
                         kept under a discussion of that id",
                        c.id
                    ),
                });
            } else if thread.is_none() {
                doc.anomalies.push(Anomaly {
                    kind: AnomalyKind::BadRecord,
                    line: c.line,
                    comment_id: Some(c.id.clone()),
                    message: format!(
                        "post `{}` names no thread; kept under a discussion of its own",
                        c.id
                    ),
                });
            }
            doc.anomalies.extend(extra.remove(&i).unwrap_or_default());
            doc.comments.push(c);
        }
        order.sort_by_key(|&(decl, first)| (decl.is_none(), decl.unwrap_or(0), first));
        let mut slots: Vec<Option<Document>> = groups.into_iter().map(Some).collect();
        order.into_iter().filter_map(|(_, g)| slots[g].take()).collect()
    }
}

impl Handler for Disqus<'_> {
    type Role = D;
    const OTHER: D = D::Other;

    fn open(
        &mut self,
        x: &mut Xml<'_>,
        parent: D,
        e: &BytesStart<'_>,
        line: usize,
    ) -> Result<D, ParseErrorKind> {
        let local = e.local_name();
        Ok(match (parent, local.as_ref()) {
            (D::Root, "thread") => {
                self.thread = Some(ThreadRec { dsq_id: x.dsq_id(e, line)?, ..Default::default() });
                D::Thread
            }
            (D::Root, "post") => {
                self.post =
                    Some(PostRec { dsq_id: x.dsq_id(e, line)?, line, ..Default::default() });
                D::Post
            }
            (D::Thread, "link") => D::ThreadField(ThreadField::Link),
            (D::Thread, "title") => D::ThreadField(ThreadField::Title),
            (D::Thread, "createdAt") => D::ThreadField(ThreadField::CreatedAt),
            (D::Thread, "forum") => D::ThreadField(ThreadField::Forum),
            (D::Thread, "author") => D::ThreadAuthor,
            (D::ThreadAuthor, "username") => D::ThreadField(ThreadField::AuthorUsername),
            (D::Post, "message") => D::PostField(PostField::Message),
            (D::Post, "createdAt") => D::PostField(PostField::CreatedAt),
            (D::Post, "isDeleted") => D::PostField(PostField::IsDeleted),
            (D::Post, "isSpam") => D::PostField(PostField::IsSpam),
            (D::Post, "author") => D::Author,
            (D::Post, name @ ("thread" | "parent")) => {
                let r = x.dsq_id(e, line)?;
                if let Some(p) = self.post.as_mut() {
                    if name == "thread" {
                        p.thread = r;
                    } else {
                        p.parent = r;
                    }
                }
                D::Other
            }
            (D::Author, "name") => D::AuthorField(PostField::Name),
            (D::Author, "username") => D::AuthorField(PostField::Username),
            _ => D::Other,
        })
    }

    fn capture(role: D) -> Option<bool> {
        match role {
            D::ThreadField(_) | D::AuthorField(_) => Some(false),
            D::PostField(f) => Some(f == PostField::Message),
            _ => None,
        }
    }

    fn close(&mut self, frame: Frame<D>, text: String) {
        match frame.role {
            D::ThreadField(f) => {
                if let Some(t) = self.thread.as_mut() {
                    let value = plain(Some(&text));
                    match f {
                        ThreadField::Link => t.link = value,
                        ThreadField::Title => t.title = value,
                        ThreadField::CreatedAt => t.created_at = value,
                        ThreadField::Forum => t.forum = value,
                        ThreadField::AuthorUsername => t.author_username = value,
                    }
                }
            }
            D::PostField(f) | D::AuthorField(f) => {
                if let Some(p) = self.post.as_mut() {
                    p.fields.set(f as usize, text);
                }
            }
            D::Thread => {
                if let Some(t) = self.thread.take() {
                    self.threads.push(t);
                }
            }
            D::Post => {
                if let Some(p) = self.post.take() {
                    self.end_post(p);
                }
            }
            D::Root | D::Author | D::ThreadAuthor | D::Other => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WXR file with the `wp` namespace bound to `wp_ns` under the prefix
    /// `prefix`, holding `items` (each written with the prefix `{p}`).
    fn wxr_with(wp_ns: &str, prefix: &str, items: &str) -> String {
        let items = items.replace("{p}", prefix);
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{wp_ns}excerpt/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:{prefix}="{wp_ns}">
<channel>
<title>A Site &amp; Co</title>
<link>https://example.org</link>
{items}
</channel>
</rss>
"#
        )
    }

    fn wxr(items: &str) -> String {
        wxr_with("http://wordpress.org/export/1.2/", "wp", items)
    }

    fn comment(id: &str, parent: &str, extra: &str) -> String {
        format!(
            "<{{p}}:comment>
<{{p}}:comment_id>{id}</{{p}}:comment_id>
<{{p}}:comment_author><![CDATA[Reader {id}]]></{{p}}:comment_author>
<{{p}}:comment_date>2014-01-14 18:31:03</{{p}}:comment_date>
<{{p}}:comment_date_gmt>2014-01-14 17:31:03</{{p}}:comment_date_gmt>
<{{p}}:comment_content><![CDATA[Text of {id}]]></{{p}}:comment_content>
<{{p}}:comment_approved>1</{{p}}:comment_approved>
<{{p}}:comment_parent>{parent}</{{p}}:comment_parent>
{extra}
</{{p}}:comment>"
        )
    }

    fn item(post_id: &str, comments: &str) -> String {
        format!(
            "<item>
<title>Post {post_id}</title>
<link>https://example.org/?p={post_id}</link>
<pubDate>Tue, 14 Jan 2014 17:31:03 +0000</pubDate>
<dc:creator><![CDATA[editor]]></dc:creator>
<content:encoded><![CDATA[<p>Body of {post_id}</p>]]></content:encoded>
<excerpt:encoded><![CDATA[Not the body]]></excerpt:encoded>
<{{p}}:post_id>{post_id}</{{p}}:post_id>
<{{p}}:post_date>2014-01-14 18:31:03</{{p}}:post_date>
<{{p}}:post_date_gmt>2014-01-14 17:31:03</{{p}}:post_date_gmt>
<{{p}}:post_type>post</{{p}}:post_type>
{comments}
</item>"
        )
    }

    fn read(text: &str) -> Vec<Document> {
        parse(text, "site", "site.xml", None).unwrap()
    }

    fn err_message(e: ParseErrorKind) -> String {
        match e {
            ParseErrorKind::Malformed { message, .. } => message,
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn wxr_post_and_comments_are_read() {
        let items = item("18", &[comment("2", "0", ""), comment("3", "2", "")].concat());
        let docs = read(&wxr(&items));
        assert_eq!(docs.len(), 1);
        let a = &docs[0].article;
        assert_eq!(a.id, "site#post-18");
        assert_eq!(a.format, "wxr");
        assert_eq!(a.source, "site.xml");
        assert_eq!(a.outlet.as_deref(), Some("A Site & Co"));
        assert_eq!(a.title.as_deref(), Some("Post 18"));
        assert_eq!(a.url.as_deref(), Some("https://example.org/?p=18"));
        assert_eq!(a.byline.as_deref(), Some("editor"));
        assert_eq!(a.published.as_deref(), Some("2014-01-14T17:31:03Z"));
        assert_eq!(a.body, "Body of 18");
        assert_eq!(docs[0].section, CommentSection::Present);
        let c = &docs[0].comments;
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].id.as_str(), c[0].parent_id.as_deref()), ("2", None));
        assert_eq!((c[1].id.as_str(), c[1].parent_id.as_deref()), ("3", Some("2")));
        assert_eq!(c[0].author.as_deref(), Some("Reader 2"));
        assert_eq!(c[0].text, "Text of 2");
        assert_eq!(c[0].time.as_deref(), Some("2014-01-14T17:31:03Z"));
        assert!(!c[0].time_local);
        assert_eq!(c[0].time_raw.as_deref(), Some("2014-01-14 17:31:03"));
        assert_eq!(c[0].status.as_deref(), Some("approved"));
        assert_eq!(c[0].kind, CommentKind::Comment);
        assert!(!c[0].deleted);
        assert!(docs[0].anomalies.is_empty());
    }

    #[test]
    fn every_wxr_version_scheme_and_prefix_is_read() {
        let cases = [
            ("http://wordpress.org/export/1.0/", "wp"),
            ("http://wordpress.org/export/1.1/", "wp"),
            ("http://wordpress.org/export/1.2/", "wp"),
            ("https://wordpress.org/export/1.2/", "wp"),
            ("https://wordpress.org/export/1.2/", "wordpress"),
        ];
        for (ns, prefix) in cases {
            let text = wxr_with(ns, prefix, &item("7", &comment("5", "0", "")));
            let docs = read(&text);
            assert_eq!(docs.len(), 1, "{ns} {prefix}");
            assert_eq!(docs[0].article.id, "site#post-7", "{ns} {prefix}");
            assert_eq!(docs[0].comments[0].id, "5", "{ns} {prefix}");
            assert_eq!(docs[0].comments[0].text, "Text of 5", "{ns} {prefix}");
        }
    }

    #[test]
    fn elements_of_other_namespaces_are_not_taken_for_wp_ones() {
        // `x:comment` is bound to a namespace that is not WordPress's.
        let text = wxr(&item("7", &comment("5", "0", "")).replace(
            "<item>",
            "<item xmlns:x=\"http://example.org/not-wp/\"><x:comment><x:comment_id>9\
             </x:comment_id></x:comment>",
        ));
        let docs = read(&text);
        assert_eq!(docs[0].comments.len(), 1);
        assert_eq!(docs[0].comments[0].id, "5");
    }

    #[test]
    fn cdata_and_escaped_html_become_text_with_quotes() {
        let cdata = comment("1", "0", "").replace(
            "<![CDATA[Text of 1]]>",
            "<![CDATA[<blockquote>You said &amp; meant</blockquote><p>No <b>way</b>.</p>]]>",
        );
        let escaped = comment("2", "0", "").replace(
            "Text of 2",
            "]]>&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;<![CDATA[",
        );
        let docs = read(&wxr(&item("1", &[cdata, escaped].concat())));
        let c = &docs[0].comments;
        assert_eq!(c[0].text, "You said & meant\n\nNo way.");
        assert_eq!(&c[0].text[c[0].quotes[0].clone()], "You said & meant");
        assert_eq!(c[1].text, "One\n\nTwo & three");
        assert!(c[1].quotes.is_empty());
    }

    #[test]
    fn bare_line_breaks_become_paragraphs_and_line_breaks() {
        let body = "First line\nsecond line\n\nNew <a\nhref=\"x\">paragraph</a>";
        let c = comment("1", "0", "").replace("Text of 1", body);
        let docs = read(&wxr(&item("1", &c)));
        assert_eq!(docs[0].comments[0].text, "First line\nsecond line\n\nNew paragraph");
    }

    #[test]
    fn pingbacks_and_trackbacks_are_kinds() {
        let comments = [
            comment("1", "0", "<{p}:comment_type>pingback</{p}:comment_type>"),
            comment("2", "0", "<{p}:comment_type><![CDATA[trackback]]></{p}:comment_type>"),
            comment("3", "0", "<{p}:comment_type><![CDATA[comment]]></{p}:comment_type>"),
            comment("4", "0", "<{p}:comment_type></{p}:comment_type>"),
        ]
        .concat();
        let docs = read(&wxr(&item("1", &comments)));
        let kinds: Vec<CommentKind> = docs[0].comments.iter().map(|c| c.kind).collect();
        use CommentKind::*;
        assert_eq!(kinds, [Pingback, Trackback, Comment, Comment]);
    }

    #[test]
    fn moderation_status_is_kept() {
        let status = |v: &str| {
            comment("1", "0", "").replace(
                "<{p}:comment_approved>1</{p}:comment_approved>",
                &format!("<{{p}}:comment_approved>{v}</{{p}}:comment_approved>"),
            )
        };
        let comments = ["1", "0", "spam", "trash", "post-trashed", ""].map(status).concat();
        let docs = read(&wxr(&item("1", &comments)));
        let got: Vec<(Option<&str>, bool)> =
            docs[0].comments.iter().map(|c| (c.status.as_deref(), c.deleted)).collect();
        assert_eq!(
            got,
            [
                (Some("approved"), false),
                (Some("unapproved"), false),
                (Some("spam"), false),
                (Some("trash"), true),
                (Some("trash"), true),
                (None, false),
            ]
        );
    }

    #[test]
    fn without_a_gmt_date_the_local_date_is_used_and_flagged() {
        let gmt = "<{p}:comment_date_gmt>2014-01-14 17:31:03</{p}:comment_date_gmt>";
        let no_gmt = comment("1", "0", "").replace(gmt, "");
        let zero_gmt = comment("2", "0", "").replace(
            "2014-01-14 17:31:03</{p}:comment_date_gmt",
            "0000-00-00 00:00:00</{p}:comment_date_gmt",
        );
        let no_date = comment("3", "0", "")
            .replace(gmt, "")
            .replace("<{p}:comment_date>2014-01-14 18:31:03</{p}:comment_date>", "");
        let docs = read(&wxr(&item("1", &[no_gmt, zero_gmt, no_date].concat())));
        let c = &docs[0].comments;
        for c in &c[..2] {
            assert_eq!(c.time.as_deref(), Some("2014-01-14T18:31:03"), "{}", c.id);
            assert!(c.time_local, "{}", c.id);
            assert_eq!(c.time_raw.as_deref(), Some("2014-01-14 18:31:03"), "{}", c.id);
        }
        assert_eq!(
            (c[2].time.as_deref(), c[2].time_local, c[2].time_raw.as_deref()),
            (None, false, None)
        );
    }

    #[test]
    fn each_post_is_a_discussion_and_ids_may_repeat_across_posts() {
        let items =
            [item("1", &comment("11", "0", "")), item("2", &comment("11", "0", "")), item("3", "")]
                .concat();
        let docs = read(&wxr(&items));
        let ids: Vec<&str> = docs.iter().map(|d| d.article.id.as_str()).collect();
        assert_eq!(ids, ["site#post-1", "site#post-2"]);
        assert!(docs.iter().all(|d| d.comments.len() == 1 && d.comments[0].id == "11"));
    }

    #[test]
    fn a_post_without_comments_makes_no_document() {
        let docs = read(&wxr(&[item("1", ""), item("2", "")].concat()));
        assert!(docs.is_empty());
    }

    #[test]
    fn a_post_without_post_id_gets_its_position() {
        let text = wxr(&[item("1", ""), item("2", &comment("1", "0", ""))].concat())
            .replace("<wp:post_id>2</wp:post_id>", "");
        assert_eq!(read(&text)[0].article.id, "site#item-2");
    }

    #[test]
    fn a_comment_without_id_is_kept_and_reported() {
        let c = comment("9", "0", "").replace("<{p}:comment_id>9</{p}:comment_id>", "");
        let text = wxr(&item("1", &c));
        let docs = read(&text);
        let line = text.lines().position(|l| l == "<wp:comment>").unwrap() + 1;
        assert_eq!(docs[0].comments[0].id, format!("line-{line}"));
        let a = &docs[0].anomalies[0];
        assert_eq!((a.kind, a.line), (AnomalyKind::BadRecord, Some(line)));
    }

    #[test]
    fn comments_carry_the_line_where_they_start() {
        // The second record starts on the line where the first one ends.
        let text = wxr(&item("1", &[comment("1", "0", ""), comment("2", "1", "")].concat()));
        let starts: Vec<usize> = text
            .match_indices("<wp:comment>")
            .map(|(i, _)| text[..i].matches('\n').count() + 1)
            .collect();
        assert_eq!(starts.len(), 2);
        let docs = read(&text);
        let lines: Vec<usize> = docs[0].comments.iter().filter_map(|c| c.line).collect();
        assert_eq!(lines, starts);
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let depth = 50_000;
        let deep = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
        let text = wxr(&item("1", &[comment("1", "0", ""), deep].concat()));
        assert_eq!(read(&text)[0].comments.len(), 1);
    }

    const DISQUS_HEAD: &str = r#"<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
"#;

    fn disqus(body: &str) -> String {
        format!("{DISQUS_HEAD}{body}</disqus>\n")
    }

    fn thread(id: &str) -> String {
        format!(
            r#"<thread dsq:id="{id}">
  <id>site-{id}</id>
  <forum>myforum</forum>
  <link>http://example.org/{id}</link>
  <title>Thread {id}</title>
  <createdAt>2012-12-12T12:12:12Z</createdAt>
</thread>
"#
        )
    }

    fn post(id: &str, thread: &str, parent: Option<&str>, extra: &str) -> String {
        let parent = parent.map(|p| format!("<parent dsq:id=\"{p}\" />")).unwrap_or_default();
        format!(
            r#"<post dsq:id="{id}">
  <id />
  <message><![CDATA[<p>Post {id}</p>]]></message>
  <createdAt>2013-10-10T19:20:29Z</createdAt>
  {extra}
  <author><name>Author {id}</name><isAnonymous>false</isAnonymous></author>
  <thread dsq:id="{thread}" />
  {parent}
</post>
"#
        )
    }

    #[test]
    fn disqus_threads_posts_and_parents() {
        let body = [
            thread("2"),
            thread("3"),
            post("4", "2", None, ""),
            post("5", "2", Some("4"), ""),
            post("6", "3", None, ""),
        ]
        .concat();
        let docs = read(&disqus(&body));
        assert_eq!(docs.len(), 2);
        let a = &docs[0].article;
        assert_eq!(a.id, "site#thread-2");
        assert_eq!(a.format, "disqus-xml");
        assert_eq!(a.title.as_deref(), Some("Thread 2"));
        assert_eq!(a.url.as_deref(), Some("http://example.org/2"));
        assert_eq!(a.published.as_deref(), Some("2012-12-12T12:12:12Z"));
        assert_eq!(a.outlet.as_deref(), Some("myforum"));
        let c = &docs[0].comments;
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].id.as_str(), c[0].parent_id.as_deref()), ("4", None));
        assert_eq!((c[1].id.as_str(), c[1].parent_id.as_deref()), ("5", Some("4")));
        assert_eq!(c[0].author.as_deref(), Some("Author 4"));
        assert_eq!(c[0].text, "Post 4");
        assert_eq!(c[0].time.as_deref(), Some("2013-10-10T19:20:29Z"));
        assert_eq!((c[0].status.as_deref(), c[0].deleted), (None, false));
        assert_eq!(docs[1].article.id, "site#thread-3");
        assert_eq!(docs[1].comments[0].id, "6");
        assert!(docs.iter().all(|d| d.anomalies.is_empty()));
    }

    #[test]
    fn wxr_by_post_author_from_the_channel_authors() {
        let author = "<wp:author><wp:author_id>7</wp:author_id>\
             <wp:author_login><![CDATA[editor]]></wp:author_login></wp:author>\n";
        let comments = [
            comment("1", "0", "<{p}:comment_user_id>7</{p}:comment_user_id>"),
            comment("2", "1", "<{p}:comment_user_id>0</{p}:comment_user_id>"),
            comment("3", "1", ""),
        ]
        .concat();
        let flags = |text: &str| -> Vec<Option<bool>> {
            read(text)[0].comments.iter().map(|c| c.by_post_author).collect()
        };
        let with = wxr(&format!("{author}{}", item("9", &comments)));
        assert_eq!(flags(&with), [Some(true), Some(false), None]);
        // Without the channel's authors, the creator's id is unknown.
        assert_eq!(flags(&wxr(&item("9", &comments))), [None, None, None]);
    }

    #[test]
    fn disqus_by_post_author_when_both_usernames_are_given() {
        let t = thread("1").replace(
            "<forum>",
            "<author><name>The Editor</name><username>ed</username></author>\n  <forum>",
        );
        let user = |u: &str| format!("<author><username>{u}</username></author>");
        let body = [
            t,
            post("2", "1", None, &user("ed")),
            post("3", "1", None, &user("bob")),
            post("4", "1", None, ""),
        ]
        .concat();
        let docs = read(&disqus(&body));
        let got: Vec<Option<bool>> = docs[0].comments.iter().map(|c| c.by_post_author).collect();
        assert_eq!(got, [Some(true), Some(false), None]);
        // The display name is the author; the username goes into `extra`.
        assert_eq!(docs[0].comments[0].author.as_deref(), Some("Author 2"));
        assert!(docs[0].comments[0].extra.contains(&("username".into(), "ed".into())));
        // Without the thread's author: unknown.
        let docs = read(&disqus(&[thread("1"), post("2", "1", None, &user("ed"))].concat()));
        assert_eq!(docs[0].comments[0].by_post_author, None);
    }

    #[test]
    fn disqus_deleted_and_spam_are_flagged() {
        let body = [
            thread("1"),
            post("2", "1", None, "<isDeleted>true</isDeleted><isSpam>false</isSpam>"),
            post("3", "1", None, "<isDeleted>false</isDeleted><isSpam>true</isSpam>"),
            post("4", "1", None, "<isDeleted>false</isDeleted><isSpam>false</isSpam>"),
        ]
        .concat();
        let docs = read(&disqus(&body));
        let got: Vec<(Option<&str>, bool)> =
            docs[0].comments.iter().map(|c| (c.status.as_deref(), c.deleted)).collect();
        assert_eq!(got, [(Some("deleted"), true), (Some("spam"), false), (None, false)]);
        // The flags as written, in `extra` (#15).
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(docs[0].comments[1].extra, [kv("isSpam", "true"), kv("isDeleted", "false")]);
    }

    #[test]
    fn a_post_in_an_undeclared_thread_is_kept_and_reported() {
        let text =
            disqus(&[thread("2"), post("4", "2", None, ""), post("6", "1337", None, "")].concat());
        let docs = read(&text);
        assert_eq!(docs.len(), 2);
        let d = &docs[1];
        assert_eq!(d.article.id, "site#thread-1337");
        assert_eq!((d.article.title.as_deref(), d.article.url.as_deref()), (None, None));
        assert_eq!(d.comments[0].id, "6");
        let line = text.lines().position(|l| l == r#"<post dsq:id="6">"#).unwrap() + 1;
        assert_eq!(d.comments[0].line, Some(line));
        assert_eq!(d.anomalies.len(), 1);
        let a = &d.anomalies[0];
        assert_eq!(a.kind, AnomalyKind::UndeclaredThread);
        assert_eq!((a.comment_id.as_deref(), a.line), (Some("6"), Some(line)));
        assert!(docs[0].anomalies.is_empty());
    }

    #[test]
    fn a_post_before_its_thread_declaration_is_still_assigned() {
        let body =
            [post("4", "2", None, ""), thread("9"), thread("2"), post("5", "9", None, "")].concat();
        let docs = read(&disqus(&body));
        let ids: Vec<&str> = docs.iter().map(|d| d.article.id.as_str()).collect();
        // Declared threads come in declaration order.
        assert_eq!(ids, ["site#thread-9", "site#thread-2"]);
        assert_eq!(docs[1].article.title.as_deref(), Some("Thread 2"));
        assert_eq!(docs[1].comments[0].id, "4");
        assert!(docs.iter().all(|d| d.anomalies.is_empty()));
    }

    #[test]
    fn dsq_prefix_is_matched_by_namespace() {
        let text = disqus(&[thread("1"), post("2", "1", None, "")].concat())
            .replace("xmlns:dsq=", "xmlns:internals=")
            .replace("dsq:id", "internals:id");
        let docs = read(&text);
        assert_eq!(docs[0].article.id, "site#thread-1");
        assert_eq!(docs[0].comments[0].id, "2");
    }

    #[test]
    fn malformed_xml_is_an_error_with_a_line() {
        // A closing tag that does not match, on line 4.
        let text = "<?xml version=\"1.0\"?>\n<rss>\n<channel>\n<item><title>x</item>\n";
        let msg = err_message(parse(text, "a", "a.xml", Some(Format::Wxr)).unwrap_err());
        assert!(msg.starts_with("line 4, column "), "{msg}");
        assert!(msg.contains("</title>"), "{msg}");

        // Truncated in the middle of a record.
        let full = wxr(&item("1", &comment("1", "0", "")));
        let cut = &full[..full.find("<wp:comment_parent>").unwrap()];
        let last_line = cut.lines().count();
        let msg = err_message(parse(cut, "a", "a.xml", None).unwrap_err());
        assert!(msg.starts_with(&format!("line {last_line}, ")), "{msg}");
        assert!(msg.contains("ends inside `<wp:comment>`"), "{msg}");

        // Truncated inside a tag.
        let cut = &full[..full.find("<wp:comment_parent>").unwrap() + 5];
        assert!(matches!(
            parse(cut, "a", "a.xml", None),
            Err(ParseErrorKind::Malformed { format: Format::Wxr, .. })
        ));

        // Disqus errors name their format.
        let text = disqus(&thread("1")).replace("</thread>", "</threads>");
        assert!(matches!(
            parse(&text, "a", "a.xml", None),
            Err(ParseErrorKind::Malformed { format: Format::DisqusXml, .. })
        ));
    }

    #[test]
    fn the_wrong_format_forced_is_an_error() {
        let text = disqus(&thread("1"));
        let msg = err_message(parse(&text, "a", "a.xml", Some(Format::Wxr)).unwrap_err());
        assert!(msg.starts_with("line 2, column 1: expected the root element `<rss>`"), "{msg}");
        assert!(msg.contains("found `<disqus>`"), "{msg}");

        let msg =
            err_message(parse("{\"a\": 1}", "a", "a.xml", Some(Format::DisqusXml)).unwrap_err());
        assert!(msg.contains("`<disqus>`") && msg.contains("found text"), "{msg}");

        assert!(matches!(
            parse("<html><body/></html>", "a", "a.xml", None),
            Err(ParseErrorKind::Unrecognised(_))
        ));
    }

    #[test]
    fn the_root_element_decides_the_format() {
        let docs = read(&disqus(&[thread("1"), post("2", "1", None, "")].concat()));
        assert_eq!(docs[0].article.format, "disqus-xml");
        let docs = read(&wxr(&item("1", &comment("1", "0", ""))));
        assert_eq!(docs[0].article.format, "wxr");
    }

    #[test]
    fn error_columns_count_characters() {
        let text = "<rss>\n<channel><title>é</titel></channel></rss>";
        let msg = err_message(parse(text, "a", "a.xml", None).unwrap_err());
        // `</titel>` starts at the 18th character of line 2 (its 19th byte).
        assert!(msg.starts_with("line 2, column 18:"), "{msg}");
    }

    #[test]
    fn wp_time_rules() {
        let t = wp_time(Some("2014-01-14 17:31:03"), Some("2014-01-14 18:31:03"));
        assert_eq!((t.value.as_deref(), t.local), (Some("2014-01-14T17:31:03Z"), false));
        let t = wp_time(Some("0000-00-00 00:00:00"), None);
        assert_eq!((t.value, t.raw.as_deref()), (None, Some("0000-00-00 00:00:00")));
        assert_eq!(wp_time(None, None), Time::default());
    }
}
