"""threadlens.spark equals threadlens.analyse and the CLI on the same comment rows (issue #14).

Runs a local Spark session (local[2]); skipped only when PySpark cannot be imported (CI
installs it: .ci/run).
"""

import csv
import json
import math
import os
import pathlib
import random
import re
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import threadlens

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'threadlens[spark]')")

import threadlens.spark as tls  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
TABLES = ("articles", "threads", "comments", "anomalies", "edges", "interactions")
# Rows are compared in this order; the key ends with the whole row, so ties are broken too.
KEYS = {
    "articles": ("article_id",),
    "threads": ("article_id", "thread_id"),
    "comments": ("article_id", "comment_id", "position", "depth"),
    "anomalies": ("article_id", "kind", "comment_id", "message"),
    "edges": ("article_id", "comment_id", "parent_id"),
    "interactions": ("article_id", "author", "parent_author"),
}


@pytest.fixture(scope="module")
def spark():
    # The executors' Python is this one (with threadlens installed), not the PATH's python3.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("threadlens-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Small input splits: a file's rows reach the shuffle from several partitions.
        .config("spark.sql.files.maxPartitionBytes", "65536")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def cli():
    path = pathlib.Path(os.environ.get("THREADLENS_BIN", ROOT / "target" / "release" / "threadlens"))
    assert path.exists(), f"{path} is not built: run `cargo build --release` first"
    return str(path)


def cli_dir(tmp_path, *args):
    out = tmp_path / "cli-out"
    subprocess.run([cli(), "analyse", *args, "--out", str(out), "--quiet"], check=True,
                   capture_output=True)
    return out


def cli_tables(out):
    return {name: pq.read_table(out / f"{name}.parquet") for name in TABLES}


def spark_tables(tables):
    """The Spark tables as pyarrow tables."""
    return {name: getattr(tables, name).toArrow() for name in TABLES}


# --- comparison -------------------------------------------------------------------------------

def _norm_value(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def _rows(table, name):
    """Rows as dicts without what only a file gives (`source`, `format`, `line`, and line
    numbers in anomaly messages), sorted by the table's key."""
    rows = []
    for r in table.to_pylist():
        r = {k: v for k, v in r.items() if k not in ("source", "format", "line")}
        # The id given to a row without one counts rows: of the file in the CLI (which makes
        # it row-9 for the 8th row after a change of discussion: the reader counts the row
        # that ended the discussion), of the DataFrame in Spark.
        for k in ("comment_id", "parent_id", "root_id", "thread_id", "message"):
            if isinstance(r.get(k), str):
                r[k] = re.sub(r"\brow-\d+", "row-N", r[k])
        if name == "anomalies":
            # A DataFrame has no lines: "1 row from line 9 on has no discussion id" is "1 row
            # has no discussion id" from Spark.
            m = re.sub(r"(\d+ rows?) from line \d+ on ", r"\1 ", r["message"])
            r["message"] = re.sub(r"\blines? \d+", "line N", m)
        rows.append(r)
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in KEYS[name]) + (repr(sorted(r.items(), key=str)),))


def _close(a, b, path):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), path
        else:
            assert abs(a - b) <= 1e-12, f"{path}: {a} != {b}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def assert_tables_equal(got, expected, what):
    """Same column names and rows (sorted by key), floats within 1e-12."""
    for name in TABLES:
        g, e = got[name], expected[name]
        assert g.column_names == e.column_names, f"{what}: {name} columns"
        assert g.num_rows == e.num_rows, f"{what}: {name} has {g.num_rows} rows, expected {e.num_rows}"
        for i, (a, b) in enumerate(zip(_rows(g, name), _rows(e, name))):
            _close(a, b, f"{what}: {name} row {i}")


def _strip_nullability(t):
    if isinstance(t, T.StructType):
        return T.StructType([T.StructField(f.name, _strip_nullability(f.dataType), True) for f in t])
    if isinstance(t, T.ArrayType):
        return T.ArrayType(_strip_nullability(t.elementType), True)
    if isinstance(t, T.MapType):
        return T.MapType(_strip_nullability(t.keyType), _strip_nullability(t.valueType), True)
    return t


# --- inputs -----------------------------------------------------------------------------------

def seeds_jsonl(path):
    """The seeds' comments as a table of comment rows (one JSON object a line)."""
    comments = threadlens.analyse(str(SEEDS)).comments.to_pylist()
    with open(path, "w", encoding="utf-8") as f:
        for c in comments:
            f.write(json.dumps({"id": c["comment_id"], "parent_id": c["parent_id"],
                                "article_id": c["article_id"], "author": c["author"],
                                "timestamp": c["time_raw"], "text": c["text"]}) + "\n")
    return path


