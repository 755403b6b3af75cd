//! The scorers: incivility and stance per comment, and both with sides for a whole discussion,
//! per number of comments, on one thread.
//!
//! `cargo bench --bench scores`; texts and trees from the synthetic corpus generator (fixed
//! seed) and the shipped models, loaded before timing.

#[path = "synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threadlens::classify::{incivility, stance};
use threadlens::parse::{ParseOptions, parse_bytes};
use threadlens::scores::{DiscussionScores, Scorers};
use threadlens::{Discussion, NodeId};

fn tree(d: &synth::Discussion) -> Discussion {
    let text = synth::jsonl(std::slice::from_ref(d));
    let doc = parse_bytes(text.as_bytes(), "bench.jsonl", &ParseOptions::default()).unwrap();
    Discussion::build(doc.into_iter().next().unwrap())
}

fn comments(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let civility = incivility::shipped_model();
    let stances = stance::shipped_model();
    let mut inc = c.benchmark_group("scores/incivility");
    for n in [100u32, 1_000] {
        let d = tree(&generator.discussion(0, n, 1));
        inc.throughput(Throughput::Elements(u64::from(n)));
        inc.bench_with_input(BenchmarkId::from_parameter(n), &d, |b, d| {
            b.iter(|| {
                d.nodes()
                    .iter()
                    .map(|node| {
                        incivility::score(&civility, &node.comment.text, &node.comment.quotes)
                    })
                    .map(|s| s.probability)
                    .sum::<f64>()
            })
        });
    }
    inc.finish();
    let mut st = c.benchmark_group("scores/stance");
    for n in [100u32, 1_000] {
        let d = tree(&generator.discussion(0, n, 1));
        // Each reply against its parent, each top-level comment against the article's title.
        let pairs: Vec<(NodeId, String)> = (0..d.len())
            .map(|i| {
                let id = NodeId(i as u32);
                let target = match d.node(id).parent {
                    Some(p) => d.node(p).comment.text.clone(),
                    None => d.article.title.clone().unwrap_or_default(),
                };
                (id, target)
            })
            .collect();
        st.throughput(Throughput::Elements(u64::from(n)));
        st.bench_with_input(BenchmarkId::from_parameter(n), &pairs, |b, pairs| {
            b.iter(|| {
                pairs
                    .iter()
                    .map(|(id, target)| {
                        let c = &d.node(*id).comment;
                        stance::score(&stances, &c.text, &c.quotes, black_box(target))
                    })
                    .count()
            })
        });
    }
    st.finish();
}

fn discussions(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let scorers = Scorers::shipped();
    let mut group = c.benchmark_group("scores/discussion");
    for n in [100u32, 1_000] {
        let d = tree(&generator.discussion(0, n, 1));
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &d, |b, d| {
            b.iter(|| DiscussionScores::new(black_box(d), &scorers))
        });
    }
    group.finish();
}

/// Issue #13 (item 7): one long comment of insults, per size in bytes: linear now (it was
/// quadratic in the lexicon matches).
fn long_comment(c: &mut Criterion) {
    let civility = incivility::shipped_model();
    let words = ["you", "prick", "idiot", "bellend", "moron", "liar", "shitty", "scum"];
    let mut group = c.benchmark_group("scores/insults");
    for bytes in [100_000usize, 1_000_000] {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < bytes {
            text.push_str(words[i % words.len()]);
            text.push(' ');
            i += 1;
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(bytes), &text, |b, text| {
            b.iter(|| incivility::score(&civility, black_box(text), &[]).more_cues)
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = comments, discussions, long_comment
}
criterion_main!(benches);
