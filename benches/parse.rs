//! Parsing: a JSONL comment table and WordPress HTML pages, per number of comments.
//!
//! `cargo bench --bench parse`; inputs from the synthetic corpus generator (fixed seed), made
//! before timing.

#[path = "synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use threadlens::parse::{ParseOptions, parse_bytes};

fn jsonl(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let opts = ParseOptions::default();
    let mut group = c.benchmark_group("parse/jsonl");
    for n in [1_000u64, 10_000] {
        let corpus: Vec<synth::Discussion> = generator.corpus(n).collect();
        let text = synth::jsonl(&corpus);
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| parse_bytes(black_box(text.as_bytes()), "bench.jsonl", &opts).unwrap())
        });
    }
    group.finish();
}

fn html(c: &mut Criterion) {
    let generator = synth::Generator::new(synth::SEED);
    let opts = ParseOptions::default();
    let mut group = c.benchmark_group("parse/html");
    for n in [10u32, 100, 1_000] {
        let page = synth::html_page(&generator.discussion(0, n, 1));
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &page, |b, page| {
            b.iter(|| parse_bytes(black_box(page.as_bytes()), "bench.html", &opts).unwrap())
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
    targets = jsonl, html
}
criterion_main!(benches);
