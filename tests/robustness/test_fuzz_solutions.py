"""Every checker accepts real solutions and rejects broken copies of them.

For each registered problem type with a generator, tiny instances are solved (short limit,
one thread) and the type's independent checker must accept the answer.  Hypothesis then
breaks copies of it in ways that are infeasible *by construction*, whatever the instance:

- schedules (``operations[]``: fjsp, energy-scheduling, maintenance): an operation moved
  to a machine none of its modes uses, shifted to overlap another on its machine, started
  before its predecessor ends or before its job's release, or given a wrong duration;
- maintenance tasks: a mandatory task skipped, a task overlapping an operation on its
  machine, run past its window, or given a wrong duration;
- blends (``amounts``): a spec pushed past its limit by at least one percentage point, a
  material charged at least one tonne over its max (or under its min), a group share
  pushed a point past its limit.

Each mutation says which rule it breaks; the checker must reject the copy *and* name that
rule (other violations may come along: a moved operation also changes energy figures).
Blend mutations are re-verified in the test with its own arithmetic before the checker
is asked.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st

from optikit.plugins import load_registry
from optikit.problem_io import LoadedProblem, load_document
from optikit.runner import check_payload, solve
from optikit.types import SolveOptions

REGISTRY = load_registry()
TYPES = sorted(n for n, t in REGISTRY.problem_types.items() if t.generate is not None)
SEEDS = (0, 1)
Mutation = tuple[dict[str, Any], set[str], str]  # payload, rule names accepted, what was done
Draw = Callable[[st.SearchStrategy[Any]], Any]


@functools.cache
def solved(type_name: str, seed: int) -> tuple[LoadedProblem, dict[str, Any]] | None:
    """A tiny generated instance of the type and its solution (None if none was found)."""
    ptype = REGISTRY.problem_types[type_name]
    assert ptype.generate is not None
    try:
        document = ptype.generate(seed, "tiny")
    except ValueError:  # a generator without a "tiny" size
        document = ptype.generate(seed, "small")
    loaded = load_document(document, REGISTRY, source=f"{type_name}-{seed}")
    result = solve(loaded, REGISTRY, options=SolveOptions(time_limit=5.0, threads=1, seed=0))
    if result.document["status"] not in ("optimal", "feasible"):
        return None
    return loaded, result.document["solution"]


def instances(type_name: str) -> list[tuple[LoadedProblem, dict[str, Any]]]:
    found = [s for seed in SEEDS if (s := solved(type_name, seed)) is not None]
    if not found:
        pytest.skip(f"no tiny {type_name} instance was solved within the limit")
    return found


def kinds(loaded: LoadedProblem, payload: dict[str, Any]) -> set[str]:
    return {v.constraint for v in check_payload(loaded, payload).violations}


@pytest.mark.parametrize("type_name", TYPES)
def test_checker_accepts_the_solver_answers(type_name: str) -> None:
    for loaded, payload in instances(type_name):
        report = check_payload(loaded, copy.deepcopy(payload))
        assert report.feasible, [v.message for v in report.violations]


# --- schedules ---------------------------------------------------------------------------


def _modes(document: dict[str, Any], entry: dict[str, Any]) -> list[dict[str, Any]]:
    job = next(j for j in document["jobs"] if j["id"] == entry["job"])
    return job["operations"][entry["operation"]]["modes"]


def _length(entry: dict[str, Any]) -> int:
    return int(entry["end"]) - int(entry["start"])


def _place(entry: dict[str, Any], start: int) -> None:
    length = _length(entry)
    entry["start"], entry["end"] = start, start + length


def _ineligible_machine(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                        ) -> Mutation | None:
    machines = [m["id"] for m in doc["machines"]]
    options = [(i, m) for i, e in enumerate(payload["operations"])
               for m in machines if m not in {mode["machine"] for mode in _modes(doc, e)}]
    if not options:
        return None
    i, machine = draw(st.sampled_from(options))
    out = copy.deepcopy(payload)
    out["operations"][i]["machine"] = machine
    return out, {"eligibility"}, f"operation {i} moved to {machine}"


def _overlap(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    ops = payload["operations"]
    pairs = [(a, b) for a in range(len(ops)) for b in range(len(ops))
             if a != b and ops[a]["machine"] == ops[b]["machine"]
             and _length(ops[a]) > 0 and _length(ops[b]) > 0]
    if not pairs:
        return None
    a, b = draw(st.sampled_from(pairs))
    first, moved = ops[a], ops[b]
    # Any start in this range makes the two intervals intersect.
    low = max(0, int(first["start"]) - _length(moved) + 1)
    start = draw(st.integers(low, int(first["end"]) - 1))
    out = copy.deepcopy(payload)
    _place(out["operations"][b], start)
    return out, {"capacity", "machine"}, f"operation {b} moved to overlap {a} at {start}"


def _precedence(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    ops = payload["operations"]
    where = {(e["job"], e["operation"]): i for i, e in enumerate(ops)}
    options = [(where[key], where[(key[0], key[1] - 1)]) for key in where
               if key[1] > 0 and (key[0], key[1] - 1) in where
               and int(ops[where[(key[0], key[1] - 1)]]["end"]) > 0]
    if not options:
        return None
    i, before = draw(st.sampled_from(options))
    end = int(ops[before]["end"])
    start = draw(st.integers(max(0, end - 10), end - 1))
    out = copy.deepcopy(payload)
    _place(out["operations"][i], start)
    return out, {"precedence"}, f"operation {i} starts at {start}, before its predecessor ends"


def _release(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    release = {j["id"]: int(j.get("release", 0)) for j in doc["jobs"]}
    options = [i for i, e in enumerate(payload["operations"])
               if e["operation"] == 0 and release[e["job"]] > 0]
    if not options:
        return None
    i = draw(st.sampled_from(options))
    start = draw(st.integers(0, release[payload["operations"][i]["job"]] - 1))
    out = copy.deepcopy(payload)
    _place(out["operations"][i], start)
    return out, {"release"}, f"operation {i} starts at {start}, before its job's release"


def _duration(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    ops = payload["operations"]
    if not ops:
        return None
    i = draw(st.integers(0, len(ops) - 1))
    delta = draw(st.integers(-_length(ops[i]), 5).filter(lambda d: d != 0))
    out = copy.deepcopy(payload)
    out["operations"][i]["end"] = int(ops[i]["end"]) + delta
    return out, {"duration"}, f"operation {i} lasts {delta:+d} units more than its mode"


# --- maintenance tasks -------------------------------------------------------------------


def _task(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in doc["tasks"] if t["id"] == name)


def _skip_mandatory(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                    ) -> Mutation | None:
    options = [i for i, e in enumerate(payload["maintenance"])
               if not _task(doc, e["task"]).get("optional", False)]
    if not options:
        return None
    i = draw(st.sampled_from(options))
    out = copy.deepcopy(payload)
    name = out["maintenance"].pop(i)["task"]
    out["skipped"] = [*out.get("skipped", []), name]
    return out, {"mandatory", "rul"}, f"mandatory task {name} skipped"


def _task_on_operation(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                       ) -> Mutation | None:
    ops = payload["operations"]
    options = [(i, k) for i, e in enumerate(payload["maintenance"]) for k, op in enumerate(ops)
               if _task(doc, e["task"])["machine"] == op["machine"]
               and _length(e) > 0 and _length(op) > 0]
    if not options:
        return None
    i, k = draw(st.sampled_from(options))
    task = payload["maintenance"][i]
    start = draw(st.integers(max(0, int(ops[k]["start"]) - _length(task) + 1),
                             int(ops[k]["end"]) - 1))
    out = copy.deepcopy(payload)
    _place(out["maintenance"][i], start)
    return out, {"machine"}, f"task {task['task']} overlaps operation {k} at {start}"


def _task_past_window(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                      ) -> Mutation | None:
    options = [i for i, e in enumerate(payload["maintenance"])
               if "window" in _task(doc, e["task"])]
    if not options:
        return None
    i = draw(st.sampled_from(options))
    task = payload["maintenance"][i]
    end = int(_task(doc, task["task"])["window"]["end"])
    start = draw(st.integers(max(0, end - _length(task) + 1), end + 3))
    out = copy.deepcopy(payload)
    _place(out["maintenance"][i], start)
    return out, {"window"}, f"task {task['task']} runs past its window end {end}"


def _task_duration(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                   ) -> Mutation | None:
    tasks = payload["maintenance"]
    if not tasks:
        return None
    i = draw(st.integers(0, len(tasks) - 1))
    delta = draw(st.integers(-_length(tasks[i]), 5).filter(lambda d: d != 0))
    out = copy.deepcopy(payload)
    out["maintenance"][i]["end"] = int(tasks[i]["end"]) + delta
    return out, {"duration"}, f"task {tasks[i]['task']} lasts {delta:+d} units more"


# --- blends ------------------------------------------------------------------------------


def _blend_amounts(payload: dict[str, Any]) -> dict[str, Any]:
    """The amounts alone: the reported composition and ratios are dropped, so a rejection
    must come from the rule itself and not from a stale figure."""
    return {"amounts": dict(payload["amounts"])}


def _pct(doc: dict[str, Any], amounts: dict[str, float], component: str) -> float:
    """Product mass % of a component, as the contract defines it: sum(x * pct) / total."""
    comp = {m["id"]: m["composition"].get(component, 0.0) for m in doc["materials"]}
    return sum(x * comp[mid] for mid, x in amounts.items()) / doc["total"]


def _spec_broken(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    options = [(c, side) for c, lim in doc.get("specs", {}).items() for side in ("min", "max")
               if lim.get(side) is not None and (side == "max" or lim[side] > 0)]
    if not options:
        return None
    component, side = draw(st.sampled_from(options))
    limit = float(doc["specs"][component][side])
    out = _blend_amounts(payload)
    amounts = out["amounts"]
    now = _pct(doc, amounts, component)
    if side == "max":
        # Add a material that carries the component until the product has `over` points more.
        carriers = [m for m in doc["materials"] if m["composition"].get(component, 0) > 0]
        material = draw(st.sampled_from(carriers))
        over = draw(st.floats(1.0, 5.0))
        extra = (limit - now + over) * doc["total"] / material["composition"][component]
        amounts[material["id"]] = amounts.get(material["id"], 0.0) + extra
        assert _pct(doc, amounts, component) >= limit + 0.999 * over
    else:
        under = draw(st.floats(min(1.0, limit / 2), limit))
        scale = (limit - under) / now
        for mid in amounts:
            amounts[mid] *= scale
        assert _pct(doc, amounts, component) <= limit - 0.999 * under
    return out, {f"specs.{component}.{side}"}, f"{component} pushed past its {side} {limit}"


def _material_bound(doc: dict[str, Any], payload: dict[str, Any], draw: Draw
                    ) -> Mutation | None:
    options = [(m["id"], side) for m in doc["materials"] for side in ("min", "max")
               if m.get(side) is not None and (side == "max" or m[side] > 0)]
    if not options:
        return None
    mid, side = draw(st.sampled_from(options))
    limit = float(next(m for m in doc["materials"] if m["id"] == mid)[side])
    out = _blend_amounts(payload)
    if side == "max":
        out["amounts"][mid] = limit + draw(st.floats(1.0, 100.0))
        assert out["amounts"][mid] >= limit + 1.0
    else:
        out["amounts"][mid] = limit - draw(st.floats(min(1.0, limit), limit))
        assert out["amounts"][mid] <= limit - min(1.0, limit) * 0.999
    return out, {f"materials.{mid}.{side}"}, f"{mid} charged past its {side} {limit} t"


def _share(group: dict[str, Any], amounts: dict[str, float]) -> float:
    members = sum(amounts.get(m, 0.0) for m in group["materials"])
    ref = sum(amounts.get(m, 0.0) for m in group["of"]) if "of" in group \
        else sum(amounts.values())
    return members / ref


def _group_share(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    everyone = [m["id"] for m in doc["materials"]]
    options = []
    for g in doc.get("groups", []):
        ref = g.get("of", everyone)
        if g.get("max") is not None and g["max"] < 0.98 and set(g["materials"]) & set(ref):
            options.append((g["name"], "max"))
        if g.get("min") is not None and g["min"] > 0.02 and set(ref) - set(g["materials"]):
            options.append((g["name"], "min"))
    if not options:
        return None
    name, side = draw(st.sampled_from(options))
    group = next(g for g in doc["groups"] if g["name"] == name)
    ref = set(group.get("of", everyone))
    out = _blend_amounts(payload)
    amounts = out["amounts"]
    members = sum(amounts.get(m, 0.0) for m in group["materials"])
    total_ref = sum(amounts.get(m, 0.0) for m in ref)
    limit = float(group[side])
    if side == "max":
        target = limit + draw(st.floats(0.01, min(0.3, 0.99 - limit)))
        material = draw(st.sampled_from(sorted(set(group["materials"]) & ref)))
        # (members + d) / (ref + d) = target
        extra = (target * total_ref - members) / (1.0 - target)
        amounts[material] = amounts.get(material, 0.0) + extra
        assert _share(group, amounts) >= target - 1e-9
    else:
        target = limit - draw(st.floats(0.01, limit - 0.01))
        material = draw(st.sampled_from(sorted(ref - set(group["materials"]))))
        extra = members / target - total_ref  # members / (ref + d) = target
        amounts[material] = amounts.get(material, 0.0) + extra
        assert _share(group, amounts) <= target + 1e-9
    return out, {f"groups.{name}.{side}"}, f"group {name} share pushed past its {side}"


# --- pooling -----------------------------------------------------------------------------


def _pool_flow_scaled(doc: dict[str, Any], payload: dict[str, Any],
                      draw: Draw) -> Mutation | None:
    pools = {p["id"] for p in doc.get("pools", [])}
    options = [k for k, f in enumerate(payload["flows"]) if f["from"] in pools
               and f["amount"] > 1e-3]
    if not options:
        return None
    k = draw(st.sampled_from(options))
    out = copy.deepcopy(payload)
    out["flows"][k]["amount"] *= draw(st.floats(1.01, 3.0))
    pool = out["flows"][k]["from"]
    return out, {f"pools[{pool}].balance"}, f"flow out of {pool} scaled"


def _demand_exceeded(doc: dict[str, Any], payload: dict[str, Any],
                     draw: Draw) -> Mutation | None:
    limits = {p["id"]: p["max"] for p in doc["products"] if "max" in p}
    made = {pid: figures["amount"] for pid, figures in payload["products"].items()}
    options = [k for k, f in enumerate(payload["flows"]) if f["to"] in limits]
    if not options:
        return None
    k = draw(st.sampled_from(options))
    out = copy.deepcopy(payload)
    product = out["flows"][k]["to"]
    extra = limits[product] - made.get(product, 0.0) + draw(st.floats(1.0, 50.0))
    out["flows"][k]["amount"] += extra
    return out, {f"products[{product}].max"}, f"{product} made past its max"


def _profit_overstated(doc: dict[str, Any], payload: dict[str, Any],
                       draw: Draw) -> Mutation | None:
    out = copy.deepcopy(payload)
    out["profit"] += draw(st.floats(1.0, 1e4))
    return out, {"profit"}, "profit overstated"


# --- lot-sizing --------------------------------------------------------------------------


def _stock_misreported(doc: dict[str, Any], payload: dict[str, Any],
                       draw: Draw) -> Mutation | None:
    stock = payload.get("stock")
    if not isinstance(stock, dict) or not stock:
        return None
    item = draw(st.sampled_from(sorted(stock)))
    t = draw(st.integers(0, len(stock[item]) - 1))
    out = copy.deepcopy(payload)
    out["stock"][item][t] += draw(st.floats(1.0, 1e3))
    return out, {f"stock.{item}[{t + 1}]"}, f"stock of {item} in period {t + 1} misreported"


def _production_negative(doc: dict[str, Any], payload: dict[str, Any],
                         draw: Draw) -> Mutation | None:
    rows = payload.get("production") or []
    if not rows:
        return None
    k = draw(st.integers(0, len(rows) - 1))
    out = copy.deepcopy(payload)
    out["production"][k]["quantity"] = -draw(st.floats(1.0, 1e3))
    return out, {f"production[{k}]"}, f"production row {k} made negative"


# --- intralogistics ---------------------------------------------------------------------


def _stop_dropped(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    routes = [r for r in payload["routes"] if r["stops"]]
    if not routes:
        return None
    out = copy.deepcopy(payload)
    route = next(r for r in out["routes"] if r["vehicle"] == draw(
        st.sampled_from([r["vehicle"] for r in routes])))
    k = draw(st.integers(0, len(route["stops"]) - 1))
    dropped = route["stops"].pop(k)
    if isinstance(dropped, dict) and "charge" in dropped:
        return None  # a charge left out need not break anything
    return out, {"orders", "delivery", "precedence"}, f"stop {k} of {route['vehicle']} dropped"


def _delivery_first(doc: dict[str, Any], payload: dict[str, Any],
                    draw: Draw) -> Mutation | None:
    routes = [r for r in payload["routes"] if len(r["stops"]) >= 2]
    if not routes:
        return None
    out = copy.deepcopy(payload)
    route = next(r for r in out["routes"] if r["vehicle"] == draw(
        st.sampled_from([r["vehicle"] for r in routes])))
    route["stops"].reverse()  # the last stop delivers something picked up on this route
    first = route["stops"][0]
    if isinstance(first, dict) and first.get("action") != "delivery":
        return None
    return out, {"precedence", "delivery", "time window", "capacity", "battery"}, \
        f"route of {route['vehicle']} reversed"
# --- car-sequencing ----------------------------------------------------------------------


def _car_replaced(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    seq = payload.get("sequence") or []
    if len(set(seq)) < 2:
        return None
    i = draw(st.integers(0, len(seq) - 1))
    other = draw(st.sampled_from(sorted({c for c in seq if c != seq[i]})))
    out = copy.deepcopy(payload)
    out["sequence"][i] = other
    return out, {"class count"}, f"car {i} built as {other} instead of {seq[i]}"


def _car_dropped(doc: dict[str, Any], payload: dict[str, Any], draw: Draw) -> Mutation | None:
    seq = payload.get("sequence") or []
    if not seq:
        return None
    i = draw(st.integers(0, len(seq) - 1))
    out = copy.deepcopy(payload)
    del out["sequence"][i]
    return out, {"class count"}, f"car {i} dropped"
# --- rostering ---------------------------------------------------------------------------


def _second_shift_same_day(doc: dict[str, Any], payload: dict[str, Any],
                           draw: Draw) -> Mutation | None:
    rows = payload.get("assignments") or []
    if not rows:
        return None
    row = rows[draw(st.integers(0, len(rows) - 1))]
    other = next((s["id"] for s in doc["shifts"] if s["id"] != row["shift"]), None)
    if other is None:
        return None
    out = copy.deepcopy(payload)
    out["assignments"].append({**row, "shift": other})
    return out, {"one_shift_per_day"}, f"{row['employee']} given two shifts on day {row['day']}"


def _work_on_leave(doc: dict[str, Any], payload: dict[str, Any],
                   draw: Draw) -> Mutation | None:
    on_leave = [(e["id"], d) for e in doc["employees"] for d in e.get("days_off", [])]
    if not on_leave:
        return None
    who, day = draw(st.sampled_from(on_leave))
    out = copy.deepcopy(payload)
    out["assignments"].append({"employee": who, "day": day, "shift": doc["shifts"][0]["id"]})
    return out, {"days_off"}, f"{who} works on leave (day {day})"


def _second_station(doc: dict[str, Any], payload: dict[str, Any],
                    draw: Draw) -> Mutation | None:
    rows = [r for r in payload.get("assignments") or [] if r.get("skill") is not None]
    if not rows:
        return None
    row = rows[draw(st.integers(0, len(rows) - 1))]
    out = copy.deepcopy(payload)
    out["assignments"].append(dict(row))  # the same person counted at a station twice
    return out, {"one_station"}, f"{row['employee']} placed twice on day {row['day']}"


def mutations_for(payload: dict[str, Any]) -> list[Callable[..., Mutation | None]]:
    """The mutations that apply to a payload's shape (a new type's shape gets none)."""
    found: list[Callable[..., Mutation | None]] = []
    if isinstance(payload.get("operations"), list):
        found += [_ineligible_machine, _overlap, _precedence, _release, _duration]
    if isinstance(payload.get("maintenance"), list):
        found += [_skip_mandatory, _task_on_operation, _task_past_window, _task_duration]
    if isinstance(payload.get("amounts"), dict):
        found += [_spec_broken, _material_bound, _group_share]
    if isinstance(payload.get("flows"), list):
        found += [_pool_flow_scaled, _demand_exceeded, _profit_overstated]
    if isinstance(payload.get("production"), list):
        found += [_stock_misreported, _production_negative]
    if isinstance(payload.get("routes"), list):
        found += [_stop_dropped, _delivery_first]
    if isinstance(payload.get("sequence"), list):
        found += [_car_replaced, _car_dropped]
    if isinstance(payload.get("assignments"), list):
        found += [_second_shift_same_day, _work_on_leave, _second_station]
    return found


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_checker_rejects_provably_broken_solutions(type_name: str, data: st.DataObject) -> None:
    found = instances(type_name)
    loaded, payload = data.draw(st.sampled_from(found), label="instance")
    candidates = mutations_for(payload)
    if not candidates:
        pytest.skip(f"no mutations known for {type_name} payloads")
    mutate = data.draw(st.sampled_from(candidates), label="mutation")
    mutation = mutate(loaded.document, payload, data.draw)
    event(f"{mutate.__name__}: {'applied' if mutation else 'not applicable'}")
    if mutation is None:
        return  # this instance has nothing to break that way (e.g. no releases)
    broken, expected, what = mutation
    found_kinds = kinds(loaded, broken)
    assert found_kinds, f"checker accepted a broken solution: {what}"
    assert found_kinds & expected, f"{what}: expected {expected}, checker said {found_kinds}"


def test_blend_mutations_are_not_vacuous() -> None:
    """Every blend mutation applies to the tiny generated blends (so the property above
    really exercises specs, material bounds and group shares)."""
    if "blend" not in TYPES:
        pytest.skip("blend is not registered")

    def simplest(strategy: st.SearchStrategy[Any]) -> Any:
        return find(strategy, lambda _: True, settings=settings(database=None))

    applied = []
    for loaded, payload in instances("blend"):
        for mutate in mutations_for(payload):
            mutation = mutate(loaded.document, payload, simplest)
            if mutation is not None:
                applied.append(mutate.__name__)
                assert kinds(loaded, mutation[0]) & mutation[1], mutation[2]
    assert set(applied) == {"_spec_broken", "_material_bound", "_group_share"}
