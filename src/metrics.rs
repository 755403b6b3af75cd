//! Structure metrics of a discussion or of one of its threads.
//!
//! [`discussion_metrics`] measures every comment under an article;
//! [`thread_metrics`] measures one top-level comment and its replies. Both
//! return a [`StructureMetrics`]: counts and shape of the reply tree (depth,
//! width, leaves, branching, the h-index of Gómez, Kaltenbrunner & López
//! 2008, the structural virality of Goel et al. 2016) and, when authors are
//! known, [`AuthorMetrics`] (concentration and reciprocity of replies).
//!
//! Depth counts from the article: top-level comments are depth 1. A
//! per-thread value is computed on the thread alone (the article is not
//! part of it); a per-discussion value covers all threads, and structural
//! virality then counts the article as the root of the tree. A value that
//! is undefined for the input (a mean over nothing, a distance with fewer
//! than two nodes) is `None`, serialised as `null`.
//!
//! Each metric is defined precisely, with its citation, in `docs/metrics.md`
//! at the root of the repository.
//!
//! Everything here is a pure function, iterative and O(n) in the comments
//! measured (plus O(k log k) in the k distinct authors), so a
//! 100,000-deep reply chain or a 100,000-reply star costs no stack.
//! Per-comment values (depth, position, replies, subtree size) are fields
//! of [`Node`].
//!
//! # Example
//! ```
//! use threadlens::metrics::{discussion_metrics, thread_metrics};
//! use threadlens::{Discussion, Document, RawComment};
//!
//! let c = |id: &str, parent: Option<&str>, author: &str| RawComment {
//!     id: id.into(),
//!     parent_id: parent.map(Into::into),
//!     author: Some(author.into()),
//!     ..Default::default()
//! };
//! let doc = Document {
//!     comments: vec![c("a", None, "ann"), c("b", Some("a"), "bob"), c("c", Some("b"), "ann")],
//!     ..Default::default()
//! };
//! let d = Discussion::build(doc);
//! let m = discussion_metrics(&d);
//! assert_eq!((m.comments, m.threads, m.max_depth, m.h_index), (3, 1, 3, 1));
//! let authors = m.authors.unwrap();
//! assert_eq!((authors.distinct, authors.back_and_forth), (2, 1));
//! assert_eq!(thread_metrics(&d, d.roots()[0]).comments, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::thread::{Discussion, Node, NodeId};

/// Structure of a set of comments: a whole discussion or one thread.
///
/// See `docs/metrics.md` for the exact definitions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StructureMetrics {
    /// Number of comments.
    pub comments: u64,
    /// Number of top-level comments (1 for a thread).
    pub threads: u64,
    /// Greatest depth; top-level comments are depth 1. 0 when there are no
    /// comments.
    pub max_depth: u32,
    /// Mean depth of the comments; `None` when there are no comments.
    pub mean_depth: Option<f64>,
    /// Most comments at one depth.
    pub max_width: u64,
    /// Comments with no replies.
    pub leaves: u64,
    /// Mean number of replies of the comments that have replies; `None`
    /// when no comment has a reply.
    pub branching_factor: Option<f64>,
    /// Share of comments that reply to a comment (depth ≥ 2); `None` when
    /// there are no comments.
    pub reply_share: Option<f64>,
    /// Largest h such that at least h comments sit at depth h (Gómez,
    /// Kaltenbrunner & López 2008); 0 when there are no comments.
    pub h_index: u32,
    /// Mean shortest-path distance between all pairs of nodes of the
    /// undirected reply tree (Goel et al. 2016). A discussion's tree
    /// includes the article as its root; a thread's does not. `None` when
    /// the tree has fewer than two nodes.
    pub structural_virality: Option<f64>,
    /// Who wrote the comments; `None` when no comment has a known author.
    pub authors: Option<AuthorMetrics>,
}

/// Authors of a set of comments, counting only comments whose author is
/// known (present and not blank).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuthorMetrics {
    /// Distinct known authors.
    pub distinct: u64,
    /// Most comments written by one author.
    pub max_per_author: u64,
    /// Gini coefficient of the number of comments per author: 0 when all
    /// write equally many (and for a single author), towards 1 when a few
    /// write most.
    pub gini: f64,
    /// Share of ordered author pairs A→B (A ≠ B, A replied to B at least
    /// once) for which B→A also occurs; `None` when there is no such pair.
    pub reciprocity: Option<f64>,
    /// Comments by A replying to a comment by B ≠ A that itself replied to
    /// A (A→B→A chains), counted at the last comment of the chain.
    pub back_and_forth: u64,
}

