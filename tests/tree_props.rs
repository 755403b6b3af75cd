//! Properties of reply-tree building (xsv's `prop_count`, here with
//! proptest), through the library: whatever the (id, parent id) pairs —
//! duplicate ids, orphans, self-replies, cycles — every comment is kept
//! once, depths and subtree sizes are consistent, each repair is reported,
//! and the tree does not depend on the input order.

use std::collections::HashMap;

use proptest::collection::vec;
use proptest::prelude::*;
use threadlens::metrics::{StructureMetrics, discussion_metrics};
use threadlens::{AnomalyKind, Discussion, Document, NodeId, RawComment};

/// Few ids, so that lists of up to 60 comments repeat them often.
const ALPHABET: [&str; 10] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const MAX_COMMENTS: usize = 60;

/// Where a generated comment's parent id points.
#[derive(Clone, Debug)]
enum Parent {
    /// A top-level comment.
    None,
    /// The id of the comment at this index (mod the list length), earlier or
    /// later: later ones make cycles possible.
    Existing(usize),
    /// An id no comment has.
    Missing(u8),
    /// Its own id.
    Own,
    /// Any id of the alphabet, present or not.
    Any(usize),
}

fn parent() -> impl Strategy<Value = Parent> {
    prop_oneof![
        2 => Just(Parent::None),
        5 => any::<usize>().prop_map(Parent::Existing),
        1 => any::<u8>().prop_map(Parent::Missing),
        1 => Just(Parent::Own),
        2 => (0..ALPHABET.len() * 2).prop_map(Parent::Any),
    ]
}

/// Comments with the given ids; `line` is the 1-based index, so anomalies
/// can be matched to comments.
fn comments(
    ids: Vec<String>,
    parents: Vec<Parent>,
    any_id: impl Fn(usize) -> String,
) -> Vec<RawComment> {
    let n = ids.len();
    parents
        .into_iter()
        .enumerate()
        .map(|(k, p)| RawComment {
            id: ids[k].clone(),
            parent_id: match p {
                Parent::None => None,
                Parent::Existing(j) => Some(ids[j % n].clone()),
                Parent::Missing(m) => Some(format!("missing-{m}")),
                Parent::Own => Some(ids[k].clone()),
                Parent::Any(i) => Some(any_id(i)),
            },
            text: format!("comment #{}", k + 1),
            line: Some(k + 1),
            ..Default::default()
        })
        .collect()
}

/// Any list: ids drawn from [`ALPHABET`], so duplicates are common.
fn any_comments() -> impl Strategy<Value = Vec<RawComment>> {
    vec((0..ALPHABET.len(), parent()), 0..=MAX_COMMENTS).prop_map(|items| {
        let (ids, parents): (Vec<String>, Vec<Parent>) =
            items.into_iter().map(|(i, p)| (ALPHABET[i].to_string(), p)).unzip();
        // `Any` reaches past the alphabet too: `k`…`t` are never ids.
        let any_id = |i: usize| ((b'a' + i as u8) as char).to_string();
        comments(ids, parents, any_id)
    })
}

/// Lists with distinct ids (`c0`, `c1`, … in a random order, so the
/// smallest id of a cycle is not always its first comment), paired with
/// the same list shuffled.
fn distinct_comments_and_shuffle() -> impl Strategy<Value = (Vec<RawComment>, Vec<RawComment>)> {
    (1..=MAX_COMMENTS)
        .prop_flat_map(|n| (Just((0..n).collect::<Vec<_>>()).prop_shuffle(), vec(parent(), n)))
        .prop_map(|(perm, parents)| {
            let ids = perm.iter().map(|i| format!("c{i}")).collect();
            // Ids up to c{2 * MAX_COMMENTS} may or may not exist.
            comments(ids, parents, |i| format!("c{}", i * 7 % (2 * MAX_COMMENTS)))
        })
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

fn build(comments: Vec<RawComment>) -> Discussion {
    Discussion::build(Document { comments, ..Default::default() })
}

/// Properties 1–4 (and that reply links are resolved as documented).
fn check_tree(input: &[RawComment], d: &Discussion) -> Result<(), TestCaseError> {
    let n = input.len();
    let ids = |v: &[NodeId]| v.to_vec();

    // 1. Nothing dropped or altered; pre-order holds every comment once.
    prop_assert_eq!(d.len(), n);
    for (node, c) in d.nodes().iter().zip(input) {
        prop_assert_eq!(&node.comment, c);
    }
    let mut seen = vec![0usize; n];
    for id in d.preorder() {
        seen[id.index()] += 1;
    }
    prop_assert!(seen.iter().all(|&k| k == 1), "pre-order visits {:?}", seen);

    // 2. Depths; roots are the parentless nodes, in source order.
    let parentless: Vec<NodeId> =
        (0..n as u32).map(NodeId).filter(|&i| d.node(i).parent.is_none()).collect();
    prop_assert_eq!(ids(d.roots()), parentless);
    for node in d.nodes() {
        let expected = node.parent.map_or(1, |p| d.node(p).depth + 1);
        prop_assert_eq!(node.depth, expected, "comment {:?}", node.comment.id);
    }

    // 3. Subtree sizes, and children are exactly the nodes naming the parent.
    for i in (0..n as u32).map(NodeId) {
        let kids: Vec<NodeId> =
            (0..n as u32).map(NodeId).filter(|&c| d.node(c).parent == Some(i)).collect();
        prop_assert_eq!(ids(d.children(i)), kids);
        let below: u32 = d.children(i).iter().map(|&c| d.node(c).subtree_size).sum();
        prop_assert_eq!(d.node(i).subtree_size, 1 + below);
        prop_assert_eq!(d.subtree(i)[0], i);
    }

    // Links: a resolved parent is the first comment with the named id; an
    // unresolved one was repaired for exactly one reason.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (k, c) in input.iter().enumerate() {
        first.entry(c.id.as_str()).or_insert(k);
    }
    for (k, node) in d.nodes().iter().enumerate() {
        let c = &node.comment;
        let f = node.flags;
        prop_assert_eq!(f.duplicate, first[c.id.as_str()] != k);
        match (&c.parent_id, node.parent) {
            (None, p) => prop_assert!(p.is_none() && !f.orphan && !f.self_reply && !f.cycle),
            (Some(pid), Some(p)) => {
                prop_assert_eq!(first.get(pid.as_str()), Some(&p.index()));
                prop_assert!(!f.orphan && !f.self_reply && !f.cycle);
            }
            (Some(pid), None) => {
                let self_reply = *pid == c.id;
                let orphan = !self_reply && !first.contains_key(pid.as_str());
                prop_assert_eq!(
                    (f.self_reply, f.orphan, f.cycle),
                    (self_reply, orphan, !self_reply && !orphan)
                );
            }
        }
    }

    // 4. One anomaly per flagged node and kind, naming that node's line
    //    (lines are unique per comment; compared sorted, since cycles are
    //    reported in the order they are found).
    let flagged = |pick: fn(&threadlens::Node) -> bool| {
        let mut v: Vec<_> = d.nodes().iter().filter(|n| pick(n)).map(|n| n.comment.line).collect();
        v.sort();
        v
    };
    let reported = |kind: AnomalyKind| {
        let mut v: Vec<_> = d.anomalies.iter().filter(|a| a.kind == kind).map(|a| a.line).collect();
        v.sort();
        v
    };
    prop_assert_eq!(reported(AnomalyKind::Orphan), flagged(|n| n.flags.orphan));
    prop_assert_eq!(reported(AnomalyKind::DuplicateId), flagged(|n| n.flags.duplicate));
    prop_assert_eq!(reported(AnomalyKind::SelfReply), flagged(|n| n.flags.self_reply));
    prop_assert_eq!(reported(AnomalyKind::Cycle), flagged(|n| n.flags.cycle));
    Ok(())
}

