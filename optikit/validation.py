"""JSON Schema validation with one-line, field-addressed messages.

Users read ``materials[3].cost: must be >= 0``, not a jsonschema dump.  The core adds
the top-level keys every problem file may carry (``type``, ``name``, ``description``)
to each type's schema, so plugins describe only their own fields.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from optikit.types import InvalidProblem, OptikitError, ProblemType

COMMON_PROPERTIES: dict[str, Any] = {
    "type": {"type": "string", "description": "problem type name"},
    "name": {"type": "string", "description": "a label; defaults to the file's stem"},
    "description": {"type": "string", "description": "free text"},
    "$schema": {"type": "string"},
}


def full_schema(ptype: ProblemType) -> dict[str, Any]:
    """The type's schema with the common top-level keys and a ``type`` constant."""
    schema = json.loads(json.dumps(dict(ptype.schema)))  # deep copy, JSON-clean
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    schema.setdefault("title", f"optikit problem: {ptype.name}")
    props = schema.setdefault("properties", {})
    for key, value in COMMON_PROPERTIES.items():
        props.setdefault(key, value)
    props["type"] = {**props["type"], "const": ptype.name}
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")
    return schema


def format_path(parts: Iterable[Any]) -> str:
    """['materials', 3, 'cost'] -> 'materials[3].cost'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


def _message(error: Any) -> tuple[list[Any], str]:
    """(path, message) in user words for one jsonschema ValidationError."""
    path = list(error.absolute_path)
    v, arg, inst = error.validator, error.validator_value, error.instance
    if v == "required":
        missing = [k for k in arg if isinstance(inst, dict) and k not in inst]
        return [*path, missing[0] if missing else "?"], "is required"
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        # In file order: the first unknown key is the one a reader meets first.
        extra = [
            str(k) for k in inst
            if k not in allowed and not any(_matches(p, str(k)) for p in patterns)
        ]
        known = ", ".join(sorted(allowed))
        name = extra[0] if extra else "?"
        return [*path, name], f"unknown field (allowed: {known})"
    if v == "type":
        types = arg if isinstance(arg, list) else [arg]
        want = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)
        return path, f"must be {want}, not {_describe_type(inst)}"
    if v == "minimum":
        return path, f"must be >= {arg}"
    if v == "exclusiveMinimum":
        return path, f"must be > {arg}"
    if v == "maximum":
        return path, f"must be <= {arg}"
    if v == "exclusiveMaximum":
        return path, f"must be < {arg}"
    if v == "enum":
        return path, f"must be one of {', '.join(map(repr, arg))}, not {inst!r}"
    if v == "const":
        return path, f"must be {arg!r}, not {inst!r}"
    if v == "minItems":
        return path, f"must have at least {arg} item{'s' if arg != 1 else ''}"
    if v == "maxItems":
        return path, f"must have at most {arg} items"
    if v == "uniqueItems":
        return path, "must not contain duplicates"
    if v == "minProperties":
        return path, f"must have at least {arg} entr{'ies' if arg != 1 else 'y'}"
    if v == "minLength":
        return path, "must not be empty" if arg == 1 else f"must be at least {arg} characters"
    if v == "pattern":
        return path, f"must match {arg!r}"
    if v == "propertyNames":
        return path, f"has an invalid key: {error.message}"
    return path, error.message.splitlines()[0]


def _matches(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False


# Keywords whose meaning is the same in draft-07 (what fastjsonschema implements) and in
# draft 2020-12 (what plugins write).  A schema using anything else is validated by
# jsonschema alone, so the fast path can never accept what the full validator refuses.
_SAME_IN_BOTH_DRAFTS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "items", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "enum", "const", "minItems", "maxItems",
        "uniqueItems", "minLength", "maxLength", "pattern", "minProperties",
        "maxProperties", "anyOf", "oneOf", "allOf", "not", "$ref", "$defs", "definitions",
        "title", "description", "default", "examples", "$comment", "$schema", "$id",
        "deprecated", "readOnly", "writeOnly",
    }
)
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
_SCHEMA_VALUES = ("additionalProperties", "items", "not", "propertyNames")


def _fast_compatible(schema: Any) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    if not set(schema) <= _SAME_IN_BOTH_DRAFTS:
        return False
    if isinstance(schema.get("items"), list):  # tuple form differs between drafts
        return False
    ref = schema.get("$ref")
    if ref is not None and not str(ref).startswith("#"):
        return False
    for key in _SCHEMA_MAPS:
        if not all(_fast_compatible(s) for s in schema.get(key, {}).values()):
            return False
    for key in _SCHEMA_LISTS:
        if not all(_fast_compatible(s) for s in schema.get(key, [])):
            return False
    return all(_fast_compatible(schema[key]) for key in _SCHEMA_VALUES if key in schema)


@lru_cache(maxsize=64)
def _fast_validator(schema_json: str) -> Any:
    """A compiled validator for the happy path, or None when the schema is not eligible."""
    schema = json.loads(schema_json)
    if not _fast_compatible(schema):
        return None
    schema.pop("$schema", None)
    try:
        import fastjsonschema

        return fastjsonschema.compile(schema, use_default=False, use_formats=False)
    except Exception:
        return None


def _fast_accepts(schema_json: str, document: Any) -> bool:
    validator = _fast_validator(schema_json)
    if validator is None:
        return False
    try:
        validator(document)
    except Exception:
        return False
    return True


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problem(ptype: ProblemType) -> str:
    """Why a type's schema is not a valid JSON Schema ('' when it is); for listings and kits."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(full_schema(ptype))
    except SchemaError as exc:
        return exc.message
    return ""


