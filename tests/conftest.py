"""Which tests run in the serial phase of ``make test``.

``make test`` runs the suite in two phases: everything else on all cores (pytest-xdist),
then the tests below on their own.  These assert what a solver achieves within a time
limit (a proof, a stop within 3 s after Ctrl-C, a seeded run that repeats a time-bounded
baseline): true on an otherwise idle machine, but the figures move when another test
shares the cores.  Running them alone keeps them meaningful, not merely lucky.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parent

SERIAL_FILES = {
    "robustness/test_signals.py",
    "energy/test_reference_toy.py",
    "energy/test_interval_search.py",
    "energy/test_conformance.py",
    "energy/test_cli.py",
    "fjsp/test_samples.py",
    "lot_sizing/test_solve.py",
    "pooling/test_literature.py",
    "service/test_live.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            relative = Path(str(item.path)).resolve().relative_to(_TESTS).as_posix()
        except ValueError:
            continue
        if relative in SERIAL_FILES:
            item.add_marker(pytest.mark.serial)
