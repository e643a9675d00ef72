"""The SQLite ledger: one transaction per run, unique keys, skipped runs replaceable,
schema versioning, and one coordinator per file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from optikit.bench.ledger import CoordinatorLock, Ledger, LedgerError, RunRecord


def _record(key: str, outcome: str = "solved", **extra: object) -> RunRecord:
    values = {
        "run_key": key, "suite": "s", "instance_set": "set", "instance": "i", "solver": "x",
        "seed": 0, "repeat": 0, "time_limit": 1.0, "threads": 1, "status": "optimal",
        "outcome": outcome, "checked": "passed", "objective": 3.0, **extra,
    }
    return RunRecord(values, [(0.1, 5.0, None, "a"), (0.2, 3.0, 3.0, "b")])


def test_record_and_read_back(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    with Ledger(db) as ledger:
        run_id = ledger.record_run(_record("k1", options={"mode": "x"}))
        ledger.record_run(_record("k2", outcome="skipped", status="skipped"))
        assert ledger.finished_keys("s") == {"k1"}
        assert ledger.count_runs("s") == 2
        assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Ledger(db, readonly=True) as ro:
        runs = ro.runs()
        assert [r["run_key"] for r in runs] == ["k1", "k2"]
        assert runs[0]["options"] == {"mode": "x"}
        assert ro.trajectories([run_id]) == {run_id: [(0.1, 5.0, None), (0.2, 3.0, 3.0)]}
        assert ro.integrity() == "ok"


def test_skipped_run_is_replaced_finished_run_is_not(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_run(_record("k", outcome="skipped", status="skipped"))
        ledger.record_run(_record("k"))
        assert [r["outcome"] for r in ledger.runs()] == ["solved"]
        with pytest.raises(sqlite3.IntegrityError):
            ledger.record_run(_record("k"))
        # The failed transaction left nothing behind (no orphan trajectory rows).
        count = ledger.conn.execute("SELECT COUNT(*) FROM trajectory").fetchone()[0]
        assert count == 2


def test_readonly_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no such ledger"):
        Ledger(tmp_path / "missing.sqlite", readonly=True)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="not an optikit ledger"):
        Ledger(other, readonly=True)
    db = tmp_path / "future.sqlite"
    Ledger(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        Ledger(db)


def test_one_coordinator_per_ledger(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    first, second = CoordinatorLock(db), CoordinatorLock(db)
    first.acquire()
    try:
        with pytest.raises(LedgerError, match="another `optikit bench`"):
            second.acquire()
    finally:
        first.release()
    second.acquire()
    second.release()
