"""Typed ``--option key=value`` values of the energy formulations.

Each formulation keeps its own table (``OPTIONS`` in :mod:`optikit_energy.cpsat` and
:mod:`optikit_energy.milp`) and reads it with :func:`read_options`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.types import UsageError


def read_options(extra: Mapping[str, Any], known: Mapping[str, type]) -> dict[str, Any]:
    """Typed ``--option`` values; unknown keys are an error, never ignored."""
    out: dict[str, Any] = {}
    for key, raw in extra.items():
        if key not in known:
            raise UsageError(
                f"unknown option {key!r} for energy-scheduling (known: {', '.join(known)})"
            )
        kind = known[key]
        if kind is bool:
            text = str(raw).strip().lower()
            if text not in ("true", "false", "1", "0", "yes", "no"):
                raise UsageError(f"option {key} must be true or false, not {raw!r}")
            out[key] = text in ("true", "1", "yes")
        else:
            try:
                out[key] = kind(raw)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"option {key} must be a {kind.__name__}, not {raw!r}") from exc
    return out
