"""The CP-SAT interval model, the time-indexed CP-SAT model and the MILP agree."""

from __future__ import annotations

import pytest
from optikit_energy.generator import generate

from optikit.types import UsageError
from tests.energy.conftest import TOY_FULL, load, read, run


@pytest.mark.parametrize("seed", [0, 2])
def test_three_models_agree_on_tiny_instances(registry, seed) -> None:
    """The time-indexed CP-SAT model and the MILP prove the same optimum; the interval
    model (4 s, not always long enough to prove it) never contradicts it."""
    document = generate(seed, "tiny")
    indexed = run(registry, document, time_limit=30, model="time-indexed", baseline="false")
    milp = run(registry, document, solver="highs", time_limit=30, baseline="false")
    interval = run(registry, document, time_limit=4, model="interval", baseline="false")
    exact = [indexed.document, milp.document]
    assert [d["status"] for d in exact] == ["optimal"] * 2, [d.get("message") for d in exact]
    optimum = indexed.document["objective"]
    assert milp.document["objective"] == pytest.approx(optimum, rel=1e-7)
    doc = interval.document
    assert doc["check"]["feasible"]
    assert doc["objective"] >= optimum * (1 - 1e-7)
    assert doc["bound"] <= optimum * (1 + 1e-7)
    if doc["status"] == "optimal":
        assert doc["objective"] == pytest.approx(optimum, rel=1e-7)


def test_milp_refuses_instances_it_cannot_handle(registry) -> None:
    large = generate(0, "large")
    with pytest.raises(UsageError, match="too large"):
        run(registry, large, solver="highs", time_limit=5)
    document = read(TOY_FULL)
    for job in document["jobs"]:
        job["product"] = "a" if job["id"] < "J5" else "b"
    document["setups"] = {"M1": {"a": {"b": 1}}}
    with pytest.raises(UsageError, match="setups"):
        run(registry, document, solver="highs", time_limit=5)


def test_unknown_option_is_refused(registry) -> None:
    with pytest.raises(UsageError, match="unknown option"):
        run(registry, read(TOY_FULL), time_limit=5, lsn="true")
    with pytest.raises(UsageError, match="model"):
        run(registry, read(TOY_FULL), time_limit=5, model="exact")


def test_setups_are_kept_by_cpsat(registry) -> None:
    document = read(TOY_FULL)
    for job in document["jobs"]:
        job["product"] = "a" if job["id"] in ("J1", "J3", "J5", "J7") else "b"
    document["setups"] = {m: {"a": {"b": 1}, "b": {"a": 1}} for m in ("M1", "M2")}
    loaded = load(registry, document)
    assert loaded.problem.shop.has_setups
    doc = run(registry, document, time_limit=4, baseline="false").document
    assert doc["status"] in ("optimal", "feasible"), doc.get("message")
    assert doc["check"]["feasible"]


@pytest.mark.parametrize("horizon", [3, 10], ids=["op-longer-than-horizon", "too-much-work"])
@pytest.mark.parametrize(("solver", "model"), [("cpsat", "auto"), ("cpsat", "interval"),
                                               ("highs", None)])
def test_infeasible_instances_are_proven_infeasible(registry, horizon, solver, model) -> None:
    document = read(TOY_FULL)
    document["horizon"] = horizon
    document["tariff"] = [{"start": 0, "end": horizon, "price": 60}]
    extra = {"baseline": "false", **({"model": model} if model else {})}
    result = run(registry, document, solver=solver, time_limit=10, **extra)
    assert result.document["status"] == "infeasible", result.document.get("message")
    assert result.exit_code == 3
