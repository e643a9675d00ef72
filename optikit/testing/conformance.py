"""The conformance suite for problem types.

A plugin's test module subclasses :class:`ProblemTypeConformance` once per problem type::

    class TestMaintenanceConformance(ProblemTypeConformance):
        problem_type = "maintenance"

        def corruptions(self, problem, payload):
            bad = copy.deepcopy(payload)
            bad["maintenance"][0]["start"] += 1
            yield "maintenance task moved without its end", bad

pytest then runs every ``test_*`` method below against the plugin as installed (entry
points), for every solver that can solve the type.  What is checked, in the words of the
plugin contract:

- the type is registered and its schema is valid JSON Schema (draft 2020-12), JSON-clean,
  and the one ``optikit schema`` prints;
- samples exist and validate; documents survive a JSON and a YAML round trip;
- the generator is seeded (same seed, same document) and its documents validate;
- a tiny instance solves with correct status semantics (``optimal`` only when proven);
- the time limit is respected and a pre-set stop flag ends the solve cleanly;
- the checker agrees with the solver and rejects corrupted solutions;
- a seeded single-thread run is reproducible (timings aside).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from optikit.testing.assertions import assert_checked_solution, assert_status_semantics
from optikit.testing.corruption import generic_corruptions
from optikit.testing.determinism import timing_differences
from optikit.testing.harness import OptikitCli, PluginSpec, isolated_registry

if TYPE_CHECKING:
    from optikit.problem_io import LoadedProblem
    from optikit.registry import Registry
    from optikit.runner import SolveResult
    from optikit.types import ProblemType, SolveOptions

# Registries and solve results are shared by all tests of one conformance class.
_REGISTRIES: dict[tuple[Any, ...], Registry] = {}


def _cached_registry(cls: type[_ConformanceBase]) -> Registry:
    key = (
        cls.entry_points,
        tuple(cls.load_plugins) if cls.load_plugins is not None else None,
        tuple(repr(p) for p in cls.plugins),
    )
    if key not in _REGISTRIES:
        _REGISTRIES[key] = isolated_registry(
            *cls.plugins, entry_points=cls.entry_points, load=cls.load_plugins
        )
    return _REGISTRIES[key]


class _ConformanceBase:
    """Options shared by the problem-type and backend suites."""

    #: Plugin modules (or names, or ``(name, module)`` pairs) to load besides entry points.
    plugins: ClassVar[Sequence[PluginSpec]] = ()
    #: Load the installed plugins (entry-point group ``optikit``), as users get them.
    entry_points: ClassVar[bool] = True
    #: Restrict the entry points loaded (like ``OPTIKIT_LOAD_PLUGINS``); None loads all.
    load_plugins: ClassVar[Sequence[str] | None] = None
    #: If set, skip (with this reason) instead of failing when the subject is not registered
    #: (for suites written before the plugin they test is finished).
    skip_if_missing: ClassVar[str] = ""
    #: Extra seconds allowed beyond a time limit (model building, process noise).
    time_limit_slack: ClassVar[float] = 5.0

    @classmethod
    def registry(cls) -> Registry:
        """The registry the suite runs against (built once per class)."""
        return _cached_registry(cls)

    @classmethod
    def cli(cls) -> OptikitCli:
        return OptikitCli(cls.registry())

    @classmethod
    def _missing(cls, what: str, known: Iterable[str]) -> None:
        registry = cls.registry()
        broken = "; ".join(f"{p.name}: {p.error}" for p in registry.broken)
        reason = (
            f"{what} is not registered (registered: {', '.join(sorted(known)) or 'none'})"
            + (f"; plugins that failed to load: {broken}" if broken else "")
            + ("" if cls.plugins else "; is the plugin installed (pip install -e .)?")
        )
        if cls.skip_if_missing:
            pytest.skip(f"{cls.skip_if_missing}: {reason}")
        pytest.fail(reason)


class ProblemTypeConformance(_ConformanceBase):
    """Subclass with ``problem_type = "name"``; override the hooks below as needed."""

    #: The problem type under test (required).
    problem_type: ClassVar[str] = ""
    #: Solvers to run; None: the type's available ``default_solvers``, else every
    #: available backend with a fitting formulation.
    solvers: ClassVar[Sequence[str] | None] = None
    #: Generator size and seed of the tiny instance every solver must solve.
    size: ClassVar[str] = "tiny"
    seed: ClassVar[int] = 0
    #: Time limit (s) for solving the tiny instance.
    time_limit: ClassVar[float] = 5.0
    #: The tiny instance is expected to be solved to proven optimality in that time.
    expect_optimal: ClassVar[bool] = True
    #: Instance size and limit (s) for the time-limit test.
    limit_size: ClassVar[str] = "small"
    limit_time: ClassVar[float] = 0.5
    #: Fail when the type ships no sample problem files.
    require_samples: ClassVar[bool] = True

    # -- hooks a plugin overrides ---------------------------------------------------------
    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        """Type-specific ``(label, corrupted payload)`` pairs the checker must reject.

        ``payload`` is a private deep copy of a solved tiny instance's payload; mutate
        copies of it so that one constraint of the type is broken (an overlap, a
        capacity exceeded, a wrong id...).  At least one is required.
        """
        return ()

    def tiny_document(self) -> dict[str, Any]:
        """The tiny instance: the generator's, or else the smallest sample."""
        ptype = self.ptype()
        if ptype.generate is not None:
            return ptype.generate(self.seed, self.size)
        return self._smallest_sample_document()

    def limit_document(self) -> dict[str, Any] | None:
        """An instance not solved at once, for the time-limit test (None to skip it)."""
        ptype = self.ptype()
        if ptype.generate is None:
            return None
        return ptype.generate(self.seed, self.limit_size)

    # -- plumbing -------------------------------------------------------------------------
    @classmethod
    def ptype(cls) -> ProblemType:
        registry = cls.registry()
        if not cls.problem_type:
            pytest.fail(f"{cls.__name__} must set problem_type")
        if cls.problem_type not in registry.problem_types:
            cls._missing(f"problem type {cls.problem_type!r}", registry.problem_types)
        return registry.problem_types[cls.problem_type]

    @classmethod
    def solver_names(cls) -> list[str]:
        """The solvers the solve tests run with (see :attr:`solvers`)."""
        if cls.solvers is not None:
            return list(cls.solvers)
        registry = cls.registry()
        ptype = registry.problem_types.get(cls.problem_type)
        if ptype is None:
            return []
        paradigms = {f.paradigm for f in ptype.formulations}

        def usable(name: str) -> bool:
            backend = registry.backends.get(name)
            if backend is None or backend.paradigm not in paradigms:
                return False
            try:
                return backend.availability().available
            except Exception:
                return False

        preferred = [n for n in ptype.default_solvers if usable(n)]
        if preferred:
            return preferred
        return [n for n in sorted(registry.backends) if usable(n)]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "solver" not in metafunc.fixturenames:
            return
        names = type(self).solver_names()
        if names:
            metafunc.parametrize("solver", names)
        else:
            metafunc.parametrize("solver", [pytest.param(None, id="no-solver")])

    def _require_solver(self, solver: str | None) -> str:
        self.ptype()
        if solver is None:
            registry = self.registry()
            pytest.fail(
                f"no available solver can solve {self.problem_type!r} problems "
                f"(backends: {', '.join(sorted(registry.backends)) or 'none'})"
            )
        backend = self.registry().backends.get(solver)
        if backend is None:
            pytest.skip(f"solver {solver!r} is not registered here")
        availability = backend.availability()
        if not availability.available:
            pytest.skip(f"solver {solver!r} is unavailable here: {availability.reason}")
        return solver

    def _smallest_sample_document(self) -> dict[str, Any]:
        from optikit.problem_io import read_document

        samples = list(self.ptype().samples)
        if not samples:
            pytest.skip("the type has neither a generator nor samples")
        smallest = min(samples, key=lambda p: Path(p).stat().st_size)
        return read_document(Path(smallest), self.registry())

    def load(self, document: Mapping[str, Any], source: str = "conformance") -> LoadedProblem:
        from optikit.problem_io import load_document

        return load_document(document, self.registry(), source=source)

    def options(self, **overrides: Any) -> SolveOptions:
        from optikit.types import SolveOptions

        base: dict[str, Any] = {"time_limit": self.time_limit, "threads": 1, "seed": 0}
        base.update(overrides)
        return SolveOptions(**base)

    def run_solve(
        self,
        loaded: LoadedProblem,
        solver: str,
        options: SolveOptions,
        stop: threading.Event | None = None,
    ) -> SolveResult:
        from optikit.runner import solve

        return solve(loaded, self.registry(), solver=solver, options=options, stop=stop)

    _solved: ClassVar[dict[tuple[str, str], tuple[LoadedProblem, SolveResult]]]

    def solved_tiny(self, solver: str) -> tuple[LoadedProblem, SolveResult]:
        """The tiny instance solved by ``solver`` (once per class)."""
        cls = type(self)
        if "_solved" not in cls.__dict__:
            cls._solved = {}
        key = (cls.problem_type, solver)
        if key not in cls._solved:
            loaded = self.load(self.tiny_document(), source=f"tiny {self.problem_type}")
            cls._solved[key] = (loaded, self.run_solve(loaded, solver, self.options()))
        return cls._solved[key]

    def solved_payload(self) -> tuple[LoadedProblem, dict[str, Any]]:
        """A checked solution document of the tiny instance, from the first solver."""
        names = self.solver_names()
        self._require_solver(names[0] if names else None)
        loaded, result = self.solved_tiny(names[0])
        if "solution" not in result.document:
            pytest.fail(
                f"{names[0]} found no solution of the tiny instance: "
                f"{result.document['status']} {result.document.get('message', '')}"
            )
        return loaded, result.document

    # -- registration and schema ------------------------------------------------------------
    def test_type_is_registered(self) -> None:
        from optikit.types import Formulation

        ptype = self.ptype()
        assert ptype.name == self.problem_type
        assert ptype.sense in ("min", "max"), f"sense must be 'min' or 'max', not {ptype.sense}"
        assert ptype.formulations, "a problem type needs at least one formulation"
        for f in ptype.formulations:
            assert isinstance(f, Formulation) and f.name and f.paradigm
        names = [f.name for f in ptype.formulations]
        assert len(names) == len(set(names)), f"duplicate formulation names: {names}"
        assert callable(ptype.parse) and callable(ptype.check)

    def test_type_is_described(self) -> None:
        assert self.ptype().description, "describe the type in one line (optikit plugins)"

    def test_schema_is_valid_and_json_clean(self) -> None:
        from jsonschema import Draft202012Validator

        from optikit.validation import full_schema

        schema = full_schema(self.ptype())
        Draft202012Validator.check_schema(schema)
        assert json.loads(json.dumps(schema)) == schema, "the schema must be plain JSON"
        assert schema.get("type") == "object"

    def test_schema_command_prints_the_schema(self) -> None:
        from optikit.validation import full_schema

        ptype = self.ptype()
        result = self.cli().invoke("schema", self.problem_type)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == full_schema(ptype)

    # -- documents ------------------------------------------------------------------------
    def test_samples_validate(self) -> None:
        from optikit.problem_io import load_problem

        samples = [Path(p) for p in self.ptype().samples]
        if not samples:
            if self.require_samples:
                pytest.fail("the type ships no samples (ProblemType.samples)")
            pytest.skip("no samples")
        for path in samples:
            assert path.is_file(), f"sample {path} does not exist"
            loaded = load_problem(path, self.registry())
            assert loaded.ptype.name == self.problem_type, f"{path} is not a {self.problem_type}"

    def test_documents_round_trip(self, tmp_path: Path) -> None:
        import yaml

        from optikit.problem_io import load_problem, read_document

        registry = self.registry()
        documents = [("tiny", self.tiny_document())]
        documents += [(Path(p).stem, read_document(Path(p), registry)) for p in
                      self.ptype().samples]
        for label, document in documents:
            plain = json.loads(json.dumps(document))
            assert plain == document, f"{label}: the document is not plain JSON data"
            json_file = tmp_path / f"{label}.json"
            json_file.write_text(json.dumps(document))
            yaml_file = tmp_path / f"{label}.yaml"
            yaml_file.write_text(yaml.safe_dump(document, sort_keys=False))
            for path in (json_file, yaml_file):
                loaded = load_problem(path, registry)
                assert loaded.document == document, f"{path.name} did not round-trip"
        result = self.cli().invoke("validate", *sorted(tmp_path.iterdir()))
        assert result.exit_code == 0, result.output

    def test_generator_is_seeded_and_valid(self) -> None:
        ptype = self.ptype()
        if ptype.generate is None:
            pytest.skip("the type has no generator")
        first = ptype.generate(self.seed, self.size)
        again = ptype.generate(self.seed, self.size)
        assert first == again, "the same seed must give the same document"
        assert first.get("type") == self.problem_type
        self.load(first)
        self.load(ptype.generate(self.seed + 1, self.size))
        with pytest.raises(ValueError):
            ptype.generate(self.seed, "no-such-size")

    # -- solving ---------------------------------------------------------------------------
    def test_tiny_instance_solves(self, solver: str | None) -> None:
        solver = self._require_solver(solver)
        _, result = self.solved_tiny(solver)
        document = result.document
        assert document["status"] != "error", document.get("message")
        assert_status_semantics(document, self.options(), self.ptype().sense)
        if self.expect_optimal:
            assert document["status"] == "optimal", (
                f"{solver} did not prove the tiny instance optimal in {self.time_limit} s: "
                f"{document['status']} {document.get('message', '')}"
            )
        assert document["solver"] == solver
        assert result.exit_code == 0

    def test_checker_agrees_with_solver(self, solver: str | None) -> None:
        solver = self._require_solver(solver)
        loaded, result = self.solved_tiny(solver)
        if "solution" not in result.document:
            pytest.skip(f"{solver} found no solution: {result.document['status']}")
        assert_checked_solution(loaded, result.document)
        outcome = result.outcome
        assert outcome is not None
        if outcome.objective is not None and result.check is not None:
            claimed, recomputed = float(outcome.objective), result.check.objective
            assert recomputed is not None, "the checker must recompute the objective"
            assert abs(claimed - recomputed) <= 1e-6 * max(1.0, abs(recomputed)), (
                f"the formulation claims {claimed}, the checker recomputes {recomputed}"
            )

    def test_checker_rejects_corrupted_solutions(self) -> None:
        from optikit.runner import check_solution

        loaded, document = self.solved_payload()
        payload = document["solution"]
        specific = list(self.corruptions(loaded.problem, copy.deepcopy(payload)))
        cases = [*specific, *generic_corruptions(payload)]
        assert cases
        accepted = []
        for label, corrupted in cases:
            assert corrupted != payload, f"corruption {label!r} does not change the payload"
            report = check_solution(loaded, {**document, "solution": corrupted})
            if report.feasible:
                accepted.append(label)
        assert not accepted, f"the checker accepts corrupted solutions: {accepted}"

    def test_type_specific_corruptions_are_provided(self) -> None:
        loaded, document = self.solved_payload()
        specific = list(self.corruptions(loaded.problem, copy.deepcopy(document["solution"])))
        assert specific, (
            f"{type(self).__name__}.corruptions() must yield at least one type-specific "
            "(label, corrupted payload) pair that breaks one of the type's rules"
        )

    def test_time_limit_is_respected(self, solver: str | None) -> None:
        solver = self._require_solver(solver)
        document = self.limit_document()
        if document is None:
            pytest.skip("no instance for the time-limit test (limit_document)")
        loaded = self.load(document, source=f"{self.limit_size} {self.problem_type}")
        options = self.options(time_limit=self.limit_time)
        started = time.monotonic()
        result = self.run_solve(loaded, solver, options)
        elapsed = time.monotonic() - started
        allowed = self.limit_time + self.time_limit_slack
        assert elapsed <= allowed, (
            f"{solver} ran {elapsed:.2f} s with a {self.limit_time} s limit "
            f"(allowed {allowed:.1f} s including model building)"
        )
        assert result.document["options"]["time_limit"] == self.limit_time
        assert result.document["status"] != "error", result.document.get("message")
        assert_status_semantics(result.document, options, self.ptype().sense)

    def test_stop_flag_ends_the_solve_cleanly(self, solver: str | None) -> None:
        solver = self._require_solver(solver)
        loaded = self.load(self.tiny_document())
        stop = threading.Event()
        stop.set()
        options = self.options()
        result = self.run_solve(loaded, solver, options, stop=stop)
        assert result.document["status"] != "error", result.document.get("message")
        assert_status_semantics(result.document, options, self.ptype().sense)

    def test_seeded_single_thread_run_is_reproducible(self, solver: str | None) -> None:
        solver = self._require_solver(solver)
        loaded, first = self.solved_tiny(solver)
        if first.document["status"] not in ("optimal", "infeasible"):
            pytest.skip("the first run was stopped by its limit; timing decides the answer")
        second = self.run_solve(self.load(loaded.document), solver, self.options())
        differences = timing_differences(first.document, second.document)
        assert not differences, f"two seeded single-thread runs differ: {differences}"

    def test_cli_solve_and_check(self, solver: str | None, tmp_path: Path) -> None:
        solver = self._require_solver(solver)
        problem = tmp_path / "tiny.json"
        problem.write_text(json.dumps(self.tiny_document()))
        solution = tmp_path / "solution.json"
        cli = self.cli()
        result = cli.invoke(
            "solve", problem, "--solver", solver, "--threads", "1",
            "--time-limit", str(self.time_limit), "-o", solution, "--json",
        )
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert json.loads(solution.read_text()) == document
        checked = cli.invoke("check", problem, solution)
        assert checked.exit_code == 0, checked.output
