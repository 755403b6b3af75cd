//! Issue #17: `language::detect` (whatlang through an index of its trigram profiles) gives
//! exactly `language::detect_whatlang`'s answer (whatlang itself) on every text field of the
//! shared labelled sets, when they are present (every data file under `../shared/data`, the
//! incivility and agreement sets, or under the folder in `THREADLENS_SHARED_DATA`; read only). Without them the test says so and checks nothing here:
//! the generated sample in `src/language/index.rs` runs everywhere.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use threadlens::language::{detect, detect_whatlang};

/// Every string field of a data file: CSV records (the header row too: one file has none),
/// tab-separated lines (GermEval's `|LBR|` as a line break), JSON lines' string values.
fn fields(path: &Path, out: &mut HashSet<String>) {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("PROVENANCE") || name.starts_with("README") || name.starts_with("LICENSE") {
        return;
    }
    match ext {
        "csv" => {
            let mut b = csv::ReaderBuilder::new();
            let mut r = b.flexible(true).has_headers(false).from_path(path).expect("a CSV file");
            for rec in r.records() {
                out.extend(rec.expect("a CSV record").iter().map(str::to_string));
            }
        }
        "tsv" | "txt" => {
            let text = std::fs::read_to_string(path).expect("a UTF-8 file");
            for line in text.lines() {
                out.extend(line.split('\t').map(|f| f.replace("|LBR|", "\n")));
            }
        }
        "jsonl" => {
            let text = std::fs::read_to_string(path).expect("a UTF-8 file");
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                if let Some(o) = v.as_object() {
                    out.extend(o.values().filter_map(|x| x.as_str()).map(str::to_string));
                }
            }
        }
        _ => {}
    }
}

#[test]
fn detect_is_whatlangs_answer_on_the_shared_sets() {
    let root: PathBuf = std::env::var_os("THREADLENS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| "../shared/data".into());
    if !root.is_dir() {
        eprintln!("{}: not present, the shared sets are not checked", root.display());
        return;
    }
    // Each set is a folder of data files.
    let mut sets: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let e = e.expect("a readable folder");
        if e.file_type().is_file() {
            let dir = e.path().parent().expect("a parent").to_path_buf();
            sets.entry(dir).or_default().push(e.path().to_path_buf());
        }
    }
    let mut total = 0;
    for (dir, files) in &sets {
        let mut texts = HashSet::new();
        for f in files {
            fields(f, &mut texts);
        }
        if texts.is_empty() {
            continue;
        }
        let texts: Vec<String> = texts.into_iter().collect();
        let diffs: Vec<String> = texts
            .par_iter()
            .filter_map(|t| {
                let (want, got) = (detect_whatlang(t), detect(t));
                (want != got).then(|| format!("{t:?}: whatlang {want:?}, index {got:?}"))
            })
            .collect();
        let told = texts.par_iter().filter(|t| detect(t).is_some()).count();
        eprintln!(
            "{}: {} distinct text fields, {told} told, {} differ",
            dir.display(),
            texts.len(),
            diffs.len()
        );
        assert!(
            diffs.is_empty(),
            "{}:\n{}",
            dir.display(),
            diffs[..diffs.len().min(20)].join("\n")
        );
        total += texts.len();
    }
    assert!(total > 0, "{}: no data files", root.display());
}
