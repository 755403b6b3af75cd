//! A compact tree of an HTML page, built by html5ever (issue #13: the tree is most of what
//! reading a page costs, and a page of 100,000 comments has millions of nodes).
//!
//! scraper's tree spends 128 bytes on a node (an `ego_tree` node of five 8-byte links around
//! an 88-byte `Node`), plus a heap buffer per text and per attribute list. Here a node is 48
//! bytes: five 4-byte links, an element's name (an interned atom) and namespace, and the
//! range of its attributes in one list, or the range of its text in one buffer that holds all
//! the page's text. The reader keeps only the attributes it looks at (see
//! [`keep_attributes`]), and values that repeat across elements share one buffer.
//!
//! The tree has the shape scraper's has for the same page (html5ever builds both through the
//! same [`TreeSink`] calls, nodes are numbered in the order they are made, a `template`'s
//! contents hang under a fragment node), without comments, processing instructions and the
//! doctype, which nothing reads. Its API follows the parts of `ego_tree` and scraper the
//! readers use: [`NodeRef`], [`ElementRef`], [`Edge`].

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};

/// The largest text the tree holds: offsets are 32 bits.
pub const MAX_TEXT: usize = u32::MAX as usize;

/// No node.
const NONE: u32 = u32::MAX;

/// A node of an [`Html`] tree: its place in the tree's list of nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

/// One node: its links and what it is.
struct Data {
    parent: u32,
    prev: u32,
    next: u32,
    first: u32,
    last: u32,
    kind: Kind,
}

enum Kind {
    Document,
    /// A `template`'s contents.
    Fragment,
    Element {
        name: LocalName,
        /// Index in [`Html::namespaces`].
        ns: u8,
        /// Range in [`Html::attrs`].
        attrs: (u32, u32),
    },
    /// Range in [`Html::text`].
    Text(u32, u32),
    /// A comment or processing instruction: made for the builder, never in the tree.
    Other,
}

/// An attribute the tree keeps.
struct Attr {
    name: LocalName,
    value: StrTendril,
}

/// A page's tree.
pub struct Html {
    nodes: Vec<Data>,
    attrs: Vec<Attr>,
    text: String,
    namespaces: Vec<Namespace>,
}

impl Html {
    fn new(root: Kind) -> Html {
        Html {
            nodes: vec![Data {
                parent: NONE,
                prev: NONE,
                next: NONE,
                first: NONE,
                last: NONE,
                kind: root,
            }],
            attrs: Vec::new(),
            text: String::new(),
            namespaces: vec![ns!(html)],
        }
    }

    /// A tree with only its document node, for a builder to fill.
    pub fn new_document() -> Html {
        Html::new(Kind::Document)
    }

    /// The tree of an HTML fragment (a comment's body), as the children of an `html` element
    /// (see [`Html::root_element`]); its attributes are not kept.
    pub fn parse_fragment(fragment: &str) -> Html {
        let sink = Sink::new(Html::new(Kind::Fragment), false);
        html5ever::driver::parse_fragment(
            sink,
            Default::default(),
            QualName::new(None, ns!(html), local_name!("body")),
            Vec::new(),
            false,
        )
        .one(fragment)
    }

