"""Reading the line-oriented standard formats (``.fjs``, ``.clsp``, ``.carseq``, ...).

Every such reader does the same first step: the file as UTF-8 text (a byte-order mark
allowed), a file that is not text refused as an error on its first line, and the text
handed to the format's parser with the file's stem as the instance name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit.types import InvalidProblem


def read_text_format(
    path: Path, parse: Callable[[str, str], dict[str, Any]]
) -> dict[str, Any]:
    """``parse(text, name)`` of the file at ``path``; InvalidProblem if it is not text."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidProblem("line 1", "not a text file") from None
    return parse(text, Path(path).stem)
