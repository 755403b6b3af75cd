"""The Python half of scripts/bench-incivility: threadlens against alt-profanity-check.

Run by scripts/bench-incivility with the throwaway venv's python, in two steps:

  bench_incivility.py bench-input --predictions HELDOUT.csv --n N --out BENCH.csv
      the throughput input: N rows (id,text) cycling through the held-out texts in order

  bench_incivility.py report --predictions HELDOUT.csv --bench BENCH.csv
      --tl-scores SCORES.csv --tl-stderr SCORE.err --tl-wall SECONDS [--meta KEY=VALUE]...
      scores the held-out texts with profanity_check.predict_prob, compares ROC-AUC and
      PR-AUC with threadlens' (from `threadlens evaluate --predictions`), times predict_prob on
      the benchmark texts and prints the report and a summary for the model card

  bench_incivility.py cross-domain --predictions LOO.csv [--meta KEY=VALUE]...
      run by scripts/cross-domain-incivility: scores the rows of `threadlens evaluate
      --leave-one-out --predictions` with profanity_check.predict_prob and prints both tools'
      ROC-AUC and PR-AUC per left-out dataset (for a dataset of one class: the share each
      tool rates uncivil, threadlens at its refit's threshold, profanity-check at 0.5)

`report` exits 0 whether or not the targets are met (it is a measurement); non-zero only when
an input is missing or malformed.
"""

import os

# One thread for the numerical libraries, set before numpy (or anything importing it) loads:
# the issue asks for a single-threaded comparison. The bash script sets them too.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402

ALL = "all"
SPEEDUP_TARGET = 5.0
# `threadlens score` prints e.g. "threadlens: scored 100000 texts in 3.210 s (31153/s end to
# end; scoring alone 2.900 s, 34483/s), one thread".
SCORE_LINE = re.compile(
    r"scored (?P<n>\d+) texts in (?P<total>[0-9.]+) s .*?scoring alone (?P<scoring>[0-9.]+) s"
)

csv.field_size_limit(sys.maxsize)


class InputError(Exception):
    """An input file is missing or not what the step expects."""


def read_predictions(path):
    """The rows of `threadlens evaluate --predictions`: (dataset, y, p_uncivil, text)."""
    want = {"dataset", "label", "p_uncivil", "text"}
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        rdr = csv.DictReader(f)
        missing = want - set(rdr.fieldnames or [])
        if missing:
            raise InputError(
                f"{path}: expected columns {sorted(want)}, missing {sorted(missing)} "
                f"(got {rdr.fieldnames})"
            )
        for i, r in enumerate(rdr, start=2):
            label = r["label"]
            if label not in ("civil", "uncivil"):
                raise InputError(f"{path}, record {i}: label `{label}`, expected civil/uncivil")
            try:
                p = float(r["p_uncivil"])
            except ValueError:
                raise InputError(f"{path}, record {i}: p_uncivil `{r['p_uncivil']}` is not a number")
            if not math.isfinite(p):
                raise InputError(f"{path}, record {i}: p_uncivil is {p}")
            rows.append((r["dataset"], 1 if label == "uncivil" else 0, p, r["text"]))
    if not rows:
        raise InputError(f"{path}: no rows (did `threadlens evaluate --split heldout` score anything?)")
    return rows


def cmd_bench_input(args):
    rows = read_predictions(args.predictions)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text"])
        for i in range(args.n):
            w.writerow([i + 1, rows[i % len(rows)][3]])
    print(
        f"bench-incivility: wrote {args.n:,} texts to {args.out} "
        f"(the {len(rows):,} held-out texts, cycled in order)",
        file=sys.stderr,
    )
    return 0


def read_bench(path):
    with open(path, newline="", encoding="utf-8") as f:
        rdr = csv.DictReader(f)
        if rdr.fieldnames != ["id", "text"]:
            raise InputError(f"{path}: expected columns id,text, got {rdr.fieldnames}")
        return [r["text"] for r in rdr]