    /// The document (or fragment) node.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { html: self, id: 0 }
    }

    /// The first element under the root (`html`).
    ///
    /// # Panics
    /// On a tree with no element, which html5ever never builds.
    pub fn root_element(&self) -> ElementRef<'_> {
        self.root().children().find_map(ElementRef::wrap).expect("html5ever makes an html element")
    }

    /// The node `id`.
    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_>> {
        ((id.0 as usize) < self.nodes.len()).then_some(NodeRef { html: self, id: id.0 })
    }

    /// Every node, in the order they were made, with those not (or no longer) in the tree.
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> + '_ {
        (0..self.nodes.len() as u32).map(move |id| NodeRef { html: self, id })
    }

    fn push(&mut self, kind: Kind) -> u32 {
        let id = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i != NONE)
            .expect("a page has fewer nodes than bytes, and pages are under 4 GiB (see MAX_TEXT)");
        self.nodes.push(Data {
            parent: NONE,
            prev: NONE,
            next: NONE,
            first: NONE,
            last: NONE,
            kind,
        });
        id
    }

    fn push_text(&mut self, text: &str) -> Kind {
        let start = self.text.len();
        self.text.push_str(text);
        Kind::Text(offset(start), offset(text.len()))
    }

    /// Add `more` to the text node `id`, in place when its text ends the buffer.
    fn extend_text(&mut self, id: u32, more: &str) {
        let Kind::Text(start, len) = self.nodes[id as usize].kind else { return };
        let (start, len) = (start as usize, len as usize);
        if start + len != self.text.len() {
            // Another text came after it: move it to the end first (the builder rarely does
            // this: table content moved out of a table).
            self.text.extend_from_within(start..start + len);
        }
        let start = self.text.len() - len;
        self.text.push_str(more);
        self.nodes[id as usize].kind = Kind::Text(offset(start), offset(len + more.len()));
    }

    fn detach(&mut self, id: u32) {
        let Data { parent, prev, next, .. } = self.nodes[id as usize];
        if parent == NONE {
            return;
        }
        if prev != NONE {
            self.nodes[prev as usize].next = next;
        } else {
            self.nodes[parent as usize].first = next;
        }
        if next != NONE {
            self.nodes[next as usize].prev = prev;
        } else {
            self.nodes[parent as usize].last = prev;
        }
        let n = &mut self.nodes[id as usize];
        (n.parent, n.prev, n.next) = (NONE, NONE, NONE);
    }

    fn append(&mut self, parent: u32, id: u32) {
        self.detach(id);
        let last = self.nodes[parent as usize].last;
        {
            let n = &mut self.nodes[id as usize];
            (n.parent, n.prev, n.next) = (parent, last, NONE);
        }
        if last != NONE {
            self.nodes[last as usize].next = id;
        } else {
            self.nodes[parent as usize].first = id;
        }
        self.nodes[parent as usize].last = id;
    }

    fn insert_before(&mut self, sibling: u32, id: u32) {
        self.detach(id);
        let Data { parent, prev, .. } = self.nodes[sibling as usize];
        {
            let n = &mut self.nodes[id as usize];
            (n.parent, n.prev, n.next) = (parent, prev, sibling);
        }
        self.nodes[sibling as usize].prev = id;
        if prev != NONE {
            self.nodes[prev as usize].next = id;
        } else {
            self.nodes[parent as usize].first = id;
        }
    }

    fn is_text(&self, id: u32) -> bool {
        id != NONE && matches!(self.nodes[id as usize].kind, Kind::Text(..))
    }

    fn namespace(&mut self, ns: &Namespace) -> u8 {
        match self.namespaces.iter().position(|n| n == ns) {
            Some(i) => i as u8,
            None => {
                self.namespaces.push(ns.clone());
                u8::try_from(self.namespaces.len() - 1).expect("html5ever uses three namespaces")
            }
        }
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a page's text is under 4 GiB (see MAX_TEXT)")
}

impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Html").field("nodes", &self.nodes.len()).finish()
    }
}

/// A node of a tree, to walk from.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    html: &'a Html,
    id: u32,
}

impl PartialEq for NodeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.html, other.html)
    }
}
impl Eq for NodeRef<'_> {}

impl fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeRef({}, {:?})", self.id, self.value())
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    /// The document.
    Document,
    /// A `template`'s contents, or a fragment's root.
    Fragment,
    /// An element.
    Element(Element<'a>),
    /// A text, its character references resolved.
    Text(&'a str),
    /// A comment or processing instruction (never in the tree).
    Other,
}

impl<'a> Node<'a> {
    /// Whether an element.
    pub fn is_element(&self) -> bool {
        matches!(self, Node::Element(_))
    }
    /// The element, when one.
    pub fn as_element(&self) -> Option<Element<'a>> {
        match self {
            Node::Element(e) => Some(*e),
            _ => None,
        }
    }
}

/// An element: its name and the attributes the tree keeps.
#[derive(Clone, Copy)]
pub struct Element<'a> {
    name: &'a LocalName,
    ns: &'a Namespace,
    attrs: &'a [Attr],
}

impl<'a> Element<'a> {
    /// The local name (`div`).
    pub fn name(self) -> &'a str {
        self.name
    }
    /// The namespace (HTML, SVG or MathML).
    pub fn namespace(self) -> &'a Namespace {
        self.ns
    }
    /// The value of the attribute `name`, if kept.
    pub fn attr(self, name: &str) -> Option<&'a str> {
        self.attrs.iter().find(|a| &*a.name == name).map(|a| &*a.value)
    }
    /// The `id` attribute.
    pub fn id(self) -> Option<&'a str> {
        self.attr("id")
    }
    /// The kept attributes, as names and values.
    pub fn attrs(self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.attrs.iter().map(|a| (&*a.name, &*a.value))
    }
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}", self.name)?;
        for a in self.attrs {
            write!(f, " {}={:?}", a.name, &*a.value)?;
        }
        write!(f, ">")
    }
}

