"""threadlens on Spark: the tables of a corpus of comment rows held in a Spark DataFrame.

    >>> import threadlens.spark
    >>> df = spark.read.json("comments/*.jsonl")          # id, parent_id, article_id, ...
    >>> tables = threadlens.spark.analyse(df)
    >>> tables.write("results")                          # results/<table>/ as Parquet

Each discussion's rows are analysed together, by ``threadlens.analyse`` in a Python worker on
an executor, so a discussion is the unit of work and must fit in one worker's memory (see
``max_discussion_comments``). The tables' column names and types are those of the CLI's
Parquet tables as Spark reads them (``spark.read.parquet``); see ``spark_type`` for the
mapping of Arrow types to Spark types.

How it runs (one analysis per row, whatever is done with the tables afterwards):

1. The comment columns are selected (the others never travel), and each row is numbered
   (``monotonically_increasing_id``) so a discussion's rows keep the DataFrame's order, which
   the tables depend on (``position``, ``comments`` row order, repairs).
2. Rows are shuffled by discussion (``repartition``) and sorted by discussion and number
   within each partition; ``mapInArrow`` streams each partition, cuts it at discussion
   boundaries into chunks of about ``batch_comments`` comments and calls
   ``threadlens.analyse`` once per chunk (the extension keeps the models it loaded, so a
   Python worker loads them once, not per chunk or per discussion; loading the shipped models
   takes about 0.1 s). Each chunk's tables
   come out as Arrow IPC streams in rows ``(table, ipc)``, persisted.
3. Each table is a ``mapInArrow`` over its rows of that result, decoding the IPC.

``groupBy(discussion).applyInArrow`` would call the analysis once per discussion (0.1 s of
model loading each: 14,000 discussions of a 1,000,000-comment corpus would spend 24 minutes
loading models) and hands a group over whole, so a too-large discussion could only be
refused after it is in memory; the sorted stream gives the same grouping with neither cost.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

import pyarrow as pa

import threadlens

try:
    from pyspark.sql import DataFrame, functions as F
    from pyspark.sql import types as T
except ImportError as e:  # pragma: no cover - exercised only without pyspark
    raise ImportError(
        "threadlens.spark needs PySpark 4.0 or later: pip install 'threadlens[spark]'"
    ) from e

__all__ = ["analyse", "SparkTables", "DiscussionTooLarge", "spark_type", "spark_schema",
           "DEFAULT_MAX_DISCUSSION_COMMENTS"]

TABLES = ("articles", "threads", "comments", "anomalies", "edges", "interactions")

#: A discussion with more comments than this is refused (``max_discussion_comments``): its
#: analysis would take about 3 GB of one Python worker's memory with scores (BENCHMARKS.md,
#: "One huge discussion": 1,000,000 comments peaked at 2.9 GB).
DEFAULT_MAX_DISCUSSION_COMMENTS = 1_000_000

#: Comments handed to one ``threadlens.analyse`` call (whole discussions, so a chunk may hold
#: more: up to its largest discussion).
DEFAULT_BATCH_COMMENTS = 50_000

#: Rows per Arrow batch of the output tables.
_OUT_BATCH_ROWS = 10_000

# Column names recognised without being named, in order of preference: the table reader's
# `Role::candidates` (src/parse/table.rs; test_spark.py checks the two lists agree).
CANDIDATES = {
    "id_col": ("id", "comment_id", "commentid", "utterance_id", "message_id", "cid"),
    "parent_col": ("parent_id", "reply_to", "parent", "in_reply_to", "parent_comment_id",
                   "reply_to_id", "in_reply_to_id", "replyto", "parentid", "inreplyto"),
    "discussion_col": ("article_id", "conversation_id", "thread_id", "discussion_id", "post_id",
                       "link_id", "story_id", "article", "articleid", "asset_id", "assetid"),
    "author_col": ("author", "speaker", "user", "username", "user_name", "author_name",
                   "userdisplayname", "user_display_name", "display_name"),
    "time_col": ("timestamp", "created_utc", "created_at", "time", "date", "datetime", "created",
                 "createdate", "create_date"),
    "text_col": ("text", "body", "content", "comment", "message", "comment_text", "commentbody",
                 "comment_body"),
}

_KEY = "__threadlens_discussion"
_ORDER = "__threadlens_row"
_IPC_SCHEMA = "table string, ipc binary"


# --- types ------------------------------------------------------------------------------------

def spark_type(t: pa.DataType, nullable_items: bool = True) -> T.DataType:
    """The Spark type a column of Arrow type ``t`` becomes.

    string, large_string, and dictionaries of them (the tables' categories) → ``StringType``;
    int8/16/32/64 → ``ByteType``/``ShortType``/``IntegerType``/``LongType``; uint8 →
    ``ShortType``, uint16 → ``IntegerType``, uint32 → ``LongType`` (the next signed type: all
    values kept), uint64 → ``DecimalType(20, 0)`` (Spark has no unsigned 64-bit integer);
    float32/64 → ``FloatType``/``DoubleType``; bool → ``BooleanType``; timestamp with a zone →
    ``TimestampType`` (an instant), without → ``TimestampNTZType`` (wall clock), both in
    microseconds (finer units are truncated); date32 → ``DateType``; binary → ``BinaryType``;
    list/large_list → ``ArrayType`` (``containsNull`` from the item field); map → ``MapType``
    (``valueContainsNull`` from the item field); struct → ``StructType``. Any other type raises
    ``TypeError`` naming it.
    """
    if pa.types.is_dictionary(t):
        return spark_type(t.value_type)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return T.StringType()
    if pa.types.is_boolean(t):
        return T.BooleanType()
    simple = {
        pa.int8(): T.ByteType(), pa.int16(): T.ShortType(), pa.int32(): T.IntegerType(),
        pa.int64(): T.LongType(), pa.uint8(): T.ShortType(), pa.uint16(): T.IntegerType(),
        pa.uint32(): T.LongType(), pa.uint64(): T.DecimalType(20, 0),
        pa.float32(): T.FloatType(), pa.float64(): T.DoubleType(), pa.date32(): T.DateType(),
        pa.binary(): T.BinaryType(), pa.large_binary(): T.BinaryType(),
    }
    if t in simple:
        return simple[t]
    if pa.types.is_timestamp(t):
        return T.TimestampType() if t.tz is not None else T.TimestampNTZType()
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        item = t.value_field
        return T.ArrayType(spark_type(item.type), containsNull=item.nullable)
    if pa.types.is_map(t):
        return T.MapType(spark_type(t.key_type), spark_type(t.item_type),
                         valueContainsNull=t.item_field.nullable)
    if pa.types.is_struct(t):
        return T.StructType([
            T.StructField(f.name, spark_type(f.type), nullable=f.nullable) for f in t
        ])
    raise TypeError(f"Arrow type {t} has no Spark equivalent in threadlens.spark")


def spark_schema(schema: pa.Schema) -> T.StructType:
    """The Spark schema of an Arrow schema (``spark_type`` per column, nullability kept)."""
    return T.StructType([
        T.StructField(f.name, spark_type(f.type), nullable=f.nullable) for f in schema
    ])


def _arrow_schema(schema: T.StructType) -> pa.Schema:
    """The Arrow schema Spark expects back from ``mapInArrow`` for ``schema``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema, timezone="UTC")


