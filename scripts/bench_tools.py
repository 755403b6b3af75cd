"""The Python half of scripts/bench (all but the ConvoKit script, bench_convokit.py).

  bench_tools.py texts CORPUS_DIR --out TEXTS.csv
      the texts of a JSONL corpus as a CSV (id,text) in corpus order, for `threadlens score`
      and alt-profanity-check (standard library only)

  bench_tools.py profanity TEXTS.csv --out RESULT.json
      run with the profanity-check venv's python: times profanity_check.predict_prob on the
      texts, on one thread, after a warm-up of 100 texts

  bench_tools.py check-convokit --per-conversation CONVOS.csv --articles ARTICLES.parquet
      run with the ConvoKit venv's python (pyarrow): the comments, maximum depth and width
      per discussion found by ConvoKit and by threadlens must agree

  bench_tools.py report RESULTS.txt
      the summary: every measurement, the side-by-side table with the ratios and PASS/FAIL
      per target, and the machine (standard library only)

Exit status 0 whether or not the targets are met (a measurement); non-zero only when an input
is missing or malformed.
"""

import os

# One thread for the numerical libraries, set before numpy loads (profanity needs a
# single-threaded comparison).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

# The targets.
CONVOKIT_SPEEDUP = 20.0  # analyse on the compare size at least 20x faster than the ConvoKit script
CONVOKIT_MEMORY = 10.0  # with at most 1/10 of its peak memory
PYTHON_TIME = 1.10  # the Python API (analyse + write Parquet) within 10% of the CLI's wall time
PYTHON_MEMORY = 10.0  # and its peak memory of the same order (under 10x the CLI's)
PROFANITY_SPEEDUP = 5.0  # scoring alone at least 5x alt-profanity-check, one thread
SCALING_TIME = 1.25  # time per comment at the largest size within 25% of the compare size's
SCALING_MEMORY = 2.0  # peak memory at the largest size at most 2x the compare size's
PARALLEL_SPEEDUP = 1.7  # default threads vs --threads 1 (one thread) on the compare size, 2 cores (#17)
NO_SCORES_SECONDS = 1.0  # analyse --no-scores: under 1 s per 100,000 comments (#17)
HTML_US_BEFORE = 132.0  # µs per comment of WordPress pages when #17 was filed (BENCHMARKS.md)
HTML_SPEEDUP = 4.0  # pages at least 4x faster per comment than that (#17)

# `threadlens score` prints e.g. "threadlens: scored 100000 texts in 3.210 s (31153/s end to
# end; scoring alone 2.900 s, 34483/s), one thread".
SCORE_LINE = re.compile(
    r"scored (?P<n>\d+) texts in (?P<total>[0-9.]+) s .*?scoring alone (?P<scoring>[0-9.]+) s"
)

csv.field_size_limit(sys.maxsize)


class InputError(Exception):
    """An input file is missing or not what the step expects."""


def cmd_texts(args):
    files = sorted(glob.glob(os.path.join(args.corpus, "*.jsonl")))
    if not files:
        raise InputError(f"{args.corpus}: no *.jsonl files")
    n = 0
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["id", "text"])
        for path in files:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        w.writerow([row["id"], row.get("text") or ""])
                        n += 1
    print(f"bench: wrote the {n:,} texts of {args.corpus} to {args.out}", file=sys.stderr)
    return 0