impl<'a> NodeRef<'a> {
    fn at(self, id: u32) -> Option<NodeRef<'a>> {
        (id != NONE).then_some(NodeRef { html: self.html, id })
    }
    fn data(self) -> &'a Data {
        &self.html.nodes[self.id as usize]
    }
    /// The node's id in its tree.
    pub fn id(self) -> NodeId {
        NodeId(self.id)
    }
    /// What the node is.
    pub fn value(self) -> Node<'a> {
        let html = self.html;
        match &self.data().kind {
            Kind::Document => Node::Document,
            Kind::Fragment => Node::Fragment,
            Kind::Element { name, ns, attrs } => Node::Element(Element {
                name,
                ns: &html.namespaces[*ns as usize],
                attrs: &html.attrs[attrs.0 as usize..(attrs.0 + attrs.1) as usize],
            }),
            Kind::Text(start, len) => {
                Node::Text(&html.text[*start as usize..(*start + *len) as usize])
            }
            Kind::Other => Node::Other,
        }
    }
    /// The parent.
    pub fn parent(self) -> Option<NodeRef<'a>> {
        self.at(self.data().parent)
    }
    /// The sibling before.
    pub fn prev_sibling(self) -> Option<NodeRef<'a>> {
        self.at(self.data().prev)
    }
    /// The sibling after.
    pub fn next_sibling(self) -> Option<NodeRef<'a>> {
        self.at(self.data().next)
    }
    /// The first child.
    pub fn first_child(self) -> Option<NodeRef<'a>> {
        self.at(self.data().first)
    }
    /// The ancestors, nearest first.
    pub fn ancestors(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.parent(), |n| n.parent())
    }
    /// The children, in page order.
    pub fn children(self) -> Children<'a> {
        let d = self.data();
        Children { html: self.html, front: d.first, back: d.last }
    }
    /// The siblings before this node, nearest first.
    pub fn prev_siblings(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.prev_sibling(), |n| n.prev_sibling())
    }
    /// This node and every node under it, in document order.
    pub fn descendants(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        self.traverse().filter_map(|e| match e {
            Edge::Open(n) => Some(n),
            Edge::Close(_) => None,
        })
    }
    /// Every node under this one and itself, opened and closed in document order.
    pub fn traverse(self) -> Traverse<'a> {
        Traverse { root: self, next: Some(Edge::Open(self)), opened: None }
    }
}

/// See [`NodeRef::children`]; from either end.
pub struct Children<'a> {
    html: &'a Html,
    front: u32,
    back: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<NodeRef<'a>> {
        if self.front == NONE {
            return None;
        }
        let n = NodeRef { html: self.html, id: self.front };
        if self.front == self.back {
            (self.front, self.back) = (NONE, NONE);
        } else {
            self.front = n.data().next;
        }
        Some(n)
    }
}

impl DoubleEndedIterator for Children<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.back == NONE {
            return None;
        }
        let n = NodeRef { html: self.html, id: self.back };
        if self.front == self.back {
            (self.front, self.back) = (NONE, NONE);
        } else {
            self.back = n.data().prev;
        }
        Some(n)
    }
}

/// A step of a walk through a tree: entering a node, or leaving it after its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge<'a> {
    /// Entering the node.
    Open(NodeRef<'a>),
    /// Leaving it.
    Close(NodeRef<'a>),
}

/// See [`NodeRef::traverse`]. Iterative: no recursion however deep the page nests.
pub struct Traverse<'a> {
    root: NodeRef<'a>,
    next: Option<Edge<'a>>,
    /// The node of the last edge, when that was an `Open` (see [`Traverse::skip_subtree`]).
    opened: Option<NodeRef<'a>>,
}

impl<'a> Traverse<'a> {
    /// Leave out the subtree of the node just opened: no edge under it and no `Close` of it
    /// (a walk that does not enter what it drops, however deep that nests). Does nothing
    /// unless the last edge was an `Open`.
    pub fn skip_subtree(&mut self) {
        if let Some(n) = self.opened.take() {
            self.next = self.after(n);
        }
    }

    /// The edge after leaving `n`.
    fn after(&self, n: NodeRef<'a>) -> Option<Edge<'a>> {
        if n == self.root {
            return None;
        }
        match n.next_sibling() {
            Some(s) => Some(Edge::Open(s)),
            None => n.parent().map(Edge::Close),
        }
    }
}

impl<'a> Iterator for Traverse<'a> {
    type Item = Edge<'a>;
    fn next(&mut self) -> Option<Edge<'a>> {
        let edge = self.next?;
        self.opened = match edge {
            Edge::Open(n) => Some(n),
            Edge::Close(_) => None,
        };
        self.next = match edge {
            Edge::Open(n) => Some(match n.first_child() {
                Some(c) => Edge::Open(c),
                None => Edge::Close(n),
            }),
            Edge::Close(n) => self.after(n),
        };
        Some(edge)
    }
}

/// A node known to be an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElementRef<'a> {
    node: NodeRef<'a>,
}

impl<'a> ElementRef<'a> {
    /// `node` when it is an element.
    pub fn wrap(node: NodeRef<'a>) -> Option<ElementRef<'a>> {
        node.value().is_element().then_some(ElementRef { node })
    }
    /// The element.
    pub fn value(self) -> Element<'a> {
        self.node.value().as_element().expect("an element")
    }
    /// The value of the attribute `name`, if kept.
    pub fn attr(self, name: &str) -> Option<&'a str> {
        self.value().attr(name)
    }
    /// The element children.
    pub fn child_elements(self) -> impl Iterator<Item = ElementRef<'a>> + 'a {
        self.node.children().filter_map(ElementRef::wrap)
    }
    /// The elements under this one, in document order (not itself).
    pub fn descendent_elements(self) -> impl Iterator<Item = ElementRef<'a>> + 'a {
        self.node.descendants().skip(1).filter_map(ElementRef::wrap)
    }
    /// The texts under this element, in document order.
    pub fn text(self) -> impl Iterator<Item = &'a str> + 'a {
        self.node.descendants().filter_map(|n| match n.value() {
            Node::Text(t) => Some(t),
            _ => None,
        })
    }
}

