//! Command-line options and dispatch. Only this module knows the whole
//! pipeline (parse → trees → metrics → tables → export).

pub mod cmd;
pub mod inputs;
pub mod models;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code when some input or output failed (the rest was still done).
pub const EXIT_FAILURE: u8 = 1;

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
        assert_eq!(a.format, threadlens::export::ExportFormat::Parquet);
    }

    #[test]
    fn analyse_out_and_format() {
        let o = parse(&["analyse", "a.txt", "dir", "--out", "res", "--format", "csv"]).unwrap();
        let Command::Analyse(a) = o.command else { panic!() };
        assert_eq!(a.inputs.inputs.len(), 2);
        assert_eq!(a.out, std::path::PathBuf::from("res"));
        assert_eq!(a.format, threadlens::export::ExportFormat::Csv);
        assert!(parse(&["analyse", "--format", "xlsx"]).is_err());
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
    fn report_flags() {
        let Command::Report(r) = parse(&["report", "--tree", "--json"]).unwrap().command else {
            panic!()
        };
        assert!(r.tree && r.json);
        let Command::Report(r) = parse(&["report"]).unwrap().command else { panic!() };
        assert!(!r.tree && !r.json);
    }
}
