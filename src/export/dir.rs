//! An output folder replaced as a set (issue #13): a run's tables are written into a staging
//! folder beside the target and, once every table is complete, put in place in one step, with a
//! manifest (`run.json`) saying what the folder holds. A run that fails or is killed leaves the
//! earlier tables whole; a later run removes the staging folders killed runs left behind.
//!
//! How the set is put in place:
//! - the target does not exist: the staging folder is renamed to it;
//! - the target holds only what threadlens writes (tables, `run.json`, its own temporaries):
//!   the two folders are exchanged atomically (`renameat2(RENAME_EXCHANGE)` on Linux; elsewhere
//!   two renames, with the earlier folder kept aside until the new one is in place), then the
//!   earlier one is removed;
//! - the target also holds other files (the user's): they are never moved or removed; the
//!   earlier `run.json` is removed first, the tables are renamed in one by one, earlier tables
//!   of this run's set that the new run did not write are removed, and `run.json` comes last —
//!   so a folder whose `run.json` is missing is one whose replacement was interrupted.
//!
//! ```
//! use threadlens::export::OutputDir;
//!
//! let parent = tempfile::tempdir()?;
//! let target = parent.path().join("results");
//! let dir = OutputDir::create(&target)?;
//! std::fs::write(dir.staging().join("articles.csv"), "article_id\na\n")?;
//! assert!(!target.exists(), "nothing is in place before commit");
//! dir.commit(&serde_json::json!({"articles": 1}))?;
//! assert!(target.join("articles.csv").exists() && target.join("run.json").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{ExportError, ExportFormat, TABLES};

/// The manifest's file name.
pub const MANIFEST: &str = "run.json";

/// Marks the names of staging folders, so a later run knows its own leftovers.
const STAGING_TAG: &str = ".threadlens-";

/// A folder a run's tables are written into, put in place by [`commit`](Self::commit); dropped
/// without it, the staging folder is removed and the target is left as it was.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.to_path_buf(), source }
}

impl OutputDir {
    /// Prepares a run into `target`: removes staging folders and temporary tables that killed
    /// runs left beside or inside it, and creates a fresh staging folder beside it (inside it
    /// when its parent is not writable). `target` itself is not touched.
    pub fn create(target: &Path) -> Result<OutputDir, ExportError> {
        if target.exists() && !target.is_dir() {
            return Err(ExportError::Io {
                path: target.to_path_buf(),
                source: std::io::Error::other("exists and is not a folder"),
            });
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_string());
        let prefix = format!(".{name}{STAGING_TAG}{}-", std::process::id());
        remove_stale(&parent, &format!(".{name}{STAGING_TAG}"));
        if target.is_dir() {
            remove_stale(target, STAGING_TAG);
            remove_stale_tables(target);
        }
        let staging =
            match tempfile::Builder::new().prefix(&prefix).suffix(".tmp").tempdir_in(&parent) {
                Ok(d) => d.keep(),
                // A parent we may not write to (e.g. `--out /mnt/share/results` with only the
                // folder writable): stage inside the target.
                Err(_) => {
                    std::fs::create_dir_all(target).map_err(io_err(target))?;
                    tempfile::Builder::new()
                        .prefix(&format!("{STAGING_TAG}{}-", std::process::id()))
                        .suffix(".tmp")
                        .tempdir_in(target)
                        .map_err(io_err(target))?
                        .keep()
                }
            };
        Ok(OutputDir { target: target.to_path_buf(), staging, committed: false })
    }

