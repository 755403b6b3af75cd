//! The `threadlens` command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("threadlens: error: {err:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
