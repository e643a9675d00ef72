"""One cell <-> one JSON value, lossless in both directions.

Decoding is driven by what the schema allows at the cell's path: a number column turns
the text ``12`` into 12, a string column keeps it as text.  Lists and mappings that do
not become their own sheet are written as JSON text (``[10, 20]``).  A leading
apostrophe marks a cell as literal text, as in Excel: the writer adds one whenever the
reader would otherwise turn the text into something else (``'12`` in an id column that
also accepts numbers, ``'`` for an empty string), so converting is always reversible.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from optikit.sheets.schema_nav import Schema, SchemaNav

#: Cell value as a spreadsheet library hands it over (text from CSV, typed from xlsx).
Cell = str | int | float | bool | None

ABSENT = object()  # an empty cell: the key is not in the document

_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_BOOL = {"true": True, "false": False}


class CellError(ValueError):
    """A value that cannot be written to (or read from) a cell; the message says why."""


def decode(raw: Cell, schema: Schema, nav: SchemaNav) -> Any:
    """The document value of a cell (``ABSENT`` for an empty one)."""
    if raw is None:
        return ABSENT
    types = nav.types(schema)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        if types and "string" in types and not types & {"number", "integer"}:
            # an id typed as a number into a text column: keep what the user sees
            return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
        return raw
    text = str(raw)
    if text == "":
        return ABSENT
    if text.startswith("'"):
        return text[1:]
    if types == {"string"}:
        return text
    stripped = text.strip()
    lowered = stripped.lower()
    if (not types or "boolean" in types) and lowered in _BOOL:
        return _BOOL[lowered]
    if not types or types & {"number", "integer"}:
        if _INT.match(stripped):
            if len(stripped) <= 400:
                return int(stripped)
        elif _FLOAT.match(stripped):
            value = float(stripped)
            if math.isfinite(value):
                return value
    if (not types or types & {"array", "object", "null"}) and (
        stripped[:1] in ("[", "{") or stripped == "null"
    ):
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError):
            return text  # validation then names this cell: "must be a list, not a string"
    return text


def same(a: Any, b: Any) -> bool:
    """Equal as documents: 3 == 3.0, but True is not 1 and '3' is not 3."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def encode(value: Any, schema: Schema, nav: SchemaNav, *, text_only: bool) -> Cell:
    """The cell for a document value; ``text_only`` for CSV (numbers as text)."""
    cell: Cell
    if isinstance(value, bool):
        cell = ("true" if value else "false") if text_only else value
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"{value} cannot be stored in a cell")
        cell = repr(value) if text_only else value
    elif isinstance(value, str):
        cell = value
    else:
        try:
            cell = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise CellError(f"cannot be written as JSON text: {exc}") from None
    if not same(decode(cell, schema, nav), value):
        if not isinstance(value, str):
            raise CellError(f"{cell!r} would not read back as the same value")
        cell = "'" + value
    return cell
