"""The ``--option`` keys of the fjsp formulations (``optikit options fjsp`` lists them).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: ``--option`` keys of the ``cpsat`` formulation (see ``optikit options fjsp``).
CPSAT_OPTIONS = (
    OptionSpec("global_share", float, 0.2,
               "share of the remaining time a global CP-SAT solve gets before handing over "
               "(a quarter of this with tardiness in the objective)",
               minimum=0.0, maximum=1.0),
    OptionSpec("lns_sub_dtime", float, 0.05,
               "deterministic time of each LNS sub-solve (0: CP-SAT's default; twice this "
               "with tardiness in the objective)", minimum=0.0),
    OptionSpec("lns_parallel", int, 0,
               "LNS sub-solves in parallel (0: every thread the tabu search does not use)",
               minimum=0, maximum=64),
    OptionSpec("tie_break", bool, True, "break makespan ties by total completion time"),
    OptionSpec("tabu", bool, True, "run the tabu search beside the LNS"),
    OptionSpec("tabu_compiled", bool, True,
               "the tabu walks run compiled when numba is installed (the 'fast' extra): "
               "about 40x the moves of the pure-Python walk"),
    OptionSpec("tabu_processes", bool, False,
               "with 2+ threads, run tabu walks in child processes (a core each) instead "
               "of a thread; no better than the thread in 3-seed runs on a loaded machine"),
    OptionSpec("tabu_stall", int, 0,
               "with 2+ threads, the background tabu walk pauses after this many "
               "iterations without a new best of its own, its thread runs an LNS until "
               "anyone improves the schedule, then the walk resumes (0: never pauses); "
               "8000 was not measurably better on mk06/mk10 in 3-seed runs",
               minimum=0),
    OptionSpec("tabu_relink", bool, False,
               "with 2+ threads, the background tabu walk keeps an elite pool of diverse "
               "schedules and restarts short walks from path-relinked pairs of them "
               "(tabu_stall then does not apply); not measurably better at 60 s on "
               "mk06/mk10 in 9-seed runs"),
    OptionSpec("tardy_walk", bool, True,
               "with 2+ threads on shops the makespan tabu walk does not fit (changeovers, "
               "tardiness), run a tabu walk with exact move evaluation in a child process "
               "beside the LNS"),
    OptionSpec("walk_foreground", bool, False,
               "with tabu child processes, the foreground walks too instead of the LNS"),
    OptionSpec("bound_share", float, 0.0,
               "pure makespan: share of the time limit, at the end, for proving a higher "
               "lower bound by refuting makespans one at a time (CP-SAT); the tabu walk "
               "goes on beside it", minimum=0.0, maximum=0.9),
    OptionSpec("heuristic_time", float, 0.3,
               "seconds for the dispatching-rule start", minimum=0.0),
    OptionSpec("dispatch_share", float, 0.1,
               "with tardiness in the objective, share of the time limit for randomised "
               "dispatching restarts (at least heuristic_time)", minimum=0.0, maximum=0.25),
)

#: The plain CP-SAT model and the MILP take no options of their own (backend options such
#: as ``cpsat.<parameter>`` or ``highs.<option>`` still apply).
NO_OPTIONS: tuple[OptionSpec, ...] = ()
