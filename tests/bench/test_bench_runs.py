"""What the ledger records for each kind of run: solved, feasible, wrong, failed, killed,
skipped, with provenance, trajectories and the coordinator's own re-check."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit.bench.coordinator import BenchConfig, choose_jobs, run_bench
from optikit.bench.ledger import Ledger
from optikit.types import UsageError
from tests.bench.conftest import (
    MIXED_SEEDS,
    cover_greedy,
    cover_optimum,
    ledger_rows,
    write_suite,
)


def _by(rows, solver, instance):
    found = [r for r in rows if r["solver"] == solver and r["instance"] == instance]
    assert len(found) == 1, (solver, instance, found)
    return found[0]


def test_every_planned_run_is_recorded_once(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    # 2 instances x 7 solver entries + 1 run of the uninstalled type.
    assert len(rows) == 2 * 7 + 1
    assert len({r["run_key"] for r in rows}) == len(rows)
    with Ledger(mixed_ledger, readonly=True) as ledger:
        assert ledger.integrity() == "ok"


def test_exact_runs_are_solved_checked_and_match_enumeration(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    for seed in MIXED_SEEDS:
        r = _by(rows, "cover-brute", f"bench-cover-small-{seed}")
        assert r["status"] == "optimal" and r["outcome"] == "solved"
        assert r["checked"] == "passed"
        assert r["objective"] == pytest.approx(cover_optimum(seed, "small"))


def test_trajectory_of_incumbents_is_stored(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    r = _by(rows, "cover-brute", f"bench-cover-small-{MIXED_SEEDS[0]}")
    events = ledger_rows(
        mixed_ledger, f"SELECT * FROM trajectory WHERE run_id = {r['id']} ORDER BY seq"
    )
    values = [e["objective"] for e in events]
    # First the greedy start, then strictly improving incumbents down to the optimum.
    assert values[0] == pytest.approx(cover_greedy(MIXED_SEEDS[0], "small"))
    assert values[-1] == pytest.approx(r["objective"])
    assert all(b < a for a, b in itertools.pairwise(values))
    times = [e["time_s"] for e in events]
    assert times == sorted(times)


def test_heuristic_without_proof_is_feasible(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    for seed in MIXED_SEEDS:
        r = _by(rows, "greedy", f"bench-cover-small-{seed}")
        assert r["outcome"] == "feasible" and r["checked"] == "passed"
        assert r["objective"] == pytest.approx(cover_greedy(seed, "small"))


def test_payload_failing_the_checker_is_wrong_never_solved(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    for seed in MIXED_SEEDS:
        r = _by(rows, "liar", f"bench-cover-small-{seed}")
        assert r["outcome"] == "wrong"
        assert r["checked"] == "failed"
        violations = json.loads(r["violations"])
        assert any(v["constraint"] == "demand" for v in violations)


def test_false_optimality_claim_refuted_by_known_bound(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    seed = MIXED_SEEDS[0]  # the instance with a recorded optimum
    assert cover_greedy(seed, "small") > cover_optimum(seed, "small")
    r = _by(rows, "falseopt", f"bench-cover-small-{seed}")
    assert r["status"] == "optimal"  # the claim ...
    assert r["outcome"] == "wrong"  # ... and the verdict
    assert "is known" in r["message"]


def test_crash_is_failed(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    r = _by(rows, "crash", f"bench-cover-small-{MIXED_SEEDS[0]}")
    assert r["outcome"] == "failed" and r["status"] == "error"
    assert "deliberate crash" in r["message"]


def test_child_ignoring_its_limit_is_killed_at_limit_plus_grace(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    for seed in MIXED_SEEDS:
        r = _by(rows, "hang", f"bench-cover-small-{seed}")
        assert r["status"] == "killed" and r["outcome"] == "failed" and r["killed"] == 1
        # It would have slept 120 s; the kill comes at time limit + grace (3.5 s).
        assert r["kill_after"] == pytest.approx(3.5)
        assert 3.5 <= r["wall_s"] < 30


def test_missing_solver_and_type_are_skipped_with_reason(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    r = _by(rows, "cover-missing", f"bench-cover-small-{MIXED_SEEDS[0]}")
    assert r["outcome"] == "skipped" and "never available" in r["message"]
    absent = [x for x in rows if x["instance_set"] == "absent"]
    assert len(absent) == 1 and absent[0]["outcome"] == "skipped"
    assert "no-such-type" in absent[0]["message"]


def test_provenance_per_run(mixed_ledger: Path) -> None:
    rows = ledger_rows(mixed_ledger)
    r = _by(rows, "cover-brute", f"bench-cover-small-{MIXED_SEEDS[0]}")
    from optikit import __version__

    assert r["optikit_version"] == __version__
    assert r["solver_version"] == "0.0.1-test"
    assert "benchtoy" in json.loads(r["plugin_versions"])
    assert r["cpu"] and r["hostname"] and r["python_version"] and r["cores"] >= 1
    assert r["threads"] == 1 and r["time_limit"] == 2 and r["seed"] == 0
    assert len(r["instance_checksum"]) == 64
    assert r["executor"] == "local" and r["jobs"] == 2
    doc = json.loads(r["document"])
    assert doc["solver"] == "cover-brute" and doc["solution"]["picked"]


def test_rerun_without_resume_is_refused(mixed_ledger: Path, tmp_path: Path, toy_env) -> None:
    from tests.bench.conftest import mixed_suite

    suite = write_suite(tmp_path, mixed_suite())
    with pytest.raises(UsageError, match="--resume"):
        run_bench(BenchConfig([suite], mixed_ledger, jobs=1, progress=False))


def test_choose_jobs_respects_the_core_budget() -> None:
    assert choose_jobs(None, [2], cores=8, oversubscribe=False) == 4
    assert choose_jobs(None, [1, 2], cores=2, oversubscribe=False) == 2
    assert choose_jobs(2, [1], cores=2, oversubscribe=False) == 2
    with pytest.raises(UsageError, match="oversubscribe"):
        choose_jobs(2, [2], cores=2, oversubscribe=False)
    with pytest.raises(UsageError, match="up to 4 threads"):
        choose_jobs(None, [4], cores=2, oversubscribe=False)
    assert choose_jobs(2, [2], cores=2, oversubscribe=True) == 2


def test_local_executor_keeps_threads_within_the_cores(tmp_path: Path, toy_env) -> None:
    """1- and 2-thread runs on a 2-core budget: never more than 2 threads at once."""
    import datetime as dt

    from optikit.bench.executors import ChildTask, LocalExecutor
    from optikit.bench.plan import plan_suite
    from optikit.bench.suite import load_suite
    from optikit.plugins import get_registry

    suite = load_suite(write_suite(tmp_path, {
        "name": "budget", "time_limit": 5,
        "solvers": [{"solver": "cover-brute", "options": {"mode": "hang", "hang": 0.4}}],
        "sets": [
            {"name": "one", "generate": {"type": "bench-cover", "size": "tiny", "count": 3}},
            {"name": "two", "threads": 2,
             "generate": {"type": "bench-cover", "size": "tiny", "count": 2}},
        ],
    }))
    specs = plan_suite(suite, get_registry()).runs
    tasks = [ChildTask(s.key, s.payload(), s.threads, s.kill_after) for s in specs]
    executor = LocalExecutor(jobs=2, cores=2)
    spans = []
    for task, record in executor.run(tasks):
        assert record["result"]["ok"], record
        spans.append((dt.datetime.fromisoformat(record["started_at"]),
                      dt.datetime.fromisoformat(record["finished_at"]), task.threads))
    assert len(spans) == 5
    for start, _, _ in spans:
        busy = sum(t for s, e, t in spans if s <= start < e)
        assert busy <= 2


def test_cli_bench_and_report_through_the_main_command(tmp_path: Path, toy_env) -> None:
    from optikit.cli import cli

    suite = write_suite(tmp_path, {
        "name": "cli",
        "time_limit": 2,
        "solvers": ["cover-brute", {"solver": "cover-alt", "options": {"mode": "greedy"}}],
        "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "tiny", "count": 2}}],
    })
    db = tmp_path / "r.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["bench", str(suite), "--db", str(db), "-j", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ran"] == 4 and summary["outcomes"] == {"solved": 2, "feasible": 2}
    # Too many jobs for the cores: a usage error, nothing run.
    over = runner.invoke(cli, ["bench", str(suite), "--db", str(tmp_path / "o.sqlite"),
                               "-j", "64"])
    assert over.exit_code == 2 and "oversubscribe" in over.stderr
    report = runner.invoke(cli, ["report", "--db", str(db), "--format", "csv"])
    assert report.exit_code == 0, report.output
    assert len(report.stdout.strip().splitlines()) == 1 + 4


def test_cli_bad_suite_is_one_line_exit_2(tmp_path: Path, toy_env) -> None:
    from optikit.cli import cli

    suite = write_suite(tmp_path, {"name": "bad", "sets": [{"name": "x", "files": ["*.nope"]}],
                                   "solvers": ["cover-brute"]})
    result = CliRunner().invoke(cli, ["bench", str(suite), "--db", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(suite) in lines[0] and "sets[0].files[0]" in lines[0]
    assert not (tmp_path / "r.sqlite").exists()


def test_refused_ledger_leaves_no_lock_file_behind(tmp_path: Path, toy_env) -> None:
    """`--db notes.txt` (not a ledger) is refused in one line, and no `notes.txt.lock`
    is left beside the user's file."""
    from optikit.cli import cli

    suite = write_suite(tmp_path, {
        "name": "toy", "time_limit": 2, "solvers": ["cover-brute"],
        "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "tiny", "count": 1}}],
    })
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    result = CliRunner().invoke(cli, ["bench", str(suite), "--db", str(notes)])
    assert result.exit_code == 2, result.output
    assert "not an optikit ledger" in result.stderr
    assert notes.read_text() == "not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.txt"]


