"""The parsed blend problem: numpy arrays indexed by material and component.

``parse`` runs after JSON Schema validation and checks what a schema cannot: unique ids,
references to materials and components, sums, and limits that contradict each other.
Every error names the offending field the way users read it (``groups[1].materials[2]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import InvalidProblem
from optikit.units import currency_of

#: Composition sums may exceed 100 % by this much (floating-point slack only).
SUM_SLACK = 1e-9


@dataclass(frozen=True)
class Ratio:
    """``min <= (numerator . pct) / (denominator . pct) <= max`` on the product."""

    name: str
    numerator: NDArray[np.float64]  # weight per component
    denominator: NDArray[np.float64]
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Group:
    """Limits on a set of materials: share of the charged mass of ``of``, and counts."""

    name: str
    members: NDArray[np.int64]
    of: NDArray[np.int64] | None  # None: all materials
    min: float | None
    max: float | None
    min_count: int | None
    max_count: int | None

    @property
    def has_share(self) -> bool:
        return self.min is not None or self.max is not None

    @property
    def has_count(self) -> bool:
        return self.min_count is not None or self.max_count is not None


@dataclass(frozen=True)
class BlendProblem:
    """A blend, ready for the formulation and the checker.

    Arrays are indexed by material (``n``) and component (``k``); absent optional values
    are ``0`` (``lower``, ``loss``, ``min_lot``), ``inf`` (``upper``) or ``nan`` (specs).
    """

    name: str
    total: float
    ids: tuple[str, ...]
    components: tuple[str, ...]
    cost: NDArray[np.float64]  # (n,) per tonne charged
    composition: NDArray[np.float64]  # (n, k) mass % of the charged material
    loss: NDArray[np.float64]  # (n,) mass % lost
    lower: NDArray[np.float64]  # (n,) tonnes
    upper: NDArray[np.float64]  # (n,) tonnes
    min_lot: NDArray[np.float64]  # (n,) tonnes; 0 = no lot
    spec_min: NDArray[np.float64]  # (k,) % of product; nan = none
    spec_max: NDArray[np.float64]
    spec_order: tuple[int, ...]  # components with a spec, in document order
    ratios: tuple[Ratio, ...]
    groups: tuple[Group, ...]
    max_materials: int | None
    #: Materials whose ``min_lot`` exceeds their ``max``: never used (told in the summary).
    unusable: tuple[int, ...] = ()
    currency: str = ""  # of money amounts, for reports (optikit.units)

    @property
    def num_materials(self) -> int:
        return len(self.ids)

    @property
    def yields(self) -> NDArray[np.float64]:
        """Tonnes of product per tonne charged."""
        return 1.0 - self.loss / 100.0

    @cached_property
    def index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.ids)}

    def lot_materials(self) -> NDArray[np.bool_]:
        """Materials whose lot makes "used or not" a decision (lot set, not forced in)."""
        return (self.min_lot > 0.0) & (self.lower <= 0.0)

    def counted_materials(self) -> NDArray[np.bool_]:
        """Materials that appear in a count limit (a group count or ``max_materials``)."""
        mask = np.zeros(self.num_materials, dtype=bool)
        if self.max_materials is not None:
            mask[:] = True
        for group in self.groups:
            if group.has_count:
                mask[group.members] = True
        return mask

    def binary_materials(self) -> NDArray[np.bool_]:
        """Materials that need a 0/1 "used" variable in a linear model."""
        return self.lot_materials() | self.counted_materials()

    @property
    def needs_integer(self) -> bool:
        return bool(self.binary_materials().any())


def weighted_columns(
    matrix: NDArray[np.float64], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``matrix @ weights`` as a few column operations.

    Weight vectors here have one or two nonzeros; summing those columns avoids a BLAS call,
    whose thread pool costs more than the arithmetic on a busy machine.
    """
    out = np.zeros(matrix.shape[0])
    for j in np.flatnonzero(weights):
        out += weights[j] * matrix[:, j]
    return out


def charge_figures(
    problem: BlendProblem, amounts: NDArray[np.float64]
) -> tuple[NDArray[np.float64], float, float]:
    """Tonnes of each component, tonnes of product and cost of a charge (by material).

    Only the charged materials take part, so this costs nothing for a 20,000-material
    blend that uses a dozen of them.
    """
    used = np.flatnonzero(amounts)
    x = amounts[used]
    content = (problem.composition[used] * x[:, None]).sum(axis=0) / 100.0
    return content, float((problem.yields[used] * x).sum()), float((problem.cost[used] * x).sum())


# --- parsing ----------------------------------------------------------------------------


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


def _layouts(materials: Sequence[Mapping[str, Any]]) -> dict[tuple[str, ...], list[int]]:
    """Materials grouped by the components their composition lists, in listing order.

    Large instances repeat a few layouts, so the matrix below is filled with one numpy
    assignment per layout instead of one Python step per entry.
    """
    layouts: dict[tuple[str, ...], list[int]] = {}
    for i, material in enumerate(materials):
        layouts.setdefault(tuple(material["composition"]), []).append(i)
    return layouts


