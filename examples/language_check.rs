//! How often `threadlens::language::detect` tells a comment's language, and how often it is
//! right, by comment length, on labelled sets whose language is known: the German GermEval
//! 2018 tweets and AustroTox news-forum comments, the English C3 (Globe and Mail) comments.
//! `guess right`: how often whatlang's unreliable guess would have been right for the texts
//! `detect` leaves undecided. The figures in `src/language.rs` and the CHANGELOG come from it:
//!
//! ```sh
//! cargo run --release --example language_check [../shared/data/incivility]
//! ```
//!
//! With `--time` it measures instead µs per text of `detect` (whatlang through the index) and
//! `detect_whatlang` (whatlang itself) on each set, the best of 3 passes, one thread, and
//! checks that both give the same answers (issue #17):
//!
//! ```sh
//! cargo run --release --example language_check -- --time [../shared/data/incivility]
//! ```

use std::io::BufRead;
use std::path::{Path, PathBuf};

const BUCKETS: [&str; 4] = ["<=30", "31-80", "81-200", ">200"];

fn bucket(text: &str) -> usize {
    match text.chars().count() {
        0..=30 => 0,
        31..=80 => 1,
        81..=200 => 2,
        _ => 3,
    }
}

/// µs per text of `f` over `texts`, the best of 3 passes.
fn micros(texts: &[String], f: fn(&str) -> Option<&'static str>) -> f64 {
    (0..3)
        .map(|_| {
            let start = std::time::Instant::now();
            for t in texts {
                std::hint::black_box(f(std::hint::black_box(t)));
            }
            start.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// `--time`: µs per text before (whatlang) and after (the index), and whether they agree.
fn time(name: &str, texts: &[String]) {
    use threadlens::language::{detect, detect_whatlang};
    let same = texts.iter().filter(|t| detect(t) == detect_whatlang(t)).count();
    let (before, after) = (micros(texts, detect_whatlang), micros(texts, detect));
    println!(
        "{name:<22} {:>7} texts  whatlang {before:>6.1} µs/text  index {after:>6.1} µs/text  \
         {:>5.1}x  same answer {same}/{}",
        texts.len(),
        before / after,
        texts.len()
    );
}

fn check(name: &str, want: &str, texts: &[String]) {
    if std::env::args().any(|a| a == "--time") {
        return time(name, texts);
    }
    let (mut n, mut told, mut right) = ([0usize; 4], [0usize; 4], [0usize; 4]);
    // whatlang's unreliable guesses for the texts `detect` leaves undecided.
    let (mut guessed, mut guessed_right) = ([0usize; 4], [0usize; 4]);
    for t in texts {
        let b = bucket(t);
        n[b] += 1;
        if let Some(l) = threadlens::language::detect(t) {
            told[b] += 1;
            right[b] += usize::from(l == want);
        } else if let Some(info) = whatlang::detect(t) {
            guessed[b] += 1;
            let code = info.lang().code();
            guessed_right[b] += usize::from(&code[..2] == want);
        }
    }
    println!("{name} ({want}, {} texts)", texts.len());
    println!("  {:<8} {:>6} {:>8} {:>8} {:>12}", "chars", "texts", "told", "right", "guess right");
    for b in 0..4 {
        let pct = |x: usize, of: usize| if of == 0 { 0.0 } else { 100.0 * x as f64 / of as f64 };
        println!(
            "  {:<8} {:>6} {:>7.1}% {:>7.1}% {:>11.1}%",
            BUCKETS[b],
            n[b],
            pct(told[b], n[b]),
            pct(right[b], told[b]),
            pct(guessed_right[b], guessed[b])
        );
    }
    let (t, r): (usize, usize) = (told.iter().sum(), right.iter().sum());
    println!(
        "  all: told {:.1}%, right {:.2}% of those told",
        100.0 * t as f64 / texts.len() as f64,
        100.0 * r as f64 / t.max(1) as f64
    );
}

fn lines(path: &Path) -> Vec<String> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(f).lines().map(|l| l.expect("UTF-8 text")).collect()
}

fn main() {
    let root: PathBuf = std::env::args()
        .skip(1)
        .find(|a| a != "--time")
        .unwrap_or_else(|| "../shared/data/incivility".into())
        .into();
    // GermEval: text<TAB>label<TAB>fine; line breaks as |LBR|, @-mentions dropped.
    let mut germeval = Vec::new();
    for f in ["germeval2018.training.txt", "germeval2018.test.txt"] {
        for l in lines(&root.join("germeval2018_de").join(f)) {
            let t = l.split('\t').next().unwrap_or("").replace("|LBR|", " ");
            let words: Vec<&str> = t.split_whitespace().filter(|w| !w.starts_with('@')).collect();
            germeval.push(words.join(" "));
        }
    }
    check("GermEval 2018", "de", &germeval);
    let austrotox: Vec<String> = lines(&root.join("austrotox_de/austrotox_de.jsonl"))
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["Comment"].as_str().unwrap_or("").to_string()
        })
        .collect();
    check("AustroTox", "de", &austrotox);
    let mut c3 = csv::Reader::from_path(root.join("c3/C3_anonymized.csv")).expect("C3");
    let col = c3.headers().expect("a header").iter().position(|h| h == "comment_text");
    let col = col.expect("a comment_text column");
    let texts: Vec<String> = c3.records().map(|r| r.expect("a CSV row")[col].to_string()).collect();
    check("C3 (Globe and Mail)", "en", &texts);
}
