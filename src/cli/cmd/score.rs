//! `threadlens score`: score the texts of a table (one comment per row) with the incivility
//! model, without building reply trees.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use threadlens::classify::incivility;

use crate::cli::EXIT_FAILURE;
use crate::cli::models::ModelArgs;
use crate::cli::output::{self, ForceArgs};

pub const EXAMPLES: &str = "\
Examples:
  threadlens score comments.csv > scores.csv
  threadlens score tweets.jsonl --text-col full_text --id-col id_str --out scores.csv
  threadlens score labelled.csv --model my_incivility.json

Each row of a CSV, TSV or JSONL file is one text; the text column is found by name (text,
comment_text, body, comment, content, message, tweet) or named with --text-col. The output is
CSV: the id (or the 1-based row), the file, incivility, uncivil, forms and cues (as JSON), the
text's language and score_status. Each text is scored by the shipped model of its language
(English, German); one in another language gets empty scores and `unsupported_language`.
--language en skips detection and reads every text as English; with --model every text is read
in that model's language. The time taken and the rate are printed on stderr.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV, TSV or JSONL files, one text per row.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Column holding the text.
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// Column to copy into the output as the row's id (default: the 1-based row number).
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    /// Write the scores here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub force: ForceArgs,
    #[command(flatten)]
    pub models: ModelArgs,
    /// The texts' language (ISO 639-1, e.g. en, de), or `auto` to detect each text's
    /// [default: auto; with --model, the model's language].
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,
}

const TEXT_COLS: [&str; 7] =
    ["text", "comment_text", "body", "comment", "content", "message", "tweet"];

/// The texts of a file with their ids.
fn read_texts(
    path: &Path,
    text_col: Option<&str>,
    id_col: Option<&str>,
) -> anyhow::Result<Vec<(String, String)>> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let bytes =
        std::fs::read(path).with_context(|| format!("could not read '{}'", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("'{}' is not UTF-8: {e}", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let pick = |keys: &[String], given: Option<&str>, defaults: &[&str], what: &str| match given {
        Some(c) => keys.iter().position(|k| k == c).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: no `{c}` column for the {what} (columns: {})",
                path.display(),
                keys.join(", ")
            )
        }),
        None => defaults
            .iter()
            .find_map(|d| keys.iter().position(|k| k.eq_ignore_ascii_case(d)))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: no {what} column found (columns: {}); name it with --text-col",
                    path.display(),
                    keys.join(", ")
                )
            }),
    };
    let mut out = Vec::new();
    if ext == "jsonl" || ext == "ndjson" {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{}, line {}: not JSON", path.display(), i + 1))?;
            let serde_json::Value::Object(map) = v else {
                anyhow::bail!("{}, line {}: expected a JSON object", path.display(), i + 1);
            };
            let keys: Vec<String> = map.keys().cloned().collect();
            let t = &keys[pick(&keys, text_col, &TEXT_COLS, "text")?];
            let as_text = |v: Option<&serde_json::Value>| match v {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let id = match id_col {
                Some(c) => as_text(map.get(c)),
                None => (out.len() + 1).to_string(),
            };
            out.push((id, as_text(map.get(t))));
        }
    } else {
        let delimiter = if ext == "tsv" { b'\t' } else { b',' };
        let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
        let keys: Vec<String> = rdr
            .headers()
            .with_context(|| format!("{}, line 1: no header row", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let t = pick(&keys, text_col, &TEXT_COLS, "text")?;
        let id = id_col.map(|c| pick(&keys, Some(c), &[], "id")).transpose()?;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                anyhow::anyhow!("{}, line {line}: {e}", path.display())
            })?;
            let row_id = match id {
                Some(i) => rec.get(i).unwrap_or("").to_string(),
                None => (out.len() + 1).to_string(),
            };
            out.push((row_id, rec.get(t).unwrap_or("").to_string()));
        }
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // An existing file is never replaced without --force (#13); the scores go to a temporary
    // file renamed into place when complete.
    let file = match &args.out {
        Some(p) => {
            output::check_writable(p, args.force)?;
            Some(output::create(p)?)
        }
        None => None,
    };
    let model = args.models.incivility()?;
    let language = match args.language.as_deref() {
        Some("auto") => None,
        Some(l) => Some(l.to_string()),
        None if !args.models.models.is_empty() => Some(model.language().to_string()),
        None => None,
    };
    let scorers = threadlens::scores::Scorers {
        incivility: Some(model),
        incivility_languages: match args.models.models.is_empty() {
            true => vec![incivility::shipped_model_de()],
            false => Vec::new(),
        },
        ..Default::default()
    };
    let sink: Box<dyn Write> = match &file {
        Some(f) => Box::new(f.as_file()),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(sink);
    w.write_record([
        "id",
        "file",
        "incivility",
        "uncivil",
        "forms",
        "cues",
        "language",
        "score_status",
    ])?;
    let mut failed = false;
    let (mut n, mut scoring) = (0usize, std::time::Duration::ZERO);
    let started = Instant::now();
    for path in &args.files {
        let rows = match read_texts(path, args.text_col.as_deref(), args.id_col.as_deref()) {
            Ok(rows) => rows,
            Err(e) => {
                say!("threadlens: error: {e:#}");
                failed = true;
                continue;
            }
        };
        let file = path.display().to_string();
        for (id, text) in rows {
            let t0 = Instant::now();
            let s = scorers.score_text(&text, language.as_deref());
            scoring += t0.elapsed();
            n += 1;
            let (p, uncivil, forms, cues) = match &s.incivility {
                Some(i) => (
                    format!("{:.6}", i.probability),
                    if i.uncivil { "true" } else { "false" },
                    serde_json::to_string(&i.forms)?,
                    serde_json::to_string(&i.cues)?,
                ),
                None => (String::new(), "", String::new(), String::new()),
            };
            w.write_record([
                id.as_str(),
                file.as_str(),
                &p,
                uncivil,
                &forms,
                &cues,
                s.language.unwrap_or(""),
                s.status.as_str(),
            ])?;
        }
    }
    w.flush()?;
    drop(w);
    if let Some(f) = file {
        f.commit()?;
    }
    let total = started.elapsed().as_secs_f64();
    let rate = |secs: f64| if secs > 0.0 { n as f64 / secs } else { f64::INFINITY };
    say!(
        "threadlens: scored {n} texts in {total:.3} s ({:.0}/s end to end; scoring alone \
         {:.3} s, {:.0}/s, language detection included unless --language), one thread",
        rate(total),
        scoring.as_secs_f64(),
        rate(scoring.as_secs_f64())
    );
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
}
