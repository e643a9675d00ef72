"""One --option mechanism: declared keys are converted, anything else is refused."""

from __future__ import annotations

import pytest

from optikit.options import OptionNamespace, OptionSpec, resolve_options, with_defaults
from optikit.problem_io import load_document
from optikit.runner import select
from optikit.types import SolveOptions, UsageError

from .conftest import TOY

SPECS = (
    OptionSpec("lns", bool, True, "improve by LNS"),
    OptionSpec("rounds", int, 10, "LNS rounds", minimum=1, maximum=1000),
    OptionSpec("share", float, 0.5, "time share", minimum=0, maximum=1),
    OptionSpec("model", str, "auto", "which model", choices=("auto", "interval")),
)


def _space() -> OptionNamespace:
    known = {"presolve": str, "threads": int}

    def convert(name: str, raw: object) -> int | str:
        if name not in known:
            raise UsageError(f"unknown solver parameter {name!r}")
        return known[name](raw)

    return OptionNamespace("sol.", "any solver parameter", convert, lambda: sorted(known))


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [("lns", "false", False), ("lns", "On", True), ("lns", True, True),
     ("rounds", "25", 25), ("rounds", 7.0, 7), ("share", "0.25", 0.25),
     ("model", "interval", "interval")],
)
def test_values_are_converted_to_the_declared_type(key, raw, expected):
    out = resolve_options({key: raw}, SPECS, (), owner="t")
    assert out == {key: expected} and type(out[key]) is type(expected)


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [("lns", "maybe", "true or false"), ("rounds", "2.5", "integer"),
     ("rounds", "0", ">= 1"), ("rounds", "5000", "<= 1000"), ("share", "nan", "finite"),
     ("share", "inf", "finite"), ("share", "x", "number"), ("model", "other", "one of"),
     ("rounds", "9" * 5000, "integer"), ("lns", None, "true or false")],
)
def test_bad_values_name_the_option(key, raw, words):
    with pytest.raises(UsageError) as info:
        resolve_options({key: raw}, SPECS, (), owner="t")
    assert f"option {key}" in str(info.value) and words in str(info.value)
    assert info.value.field == "" or info.value.field == key


def test_unknown_keys_are_refused_with_the_known_ones_and_a_suggestion():
    with pytest.raises(UsageError) as info:
        resolve_options({"round": 3}, SPECS, (_space(),), owner="fjsp/cpsat")
    text = str(info.value)
    assert "unknown option 'round' for fjsp/cpsat" in text
    assert "lns, model, rounds, share, sol.<name>" in text
    assert "did you mean 'rounds'?" in text


def test_backend_namespace_checks_its_own_parameters():
    out = resolve_options({"sol.threads": "3"}, SPECS, (_space(),), owner="t")
    assert out == {"sol.threads": 3}
    with pytest.raises(UsageError, match="unknown solver parameter 'nope'"):
        resolve_options({"sol.nope": 1}, SPECS, (_space(),), owner="t")
    with pytest.raises(UsageError, match=r"unknown option 'sol\.'"):
        resolve_options({"sol.": 1}, SPECS, (_space(),), owner="t")


def test_defaults_fill_what_the_user_did_not_give():
    assert with_defaults(SPECS, {"rounds": 3}) == {
        "lns": True, "rounds": 3, "share": 0.5, "model": "auto"}


def test_a_spec_needs_a_plain_type():
    with pytest.raises(TypeError):
        OptionSpec("x", list, [], "")


def test_the_plan_validates_options_against_the_formulation(toy_registry):
    loaded = load_document(TOY, toy_registry, source="toy")
    plan = select(loaded, toy_registry, options=SolveOptions(extra={"sleep": "0.5"}))
    assert plan.options.extra == {"sleep": 0.5}
    assert plan.formulation_options["sleep"] == 0.5
    assert plan.formulation_options["crash"] is False
    with pytest.raises(UsageError, match=r"unknown option 'foo'.*known: claim, crash"):
        select(loaded, toy_registry, options=SolveOptions(extra={"foo": "bar"}))


def test_cli_refuses_unknown_options_for_every_type(run, toy_file):
    result = run("solve", str(toy_file), "--option", "foo=bar")
    assert result.exit_code == 2
    assert "unknown option 'foo'" in result.output


def test_options_command_lists_declarations(run):
    result = run("options", "toy-knapsack")
    assert result.exit_code == 0, result.output
    assert "formulation enumerate (enumerate)" in result.stdout
    assert "sleep" in result.stdout and "[default: 0.0]" in result.stdout
    assert "solver brute (enumerate)" in result.stdout
    as_json = run("options", "toy-knapsack", "--json")
    import json

    report = json.loads(as_json.stdout)
    names = [o["name"] for o in report["formulations"][0]["options"]]
    assert names == ["crash", "hang", "sleep", "lie", "claim", "wrong_objective"]
    assert run("options", "toy-knapsack", "--formulation", "nope").exit_code == 2
    assert run("options", "nope").exit_code == 2


def test_solve_list_options_shows_the_plan_and_solves_nothing(run, toy_file, tmp_path):
    out = tmp_path / "o.json"
    result = run("solve", str(toy_file), "--list-options", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "formulation enumerate (enumerate)"
    assert "solver brute (enumerate)" in result.stdout
    assert not out.exists()


def test_option_values_stay_text_until_their_declaration_converts_them(run, toy_file):
    bad = run("solve", str(toy_file), "--option", "sleep=NaN")
    assert bad.exit_code == 2 and "option sleep must be a finite number" in bad.output
    good = run("solve", str(toy_file), "--option", "sleep=0", "--json")
    import json

    assert json.loads(good.stdout)["options"]["extra"] == {"sleep": 0.0}


def test_a_closed_pipe_is_not_an_error(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m optikit schema fjsp | head -1", shell=True, capture_output=True,
        text=True, check=False,
    )
    assert proc.stdout.startswith("{")
    assert "Error" not in proc.stderr and "error" not in proc.stderr