def cmd_profanity(args):
    with open(args.texts, newline="", encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    if not texts:
        raise InputError(f"{args.texts}: no texts")
    t0 = time.perf_counter()
    from importlib import metadata

    from threadpoolctl import threadpool_info, threadpool_limits

    from profanity_check import predict_prob

    load = time.perf_counter() - t0
    threadpool_limits(1)
    predict_prob(texts[:100])
    t0 = time.perf_counter()
    predict_prob(texts)
    secs = time.perf_counter() - t0
    pools = sorted({f"{p.get('internal_api')} {p.get('num_threads')}" for p in threadpool_info()})
    result = {
        "n": len(texts),
        "seconds": secs,
        "rate": len(texts) / secs,
        "import_and_load_seconds": load,
        "alt-profanity-check": metadata.version("alt-profanity-check"),
        "scikit-learn": metadata.version("scikit-learn"),
        "pools": pools,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print(
        f"bench: profanity_check.predict_prob scored {len(texts):,} texts in {secs:.3f} s "
        f"({len(texts) / secs:,.0f}/s), one thread",
        file=sys.stderr,
    )
    return 0


def cmd_check_convokit(args):
    import pyarrow.parquet as pq

    ours = {}
    table = pq.read_table(args.articles, columns=["article_id", "comments", "max_depth", "max_width"])
    for r in table.to_pylist():
        ours[r["article_id"]] = (r["comments"], r["max_depth"], r["max_width"])
    theirs = {}
    with open(args.per_conversation, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            theirs[r["conversation_id"]] = (int(r["comments"]), int(r["max_depth"]), int(r["max_width"]))
    differ = [k for k in sorted(set(ours) | set(theirs)) if ours.get(k) != theirs.get(k)]
    if differ:
        k = differ[0]
        print(
            f"{len(differ)} of {len(theirs)} discussions differ; first {k}: threadlens "
            f"(comments, max_depth, max_width) = {ours.get(k)}, ConvoKit {theirs.get(k)}"
        )
    else:
        print(f"same comments, max depth and max width in all {len(theirs)} discussions")
    return 0


# --- report ---------------------------------------------------------------------------------


def read_results(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                k, _, v = line.partition("=")
                out[k] = v
    return out


def num(r, key):
    v = r.get(key)
    if v in (None, "", "n/a"):
        return None
    try:
        return float(v)
    except ValueError:
        return None


def load_json(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def score_line(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        m = None
        for m in SCORE_LINE.finditer(f.read()):
            pass
    return {k: float(v) for k, v in m.groupdict().items()} if m else None


def f_int(x):
    return f"{x:,.0f}" if x is not None else "n/a"


def f_secs(x):
    return f"{x:.2f}" if x is not None else "n/a"


def f_ratio(x):
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def cmd_report(args):
    r = read_results(args.results)
    sizes = [int(s) for s in r.get("sizes", "").split()]
    cmp_n = int(r.get("compare_size", "100000"))
    big_n = max(sizes) if sizes else None
    out = []
    p = out.append

    p("")
    p("== threadlens analyse: parse → trees → metrics → incivility and stance → Parquet")
    p(f"   release build, default threads (one per core); wall time best of the runs, peak RSS "
      f"the largest (/usr/bin/time -v)")
    p("")
    head = (f"{'comments':>10} {'discussions':>11} {'files':>5} {'runs':>4} {'wall s':>8} "
            f"{'comments/s':>11} {'µs/comment':>10} {'peak RSS MB':>11} {'CPU %':>6}")
    p(head)
    p("-" * len(head))

    def row(label, key, n):
        wall, rss, cpu = num(r, f"{key}.wall"), num(r, f"{key}.rss_kb"), num(r, f"{key}.cpu")
        if wall is None:
            return
        p(f"{label:>10} {r.get(f'{key}.discussions', ''):>11} {r.get(f'{key}.files', ''):>5} "
          f"{r.get(f'{key}.runs', '1'):>4} {wall:>8.2f} {n / wall:>11,.0f} {1e6 * wall / n:>10.1f} "
          f"{rss / 1024:>11.1f} {cpu if cpu is not None else float('nan'):>6.0f}")

    for n in sizes:
        row(f"{n:,}", f"analyse.{n}", n)
    if r.get("compare_shape"):
        p(f"{'':>10} ({cmp_n:,}-comment corpus: {r['compare_shape']})")
    t1 = f"analyse_t1.{cmp_n}"
    if num(r, f"{t1}.wall") is not None:
        p("")
        row(f"{cmp_n:,}", t1, cmp_n)
        p(f"{'':>10} (--threads 1; tables byte-identical to the default run's: "
          f"{r.get(f'{t1}.identical', 'n/a')})")
    html = f"html.{cmp_n}"
    if num(r, f"{html}.wall") is not None:
        p("")
        row(f"{cmp_n:,}", html, cmp_n)
        p(f"{'':>10} (the same comments as WordPress HTML pages, one per discussion; "
          f"{r.get(f'{html}.check', '')})")

    # The Python API (issue #14).
    py_cli, py_mem, py_pq = (f"python_{m}.{cmp_n}" for m in ("cli", "memory", "parquet"))
    if num(r, f"{py_mem}.wall") is not None or num(r, f"{py_pq}.wall") is not None:
        p("")
        p(f"== The Python API against the CLI on the same {cmp_n:,} comments, the runs taken in turn "
          "(CLI, Python, Python + write)")
        p("")
        p(head)
        p("-" * len(head))
        row(f"{cmp_n:,}", py_cli, cmp_n)
        p(f"{'':>10} (the CLI: threadlens analyse CORPUS --quiet --out OUT, as above)")
        row(f"{cmp_n:,}", py_mem, cmp_n)
        p(f"{'':>10} (Python API: threadlens.analyse(CORPUS), the four tables kept in memory as pyarrow)")
        row(f"{cmp_n:,}", py_pq, cmp_n)
        p(f"{'':>10} (Python API: analyse, then Result.write(OUT) as Parquet; tables equal to the "
          f"CLI's: {r.get(f'{py_pq}.same', 'n/a')})")
        for mode in ("memory", "parquet"):
            j = load_json(r.get(f"python_{mode}.json"))
            if j:
                steps = ", ".join(f"{k} {v:.2f} s" for k, v in j["steps"].items())
                p(f"{'':>10} ({mode}: {steps}; tables {j['tables_mb']:.0f} MB in Arrow; "
                  f"threadlens {j['threadlens']}, pyarrow {j['pyarrow']}, Python {j['python']})")
    elif r.get("python.skipped"):
        p("")
        p(f"   Python API: not run: {r['python.skipped']}")

    # Baselines.
    ck = load_json(r.get("convokit.json"))
    ck_wall, ck_rss = num(r, "convokit.wall"), num(r, "convokit.rss_kb")
    p("")
    p(f"== ConvoKit on the same {cmp_n:,} comments (bench_convokit.py: read the JSONL with pandas, "
      "Corpus.from_pandas,")
    p("   a BFS walk of every conversation for depth and width, get_utterances_dataframe)")
    if ck and ck_wall is not None:
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in ck["steps"].items())
        p(f"   convokit {ck['convokit']}, pandas {ck['pandas']}, Python {ck['python']}")
        p(f"   process: {ck_wall:.2f} s wall, peak RSS {ck_rss / 1024:,.0f} MB "
          f"({ck['maxrss_mb_after_import']:,.0f} MB after the imports)")
        p(f"   steps: {steps}; all but the imports: {ck['work_seconds']:.2f} s")
        p(f"   {ck['comments']:,} comments in {ck['conversations']:,} conversations, max depth "
          f"{ck['max_depth']}; against threadlens' articles table: {r.get('convokit.check', 'not checked')}")
    else:
        p(f"   not run: {r.get('convokit.skipped', 'no result')}")

    pc = load_json(r.get("profanity.json"))
    sl = score_line(r.get("score.stderr"))
    score_wall = num(r, "score.wall")
    p("")
    p(f"== Incivility scoring on the same {cmp_n:,} texts, one thread")
    if sl:
        p(f"   threadlens score: {score_wall:.2f} s process wall ({cmp_n / score_wall:,.0f}/s), "
          f"its own timer {sl['total']:.2f} s; scoring alone {sl['scoring']:.3f} s "
          f"({sl['n'] / sl['scoring']:,.0f}/s)")
    else:
        p(f"   threadlens score: {r.get('score.skipped', 'no timing line in its stderr')}")
    if pc:
        p(f"   alt-profanity-check {pc['alt-profanity-check']} (scikit-learn {pc['scikit-learn']}): "
          f"predict_prob alone {pc['seconds']:.3f} s ({pc['rate']:,.0f}/s; import and model load "
          f"{pc['import_and_load_seconds']:.2f} s not counted); pools: {', '.join(pc['pools']) or 'none'}")
    else:
        p(f"   alt-profanity-check: not run: {r.get('profanity.skipped', 'no result')}")

    # Targets.
    a_wall, a_rss = num(r, f"analyse.{cmp_n}.wall"), num(r, f"analyse.{cmp_n}.rss_kb")
    targets = []

    def target(name, measured, required, ok):
        targets.append((name, measured, required, ok))

    if a_wall and ck_wall:
        speed = ck_wall / a_wall
        work = ck["work_seconds"] / a_wall if ck else None
        target(f"analyse {cmp_n:,} vs ConvoKit script: time",
               f"{a_wall:.2f} s vs {ck_wall:.2f} s: {f_ratio(speed)} faster "
               f"({f_ratio(work)} vs ConvoKit without its imports)",
               f"≥ {CONVOKIT_SPEEDUP:.0f}×", speed >= CONVOKIT_SPEEDUP)
    else:
        target(f"analyse {cmp_n:,} vs ConvoKit script: time", "not measured", f"≥ {CONVOKIT_SPEEDUP:.0f}×", None)
    if a_rss and ck_rss:
        share = a_rss / ck_rss
        target(f"analyse {cmp_n:,} vs ConvoKit script: peak memory",
               f"{a_rss / 1024:.0f} MB vs {ck_rss / 1024:.0f} MB: 1/{ck_rss / a_rss:.1f}",
               f"≤ 1/{CONVOKIT_MEMORY:.0f}", share <= 1 / CONVOKIT_MEMORY)
    else:
        target(f"analyse {cmp_n:,} vs ConvoKit script: peak memory", "not measured", f"≤ 1/{CONVOKIT_MEMORY:.0f}", None)
    if sl and pc:
        tl_rate = sl["n"] / sl["scoring"]
        ratio = tl_rate / pc["rate"]
        e2e = (cmp_n / score_wall) / pc["rate"] if score_wall else None
        target("scoring alone vs alt-profanity-check, one thread",
               f"{tl_rate:,.0f}/s vs {pc['rate']:,.0f}/s: {f_ratio(ratio)} "
               f"(end to end {f_ratio(e2e)})",
               f"≥ {PROFANITY_SPEEDUP:.0f}×", ratio >= PROFANITY_SPEEDUP)
    else:
        target("scoring alone vs alt-profanity-check, one thread", "not measured", f"≥ {PROFANITY_SPEEDUP:.0f}×", None)
    b_wall, b_rss = num(r, f"analyse.{big_n}.wall"), num(r, f"analyse.{big_n}.rss_kb")
    if big_n and big_n > cmp_n and a_wall and b_wall:
        per_a, per_b = a_wall / cmp_n, b_wall / big_n
        target(f"linear time: µs/comment at {big_n:,} vs {cmp_n:,}",
               f"{1e6 * per_b:.1f} vs {1e6 * per_a:.1f}: {100 * (per_b / per_a - 1):+.0f}%",
               f"≤ +{100 * (SCALING_TIME - 1):.0f}%", per_b <= SCALING_TIME * per_a)
        target(f"bounded memory: peak RSS at {big_n:,} vs {cmp_n:,}",
               f"{b_rss / 1024:.0f} MB vs {a_rss / 1024:.0f} MB: {f_ratio(b_rss / a_rss)}",
               f"≤ {SCALING_MEMORY:.0f}×", b_rss <= SCALING_MEMORY * a_rss)
    else:
        target("linear time", f"needs --sizes with {cmp_n} and a larger size", "", None)
        target("bounded memory", f"needs --sizes with {cmp_n} and a larger size", "", None)
    t1_wall = num(r, f"{t1}.wall")
    if t1_wall and a_wall:
        identical = r.get(f"{t1}.identical") == "yes"
        speedup = t1_wall / a_wall
        cpu = num(r, f"analyse.{cmp_n}.cpu")
        target(f"both cores: default vs --threads 1 on {cmp_n:,}",
               f"{speedup:.2f}× faster ({t1_wall:.2f} s → {a_wall:.2f} s, CPU {cpu:.0f}%); "
               f"tables identical: {'yes' if identical else 'NO'}",
               f"≥ {PARALLEL_SPEEDUP}×, identical", identical and speedup >= PARALLEL_SPEEDUP)
    else:
        target("both cores", "not measured", "", None)
    ns_wall = num(r, f"analyse_ns.{cmp_n}.wall")
    if ns_wall:
        per_100k = ns_wall * 100_000 / cmp_n
        target(f"analyse --no-scores on {cmp_n:,}",
               f"{ns_wall:.2f} s ({per_100k:.2f} s per 100,000 comments)",
               f"< {NO_SCORES_SECONDS:.0f} s per 100,000", per_100k < NO_SCORES_SECONDS)
    else:
        target("analyse --no-scores", "not measured", "", None)
    h_wall = num(r, f"html.{cmp_n}.wall")
    if h_wall:
        us = 1e6 * h_wall / cmp_n
        target(f"HTML pages: µs per comment on {cmp_n:,}",
               f"{us:.1f} µs vs {HTML_US_BEFORE:.0f} µs when filed: {f_ratio(HTML_US_BEFORE / us)} faster",
               f"≥ {HTML_SPEEDUP:.0f}× ({HTML_US_BEFORE / HTML_SPEEDUP:.0f} µs)", HTML_US_BEFORE / us >= HTML_SPEEDUP)
    else:
        target("HTML pages", "not measured (--skip-html?)", "", None)

    pq_wall, pq_rss = num(r, f"{py_pq}.wall"), num(r, f"{py_pq}.rss_kb")
    c_wall, c_rss = num(r, f"{py_cli}.wall"), num(r, f"{py_cli}.rss_kb")
    if pq_wall and c_wall:
        target(f"Python API vs CLI on {cmp_n:,}: time (analyse + write Parquet; runs in turn)",
               f"{pq_wall:.2f} s vs {c_wall:.2f} s: {100 * (pq_wall / c_wall - 1):+.0f}%",
               f"≤ +{100 * (PYTHON_TIME - 1):.0f}%", pq_wall <= PYTHON_TIME * c_wall)
        target(f"Python API vs CLI on {cmp_n:,}: peak memory",
               f"{pq_rss / 1024:.0f} MB vs {c_rss / 1024:.0f} MB: {f_ratio(pq_rss / c_rss)}",
               f"same order (< {PYTHON_MEMORY:.0f}×)", pq_rss < PYTHON_MEMORY * c_rss)
    else:
        target("Python API vs CLI", "not measured", "", None)

    p("")
    p("== Side by side")
    p("")
    p("| target | measured | required | |")
    p("|---|---|---|---|")
    for name, measured, required, ok in targets:
        p(f"| {name} | {measured} | {required} | {verdict(ok)} |")
    p("")
    p(f"machine: {r.get('machine.cpu', '?')}, nproc {r.get('machine.nproc', '?')}, "
      f"{r.get('machine.ram', '?')} RAM, {r.get('machine.os', '?')}; {r.get('date', '?')}")
    p(f"threadlens {r.get('threadlens', '?')} (git {r.get('git', '?')}), {r.get('rustc', '?')}; "
      f"corpus seed {r.get('seed', '?')}, digest of the {cmp_n:,}-comment corpus "
      f"{r.get(f'analyse.{cmp_n}.digest', r.get('compare_digest', '?'))}")
    p(f"load average at the start: {r.get('loadavg.start', '?')}; at the end: {r.get('loadavg.end', '?')}")
    print("\n".join(out))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("texts", help="the texts of a JSONL corpus as id,text CSV")
    t.add_argument("corpus")
    t.add_argument("--out", required=True)
    t.set_defaults(func=cmd_texts)

    pr = sub.add_parser("profanity", help="time profanity_check.predict_prob")
    pr.add_argument("texts")
    pr.add_argument("--out", required=True)
    pr.set_defaults(func=cmd_profanity)

    c = sub.add_parser("check-convokit", help="ConvoKit's figures against threadlens' articles table")
    c.add_argument("--per-conversation", required=True)
    c.add_argument("--articles", required=True)
    c.set_defaults(func=cmd_check_convokit)

    rp = sub.add_parser("report", help="the summary and the side-by-side table")
    rp.add_argument("results")
    rp.set_defaults(func=cmd_report)

    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, OSError, KeyError, ValueError) as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
