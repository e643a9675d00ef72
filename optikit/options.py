"""``--option KEY=VALUE``: one mechanism for every formulation and backend.

Formulations declare their options as :class:`OptionSpec` rows (name, type, default,
help); backends declare theirs under their own prefix (``highs.presolve``), either as
rows or as an :class:`OptionNamespace` for solvers with hundreds of parameters (CP-SAT's
``cpsat.<any SatParameters field>``), checked by the backend itself.  The core validates
and converts every key once, before the solve starts, so an unknown key or a bad value is
refused with the list of known ones, whatever the problem type.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.types import UsageError

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
OptionValue = bool | int | float | str


@dataclass(frozen=True)
class OptionSpec:
    """One named option: its type, default and a line of help.

    ``kind`` is ``bool``, ``int``, ``float`` or ``str``; ``choices`` restricts a value to
    a set; ``minimum``/``maximum`` bound numbers (inclusive).
    """

    name: str
    kind: type
    default: Any
    help: str = ""
    choices: tuple[OptionValue, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in (bool, int, float, str):
            raise TypeError(f"option {self.name!r}: kind must be bool, int, float or str")

    def convert(self, raw: Any, key: str | None = None) -> OptionValue:
        """``raw`` (a string from the command line, or a Python value) in this type."""
        key = key or self.name
        value = _convert_kind(self.kind, raw, key)
        if self.choices and value not in self.choices:
            raise UsageError(
                f"option {key} must be one of {', '.join(map(str, self.choices))}, not {raw!r}"
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                raise UsageError(f"option {key} must be >= {self.minimum:g}, not {raw!r}")
            if self.maximum is not None and value > self.maximum:
                raise UsageError(f"option {key} must be <= {self.maximum:g}, not {raw!r}")
        return value

    def describe(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": self.name,
            "type": self.kind.__name__,
            "default": self.default,
            "help": self.help,
        }
        if self.choices:
            row["choices"] = list(self.choices)
        if self.minimum is not None:
            row["minimum"] = self.minimum
        if self.maximum is not None:
            row["maximum"] = self.maximum
        return row


@dataclass(frozen=True)
class OptionNamespace:
    """Every key ``PREFIX<name>`` of a solver with too many parameters to list one by one.

    ``convert(name, raw)`` checks a parameter name and converts its value, raising
    :class:`UsageError` for an unknown name or a bad value; ``names()`` lists the known
    names for help and for suggestions.
    """

    prefix: str
    help: str
    convert: Callable[[str, Any], OptionValue]
    names: Callable[[], Iterable[str]] = field(default=lambda: ())

    def describe(self) -> dict[str, Any]:
        return {"name": f"{self.prefix}<name>", "type": "parameter", "default": None,
                "help": self.help}


OptionDecl = OptionSpec | OptionNamespace


def _convert_kind(kind: type, raw: Any, key: str) -> OptionValue:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise UsageError(f"option {key} must be true or false, not {raw!r}")
    if kind is int:
        if isinstance(raw, bool):
            raise UsageError(f"option {key} must be an integer, not {raw!r}")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            text = str(raw).strip()
            if len(text) > 40:
                raise ValueError
            return int(text)
        except ValueError:
            raise UsageError(f"option {key} must be an integer, not {raw!r}") from None
    if kind is float:
        if isinstance(raw, bool):
            raise UsageError(f"option {key} must be a number, not {raw!r}")
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise UsageError(f"option {key} must be a number, not {raw!r}") from None
        if not math.isfinite(value):
            raise UsageError(f"option {key} must be a finite number, not {raw!r}")
        return value
    return str(raw)


def _closest(key: str, known: Sequence[str]) -> str:
    hint = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def resolve_options(
    raw: Mapping[str, Any],
    formulation_options: Sequence[OptionSpec],
    backend_options: Sequence[OptionDecl],
    *,
    owner: str,
) -> dict[str, OptionValue]:
    """Validate and convert user options; unknown keys are refused with the known ones.

    ``owner`` names what the options are for in messages (``fjsp/cpsat on cpsat``).
    Only keys the user gave are returned; defaults stay with the declarations.
    """
    specs: dict[str, OptionSpec] = {s.name: s for s in formulation_options}
    namespaces: list[OptionNamespace] = []
    for decl in backend_options:
        if isinstance(decl, OptionNamespace):
            namespaces.append(decl)
        else:
            specs[decl.name] = decl
    out: dict[str, OptionValue] = {}
    for key, value in raw.items():
        key = str(key).strip()
        spec = specs.get(key)
        if spec is not None:
            out[key] = spec.convert(value, key)
            continue
        space = next((n for n in namespaces if key.startswith(n.prefix)), None)
        if space is not None and len(key) > len(space.prefix):
            out[key] = space.convert(key[len(space.prefix):], value)
            continue
        known = sorted([*specs, *(f"{n.prefix}<name>" for n in namespaces)])
        candidates = [*specs, *(n.prefix + name for n in namespaces for name in n.names())]
        listing = ", ".join(known) if known else "none"
        raise UsageError(
            f"unknown option {key!r} for {owner} (known: {listing}){_closest(key, candidates)}"
        )
    return out


def with_defaults(
    declared: Sequence[OptionSpec], given: Mapping[str, Any]
) -> dict[str, OptionValue]:
    """Every declared option's value: the user's where given, else the default."""
    return {s.name: given.get(s.name, s.default) for s in declared}
