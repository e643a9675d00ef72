"""Hostile options, output paths, environments, plugins and ledgers (issue 11, items 2-9).

Same harness as test_hostile_inputs.py: the installed script, a memory limit, a timeout;
refusals are exit 2 with one ``error:`` line naming the file or option, written before
any solving, leaving the input untouched and no file behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import load_registry
from tests.robustness.hostile import assert_refused, digest, files_in, run

REGISTRY = load_registry()
FAST = ["--threads", "1", "--time-limit", "20"]


def _doc(type_name: str, size: str = "tiny") -> dict[str, Any]:
    ptype = REGISTRY.problem_type(type_name)
    assert ptype.generate is not None
    document: dict[str, Any] = ptype.generate(0, size)
    return document


@pytest.fixture()
def blend(tmp_path: Path) -> Path:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_doc("blend")))
    return path


@pytest.fixture()
def fjsp(tmp_path: Path) -> Path:
    path = tmp_path / "f.json"
    path.write_text(json.dumps(_doc("fjsp")))
    return path


def _refused_untouched(
    args: list[str], cwd: Path, inputs: list[Path], *fragments: str,
    env: dict[str, str] | None = None, allowed: frozenset[str] = frozenset(),
) -> str:
    before = {p: digest(p) for p in inputs}
    listing = files_in(cwd)
    line = assert_refused(run(args, cwd=cwd, env=env), *fragments)
    assert files_in(cwd) - allowed == listing, "a file was written"
    assert {p: digest(p) for p in inputs} == before, "an input changed"
    return line


# -- -o onto the input ------------------------------------------------------------------


def test_output_onto_the_input_is_refused(blend: Path) -> None:
    _refused_untouched(["solve", "p.json", "-o", "p.json"], blend.parent, [blend],
                       "p.json", "-o", "input")


def test_output_onto_the_input_through_a_symlink_is_refused(blend: Path) -> None:
    (blend.parent / "link.json").symlink_to(blend)
    _refused_untouched(["solve", "p.json", "-o", "link.json"], blend.parent, [blend],
                       "link.json", "-o", "input")
    assert (blend.parent / "link.json").is_symlink()


def test_input_through_a_symlink_onto_its_target_is_refused(blend: Path) -> None:
    (blend.parent / "link.json").symlink_to(blend)
    _refused_untouched(["solve", "link.json", "-o", "p.json"], blend.parent, [blend],
                       "p.json", "-o", "input")


def test_output_onto_a_hard_link_of_the_input_is_refused(blend: Path) -> None:
    os.link(blend, blend.parent / "hard.json")
    _refused_untouched(["solve", "p.json", "-o", "hard.json"], blend.parent, [blend],
                       "hard.json", "-o", "input")


def test_output_onto_the_input_through_dot_dot_is_refused(blend: Path) -> None:
    (blend.parent / "sub").mkdir()
    _refused_untouched(["solve", "p.json", "-o", "sub/../p.json"], blend.parent, [blend],
                       "-o", "input")


def test_gantt_onto_the_input_is_refused(fjsp: Path) -> None:
    html = fjsp.parent / "f.html"
    html.write_text("<html></html>")
    _refused_untouched(["solve", "f.html", "--gantt", "f.html"], fjsp.parent, [html],
                       "f.html")


def test_gantt_and_output_on_the_same_file_are_refused(fjsp: Path) -> None:
    _refused_untouched(["solve", "f.json", "-o", "x.html", "--gantt", "x.html", *FAST],
                       fjsp.parent, [fjsp], "x.html", "--gantt")


# -- outputs that cannot be written: refused before solving --------------------------------


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("missing/out.json", "does not exist"),
        (".", "directory"),
        ("/dev/stdout", "device"),
        ("/dev/null", "device"),
        ("/proc/self/out.json", "device"),
        ("dangling.json", "does not exist"),
    ],
)
def test_unwritable_output_is_refused_before_solving(
    blend: Path, target: str, fragment: str
) -> None:
    if target == "dangling.json":
        (blend.parent / target).symlink_to(blend.parent / "nowhere" / "x.json")
    stdout_link = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    _refused_untouched(["solve", "p.json", "-o", target, *FAST], blend.parent, [blend],
                       "-o", fragment)
    if stdout_link is not None:
        assert os.readlink("/dev/stdout") == stdout_link


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_read_only_directory_is_refused_before_solving(blend: Path) -> None:
    ro = blend.parent / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        _refused_untouched(["solve", "p.json", "-o", "ro/out.json", *FAST], blend.parent,
                           [blend], "-o", "not writable")
    finally:
        ro.chmod(0o755)


def test_gantt_into_a_missing_directory_is_refused_before_solving(fjsp: Path) -> None:
    _refused_untouched(["solve", "f.json", "--gantt", "missing/g.svg", *FAST], fjsp.parent,
                       [fjsp], "--gantt", "does not exist")


def test_gantt_without_matplotlib_is_refused_before_solving(fjsp: Path) -> None:
    fake = fjsp.parent / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text("raise ImportError('no matplotlib')\n")
    line = _refused_untouched(
        ["solve", "f.json", "--gantt", "g.png", "-o", "out.json", *FAST], fjsp.parent, [fjsp],
        "g.png", "--gantt", env={"PYTHONPATH": str(fake)},
    )
    assert "plot" in line


def test_gantt_html_is_drawn_and_reported(fjsp: Path) -> None:
    result = run(["solve", "f.json", "--gantt", "g.html", *FAST], cwd=fjsp.parent)
    assert result.code == 0, result.stderr
    assert "gantt chart: g.html" in result.stdout
    assert (fjsp.parent / "g.html").read_text().count("<svg") >= 1


def test_generate_output_into_a_missing_directory_is_refused(tmp_path: Path) -> None:
    _refused_untouched(["generate", "blend", "-o", "missing/x.json"], tmp_path, [],
                       "-o", "does not exist")


# -- options -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "nan"), ("--time-limit", "inf"), ("--time-limit", "-inf"),
        ("--time-limit", "1e999"), ("--time-limit", "0"), ("--time-limit", "-1"),
        ("--time-limit", "abc"), ("--gap", "nan"), ("--gap", "inf"), ("--gap", "-0.5"),
        ("--seed", str(2**64)), ("--seed", str(2**31)), ("--seed", "9" * 5000),
        ("--seed", "1.5"), ("--threads", str(10**9)), ("--threads", "0"),
        ("--threads", "-1"),
    ],
)
def test_bad_option_is_refused_in_one_line(blend: Path, option: str, value: str) -> None:
    _refused_untouched(["solve", "p.json", option, value, "-o", "out.json"], blend.parent,
                       [blend], option)


def test_documents_are_standard_json(blend: Path) -> None:
    """Whatever the options, what optikit writes is JSON that optikit reads back."""
    result = run(["solve", "p.json", "--json", "--gap", "0.5", "--time-limit", "1e9",
                  "--threads", "1", "--seed", str(2**31 - 1)], cwd=blend.parent)
    assert result.code == 0, result.stderr
    json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in output"))
    (blend.parent / "sol.json").write_text(result.stdout)
    check = run(["check", "p.json", "sol.json"], cwd=blend.parent)
    assert check.code == 0, check.stderr


@pytest.mark.parametrize("size", ["10000000", "999999999999", "-1", "0", "nan", "9" * 5000])
def test_generate_odd_sizes_are_refused(tmp_path: Path, size: str) -> None:
    result = run(["generate", "blend", "--size", size, "-o", "x.json"], cwd=tmp_path)
    assert_refused(result, "size")
    assert not (tmp_path / "x.json").exists()


# -- the time limit covers loading ---------------------------------------------------------


def test_time_limit_cuts_loading_off(tmp_path: Path) -> None:
    document = _doc("blend", "20000")
    (tmp_path / "big.json").write_text(json.dumps(document))
    result = run(["solve", "big.json", "--time-limit", "0.05", "-o", "out.json"], cwd=tmp_path)
    assert_refused(result, "big.json", "time limit", code=4)
    assert not (tmp_path / "out.json").exists()


# -- valid input that used to crash ----------------------------------------------------------


@pytest.mark.parametrize("solver", ["cpsat", "highs", "cbc"])
def test_zero_durations_are_solved(tmp_path: Path, solver: str) -> None:
    (tmp_path / "z.fjs").write_text("2 2\n2 1 1 0 2 1 3 2 0\n1 1 2 4\n")
    result = run(["solve", "z.fjs", "--solver", solver, "--json", *FAST], cwd=tmp_path)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "optimal"
    assert document["objective"] == 4


def test_zero_durations_through_the_heuristic(tmp_path: Path) -> None:
    from optikit_fjsp.heuristic import construct
    from optikit_fjsp.reader import parse_fjs

    loaded = REGISTRY.problem_type("fjsp").parse(parse_fjs("2 2\n2 1 1 0 1 2 0\n1 1 1 0\n"))
    solution = construct(loaded, budget=0.05)
    assert len(solution.starts) == 3


def test_min_lot_above_max_is_solved_with_a_warning(tmp_path: Path) -> None:
    document = _doc("blend")
    document["materials"][1].update(min_lot=5000.0, max=10.0)
    (tmp_path / "p.json").write_text(json.dumps(document))
    result = run(["solve", "p.json", "-o", "out.json", *FAST], cwd=tmp_path)
    assert result.code == 0, result.stderr
    mid = document["materials"][1]["id"]
    assert f"never used (min_lot above max): {mid}" in result.stdout
    solution = json.loads((tmp_path / "out.json").read_text())["solution"]
    assert solution["amounts"].get(mid, 0.0) == 0.0


# -- plugins ----------------------------------------------------------------------------------


def test_a_hanging_plugin_is_reported_broken_and_the_rest_works(blend: Path) -> None:
    plugins = blend.parent / "plugins"
    plugins.mkdir()
    (plugins / "sleepy.py").write_text("import time\ntime.sleep(30)\n")
    env = {"OPTIKIT_PLUGINS_DIR": str(plugins), "OPTIKIT_PLUGIN_IMPORT_TIMEOUT": "1"}
    result = run(["validate", "p.json"], cwd=blend.parent, env=env, timeout=25)
    assert result.code == 0, result.stderr
    listing = run(["plugins", "--json"], cwd=blend.parent, env=env, timeout=25)
    records = {p["name"]: p for p in json.loads(listing.stdout)["plugins"]}
    assert records["sleepy"]["status"] == "broken"
    assert "did not finish" in records["sleepy"]["error"]


@pytest.mark.parametrize("value", ["abc", "nan", "0", "-3"])
def test_plugin_import_timeout_must_be_positive(blend: Path, value: str) -> None:
    result = run(["validate", "p.json"], cwd=blend.parent,
                 env={"OPTIKIT_PLUGIN_IMPORT_TIMEOUT": value})
    assert_refused(result, "OPTIKIT_PLUGIN_IMPORT_TIMEOUT")


# -- bench ledgers and check documents --------------------------------------------------------

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "smoke.yaml"


# The coordinator's lock file (beside the ledger) is its own business, written before the
# ledger is opened.
def test_bench_refuses_a_corrupt_ledger(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(os.urandom(4096))
    _refused_untouched(["bench", str(SUITE), "--db", "junk.db", "-q"], tmp_path, [db],
                       "junk.db", "not an optikit ledger", allowed=frozenset({"junk.db.lock"}))


def test_bench_never_writes_into_another_database(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE precious (x)")
    _refused_untouched(["bench", str(SUITE), "--db", "other.db", "-q"], tmp_path, [db],
                       "other.db", "not an optikit ledger",
                       allowed=frozenset({"other.db.lock"}))


def test_report_refuses_a_corrupt_ledger(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"\0" * 4096)
    assert_refused(run(["report", "--db", "junk.db"], cwd=tmp_path), "junk.db")


@pytest.mark.parametrize(
    "solution",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"solution": {"amounts": {"X": 1e400}}}',
        '{"solution": {"amounts": "x"}, "status": [1]}',
        '{"solution": {"amounts": {"M1": ' + "9" * 5000 + "}}}",
        "\xff\xfe garbage",
    ],
)
def test_check_with_a_hostile_solution_never_crashes(blend: Path, solution: str) -> None:
    (blend.parent / "s.json").write_text(solution, encoding="utf-8", errors="surrogateescape")
    result = run(["check", "p.json", "s.json"], cwd=blend.parent)
    assert "Traceback" not in result.stderr
    assert result.code in (1, 2), result.stderr
    if result.code == 2:
        assert_refused(result, "s.json")


def test_check_with_a_fifo_solution_is_refused(blend: Path) -> None:
    os.mkfifo(blend.parent / "s.json")
    assert_refused(run(["check", "p.json", "s.json"], cwd=blend.parent), "s.json",
                   "not a regular file")


def test_a_chart_that_fails_to_draw_is_not_claimed(
    fjsp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process: the drawing library fails after the solve (the disk filled up, say)."""
    import optikit_fjsp.gantt
    from click.testing import CliRunner

    from optikit.cli import cli

    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(optikit_fjsp.gantt, "_draw_matplotlib", broken)
    chart = fjsp.parent / "g.svg"
    result = CliRunner().invoke(cli, ["solve", str(fjsp), "--gantt", str(chart), *FAST])
    assert result.exit_code == 70, result.output
    assert "gantt chart: NOT drawn" in result.stdout
    assert f"gantt chart: {chart}" not in result.stdout
    assert "disk full" in result.stderr
    assert not chart.exists()
    assert not [p for p in fjsp.parent.iterdir() if p.name.startswith(".g.svg")]


def test_report_never_writes_over_its_ledger(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    (tmp_path / "link.db").symlink_to(db)
    for target in ("runs.db", "link.db", "/dev/stdout"):
        _refused_untouched(["report", "--db", "runs.db", "-o", target], tmp_path, [db], "-o")
