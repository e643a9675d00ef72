"""``optikit report`` formats: CSV columns, JSON, HTML with embedded plots, the table."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

from click.testing import CliRunner

from optikit.bench.cli import report_command
from tests.bench.conftest import MIXED_SEEDS, cover_greedy, cover_optimum, ledger_rows

REQUIRED = ["suite", "instance", "solver", "status", "objective", "bound", "time_s", "checked"]


def _report(db: Path, *args: str) -> str:
    result = CliRunner().invoke(report_command, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_one_row_per_run_with_the_contract_columns(mixed_ledger: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(_report(mixed_ledger, "--format", "csv"))))
    header = list(rows[0])
    assert header[: len(REQUIRED)] == REQUIRED
    assert len(rows) == len(ledger_rows(mixed_ledger))
    brute = [r for r in rows if r["solver"] == "cover-brute"]
    assert {(r["status"], r["checked"]) for r in brute} == {("optimal", "passed")}
    for r in brute:
        seed = int(r["instance"].rsplit("-", 1)[1])
        assert float(r["objective"]) == cover_optimum(seed, "small")
        assert r["suite"] == "mixed" and float(r["time_s"]) >= 0


def test_cross_check_shows_unrefuted_false_claims_as_wrong(mixed_ledger: Path) -> None:
    """small-4 has no recorded bound: the ledger could not refute the false optimality
    claim, the report does, from another run's checked better solution."""
    seed = MIXED_SEEDS[1]
    assert cover_greedy(seed, "small") > cover_optimum(seed, "small")
    stored = [r for r in ledger_rows(mixed_ledger)
              if r["solver"] == "falseopt" and r["instance"].endswith(f"-{seed}")]
    assert stored[0]["outcome"] == "solved"
    rows = list(csv.DictReader(io.StringIO(_report(mixed_ledger, "--format", "csv"))))
    (r,) = [r for r in rows if r["solver"] == "falseopt" and r["instance"].endswith(f"-{seed}")]
    assert (r["outcome"], r["ledger_outcome"]) == ("wrong", "solved")
    assert "another run's checked solution" in r["message"]


def test_json_has_runs_solvers_and_provenance(mixed_ledger: Path) -> None:
    doc = json.loads(_report(mixed_ledger, "--format", "json"))
    assert doc["schema_version"] == 1
    assert len(doc["runs"]) == len(ledger_rows(mixed_ledger))
    assert all("document" not in r for r in doc["runs"])
    solvers = {(s["problem_type"], s["solver"]): s for s in doc["solvers"]}
    brute = solvers[("bench-cover", "cover-brute")]
    assert (brute["runs"], brute["solved"], brute["best"], brute["wrong"]) == (2, 2, 2, 0)
    assert solvers[("bench-cover", "liar")]["wrong"] == 2
    assert solvers[("bench-cover", "hang")]["failed"] == 2
    assert solvers[("bench-cover", "falseopt")]["wrong"] == 2
    assert solvers[("bench-cover", "greedy")]["feasible"] == 2
    assert doc["provenance"]["CPU"] and doc["provenance"]["optikit"]
    (profile,) = [p for p in doc["profiles"] if p["problem_type"] == "bench-cover"]
    assert profile["problems"] == 2 and len(profile["ratios"]["cover-brute"]) == 2


def test_html_embeds_the_plots(mixed_ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    plots = tmp_path / "plots"
    _report(mixed_ledger, "--format", "html", "--plot-format", "png", "-o", str(out),
            "--plots", str(plots))
    page = out.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 2  # performance profile and gap curves of bench-cover
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "cover-brute" in page and "falseopt" in page and "Provenance" in page
    assert {p.name for p in plots.iterdir()} == {
        "profile-bench-cover.png", "gap-bench-cover.png",
    }
    assert out.stat().st_mode & 0o044  # readable by others, not mkstemp's 0600

    interactive = tmp_path / "report-plotly.html"
    _report(mixed_ledger, "--format", "html", "-o", str(interactive))
    page = interactive.read_text()
    figures = re.findall(r'<div class="plot" data-plot="([a-z]+)-bench-cover">', page)
    assert figures == ["profile", "gap"] and "Plotly.newPlot" in page
    assert 'class="sortable matrix"' in page  # the instance x solver table

    svg = tmp_path / "report-svg.html"
    _report(mixed_ledger, "--format", "html", "--plot-format", "svg", "-o", str(svg))
    assert svg.read_text().count("<svg") >= 2


def test_table_lists_solvers_and_reasons(mixed_ledger: Path) -> None:
    text = _report(mixed_ledger)
    for word in ("Per solver", "Per instance", "cover-brute", "greedy", "liar",
                 "never available", "killed after"):
        assert word in text


def test_report_errors_are_one_line_exit_2(mixed_ledger: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(report_command, ["--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "no such ledger" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    unknown = runner.invoke(report_command, ["--db", str(mixed_ledger), "--suite", "zzz"])
    assert unknown.exit_code == 2 and "zzz" in unknown.stderr
    assert not (tmp_path / "none.sqlite").exists()
