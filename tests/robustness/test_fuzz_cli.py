"""``optikit validate`` on damaged files: exit 0, or exit 2 with one line naming the file.

The loader-level fuzzing (test_fuzz_documents.py) feeds mutated documents to the loader;
this test goes through the command line and the disk, so it also covers what only a file
can get wrong: JSON and YAML syntax, truncation, stray bytes, non-UTF-8 text, a byte-order
mark, an empty file.  Whatever the damage, the user sees either success or exactly one
line ``error: FILE: ...`` on stderr with exit code 2: never a traceback, never another
code.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optikit.cli import cli
from optikit.plugins import load_registry

REGISTRY = load_registry()
TYPES = sorted(n for n, t in REGISTRY.problem_types.items() if t.generate is not None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                               max_size=3),
    max_leaves=5,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node[:3]):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _restructure(document: dict[str, Any], data: st.DataObject) -> Any:
    """Drop, replace or negate one value anywhere in the document (or replace it whole)."""
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    action = data.draw(st.sampled_from(["keep", "drop", "replace", "negate"]), label="action")
    if not path:
        return data.draw(json_values, label="whole") if action == "replace" else document
    doc = copy.deepcopy(document)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "drop":
        del parent[key]
    elif action == "replace":
        parent[key] = data.draw(json_values, label="value")
    elif action == "negate" and isinstance(parent[key], int | float) \
            and not isinstance(parent[key], bool):
        parent[key] = -parent[key] - 1
    return doc


def _damage_text(raw: bytes, data: st.DataObject) -> bytes:
    """Byte-level damage, as from a bad copy, an editor or a full disk."""
    how = data.draw(st.sampled_from(
        ["none", "truncate", "insert", "delete", "bom", "latin1", "empty", "tab"]),
        label="damage")
    at = data.draw(st.integers(0, max(0, len(raw) - 1)), label="at")
    if how == "truncate":
        return raw[:at]
    if how == "insert":
        junk = data.draw(st.binary(min_size=1, max_size=4) | st.sampled_from(
            [b"{", b"]", b":", b"\n  - ", b"'", b'"', b"&a", b"*a", b"!!python/object:os.system"]),
            label="junk")
        return raw[:at] + junk + raw[at:]
    if how == "delete":
        return raw[:at] + raw[at + 1:]
    if how == "bom":
        return b"\xef\xbb\xbf" + raw
    if how == "latin1":
        return raw[:at] + "é".encode("latin-1") + raw[at:]
    if how == "empty":
        return b""
    if how == "tab":
        return raw.replace(b"\n  ", b"\n\t", 1)
    return raw


def _serialise(document: Any, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(document).encode()
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


def _stderr_lines(text: str) -> list[str]:
    """Lines as a terminal shows them.  A plugin that fails to load is reported as a
    warning by every command; that is the environment, not the file under test."""
    return [line for line in text.rstrip("\n").split("\n")
            if line.strip() and not line.startswith("warning: plugin")]


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_validate_accepts_or_refuses_in_one_line(type_name: str, data: st.DataObject) -> None:
    ptype = REGISTRY.problem_types[type_name]
    assert ptype.generate is not None
    base = ptype.generate(data.draw(st.integers(0, 2), label="seed"), "tiny")
    fmt = data.draw(st.sampled_from(["json", "yaml"]), label="format")
    document = _restructure(base, data)
    raw = _damage_text(_serialise(document, fmt), data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"problem.{fmt}"
        path.write_bytes(raw)
        result = CliRunner().invoke(cli, ["validate", str(path)])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 2), (result.exit_code, output)
    lines = _stderr_lines(result.stderr)
    if result.exit_code == 0:
        assert lines == [] and "valid" in result.stdout
    else:
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {path}:"), lines[0]


def test_an_oversized_file_is_refused_in_one_line(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The core's file size limit (OPTIKIT_MAX_FILE_MB), through validate and solve."""
    ptype = REGISTRY.problem_types[TYPES[0]]
    assert ptype.generate is not None
    path = tmp_path / "big.json"
    path.write_text(json.dumps(ptype.generate(0, "tiny"), indent=4) + " " * 20_000)
    monkeypatch.setenv("OPTIKIT_MAX_FILE_MB", "0.01")
    for command in ("validate", "solve"):
        result = CliRunner().invoke(cli, [command, str(path)])
        assert result.exit_code == 2, result.output
        lines = _stderr_lines(result.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"error: {path}:")
        assert "OPTIKIT_MAX_FILE_MB" in lines[0]


def _validate_bytes(tmp_path: Path, name: str, raw: bytes) -> tuple[Path, Any]:
    path = tmp_path / name
    path.write_bytes(raw)
    return path, CliRunner().invoke(cli, ["validate", str(path)])


def test_a_control_byte_in_yaml_is_refused_in_one_line(tmp_path: Path) -> None:
    path, result = _validate_bytes(tmp_path, "nul.yaml", b"type: blend\x00\n")
    assert result.exit_code == 2
    lines = _stderr_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:"), result.stderr


def test_a_line_break_inside_a_key_is_refused_in_one_line(tmp_path: Path) -> None:
    ptype = REGISTRY.problem_types[TYPES[0]]
    assert ptype.generate is not None
    document = ptype.generate(0, "tiny")
    document["odd\nkey"] = 1
    path, result = _validate_bytes(tmp_path, "key.json", json.dumps(document).encode())
    assert result.exit_code == 2
    lines = _stderr_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:"), result.stderr