def test_plugins_dir_option_reaches_the_children(tmp_path: Path, monkeypatch) -> None:
    """`optikit --plugins-dir DIR bench ...`: the coordinator and every child load DIR."""
    from optikit.cli import cli
    from tests.bench.conftest import PLUGINS

    monkeypatch.delenv("OPTIKIT_PLUGINS_DIR", raising=False)
    monkeypatch.setenv("OPTIKIT_LOAD_PLUGINS", "benchtoy")
    suite = write_suite(tmp_path, {
        "name": "dirs", "time_limit": 2, "solvers": ["cover-brute"],
        "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "tiny", "count": 1}}],
    })
    db = tmp_path / "r.sqlite"
    result = CliRunner().invoke(
        cli, ["--plugins-dir", str(PLUGINS), "bench", str(suite), "--db", str(db), "-q"]
    )
    assert result.exit_code == 0, result.output
    (row,) = ledger_rows(db)
    assert row["outcome"] == "solved" and row["checked"] == "passed"


def test_solver_output_on_stdout_does_not_corrupt_the_result(tmp_path: Path, toy_env) -> None:
    suite = write_suite(tmp_path, {
        "name": "chatty", "time_limit": 2,
        "solvers": [{"solver": "cover-brute", "options": {"mode": "chatty"}}],
        "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "tiny", "count": 1}}],
    })
    db = tmp_path / "r.sqlite"
    run_bench(BenchConfig([suite], db, progress=False))
    (row,) = ledger_rows(db)
    assert row["outcome"] == "solved" and row["checked"] == "passed"


def test_worker_rejects_a_bad_payload() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "optikit.bench.worker"], input=b"not json",
                          capture_output=True, timeout=60, check=False)
    result = json.loads(proc.stdout)
    assert result["ok"] is False and "bad run payload" in result["error"]
