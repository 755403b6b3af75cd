"""A skewed corpus on a local Spark (issue #14: "one discussion with 1,000,000 comments among
small ones still completes"); see BENCHMARKS.md, "Spark (issue #14)".

    python scripts/bench_spark_skew.py WORK_DIR [--big 1000000] [--small 1000] [--master local[2]]

Writes WORK_DIR/corpus/part-*.jsonl: one discussion of --big comments (each replies to a
random earlier one, fixed seed) and --small discussions of 10 comments, interleaved; then runs
threadlens.spark.analyse on them, writes the four tables as Parquet under WORK_DIR/tables and
prints the wall time, the rows of each table and the big discussion's comment count. Needs a
Python with threadlens (pip install ./python) and pyspark>=4, and Java 17.
"""

import argparse
import json
import os
import random
import sys
import time


def write_corpus(path, big, small):
    os.makedirs(path, exist_ok=True)
    rng = random.Random(14)
    words = "the a policy vote people think wrong right council story should never".split()
    files = [open(os.path.join(path, f"part-{k}.jsonl"), "w") for k in range(4)]
    n = 0
    small_left = small
    for i in range(big):
        parent = None if i == 0 or rng.random() < 0.05 else f"b{rng.randrange(i)}"
        row = {"discussion": "big", "id": f"b{i}", "parent_id": parent, "author": f"u{i % 5000}",
               "text": " ".join(rng.choice(words) for _ in range(12))}
        files[n % 4].write(json.dumps(row) + "\n")
        n += 1
        # A small discussion every so often, so the big one's rows are not contiguous.
        if small_left and i % max(1, big // small) == 0:
            d = f"s{small - small_left}"
            for j in range(10):
                row = {"discussion": d, "id": f"{d}-{j}", "parent_id": f"{d}-{j - 1}" if j else None,
                       "author": f"v{j}", "text": "a short reply in a small thread"}
                files[n % 4].write(json.dumps(row) + "\n")
                n += 1
            small_left -= 1
    for f in files:
        f.close()
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    corpus = os.path.join(args.work, "corpus")
    rows = write_corpus(corpus, args.big, args.small)
    print(f"corpus: {rows} comments ({args.big} in one discussion, {args.small} of 10)")

    from pyspark.sql import SparkSession

    import threadlens.spark as tls

    spark = (SparkSession.builder.master(args.master).appName("threadlens-skew")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "8")
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    t0 = time.perf_counter()
    df = spark.read.json(corpus)
    tables = tls.analyse(df, discussion_col="discussion", text_col="text",
                         max_discussion_comments=max(1_000_000, args.big))
    out = os.path.join(args.work, "tables")
    tables.write(out)
    wall = time.perf_counter() - t0
    counts = {name: spark.read.parquet(os.path.join(out, name)).count()
              for name in ("articles", "threads", "comments", "anomalies")}
    big = (spark.read.parquet(os.path.join(out, "comments"))
           .where("article_id = 'big'").count())
    print(json.dumps({"wall_s": round(wall, 1), "rows": counts, "big_discussion_comments": big}))
    spark.stop()


if __name__ == "__main__":
    main()