def _components(layouts: Mapping[tuple[str, ...], list[int]]) -> dict[str, int]:
    """Every component named in any composition, in order of first appearance."""
    seen: dict[str, int] = {}
    for layout in layouts:  # layouts are in order of their first material
        for name in layout:
            if name not in seen:
                seen[name] = len(seen)
    return seen


def _composition_matrix(
    materials: Sequence[Mapping[str, Any]],
    layouts: Mapping[tuple[str, ...], list[int]],
    comp_index: dict[str, int],
) -> NDArray[np.float64]:
    """Materials x components matrix of mass %."""
    matrix = np.zeros((len(materials), len(comp_index)))
    for layout, rows in layouts.items():
        if not layout:
            continue
        cols = [comp_index[c] for c in layout]
        flat = np.fromiter(
            chain.from_iterable(materials[i]["composition"].values() for i in rows),
            dtype=np.float64,
            count=len(rows) * len(cols),
        )
        matrix[np.ix_(rows, cols)] = flat.reshape(len(rows), len(cols))
    return matrix


def _column(materials: Sequence[Mapping[str, Any]], key: str, default: float) -> NDArray[Any]:
    return np.array([m.get(key, default) for m in materials], dtype=np.float64)


def _first(mask: NDArray[np.bool_]) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


# The composition matrix is dense (materials x components, 8 bytes a cell): 25 million
# cells is 200 MB, about a hundred times the 20,000 x 13 blends of the benchmark.
MAX_MATRIX_CELLS = 25_000_000


def _parse_materials(
    materials: Sequence[Mapping[str, Any]],
    layouts: Mapping[tuple[str, ...], list[int]],
    comp_index: dict[str, int],
) -> dict[str, Any]:
    ids = [m["id"] for m in materials]
    if len(set(ids)) != len(ids):
        seen: dict[str, int] = {}
        for i, mid in enumerate(ids):
            if mid in seen:
                raise InvalidProblem(
                    f"materials[{i}].id",
                    f"duplicate material id {mid!r} (also materials[{seen[mid]}])",
                )
            seen[mid] = i
    cells = len(materials) * len(comp_index)
    if cells > MAX_MATRIX_CELLS:
        raise InvalidProblem(
            "materials",
            f"{len(materials):,} materials x {len(comp_index):,} components is more than "
            f"optikit handles ({MAX_MATRIX_CELLS:,} composition cells)",
        )
    composition = _composition_matrix(materials, layouts, comp_index)
    cost = _column(materials, "cost", 0.0)
    loss = _column(materials, "loss", 0.0)
    lower = _column(materials, "min", 0.0)
    upper = _column(materials, "max", math.inf)
    lot = _column(materials, "min_lot", 0.0)

    sums = composition.sum(axis=1)
    bad = _first(sums > 100.0 + SUM_SLACK)
    if bad is not None:
        raise InvalidProblem(
            f"materials[{bad}].composition",
            f"components of {ids[bad]!r} sum to {sums[bad]:.6g} %, more than 100 %",
        )
    bad = _first(lower > upper)
    if bad is not None:
        raise InvalidProblem(
            f"materials[{bad}].min", f"min {lower[bad]:g} is greater than max {upper[bad]:g}"
        )
    # A lot above the max only says the material cannot be used (the lot applies if it
    # is): the formulation's on/off decision keeps it at 0, and the summary says so.  The
    # limits stay as written, so that diagnoses and checks name the document's values.
    # With a positive min the material must be used, and the problem is infeasible.
    unusable = (lot > upper) & (lower <= 0.0)
    return {
        "unusable": tuple(int(i) for i in np.flatnonzero(unusable)),
        "ids": tuple(ids),
        "cost": cost,
        "composition": composition,
        "loss": loss,
        "lower": lower,
        "upper": upper,
        "min_lot": lot,
    }


def _parse_specs(
    specs: Mapping[str, Mapping[str, Any]],
    comp_index: dict[str, int],
    composition: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[int, ...]]:
    k = len(comp_index)
    spec_min = np.full(k, np.nan)
    spec_max = np.full(k, np.nan)
    order: list[int] = []
    for name, limits in specs.items():
        lo, hi = _opt(limits.get("min")), _opt(limits.get("max"))
        if name not in comp_index:
            if lo is not None and lo > 0:
                raise InvalidProblem(
                    f"specs.{name}.min",
                    f"min {lo:g} % can never be met: no material contains {name!r}",
                )
            raise InvalidProblem(
                f"specs.{name}",
                f"no material contains component {name!r} (check the spelling; "
                f"known: {', '.join(comp_index)})",
            )
        j = comp_index[name]
        if lo is not None and hi is not None and lo > hi:
            raise InvalidProblem(f"specs.{name}.min", f"min {lo:g} is greater than max {hi:g}")
        if lo is not None and lo > 0 and not np.any(composition[:, j] > 0):
            raise InvalidProblem(
                f"specs.{name}.min",
                f"min {lo:g} % can never be met: every material has 0 % {name!r}",
            )
        spec_min[j] = np.nan if lo is None else lo
        spec_max[j] = np.nan if hi is None else hi
        order.append(j)
    return spec_min, spec_max, tuple(order)


