"""Reading problem files into validated, parsed problems.

Every failure becomes a :class:`ProblemFileError` whose text is one line:
``FILE: FIELD: MESSAGE``.  Nothing here prints or exits; the CLI decides that. The
byte- and text-level safety checks live in :mod:`optikit.safe_files`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optikit.registry import Registry
from optikit.safe_files import (
    ProblemFileError,
    file_size,
    parse_json_text,
    parse_yaml_text,
    read_bytes,
    read_data,
    read_data_file,
    read_text,
)
from optikit.types import InvalidProblem, OptikitError, ProblemType, UsageError
from optikit.validation import validate_document

__all__ = [
    "LoadTimeout",
    "LoadedProblem",
    "ProblemFileError",
    "load_document",
    "load_problem",
    "load_problem_before",
    "parse_json_text",
    "parse_yaml_text",
    "read_bytes",
    "read_data_file",
    "read_document",
    "read_text",
]


@dataclass
class LoadedProblem:
    """A problem file after reading, schema validation and parsing."""

    path: Path | None
    source: str
    ptype: ProblemType
    document: dict[str, Any]
    problem: Any
    name: str



# -- problems -----------------------------------------------------------------------------


class _FiniteChecked(dict):
    """A document from the JSON reader whose numbers are all known to be in range."""


def read_document(path: Path, registry: Registry, source: str | None = None) -> dict[str, Any]:
    """The problem document of a file, via a registered reader for standard formats."""
    source = source or str(path)
    if _is_tabular(path):
        return _read_tabular(path, registry, source)
    reader = registry.reader_for(path)
    if reader is not None:
        file_size(path, source)  # a regular file under the cap, or a one-line error
        try:
            document = reader.read(path)
        except InvalidProblem as exc:
            raise ProblemFileError(source, exc.field, exc.message) from None
        except RecursionError:
            raise ProblemFileError(
                source, "", f"cannot read as {reader.name}: nested too deeply"
            ) from None
        except (OSError, UnicodeDecodeError, ValueError, OverflowError, MemoryError) as exc:
            raise ProblemFileError(source, "", f"cannot read as {reader.name}: {exc}") from None
        document.setdefault("type", reader.problem_type)
        return document
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        known = sorted({".json", ".yaml", ".yml", *registry.readers})
        raise ProblemFileError(
            source, "", f"unknown file type {suffix or '(none)'!r} (known: {', '.join(known)})"
        )
    data, in_range = read_data(path, source)
    if in_range and isinstance(data, dict):
        data = _FiniteChecked(data)
    if not isinstance(data, dict):
        raise ProblemFileError(
            source, "(top level)", "must be a mapping of fields (with a 'type' key)"
        )
    return data


def _is_tabular(path: Path) -> bool:
    from optikit.sheets import is_tabular

    return is_tabular(path)


def _read_tabular(path: Path, registry: Registry, source: str) -> dict[str, Any]:
    """A workbook or CSV folder as a document that knows the cell of each value."""
    from optikit.sheets import read_tabular
    from optikit.validation import full_schema

    if not path.is_dir():
        file_size(path, source)

    def schema_for(type_name: str) -> Mapping[str, Any]:
        try:
            return full_schema(registry.problem_type(type_name))
        except UsageError as exc:
            raise InvalidProblem("settings", str(exc)) from None

    try:
        return read_tabular(path, schema_for)
    except InvalidProblem as exc:
        raise ProblemFileError(source, exc.field, exc.message) from None
    except UsageError:
        raise
    except (OSError, RecursionError, MemoryError) as exc:
        raise ProblemFileError(source, "", f"cannot read: {type(exc).__name__}: {exc}") from None


def _where(document: Mapping[str, Any], field: str) -> str:
    """A field path, or the sheet and cell it came from for a workbook."""
    locate = getattr(document, "locate", None)
    return str(locate(field)) if locate is not None and field else field


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
        raise ProblemFileError(source, _where(document, exc.field), exc.message) from None
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


class LoadTimeout(OptikitError):
    """Loading a problem did not finish before the command's deadline."""


def load_problem_before(
    path: Path, registry: Registry, deadline: float, source: str | None = None
) -> LoadedProblem:
    """:func:`load_problem`, given up at ``deadline`` (``time.monotonic()``).

    The time limit is for the whole command: a document too large to read and validate
    in time is cut off here, instead of eating the solver's budget and then some.  The
    loader runs in a daemon thread; on time-out it is left behind (the caller exits).
    """
    source = source or str(path)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["loaded"] = load_problem(path, registry, source)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="optikit-load", daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(max(0.0, deadline - started))
    if thread.is_alive() and deadline <= started:
        raise LoadTimeout(
            f"{source}: the time limit was used up by start-up (loading optikit, its "
            "plugins and solvers) before the file could be read; the limit covers the "
            "whole command: raise --time-limit"
        )
    if thread.is_alive():
        raise LoadTimeout(
            f"{source}: reading and validating the file did not finish within the time "
            f"limit ({time.monotonic() - started:.1f} s spent loading; the limit covers the "
            "whole command: raise --time-limit or use a smaller file)"
        )
    if "error" in box:
        raise box["error"]
    loaded: LoadedProblem = box["loaded"]
    return loaded
