"""SCIP's spurious "SCIPcatchEvent" errors stay off a quiet run's stderr (issue 11)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

OPTIKIT = shutil.which("optikit", path=str(Path(sys.executable).parent)) or "optikit"
MILP = Path(__file__).resolve().parents[2] / "problems" / "blend" / "sinter_feed_exactly3_ores.yaml"


def _solve(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPTIKIT, "solve", str(MILP), "--solver", "scip", "--time-limit", "20", *extra],
        capture_output=True, text=True, timeout=120,
    )


def test_quiet_scip_milp_prints_nothing_on_stderr_and_clean_json() -> None:
    proc = _solve("-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    proc = _solve("--json")
    assert proc.returncode == 0, proc.stderr
    assert "ERROR" not in proc.stderr
    assert json.loads(proc.stdout)["status"] == "optimal"


def test_verbose_scip_run_still_shows_scip_errors() -> None:
    proc = _solve("-v")
    assert proc.returncode == 0, proc.stderr
    assert "SCIPcatchEvent" in proc.stderr  # the printer is restored for -v

