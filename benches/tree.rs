//! Building reply trees (`Discussion::build`), per number of comments in the discussion, and
//! for one chain of replies (the deepest tree).
//!
//! `cargo bench --bench tree`; documents parsed from the synthetic corpus generator (fixed
//! seed) before timing, cloned outside the timed part (`build` consumes its document).

#[path = "synth/mod.rs"]
mod synth;

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threadlens::parse::{ParseOptions, parse_bytes};
use threadlens::{Discussion, Document};

fn document(d: &synth::Discussion) -> Document {
    let text = synth::jsonl(std::slice::from_ref(d));
    parse_bytes(text.as_bytes(), "bench.jsonl", &ParseOptions::default()).unwrap().remove(0)
}

fn build(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let mut group = c.benchmark_group("tree/build");
    let inputs = [100u32, 1_000, 10_000]
        .map(|n| (format!("{n}"), n, document(&generator.discussion(0, n, 1))));
    let chain = ("chain-1000".to_string(), 1_000, document(&synth::chain(1_000)));
    for (name, n, doc) in inputs.into_iter().chain([chain]) {
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(name), &doc, |b, doc| {
            b.iter_batched(|| doc.clone(), Discussion::build, BatchSize::LargeInput)
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
    targets = build
}
criterion_main!(benches);