impl<'a> std::ops::Deref for ElementRef<'a> {
    type Target = NodeRef<'a>;
    fn deref(&self) -> &NodeRef<'a> {
        &self.node
    }
}

/// An element's name, as html5ever's tree builder asks for it.
#[derive(Debug)]
pub struct Name {
    ns: Namespace,
    local: LocalName,
}

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.ns
    }
    fn local_name(&self) -> &LocalName {
        &self.local
    }
}

/// Builds an [`Html`] for html5ever's tree builder, or for another builder through the same
/// calls (see `LinearBuilder` in `html.rs`).
///
/// What keeps the tree small besides its layout:
/// - only the attributes the page reader looks at are kept ([`keep_attributes`]), none of a
///   fragment's;
/// - values that repeat across elements (classes, `rel`, `type`, …) share one buffer;
/// - comments, processing instructions and the doctype are not kept: nothing reads them, and
///   text on either side of a comment reads the same without it.
pub struct Sink {
    html: RefCell<Html>,
    /// Keep attributes (pages); a fragment's are not read.
    attributes: bool,
    /// The values of [`SHARED_ATTRIBUTES`] met so far.
    shared: RefCell<HashSet<SharedValue>>,
    /// The one node handed out for every comment and processing instruction.
    other: Cell<Option<u32>>,
}

impl Sink {
    /// A sink filling `html`, keeping the attributes the page reader looks at when
    /// `attributes`.
    pub fn new(html: Html, attributes: bool) -> Sink {
        Sink {
            html: RefCell::new(html),
            attributes,
            shared: RefCell::default(),
            other: Cell::new(None),
        }
    }

    /// The tree so far.
    pub fn tree(&self) -> std::cell::Ref<'_, Html> {
        self.html.borrow()
    }

    /// Whether `id` is the node that stands for every comment (appending it does nothing).
    fn is_other(&self, id: NodeId) -> bool {
        self.other.get() == Some(id.0)
    }

    fn kept(&self, element: &QualName, attrs: Vec<Attribute>) -> Vec<Attr> {
        if !self.attributes {
            return Vec::new();
        }
        let mut shared = self.shared.borrow_mut();
        attrs
            .into_iter()
            .filter(|a| keep_attributes(element, &a.name))
            .map(|a| {
                let value = if SHARED_ATTRIBUTES.contains(&&*a.name.local) {
                    match shared.get(&*a.value) {
                        Some(v) => v.0.clone(),
                        None => {
                            let v = StrTendril::from_slice(&a.value);
                            // A clone shares the buffer (short values live inline).
                            shared.insert(SharedValue(v.clone()));
                            v
                        }
                    }
                } else {
                    // In a buffer of its own length: the tokenizer grows values by doubling.
                    StrTendril::from_slice(&a.value)
                };
                Attr { name: a.name.local, value }
            })
            .collect()
    }

    fn text_node(&self, parent_or_sibling: u32, text: &str, before: bool) {
        let mut html = self.html.borrow_mut();
        let neighbour = if before {
            html.nodes[parent_or_sibling as usize].prev
        } else {
            html.nodes[parent_or_sibling as usize].last
        };
        if html.is_text(neighbour) {
            html.extend_text(neighbour, text);
            return;
        }
        let kind = html.push_text(text);
        let id = html.push(kind);
        if before {
            html.insert_before(parent_or_sibling, id);
        } else {
            html.append(parent_or_sibling, id);
        }
    }
}

/// Whether the tree keeps the attribute `name` of `element`: those the page reader looks at
/// (ids and classes, `datetime` and `title` of dates, the `meta`/`link` fields of the article,
/// a `script`'s `src` for embeds and `type` for JSON-LD, a link's `rel` for `rel=author`). The
/// rest — `style`, `href`s of links, `data-*`, `srcset`, … — often outweigh the text of a page.
/// Only attributes without a namespace: `xlink:title` is not `title`.
pub fn keep_attributes(element: &QualName, name: &QualName) -> bool {
    name.ns == ns!()
        && match &*name.local {
            "id" | "class" | "datetime" | "title" | "itemprop" => true,
            "content" | "property" | "name" => element.local == local_name!("meta"),
            "rel" => matches!(element.local, local_name!("link") | local_name!("a")),
            "href" => element.local == local_name!("link"),
            "src" | "type" => element.local == local_name!("script"),
            _ => false,
        }
}

/// Attributes whose values repeat across a page's elements (an id, a date or a title does not,
/// and is not worth a place in the set).
const SHARED_ATTRIBUTES: &[&str] = &["class", "itemprop", "rel", "type", "property", "name"];