WORDS = ("the police government article you idiot agree disagree never fair point thanks "
         "nonsense evidence report figures think really people right wrong liar").split()


def interleave(streams, rng):
    out = []
    streams = [list(s) for s in streams]
    while any(streams):
        for s in streams:
            if s:
                k = rng.randint(1, 4)
                out.extend(s[:k])
                del s[:k]
    return out


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def read_csv(spark, path):
    return spark.read.csv(str(path), header=True)


# --- tests ------------------------------------------------------------------------------------

def test_import_threadlens_needs_no_pyspark():
    code = "import sys, threadlens; assert 'pyspark' not in sys.modules, 'pyspark imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_candidates_are_the_table_readers():
    """The driver picks the columns the executors' reader would (src/parse/table.rs)."""
    source = (ROOT / "src" / "parse" / "table.rs").read_text()
    body = source[source.index("pub fn candidates"):]
    body = body[:body.index("\n    }\n")]
    roles = {"Id": "id_col", "Parent": "parent_col", "Discussion": "discussion_col",
             "Author": "author_col", "Time": "time_col", "Text": "text_col"}
    for role, arg in roles.items():
        m = re.search(rf"Role::{role} => \{{?\s*&\[(.*?)\]", body, re.S)
        assert m, role
        names = tuple(re.findall(r'"([^"]+)"', m.group(1)))
        assert names == tls.CANDIDATES[arg], role


def test_type_mapping():
    assert tls.spark_type(pa.dictionary(pa.int32(), pa.string())) == T.StringType()
    assert tls.spark_type(pa.uint32()) == T.LongType()
    assert tls.spark_type(pa.uint64()) == T.DecimalType(20, 0)
    assert tls.spark_type(pa.timestamp("us", tz="UTC")) == T.TimestampType()
    assert tls.spark_type(pa.timestamp("us")) == T.TimestampNTZType()
    assert tls.spark_type(pa.list_(pa.field("item", pa.float64(), nullable=False))) == \
        T.ArrayType(T.DoubleType(), containsNull=False)
    with pytest.raises(TypeError, match="month_day_nano_interval"):
        tls.spark_type(pa.month_day_nano_interval())


def test_seeds_equal_analyse_and_the_cli(spark, tmp_path):
    path = seeds_jsonl(tmp_path / "seeds.jsonl")
    tables = tls.analyse(spark.read.json(str(path)))
    got = spark_tables(tables)
    assert got["comments"].num_rows == 8
    expected_cli = cli_tables(cli_dir(tmp_path, str(path)))
    assert_tables_equal(got, expected_cli, "spark vs CLI")
    from_python = threadlens.analyse(str(path))
    assert_tables_equal(got, {n: getattr(from_python, n) for n in TABLES}, "spark vs analyse")
    tables.unpersist()


def test_schemas_equal_the_clis_parquet_as_spark_reads_it(spark, tmp_path):
    path = seeds_jsonl(tmp_path / "seeds.jsonl")
    out = cli_dir(tmp_path, str(path))
    tables = tls.analyse(spark.read.json(str(path)))
    for name in TABLES:
        expected = spark.read.parquet(str(out / f"{name}.parquet")).schema
        got = getattr(tables, name).schema
        assert got.names == expected.names, name
        assert _strip_nullability(got) == _strip_nullability(expected), name
    # The nullability is the CLI's Arrow schema's (Spark reads every Parquet column nullable).
    arrow = pq.read_schema(out / "comments.parquet")
    for field in tables.comments.schema:
        assert field.nullable == arrow.field(field.name).nullable, field.name


def test_generated_corpus_equals_analyse_and_the_cli(spark, tmp_path):
    rng = random.Random(14)
    rows = interleave(_discussions(rng, 60), rng)
    path = write_csv(tmp_path / "corpus.csv", rows)
    df = read_csv(spark, path)
    assert df.rdd.getNumPartitions() > 1
    # A small batch: many analyse calls per partition, discussions never split.
    tables = tls.analyse(df, batch_comments=50)
    got = spark_tables(tables)
    assert got["articles"].num_rows == 60
    assert got["comments"].num_rows == len(rows)
    assert_tables_equal(got, cli_tables(cli_dir(tmp_path, str(path))), "spark vs CLI")
    from_python = threadlens.analyse(str(path))
    assert_tables_equal(got, {n: getattr(from_python, n) for n in TABLES}, "spark vs analyse")
    # The comments' order within a discussion is the file's, although rows were shuffled.
    assert got["comments"].column("position").to_pylist() != [1] * len(rows)