/// (id, resolved parent id, depth) of every comment, sorted.
fn shape(d: &Discussion) -> Vec<(String, Option<String>, u32)> {
    let mut v: Vec<_> = d
        .nodes()
        .iter()
        .map(|n| (n.comment.id.clone(), n.parent.map(|p| d.node(p).comment.id.clone()), n.depth))
        .collect();
    v.sort();
    v
}

fn same_metrics(a: &StructureMetrics, b: &StructureMetrics) -> Result<(), TestCaseError> {
    let ints = |m: &StructureMetrics| {
        (m.comments, m.threads, m.max_depth, m.max_width, m.leaves, m.h_index, m.authors.is_some())
    };
    prop_assert_eq!(ints(a), ints(b));
    let floats = |m: &StructureMetrics| {
        [m.mean_depth, m.branching_factor, m.reply_share, m.structural_virality]
    };
    for (x, y) in floats(a).into_iter().zip(floats(b)) {
        match (x, y) {
            (Some(x), Some(y)) => {
                prop_assert!(approx::abs_diff_eq!(x, y, epsilon = 1e-9), "{:?} vs {:?}", a, b)
            }
            (x, y) => prop_assert_eq!(x, y, "{:?} vs {:?}", a, b),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_links_give_a_consistent_tree(input in any_comments()) {
        let d = build(input.clone());
        check_tree(&input, &d)?;
    }

    #[test]
    fn input_order_does_not_change_the_tree((input, shuffled) in distinct_comments_and_shuffle()) {
        let (a, b) = (build(input.clone()), build(shuffled.clone()));
        check_tree(&input, &a)?;
        check_tree(&shuffled, &b)?;
        prop_assert_eq!(shape(&a), shape(&b));
        same_metrics(&discussion_metrics(&a), &discussion_metrics(&b))?;
    }
}

/// The properties above are only as good as their inputs: check that the
/// generators do make every kind of broken link, and cycles through
/// several comments, not only the easy cases.
#[test]
fn generators_make_every_kind_of_broken_link() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut kinds: HashMap<AnomalyKind, usize> = HashMap::new();
    let mut long_cycles = 0;
    let mut deepest = 0;
    for _ in 0..256 {
        let input = any_comments().new_tree(&mut runner).unwrap().current();
        let (distinct, _) =
            distinct_comments_and_shuffle().new_tree(&mut runner).unwrap().current();
        for d in [build(input), build(distinct)] {
            for a in &d.anomalies {
                *kinds.entry(a.kind).or_default() += 1;
                long_cycles += usize::from(
                    a.kind == AnomalyKind::Cycle && a.message.matches('→').count() >= 2,
                );
            }
            deepest = deepest.max(d.nodes().iter().map(|n| n.depth).max().unwrap_or(0));
        }
    }
    for kind in
        [AnomalyKind::Orphan, AnomalyKind::DuplicateId, AnomalyKind::SelfReply, AnomalyKind::Cycle]
    {
        assert!(kinds.get(&kind).copied().unwrap_or(0) >= 10, "{kind:?} is rare: {kinds:?}");
    }
    assert!(long_cycles >= 10, "cycles of 3+ comments: {long_cycles}");
    assert!(deepest >= 5, "deepest tree: {deepest}");
}
