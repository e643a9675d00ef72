"""The parsed ``car-sequencing`` problem: options, classes, paint rules, objective weights.

Everything is indexed from 0 (options, classes, colours); ids come back only when a
payload is written.  ``previous`` holds yesterday's last cars as class indices: they are
fixed in front of today's sequence, so windows and colour runs straddling the day
boundary count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from optikit.types import InvalidProblem

#: ROADEF 2005's usual ranking when a document states no objective: high-priority
#: violations, then colour changes, then low-priority violations.
DEFAULT_ORDER = ("high", "colour", "low")


@dataclass(frozen=True)
class CarOption:
    """At most ``max`` cars with this option in any ``window`` consecutive cars."""

    id: str
    max: int
    window: int
    high: bool = True
    weight: int = 1
    station: str = ""


@dataclass(frozen=True)
class CarClass:
    id: str
    count: int
    options: tuple[int, ...]
    colour: int = -1  # index into CarSeqProblem.colours, -1: not painted on this line


@dataclass(frozen=True)
class Weights:
    """Objective = high*H + colour*C + low*L + level*V (integers; see docs/contract.md)."""

    high: int = 1
    colour: int = 0
    low: int = 0
    level: int = 0


@dataclass(frozen=True)
class CarSeqProblem:
    options: tuple[CarOption, ...]
    classes: tuple[CarClass, ...]
    colours: tuple[str, ...] = ()
    max_batch: int | None = None
    change_cost: int = 1
    previous: tuple[int, ...] = ()
    weights: Weights = Weights()
    lexicographic: tuple[str, ...] = ()
    name: str = ""

    @property
    def num_cars(self) -> int:
        return sum(c.count for c in self.classes)

    @cached_property
    def requires(self) -> tuple[tuple[bool, ...], ...]:
        """``requires[k][j]``: class ``k`` needs option ``j``."""
        return tuple(
            tuple(j in c.options for j in range(len(self.options))) for c in self.classes
        )

    @cached_property
    def demand(self) -> tuple[int, ...]:
        """Cars needing each option today."""
        return tuple(
            sum(c.count for c in self.classes if j in c.options) for j in range(len(self.options))
        )

    def term_weight(self, option: CarOption) -> int:
        return option.weight * (self.weights.high if option.high else self.weights.low)

    @property
    def has_paint(self) -> bool:
        return bool(self.colours)


def _lexicographic_weights(order: Sequence[str], bounds: Mapping[str, int]) -> Weights:
    """Weights that make a weighted sum rank the terms in ``order`` exactly.

    Each term's weight exceeds the largest value every later term can take together, so
    one unit of an earlier term always outweighs any amount of the later ones.
    """
    weights: dict[str, int] = {}
    factor = 1
    for term in reversed(order):
        weights[term] = factor
        factor *= bounds[term] + 1
    return Weights(**{t: weights.get(t, 0) for t in ("high", "colour", "low")})


def _term_bounds(options: Sequence[CarOption], n: int, previous: int, change_cost: int
                 ) -> dict[str, int]:
    span = n + previous
    out = {"high": 0, "low": 0, "colour": change_cost * n}
    for o in options:
        worst = max(0, span - o.window + 1) * max(0, o.window - o.max) * o.weight
        out["high" if o.high else "low"] += worst
    return out


def parse(document: Mapping[str, Any]) -> CarSeqProblem:
    """Document -> :class:`CarSeqProblem`; rules a schema cannot say raise InvalidProblem."""
    options: list[CarOption] = []
    option_index: dict[str, int] = {}
    for i, raw in enumerate(document.get("options") or []):
        oid = str(raw["id"])
        if oid in option_index:
            raise InvalidProblem(f"options[{i}].id", f"duplicate option id {oid!r}")
        if raw["max"] > raw["window"]:
            raise InvalidProblem(f"options[{i}].max", "must not exceed `window`")
        option_index[oid] = i
        options.append(
            CarOption(oid, int(raw["max"]), int(raw["window"]),
                      raw.get("priority", "high") == "high", int(raw.get("weight", 1)),
                      str(raw.get("station", "")))
        )
    colours: list[str] = []
    classes: list[CarClass] = []
    class_index: dict[str, int] = {}
    for i, raw in enumerate(document["classes"]):
        cid = str(raw["id"])
        if cid in class_index:
            raise InvalidProblem(f"classes[{i}].id", f"duplicate class id {cid!r}")
        needs = []
        for name in raw.get("options") or []:
            if name not in option_index:
                raise InvalidProblem(f"classes[{i}].options", f"unknown option {name!r}")
            needs.append(option_index[name])
        colour = -1
        if "colour" in raw:
            if raw["colour"] not in colours:
                colours.append(raw["colour"])
            colour = colours.index(raw["colour"])
        class_index[cid] = i
        classes.append(CarClass(cid, int(raw["count"]), tuple(sorted(needs)), colour))
    if colours and any(c.colour < 0 for c in classes):
        i = next(i for i, c in enumerate(classes) if c.colour < 0)
        raise InvalidProblem(f"classes[{i}].colour", "missing: either every class has a "
                             "colour or none has")
    n = sum(c.count for c in classes)
    if n == 0:
        raise InvalidProblem("classes", "no cars to sequence (every count is 0)")
    previous: list[int] = []
    for i, cid in enumerate(document.get("previous") or []):
        if cid not in class_index:
            raise InvalidProblem(f"previous[{i}]", f"unknown class {cid!r}")
        previous.append(class_index[cid])
    paint = document.get("paint") or {}
    if paint and not colours:
        raise InvalidProblem("paint", "paint rules need a `colour` on the classes")
    change_cost = int(paint.get("change_cost", 1))
    objective = document.get("objective") or {}
    lexicographic: tuple[str, ...] = ()
    if "weights" in objective:
        w = objective["weights"]
        weights = Weights(*(int(w.get(t, 0)) for t in ("high", "colour", "low", "level")))
        if not any((weights.high, weights.colour, weights.low, weights.level)):
            raise InvalidProblem("objective.weights", "at least one weight must be > 0")
    else:
        lexicographic = tuple(objective.get("lexicographic") or DEFAULT_ORDER)
        bounds = _term_bounds(options, n, len(previous), change_cost)
        weights = _lexicographic_weights(lexicographic, bounds)
    return CarSeqProblem(
        options=tuple(options),
        classes=tuple(classes),
        colours=tuple(colours),
        max_batch=paint.get("max_batch"),
        change_cost=change_cost,
        previous=tuple(previous),
        weights=weights,
        lexicographic=lexicographic,
        name=str(document.get("name", "")),
    )
