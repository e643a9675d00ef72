"""A small knapsack plugin that can be built with one deliberate flaw, to prove that the
conformance suite notices each kind of mistake a plugin author can make.

``make_plugin(flaw)`` returns a plugin object; ``flaw`` is one of :data:`FLAWS`.
The problem type ``mini-knapsack`` maximises the value of items within a capacity; its
backend ``mini-brute`` (paradigm ``mini-enumerate``) tries every subset.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Mapping
from typing import Any

from optikit import hookimpl
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

FLAWS = (
    "honest",
    "lenient-checker",  # accepts any payload and does not recompute the objective
    "unseeded-generator",  # ignores the seed
    "nondeterministic",  # a non-timing statistic changes from run to run
    "ignores-time-limit",  # sleeps through the limit on larger instances
    "bound-on-wrong-side",  # claims a bound below its objective on a max problem
    "undescribed",  # no one-line description
)

SCHEMA = {
    "type": "object",
    "required": ["capacity", "items"],
    "additionalProperties": False,
    "properties": {
        "capacity": {"type": "integer", "minimum": 0},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "value", "weight"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "value": {"type": "integer", "minimum": 0},
                    "weight": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
}


def parse(document: Mapping[str, Any]) -> dict[str, Any]:
    ids = [item["id"] for item in document["items"]]
    for i, name in enumerate(ids):
        if name in ids[:i]:
            raise InvalidProblem(f"items[{i}].id", f"duplicate id {name!r}")
    return {"capacity": document["capacity"], "items": document["items"]}


def honest_check(problem: dict[str, Any], payload: Mapping[str, Any]) -> CheckReport:
    picked = payload.get("picked")
    if not isinstance(picked, list):
        return CheckReport(None, [Violation("payload", "picked must be a list")])
    items = {item["id"]: item for item in problem["items"]}
    violations = [Violation("payload", f"unknown item {p!r}") for p in picked if p not in items]
    if len(set(picked)) != len(picked):
        violations.append(Violation("payload", "an item is picked twice"))
    chosen = [items[p] for p in set(picked) if p in items]
    weight = sum(item["weight"] for item in chosen)
    if weight > problem["capacity"]:
        violations.append(Violation("capacity", f"weight {weight} > {problem['capacity']}"))
    return CheckReport(float(sum(item["value"] for item in chosen)), violations)


class MiniBrute(Backend):
    name = "mini-brute"
    paradigm = "mini-enumerate"
    description = "tries every subset (test backend)"

    def availability(self) -> Availability:
        return Availability(True, version="1")

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> Any:
        items, capacity = model["items"], model["capacity"]
        best: tuple[int, tuple[str, ...]] = (-1, ())
        for r in range(len(items) + 1):
            for combo in itertools.combinations(items, r):
                if ctx.stop.is_set():
                    return best
                if sum(i["weight"] for i in combo) <= capacity:
                    value = sum(i["value"] for i in combo)
                    if value > best[0]:
                        best = (value, tuple(i["id"] for i in combo))
        return best


class FlawedPlugin:
    """The plugin object: hook implementations as methods (pluggy accepts any object)."""

    def __init__(self, flaw: str) -> None:
        if flaw not in FLAWS:
            raise ValueError(f"unknown flaw {flaw!r}")
        self.flaw = flaw

    def __repr__(self) -> str:
        return f"FlawedPlugin({self.flaw!r})"

    def check(self, problem: dict[str, Any], payload: Mapping[str, Any]) -> CheckReport:
        if self.flaw == "lenient-checker":
            return CheckReport(None, [])
        return honest_check(problem, payload)

    def generate(self, seed: int, size: str) -> dict[str, Any]:
        n = {"tiny": 4, "small": 8}.get(size)
        if n is None:
            raise ValueError(f"unknown size {size!r}")
        rng = random.Random() if self.flaw == "unseeded-generator" else random.Random(seed)
        return {
            "type": "mini-knapsack",
            "capacity": 10,
            "items": [{"id": f"i{k}", "value": rng.randint(1, 9), "weight": rng.randint(1, 6)}
                      for k in range(n)],
        }

    def solve(self, problem: dict[str, Any], backend: Backend, ctx: SolveContext) -> Outcome:
        if self.flaw == "ignores-time-limit" and len(problem["items"]) > 4:
            time.sleep(3.0)
        if ctx.stop.is_set():
            return Outcome(Status.UNKNOWN, message="stopped")
        assert isinstance(backend, MiniBrute)
        value, picked = backend.solve(problem, ctx)
        stats: dict[str, Any] = {"subsets": 2 ** len(problem["items"])}
        bound: float = float(value)
        if self.flaw == "nondeterministic":
            stats["subsets"] = random.randint(0, 10**9)
        if self.flaw == "bound-on-wrong-side":
            return Outcome(Status.FEASIBLE, {"picked": list(picked)}, float(value),
                           float(value) - 5.0, stats=stats)
        return Outcome(Status.OPTIMAL, {"picked": list(picked)}, float(value), bound,
                       stats=stats)

    @hookimpl
    def register_problem_types(self, register: Any) -> None:
        register(
            ProblemType(
                name="mini-knapsack",
                description="" if self.flaw == "undescribed" else "pick items (test type)",
                schema=SCHEMA,
                parse=parse,
                check=self.check,
                formulations=[Formulation("enumerate", "mini-enumerate", self.solve)],
                sense="max",
                default_solvers=("mini-brute",),
                generate=self.generate,
            )
        )

    @hookimpl
    def register_backends(self, register: Any) -> None:
        register(MiniBrute())


def make_plugin(flaw: str) -> FlawedPlugin:
    return FlawedPlugin(flaw)
