//! Saved HTML article pages with their comments (issue #3): one
//! [`Document`] per page.
//!
//! **Comment markup read.**
//! - *WordPress* (`wp_list_comments`, classic and block themes,
//!   WordPress.com "highlander"): `li`/`article`/`div` elements with the
//!   class `comment`, `pingback` or `trackback`. The id is the number `N`
//!   of a `comment-N`, `li-comment-N` or `div-comment-N` id on the element
//!   or inside it. The parent is the nearest enclosing comment element; a
//!   reply list (`.children`) standing right after its parent's element
//!   (WordPress.com closes the `li` before the list) belongs to that
//!   parent. Only elements that carry a comment id or sit in a comment
//!   list (`ol.commentlist`, `.comment-list`, `#comments`,
//!   `.wp-block-comment-template`, …) count, and none inside `nav`,
//!   widgets or menus, so sidebars that reuse `ul.children` are not read
//!   as comments.
//! - *Older themes* (issue #15): a `li` or `dt` with a `comment-N` id
//!   and no `comment` class (Kubrick's `ol#commentlist > li.alt`), a
//!   `li` in a comment list whose child carries the id, nested by
//!   `ul.children` only; a `dt` + `dd` pair is one comment (author and date
//!   in the `dt`, text in the `dd`). The author may be a bare `cite` and
//!   the "Says:" after it is left out of the text.
//! - *wpDiscuz*: elements with the id `wc-comm-ID_PARENT` or
//!   `wpd-comm-ID_PARENT` carry the comment's id and its parent's
//!   (`0` = a reply to the article).
//!
//! Author, time and text come from the usual classes of each markup
//! (`.comment-author .fn`, `time[datetime]`, `.comment-metadata`,
//! `.comment-content`, `.wp-block-comment-*`, `.wc-comment-*`, …); the
//! text leaves out author, date, avatar and reply-link blocks and marks
//! `<blockquote>`s as quotes. Pingbacks and trackbacks are kept with their
//! [`CommentKind`], known by their class, else by a text or author starting
//! `Pingback:`, `Pingback von`, `Trackback:` or `Trackback von`, else by a
//! list of their own (`ol.pinglist`, `#pings`, …). A comment element without an id gets the fallback id
//! `pos-N` (its position in the page) and a [`AnomalyKind::BadRecord`]
//! anomaly; a `depth-N` class that disagrees with the nesting gives a
//! [`AnomalyKind::BadIndentation`] anomaly (the nesting wins); a comment
//! list with no comment in it, an [`AnomalyKind::EmptySection`].
//!
//! **Pages without comment markup.** A page that embeds comments loaded by
//! JavaScript (Disqus, Facebook, Coral) has
//! [`CommentSection::NotInPage`]; a page with neither comments nor such an
//! embed has [`CommentSection::Absent`].
//!
//! **Article.** Title (`og:title`, else the JSON-LD `headline`, else
//! `<title>`; a " | Site", " – Site" or " - Site" suffix naming the site is
//! cut), publication time (`article:published_time`, else the JSON-LD
//! `datePublished`), canonical URL (`link[rel=canonical]`, else `og:url`),
//! outlet (`og:site_name`), byline (`meta[name=author]`, else
//! `meta[property=article:author]` when not a link, else the JSON-LD
//! `author` names, else `.byline` or `a[rel=author]` outside comments) and
//! the text of the article body: that of the first known container
//! (`.entry-content`, `[itemprop=articleBody]`, …), else what the
//! readability extractor `dom_smoothie` finds, its comments left out
//! (pages up to 4 MB that the tree builder reads; issue #15). JSON-LD is
//! read from `NewsArticle`, `Article`, `BlogPosting` and the like, also in
//! `@graph` lists; a block that is not JSON is skipped.
//! `Article.format` is `wordpress-html`,
//! `wpdiscuz-html`, or `html` when the page has neither kind of comment
//! markup.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::LazyLock;

use super::clean::{Time, node_text_without, parse_time};
use super::dom::{Edge, Element, ElementRef, Html, NodeId, NodeRef, Selector, Sink};
use super::{Format, ParseErrorKind};
use crate::model::{
    Anomaly, AnomalyKind, Article, CommentKind, CommentSection, Document, RawComment,
};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult, local_name, ns};
use regex::Regex;

/// `comment-N`, `li-comment-N`, `div-comment-N`: WordPress comment ids.
static WP_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:li-|div-)?comment-(\d+)$").unwrap());
/// `wc-comm-ID_PARENT` (wpDiscuz 5) and `wpd-comm-ID_PARENT` (wpDiscuz 7).
static WPDISCUZ_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:wc|wpd)-comm-(\d+)_(\d+)$").unwrap());
static WP_DEPTH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^depth-(\d+)$").unwrap());
static WPDISCUZ_LEVEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:wc|wpd)_comment_level-(\d+)$").unwrap());
/// Some markup at all: a start or end tag, a comment or a doctype.
static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[A-Za-z!/?]").unwrap());

/// Classes that mark a WordPress comment element (with the element names
/// they may sit on).
const WP_ITEM_CLASSES: &[&str] = &["comment", "pingback", "trackback"];
const WP_ITEM_ELEMENTS: &[&str] = &["li", "article", "div", "dt"];
/// Classes and ids of the lists WordPress themes put comments in.
const WP_LIST_CLASSES: &[&str] = &[
    "commentlist",
    "comment-list",
    "comments-list",
    "wp-block-comment-template",
    "wp-block-comments",
    "comments-area",
    "pinglist",
    "pings",
    "trackbacks",
];
/// Lists that hold only pingbacks and trackbacks (themes that list them
/// apart from the comments, issue #15).
const PING_LIST_CLASSES: &[&str] = &["pinglist", "pings", "trackbacks", "pingbacks"];
const PING_LIST_IDS: &[&str] = &["pings", "pinglist", "trackbacks", "pingbacks"];
/// How the text of a pingback or trackback starts where the markup does
/// not mark it (lower case; issue #15).
const PING_PREFIXES: &[(&str, CommentKind)] = &[
    ("pingback:", CommentKind::Pingback),
    ("pingback von", CommentKind::Pingback),
    ("trackback:", CommentKind::Trackback),
    ("trackback von", CommentKind::Trackback),
];
/// Words between a comment's author and its text in themes that write
/// them as bare text (`<cite>Anna</cite> Says:`), lower case.
const SAYS: &[&str] =
    &["says", "said", "sagt", "schrieb", "schreibt", "dit", "dice", "zegt", "wrote"];
/// The lists themselves (the others may hold only the comment form).
const WP_LISTS: &[&str] = &["commentlist", "comment-list", "wp-block-comment-template"];
const WP_LIST_IDS: &[&str] = &["comments", "commentlist", "comments-list", "thecomments"];
/// Page parts that are never comments even when they reuse the classes
/// (menus and sidebars with `ul.children`).
const NOT_COMMENT_CLASSES: &[&str] = &["widget", "widget-area", "menu", "sidebar"];
const NOT_COMMENT_ELEMENTS: &[&str] = &["nav"];
/// Signs that a WordPress comment section is on the page even when it
/// holds no comment (only the form).
const WP_SECTION_CLASSES: &[&str] = &["comment-respond"];
const WP_SECTION_IDS: &[&str] = &["respond", "commentform"];
/// Signs of a wpDiscuz comment section.
const WPDISCUZ_SECTION_IDS: &[&str] = &["wpdcom", "wcThreadWrapper", "wpd-threads"];
const WPDISCUZ_SECTION_CLASSES: &[&str] = &["wpd-thread-list", "wc-thread-wrapper"];

/// Where WordPress themes put the text of a comment, most specific first.
const WP_CONTENT_CLASSES: &[&str] = &[
    "comment-content",
    "wp-block-comment-content",
    "comment-text",
    "contenttext",
    "comment-entry",
    "comment_text",
    "comment-body",
];
/// Blocks inside a comment that are not its text.
const WP_NOT_TEXT_CLASSES: &[&str] = &[
    "comment-author",
    "comment-meta",
    "commentmetadata",
    "comment-metadata",
    "reply",
    "comment-reply-link",
    "wp-block-comment-reply-link",
    "avatar",
    "wp-block-avatar",
    "comment-likes",
    "comment-actions",
    "edit-link",
    "comment-edit-link",
    "wp-block-comment-edit-link",
    "wp-block-comment-date",
    "wp-block-comment-author-name",
    "comment-awaiting-moderation",
    "says",
    "sharedaddy",
    "children",
    "comment-respond",
];
const NOT_TEXT_ELEMENTS: &[&str] = &["img", "form", "button", "input", "textarea", "select"];
/// Where themes write the date of a comment as text.
const WP_DATE_CLASSES: &[&str] = &[
    "comment-metadata",
    "commentmetadata",
    "comment-date",
    "wp-block-comment-date",
    "comment-time",
];
/// Links in a date block that are not the date.
const LINK_CLASSES: &[&str] = &[
    "edit-link",
    "comment-edit-link",
    "comment-reply-link",
    "reply",
    "wp-block-comment-edit-link",
];
/// Elements in an author block that hold the name rather than the date.
const NAME_CLASSES: &[&str] =
    &["fn", "url", "says", "avatar", "comment-author", "comment-reply-link"];
const NAME_ELEMENTS: &[&str] = &["strong", "b", "cite", "img"];

/// Where the article text is, most specific first, each with the class its element must
/// name (see [`select`]).
static BODY: LazyLock<Vec<(Selector, &str)>> = LazyLock::new(|| {
    [
        ("[itemprop=\"articleBody\"]", ""),
        ("article .entry-content", "entry-content"),
        (".entry-content", "entry-content"),
        (".post-content", "post-content"),
        (".wp-block-post-content", "wp-block-post-content"),
        (".article-content", "article-content"),
        (".post-entry", "post-entry"),
        (".entrytext", "entrytext"),
        (".post .entry", "entry"),
        ("[itemprop=\"text\"]", ""),
    ]
    .iter()
    .map(|&(s, class)| (Selector::parse(s).expect("valid selector"), class))
    .collect()
});
/// Parts of an article body that are not its text.
const BODY_NOT_TEXT_CLASSES: &[&str] =
    &["sharedaddy", "jp-relatedposts", "comments-area", "wpdiscuz_top_clearing"];
static SEL: LazyLock<MetaSelectors> = LazyLock::new(MetaSelectors::new);

struct MetaSelectors {
    og_title: Selector,
    title: Selector,
    published: Selector,
    canonical: Selector,
    og_url: Selector,
    site_name: Selector,
    author: Selector,
    article_author: Selector,
    rel_author: Selector,
    byline: Selector,
    json_ld: Selector,
}

impl MetaSelectors {
    fn new() -> Self {
        let s = |s: &str| Selector::parse(s).expect("valid selector");
        MetaSelectors {
            og_title: s("meta[property=\"og:title\"]"),
            title: s("title"),
            published: s("meta[property=\"article:published_time\"], \
                 meta[name=\"article:published_time\"], meta[itemprop=\"datePublished\"]"),
            canonical: s("link[rel~=\"canonical\"]"),
            og_url: s("meta[property=\"og:url\"]"),
            site_name: s("meta[property=\"og:site_name\"]"),
            author: s("meta[name=\"author\"]"),
            article_author: s("meta[property=\"article:author\"]"),
            rel_author: s("a[rel~=\"author\"]"),
            byline: s(".byline, .author-name, .entry-author"),
            json_ld: s("script[type=\"application/ld+json\"]"),
        }
    }
}

/// Which markup a comment element was recognised by.
#[derive(Clone, Debug)]
enum Origin {
    WordPress,
    WpDiscuz { id: String, parent: Option<String> },
}

/// A comment element of the page, in page order.
struct Item<'a> {
    el: ElementRef<'a>,
    /// The `dd` holding the text of a comment whose element is a `dt`
    /// (old themes list comments as `dt` + `dd` pairs).
    pair: Option<ElementRef<'a>>,
    /// The comment sits in a list of pingbacks and trackbacks.
    pings: bool,
    origin: Origin,
    /// For a WordPress comment, the item it replies to by its place in the
    /// page (see [`Context::wp_parent`]).
    wp_parent: Option<usize>,
}

