"""The shipped smoke suite, end to end with the installed plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit.bench.cli import report_command
from optikit.bench.coordinator import BenchConfig, run_bench
from optikit.bench.ledger import Ledger
from optikit.bench.suite import load_suite
from tests.bench.conftest import ledger_rows

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# Every shipped suite (new problem types' suites join by themselves).
SUITES = sorted(p.stem for p in BENCHMARKS.glob("*.yaml"))
# A run may be skipped only because something is not installed here.
ACCEPTABLE_SKIPS = ("is not installed", "is not available", "no default solver")


@pytest.mark.parametrize("name", SUITES)
def test_shipped_suites_parse(name: str) -> None:
    suite = load_suite(BENCHMARKS / f"{name}.yaml")
    assert suite.name == name and suite.sets


@pytest.mark.slow
def test_smoke_suite_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from optikit.plugins import get_registry

    for key in ("OPTIKIT_LOAD_PLUGINS", "OPTIKIT_DISABLE_PLUGINS", "OPTIKIT_PLUGINS_DIR"):
        monkeypatch.delenv(key, raising=False)
    db = tmp_path / "smoke.sqlite"
    summary = run_bench(BenchConfig([BENCHMARKS / "smoke.yaml"], db, jobs=2, progress=False))
    rows = ledger_rows(db)
    assert len(rows) == summary.planned

    # The smoke suite covers every problem type installed here.
    for ptype in get_registry().problem_types:
        ran = [r for r in rows if r["problem_type"] == ptype and r["outcome"] != "skipped"]
        assert ran, f"no {ptype} run in the smoke suite"
    for r in rows:
        where = f"{r['instance_set']}/{r['instance']} {r['solver']}: {r['message']}"
        if r["outcome"] == "skipped":
            assert any(s in (r["message"] or "") for s in ACCEPTABLE_SKIPS), where
        else:
            assert r["outcome"] in ("solved", "feasible"), where
            assert r["checked"] == "passed", where
            known = r["known_ub"]
            if r["outcome"] == "solved" and known is not None:
                assert r["objective"] == pytest.approx(known, rel=1e-6, abs=1e-6), where
    with Ledger(db, readonly=True) as ledger:
        assert ledger.integrity() == "ok"

    out = tmp_path / "smoke.html"
    result = CliRunner().invoke(report_command, ["--db", str(db), "--format", "html",
                                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    for ptype in {r["problem_type"] for r in rows if r["outcome"] != "skipped"}:
        assert f'<section data-type="{ptype}">' in page
