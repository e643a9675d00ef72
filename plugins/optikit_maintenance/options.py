"""The ``--option`` keys of the maintenance formulations (``optikit options maintenance``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: The time-indexed MILP refuses instances that need more start columns than this.
DEFAULT_MAX_COLUMNS = 20_000

MILP_OPTIONS = (
    OptionSpec("max_columns", int, DEFAULT_MAX_COLUMNS,
               "refuse instances whose time-indexed model needs more start variables",
               minimum=1),
)