/// Parse a saved HTML page. `id` names the discussion and `source` the
/// input it came from.
///
/// Fails only when the text holds no markup at all (a file of another
/// format read as HTML); any page, however odd, gives a [`Document`].
pub fn parse(text: &str, id: &str, source: &str) -> Result<Vec<Document>, ParseErrorKind> {
    if !ANY_TAG.is_match(text) {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let shown: String = first.trim().chars().take(40).collect();
        return Err(ParseErrorKind::Malformed {
            format: Format::Html,
            message: format!("line 1: expected an HTML page, found no tags (starts `{shown}`)"),
        });
    }
    let (html, deep) = parse_tree(text);
    let (items, owner) = find_items(&html);
    // Readability reads the page again with html5ever's tree builder,
    // whose time runs away on deep pages, and takes more than linear time
    // on big ones: those keep the known containers only.
    let readable = (deep.is_none() && text.len() <= READABILITY_MAX_BYTES).then_some(text);
    let mut doc =
        Document { article: article(&html, &owner, id, source, readable), ..Default::default() };
    if let Some(depth) = deep {
        doc.anomalies.push(Anomaly {
            kind: AnomalyKind::DeepNesting,
            line: None,
            comment_id: None,
            message: format!(
                "the page nests elements {depth} deep, beyond the {MAX_DEPTH} levels browsers \
                 build; it was read with a simpler tree builder whose time stays linear, so \
                 misplaced table content and misnested formatting tags may sit differently \
                 than in a browser (every element and text is kept)"
            ),
        });
    }

    let has_wpdiscuz = items.iter().any(|i| matches!(i.origin, Origin::WpDiscuz { .. }))
        || any_element(&html, |e| {
            has_any_id(e, WPDISCUZ_SECTION_IDS) || has_any_class(e, WPDISCUZ_SECTION_CLASSES)
        });
    let wp_list = any_element(&html, |e| has_any_class(e, WP_LISTS));
    let has_wp = items.iter().any(|i| matches!(i.origin, Origin::WordPress))
        || wp_list
        || any_element(&html, |e| {
            has_any_id(e, WP_SECTION_IDS) || has_any_class(e, WP_SECTION_CLASSES)
        });
    doc.article.format = if has_wpdiscuz {
        "wpdiscuz-html"
    } else if has_wp {
        "wordpress-html"
    } else {
        "html"
    }
    .to_string();

    read_comments(text, &items, &owner, &mut doc);

    doc.section = if !doc.comments.is_empty() {
        CommentSection::Present
    } else if js_embed(&html) {
        CommentSection::NotInPage
    } else if has_wpdiscuz || has_wp {
        CommentSection::Present
    } else {
        CommentSection::Absent
    };
    if doc.comments.is_empty() && wp_list {
        doc.anomalies.push(Anomaly {
            kind: AnomalyKind::EmptySection,
            line: None,
            comment_id: None,
            message: "the page has a comment list with no comment in it".into(),
        });
    }
    Ok(vec![doc])
}

/// Nesting beyond which the page is not given to html5ever's tree builder
/// (issue #13). The builder scans its stack of open elements on most
/// tokens, so its time grows with tokens × depth: 100,000 nested `div`s
/// took 53 s. Browsers cap the DOM depth their parser builds at 512
/// (Blink's and WebKit's `maximumHTMLParserDOMTreeDepth`), so no page made
/// for the web nests deeper.
pub const MAX_DEPTH: usize = 512;
/// How much of the page html5ever reads between two looks at the depth: a
/// chunk can take it at most one chunk of tags past [`MAX_DEPTH`].
const CHUNK: usize = 8 * 1024;

/// `text` in pieces of [`CHUNK`] bytes or a few more, each ending at a character boundary.
fn chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut at = CHUNK.min(rest.len());
        while !rest.is_char_boundary(at) {
            at += 1;
        }
        let (chunk, tail) = rest.split_at(at);
        rest = tail;
        Some(chunk)
    })
}

/// The page's tree, and the depth it nests to when that is beyond
/// [`MAX_DEPTH`] (the tree is then the one [`LinearBuilder`] makes).
fn parse_tree(text: &str) -> (Html, Option<usize>) {
    let mut parser = html5ever::parse_document(
        DepthWatch {
            inner: Sink::new(Html::new_document(), true),
            appended: Cell::new(0),
            too_deep: Cell::new(false),
        },
        Default::default(),
    );
    for chunk in chunks(text) {
        parser.process(StrTendril::from_slice(chunk));
        if parser.tokenizer.sink.sink.too_deep.get() {
            // Give up on html5ever before its time runs away: at most
            // MAX_DEPTH × one chunk of work was spent.
            drop(parser);
            let (html, depth) = LinearBuilder::parse(text);
            return (html, Some(depth));
        }
    }
    let html = parser.finish();
    (html, None)
}

/// The tree's sink, watching how deep the tree html5ever builds goes.
struct DepthWatch {
    inner: Sink,
    /// Nodes appended so far.
    appended: Cell<usize>,
    too_deep: Cell<bool>,
}

/// The depth is looked at on every this many nodes appended: the builder
/// opens one element per node appended at most, so where it inserts never
/// gets more than this many levels past [`MAX_DEPTH`] unseen, and a page
/// just under the cap costs a few steps per node rather than [`MAX_DEPTH`].
const CHECK_EVERY: usize = 32;

impl DepthWatch {
    /// Note when `node` sits deeper than [`MAX_DEPTH`] (counting at most
    /// that many ancestors, so each check is bounded).
    fn check(&self, node: &NodeId) {
        let appended = self.appended.get() + 1;
        self.appended.set(appended);
        if self.too_deep.get() || !appended.is_multiple_of(CHECK_EVERY) {
            return;
        }
        let html = self.inner.tree();
        if let Some(n) = html.get(*node)
            && n.ancestors().take(MAX_DEPTH + 1).count() > MAX_DEPTH
        {
            self.too_deep.set(true);
        }
    }
}

impl TreeSink for DepthWatch {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = <Sink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let id = match &child {
            NodeOrText::AppendNode(id) => Some(*id),
            NodeOrText::AppendText(_) => None,
        };
        self.inner.append(parent, child);
        if let Some(id) = id {
            self.check(&id);
        }
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        // Through `self.append…`, which check.
        let has_parent = self.inner.tree().get(*element).and_then(|n| n.parent()).is_some();
        if has_parent {
            self.append_before_sibling(element, child)
        } else {
            self.append(prev_element, child)
        }
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let id = match &new_node {
            NodeOrText::AppendNode(id) => Some(*id),
            NodeOrText::AppendText(_) => None,
        };
        self.inner.append_before_sibling(sibling, new_node);
        if let Some(id) = id {
            self.check(&id);
        }
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent);
        self.check(new_parent);
    }
}

/// A tree builder whose time is linear in the page, for pages nesting
/// deeper than [`MAX_DEPTH`] (issue #13): html5ever's tokenizer, and the
/// "in body" rules of the HTML standard that decide nesting (implied end
/// tags of `p`, `li`, `dd`/`dt`, `option`, table cells and rows, headings;
/// end tags honoured only within their scope; void and raw-text elements),
/// with the scopes kept as stacks of positions so that no rule scans the
/// open elements. It leaves out what does not decide nesting or what a
/// reader of comments needs (foster parenting of misplaced table content,
/// the adoption agency's rebuilding of misnested formatting elements, a
/// separate `head`), so on such pages the tree may differ from a browser's
/// in those places; every element and text of the page is in it, nested as
/// deep as the page nests.
struct LinearBuilder {
    sink: Sink,
    open: RefCell<OpenElements>,
}

/// The stack of open elements and, for each scope, the positions in it of
/// the elements that bound the scope.
#[derive(Default)]
struct OpenElements {
    nodes: Vec<(NodeId, LocalName)>,
    by_name: HashMap<LocalName, Vec<u32>>,
    /// Default scope: applet, caption, html, table, td, th, marquee,
    /// object, template.
    scope: Vec<u32>,
    /// List-item scope: the default scope's elements, `ol` and `ul`.
    list: Vec<u32>,
    /// Button scope: the default scope's elements and `button`.
    button: Vec<u32>,
    /// Table scope: html, table, template.
    table: Vec<u32>,
    /// Special elements.
    special: Vec<u32>,
    /// Special elements other than address, div and p (where a new `li`,
    /// `dd` or `dt` stops looking for one to close).
    special_li: Vec<u32>,
    /// Open `svg` and `math` elements.
    foreign: usize,
    max_depth: usize,
}

const SCOPE: &[&str] =
    &["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"];
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];
/// Start tags that close an open `p` (in button scope).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "plaintext",
    "table",
    "hr",
    "xmp",
];
const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];
/// Whether `name` (lower case) is an HTML element: one of the standard's special or
/// formatting elements, or a common phrasing one. Format detection uses it to tell a page,
/// or a saved fragment of one, from other markup.
pub(crate) fn is_html_element(name: &str) -> bool {
    SPECIAL.contains(&name)
        || FORMATTING.contains(&name)
        || ["span", "svg", "label", "abbr", "sup", "sub"].contains(&name)
}

/// Formatting elements: an end tag closes them when they are in scope
/// (where the standard's adoption agency would rebuild the tree).
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

impl OpenElements {
    fn last(&self, name: &str) -> Option<usize> {
        self.by_name.get(&LocalName::from(name)).and_then(|v| v.last()).map(|&i| i as usize)
    }

    /// The last open element of these names.
    fn last_of(&self, names: &[&str]) -> Option<usize> {
        names.iter().filter_map(|n| self.last(n)).max()
    }

    /// `at` is within the scope bounded by `bounds` (the element at `at`
    /// may itself bound it).
    fn within(at: Option<usize>, bounds: &[u32]) -> Option<usize> {
        at.filter(|&i| bounds.last().is_none_or(|&b| i >= b as usize))
    }

    fn top_is(&self, names: &[&str]) -> bool {
        self.nodes.last().is_some_and(|(_, n)| names.contains(&&**n))
    }

    fn push(&mut self, id: NodeId, name: LocalName) {
        // Positions fit in 32 bits as node ids do (see `dom::MAX_TEXT`).
        let i = u32::try_from(self.nodes.len()).expect("fewer open elements than nodes");
        let n: &str = &name;
        let in_scope = SCOPE.contains(&n);
        if in_scope {
            self.scope.push(i);
        }
        if in_scope || n == "ol" || n == "ul" {
            self.list.push(i);
        }
        if in_scope || n == "button" {
            self.button.push(i);
        }
        if matches!(n, "html" | "table" | "template") {
            self.table.push(i);
        }
        if SPECIAL.contains(&n) {
            self.special.push(i);
            if !matches!(n, "address" | "div" | "p") {
                self.special_li.push(i);
            }
        }
        if matches!(n, "svg" | "math") {
            self.foreign += 1;
        }
        self.by_name.entry(name.clone()).or_default().push(i);
        self.nodes.push((id, name));
        self.max_depth = self.max_depth.max(self.nodes.len());
    }

    /// Pop the elements from position `at` up (the element at `at` too).
    fn pop_to(&mut self, at: usize) {
        while self.nodes.len() > at.max(1) {
            let i = (self.nodes.len() - 1) as u32;
            let (_, name) = self.nodes.pop().expect("not empty");
            for v in [
                &mut self.scope,
                &mut self.list,
                &mut self.button,
                &mut self.table,
                &mut self.special,
                &mut self.special_li,
            ] {
                if v.last() == Some(&i) {
                    v.pop();
                }
            }
            if matches!(&*name, "svg" | "math") {
                self.foreign -= 1;
            }
            if let Some(v) = self.by_name.get_mut(&name) {
                v.pop();
            }
        }
    }
}

impl LinearBuilder {
    /// The tree of `text`, and the depth it nests to.
    fn parse(text: &str) -> (Html, usize) {
        let sink = Sink::new(Html::new_document(), true);
        let html = sink.create_element(
            QualName::new(None, ns!(html), local_name!("html")),
            Vec::new(),
            ElementFlags::default(),
        );
        sink.append(&sink.get_document(), NodeOrText::AppendNode(html));
        let mut open = OpenElements::default();
        open.push(html, local_name!("html"));
        let tokenizer =
            Tokenizer::new(LinearBuilder { sink, open: RefCell::new(open) }, Default::default());
        // In chunks, as `parse_tree` gives html5ever the page: one copy of the page at a time
        // is one chunk, not the page.
        let input = BufferQueue::default();
        for chunk in chunks(text) {
            input.push_back(StrTendril::from_slice(chunk));
            while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
        }
        tokenizer.end();
        let depth = tokenizer.sink.open.borrow().max_depth;
        (tokenizer.sink.sink.finish(), depth)
    }

    fn current(&self) -> NodeId {
        self.open.borrow().nodes.last().expect("html stays open").0
    }

