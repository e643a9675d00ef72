"""Benchmark suite files: YAML -> a validated :class:`Suite`.

A suite names instance sets (file globs or generators), the solvers to compare and the
run settings.  Settings cascade: suite defaults, then the set, then the solver entry::

    name: my-suite                  # identifies the suite in the ledger
    description: free text
    time_limit: 60                  # seconds per run (solver limit; default 60)
    threads: 1                      # threads per run (default 1)
    gap: 1.0e-6                     # relative gap for "optimal" (default 1e-6)
    seeds: [0, 1, 2]                # solver seeds, one run each (default [0])
    repeats: 1                      # runs per seed, for timing variability (default 1)
    grace: 10                       # seconds past time_limit before the hard kill
    options: {}                     # extra solver options (optikit solve --option)
    solvers:                        # default contenders of every set
      - highs                       # a backend name (the type's formulation for it)
      - {solver: cpsat, formulation: cpsat-plain, label: plain, time_limit: 30}
      - {solver: null}              # the problem type's default solver
    sets:
      - name: samples
        files: [../problems/blend/*.yaml]       # globs, relative to this file
        bounds: {whiskas_full: 0.52}             # best-known values (or {lb, ub})
      - name: brandimarte
        files: [instances/fjsp/brandimarte/mk*.fjs]
        bounds: {file: instances/fjsp/brandimarte/bounds.json}   # {"instances": {...}}
      - name: generated
        generate: {type: fjsp, sizes: [small, medium], seeds: [1, 2, 3]}   # or count: 3
        solvers: [cpsat]            # this set's own contenders
        threads: 2                  # any setting may be overridden per set
      - name: shared
        files: [../../shared/instances/fjsp/kacem/*.fjs]
        optional: true              # missing files: the set is skipped with a note

Parsing needs no plugin; turning a suite into runs (which needs the registry) is
:mod:`optikit.bench.plan`'s job.  Errors are one line, ``FILE: FIELD: MESSAGE``, like
problem files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from optikit.types import OptikitError

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$"

_SETTINGS: dict[str, Any] = {
    "time_limit": {"type": "number", "exclusiveMinimum": 0},
    "threads": {"type": "integer", "minimum": 1},
    "gap": {"type": "number", "minimum": 0},
    "seeds": {
        "type": "array",
        "items": {"type": "integer", "minimum": 0},
        "minItems": 1,
        "uniqueItems": True,
    },
    "repeats": {"type": "integer", "minimum": 1},
    "grace": {"type": "number", "minimum": 0},
    "options": {"type": "object"},
}

_SOLVER: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {
                "solver": {"type": ["string", "null"], "minLength": 1},
                "formulation": {"type": ["string", "null"], "minLength": 1},
                "label": {"type": "string", "pattern": _NAME},
                **_SETTINGS,
            },
            "additionalProperties": False,
        },
    ]
}

_BOUND_VALUE: dict[str, Any] = {
    "oneOf": [
        {"type": "number"},
        {
            "type": "object",
            "properties": {
                "lb": {"type": ["number", "null"]},
                "ub": {"type": ["number", "null"]},
                "optimum": {"type": "number"},
            },
            "additionalProperties": True,
        },
    ]
}

SUITE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "optikit benchmark suite",
    "type": "object",
    "required": ["name", "sets"],
    "properties": {
        "name": {"type": "string", "pattern": _NAME},
        "description": {"type": "string"},
        "solvers": {"type": "array", "items": _SOLVER, "minItems": 1},
        "sets": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": _NAME},
                    "description": {"type": "string"},
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "minItems": 1,
                    },
                    "generate": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {
                            "type": {"type": "string", "minLength": 1},
                            "size": {"type": "string", "minLength": 1},
                            "sizes": {
                                "type": "array",
                                "items": {"type": "string", "minLength": 1},
                                "minItems": 1,
                                "uniqueItems": True,
                            },
                            "seeds": {
                                "type": "array",
                                "items": {"type": "integer", "minimum": 0},
                                "minItems": 1,
                                "uniqueItems": True,
                            },
                            "count": {"type": "integer", "minimum": 1},
                        },
                        "additionalProperties": False,
                    },
                    "optional": {"type": "boolean"},
                    "bounds": {
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "minLength": 1},
                                    "set": {"type": "string", "minLength": 1},
                                },
                                "additionalProperties": False,
                            },
                            {
                                "type": "object",
                                "not": {"required": ["file"]},
                                "additionalProperties": _BOUND_VALUE,
                            },
                        ]
                    },
                    "solvers": {"type": "array", "items": _SOLVER, "minItems": 1},
                    **_SETTINGS,
                },
                "additionalProperties": False,
            },
        },
        **_SETTINGS,
    },
    "additionalProperties": False,
}


class SuiteError(OptikitError):
    """A suite file breaks the suite rules; printed as ``FILE: FIELD: MESSAGE``."""

    def __init__(self, file: str, field: str, message: str) -> None:
        parts = [p for p in (file, field, message) if p]
        super().__init__(": ".join(parts))
        self.file = file
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RunSettings:
    """Per-run limits; every level of the suite may override any of them."""

    time_limit: float = 60.0
    threads: int = 1
    gap: float = 1e-6
    seeds: tuple[int, ...] = (0,)
    repeats: int = 1
    # Seconds past the time limit before the child process is killed: solver limits
    # are soft, and the child also needs time to start Python and import the solver.
    grace: float = 10.0
    options: Mapping[str, Any] = field(default_factory=dict)

    def override(self, doc: Mapping[str, Any]) -> RunSettings:
        changes: dict[str, Any] = {}
        for key in ("time_limit", "gap", "grace"):
            if key in doc:
                changes[key] = float(doc[key])
        for key in ("threads", "repeats"):
            if key in doc:
                changes[key] = int(doc[key])
        if "seeds" in doc:
            changes["seeds"] = tuple(int(s) for s in doc["seeds"])
        if "options" in doc:
            changes["options"] = {**self.options, **doc["options"]}
        return replace(self, **changes)


@dataclass(frozen=True)
class SolverEntry:
    """One contender: a backend (None = the type's default) and optional formulation."""

    solver: str | None
    formulation: str | None
    label: str | None
    settings: RunSettings


@dataclass(frozen=True)
class Generator:
    type: str
    sizes: tuple[str, ...]
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class BoundsSpec:
    """Best-known values: inline (instance -> value) or a JSON file holding several sets."""

    inline: Mapping[str, Any] | None = None
    file: Path | None = None
    set: str | None = None


@dataclass(frozen=True)
class InstanceSet:
    name: str
    index: int
    files: tuple[str, ...]
    generate: Generator | None
    optional: bool
    bounds: BoundsSpec | None
    solvers: tuple[SolverEntry, ...]

    @property
    def field(self) -> str:
        return f"sets[{self.index}]"


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    description: str
    sets: tuple[InstanceSet, ...]
    checksum: str
    raw: Mapping[str, Any]

    @property
    def directory(self) -> Path:
        return self.path.parent


def _json_path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _schema_error(file: str, doc: Any) -> SuiteError | None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(SUITE_SCHEMA)
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return None
    # For oneOf failures, the most specific sub-error names the field best.
    while error.context:
        deeper = jsonschema.exceptions.best_match(error.context)
        if deeper is None:
            break
        error = deeper
    where = _json_path(error.absolute_path) or "(top level)"
    message = error.message
    if error.validator == "additionalProperties":
        message = message.replace("Additional properties are not allowed", "unknown key(s)")
    return SuiteError(file, where, message)


def _solver_entry(doc: Any, base: RunSettings) -> SolverEntry:
    if isinstance(doc, str):
        return SolverEntry(doc, None, None, base)
    return SolverEntry(
        doc.get("solver"), doc.get("formulation"), doc.get("label"), base.override(doc)
    )


def parse_suite(doc: Any, path: Path) -> Suite:
    """Validate a suite document (already read from YAML) and build the :class:`Suite`."""
    file = str(path)
    if not isinstance(doc, Mapping):
        raise SuiteError(file, "", "a suite file must be a mapping with `name` and `sets`")
    error = _schema_error(file, doc)
    if error is not None:
        raise error
    defaults = RunSettings().override(doc)
    top_solvers = doc.get("solvers")
    sets: list[InstanceSet] = []
    seen_sets: set[str] = set()
    for i, sd in enumerate(doc["sets"]):
        where = f"sets[{i}]"
        if sd["name"] in seen_sets:
            raise SuiteError(file, f"{where}.name", f"duplicate set name {sd['name']!r}")
        seen_sets.add(sd["name"])
        has_files, has_gen = "files" in sd, "generate" in sd
        if has_files == has_gen:
            raise SuiteError(file, where, "give exactly one of `files` or `generate`")
        settings = defaults.override(sd)
        solver_docs = sd.get("solvers", top_solvers)
        if solver_docs is None:
            raise SuiteError(file, f"{where}.solvers", "no solvers: give them here or at top level")
        solvers = tuple(_solver_entry(s, settings) for s in solver_docs)
        labels: set[str] = set()
        for k, entry in enumerate(solvers):
            label = entry.label or default_label(entry)
            if label in labels:
                field_name = f"{where}.solvers[{k}]" if "solvers" in sd else f"solvers[{k}]"
                raise SuiteError(
                    file, field_name, f"two solver entries are labelled {label!r}; add `label`"
                )
            labels.add(label)
        generator = None
        if has_gen:
            g = sd["generate"]
            if "size" in g and "sizes" in g:
                raise SuiteError(file, f"{where}.generate", "give `size` or `sizes`, not both")
            if "seeds" in g and "count" in g:
                raise SuiteError(file, f"{where}.generate", "give `seeds` or `count`, not both")
            sizes = tuple(g.get("sizes") or [g.get("size", "small")])
            seeds = tuple(g["seeds"]) if "seeds" in g else tuple(range(int(g.get("count", 1))))
            generator = Generator(str(g["type"]), sizes, seeds)
        bounds = None
        if "bounds" in sd:
            b = sd["bounds"]
            if "file" in b:
                bounds = BoundsSpec(file=(path.parent / b["file"]), set=b.get("set"))
            else:
                bounds = BoundsSpec(inline=dict(b))
        sets.append(
            InstanceSet(
                name=sd["name"],
                index=i,
                files=tuple(sd.get("files", ())),
                generate=generator,
                optional=bool(sd.get("optional", False)),
                bounds=bounds,
                solvers=solvers,
            )
        )
    return Suite(
        name=doc["name"],
        path=path,
        description=str(doc.get("description", "")),
        sets=tuple(sets),
        checksum="",
        raw=dict(doc),
    )


def default_label(entry: SolverEntry) -> str:
    """How a solver entry is named in reports when it has no ``label``."""
    name = entry.solver or "default"
    return f"{name}/{entry.formulation}" if entry.formulation else name


def load_suite(path: Path) -> Suite:
    """Read and validate a suite file; raises :class:`SuiteError`."""
    from optikit.problem_io import ProblemFileError, parse_yaml_text, read_text

    file = str(path)
    try:
        # The problem files' reader: regular files only, size cap, alias-bomb limits.
        text = read_text(path, file)
        doc = parse_yaml_text(text, file)
    except ProblemFileError as exc:
        raise SuiteError(file, exc.field, exc.message) from None
    data = text.encode("utf-8")
    suite = parse_suite(doc, path)
    return replace(suite, checksum=hashlib.sha256(data).hexdigest())