    /// The folder to write this run's tables into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The folder the tables end up in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes `manifest` as `run.json` into the staging folder and puts the whole set in place
    /// (see the module docs). Returns the target.
    pub fn commit(mut self, manifest: &serde_json::Value) -> Result<PathBuf, ExportError> {
        let path = self.staging.join(MANIFEST);
        let mut f = std::fs::File::create(&path).map_err(io_err(&path))?;
        let text = serde_json::to_string_pretty(manifest).expect("a JSON value serialises") + "\n";
        f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).map_err(io_err(&path))?;
        drop(f);
        let staged_inside = self.staging.parent() == Some(self.target.as_path());
        let target_is_link =
            std::fs::symlink_metadata(&self.target).is_ok_and(|m| m.file_type().is_symlink());
        if !staged_inside && !target_is_link && !self.target.exists() {
            std::fs::rename(&self.staging, &self.target).map_err(io_err(&self.target))?;
        } else if !staged_inside && !target_is_link && holds_only_ours(&self.target)? {
            exchange(&self.staging, &self.target)?;
            // The staging path now holds the earlier run.
            std::fs::remove_dir_all(&self.staging).map_err(io_err(&self.staging))?;
        } else {
            self.replace_file_by_file()?;
        }
        sync_dir(&self.target);
        self.committed = true;
        Ok(self.target.clone())
    }

    /// Puts the set in place one file at a time, in a folder that also holds other files.
    fn replace_file_by_file(&self) -> Result<(), ExportError> {
        let manifest = self.target.join(MANIFEST);
        let earlier = set_file_names(&self.target);
        let mut new = Vec::new();
        for entry in std::fs::read_dir(&self.staging).map_err(io_err(&self.staging))? {
            let entry = entry.map_err(io_err(&self.staging))?;
            if entry.file_name() != MANIFEST {
                new.push(entry.file_name());
            }
        }
        // Something other than a file in a table's place (a folder of the user's) fails the
        // run before anything is moved.
        for name in &new {
            let to = self.target.join(name);
            if std::fs::symlink_metadata(&to).is_ok_and(|m| !m.is_file()) {
                return Err(io_err(&to)(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "Is a directory",
                )));
            }
        }
        match std::fs::remove_file(&manifest) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&manifest)(e)),
            _ => {}
        }
        for name in &new {
            let to = self.target.join(name);
            std::fs::rename(self.staging.join(name), &to).map_err(io_err(&to))?;
        }
        // Earlier tables (or corpus files) this run did not write (another format) are not
        // part of its set.
        for name in earlier {
            if !new.iter().any(|n| n.to_str() == Some(name.as_str())) {
                let _ = std::fs::remove_file(self.target.join(&name));
            }
        }
        std::fs::rename(self.staging.join(MANIFEST), &manifest).map_err(io_err(&manifest))?;
        std::fs::remove_dir(&self.staging).map_err(io_err(&self.staging))?;
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Every table file name a run may write: the six tables in each format (a ConvoKit corpus's
/// files are in [`set_file_names`] when a folder's manifest says it holds one).
fn table_file_names() -> Vec<String> {
    let formats = [ExportFormat::Parquet, ExportFormat::Csv, ExportFormat::Jsonl];
    TABLES
        .iter()
        .flat_map(|t| formats.iter().map(move |f| format!("{}.{}", t.name, f.extension())))
        .collect()
}

/// Whether the manifest in `dir` is that of a ConvoKit corpus (`"format": "convokit"`): only
/// then are the corpus files there threadlens' (their names, `index.json`, `corpus.json`, are
/// too common to be taken for ours otherwise).
fn holds_convokit(dir: &Path) -> bool {
    std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m.get("format").and_then(|f| f.as_str()) == Some("convokit"))
}

/// The file names of the set an earlier run left in `dir`: the tables, and the corpus files
/// when it wrote a ConvoKit corpus.
fn set_file_names(dir: &Path) -> Vec<String> {
    let mut names = table_file_names();
    if holds_convokit(dir) {
        names.extend(super::convokit::FILES.iter().map(|f| f.to_string()));
    }
    names
}

/// Whether a file name is one threadlens writes into an output folder (a table, the
/// manifest, or a temporary file of either; the corpus files when `convokit`).
fn is_ours(name: &str, convokit: bool) -> bool {
    let tables = table_file_names();
    name == MANIFEST
        || (convokit && super::convokit::FILES.contains(&name))
        || tables.iter().any(|t| t == name)
        || (name.starts_with('.')
            && name.ends_with(".tmp")
            && (name.starts_with(STAGING_TAG)
                || tables.iter().any(|t| name.starts_with(&format!(".{t}.")))))
}

/// Whether every entry of `dir` is one threadlens writes: a file named as a table or the
/// manifest, or a temporary of ours. A folder named like a table is the user's.
fn holds_only_ours(dir: &Path) -> Result<bool, ExportError> {
    let convokit = holds_convokit(dir);
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { return Ok(false) };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let staging = name.starts_with(STAGING_TAG);
        if !is_ours(name, convokit) || (!is_file && !staging) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes, in `dir`, the staging folders (names starting `prefix`, ending `.tmp`) of runs
/// whose process is gone.
fn remove_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(".tmp")) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !process_alive(pid, &entry.path())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes temporary tables (`.comments.parquet.XXXX.tmp`) that runs of earlier versions,
/// which wrote straight into the folder, left when killed: those not touched for an hour.
fn remove_stale_tables(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let tables = table_file_names();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let temp =
            name.ends_with(".tmp") && tables.iter().any(|t| name.starts_with(&format!(".{t}.")));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if temp && old && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether the run that made `path` may still be running: its process exists (Linux), or the
/// folder was touched within the last day (elsewhere).
fn process_alive(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age < std::time::Duration::from_secs(86_400))
}

/// Swaps two folders in one step where the system can (Linux `renameat2`); elsewhere with
/// two renames, the earlier folder kept aside under a staging name until the new one is in
/// place (a run killed between them leaves the earlier tables there, not lost).
fn exchange(staging: &Path, target: &Path) -> Result<(), ExportError> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let a = std::ffi::CString::new(staging.as_os_str().as_bytes())
            .map_err(|e| io_err(staging)(std::io::Error::other(e)))?;
        let b = std::ffi::CString::new(target.as_os_str().as_bytes())
            .map_err(|e| io_err(target)(std::io::Error::other(e)))?;
        // SAFETY: two valid NUL-terminated paths, relative to the working directory.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        // File systems without the flag fall through to two renames.
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(io_err(target)(e));
        }
    }
    let aside = staging.with_extension("old.tmp");
    std::fs::rename(target, &aside).map_err(io_err(target))?;
    std::fs::rename(staging, target).map_err(io_err(target))?;
    std::fs::rename(&aside, staging).map_err(io_err(staging))?;
    Ok(())
}

