"""Tight integer loops compiled with numba when the ``fast`` extra is installed.

Why here: several plugins have a search kernel (a tabu walk, a labelling pricer) that
numpy cannot vectorise; numba compiles the same Python source, releases the GIL so the
kernel runs beside other solver threads, and needs no compiler at install time.  Without
numba, :func:`jit` returns the function unchanged (slow, same results), which is also how
the tests check a kernel against its reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:  # pragma: no cover - which branch runs depends on the installed extras
    import numba

    COMPILED = True

    def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
        """Compile ``fn`` (nopython, no GIL, cached on disk next to its module)."""
        jitted: Callable[..., Any] = numba.njit(cache=True, nogil=True)(fn)
        return jitted
except ImportError:  # pragma: no cover
    COMPILED = False

    def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
        """numba is not installed: ``fn`` runs as plain Python."""
        return fn
