"""The Dask executor records the same results as the local process pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from optikit.bench.coordinator import BenchConfig, run_bench
from tests.bench.conftest import ledger_rows, write_suite

distributed = pytest.importorskip("distributed")

SUITE: dict[str, Any] = {
    "name": "dask-vs-local",
    "time_limit": 3,
    "sets": [{
        "name": "g",
        "generate": {"type": "bench-cover", "size": "small", "seeds": [2, 3, 4]},
        "solvers": [
            "cover-brute",
            {"solver": "cover-alt", "label": "greedy", "options": {"mode": "greedy"}},
            {"solver": "cover-alt", "label": "liar", "options": {"mode": "liar"}},
            {"solver": "cover-alt", "label": "crash", "options": {"mode": "crash"}},
        ],
    }],
}
COMPARED = ("run_key", "instance", "solver", "status", "outcome", "objective", "bound",
            "checked", "instance_checksum", "solver_version")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A loopback cluster; the worker declares 2 CPUs so runs reserve their threads."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address=":0", resources={"CPU": 2},
    ) as lc:
        yield lc.scheduler_address


def _results(db: Path) -> list[tuple]:
    rows = ledger_rows(db, "SELECT * FROM runs ORDER BY run_key")
    return [tuple(r[c] for c in COMPARED) for r in rows]


def test_dask_records_the_same_results_as_local(tmp_path: Path, toy_env, cluster: str) -> None:
    suite = write_suite(tmp_path, SUITE)
    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    run_bench(BenchConfig([suite], local_db, jobs=2, progress=False))
    run_bench(BenchConfig([suite], dask_db, executor="dask", scheduler=cluster,
                          progress=False))
    local, remote = _results(local_db), _results(dask_db)
    assert len(local) == 3 * 4
    assert remote == local
    outcomes = {r[4] for r in local}
    assert outcomes == {"solved", "feasible", "wrong", "failed"}
    executors = {r["executor"] for r in ledger_rows(dask_db)}
    assert executors == {f"dask@{cluster}"}


def test_dask_without_scheduler_starts_a_loopback_cluster(tmp_path: Path, toy_env) -> None:
    suite = write_suite(tmp_path, {**SUITE, "sets": [{
        **SUITE["sets"][0], "generate": {"type": "bench-cover", "size": "tiny", "count": 2},
    }]})
    db = tmp_path / "auto.sqlite"
    summary = run_bench(BenchConfig([suite], db, executor="dask", jobs=2, progress=False))
    assert summary.ran == 2 * 4
    assert {r["executor"] for r in ledger_rows(db)} == {"dask"}
