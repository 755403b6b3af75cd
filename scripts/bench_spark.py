"""threadlens.spark on a local Spark (the Spark half of scripts/bench-spark; see BENCHMARKS.md).

    python scripts/bench_spark.py CORPUS_DIR OUT_DIR [--master local[2]] [--json RESULTS]

Times, on the JSONL corpus of examples/gen_corpus (one Spark session, each step a separate
job over the same input):

  startup   SparkSession start (JVM, Python workers come later)
  shuffle   read the JSONL + the shuffle by discussion + the sort, into the `noop` sink
  arrow     the same, then every row through a mapInArrow that drops it (JVM → Python Arrow)
  analyse   threadlens.spark.analyse: the whole analysis pass, materialised (persisted)
  write     the four tables decoded and written as Parquet (Spark's writer)

and, inside the analysis pass, the seconds the Python workers spent in threadlens.analyse
(the Rust work and its CSV hand-over) and in the rest of the partition function (cutting
chunks, IPC encoding), summed over tasks with accumulators; plus Spark's own stage metrics
(shuffle bytes, task time) from the UI's REST API.
"""

import argparse
import json
import os
import sys
import time
import urllib.request


def tree_cpu(root):
    """CPU seconds (user + system, with reaped children) of a process and its descendants:
    the JVM (driver and executor in local mode) and its Python workers."""
    tick = os.sysconf("SC_CLK_TCK")
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        procs[int(pid)] = (int(fields[1]), sum(int(x) for x in fields[11:15]) / tick)
    total, todo = 0.0, [root]
    while todo:
        p = todo.pop()
        total += procs.get(p, (0, 0.0))[1]
        todo.extend(c for c, (pp, _) in procs.items() if pp == p)
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    t0 = time.perf_counter()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(args.master).appName("threadlens-bench")
        .config("spark.driver.memory", "3g")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    import pyarrow as pa

    import threadlens.spark as tls

    res = {"startup_s": time.perf_counter() - t0, "master": args.master}
    schema = "id string, parent_id string, article_id string, author string, timestamp string, text string"
    path = os.path.join(args.corpus, "*.jsonl")

    def df():
        return spark.read.schema(schema).json(path)

    res["comments"] = df().count()
    res["input_partitions"] = df().rdd.getNumPartitions()

    jvm = spark.sparkContext._gateway.proc.pid

    def timed(name, fn):
        """Wall time and CPU time of the JVM and its Python workers (the whole of local
        Spark) over one step."""
        t, c = time.perf_counter(), tree_cpu(jvm)
        out = fn()
        res[f"{name}_s"] = time.perf_counter() - t
        res[f"{name}_cpu_s"] = tree_cpu(jvm) - c
        print(f"bench_spark: {name} {res[f'{name}_s']:.1f} s, CPU {res[f'{name}_cpu_s']:.1f} s",
              file=sys.stderr)
        return out

    from pyspark.sql import functions as F

    def shuffled():
        d = df().withColumn("_k", F.col("article_id")).withColumn("_o", F.monotonically_increasing_id())
        return d.repartition("_k").sortWithinPartitions("_k", "_o")

    timed("shuffle", lambda: shuffled().write.format("noop").mode("overwrite").save())

    def drop(batches):
        for b in batches:
            if False:
                yield b

    timed("arrow", lambda: shuffled().mapInArrow(drop, "x long").write.format("noop")
          .mode("overwrite").save())

    # The analysis pass, with the time spent in threadlens.analyse summed over the workers.
    sc = spark.sparkContext
    in_analyse = sc.accumulator(0.0)
    in_function = sc.accumulator(0.0)
    cpu_analyse = sc.accumulator(0.0)
    cpu_function = sc.accumulator(0.0)
    calls = sc.accumulator(0)
    original = tls._analyse_partition

    def counted(batches, opts, schemas):
        import threadlens
        import threadlens.spark as m

        # Wrapped again for every task: a reused worker gets this task's accumulators (an
        # earlier task's would no longer be reported).
        if not hasattr(threadlens, "_bench_original"):
            threadlens._bench_original = threadlens.analyse
        inner = threadlens._bench_original

        def analyse(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return inner(*a, **k)
            finally:
                in_analyse.add(time.perf_counter() - t)
                cpu_analyse.add(time.process_time() - c)
                calls.add(1)

        threadlens.analyse = analyse
        # Time in the function only, not waiting for the input batches.
        waited = 0.0

        def feed():
            nonlocal waited
            it = iter(batches)
            while True:
                t = time.perf_counter()
                try:
                    b = next(it)
                except StopIteration:
                    waited += time.perf_counter() - t
                    return
                waited += time.perf_counter() - t
                yield b

        t, c = time.perf_counter(), time.process_time()
        yield from m._analyse_partition(feed(), opts, schemas)
        in_function.add(time.perf_counter() - t - waited)
        cpu_function.add(time.process_time() - c)

    tls._analyse_partition = counted
    try:
        tables = tls.analyse(df())
    finally:
        tls._analyse_partition = original
    timed("analyse", lambda: tables.ipc.count())
    res["in_analyse_s"] = in_analyse.value
    res["in_partition_function_s"] = in_function.value
    res["analyse_calls"] = calls.value
    res["cpu_in_analyse_s"] = cpu_analyse.value
    res["cpu_in_partition_function_s"] = cpu_function.value

    def write():
        for name in tls.TABLES:
            getattr(tables, name).write.mode("overwrite").parquet(os.path.join(args.out, name))

    timed("write", write)
    res["rows"] = {name: spark.read.parquet(os.path.join(args.out, name)).count()
                   for name in tls.TABLES}

    # Spark's stage metrics (the UI's REST API).
    try:
        url = sc.uiWebUrl + f"/api/v1/applications/{sc.applicationId}/stages"
        stages = json.load(urllib.request.urlopen(url))
        res["shuffle_write_bytes"] = sum(s.get("shuffleWriteBytes", 0) for s in stages)
        res["shuffle_read_bytes"] = sum(s.get("shuffleReadBytes", 0) for s in stages)
        res["stages"] = [
            {k: s.get(k) for k in ("stageId", "name", "numTasks", "executorRunTime",
                                   "executorCpuTime", "shuffleWriteBytes", "shuffleReadBytes",
                                   "inputBytes", "outputBytes", "memoryBytesSpilled",
                                   "diskBytesSpilled")}
            for s in stages if s.get("status") == "COMPLETE"
        ]
    except Exception as e:  # the UI may be off; the timings stand without it
        res["metrics_error"] = str(e)
    tables.unpersist()
    res["cpu_spark_tree_s"] = tree_cpu(jvm)
    spark.stop()
    text = json.dumps(res, indent=2)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
