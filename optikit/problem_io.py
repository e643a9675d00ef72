"""Reading problem files into validated, parsed problems.

Every failure becomes a :class:`ProblemFileError` whose text is one line:
``FILE: FIELD: MESSAGE``.  Nothing here prints or exits; the CLI decides that.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optikit.registry import Registry
from optikit.types import InputError, InvalidProblem, ProblemType, UsageError
from optikit.validation import validate_document

DEFAULT_MAX_FILE_MB = 512.0


class ProblemFileError(InputError):
    """A problem (or solution) file that cannot be used, with the file and the field."""


@dataclass
class LoadedProblem:
    """A problem file after reading, schema validation and parsing."""

    path: Path | None
    source: str
    ptype: ProblemType
    document: dict[str, Any]
    problem: Any
    name: str


def max_file_bytes() -> int:
    raw = os.environ.get("OPTIKIT_MAX_FILE_MB", "")
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 1024 * 1024)


# -- parsing JSON and YAML strictly -------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number in a problem file")


_HUGE_EXPONENT = re.compile(r"[eE]\+?\d{3,}")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a number in a problem file")
    return value


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_json_text(text: str, source: str) -> Any:
    try:
        # Literals such as 1e999 overflow to infinity; only then pay for a per-float hook.
        parse_float = _finite_float if _HUGE_EXPONENT.search(text) else None
        return json.loads(
            text,
            object_pairs_hook=_json_pairs,
            parse_constant=_reject_constant,
            parse_float=parse_float,
        )
    except json.JSONDecodeError as exc:
        raise ProblemFileError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise ProblemFileError(source, "", f"invalid JSON: {exc}") from None


def _yaml_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that refuses duplicate keys (YAML would keep the last silently)."""

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=deep)
        return out

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def parse_yaml_text(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "malformed"
        raise ProblemFileError(source, where, f"invalid YAML: {what}") from None
    except yaml.reader.ReaderError as exc:
        raise ProblemFileError(
            source,
            f"position {exc.position}",
            f"invalid YAML: unacceptable character {exc.character!r} ({exc.reason})",
        ) from None
    except yaml.YAMLError as exc:
        raise ProblemFileError(source, "", f"invalid YAML: {' '.join(str(exc).split())}") from None


def read_text(path: Path, source: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ProblemFileError(source, "", "file not found") from None
    except OSError as exc:
        raise ProblemFileError(source, "", f"cannot read: {exc.strerror}") from None
    if path.is_dir():
        raise ProblemFileError(source, "", "is a directory, not a file")
    limit = max_file_bytes()
    if size > limit:
        raise ProblemFileError(
            source,
            "",
            f"file is {size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit "
            "(raise it with OPTIKIT_MAX_FILE_MB)",
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemFileError(source, "", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ProblemFileError(source, "", f"cannot read: {exc.strerror}") from None


def read_data_file(path: Path, source: str | None = None) -> Any:
    """Parse a JSON or YAML file (chosen by extension; unknown extensions try JSON first)."""
    source = source or str(path)
    text = read_text(path, source)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return parse_json_text(text, source)
    if suffix in (".yaml", ".yml"):
        return parse_yaml_text(text, source)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return parse_json_text(text, source)
    return parse_yaml_text(text, source)


# -- problems -----------------------------------------------------------------------------


class _FiniteChecked(dict):
    """A document from the JSON reader, which already refused NaN and infinities."""


def read_document(path: Path, registry: Registry, source: str | None = None) -> dict[str, Any]:
    """The problem document of a file, via a registered reader for standard formats."""
    source = source or str(path)
    reader = registry.reader_for(path)
    if reader is not None:
        if not path.is_file():
            read_text(path, source)  # raises the right one-line error
        try:
            document = reader.read(path)
        except InvalidProblem as exc:
            raise ProblemFileError(source, exc.field, exc.message) from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ProblemFileError(source, "", f"cannot read as {reader.name}: {exc}") from None
        document.setdefault("type", reader.problem_type)
        return document
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        known = sorted({".json", ".yaml", ".yml", *registry.readers})
        raise ProblemFileError(
            source, "", f"unknown file type {suffix or '(none)'!r} (known: {', '.join(known)})"
        )
    data = read_data_file(path, source)
    if suffix == ".json":
        data = _FiniteChecked(data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise ProblemFileError(
            source, "(top level)", "must be a mapping of fields (with a 'type' key)"
        )
    return data


def load_document(
    document: Mapping[str, Any],
    registry: Registry,
    source: str = "<document>",
    path: Path | None = None,
    default_name: str | None = None,
) -> LoadedProblem:
    """Validate and parse a problem document that is already in memory."""
    if not isinstance(document, Mapping):
        raise ProblemFileError(source, "(top level)", "must be a mapping of fields")
    doc = dict(document)
    type_name = doc.get("type")
    if type_name is None:
        known = ", ".join(sorted(registry.problem_types)) or "none installed"
        raise ProblemFileError(source, "type", f"is required (one of: {known})")
    if not isinstance(type_name, str):
        raise ProblemFileError(source, "type", "must be a string")
    try:
        ptype = registry.problem_type(type_name)
    except UsageError as exc:
        raise ProblemFileError(source, "type", str(exc)) from None
    try:
        validate_document(ptype, doc, finite_checked=isinstance(document, _FiniteChecked))
        problem = ptype.parse(doc)
    except InvalidProblem as exc:
        raise ProblemFileError(source, exc.field, exc.message) from None
    except RecursionError:
        raise ProblemFileError(source, "", "document is nested too deeply") from None
    except Exception as exc:
        raise ProblemFileError(
            source,
            "",
            f"problem type {type_name!r} could not read this document "
            f"({type(exc).__name__}: {exc})",
        ) from None
    name = doc.get("name") or default_name or (path.stem if path else type_name)
    return LoadedProblem(path, source, ptype, doc, problem, str(name))


def load_problem(path: Path, registry: Registry, source: str | None = None) -> LoadedProblem:
    """Read, validate and parse a problem file."""
    path = Path(path)
    source = source or str(path)
    document = read_document(path, registry, source)
    return load_document(document, registry, source=source, path=path, default_name=path.stem)
