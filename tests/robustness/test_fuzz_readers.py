"""Property-based fuzzing of the readers and of each type's ``parse`` (issue 11).

Structure-aware strategies build what an attacker would: JSON and YAML texts with
hostile numbers (5,000-digit integers, 1e400, denormals, 2**63), anchors, aliases, merge
keys, tags and deep nesting; ``.fjs`` token streams with absurd counts; and each type's
generated documents with hostile values planted anywhere.  Whatever comes in, nothing
but the documented :class:`ProblemFileError` (readers, loader) or
:class:`InvalidProblem` (``parse``, the ``.fjs`` reader) may escape.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optikit_carseq.reader import parse_carseq
from optikit_fjsp.reader import parse_fjs

from optikit.plugins import load_registry
from optikit.problem_io import (
    ProblemFileError,
    load_document,
    load_problem,
    parse_json_text,
    parse_yaml_text,
)
from optikit.types import InvalidProblem
from optikit.validation import validate_document

REGISTRY = load_registry()
TYPES = sorted(n for n, t in REGISTRY.problem_types.items() if t.generate is not None)
SETTINGS = settings(
    max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)

# -- number literals an attacker writes ------------------------------------------------------

hostile_number_text = st.sampled_from([
    "9" * 5000, "-" + "9" * 400, "1" + "0" * 4400, "1e400", "-1e400", "1e-400", "1e-320",
    "4.9e-324", "2.2250738585072014e-308", str(2**63 - 1), str(2**64), str(-(2**63)),
    "1e15", "1e16", "10000000000000000.5", "0.0", "-0.0", "0", "1E+308", "1.7976931348623157e308",
]) | st.integers().map(str) | st.floats(allow_nan=False, allow_infinity=False).map(repr)

hostile_numbers = st.sampled_from([
    10**400, -(10**30), 2**63 - 1, 2**63, 1e-320, 5e-324, 1e300, -1e300, 1e15 + 1, 1e-31,
    0.0, -0.0, 0, 1, -1,
]) | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)

hostile_scalars = hostile_numbers | st.none() | st.booleans() | st.text(max_size=6) | st.just(
    "x" * 10_000
)


def _nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


# -- JSON -----------------------------------------------------------------------------------

json_scalar_text = hostile_number_text | st.sampled_from(
    ['"a"', "true", "null", "NaN", "Infinity", "-Infinity", '"\\u0000"', '"\\ud800"']
)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON-shaped text: objects (duplicate keys allowed), arrays, hostile literals."""

    def node(depth: int) -> str:
        kind = draw(st.integers(0, 3 if depth < 4 else 0))
        if kind == 0:
            return draw(json_scalar_text)
        if kind == 1:
            items = [node(depth + 1) for _ in range(draw(st.integers(0, 3)))]
            return "[" + ",".join(items) + "]"
        if kind == 2:
            keys = draw(st.lists(st.sampled_from(["a", "b", "type", "materials", ""]),
                                 max_size=3))
            return "{" + ",".join(f'"{k}":{node(depth + 1)}' for k in keys) + "}"
        return _nested(draw(st.integers(1, 200_000)), node(depth + 1))

    text = node(0)
    damage = draw(st.sampled_from(["none", "truncate", "byte"]))
    if damage == "truncate" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == "byte":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["\x00", "\ufeff", "}", "\\", '"'])) + text[at:]
    return text


@SETTINGS
@given(json_texts())
def test_json_reader_raises_only_problem_file_error(text: str) -> None:
    try:
        parse_json_text(text, "fuzz.json")
    except ProblemFileError as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(st.text(max_size=200))
def test_json_reader_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(ProblemFileError):
        parse_json_text(text, "fuzz.json")


# -- YAML -----------------------------------------------------------------------------------

yaml_scalar_text = hostile_number_text | st.sampled_from([
    ".nan", ".inf", "-.inf", "~", "yes", "0x" + "f" * 500, "0o777", "1_000", "!!python/none ''",
    "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!!set {a}",
    "!!timestamp 2001-12-14", "!!float 1e400", "!!int " + "9" * 5000, "'q'", "*undefined",
])


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """YAML with anchors, aliases (also to ancestors), merge keys, tags, flow and depth."""
    anchors: list[str] = []

    def node(depth: int) -> str:
        kind = draw(st.integers(0, 5 if depth < 4 else 0))
        if kind == 0:
            return draw(yaml_scalar_text)
        if kind == 1 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if kind == 2:
            name = f"a{len(anchors)}"
            anchors.append(name)
            items = [node(depth + 1) for _ in range(draw(st.integers(1, 9)))]
            return f"&{name} [" + ", ".join(items) + "]"
        if kind == 3:
            keys = draw(st.lists(st.sampled_from(["a", "b", "type", "<<", "? c"]), max_size=3))
            return "{" + ", ".join(f"{k}: {node(depth + 1)}" for k in keys) + "}"
        if kind == 4 and anchors:
            refs = ", ".join("*" + draw(st.sampled_from(anchors)) for _ in range(3))
            return "{<<: [" + refs + "], z: 1}"
        return _nested(draw(st.integers(1, 5_000)), node(depth + 1))

    lines = [f"k{i}: {node(0)}" for i in range(draw(st.integers(1, 12)))]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(yaml_texts())
