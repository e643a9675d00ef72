"""Reading problem files: one-line errors naming the file and the field."""

from __future__ import annotations

import json

import pytest

from optikit.problem_io import ProblemFileError, load_document, load_problem

from .conftest import TOY


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(toy_registry, path) -> str:
    with pytest.raises(ProblemFileError) as info:
        load_problem(path, toy_registry)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    return text


def test_valid_json_and_yaml(tmp_path, toy_registry):
    j = _write(tmp_path, "p.json", json.dumps(TOY))
    y = _write(tmp_path, "p.yaml", "type: toy-knapsack\ncapacity: 3\nitems:\n"
               "  - {id: a, value: 1, weight: 1}\n")
    assert load_problem(j, toy_registry).name == "p"
    loaded = load_problem(y, toy_registry)
    assert loaded.problem["capacity"] == 3


def test_name_comes_from_document_or_stem(tmp_path, toy_registry):
    path = _write(tmp_path, "stem.json", json.dumps({**TOY, "name": "labelled"}))
    assert load_problem(path, toy_registry).name == "labelled"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ({**TOY, "items": [{"id": "a", "value": 1, "weight": -1}]},
         "items[0].weight: must be >= 0"),
        ({**TOY, "items": [{"id": "a", "value": 1}]}, "items[0].weight: is required"),
        ({**TOY, "capacity": "ten"}, "capacity: must be a number, not a string"),
        ({**TOY, "colour": "red"}, "colour: unknown field"),
        ({**TOY, "items": []}, "items: must have at least 1 item"),
        ({k: v for k, v in TOY.items() if k != "type"}, "type: is required"),
        ({**TOY, "type": "nope"}, "type: unknown problem type 'nope'"),
        ({**TOY, "type": 3}, "type: must be a string"),
        ({**TOY, "items": [{"id": "a", "value": 1, "weight": 1},
                           {"id": "a", "value": 2, "weight": 1}]},
         "items[1].id: duplicate id 'a'"),
    ],
)
def test_field_errors(tmp_path, toy_registry, text, expected):
    path = _write(tmp_path, "bad.json", json.dumps(text))
    assert expected in _error(toy_registry, path)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("dup.yaml", "type: toy-knapsack\ncapacity: 1\ncapacity: 2\nitems: []\n",
         "duplicate key 'capacity'"),
        ("dup.json", '{"type": "toy-knapsack", "capacity": 1, "capacity": 2}',
         "duplicate key 'capacity'"),
        ("nan.json", '{"type": "toy-knapsack", "capacity": NaN, "items": []}', "NaN"),
        ("nan.yaml", "type: toy-knapsack\ncapacity: .nan\nitems: []\n",
         "capacity: must be a finite number"),
        ("broken.json", '{"type": "toy-knapsack",', "line 1 column"),
        ("broken.yaml", "type: [unclosed\n", "invalid YAML"),
        ("list.yaml", "- 1\n- 2\n", "(top level): must be a mapping"),
        ("tag.yaml", "type: !!python/object:os.system echo\n", "invalid YAML"),
        ("problem.txt", "type: toy-knapsack\n", "unknown file type '.txt'"),
    ],
)
def test_file_level_errors(tmp_path, toy_registry, name, text, expected):
    path = _write(tmp_path, name, text)
    assert expected in _error(toy_registry, path)


def test_missing_file(tmp_path, toy_registry):
    assert "file not found" in _error(toy_registry, tmp_path / "absent.json")


def test_size_limit(tmp_path, toy_registry, monkeypatch):
    monkeypatch.setenv("OPTIKIT_MAX_FILE_MB", "0.0001")
    path = _write(tmp_path, "big.json", json.dumps(TOY) + " " * 200)
    assert "over the" in _error(toy_registry, path)


def test_non_utf8(tmp_path, toy_registry):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"type": "toy-knapsack", "x": "\xe9"}')
    assert "not UTF-8" in _error(toy_registry, path)


def test_load_document_in_memory(toy_registry):
    loaded = load_document(TOY, toy_registry, source="mem")
    assert loaded.ptype.name == "toy-knapsack"
    with pytest.raises(ProblemFileError, match="mem: items"):
        load_document({**TOY, "items": "x"}, toy_registry, source="mem")


def test_json_number_overflow_is_refused(tmp_path, toy_registry):
    path = _write(tmp_path, "inf.json", '{"type": "toy-knapsack", "capacity": 1e999, "items": []}')
    assert "too large" in _error(toy_registry, path)


def test_invalid_plugin_schema_is_reported_not_crashing(toy_registry):
    from optikit.problem_io import load_document
    from optikit.types import Formulation, OptikitError, ProblemType
    from optikit.validation import schema_problem

    bad = ProblemType(name="bad", schema={"type": 42}, parse=dict,
                      check=None,  # type: ignore[arg-type]  # never reached
                      formulations=[Formulation("f", "x", None)])  # type: ignore[arg-type]
    toy_registry.problem_types["bad"] = bad
    assert schema_problem(bad)
    with pytest.raises(OptikitError, match="invalid JSON Schema"):
        load_document({"type": "bad"}, toy_registry)
