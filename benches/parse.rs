//! Parsing: a JSONL comment table and WordPress HTML pages, per number of comments; and
//! HTML pages of pathological shape (issue #13): nested `div`s, a reply chain as deep as it
//! has comments, and one wide list of replies. Time per element should stay flat as they grow.
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

/// `n` nested `div`s.
fn nested_divs(n: usize) -> String {
    format!("<html><body>{}deep{}</body></html>", "<div>".repeat(n), "</div>".repeat(n))
}

/// A WordPress comment in lean markup, its `li` left open.
fn comment(k: usize, depth: usize) -> String {
    format!(
        r#"<li id="comment-{k}" class="comment depth-{depth}"><div class="comment-content"><p>Reply {k}</p></div>"#
    )
}

/// A reply chain `n` comments deep.
fn deep_chain(n: usize) -> String {
    let mut page = String::from(r#"<html><body><ol class="commentlist">"#);
    for k in 1..=n {
        page.push_str(&comment(k, k));
        page.push_str(r#"<ol class="children">"#);
    }
    page.push_str(&"</ol></li>".repeat(n));
    page.push_str("</ol></body></html>");
    page
}

/// One comment with `n` replies.
fn wide_list(n: usize) -> String {
    let mut page = String::from(r#"<html><body><ol class="commentlist">"#);
    page.push_str(&comment(0, 1));
    page.push_str(r#"<ol class="children">"#);
    for k in 1..=n {
        page.push_str(&comment(k, 2));
        page.push_str("</li>");
    }
    page.push_str("</ol></li></ol></body></html>");
    page
}

/// A page shape: its name, how to make a page of `n`, and the sizes benched.
type Shape = (&'static str, fn(usize) -> String, &'static [usize]);

fn html_shapes(c: &mut Criterion) {
    let opts = ParseOptions::default();
    let shapes: [Shape; 3] = [
        ("nested_divs", nested_divs, &[10_000, 100_000]),
        ("deep_chain", deep_chain, &[2_000, 20_000]),
        ("wide_list", wide_list, &[10_000, 100_000]),
    ];
    for (name, make, sizes) in shapes {
        let mut group = c.benchmark_group(format!("parse/html_{name}"));
        for &n in sizes {
            let page = make(n);
            group.throughput(Throughput::Bytes(page.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &page, |b, page| {
                b.iter(|| parse_bytes(black_box(page.as_bytes()), "bench.html", &opts).unwrap())
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = jsonl, html, html_shapes
}
criterion_main!(benches);
