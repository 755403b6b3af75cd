"""Type stubs of the extension module (the Rust binding); use the functions in `threadlens`."""

from typing import Optional, Sequence, Union

class ThreadlensError(Exception): ...

def analyse(
    inputs: list,
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
) -> dict: ...
def report(
    inputs: list,
    *,
    tree: bool = False,
    input_format: Optional[str] = None,
    models: Sequence[str] = (),
    scores: bool = True,
) -> tuple[str, list[str]]: ...
def score(
    texts: list[Optional[str]],
) -> list[tuple[Optional[float], Optional[bool], list[str], str]]: ...
def version() -> str: ...