/// An attribute value in [`Sink`]'s set, looked up by its text.
struct SharedValue(StrTendril);

impl PartialEq for SharedValue {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}
impl Eq for SharedValue {}
impl std::hash::Hash for SharedValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (*self.0).hash(state)
    }
}
impl std::borrow::Borrow<str> for SharedValue {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TreeSink for Sink {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = Name;

    fn finish(self) -> Html {
        self.html.into_inner()
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {
        // Not kept: nothing reads them, and a page of unclosed elements has one per element.
    }
    fn get_document(&self) -> NodeId {
        NodeId(0)
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Name {
        let html = self.html.borrow();
        match &html.nodes[target.0 as usize].kind {
            Kind::Element { name, ns, .. } => {
                Name { ns: html.namespaces[*ns as usize].clone(), local: name.clone() }
            }
            _ => panic!("html5ever asks only for the names of elements"),
        }
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> NodeId {
        let kept = self.kept(&name, attrs);
        let mut html = self.html.borrow_mut();
        let start = offset(html.attrs.len());
        let len = offset(kept.len());
        html.attrs.extend(kept);
        let ns = html.namespace(&name.ns);
        let template = name.ns == ns!(html) && name.local == local_name!("template");
        let id = html.push(Kind::Element { name: name.local, ns, attrs: (start, len) });
        if template {
            let contents = html.push(Kind::Fragment);
            html.append(id, contents);
        }
        NodeId(id)
    }
    fn create_comment(&self, _text: StrTendril) -> NodeId {
        // One detached node stands for every comment; appending it does nothing.
        match self.other.get() {
            Some(id) => NodeId(id),
            None => {
                let id = self.html.borrow_mut().push(Kind::Other);
                self.other.set(Some(id));
                NodeId(id)
            }
        }
    }
    fn create_pi(&self, _target: StrTendril, data: StrTendril) -> NodeId {
        self.create_comment(data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        match child {
            NodeOrText::AppendNode(id) if self.is_other(id) => {}
            NodeOrText::AppendNode(id) => self.html.borrow_mut().append(parent.0, id.0),
            NodeOrText::AppendText(t) => self.text_node(parent.0, &t, false),
        }
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let has_parent = self.html.borrow().nodes[element.0 as usize].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child)
        } else {
            self.append(prev_element, child)
        }
    }
    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {
        // Not kept: nothing reads it.
    }
    fn mark_script_already_started(&self, _node: &NodeId) {}
    fn pop(&self, _node: &NodeId) {}
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        NodeId(self.html.borrow().nodes[target.0 as usize].first)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }
    fn set_quirks_mode(&self, _mode: QuirksMode) {
        // Nothing reads it.
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        match new_node {
            NodeOrText::AppendNode(id) if self.is_other(id) => {}
            NodeOrText::AppendNode(id) => {
                let mut html = self.html.borrow_mut();
                html.detach(id.0);
                if html.nodes[sibling.0 as usize].parent != NONE {
                    html.insert_before(sibling.0, id.0);
                }
            }
            NodeOrText::AppendText(t) => {
                if self.html.borrow().nodes[sibling.0 as usize].parent != NONE {
                    self.text_node(sibling.0, &t, true);
                }
            }
        }
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let name = {
            let html = self.html.borrow();
            let Kind::Element { name, ns, .. } = &html.nodes[target.0 as usize].kind else {
                return;
            };
            QualName::new(None, html.namespaces[*ns as usize].clone(), name.clone())
        };
        let kept = self.kept(&name, attrs);
        let mut html = self.html.borrow_mut();
        let Kind::Element { attrs: (start, len), .. } = html.nodes[target.0 as usize].kind else {
            return;
        };
        let (start, len) = (start as usize, len as usize);
        let missing: Vec<Attr> = kept
            .into_iter()
            .filter(|a| !html.attrs[start..start + len].iter().any(|b| b.name == a.name))
            .collect();
        if missing.is_empty() {
            return;
        }
        // The element's attributes move to the end of the list, with the new ones after them.
        let new_start = html.attrs.len();
        for i in start..start + len {
            let a = Attr { name: html.attrs[i].name.clone(), value: html.attrs[i].value.clone() };
            html.attrs.push(a);
        }
        let added = missing.len();
        html.attrs.extend(missing);
        if let Kind::Element { attrs, .. } = &mut html.nodes[target.0 as usize].kind {
            *attrs = (offset(new_start), offset(len + added));
        }
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.html.borrow_mut().detach(target.0);
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        let mut html = self.html.borrow_mut();
        loop {
            let child = html.nodes[node.0 as usize].first;
            if child == NONE {
                break;
            }
            html.append(new_parent.0, child);
        }
    }
}

/// A CSS selector of the few kinds the page reader uses: comma-separated alternatives, each
/// one compound or an ancestor compound and a descendant compound (`article .entry-content`);
/// a compound is a name, `.class` and `[attr="value"]` / `[attr~="word"]`, each optional.
/// Matching follows scraper's (the `selectors` crate in no-quirks mode): names and classes
/// are compared exactly, and the values of `type` and `rel` ignore ASCII case on HTML
/// elements, as the HTML standard lists them.
#[derive(Debug)]
pub struct Selector {
    alternatives: Vec<(Option<Compound>, Compound)>,
}

#[derive(Debug, Default)]
struct Compound {
    name: Option<String>,
    class: Option<String>,
    attr: Option<(String, AttrOp, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum AttrOp {
    /// `[a="v"]`
    Equals,
    /// `[a~="v"]`: one of its whitespace-separated words.
    Word,
}

impl Selector {
    /// Parse `text`, or say what in it is not of the kinds read.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let alternatives = text
            .split(',')
            .map(|alt| {
                let parts: Vec<&str> = alt.split_whitespace().collect();
                match parts[..] {
                    [one] => Ok((None, Compound::parse(one)?)),
                    [outer, inner] => Ok((Some(Compound::parse(outer)?), Compound::parse(inner)?)),
                    _ => Err(format!("`{alt}`: one or two compounds")),
                }
            })
            .collect::<Result<_, String>>()?;
        Ok(Selector { alternatives })
    }

    /// Whether `e` matches.
    pub fn matches(&self, e: &ElementRef<'_>) -> bool {
        self.alternatives.iter().any(|(outer, inner)| {
            inner.matches(e)
                && outer.as_ref().is_none_or(|o| {
                    e.ancestors().filter_map(ElementRef::wrap).any(|a| o.matches(&a))
                })
        })
    }
}

impl Compound {
    fn parse(text: &str) -> Result<Compound, String> {
        let bad = || format!("`{text}`: a name, `.class` and `[attr=\"value\"]`, each optional");
        let mut c = Compound::default();
        let (head, attr) = match text.split_once('[') {
            Some((head, rest)) => (head, Some(rest.strip_suffix(']').ok_or_else(bad)?)),
            None => (text, None),
        };
        let (name, class) = match head.split_once('.') {
            Some((name, class)) => (name, Some(class)),
            None => (head, None),
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        };
        if !name.is_empty() && !ident(name) || class.is_some_and(|c| !ident(c)) {
            return Err(bad());
        }
        c.name = Some(name.to_string()).filter(|n| !n.is_empty());
        c.class = class.map(str::to_string);
        if let Some(attr) = attr {
            let (key, op, value) = if let Some((k, v)) = attr.split_once("~=") {
                (k, AttrOp::Word, v)
            } else {
                let (k, v) = attr.split_once('=').ok_or_else(bad)?;
                (k, AttrOp::Equals, v)
            };
            let value =
                value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).ok_or_else(bad)?;
            if !ident(key) {
                return Err(bad());
            }
            c.attr = Some((key.to_string(), op, value.to_string()));
        }
        Ok(c)
    }