@functools.lru_cache(maxsize=8)
def _table_schemas(models: tuple, scores: bool) -> dict:
    """The tables' Arrow schemas for these models (the comments table has a column per
    target model), from a run on one comment."""
    probe = pa.table({"id": ["c1"], "parent_id": [""], "article_id": ["a1"], "text": ["x"]})
    result = threadlens.analyse(probe, models=list(models), scores=scores, id_col="id",
                                parent_col="parent_id", discussion_col="article_id",
                                text_col="text")
    return {name: getattr(result, name).schema for name in TABLES}


# --- the columns ------------------------------------------------------------------------------

def _resolve(columns: Sequence[str], named: dict) -> dict:
    """Which DataFrame column plays each role, as the table reader chooses (case-insensitive)."""
    by_lower = {c.lower(): c for c in reversed(columns)}
    out = {}
    for role, candidates in CANDIDATES.items():
        name = named.get(role)
        if name is not None:
            if name.lower() not in by_lower:
                raise ValueError(f"{role}={name!r} names a column the DataFrame does not have "
                                 f"(columns: {', '.join(columns)})")
            out[role] = by_lower[name.lower()]
            continue
        out[role] = next((by_lower[c] for c in candidates if c in by_lower), None)
        if out[role] is None and role in ("id_col", "parent_col", "discussion_col"):
            what = {"id_col": "comment id", "parent_col": "parent id",
                    "discussion_col": "discussion"}[role]
            why = (" (threadlens.spark groups rows by discussion: a DataFrame has no file "
                   "to stand for one)") if role == "discussion_col" else ""
            raise ValueError(f"no {what} column: looked for {', '.join(candidates)} "
                             f"(columns: {', '.join(columns)}); name it with {role}=...{why}")
    return out