/// Metrics of a whole discussion: every comment, all threads.
///
/// `threads` is the number of top-level comments; structural virality
/// counts the article as the root the top-level comments reply to.
///
/// # Example
/// ```
/// use threadlens::metrics::discussion_metrics;
/// use threadlens::{Discussion, Document};
///
/// let m = discussion_metrics(&Discussion::build(Document::default()));
/// assert_eq!((m.comments, m.max_depth, m.mean_depth), (0, 0, None));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn discussion_metrics(d: &Discussion) -> StructureMetrics {
    structure(d, d.preorder(), true)
}

/// Metrics of one thread: the top-level comment `root` and every reply
/// below it, without the article.
///
/// `root` must be a top-level comment (checked in debug builds); depths
/// still count from the article, so `root` is at depth 1.
///
/// # Example
/// ```
/// use threadlens::metrics::thread_metrics;
/// use threadlens::{Discussion, Document, RawComment};
///
/// let c = |id: &str, parent: Option<&str>| RawComment {
///     id: id.into(),
///     parent_id: parent.map(Into::into),
///     ..Default::default()
/// };
/// let doc = Document {
///     comments: vec![c("a", None), c("b", Some("a")), c("x", None)],
///     ..Default::default()
/// };
/// let d = Discussion::build(doc);
/// let m = thread_metrics(&d, d.find("a").unwrap());
/// assert_eq!((m.comments, m.threads, m.leaves), (2, 1, 1));
/// assert_eq!(m.structural_virality, Some(1.0)); // a and b, one edge apart
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn thread_metrics(d: &Discussion, root: NodeId) -> StructureMetrics {
    debug_assert!(d.node(root).parent.is_none(), "thread_metrics needs a top-level comment");
    structure(d, d.subtree(root), false)
}

/// Metrics of `ids`: either every comment of `d` or the subtree of one
/// top-level comment, in pre-order, so every comment's parent (if any) is
/// in `ids` and comes before it.
/// `with_article` adds the article as the root of the tree for structural
/// virality.
fn structure(d: &Discussion, ids: &[NodeId], with_article: bool) -> StructureMetrics {
    let n = ids.len() as u64;
    // Tree size for structural virality: the comments, plus the article.
    let tree_n = n + u64::from(with_article);

    let mut threads = 0u64;
    let mut depth_sum = 0u64;
    let mut widths: Vec<u64> = Vec::new(); // widths[k] = comments at depth k + 1
    let mut leaves = 0u64;
    let mut parents = 0u64; // comments with at least one reply
    let mut replies = 0u64; // replies of those comments
    let mut wiener = 0u128; // Σ over edges of s·(tree_n − s)
    for &id in ids {
        let node = d.node(id);
        let depth = node.depth as usize;
        depth_sum += u64::from(node.depth);
        if widths.len() < depth {
            widths.resize(depth, 0);
        }
        widths[depth - 1] += 1;
        match d.children(id).len() as u64 {
            0 => leaves += 1,
            k => {
                parents += 1;
                replies += k;
            }
        }
        if node.parent.is_none() {
            threads += 1;
        }
        // Every comment has an edge to its parent; a top-level comment's
        // edge goes to the article, which is in the tree only for a
        // discussion. `s` nodes lie below the edge.
        if node.parent.is_some() || with_article {
            let s = u64::from(node.subtree_size);
            wiener += u128::from(s) * u128::from(tree_n - s);
        }
    }

    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
    // Largest h with widths[h - 1] >= h; widths need not be monotone, so
    // every depth is looked at.
    let h_index =
        (1..=widths.len()).filter(|&h| widths[h - 1] >= h as u64).max().unwrap_or(0) as u32;
    let pairs = u128::from(tree_n) * u128::from(tree_n.saturating_sub(1)) / 2;
    StructureMetrics {
        comments: n,
        threads,
        max_depth: widths.len() as u32,
        mean_depth: ratio(depth_sum, n),
        max_width: widths.iter().copied().max().unwrap_or(0),
        leaves,
        branching_factor: ratio(replies, parents),
        reply_share: ratio(n - threads, n),
        h_index,
        structural_virality: (pairs > 0).then(|| wiener as f64 / pairs as f64),
        authors: author_metrics(d, ids),
    }
}

