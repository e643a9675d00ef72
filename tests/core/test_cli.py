"""The command line: exit codes, clean JSON on stdout, one-line errors, nothing half-written."""

from __future__ import annotations

import json

from click.testing import CliRunner


def test_solve_summary(run, toy_file):
    result = run("solve", str(toy_file))
    assert result.exit_code == 0, result.output
    assert "OPTIMAL" in result.stdout
    assert "objective" in result.stdout and "11" in result.stdout
    assert "picked" in result.stdout


def test_solve_json_is_the_only_thing_on_stdout(run, toy_file):
    result = run("solve", str(toy_file), "--json")
    doc = json.loads(result.stdout)
    assert doc["status"] == "optimal" and doc["objective"] == 11
    for key in ("type", "name", "status", "objective", "bound", "gap", "solver", "time_s",
                "solution"):
        assert key in doc


def test_solve_writes_output_and_check_accepts_it(run, toy_file, tmp_path):
    out = tmp_path / "sol.json"
    assert run("solve", str(toy_file), "-o", str(out), "-q").exit_code == 0
    assert json.loads(out.read_text())["objective"] == 11
    checked = run("check", str(toy_file), str(out))
    assert checked.exit_code == 0 and "valid" in checked.stdout
    doc = json.loads(out.read_text())
    doc["solution"]["picked"] = ["a", "b", "c"]
    out.write_text(json.dumps(doc))
    rejected = run("check", str(toy_file), str(out))
    assert rejected.exit_code == 1
    assert "capacity" in rejected.stdout


def test_check_refuses_what_is_not_a_solution_of_this_type(run, toy_file, tmp_path):
    """Handing ``check`` the problem file, or another type's solution, is a usage
    mistake (exit 2, the field named), not an invalid solution (exit 1)."""
    problem_as_solution = run("check", str(toy_file), str(toy_file))
    assert problem_as_solution.exit_code == 2
    assert problem_as_solution.stderr.strip() == (
        f"error: {toy_file}: solution: missing: this is not a solution document "
        "(a problem file?)")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"type": "blend", "status": "optimal", "solution": {}}))
    wrong_type = run("check", str(toy_file), str(other))
    assert wrong_type.exit_code == 2
    assert wrong_type.stderr.strip() == (
        f"error: {other}: type: a 'blend' solution, but {toy_file} is a 'toy-knapsack' problem")


def test_invalid_file_exit_2_one_line_nothing_written(run, tmp_path):
    bad = tmp_path / "burden.json"
    bad.write_text(json.dumps({"type": "toy-knapsack", "capacity": -1, "items": []}))
    out = tmp_path / "out.json"
    result = run("solve", str(bad), "-o", str(out))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert f"{bad}: capacity: must be >= 0" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".out.json*")) == []


def test_internal_error_exit_70(run, toy_file, tmp_path):
    out = tmp_path / "o.json"
    result = run("solve", str(toy_file), "--option", "crash=true", "-o", str(out))
    assert result.exit_code == 70
    assert json.loads(out.read_text())["status"] == "error"


def test_validate(run, toy_file, tmp_path):
    assert run("validate", str(toy_file)).exit_code == 0
    bad = tmp_path / "b.yaml"
    bad.write_text("type: toy-knapsack\ncapacity: 1\n")
    result = run("validate", str(toy_file), str(bad))
    assert result.exit_code == 2
    assert "b.yaml: items: is required" in result.stderr


def test_unknown_solver_is_a_usage_error(run, toy_file):
    result = run("solve", str(toy_file), "--solver", "nope")
    assert result.exit_code == 2
    assert "unknown solver 'nope'" in result.stderr


def test_plugins_json(run):
    result = run("plugins", "--json")
    report = json.loads(result.stdout)
    assert [t["name"] for t in report["problem_types"]] == ["toy-knapsack"]
    assert report["backends"][0]["name"] == "brute"
    assert report["backends"][0]["available"] is True


def test_schema_includes_common_keys(run):
    schema = json.loads(run("schema", "toy-knapsack").stdout)
    assert schema["properties"]["type"]["const"] == "toy-knapsack"
    assert "name" in schema["properties"]
    assert run("schema", "nope").exit_code == 2


def test_generate_is_seeded_and_valid(run, tmp_path):
    a = run("generate", "toy-knapsack", "--seed", "3", "--size", "tiny").stdout
    b = run("generate", "toy-knapsack", "--seed", "3", "--size", "tiny").stdout
    c = run("generate", "toy-knapsack", "--seed", "4", "--size", "tiny").stdout
    assert a == b and a != c
    out = tmp_path / "g.json"
    assert run("generate", "toy-knapsack", "-o", str(out)).exit_code == 0
    assert run("validate", str(out)).exit_code == 0
    assert run("generate", "toy-knapsack", "--size", "huge").exit_code == 2


def test_gantt_refused_for_types_without_one(run, toy_file, tmp_path):
    result = run("solve", str(toy_file), "--gantt", str(tmp_path / "g.png"))
    assert result.exit_code == 2
    assert "has no .png chart (use .html)" in result.stderr


def test_plugins_can_add_commands(tmp_path, toy_dir, monkeypatch):
    (toy_dir / "hello.py").write_text(
        "import click\n"
        "from optikit import hookimpl\n\n"
        "@hookimpl\n"
        "def register_commands(cli):\n"
        "    @cli.command('hello')\n"
        "    def hello():\n"
        "        '''Say hello.'''\n"
        "        click.echo('hello from a plugin')\n"
    )
    monkeypatch.setenv("OPTIKIT_LOAD_PLUGINS", "toy,hello")
    from optikit.cli import cli as group

    result = CliRunner().invoke(group, ["--plugins-dir", str(toy_dir), "hello"])
    assert result.exit_code == 0, result.output
    assert "hello from a plugin" in result.stdout
    group.commands.pop("hello", None)
    group._plugin_commands_added = False


def test_python_dash_m(toy_dir, toy_file):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "optikit", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "optikit" in proc.stdout


def test_click_usage_errors_are_one_line(run, toy_file):
    """Missing arguments, unknown commands/options and bad choices: one line, exit 2."""
    cases = [
        (("solve",), "Missing argument 'FILE'"),
        (("no-such-command",), "No such command 'no-such-command'"),
        (("solve", str(toy_file), "--no-such-flag"), "No such option '--no-such-flag'"),
        (("solve", str(toy_file), "--option", "novalue"), "expected KEY=VALUE"),
        (("export", str(toy_file), "--format", "docx", "-o", "x"), "'docx' is not one of"),
    ]
    for args, text in cases:
        result = run(*args)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.exit_code == 2, (args, result.output)
        assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], lines
        assert "--help" in lines[0]


def test_bare_group_still_prints_help():
    from optikit.cli import cli

    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2 and "Usage:" in result.output and "Commands:" in result.output


def test_solver_line_names_the_backend_that_did_the_search() -> None:
    from optikit.cli.summary import render_summary

    base = {"name": "hall", "type": "intralogistics", "status": "feasible",
            "solver": "ortools-routing", "formulation": "routing", "time_s": 1.0}
    handed = render_summary({**base, "stats": {"engine": "pyvrp"}}, [])
    assert "ortools-routing (routing, search by pyvrp)" in handed
    own = render_summary({**base, "stats": {"engine": "ortools"}}, [])
    assert "ortools-routing (routing)" in own and "search by" not in own
