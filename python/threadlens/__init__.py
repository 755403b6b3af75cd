"""threadlens from Python: the library pipeline behind the command line.

Reply trees, structure metrics, incivility and stance for reader-comment discussions, returned as
pyarrow tables whose schemas and values equal the CLI's Parquet tables on the same input.

    >>> import threadlens
    >>> result = threadlens.analyse("seeds")
    >>> result.comments.num_rows
    8

The functions: :func:`analyse` (inputs to a :class:`Result` of six tables), :func:`report` (the
text report), :func:`score` (incivility of texts). Errors are :class:`ThreadlensError`. The work
is done in Rust with the GIL released; Ctrl-C (KeyboardInterrupt) stops a run.
"""

from __future__ import annotations

import datetime
import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence, Union

import pyarrow as pa

from . import _threadlens
from ._threadlens import ThreadlensError

__all__ = ["analyse", "report", "score", "Result", "ThreadlensError", "__version__"]

__version__: str = _threadlens.version()
"""The threadlens version the package was built from (as ``threadlens --version`` prints it)."""

PathLike = Union[str, "os.PathLike[str]"]

TABLES = ("articles", "threads", "comments", "anomalies", "edges", "interactions")
FORMATS = ("parquet", "csv", "jsonl")


@dataclass
class Result:
    """The tables of a run and what it came to, as :func:`analyse` returns them.

    Attributes:
        articles: one row per discussion (``pyarrow.Table``).
        threads: one row per top-level comment and its replies.
        comments: one row per comment, with its structure metrics and scores.
        anomalies: one row per problem met in the input (a gap, an orphan, a bad row).
        edges: one row per reply to a comment (who replied to whom, stance, incivility, latency).
        interactions: one row per ordered pair of authors in a discussion (replies, stances,
            uncivil replies, reciprocated).
        summary: what the run came to: ``inputs`` (inputs read), ``articles``, ``threads``,
            ``comments`` and ``anomalies`` (row counts), ``input_formats`` (discussions per
            input format), ``unsupported_languages`` (comments not scored because no model
            covers their language, by language), ``failed`` (messages of the inputs that could
            not be read, each naming its input), ``models`` (the models behind the scores, as JSON text) and ``given``
            (the inputs as given: paths, ``(table)`` for a table).

    The columns are those ``threadlens schema`` lists (``docs/schema.md``); the tables equal the
    Parquet files ``threadlens analyse`` writes for the same inputs. They come in chunks of about
    8,192 rows (consecutive discussions joined), straight from Rust without a copy;
    ``table.combine_chunks()`` makes one.
    """

    articles: pa.Table
    threads: pa.Table
    comments: pa.Table
    anomalies: pa.Table
    edges: pa.Table
    interactions: pa.Table
    summary: dict = field(default_factory=dict)

    @property
    def failed(self) -> list:
        """Messages of the inputs that could not be read, each naming its input."""
        return list(self.summary.get("failed", []))

    def to_pandas(self) -> dict:
        """The tables as pandas DataFrames, by name (needs pandas)."""
        return {name: getattr(self, name).to_pandas() for name in TABLES}

    def write(self, directory: PathLike, format: str = "parquet", *, overwrite: bool = False) -> list:
        """Write the tables into ``directory`` as the CLI's ``analyse --out DIR --format FORMAT``
        does, with the same writers (CSV and JSONL files are byte for byte the CLI's) and a
        ``run.json`` manifest; returns the paths of the tables.

        ``format`` is ``"parquet"``, ``"csv"`` or ``"jsonl"``. The tables are written into a
        staging folder and put in place as a set. A folder that exists and is not empty is
        refused (``FileExistsError``) unless ``overwrite=True``; then, as the CLI does, earlier
        tables are replaced as a set and files that threadlens did not write are left alone.
        """
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        directory = os.fspath(directory)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise FileExistsError(f"{directory} exists and is not a folder")
        if not overwrite and os.path.isdir(directory) and os.listdir(directory):
            raise FileExistsError(
                f"{directory} exists and is not empty; not overwriting it (pass overwrite=True "
                "to replace the tables in it, as `threadlens analyse --out` does)"
            )
        s = self.summary
        manifest = {
            "threadlens_version": __version__,
            "schema_version": _threadlens.SCHEMA_VERSION,
            "created": datetime.datetime.now(datetime.timezone.utc)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            "format": format,
            "inputs": list(s.get("given", [])),
            "inputs_read": s.get("inputs", 0),
            "failed_inputs": self.failed,
            "input_formats": dict(s.get("input_formats", {})),
            "unsupported_languages": dict(s.get("unsupported_languages", {})),
            "rows": {name: getattr(self, name).num_rows for name in TABLES},
            "interactions": s.get("interactions", "discussion"),
            "models": json.loads(s.get("models") or "{}"),
        }
        tables = {name: getattr(self, name) for name in TABLES}
        paths = _threadlens.write(directory, format, tables, s.get("models") or "{}",
                                  json.dumps(manifest))
        return [os.fspath(p) for p in paths]


