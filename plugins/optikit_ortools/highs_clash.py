"""Detect the one process state in which MathOpt's HiGHS would crash instead of solving.

PuLP 3.3's ``__init__`` loads highspy's C extension with ``RTLD_GLOBAL``.  OR-Tools
libraries loaded *after* that bind their HiGHS symbols to highspy's copy (a different
HiGHS build) and the ``ortools-highs`` backend dies with a segmentation fault.  When
OR-Tools' libraries are loaded first (``optikit_pulp`` makes sure of it) all is well.
The check is deliberately conservative: PuLP imported while OR-Tools' HiGHS library is
not mapped yet means the next load would bind to the wrong HiGHS.
"""

from __future__ import annotations

import sys
from pathlib import Path


def ortools_highs_loaded() -> bool:
    """True when OR-Tools' bundled ``libhighs`` is mapped into this process (Linux)."""
    maps = Path("/proc/self/maps")
    try:
        text = maps.read_text()
    except OSError:
        return "ortools.math_opt.core.python.solver" in sys.modules
    return any("ortools" in line and "libhighs" in line for line in text.splitlines())


# Set on this plugin's first OR-Tools import: whether PuLP had already loaded highspy.
_loaded_after_pulp: bool | None = None


def remember_load_order() -> None:
    """Call before this plugin first imports an OR-Tools extension module."""
    global _loaded_after_pulp
    if _loaded_after_pulp is None:
        _loaded_after_pulp = "pulp" in sys.modules and not ortools_highs_loaded()


def clash_reason() -> str | None:
    """Why MathOpt's HiGHS cannot run safely now, or None when it can."""
    remember_load_order()
    if _loaded_after_pulp:
        return (
            "PuLP was imported before OR-Tools in this process; PuLP loads highspy's HiGHS "
            "globally, and OR-Tools' own HiGHS would then bind to it and crash. Import "
            "ortools (or use optikit's pulp backends, which do) before pulp."
        )
    return None
