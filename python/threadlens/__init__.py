"""threadlens from Python: the library pipeline behind the command line.

Reply trees, structure metrics, incivility and stance for reader-comment discussions, returned as
pyarrow tables whose schemas and values equal the CLI's Parquet tables on the same input.

    >>> import threadlens
    >>> result = threadlens.analyse("seeds")
    >>> result.comments.num_rows
    8
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence, Union

import pyarrow as pa

from . import _threadlens
from ._threadlens import ThreadlensError

__all__ = ["analyse", "report", "score", "Result", "ThreadlensError", "__version__"]

__version__ = _threadlens.version()

PathLike = Union[str, "os.PathLike[str]"]

TABLES = ("articles", "threads", "comments", "anomalies")


@dataclass
class Result:
    """The four tables of a run and what it came to.

    ``articles``, ``threads``, ``comments`` and ``anomalies`` are ``pyarrow.Table``s with the
    columns ``threadlens schema`` lists. ``summary`` holds the counts, the input formats, the
    inputs that failed (each message naming its file) and the models behind the scores.
    """

    articles: pa.Table
    threads: pa.Table
    comments: pa.Table
    anomalies: pa.Table
    summary: dict = field(default_factory=dict)

    @property
    def failed(self) -> list:
        """Messages of the inputs that could not be read, each naming its file."""
        return list(self.summary.get("failed", []))

    def to_pandas(self) -> dict:
        """The four tables as pandas DataFrames, by name."""
        return {name: getattr(self, name).to_pandas() for name in TABLES}

    def write(self, directory: PathLike, format: str = "parquet") -> list:
        """Write the tables into ``directory`` as Parquet, CSV or JSONL files.

        Returns the paths written. An existing file is never overwritten: write into a new
        folder (``threadlens analyse --out`` replaces a folder of tables as a set).
        """
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        paths = []
        for name in TABLES:
            ext = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}.get(format)
            if ext is None:
                raise ValueError(f"unknown format {format!r}; expected parquet, csv or jsonl")
            path = os.path.join(directory, f"{name}.{ext}")
            if os.path.exists(path):
                raise FileExistsError(f"{path} exists; not overwriting it")
            table = getattr(self, name)
            if format == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, path)
            elif format == "csv":
                import pyarrow.csv as pcsv

                pcsv.write_csv(_flatten_lists(table), path)
            else:
                with open(path, "w", encoding="utf-8") as f:
                    import json

                    for row in table.to_pylist():
                        f.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
            paths.append(path)
        return paths


def _flatten_lists(table: pa.Table) -> pa.Table:
    """List columns as JSON text, as the CLI's CSV writes them."""
    import json

    columns = []
    for col in table.columns:
        if pa.types.is_list(col.type):
            col = pa.array([None if v is None else json.dumps(v) for v in col.to_pylist()], pa.string())
        elif pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def _table_input(data: Any) -> tuple:
    """A table of comment rows (pyarrow, pandas, polars) as CSV bytes for the table reader."""
    import pyarrow.csv as pcsv

    if isinstance(data, pa.RecordBatchReader):
        data = data.read_all()
    if not isinstance(data, pa.Table):
        if hasattr(data, "to_arrow"):  # polars
            data = data.to_arrow()
        else:  # pandas
            data = pa.Table.from_pandas(data, preserve_index=False)
    buf = io.BytesIO()
    pcsv.write_csv(data, buf)
    return ("table.csv", buf.getvalue())


def _inputs(inputs: Any) -> list:
    if isinstance(inputs, (str, os.PathLike)):
        return [os.fspath(inputs)]
    if isinstance(inputs, (list, tuple)):
        return [os.fspath(i) for i in inputs]
    return [_table_input(inputs)]


def analyse(
    inputs: Any,
    *,
    input_format: str | None = None,
    models: Sequence[PathLike] = (),
    scores: bool = True,
    threads: int | None = None,
    **table_columns: str,
) -> Result:
    """Analyse comment discussions and return their tables.

    ``inputs`` is a path, a list of paths (files or folders, searched recursively), or a
    table of comment rows (``pyarrow.Table`` / ``RecordBatchReader``, pandas or polars
    DataFrame) with id and parent columns. ``table_columns`` names table columns as the CLI's
    flags do: ``id_col``, ``parent_col``, ``discussion_col``, ``author_col``, ``time_col``,
    ``text_col``. ``models`` replaces or adds models (``--model``); ``scores=False`` is
    structure only.

    An input that cannot be read is listed in ``Result.failed`` (with a warning) and the
    others are analysed; when nothing could be read, ``ThreadlensError`` is raised with the
    messages.
    """
    known = {"id_col", "parent_col", "discussion_col", "author_col", "time_col", "text_col"}
    unknown = set(table_columns) - known
    if unknown:
        raise TypeError(f"unknown arguments: {', '.join(sorted(unknown))}")
    out = _threadlens.analyse(
        _inputs(inputs),
        input_format=input_format,
        models=[os.fspath(m) for m in models],
        scores=scores,
        threads=threads,
        **table_columns,
    )
    summary = out.pop("summary")
    # One Arrow chunk per discussion comes across; one per table is what users expect.
    out = {name: table.combine_chunks() for name, table in out.items()}
    if summary["articles"] == 0:
        raise ThreadlensError("nothing was read: " + "; ".join(summary["failed"] or ["no inputs"]))
    for msg in summary["failed"]:
        warnings.warn(f"threadlens: {msg}", stacklevel=2)
    return Result(summary=summary, **out)


def report(inputs: Any, *, tree: bool = False, input_format: str | None = None,
           models: Sequence[PathLike] = (), scores: bool = True) -> str:
    """The text report of the inputs, as ``threadlens report [--tree]`` prints it."""
    text, failed = _threadlens.report(
        _inputs(inputs), tree=tree, input_format=input_format,
        models=[os.fspath(m) for m in models], scores=scores,
    )
    for msg in failed:
        warnings.warn(f"threadlens: {msg}", stacklevel=2)
    return text


def score(texts: Iterable[str | None]) -> pa.Table:
    """Incivility of each text with the shipped model: ``incivility`` (calibrated
    probability), ``uncivil``, ``forms`` and ``cues`` (JSON text: spans with character offsets,
    form and weight), as ``threadlens score`` writes them. A null text gets null scores."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = texts.to_pylist()
    rows = _threadlens.score([None if t is None else str(t) for t in texts])
    return pa.table(
        {
            "incivility": pa.array([r[0] for r in rows], pa.float64()),
            "uncivil": pa.array([r[1] for r in rows], pa.bool_()),
            "forms": pa.array([r[2] for r in rows], pa.list_(pa.string())),
            "cues": pa.array([r[3] for r in rows], pa.string()),
        }
    )
