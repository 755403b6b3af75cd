//! Command-line options and dispatch. Only this module knows the whole
//! pipeline (parse → trees → metrics → tables → export).

/// `eprintln!` that never panics: a message to a closed stderr (`threadlens analyse … 2>&1 |
/// head`) is dropped and the run goes on, where `eprintln!` panicked and the run was lost.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cmd;
pub mod inputs;
pub mod models;
pub mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code when some input or output failed (the rest was still done).
pub const EXIT_FAILURE: u8 = 1;

/// Exit code for wrong arguments (clap's), and for a refusal the arguments can fix (an output
/// file that exists without --force).
pub const EXIT_USAGE: u8 = 2;

const ABOUT: &str = "Analyse reader-comment discussions under news articles: \
reply trees, thread structure, tables for notebooks.";

#[derive(Debug, Parser)]
#[command(name = "threadlens", version, about = ABOUT, propagate_version = true)]
pub struct Opts {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse inputs and write the articles, threads, comments and
    /// anomalies tables.
    #[command(after_help = cmd::analyse::EXAMPLES)]
    Analyse(cmd::analyse::Args),
    /// Print, per discussion, the article, its structure metrics and
    /// anomalies; optionally the reply tree.
    #[command(after_help = cmd::report::EXAMPLES)]
    Report(cmd::report::Args),
    /// Fit a classifier (incivility, stance, or your own stance target) on
    /// labelled data and write the model file.
    #[command(after_help = cmd::train::EXAMPLES)]
    Train(cmd::train::Args),
    /// Score labelled data with a model: ROC-AUC, PR-AUC, F1, calibration
    /// (binary) or macro-F1 and per-class figures (multiclass), with
    /// bootstrap intervals; --folds K cross-validates the model's recipe.
    #[command(after_help = cmd::evaluate::EXAMPLES)]
    Evaluate(cmd::evaluate::Args),
    /// Score the texts of a CSV, TSV or JSONL file (one per row) for incivility, without
    /// building reply trees.
    #[command(after_help = cmd::score::EXAMPLES)]
    Score(cmd::score::Args),
    /// Draw comments to annotate for a stance target of your own, spread over discussions
    /// and depths (the most uncertain first with --model).
    #[command(after_help = cmd::sample::EXAMPLES)]
    Sample(cmd::sample::Args),
    /// How well the incivility cues agree with words people marked as toxic (SemEval-2021
    /// toxic spans): mean per-post span F1 on held-out rows.
    #[command(after_help = cmd::spans::EXAMPLES)]
    Spans(cmd::spans::Args),
    /// Print the exported tables' columns, types and meanings.
    #[command(after_help = cmd::schema::EXAMPLES)]
    Schema(cmd::schema::Args),
}

/// Parse the command line and run it.
pub fn run() -> anyhow::Result<ExitCode> {
    let opts = Opts::parse();
    match opts.command {
        Command::Analyse(args) => cmd::analyse::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Evaluate(args) => cmd::evaluate::run(args),
        Command::Score(args) => cmd::score::run(args),
        Command::Sample(args) => cmd::sample::run(args),
        Command::Spans(args) => cmd::spans::run(args),
        Command::Schema(args) => cmd::schema::run(args),
    }
}