/// Makes renames in `dir` durable, where the platform allows (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(target: &Path, tables: &[(&str, &str)], n: u64) -> PathBuf {
        let dir = OutputDir::create(target).unwrap();
        for (name, text) in tables {
            std::fs::write(dir.staging().join(name), text).unwrap();
        }
        dir.commit(&serde_json::json!({ "run": n })).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_folder_gets_the_tables_and_the_manifest() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        run(&t, &[("articles.csv", "1"), ("comments.csv", "1")], 1);
        assert_eq!(names(&t), ["articles.csv", "comments.csv", "run.json"]);
        assert_eq!(names(p.path()), ["res"], "no staging folder is left");
    }

    #[test]
    fn a_folder_of_ours_is_replaced_as_a_set() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        run(&t, &[("articles.csv", "1"), ("comments.csv", "1")], 1);
        run(&t, &[("articles.parquet", "2")], 2);
        assert_eq!(names(&t), ["articles.parquet", "run.json"]);
        assert!(std::fs::read_to_string(t.join("run.json")).unwrap().contains("\"run\": 2"));
        assert_eq!(names(p.path()), ["res"]);
    }

    #[test]
    fn other_files_in_the_folder_are_kept() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("notes.txt"), "mine").unwrap();
        run(&t, &[("articles.csv", "1"), ("comments.csv", "1")], 1);
        run(&t, &[("articles.csv", "2")], 2);
        assert_eq!(names(&t), ["articles.csv", "notes.txt", "run.json"]);
        assert_eq!(std::fs::read_to_string(t.join("articles.csv")).unwrap(), "2");
        assert_eq!(std::fs::read_to_string(t.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_dropped_run_leaves_the_earlier_tables() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        run(&t, &[("articles.csv", "1")], 1);
        let dir = OutputDir::create(&t).unwrap();
        std::fs::write(dir.staging().join("articles.csv"), "2").unwrap();
        drop(dir);
        assert_eq!(std::fs::read_to_string(t.join("articles.csv")).unwrap(), "1");
        assert_eq!(names(p.path()), ["res"]);
    }

    #[test]
    fn r13_stale_temporaries_of_killed_runs_are_removed() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        run(&t, &[("articles.csv", "1")], 1);
        // A killed run's staging folder (a pid that cannot be running) and an unrelated
        // hidden folder of the user's.
        let stale = p.path().join(format!(".res{STAGING_TAG}4294967-abc.tmp"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("comments.csv"), "x").unwrap();
        std::fs::create_dir(p.path().join(".res-mine.tmp")).unwrap();
        run(&t, &[("articles.csv", "2")], 2);
        assert!(!stale.exists());
        assert!(p.path().join(".res-mine.tmp").exists());
    }

    #[test]
    fn corpus_files_are_ours_only_after_a_convokit_run() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("notes.txt"), "mine").unwrap();
        std::fs::write(t.join("index.json"), "the user's").unwrap();
        // A tables run leaves the user's `index.json` alone.
        run(&t, &[("articles.csv", "1")], 1);
        assert_eq!(std::fs::read_to_string(t.join("index.json")).unwrap(), "the user's");
        // A convokit run replaces it (it writes one); a tables run after it removes its set.
        let dir = OutputDir::create(&t).unwrap();
        for f in crate::export::convokit::FILES {
            std::fs::write(dir.staging().join(f), "{}").unwrap();
        }
        dir.commit(&serde_json::json!({"format": "convokit"})).unwrap();
        assert!(t.join("utterances.jsonl").exists() && !t.join("articles.csv").exists());
        run(&t, &[("articles.csv", "2")], 3);
        assert_eq!(names(&t), ["articles.csv", "notes.txt", "run.json"]);
        // In a folder of ours alone, the whole set is exchanged.
        let u = p.path().join("only");
        let dir = OutputDir::create(&u).unwrap();
        std::fs::write(dir.staging().join("utterances.jsonl"), "{}").unwrap();
        dir.commit(&serde_json::json!({"format": "convokit"})).unwrap();
        assert!(holds_only_ours(&u).unwrap());
        run(&u, &[("articles.csv", "2")], 4);
        assert_eq!(names(&u), ["articles.csv", "run.json"]);
    }

    #[test]
    fn a_file_in_the_way_is_an_error() {
        let p = tempfile::tempdir().unwrap();
        let t = p.path().join("res");
        std::fs::write(&t, "a file").unwrap();
        assert!(OutputDir::create(&t).is_err());
        assert_eq!(std::fs::read_to_string(&t).unwrap(), "a file");
    }
}
