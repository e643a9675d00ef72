"""Deciding how to solve: which formulation, which backend, which options.

:func:`make_plan` is the one place where a solve is planned.  It probes each candidate
backend's availability once (through the registry's cache), validates and converts the
``--option`` keys against what the chosen formulation and backend declare, and returns a
:class:`SolvePlan` that :func:`optikit.runner.execute` carries out.  Every reason a solve
cannot start is a :class:`~optikit.types.UsageError` raised here, before any solver runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from optikit.options import OptionDecl, OptionSpec, resolve_options, with_defaults
from optikit.problem_io import LoadedProblem
from optikit.registry import Registry
from optikit.types import Backend, Formulation, SolveOptions, UsageError


@dataclass(frozen=True)
class SolvePlan:
    """A solve that can start: the problem, how to model it, what runs it, with what.

    ``options.extra`` holds the user's options, validated and converted;
    ``formulation_options`` every option the formulation declares (user's or default).
    """

    loaded: LoadedProblem
    formulation: Formulation
    backend: Backend
    options: SolveOptions
    formulation_options: Mapping[str, Any]


def _fits(formulation: Formulation, backend: Backend, problem: Any) -> bool:
    if not backend.implements(formulation.paradigm):
        return False
    return backend.supports_integer or not formulation.needs_integer(problem)


def _choose(
    loaded: LoadedProblem,
    registry: Registry,
    solver: str | None,
    formulation: str | None,
) -> tuple[Backend, Formulation]:
    ptype = loaded.ptype
    by_name = {f.name: f for f in ptype.formulations}
    wanted: Formulation | None = None
    if formulation is not None:
        if formulation not in by_name:
            raise UsageError(
                f"problem type {ptype.name!r} has no formulation {formulation!r} "
                f"(known: {', '.join(by_name)})",
                field="formulation",
            )
        wanted = by_name[formulation]
    offered = [wanted] if wanted is not None else list(ptype.formulations)

    if solver is not None:
        backend = registry.backend(solver)
        status = registry.availability(backend)
        if not status.available:
            raise UsageError(f"solver {solver!r} is unavailable: {status.reason}", field="solver")
        paradigm_ok = [f for f in offered if backend.implements(f.paradigm)]
        if not paradigm_ok:
            paradigms = sorted({str(f.paradigm) for f in offered})
            raise UsageError(
                f"solver {solver!r} ({', '.join(sorted(backend.paradigms))}) cannot solve "
                f"{ptype.name!r} problems"
                + (f" with formulation {formulation!r}" if formulation else "")
                + f"; it needs a {' or '.join(paradigms)} solver",
                field="solver",
            )
        for f in paradigm_ok:
            if _fits(f, backend, loaded.problem):
                return backend, f
        integer_solvers = [
            n for n, b in sorted(registry.backends.items())
            if b.supports_integer and any(b.implements(f.paradigm) for f in paradigm_ok)
        ]
        raise UsageError(
            f"solver {solver!r} solves continuous models only and this problem needs "
            f"integer variables; choose a MILP solver such as {', '.join(integer_solvers)}",
            field="solver",
        )

    # No solver named: the type's preferences first, then anything that fits.
    names = list(dict.fromkeys([*ptype.default_solvers, *sorted(registry.backends)]))
    tried: list[str] = []
    for name in names:
        backend_or_none = registry.backends.get(name)
        if backend_or_none is None:
            continue
        backend = backend_or_none
        fitting = [f for f in offered if _fits(f, backend, loaded.problem)]
        if not fitting:
            continue
        status = registry.availability(backend)
        if not status.available:
            tried.append(f"{name} ({status.reason})")
            continue
        return backend, fitting[0]
    detail = f"; unavailable: {'; '.join(tried)}" if tried else ""
    raise UsageError(
        f"no installed solver can solve {ptype.name!r} problems"
        + (f" with formulation {formulation!r}" if formulation else "")
        + detail,
        field="solver",
    )


def backend_declarations(backend: Backend) -> Sequence[OptionDecl]:
    try:
        return tuple(backend.options())
    except Exception as exc:  # a plugin bug must not hide behind a confusing message
        raise UsageError(f"solver {backend.name!r} cannot list its options: {exc}") from None


def make_plan(
    loaded: LoadedProblem,
    registry: Registry,
    *,
    solver: str | None = None,
    formulation: str | None = None,
    options: SolveOptions | None = None,
) -> SolvePlan:
    """Choose backend and formulation, and validate ``options.extra`` against both."""
    options = options or SolveOptions()
    backend, chosen = _choose(loaded, registry, solver, formulation)
    declared: Sequence[OptionSpec] = tuple(chosen.options)
    extra = resolve_options(
        options.extra,
        declared,
        backend_declarations(backend),
        owner=f"{loaded.ptype.name} formulation {chosen.name!r} on solver {backend.name!r}",
    )
    return SolvePlan(
        loaded=loaded,
        formulation=chosen,
        backend=backend,
        options=replace(options, extra=extra),
        formulation_options=with_defaults(declared, extra),
    )