# --- the executors' side ----------------------------------------------------------------------

def _model_paths(models: tuple) -> list:
    """Model paths as the executor sees them: a path that does not exist here is looked up
    among the files shipped with ``--files`` / ``SparkContext.addFile`` (by its name)."""
    out = []
    for m in models:
        if not os.path.exists(m):
            try:
                from pyspark import SparkFiles

                shipped = SparkFiles.get(os.path.basename(m))
                if os.path.exists(shipped):
                    m = shipped
            except Exception:  # no SparkContext files here: let analyse name the path
                pass
        out.append(m)
    return out


def _threads() -> int:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    return max(1, int(ctx.cpus())) if ctx is not None else 1


def _ipc_rows(name: str, table: pa.Table, schema: pa.Schema) -> list:
    """``table`` as ``(name, ipc)`` rows, each one Arrow IPC stream of at most
    ``_OUT_BATCH_ROWS`` rows in ``schema`` (the type Spark expects; no metadata)."""
    table = table.cast(schema)
    rows = []
    for batch in table.to_batches(max_chunksize=_OUT_BATCH_ROWS):
        if batch.num_rows == 0:
            continue
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema) as w:
            w.write_batch(batch)
        rows.append((name, sink.getvalue().to_pybytes()))
    return rows


def _set_column(table: pa.Table, name: str, value: Any) -> pa.Table:
    i = table.schema.get_field_index(name)
    field = table.schema.field(i)
    return table.set_column(i, field, pa.array([value] * table.num_rows, field.type))


def _run(batches: list, opts: dict) -> dict:
    """``threadlens.analyse`` on rows of whole discussions: the tables, by name.

    A row without a comment id is kept by the reader as ``row-N``, N counting rows of the
    table handed over (of the file, in the CLI); here N is the row's number in the DataFrame
    (``monotonically_increasing_id`` + 1: the row's number when the DataFrame was read as one
    partition), so the id does not depend on how rows were cut into calls."""
    chunk = pa.Table.from_batches(batches)
    result = threadlens.analyse(chunk.drop_columns([_KEY, _ORDER]),
                                models=_model_paths(opts["models"]), scores=opts["scores"],
                                threads=_threads(), **opts["columns"])
    tables = {name: getattr(result, name) for name in TABLES}
    ids = chunk.column(opts["columns"]["id_col"]).to_pylist()
    missing = [j for j, v in enumerate(ids) if v is None or (isinstance(v, str) and not v.strip())]
    comments = tables["comments"]
    # The comments table lists every row, in the order handed over.
    if not missing or comments.num_rows != chunk.num_rows:
        return tables
    order = chunk.column(_ORDER).to_pylist()
    articles = comments.column("article_id").to_pylist()
    given = comments.column("comment_id").to_pylist()
    rename = {(articles[j], given[j]): f"row-{order[j] + 1}" for j in missing}

    def renamed(t, col):
        i = t.schema.get_field_index(col)
        values = [rename.get((a, v), v) for a, v in
                  zip(t.column("article_id").to_pylist(), t.column(i).to_pylist())]
        return t.set_column(i, t.schema.field(i), pa.array(values, t.schema.field(i).type))

    for name, cols in {"comments": ("comment_id", "parent_id", "root_id"),
                       "threads": ("thread_id",), "anomalies": ("comment_id",)}.items():
        for col in cols:
            tables[name] = renamed(tables[name], col)
    t = tables["anomalies"]
    i = t.schema.get_field_index("message")
    messages = [
        re.sub(r"`(row-\d+)`", lambda m, a=a: f"`{rename.get((a, m.group(1)), m.group(1))}`", v)
        for a, v in zip(t.column("article_id").to_pylist(), t.column(i).to_pylist())
    ]
    tables["anomalies"] = t.set_column(i, t.schema.field(i), pa.array(messages, pa.string()))
    return tables


