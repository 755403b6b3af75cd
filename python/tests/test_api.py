"""The Python face equals the CLI: same tables on the same inputs (issue #14)."""

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
TABLES = ("articles", "threads", "comments", "anomalies")

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


def test_dataframe_input_equals_file_input(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "table.csv"
    path.write_text(THREAD_CSV)
    from_file = threadlens.analyse(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for data in (frame, pa.Table.from_pandas(frame, preserve_index=False)):
        from_frame = threadlens.analyse(data)
        for name in ("threads", "comments", "anomalies"):
            got, expected = getattr(from_frame, name), getattr(from_file, name)
            assert got.to_pylist() == expected.to_pylist(), name


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
    assert table.column_names == ["incivility", "uncivil", "forms", "cues"]
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


def test_report_equals_the_cli():
    page = str(SEEDS / "002_33127b48be7e0ce9.txt")
    expected = subprocess.run([cli(), "report", "--tree", page], check=True, capture_output=True,
                              text=True).stdout
    assert threadlens.report(page, tree=True) == expected


def test_write(tmp_path):
    result = threadlens.analyse(str(SEEDS))
    paths = result.write(tmp_path / "out")
    assert pq.read_table(paths[2]).num_rows == 8
    with pytest.raises(FileExistsError):
        result.write(tmp_path / "out")