    fn insert(&self, tag: Tag) -> TokenSinkResult<NodeId> {
        let name = tag.name;
        let n: &str = &name;
        let foreign = self.open.borrow().foreign > 0;
        let void = VOID.contains(&n) || foreign && tag.self_closing;
        let qual = QualName::new(None, ns!(html), name.clone());
        let el = self.sink.create_element(qual, tag.attrs, ElementFlags::default());
        self.sink.append(&self.current(), NodeOrText::AppendNode(el));
        if void {
            return TokenSinkResult::Continue;
        }
        let raw = if foreign {
            None
        } else {
            match n {
                "script" => Some(TokenSinkResult::RawData(RawKind::ScriptData)),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                    Some(TokenSinkResult::RawData(RawKind::Rawtext))
                }
                "textarea" | "title" => Some(TokenSinkResult::RawData(RawKind::Rcdata)),
                "plaintext" => Some(TokenSinkResult::Plaintext),
                _ => None,
            }
        };
        self.open.borrow_mut().push(el, name);
        raw.unwrap_or(TokenSinkResult::Continue)
    }

    fn start(&self, tag: Tag) -> TokenSinkResult<NodeId> {
        let mut open = self.open.borrow_mut();
        let n: &str = &tag.name;
        match n {
            "html" => {
                let root = open.nodes[0].0;
                drop(open);
                self.sink.add_attrs_if_missing(&root, tag.attrs);
                return TokenSinkResult::Continue;
            }
            "body" | "head" if open.last(n).is_some() => {
                let at = open.last(n).expect("open");
                let node = open.nodes[at].0;
                drop(open);
                self.sink.add_attrs_if_missing(&node, tag.attrs);
                return TokenSinkResult::Continue;
            }
            "body" => {
                if let Some(h) = open.last("head") {
                    open.pop_to(h);
                }
            }
            _ => {}
        }
        if CLOSES_P.contains(&n)
            && let Some(p) = OpenElements::within(open.last("p"), &open.button)
        {
            open.pop_to(p);
        }
        match n {
            _ if HEADINGS.contains(&n) && open.top_is(HEADINGS) => {
                let top = open.nodes.len() - 1;
                open.pop_to(top);
            }
            "li" | "dd" | "dt" => {
                let names: &[&str] = if n == "li" { &["li"] } else { &["dd", "dt"] };
                if let Some(i) = OpenElements::within(open.last_of(names), &open.special_li) {
                    open.pop_to(i);
                }
            }
            "option" | "optgroup" if open.top_is(&["option"]) => {
                let top = open.nodes.len() - 1;
                open.pop_to(top);
            }
            "td" | "th" | "tr" | "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => {
                let names: &[&str] = match n {
                    "td" | "th" => &["td", "th"],
                    "tr" => &["tr", "td", "th"],
                    _ => &["thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup"],
                };
                if let Some(i) = OpenElements::within(open.last_of(names), &open.table) {
                    open.pop_to(i);
                }
            }
            "a" | "nobr" | "button" | "form" => {
                if let Some(i) = OpenElements::within(open.last(n), &open.scope) {
                    open.pop_to(i);
                }
            }
            _ => {}
        }
        drop(open);
        self.insert(tag)
    }

    fn end(&self, tag: Tag) {
        let mut open = self.open.borrow_mut();
        let n: &str = &tag.name;
        let at = match n {
            "html" | "body" => None,
            "br" => {
                drop(open);
                let _ = self.insert(Tag { kind: TagKind::StartTag, attrs: Vec::new(), ..tag });
                return;
            }
            "p" => OpenElements::within(open.last("p"), &open.button),
            "li" => OpenElements::within(open.last("li"), &open.list),
            _ if HEADINGS.contains(&n) => OpenElements::within(open.last_of(HEADINGS), &open.scope),
            _ if SPECIAL.contains(&n) || FORMATTING.contains(&n) => {
                OpenElements::within(open.last(n), &open.scope)
            }
            // Any other end tag closes its element unless a special
            // element is open inside it.
            _ => open.last(n).filter(|&i| open.special.last().is_none_or(|&s| i > s as usize)),
        };
        if let Some(i) = at {
            open.pop_to(i);
        }
    }
}

impl TokenSink for LinearBuilder {
    type Handle = NodeId;

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<NodeId> {
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return self.start(tag),
                TagKind::EndTag => self.end(tag),
            },
            Token::CharacterTokens(t) => {
                self.sink.append(&self.current(), NodeOrText::AppendText(t));
            }
            // Not kept (see [`Sink`]).
            Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::NullCharacterToken
            | Token::EOFToken
            | Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

/// Pages up to this size whose body no known container holds are given to
/// the readability extractor (issue #15).
const READABILITY_MAX_BYTES: usize = 4 << 20;
/// The readability extractor gives up on pages with more elements.
const READABILITY_MAX_ELEMENTS: usize = 60_000;

/// The article's metadata and body text. `page` is the page's text when
/// the readability extractor may read it for a body no known container
/// holds.
fn article(
    html: &Html,
    owner: &HashMap<NodeId, usize>,
    id: &str,
    source: &str,
    page: Option<&str>,
) -> Article {
    let content = |sel: &Selector, attr: &str| {
        html.select(sel).filter_map(|e| e.attr(attr)).map(collapse).find(|s| !s.is_empty())
    };
    let ld = LdArticle::read(html);
    let outlet = content(&SEL.site_name, "content");
    let title = content(&SEL.og_title, "content")
        .or_else(|| ld.headline.clone())
        .or_else(|| html.select(&SEL.title).map(|e| collapse(&e.text().collect::<String>())).next())
        .map(|t| match outlet.as_deref().or(ld.publisher.as_deref()) {
            Some(site) => strip_site(&t, site).to_string(),
            None => t,
        });
    let published = content(&SEL.published, "content")
        .and_then(|t| parse_time(&t).value)
        .or_else(|| ld.published.as_deref().and_then(|t| parse_time(t).value));
    let url = content(&SEL.canonical, "href").or_else(|| content(&SEL.og_url, "content"));
    // Whether a node is a comment element or inside one, remembered along
    // every path walked so that no node is walked twice (issue #13).
    let mut in_comment: HashMap<NodeId, bool> = HashMap::new();
    let mut is_in_comment = |e: ElementRef<'_>| {
        let mut path = Vec::new();
        let mut found = false;
        for n in std::iter::once(*e).chain(e.ancestors()) {
            if let Some(&known) = in_comment.get(&n.id()) {
                found = known;
                break;
            }
            path.push(n.id());
            if owner.contains_key(&n.id()) {
                found = true;
                break;
            }
        }
        for id in path {
            in_comment.insert(id, found);
        }
        found
    };
    let byline = content(&SEL.author, "content")
        .or_else(|| content(&SEL.article_author, "content").filter(|a| !a.contains("://")))
        .or_else(|| ld.author.clone())
        .or_else(|| {
            // Bylines and author links in the page, not in a comment
            // (where themes may use the same classes); the byline first, as
            // author links also stand in author boxes ("View all posts by").
            let byline: &[&str] = &["byline", "author-name", "entry-author"];
            [(&SEL.byline, byline), (&SEL.rel_author, &[""])].into_iter().find_map(
                |(sel, classes)| {
                    select(html, sel, classes)
                        .filter(|e| !is_in_comment(*e))
                        .map(|e| {
                            collapse(
                                &node_text_without(e, |x| has_class(x, "screen-reader-text")).text,
                            )
                        })
                        .find(|t| !t.is_empty() && t.chars().count() <= 100)
                },
            )
        })
        .map(|a| strip_by(&a).to_string());
    let drop_in_body = |x: ElementRef<'_>| {
        has_any_class(x, BODY_NOT_TEXT_CLASSES)
            || has_any_id(x, &["comments"])
            || owner.contains_key(&x.id())
            || NOT_TEXT_ELEMENTS.contains(&x.value().name())
    };
    let body = BODY
        .iter()
        // Comments may use the same classes (`itemprop="text"`).
        .find_map(|(sel, class)| {
            select(html, sel, std::slice::from_ref(class)).find(|e| !is_in_comment(*e))
        })
        .map(|e| node_text_without(e, drop_in_body).text)
        .filter(|t| !t.is_empty())
        .or_else(|| page.and_then(readable_body))
        .unwrap_or_default();
    Article {
        id: id.to_string(),
        source: source.to_string(),
        format: "html".to_string(),
        outlet,
        title: title.filter(|t| !t.is_empty()),
        published,
        byline: byline.filter(|b| !b.is_empty()),
        url,
        body,
    }
}

/// The body text the readability extractor finds in `page`, without the
/// comments, comment lists and forms it may take in; `None` when it finds
/// none (issue #15). A panic in the extractor costs the body, not the page.
fn readable_body(page: &str) -> Option<String> {
    let config = dom_smoothie::Config {
        // Classes and ids tell the comments in what it returns.
        keep_classes: true,
        disable_json_ld: true,
        max_elements_to_parse: READABILITY_MAX_ELEMENTS,
        ..Default::default()
    };
    let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut r = dom_smoothie::Readability::new(page, None, Some(config)).ok()?;
        r.parse().ok().map(|a| a.content.to_string())
    }))
    .ok()
    .flatten()?;
    let (html, _) = parse_tree(&extracted);
    let (_, owner) = find_items(&html);
    let text = node_text_without(html.root_element(), |x| {
        owner.contains_key(&x.id())
            || has_any_class(x, WP_LIST_CLASSES)
            || has_any_class(x, WP_SECTION_CLASSES)
            || has_any_class(x, WPDISCUZ_SECTION_CLASSES)
            || has_any_class(x, BODY_NOT_TEXT_CLASSES)
            || has_any_id(x, WP_LIST_IDS)
            || has_any_id(x, WP_SECTION_IDS)
            || has_any_id(x, WPDISCUZ_SECTION_IDS)
            || NOT_TEXT_ELEMENTS.contains(&x.value().name())
    })
    .text;
    (!text.is_empty()).then_some(text)
}

/// `title` without the site's name after a separator (`Title | Site`,
/// `Title – Site`, `Title - Site`); as it is when it has no such suffix or
/// nothing else.
fn strip_site<'t>(title: &'t str, site: &str) -> &'t str {
    let site = site.trim();
    if site.is_empty() {
        return title;
    }
    for sep in [" | ", " – ", " — ", " - ", " · ", " :: ", " » "] {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && tail.trim().eq_ignore_ascii_case(site)
            && !head.trim().is_empty()
        {
            return head.trim_end();
        }
    }
    title
}

/// An author line without a leading "By" (or "Von", "Par", "Door").
fn strip_by(byline: &str) -> &str {
    let b = byline.trim();
    for by in ["By ", "by ", "BY ", "Von ", "von ", "Par ", "par ", "Door ", "door "] {
        if let Some(rest) = b.strip_prefix(by) {
            return rest.trim_start();
        }
    }
    b
}

/// What the page's JSON-LD says of its article (`NewsArticle`, `Article`,
/// `BlogPosting`, …, also in `@graph` lists): the first value found of
/// each field. Blocks that are not JSON are skipped (issue #15).
#[derive(Debug, Default)]
struct LdArticle {
    headline: Option<String>,
    published: Option<String>,
    /// Author names, joined by ", ".
    author: Option<String>,
    publisher: Option<String>,
}

impl LdArticle {
    fn read(html: &Html) -> LdArticle {
        let mut out = LdArticle::default();
        for script in html.select(&SEL.json_ld) {
            let text: String = script.text().collect();
            let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
                continue;
            };
            // Lists and `@graph`s to look into; each value is looked at
            // once (no recursion: the nesting is the document's).
            let mut stack = vec![&value];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::Array(list) => stack.extend(list.iter().rev()),
                    serde_json::Value::Object(o) => {
                        if let Some(graph) = o.get("@graph") {
                            stack.push(graph);
                        }
                        if o.get("@type").is_some_and(is_article_type) {
                            out.fill(o);
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    fn fill(&mut self, o: &serde_json::Map<String, serde_json::Value>) {
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str()).map(collapse).filter(|s| !s.is_empty())
        };
        if self.headline.is_none() {
            self.headline = text(o.get("headline")).or_else(|| text(o.get("name")));
        }
        if self.published.is_none() {
            self.published = text(o.get("datePublished"));
        }
        if self.author.is_none() {
            self.author = o.get("author").and_then(ld_names);
        }
        if self.publisher.is_none() {
            self.publisher = o.get("publisher").and_then(ld_names);
        }
    }
}

/// Whether a JSON-LD `@type` (a name or a list of names) is an article.
fn is_article_type(t: &serde_json::Value) -> bool {
    let article = |name: &str| {
        let name = name.rsplit('/').next().unwrap_or(name);
        name.ends_with("Article") || name.ends_with("BlogPosting") || name == "Report"
    };
    match t {
        serde_json::Value::String(s) => article(s),
        serde_json::Value::Array(list) => list.iter().filter_map(|v| v.as_str()).any(article),
        _ => false,
    }
}

/// The names of a JSON-LD person or organisation: a name, an object with a
/// `name`, or a list of these (joined by ", "); names that are links are
/// left out.
fn ld_names(v: &serde_json::Value) -> Option<String> {
    let one = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(collapse(s)),
        serde_json::Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(collapse),
        _ => None,
    };
    let names: Vec<String> = match v {
        serde_json::Value::Array(list) => list.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    };
    let names: Vec<String> =
        names.into_iter().filter(|n| !n.is_empty() && !n.contains("://")).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The comment elements of the page in page order, and which item each
/// element standing for a comment belongs to (an `li.comment` and the
/// `article.comment` inside it are one comment).
fn find_items(html: &Html) -> (Vec<Item<'_>>, HashMap<NodeId, usize>) {
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut owner: HashMap<NodeId, usize> = HashMap::new();
    // What the open ancestors of the element being looked at are, kept
    // while walking the page once (no walk up per element: pages may nest
    // thousands deep).
    let mut ctx = Context::default();
    let mut opened = Opened::default();
    for edge in html.root().traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(node) => {
                if node.value().is_element()
                    && let Some(before) = opened.pop()
                {
                    ctx = before;
                }
                continue;
            }
        };
        let Some(el) = ElementRef::wrap(node) else { continue };
        opened.push(ctx);
        let here = ctx;
        ctx.excluded |= NOT_COMMENT_ELEMENTS.contains(&el.value().name())
            || has_any_class(el, NOT_COMMENT_CLASSES)
            || has_any_id(el, &["sidebar"]);
        ctx.in_list |= has_any_class(el, WP_LIST_CLASSES) || has_any_id(el, WP_LIST_IDS);
        ctx.in_pings |= has_any_class(el, PING_LIST_CLASSES) || has_any_id(el, PING_LIST_IDS);
        // What this element is to its descendants when it is not a comment.
        if matches!(el.value().name(), "ol" | "ul") || has_class(el, "children") {
            ctx.nearest = Nearest::List;
        }
        if has_class(el, "children")
            && let Some(prev) = el.prev_siblings().find(|s| s.value().is_element())
            && let Some(&i) = owner.get(&prev.id())
        {
            ctx.wp_parent = Some(i);
        }