    fn matches(&self, e: &ElementRef<'_>) -> bool {
        let v = e.value();
        self.name.as_deref().is_none_or(|n| v.name() == n)
            && self.class.as_deref().is_none_or(|c| {
                v.attr("class").is_some_and(|l| l.split_ascii_whitespace().any(|x| x == c))
            })
            && self.attr.as_ref().is_none_or(|(key, op, want)| {
                let Some(have) = v.attr(key) else { return false };
                let fold = matches!(key.as_str(), "type" | "rel") && *v.namespace() == ns!(html);
                let same = |h: &str| if fold { h.eq_ignore_ascii_case(want) } else { h == want };
                match op {
                    AttrOp::Equals => same(have),
                    AttrOp::Word => have.split_ascii_whitespace().any(same),
                }
            })
    }
}

impl Html {
    /// The elements in the tree that `sel` matches, in the order they were made (as
    /// scraper's `Html::select`).
    pub fn select<'a>(&'a self, sel: &'a Selector) -> impl Iterator<Item = ElementRef<'a>> + 'a {
        self.nodes()
            .filter_map(ElementRef::wrap)
            .filter(move |e| e.parent().is_some() && sel.matches(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(s: &str) -> Html {
        html5ever::parse_document(Sink::new(Html::new_document(), true), Default::default()).one(s)
    }

    #[test]
    fn builds_the_tree_html5ever_describes() {
        let html = page(
            "<!DOCTYPE html><title>T</title><p>a<!-- c -->b<p>c<table>x<tr><td>1</table>\
             <b>1<i>2</b>3</i><template>in</template>",
        );
        assert_eq!(
            shape(&html, false),
            "<html><head><title>T</title></head><body><p>ab</p><p>c</p>x<table><tbody><tr>\
             <td>1</td></tr></tbody></table><b>1<i>2</i></b><i>3</i><template>{in}</template>\
             </body></html>"
        );
    }

    #[test]
    fn keeps_only_the_attributes_read_and_shares_repeated_values() {
        let html = page(
            "<div id=a class='x y' style=s data-n=1><a rel=author href=h>n</a>\
             <meta name=author content=c><span class='x y'></span></div>",
        );
        let els: Vec<_> = html.nodes().filter_map(ElementRef::wrap).collect();
        let div = els.iter().find(|e| e.value().name() == "div").unwrap();
        assert_eq!(div.value().attrs().collect::<Vec<_>>(), [("id", "a"), ("class", "x y")]);
        let a = els.iter().find(|e| e.value().name() == "a").unwrap();
        assert_eq!(a.value().attrs().collect::<Vec<_>>(), [("rel", "author")]);
        let meta = els.iter().find(|e| e.value().name() == "meta").unwrap();
        assert_eq!(meta.attr("content"), Some("c"));
        let span = els.iter().find(|e| e.value().name() == "span").unwrap();
        assert_eq!(span.attr("class"), Some("x y"));
    }

    #[test]
    fn repeated_html_and_body_tags_add_missing_attributes() {
        let html = page("<body class=a><p>x</p><body id=b class=c>");
        let body = html.nodes().filter_map(ElementRef::wrap).find(|e| e.value().name() == "body");
        let body = body.unwrap();
        assert_eq!(body.value().attrs().collect::<Vec<_>>(), [("class", "a"), ("id", "b")]);
    }

    #[test]
    fn walks_siblings_ancestors_and_text() {
        let html = page("<ul><li>a</li><li>b <i>c</i></li><li>d</li></ul>");
        let lis: Vec<_> = html
            .root()
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "li")
            .collect();
        assert_eq!(lis.len(), 3);
        assert_eq!(lis[1].text().collect::<String>(), "b c");
        assert_eq!(lis[2].prev_siblings().count(), 2);
        let names: Vec<_> =
            lis[1].ancestors().filter_map(|n| n.value().as_element()).map(|e| e.name()).collect();
        assert_eq!(names, ["ul", "body", "html"]);
        let ul = lis[1].parent().unwrap();
        assert_eq!(ul.children().count(), 3);
        assert_eq!(
            ul.children().rev().map(|n| n.id()).collect::<Vec<_>>(),
            [lis[2].id(), lis[1].id(), lis[0].id()]
        );
    }

    #[test]
    fn fragment_holds_its_text_under_an_html_element() {
        let f = Html::parse_fragment("<p class=x>a &amp; b</p>c");
        let root = f.root_element();
        assert_eq!(root.value().name(), "html");
        assert_eq!(root.text().collect::<String>(), "a & bc");
        let p = root.descendent_elements().find(|e| e.value().name() == "p");
        assert_eq!(p.map(|p| p.value().attrs().count()), Some(0));
    }

    #[test]
    fn deep_pages_walk_without_recursion() {
        // html5ever's builder: deeper pages go to `LinearBuilder` (`html.rs`).
        let n = 3_000;
        let html = page(&"<span>".repeat(n));
        assert!(html.root().descendants().count() > n);
        let deepest = html.nodes().last().unwrap();
        assert!(deepest.ancestors().count() > n);
    }

    #[test]
    fn selectors_match_as_css_does() {
        let html = page(
            "<link rel='Canonical Other' href=u><script type='application/LD+json'>{}</script>\
             <article><div class='a entry-content'>x</div></article><div class=entry-content>\
             <p itemprop=articleBody>y</p></div><svg><title>s</title></svg>",
        );
        let count = |s: &str| html.select(&Selector::parse(s).unwrap()).count();
        assert_eq!(count("link[rel~=\"canonical\"]"), 1);
        assert_eq!(count("link[rel=\"canonical\"]"), 0);
        assert_eq!(count("script[type=\"application/ld+json\"]"), 1);
        assert_eq!(count("article .entry-content"), 1);
        assert_eq!(count(".entry-content"), 2);
        assert_eq!(count(".entry"), 0);
        assert_eq!(count("[itemprop=\"articleBody\"]"), 1);
        assert_eq!(count("[itemprop=\"articlebody\"]"), 0);
        assert_eq!(count("title, p"), 2);
        assert!(Selector::parse("a > b").is_err());
        assert!(Selector::parse("a:first-child").is_err());
    }

    /// scraper's tree of `page` as [`shape`] writes trees with attributes, those this tree keeps;
    /// comments, processing instructions and the doctype left out.
    fn scraper_shape(page: &str) -> String {
        use ego_tree::iter::Edge as E;
        use scraper::Node as N;
        let html = scraper::Html::parse_document(page);
        let mut out = String::new();
        for e in html.tree.root().traverse() {
            match e {
                E::Open(n) => match n.value() {
                    N::Element(e) => {
                        let mut attrs: Vec<String> = e
                            .attrs
                            .iter()
                            .filter(|(k, _)| keep_attributes(&e.name, k))
                            .map(|(k, v)| format!(" {}={:?}", k.local, &**v))
                            .collect();
                        attrs.sort();
                        out.push_str(&format!("<{}{}>", e.name(), attrs.concat()));
                    }
                    N::Text(t) => out.push_str(t),
                    N::Fragment => out.push('{'),
                    _ => {}
                },
                E::Close(n) => match n.value() {
                    N::Element(e) => out.push_str(&format!("</{}>", e.name())),
                    N::Fragment => out.push('}'),
                    _ => {}
                },
            }
        }
        out
    }

    /// The tree as nested names (with the attributes kept, sorted, when `attrs`) and texts;
    /// `{…}` is a fragment (a `template`'s contents).
    fn shape(html: &Html, attrs: bool) -> String {
        let mut out = String::new();
        for e in html.root().traverse() {
            match e {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) => {
                        let mut kept: Vec<String> =
                            e.attrs().map(|(k, v)| format!(" {k}={v:?}")).collect();
                        kept.sort();
                        let kept = if attrs { kept.concat() } else { String::new() };
                        out.push_str(&format!("<{}{kept}>", e.name()));
                    }
                    Node::Text(t) => out.push_str(t),
                    Node::Fragment => out.push('{'),
                    _ => {}
                },
                Edge::Close(n) => match n.value() {
                    Node::Element(e) => out.push_str(&format!("</{}>", e.name())),
                    Node::Fragment => out.push('}'),
                    _ => {}
                },
            }
        }
        out
    }

