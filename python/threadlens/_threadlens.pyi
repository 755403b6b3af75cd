"""Type stubs of the extension module (the Rust binding); use the functions in `threadlens`."""

import os
from typing import Any, Optional, Sequence, Union

SCHEMA_VERSION: str
"""Version of the exported table layout (`threadlens.schema_version` in Parquet metadata)."""

class ThreadlensError(Exception):
    """A run that could not be done: nothing could be read (the message gives each input's
    error), a model file that cannot be used, or tables that could not be written."""

Input = Union[str, "os.PathLike[str]", tuple[str, bytes], tuple[str, Any], Any]
"""A path, `(name, bytes)`, `(name, table)` or a table with `__arrow_c_stream__`."""

def analyse(
    inputs: list[Input],
    *,
    input_format: Optional[str] = None,
    models: Sequence[str] = (),
    scores: bool = True,
    threads: Optional[int] = None,
    id_col: Optional[str] = None,
    parent_col: Optional[str] = None,
    discussion_col: Optional[str] = None,
    author_col: Optional[str] = None,
    time_col: Optional[str] = None,
    text_col: Optional[str] = None,
    keep_cols: Optional[Sequence[str]] = None,
) -> dict[str, Any]:
    """The tables (`articles`, `threads`, `comments`, `anomalies`, `edges`, `interactions`: pyarrow Tables in
    chunks of about 8,192 rows) and `summary` (a dict). Raises KeyboardInterrupt on Ctrl-C."""

def report(
    inputs: list[Input],
    *,
    tree: bool = False,
    input_format: Optional[str] = None,
    models: Sequence[str] = (),
    scores: bool = True,
) -> tuple[str, list[str]]:
    """(the report's text, messages of the inputs that failed)."""

def score(
    texts: list[Optional[str]],
) -> list[tuple[Optional[float], Optional[bool], list[str], str]]:
    """Per text: (probability, uncivil, forms, cues as JSON text); `None`s for a null text."""

def write(
    directory: Union[str, "os.PathLike[str]"],
    format: str,
    tables: dict[str, Any],
    models: str,
    manifest: str,
) -> list[str]:
    """Writes the pyarrow tables with the CLI's writers and `manifest` (JSON) as
    `run.json`, the folder replaced as a set; returns the tables' paths."""

def version() -> str:
    """The threadlens version the module was built from."""
