"""Solution documents as strict JSON: what optikit writes, optikit can read back.

``NaN`` and infinities are not JSON; a document that would contain one is a bug, so the
writer raises instead of writing a file no JSON reader (nor ``optikit check``) accepts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _finite(value: Any) -> Any:
    """Replace non-finite floats by None, deep (numbers the solver could not settle)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def document_json(document: Any) -> str:
    """Strict JSON text (indented, newline-terminated).  A NaN or infinity anywhere
    becomes ``null``: a document is never written in a form JSON readers refuse."""
    try:
        text = json.dumps(document, indent=2, default=_default, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(json.loads(json.dumps(document, default=_default))),
                          indent=2, allow_nan=False)
    return text + "\n"