    /// The tree is scraper's, node for node: misnested formatting tags (the adoption agency),
    /// table content moved out of tables, templates, foreign content, repeated `html`/`body`
    /// tags, forms, implied end tags, scripts and raw text; and every saved page of the shared
    /// fixtures when they are beside the checkout.
    #[test]
    fn same_tree_as_scraper() {
        let mut pages: Vec<String> = [
            "<!DOCTYPE html><title>T</title><p>a<!-- c -->b<p>c<table>x<tr><td>1</table>",
            "<b>1<p>2</b>3</p><a href=x>4<div>5</a>6</div><i><b><u>7</i>8</b>9",
            "<table><tr><td>a</td>b<td>c<table>d</table></table>e<caption>f",
            "<template id=t><li>in<template>deep</template></li></template><ul><li>a<li>b</ul>",
            "<svg viewBox='0 0 1 1'><title>s</title><foreignObject><p>x</p></foreignObject>\
             <path d=M0/></svg><math><mi>x</mi><annotation-xml encoding='text/html'><div>y\
             </div></annotation-xml></math>",
            "<html lang=en><body class=a><p>x</p></body><body id=b class=c><html data-x=1>",
            "<form id=f><input name=q><form><select><option>a<option>b</select></form>",
            "<dl><dt id=comment-1>A<dd>B<dt>C</dl><h1>x<h2>y</h1>z",
            "<script type='application/ld+json'>{\"a\":\"</p>\"}</script><style>p{}</style>\
             <textarea>a<b></textarea><noscript><p>n</p></noscript><plaintext><a>",
            "<frameset><frame></frameset>",
            "<head><meta property='og:title' content='T' data-x=1><link rel=canonical href=u \
             style=s></head><p id=p class='x y' style=z itemprop=text content=c>t</p>\
             <a rel=author href=h title=t>n</a>",
            "text only &amp; entities &lt;b&gt; &#x1F600;\0 nul",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let inline = pages.len();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
        for dir in ["wordpress-html", "wpdiscuz-html", "no-comments-html"] {
            let Ok(entries) = std::fs::read_dir(fixtures.join(dir)) else { continue };
            for e in entries.flatten() {
                if e.path().extension().is_some_and(|x| x == "html") {
                    pages.push(std::fs::read_to_string(e.path()).unwrap());
                }
            }
        }
        for (i, p) in pages.iter().enumerate() {
            let ours = shape(&page(p), true);
            let theirs = scraper_shape(p);
            assert!(ours == theirs, "page {i} differs:\n ours   {ours}\n scraper {theirs}");
        }
        eprintln!("{inline} inline pages and {} fixture pages", pages.len() - inline);
    }

    #[test]
    fn a_walk_can_leave_out_the_subtree_just_opened() {
        let html = page("<p>a<i>b<b>c</b></i>d<i>e</i></p>");
        let mut walk = html.root().traverse();
        let mut seen = String::new();
        while let Some(e) = walk.next() {
            match e {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) if e.name() == "i" => walk.skip_subtree(),
                    Node::Element(e) => seen.push_str(&format!("<{}>", e.name())),
                    Node::Text(t) => seen.push_str(t),
                    _ => {}
                },
                Edge::Close(n) => {
                    if let Node::Element(e) = n.value() {
                        seen.push_str(&format!("</{}>", e.name()));
                    }
                }
            }
        }
        assert_eq!(seen, "<html><head></head><body><p>ad</p></body></html>");
    }

    #[test]
    fn a_node_is_small() {
        assert!(std::mem::size_of::<Data>() <= 48, "{}", std::mem::size_of::<Data>());
    }
}
