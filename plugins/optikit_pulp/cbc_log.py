"""Read what CBC's log says about a finished run: how it ended and the proven bound.

PuLP maps a time-limited CBC run with an incumbent to "Optimal" (pulp issues 383, 649)
and never exposes the bound; CBC's own summary says both plainly::

    Result - Stopped on time limit
    Objective value:                17.00000000
    Lower bound:                    0.000

The summary is only printed for MILPs; an LP run ends with ``Optimal - objective value``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_RESULT = re.compile(r"^Result - (.+?)\s*$", re.MULTILINE)
_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)
_GAP = re.compile(r"^Gap:\s+(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class CbcSummary:
    result: str | None  # e.g. "Optimal solution found", "Stopped on time limit"
    bound: float | None  # in the model's own sense, as CBC prints it
    gap: float | None

    @property
    def proven_optimal(self) -> bool:
        return self.result is not None and self.result.startswith("Optimal")

    @property
    def stopped(self) -> bool:
        """Stopped by a limit or by the user (``User ctrl-c``)."""
        return self.result is not None and not self.result.startswith(
            ("Optimal", "Problem proven infeasible", "Linear relaxation")
        )


def parse_cbc_log(text: str) -> CbcSummary:
    results = _RESULT.findall(text)
    return CbcSummary(
        result=results[-1] if results else None,
        bound=_last_number(_BOUND.findall(text)),
        gap=_last_number(_GAP.findall(text)),
    )


def _last_number(found: list[str]) -> float | None:
    if not found:
        return None
    try:
        value = float(found[-1])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)


def objective_in_log(text: str) -> float | None:
    """The incumbent objective as CBC printed it in its summary (without PuLP's constant)."""
    return _last_number(_OBJECTIVE.findall(text))


_VERSION = re.compile(r"^Version:\s+(\S+)", re.MULTILINE)


def version_in_log(text: str) -> str | None:
    """CBC's version from its banner (``Version: 2.10.3``), for provenance."""
    found = _VERSION.findall(text)
    return found[0] if found else None
