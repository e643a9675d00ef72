"""A suite killed with SIGKILL halfway resumes without redoing or duplicating runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from optikit.bench.ledger import Ledger
from tests.bench.conftest import TOY_ENV, ledger_rows, write_suite

RUNS = 8


def _bench(suite: Path, db: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "optikit.bench", "bench", str(suite), "--db", str(db),
         "-j", "1", "-q", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _workers_with(mark: str) -> list[int]:
    """Live processes whose environment carries ``mark`` (this test's children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_sigkill_then_resume(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, {
        "name": "resumable",
        "time_limit": 10,
        "sets": [{
            "name": "g",
            "generate": {"type": "bench-cover", "size": "tiny", "count": RUNS},
            # Each run sleeps ~0.6 s, so the kill lands while a child is running.
            "solvers": [{"solver": "cover-brute", "options": {"mode": "hang", "hang": 0.6}}],
        }],
    })
    db = tmp_path / "results.sqlite"
    mark = f"OPTIKIT_BENCH_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, **TOY_ENV, mark.split("=")[0]: mark.split("=")[1]}

    first = _bench(suite, db, env)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline:
        if db.exists():
            try:
                done = len(ledger_rows(db, "SELECT id FROM runs"))
            except Exception:  # the schema may not be there yet
                done = 0
        if done >= 3:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert 3 <= done < RUNS, "the kill must land halfway"

    before = {r["run_key"]: r for r in ledger_rows(db)}
    assert len(before) >= 3
    with Ledger(db) as ledger:
        assert ledger.integrity() == "ok"

    # The orphaned child notices its parent is gone and kills itself.
    deadline = time.monotonic() + 5
    while _workers_with(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _workers_with(mark) == []

    second = _bench(suite, db, env, "--resume", "--json")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    summary = json.loads(out)
    assert summary["already_done"] == len(before)
    assert summary["ran"] == RUNS - len(before)

    after = ledger_rows(db)
    assert len(after) == RUNS
    assert len({r["run_key"] for r in after}) == RUNS
    for key, row in before.items():
        again = next(r for r in after if r["run_key"] == key)
        assert (again["id"], again["finished_at"]) == (row["id"], row["finished_at"])
    assert all(r["outcome"] == "solved" for r in after)
    with Ledger(db) as ledger:
        assert ledger.integrity() == "ok"

    # Resuming a finished suite runs nothing.
    third = _bench(suite, db, env, "--resume", "--json")
    out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err
    assert json.loads(out)["ran"] == 0
    assert len(ledger_rows(db)) == RUNS