def _discussions(rng, n, big=None):
    sizes = [rng.choice((1, 2, 3, 5, 8, 20, 60)) for _ in range(n)]
    if big:
        sizes.insert(n // 2, big)
    out = []
    for d, size in enumerate(sizes):
        rows = []
        for i in range(size):
            parent = "" if i == 0 or rng.random() < 0.3 else f"d{d}c{rng.randrange(max(0, i - 5), i)}"
            rows.append({
                "id": f"d{d}c{i}", "parent_id": parent, "article_id": f"art-{d:04d}",
                "author": f"u{rng.randrange(max(2, size // 3))}",
                "timestamp": f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 15))),
            })
        out.append(rows)
    return out


def test_skewed_corpus_completes(spark, tmp_path):
    """One discussion of 20,000 comments among 300 small ones."""
    rng = random.Random(7)
    streams = _discussions(rng, 300, big=20_000)
    rows = [r for s in streams for r in s]
    path = write_csv(tmp_path / "skewed.csv", rows)
    tables = tls.analyse(read_csv(spark, path), batch_comments=2_000)
    got = spark_tables(tables)
    assert got["articles"].num_rows == 301
    assert got["comments"].num_rows == len(rows)
    big = [a for a in got["articles"].to_pylist() if a["comments"] == 20_000]
    assert len(big) == 1
    from_python = threadlens.analyse(str(path))
    assert_tables_equal(got, {n: getattr(from_python, n) for n in TABLES}, "spark vs analyse")


BAD_CSV = """id,parent_id,article_id,author,text
c1,,a1,ann,First comment
c2,c1,a1,bob,You are an idiot
c2,c1,a1,bob,A second comment with the same id
c3,c9,a1,cat,Replies to a comment that is not there
c4,c4,a1,dan,Replies to itself
c5,c6,a2,eve,One half of a cycle
c6,c5,a2,fay,The other half
,c1,a1,gus,A row without an id
c7,,,hal,A row without a discussion
c8,,a3,ivy,A fine comment
"""


def test_bad_rows_give_the_clis_anomalies(spark, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV)
    # `source` names the discussion of the rows without one, as the file's name does.
    tables = tls.analyse(read_csv(spark, path), source="bad")
    got = spark_tables(tables)
    kinds = set(got["anomalies"].column("kind").to_pylist())
    assert {"orphan", "duplicate_id", "self_reply", "cycle", "bad_record"} <= kinds
    assert any("no discussion id" in m for m in got["anomalies"].column("message").to_pylist())
    assert got["anomalies"].column("line").null_count == got["anomalies"].num_rows
    assert set(got["articles"].column("source").to_pylist()) == {"bad"}
    # The row without an id is the DataFrame's 8th (one partition: the file's 8th row).
    lost = [c for c in got["comments"].to_pylist() if c["text"] == "A row without an id"]
    assert [c["comment_id"] for c in lost] == ["row-8"]
    assert any(m == "row has no comment id; kept as `row-8`"
               for m in got["anomalies"].column("message").to_pylist())
    assert_tables_equal(got, cli_tables(cli_dir(tmp_path, str(path))), "spark vs CLI")


def test_a_too_large_discussion_is_refused_by_name(spark, tmp_path):
    rows = [{"id": f"c{i}", "parent_id": "", "article_id": "huge-one", "text": "x"}
            for i in range(30)]
    rows += [{"id": "s1", "parent_id": "", "article_id": "small", "text": "x"}]
    df = spark.createDataFrame(rows)
    tables = tls.analyse(df, max_discussion_comments=20, scores=False)
    with pytest.raises(Exception, match=r"discussion 'huge-one' has more than 20 comments.*max_discussion_comments"):
        tables.articles.collect()
    # At the limit it goes through.
    ok = tls.analyse(df, max_discussion_comments=30, scores=False)
    assert sorted(r["comments"] for r in ok.articles.collect()) == [1, 30]


def test_a_discussion_column_is_required(spark):
    df = spark.createDataFrame([{"id": "c1", "parent_id": "", "text": "x"}])
    with pytest.raises(ValueError, match="no discussion column.*discussion_col"):
        tls.analyse(df)
    with pytest.raises(ValueError, match="names a column the DataFrame does not have"):
        tls.analyse(df, discussion_col="story")


def test_named_columns_and_structure_only(spark):
    df = spark.createDataFrame([
        {"cid": "1", "reply": "", "conv": "k1", "who": "ann", "words": "Fine point"},
        {"cid": "2", "reply": "1", "conv": "k1", "who": "bob", "words": "You liar"},
    ])
    tables = tls.analyse(df, id_col="cid", parent_col="reply", discussion_col="conv",
                         author_col="who", text_col="words", scores=False)
    rows = sorted(tables.comments.collect(), key=lambda r: r["comment_id"])
    assert [(r["comment_id"], r["parent_id"], r["author"], r["depth"]) for r in rows] == \
        [("1", None, "ann", 1), ("2", "1", "bob", 2)]
    assert all(r["incivility"] is None for r in rows)