def _analyse_chunk(batches: list, opts: dict, schemas: dict) -> list:
    """One ``threadlens.analyse`` call on whole discussions; their tables as IPC rows."""
    try:
        result = _run(batches, opts)
    except threadlens.ThreadlensError as e:
        # The rows come as a well-formed table, so this is not expected; say which
        # discussions were in the call.
        keys = sorted({k for b in batches for k in b.column(_KEY).to_pylist()}, key=str)
        shown = ", ".join(repr(k) for k in keys[:5]) + (" …" if len(keys) > 5 else "")
        raise threadlens.ThreadlensError(f"discussions {shown}: {e}") from e
    out = []
    for name in TABLES:
        out.extend(_ipc_rows(name, _fill(result[name], opts), schemas[name]))
    return out


def _analyse_no_discussion(batches: list, opts: dict, schemas: dict) -> list:
    """The rows whose discussion is empty or null, all in one call: one discussion
    ``<source>#no-discussion`` with the reader's ``bad_record`` anomaly, as the table reader
    makes of a file's such rows (named after the file there; after ``source`` here)."""
    name = f"{opts['source']}#no-discussion"
    result = _run(batches, opts)
    # Alone in the call, the rows are read as one discussion named after the input.
    (old,) = result["articles"].column("article_id").to_pylist()
    out = []
    for t in TABLES:
        table = _set_column(result[t], "article_id", name)
        if t == "anomalies":
            i = table.schema.get_field_index("message")
            messages = [
                re.sub(r"(\d+ rows?) from line \d+ on ", r"\1 ", m).replace(f"`{old}`", f"`{name}`")
                for m in table.column(i).to_pylist()
            ]
            table = table.set_column(i, table.schema.field(i), pa.array(messages, pa.string()))
        out.extend(_ipc_rows(t, _fill(table, opts), schemas[t]))
    return out


def _fill(table: pa.Table, opts: dict) -> pa.Table:
    """No file stands behind a DataFrame's rows: `source` is the label given, and a line of
    the chunk handed to the analysis would mean nothing, so `line` is null."""
    if "source" in table.column_names:
        table = _set_column(table, "source", opts["source"])
    if "line" in table.column_names:
        table = _set_column(table, "line", None)
    return table


class DiscussionTooLarge(threadlens.ThreadlensError):
    """A discussion has more comments than ``max_discussion_comments``."""


