//! Reply trees: an article and its comments in an arena.
//!
//! A [`Discussion`] is built from a parser's [`Document`](crate::Document)
//! by [`Discussion::build`]: comments given in any order, linked by
//! (id, parent id). The article is the implicit root; top-level comments
//! are its children. Nothing is dropped: duplicate ids, orphans,
//! self-replies and cycles are kept, flagged on the node and reported as
//! anomalies (see [`builder`]).
//!
//! Every traversal here is iterative, so a 100,000-deep reply chain or a
//! 100,000-reply star costs no stack.
//!
//! # Example
//! ```
//! use threadlens::{Discussion, Document, RawComment};
//!
//! let c = |id: &str, parent: Option<&str>| RawComment {
//!     id: id.into(),
//!     parent_id: parent.map(Into::into),
//!     ..Default::default()
//! };
//! let doc = Document {
//!     comments: vec![c("b", Some("a")), c("a", None), c("x", Some("gone"))],
//!     ..Default::default()
//! };
//! let d = Discussion::build(doc);
//! assert_eq!(d.len(), 3);
//! assert_eq!(d.roots().len(), 2); // `a`, and the orphan `x` attached to the article
//! let b = d.find("b").unwrap();
//! assert_eq!(d.node(b).depth, 2);
//! assert!(d.node(d.find("x").unwrap()).flags.orphan);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builder;

use crate::model::{Anomaly, Article, CommentSection, RawComment};

/// Index of a comment in its discussion's arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What was wrong with a comment's place in the tree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeFlags {
    /// Its parent id was not found; attached to the article.
    pub orphan: bool,
    /// Its id was used by an earlier comment of the discussion.
    pub duplicate: bool,
    /// Its reply link closed a cycle and was broken; attached to the article.
    pub cycle: bool,
    /// It named itself as parent; attached to the article.
    pub self_reply: bool,
}

/// A comment in the tree.
#[derive(Clone, Debug)]
pub struct Node {
    /// The comment as read.
    pub comment: RawComment,
    /// The comment it hangs under; `None` for a child of the article.
    pub parent: Option<NodeId>,
    /// Distance from the article: top-level comments are depth 1.
    pub depth: u32,
    /// 1-based position among its siblings (source order).
    pub position: u32,
    /// The top-level comment of its thread (itself when top-level).
    pub root: NodeId,
    /// The comment plus every reply below it.
    pub subtree_size: u32,
    /// Anomalies of its place in the tree.
    pub flags: NodeFlags,
}

/// An article and its comments as a reply tree.
#[derive(Clone, Debug)]
pub struct Discussion {
    /// The article at the root.
    pub article: Article,
    /// Whether the source had a comment section.
    pub section: CommentSection,
    /// Parse and tree anomalies, in the order found.
    pub anomalies: Vec<Anomaly>,
    /// Comments the source said exist but did not include.
    pub hidden_comments: u64,
    nodes: Vec<Node>,
    roots: Vec<NodeId>,
    // Children of node i: child_list[child_start[i]..child_start[i + 1]].
    child_start: Vec<u32>,
    child_list: Vec<NodeId>,
    // Depth-first pre-order over the whole forest; a subtree is the
    // contiguous run preorder[pre_index[i]..pre_index[i] + subtree_size].
    preorder: Vec<NodeId>,
    pre_index: Vec<u32>,
}

impl Discussion {
    /// Number of comments.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the discussion has no comments.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The comment at `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// All comments in arena (source) order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Top-level comments (children of the article), in source order.
    pub fn roots(&self) -> &[NodeId] {
        &self.roots
    }

    /// Replies to `id`, in source order.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let i = id.index();
        &self.child_list[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }

    /// Every comment in depth-first pre-order: each thread in turn, each
    /// comment before its replies.
    pub fn preorder(&self) -> &[NodeId] {
        &self.preorder
    }

    /// `id` and everything below it, in pre-order (starting with `id`).
    pub fn subtree(&self, id: NodeId) -> &[NodeId] {
        let start = self.pre_index[id.index()] as usize;
        &self.preorder[start..start + self.node(id).subtree_size as usize]
    }

    /// The first comment with this id.
    pub fn find(&self, id: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.comment.id == id).map(|i| NodeId(i as u32))
    }

    /// Build the tree from a parsed document. See [`builder`] for the
    /// rules applied to broken links.
    pub fn build(doc: crate::model::Document) -> Discussion {
        builder::build(doc)
    }
}