/// Whether an error is a closed pipe on stdout (`threadlens report | head`),
/// which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cli::cmd::analyse::OutputFormat;

    fn parse(args: &[&str]) -> Result<Opts, clap::Error> {
        Opts::try_parse_from(std::iter::once("threadlens").chain(args.iter().copied()))
    }

    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        Opts::command().debug_assert();
    }

    #[test]
    fn analyse_defaults() {
        let Command::Analyse(a) = parse(&["analyse"]).unwrap().command else { panic!() };
        assert!(a.inputs.inputs.is_empty());
        assert_eq!(a.out, std::path::PathBuf::from("out"));
        assert_eq!(a.format, OutputFormat::Tables(threadlens::export::ExportFormat::Parquet));
    }

    #[test]
    fn analyse_out_and_format() {
        let o = parse(&["analyse", "a.txt", "dir", "--out", "res", "--format", "csv"]).unwrap();
        let Command::Analyse(a) = o.command else { panic!() };
        assert_eq!(a.inputs.inputs.len(), 2);
        assert_eq!(a.out, std::path::PathBuf::from("res"));
        assert_eq!(a.format, OutputFormat::Tables(threadlens::export::ExportFormat::Csv));
        assert!(parse(&["analyse", "--format", "xlsx"]).is_err());
        let o = parse(&["analyse", "--format", "convokit", "--out", "corpus"]).unwrap();
        let Command::Analyse(a) = o.command else { panic!() };
        assert_eq!(a.format, OutputFormat::Convokit);
    }

    #[test]
    fn input_format_flag() {
        let o = parse(&["report", "--input-format", "text", "x"]).unwrap();
        let Command::Report(r) = o.command else { panic!() };
        assert_eq!(r.inputs.input_format, Some(threadlens::parse::Format::Text));
        assert!(parse(&["report", "--input-format", "pdf"]).is_err());
    }

    #[test]
    fn table_column_flags() {
        let o = parse(&[
            "analyse",
            "x.csv",
            "--id-col",
            "cid",
            "--parent-col",
            "re",
            "--text-col",
            "t",
        ])
        .unwrap();
        let Command::Analyse(a) = o.command else { panic!() };
        let t = a.inputs.parse_options().table;
        assert_eq!(
            (t.id.as_deref(), t.parent.as_deref(), t.text.as_deref()),
            (Some("cid"), Some("re"), Some("t"))
        );
        assert_eq!((t.discussion, t.author, t.time), (None, None, None));
    }

    #[test]
    fn train_flags() {
        let o = parse(&[
            "train",
            "--task",
            "target",
            "--data",
            "l.csv",
            "--labels",
            "favour, against,none",
            "--out",
            "m.json",
            "--name",
            "police",
            "--alpha",
            "2",
            "--seed",
            "7",
        ])
        .unwrap();
        let Command::Train(t) = o.command else { panic!() };
        assert_eq!(t.task, threadlens::classify::Task::Target);
        assert_eq!(t.labels.unwrap().0, ["favour", "against", "none"]);
        assert_eq!((t.name.as_deref(), t.alpha, t.seed), (Some("police"), Some(2.0), Some(7)));
        assert!(
            parse(&["train", "--task", "target", "--data", "x", "--out", "m", "--labels", "a"])
                .is_err()
        );
        assert!(
            parse(&["train", "--task", "target", "--data", "x", "--out", "m", "--labels", "a,a"])
                .is_err()
        );
        assert!(parse(&["train", "--task", "nope", "--data", "x", "--out", "m"]).is_err());
        assert!(parse(&["train", "--task", "stance", "--out", "m"]).is_err(), "--data is required");
    }

    #[test]
    fn evaluate_flags() {
        let o =
            parse(&["evaluate", "--model", "m.json", "--data", "a.csv", "b.csv", "--folds", "5"])
                .unwrap();
        let Command::Evaluate(e) = o.command else { panic!() };
        assert_eq!((e.folds, e.data.data.len(), e.bootstrap), (Some(5), 2, 1000));
        assert!(parse(&["evaluate", "--model", "m", "--data", "a", "--folds", "1"]).is_err());
        assert!(parse(&["evaluate", "--model", "m", "--data", "a", "--split", "some"]).is_err());
        let o = parse(&["evaluate", "--model", "m", "--data", "a", "--leave-topic-out"]).unwrap();
        let Command::Evaluate(e) = o.command else { panic!() };
        assert!(e.leave_topic_out && e.folds.is_none());
        for other in [["--folds", "5"], ["--baselines", "--json"]] {
            let mut args = vec!["evaluate", "--model", "m", "--data", "a", "--leave-topic-out"];
            args.extend(other);
            assert!(parse(&args).is_err(), "{other:?}");
        }
    }

    #[test]
    fn model_flags() {
        let o = parse(&["analyse", "--model", "a.json", "--model", "b.json"]).unwrap();
        let Command::Analyse(a) = o.command else { panic!() };
        assert_eq!(a.models.models.len(), 2);
        assert!(!a.models.no_scores);
        assert!(parse(&["report", "--no-scores", "--model", "a.json"]).is_err(), "conflict");
    }

    #[test]
    fn sample_and_score_flags() {
        let o = parse(&["sample", "c/", "--n", "50", "--seed", "3"]).unwrap();
        let Command::Sample(s) = o.command else { panic!() };
        assert_eq!((s.n, s.seed, s.out), (50, 3, None));
        assert!(!s.force.force && !s.force.force_labels);
        assert!(parse(&["sample", "--force-labels"]).is_err(), "--force-labels needs --force");
        let o = parse(&["sample", "--out", "l.csv", "--force", "--force-labels"]).unwrap();
        let Command::Sample(s) = o.command else { panic!() };
        assert!(s.force.force && s.force.force_labels);
        for cmd in [
            &["score", "t.csv", "--force"][..],
            &["train", "--task", "stance", "--data", "x", "--out", "m", "--force"],
            &["evaluate", "--model", "m", "--data", "a", "--force"],
        ] {
            assert!(parse(cmd).is_ok(), "{cmd:?}");
        }
        assert!(parse(&["sample", "--n", "0"]).is_err());
        let o = parse(&["score", "t.csv", "--text-col", "body", "--id-col", "id"]).unwrap();
        let Command::Score(s) = o.command else { panic!() };
        assert_eq!((s.text_col.as_deref(), s.id_col.as_deref()), (Some("body"), Some("id")));
        assert!(parse(&["score"]).is_err(), "a file is required");
    }

    #[test]
    fn report_flags() {
        let Command::Report(r) = parse(&["report", "--tree", "--json"]).unwrap().command else {
            panic!()
        };
        assert!(r.tree && r.json);
        let Command::Report(r) = parse(&["report"]).unwrap().command else { panic!() };
        assert!(!r.tree && !r.json);
    }
}
