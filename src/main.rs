//! The `threadlens` command line: a thin layer over the library.

mod cli;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    return_freed_memory();
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "threadlens: error: {err:#}");
            // A refusal fixed by changing the arguments exits like a usage error.
            if err.downcast_ref::<cli::output::UsageError>().is_some() {
                return ExitCode::from(cli::EXIT_USAGE);
            }
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}

/// glibc's malloc raises its mmap and trim thresholds each time a run frees a large buffer,
/// and from then on keeps freed memory instead of returning it: on 100,000 comments that
/// held about a tenth of the peak memory (BENCHMARKS.md). Fixing both thresholds at 128 KiB,
/// as `MALLOC_TRIM_THRESHOLD_` would, gives it back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only changes malloc's tuning; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}
