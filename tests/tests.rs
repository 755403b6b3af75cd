// The single integration-test target (`autotests = false` in Cargo.toml), as
// in ripgrep and xsv: one binary that links every area's tests, so the crate
// and its dependencies are linked once rather than once per file.
//
// - `util`: a temp-dir `Workdir` that runs the built `threadlens` binary, table
//   readers for Parquet/CSV/JSONL and a diff-friendly string assert.
// - `analyse`: the `analyse` command end to end (tables written, per-file
//   failures, anomalies, duplicate ids, atomic output, help).
// - `classify`: comment scores (issue #4): table columns, the report's marks, and the
//   `train`, `evaluate` and `score` commands on small labelled files.
// - `formats`: mixed input folders (issue #3): detection, merging, tables.
// - `report`: the `report` command (snapshot of the seeds' trees, JSON, a
//   2,000-deep chain).
// - `stance`: relations and sides (issue #5) and the target workflow: sample,
//   annotate, train, evaluate, analyse.
// - `tree_props`: properties of reply-tree building, through the library.
// - `nothing_lost`: issue #13 from the command line: no overwritten labels or results, a
//   manifest per output folder, unreadable inputs refused with a message.
// - `r13_tables`, `r13_html`, `r13_scores`: issue #13 regressions in the table and JSON readers,
//   the HTML reader, and scoring / per-discussion summaries.
// - `r15_dumps`, `r15_convokit`, `r15_extra`: issue #15's Reddit dump files, ConvoKit corpora
//   (read and written) and the `extra` column of source fields without a column.
// - `r17_language_index`: issue #17's indexed language detection against whatlang itself on the
//   shared labelled sets, when present.
// - `r18_edges`: issue #18's `edges` and `interactions` tables.
// - `r18_html`: issue #18's `report --html`: the page's data against `report --json --tree`,
//   nothing loaded from the network, no overwriting without --force, 10,000 comments.
// - `fuzz`: a seeded mutation harness over every format checking the pipeline's invariants.

mod util;

mod analyse;
mod classify;
mod formats;
mod fuzz;
mod nothing_lost;
mod r13_html;
mod r13_scores;
mod r13_tables;
mod r15_convokit;
mod r15_dumps;
mod r15_extra;
mod r16_languages;
mod r17_language_index;
mod r18_edges;
mod r18_html;
mod report;
mod stance;
mod tree_props;
