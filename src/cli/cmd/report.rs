//! `threadlens report`: per discussion, what it is and how it is shaped.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use threadlens::html_report::HtmlReport;
use threadlens::report::{self, DiscussionReport};
use threadlens::scores::DiscussionScores;

use crate::cli::inputs::{self, InputArgs};
use crate::cli::models::ModelArgs;
use crate::cli::output::{self, ForceArgs};

pub const EXAMPLES: &str = "\
Examples:
  threadlens report                     # the bundled seeds/
  threadlens report --tree              # with each reply tree, uncivil comments and their cues
  threadlens report captures/ --json > report.json
  threadlens report captures/ --html report.html   # one page: summaries, trees, charts

--html writes one self-contained page (CSS, script and charts inline; nothing is loaded from
the network): per discussion the summary as a card, the reply tree (collapsible, each comment
marked with its incivility, stance, side and cue words) and charts; with several discussions an
overview table links to each. An existing file is not replaced without --force.";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Draw each discussion's reply tree (first 70 characters of each
    /// comment).
    #[arg(long)]
    pub tree: bool,
    /// Print the report as JSON (an array, one object per discussion).
    #[arg(long)]
    pub json: bool,
    /// Write the report as one self-contained HTML page to FILE (summaries, reply trees,
    /// charts) instead of printing it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "tree"])]
    pub html: Option<PathBuf>,
    /// With --html: replace FILE if it exists (without this, an existing file is never
    /// overwritten).
    #[arg(long, requires = "html")]
    pub force: bool,
    #[command(flatten)]
    pub models: ModelArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.html {
        return run_html(&args, path);
    }
    let scorers = args.models.scorers()?;
    let mut stdout = std::io::stdout().lock();
    let mut reports = Vec::new();
    let mut first = true;
    let outcome = inputs::for_each_discussion(&args.inputs, |d| {
        let scores = DiscussionScores::new(&d, &scorers);
        let r = DiscussionReport::new(&d, &scores, args.tree);
        if args.json {
            reports.push(r);
        } else {
            // Print as we go, a blank line between discussions.
            if !first {
                writeln!(stdout)?;
            }
            first = false;
            stdout.write_all(report::render(std::slice::from_ref(&r)).as_bytes())?;
        }
        Ok(())
    })?;
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &reports)?;
        writeln!(stdout)?;
    }
    stdout.flush()?;
    if outcome.failures > 0 {
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--html FILE`: the page, written under a temporary name and renamed into place when
/// complete (issue #18).
fn run_html(args: &Args, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    // Before any work: an existing file is never replaced without --force (#13), and a file
    // holding labels not even then.
    output::check_writable(path, ForceArgs { force: args.force, force_labels: false })?;
    let scorers = args.models.scorers()?;
    let mut page = HtmlReport::new();
    let outcome = inputs::for_each_discussion(&args.inputs, |d| {
        let scores = DiscussionScores::new(&d, &scorers);
        page.add(&d, &scores);
        Ok(())
    })?;
    if page.is_empty() {
        say!("threadlens: error: no discussion was read; '{}' not written", path.display());
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    let file = output::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.as_file());
        page.write_to(&mut w)?;
        w.flush()?;
    }
    file.commit()?;
    say!(
        "threadlens: wrote {} ({} discussion{})",
        path.display(),
        page.len(),
        if page.len() == 1 { "" } else { "s" }
    );
    if outcome.failures > 0 {
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Command, Opts};

    fn parse(args: &[&str]) -> Result<Opts, clap::Error> {
        Opts::try_parse_from(std::iter::once("threadlens").chain(args.iter().copied()))
    }

    #[test]
    fn html_flag() {
        let Command::Report(r) = parse(&["report", "--html", "r.html"]).unwrap().command else {
            panic!()
        };
        assert_eq!(r.html.as_deref(), Some(std::path::Path::new("r.html")));
        assert!(!r.force);
        let o = parse(&["report", "x", "--html", "r.html", "--force"]).unwrap();
        let Command::Report(r) = o.command else { panic!() };
        assert!(r.force);
        assert!(parse(&["report", "--html"]).is_err(), "a file is required");
        assert!(parse(&["report", "--force"]).is_err(), "--force needs --html");
        assert!(parse(&["report", "--html", "r.html", "--json"]).is_err());
        assert!(parse(&["report", "--html", "r.html", "--tree"]).is_err());
    }
}