        if let Some(c) = el.value().id().and_then(|i| WPDISCUZ_ID.captures(i)) {
            let parent = (&c[2] != "0").then(|| c[2].to_string());
            let i = items.len();
            owner.insert(el.id(), i);
            items.push(Item {
                el,
                pair: None,
                pings: false,
                origin: Origin::WpDiscuz { id: c[1].to_string(), parent },
                wp_parent: None,
            });
            ctx.in_wpdiscuz = true;
            (ctx.nearest, ctx.wp_parent) = (Nearest::Item(i), Some(i));
            continue;
        }
        // The `dd` after a comment's `dt` holds its text: one comment.
        if el.value().name() == "dd"
            && let Some(prev) = el.prev_siblings().find(|s| s.value().is_element())
            && let Some(&i) = owner.get(&prev.id())
            && items[i].el.id() == prev.id()
            && items[i].el.value().name() == "dt"
        {
            owner.insert(el.id(), i);
            items[i].pair = Some(el);
            (ctx.nearest, ctx.wp_parent) = (Nearest::Item(i), Some(i));
            continue;
        }
        if !is_wp_comment(el, here) {
            continue;
        }
        // The same comment marked twice (`li.comment > article.comment`):
        // nothing between them lists replies and nothing says they differ.
        if let Nearest::Item(i) = here.nearest
            && matches!(items[i].origin, Origin::WordPress)
            && !differ(items[i].el, el)
        {
            owner.insert(el.id(), i);
            (ctx.nearest, ctx.wp_parent) = (Nearest::Item(i), Some(i));
            continue;
        }
        let i = items.len();
        owner.insert(el.id(), i);
        items.push(Item {
            el,
            pair: None,
            pings: here.in_pings,
            origin: Origin::WordPress,
            wp_parent: here.wp_parent,
        });
        (ctx.nearest, ctx.wp_parent) = (Nearest::Item(i), Some(i));
    }
    (items, owner)
}

/// The contexts of the open elements of a walk, the same context repeated down a run of
/// elements kept once with its count: a page nesting a million elements the same way needs
/// one entry, not a million (issue #13).
#[derive(Default)]
struct Opened(Vec<(Context, usize)>);

impl Opened {
    fn push(&mut self, c: Context) {
        match self.0.last_mut() {
            Some((top, n)) if *top == c => *n += 1,
            _ => self.0.push((c, 1)),
        }
    }

    fn pop(&mut self) -> Option<Context> {
        let (top, n) = self.0.last_mut()?;
        let c = *top;
        if *n > 1 {
            *n -= 1;
        } else {
            self.0.pop();
        }
        Some(c)
    }
}

/// What the ancestors of an element are.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Context {
    /// Inside a menu, a widget or a sidebar.
    excluded: bool,
    /// Inside a WordPress comment list.
    in_list: bool,
    /// Inside a wpDiscuz comment.
    in_wpdiscuz: bool,
    /// Inside a list of pingbacks and trackbacks.
    in_pings: bool,
    /// The nearest ancestor that is a comment element or a list.
    nearest: Nearest,
    /// The item a WordPress comment here replies to: that of the nearest
    /// enclosing comment element, or of the comment element right before
    /// the reply list (`.children`) it sits in.
    wp_parent: Option<usize>,
}

/// The nearest ancestor of an element that is a comment element (its
/// item) or a list (`ol`, `ul`, `.children`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Nearest {
    #[default]
    None,
    Item(usize),
    List,
}

/// Whether `el` is a WordPress comment element: the right element and
/// class, with a comment id or inside a comment list, outside menus and
/// sidebars, and not part of a wpDiscuz comment. Themes that give no
/// `comment` class (issue #15) are read by the id: a `li` or `dt` with a
/// comment id, a `li` in a comment list whose child has one, and any `li`
/// of a list of pingbacks.
fn is_wp_comment(el: ElementRef<'_>, ctx: Context) -> bool {
    let name = el.value().name();
    if !WP_ITEM_ELEMENTS.contains(&name) || ctx.excluded || ctx.in_wpdiscuz {
        return false;
    }
    let own_id = el.value().id().is_some_and(|i| WP_ID.is_match(i));
    let classed = has_any_class(el, WP_ITEM_CLASSES);
    let listed = name == "li"
        && ctx.in_list
        && (ctx.in_pings && !matches!(ctx.nearest, Nearest::Item(_))
            || el.child_elements().any(|d| d.value().id().is_some_and(|i| WP_ID.is_match(i))));
    if !(classed || matches!(name, "li" | "dt") && own_id || listed) {
        return false;
    }
    if listed {
        return true;
    }
    ctx.in_list
        || own_id
        || el.child_elements().any(|d| {
            d.value().id().is_some_and(|i| i.starts_with("div-comment-") && WP_ID.is_match(i))
        })
}

/// Two nested comment elements with different ids or depth classes are two
/// comments (`wp_list_comments(style=div)` nests replies directly).
fn differ(outer: ElementRef<'_>, inner: ElementRef<'_>) -> bool {
    let own_number = |e: ElementRef<'_>| {
        e.value().id().and_then(|i| WP_ID.captures(i)).map(|c| c[1].to_string())
    };
    let both_differ =
        |a: Option<String>, b: Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
    both_differ(own_number(outer), own_number(inner))
        || both_differ(
            class_number(outer, &WP_DEPTH).map(|d| d.to_string()),
            class_number(inner, &WP_DEPTH).map(|d| d.to_string()),
        )
}

/// Read every item into a comment of `doc`, with its parent and anomalies.
fn read_comments(
    text: &str,
    items: &[Item<'_>],
    owner: &HashMap<NodeId, usize>,
    doc: &mut Document,
) {
    // Ids first: a parent's id is needed before its replies are read, and a
    // WordPress parent always comes before its replies in the page.
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    let mut depths: Vec<Option<usize>> = Vec::with_capacity(items.len());
    let mut by_id: HashMap<String, usize> = HashMap::new();
    // Made at the first anomaly that needs a line: one pass over the page
    // however many there are (issue #13).
    let lines = std::cell::OnceCell::new();
    doc.comments.reserve_exact(items.len());
    for (k, item) in items.iter().enumerate() {
        let mut owned = owned_elements(item.el, k, owner);
        if let Some(dd) = item.pair {
            owned.extend(owned_elements(dd, k, owner));
        }
        // The parent's id, and its item when it is in the page.
        let (id, parent, parent_item) = match &item.origin {
            Origin::WpDiscuz { id, parent } => (
                Some(id.clone()),
                parent.clone(),
                parent.as_ref().and_then(|p| by_id.get(p).copied()),
            ),
            Origin::WordPress => {
                let number = owned.iter().find_map(|e| {
                    e.value().id().and_then(|i| WP_ID.captures(i)).map(|c| c[1].to_string())
                });
                // Always an earlier item: an ancestor or a preceding sibling.
                let p = item.wp_parent.filter(|&p| p < k);
                (number, p.and_then(|p| ids.get(p).cloned()), p)
            }
        };
        let id = id.unwrap_or_else(|| {
            let fallback = format!("pos-{}", k + 1);
            doc.anomalies.push(Anomaly {
                kind: AnomalyKind::BadRecord,
                line: None,
                comment_id: Some(fallback.clone()),
                message: format!(
                    "comment element <{}{}> (comment {} in the page) has no comment id; \
                     given the id `{fallback}`",
                    item.el.value().name(),
                    item.el.attr("class").map(|c| format!(" class=\"{c}\"")).unwrap_or_default(),
                    k + 1
                ),
            });
            fallback
        });
        let depth = match parent_item {
            Some(p) => depths.get(p).copied().flatten().map(|d| d + 1),
            None if parent.is_none() => Some(1),
            None => None,
        };
        let marked = match item.origin {
            Origin::WordPress => class_number(item.el, &WP_DEPTH),
            Origin::WpDiscuz { .. } => class_number(item.el, &WPDISCUZ_LEVEL),
        };
        if let (Some(d), Some(m)) = (depth, marked)
            && d != m
        {
            doc.anomalies.push(Anomaly {
                kind: AnomalyKind::BadIndentation,
                line: lines.get_or_init(|| IdLines::new(text)).line(item.el.value().id()),
                comment_id: Some(id.clone()),
                message: format!(
                    "comment `{id}` is at depth {d} of the reply tree but its markup says \
                     depth {m}; the reply links were kept"
                ),
            });
        }
        by_id.entry(id.clone()).or_insert(k);
        ids.push(id.clone());
        depths.push(depth);

        let mut c = RawComment { id, parent_id: parent, ..Default::default() };
        match item.origin {
            Origin::WordPress => read_wp(item, k, owner, &owned, &mut c),
            Origin::WpDiscuz { .. } => read_wpdiscuz(k, owner, &owned, &mut c),
        }
        doc.comments.push(c);
    }
}

/// Author, time, text, kind and status of a WordPress comment.
fn read_wp(
    item: &Item<'_>,
    me: usize,
    owner: &HashMap<NodeId, usize>,
    owned: &[ElementRef<'_>],
    c: &mut RawComment,
) {
    let el = item.el;
    let marked: Vec<ElementRef<'_>> =
        owned.iter().copied().filter(|e| owner.get(&e.id()) == Some(&me)).collect();
    // `comment_class()` writes `bypostauthor` whenever it applies: on markup it wrote (a
    // `comment` class), its absence says no; elsewhere the page does not say.
    if marked.iter().any(|e| has_any_class(*e, &["comment", "bypostauthor"])) {
        c.by_post_author = Some(by_post_author(&marked));
    }
    c.kind = if marked.iter().any(|e| has_class(*e, "pingback")) {
        CommentKind::Pingback
    } else if marked.iter().any(|e| has_class(*e, "trackback")) {
        CommentKind::Trackback
    } else {
        CommentKind::Comment
    };
    let find = |class: &str| owned.iter().copied().find(|e| has_class(*e, class));
    let name_text = |a: ElementRef<'_>| {
        collapse(
            &node_text_without(a, |x| {
                has_any_class(x, &["says", "avatar"]) || x.value().name() == "img"
            })
            .text,
        )
    };

    let classed_author = find("fn")
        .or_else(|| find("wp-block-comment-author-name"))
        .or_else(|| find("comment-author-name"))
        .or_else(|| {
            find("comment-author").map(|a| {
                a.descendent_elements()
                    .find(|d| {
                        matches!(d.value().name(), "strong" | "b" | "cite") || has_class(*d, "url")
                    })
                    .unwrap_or(a)
            })
        });
    // Old themes (issue #15): a bare `cite` at the head of the comment
    // (Kubrick), or the name in the `dt` of a `dt` + `dd` pair.
    let bare_author = if classed_author.is_some() { None } else { bare_author(el, owned) };
    c.author = classed_author
        .or(bare_author)
        // Pingbacks name the linking site in a bare `a.url`.
        .or_else(|| (c.kind != CommentKind::Comment).then(|| find("url")).flatten())
        .map(name_text)
        .filter(|a| !a.is_empty());

    let time = wp_time(owned, find);
    if time.value.is_none() && el.value().name() == "dt" { dt_time(el) } else { time }.apply(c);

    let container = WP_CONTENT_CLASSES.iter().find_map(|cl| find(cl)).or(item.pair).unwrap_or(el);
    let dropped = bare_author.map(|a| a.id());
    let body = node_text_without(container, |x| {
        owner.get(&x.id()).is_some_and(|&i| i != me)
            || has_any_class(x, WP_NOT_TEXT_CLASSES)
            || NOT_TEXT_ELEMENTS.contains(&x.value().name())
            || Some(x.id()) == dropped
    });
    c.text = body.text;
    c.quotes = body.quotes;
    if dropped.is_some() && container.id() == el.id() {
        strip_says(c);
    }
    if find("comment-awaiting-moderation").is_some() {
        c.status = Some("unapproved".to_string());
    }

    // Pingbacks the markup does not mark, by their text, else by the list
    // they are in (issue #15).
    if c.kind == CommentKind::Comment {
        c.kind = ping_kind(&c.text)
            .or_else(|| c.author.as_deref().and_then(ping_kind))
            .or(item.pings.then_some(CommentKind::Pingback))
            .unwrap_or(CommentKind::Comment);
        if c.kind != CommentKind::Comment && c.author.is_none() {
            c.author = find("url")
                .or_else(|| container.descendent_elements().find(|e| e.value().name() == "a"))
                .map(name_text)
                .filter(|a| !a.is_empty());
        }
    }
}

/// The author element of a comment whose theme marks it by no class: a
/// `cite`, `strong` or `b` heading the comment element (or its
/// `.comment-body`), or in a `dt`, the first such element or link whose
/// text is not a date.
fn bare_author<'a>(el: ElementRef<'a>, owned: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    let heads = |e: &ElementRef<'a>| {
        e.parent().is_some_and(|p| {
            p.id() == el.id()
                || ElementRef::wrap(p).is_some_and(|p| {
                    has_class(p, "comment-body")
                        || p.value().id().is_some_and(|i| i.starts_with("div-comment-"))
                })
        })
    };
    let names = |e: &ElementRef<'a>, with_links: bool| {
        let n = e.value().name();
        matches!(n, "cite" | "strong" | "b") || with_links && n == "a"
    };
    if el.value().name() == "dt" {
        return el.descendent_elements().find(|e| {
            names(e, true) && {
                let t = collapse(&e.text().collect::<String>());
                !t.is_empty() && parse_time(&t).value.is_none()
            }
        });
    }
    owned.iter().copied().find(|e| e.value().name() == "cite" && heads(e))
}