def _table_input(data: Any) -> Any:
    """A table of comment rows as something with ``__arrow_c_stream__`` (a pyarrow Table or
    RecordBatchReader): its record batches cross to Rust through the Arrow C data interface."""
    if isinstance(data, (pa.Table, pa.RecordBatchReader)):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__
    if module.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    if module.startswith("polars") and hasattr(data, "to_arrow"):
        return data.to_arrow()
    if hasattr(data, "__arrow_c_stream__"):
        return data
    raise TypeError(
        f"cannot read {type(data).__name__} as input: give a path, a list of paths, or a table "
        "(pyarrow Table or RecordBatchReader, pandas or polars DataFrame)"
    )


def _inputs(inputs: Any) -> tuple:
    """(inputs for the extension, their names for the manifest)."""
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    out, given = [], []
    for item in items:
        if isinstance(item, (str, os.PathLike)):
            out.append(os.fspath(item))
            given.append(os.fspath(item))
        else:
            out.append(("table", _table_input(item)))
            given.append("(table)")
    return out, given


def analyse(
    inputs: Any,
    *,
    input_format: str | None = None,
    models: Sequence[PathLike] = (),
    scores: bool = True,
    threads: int | None = None,
    corpus_pairs: bool = False,
    **table_columns: str,
) -> Result:
    """Analyse comment discussions and return their tables, as ``threadlens analyse`` does.

    Args:
        inputs: a path (a file, or a folder searched recursively), a table of comment rows, or
            a list of them. A table is a ``pyarrow.Table`` or ``RecordBatchReader``, a pandas or
            polars DataFrame, or anything with ``__arrow_c_stream__``, with one comment per row;
            its record batches are read in Rust through the Arrow C data interface, with the
            column recognition of the CSV reader (``id``/``comment_id``, ``parent_id``/
            ``reply_to``, ``article_id``/``conversation_id``, ``author``, ``timestamp``/
            ``created_utc``, ``text``/``body``, ...). Ids may be strings or integers; a null
            parent is a reply to the article; times may be strings, epoch seconds or
            timestamps. Without a discussion column the table is one discussion, ``table``.
        input_format: read every file as this format (``--input-format``), e.g. ``"csv"``.
        models: model files replacing the shipped ones or adding target columns (``--model``).
        scores: ``False`` for structure only (``--no-scores``).
        threads: worker threads (``--threads``); one per core by default. The tables are the
            same for any number.
        corpus_pairs: ``interactions`` with one row per ordered author pair over all the
            discussions (``--corpus-pairs``): ``article_id`` null, ``discussions`` counting
            them, authors matched by name.
        **table_columns: the columns of a table, named as the CLI's flags do: ``id_col``,
            ``parent_col``, ``discussion_col``, ``author_col``, ``time_col``, ``text_col``;
            ``keep_cols`` (``--keep-col``): the other columns kept in the comments' ``extra``
            map (a list of names; by default every column no role takes).

    Returns:
        A :class:`Result` with the tables and the run's summary.

    Raises:
        ThreadlensError: nothing could be read (the message lists why), or the models could not
            be loaded. An input that cannot be read while others can is listed in
            ``Result.failed`` with a warning, and the others are analysed.
        KeyboardInterrupt: Ctrl-C; the run stops between discussions.
        ValueError: an unknown ``input_format``. TypeError: an unknown keyword.
    """
    known = {"id_col", "parent_col", "discussion_col", "author_col", "time_col", "text_col",
             "keep_cols"}
    unknown = set(table_columns) - known
    if unknown:
        raise TypeError(f"unknown arguments: {', '.join(sorted(unknown))}")
    if isinstance(table_columns.get("keep_cols"), str):
        table_columns["keep_cols"] = [table_columns["keep_cols"]]
    items, given = _inputs(inputs)
    out = _threadlens.analyse(
        items,
        input_format=input_format,
        models=[os.fspath(m) for m in models],
        scores=scores,
        threads=threads,
        corpus_pairs=corpus_pairs,
        **table_columns,
    )
    summary = out.pop("summary")
    summary["given"] = given
    summary["interactions"] = "corpus" if corpus_pairs else "discussion"
    if summary["articles"] == 0:
        raise ThreadlensError("nothing was read: " + "; ".join(summary["failed"] or ["no inputs"]))
    for msg in summary["failed"]:
        warnings.warn(f"threadlens: {msg}", stacklevel=2)
    return Result(summary=summary, **out)


