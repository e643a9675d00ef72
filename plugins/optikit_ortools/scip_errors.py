"""Keep SCIP's error printer quiet during a non-verbose MathOpt SCIP solve.

Why: with OR-Tools 9.15 and its bundled SCIP 10, every SCIP solve that has a MathOpt
interrupter or callback (optikit attaches both, for Ctrl-C and progress) prints::

    [scip_event.c:305] ERROR: SCIPcatchEvent does not support variable or row change events. ...
    [gscip_event_handler.cc:124] ERROR: Error <-9> in function call

The cause is in OR-Tools: gSCIP's interrupt event handler asks ``SCIPcatchEvent`` for an
event mask SCIP 10 refuses, and ignores the refusal (the solve goes on; SCIP then notices
an interrupt only at presolve rounds and nodes, never inside the root cut loop).  SCIP
prints the refusal through its global error printer straight to the C ``stderr``, past
MathOpt's message callback, so ``-q`` could not silence it.  The printer is switched off
(``SCIPmessageSetErrorPrinting(NULL, NULL)``) for the solve and back to SCIP's default
after; real failures still come back as MathOpt statuses and messages, and ``-v`` shows
SCIP's errors as before.  Where the library or the symbol is missing this does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_quiet_runs = 0


@functools.cache
def _libscip() -> Any:
    """OR-Tools' already-loaded ``libscip``, or None."""
    try:
        import ortools

        folder = Path(ortools.__file__).parent / ".libs"
        candidates = sorted(folder.glob("libscip.so*")) + sorted(folder.glob("libscip*.dylib"))
        mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LAZY", 0)
        for path in candidates:
            with contextlib.suppress(OSError):
                lib = ctypes.CDLL(str(path), mode=mode)
                lib.SCIPmessageSetErrorPrinting.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
                lib.SCIPmessageSetErrorPrinting.restype = None
                lib.SCIPmessageSetErrorPrintingDefault.argtypes = []
                lib.SCIPmessageSetErrorPrintingDefault.restype = None
                return lib
    except (ImportError, AttributeError, OSError):
        pass
    return None


@contextlib.contextmanager
def scip_errors_silenced(silence: bool = True) -> Iterator[None]:
    """While the block runs (and ``silence``), SCIP prints no error messages.

    Call only once MathOpt's solver module is imported (it loads ``libscip``).  Nested
    and concurrent uses are counted: the printer comes back when the last one ends.
    """
    global _quiet_runs
    lib = _libscip() if silence else None
    if lib is None:
        yield
        return
    with _lock:
        _quiet_runs += 1
        lib.SCIPmessageSetErrorPrinting(None, None)
    try:
        yield
    finally:
        with _lock:
            _quiet_runs -= 1
            if _quiet_runs == 0:
                lib.SCIPmessageSetErrorPrintingDefault()
