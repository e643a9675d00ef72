"""The ``routing`` paradigm: a vehicle-routing model as plain integer data.

Formulations describe nodes, vehicles, integer travel matrices and side constraints here;
a routing backend (``ortools-routing``) turns the description into a solver model.  The
data are integers already scaled by the formulation, so every backend sees the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from optikit.types import Status

PARADIGM = "routing"
#: The same :class:`RoutingSpec`, solved whole by a metaheuristic run to its time limit
#: (no start routes, no per-phase strategies): the ``pyvrp`` backend.
ILS_PARADIGM = "routing-ils"

Matrix = list[list[int]]


@dataclass
class EnergySpec:
    """Battery use as a dimension of energy spent since the last charge.

    ``transit[g][i][j]`` is the energy of arc i->j for vehicle group ``g`` (at a charger
    node minus the group's capacity, and the node's slack, up to the capacity, tops the
    battery up); ``start_used[v]`` is what the battery lacks at the start.
    """

    transit: list[Matrix]
    group_of_vehicle: list[int]
    capacity: list[int]  # per vehicle
    start_used: list[int]  # per vehicle
    charger_nodes: list[int]


@dataclass
class RoutingSpec:
    """A pickup-and-delivery model with time windows, loads and optional batteries."""

    num_nodes: int
    starts: list[int]
    ends: list[int]
    arc_cost: list[Matrix]  # per class
    time: list[Matrix]  # per class: service at the tail plus travel
    class_of_vehicle: list[int]
    windows: list[tuple[int, int]]  # per node
    horizon: int
    shifts: list[tuple[int, int]]  # per vehicle: earliest start, latest end
    demand: list[int]  # per node
    capacity: list[int]  # per vehicle
    start_load: list[int]  # per vehicle
    pairs: list[tuple[int, int]]
    allowed: dict[int, list[int]] = field(default_factory=dict)  # node -> vehicles
    soft_due: list[tuple[int, int, int]] = field(default_factory=list)  # node, due, coef
    fixed_cost: list[int] = field(default_factory=list)  # per vehicle
    optional: dict[int, int] = field(default_factory=dict)  # node -> drop penalty
    energy: EnergySpec | None = None

    @property
    def num_vehicles(self) -> int:
        return len(self.starts)


@dataclass
class RoutingSearch:
    """How to search: strategy names as OR-Tools spells them; None keeps the default."""

    time_limit: float | None = None
    first_solution: str | None = None
    metaheuristic: str | None = None
    initial_routes: list[list[int]] | None = None
    operators: tuple[str, ...] = ()  # extra local-search operators to switch on (use_*)
    progress: Callable[[int], float | None] | None = None  # model cost -> objective
    # each improving plan's routes (routing-ils backends; lexicographic objectives
    # cannot be read off the model cost)
    on_routes: Callable[[list[list[int]]], None] | None = None
    seed: int = 0


@dataclass
class RoutingResult:
    status: Status
    routes: list[list[int]] | None = None  # per vehicle, visited nodes without start/end
    cost: int | None = None
    message: str = ""
    stats: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def objective(self) -> int | None:
        """The model cost, under the name the backend conformance suite reads."""
        return self.cost

    @property
    def bound(self) -> None:
        """Routing searches prove nothing: no bound."""
        return None
