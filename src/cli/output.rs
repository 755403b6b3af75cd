//! Files a command writes for the user (`sample --out`, `train --out`, `score --out`,
//! `evaluate --predictions`): never overwrite one that exists unless told to, and never one
//! holding hand labels unless told so explicitly (issue #13).

use std::io::Read;
use std::path::{Path, PathBuf};

use threadlens::export::AtomicFile;

/// A refusal the user can fix by changing the arguments: exit code 2, like any usage error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The flags that allow replacing an existing output file.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct ForceArgs {
    /// Replace the output file if it exists (without this, an existing file is never
    /// overwritten). A file holding labels also needs --force-labels.
    #[arg(long)]
    pub force: bool,
    /// With --force: replace the output file even when it holds labels (a filled-in `label`
    /// column).
    #[arg(long, requires = "force")]
    pub force_labels: bool,
}

/// Check that `path` may be written: it does not exist, or `--force` was given and, when it
/// holds labels, `--force-labels` too. The refusal names the file and the flag.
pub fn check_writable(path: &Path, force: ForceArgs) -> Result<(), UsageError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        // Unreadable metadata: let the write itself report it.
        Err(_) => return Ok(()),
    };
    if meta.is_dir() {
        return Err(UsageError(format!("'{}' is a folder; give a file name", path.display())));
    }
    if !force.force {
        return Err(UsageError(format!(
            "'{}' already exists; not overwriting it (give another name, or --force to replace it)",
            path.display()
        )));
    }
    if !force.force_labels
        && let Some(n) = labelled_rows(path)
    {
        return Err(UsageError(format!(
            "'{}' holds {n} label(s); not overwriting it even with --force (add --force-labels \
             to replace it, or give another name)",
            path.display()
        )));
    }
    Ok(())
}

/// The first free name among `path`, `stem-2.ext`, `stem-3.ext`, …
pub fn next_free(path: &Path) -> PathBuf {
    if std::fs::symlink_metadata(path).is_err() {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (2..)
        .map(|n| path.with_file_name(format!("{stem}-{n}{ext}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("some numbered name is free")
}

/// How many rows of a CSV/TSV file have a non-empty `label` column, if any do. Only the
/// first 64 MiB are looked at: enough for any annotation file.
fn labelled_rows(path: &Path) -> Option<usize> {
    let file = std::fs::File::open(path).ok()?;
    let mut head = Vec::new();
    file.take(64 << 20).read_to_end(&mut head).ok()?;
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let delimiter =
        if first_line.contains(&b'\t') && !first_line.contains(&b',') { b'\t' } else { b',' };
    let mut rdr =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(head.as_slice());
    let headers = rdr.byte_headers().ok()?.clone();
    let col = headers.iter().position(|h| {
        String::from_utf8_lossy(h)
            .trim()
            .trim_start_matches('\u{feff}')
            .eq_ignore_ascii_case("label")
    })?;
    let n = rdr
        .byte_records()
        .filter_map(Result::ok)
        .filter(|r| r.get(col).is_some_and(|v| !v.iter().all(u8::is_ascii_whitespace)))
        .count();
    (n > 0).then_some(n)
}

/// An output file written under a temporary name beside `path` and renamed into place when
/// complete, so an interrupted command leaves any earlier file whole.
pub fn create(path: &Path) -> anyhow::Result<AtomicFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| UsageError(format!("'{}' is not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    Ok(AtomicFile::create(dir, &name)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORCE: ForceArgs = ForceArgs { force: true, force_labels: false };

    #[test]
    fn a_missing_file_may_be_written() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("new.csv"), ForceArgs::default()).is_ok());
    }

    #[test]
    fn an_existing_file_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scores.csv");
        std::fs::write(&p, "id,incivility\n1,0.5\n").unwrap();
        let e = check_writable(&p, ForceArgs::default()).unwrap_err().to_string();
        assert!(e.contains("scores.csv") && e.contains("--force"), "{e}");
        assert!(check_writable(&p, FORCE).is_ok());
    }

    #[test]
    fn a_labelled_file_needs_force_labels() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("to_label.csv");
        std::fs::write(&p, "article_id,text,label\na,\"x, y\",favour\na,z,\nb,w,none\n").unwrap();
        let e = check_writable(&p, FORCE).unwrap_err().to_string();
        assert!(e.contains("2 label(s)") && e.contains("--force-labels"), "{e}");
        assert!(check_writable(&p, ForceArgs { force: true, force_labels: true }).is_ok());
        // An empty label column holds no labels.
        std::fs::write(&p, "article_id,text,label\na,z,\n").unwrap();
        assert!(check_writable(&p, FORCE).is_ok());
    }

    #[test]
    fn next_free_numbers_the_stem() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("to_label.csv");
        assert_eq!(next_free(&p), p);
        std::fs::write(&p, "").unwrap();
        assert_eq!(next_free(&p), dir.path().join("to_label-2.csv"));
        std::fs::write(dir.path().join("to_label-2.csv"), "").unwrap();
        assert_eq!(next_free(&p), dir.path().join("to_label-3.csv"));
    }
}