def _analyse_partition(batches: Iterator[pa.RecordBatch], opts: dict, schemas: dict):
    """mapInArrow body: the partition's rows come sorted by discussion and row number."""
    pending, pending_rows = [], 0  # whole discussions waiting for the next call
    current, current_rows, current_key = [], 0, None
    started = False
    cap, target = opts["max_discussion_comments"], opts["batch_comments"]

    def rows_batch(rows):
        return pa.RecordBatch.from_arrays(
            [pa.array([r[0] for r in rows], pa.string()),
             pa.array([r[1] for r in rows], pa.binary())], names=["table", "ipc"])

    def close_discussion():
        nonlocal pending, pending_rows, current, current_rows
        if current_key is None:  # no discussion id: analysed apart (all such rows are here)
            out = _analyse_no_discussion(current, opts, schemas)
            current, current_rows = [], 0
            return out
        out = []
        if pending and pending_rows + current_rows > target:
            out = _analyse_chunk(pending, opts, schemas)
            pending, pending_rows = [], 0
        pending += current
        pending_rows += current_rows
        current, current_rows = [], 0
        return out

    for batch in batches:
        keys = batch.column(_KEY).to_pylist()
        start = 0
        n = len(keys)
        for i in range(1, n + 1):
            if i < n and keys[i] == keys[start]:
                continue
            key = keys[start]
            if started and key != current_key:
                out = close_discussion()
                if out:
                    yield rows_batch(out)
            started, current_key = True, key
            current.append(batch.slice(start, i - start))
            current_rows += i - start
            if current_rows > cap:
                raise DiscussionTooLarge(
                    f"discussion {current_key!r} has more than {cap:,} comments, the limit of "
                    f"max_discussion_comments: threadlens analyses a discussion in one Python "
                    f"worker's memory (about 3 KB a comment with scores). Raise "
                    f"threadlens.spark.analyse(..., max_discussion_comments=N) if the "
                    f"executors have the memory, or split the discussion."
                )
            start = i
    if started:
        out = close_discussion()
        if out:
            yield rows_batch(out)
    if pending:
        out = _analyse_chunk(pending, opts, schemas)
        if out:
            yield rows_batch(out)


def _decode(batches: Iterator[pa.RecordBatch]):
    """mapInArrow body of a table: its IPC streams, decoded."""
    for batch in batches:
        for ipc in batch.column("ipc").to_pylist():
            yield from pa.ipc.open_stream(ipc)


# --- the driver's side ------------------------------------------------------------------------

@dataclass(frozen=True)
class SparkTables:
    """The tables as Spark DataFrames, with the CLI's column names and types.

    They are views over one persisted analysis (``ipc``): the first action runs it, the others
    reuse it. ``unpersist()`` frees it.
    """

    articles: DataFrame
    threads: DataFrame
    comments: DataFrame
    anomalies: DataFrame
    edges: DataFrame
    interactions: DataFrame
    ipc: DataFrame

    def unpersist(self) -> None:
        self.ipc.unpersist()

    def write(self, path: str, mode: str = "errorifexists") -> None:
        """Write each table as Parquet into ``path/<table>`` (Spark's ``mode``: the default
        refuses a folder that exists)."""
        for name in TABLES:
            getattr(self, name).write.mode(mode).parquet(f"{path.rstrip('/')}/{name}")


