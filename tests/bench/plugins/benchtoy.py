"""A test-only plugin for the benchmark tests (loaded through a plugins directory).

Problem type ``bench-cover`` (minimise): pick items whose sizes cover ``demand`` at the
least total cost.  Backends ``cover-brute`` and ``cover-alt`` (same paradigm) enumerate
subsets; ``cover-missing`` is never available.  The ``mode`` option makes a run behave
like the contenders a benchmark must judge:

- ``exact`` (default): optimal, reporting each improving incumbent (``delay`` seconds
  apart, honouring the deadline);
- ``greedy``: a feasible answer without proof;
- ``liar``: claims optimal with a payload that does not cover the demand;
- ``falseopt``: claims optimal for the greedy (feasible, not optimal) answer;
- ``crash``: raises inside the formulation;
- ``hang``: sleeps ``hang`` seconds ignoring the time limit and the stop flag, like a
  solver stuck in native code;
- ``chatty``: writes to stdout (through Python and straight to file descriptor 1, like
  a native solver log), then solves exactly.
"""

from __future__ import annotations

import itertools
import os
import random
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
    "required": ["demand", "items"],
    "properties": {
        "type": {"const": "bench-cover"},
        "name": {"type": "string"},
        "demand": {"type": "number", "minimum": 0},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "cost", "size"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "cost": {"type": "number", "minimum": 0},
                    "size": {"type": "number", "minimum": 0},
                },
            },
        },
    },
    "additionalProperties": False,
}

COVER_OPTIONS = (
    OptionSpec("mode", str, "exact", "how to misbehave",
               choices=("exact", "crash", "hang", "chatty", "liar", "greedy", "falseopt")),
    OptionSpec("delay", float, 0.0, "seconds to wait after each improvement", minimum=0),
    OptionSpec("hang", float, 3600.0, "seconds mode=hang sleeps", minimum=0),
)


def parse(doc: Mapping[str, Any]) -> dict[str, Any]:
    ids = set()
    for i, item in enumerate(doc["items"]):
        if item["id"] in ids:
            raise InvalidProblem(f"items[{i}].id", f"duplicate id {item['id']!r}")
        ids.add(item["id"])
    if sum(it["size"] for it in doc["items"]) < doc["demand"]:
        raise InvalidProblem("demand", "the items cannot cover it")
    return {"demand": doc["demand"], "items": list(doc["items"])}


def check(problem: dict[str, Any], payload: Mapping[str, Any]) -> CheckReport:
    picked = payload.get("picked")
    if not isinstance(picked, list):
        return CheckReport(None, [Violation("payload", "picked must be a list")])
    items = {it["id"]: it for it in problem["items"]}
    violations = [Violation("payload", f"unknown item {p!r}") for p in picked if p not in items]
    chosen = [items[p] for p in set(picked) if p in items]
    size = sum(it["size"] for it in chosen)
    if size < problem["demand"] - 1e-9:
        violations.append(
            Violation("demand", f"covers {size} < {problem['demand']}", problem["demand"] - size)
        )
    return CheckReport(float(sum(it["cost"] for it in chosen)), violations)


def _cost(items: list[dict[str, Any]]) -> float:
    return float(sum(it["cost"] for it in items))


def _greedy(problem: dict[str, Any]) -> list[dict[str, Any]]:
    """Cheapest-per-unit first: feasible, usually not optimal."""
    order = sorted(problem["items"], key=lambda it: it["cost"] / max(it["size"], 1e-9))
    picked, size = [], 0.0
    for it in order:
        if size >= problem["demand"]:
            break
        picked.append(it)
        size += it["size"]
    return picked


class CoverBackend(Backend):
    paradigm = "cover"
    description = "enumerates subsets (benchmark test backend)"

    def __init__(self, name: str, available: bool = True) -> None:
        self.name = name
        self._available = available

    def availability(self) -> Availability:
        if not self._available:
            return Availability(False, "this test backend is never available")
        return Availability(True, version="0.0.1-test")

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> Any:
        delay = float(ctx.options.extra.get("delay", 0.0))
        items = model["items"]
        best: list[dict[str, Any]] = _greedy(model)
        ctx.report(objective=_cost(best))
        for r in range(1, len(items) + 1):
            for combo in itertools.combinations(items, r):
                if sum(it["size"] for it in combo) >= model["demand"] and _cost(
                    list(combo)
                ) < _cost(best):
                    best = list(combo)
                    end = time.monotonic() + delay
                    while time.monotonic() < end and not ctx.expired():
                        time.sleep(0.01)
                    ctx.report(objective=_cost(best))
        return best


def solve(problem: dict[str, Any], backend: Backend, ctx: SolveContext) -> Outcome:
    extra = dict(ctx.options.extra)
    mode = extra.get("mode", "exact")
    if mode == "crash":
        raise RuntimeError("deliberate crash")
    if mode == "hang":
        time.sleep(float(extra.get("hang", 3600)))
    if mode == "chatty":
        print("solver log line {not json", flush=True)
        os.write(1, b"native log line\n")
    if mode == "liar":
        return Outcome(Status.OPTIMAL, {"picked": []}, 0.0, 0.0)
    greedy = _greedy(problem)
    if mode == "greedy":
        return Outcome(Status.FEASIBLE, {"picked": [it["id"] for it in greedy]}, _cost(greedy))
    if mode == "falseopt":
        value = _cost(greedy)
        return Outcome(Status.OPTIMAL, {"picked": [it["id"] for it in greedy]}, value, value)
    assert isinstance(backend, CoverBackend)
    best = backend.solve(problem, ctx)
    value = _cost(best)
    return Outcome(Status.OPTIMAL, {"picked": [it["id"] for it in best]}, value, value)


def generate(seed: int, size: str) -> dict[str, Any]:
    n = {"tiny": 5, "small": 8}.get(size)
    if n is None:
        raise ValueError(f"unknown size {size!r} (tiny, small)")
    rng = random.Random(seed)
    items: list[dict[str, Any]] = [
        {"id": f"i{k}", "cost": rng.randint(1, 20), "size": rng.randint(1, 9)}
        for k in range(n)
    ]
    demand = max(1, sum(it["size"] for it in items) // 2)
    return {"type": "bench-cover", "demand": demand, "items": items}


@hookimpl
def register_problem_types(register: Any) -> None:
    register(
        ProblemType(
            name="bench-cover",
            schema=SCHEMA,
            parse=parse,
            check=check,
            formulations=[Formulation("enumerate", "cover", solve, options=COVER_OPTIONS)],
            sense="min",
            default_solvers=("cover-brute",),
            generate=generate,
        )
    )


@hookimpl
def register_backends(register: Any) -> None:
    register(CoverBackend("cover-brute"))
    register(CoverBackend("cover-alt"))
    register(CoverBackend("cover-missing", available=False))