def test_yaml_reader_raises_only_problem_file_error(text: str) -> None:
    try:
        parse_yaml_text(text, "fuzz.yaml")
    except ProblemFileError as exc:
        assert "\n" not in str(exc)


def _bomb(levels: int, fan: int) -> str:
    lines = ['a0: &a0 ["x"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.integers(1, 40), st.integers(2, 20))
def test_yaml_alias_expansion_is_bounded(levels: int, fan: int) -> None:
    """Small expansions load; big ones are refused as alias bombs, never expanded."""
    sizes = [2]  # a0: the list and its "x"
    for _ in range(levels):
        sizes.append(1 + fan * sizes[-1])
    expanded = 1 + (levels + 1) + sum(sizes)  # the top mapping, its keys, its values
    try:
        data = parse_yaml_text(_bomb(levels, fan), "bomb.yaml")
    except ProblemFileError as exc:
        assert "alias" in str(exc)
        assert expanded > 100_000
    else:
        assert expanded <= 100_000
        assert isinstance(data, dict)


# -- files through the whole loader -----------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([".json", ".yaml", ".yml", ".fjs", ".txt"]))
def test_load_problem_on_arbitrary_bytes(tmp_path_factory: Any, data: bytes, suffix: str) -> None:
    path = Path(tmp_path_factory.mktemp("fuzz")) / f"p{suffix}"
    path.write_bytes(data)
    try:
        load_problem(path, REGISTRY)
    except ProblemFileError as exc:
        assert "\n" not in str(exc)


# -- .fjs token streams ----------------------------------------------------------------------

fjs_tokens = st.sampled_from([
    "0", "1", "2", "3", "-1", "1000000000", "9" * 5000, "nan", "inf", "1e999", "2.0", "2.5",
    "x", str(2**63),
]) | st.integers(-5, 10).map(str)


@pytest.mark.parametrize(("parse_text", "suffix"), [(parse_fjs, ".fjs"),
                                                    (parse_carseq, ".carseq")])
@SETTINGS
@given(st.lists(st.lists(fjs_tokens, min_size=0, max_size=12), min_size=0, max_size=8))
def test_token_readers_raise_only_invalid_problem(
    parse_text: Callable[[str, str], dict[str, Any]], suffix: str, lines: list[list[str]]
) -> None:
    text = "\n".join(" ".join(tokens) for tokens in lines)
    try:
        document = parse_text(text, "fuzz")
    except InvalidProblem:
        return
    with contextlib.suppress(ProblemFileError):
        load_document(document, REGISTRY, source=f"fuzz{suffix}")


# -- each type's parse, with hostile values planted anywhere ----------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node[:4]):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _plant(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


GENERATED = {name: REGISTRY.problem_type(name).generate(0, "tiny") for name in TYPES}  # type: ignore[misc]


@pytest.mark.parametrize("type_name", TYPES)
@SETTINGS
@given(data=st.data())
def test_parse_raises_only_invalid_problem(type_name: str, data: st.DataObject) -> None:
    document = GENERATED[type_name]
    doc = document
    for _ in range(data.draw(st.integers(1, 3), label="plants")):
        path = data.draw(st.sampled_from([p for p in _paths(doc) if p]), label="path")
        value = data.draw(
            hostile_scalars | st.lists(hostile_scalars, max_size=3)
            | st.dictionaries(st.text(max_size=4), hostile_scalars, max_size=3)
            | st.just([]) | st.just({}),
            label="value",
        )
        doc = _plant(doc, path, value)
    ptype = REGISTRY.problem_type(type_name)
    # Straight to the type, the way a plugin author's code sees it once schema-valid.
    try:
        validate_document(ptype, doc)
    except InvalidProblem:
        pass
    else:
        with contextlib.suppress(InvalidProblem):
            ptype.parse(doc)
    # And through the loader (the documented error for a caller), also as a JSON round trip.
    try:
        load_document(doc, REGISTRY, source="fuzz.json")
    except ProblemFileError as exc:
        assert "\n" not in str(exc)
    try:
        text = json.dumps(doc)
    except ValueError:
        return
    with contextlib.suppress(ProblemFileError):
        load_document(parse_json_text(text, "fuzz.json"), REGISTRY, source="fuzz.json")
    with contextlib.suppress(ProblemFileError):
        load_document(parse_yaml_text(yaml.safe_dump(doc), "fuzz.yaml"), REGISTRY,
                      source="fuzz.yaml")
