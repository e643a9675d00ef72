"""The public data types shared by the core and every plugin.

Plugins build :class:`ProblemType`, :class:`Formulation`, :class:`Backend` and
:class:`Reader` objects and hand them to the core through the registration hooks in
:mod:`optikit.hookspecs`.  The core never imports a plugin and never names a problem
type; everything it knows about a type comes through these objects.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from optikit.options import OptionDecl, OptionSpec

B = TypeVar("B", bound="Backend")


class Paradigm(enum.StrEnum):
    """The kinds of model a backend accepts (see :mod:`optikit.paradigms`).

    A formulation builds a model of one paradigm; a backend declares the paradigms it
    implements.  Plugins may add paradigms of their own as plain strings.
    """

    LINEAR = "linear"
    """LP/MILP: :class:`optikit.paradigms.LinearModel` -> ``LinearResult``."""
    CP_SAT = "cp-sat"
    """An OR-Tools ``CpModel`` -> ``CpResult``."""
    QUADRATIC = "quadratic"
    """A linear model plus bilinear terms (:class:`optikit.paradigms.QuadraticModel`),
    solved to global optimality -> ``LinearResult``."""


class Status(enum.StrEnum):
    """The outcome of a solve, as written in the solution document.

    ``optimal`` is only ever claimed when optimality was proven to the requested gap;
    a run stopped by a limit with an incumbent is ``feasible``.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


def one_line(text: str) -> str:
    """``text`` safe to print as one terminal line: control characters are escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class OptikitError(Exception):
    """Base class of every error optikit reports to a user without a traceback."""


class InvalidProblem(OptikitError):
    """A problem document breaks its type's rules.

    ``field`` is a path into the document in the form users read it,
    e.g. ``materials[3].cost``; the CLI prints ``FILE: FIELD: MESSAGE``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class InputError(OptikitError):
    """Input optikit refuses: a problem file, a document, an option.

    The one exception type the Python API raises for bad input.  ``source`` is the file
    (or ``<document>``, or the option's name), ``field`` the path of the offending field
    (``materials[3].cost``; empty when the whole input is wrong), ``message`` what is
    wrong.  ``str(error)`` is the one line the CLI prints.
    """

    def __init__(self, source: str, field: str, message: str) -> None:
        parts = [p for p in (source, field, message) if p]
        super().__init__(one_line(": ".join(parts)))
        self.source = source
        self.field = field
        self.message = message


