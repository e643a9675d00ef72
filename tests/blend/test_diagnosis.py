"""Infeasible blends explain themselves: a minimal conflicting set and the move that fixes it.

Every reported relaxation is verified the way an engineer would use it: edit the named
field of the problem document by the reported amount, solve again, and the problem is
feasible (and passes the checker).  For LPs the amount is also the smallest that works:
moving the limit by 99.9 % of it leaves the problem infeasible.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from optikit_blend.diagnosis import diagnose
from optikit_blend.diagnosis.elastic import build_elastic
from optikit_blend.diagnosis.wording import round_up

from optikit.cli import cli
from optikit.paradigms import LinearBackend
from optikit.plugins import get_registry
from optikit.problem_io import ProblemFileError, load_document, load_problem
from optikit.runner import SolveResult, solve
from optikit.types import SolveContext, SolveOptions
from tests.blend.conftest import small_blend

ROOT = Path(__file__).resolve().parents[2]
RAW_BASIS = ROOT / "problems" / "blend" / "sinter_feed_raw_basis_infeasible.yaml"
REGISTRY = get_registry()


def run(document: dict[str, Any], solver: str = "highs", **options: Any) -> SolveResult:
    options.setdefault("time_limit", 20.0)
    options.setdefault("threads", 1)
    loaded = load_document(document, REGISTRY, source="test")
    return solve(loaded, REGISTRY, solver=solver, options=SolveOptions(**options))


def diagnosis_of(document: dict[str, Any], solver: str = "highs") -> dict[str, Any]:
    result = run(document, solver)
    assert result.document["status"] == "infeasible"
    assert result.exit_code == 3
    assert "solution" not in result.document
    return result.document["analysis"]["diagnosis"]


def _field(document: dict[str, Any], constraint: str) -> tuple[Any, str | int]:
    """The container and key that a reported constraint name points at in the document."""
    path = re.sub(r" \(.*\)$", "", constraint)
    parts: list[str | int] = []
    for token in path.split("."):
        name, *indices = re.split(r"\[(\d+)\]", token)
        parts.append(name)
        parts.extend(int(i) for i in indices if i)
    node: Any = document
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def moved(document: dict[str, Any], conflict: dict[str, Any], fraction: float = 1.0
          ) -> dict[str, Any]:
    """A copy of ``document`` with the conflict's limit moved by ``fraction`` of the
    reported relaxation (in the direction that relaxes it)."""
    out = copy.deepcopy(document)
    node, key = _field(out, conflict["constraint"])
    assert node[key] == pytest.approx(conflict["limit"]), "the name must point at the limit"
    side = "max" if str(key).startswith("max") else "min"
    step = fraction * conflict["relaxation"]
    value = conflict["limit"] + step if side == "max" else conflict["limit"] - step
    node[key] = round(value) if str(key).endswith(("count", "materials")) else value
    return out


def names(diagnosis: dict[str, Any]) -> set[str]:
    return {c["constraint"] for c in diagnosis["conflicts"]}


def assert_relaxations_work(document: dict[str, Any], diagnosis: dict[str, Any],
                            minimal: bool = True, solver: str = "highs") -> None:
    assert diagnosis["complete"] is True
    for conflict in diagnosis["conflicts"]:
        if conflict["relaxation"] is None:
            continue
        assert conflict["relaxation"] > 0
        fixed = run(moved(document, conflict), solver).document
        # (a MILP may stop at its gap: "feasible" with a checked blend is an answer too)
        assert fixed["status"] in ("optimal", "feasible"), (conflict, fixed.get("message"))
        assert fixed["check"]["feasible"]
        if minimal:
            short = 0.999 if not conflict["constraint"].count("count") else 0.0
            still = run(moved(document, conflict, short), solver).document
            assert still["status"] == "infeasible", conflict


# --- the raw-basis sinter feed (domain notes 1.7) ----------------------------------------


def test_raw_basis_sinter_names_tfe_against_the_flux_needs() -> None:
    document = load_problem(RAW_BASIS, REGISTRY).document
    diagnosis = diagnosis_of(document)
    found = names(diagnosis)
    assert "specs.TFe.min" in found
    # The flux is charged for basicity and MgO; its unignited mass dilutes the iron.
    assert found & {"ratios[0].min (basicity_B2)", "specs.MgO.min"}
    assert "TFe" in diagnosis["summary"] or "specs.TFe.min" in diagnosis["summary"]
    tfe = next(c for c in diagnosis["conflicts"] if c["constraint"] == "specs.TFe.min")
    assert tfe["limit"] == 56.0
    assert 0 < tfe["relaxation"] < 2  # TFe reachable on this basis is about 55.46 %
    assert_relaxations_work(document, diagnosis)


def test_raw_basis_with_lots_is_diagnosed_on_its_continuous_part() -> None:
    """With lots the model is a MILP, but the conflict needs no integer rule: it is found
    (more cheaply) on the LP, with the same members."""
    document = load_problem(RAW_BASIS, REGISTRY).document
    lp = diagnosis_of(document)
    for material in document["materials"][:7]:
        material["min_lot"] = 0.05
    milp = diagnosis_of(document)
    assert "on the continuous part (LP)" in milp["method"]
    assert names(milp) == names(lp)


@pytest.mark.parametrize("solver", ["cbc", "glop", "scip"])
def test_other_backends_find_a_valid_conflict(solver: str) -> None:
    backend = REGISTRY.backends.get(solver)
    if backend is None or not backend.availability().available:
        pytest.skip(f"{solver} is not available")
    document = load_problem(RAW_BASIS, REGISTRY).document
    diagnosis = diagnosis_of(document, solver)
    assert solver in diagnosis["method"]
    assert "specs.TFe.min" in names(diagnosis)
    assert_relaxations_work(document, diagnosis, minimal=False)


# --- small hand-made conflicts -----------------------------------------------------------


def test_a_spec_no_material_can_reach_is_a_conflict_on_its_own() -> None:
    document = small_blend()
    document["specs"]["Fe"] = {"min": 61.0}  # the richest ore has 60 %
    diagnosis = diagnosis_of(document)
    assert names(diagnosis) == {"specs.Fe.min"}
    assert "on its own" in diagnosis["summary"]
    (conflict,) = diagnosis["conflicts"]
    assert conflict["relaxation"] > 1.0  # 60 % is not reachable either: flux is needed
    assert_relaxations_work(document, diagnosis)


def test_two_specs_that_cannot_hold_together() -> None:
    """Fe >= 58 needs >= 90 % of ORE_A in the ores; SiO2 >= 6 allows at most 2/3."""
    document = small_blend()
    document.update(ratios=[], groups=[], specs={"Fe": {"min": 58.0}, "SiO2": {"min": 6.0}})
    diagnosis = diagnosis_of(document)
    assert names(diagnosis) == {"specs.Fe.min", "specs.SiO2.min"}
    by_name = {c["constraint"]: c for c in diagnosis["conflicts"]}
    # The flux only dilutes, so the best blends use ores alone: Fe <= 40 + 20 * 2/3 and
    # SiO2 <= 10 - 6 * 0.9.
    assert by_name["specs.Fe.min"]["relaxation"] == pytest.approx(58 - 160 / 3, rel=1e-4)
    assert by_name["specs.SiO2.min"]["relaxation"] == pytest.approx(6 - 4.6, rel=1e-4)
    assert "cheapest single fix" in diagnosis["summary"]
    assert_relaxations_work(document, diagnosis)


def test_group_max_against_a_material_min() -> None:
    """50 t of ORE_A with ores at most 30 % of the charge would need so much flux that the
    product exceeds 100 t."""
    document = small_blend()
    document.update(ratios=[], specs={},
                    groups=[{"name": "ores", "materials": ["ORE_A", "ORE_B"], "max": 0.3}])
    document["materials"][0]["min"] = 50.0
    diagnosis = diagnosis_of(document)
    assert names(diagnosis) == {"groups[0].max (ores)", "materials[0].min (ORE_A)"}
    by_name = {c["constraint"]: c for c in diagnosis["conflicts"]}
    # A + 0.9 F = 100 with A/(A+F) = 0.3 gives A = 100/3.1; with A = 50, share 50/105.6.
    assert by_name["materials[0].min (ORE_A)"]["relaxation"] == pytest.approx(
        50 - 100 / 3.1, rel=1e-4)
    assert by_name["groups[0].max (ores)"]["relaxation"] == pytest.approx(
        50 / (50 + 50 / 0.9) - 0.3, rel=1e-4)
    assert "held fixed" in diagnosis["summary"]
    assert_relaxations_work(document, diagnosis)


def test_not_enough_material_names_every_capped_material() -> None:
    """Stocks of 30 + 30 t of ore and 20 t of flux (18 t of product) make 78 t, not 100."""
    document = small_blend()
    document.update(specs={}, ratios=[], groups=[])
    for material, cap in zip(document["materials"], (30.0, 30.0, 20.0), strict=True):
        material["max"] = cap
    diagnosis = diagnosis_of(document)
    assert names(diagnosis) == {"materials[0].max (ORE_A)", "materials[1].max (ORE_B)",
                                "materials[2].max (FLUX)"}
    assert "held fixed" in diagnosis["summary"]
    assert_relaxations_work(document, diagnosis)


def test_a_count_against_a_material_that_cannot_be_used() -> None:
    document = small_blend()
    document["groups"].append({"name": "both", "materials": ["ORE_A", "ORE_B"], "min_count": 2})
    document["materials"][1]["max"] = 0.0
    diagnosis = diagnosis_of(document)
    assert "on the MILP" in diagnosis["method"]
    assert names(diagnosis) == {"groups[1].min_count (both)", "materials[1].max (ORE_B)"}
    count = next(c for c in diagnosis["conflicts"] if "count" in c["constraint"])
    assert count["relaxation"] == 1.0
    assert_relaxations_work(document, diagnosis)


def test_a_lot_too_large_for_the_ratio_window() -> None:
    """A 30 t flux lot makes basicity far exceed 0.6; without flux basicity is 0."""
    document = small_blend()
    document["materials"][2]["min_lot"] = 30.0
    document["ratios"][0]["max"] = 0.6
    diagnosis = diagnosis_of(document)
    assert "materials[2].min_lot (FLUX)" in names(diagnosis)
    assert "ratios[0].min (basicity)" in names(diagnosis)
    assert_relaxations_work(document, diagnosis, minimal=False)


def test_a_conflict_among_several_reports_when_one_move_is_not_enough() -> None:
    """With one material allowed, no single material meets every rule, and there is more
    than one way to fail: some members cannot fix it alone, and say so."""
    document = small_blend()
    document["max_materials"] = 1
    diagnosis = diagnosis_of(document)
    assert "max_materials" in names(diagnosis)
    alone = [c for c in diagnosis["conflicts"] if c["relaxation"] is None]
    for conflict in alone:
        assert "not enough" in conflict["message"]
    assert_relaxations_work(document, diagnosis, minimal=False)


@st.composite
def tightened_blends(draw: st.DrawFn) -> dict[str, Any]:
    """A generated blend with one or two limits squeezed into a narrow, random window."""
    size = draw(st.sampled_from(["tiny", "tiny-milp"]))  # -milp: lots, counts, max_materials
    generate = REGISTRY.problem_types["blend"].generate
    assert generate is not None
    document = generate(draw(st.integers(0, 5)), size)
    for _ in range(draw(st.integers(1, 2))):
        what = draw(st.sampled_from(["spec", "ratio", "group", "material"]))
        if what == "spec":
            component = draw(st.sampled_from(sorted(document["specs"])))
            low = draw(st.floats(0.0, 70.0))
            document["specs"][component] = {"min": low, "max": low + 0.5}
        elif what == "ratio" and document.get("ratios"):
            low = draw(st.floats(0.0, 3.0))
            document["ratios"][0].update(min=low, max=low + 0.05)
        elif what == "group" and document.get("groups"):
            group = draw(st.sampled_from(document["groups"]))
            group.pop("min", None)
            group.pop("max", None)
            side = draw(st.sampled_from(["min", "max"]))
            group[side] = draw(st.floats(0.6, 1.0) if side == "min" else st.floats(0.0, 0.2))
        else:
            material = draw(st.sampled_from(document["materials"]))
            material.pop("min", None)
            material["max"] = draw(st.floats(0.0, 50.0))
    return document


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(document=tightened_blends())
def test_every_reported_relaxation_restores_feasibility(document: dict[str, Any]) -> None:
    try:
        result = run(document)
    except ProblemFileError:
        event("refused by the parser")
        return
    if result.document["status"] != "infeasible":
        event("still feasible")
        return
    event(f"infeasible ({'MILP' if 'MILP' in str(result.document['analysis']) else 'LP'})")
    diagnosis = result.document["analysis"]["diagnosis"]
    assert diagnosis["complete"] and diagnosis["conflicts"], diagnosis["summary"]
    assert_relaxations_work(document, diagnosis, minimal=False)


# --- limits of the method ----------------------------------------------------------------


def test_no_time_left_is_said_not_hidden() -> None:
    problem = load_document(load_problem(RAW_BASIS, REGISTRY).document, REGISTRY,
                            source="t").problem
    ctx = SolveContext(SolveOptions(time_limit=1e-9))
    report, stats = diagnose(problem, REGISTRY.backend_of("highs", LinearBackend), ctx)
    assert report["complete"] is False
    assert "out of time" in report["summary"] and "--time-limit" in report["summary"]
    assert stats["diagnosis_solves"] == 0


def test_an_interrupt_stops_the_diagnosis() -> None:
    problem = load_problem(RAW_BASIS, REGISTRY).problem
    ctx = SolveContext(SolveOptions(time_limit=10.0))
    ctx.stop.set()
    report, _ = diagnose(problem, REGISTRY.backend_of("highs", LinearBackend), ctx)
    assert report["complete"] is False
    assert "interrupted" in report["summary"]


def test_the_diagnosis_is_reproducible() -> None:
    document = load_problem(RAW_BASIS, REGISTRY).document
    assert diagnosis_of(document) == diagnosis_of(document)


def test_every_limit_becomes_elastic_and_the_definition_stays_hard() -> None:
    document = small_blend()
    document["materials"][0].update(min=5.0, max=80.0, min_lot=10.0)
    document["groups"].append({"name": "two", "materials": ["ORE_A", "FLUX"], "max_count": 1})
    problem = load_document(document, REGISTRY, source="t").problem
    em = build_elastic(problem, integer=True)
    assert {lim.constraint for lim in em.limits} == {
        "specs.Fe.min", "specs.SiO2.max",
        "ratios[0].min (basicity)", "ratios[0].max (basicity)",
        "groups[0].min (ores)", "groups[1].max_count (two)",
        "materials[0].min (ORE_A)", "materials[0].max (ORE_A)",
        "materials[0].min_lot (ORE_A)",
    }
    assert em.model.row_names is not None and em.model.row_names[0] == "mass"
    assert em.model.row_lower[0] == em.model.row_upper[0] == 1.0


def test_round_up_never_rounds_down() -> None:
    assert round_up(0.1234564) == 0.123457
    assert round_up(0.1234561) == 0.123457
    assert round_up(2.0) == 2.0
    assert round_up(0.0) == 0.0
    assert round_up(1e-13) >= 1e-13


# --- through the command line ------------------------------------------------------------


def test_cli_summary_and_document_explain_the_infeasibility(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["solve", str(RAW_BASIS), "-o", str(out),
                                      "--threads", "1"])
    assert result.exit_code == 3, result.output
    assert "INFEASIBLE" in result.stdout
    assert "why:" in result.stdout and "specs.TFe.min" in result.stdout
    assert "relax by" in result.stdout
    assert "Traceback" not in result.output
    document = json.loads(out.read_text())
    assert document["status"] == "infeasible"
    assert "specs.TFe.min" in names(document["analysis"]["diagnosis"])

    as_json = CliRunner().invoke(cli, ["solve", str(RAW_BASIS), "--json", "--threads", "1"])
    assert as_json.exit_code == 3
    assert json.loads(as_json.stdout)["analysis"]["diagnosis"]["conflicts"]