def _weights(
    weights: Mapping[str, Any], comp_index: dict[str, int], path: str
) -> NDArray[np.float64]:
    out = np.zeros(len(comp_index))
    for name, w in weights.items():
        if name not in comp_index:
            raise InvalidProblem(f"{path}.{name}", f"no material contains component {name!r}")
        out[comp_index[name]] = float(w)
    return out


def _parse_ratios(
    ratios: Sequence[Mapping[str, Any]],
    comp_index: dict[str, int],
    composition: NDArray[np.float64],
) -> tuple[Ratio, ...]:
    out: list[Ratio] = []
    names: dict[str, int] = {}
    for r, ratio in enumerate(ratios):
        path = f"ratios[{r}]"
        name = ratio["name"]
        if name in names:
            raise InvalidProblem(f"{path}.name", f"duplicate ratio name {name!r}")
        names[name] = r
        num = _weights(ratio["numerator"], comp_index, f"{path}.numerator")
        den = _weights(ratio["denominator"], comp_index, f"{path}.denominator")
        lo, hi = _opt(ratio.get("min")), _opt(ratio.get("max"))
        if lo is not None and hi is not None and lo > hi:
            raise InvalidProblem(f"{path}.min", f"min {lo:g} is greater than max {hi:g}")
        if not np.any(composition[:, den > 0] > 0):
            raise InvalidProblem(
                f"{path}.denominator",
                "is zero for every material, so the ratio is never defined",
            )
        out.append(Ratio(name, num, den, lo, hi))
    return tuple(out)


def _member_indices(
    ids: Sequence[str], index: dict[str, int], path: str
) -> NDArray[np.int64]:
    members = np.array([index.get(mid, -1) for mid in ids], dtype=np.int64)
    j = _first(members < 0)
    if j is not None:
        raise InvalidProblem(f"{path}[{j}]", f"unknown material {ids[j]!r}")
    if np.unique(members).size != members.size:
        seen: set[str] = set()
        for j, mid in enumerate(ids):
            if mid in seen:
                raise InvalidProblem(f"{path}[{j}]", f"material {mid!r} is listed twice")
            seen.add(mid)
    return members


def _parse_groups(
    groups: Sequence[Mapping[str, Any]], index: dict[str, int]
) -> tuple[Group, ...]:
    out: list[Group] = []
    names: set[str] = set()
    for g, group in enumerate(groups):
        path = f"groups[{g}]"
        name = group["name"]
        if name in names:
            raise InvalidProblem(f"{path}.name", f"duplicate group name {name!r}")
        names.add(name)
        members = _member_indices(group["materials"], index, f"{path}.materials")
        of = _member_indices(group["of"], index, f"{path}.of") if "of" in group else None
        lo, hi = _opt(group.get("min")), _opt(group.get("max"))
        cmin, cmax = group.get("min_count"), group.get("max_count")
        if lo is None and hi is None and cmin is None and cmax is None:
            raise InvalidProblem(path, "sets no limit (give min, max, min_count or max_count)")
        if lo is not None and hi is not None and lo > hi:
            raise InvalidProblem(f"{path}.min", f"min {lo:g} is greater than max {hi:g}")
        if cmin is not None and cmax is not None and cmin > cmax:
            raise InvalidProblem(
                f"{path}.min_count", f"min_count {cmin} is greater than max_count {cmax}"
            )
        if cmin is not None and cmin > len(members):
            raise InvalidProblem(
                f"{path}.min_count",
                f"min_count {cmin} is more than the group's {len(members)} materials",
            )
        out.append(Group(name, members, of, lo, hi, cmin, cmax))
    return tuple(out)


def parse(document: Mapping[str, Any]) -> BlendProblem:
    """Turn a schema-valid blend document into a :class:`BlendProblem`."""
    materials = document["materials"]
    layouts = _layouts(materials)
    comp_index = _components(layouts)
    mats = _parse_materials(materials, layouts, comp_index)
    index = {m: i for i, m in enumerate(mats["ids"])}
    spec_min, spec_max, order = _parse_specs(
        document.get("specs") or {}, comp_index, mats["composition"]
    )
    ratios = _parse_ratios(document.get("ratios") or [], comp_index, mats["composition"])
    groups = _parse_groups(document.get("groups") or [], index)
    max_materials = document.get("max_materials")
    return BlendProblem(
        name=str(document.get("name") or "blend"),
        currency=currency_of(document),
        total=float(document["total"]),
        components=tuple(comp_index),
        spec_min=spec_min,
        spec_max=spec_max,
        spec_order=order,
        ratios=ratios,
        groups=groups,
        max_materials=None if max_materials is None else int(max_materials),
        **mats,
    )
