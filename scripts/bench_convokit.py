"""The ConvoKit baseline of scripts/bench: build and walk the reply trees of a comment corpus.

Run by scripts/bench with the throwaway venv's python, under /usr/bin/time -v:

  bench_convokit.py CORPUS_DIR --out RESULT.json [--per-conversation CONVOS.csv]

Reads every *.jsonl file of CORPUS_DIR (one comment per line: id, parent_id, article_id,
author, timestamp, text, as examples/gen_corpus.rs writes them) with pandas, and does what a
ConvoKit user does to get the structure of each discussion:

  1. an utterances dataframe in ConvoKit's columns (id, speaker, conversation_id, reply_to,
     timestamp, text). ConvoKit wants one root utterance per conversation, the one whose
     reply_to is None (for Reddit corpora, the post); a news discussion has many top-level
     comments, so each discussion gets a root utterance standing for the article (id =
     conversation id, empty text), and top-level comments reply to it;
  2. Corpus.from_pandas(utterances_df=...);
  3. for each conversation, a breadth-first walk of its tree (conversation.traverse('bfs'))
     giving each comment's depth (top-level comment = 1, the article = 0), and from them the
     comments, the maximum depth and the width (most comments at one depth);
  4. corpus.get_utterances_dataframe().

Writes the time of each step and the figures to RESULT.json, and with --per-conversation one
row per conversation (conversation_id, comments, max_depth, max_width) for scripts/bench to
check against threadlens' articles table.
"""

import os

# A like-for-like comparison: ConvoKit's own work is single-threaded Python, but keep numpy's
# pools from spreading (they are not used for this).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TQDM_DISABLE", "1")  # from_pandas shows a progress bar otherwise

import time  # noqa: E402

T_START = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402


def maxrss_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="folder of *.jsonl comment files")
    ap.add_argument("--out", required=True, help="JSON file for the timings and figures")
    ap.add_argument("--per-conversation", help="CSV of comments, max_depth, max_width per conversation")
    args = ap.parse_args(argv)

    steps = {}
    t = time.perf_counter()
    import pandas as pd
    from convokit import Corpus
    from importlib import metadata

    steps["import"] = time.perf_counter() - t
    rss_after_import = maxrss_mb()

    t = time.perf_counter()
    files = sorted(glob.glob(os.path.join(args.corpus, "*.jsonl")))
    if not files:
        print(f"bench_convokit: no *.jsonl files in {args.corpus}", file=sys.stderr)
        return 2
    # dtype=False: ids stay strings (pandas would turn "123" into a number otherwise).
    df = pd.concat([pd.read_json(f, lines=True, dtype=False) for f in files], ignore_index=True)
    steps["read_jsonl"] = time.perf_counter() - t

    t = time.perf_counter()
    conv = df["article_id"].astype(str)
    parent = df["parent_id"]
    top = parent.isna()
    utts = pd.DataFrame(
        {
            "id": df["id"].astype(str),
            "speaker": df["author"].fillna("[anonymous]").astype(str),
            "conversation_id": conv,
            "reply_to": parent.astype(object).where(~top, conv),
            "timestamp": df["timestamp"],
            "text": df["text"].fillna(""),
        }
    )
    first = df.groupby(conv, sort=False)["timestamp"].min()
    roots = pd.DataFrame(
        {
            "id": first.index,
            "speaker": "[article]",
            "conversation_id": first.index,
            "reply_to": None,
            "timestamp": first.values - 1,
            "text": "",
        }
    )
    utts = pd.concat([roots, utts], ignore_index=True)
    steps["utterances_df"] = time.perf_counter() - t

    t = time.perf_counter()
    corpus = Corpus.from_pandas(utterances_df=utts)
    steps["from_pandas"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = []
    for convo in corpus.iter_conversations():
        depth = {}
        widths = Counter()
        for node in convo.traverse("bfs", as_utterance=False):
            d = depth.get(node.utt.id, 0)
            for child in node.children:
                depth[child.utt.id] = d + 1
            if d > 0:
                widths[d] += 1
        comments = sum(widths.values())
        rows.append((convo.id, comments, max(widths, default=0), max(widths.values(), default=0)))
    steps["traverse"] = time.perf_counter() - t

    t = time.perf_counter()
    udf = corpus.get_utterances_dataframe()
    steps["utterances_dataframe"] = time.perf_counter() - t

    comments = sum(r[1] for r in rows)
    work = sum(v for k, v in steps.items() if k != "import")
    result = {
        "convokit": metadata.version("convokit"),
        "pandas": metadata.version("pandas"),
        "python": sys.version.split()[0],
        "files": len(files),
        "conversations": len(rows),
        "comments": comments,
        "utterances_dataframe_rows": int(len(udf)),
        "max_depth": max((r[2] for r in rows), default=0),
        "steps": steps,
        "work_seconds": work,
        "script_seconds": time.perf_counter() - T_START,
        "maxrss_mb_after_import": rss_after_import,
        "maxrss_mb": maxrss_mb(),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    if args.per_conversation:
        with open(args.per_conversation, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["conversation_id", "comments", "max_depth", "max_width"])
            w.writerows(sorted(rows))
    print(
        f"bench_convokit: {comments:,} comments in {len(rows):,} conversations; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
