"""The Python face equals the CLI: same tables on the same inputs (issue #14)."""

import json
import os
import pathlib
import subprocess
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import threadlens

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
TABLES = ("articles", "threads", "comments", "anomalies", "edges", "interactions")

THREAD_CSV = """id,parent_id,article_id,author,text
c1,,a1,ann,First comment on the article
c2,c1,a1,bob,You are an idiot and a liar
c3,c2,a1,ann,I agree with you there
c4,,a2,cat,A comment under another article
"""


def cli():
    """The release binary built from this checkout (set THREADLENS_BIN to use another)."""
    path = pathlib.Path(os.environ.get("THREADLENS_BIN", ROOT / "target" / "release" / "threadlens"))
    assert path.exists(), f"{path} is not built: run `cargo build --release` first"
    return str(path)


def cli_tables(tmp_path, *args):
    out = tmp_path / "cli-out"
    subprocess.run([cli(), "analyse", *args, "--out", str(out), "--quiet"], check=True,
                   capture_output=True)
    return {name: pq.read_table(out / f"{name}.parquet") for name in TABLES}


def assert_same(result, tables):
    for name in TABLES:
        got, expected = getattr(result, name), tables[name]
        assert got.schema.names == expected.schema.names, name
        assert got.schema.equals(expected.schema, check_metadata=False), name
        assert got.num_rows == expected.num_rows, name
        assert got.to_pylist() == expected.to_pylist(), name


def test_seeds_comments():
    assert threadlens.analyse(str(SEEDS)).comments.num_rows == 8


def test_seeds_equal_the_cli(tmp_path):
    assert_same(threadlens.analyse(str(SEEDS)), cli_tables(tmp_path, str(SEEDS)))


def test_structure_only_equals_the_cli(tmp_path):
    result = threadlens.analyse([str(SEEDS)], scores=False)
    assert result.comments.column("incivility").null_count == 8
    assert_same(result, cli_tables(tmp_path, str(SEEDS), "--no-scores"))


