//! Writes a deterministic synthetic corpus of reader comments for the benchmarks
//! (`scripts/bench`): JSON Lines files of `--per-file` discussions each, or one WordPress HTML
//! page per discussion. The shapes are described in `benches/synth/mod.rs`.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --comments 100000 --out /tmp/corpus
//! cargo run --release --example gen_corpus -- --comments 10000 --format html --out /tmp/pages
//! cargo run --release --example gen_corpus -- --comments 10000000 --format dump --out /tmp/dump
//! ```
//!
//! Prints on stderr what it wrote, the corpus' shape and a digest of its bytes (the same
//! digest on every platform for the same `--comments` and `--seed`).

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Parser;

/// Write a deterministic synthetic comment corpus.
#[derive(Debug, Parser)]
#[command(name = "gen_corpus")]
struct Args {
    /// Comments in all (discussion sizes are drawn until they add up to this).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    comments: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = synth::SEED)]
    seed: u64,
    /// Folder to write to (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// jsonl: `comments-NNNNN.jsonl` files of --per-file discussions, one comment per line
    /// (id, parent_id, article_id, author, timestamp, text); html: one WordPress page per
    /// discussion, `<article_id>.html`; dump: a Reddit dump pair, `RC_synthetic.zst` (one
    /// comment object per line, the threads of each --per-file discussions interleaved as
    /// in a month's file) and `RS_synthetic.zst` (one submission per discussion).
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "html", "dump"])]
    format: String,
    /// Discussions per JSONL file.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    per_file: u64,
}

/// FNV-1a over every byte written, in order: a digest that needs no dependency.
struct Digest(u64);

impl Digest {
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[derive(Default)]
struct Shape {
    discussions: u64,
    comments: u64,
    top_level: u64,
    empty: u64,
    max_depth: u32,
    depth_over_10: u64,
    largest: usize,
    chars: Vec<u32>,
    sizes: Vec<u32>,
    authors: std::collections::HashSet<String>,
}

impl Shape {
    fn add(&mut self, d: &synth::Discussion) {
        self.discussions += 1;
        self.comments += d.comments.len() as u64;
        self.largest = self.largest.max(d.comments.len());
        self.sizes.push(d.comments.len() as u32);
        for c in &d.comments {
            self.top_level += u64::from(c.parent.is_none());
            self.empty += u64::from(c.text.is_empty());
            self.max_depth = self.max_depth.max(c.depth);
            self.depth_over_10 += u64::from(c.depth > 10);
            self.chars.push(c.text.chars().count() as u32);
            if !self.authors.contains(&c.author) {
                self.authors.insert(c.author.clone());
            }
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(path)
            .with_context(|| format!("could not create '{}'", path.display()))?,
    );
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .with_context(|| format!("could not write '{}'", path.display()))
}

/// The files written so far.
struct Output<'a> {
    dir: &'a Path,
    digest: Digest,
    files: u64,
    bytes: u64,
}

impl Output<'_> {
    fn flush(&mut self, buf: &mut String, name: String) -> anyhow::Result<()> {
        self.digest.update(buf.as_bytes());
        write_file(&self.dir.join(name), buf.as_bytes())?;
        self.files += 1;
        self.bytes += buf.len() as u64;
        buf.clear();
        Ok(())
    }
}

/// A zstd-compressed file being written, with the digest of its uncompressed bytes.
struct Zst {
    z: zstd::stream::write::Encoder<'static, std::io::BufWriter<std::fs::File>>,
    bytes: u64,
}

impl Zst {
    fn create(path: &Path) -> anyhow::Result<Zst> {
        let file = std::fs::File::create(path)
            .with_context(|| format!("could not create '{}'", path.display()))?;
        Ok(Zst {
            z: zstd::stream::write::Encoder::new(std::io::BufWriter::new(file), 3)?,
            bytes: 0,
        })
    }

    fn line(&mut self, digest: &mut Digest, v: &serde_json::Value) -> anyhow::Result<()> {
        let mut line = v.to_string();
        line.push('\n');
        digest.update(line.as_bytes());
        self.bytes += line.len() as u64;
        self.z.write_all(line.as_bytes())?;
        Ok(())
    }
}