def test_a_reddit_dump_equals_the_cli(spark, tmp_path):
    """NDJSON as Reddit's comment dumps write it: t1_/t3_ parents, link_id, epoch times,
    fields the analysis does not use (nested ones too), read with spark.read.json."""
    rows = []
    for post in range(3):
        for i in range(12):
            parent = f"t3_p{post}" if i % 4 == 0 else f"t1_k{post}x{i - 1 - i % 2}"
            rows.append({"id": f"k{post}x{i}", "parent_id": parent, "link_id": f"t3_p{post}",
                         "author": f"user{i % 5}", "created_utc": 1700000000 + 60 * i,
                         "body": "you liar" if i % 3 == 0 else "a fair point about the article",
                         "score": i, "all_awardings": [{"name": "x", "count": 1}]})
    path = tmp_path / "RC_sample.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tables = tls.analyse(spark.read.json(str(path)))
    got = spark_tables(tables)
    assert got["articles"].num_rows == 3
    assert got["comments"].column("depth").to_pylist() != [1] * len(rows)
    assert_tables_equal(got, cli_tables(cli_dir(tmp_path, str(path))), "spark vs CLI")
    # SparkTables.write: a Parquet folder per table, read back the same; never over one.
    tables.write(str(tmp_path / "results"))
    for name in TABLES:
        back = spark.read.parquet(str(tmp_path / "results" / name))
        assert back.count() == got[name].num_rows, name
    with pytest.raises(Exception, match="already exists"):
        tables.write(str(tmp_path / "results"))


def test_models_reach_the_executors_by_name(spark, tmp_path):
    """A model given by a path the executors lack is found among the files shipped to them
    (`--files`, SparkContext.addFile) by its name."""
    shipped_copy = tmp_path / "ship" / "incivility-copy.json"
    model = tmp_path / "driver" / "incivility-copy.json"
    for path in (shipped_copy, model):
        path.parent.mkdir()
        path.write_bytes((ROOT / "models" / "incivility.json").read_bytes())
    spark.sparkContext.addFile(str(shipped_copy))
    df = spark.createDataFrame([
        {"id": "1", "parent_id": "", "article_id": "a", "text": "Thanks for the article"},
        {"id": "2", "parent_id": "1", "article_id": "a", "text": "You are an idiot and a liar"},
    ])
    tables = tls.analyse(df, models=[str(model)])
    model.unlink()  # the driver read it (for the schemas); the executors must not need it
    got = sorted((r["comment_id"], r["incivility"]) for r in tables.comments.collect())
    shipped = tls.analyse(df)
    expected = sorted((r["comment_id"], r["incivility"]) for r in shipped.comments.collect())
    assert got == expected and got[1][1] > got[0][1]


def test_partitions_are_cut_at_discussion_boundaries(monkeypatch):
    """The partition function (no Spark job): a discussion running over input batches stays
    in one call; calls hold whole discussions up to batch_comments; the cap is per discussion."""
    def batch(keys, start):
        n = len(keys)
        return pa.RecordBatch.from_pydict({
            "id": [f"{k}{start + i}" for i, k in enumerate(keys)], "parent_id": [""] * n,
            "article_id": keys, "text": ["a fine point"] * n,
            tls._ORDER: list(range(start, start + n)), tls._KEY: keys,
        })
    batches = [batch(["a", "a"], 0), batch(["a", "b", "c"], 2), batch(["c"] * 4, 5)]
    schemas = {n: tls._arrow_schema(tls.spark_schema(s))
               for n, s in tls._table_schemas((), False).items()}
    calls = []
    real = threadlens.analyse

    def recording(table, **kw):
        calls.append(sorted(set(table.column("article_id").to_pylist())))
        return real(table, **kw)

    monkeypatch.setattr(threadlens, "analyse", recording)
    cols = {"id_col": "id", "parent_col": "parent_id", "discussion_col": "article_id",
            "text_col": "text"}
    opts = {"models": (), "scores": False, "source": "spark", "columns": cols,
            "batch_comments": 4, "max_discussion_comments": 5}
    out = list(tls._analyse_partition(iter(batches), opts, schemas))
    assert calls == [["a", "b"], ["c"]]
    comments = [
        row for b in out for name, ipc in zip(b.column("table").to_pylist(), b.column("ipc").to_pylist())
        if name == "comments" for row in pa.ipc.open_stream(ipc).read_all().to_pylist()
    ]
    assert [c["comment_id"] for c in comments] == ["a0", "a1", "a2", "b3", "c4", "c5", "c6", "c7", "c8"]
    opts["max_discussion_comments"] = 4
    with pytest.raises(tls.DiscussionTooLarge, match="discussion 'c' has more than 4 comments"):
        list(tls._analyse_partition(iter(batches), opts, schemas))
