"""Generic ways to spoil a solution payload, for checking that checkers reject them.

They are a floor, not a test of a type's rules: a checker that only notices a missing
payload passes them.  Each problem type adds its own, constraint-specific corruptions
through :meth:`optikit.testing.ProblemTypeConformance.corruptions`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any


def _emptied(value: Any) -> Any:
    """The same structure with every non-empty list and mapping below the top emptied."""
    if isinstance(value, list):
        return []
    if isinstance(value, Mapping):
        return {}
    return value


def generic_corruptions(payload: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, corrupted payload)`` pairs that no honest checker can accept.

    Only corruptions that actually change the payload are produced.
    """
    original = copy.deepcopy(dict(payload))
    if original:
        yield "empty payload", {}
    emptied = {k: _emptied(v) for k, v in original.items()}
    if emptied != original:
        yield "every list and mapping emptied", emptied
