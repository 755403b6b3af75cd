#!/usr/bin/env python3
"""The Python API on a corpus, for scripts/bench (issue #14): `threadlens.analyse(CORPUS)`, the
four tables kept in memory as pyarrow Tables, and with --write also `Result.write(OUT)` (Parquet,
as `threadlens analyse CORPUS --out OUT` writes). Run under /usr/bin/time -v, so its wall time
and peak RSS are the whole Python process, imports included, as the CLI's are its whole process.

    bench_python.py CORPUS [--write OUT] [--json FILE]

Prints one line per step on stderr; --json writes the steps, counts and versions.
"""

import argparse
import json
import resource
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--write", metavar="OUT", help="also write the tables there (Parquet)")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()

    steps = {}
    t = time.perf_counter()
    import pyarrow
    import threadlens
    steps["import"] = time.perf_counter() - t

    t = time.perf_counter()
    result = threadlens.analyse(args.corpus)
    steps["analyse"] = time.perf_counter() - t
    if args.write:
        t = time.perf_counter()
        result.write(args.write)
        steps["write"] = time.perf_counter() - t

    rows = {name: getattr(result, name).num_rows for name in ("articles", "threads", "comments", "anomalies")}
    table_mb = sum(getattr(result, name).nbytes for name in rows) / 2**20
    out = {
        "threadlens": threadlens.__version__,
        "pyarrow": pyarrow.__version__,
        "python": sys.version.split()[0],
        "steps": steps,
        "rows": rows,
        "tables_mb": table_mb,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("bench_python: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
          + f"; {rows['comments']:,} comments in {rows['articles']:,} discussions; "
          f"tables {table_mb:.0f} MB in memory", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
