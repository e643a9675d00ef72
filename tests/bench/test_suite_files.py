"""Suite files: one-line errors naming the file and field; settings cascade; stable keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optikit.bench.plan import plan_suite
from optikit.bench.suite import SuiteError, load_suite
from tests.bench.conftest import write_suite

GOOD: dict[str, Any] = {
    "name": "ok",
    "time_limit": 5,
    "seeds": [0, 1],
    "solvers": ["cover-brute"],
    "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "tiny", "count": 1}}],
}


def _error(tmp_path: Path, doc: Any) -> SuiteError:
    path = tmp_path / "suite.yaml"
    if isinstance(doc, str):
        path.write_text(doc)
    else:
        write_suite(tmp_path, doc)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    err = info.value
    text = str(err)
    assert "\n" not in text
    assert text.startswith(f"{path}: ")
    return err


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"sets": GOOD["sets"]}, "(top level)", "'name' is a required property"),
        ({**GOOD, "colour": 1}, "(top level)", "unknown key"),
        ({**GOOD, "time_limit": -1}, "time_limit", "minimum"),
        ({**GOOD, "threads": 1.5}, "threads", "integer"),
        ({**GOOD, "sets": []}, "sets", "should be non-empty"),
        ({**GOOD, "sets": [{"name": "g", "generate": {"type": "t"}, "files": ["a"]}]},
         "sets[0]", "exactly one of `files` or `generate`"),
        ({**GOOD, "sets": [{"name": "g", "files": ["a"], "seeds": ["x"]}]},
         "sets[0].seeds[0]", "integer"),
        ({**GOOD, "sets": [{"name": "g", "files": ["a"], "solvers": [{"solvr": "x"}]}]},
         "sets[0].solvers[0]", "unknown key"),
        ({**GOOD, "sets": [GOOD["sets"][0], GOOD["sets"][0]]}, "sets[1].name", "duplicate"),
        ({**GOOD, "solvers": ["cover-brute", {"solver": "cover-brute"}]},
         "solvers[1]", "labelled 'cover-brute'"),
        ({**GOOD, "sets": [{"name": "g", "generate": {"type": "t", "size": "a",
                                                       "sizes": ["b"]}}]},
         "sets[0].generate", "`size` or `sizes`"),
        ({**GOOD, "sets": [{"name": "bad name", "files": ["a"]}]}, "sets[0].name", "match"),
    ],
)
def test_schema_errors_name_the_field(tmp_path: Path, doc: Any, field: str, words: str) -> None:
    err = _error(tmp_path, doc)
    assert err.field == field
    assert words in err.message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = _error(tmp_path, "name: x\nsets: [\n  - {name: a\n")
    assert err.field.startswith("line ")


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "mapping" in _error(tmp_path, "- just\n- a list\n").message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="file not found"):
        load_suite(tmp_path / "nope.yaml")


def test_suite_files_are_read_as_safely_as_problem_files(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb.write_text("\n".join(lines) + "\nname: bomb\n")
    with pytest.raises(SuiteError, match="alias"):
        load_suite(bomb)
    with pytest.raises(SuiteError, match=r"not a regular file|is a directory"):
        load_suite(tmp_path)


def test_settings_cascade_and_expand(tmp_path: Path, toy_env) -> None:
    from optikit.plugins import get_registry

    doc: dict[str, Any] = {
        "name": "cascade",
        "time_limit": 5,
        "threads": 1,
        "seeds": [0, 1],
        "repeats": 2,
        "options": {"delay": 0.0},
        "solvers": ["cover-brute"],
        "sets": [
            {"name": "a", "generate": {"type": "bench-cover", "sizes": ["tiny", "small"],
                                       "seeds": [7]},
             "threads": 2,
             "solvers": [{"solver": "cover-alt", "time_limit": 1, "seeds": [3],
                          "options": {"mode": "greedy"}}]},
            {"name": "b", "generate": {"type": "bench-cover", "size": "tiny", "count": 2}},
        ],
    }
    suite = load_suite(write_suite(tmp_path, doc))
    runs = plan_suite(suite, get_registry()).runs
    a = [r for r in runs if r.instance.set_name == "a"]
    b = [r for r in runs if r.instance.set_name == "b"]
    # set a: 2 sizes x 1 solver x 1 seed x 2 repeats; set b: 2 instances x 2 seeds x 2 repeats
    assert len(a) == 4 and len(b) == 8
    assert {(r.time_limit, r.threads, r.seed) for r in a} == {(1.0, 2, 3)}
    assert all(r.options == {"delay": 0.0, "mode": "greedy"} for r in a)
    assert {(r.time_limit, r.threads) for r in b} == {(5.0, 1)}
    assert {(r.seed, r.repeat) for r in b} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert {r.instance.name for r in a} == {"bench-cover-tiny-7", "bench-cover-small-7"}
    assert len({r.key for r in runs}) == len(runs)

    # Keys are stable across parses and change with anything that changes the run.
    again = plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry()).runs
    assert [r.key for r in again] == [r.key for r in runs]
    doc["sets"][1]["time_limit"] = 6
    changed = plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry()).runs
    assert {r.key for r in changed if r.instance.set_name == "b"}.isdisjoint(
        r.key for r in b
    )


def test_files_bounds_and_optional_sets(tmp_path: Path, toy_env) -> None:
    from optikit.plugins import get_registry

    inst = tmp_path / "inst"
    inst.mkdir()
    for name, demand in (("p1", 3), ("p2", 4)):
        (inst / f"{name}.json").write_text(json.dumps({
            "type": "bench-cover", "demand": demand,
            "items": [{"id": "a", "cost": 2, "size": 2}, {"id": "b", "cost": 3, "size": 3}],
        }))
    (tmp_path / "bounds.json").write_text(json.dumps({
        "set": "files", "instances": {"p1": {"lb": 3, "ub": 3}, "p2": {"ub": 5}},
    }))
    doc: dict[str, Any] = {
        "name": "files",
        "solvers": ["cover-brute"],
        "sets": [
            {"name": "files", "files": ["inst/*.json"],
             "bounds": {"file": "bounds.json"}},
            {"name": "inline", "files": ["inst/p1.json"], "bounds": {"p1": 3}},
            {"name": "elsewhere", "files": ["../no/such/dir/*.fjs"], "optional": True},
        ],
    }
    plan = plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry())
    by = {(r.instance.set_name, r.instance.name): r.instance for r in plan.runs}
    assert set(by) == {("files", "p1"), ("files", "p2"), ("inline", "p1")}
    assert (by[("files", "p1")].known_lb, by[("files", "p1")].known_ub) == (3.0, 3.0)
    assert (by[("files", "p2")].known_lb, by[("files", "p2")].known_ub) == (None, 5.0)
    assert (by[("inline", "p1")].known_lb, by[("inline", "p1")].known_ub) == (3.0, 3.0)
    assert by[("files", "p1")].checksum == by[("inline", "p1")].checksum
    assert any("elsewhere" in n and "skipped" in n for n in plan.notes)

    # The same missing files in a set that is not optional: an error naming the pattern.
    doc["sets"][2]["optional"] = False
    with pytest.raises(SuiteError) as info:
        plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry())
    assert info.value.field == "sets[2].files[0]"

    doc["sets"][2] = {"name": "elsewhere", "files": ["inst/p1.json"],
                      "bounds": {"file": "bounds.json", "set": "other"}}
    with pytest.raises(SuiteError) as info:
        plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry())
    assert info.value.field == "sets[2].bounds.set"


def test_generator_refusing_a_size_is_a_suite_error(tmp_path: Path, toy_env) -> None:
    from optikit.plugins import get_registry

    doc = {**GOOD, "sets": [{"name": "g", "generate": {"type": "bench-cover", "size": "huge"}}]}
    with pytest.raises(SuiteError) as info:
        plan_suite(load_suite(write_suite(tmp_path, doc)), get_registry())
    assert info.value.field == "sets[0].generate" and "huge" in info.value.message