/// The author of a comment when known: present and not blank.
fn known_author(node: &Node) -> Option<&str> {
    node.comment.author.as_deref().filter(|a| !a.trim().is_empty())
}

/// Author metrics of `ids` (in pre-order and closed under parent, as for
/// [`structure`]);
/// `None` when no comment has a known author.
fn author_metrics(d: &Discussion, ids: &[NodeId]) -> Option<AuthorMetrics> {
    // Authors are numbered in order of first appearance; only counts and
    // sets of pairs are reported, so the numbering does not matter.
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut reply_pairs: HashSet<(u32, u32)> = HashSet::new();
    let mut back_and_forth = 0u64;
    for &id in ids {
        let node = d.node(id);
        let Some(name) = known_author(node) else { continue };
        let next = index.len() as u32;
        let a = *index.entry(name).or_insert(next);
        if a == next {
            counts.push(0);
        }
        counts[a as usize] += 1;

        let Some(p) = node.parent else { continue };
        let parent = d.node(p);
        // `ids` is in pre-order, so the parent's author is numbered already.
        let Some(&b) = known_author(parent).and_then(|pa| index.get(pa)) else { continue };
        if a == b {
            continue;
        }
        reply_pairs.insert((a, b));
        let grand_author = parent.parent.and_then(|g| known_author(d.node(g)));
        if grand_author == Some(name) {
            back_and_forth += 1;
        }
    }
    if counts.is_empty() {
        return None;
    }

    let reciprocated = reply_pairs.iter().filter(|&&(a, b)| reply_pairs.contains(&(b, a))).count();
    Some(AuthorMetrics {
        distinct: counts.len() as u64,
        max_per_author: counts.iter().copied().max().unwrap_or(0),
        gini: gini(&mut counts),
        reciprocity: (!reply_pairs.is_empty())
            .then(|| reciprocated as f64 / reply_pairs.len() as f64),
        back_and_forth,
    })
}

