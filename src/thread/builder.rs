//! Building a [`Discussion`] from (id, parent id) pairs in any order.
//!
//! Rules (issue #2), applied in this order; each is flagged on the node and
//! reported as an [`Anomaly`]:
//! 0. **Repeated record**: a comment identical to an earlier one (same id, parent, author,
//!    time and text — the same comment read twice, as overlapping pages of an export give)
//!    is counted once; the repeat is reported (kind `repeated_record`) with its line, not
//!    kept as a node.
//! 1. **Duplicate id**: the second and later comments with an id are kept
//!    (flag `duplicate`); a parent id always resolves to the *first*
//!    comment with that id.
//! 2. **Self-reply**: a comment naming itself as parent hangs under the
//!    article (flag `self_reply`).
//! 3. **Orphan**: a parent id that no comment has; the comment hangs under
//!    the article (flag `orphan`).
//! 4. **Cycle**: reply links that loop (a → b → a) are broken at one edge:
//!    the member with the smallest id (then earliest in the source) hangs
//!    under the article (flag `cycle`). Choosing by id, not by input order,
//!    keeps the tree the same however the input is ordered.
//!
//! Siblings keep source order. All passes are iterative and O(n).

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::{Discussion, Node, NodeFlags, NodeId};
use crate::model::{Anomaly, AnomalyKind, Document};

