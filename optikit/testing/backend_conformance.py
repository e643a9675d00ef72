"""The conformance suite for solver backends.

A backend plugin's test module subclasses :class:`BackendConformance`::

    class TestMyBackend(BackendConformance):
        backend = "my-solver"

Backends of the ``linear`` and ``cp-sat`` paradigms get reference models with known
answers from :mod:`optikit.testing.backend_cases`; a backend of another paradigm returns
its own from :meth:`BackendConformance.cases`.  Checked: registration, an availability
probe that never raises, correct statuses and objectives (``optimal`` only when proven,
``infeasible``/``unbounded`` told apart), feasible solutions, the dual sign convention of
linear backends, the time limit, the stop flag, and seeded single-thread reproducibility.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from optikit.testing.backend_cases import CASES_BY_PARADIGM, LINEAR_ROW_DUALS, BackendCase
from optikit.testing.conformance import _ConformanceBase

if TYPE_CHECKING:
    from optikit.types import Backend, SolveContext

OBJECTIVE_TOL = 1e-6


def _close(a: float, b: float, tol: float = OBJECTIVE_TOL) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


class BackendConformance(_ConformanceBase):
    """Subclass with ``backend = "name"``; override :meth:`cases` for other paradigms."""

    #: The backend under test (its ``--solver`` name).
    backend: ClassVar[str] = ""
    #: Time limit (s) for the reference models and for the time-limit test.
    time_limit: ClassVar[float] = 10.0
    limit_time: ClassVar[float] = 0.5
    # Why the reference models could not be listed at collection (reported by the test).
    _collect_error: ClassVar[str] = ""

    def cases(self) -> list[BackendCase]:
        """Reference models for this backend's paradigm."""
        backend = self.subject()
        provider = CASES_BY_PARADIGM.get(backend.paradigm)
        if provider is None:
            pytest.fail(
                f"no reference models for paradigm {backend.paradigm!r}: override "
                f"{type(self).__name__}.cases() to return BackendCase objects"
            )
        cases = provider()
        if not backend.supports_integer:
            cases = [c for c in cases if not c.integer]
        return cases

    # -- plumbing -------------------------------------------------------------------------
    @classmethod
    def subject(cls) -> Backend:
        registry = cls.registry()
        if not cls.backend:
            pytest.fail(f"{cls.__name__} must set backend")
        if cls.backend not in registry.backends:
            cls._missing(f"backend {cls.backend!r}", registry.backends)
        return registry.backends[cls.backend]

    def available_subject(self) -> Backend:
        backend = self.subject()
        availability = backend.availability()
        if not availability.available:
            pytest.skip(f"{self.backend} is unavailable here: {availability.reason}")
        return backend

    def context(self, time_limit: float | None = None, seed: int = 0,
                stop: threading.Event | None = None) -> SolveContext:
        from optikit.types import SolveContext, SolveOptions

        limit = self.time_limit if time_limit is None else time_limit
        return SolveContext(SolveOptions(time_limit=limit, threads=1, seed=seed), stop=stop)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "case" not in metafunc.fixturenames:
            return
        try:
            cases = [c for c in self.cases() if not c.hard]
        except BaseException as exc:  # a missing backend: let the test report it
            reason = str(exc) or type(exc).__name__
            metafunc.parametrize("case", [pytest.param(None, id="unavailable")])
            type(self)._collect_error = reason
            return
        metafunc.parametrize("case", cases, ids=[c.name for c in cases])

    def solve_case(self, case: BackendCase, ctx: SolveContext | None = None) -> Any:
        backend = self.available_subject()
        model = case.build()
        solve = getattr(backend, "solve", None)
        if not callable(solve):
            pytest.fail(f"backend {backend.name!r} has no solve method")
        return model, solve(model, ctx or self.context(), **dict(case.kwargs))

    # -- tests ----------------------------------------------------------------------------
    def test_registered_with_name_and_paradigm(self) -> None:
        from optikit.types import Backend

        backend = self.subject()
        assert isinstance(backend, Backend)
        assert backend.name == self.backend
        assert backend.paradigm, "a backend needs a paradigm"
        assert backend.description, "describe the backend in one line (optikit plugins)"

    def test_availability_never_raises(self) -> None:
        from optikit.types import Availability

        availability = self.subject().availability()
        assert isinstance(availability, Availability)
        if not availability.available:
            assert availability.reason, "an unavailable backend must say why"

    def test_reference_model(self, case: BackendCase | None) -> None:
        if case is None:
            self.subject()
            pytest.fail(self._collect_error or "no reference models")
        model, result = self.solve_case(case)
        assert result.status is case.status, (
            f"{case.name}: expected {case.status.value}, got {result.status.value} "
            f"({result.message})"
        )
        if case.status.has_solution:
            assert result.objective is not None
            if case.optimum is not None:
                assert _close(result.objective, case.optimum), (
                    f"{case.name}: objective {result.objective} != {case.optimum}"
                )
            if result.bound is not None:
                assert _close(result.bound, result.objective), (
                    f"{case.name}: optimal with bound {result.bound} != {result.objective}"
                )
            if case.verify is not None:
                problems = case.verify(model, result)
                assert not problems, f"{case.name}: {problems}"
        else:
            assert result.objective is None, f"{case.name}: objective without a solution"

    def test_linear_dual_convention(self) -> None:
        backend = self.available_subject()
        if backend.paradigm != "linear":
            pytest.skip("duals are defined for the linear paradigm")
        cases = {c.name: c for c in self.cases()}
        for name, expected in LINEAR_ROW_DUALS.items():
            _, result = self.solve_case(cases[name])
            if result.row_duals is None:
                pytest.skip(f"{self.backend} returns no duals")
            got = [float(v) for v in result.row_duals]
            assert all(_close(g, e, 1e-5) for g, e in zip(got, expected, strict=True)), (
                f"{name}: row duals {got}, expected d(objective)/d(bound) = {expected}"
            )

    def test_time_limit_is_respected(self) -> None:
        hard = [c for c in self.cases() if c.hard]
        if not hard:
            pytest.skip("no hard reference model for this paradigm")
        case = hard[0]
        ctx = self.context(time_limit=self.limit_time)
        started = time.monotonic()
        model, result = self.solve_case(case, ctx)
        elapsed = time.monotonic() - started
        allowed = self.limit_time + self.time_limit_slack
        assert elapsed <= allowed, (
            f"{self.backend} ran {elapsed:.2f} s with a {self.limit_time} s limit"
        )
        from optikit.types import Status

        assert result.status in (Status.FEASIBLE, Status.OPTIMAL, Status.UNKNOWN), (
            f"{case.name}: {result.status.value} ({result.message})"
        )
        if result.status is Status.FEASIBLE and result.bound is not None:
            assert result.objective is not None
        if result.status.has_solution and case.verify is not None:
            assert not case.verify(model, result)

    def test_stop_flag_is_honoured(self) -> None:
        from optikit.types import Status

        hard = [c for c in self.cases() if c.hard] or self.cases()
        stop = threading.Event()
        stop.set()
        _, result = self.solve_case(hard[0], self.context(stop=stop))
        assert result.status in (Status.UNKNOWN, Status.FEASIBLE, Status.OPTIMAL), (
            f"a pre-set stop flag gave {result.status.value} ({result.message})"
        )

    def test_seeded_single_thread_run_is_reproducible(self) -> None:
        solvable = [c for c in self.cases() if c.status.has_solution and not c.hard]
        if not solvable:
            pytest.skip("no solvable reference model")
        case = solvable[-1]
        first = self.solve_case(case, self.context(seed=7))[1]
        second = self.solve_case(case, self.context(seed=7))[1]
        assert (first.status, first.objective, first.bound) == (
            second.status, second.objective, second.bound
        )
        x1, x2 = getattr(first, "x", None), getattr(second, "x", None)
        if x1 is not None and x2 is not None:
            assert list(x1) == list(x2), "same seed, one thread: different solutions"