/// The time written in a comment's `dt`: in one of its elements, else in
/// its text.
fn dt_time(dt: ElementRef<'_>) -> Time {
    dt.descendent_elements()
        .map(|e| parse_time(&collapse(&e.text().collect::<String>())))
        .find(|t| t.value.is_some())
        .unwrap_or_else(|| {
            let t = parse_time(&collapse(&dt.text().collect::<String>()));
            if t.value.is_some() { t } else { Time::default() }
        })
}

/// What kind of record a comment is by how its text starts (`Pingback:`,
/// `Trackback:`), when it starts so.
fn ping_kind(text: &str) -> Option<CommentKind> {
    let head: String = text.trim_start().chars().take(16).flat_map(char::to_lowercase).collect();
    PING_PREFIXES.iter().find(|(p, _)| head.starts_with(p)).map(|&(_, k)| k)
}

/// Remove a leading "says:" (the word themes write after the author) from
/// a comment's text, keeping its quotes on their words.
fn strip_says(c: &mut RawComment) {
    let text = c.text.trim_start();
    let word_end = text.find(|ch: char| !ch.is_alphabetic()).unwrap_or(text.len());
    let word = text[..word_end].to_lowercase();
    let rest = text[word_end..].trim_start();
    let Some(rest) = rest.strip_prefix(':').filter(|_| SAYS.contains(&word.as_str())) else {
        return;
    };
    let cut = c.text.len() - rest.trim_start().len();
    c.text.drain(..cut);
    c.quotes =
        c.quotes.iter().filter(|q| q.start >= cut).map(|q| q.start - cut..q.end - cut).collect();
}

/// Whether the comment was written by the post's author: WordPress marks
/// it with the class `bypostauthor` on the comment element (issue #15).
/// `marked` are the elements standing for the comment (an `li.comment`
/// and the `article.comment` inside it).
fn by_post_author(marked: &[ElementRef<'_>]) -> bool {
    marked.iter().any(|e| has_class(*e, "bypostauthor"))
}

/// The time of a WordPress comment: a `time[datetime]`, else the text of
/// its date block, else a date written in its author block.
fn wp_time<'a>(owned: &[ElementRef<'a>], find: impl Fn(&str) -> Option<ElementRef<'a>>) -> Time {
    if let Some(t) = owned.iter().find(|e| {
        e.value().name() == "time" && e.attr("datetime").is_some_and(|d| !d.trim().is_empty())
    }) {
        let from_attr = parse_time(t.attr("datetime").unwrap_or_default());
        if from_attr.value.is_some() {
            return from_attr;
        }
        let from_text = parse_time(&collapse(&t.text().collect::<String>()));
        return if from_text.value.is_some() { from_text } else { from_attr };
    }
    let text_of = |e: ElementRef<'_>, names: bool| {
        collapse(
            &node_text_without(e, |x| {
                has_any_class(x, LINK_CLASSES)
                    || names
                        && (has_any_class(x, NAME_CLASSES)
                            || NAME_ELEMENTS.contains(&x.value().name()))
            })
            .text,
        )
    };
    if let Some(e) = WP_DATE_CLASSES.iter().find_map(|cl| find(cl)) {
        let t = text_of(e, false);
        if !t.is_empty() {
            return parse_time(&t);
        }
    }
    if let Some(e) = find("comment-meta") {
        let t = text_of(e, true);
        if !t.is_empty() {
            return parse_time(&t);
        }
    }
    // Some themes write the date in the author block, after the name.
    if let Some(e) = find("comment-author") {
        let t = parse_time(&text_of(e, true));
        if t.value.is_some() {
            return t;
        }
    }
    Time::default()
}

/// Author, time and text of a wpDiscuz comment.
fn read_wpdiscuz(
    me: usize,
    owner: &HashMap<NodeId, usize>,
    owned: &[ElementRef<'_>],
    c: &mut RawComment,
) {
    let find = |classes: &[&str]| owned.iter().copied().find(|e| has_any_class(*e, classes));
    c.author = find(&["wc-comment-author", "wpd-comment-author"])
        .map(|a| {
            collapse(
                &node_text_without(a, |x| {
                    classes(x.value()).any(|cl| cl.contains("label") || cl.contains("badge"))
                        || x.value().name() == "img"
                })
                .text,
            )
        })
        .filter(|a| !a.is_empty());
    if let Some(d) = find(&["wc-comment-date", "wpd-comment-date"]) {
        // The text is often relative ("vor 3 Jahren"); the title, when
        // there is one, gives the date itself.
        let from_title = d.attr("title").map(parse_time);
        match from_title {
            Some(t) if t.value.is_some() => t,
            _ => parse_time(&collapse(&d.text().collect::<String>())),
        }
        .apply(c);
    }
    if let Some(t) = find(&["wc-comment-text", "wpd-comment-text"]) {
        let body = node_text_without(t, |x| {
            owner.get(&x.id()).is_some_and(|&i| i != me)
                || NOT_TEXT_ELEMENTS.contains(&x.value().name())
        });
        c.text = body.text;
        c.quotes = body.quotes;
    }
}

/// The elements of `root`'s subtree that belong to item `me`, in page
/// order: the subtrees of other comments are left out.
fn owned_elements<'a>(
    root: ElementRef<'a>,
    me: usize,
    owner: &HashMap<NodeId, usize>,
) -> Vec<ElementRef<'a>> {
    let mut out = vec![root];
    // Children pushed in reverse so they come off the stack in page order;
    // other comments' subtrees are never entered (replies nest deep).
    let mut stack: Vec<NodeRef<'a>> = root.children().rev().collect();
    while let Some(n) = stack.pop() {
        if owner.get(&n.id()).is_some_and(|&i| i != me) {
            continue;
        }
        if let Some(e) = ElementRef::wrap(n) {
            out.push(e);
            stack.extend(n.children().rev());
        }
    }
    out
}

/// Whether the page embeds comments that load by JavaScript.
fn js_embed(html: &Html) -> bool {
    any_element(html, |e| {
        let v = e.value();
        let id = v.id().unwrap_or("");
        id == "disqus_thread"
            || id == "coral_thread"
            || id.starts_with("coral_")
            || id.starts_with("coral-")
            || v.name() == "fb:comments"
            || has_class(e, "fb-comments")
            || classes(v).any(|c| c.starts_with("coral-"))
            || v.name() == "script"
                && v.attr("src").is_some_and(|s| s.contains("disqus.com/embed.js"))
    })
}

/// The elements `sel` matches, as [`Html::select`] finds them, looking only at elements whose
/// `class` attribute holds one of `classes` (or at every element when one is empty): scraper
/// keeps the class list of every element a class selector looks at, which on a page of
/// 100,000 comments was megabytes (issue #13).
fn select<'a>(
    html: &'a Html,
    sel: &'a Selector,
    classes: &'a [&str],
) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    html.nodes().filter_map(ElementRef::wrap).filter(move |e| {
        e.parent().is_some()
            && (classes.iter().any(|c| c.is_empty())
                || e.attr("class").is_some_and(|v| classes.iter().any(|c| v.contains(c))))
            && sel.matches(e)
    })
}

fn any_element(html: &Html, pred: impl Fn(ElementRef<'_>) -> bool) -> bool {
    html.root().descendants().filter_map(ElementRef::wrap).any(pred)
}

/// The classes of an element, read from its attribute each time: scraper's
/// `classes()` keeps an allocated list on every element it is asked about,
/// which on a page of 100,000 comments was tens of megabytes (issue #13).
fn classes(e: Element<'_>) -> impl Iterator<Item = &str> {
    e.attr("class").unwrap_or("").split_ascii_whitespace()
}

fn has_class(e: ElementRef<'_>, class: &str) -> bool {
    classes(e.value()).any(|c| c == class)
}

fn has_any_class(e: ElementRef<'_>, names: &[&str]) -> bool {
    classes(e.value()).any(|c| names.contains(&c))
}

fn has_any_id(e: ElementRef<'_>, ids: &[&str]) -> bool {
    e.value().id().is_some_and(|i| ids.contains(&i))
}

/// The number of the first class matching `re` (`depth-3` → 3).
fn class_number(e: ElementRef<'_>, re: &Regex) -> Option<usize> {
    classes(e.value()).find_map(|c| re.captures(c).and_then(|m| m[1].parse().ok()))
}

/// Where each `id="…"` (or `id='…'`) attribute value first stands in
/// the page, to give an element's line without searching the page for each
/// (issue #13: thousands of anomalies made that quadratic).
struct IdLines<'t> {
    first: HashMap<&'t str, usize>,
    /// Byte offsets of the page's line breaks.
    breaks: Vec<usize>,
}

impl<'t> IdLines<'t> {
    fn new(text: &'t str) -> Self {
        let mut first = HashMap::new();
        for (at, _) in text.match_indices("id=") {
            let rest = &text[at + 3..];
            let Some(q) = rest.chars().next().filter(|&q| q == '"' || q == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(q) {
                first.entry(&rest[1..1 + end]).or_insert(at);
            }
        }
        let breaks = text.match_indices('\n').map(|(i, _)| i).collect();
        IdLines { first, breaks }
    }

    /// The 1-based line of the first `id="…"` attribute with this value.
    fn line(&self, id: Option<&str>) -> Option<usize> {
        let at = *self.first.get(id?)?;
        Some(self.breaks.partition_point(|&b| b < at) + 1)
    }
}

/// Whitespace collapsed to single spaces, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(html: &str) -> Document {
        let mut docs = parse(html, "page", "dir/page.html").expect("parses");
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    /// (id, parent id) of every comment, in page order.
    fn links(doc: &Document) -> Vec<(&str, Option<&str>)> {
        doc.comments.iter().map(|c| (c.id.as_str(), c.parent_id.as_deref())).collect()
    }

    /// One comment in the default `wp_list_comments` (HTML5) markup; `inner`
    /// goes where WordPress puts the reply list.
    fn classic(n: u32, depth: u32, author: &str, text: &str, inner: &str) -> String {
        format!(
            r##"<li id="comment-{n}" class="comment even depth-{depth}">
  <article id="div-comment-{n}" class="comment-body">
    <footer class="comment-meta">
      <div class="comment-author vcard"><img class="avatar" src="a.png" alt="">
        <b class="fn"><a href="http://x.example" class="url">{author}</a></b> <span class="says">says:</span></div>
      <div class="comment-metadata"><a href="#comment-{n}"><time datetime="2016-06-23T17:2{n}:09+02:00">23. Juni 2016 um 17:2{n}</time></a>
        <span class="edit-link"><a class="comment-edit-link" href="#">Edit</a></span></div>
    </footer>
    <div class="comment-content"><p>{text}</p></div>
    <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
  </article>{inner}
</li>"##
        )
    }