/// Gini coefficient G = Σ_i Σ_j |x_i − x_j| / (2 k² mean) of k counts, not
/// all zero. Sorting ascending turns the double sum into
/// 2 Σ_i (2i − k − 1) x_(i) (i from 1), so
/// G = Σ_i (2i − k − 1) x_(i) / (k Σ x): exact integer sums, one division.
fn gini(counts: &mut [u64]) -> f64 {
    counts.sort_unstable();
    let k = counts.len() as i128;
    let total: i128 = counts.iter().map(|&x| i128::from(x)).sum();
    let weighted: i128 =
        counts.iter().zip(1i128..).map(|(&x, i)| (2 * i - k - 1) * i128::from(x)).sum();
    weighted as f64 / (k * total) as f64
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use proptest::prelude::*;

    use super::*;
    use crate::model::{Document, RawComment};

    /// A comment `id` replying to `parent`, written by `author` ("" for
    /// unknown).
    fn c(id: &str, parent: Option<&str>, author: &str) -> RawComment {
        RawComment {
            id: id.into(),
            parent_id: parent.map(Into::into),
            author: (!author.is_empty()).then(|| author.into()),
            ..Default::default()
        }
    }

    fn build(comments: Vec<RawComment>) -> Discussion {
        Discussion::build(Document { comments, ..Default::default() })
    }

    fn thread_of(d: &Discussion, id: &str) -> StructureMetrics {
        thread_metrics(d, d.find(id).unwrap())
    }

    /// Two threads:
    /// ```text
    /// a (A)            depth 1
    /// ├── b (B)        depth 2
    /// │   ├── d (A)    depth 3
    /// │   └── e (C)    depth 3
    /// └── c (B)        depth 2
    ///     └── f (A)    depth 3
    /// g (C)            depth 1
    /// ```
    fn three_levels() -> Discussion {
        build(vec![
            c("a", None, "A"),
            c("b", Some("a"), "B"),
            c("c", Some("a"), "B"),
            c("d", Some("b"), "A"),
            c("e", Some("b"), "C"),
            c("f", Some("c"), "A"),
            c("g", None, "C"),
        ])
    }

    /// A reply chain of `n` comments, `0` top-level, `i` replying to
    /// `i - 1`, authors alternating A, B, A, …
    fn chain(n: usize) -> Discussion {
        let mut v = vec![c("0", None, "A")];
        v.extend((1..n).map(|i| {
            c(&i.to_string(), Some(&(i - 1).to_string()), if i % 2 == 0 { "A" } else { "B" })
        }));
        build(v)
    }

    /// One top-level comment `hub` with `k` replies, no authors.
    fn star(k: usize) -> Discussion {
        let mut v = vec![c("hub", None, "")];
        v.extend((0..k).map(|i| c(&format!("s{i}"), Some("hub"), "")));
        build(v)
    }

    #[test]
    fn empty_discussion() {
        let m = discussion_metrics(&build(vec![]));
        assert_eq!(
            m,
            StructureMetrics {
                comments: 0,
                threads: 0,
                max_depth: 0,
                mean_depth: None,
                max_width: 0,
                leaves: 0,
                branching_factor: None,
                reply_share: None,
                h_index: 0,
                // Only the article: no pair of nodes.
                structural_virality: None,
                authors: None,
            }
        );
    }

    #[test]
    fn single_comment() {
        let d = build(vec![c("a", None, "A")]);
        let m = discussion_metrics(&d);
        assert_eq!((m.comments, m.threads, m.max_depth, m.max_width, m.leaves), (1, 1, 1, 1, 1));
        assert_eq!((m.mean_depth, m.branching_factor, m.reply_share), (Some(1.0), None, Some(0.0)));
        // One comment at depth 1 ≥ 1.
        assert_eq!(m.h_index, 1);
        // Article and comment: one pair at distance 1.
        assert_eq!(m.structural_virality, Some(1.0));
        let authors = AuthorMetrics {
            distinct: 1,
            max_per_author: 1,
            gini: 0.0,
            reciprocity: None,
            back_and_forth: 0,
        };
        assert_eq!(m.authors, Some(authors));

        let t = thread_of(&d, "a");
        // The thread alone is one node: no pair.
        assert_eq!(t.structural_virality, None);
        assert_eq!(t, StructureMetrics { structural_virality: None, ..m });
    }

    #[test]
    fn three_levels_discussion_shape() {
        let m = discussion_metrics(&three_levels());
        assert_eq!((m.comments, m.threads, m.max_depth), (7, 2, 3));
        // Depths 1+2+2+3+3+3+1 = 15 over 7 comments.
        assert_abs_diff_eq!(m.mean_depth.unwrap(), 15.0 / 7.0, epsilon = 1e-12);
        // Widths by depth: 2 (a, g), 2 (b, c), 3 (d, e, f).
        assert_eq!(m.max_width, 3);
        // d, e, f, g have no replies.
        assert_eq!(m.leaves, 4);
        // a has 2 replies, b 2, c 1: 5 replies over 3 comments with replies.
        assert_abs_diff_eq!(m.branching_factor.unwrap(), 5.0 / 3.0, epsilon = 1e-12);
        // b, c, d, e, f are replies: 5 of 7.
        assert_abs_diff_eq!(m.reply_share.unwrap(), 5.0 / 7.0, epsilon = 1e-12);
    }

    #[test]
    fn three_levels_thread_shape() {
        let d = three_levels();
        let m = thread_of(&d, "a");
        assert_eq!((m.comments, m.threads, m.max_depth, m.max_width, m.leaves), (6, 1, 3, 3, 3));
        // Depths 1+2+2+3+3+3 = 14 over 6.
        assert_abs_diff_eq!(m.mean_depth.unwrap(), 14.0 / 6.0, epsilon = 1e-12);
        assert_abs_diff_eq!(m.branching_factor.unwrap(), 5.0 / 3.0, epsilon = 1e-12);
        // 5 of the 6 are replies.
        assert_abs_diff_eq!(m.reply_share.unwrap(), 5.0 / 6.0, epsilon = 1e-12);

        let g = thread_of(&d, "g");
        assert_eq!((g.comments, g.threads, g.max_depth, g.max_width, g.leaves), (1, 1, 1, 1, 1));
        assert_eq!((g.branching_factor, g.reply_share, g.h_index), (None, Some(0.0), 1));
    }

    #[test]
    fn h_index_is_3_when_three_comments_sit_at_depth_3() {
        // Widths 2, 2, 3: depth 3 holds 3 ≥ 3, and there is no depth 4.
        assert_eq!(discussion_metrics(&three_levels()).h_index, 3);
        // Thread a alone: widths 1, 2, 3, the same h.
        assert_eq!(thread_of(&three_levels(), "a").h_index, 3);
    }

    #[test]
    fn h_index_is_2_for_a_star() {
        // Widths 1, 3: depth 2 holds 3 ≥ 2; no depth 3.
        assert_eq!(discussion_metrics(&star(3)).h_index, 2);
        // Widths 1, 2, 1 (a; b, c; d): depth 2 holds 2 ≥ 2, depth 3 only 1 < 3.
        let d = build(vec![
            c("a", None, ""),
            c("b", Some("a"), ""),
            c("c", Some("a"), ""),
            c("d", Some("b"), ""),
        ]);
        assert_eq!(discussion_metrics(&d).h_index, 2);
    }

    #[test]
    fn h_index_takes_the_largest_qualifying_depth() {
        // Widths 1, 1, 3: depth 2 fails (1 < 2) but depth 3 holds 3 ≥ 3.
        let d = build(vec![
            c("a", None, ""),
            c("b", Some("a"), ""),
            c("c", Some("b"), ""),
            c("d", Some("b"), ""),
            c("e", Some("b"), ""),
        ]);
        assert_eq!(discussion_metrics(&d).h_index, 3);
        // A chain has one comment per depth: only depth 1 qualifies.
        assert_eq!(discussion_metrics(&chain(4)).h_index, 1);
    }

    #[test]
    fn virality_of_a_chain_is_the_path_graph_mean() {
        // Mean distance on a path of n nodes is (n + 1) / 3. The thread is
        // the 4 comments: 5/3 (edges with 3, 2, 1 nodes below:
        // 3·1 + 2·2 + 1·3 = 10 over C(4, 2) = 6 pairs).
        let d = chain(4);
        assert_abs_diff_eq!(
            thread_of(&d, "0").structural_virality.unwrap(),
            5.0 / 3.0,
            epsilon = 1e-12
        );
        // The discussion adds the article: a path of 5, (5 + 1) / 3 = 2
        // (4·1 + 3·2 + 2·3 + 1·4 = 20 over C(5, 2) = 10).
        assert_abs_diff_eq!(
            discussion_metrics(&d).structural_virality.unwrap(),
            2.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn virality_of_a_star() {
        // Hub with k = 3 replies, n = 4: 3 pairs hub–leaf at distance 1 and
        // C(3, 2) = 3 leaf pairs at distance 2: (3 + 6) / 6 = 1.5, which is
        // 2k / (k + 1).
        let d = star(3);
        assert_abs_diff_eq!(
            thread_of(&d, "hub").structural_virality.unwrap(),
            1.5,
            epsilon = 1e-12
        );
        // With the article above the hub, n = 5: edges with 4 nodes below
        // (hub–article) and three with 1: 4·1 + 3·(1·4) = 16 over C(5, 2) = 10.
        assert_abs_diff_eq!(
            discussion_metrics(&d).structural_virality.unwrap(),
            1.6,
            epsilon = 1e-12
        );
        // Three top-level comments alone form a star around the article:
        // 2·3 / 4 = 1.5 again.
        let flat = build(vec![c("x", None, ""), c("y", None, ""), c("z", None, "")]);
        assert_abs_diff_eq!(
            discussion_metrics(&flat).structural_virality.unwrap(),
            1.5,
            epsilon = 1e-12
        );
    }

    #[test]
    fn virality_of_three_levels() {
        let d = three_levels();
        // Discussion, n = 8 with the article. Subtree sizes a 6, b 3, c 2,
        // d e f g 1: 6·2 + 3·5 + 2·6 + 4·(1·7) = 67 over C(8, 2) = 28.
        assert_abs_diff_eq!(
            discussion_metrics(&d).structural_virality.unwrap(),
            67.0 / 28.0,
            epsilon = 1e-12
        );
        // Thread a, n = 6, no edge above a: 3·3 + 2·4 + 3·(1·5) = 32 over
        // C(6, 2) = 15. Checked by listing the 15 distances: from a
        // 1+1+2+2+2, b 2+1+1+3, c 3+3+1, d 2+4, e–f 4, total 32.
        assert_abs_diff_eq!(
            thread_of(&d, "a").structural_virality.unwrap(),
            32.0 / 15.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn orphan_and_broken_cycle_hang_under_the_article() {
        // o's parent is missing and x ↔ y is a cycle broken at x, so the
        // tree is: a → b; o; x → y (three threads).
        let d = build(vec![
            c("a", None, ""),
            c("b", Some("a"), ""),
            c("o", Some("gone"), ""),
            c("x", Some("y"), ""),
            c("y", Some("x"), ""),
        ]);
        let m = discussion_metrics(&d);
        assert_eq!((m.comments, m.threads, m.max_depth, m.max_width, m.leaves), (5, 3, 2, 3, 3));
        // Depths 1, 2, 1, 1, 2: 7 / 5.
        assert_abs_diff_eq!(m.mean_depth.unwrap(), 1.4, epsilon = 1e-12);
        // a and x have one reply each.
        assert_abs_diff_eq!(m.branching_factor.unwrap(), 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(m.reply_share.unwrap(), 0.4, epsilon = 1e-12);
        // Widths 3, 2: depth 2 holds 2 ≥ 2.
        assert_eq!(m.h_index, 2);
        // n = 6; sizes a 2, b 1, o 1, x 2, y 1: 2·(2·4) + 3·(1·5) = 31 over 15.
        assert_abs_diff_eq!(m.structural_virality.unwrap(), 31.0 / 15.0, epsilon = 1e-12);
        assert_eq!(m.authors, None);
        assert_eq!(thread_of(&d, "x").comments, 2);
    }

    #[test]
    fn authors_of_three_levels() {
        let d = three_levels();
        let a = discussion_metrics(&d).authors.unwrap();
        // A wrote a, d, f; B wrote b, c; C wrote e, g.
        assert_eq!((a.distinct, a.max_per_author), (3, 3));
        // Counts sorted 2, 2, 3 (sum 7): Σ|xi − xj| over ordered pairs = 4,
        // 2·3²·(7/3) = 42, so 4/42 = 2/21.
        assert_abs_diff_eq!(a.gini, 2.0 / 21.0, epsilon = 1e-12);
        // Replies: b, c B→A; d, f A→B; e C→B. Ordered pairs {B→A, A→B, C→B}:
        // one reciprocated pair {A, B} gives 2 of the 3 ordered pairs.
        assert_abs_diff_eq!(a.reciprocity.unwrap(), 2.0 / 3.0, epsilon = 1e-12);
        // d (A) → b (B) → a (A) and f (A) → c (B) → a (A); e (C) → b → a is not.
        assert_eq!(a.back_and_forth, 2);

        // Thread g: one comment by C.
        let g = thread_of(&d, "g").authors.unwrap();
        assert_eq!(
            (g.distinct, g.max_per_author, g.reciprocity, g.back_and_forth),
            (1, 1, None, 0)
        );
        assert_abs_diff_eq!(g.gini, 0.0);
    }

    #[test]
    fn gini_of_equal_counts_is_zero() {
        // Four authors with one comment each: every |xi − xj| is 0.
        let d =
            build(vec![c("a", None, "A"), c("b", None, "B"), c("c", None, "C"), c("d", None, "D")]);
        let a = discussion_metrics(&d).authors.unwrap();
        assert_eq!((a.distinct, a.max_per_author), (4, 1));
        assert_abs_diff_eq!(a.gini, 0.0);
        // Nobody replied to anybody.
        assert_eq!((a.reciprocity, a.back_and_forth), (None, 0));
    }

    #[test]
    fn gini_of_one_and_three() {
        // Counts [1, 3]: Σ over ordered pairs |xi − xj| = 2 + 2 = 4; mean 2,
        // so 4 / (2 · 2² · 2) = 0.25.
        let d =
            build(vec![c("a", None, "A"), c("b", None, "A"), c("c", None, "A"), c("d", None, "B")]);
        let a = discussion_metrics(&d).authors.unwrap();
        assert_eq!((a.distinct, a.max_per_author), (2, 3));
        assert_abs_diff_eq!(a.gini, 0.25, epsilon = 1e-12);
        assert_abs_diff_eq!(gini(&mut [3, 1]), 0.25, epsilon = 1e-12);
        assert_abs_diff_eq!(gini(&mut [1, 1, 1, 1]), 0.0);
        // [0, 0, 1]: |0 − 1| four times over ordered pairs; mean 1/3, so
        // 4 / (2 · 9 · 1/3) = 2/3 = 1 − 1/k, the largest value for k = 3.
        assert_abs_diff_eq!(gini(&mut [0, 1, 0]), 2.0 / 3.0, epsilon = 1e-12);
    }

    #[test]
    fn back_and_forth_on_an_alternating_chain() {
        // A → B → A → B: the 3rd comment (A, under B, under A) and the 4th
        // (B, under A, under B) each close an A→B→A chain.
        let d = chain(4);
        let a = discussion_metrics(&d).authors.unwrap();
        assert_eq!(a.back_and_forth, 2);
        // Pairs {B→A, A→B}: both reciprocated.
        assert_eq!(a.reciprocity, Some(1.0));
        assert_eq!((a.distinct, a.max_per_author), (2, 2));
        assert_abs_diff_eq!(a.gini, 0.0);
    }

    #[test]
    fn unknown_authors_are_left_out() {
        // b has no author and e a blank one: A→? and ?→A pairs are dropped.
        // Known: a (A), c (B) replying to b, d (A) replying to c, e blank.
        let d = build(vec![
            c("a", None, "A"),
            c("b", Some("a"), ""),
            c("c", Some("b"), "B"),
            c("d", Some("c"), "A"),
            RawComment { author: Some("  ".into()), ..c("e", Some("d"), "") },
        ]);
        let a = discussion_metrics(&d).authors.unwrap();
        // Counts A 2, B 1 → [1, 2]: 2·1 / (2·2²·1.5) = 1/6.
        assert_eq!((a.distinct, a.max_per_author), (2, 2));
        assert_abs_diff_eq!(a.gini, 1.0 / 6.0, epsilon = 1e-12);
        // Only d → c gives a pair (A→B), not reciprocated.
        assert_eq!(a.reciprocity, Some(0.0));
        // d (A) → c (B) → b (unknown): no chain.
        assert_eq!(a.back_and_forth, 0);
        // No known author at all.
        assert_eq!(discussion_metrics(&star(2)).authors, None);
    }

    #[test]
    fn self_replies_by_author_are_not_pairs() {
        // A answering A is no pair; B → A is, and is not returned.
        let d = build(vec![c("a", None, "A"), c("b", Some("a"), "A"), c("c", Some("b"), "B")]);
        let a = discussion_metrics(&d).authors.unwrap();
        assert_eq!(a.reciprocity, Some(0.0));
        assert_eq!(a.back_and_forth, 0);
    }

    #[test]
    fn deep_chain_needs_no_stack() {
        let n = 100_000u32;
        let d = chain(n as usize);
        let m = discussion_metrics(&d);
        assert_eq!((m.max_depth, m.max_width, m.h_index, m.leaves), (n, 1, 1, 1));
        // Depths 1..=n: mean (n + 1) / 2.
        assert_abs_diff_eq!(m.mean_depth.unwrap(), 50_000.5, epsilon = 1e-9);
        // A path of n + 1 nodes with the article: (n + 2) / 3.
        assert_abs_diff_eq!(m.structural_virality.unwrap(), 100_002.0 / 3.0, epsilon = 1e-6);
        // Every comment from the 3rd on closes an A→B→A chain.
        assert_eq!(m.authors.unwrap().back_and_forth, u64::from(n) - 2);
        let t = thread_of(&d, "0");
        assert_eq!((t.comments, t.max_depth, t.h_index), (u64::from(n), n, 1));
    }

    #[test]
    fn wide_star_needs_no_stack() {
        let k = 100_000u64;
        let d = star(k as usize);
        let m = discussion_metrics(&d);
        assert_eq!((m.max_depth, m.max_width, m.h_index, m.leaves), (2, k, 2, k));
        assert_abs_diff_eq!(m.branching_factor.unwrap(), k as f64);
        let t = thread_of(&d, "hub");
        assert_eq!((t.max_depth, t.max_width, t.h_index), (2, k, 2));
        // Star of k + 1 nodes: 2k / (k + 1).
        assert_abs_diff_eq!(
            t.structural_virality.unwrap(),
            2.0 * k as f64 / (k + 1) as f64,
            epsilon = 1e-12
        );
    }

    /// Equal, or both floats and within 1e-9.
    fn near(x: Option<f64>, y: Option<f64>) -> bool {
        match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            (x, y) => x == y,
        }
    }

    /// Field by field equality, floats within 1e-9.
    fn close(a: &StructureMetrics, b: &StructureMetrics) -> bool {
        let authors = match (&a.authors, &b.authors) {
            (Some(x), Some(y)) => {
                (x.distinct, x.max_per_author, x.back_and_forth)
                    == (y.distinct, y.max_per_author, y.back_and_forth)
                    && near(Some(x.gini), Some(y.gini))
                    && near(x.reciprocity, y.reciprocity)
            }
            (x, y) => x == y,
        };
        (a.comments, a.threads, a.max_depth, a.max_width, a.leaves, a.h_index)
            == (b.comments, b.threads, b.max_depth, b.max_width, b.leaves, b.h_index)
            && near(a.mean_depth, b.mean_depth)
            && near(a.branching_factor, b.branching_factor)
            && near(a.reply_share, b.reply_share)
            && near(a.structural_virality, b.structural_virality)
            && authors
    }

    /// Comments `c0..cn`: each replies to an earlier one or to the article,
    /// and has one of a few authors or none; returned with a shuffle.
    fn comments_and_shuffle() -> impl Strategy<Value = (Vec<RawComment>, Vec<RawComment>)> {
        let one = (any::<prop::sample::Index>(), prop::bool::weighted(0.2), 0..5usize);
        prop::collection::vec(one, 0..60).prop_flat_map(|picks| {
            let comments: Vec<RawComment> = picks
                .iter()
                .enumerate()
                .map(|(i, (parent, top, author))| {
                    let parent = (i > 0 && !top).then(|| format!("c{}", parent.index(i)));
                    let author = ["", "ann", "bob", "cy", "dee"][*author];
                    c(&format!("c{i}"), parent.as_deref(), author)
                })
                .collect();
            (Just(comments.clone()), Just(comments).prop_shuffle())
        })
    }

    /// Mean distance over all pairs of comments (plus the article when
    /// `with_article`) by walking up from both ends of each pair: O(n² ·
    /// depth), for checking the edge-sum formula on small trees.
    fn brute_virality(d: &Discussion, ids: &[NodeId], with_article: bool) -> Option<f64> {
        // `None` stands for the article, at depth 0.
        let mut nodes: Vec<Option<NodeId>> = ids.iter().copied().map(Some).collect();
        if with_article {
            nodes.push(None);
        }
        let depth = |x: Option<NodeId>| x.map_or(0, |i| d.node(i).depth);
        let up = |x: Option<NodeId>| x.and_then(|i| d.node(i).parent);
        let (mut total, mut pairs) = (0u64, 0u64);
        for (i, &u) in nodes.iter().enumerate() {
            for &v in &nodes[i + 1..] {
                let (mut x, mut y) = (u, v);
                while x != y {
                    if depth(x) >= depth(y) {
                        x = up(x);
                    } else {
                        y = up(y);
                    }
                    total += 1;
                }
                pairs += 1;
            }
        }
        (pairs > 0).then(|| total as f64 / pairs as f64)
    }

    proptest! {
        #[test]
        fn metrics_do_not_depend_on_input_order((comments, shuffled) in comments_and_shuffle()) {
            let d = build(comments);
            let e = build(shuffled);
            let m = discussion_metrics(&d);
            let s = discussion_metrics(&e);
            prop_assert!(close(&m, &s), "{m:?}\n!=\n{s:?}");

            let threads: Vec<StructureMetrics> =
                d.roots().iter().map(|&r| thread_metrics(&d, r)).collect();
            prop_assert_eq!(threads.iter().map(|t| t.comments).sum::<u64>(), m.comments);
            prop_assert_eq!(threads.iter().map(|t| t.leaves).sum::<u64>(), m.leaves);
            prop_assert_eq!(threads.len() as u64, m.threads);
            prop_assert!(threads.iter().all(|t| t.threads == 1));
            let deepest = threads.iter().map(|t| t.max_depth).max().unwrap_or(0);
            prop_assert_eq!(deepest, m.max_depth);
        }

        #[test]
        fn virality_matches_pairwise_distances((comments, _) in comments_and_shuffle()) {
            let d = build(comments);
            let m = discussion_metrics(&d).structural_virality;
            let b = brute_virality(&d, d.preorder(), true);
            prop_assert!(near(m, b), "{m:?} != {b:?}");
            for &r in d.roots() {
                let t = thread_metrics(&d, r).structural_virality;
                let b = brute_virality(&d, d.subtree(r), false);
                prop_assert!(near(t, b), "{t:?} != {b:?}");
            }
        }
    }
}
