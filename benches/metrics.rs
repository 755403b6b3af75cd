//! Structure metrics: the whole discussion and every thread, per number of comments in the
//! discussion, and for one chain of replies (the deepest tree).
//!
//! `cargo bench --bench metrics`; trees built from the synthetic corpus generator (fixed
//! seed) before timing.

#[path = "synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threadlens::metrics::{discussion_metrics, thread_metrics};
use threadlens::parse::{ParseOptions, parse_bytes};
use threadlens::scores::DiscussionScores;
use threadlens::tables::DiscussionTables;
use threadlens::{Discussion, Document, RawComment};

fn tree(d: &synth::Discussion) -> Discussion {
    let text = synth::jsonl(std::slice::from_ref(d));
    let doc = parse_bytes(text.as_bytes(), "bench.jsonl", &ParseOptions::default()).unwrap();
    Discussion::build(doc.into_iter().next().unwrap())
}

fn metrics(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let inputs: Vec<(String, Discussion)> = [100u32, 1_000, 10_000]
        .into_iter()
        .map(|n| (n.to_string(), tree(&generator.discussion(0, n, 1))))
        .chain([("chain-1000".to_string(), tree(&synth::chain(1_000)))])
        .collect();
    let mut group = c.benchmark_group("metrics/discussion");
    for (name, d) in &inputs {
        group.throughput(Throughput::Elements(d.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), d, |b, d| {
            b.iter(|| discussion_metrics(black_box(d)))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("metrics/threads");
    for (name, d) in &inputs {
        group.throughput(Throughput::Elements(d.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), d, |b, d| {
            b.iter(|| {
                d.roots().iter().map(|&r| thread_metrics(black_box(d), r)).collect::<Vec<_>>()
            })
        });
    }
    group.finish();
}

/// Issue #13 (item 8): every per-discussion step without scores (metrics of the discussion
/// and of each thread, score summaries, the tables' rows) on one discussion of up to
/// 1,000,000 comments, and on 100,000 top-level comments (the shape that was quadratic).
fn one_discussion(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let flat = |n: usize| {
        let comments = (0..n)
            .map(|i| RawComment {
                id: format!("c{i}"),
                text: format!("comment {i}"),
                ..Default::default()
            })
            .collect();
        Discussion::build(Document { comments, ..Default::default() })
    };
    let inputs: Vec<(String, Discussion)> = [10_000u32, 100_000, 1_000_000]
        .into_iter()
        .map(|n| (n.to_string(), tree(&generator.discussion(0, n, 1))))
        .chain([("flat-100000".to_string(), flat(100_000))])
        .collect();
    let mut group = c.benchmark_group("metrics/one-discussion-tables");
    for (name, d) in &inputs {
        group.throughput(Throughput::Elements(d.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), d, |b, d| {
            b.iter(|| {
                let d = black_box(d);
                let m = discussion_metrics(d);
                let threads: Vec<_> = d.roots().iter().map(|&r| thread_metrics(d, r)).collect();
                let scores = DiscussionScores::unscored(d);
                DiscussionTables::new(d, &m, &threads, &scores).unwrap()
            })
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
    targets = metrics, one_discussion
}
criterion_main!(benches);
