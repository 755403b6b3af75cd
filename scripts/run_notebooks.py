#!/usr/bin/env python3
"""Execute notebooks headless with nbclient; used by scripts/check-notebooks.

    run_notebooks.py [--timeout S] [--since UNIX_TIME] JOB...

Each JOB is `NOTEBOOK=OUTPUT[,VAR=VALUE...]`: run NOTEBOOK (from its own folder, as Jupyter would,
with the environment variables given) and write the executed copy to OUTPUT (which may be NOTEBOOK
itself). Stops at the first cell that raises, naming the notebook and the cell, and exits 1.
Prints `notebooks: N passed, M failed` last.
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

KERNEL = "python3"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parse_job(text):
    head, *env = text.split(",")
    if "=" not in head:
        raise SystemExit(f"run_notebooks: bad job {text!r}: expected NOTEBOOK=OUTPUT[,VAR=VALUE...]")
    notebook, output = head.split("=", 1)
    pairs = {}
    for item in env:
        if "=" not in item:
            raise SystemExit(f"run_notebooks: bad variable {item!r} in job {text!r}")
        k, v = item.split("=", 1)
        pairs[k] = v
    return Path(notebook), Path(output), pairs


def describe(env):
    return ", ".join(f"{k}={v}" for k, v in env.items()) or "default environment"


def failing_cell(nb):
    """(index among all cells, index among code cells, cell) of the first cell with an error."""
    code_no = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_no += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i, code_no, cell
    return None


ADDRESS = re.compile(r"<([\w.]+) at 0x[0-9a-f]+>")


def scrub(nb):
    """Drop memory addresses from text reprs (`<...Styler at 0x7f...>`): re-running a notebook
    then leaves it byte-identical."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/plain")
            if isinstance(text, str):
                o["data"]["text/plain"] = ADDRESS.sub(r"<\1>", text)


def stderr_text(nb):
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                yield i, o.get("text", "")


def run(notebook, output, env, timeout, kernel_dir):
    nb = nbformat.read(notebook, as_version=4)
    km = KernelManager(kernel_name=KERNEL,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernel_dir],
                                                             ensure_native_kernel=False))
    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=KERNEL, allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": str(notebook.parent.resolve())}})
    log_path = Path(kernel_dir) / "kernel.log"
    started = time.monotonic()
    error = None
    with open(log_path, "w") as log:  # the kernel's own chatter; shown only when a run fails
        try:
            client.execute(env={**os.environ, **env}, stdout=log, stderr=log)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            error = e
    took = time.monotonic() - started
    if error is not None:
        where = failing_cell(nb)
        if where is None:
            cell_text = "a cell (it timed out, or the kernel died)"
            source = ""
        else:
            i, code_no, cell = where
            cell_text = f"cell {i + 1} (code cell {code_no})"
            source = "\n".join("    | " + line for line in cell.source.splitlines()[:5])
        print(f"\nFAILED: {notebook} ({describe(env)}): {cell_text} raised an error", flush=True)
        if source:
            print(f"  the cell starts:\n{source}")
        if where is not None:
            out = next(o for o in where[2].outputs if o.get("output_type") == "error")
            tb = ANSI.sub("", "\n".join(out.get("traceback", []))).strip().splitlines()
            print("  traceback (last lines):\n    " + "\n    ".join(tb[-20:]))
        else:
            print(f"  {type(error).__name__}: {error}")
            kernel_log = log_path.read_text(errors="replace").strip()
            if kernel_log:
                print("  kernel log (last lines):\n    " + "\n    ".join(kernel_log.splitlines()[-15:]))
        sys.stdout.flush()
        return False
    for i, text in stderr_text(nb):
        first = text.strip().splitlines()[0] if text.strip() else ""
        print(f"  warning: {notebook} cell {i + 1} wrote to stderr: {first[:160]}")
    scrub(nb)
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    size = output.stat().st_size
    print(f"ok: {notebook} ({describe(env)}) in {took:.1f} s -> {output} ({size / 1e6:.2f} MB)")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    ap.add_argument("--since", type=float, help="Unix time the whole check started (for the total time)")
    ap.add_argument("jobs", nargs="+", metavar="JOB")
    args = ap.parse_args()
    jobs = [parse_job(j) for j in args.jobs]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        # A kernel spec of our own, running this interpreter: a `python3` kernel installed
        # elsewhere on the machine (another Python, without the packages) is never picked.
        write_kernel_spec(path=os.path.join(tmp, KERNEL))
        for notebook, output, env in jobs:
            if run(notebook, output, env, args.timeout, tmp):
                passed += 1
            else:
                failed += 1
                break
    skipped = len(jobs) - passed - failed
    if args.since:
        print(f"total time: {time.time() - args.since:.0f} s")
    print(f"notebooks: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
