"""End to end through the installed ``optikit`` script, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

OPTIKIT = shutil.which("optikit", path=str(Path(sys.executable).parent)) or "optikit"


def _env(toy_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OPTIKIT_LOAD_PLUGINS"] = "toy"
    env["OPTIKIT_PLUGINS_DIR"] = str(toy_dir)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_installed_script_solves_and_checks(toy_dir, toy_file, tmp_path):
    out = tmp_path / "sol.json"
    proc = subprocess.run(
        [OPTIKIT, "solve", str(toy_file), "--json", "-o", str(out)],
        capture_output=True, text=True, env=_env(toy_dir), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc == json.loads(out.read_text())
    assert doc["status"] == "optimal"
    check = subprocess.run(
        [OPTIKIT, "check", str(toy_file), str(out)],
        capture_output=True, text=True, env=_env(toy_dir), timeout=120,
    )
    assert check.returncode == 0, check.stderr


def test_bad_file_gives_one_line_and_no_traceback(toy_dir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: toy-knapsack\ncapacity: 1\nitems:\n  - {id: a, value: x, weight: 1}\n")
    proc = subprocess.run(
        [OPTIKIT, "solve", str(bad)], capture_output=True, text=True,
        env=_env(toy_dir), timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"error: {bad}: items[0].value: must be a number, not a string"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_keeps_the_best_solution(toy_dir, toy_file, tmp_path):
    out = tmp_path / "sol.json"
    proc = subprocess.Popen(
        [OPTIKIT, "solve", str(toy_file), "--option", "sleep=60", "-o", str(out),
         "--time-limit", "100"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(toy_dir),
    )
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "interrupt" in stderr
    doc = json.loads(out.read_text())
    assert doc["status"] == "feasible"
    assert doc["interrupted"] is True
    assert doc["time_s"] < 50


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_second_ctrl_c_exits_at_once(toy_dir, toy_file, tmp_path):
    out = tmp_path / "sol.json"
    proc = subprocess.Popen(
        [OPTIKIT, "solve", str(toy_file), "--option", "hang=60", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(toy_dir),
    )
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "exiting now" in stderr
    assert not out.exists()


def test_a_solver_ignoring_its_limit_is_abandoned_in_time(toy_dir, toy_file, tmp_path):
    """limit 2 s, grace max(10%, 1 s): the CLI gives up at ~3 s with 'unknown', exit 4."""
    out = tmp_path / "sol.json"
    started = time.monotonic()
    proc = subprocess.run(
        [OPTIKIT, "solve", str(toy_file), "--option", "hang=60", "--time-limit", "2",
         "-o", str(out), "--json"],
        capture_output=True, text=True, env=_env(toy_dir), timeout=60,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr
    doc = json.loads(out.read_text())
    assert doc == json.loads(proc.stdout)
    assert doc["status"] == "unknown" and "solution" not in doc
    assert "did not stop within its time limit" in doc["message"]
    assert elapsed < 30  # not the 60 s the solver wanted (a hang guard, not a timing test)
