//! `threadlens schema`: the exported tables' columns, types and meanings, from the specs the
//! writers use (the same text as docs/schema.md).

use std::io::Write;
use std::process::ExitCode;

use threadlens::export::{SCHEMA_VERSION, TABLES, schema_markdown};

pub const EXAMPLES: &str = "\
Examples:
  threadlens schema                 # every table, as Markdown
  threadlens schema --table comments
  threadlens schema --json > schema.json";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this table: articles, threads, comments or anomalies.
    #[arg(long, value_name = "NAME", value_parser = ["articles", "threads", "comments", "anomalies"])]
    pub table: Option<String>,
    /// Print JSON: {version, tables: [{name, doc, columns: [{name, type, nullable, values,
    /// doc}]}]}; `values` lists a category's known values (empty: open).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tables: Vec<_> =
        TABLES.iter().filter(|t| args.table.as_deref().is_none_or(|n| n == t.name)).collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "version": SCHEMA_VERSION,
            "tables": tables.iter().map(|t| serde_json::json!({
                "name": t.name,
                "doc": t.doc,
                "columns": t.columns.iter().map(|c| serde_json::json!({
                    "name": c.name,
                    "type": c.dtype.type_name(),
                    "nullable": c.nullable,
                    "values": c.values,
                    "doc": c.doc,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else if tables.len() == TABLES.len() {
        out.write_all(schema_markdown().as_bytes())?;
    } else {
        for t in tables {
            writeln!(out, "## `{}`\n\n{}\n", t.name, t.doc)?;
            writeln!(out, "| column | type | nullable | meaning |\n|---|---|---|---|")?;
            for c in t.columns {
                let null = if c.nullable { "yes" } else { "no" };
                let ty = match c.values {
                    [] => c.dtype.type_name().to_string(),
                    v => format!("{} ({})", c.dtype.type_name(), v.join(", ")),
                };
                writeln!(out, "| `{}` | {ty} | {null} | {} |", c.name, c.doc)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
