"""Hostile problem files through the installed ``optikit`` script (issue 11, items 3-7).

Every case must end under the memory limit and the timeout of :mod:`hostile`, with exit
2 and one line ``error: FILE: FIELD: MESSAGE``, no traceback, no file written and the
input untouched.  Cases are built per test in a temporary directory; each is a function
``(directory) -> (file name, expected fragments)``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from optikit.plugins import load_registry
from tests.robustness.hostile import assert_refused, digest, files_in, run

REGISTRY = load_registry()


def _doc(type_name: str) -> dict[str, Any]:
    ptype = REGISTRY.problem_type(type_name)
    assert ptype.generate is not None
    document: dict[str, Any] = ptype.generate(0, "tiny")
    return document


def _write(directory: Path, name: str, data: str | bytes) -> str:
    path = directory / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return name


def _json_with(type_name: str, edit: Callable[[dict[str, Any]], None]) -> str:
    document = _doc(type_name)
    edit(document)
    return json.dumps(document)


def _set_cost(text: str) -> Callable[[Path], tuple[str, list[str]]]:
    """A blend whose first material's cost is the literal ``text``."""

    def build(d: Path) -> tuple[str, list[str]]:
        body = _json_with("blend", lambda doc: doc["materials"][0].update(cost=123.25))
        return _write(d, "p.json", body.replace("123.25", text)), ["materials[0].cost"]

    return build


def _yaml_cost(text: str) -> Callable[[Path], tuple[str, list[str]]]:
    def build(d: Path) -> tuple[str, list[str]]:
        document = _doc("blend")
        document["materials"][0]["cost"] = 123.25
        body = yaml.safe_dump(document, sort_keys=False).replace("123.25", text)
        return _write(d, "p.yaml", body), ["materials[0].cost"]

    return build


def _fjsp_duration(text: str) -> Callable[[Path], tuple[str, list[str]]]:
    def build(d: Path) -> tuple[str, list[str]]:
        def edit(doc: dict[str, Any]) -> None:
            doc["jobs"][0]["operations"][0]["modes"][0]["duration"] = 424242

        body = _json_with("fjsp", edit).replace("424242", text)
        return _write(d, "p.json", body), ["jobs[0].operations[0].modes[0].duration"]

    return build


def _alias_bomb(d: Path) -> tuple[str, list[str]]:
    lines = ["type: blend", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return _write(d, "bomb.yaml", "\n".join(lines) + "\n"), ["bomb.yaml", "alias"]


def _merge_bomb(d: Path) -> tuple[str, list[str]]:
    lines = ["type: blend", "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"]
    for i in range(1, 12):
        refs = ", ".join([f"*m{i - 1}"] * 8)
        lines.append(f"m{i}: &m{i} {{<<: [{refs}], k{i}: {i}}}")
    return _write(d, "merge.yaml", "\n".join(lines) + "\n"), ["merge.yaml", "alias"]


def _alias_fanout(d: Path) -> tuple[str, list[str]]:
    """Aliases in a problem's own fields: many materials sharing one huge composition."""
    document = _doc("blend")
    big = {f"C{i}": 0.0 for i in range(20_000)}
    text = yaml.safe_dump(document, sort_keys=False)
    text += "shared: &big " + json.dumps(big) + "\n"
    text += "more: [" + ", ".join(["*big"] * 200) + "]\n"
    return _write(d, "fanout.yaml", text), ["fanout.yaml", "alias"]


def _fifo(name: str) -> Callable[[Path], tuple[str, list[str]]]:
    def build(d: Path) -> tuple[str, list[str]]:
        os.mkfifo(d / name)
        return name, [name, "not a regular file"]

    return build


def _device_link(name: str) -> Callable[[Path], tuple[str, list[str]]]:
    def build(d: Path) -> tuple[str, list[str]]:
        (d / name).symlink_to("/dev/zero")
        return name, [name, "not a regular file"]

    return build


def _symlink_loop(d: Path) -> tuple[str, list[str]]:
    (d / "a.json").symlink_to(d / "b.json")
    (d / "b.json").symlink_to(d / "a.json")
    return "a.json", ["a.json", "cannot read"]


def _directory(d: Path) -> tuple[str, list[str]]:
    (d / "dir.json").mkdir()
    return "dir.json", ["dir.json", "directory"]


def _fjs(text: str, *fragments: str) -> Callable[[Path], tuple[str, list[str]]]:
    def build(d: Path) -> tuple[str, list[str]]:
        return _write(d, "p.fjs", text), ["p.fjs", *fragments]

    return build


def _roster(tail: str, *fragments: str) -> Callable[[Path], tuple[str, list[str]]]:
    head = ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\n"
            "A,D=7,4000,0,5,1,1,1\n")

    def build(d: Path) -> tuple[str, list[str]]:
        return _write(d, "p.roster", head + tail), ["p.roster", *fragments]

    return build


