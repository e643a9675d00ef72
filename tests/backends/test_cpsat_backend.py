"""The cpsat backend: status mapping, scaling, hints, progress, stop flag, determinism."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from optikit_ortools.cpsat import CpSatBackend

from optikit.types import ProgressEvent, SolveContext, SolveOptions, Status, UsageError
from tests.backends.backend_cp_models import infeasible, job_shop, knapsack

pytest.importorskip("ortools")


def make_ctx(time_limit: float | None = 5.0, **kwargs: object) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=time_limit, threads=1, **kwargs))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def backend() -> CpSatBackend:
    return CpSatBackend()


def test_metadata_and_availability(backend: CpSatBackend) -> None:
    assert backend.name == "cpsat"
    assert backend.paradigm == "cp-sat"
    availability = backend.availability()
    assert availability.available, availability.reason
    import ortools

    assert availability.version == getattr(ortools, "__version__", None)


def test_optimal_knapsack_values(backend: CpSatBackend) -> None:
    case = knapsack()
    result = backend.solve(case.model, make_ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == case.optimum
    assert result.bound == case.optimum
    assert result.value is not None and result.boolean_value is not None
    assert [result.boolean_value(t) for t in case.take] == [True, True, False, True, False]
    assert [result.value(t) for t in case.take] == [1, 1, 0, 1, 0]
    assert result.stats["workers"] == 1
    assert result.stats["branches"] >= 0 and result.stats["conflicts"] >= 0
    assert result.stats["deterministic_time"] >= 0.0


def test_objective_scale_and_offset(backend: CpSatBackend) -> None:
    case = knapsack()
    ctx = make_ctx()
    result = backend.solve(case.model, ctx, objective_scale=0.5, objective_offset=-2.0)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(case.optimum * 0.5 - 2.0)
    assert result.bound == pytest.approx(case.optimum * 0.5 - 2.0)
    incumbents = [e.objective for e in ctx.trajectory if e.objective is not None]
    assert incumbents, "the solution callback reported nothing"
    assert incumbents[-1] == pytest.approx(result.objective)
    # Every reported value is in scaled units: never above the scaled optimum.
    assert max(incumbents) <= case.optimum * 0.5 - 2.0 + 1e-9


def test_infeasible(backend: CpSatBackend) -> None:
    result = backend.solve(infeasible(), make_ctx())
    assert result.status is Status.INFEASIBLE
    assert result.value is None
    assert result.objective is None


def test_model_invalid_maps_to_error_with_validate_message(backend: CpSatBackend) -> None:
    case = knapsack()
    # A hint naming the same variable twice is rejected by CP-SAT's model validation.
    case.model.add_hint(case.take[0], 1)
    case.model.add_hint(case.take[0], 0)
    result = backend.solve(case.model, make_ctx())
    assert result.status is Status.ERROR
    assert result.message == case.model.validate()
    assert "duplicate" in result.message


def test_no_time_left_is_unknown(backend: CpSatBackend) -> None:
    shop = job_shop()
    result = backend.solve(shop.model, make_ctx(), time_limit=0.0)
    assert result.status is Status.UNKNOWN
    assert result.value is None


def test_time_limit_gives_feasible_never_optimal(backend: CpSatBackend) -> None:
    shop = job_shop()
    ctx = make_ctx(time_limit=1.0)
    started = time.monotonic()
    result = backend.solve(shop.model, ctx)
    assert time.monotonic() - started < 6.0  # catches hangs only
    assert result.status is Status.FEASIBLE
    assert result.objective is not None and result.bound is not None
    assert result.bound < result.objective
    assert result.value is not None
    assert result.objective == result.value(shop.makespan)


def test_satisfaction_model_has_no_objective(backend: CpSatBackend) -> None:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = model.new_int_var(0, 5, "x")
    model.add(x * 2 == 6)
    ctx = make_ctx()
    result = backend.solve(model, ctx)
    assert result.status is Status.OPTIMAL
    assert result.objective is None and result.bound is None
    assert result.value is not None and result.value(x) == 3
    assert ctx.trajectory == []


def test_progress_events_on_trajectory(backend: CpSatBackend) -> None:
    shop = job_shop(8, 6, seed=3)
    seen: list[ProgressEvent] = []
    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=1), on_progress=seen.append)
    result = backend.solve(shop.model, ctx)
    assert result.status.has_solution
    assert seen == ctx.trajectory
    incumbents = [e.objective for e in ctx.trajectory if e.objective is not None]
    bounds = [e.bound for e in ctx.trajectory if e.bound is not None]
    assert incumbents and bounds
    assert incumbents == sorted(incumbents, reverse=True)  # minimisation improves downwards
    assert incumbents[-1] == result.objective
    assert max(bounds) <= result.objective
    assert all(e.source == "cpsat" for e in ctx.trajectory)
    assert result.stats["solutions"] == len(incumbents)


def test_report_progress_false_is_silent(backend: CpSatBackend) -> None:
    ctx = make_ctx()
    result = backend.solve(knapsack().model, ctx, report_progress=False)
    assert result.status is Status.OPTIMAL
    assert ctx.trajectory == []


def test_error_in_progress_sink_is_raised_after_the_search(backend: CpSatBackend) -> None:
    def broken(event: ProgressEvent) -> None:
        raise ValueError("sink broke")

    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=2), on_progress=broken)
    with pytest.raises(RuntimeError, match="sink broke"):
        backend.solve(job_shop(8, 6, seed=3).model, ctx)


def test_stop_flag_interrupts_and_returns_incumbent(backend: CpSatBackend) -> None:
    shop = job_shop()
    ctx = make_ctx(time_limit=60.0)
    first_incumbent = threading.Event()

    def on_progress(event: ProgressEvent) -> None:
        if event.objective is not None:
            first_incumbent.set()

    ctx._on_progress = on_progress
    results = []
    worker = threading.Thread(target=lambda: results.append(backend.solve(shop.model, ctx)))
    worker.start()
    assert first_incumbent.wait(30.0)
    time.sleep(0.2)
    stopped_at = time.monotonic()
    ctx.stop.set()
    worker.join(30.0)
    assert not worker.is_alive()
    assert time.monotonic() - stopped_at < 10.0  # far below the 60 s limit: catches hangs only
    (result,) = results
    assert result.status is Status.FEASIBLE
    assert result.stats["stopped_by_user"] is True
    assert result.value is not None and result.value(shop.makespan) == result.objective


def test_stop_flag_set_before_solve(backend: CpSatBackend) -> None:
    ctx = make_ctx()
    ctx.stop.set()
    result = backend.solve(knapsack().model, ctx)
    assert result.status is Status.UNKNOWN
    assert "stopped" in result.message


def test_single_worker_fixed_seed_is_deterministic(backend: CpSatBackend) -> None:
    # A deterministic work limit (not wall time) makes the stopping point reproducible.
    params = {"max_deterministic_time": 0.15}

    def run(seed: int) -> tuple[Status, list[list[int]]]:
        shop = job_shop(10, 8, seed=11)
        ctx = SolveContext(SolveOptions(time_limit=30.0, threads=1, seed=seed))
        result = backend.solve(shop.model, ctx, workers=1, parameters=params)
        assert result.value is not None
        return result.status, [[result.value(s) for s in job] for job in shop.starts]

    first = run(seed=5)
    assert first[0].has_solution
    assert run(seed=5) == first


def test_seed_gap_and_threads_are_passed(backend: CpSatBackend) -> None:
    from ortools.sat.python import cp_model

    captured: dict[str, Any] = {}
    original = cp_model.CpSolver.solve

    def spy(self: cp_model.CpSolver, model: Any, callback: Any = None) -> Any:
        p = self.parameters
        captured.update(
            seed=p.random_seed,
            gap=p.relative_gap_limit,
            workers=p.num_workers,
            limit=p.max_time_in_seconds,
            log=p.log_to_stdout,
        )
        return original(self, model, callback)

    cp_model.CpSolver.solve = spy  # type: ignore[method-assign, assignment]
    try:
        ctx = SolveContext(SolveOptions(time_limit=20.0, threads=2, seed=42, gap=0.01))
        backend.solve(knapsack().model, ctx, time_limit=3.0)
        assert captured["seed"] == 42
        assert captured["gap"] == 0.01
        assert captured["workers"] == 2
        assert 0 < captured["limit"] <= 3.0
        assert captured["log"] is False
        # The shared deadline wins over a longer caller limit; workers= overrides threads.
        ctx = SolveContext(SolveOptions(time_limit=1.5, threads=2))
        backend.solve(knapsack().model, ctx, time_limit=100.0, workers=1)
        assert captured["limit"] <= 1.5
        assert captured["workers"] == 1
        # A passed-through time limit may shorten, never lengthen, the run.
        backend.solve(knapsack().model, ctx, parameters={"max_time_in_seconds": 1000})
        assert captured["limit"] <= 1.5
    finally:
        cp_model.CpSolver.solve = original  # type: ignore[method-assign]


def test_unknown_parameter_is_rejected_by_name(backend: CpSatBackend) -> None:
    with pytest.raises(UsageError, match="no_such_knob"):
        backend.solve(knapsack().model, make_ctx(), parameters={"no_such_knob": 1})


@pytest.mark.parametrize(
    ("name", "value"),
    [("num_workers", "many"), ("log_search_progress", "maybe"), ("search_branching", "NOPE")],
)
def test_bad_parameter_value_is_rejected_by_name(
    backend: CpSatBackend, name: str, value: str
) -> None:
    with pytest.raises(UsageError, match=name):
        backend.solve(knapsack().model, make_ctx(), parameters={name: value})


def test_parameters_from_strings_are_converted() -> None:
    from optikit_ortools.sat_parameters import apply_parameters
    from ortools.sat.python import cp_model

    params = cp_model.CpSolver().parameters
    apply_parameters(
        params,
        {
            "linearization_level": "2",
            "cp_model_presolve": "false",
            "search_branching": "fixed_search",
            "relative_gap_limit": "0.25",
            "subsolvers": "default_lns, core",
        },
    )
    assert params.linearization_level == 2
    assert params.cp_model_presolve is False
    assert params.search_branching == type(params.search_branching).FIXED_SEARCH
    assert params.relative_gap_limit == 0.25
    assert list(params.subsolvers) == ["default_lns", "core"]
    # Repeated fields also take Python lists; repeated enums take their names.
    apply_parameters(
        params, {"subsolvers": ["max_lp", "default_lp"], "restart_algorithms": "LUBY_RESTART"}
    )
    assert list(params.subsolvers) == ["max_lp", "default_lp"]
    assert len(params.restart_algorithms) == 1
    with pytest.raises(UsageError, match="restart_algorithms"):
        apply_parameters(params, {"restart_algorithms": "NO_SUCH_RESTART"})


def test_hint_is_used_and_model_hint_restored(backend: CpSatBackend) -> None:
    case = knapsack()
    # A model hint on another variable survives, the caller's hint wins where both speak.
    case.model.add_hint(case.take[4], 1)
    case.model.add_hint(case.take[0], 1)
    before = (
        list(case.model.proto.solution_hint.vars),
        list(case.model.proto.solution_hint.values),
    )
    hint = {t: v for t, v in zip(case.take, [0, 0, 1, 1, 0], strict=True)}
    # Fixing variables to the hint shows which hint the solver actually saw.
    result = backend.solve(
        case.model, make_ctx(), hint=hint, parameters={"fix_variables_to_their_hinted_value": True}
    )
    assert result.status is Status.OPTIMAL
    assert result.objective == 13  # items 2 and 3 only
    after = (list(case.model.proto.solution_hint.vars), list(case.model.proto.solution_hint.values))
    assert after == before


def test_hint_on_negated_literal(backend: CpSatBackend) -> None:
    case = knapsack()
    hint = {~t: 1 - v for t, v in zip(case.take, [0, 1, 1, 0, 1], strict=True)}
    result = backend.solve(
        case.model, make_ctx(), hint=hint, parameters={"fix_variables_to_their_hinted_value": 1}
    )
    assert result.status is Status.OPTIMAL
    assert result.objective == 10


def test_verbose_search_log_goes_to_ctx_log_not_stdout(
    backend: CpSatBackend, capfd: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    ctx = SolveContext(SolveOptions(time_limit=5.0, verbose=True), log=lines.append)
    backend.solve(knapsack().model, ctx)
    assert any("CP-SAT" in line or "#" in line for line in lines)
    assert capfd.readouterr().out == ""


def test_command_line_options_reach_cp_sat(backend: CpSatBackend) -> None:
    case = knapsack()
    extra = {"cpsat.fix_variables_to_their_hinted_value": "true", "blend.other": 1}
    ctx = SolveContext(SolveOptions(time_limit=5.0, extra=extra))
    hint = {t: v for t, v in zip(case.take, [0, 0, 1, 1, 0], strict=True)}
    result = backend.solve(case.model, ctx, hint=hint)
    assert result.objective == 13  # the hint was fixed, so the option was applied
    bad = SolveContext(SolveOptions(time_limit=5.0, extra={"cpsat.warp_speed": 9}))
    with pytest.raises(UsageError, match="warp_speed"):
        backend.solve(knapsack().model, bad)
