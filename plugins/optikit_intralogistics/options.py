"""The ``--option`` keys of the intralogistics formulations (``optikit options intralogistics``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

_FIRST = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "PATH_CHEAPEST_ARC",
          "SAVINGS", "AUTOMATIC")
_META = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GREEDY_DESCENT")

#: ``--option`` keys of the ``routing`` formulation.
ROUTING_OPTIONS = (
    OptionSpec("engine", str, "auto", "search engine: auto = PyVRP's search when the plant "
               "is one PyVRP models (no batteries, loads on board or lateness costs) and "
               "the extra optikit[pyvrp] is installed, else OR-Tools; ortools = always "
               "OR-Tools", choices=("auto", "ortools")),
    OptionSpec("first_solution", str, "PARALLEL_CHEAPEST_INSERTION",
               "OR-Tools first-solution strategy", choices=_FIRST),
    OptionSpec("metaheuristic", str, "GUIDED_LOCAL_SEARCH",
               "OR-Tools local-search metaheuristic", choices=_META),
    OptionSpec("eliminate", bool, True,
               "route elimination: try to serve the orders of the shortest route with one "
               "vehicle less (lexicographic objectives)"),
    OptionSpec("start_share", float, 0.2, "share of the time for the first plan and its "
               "improvement", minimum=0.01, maximum=1.0),
    OptionSpec("attempt_share", float, 0.08, "share of the time for one route-elimination "
               "attempt", minimum=0.01, maximum=1.0),
    OptionSpec("polish_share", float, 0.3, "share of the time kept for the final "
               "distance improvement", minimum=0.0, maximum=0.9),
    OptionSpec("failures", int, 3, "failed elimination attempts before giving up",
               minimum=1, maximum=100),
    OptionSpec("own_start_orders", int, 200, "weighted objectives with fewer orders also "
               "search from OR-Tools' own first plan, then go on from the better of it "
               "and the dispatcher's plan", minimum=0),
    OptionSpec("own_share", float, 0.5, "share of the time for the search from OR-Tools' "
               "own first plan (weighted objectives)", minimum=0.05, maximum=0.95),
    OptionSpec("vehicle_cost", float, 2.0, "cost of a vehicle during the search, in "
               "longest arcs (lexicographic objectives; route elimination cuts vehicles)",
               minimum=0.0),
    OptionSpec("drop_penalty", float, 3.0, "cost of an unserved visit during route "
               "elimination, in longest arcs", minimum=0.1),
    OptionSpec("ruin_orders", int, 8, "most orders removed and re-inserted in one "
               "ruin-and-recreate step of the polish", minimum=2, maximum=1000),
    OptionSpec("ruin_seconds", float, 2.0, "time limit of one re-insertion search",
               minimum=0.05),
    OptionSpec("charger_slots", int, 2, "visits each charger can take per plan",
               minimum=1, maximum=50),
    OptionSpec("exact_orders", int, 5, "instances with at most this many orders are first "
               "solved by exhaustive search (proven optimal)", minimum=0, maximum=12),
    OptionSpec("exact_nodes", int, 300000, "node budget of the exhaustive search",
               minimum=1),
    OptionSpec("cpsat_orders", int, 8, "larger instances with at most this many orders (no "
               "batteries) first get the exact CP-SAT model; its proof ends the run",
               minimum=0, maximum=40),
    OptionSpec("cpsat_share", float, 0.5, "share of the time for the exact CP-SAT model",
               minimum=0.01, maximum=1.0),
    OptionSpec("no_limit_seconds", float, 60.0,
               "search time when the command has no time limit", minimum=0.1),
)

#: The plain model takes only the model-size option.
PLAIN_OPTIONS = tuple(o for o in ROUTING_OPTIONS
                      if o.name in ("charger_slots", "no_limit_seconds"))

#: ``--option`` keys of the ``pyvrp`` formulation.
PYVRP_OPTIONS = (
    OptionSpec("vehicle_cost", float, 0.0, "cost of a vehicle during the search, in longest "
               "arcs (lexicographic objectives; 0: more than any set of arcs, so vehicles "
               "strictly first)", minimum=0.0),
    OptionSpec("fleet_share", float, 1.0, "share of the time searched with the whole fleet; "
               "the rest searches with one vehicle less (lexicographic objectives; 1: off)",
               minimum=0.05, maximum=1.0),
    OptionSpec("dispatch_orders", int, 200, "weighted objectives with at least this many "
               "orders start from the dispatcher's plan instead of PyVRP's own", minimum=1),
    OptionSpec("no_limit_seconds", float, 60.0,
               "search time when the command has no time limit", minimum=0.1),
)

#: ``--option`` keys of the ``cpsat`` formulation (exact, small plants).
CPSAT_OPTIONS = (
    OptionSpec("max_orders", int, 10, "largest plant (orders) the exact model takes",
               minimum=1, maximum=40),
)