    #[test]
    fn classic_markup_nesting_pingback_and_sidebar_menu() {
        let c3 = classic(3, 3, "Cleo", "Third level.", "");
        let c2 =
            classic(2, 2, "Bert", "Second level.", &format!(r#"<ol class="children">{c3}</ol>"#));
        let c1 = classic(1, 1, "Anna", "First!", &format!(r#"<ol class="children">{c2}</ol>"#));
        let c5 = classic(5, 1, "Dora", "Another thread.", "");
        let page = format!(
            r##"<!DOCTYPE html><html><head><title>Post</title></head><body>
<aside class="widget widget_pages"><ul>
  <li class="page_item"><a href="/a">About</a><ul class="children"><li class="page_item"><a href="/b">Team</a></li></ul></li>
  <li class="comment" id="comment-77"><a href="/c">A recent comment</a></li>
</ul></aside>
<nav><ul class="menu"><li class="comment"><ul class="children"><li class="comment">Menu</li></ul></li></ul></nav>
<div id="comments" class="comments-area"><ol class="comment-list">
{c1}
<li id="comment-4" class="pingback odd alt thread-odd depth-1">
  <div class="comment-body">Pingback: <a href="http://other.example/post" class="url">Another blog</a> <span class="edit-link"><a class="comment-edit-link" href="#">Edit</a></span></div>
</li>
{c5}
</ol></div></body></html>"##
        );
        let doc = one(&page);
        assert_eq!(doc.article.format, "wordpress-html");
        assert_eq!(doc.section, CommentSection::Present);
        assert_eq!(
            links(&doc),
            [("1", None), ("2", Some("1")), ("3", Some("2")), ("4", None), ("5", None)]
        );
        let authors: Vec<_> = doc.comments.iter().map(|c| c.author.as_deref()).collect();
        assert_eq!(
            authors,
            [Some("Anna"), Some("Bert"), Some("Cleo"), Some("Another blog"), Some("Dora")]
        );
        let c = &doc.comments[0];
        assert_eq!(c.text, "First!");
        assert_eq!(c.time.as_deref(), Some("2016-06-23T15:21:09Z"));
        assert!(!c.time_local);
        assert_eq!(c.time_raw.as_deref(), Some("2016-06-23T17:21:09+02:00"));
        assert_eq!(c.kind, CommentKind::Comment);
        let ping = &doc.comments[3];
        assert_eq!(ping.kind, CommentKind::Pingback);
        assert_eq!(ping.text, "Pingback: Another blog");
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    #[test]
    fn older_markup_cite_fn_and_text_date() {
        let page = r##"<html><body><ol class="commentlist">
<li class="comment even thread-even depth-1 parent" id="comment-143">
  <div id="div-comment-143" class="comment-body">
    <div class="comment-author vcard"><img alt="" src="a.png" class="avatar avatar-32 photo"/>
      <cite class="fn">sarah</cite> <span class="says">sagt:</span></div>
    <div class="comment-meta commentmetadata"><a href="#comment-143">
      Juli 30, 2013 um 2:33 pm</a>&nbsp;&nbsp;<a class="comment-edit-link" href="#">(Bearbeiten)</a></div>
    <p>Warum 2mal Zucker ?</p>
    <p>Zweiter Absatz.</p>
    <div class="reply"><a class="comment-reply-link" href="#">Antworten</a></div>
  </div>
  <ul class="children">
  <li class="comment byuser bypostauthor odd alt depth-2" id="comment-144">
    <div id="div-comment-144" class="comment-body">
      <div class="comment-author vcard"><cite class="fn"><a href="http://m.example" class="url">admin</a></cite> <span class="says">sagt:</span></div>
      <div class="comment-meta commentmetadata"><a href="#comment-144">30. Juli 2013 um 17:53</a></div>
      <p>Danke!</p>
      <div class="reply"><a class="comment-reply-link" href="#">Antworten</a></div>
    </div>
  </li>
  </ul>
</li>
</ol></body></html>"##;
        let doc = one(page);
        assert_eq!(links(&doc), [("143", None), ("144", Some("143"))]);
        let (a, b) = (&doc.comments[0], &doc.comments[1]);
        assert_eq!((a.author.as_deref(), b.author.as_deref()), (Some("sarah"), Some("admin")));
        assert_eq!(a.text, "Warum 2mal Zucker ?\n\nZweiter Absatz.");
        assert_eq!(a.time.as_deref(), Some("2013-07-30T14:33:00"));
        assert!(a.time_local);
        assert_eq!(a.time_raw.as_deref(), Some("Juli 30, 2013 um 2:33 pm"));
        assert_eq!(b.time.as_deref(), Some("2013-07-30T17:53:00"));
        assert_eq!(b.text, "Danke!");
    }

    #[test]
    fn block_theme_nests_ol_inside_li() {
        let item = |n: u32, depth: u32, name: &str, inner: &str| {
            format!(
                r##"<li id="comment-{n}" class="comment even depth-{depth}">
<div class="wp-block-columns"><div class="wp-block-column"><div class="wp-block-avatar"><img class="avatar" src="a.png"></div></div>
<div class="wp-block-column">
  <div class="wp-block-comment-author-name"><a href="http://x.example">{name}</a></div>
  <div class="wp-block-comment-date"><time datetime="2013-03-14T11:30:33+00:00"><a href="#comment-{n}">March 14, 2013</a></time></div>
  <div class="wp-block-comment-content"><p>Text of {n}</p><ul><li>a list item</li></ul></div>
  <div class="wp-block-comment-reply-link"><a class="comment-reply-link" href="#">Reply</a></div>
</div></div>{inner}</li>"##
            )
        };
        let deep = item(12, 3, "Cleo", "");
        let mid = item(11, 2, "Bert", &format!("<ol>{deep}</ol>"));
        let top = item(10, 1, "Anna", &format!("<ol>{mid}</ol>"));
        let page = format!(
            r#"<html><body><div class="wp-block-comments"><ol class="wp-block-comment-template">{top}{}</ol></div></body></html>"#,
            item(13, 1, "Dora", "")
        );
        let doc = one(&page);
        assert_eq!(doc.article.format, "wordpress-html");
        assert_eq!(
            links(&doc),
            [("10", None), ("11", Some("10")), ("12", Some("11")), ("13", None)]
        );
        let c = &doc.comments[1];
        assert_eq!(c.author.as_deref(), Some("Bert"));
        assert_eq!(c.time.as_deref(), Some("2013-03-14T11:30:33Z"));
        assert_eq!(c.text, "Text of 11\n\na list item");
    }

    #[test]
    fn wordpress_com_reply_lists_after_the_closed_li() {
        // WordPress.com closes the comment's `li` before its `ul.children`.
        let item = |n: u32, d: u32, name: &str| {
            format!(
                r##"<li class="comment depth-{d} highlander-comment" id="comment-{n}">
<cite class="comment-author"><img class="avatar" src="a.png"> <a href="http://x.example" class="url">{name}</a></cite>
<small class="commentmetadata"><a href="#comment-{n}">Jun 20th at 2:41 am</a></small>
<div class="contenttext"><p>Hello from {n}</p>
<p id="comment-like-{n}" class="comment-likes"><a href="#"><span>Like</span></a></p></div>
<ul class="comment-actions"></ul>
</li>"##
            )
        };
        let page = format!(
            r#"<html><body><ol class="commentlist">{} <ul class="children">{} <ul class="children">{} </li></ul></li></ul></li>{}</ol></body></html>"#,
            item(1, 1, "JanBeek"),
            item(2, 2, "Andrea"),
            item(3, 3, "JanBeek"),
            item(4, 1, "Jess")
        );
        let doc = one(&page);
        assert_eq!(links(&doc), [("1", None), ("2", Some("1")), ("3", Some("2")), ("4", None)]);
        let c = &doc.comments[1];
        assert_eq!(c.author.as_deref(), Some("Andrea"));
        assert_eq!(c.text, "Hello from 2");
        // No year: not a time, but the text is kept.
        assert_eq!((c.time.as_deref(), c.time_raw.as_deref()), (None, Some("Jun 20th at 2:41 am")));
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    #[test]
    fn div_style_comments_nest_directly() {
        // `wp_list_comments(style=div)` nests replies in the parent's div;
        // a `li` and the `article.comment` inside it are one comment.
        let page = r#"<html><body><div id="comments">
<div class="comment depth-1" id="comment-1"><div id="div-comment-1" class="comment-body"><p>One</p></div>
  <div class="comment depth-2" id="comment-2"><div id="div-comment-2" class="comment-body"><p>Two</p></div></div>
</div>
<ol class="commentlist"><li class="comment depth-1" id="li-comment-3"><article id="comment-3" class="comment"><p>Three</p></article></li></ol>
</div></body></html>"#;
        let doc = one(page);
        assert_eq!(links(&doc), [("1", None), ("2", Some("1")), ("3", None)]);
        assert_eq!(doc.comments[0].text, "One");
        assert_eq!(doc.comments[2].text, "Three");
    }

    #[test]
    fn wpdiscuz_ids_carry_parents() {
        let item = |id: u32, parent: u32, level: u32, name: &str, date: &str, inner: &str| {
            format!(
                r#"<div id="wc-comm-{id}_{parent}" class="wc-comment wc_comment_level-{level}">
<div class="wc-comment-left"><img class="avatar" src="a.png"></div>
<div id="comment-{id}" class="wc-comment-right">
  <div class="wc-comment-header"><div class="wc-comment-author ">{name}</div></div>
  <div class="wc-comment-text"><p>Said by {name}</p></div>
  <div class="wc-comment-footer"><span class="wc-reply-button">Antworten</span><div class="wc-comment-date">{date}</div></div>
</div>{inner}</div>"#
            )
        };
        let reply = item(52845, 52842, 2, "Kathrin", "vor 3 Jahren", "");
        let page = format!(
            r#"<html><body><div id="wpdcom"><div id="wcThreadWrapper" class="wc-thread-wrapper">{}{}</div></div>
<div id="wpd-comm-60_0" class="comment depth-1 wpd-comment wpd_comment_level-1"><div id="comment-60" class="wpd-comment-right">
<div class="wpd-comment-author "><a href="/u">Luripu</a></div>
<div class="wpd-comment-date" title="1. November 2023 10:50">vor 1 Stunde</div>
<div class="wpd-comment-text"><p>New style</p></div></div></div></body></html>"#,
            item(52951, 0, 1, "Franzi", "19. Februar 2017 20:00", ""),
            item(52842, 0, 1, "Alexandra", "15. Februar 2017 09:49", &reply)
        );
        let doc = one(&page);
        assert_eq!(doc.article.format, "wpdiscuz-html");
        assert_eq!(
            links(&doc),
            [("52951", None), ("52842", None), ("52845", Some("52842")), ("60", None)]
        );
        let a = &doc.comments[1];
        assert_eq!(a.author.as_deref(), Some("Alexandra"));
        assert_eq!(a.text, "Said by Alexandra");
        assert_eq!(a.time.as_deref(), Some("2017-02-15T09:49:00"));
        let r = &doc.comments[2];
        assert_eq!((r.time.as_deref(), r.time_raw.as_deref()), (None, Some("vor 3 Jahren")));
        let new = &doc.comments[3];
        assert_eq!(new.author.as_deref(), Some("Luripu"));
        assert_eq!(new.time.as_deref(), Some("2023-11-01T10:50:00"));
        assert_eq!(new.text, "New style");
    }

    #[test]
    fn javascript_comments_are_not_in_page() {
        for embed in [
            r#"<div id="disqus_thread"></div>"#,
            r#"<div class="fb-comments" data-href="http://x.example"></div>"#,
            r#"<fb:comments href="http://x.example"></fb:comments>"#,
            r#"<div id="coral_thread"></div>"#,
        ] {
            let doc =
                one(&format!("<html><body><article><p>Story.</p></article>{embed}</body></html>"));
            assert_eq!(doc.section, CommentSection::NotInPage, "{embed}");
            assert!(doc.comments.is_empty());
            assert_eq!(doc.article.format, "html");
        }
    }

    #[test]
    fn plain_page_has_no_section() {
        let doc = one(
            "<html><body><ul><li class=\"page_item\">x<ul class=\"children\"><li>y</li></ul></li></ul></body></html>",
        );
        assert_eq!(doc.section, CommentSection::Absent);
        assert_eq!(doc.article.format, "html");
        assert!(doc.comments.is_empty() && doc.anomalies.is_empty());
    }

    #[test]
    fn blockquote_in_comment_is_a_quote() {
        let page = format!(
            r#"<html><body><ol class="comment-list">{}</ol></body></html>"#,
            classic(9, 1, "Q", "x</p><blockquote><p>You said this</p></blockquote><p>No.", "")
        );
        let doc = one(&page);
        let c = &doc.comments[0];
        assert_eq!(c.text, "x\n\nYou said this\n\nNo.");
        assert_eq!(c.quotes.len(), 1);
        assert_eq!(&c.text[c.quotes[0].clone()], "You said this");
    }

    #[test]
    fn comment_without_id_gets_fallback_and_bad_record() {
        let page = r#"<html><body><ol class="comment-list">
<li id="comment-1" class="comment depth-1"><div class="comment-content"><p>Has id</p></div>
  <ol class="children"><li class="comment depth-2"><div class="comment-content"><p>No id</p></div></li></ol></li>
</ol></body></html>"#;
        let doc = one(page);
        assert_eq!(links(&doc), [("1", None), ("pos-2", Some("1"))]);
        assert_eq!(doc.comments[1].text, "No id");
        assert_eq!(doc.anomalies.len(), 1, "{:?}", doc.anomalies);
        let a = &doc.anomalies[0];
        assert_eq!(a.kind, AnomalyKind::BadRecord);
        assert_eq!(a.comment_id.as_deref(), Some("pos-2"));
        assert!(a.message.contains("no comment id"), "{}", a.message);
    }

    #[test]
    fn depth_class_disagreeing_with_nesting_is_flagged() {
        let page = r#"<html><body><ol class="comment-list">
<li id="comment-1" class="comment depth-1"><p>a</p></li>
<li id="comment-2" class="comment depth-2"><p>b</p></li>
</ol></body></html>"#;
        let doc = one(page);
        assert_eq!(links(&doc), [("1", None), ("2", None)]);
        let kinds: Vec<_> = doc.anomalies.iter().map(|a| (a.kind, a.line)).collect();
        assert_eq!(kinds, [(AnomalyKind::BadIndentation, Some(3))]);
    }

    #[test]
    fn article_metadata() {
        let page = r#"<!DOCTYPE html><html><head>
<title>Fallback title | Site</title>
<meta property="og:title" content="The  headline" />
<meta property="og:site_name" content="The Outlet" />
<meta property="og:url" content="https://example.org/og" />
<meta property="article:published_time" content="2020-01-28T10:55:52+01:00" />
<meta name='author' content='Perry Bacon Jr.' />
<link rel='canonical' href='https://example.org/story/' />
</head><body><nav>Menu</nav><article><div class="entry-content"><p>First paragraph.</p>
<div class="sharedaddy">Share this</div><p>Second.</p></div></article></body></html>"#;
        let a = one(page).article;
        assert_eq!(a.id, "page");
        assert_eq!(a.source, "dir/page.html");
        assert_eq!(a.title.as_deref(), Some("The headline"));
        assert_eq!(a.outlet.as_deref(), Some("The Outlet"));
        assert_eq!(a.published.as_deref(), Some("2020-01-28T09:55:52Z"));
        assert_eq!(a.url.as_deref(), Some("https://example.org/story/"));
        assert_eq!(a.byline.as_deref(), Some("Perry Bacon Jr."));
        assert_eq!(a.body, "First paragraph.\n\nSecond.");

        let bare = one("<html><head><title> Only  a title </title><meta property=\"og:url\" content=\"https://e.org/x\"></head><body>x</body></html>").article;
        assert_eq!(bare.title.as_deref(), Some("Only a title"));
        assert_eq!(bare.url.as_deref(), Some("https://e.org/x"));
        assert_eq!((bare.published, bare.outlet, bare.byline), (None, None, None));
        // No known container: the readability extractor's text (issue #15).
        assert_eq!(bare.body, "x");
    }

    /// Issue #15: themes that give comments no `comment` or `depth-N`
    /// class (Kubrick's `ol#commentlist > li.alt#comment-N`, a `li.odd`
    /// whose child has the id), nested by `ul.children` only.
    #[test]
    fn r15_lists_without_comment_or_depth_classes() {
        let page = r##"<html><body><div class="post"><h2>Post</h2></div>
<h3 id="comments">3 Responses</h3>
<ol id="commentlist">
<li class="alt" id="comment-12">
  <cite><a href="http://anna.example" rel="external nofollow">Anna</a></cite> Says:<br />
  <small class="commentmetadata"><a href="#comment-12" title="">June 5th, 2008 at 10:12 am</a></small>
  <p>First <b>point</b>.</p><p>Second point.</p>
  <ul class="children">
    <li class="even" id="comment-13"><cite>Bert</cite> Says:<br />
      <small class="commentmetadata"><a href="#comment-13">June 6th, 2008 at 9:00 am</a></small>
      <p>A reply.</p>
    </li>
  </ul>
</li>
<li class="odd"><div id="div-comment-14"><cite>Cleo</cite> <span>says:</span>
  <p>Says: no more.</p></div></li>
</ol>
<ul class="menu"><li class="alt" id="comment-99">not a comment</li></ul>
</body></html>"##;
        let doc = one(page);
        assert_eq!(doc.article.format, "wordpress-html");
        assert_eq!(links(&doc), [("12", None), ("13", Some("12")), ("14", None)]);
        let authors: Vec<_> = doc.comments.iter().map(|c| c.author.as_deref()).collect();
        assert_eq!(authors, [Some("Anna"), Some("Bert"), Some("Cleo")]);
        let texts: Vec<_> = doc.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["First point.\n\nSecond point.", "A reply.", "Says: no more."]);
        assert_eq!(doc.comments[0].time.as_deref(), Some("2008-06-05T10:12:00"));
        assert_eq!(doc.comments[1].time.as_deref(), Some("2008-06-06T09:00:00"));
        assert!(doc.comments.iter().all(|c| c.kind == CommentKind::Comment));
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    /// Issue #15: old themes list comments as `dt` (author, date) + `dd`
    /// (text) pairs: one comment each.
    #[test]
    fn r15_dt_dd_pairs_are_one_comment() {
        let page = r##"<html><body><dl class="commentlist">
<dt id="comment-5"><cite>Anna</cite> said on <a href="#comment-5">June 3, 2008 at 10:00</a>:</dt>
<dd><p>Text A.</p></dd>
<dt id="comment-6"><a href="http://bert.example">Bert</a> &mdash; <small>4. Juni 2008 um 12:30</small></dt>
<dd><p>Text B.</p><blockquote><p>Text A.</p></blockquote></dd>
</dl></body></html>"##;
        let doc = one(page);
        assert_eq!(links(&doc), [("5", None), ("6", None)]);
        let (a, b) = (&doc.comments[0], &doc.comments[1]);
        assert_eq!((a.author.as_deref(), b.author.as_deref()), (Some("Anna"), Some("Bert")));
        assert_eq!(a.text, "Text A.");
        assert_eq!(a.time.as_deref(), Some("2008-06-03T10:00:00"));
        assert_eq!(b.time.as_deref(), Some("2008-06-04T12:30:00"));
        assert_eq!(b.text, "Text B.\n\nText A.");
        assert_eq!(&b.text[b.quotes[0].clone()], "Text A.");
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    /// Issue #15: pingbacks and trackbacks that the markup does not mark,
    /// by how their text or author starts, and by a separate
    /// `ol.pinglist`.
    #[test]
    fn r15_pingbacks_by_text_and_pinglist() {
        let page = r##"<html><body><ol class="comment-list">
<li id="comment-20" class="comment depth-1"><div class="comment-content"><p>Pingback: <a href="http://o.example">Other blog</a></p></div></li>
<li id="comment-21" class="comment depth-1"><div class="comment-author"><b class="fn">Trackback: Some Site</b></div><div class="comment-content"><p>[…] quoted […]</p></div></li>
<li id="comment-22" class="comment depth-1"><div class="comment-author"><b class="fn">Dora</b></div><div class="comment-content"><p>What is a pingback: a link?</p></div></li>
<li id="comment-23" class="comment depth-1"><div class="comment-content"><p>Pingback von <a href="#">Ein Blog</a></p></div></li>
</ol>
<h3>Pingbacks</h3>
<ol class="pinglist">
<li><a href="http://p.example">Linking post</a></li>
<li id="comment-30">Trackback von <a href="http://t.example">X</a></li>
</ol></body></html>"##;
        let doc = one(page);
        assert_eq!(
            links(&doc),
            [("20", None), ("21", None), ("22", None), ("23", None), ("pos-5", None), ("30", None)]
        );
        let kinds: Vec<_> = doc.comments.iter().map(|c| c.kind).collect();
        use CommentKind::{Comment, Pingback, Trackback};
        assert_eq!(kinds, [Pingback, Trackback, Comment, Pingback, Pingback, Trackback]);
        let authors: Vec<_> = doc.comments.iter().map(|c| c.author.as_deref()).collect();
        assert_eq!(
            authors,
            [
                Some("Other blog"),
                Some("Trackback: Some Site"),
                Some("Dora"),
                Some("Ein Blog"),
                Some("Linking post"),
                Some("X")
            ]
        );
        // Only the pinglist item without an id is odd.
        let odd: Vec<_> = doc.anomalies.iter().map(|a| (a.kind, a.comment_id.as_deref())).collect();
        assert_eq!(odd, [(AnomalyKind::BadRecord, Some("pos-5"))]);
    }

    /// Issue #15: a `bypostauthor` class on the comment element flags the
    /// post's author; ready for a `by_post_author` field.
    #[test]
    fn r15_by_post_author_class() {
        let page = r##"<html><body><ol class="comment-list">
<li id="comment-1" class="comment depth-1"><article id="div-comment-1" class="comment-body"><p>Reader <span class="bypostauthor">x</span></p></article>
  <ol class="children"><li id="comment-2" class="comment byuser bypostauthor depth-2"><p>Author</p></li></ol></li>
<li id="li-comment-3" class="depth-1"><article id="comment-3" class="comment bypostauthor"><p>Author too</p></article></li>
</ol></body></html>"##;
        let (html, _) = parse_tree(page);
        let (items, owner) = find_items(&html);
        let flags: Vec<bool> = items
            .iter()
            .enumerate()
            .map(|(k, item)| {
                let marked: Vec<_> = owned_elements(item.el, k, &owner)
                    .into_iter()
                    .filter(|e| owner.get(&e.id()) == Some(&k))
                    .collect();
                by_post_author(&marked)
            })
            .collect();
        assert_eq!(flags, [false, true, true]);
    }

    /// Issue #15: titles without the site's name, bylines from the other
    /// places pages put them, and JSON-LD where the meta tags are missing.
    #[test]
    fn r15_article_metadata_from_json_ld_and_bylines() {
        let page = |head: &str, body: &str| {
            one(&format!("<html><head>{head}</head><body>{body}</body></html>")).article
        };
        let site = r#"<meta property="og:site_name" content="The Outlet">"#;
        for (title, want) in [
            ("Story | The Outlet", "Story"),
            ("Story – The Outlet", "Story"),
            ("A - B - the outlet", "A - B"),
            ("Story | Another Site", "Story | Another Site"),
            ("The Outlet", "The Outlet"),
        ] {
            let a = page(&format!("<title>{title}</title>{site}"), "");
            assert_eq!(a.title.as_deref(), Some(want), "{title}");
        }
        // og:title may carry the suffix too; without a site name nothing
        // is cut.
        let a = page(
            &format!(r#"<meta property="og:title" content="Big news | The Outlet">{site}"#),
            "",
        );
        assert_eq!(a.title.as_deref(), Some("Big news"));
        assert_eq!(
            page("<title>Story | The Outlet</title>", "").title.as_deref(),
            Some("Story | The Outlet")
        );

        let ld = r#"<title>Story page | Blog</title>
<script type="application/ld+json">{ not json</script>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
  {"@type":"WebSite","name":"Blog"},
  {"@type":["NewsArticle"],"headline":"The  headline","datePublished":"2021-03-04T05:06:07+01:00",
   "author":[{"@type":"Person","name":"Ann Ay"},"Bo Bee",{"@id":"https://e.org/#c"}],
   "publisher":{"@type":"Organization","name":"Blog"}}]}</script>"#;
        let a = page(ld, "");
        assert_eq!(a.title.as_deref(), Some("The headline"));
        assert_eq!(a.published.as_deref(), Some("2021-03-04T04:06:07Z"));
        assert_eq!(a.byline.as_deref(), Some("Ann Ay, Bo Bee"));
        // Meta tags win over JSON-LD; a single author object is read too.
        let a = page(
            r#"<meta property="og:title" content="Meta title"><meta property="article:published_time" content="2020-01-01">
<script type="application/ld+json">[{"@type":"BlogPosting","headline":"LD","datePublished":"2019-01-01","author":{"name":"Cy"}}]</script>"#,
            "",
        );
        assert_eq!(a.title.as_deref(), Some("Meta title"));
        assert_eq!(a.published.as_deref(), Some("2020-01-01"));
        assert_eq!(a.byline.as_deref(), Some("Cy"));
        // JSON-LD of other things gives nothing; a script of another type
        // is not read.
        let a = page(
            r#"<script type="application/ld+json">{"@type":"Recipe","name":"Cake","author":"Dee"}</script>
<script type="text/plain">{"@type":"Article","headline":"No"}</script>"#,
            "",
        );
        assert_eq!((a.title, a.byline), (None, None));

        // article:author that is a link is no name; a rel=author link in
        // the page is, one in a comment is not.
        let comments = r#"<ol class="comment-list"><li id="comment-1" class="comment"><a rel="author" href="/u">Commenter</a><p>Hi</p></li></ol>"#;
        let a = page(
            r#"<meta property="article:author" content="https://facebook.com/x">"#,
            &format!(
                r#"{comments}<div class="meta"><a rel="author" href="/a">  Eve  Ef </a></div>"#
            ),
        );
        assert_eq!(a.byline.as_deref(), Some("Eve Ef"));
        let a = page(r#"<meta property="article:author" content="Fay">"#, "");
        assert_eq!(a.byline.as_deref(), Some("Fay"));
        let a = page("", r#"<span class="byline">By <span class="author">Gus Gee</span></span>"#);
        assert_eq!(a.byline.as_deref(), Some("Gus Gee"));
    }

    /// Issue #15: a page whose article is in no known container gets its
    /// body from the readability extractor, without the comments.
    #[test]
    fn r15_body_by_readability_without_comments() {
        let para = |k: usize, what: &str| {
            format!(
                "<p>{what} paragraph {k}: this sentence is long enough, with commas, words, \
                 and more words, to count as the text of a page, as readability wants it.</p>"
            )
        };
        let story: String = (1..=6).map(|k| para(k, "Story")).collect();
        let comment = |n: usize| {
            format!(
                r#"<li id="comment-{n}" class="comment depth-1"><div class="comment-content">{}</div></li>"#,
                (1..=4).map(|k| para(k, &format!("Comment {n}"))).collect::<String>()
            )
        };
        let page = format!(
            r#"<html><head><title>T</title></head><body><nav><a href="/">Home</a> <a href="/b">Blog</a></nav>
<div class="main-wrap"><div class="story-text"><h1>T</h1>{story}</div>
<div id="comments"><ol class="comment-list">{}{}</ol></div></div>
<footer><p>Copyright</p></footer></body></html>"#,
            comment(1),
            comment(2)
        );
        let doc = one(&page);
        assert_eq!(doc.comments.len(), 2);
        let body = &doc.article.body;
        assert!(body.contains("Story paragraph 1:"), "{body}");
        assert!(body.contains("Story paragraph 6:"), "{body}");
        assert!(!body.contains("Comment"), "{body}");
        assert!(!body.contains("Copyright"), "{body}");
    }

    /// The anomaly of a page read with the linear tree builder, if any.
    fn deep_anomaly(doc: &Document) -> Option<&Anomaly> {
        let a = doc.anomalies.iter().find(|a| a.message.contains("levels browsers build"))?;
        assert_eq!(a.kind, AnomalyKind::DeepNesting);
        Some(a)
    }

    /// A comment in lean WordPress markup, left open for its replies.
    fn lean_open(n: usize, depth: usize) -> String {
        format!(
            r#"<li id="comment-{n}" class="comment depth-{depth}"><div class="comment-content"><p>Text {n}</p></div>"#
        )
    }

    /// Issue #13: a page's tree is most of what reading it costs; attributes nothing reads
    /// are not kept, those read are, on the elements they are read on.
    #[test]
    fn r13_tree_keeps_only_attributes_read() {
        let page = r#"<html><head><meta property="og:title" content="T" data-x="1">
            <link rel="canonical" href="https://e.org/a" style="s"></head><body>
            <a href="https://e.org/long" title="t" data-track="z" rel="author">x</a>
            <script src="https://x.disqus.com/embed.js" type="text/javascript" async></script>
            <img src="i.png" srcset="a b" rel="x" type="y">
            <div id="d" class="c" style="color:red" itemprop="text" content="no" type="t"></div>
            </body></html>"#;
        let (html, _) = parse_tree(page);
        let attrs = |name: &str| -> Vec<String> {
            let mut names: Vec<String> = html
                .nodes()
                .filter_map(|n| n.value().as_element())
                .filter(|e| e.name() == name)
                .flat_map(|e| e.attrs().map(|(k, _)| k.to_string()))
                .collect();
            names.sort();
            names
        };
        assert_eq!(attrs("meta"), ["content", "property"]);
        assert_eq!(attrs("link"), ["href", "rel"]);
        assert_eq!(attrs("a"), ["rel", "title"]);
        assert_eq!(attrs("script"), ["src", "type"]);
        assert!(attrs("img").is_empty());
        assert_eq!(attrs("div"), ["class", "id", "itemprop"]);
        // The deep-page builder keeps the same.
        let (deep, _) = LinearBuilder::parse(page);
        let n = |h: &Html| {
            h.nodes()
                .filter_map(|n| n.value().as_element())
                .map(|e| e.attrs().count())
                .sum::<usize>()
        };
        assert_eq!(n(&deep), n(&html));
        let doc = one(page);
        assert_eq!(doc.article.title.as_deref(), Some("T"));
        assert_eq!(doc.article.url.as_deref(), Some("https://e.org/a"));
    }

    /// Issue #13: comments and the doctype are not kept in the tree (by either builder), and
    /// text on both sides of a comment reads as it did with it.
    #[test]
    fn r13_tree_keeps_no_comments_or_doctype() {
        let page = "<!DOCTYPE html><html><!-- a --><head><title>T</title></head>\
            <body><!-- b --><div id=\"comments\"><ol class=\"comment-list\">\
            <li id=\"comment-1\" class=\"comment\"><b class=\"fn\">An<!-- c -->n</b>\
            <div class=\"comment-content\"><p>one<!-- d -->two</p><p>three</p></div></li>\
            </ol></div></body></html><!-- e -->";
        let kept = |h: &Html| {
            h.nodes().filter(|n| n.parent().is_some() || n.id() == h.root().id()).count()
        };
        for (html, _) in [parse_tree(page), (LinearBuilder::parse(page).0, None)] {
            assert!(
                !html
                    .nodes()
                    .filter(|n| n.parent().is_some())
                    .any(|n| matches!(n.value(), super::super::dom::Node::Other)),
                "{html:?}"
            );
            assert!(kept(&html) > 10);
        }
        let doc = one(page);
        assert_eq!(doc.article.title.as_deref(), Some("T"));
        assert_eq!(doc.comments[0].author.as_deref(), Some("Ann"));
        assert_eq!(doc.comments[0].text, "onetwo\n\nthree");
    }

    /// The walk's stack of contexts gives back each element's context however runs repeat.
    #[test]
    fn r13_opened_contexts_pop_in_push_order() {
        let a = Context::default();
        let b = Context { in_list: true, ..a };
        let c = Context { nearest: Nearest::Item(3), ..b };
        let pushed = [a, a, b, b, b, c, a, a];
        let mut o = Opened::default();
        for x in pushed {
            o.push(x);
        }
        assert_eq!(o.0.len(), 4);
        let popped: Vec<Context> = std::iter::from_fn(|| o.pop()).collect();
        let mut want = pushed.to_vec();
        want.reverse();
        assert_eq!(popped, want);
    }

    /// The deep-page builder reads the page in chunks: a tag, a character reference, a
    /// line break or a character cut by a chunk's end reads as whole.
    #[test]
    fn r13_deep_builder_reads_across_chunk_ends() {
        let tail = "x&amp;y\r\n\u{e9}\u{1F600}<b class=\"c\">z</b>";
        for cut in 0..tail.len() {
            let head = "<div>".repeat(MAX_DEPTH + 10);
            let pad = "p".repeat(CHUNK - head.len() - cut);
            let page = format!("{head}{pad}{tail}");
            assert!(page.len() > CHUNK);
            let (html, depth) = LinearBuilder::parse(&page);
            assert!(depth > MAX_DEPTH);
            let text: String = html.root_element().text().collect();
            assert_eq!(text, format!("{pad}x&y\n\u{e9}\u{1F600}z"), "cut {cut}");
            let b = html
                .root()
                .descendants()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "b");
            assert_eq!(b.and_then(|b| b.attr("class")), Some("c"), "cut {cut}");
        }
    }

    #[test]
    fn r13_hundred_thousand_nested_divs() {
        // Issue #13: html5ever's tree builder scans its open elements on
        // each tag, so this page took 53 s; it now takes time linear in its
        // size, and the comment at the bottom is still read.
        let n = 100_000;
        let mut page = String::from("<html><body>");
        page.push_str(&"<div>".repeat(n));
        page.push_str(r#"<ol class="comment-list">"#);
        page.push_str(&lean_open(1, 1));
        page.push_str("</li></ol>");
        page.push_str(&"</div>".repeat(n));
        page.push_str("</body></html>");
        let doc = one(&page);
        assert_eq!(links(&doc), [("1", None)]);
        assert_eq!(doc.comments[0].text, "Text 1");
        let a = deep_anomaly(&doc).expect("an anomaly names the depth");
        assert!(a.message.contains(&format!("{} deep", n + 6)), "{}", a.message);
        assert!(a.message.contains(&MAX_DEPTH.to_string()), "{}", a.message);
        assert_eq!(doc.anomalies.len(), 1, "{:?}", doc.anomalies);
    }

    #[test]
    fn r13_twenty_thousand_deep_comment_chain() {
        // Issue #13: a 20,000-deep `ol.children` chain took 64 s; every
        // reply link (so every depth) is still read.
        let n = 20_000;
        let mut page = String::from(r#"<html><body><ol class="commentlist">"#);
        for k in 1..=n {
            page.push_str(&lean_open(k, k));
            page.push_str(r#"<ol class="children">"#);
        }
        page.push_str(&"</ol></li>".repeat(n));
        page.push_str("</ol></body></html>");
        let doc = one(&page);
        assert_eq!(doc.comments.len(), n);
        for (k, c) in doc.comments.iter().enumerate() {
            assert_eq!(c.id, (k + 1).to_string());
            assert_eq!(c.parent_id, (k > 0).then(|| k.to_string()));
            assert_eq!(c.text, format!("Text {}", k + 1));
        }
        // The `depth-N` classes agree with the nesting read: no
        // `bad_indentation`, only the note on the depth.
        assert!(deep_anomaly(&doc).is_some());
        assert_eq!(doc.anomalies.len(), 1, "{:?}", &doc.anomalies[..2.min(doc.anomalies.len())]);
    }

    #[test]
    fn r13_fifty_thousand_unclosed_elements_in_comment_list() {
        // Issue #13: mutated pages with tens of thousands of unclosed
        // elements in the comment list did not finish in 20 s.
        let comments = 100;
        let mut page = String::from(r#"<html><body><ol class="comment-list">"#);
        for k in 1..=comments {
            page.push_str(&lean_open(k, 1));
            page.push_str("</li>");
            page.push_str(&r#"<div class="x"><span>"#.repeat(250));
        }
        page.push_str("</ol></body></html>");
        let doc = one(&page);
        let want: Vec<String> = (1..=comments).map(|k| k.to_string()).collect();
        let got: Vec<&str> = doc.comments.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(got, want);
        assert!(doc.comments.iter().all(|c| c.parent_id.is_none()));
        assert!(deep_anomaly(&doc).is_some());
        assert_eq!(doc.anomalies.len(), 1, "{:?}", doc.anomalies);
    }

    #[test]
    fn r13_wpdiscuz_comments_nested_by_unclosed_divs() {
        // Issue #13: wpDiscuz comments whose closing tags were lost nest
        // 20,000 deep; their ids still say who replies to whom.
        let n = 20_000;
        let mut page = String::from(r#"<html><body><div id="wpdcom">"#);
        for k in 1..=n {
            let parent = if k % 2 == 0 { k - 1 } else { 0 };
            page.push_str(&format!(
                r#"<div id="wc-comm-{k}_{parent}" class="wc-comment"><div class="wc-comment-author">A{k}</div><div class="wc-comment-text"><p>T{k}"#
            ));
        }
        page.push_str("</body></html>");
        let doc = one(&page);
        assert_eq!(doc.comments.len(), n);
        let last = &doc.comments[n - 1];
        assert_eq!((last.id.as_str(), last.parent_id.as_deref()), ("20000", Some("19999")));
        assert_eq!(last.author.as_deref(), Some("A20000"));
        assert_eq!(last.text, "T20000");
        assert!(deep_anomaly(&doc).is_some());
    }

    #[test]
    fn r13_linear_builder_reads_wordpress_markup_as_html5ever_does() {
        // Issue #13: a page over the depth cap is read by the linear
        // builder; its comments must come out as html5ever gives them.
        let c3 = classic(3, 3, "Cleo", "Third <b>level</b>.", "");
        let c2 =
            classic(2, 2, "Bert", "Second.<br>Line", &format!(r#"<ol class="children">{c3}</ol>"#));
        let c1 = classic(
            1,
            1,
            "Anna",
            "x</p><blockquote><p>Quote</p></blockquote><p>First!",
            &format!(r#"<ol class="children">{c2}</ol>"#),
        );
        let list = format!(
            r#"<div id="comments"><ol class="comment-list">{c1}<li id="comment-4" class="comment depth-1"><p>Unclosed p<p>second<li id="comment-5" class="comment depth-1"><table><tr><td>cell<td>cell 2</table><p>Five</li></ol></div>"#
        );
        let page = |tail: &str| {
            format!(
                "<!DOCTYPE html><html><head><title>T</title><script>if (a<b) x('</div>')</script></head><body><article><div class=\"entry-content\"><p>Body.</p></div></article>{list}{tail}</body></html>"
            )
        };
        let normal = one(&page(""));
        let deep = one(&page(&"<span>".repeat(MAX_DEPTH + 2 * CHECK_EVERY)));
        assert!(deep_anomaly(&normal).is_none());
        assert!(deep_anomaly(&deep).is_some());
        let rows = |d: &Document| {
            d.comments
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        c.parent_id.clone(),
                        c.author.clone(),
                        c.time.clone(),
                        c.text.clone(),
                        c.quotes.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(&deep), rows(&normal));
        assert_eq!(normal.comments.len(), 5);
        assert_eq!(deep.article.body, normal.article.body);
        assert_eq!(deep.article.title, normal.article.title);
    }

    #[test]
    fn r13_depth_under_the_cap_uses_html5ever() {
        // Issue #13: pages within the cap are read exactly as before.
        let page = format!(
            "<html><body>{}<ol class=\"comment-list\">{}</li></ol></body></html>",
            "<div>".repeat(MAX_DEPTH - 10),
            lean_open(1, 1)
        );
        let doc = one(&page);
        assert_eq!(links(&doc), [("1", None)]);
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
    }

    #[test]
    fn r13_line_of_many_anomalies_found_once() {
        // Issue #13: each `bad_indentation` searched the page for its line.
        let mut page = String::from("<html><body><ol class=\"comment-list\">\n");
        for k in 1..=3000 {
            page.push_str(&format!(
                "<li id=\"comment-{k}\" class=\"comment depth-2\"><p>x</p></li>\n"
            ));
        }
        page.push_str("</ol></body></html>");
        let doc = one(&page);
        assert_eq!(doc.anomalies.len(), 3000);
        assert_eq!(doc.anomalies[2999].line, Some(3001));
        assert!(doc.anomalies.iter().all(|a| a.kind == AnomalyKind::BadIndentation));
    }

    #[test]
    fn text_without_markup_is_malformed() {
        let err = parse("{\"id\": 1}\n", "x", "x.json").unwrap_err();
        match err {
            ParseErrorKind::Malformed { format: Format::Html, message } => {
                assert!(message.contains("no tags"), "{message}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
