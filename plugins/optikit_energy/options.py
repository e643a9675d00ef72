"""The ``--option`` keys of the energy formulations (``optikit options energy-scheduling``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

_BASELINE = OptionSpec(
    "baseline", bool, True,
    "also solve the makespan-only plan to report the savings against it",
)

CPSAT_OPTIONS = (
    OptionSpec("lns", bool, True, "improve the schedule by large-neighbourhood search"),
    _BASELINE,
    OptionSpec("global_share", float, 0.2,
               "share of the time for the global CP-SAT solve before LNS (none on "
               "instances large enough for the bucket bound thread)", minimum=0.0,
               maximum=1.0),
    OptionSpec("bucket_bound", bool, True,
               "also bound by the time-bucket relaxation (HiGHS) on the interval model"),
    OptionSpec("bucket_relaxation", str, "preemptive",
               "the time-bucket relaxation: preemptive (default), non-preemptive (each "
               "operation starts in one bucket: tighter, a much harder MILP) or classic "
               "(the weaker idle rows of before)",
               choices=("preemptive", "non-preemptive", "classic")),
    OptionSpec("model", str, "auto", "CP-SAT model: time-indexed for small grids, else "
               "interval (auto), or forced", choices=("auto", "interval", "time-indexed")),
)
MILP_OPTIONS = (_BASELINE,)