#: Numbers a problem document may hold: finite, at most MAX_MAGNITUDE and, unless zero,
#: at least MIN_MAGNITUDE in magnitude.  Beyond these, solvers and checkers lose all
#: precision (2**63 - 1 durations, 1e-320 totals) or overflow converting to float.
MAX_MAGNITUDE = 1e15
MIN_MAGNITUDE = 1e-30


class OutOfRange(float):
    """A number the reader could not represent (1e999, a 5,000-digit integer).

    The readers keep it in place so that validation can name its field.
    """


def _describe_number(value: Any) -> str:
    if isinstance(value, OutOfRange):
        return "a number too large to represent"
    if isinstance(value, int) and abs(value) >= 10**20:
        return f"a {len(str(abs(value)))}-digit number"
    return repr(value)


def number_problem(value: Any) -> str:
    """Why a number cannot be in a document ('' when it can)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        if abs(value) > MAX_MAGNITUDE:
            return f"{_describe_number(value)} is out of range (at most {MAX_MAGNITUDE:g})"
        return ""
    if isinstance(value, float):
        if isinstance(value, OutOfRange):
            return f"{_describe_number(value)} is out of range (at most {MAX_MAGNITUDE:g})"
        if not math.isfinite(value):
            return "must be a finite number"
        magnitude = abs(value)
        if magnitude > MAX_MAGNITUDE:
            return f"{value!r} is out of range (at most {MAX_MAGNITUDE:g})"
        if 0 < magnitude < MIN_MAGNITUDE:
            return f"{value!r} is too close to zero (use 0, or at least {MIN_MAGNITUDE:g})"
    return ""


def _any_bad_number(document: Any) -> bool:
    """Whether a document holds a number it may not (fast: no paths are built)."""
    stack = [document]
    pop, extend = stack.pop, stack.extend
    low, high = MIN_MAGNITUDE, MAX_MAGNITUDE
    while stack:
        value = pop()
        kind = type(value)
        if kind is float:
            # NaN fails every comparison, so it lands here too.
            if not low <= abs(value) <= high and value != 0:
                return True
        elif kind is int:
            if not -high <= value <= high:
                return True
        elif kind is dict:
            extend(value.values())
        elif kind is list:
            extend(value)
        elif isinstance(value, int | float):
            if number_problem(value):
                return True
        elif isinstance(value, Mapping):
            extend(value.values())
        elif isinstance(value, tuple):
            extend(value)
    return False


def bad_number(document: Any) -> tuple[list[Any], str] | None:
    """The first (in file order) number a document may not hold, and why.

    Iterative, so deep nesting costs no recursion; NaN and infinities (YAML's ``.nan``)
    are found here too.  A fast pass without paths goes first: most documents are fine.
    """
    if not _any_bad_number(document):
        return None
    stack: list[tuple[Any, list[Any]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, int | float):
            problem = number_problem(value)
            if problem:
                return path, problem
        elif isinstance(value, Mapping):
            stack.extend((v, [*path, k]) for k, v in reversed(list(value.items())))
        elif isinstance(value, list | tuple):
            stack.extend((v, [*path, i]) for i, v in reversed(list(enumerate(value))))
    return None


class SchemaDefinitionError(OptikitError):
    """A plugin registered a schema that is not a valid JSON Schema (a plugin bug)."""


def validate_document(
    ptype: ProblemType, document: Mapping[str, Any], finite_checked: bool = False
) -> None:
    """Raise :class:`InvalidProblem` for the first schema violation, if any.

    ``finite_checked`` tells that the reader already saw every number is in range (the
    JSON reader does, when the text holds no long or exponent-form number), which saves a
    walk over large documents.
    """
    if not finite_checked:
        bad = bad_number(document)
        if bad is not None:
            raise InvalidProblem(format_path(bad[0]) or "(top level)", bad[1])
    _validate_json(_schema_json(ptype), document, f"problem type {ptype.name!r}")


def validate_against(schema: Mapping[str, Any], document: Any, owner: str) -> None:
    """:func:`validate_document` for any schema (an events document, say): raise
    :class:`InvalidProblem` for the first violation; ``owner`` names the schema's author
    in the message about a broken schema."""
    bad = bad_number(document)
    if bad is not None:
        raise InvalidProblem(format_path(bad[0]) or "(top level)", bad[1])
    _validate_json(json.dumps(schema, sort_keys=True), document, owner)


def _validate_json(schema_json: str, document: Any, owner: str) -> None:
    if _fast_accepts(schema_json, document):
        return
    from jsonschema.exceptions import SchemaError, best_match

    try:
        validator = _validator(schema_json)
    except SchemaError as exc:
        raise SchemaDefinitionError(
            f"{owner} has an invalid JSON Schema (a bug in its plugin): {exc.message}"
        ) from None
    errors = list(validator.iter_errors(document))
    if not errors:
        return
    # Report the first problem in document order, as a reader scanning the file meets it.
    error = min(errors, key=lambda e: _document_position(document, list(e.absolute_path)))
    # Inside a oneOf/anyOf, the deepest alternative's error names the actual field.
    while error.context:  # (best_match alone prefers the shallowest error)
        depth = max(len(e.absolute_path) for e in error.context)
        deeper = best_match(e for e in error.context if len(e.absolute_path) == depth)
        if deeper is None:
            break
        error = deeper
    path, message = _message(error)
    more = len(errors) - 1
    if more:
        message += f" (and {more} more error{'s' if more > 1 else ''})"
    raise InvalidProblem(format_path(path) or "(top level)", message)


_SCHEMA_JSON: dict[int, tuple[ProblemType, str]] = {}


def _schema_json(ptype: ProblemType) -> str:
    """The full schema as canonical JSON (the cache key of both validators)."""
    cached = _SCHEMA_JSON.get(id(ptype))
    if cached is None or cached[0] is not ptype:
        cached = (ptype, json.dumps(full_schema(ptype), sort_keys=True))
        _SCHEMA_JSON[id(ptype)] = cached
    return cached[1]


def _document_position(document: Any, path: list[Any]) -> tuple[int, ...]:
    """Sort key placing a path where it appears in the document (keys in file order)."""
    key: list[int] = []
    node = document
    for part in path:
        if isinstance(node, Mapping):
            keys = list(node)
            key.append(keys.index(part) if part in keys else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            key.append(part)
            node = node[part] if part < len(node) else None
        else:
            break
    return tuple(key)