def _sparse(d: Path) -> tuple[str, list[str]]:
    """All NULs, mostly holes on disk: must not be decoded (or held twice) in memory."""
    with open(d / "sparse.json", "wb") as fh:
        fh.truncate(300 * 2**20)
    return "sparse.json", ["sparse.json", "not a text file"]


def _long_key(d: Path) -> tuple[str, list[str]]:
    document = _doc("blend")
    document["k" * 1_000_000] = 1
    return _write(d, "p.json", json.dumps(document)), ["p.json", "unknown field"]


def _unknown_keys_order(d: Path) -> tuple[str, list[str]]:
    document = _doc("blend")
    document["materials"][0]["zzz"] = 1
    document["materials"][0]["aaa"] = 2
    return _write(d, "p.json", json.dumps(document)), ["materials[0].zzz: unknown field"]


#: name -> builder.  Each is refused by both `validate` and `solve`.
CASES: dict[str, Callable[[Path], tuple[str, list[str]]]] = {
    "yaml alias bomb": _alias_bomb,
    "yaml merge-key bomb": _merge_bomb,
    "yaml alias fan-out": _alias_fanout,
    "yaml recursive alias": lambda d: (
        _write(d, "p.yaml", "type: blend\nmaterials: &m [*m]\n"), ["p.yaml"]
    ),
    "yaml python tag": lambda d: (
        _write(d, "p.yaml", "type: !!python/object/apply:os.system ['echo hacked']\n"),
        ["p.yaml", "invalid YAML"],
    ),
    "yaml 100k nesting": lambda d: (_write(d, "p.yaml", "[" * 100_000 + "]" * 100_000),
                                    ["p.yaml", "invalid YAML"]),
    "json 100k nesting": lambda d: (_write(d, "p.json", "[" * 100_000 + "]" * 100_000),
                                    ["p.json", "nested too deeply"]),
    "json 100k nested objects": lambda d: (
        _write(d, "p.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
        ["p.json", "nested too deeply"],
    ),
    "dev zero as json": _device_link("zero.json"),
    "dev zero as fjs": _device_link("zero.fjs"),
    "fifo as json": _fifo("pipe.json"),
    "fifo as yaml": _fifo("pipe.yaml"),
    "fifo as fjs": _fifo("pipe.fjs"),
    "symlink loop": _symlink_loop,
    "directory": _directory,
    "utf-16 bom": lambda d: (_write(d, "p.json", '{"type": "blend"}'.encode("utf-16")),
                             ["p.json", "UTF-16"]),
    "binary garbage": lambda d: (_write(d, "p.json", bytes(range(256)) * 64),
                                 ["p.json", "not a text file"]),
    "latin-1 text": lambda d: (_write(d, "p.json", '{"type": "blend", "name": "\u00e9"}'
                                      .encode("latin-1")), ["p.json", "not UTF-8"]),
    "sparse 300 MB file": _sparse,
    "nul bytes": lambda d: (_write(d, "p.json", b'{"type": "blend\x00"}'), ["p.json"]),
    "megabyte key": _long_key,
    "first unknown key in file order": _unknown_keys_order,
    "json 5000-digit integer": _set_cost("9" * 5000),
    "json 1e400": _set_cost("1e400"),
    "json -1e400": _set_cost("-1e400"),
    "json 2**63-1": _set_cost(str(2**63 - 1)),
    "json 1e16 without exponent": _set_cost("10000000000000000.5"),
    "json denormal": _set_cost("1e-320"),
    "yaml 5000-digit integer": _yaml_cost("9" * 5000),
    "yaml 1e400": _yaml_cost("1e400"),
    "yaml .inf": _yaml_cost(".inf"),
    "yaml .nan": _yaml_cost(".nan"),
    "yaml denormal": _yaml_cost("1.0e-320"),
    "blend total denormal": lambda d: (
        _write(d, "p.json", _json_with("blend", lambda doc: doc.update(total=1e-320))),
        ["p.json", "total"],
    ),
    "fjsp duration 2**63-1": _fjsp_duration(str(2**63 - 1)),
    "fjsp duration 10**400": _fjsp_duration("1" + "0" * 400),
    "fjsp duration 1e400": _fjsp_duration("1e400"),
    "fjs 10**9 machines": _fjs("1 1000000000\n1 1 1 5\n", "line 1", "machines"),
    "fjs 10**9 jobs": _fjs("1000000000 2\n1 1 1 5\n", "line 1", "jobs"),
    "fjs nan time": _fjs("1 2\n1 1 1 nan\n", "line 2"),
    "fjs 1e999 time": _fjs("1 2\n1 1 1 1e999\n", "line 2"),
    "fjs 5000-digit time": _fjs("1 2\n1 1 1 " + "9" * 5000 + "\n", "line 2"),
    "fjs negative count": _fjs("1 2\n-5 1 1 5\n", "line 2"),
    "fjs 10**9 operations": _fjs("1 2\n1000000000 1 1 5\n", "line 2"),
    "fjs 10**9 alternatives": _fjs("1 2\n1 1000000000 1 5\n", "line 2"),
    "fjs time 2**63-1": _fjs(f"1 2\n1 1 1 {2**63 - 1}\n", "line 2"),
    "roster 10**12 weight": _roster("SECTION_COVER\n0,D,1," + "9" * 12 + ",1\n", "line 8"),
    "roster negative minutes": _roster("SECTION_COVER\n0,D,-1,1,1\n", "line 8"),
    "roster horizon 10**9": lambda d: (
        _write(d, "p.roster", "SECTION_HORIZON\n1000000000\nSECTION_SHIFTS\nD,480,\n"
               "SECTION_STAFF\nA,D=7,9,0,5,1,1,1\n"), ["p.roster", "line 2"]),
    "fjs binary": lambda d: (_write(d, "p.fjs", bytes(range(256)) * 8), ["p.fjs"]),
}


@pytest.mark.parametrize("command", ["validate", "solve"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_refused(case: str, command: str, tmp_path: Path) -> None:
    name, fragments = CASES[case](tmp_path)
    path = tmp_path / name
    before = digest(path) if path.is_file() else None
    listing = files_in(tmp_path)
    args = [command, name]
    if command == "solve":
        args += ["--threads", "1", "--time-limit", "20", "-o", "out.json"]
    result = run(args, cwd=tmp_path)
    assert_refused(result, name, *fragments)
    assert files_in(tmp_path) == listing, "a file was written"
    if before is not None:
        assert digest(path) == before


@pytest.mark.parametrize("value", ["abc", "nan", "0", "-1", "inf", "1e400", ""])
def test_max_file_mb_must_be_a_positive_number(value: str, tmp_path: Path) -> None:
    name = _write(tmp_path, "p.json", json.dumps(_doc("blend")))
    result = run(["validate", name], cwd=tmp_path, env={"OPTIKIT_MAX_FILE_MB": value})
    if value == "":  # unset in effect: the default cap
        assert result.code == 0, result.stderr
    else:
        assert_refused(result, "OPTIKIT_MAX_FILE_MB", repr(value))


def test_file_over_the_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    name = _write(tmp_path, "p.json", json.dumps(_doc("blend")) + " " * 20_000)
    result = run(["validate", name], cwd=tmp_path, env={"OPTIKIT_MAX_FILE_MB": "0.01"})
    assert_refused(result, name, "limit")


def test_validate_reports_every_hostile_file_and_passes_the_good_one(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", json.dumps(_doc("blend")))
    bomb, _ = _alias_bomb(tmp_path)
    os.mkfifo(tmp_path / "pipe.json")
    result = run(["validate", bomb, good, "pipe.json"], cwd=tmp_path)
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert [line.split(":")[1].strip() for line in result.error_lines] == [bomb, "pipe.json"]
    assert f"{good}: valid blend problem" in result.stdout
