"""Compare threadlens's parse of each fixture with EXPECTED.tsv (see scripts/conformance)."""
import csv
import json
import subprocess
import sys
from pathlib import Path


def measure(binary: str, path: Path):
    run = subprocess.run([binary, "report", "--json", str(path)], capture_output=True, text=True)
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[-1:] or [f"exit {run.returncode}"]
    reports = json.loads(run.stdout)
    comments = sum(r["metrics"]["comments"] for r in reports)
    top = sum(r["metrics"]["threads"] for r in reports)
    depth = max((r["metrics"]["max_depth"] for r in reports), default=0)
    formats = sorted({r["format"] for r in reports})
    return (comments, top, depth, ",".join(formats) or "-"), []


def main() -> int:
    fixtures, binary = Path(sys.argv[1]), sys.argv[2]
    passed = failed = 0
    with open(fixtures / "EXPECTED.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    width = max(len(r["path"]) for r in rows)
    for row in rows:
        want = (int(row["comments"]), int(row["top_level"]), int(row["max_depth"]))
        got, errors = measure(binary, fixtures / row["path"])
        if got is not None and got[:3] == want:
            passed += 1
            print(f"ok    {row['path']:<{width}}  comments {got[0]}, top-level {got[1]}, "
                  f"max depth {got[2]} ({got[3]})")
        else:
            failed += 1
            if got is None:
                detail = "error: " + " ".join(errors)
            else:
                detail = (f"comments {got[0]}/{want[0]}, top-level {got[1]}/{want[1]}, "
                          f"max depth {got[2]}/{want[2]} (got/expected; {got[3]})")
            print(f"FAIL  {row['path']:<{width}}  {detail}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
