"""A wheel of optikit carries every built-in type's samples (users without the repository
still get ``optikit plugins`` samples and ``make demo``-style files)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_the_samples(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheels = list(tmp_path.glob("optikit-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for package, folder in [("optikit_blend", "blend"), ("optikit_fjsp", "fjsp"),
                            ("optikit_energy", "energy-scheduling"),
                            ("optikit_maintenance", "maintenance"),
                            ("optikit_rostering", "rostering")]:
        shipped = (ROOT / "problems" / folder).glob("*.yaml")
        expected = {f"{package}/samples/{p.name}" for p in shipped}
        assert expected, folder
        assert expected <= names, sorted(expected - names)
    assert "optikit_energy/samples/infeasible/short_night_shift.yaml" in names
    assert "optikit_rostering/samples/Instance1.roster" in names
    # the benchmark report page's script and style
    assert {"optikit/bench/static/report.js", "optikit/bench/static/report.css"} <= names
    # no test or benchmark data leaks into the wheel
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