/// The corpus as a Reddit dump pair (`--format dump`): comments in `RC_synthetic.zst`, the
/// threads of each `--per-file` discussions interleaved one comment at a time, submissions
/// in `RS_synthetic.zst`. Returns the files and (uncompressed) bytes written and the digest.
fn write_dump(
    generator: &synth::Generator,
    args: &Args,
    shape: &mut Shape,
) -> anyhow::Result<(u64, u64, Digest)> {
    use serde_json::json;
    let mut digest = Digest(0xcbf2_9ce4_8422_2325);
    let mut rc = Zst::create(&args.out.join("RC_synthetic.zst"))?;
    let mut rs = Zst::create(&args.out.join("RS_synthetic.zst"))?;
    let mut chunk: Vec<synth::Discussion> = Vec::new();
    let flush = |chunk: &mut Vec<synth::Discussion>,
                 digest: &mut Digest,
                 rc: &mut Zst|
     -> anyhow::Result<()> {
        let longest = chunk.iter().map(|d| d.comments.len()).max().unwrap_or(0);
        for i in 0..longest {
            for d in chunk.iter().filter(|d| i < d.comments.len()) {
                let c = &d.comments[i];
                let parent = match d.parent_id(c) {
                    Some(p) => format!("t1_{p}"),
                    None => format!("t3_{}", d.id),
                };
                rc.line(
                    digest,
                    &json!({
                        "id": c.id.to_string(), "link_id": format!("t3_{}", d.id),
                        "parent_id": parent, "author": c.author, "body": c.text,
                        "subreddit": "synthetic", "created_utc": c.timestamp, "score": 1,
                        "distinguished": null, "edited": false, "stickied": false,
                    }),
                )?;
            }
        }
        chunk.clear();
        Ok(())
    };
    for d in generator.corpus(args.comments) {
        shape.add(&d);
        rs.line(
            &mut digest,
            &json!({
                "id": d.id, "title": d.title, "selftext": d.body, "author": "op",
                "permalink": format!("/r/synthetic/comments/{}/", d.id), "subreddit": "synthetic",
                "created_utc": d.published, "num_comments": d.comments.len(),
            }),
        )?;
        chunk.push(d);
        if chunk.len() as u64 == args.per_file {
            flush(&mut chunk, &mut digest, &mut rc)?;
        }
    }
    flush(&mut chunk, &mut digest, &mut rc)?;
    let bytes = rc.bytes + rs.bytes;
    rc.z.finish()?.flush()?;
    rs.z.finish()?.flush()?;
    Ok((2, bytes, digest))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("could not create '{}'", args.out.display()))?;
    let started = std::time::Instant::now();
    let generator = synth::Generator::new(args.seed);
    let mut out =
        Output { dir: &args.out, digest: Digest(0xcbf2_9ce4_8422_2325), files: 0, bytes: 0 };
    let mut shape = Shape::default();
    let mut buf = String::new();
    let mut in_file = 0;
    if args.format == "dump" {
        let (files, bytes, digest) = write_dump(&generator, &args, &mut shape)?;
        (out.files, out.bytes, out.digest) = (files, bytes, digest);
    }
    for d in generator.corpus(if args.format == "dump" { 0 } else { args.comments }) {
        shape.add(&d);
        if args.format == "html" {
            buf.push_str(&synth::html_page(&d));
            out.flush(&mut buf, format!("{}.html", d.id))?;
        } else {
            synth::write_jsonl(&d, &mut buf);
            in_file += 1;
            if in_file == args.per_file {
                let name = format!("comments-{:05}.jsonl", out.files + 1);
                out.flush(&mut buf, name)?;
                in_file = 0;
            }
        }
    }
    if !buf.is_empty() {
        let name = format!("comments-{:05}.jsonl", out.files + 1);
        out.flush(&mut buf, name)?;
    }
    let Output { digest, files, bytes, .. } = out;
    shape.chars.sort_unstable();
    shape.sizes.sort_unstable();
    let pct = |x: u64| 100.0 * x as f64 / shape.comments.max(1) as f64;
    eprintln!(
        "gen_corpus: {} comments in {} discussions, {} {} files, {:.1} MB in {:.1} s, seed {}, digest {:016x}",
        shape.comments,
        shape.discussions,
        files,
        args.format,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        args.seed,
        digest.0
    );
    eprintln!(
        "gen_corpus: discussion sizes median {}, p90 {}, p99 {}, largest {}; top level {:.1}%, \
         max depth {}, depth > 10 {:.2}%; {} authors; text median {} chars, p99 {}, longest {}, empty {:.2}%",
        percentile(&shape.sizes, 0.5),
        percentile(&shape.sizes, 0.9),
        percentile(&shape.sizes, 0.99),
        shape.largest,
        pct(shape.top_level),
        shape.max_depth,
        pct(shape.depth_over_10),
        shape.authors.len(),
        percentile(&shape.chars, 0.5),
        percentile(&shape.chars, 0.99),
        shape.chars.last().copied().unwrap_or(0),
        pct(shape.empty),
    );
    Ok(())
}