def test_a_table_file_equals_the_cli(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text(THREAD_CSV)
    result = threadlens.analyse(path)
    assert result.articles.column("article_id").to_pylist() == ["a1", "a2"]
    assert_same(result, cli_tables(tmp_path, str(path)))


ROWS = {
    "article_id": ["a1", "a1", "a1", "a2", "a1"],
    "id": [1, 2, 3, 4, 5],
    "parent_id": [None, 1, 2, None, 1],
    "author": ["ann", "bob", "ann", "cat", None],
    "created_utc": [1700000000, 1700000100, 1700000200, 1700000300, 1700000400],
    "text": ["First comment on the article", "You are an idiot and a liar",
             "I agree with you there", "A comment under another article", "> First\nyes"],
}


def jsonl_file(tmp_path, rows=ROWS):
    """The rows as a JSON Lines file (integers as numbers, nulls as null)."""
    path = tmp_path / "rows.jsonl"
    names = list(rows)
    with open(path, "w") as f:
        for values in zip(*rows.values()):
            f.write(json.dumps(dict(zip(names, values))) + "\n")
    return path


def assert_same_rows(got, expected):
    """Equal tables but for where the rows came from (``source``, ``format``)."""
    for name in TABLES:
        a, b = getattr(got, name), getattr(expected, name)
        drop = [c for c in ("source", "format") if c in a.column_names]
        assert a.schema.equals(b.schema, check_metadata=False), name
        assert a.drop_columns(drop).to_pylist() == b.drop_columns(drop).to_pylist(), name


def test_table_input_equals_file_input(tmp_path):
    """Issue #14: a table crosses as Arrow batches and reads as the same rows in a file do."""
    pd = pytest.importorskip("pandas")
    from_file = threadlens.analyse(jsonl_file(tmp_path))
    assert from_file.comments.num_rows == 5 and from_file.articles.num_rows == 2
    table = pa.table(ROWS)
    assert table.schema.field("id").type == pa.int64()
    frame = pd.DataFrame(ROWS).astype({"parent_id": "Int64"})
    inputs = {"pyarrow": table, "pandas": frame, "reader": table.to_reader(max_chunksize=2)}
    try:
        import polars as pl
        inputs["polars"] = pl.from_arrow(table)
    except ImportError:
        pass
    for kind, data in inputs.items():
        from_table = threadlens.analyse(data)
        assert from_table.articles.column("format").to_pylist() == ["arrow", "arrow"], kind
        assert from_table.articles.column("source").to_pylist() == ["table", "table"], kind
        assert_same_rows(from_table, from_file)
    # The same parents as in the file: the reply tree is built from integer ids.
    pairs = zip(*from_file.comments.select(["comment_id", "parent_id"]).to_pydict().values())
    assert dict(pairs) == {"1": None, "2": "1", "3": "2", "4": None, "5": "1"}


def test_pandas_float_ids_read_as_integers(tmp_path):
    """pandas makes an integer column with a missing value float (1.0, NaN): still ids 1, 2."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS)
    assert frame["parent_id"].dtype == "float64"
    assert_same_rows(threadlens.analyse(frame), threadlens.analyse(jsonl_file(tmp_path)))


def test_table_columns_are_named_with_options():
    table = pa.table({"key": ["x", "y"], "re": [None, "x"], "words": ["hi", "hello"]})
    result = threadlens.analyse(table, id_col="key", parent_col="re", text_col="words")
    assert result.comments.column("parent_id").to_pylist() == [None, "x"]
    assert result.comments.column("text").to_pylist() == ["hi", "hello"]
    assert result.articles.column("article_id").to_pylist() == ["table"]


def test_table_without_id_column_is_a_clear_error():
    table = pa.table({"parent_id": [None, 1], "text": ["a", "b"]})
    with pytest.raises(threadlens.ThreadlensError,
                       match=r"no comment id column.*\(columns: parent_id, text\); name it with id_col"):
        threadlens.analyse(table)
    with pytest.raises(threadlens.ThreadlensError, match="id_col names column `nope`"):
        threadlens.analyse(table, id_col="nope")


def test_a_table_and_files_together(tmp_path):
    result = threadlens.analyse([str(SEEDS), pa.table(ROWS)])
    assert result.articles.column("format").to_pylist()[-2:] == ["arrow", "arrow"]
    assert result.summary["given"] == [str(SEEDS), "(table)"]
    # In the order given.
    result = threadlens.analyse([pa.table(ROWS), str(SEEDS)])
    assert result.articles.column("format").to_pylist()[:3] == ["arrow", "arrow", "text"]


def test_bad_inputs_are_listed_and_the_rest_analysed(tmp_path):
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01\x02")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = threadlens.analyse([str(SEEDS / "002_33127b48be7e0ce9.txt"), str(tmp_path / "bad.bin"),
                                     str(tmp_path / "missing.txt")])
    assert result.comments.num_rows == 8
    assert len(result.failed) == 2
    assert any("bad.bin: binary content" in m for m in result.failed)
    assert any("missing.txt: no such file" in m for m in result.failed)
    assert len(caught) == 2


def test_nothing_read_raises(tmp_path):
    with pytest.raises(threadlens.ThreadlensError, match="missing.txt"):
        threadlens.analyse(str(tmp_path / "missing.txt"))


def test_unknown_arguments_are_refused():
    with pytest.raises(TypeError, match="idcol"):
        threadlens.analyse(str(SEEDS), idcol="x")
    with pytest.raises(ValueError, match="unknown input format"):
        threadlens.analyse(str(SEEDS), input_format="pdf")


def test_score():
    table = threadlens.score(["You are an idiot.", "Thanks for the article.", None])
    assert table.column_names == ["incivility", "uncivil", "forms", "cues", "language",
                                  "score_status"]
    p = table.column("incivility").to_pylist()
    assert p[0] > p[1] and p[2] is None
    assert table.column("uncivil").to_pylist()[0] is True
    assert "name_calling" in table.column("forms").to_pylist()[0]


def test_score_equals_the_cli(tmp_path):
    texts = ["You are an idiot.", "Thanks for the article.", "What a load of rubbish, liar"]
    (tmp_path / "t.csv").write_text("text\n" + "\n".join(f'"{t}"' for t in texts) + "\n")
    out = subprocess.run([cli(), "score", str(tmp_path / "t.csv")], check=True,
                         capture_output=True, text=True).stdout
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(out)))
    got = threadlens.score(texts).column("incivility").to_pylist()
    assert [round(p, 6) for p in got] == [float(r["incivility"]) for r in rows]


def test_score_reads_each_text_in_its_language(tmp_path):
    """Issue #16: German texts by the German model, others without a model unscored (with the
    reason), as the CLI's `score` does."""
    texts = ["Was für ein Vollidiot, der Typ lügt doch, sobald er den Mund aufmacht.",
             "Je pense que les chiffres de cet article sont tout simplement faux, et voilà.",
             "!!!!", None]
    t = threadlens.score(texts)
    assert t.column("language").to_pylist() == ["de", "fr", None, None]
    assert t.column("score_status").to_pylist() == ["scored", "unsupported_language", "scored",
                                                    "no_text"]
    p = t.column("incivility").to_pylist()
    assert p[0] is not None and p[1] is None and p[2] is not None
    (tmp_path / "t.csv").write_text("text\n" + "\n".join(f'"{x}"' for x in texts[:3]) + "\n")
    out = subprocess.run([cli(), "score", str(tmp_path / "t.csv")], check=True,
                         capture_output=True, text=True).stdout
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["score_status"] for r in rows] == t.column("score_status").to_pylist()[:3]
    assert round(p[0], 6) == float(rows[0]["incivility"])
    english = threadlens.score(texts[:1], language="en").column("incivility").to_pylist()[0]
    assert english != p[0]


