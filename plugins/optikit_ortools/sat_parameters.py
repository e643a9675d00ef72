"""Set CP-SAT parameters by name, with values as a user or formulation wrote them.

Values may come from ``--option key=value`` (strings) or from Python code (typed), so each
value is converted to the field's type; an unknown name or an unconvertible value is a
:class:`~optikit.types.UsageError` that names the parameter, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.types import UsageError

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}

#: Parameters optikit fixes, with the only value it accepts and why.  CP-SAT's
#: ``catch_sigint_signal`` (on by default) installs a C SIGINT handler from the solve's
#: thread over Python's and resets SIGINT to the default action when the solve ends: with
#: the LNS's many short solves a Ctrl-C then lands in a handler whose solve has ended (heap
#: corruption, exit 134), is swallowed (the run goes on to its limit), or kills the process.
#: Ctrl-C belongs to optikit, which stops CP-SAT through ``stop_search``.
FIXED = {
    "catch_sigint_signal": (
        False,
        "optikit handles Ctrl-C itself; CP-SAT's own SIGINT handler breaks it",
    ),
}


def keep_python_sigint(params: Any) -> None:
    """Leave SIGINT to Python: call on every ``SatParameters`` before a solve."""
    params.catch_sigint_signal = False


def is_parameter(params: Any, name: str) -> bool:
    """True when ``name`` is a field of SatParameters (not a method or an enum constant).

    Scalar fields come with a ``clear_<name>`` method; repeated fields are containers.
    """
    if name.startswith("_") or not hasattr(params, name):
        return False
    return hasattr(params, f"clear_{name}") or _is_repeated(getattr(params, name))


def _is_repeated(value: Any) -> bool:
    return type(value).__name__.startswith("repeated_")


def _scratch() -> Any:
    """A throw-away parameters object of the same kind the solver uses."""
    from ortools.sat.python import cp_model

    return cp_model.CpSolver().parameters


def check_parameter(name: str, value: Any) -> Any:
    """``value`` unchanged if ``name=value`` can be set on SatParameters; else UsageError.

    Used when options are validated, before any solve, so that a misspelt parameter is
    refused at once instead of after model building.
    """
    apply_parameters(_scratch(), {name: value})
    return value


def parameter_names() -> list[str]:
    """Every settable SatParameters field, for help and suggestions."""
    params = _scratch()
    return sorted(n for n in dir(params) if is_parameter(params, n))


def apply_parameters(params: Any, values: Mapping[str, Any]) -> None:
    """Set each ``name: value`` on a ``SatParameters`` object, converting the value's type."""
    for name, value in values.items():
        if not is_parameter(params, name):
            raise UsageError(f"unknown CP-SAT parameter {name!r}")
        current = getattr(params, name)
        try:
            _set(params, name, current, value)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"CP-SAT parameter {name!r}: {exc}") from None
        if name in FIXED and getattr(params, name) != FIXED[name][0]:
            fixed, why = FIXED[name]
            raise UsageError(f"CP-SAT parameter {name!r} must stay {str(fixed).lower()}: {why}")


def _set(params: Any, name: str, current: Any, value: Any) -> None:
    if isinstance(current, bool):
        setattr(params, name, _to_bool(value))
    elif isinstance(current, int):
        setattr(params, name, _to_int(value))
    elif isinstance(current, float):
        setattr(params, name, float(value))
    elif isinstance(current, str):
        setattr(params, name, str(value))
    elif hasattr(type(current), "__members__"):
        setattr(params, name, _to_enum(type(current), value))
    elif _is_repeated(current):
        _set_repeated(params, name, value)
    else:  # pragma: no cover - a field kind this module does not know yet
        raise TypeError(f"unsupported parameter kind {type(current).__name__}")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected an integer, got {value!r}") from None


def _to_enum(enum_type: Any, value: Any) -> Any:
    if isinstance(value, enum_type):
        return value
    members: Mapping[str, Any] = enum_type.__members__
    key = str(value).strip().upper()
    if key not in members:
        raise ValueError(f"expected one of {', '.join(members)}, got {value!r}")
    return members[key]


def _set_repeated(params: Any, name: str, value: Any) -> None:
    """Replace a repeated field; a string is read as a comma-separated list."""
    kind = type(getattr(params, name)).__name__
    if not kind.startswith("repeated_scalar"):
        raise TypeError("message-valued parameters cannot be set by name")
    quoted = kind.endswith("string")
    items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    tokens = [_quote(str(item)) if quoted else str(item) for item in items]
    getattr(params, name).clear()
    text = " ".join(f"{name}: {token}" for token in tokens)
    if text and not params.merge_text_format(text):
        raise ValueError(f"cannot set {list(items)!r}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def solve_in_flight(solver: Any, model: Any, callback: Any = None) -> Any:
    """``solver.solve(model, callback)``, stopped and waited for if the interpreter exits
    meanwhile (:mod:`optikit.native_exit`): CP-SAT's worker threads running under
    interpreter shutdown abort the process."""
    from optikit.native_exit import in_flight

    with in_flight(solver.stop_search):
        return solver.solve(model, callback)