class UsageError(InputError):
    """The user asked for something that cannot be done (unknown solver, bad option)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__("", field, message)


@dataclass(frozen=True)
class SolveOptions:
    """Limits and knobs common to every backend.

    ``extra`` carries ``--option key=value`` pairs through to formulations and
    backends, which must reject keys they do not understand (never ignore them silently).
    """

    time_limit: float | None = 60.0
    threads: int = 1
    seed: int = 0
    gap: float = 1e-6
    verbose: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgressEvent:
    """An incumbent and/or bound observed at ``time_s`` seconds into the solve."""

    time_s: float
    objective: float | None = None
    bound: float | None = None
    source: str = ""


class SolveContext:
    """What a formulation and a backend see of the run they are part of.

    It carries the options, the wall-clock deadline (so every stage of a multi-stage
    method shares one time budget), the stop flag set by Ctrl-C, and the progress sink.
    """

    def __init__(
        self,
        options: SolveOptions,
        on_progress: Callable[[ProgressEvent], None] | None = None,
        stop: threading.Event | None = None,
        log: Callable[[str], None] | None = None,
        *,
        started: float | None = None,
        backends: Callable[[str], Backend | None] | None = None,  # available ones only
        formulation_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = options
        # The deadline counts from ``started`` (monotonic), by default now; the CLI passes
        # the moment the command started, so that loading counts against the limit too.
        self.started = time.monotonic() if started is None else started
        limit = options.time_limit
        self.deadline: float | None = None if limit is None else self.started + limit
        self.stop = stop if stop is not None else threading.Event()
        self.trajectory: list[ProgressEvent] = []
        self._on_progress = on_progress
        self._log = log
        self._backends = backends if backends is not None else (lambda name: None)
        self._formulation_options = dict(formulation_options or {})

    def option(self, name: str) -> Any:
        """The value of one of the formulation's declared options (the user's or the
        default), already converted to its declared type."""
        try:
            return self._formulation_options[name]
        except KeyError:
            raise KeyError(f"option {name!r} is not declared by this formulation") from None

    def options_for(self, specs: Sequence[OptionSpec]) -> dict[str, Any]:
        """Every option in ``specs``: the planned value, else the user's (converted), else
        the default.  For formulation code that may also run under a context built by hand
        (tests, sub-solves), where the plan did not fill the values in."""
        out: dict[str, Any] = {}
        for spec in specs:
            if spec.name in self._formulation_options:
                out[spec.name] = self._formulation_options[spec.name]
            elif spec.name in self.options.extra:
                out[spec.name] = spec.convert(self.options.extra[spec.name])
            else:
                out[spec.name] = spec.default
        return out

    def backend_options(self, prefix: str) -> dict[str, Any]:
        """The user's options for one backend (``prefix`` such as ``"highs."``), with the
        prefix removed; already validated by the backend's declarations."""
        return {
            key[len(prefix):]: value
            for key, value in self.options.extra.items()
            if key.startswith(prefix)
        }

    def backend(self, name: str) -> Backend | None:
        """Another registered, available backend, for formulations that combine solvers
        (a MILP run that computes a reference schedule with CP-SAT, say); None if absent."""
        return self._backends(name)

    def backend_of(self, name: str, kind: type[B]) -> B | None:
        """:meth:`backend`, narrowed to a paradigm's backend class (None if it is not one)."""
        found = self.backend(name)
        return found if isinstance(found, kind) else None

    def narrowed(
        self,
        seconds: float | None = None,
        *,
        end: float | None = None,
        past_deadline: bool = False,
        progress: bool = False,
        stop: threading.Event | None = None,
        **options: Any,
    ) -> SolveContext:
        """A context for one sub-solve of this run: a stage, an LNS step, a clean-up LP.

        Its deadline is the earliest of ``seconds`` from now, the instant ``end`` (seconds
        since the run started, as :meth:`elapsed` counts them) and this run's deadline, so a
        stage never takes time the run does not have.  ``past_deadline`` lets ``seconds`` or
        ``end`` reach beyond the run's deadline: only for a clean-up solve that is tiny next
        to the run (an LP with the integers fixed, for duals), which the command's grace
        covers.

        It keeps the run's clock, log, backends and formulation options, and its stop flag
        unless ``stop`` gives one of the caller's own (a watchdog's; it must be set whenever
        the run's is).  With ``progress`` its incumbents and bounds reach the run's progress:
        only when the sub-solve's objective is the run's (not a relaxation's).  ``options``
        replace fields of :class:`SolveOptions` (``gap=1e-3``); the time limit is set through
        ``seconds`` and ``end`` alone, so that it can never be extended by accident.
        """
        if "time_limit" in options:
            raise TypeError("narrowed() takes the time limit as seconds= or end=")
        now = time.monotonic()
        asked = [self.started + end] if end is not None else []
        if seconds is not None:
            asked.append(now + max(0.0, seconds))
        if self.deadline is not None and not (past_deadline and asked):
            asked.append(self.deadline)
        deadline = min(asked, default=None)
        limit = None if deadline is None else deadline - self.started
        sub = SolveContext(
            replace(self.options, time_limit=limit, **options),
            on_progress=self._forward if progress else None,
            stop=self.stop if stop is None else stop,
            log=self.log,
            started=self.started,
            backends=self._backends,
            formulation_options=self._formulation_options,
        )
        sub.deadline = deadline  # exactly this instant, not started + (deadline - started)
        return sub

    def _forward(self, event: ProgressEvent) -> None:
        self.report(event.objective, event.bound, event.source)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None without a limit."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def expired(self) -> bool:
        remaining = self.remaining()
        return self.stop.is_set() or (remaining is not None and remaining <= 0.0)

    def report(
        self, objective: float | None = None, bound: float | None = None, source: str = ""
    ) -> None:
        """Record a new incumbent objective and/or bound (in the problem's own units)."""
        event = ProgressEvent(self.elapsed(), objective, bound, source)
        self.trajectory.append(event)
        if self._on_progress is not None:
            self._on_progress(event)

    def log(self, message: str) -> None:
        """Verbose diagnostics; shown on stderr only with ``--verbose``."""
        if self._log is not None and self.options.verbose:
            self._log(message)


