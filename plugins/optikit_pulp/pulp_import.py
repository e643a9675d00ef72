"""Import PuLP without breaking OR-Tools' own HiGHS in the same process.

PuLP 3.3's ``__init__`` loads highspy's C extension with ``RTLD_GLOBAL``.  From then on,
any OR-Tools library loaded later binds its HiGHS symbols to highspy's copy (another
HiGHS version), and MathOpt's HiGHS (the ``ortools-highs`` backend) crashes with a
segmentation fault.  Loading OR-Tools' native libraries first lets them bind to their
own HiGHS; PuLP's later global load no longer affects them.  Every PuLP import in this
plugin goes through :func:`import_pulp`.
"""

from __future__ import annotations

import contextlib
import sys
from types import ModuleType


def import_pulp() -> ModuleType:
    if "pulp" not in sys.modules:
        with contextlib.suppress(Exception):  # no OR-Tools: nothing to protect
            import ortools.math_opt.core.python.solver  # noqa: F401 - loads libortools, libhighs
    import pulp

    return pulp
