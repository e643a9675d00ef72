"""Faults: a worker process killed mid-solve, a solver that hangs past its limit, a
server restarted mid-queue, and a real ``optikit serve`` process SIGKILLed and started
again.  Every job ends done, failed with a reason, or re-runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from optikit.service.settings import Settings
from tests.service.conftest import TOY, Served, serve

FAULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "service" / "faults.py"


def test_a_killed_worker_fails_its_job_and_is_replaced(served: Served) -> None:
    job_id = served.submit(time_limit=20, option="sleep=15")
    served.wait(job_id, until=("running",))
    pid = served.worker_pid(job_id)
    os.kill(pid, signal.SIGKILL)
    job = served.wait(job_id)
    assert job["status"] == "failed" and "SIGKILL" in job["error"], job
    after = served.wait(served.submit(time_limit=5))
    assert after["status"] == "done"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_hanging_solver_is_killed_past_limit_and_grace(served: Served) -> None:
    job_id = served.submit(time_limit=0.5, option="hang=60")
    job = served.wait(job_id, timeout=20)
    assert job["status"] == "failed" and "did not stop within its time limit" in job["error"]
    assert served.wait(served.submit(time_limit=5))["status"] == "done"


def test_jobs_survive_a_server_restart(toy_plugins: Path, tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "jobs.sqlite"), workers=1, max_time_limit=30)
    first = serve(settings, tenants=("acme",))
    served = next(first)
    ids = [served.submit(time_limit=10, option="sleep=0.2") for _ in range(2)]
    served.wait(ids[0], until=("running", "done"))
    first.close()  # the server stops mid-queue: the running job goes back to the queue
    second = serve(settings, tenants=("acme",))
    served = next(second)
    served.keys = {"acme": served.keys["acme"]}
    try:
        finals = [served.wait(i) for i in ids]
    finally:
        second.close()
    assert [j["status"] for j in finals] == ["done"] * 2
    assert all(j["document"]["check"]["feasible"] for j in finals)


def test_a_real_server_survives_sigkill_of_a_worker_and_of_itself(
        toy_plugins: Path, tmp_path: Path) -> None:
    """benchmarks/service/faults.py in small: a real ``optikit serve`` process; a worker
    SIGKILLed mid-solve, then the server SIGKILLed mid-queue and started again on the
    same SQLite file.  No job stays running; the ones left running are re-run."""
    problem, out = tmp_path / "toy.json", tmp_path / "figures.json"
    problem.write_text(json.dumps(TOY))
    done = subprocess.run(
        [sys.executable, str(FAULTS), "--jobs", "8", "--problem", str(problem),
         "--time-limit", "10", "--option", "sleep=1", "--kill-after", "0.3",
         "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert figures["ok"] and figures["stuck_running"] == 0 and figures["lost"] == 0
    assert figures["final"] == {"done": 7, "failed": 1}, figures
    assert figures["failed_reasons"] == {"the worker process killed by SIGKILL": 1}
    left = figures["server_kill"]["running_in_store"]
    assert left >= 1 and figures["left_running_rerun"] == left
    assert figures["server_kill"]["workers_left_behind"] == 0