@dataclass
class Outcome:
    """What a formulation returns: the solver's claim, before the core checks it.

    ``objective`` and ``bound`` are in the problem's own units and sense.  ``analysis``
    holds type-specific explanations (shadow prices, binding constraints, infeasibility
    diagnosis) that are copied into the solution document under ``analysis``.
    """

    status: Status
    payload: dict[str, Any] | None = None
    objective: float | None = None
    bound: float | None = None
    analysis: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Violation:
    """One broken rule found by a checker. ``amount`` says by how much, where it applies."""

    constraint: str
    message: str
    amount: float | None = None


@dataclass
class CheckReport:
    """A checker's verdict, computed from the problem and the payload alone."""

    objective: float | None
    violations: list[Violation] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def ok(self) -> bool:
        """True when the checker found nothing wrong (the same as ``feasible``)."""
        return not self.violations


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, why (never an exception)."""

    available: bool
    reason: str = ""
    version: str = ""


# A formulation's entry point: (parsed problem, backend, context) -> Outcome.  The backend
# implements the formulation's paradigm (the plan guarantees it), so formulations annotate
# it with that paradigm's protocol (``optikit.paradigms.LinearSolver``, ``CpSatSolver``...).
SolveFunction = Callable[[Any, Any, SolveContext], Outcome]


@dataclass(frozen=True)
class Formulation:
    """One way of modelling a problem type for one backend paradigm.

    ``paradigm`` is the kind of model it builds (a :class:`Paradigm`, or any paradigm a
    plugin defines); it runs on backends that implement that paradigm.
    ``needs_integer`` says, for a parsed problem, whether this formulation builds
    integer variables, so that pure LP backends are refused with a clear message.
    ``options`` declares its ``--option`` keys; the core refuses undeclared ones and
    hands the converted values to the run as ``ctx.option(name)``.
    """

    name: str
    paradigm: Paradigm | str
    solve: SolveFunction
    description: str = ""
    needs_integer: Callable[[Any], bool] = field(default=lambda problem: False)
    options: Sequence[OptionSpec] = ()


@dataclass(frozen=True)
class ProblemType:
    """Everything the core needs to read, solve, check and show one problem type.

    - ``schema``: the JSON Schema of the problem document (top-level keys, no wrapper).
    - ``parse``: document -> problem object; raises :class:`InvalidProblem` with a field
      path for rules a schema cannot say (unique ids, references, sums).
    - ``check``: the independent checker: recomputes feasibility and the objective from
      the payload alone, never from solver internals.
    - ``formulations``: the models offered, in order of preference.
    - ``generate``: ``(seed, size) -> document`` for random instances of a given size
      (``"tiny"``, ``"small"``, ``"medium"``, ``"large"`` or a plugin-defined name).
    - ``summarize``: key figures for the human summary, as (label, text) rows.
    - ``plots``: named renderers, e.g. ``{"gantt": draw(problem, document, path)}``.
    - ``samples``: sample problem files shipped with the plugin.
    """

    name: str
    schema: Mapping[str, Any]
    parse: Callable[[Mapping[str, Any]], Any]
    check: Callable[[Any, Mapping[str, Any]], CheckReport]
    formulations: Sequence[Formulation]
    description: str = ""
    sense: str = "min"
    default_solvers: Sequence[str] = ()
    generate: Callable[[int, str], dict[str, Any]] | None = None
    summarize: Callable[[Any, Mapping[str, Any]], list[tuple[str, str]]] | None = None
    plots: Mapping[str, Callable[[Any, Mapping[str, Any], Path], None]] = field(
        default_factory=dict
    )
    samples: Sequence[Path] = ()
    replan: Replanning | None = None
    """Optional re-planning capability (since API 2.2); None: ``optikit replan`` refuses
    the type with a one-line message."""


@dataclass(frozen=True)
class Replanning:
    """A problem type's re-planning capability: amend an existing plan after events.

    The core reads the events document, validates it against ``events_schema`` and calls
    ``prepare(problem, document, old_payload, events)`` (the parsed problem and its
    document), which returns a *task* object (the amended problem plus everything fixed by
    the events) or raises :class:`InvalidProblem` with a field path into the events
    document (a :class:`UsageError` when the problem itself cannot be re-planned).  The
    old payload has already passed the type's checker.  The task is then
    solved and checked exactly like a problem:

    - ``formulations`` solve it: ``solve(task, backend, ctx) -> Outcome``;
    - ``check(task, payload)`` is the independent checker of the new plan: the type's own
      rules on the amended problem plus the re-planning rules (frozen operations kept,
      events respected).  Its ``figures["replan"]`` (a JSON mapping: the disruption
      against the old plan) is copied to the solution document's ``replan`` key;
    - ``summarize(task, document)`` gives the summary rows;
    - ``problem_document(task)`` the amended problem document, in the type's format;
    - ``repaired(task)`` the answer of last resort: the old plan repaired and checked, as a
      ``feasible`` :class:`Outcome` (or an ``unknown`` one saying why there is none).  The
      core works it out right after ``prepare``, before any model is built, so that a
      re-plan whose time runs out (start-up included) still answers with it; the type
      remembers it on the task, so that its formulations reuse it.
    """

    events_schema: Mapping[str, Any]
    prepare: Callable[[Any, Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], Any]
    formulations: Sequence[Formulation]
    check: Callable[[Any, Mapping[str, Any]], CheckReport]
    summarize: Callable[[Any, Mapping[str, Any]], list[tuple[str, str]]] | None = None
    problem_document: Callable[[Any], dict[str, Any]] | None = None
    default_solvers: Sequence[str] = ()
    repaired: Callable[[Any], Outcome] | None = None


class Backend:
    """A solver backend.  Subclass a paradigm's base class and register an instance.

    The base classes in :mod:`optikit.paradigms` (``LinearBackend``, ``CpSatBackend``,
    ``QuadraticBackend``) fix the ``solve`` signature of each paradigm, so that mypy
    checks a backend against the models formulations hand it.  ``paradigm`` is the main
    paradigm; ``paradigms`` all it implements (a global solver that takes linear and
    quadratic models, say).  Backends map the common options (time limit from
    ``ctx.remaining()``, threads, seed, gap) onto their solver and report incumbents
    through ``ctx.report``.
    """

    name: str = ""
    paradigm: Paradigm | str = ""
    description: str = ""
    supports_integer: bool = True

    @property
    def paradigms(self) -> frozenset[str]:
        """Every paradigm this backend implements (by default just ``paradigm``)."""
        return frozenset({str(self.paradigm)})

    def implements(self, paradigm: Paradigm | str) -> bool:
        return str(paradigm) in self.paradigms

    def availability(self) -> Availability:
        """Probe the solver; must never raise."""
        return Availability(True)

    def options(self) -> Sequence[OptionDecl]:
        """The ``--option`` keys this backend takes, each starting with ``NAME.``."""
        return ()



@dataclass(frozen=True)
class Reader:
    """Reads a standard instance format (chosen by file extension) into a problem document."""

    name: str
    extensions: tuple[str, ...]
    problem_type: str
    read: Callable[[Path], dict[str, Any]]
    description: str = ""
