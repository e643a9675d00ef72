"""Without the plotting extra a chart command refuses up front: one line naming the extra,
exit 2, no traceback, and no file (never "chart written" when none was)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

SAMPLE = Path("problems/fjsp/machining_cell.yaml")
SOLUTION = Path(__file__).parent / "solutions" / "moulding_changeovers.json"


def _hide(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``import package`` (and its submodules) fail as if it were not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def _one_line_error(result: Result, extra: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"optikit[{extra}]" in lines[0], lines[0]
    assert "written" not in result.stdout
    return lines[0]


@pytest.mark.parametrize(("suffix", "package", "extra"),
                         [(".png", "matplotlib", "plot"), (".pdf", "matplotlib", "plot"),
                          (".html", "plotly", "charts")])
def test_solve_gantt_names_the_missing_extra(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    suffix: str, package: str, extra: str,
) -> None:
    _hide(monkeypatch, package)
    out = tmp_path / f"plan{suffix}"
    _one_line_error(cli("solve", SAMPLE, "--gantt", out, "--time-limit", 1), extra)
    assert not out.exists()


def test_chart_command_names_the_missing_extra(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    _hide(monkeypatch, "plotly")
    out = tmp_path / "plan.html"
    _one_line_error(cli("chart", SOLUTION, "-o", out), "charts")
    assert not out.exists()