def analyse(
    df: DataFrame,
    *,
    models: Sequence[Any] = (),
    scores: bool = True,
    id_col: Optional[str] = None,
    parent_col: Optional[str] = None,
    discussion_col: Optional[str] = None,
    author_col: Optional[str] = None,
    time_col: Optional[str] = None,
    text_col: Optional[str] = None,
    keep_cols: Optional[Sequence[str]] = None,
    source: str = "spark",
    partitions: Optional[int] = None,
    batch_comments: int = DEFAULT_BATCH_COMMENTS,
    max_discussion_comments: int = DEFAULT_MAX_DISCUSSION_COMMENTS,
) -> SparkTables:
    """Analyse the comment rows of ``df``, discussion by discussion, on the executors.

    Columns are found as the table reader finds them (``threadlens analyse`` on a CSV) or
    named with ``id_col`` … ``text_col``; a discussion column is required. The other columns
    go into ``comments.extra`` as text, as a table's do (arrays, maps and structs as JSON):
    all but binary ones, or those ``keep_cols`` names; the others are not shipped to the
    executors. Rows with an empty
    or null discussion go to one discussion with a ``bad_record`` anomaly, as in a file.
    ``models`` and ``scores`` are as in ``threadlens.analyse`` (the driver reads the model
    files for the tables' schemas; on the executors a path that is missing is looked up by
    its name among the files shipped with ``--files`` / ``addFile``). ``source`` fills ``articles.source`` and
    ``anomalies.source``; ``comments.line`` and ``anomalies.line`` are null (no file stands
    behind the rows). ``partitions`` is the number of shuffle partitions (default
    ``spark.sql.shuffle.partitions``); ``batch_comments`` the comments handed to one
    analysis; a discussion of more than ``max_discussion_comments`` comments fails the job
    (it has to fit in one Python worker's memory): the executor raises
    ``DiscussionTooLarge``, which reaches the driver as a ``PythonException`` whose message
    names the discussion and the setting.

    Nothing runs until a table is used; the analysis then runs once, persisted for the other
    tables (``SparkTables.unpersist`` frees it).
    """
    if batch_comments < 1 or max_discussion_comments < 1:
        raise ValueError("batch_comments and max_discussion_comments must be at least 1")
    named = {"id_col": id_col, "parent_col": parent_col, "discussion_col": discussion_col,
             "author_col": author_col, "time_col": time_col, "text_col": text_col}
    columns = _resolve(df.columns, named)
    models = tuple(os.fspath(m) for m in models)
    schemas = _table_schemas(models, scores)
    spark_schemas = {name: spark_schema(schemas[name]) for name in TABLES}
    arrow_out = {name: _arrow_schema(s) for name, s in spark_schemas.items()}
    opts = {
        "models": models, "scores": scores, "source": source,
        "columns": {role: c for role, c in columns.items() if c is not None},
        "batch_comments": batch_comments, "max_discussion_comments": max_discussion_comments,
    }

    disc = F.col(columns["discussion_col"]).cast("string")
    key = F.when(F.trim(disc) == "", F.lit(None)).otherwise(disc)
    wanted = list(dict.fromkeys(c for c in columns.values() if c is not None))
    if keep_cols is None:
        others = [f.name for f in df.schema.fields
                  if f.name not in wanted and not isinstance(f.dataType, T.BinaryType)]
    else:
        if isinstance(keep_cols, str):
            keep_cols = [keep_cols]
        by_lower = {c.lower(): c for c in reversed(df.columns)}
        missing = [k for k in keep_cols if k.lower() not in by_lower]
        if missing:
            raise ValueError(f"keep_cols names {', '.join(map(repr, missing))}, which the "
                             f"DataFrame does not have (columns: {', '.join(df.columns)})")
        others = [by_lower[k.lower()] for k in keep_cols if by_lower[k.lower()] not in wanted]
    roles = set(wanted)
    wanted += list(dict.fromkeys(others))
    # Nested values (arrays, maps, structs) go into `extra` as JSON text, as a JSON line's do.
    nested = (T.ArrayType, T.MapType, T.StructType)
    types = {f.name: f.dataType for f in df.schema.fields}
    rows = df.select(*[
        F.to_json(F.col(c)).alias(c) if c not in roles and isinstance(types.get(c), nested)
        else F.col(c)
        for c in wanted
    ]).withColumns(
        {_ORDER: F.monotonically_increasing_id(), _KEY: key})
    shuffled = (rows.repartition(partitions, _KEY) if partitions else rows.repartition(_KEY))
    ipc = shuffled.sortWithinPartitions(_KEY, _ORDER).mapInArrow(
        functools.partial(_analyse_partition, opts=opts, schemas=arrow_out), _IPC_SCHEMA)
    from pyspark import StorageLevel

    ipc = ipc.persist(StorageLevel.MEMORY_AND_DISK)
    tables = {
        name: ipc.where(F.col("table") == name).select("ipc").mapInArrow(
            _decode, spark_schemas[name])
        for name in TABLES
    }
    return SparkTables(ipc=ipc, **tables)
