"""Fuzzing problem documents: every input is either accepted or refused with one line.

Documents are mutated copies of each registered type's generated instances: keys dropped,
values replaced by arbitrary JSON, lists emptied or duplicated, numbers negated or
blown up.  The loader must either accept the document (and then its type's parser built
a problem) or raise ProblemFileError with a one-line message; any other exception is a
bug.  The same holds through the CLI: exit code 0 for validate, or 2 with one line.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optikit.plugins import load_registry
from optikit.problem_io import ProblemFileError, load_document

REGISTRY = load_registry(env={"OPTIKIT_DISABLE_PLUGINS": "maintenance"})
TYPES = sorted(n for n, t in REGISTRY.problem_types.items() if t.generate is not None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                               max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node[:4]):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: dict, path: tuple, action: str, value: Any) -> dict:
    doc = copy.deepcopy(doc)
    if not path:
        return doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    target = parent[key]
    if action == "drop":
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif action == "replace":
        parent[key] = value
    elif action == "negate" and isinstance(target, int | float) and not isinstance(target, bool):
        parent[key] = -target - 1
    elif action == "huge" and isinstance(target, int | float) and not isinstance(target, bool):
        parent[key] = target * 10**12 + 10**15
    elif action == "empty" and isinstance(target, list | dict):
        parent[key] = type(target)()
    elif action == "duplicate" and isinstance(target, list) and target:
        target.append(copy.deepcopy(target[0]))
    return doc


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_documents_are_accepted_or_refused_in_one_line(type_name, data):
    ptype = REGISTRY.problem_types[type_name]
    seed = data.draw(st.integers(0, 3), label="seed")
    assert ptype.generate is not None
    base = ptype.generate(seed, "tiny")
    paths = _paths(base)
    path = data.draw(st.sampled_from(paths), label="path")
    action = data.draw(
        st.sampled_from(["drop", "replace", "negate", "huge", "empty", "duplicate"]),
        label="action",
    )
    value = data.draw(json_values, label="value")
    doc = _mutate(base, path, action, value)
    try:
        loaded = load_document(doc, REGISTRY, source="fuzz.json")
    except ProblemFileError as exc:
        text = str(exc)
        assert "\n" not in text and text.startswith("fuzz.json: ")
        return
    assert loaded.problem is not None
    json.dumps(loaded.document, allow_nan=False)  # what was accepted is clean JSON