def test_report_equals_the_cli():
    page = str(SEEDS / "002_33127b48be7e0ce9.txt")
    expected = subprocess.run([cli(), "report", "--tree", page], check=True, capture_output=True,
                              text=True).stdout
    assert threadlens.report(page, tree=True) == expected


def test_report_of_a_table(tmp_path):
    path = jsonl_file(tmp_path)
    from_table = threadlens.report(pa.table(ROWS), tree=True)
    assert "a1" in from_table and "a2" in from_table
    assert from_table == threadlens.report(path, tree=True).replace(str(path), "table").replace(
        "(jsonl)", "(arrow)")


def test_write_parquet(tmp_path):
    result = threadlens.analyse(str(SEEDS))
    paths = result.write(tmp_path / "out")
    assert [pathlib.Path(p).name for p in paths] == [f"{t}.parquet" for t in TABLES]
    written = {t: pq.read_table(p) for t, p in zip(TABLES, paths)}
    assert_same(result, written)
    meta = pq.ParquetFile(paths[2]).metadata.metadata
    assert meta[b"threadlens.scores"].decode() == result.summary["models"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_write_equals_the_cli_byte_for_byte(tmp_path, fmt):
    """Issue #14: Result.write uses the CLI's writers."""
    subprocess.run([cli(), "analyse", str(SEEDS), "--out", str(tmp_path / "cli"), "--format", fmt,
                    "--quiet"], check=True, capture_output=True)
    paths = threadlens.analyse(str(SEEDS)).write(tmp_path / "py", format=fmt)
    for t, p in zip(TABLES, paths):
        assert pathlib.Path(p) == tmp_path / "py" / f"{t}.{fmt}"
        assert pathlib.Path(p).read_bytes() == (tmp_path / "cli" / f"{t}.{fmt}").read_bytes(), t
    cli_run = json.loads((tmp_path / "cli" / "run.json").read_text())
    py_run = json.loads((tmp_path / "py" / "run.json").read_text())
    assert py_run.keys() == cli_run.keys()
    for key in ("threadlens_version", "schema_version", "format", "inputs", "inputs_read",
                "failed_inputs", "input_formats", "rows", "models"):
        assert py_run[key] == cli_run[key], key


def test_write_refuses_to_overwrite(tmp_path):
    result = threadlens.analyse(str(SEEDS))
    out = tmp_path / "out"
    result.write(out, format="csv")
    before = (out / "comments.csv").read_bytes()
    with pytest.raises(FileExistsError, match="not empty"):
        result.write(out, format="csv")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        result.write(tmp_path / "file")
    with pytest.raises(ValueError, match="unknown format"):
        result.write(tmp_path / "other", format="xlsx")
    assert (out / "comments.csv").read_bytes() == before
    # As the CLI: overwrite replaces the set and leaves the user's files alone.
    (out / "notes.txt").write_text("mine")
    small = threadlens.analyse(str(SEEDS / "002_33127b48be7e0ce9.txt"))
    small.write(out, format="jsonl", overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "comments.jsonl").exists() and not (out / "comments.csv").exists()
    assert json.loads((out / "run.json").read_text())["rows"]["comments"] == 8


def big_corpus(discussions=2000, per=100):
    """A generated table: `discussions` discussions of `per` comments, each replying to the one
    before."""
    n = discussions * per
    ids = pa.array(range(n), pa.int64())
    parents = pa.array([None if i % per == 0 else i - 1 for i in range(n)], pa.int64())
    words = ["you are an idiot", "I agree with the article", "what a load of rubbish",
             "thanks for writing this", "nonsense, read the report again"]
    return pa.table({
        "article_id": pa.array([f"d{i // per}" for i in range(n)]),
        "id": ids,
        "parent_id": parents,
        "text": pa.array([words[i % 5] + f" ({i})" for i in range(n)]),
    })


def run_thread_alive():
    """Whether the extension's run thread (named `threadlens-run`) is alive."""
    names = []
    for task in pathlib.Path("/proc/self/task").iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:
            pass
    return "threadlens-run" in names


@pytest.mark.skipif(not pathlib.Path("/proc/self/task").exists(), reason="needs /proc (Linux)")
def test_ctrl_c_interrupts_a_run():
    """Issue #14: Ctrl-C during a long run raises KeyboardInterrupt while the run is going (an
    extension that does not check for signals would have Python raise it only once the whole
    run is done, its thread gone)."""
    import signal
    import threading

    table = big_corpus(discussions=1000)
    during_run = []

    def on_sigint(signum, frame):
        during_run.append(run_thread_alive())
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            threadlens.analyse(table)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert during_run == [True]
    # The run has stopped: its thread was joined (the kernel may list it a moment longer).
    import time
    for _ in range(100):
        if not run_thread_alive():
            break
        time.sleep(0.05)
    assert not run_thread_alive(), "the run has stopped"


def test_extra_keeps_other_columns_and_keep_cols_narrows_them():
    table = pa.table({"id": ["1", "2"], "parent_id": [None, "1"], "text": ["Hi", "Hey"],
                      "likes": [3, None], "country": ["de", "at"]})
    extra = threadlens.analyse(table, scores=False).comments.column("extra").to_pylist()
    assert extra == [[("country", "de"), ("likes", "3")], [("country", "at")]]
    only = threadlens.analyse(table, scores=False, keep_cols=["LIKES"]).comments
    assert only.column("extra").to_pylist() == [[("likes", "3")], None]
    with pytest.raises(threadlens.ThreadlensError, match="keep_cols names column `nope`"):
        threadlens.analyse(table, scores=False, keep_cols=["nope"])


def test_graphml_loads_in_networkx(tmp_path):
    """Issue #18: `analyse --graph` writes GraphML networkx reads, with the counts of the
    interactions table."""
    import networkx as nx

    table = tmp_path / "t.csv"
    table.write_text("id,parent_id,article_id,author,text\n1,,a,ann,Wrong.\n2,1,a,bob,No.\n"
                     "3,2,a,ann,Yes.\n4,,b,bob,New.\n5,4,b,ann,Hm.\n6,4,b,cat,Ok.\n")
    graph = tmp_path / "g.graphml"
    subprocess.run([cli(), "analyse", str(table), "--out", str(tmp_path / "out"), "--graph",
                    str(graph), "--quiet"], check=True, capture_output=True)
    g = nx.read_graphml(graph)
    assert g.is_directed()
    names = {n: d["name"] for n, d in g.nodes(data=True)}
    assert sorted(names.values()) == ["ann", "bob", "cat"]
    by_name = {(names[a], names[b]): d for a, b, d in g.edges(data=True)}
    assert {k: d["replies"] for k, d in by_name.items()} == {
        ("ann", "bob"): 2, ("bob", "ann"): 1, ("cat", "bob"): 1}
    comments = {d["name"]: d["comments"] for _, d in g.nodes(data=True)}
    assert comments == {"ann": 3, "bob": 2, "cat": 1}
    inter = pq.read_table(tmp_path / "out" / "interactions.parquet").to_pylist()
    assert sum(r["replies"] for r in inter) == g.size(weight="replies")
    assert all(0 <= d["uncivil_share"] <= 1 for _, _, d in g.edges(data=True))


def test_corpus_pairs_equal_the_cli(tmp_path):
    """Issue #18: `corpus_pairs=True` gives the interactions `analyse --corpus-pairs` writes:
    one row per author pair over the discussions."""
    table = tmp_path / "t.csv"
    table.write_text("id,parent_id,article_id,author,text\n1,,a,ann,Wrong.\n2,1,a,bob,No.\n"
                     "3,2,a,ann,Yes.\n4,,b,ann,New.\n5,4,b,bob,Hm.\n6,4,b,cat,Ok.\n")
    subprocess.run([cli(), "analyse", str(table), "--out", str(tmp_path / "out"),
                    "--corpus-pairs", "--quiet"], check=True, capture_output=True)
    want = pq.read_table(tmp_path / "out" / "interactions.parquet")
    got = threadlens.analyse(str(table), corpus_pairs=True)
    assert got.interactions.to_pylist() == want.to_pylist()
    rows = {(r["author"], r["parent_author"]): r for r in got.interactions.to_pylist()}
    assert rows[("bob", "ann")]["discussions"] == 2 and rows[("bob", "ann")]["replies"] == 2
    assert rows[("bob", "ann")]["reciprocated"] and not rows[("cat", "ann")]["reciprocated"]
    assert all(r["article_id"] is None for r in rows.values())
    per = threadlens.analyse(str(table)).interactions
    assert per.num_rows == 4 and set(per.column("discussions").to_pylist()) == {1}
    got.write(tmp_path / "py")
    manifest = json.loads((tmp_path / "py" / "run.json").read_text())
    assert manifest["interactions"] == "corpus" and manifest["rows"]["interactions"] == 3