def read_tl_scores(path):
    """(id, incivility) per row of `threadlens score --out`."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        rdr = csv.DictReader(f)
        for col in ("id", "incivility"):
            if col not in (rdr.fieldnames or []):
                raise InputError(f"{path}: no `{col}` column (got {rdr.fieldnames})")
        for r in rdr:
            out.append((r["id"], float(r["incivility"]) if r["incivility"] else float("nan")))
    return out


def parse_score_line(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    m = None
    for m in SCORE_LINE.finditer(text):
        pass  # keep the last
    if m is None:
        return None, text
    return {k: float(v) for k, v in m.groupdict().items()}, text


def metrics_table(rows, pc, n_boot, seed):
    """Per dataset and pooled: n, positives, ROC-AUC and PR-AUC of both, paired bootstrap of
    the ROC-AUC difference."""
    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score

    datasets = list(dict.fromkeys(r[0] for r in rows))
    ds = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    tl = np.array([r[2] for r in rows])
    rng = np.random.default_rng(seed)
    table = []
    for name in datasets + [ALL]:
        mask = np.ones(len(rows), bool) if name == ALL else ds == name
        yy, a, b = y[mask], tl[mask], pc[mask]
        n, pos = int(mask.sum()), int(yy.sum())
        row = {"split": name, "n": n, "pos": pos}
        if pos == 0 or pos == n:
            row["skip"] = f"only one class ({pos} uncivil of {n})"
            table.append(row)
            continue
        row["roc_tl"] = roc_auc_score(yy, a)
        row["roc_pc"] = roc_auc_score(yy, b)
        row["pr_tl"] = average_precision_score(yy, a)
        row["pr_pc"] = average_precision_score(yy, b)
        diffs = []
        for _ in range(n_boot):
            idx = rng.integers(0, n, n)
            yb = yy[idx]
            if yb.min() == yb.max():
                continue
            diffs.append(roc_auc_score(yb, a[idx]) - roc_auc_score(yb, b[idx]))
        if diffs:
            row["diff_lo"], row["diff_hi"] = np.percentile(diffs, [2.5, 97.5])
        row["pass"] = bool(row["roc_tl"] >= row["roc_pc"])
        table.append(row)
    return table


def fmt_rate(x):
    return f"{x:,.0f}" if x is not None and math.isfinite(x) else "n/a"


def fmt_ratio(x):
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.2f}x" if x < 1 else f"{x:.1f}x"


def fmt_secs(x):
    return f"{x:.3f}" if x is not None else "n/a"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))  # what `nproc` prints, without its OMP_* override
    except AttributeError:
        nproc = os.cpu_count()
    return nproc, cpu


def versions():
    out = {}
    for pkg in ("alt-profanity-check", "scikit-learn", "joblib", "numpy", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def thread_pools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not available"
    pools = threadpool_info()
    if not pools:
        return "no BLAS/OpenMP pools loaded"
    seen = dict.fromkeys(f"{p.get('internal_api')} {p.get('num_threads')} thread(s)" for p in pools)
    return ", ".join(seen)


def cmd_report(args):
    meta = dict(kv.split("=", 1) for kv in args.meta)
    rows = read_predictions(args.predictions)
    bench = read_bench(args.bench)
    tl_scores = read_tl_scores(args.tl_scores)
    line, stderr_text = parse_score_line(args.tl_stderr)
    if len(tl_scores) != len(bench):
        raise InputError(
            f"{args.tl_scores}: {len(tl_scores):,} scores for {len(bench):,} benchmark texts"
        )

    t0 = time.perf_counter()
    import numpy as np
    from threadpoolctl import threadpool_limits

    from profanity_check import predict_prob

    pc_import = time.perf_counter() - t0
    threadpool_limits(1)
    vers = versions()

    # Accuracy: the held-out texts, scored by profanity-check.
    pc = np.asarray(predict_prob([r[3] for r in rows]), dtype=float)
    table = metrics_table(rows, pc, args.bootstrap, args.seed)

    # Throughput: the same N texts threadlens scored, in one call, after a small warm-up.
    predict_prob(bench[:100])
    t0 = time.perf_counter()
    predict_prob(bench)
    pc_secs = time.perf_counter() - t0
    pools = thread_pools()

    # Consistency: `score` and `evaluate` should give the same probability for the same text.
    h = min(len(rows), len(tl_scores))
    deltas = [abs(tl_scores[i][1] - rows[i][2]) for i in range(h)]
    max_delta = max(deltas) if deltas else float("nan")
    n_differ = sum(not d <= 1e-5 for d in deltas)  # NaN counts as differing
    ids_ok = all(tl_scores[i][0] == str(i + 1) for i in range(len(tl_scores)))

    n = len(bench)
    wall = args.tl_wall
    rate = lambda secs: n / secs if secs and secs > 0 else float("inf")  # noqa: E731
    tl_wall_rate = rate(wall)
    tl_own_rate = rate(line["total"]) if line else None
    tl_scoring_rate = rate(line["scoring"]) if line else None
    pc_rate = rate(pc_secs)
    ratio_e2e = tl_wall_rate / pc_rate
    ratio_scoring = tl_scoring_rate / pc_rate if tl_scoring_rate else None
    speed_pass = ratio_e2e >= SPEEDUP_TARGET

    nproc, cpu = machine()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    model = meta.get("model", "?")
    mean_chars = sum(len(t) for t in bench) / max(n, 1)

    out = []
    p = out.append
    p("")
    p("== Accuracy on held-out rows (never used for threadlens' training or calibration)")
    p(f"   threadlens: p_uncivil from `threadlens evaluate --split heldout` with {model}")
    p(f"   alt-profanity-check {vers['alt-profanity-check']}: profanity_check.predict_prob on the same texts")
    p(f"   delta = threadlens ROC-AUC - profanity-check's, 95% paired bootstrap interval "
      f"({args.bootstrap} resamples, seed {args.seed})")
    p("")
    head = (f"{'split':<10} {'n':>7} {'uncivil':>14}  {'ROC-AUC tl':>10} {'ROC-AUC pc':>10} "
            f"{'delta [95% CI]':>26}  {'PR-AUC tl':>9} {'PR-AUC pc':>9}  ROC tl >= pc")
    p(head)
    p("-" * len(head))
    for r in table:
        pos = f"{r['pos']:,} ({100 * r['pos'] / r['n']:.1f}%)" if r["n"] else "0"
        if "skip" in r:
            p(f"{r['split']:<10} {r['n']:>7,} {pos:>14}  skipped: {r['skip']}")
            continue
        d = r["roc_tl"] - r["roc_pc"]
        ci = f"[{r['diff_lo']:+.3f}, {r['diff_hi']:+.3f}]" if "diff_lo" in r else ""
        p(f"{r['split']:<10} {r['n']:>7,} {pos:>14}  {r['roc_tl']:>10.3f} {r['roc_pc']:>10.3f} "
          f"{d:>+8.3f} {ci:>17}  {r['pr_tl']:>9.3f} {r['pr_pc']:>9.3f}  "
          f"{'PASS' if r['pass'] else 'FAIL'}")
    scored = [r for r in table if "skip" not in r]
    n_pass = sum(r["pass"] for r in scored)
    acc_pass = bool(scored) and n_pass == len(scored)
    p("")
    p(f"ROC-AUC target (threadlens >= alt-profanity-check on every split reported): "
      f"{'PASS' if acc_pass else 'FAIL'} ({n_pass} of {len(scored)} splits)")
    failing = [r["split"] for r in scored if not r["pass"]]
    if failing:
        p(f"   FAIL on: {', '.join(failing)}")
    p("   Texts are as threadlens' loaders read them (davidson: RT, @-mentions and links removed,")
    p("   HTML entities decoded); both tools get the same strings.")
    p("   Note: per its upstream author, profanity-check was trained on Davidson et al.'s tweets and")
    p("   Wikipedia comments (Jigsaw/Kaggle toxic comments), so its davidson (and maybe wiki_*) rows")
    p("   may be in its own training data.")

    p("")
    p(f"== Throughput: the same {n:,} comments for both (held-out texts cycled in order, "
      f"mean {mean_chars:.0f} characters), one thread")
    p("")
    head = f"{'':<58} {'seconds':>8} {'comments/s':>11}"
    p(head)
    p("-" * len(head))
    p(f"{'threadlens score, end to end (process wall time)':<58} {fmt_secs(wall):>8} {fmt_rate(tl_wall_rate):>11}")
    p(f"{'threadlens score, its own timer (read + score + write)':<58} "
      f"{fmt_secs(line['total'] if line else None):>8} {fmt_rate(tl_own_rate):>11}")
    p(f"{'threadlens score, scoring alone':<58} "
      f"{fmt_secs(line['scoring'] if line else None):>8} {fmt_rate(tl_scoring_rate):>11}")
    p(f"{'alt-profanity-check predict_prob alone (one call)':<58} {fmt_secs(pc_secs):>8} {fmt_rate(pc_rate):>11}")
    p("")
    p(f"threadlens end to end / profanity-check: {fmt_ratio(ratio_e2e)}   "
      f"(target >= {SPEEDUP_TARGET:.0f}x): {'PASS' if speed_pass else 'FAIL'}")
    if ratio_scoring is not None:
        p(f"threadlens scoring alone / profanity-check: {fmt_ratio(ratio_scoring)}   (for information)")
    p(f"   predict_prob excludes Python start-up, importing profanity-check and loading its model "
      f"({pc_import:.2f} s) and reading the texts;")
    p("   threadlens end to end includes process start, loading the model, reading the CSV and writing the scores.")
    p(f"   threads: threadlens score is single-threaded (RAYON_NUM_THREADS=1); Python pools: {pools}")
    if not line:
        p("   WARNING: no timing line found in threadlens score's stderr:")
        for l in stderr_text.strip().splitlines()[-3:]:
            p(f"     {l}")
    elif int(line["n"]) != n:
        p(f"   WARNING: threadlens says it scored {int(line['n']):,} texts, the benchmark has {n:,}")

    p("")
    p("== Consistency")
    if not ids_ok:
        p("   WARNING: threadlens score's ids are not 1..N in input order")
    if n_differ == 0:
        p(f"   `threadlens score` and `threadlens evaluate` agree on the {h:,} held-out texts "
          f"(max |difference| {max_delta:.1e})")
    else:
        p(f"   WARNING: `threadlens score` and `threadlens evaluate` give different probabilities "
          f"for {n_differ:,} of {h:,} held-out texts (max |difference| {max_delta:.3g})")

    # The block for the model card.
    p("")
    p("---- summary (for the model card) ----")
    p(f"Incivility benchmark: threadlens vs alt-profanity-check, {now}")
    p(f"- machine: {cpu}, nproc {nproc}, {platform.system()} {platform.release()}; "
      "every measurement on one thread")
    p(f"- threadlens {meta.get('threadlens', '?')} (git {meta.get('git', '?')}), "
      f"{meta.get('rustc', 'rustc ?')}; model {model} (sha256 {meta.get('model_sha256', '?')[:12]})")
    p(f"- alt-profanity-check {vers['alt-profanity-check']}, scikit-learn {vers['scikit-learn']}, "
      f"joblib {vers['joblib']}, numpy {vers['numpy']}, scipy {vers['scipy']}, "
      f"Python {platform.python_version()}")
    p(f"- held-out rows: the 20% hash bucket of each dataset in {meta.get('data', '?')} "
      "never used for training or calibration")
    p("")
    p("| split | n | uncivil | ROC-AUC threadlens | ROC-AUC profanity-check | PR-AUC threadlens "
      "| PR-AUC profanity-check | ROC-AUC ≥ |")
    p("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in table:
        if "skip" in r:
            p(f"| {r['split']} | {r['n']:,} | {r['pos']:,} | – | – | – | – | skipped: one class |")
            continue
        p(f"| {r['split']} | {r['n']:,} | {r['pos']:,} | {r['roc_tl']:.3f} | {r['roc_pc']:.3f} "
          f"| {r['pr_tl']:.3f} | {r['pr_pc']:.3f} | {'PASS' if r['pass'] else 'FAIL'} |")
    p("")
    p(f"| {n:,} comments, one thread | seconds | comments/s |")
    p("|---|---:|---:|")
    p(f"| threadlens score, end to end | {fmt_secs(wall)} | {fmt_rate(tl_wall_rate)} |")
    p(f"| threadlens score, scoring alone | {fmt_secs(line['scoring'] if line else None)} "
      f"| {fmt_rate(tl_scoring_rate)} |")
    p(f"| alt-profanity-check predict_prob alone | {fmt_secs(pc_secs)} | {fmt_rate(pc_rate)} |")
    p("")
    p(f"- ROC-AUC ≥ alt-profanity-check's on every split: {'PASS' if acc_pass else 'FAIL'} "
      f"({n_pass} of {len(scored)})")
    p(f"- throughput ≥ {SPEEDUP_TARGET:.0f}x: {'PASS' if speed_pass else 'FAIL'} "
      f"(end to end {fmt_ratio(ratio_e2e)}; scoring alone {fmt_ratio(ratio_scoring)})")
    p("---- end of summary ----")
    print("\n".join(out))
    return 0


def cmd_cross_domain(args):
    import numpy as np
    from profanity_check import predict_prob

    rows = read_predictions(args.predictions)
    pc = np.asarray(predict_prob([r[3] for r in rows]), dtype=float)
    table = metrics_table(rows, pc, args.bootstrap, args.seed)
    meta = dict(m.split("=", 1) for m in args.meta if "=" in m)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = []
    p = out.append
    p(f"Cross-domain validation: threadlens vs alt-profanity-check, {now}")
    p(f"- threadlens {meta.get('threadlens', '?')} (git {meta.get('git', '?')}); "
      f"leave-one-out refits of the recipe of {meta.get('model', '?')}"
      + (f", at most {meta['cap']} training and calibration rows per class and dataset" if meta.get("cap") else ""))
    p(f"- alt-profanity-check {_version('alt-profanity-check')}, scikit-learn {_version('scikit-learn')}, "
      f"Python {platform.python_version()} (as published: its own training data, not refitted)")
    p("- rows: the held-out rows (20% hash bucket) of the dataset left out; threadlens' model for "
      "them never saw that dataset")
    p("")
    p("| left out | n | uncivil | ROC-AUC threadlens | ROC-AUC profanity-check | ROC-AUC difference, 95% CI "
      "| PR-AUC threadlens | PR-AUC profanity-check | ROC-AUC ≥ |")
    p("|---|---:|---:|---:|---:|---|---:|---:|---|")
    ds = np.array([r[0] for r in rows])
    tl = np.array([r[2] for r in rows])
    passed = total = 0
    for row in table:
        if row["split"] == ALL:
            continue  # datasets scored by different refits: pooling them means little
        if "skip" in row:
            mask = ds == row["split"]
            p(f"| {row['split']} | {row['n']:,} | {row['pos']:,} | rated uncivil {np.mean(tl[mask] >= 0.5):.3f} "
              f"| rated uncivil {np.mean(pc[mask] >= 0.5):.3f} | one class only | | | n/a |")
            continue
        total += 1
        passed += row["pass"]
        ci = (f"{row['diff_lo']:+.3f} to {row['diff_hi']:+.3f}" if "diff_lo" in row else "n/a")
        p(f"| {row['split']} | {row['n']:,} | {row['pos']:,} | {row['roc_tl']:.3f} | {row['roc_pc']:.3f} | {ci} "
          f"| {row['pr_tl']:.3f} | {row['pr_pc']:.3f} | {'PASS' if row['pass'] else 'FAIL'} |")
    p("")
    p(f"- ROC-AUC ≥ alt-profanity-check's on every dataset left out: "
      f"{'PASS' if passed == total else 'FAIL'} ({passed} of {total})")
    print("\n".join(out))
    return 0


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def positive_int(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s}")
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("bench-input", help="write the N-comment throughput input")
    b.add_argument("--predictions", required=True, help="threadlens evaluate --predictions CSV")
    b.add_argument("--n", type=positive_int, default=100_000, help="comments (default 100000)")
    b.add_argument("--out", required=True, help="CSV to write (id,text)")
    b.set_defaults(func=cmd_bench_input)

    r = sub.add_parser("report", help="score with profanity-check, compare, print the report")
    r.add_argument("--predictions", required=True, help="threadlens evaluate --predictions CSV")
    r.add_argument("--bench", required=True, help="the bench-input CSV")
    r.add_argument("--tl-scores", required=True, help="threadlens score --out CSV of --bench")
    r.add_argument("--tl-stderr", required=True, help="threadlens score's stderr")
    r.add_argument("--tl-wall", type=float, required=True, help="threadlens score's wall seconds")
    r.add_argument("--bootstrap", type=int, default=200, help="paired bootstrap resamples (default 200)")
    r.add_argument("--seed", type=int, default=1, help="bootstrap seed (default 1)")
    r.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                   help="threadlens, git, rustc, model, model_sha256, data (for the summary)")
    r.set_defaults(func=cmd_report)

    c = sub.add_parser("cross-domain", help="profanity-check on leave-one-out rows, side by side")
    c.add_argument("--predictions", required=True, help="threadlens evaluate --leave-one-out --predictions CSV")
    c.add_argument("--bootstrap", type=int, default=200, help="paired bootstrap resamples (default 200)")
    c.add_argument("--seed", type=int, default=1, help="bootstrap seed (default 1)")
    c.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                   help="threadlens, git, model, cap (for the header)")
    c.set_defaults(func=cmd_cross_domain)

    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, OSError) as e:
        print(f"bench-incivility: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
