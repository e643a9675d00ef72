"""Several periods with tank stocks: the sample's proven optimum, the checker's replay by
hand, refusals of one-period formulations, the generator option and the summary."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from optikit_pooling.generator import generate

from optikit.problem_io import LoadedProblem, ProblemFileError
from optikit.runner import SolveResult
from optikit.testing import OptikitCli

SAMPLE = Path(__file__).resolve().parents[2] / "plugins" / "optikit_pooling" / "samples" / (
    "refinery_3periods.yaml")
#: Proven by pq and by p-plain (both on SCIP); docs/contract.md.
SAMPLE_OPTIMUM = 2684.8989769

TWO_WEEKS: dict[str, Any] = {
    "type": "pooling", "name": "two-weeks", "periods": ["w1", "w2"],
    "qualities": ["s"],
    "inputs": [{"id": "a", "cost": [1, 1], "quality": {"s": 3}},
               {"id": "b", "cost": 2, "quality": {"s": 1}}],
    "pools": [{"id": "T", "capacity": 100,
               "inventory": {"initial": 10, "quality": {"s": 2}, "holding_cost": 0.5}}],
    "products": [{"id": "P", "price": 5, "max": [50, 50], "quality_max": {"s": 2}}],
    "arcs": [{"from": "a", "to": "T"}, {"from": "b", "to": "T"}, {"from": "T", "to": "P"}],
}


def _flows(*rows: tuple[str, str, str, float]) -> list[dict[str, Any]]:
    return [{"from": f, "to": t, "period": p, "amount": a} for f, t, p, a in rows]


def test_checker_replays_the_tank_by_hand(
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    """w1: 10 of b (s 1) onto 10 at s 2 -> 20 at s 1.5, 15 sold, 5 kept at s 1.5.
    w2: 5 of a (s 3) -> 10 at s 2.25, 4 sold above the spec s <= 2.  Profit 95 - 25 - 5.5."""
    problem = load(copy.deepcopy(TWO_WEEKS)).problem
    payload = {"flows": _flows(("b", "T", "w1", 10), ("T", "P", "w1", 15), ("a", "T", "w2", 5),
                               ("T", "P", "w2", 4)),
               "profit": 64.5,
               "tanks": {"T": [{"period": "w1", "received": 10, "discharged": 15, "stock": 5,
                                "quality": {"s": 1.5}},
                               {"period": "w2", "received": 5, "discharged": 4, "stock": 6,
                                "quality": {"s": 2.25}}]},
               "products": {"P": [{"period": "w1", "amount": 15, "quality": {"s": 1.5}},
                                  {"period": "w2", "amount": 4, "quality": {"s": 2.25}}]}}
    report = load(copy.deepcopy(TWO_WEEKS)).ptype.check(problem, payload)
    assert report.objective == pytest.approx(64.5)
    assert [v.constraint for v in report.violations] == ["products[P].quality_max.s (period w2)"]
    payload["tanks"]["T"][1]["stock"] = 7  # type: ignore[index]
    flows: list[dict[str, Any]] = payload["flows"]  # type: ignore[assignment]
    flows.append({"from": "T", "to": "P", "period": "w3", "amount": 1})
    fields = {v.constraint for v in load(copy.deepcopy(TWO_WEEKS)).ptype.check(
        problem, payload).violations}
    assert {"tanks.T[1].stock", "flows[4].period"} <= fields


def test_checker_catches_overdrawn_tanks_and_the_exclusive_rule(
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    document = copy.deepcopy(TWO_WEEKS)
    document["pools"][0]["receive_and_discharge"] = False
    loaded = load(document)
    payload = {"flows": _flows(("b", "T", "w1", 10), ("T", "P", "w1", 25))}
    fields = {v.constraint for v in loaded.ptype.check(loaded.problem, payload).violations}
    assert "pools[T].inventory.min (period w1)" in fields  # 20 in the tank, 25 out
    assert "pools[T].receive_and_discharge (period w1)" in fields


def test_sample_is_proven_by_pq_and_the_baseline_agrees(run: Callable[..., SolveResult]) -> None:
    pq = run(SAMPLE, formulation="pq")
    assert pq.document["status"] == "optimal"
    assert pq.document["objective"] == pytest.approx(SAMPLE_OPTIMUM, rel=1e-7)
    plain = run(SAMPLE, formulation="p-plain")
    assert plain.document["status"] == "optimal"
    assert plain.document["objective"] == pytest.approx(SAMPLE_OPTIMUM, rel=1e-7)
    tanks = pq.document["solution"]["tanks"]
    assert [row["period"] for row in tanks["tank1"]] == ["week1", "week2", "week3"]


def test_generator_periods_option_gives_a_solvable_document(
    run: Callable[..., SolveResult], load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    document = generate(1, "tiny:2")
    assert document["periods"] == 2 and "inventory" in document["pools"][0]
    assert load(document).problem.periods is not None
    result = run(document, time_limit=10.0)
    assert result.document["status"] in ("optimal", "feasible")
    assert result.document["check"]["feasible"]
    with pytest.raises(ValueError, match="periods"):
        generate(1, "tiny:0")


@pytest.fixture(scope="module")
def cli() -> OptikitCli:
    from optikit.plugins import get_registry

    return OptikitCli(get_registry())


def test_cli_summary_shows_tanks_and_refusal_exits_2(cli: OptikitCli, tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(generate(1, "tiny:2")))
    result = cli.invoke("solve", path, "--time-limit", "10", "--threads", "1")
    assert result.exit_code == 0, result.output
    assert "tanks" in result.output and "closing stock" in result.output
    refused = cli.invoke("solve", path, "--formulation", "mccormick", "--solver", "highs",
                         "--option", "segments=0")
    assert refused.exit_code == 2
    assert "segments" in refused.output and "Traceback" not in refused.output


PERIOD_ERRORS: list[tuple[str, Callable[[dict[str, Any]], object], str, str]] = [
    ("list length", lambda d: d["products"][0].update(max=[1, 2, 3]), "products[0].max",
     "3 values for 2 periods"),
    ("price list length", lambda d: d["products"][0].update(price=[5]), "products[0].price",
     "1 values for 2 periods"),
    ("stock without quality", lambda d: d["pools"][0]["inventory"].pop("quality"),
     "pools[0].inventory.quality", "needs its quality"),
    ("composition of an unknown input",
     lambda d: (d["pools"][0]["inventory"].pop("quality"),
                d["pools"][0]["inventory"].update(composition={"zz": 1})),
     "pools[0].inventory.composition.zz", "unknown input"),
    ("composition not summing to 1",
     lambda d: (d["pools"][0]["inventory"].pop("quality"),
                d["pools"][0]["inventory"].update(composition={"a": 0.5, "b": 0.4})),
     "pools[0].inventory.composition", "add up to 0.9"),
    ("stock min above max", lambda d: d["pools"][0]["inventory"].update(min=50, max=40),
     "pools[0].inventory.min", "above max"),
    ("opening stock above capacity", lambda d: d["pools"][0]["inventory"].update(initial=200),
     "pools[0].inventory.initial", "above the tank's capacity"),
    ("least batch above the tank's capacity", lambda d: d["pools"][0].update(min=150),
     "pools[0].min", "above the capacity 100"),
    ("duplicate period", lambda d: d.update(periods=["w1", "w1"]), "periods[1]",
     "listed twice"),
    ("NaN in a stock quality",
     lambda d: d["pools"][0]["inventory"].update(quality={"s": float("nan")}),
     "pools[0].inventory.quality.s", "finite"),
]


@pytest.mark.parametrize(("case", "edit", "field", "words"), PERIOD_ERRORS,
                         ids=[c[0] for c in PERIOD_ERRORS])
def test_invalid_period_document_names_the_field(
    case: str, edit: Callable[[dict[str, Any]], object], field: str, words: str,
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    document = copy.deepcopy(TWO_WEEKS)
    edit(document)
    with pytest.raises(ProblemFileError) as info:
        load(document)
    assert info.value.field == field, info.value.message
    assert words in info.value.message


@pytest.mark.parametrize("formulation", ["pq", "p-plain"])
def test_a_tank_nothing_enters_stays_empty(formulation: str,
                                           run: Callable[..., SolveResult]) -> None:
    document = copy.deepcopy(TWO_WEEKS)
    document["inputs"][0]["max"] = 10
    document["inputs"] = document["inputs"][:1]
    document["pools"].append({"id": "E", "capacity": 5})
    document["arcs"] = [{"from": "a", "to": "T"}, {"from": "T", "to": "P"},
                        {"from": "E", "to": "P"}]
    document["products"][0]["quality_max"] = {"s": 4}
    document["pools"][0].pop("inventory")
    result = run(document, formulation=formulation, time_limit=10.0)
    assert result.document["status"] == "optimal"
    assert result.document["objective"] == pytest.approx(80.0)  # 2 weeks x 10 x (5 - 1)


@pytest.mark.parametrize("formulation", ["pq", "p-plain"])
def test_fixed_costs_are_paid_per_period_of_use(formulation: str,
                                                run: Callable[..., SolveResult]) -> None:
    """w1: 10 at s 2 + 20 a + 20 b -> 50 at s 2, sold; w2: 5 a + 5 b -> 10 sold.  Revenue
    300, inputs 75, fixed 2 x 10 (arc T->P) + 2 x 3 (tank T moves oil): profit 199."""
    document = copy.deepcopy(TWO_WEEKS)
    document["arcs"][2]["fixed_cost"] = 10
    document["pools"][0]["fixed_cost"] = 3
    document["products"][0]["max"] = [50, 10]
    doc = run(document, formulation=formulation, time_limit=10.0).document
    assert doc["status"] == "optimal"
    assert doc["objective"] == pytest.approx(199.0)
    assert doc["check"]["figures"]["fixed_cost"] == pytest.approx(26.0)
