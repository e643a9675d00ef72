"""Fixtures for the benchmark tests: the test-only ``benchtoy`` plugin and suite files.

Only ``benchtoy`` is loaded (``OPTIKIT_LOAD_PLUGINS``), through a plugins directory, so
the coordinator and every child process see the same small registry and start fast.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

PLUGINS = Path(__file__).parent / "plugins"
TOY_ENV = {"OPTIKIT_PLUGINS_DIR": str(PLUGINS), "OPTIKIT_LOAD_PLUGINS": "benchtoy"}


def write_suite(directory: Path, doc: dict[str, Any], name: str = "suite.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def ledger_rows(db: Path, sql: str = "SELECT * FROM runs ORDER BY id") -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture
def toy_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in TOY_ENV.items():
        monkeypatch.setenv(key, value)
    return TOY_ENV


def _benchtoy() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("benchtoy_for_tests", PLUGINS / "benchtoy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cover_optimum(seed: int, size: str) -> float:
    """The optimum of a generated bench-cover instance, by plain enumeration."""
    import itertools

    doc = _benchtoy().generate(seed, size)
    items = doc["items"]
    return min(
        float(sum(it["cost"] for it in combo))
        for r in range(1, len(items) + 1)
        for combo in itertools.combinations(items, r)
        if sum(it["size"] for it in combo) >= doc["demand"]
    )


def cover_greedy(seed: int, size: str) -> float:
    """What the plugin's greedy heuristic (modes greedy and falseopt) finds."""
    toy = _benchtoy()
    return float(toy._cost(toy._greedy(toy.parse(toy.generate(seed, size)))))


MIXED_SEEDS = (2, 4)  # on both, greedy is worse than the optimum


def mixed_suite() -> dict[str, Any]:
    """Every kind of contender a benchmark must judge, on two generated instances."""
    optimum = cover_optimum(2, "small")
    return {
        "name": "mixed",
        "time_limit": 2,
        "grace": 1.5,
        "sets": [
            {
                "name": "gen",
                "generate": {"type": "bench-cover", "size": "small",
                             "seeds": list(MIXED_SEEDS)},
                # Recording small-2's optimum lets the ledger refute a false
                # optimality claim on its own (small-4 relies on the cross-check).
                "bounds": {"bench-cover-small-2": {"lb": optimum, "ub": optimum}},
                "solvers": [
                    {"solver": "cover-brute", "options": {"delay": 0.05}},
                    {"solver": "cover-alt", "label": "greedy", "options": {"mode": "greedy"}},
                    {"solver": "cover-alt", "label": "liar", "options": {"mode": "liar"}},
                    {"solver": "cover-alt", "label": "falseopt",
                     "options": {"mode": "falseopt"}},
                    {"solver": "cover-alt", "label": "crash", "options": {"mode": "crash"}},
                    {"solver": "cover-alt", "label": "hang",
                     "options": {"mode": "hang", "hang": 120}},
                    "cover-missing",
                ],
            },
            {
                "name": "absent",
                "generate": {"type": "no-such-type", "size": "small", "count": 1},
                "solvers": ["cpsat"],
            },
        ],
    }


@pytest.fixture(scope="session")
def mixed_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mixed suite run once (2 jobs) for the outcome and report tests.

    The plugin environment is set only while the suite runs, so nothing leaks into
    other tests of the session.
    """
    from optikit.bench.coordinator import BenchConfig, run_bench

    directory = tmp_path_factory.mktemp("mixed")
    suite = write_suite(directory, mixed_suite())
    db = directory / "results.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in TOY_ENV.items():
            mp.setenv(key, value)
        run_bench(BenchConfig([suite], db, jobs=2, progress=False))
    return db
