"""The ``--option`` keys of the rostering formulations (``optikit options rostering``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: ``--option`` keys of the ``cpsat`` formulation.
CPSAT_OPTIONS = (
    OptionSpec("lns", str, "auto",
               "large-neighbourhood search after a first solve (by employee and by block of "
               "days): on, off, or auto (on for rosters of more than 5,000 cells, where the "
               "whole model stalls; off below, where the whole model does better)",
               choices=("auto", "on", "off")),
    OptionSpec("global_share", float, 0.3,
               "with LNS: share of the time limit the first whole-model solve gets",
               minimum=0.0, maximum=1.0),
    OptionSpec("lns_time", float, 1.0,
               "seconds per neighbourhood sub-solve", minimum=0.05),
    OptionSpec("symmetry", bool, True, "order interchangeable staff (symmetry breaking)"),
)

NO_OPTIONS: tuple[OptionSpec, ...] = ()