pub(crate) fn build(doc: Document) -> Discussion {
    let Document { article, section, comments, mut anomalies, hidden_comments, merge_key: _ } = doc;

    // 0. Drop exact repeats of a comment, reporting each.
    let mut kept: Vec<crate::model::RawComment> = Vec::with_capacity(comments.len());
    {
        // Kept comments by the hash of what makes a repeat (id, parent, author, time, text):
        // keyed by id alone, many comments sharing one id were each compared with all the
        // earlier ones, O(n²) (issue #13). A list per hash holds only true collisions.
        let hasher = std::hash::RandomState::new();
        let key = |c: &crate::model::RawComment| {
            hasher.hash_one((&c.id, &c.parent_id, &c.author, &c.time, &c.text))
        };
        let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
        for c in comments {
            let same = |k: &crate::model::RawComment| {
                k.id == c.id
                    && k.parent_id == c.parent_id
                    && k.author == c.author
                    && k.time == c.time
                    && k.text == c.text
            };
            let h = key(&c);
            let seen = by_key.get(&h).and_then(|ks| ks.iter().find(|&&k| same(&kept[k])));
            if let Some(&k) = seen {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::RepeatedRecord,
                    line: c.line,
                    comment_id: Some(c.id.clone()),
                    message: format!(
                        "comment `{}` is read again, identical to comment #{} of the source; \
                         counted once",
                        c.id,
                        k + 1
                    ),
                });
                continue;
            }
            by_key.entry(h).or_default().push(kept.len());
            kept.push(c);
        }
    }
    let comments = kept;
    let n = comments.len();
    assert!(n < u32::MAX as usize, "a discussion holds fewer than 2^32 comments");
    let mut flags = vec![NodeFlags::default(); n];

    // 1. Index ids; later comments with a seen id are duplicates.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, c) in comments.iter().enumerate() {
        if let Some(&j) = first.get(c.id.as_str()) {
            flags[i].duplicate = true;
            anomalies.push(Anomaly {
                kind: AnomalyKind::DuplicateId,
                line: c.line,
                comment_id: Some(c.id.clone()),
                message: format!(
                    "comment id `{}` is used again (first by comment #{} of the source); both kept",
                    c.id,
                    j + 1
                ),
            });
        } else {
            first.insert(&c.id, i);
        }
    }

    // 2–3. Resolve parents.
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for (i, c) in comments.iter().enumerate() {
        let Some(pid) = c.parent_id.as_deref() else { continue };
        if pid == c.id {
            flags[i].self_reply = true;
            anomalies.push(Anomaly {
                kind: AnomalyKind::SelfReply,
                line: c.line,
                comment_id: Some(c.id.clone()),
                message: format!("comment `{}` replies to itself; attached to the article", c.id),
            });
        } else if let Some(&j) = first.get(pid) {
            parent[i] = Some(j);
        } else {
            flags[i].orphan = true;
            anomalies.push(Anomaly {
                kind: AnomalyKind::Orphan,
                line: c.line,
                comment_id: Some(c.id.clone()),
                message: format!(
                    "comment `{}` replies to `{pid}`, which is not in the discussion; \
                     attached to the article",
                    c.id
                ),
            });
        }
    }

    // 4. Break cycles. Walk up from each unvisited node, marking the path;
    // meeting a node of the current path closes a cycle.
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; n];
    let mut path = Vec::new();
    for start in 0..n {
        if state[start] != NEW {
            continue;
        }
        path.clear();
        let mut cur = Some(start);
        while let Some(c) = cur {
            if state[c] != NEW {
                break;
            }
            state[c] = ON_PATH;
            path.push(c);
            cur = parent[c];
        }
        if let Some(c) = cur
            && state[c] == ON_PATH
        {
            let at = path.iter().position(|&p| p == c).expect("node on path");
            let cut = *path[at..]
                .iter()
                .min_by(|&&a, &&b| comments[a].id.cmp(&comments[b].id).then(a.cmp(&b)))
                .expect("a cycle has members");
            // A cycle of a million comments is listed by its first few (issue #13: no input
            // is echoed at any length).
            const LISTED: usize = 10;
            let cycle = &path[at..];
            let mut members: Vec<&str> =
                cycle.iter().take(LISTED).map(|&p| comments[p].id.as_str()).collect();
            let more = format!("… {} comments in all", cycle.len());
            if cycle.len() > LISTED {
                members.push(&more);
            }
            parent[cut] = None;
            flags[cut].cycle = true;
            anomalies.push(Anomaly {
                kind: AnomalyKind::Cycle,
                line: comments[cut].line,
                comment_id: Some(comments[cut].id.clone()),
                message: format!(
                    "reply links form a cycle ({}); broken at `{}`, attached to the article",
                    members.join(" → "),
                    comments[cut].id
                ),
            });
        }
        for &p in &path {
            state[p] = DONE;
        }
    }

    // Children in compressed rows, siblings in source order.
    let mut child_start = vec![0u32; n + 1];
    for p in parent.iter().flatten() {
        child_start[p + 1] += 1;
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    let mut child_list = vec![NodeId(0); child_start[n] as usize];
    let mut roots = Vec::new();
    let mut position = vec![0u32; n];
    for i in 0..n {
        let id = NodeId(i as u32);
        match parent[i] {
            Some(p) => {
                position[i] = fill[p] - child_start[p] + 1;
                child_list[fill[p] as usize] = id;
                fill[p] += 1;
            }
            None => {
                roots.push(id);
                position[i] = roots.len() as u32;
            }
        }
    }

    // Pre-order, depth and thread root with an explicit stack.
    let mut preorder = Vec::with_capacity(n);
    let mut pre_index = vec![0u32; n];
    let mut depth = vec![0u32; n];
    let mut root = vec![NodeId(0); n];
    let mut stack: Vec<NodeId> = roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        let i = id.index();
        match parent[i] {
            Some(p) => {
                depth[i] = depth[p] + 1;
                root[i] = root[p];
            }
            None => {
                depth[i] = 1;
                root[i] = id;
            }
        }
        pre_index[i] = preorder.len() as u32;
        preorder.push(id);
        let kids = &child_list[child_start[i] as usize..child_start[i + 1] as usize];
        stack.extend(kids.iter().rev());
    }
    debug_assert_eq!(preorder.len(), n, "cycles are broken, so every node is reached");

    // Subtree sizes: children come after parents in pre-order.
    let mut size = vec![1u32; n];
    for id in preorder.iter().rev() {
        if let Some(p) = parent[id.index()] {
            size[p] += size[id.index()];
        }
    }

    let nodes = comments
        .into_iter()
        .enumerate()
        .map(|(i, comment)| Node {
            comment,
            parent: parent[i].map(|p| NodeId(p as u32)),
            depth: depth[i],
            position: position[i],
            root: root[i],
            subtree_size: size[i],
            flags: flags[i],
        })
        .collect();

    Discussion {
        article,
        section,
        anomalies,
        hidden_comments,
        nodes,
        roots,
        child_start,
        child_list,
        preorder,
        pre_index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawComment;

    fn c(id: &str, parent: Option<&str>) -> RawComment {
        RawComment { id: id.into(), parent_id: parent.map(Into::into), ..Default::default() }
    }

    fn build_of(comments: Vec<RawComment>) -> Discussion {
        build(Document { comments, ..Default::default() })
    }

    fn ids(d: &Discussion, v: &[NodeId]) -> Vec<String> {
        v.iter().map(|&i| d.node(i).comment.id.clone()).collect()
    }

    #[test]
    fn builds_from_any_order() {
        let d = build_of(vec![
            c("1.1", Some("1")),
            c("2", None),
            c("1", None),
            c("1.1.1", Some("1.1")),
        ]);
        assert_eq!(ids(&d, d.roots()), ["2", "1"]);
        assert_eq!(ids(&d, d.preorder()), ["2", "1", "1.1", "1.1.1"]);
        let one = d.find("1").unwrap();
        assert_eq!(d.node(one).subtree_size, 3);
        assert_eq!(d.node(d.find("1.1.1").unwrap()).depth, 3);
        assert_eq!(d.node(d.find("1.1.1").unwrap()).root, one);
        assert_eq!(ids(&d, d.subtree(d.find("1.1").unwrap())), ["1.1", "1.1.1"]);
        assert!(d.anomalies.is_empty());
    }

    #[test]
    fn positions_follow_source_order() {
        let d = build_of(vec![c("a", None), c("a2", Some("a")), c("b", None), c("a1", Some("a"))]);
        let pos = |id| d.node(d.find(id).unwrap()).position;
        assert_eq!((pos("a"), pos("b"), pos("a2"), pos("a1")), (1, 2, 1, 2));
    }

    #[test]
    fn orphan_is_kept_under_article() {
        let d = build_of(vec![c("a", None), c("b", Some("zz"))]);
        let b = d.node(d.find("b").unwrap());
        assert!(b.flags.orphan);
        assert_eq!((b.parent, b.depth), (None, 1));
        assert_eq!(d.anomalies.len(), 1);
        assert_eq!(d.anomalies[0].kind, AnomalyKind::Orphan);
    }

    #[test]
    fn identical_repeats_are_counted_once_and_reported() {
        // Issue #6 notebooks: overlapping REST pages of one post gave every comment twice.
        let mut a = c("a", None);
        a.text = "same".into();
        a.line = Some(1);
        let mut again = a.clone();
        again.line = Some(9);
        let mut conflict = a.clone();
        conflict.text = "different text, same id".into();
        let d = build(Document { comments: vec![a, again, conflict], ..Default::default() });
        assert_eq!(d.len(), 2, "the identical repeat is not a node");
        assert!(d.nodes()[1].flags.duplicate, "a conflicting record keeps its duplicate flag");
        let kinds: Vec<_> = d.anomalies.iter().map(|x| (x.kind, x.line)).collect();
        assert_eq!(
            kinds,
            [(AnomalyKind::RepeatedRecord, Some(9)), (AnomalyKind::DuplicateId, Some(1))]
        );
    }

    #[test]
    fn duplicates_are_kept_and_parents_resolve_to_first() {
        let mut second = c("a", None);
        second.text = "another comment with the same id".into();
        let d = build_of(vec![c("a", None), second, c("b", Some("a"))]);
        assert_eq!(d.len(), 3);
        assert!(!d.nodes()[0].flags.duplicate);
        assert!(d.nodes()[1].flags.duplicate);
        assert_eq!(d.nodes()[2].parent, Some(NodeId(0)));
        assert_eq!(d.anomalies[0].kind, AnomalyKind::DuplicateId);
    }

    #[test]
    fn self_reply_is_attached_to_article() {
        let d = build_of(vec![c("a", Some("a")), c("b", Some("a"))]);
        let a = d.node(NodeId(0));
        assert!(a.flags.self_reply);
        assert_eq!(a.parent, None);
        assert_eq!(d.node(NodeId(1)).depth, 2);
    }

    #[test]
    fn cycle_is_broken_at_smallest_id() {
        // c -> b -> a -> c, plus d hanging off b.
        let d = build_of(vec![
            c("c", Some("b")),
            c("d", Some("b")),
            c("b", Some("a")),
            c("a", Some("c")),
        ]);
        assert_eq!(d.len(), 4);
        let a = d.node(d.find("a").unwrap());
        assert!(a.flags.cycle);
        assert_eq!(a.parent, None);
        assert_eq!(ids(&d, d.preorder()), ["a", "b", "c", "d"]);
        assert_eq!(d.node(d.find("d").unwrap()).depth, 3);
        assert_eq!(d.anomalies.len(), 1);
        assert_eq!(d.anomalies[0].kind, AnomalyKind::Cycle);
    }

    #[test]
    fn two_node_cycle_and_tail_into_it() {
        let d = build_of(vec![c("t", Some("y")), c("x", Some("y")), c("y", Some("x"))]);
        let x = d.node(d.find("x").unwrap());
        assert!(x.flags.cycle && x.parent.is_none());
        assert_eq!(d.node(d.find("t").unwrap()).depth, 3);
        assert_eq!(d.anomalies.len(), 1);
    }

    #[test]
    fn r13_a_long_cycle_is_reported_by_its_first_members() {
        // Issue #13: a cycle through 100,000 comments gave a message listing all of them.
        let n = 100_000;
        let comments = (0..n).map(|i| c(&format!("c{i}"), Some(&format!("c{}", (i + 1) % n))));
        let d = build_of(comments.collect());
        assert_eq!(d.anomalies.len(), 1);
        let m = &d.anomalies[0].message;
        assert!(
            m.contains(
                "(c0 → c1 → c2 → c3 → c4 → c5 → c6 → c7 → c8 → c9 → … 100000 comments in all)"
            ),
            "{m}"
        );
        assert!(m.len() < 200, "{m}");
        assert!(d.node(d.find("c0").unwrap()).flags.cycle);
    }

    #[test]
    fn deep_chain_and_wide_star_need_no_stack() {
        let n = 100_000;
        let mut chain = vec![c("0", None)];
        chain.extend((1..n).map(|i| c(&i.to_string(), Some(&(i - 1).to_string()))));
        chain.reverse();
        let d = build_of(chain);
        assert_eq!(d.roots().len(), 1);
        assert_eq!(d.node(d.roots()[0]).subtree_size as usize, n);
        assert_eq!(d.nodes().iter().map(|x| x.depth).max(), Some(n as u32));

        let mut star = vec![c("hub", None)];
        star.extend((0..n).map(|i| c(&format!("s{i}"), Some("hub"))));
        let d = build_of(star);
        assert_eq!(d.children(d.find("hub").unwrap()).len(), n);
    }
}
