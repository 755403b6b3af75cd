// The single integration-test target (`autotests = false` in Cargo.toml), as
// in ripgrep and xsv: one binary that links every area's tests, so the crate
// and its dependencies are linked once rather than once per file.
//
// - `util`: a temp-dir `Workdir` that runs the built `threadlens` binary, table
//   readers for Parquet/CSV/JSONL and a diff-friendly string assert.
// - `analyse`: the `analyse` command end to end (tables written, per-file
//   failures, anomalies, duplicate ids, atomic output, help).
// - `formats`: mixed input folders (issue #3): detection, merging, tables.
// - `report`: the `report` command (snapshot of the seeds' trees, JSON, a
//   2,000-deep chain).
// - `tree_props`: properties of reply-tree building, through the library.

mod util;

mod analyse;
mod formats;
mod report;
mod tree_props;
