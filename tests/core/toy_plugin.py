"""A tiny, self-contained plugin for testing the core without the built-in plugins.

Problem type ``toy-knapsack``: pick items (value, weight) under a capacity, maximise value.
Backend ``brute`` (paradigm ``enumerate``) tries every subset.  Formulation options
(``--option``) make it misbehave on purpose so the runner's safeguards can be tested:
``lie=true`` returns an over-capacity pick, ``claim=optimal`` claims optimality with a
loose bound, ``crash=true`` raises, ``wrong_objective=true`` misreports the objective,
``sleep=S`` sleeps while honouring the deadline and the stop flag, ``hang=S``
sleeps ignoring both.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import Any

from optikit import hookimpl
from optikit.options import OptionSpec
from optikit.types import (
    Availability,
    Backend,
    CheckReport,
    Formulation,
    InvalidProblem,
    Outcome,
    ProblemType,
    SolveContext,
    Status,
    Violation,
)

SCHEMA = {
    "type": "object",
    "required": ["capacity", "items"],
    "additionalProperties": False,
    "properties": {
        "capacity": {"type": "number", "minimum": 0},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "value", "weight"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "value": {"type": "number", "minimum": 0},
                    "weight": {"type": "number", "minimum": 0},
                },
            },
        },
    },
}


def parse(doc: Mapping[str, Any]) -> dict[str, Any]:
    seen = set()
    for i, item in enumerate(doc["items"]):
        if item["id"] in seen:
            raise InvalidProblem(f"items[{i}].id", f"duplicate id {item['id']!r}")
        seen.add(item["id"])
    return {"capacity": doc["capacity"], "items": doc["items"]}


def check(problem: dict[str, Any], payload: Mapping[str, Any]) -> CheckReport:
    picked = payload.get("picked")
    if not isinstance(picked, list):
        return CheckReport(None, [Violation("payload", "picked must be a list")])
    items = {it["id"]: it for it in problem["items"]}
    violations = [Violation("payload", f"unknown item {p!r}") for p in picked if p not in items]
    chosen = [items[p] for p in picked if p in items]
    weight = sum(it["weight"] for it in chosen)
    if weight > problem["capacity"] + 1e-9:
        violations.append(
            Violation("capacity", f"weight {weight} > {problem['capacity']}",
                      weight - problem["capacity"])
        )
    return CheckReport(sum(it["value"] for it in chosen), violations, {"weight": weight})


class BruteBackend(Backend):
    name = "brute"
    paradigm = "enumerate"
    description = "tries every subset (test backend)"
    supports_integer = True

    def availability(self) -> Availability:
        return Availability(True, version="1.0")

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> Any:
        items, capacity = model["items"], model["capacity"]
        best: tuple[float, tuple[str, ...]] = (-1.0, ())
        for r in range(len(items) + 1):
            for combo in itertools.combinations(items, r):
                if sum(i["weight"] for i in combo) <= capacity:
                    value = sum(i["value"] for i in combo)
                    if value > best[0]:
                        best = (value, tuple(i["id"] for i in combo))
                        ctx.report(objective=value)
        return best


TOY_OPTIONS = (
    OptionSpec("crash", bool, False, "raise inside the formulation"),
    OptionSpec("hang", float, 0.0, "sleep this long ignoring deadline and stop", minimum=0),
    OptionSpec("sleep", float, 0.0, "sleep this long honouring deadline and stop", minimum=0),
    OptionSpec("lie", bool, False, "return an over-capacity pick"),
    OptionSpec("claim", str, "", "claim=optimal claims optimality with a loose bound"),
    OptionSpec("wrong_objective", bool, False, "misreport the objective"),
)


def solve(problem: dict[str, Any], backend: Backend, ctx: SolveContext) -> Outcome:
    opts = ctx.options.extra
    if opts.get("crash"):
        raise RuntimeError("boom")
    if "hang" in opts:  # ignores the stop flag, like a solver stuck in native code
        time.sleep(float(opts["hang"]))
    if "sleep" in opts:
        end = time.monotonic() + float(opts["sleep"])
        while time.monotonic() < end and not ctx.expired():
            time.sleep(0.01)
        return Outcome(Status.FEASIBLE, {"picked": []}, 0.0, None)
    assert isinstance(backend, BruteBackend)
    value, picked = backend.solve(problem, ctx)
    if opts.get("lie"):
        return Outcome(Status.OPTIMAL, {"picked": [i["id"] for i in problem["items"]]}, 1e9, 1e9)
    if opts.get("claim") == "optimal":
        return Outcome(Status.OPTIMAL, {"picked": list(picked)}, value, value * 2 + 10)
    if opts.get("wrong_objective"):
        return Outcome(Status.OPTIMAL, {"picked": list(picked)}, value + 5, value + 5)
    return Outcome(Status.OPTIMAL, {"picked": list(picked)}, value, value,
                   analysis={"items_used": len(picked)})


def generate(seed: int, size: str) -> dict[str, Any]:
    import random

    n = {"tiny": 3, "small": 6}.get(size)
    if n is None:
        raise ValueError(f"unknown size {size!r} (tiny, small)")
    rng = random.Random(seed)
    return {
        "type": "toy-knapsack",
        "capacity": 10,
        "items": [
            {"id": f"i{k}", "value": rng.randint(1, 9), "weight": rng.randint(1, 6)}
            for k in range(n)
        ],
    }


def summarize(problem: Any, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("picked", ", ".join(document["solution"]["picked"]) or "nothing")]


@hookimpl
def register_problem_types(register: Any) -> None:
    register(
        ProblemType(
            name="toy-knapsack",
            schema=SCHEMA,
            parse=parse,
            check=check,
            formulations=[Formulation("enumerate", "enumerate", solve, options=TOY_OPTIONS)],
            sense="max",
            default_solvers=("brute",),
            generate=generate,
            summarize=summarize,
        )
    )


@hookimpl
def register_backends(register: Any) -> None:
    register(BruteBackend())
