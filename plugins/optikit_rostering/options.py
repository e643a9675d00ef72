"""The ``--option`` keys of the rostering formulations (``optikit options rostering``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: ``--option`` keys of the ``cpsat`` formulation.
CPSAT_OPTIONS = (
    OptionSpec("global_share", float, 0.7,
               "share of the time limit the first whole-model CP-SAT solve gets before the "
               "neighbourhood search takes over", minimum=0.0, maximum=1.0),
    OptionSpec("lns", bool, True,
               "large-neighbourhood search after the first solve (by employee and by time block)"),
    OptionSpec("lns_time", float, 1.0,
               "seconds per neighbourhood sub-solve", minimum=0.05),
    OptionSpec("symmetry", bool, True, "order interchangeable staff (symmetry breaking)"),
)

NO_OPTIONS: tuple[OptionSpec, ...] = ()
