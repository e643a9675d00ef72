"""Which parts of a solution document are timings, and how to compare runs without them.

A seeded single-thread solve must be reproducible: two runs with
``SolveOptions(threads=1, seed=s)`` give identical documents apart from the keys listed
here.  This is the one place that says what a timing is; the conformance suites and the
benchmark tools compare documents through :func:`strip_timings`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

#: Top-level keys of a solution document that measure elapsed time or depend on it.
TOP_LEVEL_TIMING_KEYS = frozenset({"time_s", "interrupted"})

#: Keys inside ``stats`` (at any depth) that are timings, whatever the backend.
TIMING_KEYS = frozenset(
    {
        "time_s",
        "wall_time",
        "user_time",
        "cpu_time",
        "solve_time",
        "build_time",
        "presolve_time",
        "elapsed",
        "elapsed_s",
    }
)

#: Suffixes that mark a ``stats`` key as a timing (``model_build_time``, ``search_s``).
TIMING_SUFFIXES = ("_time", "_time_s", "_seconds", "_s")


#: Work counters that depend on the clock: SCIP sets its sub-MIP heuristics' limits from
#: the time left, so even a seeded single-thread run can spend a few more LP iterations
#: while reaching the same answer.
CLOCK_DEPENDENT_SUFFIXES = ("_simplex_iterations",)


def is_timing_key(key: str) -> bool:
    """True for a ``stats`` key that holds a duration or a clock-dependent work count (and
    so may differ between runs)."""
    return (
        key in TIMING_KEYS
        or key.endswith(TIMING_SUFFIXES)
        or key.endswith(CLOCK_DEPENDENT_SUFFIXES)
    )


def _strip_stats(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _strip_stats(v)
            for k, v in value.items()
            if not (isinstance(k, str) and is_timing_key(k))
        }
    if isinstance(value, list):
        return [_strip_stats(v) for v in value]
    return value


def strip_timings(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` without its timing fields, for equality comparisons."""
    out = {k: copy.deepcopy(v) for k, v in document.items() if k not in TOP_LEVEL_TIMING_KEYS}
    if "stats" in out:
        out["stats"] = _strip_stats(out["stats"])
    return out


def timing_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Paths where two documents differ once timings are removed (empty when equal)."""
    diffs: list[str] = []
    _diff(strip_timings(a), strip_timings(b), "", diffs)
    return diffs


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if len(out) >= 20:
        return
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(f"{where}: only in {'second' if key not in a else 'first'} run")
            else:
                _diff(a[key], b[key], where, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
