"""Testing kit for optikit plugin authors.

Installed with optikit and registered as a pytest plugin (entry point ``pytest11``), so
every project that depends on optikit gets the fixtures without configuration:

- ``optikit_registry``: builds an isolated :class:`~optikit.registry.Registry` from given
  plugin modules (no entry points unless asked);
- ``optikit_cli``: a click ``CliRunner`` harness whose ``optikit`` commands see only such a
  registry.

The conformance suites are base classes a plugin's tests subclass::

    from optikit.testing import ProblemTypeConformance

    class TestMyType(ProblemTypeConformance):
        problem_type = "my-type"

        def corruptions(self, problem, payload):
            ...  # yield (label, corrupted payload) pairs the checker must reject

This package is imported by pytest in every run, so it stays import-light: the suites
and helpers below are loaded on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ProblemTypeConformance": "optikit.testing.conformance",
    "BackendConformance": "optikit.testing.backend_conformance",
    "BackendCase": "optikit.testing.backend_cases",
    "OptikitCli": "optikit.testing.harness",
    "isolated_registry": "optikit.testing.harness",
    "TIMING_KEYS": "optikit.testing.determinism",
    "strip_timings": "optikit.testing.determinism",
    "assert_status_semantics": "optikit.testing.assertions",
    "assert_checked_solution": "optikit.testing.assertions",
    "generic_corruptions": "optikit.testing.corruption",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optikit.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