def report(inputs: Any, *, tree: bool = False, input_format: str | None = None,
           models: Sequence[PathLike] = (), scores: bool = True) -> str:
    """The text report of the inputs, as ``threadlens report [--tree]`` prints it.

    ``inputs``, ``input_format``, ``models`` and ``scores`` are as for :func:`analyse`;
    ``tree=True`` draws each discussion's reply tree. Inputs that cannot be read are warned
    about and left out. Ctrl-C stops it (KeyboardInterrupt).
    """
    items, _ = _inputs(inputs)
    text, failed = _threadlens.report(
        items, tree=tree, input_format=input_format,
        models=[os.fspath(m) for m in models], scores=scores,
    )
    for msg in failed:
        warnings.warn(f"threadlens: {msg}", stacklevel=2)
    return text


def score(texts: Iterable[str | None], *, language: str | None = None) -> pa.Table:
    """Incivility of each text by the shipped model of its language, as ``threadlens score``
    writes it.

    Returns a ``pyarrow.Table`` with one row per text: ``incivility`` (calibrated probability),
    ``uncivil`` (bool), ``forms`` (the forms of incivility found), ``cues`` (JSON text: the
    spans with their character offsets, form and weight), ``language`` (ISO 639-1, detected;
    null when too short to tell) and ``score_status`` (``scored``, ``no_text``, or
    ``unsupported_language`` for a language no shipped model covers: English and German are).
    ``language="en"`` reads every text as English (no detection). A null text gets null scores.
    ``texts`` may be any iterable of strings, or a pyarrow array.
    """
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = texts.to_pylist()
    rows = _threadlens.score([None if t is None else str(t) for t in texts], language=language)
    return pa.table(
        {
            "incivility": pa.array([r[0] for r in rows], pa.float64()),
            "uncivil": pa.array([r[1] for r in rows], pa.bool_()),
            "forms": pa.array([r[2] for r in rows], pa.list_(pa.string())),
            "cues": pa.array([r[3] for r in rows], pa.string()),
            "language": pa.array([r[4] for r in rows], pa.string()),
            "score_status": pa.array([r[5] for r in rows], pa.string()),
        }
    )
