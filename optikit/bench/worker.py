"""The child process of one benchmark run: ``python -m optikit.bench.worker``.

Reads a run payload (JSON, see :meth:`optikit.bench.plan.RunSpec.payload`) on stdin,
solves it through the ordinary runner and writes one JSON result on stdout.  Anything a
solver prints goes to stderr: the original stdout is kept aside for the result only.

The child writes nothing shared.  It is the parent's job to kill it at its wall-clock
limit; the child only guards against being orphaned (parent killed), in which case it
kills its own process group so no solver keeps burning a core for nobody.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from typing import Any

PROTOCOL = 1


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    def loop() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                if os.getpgrp() == os.getpid():
                    os.killpg(os.getpid(), signal.SIGKILL)
                os._exit(137)

    threading.Thread(target=loop, name="optikit-orphan-watch", daemon=True).start()


def _plain(value: Any) -> Any:
    """Make a document JSON-safe (numpy scalars and arrays from plugins)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def execute(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Solve one run; always returns a result record (errors included), never raises."""
    from optikit.types import InvalidProblem, OptikitError, SolveOptions

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    result: dict[str, Any] = {"protocol": PROTOCOL, "run_key": payload.get("run_key")}
    registry = None
    try:
        from pathlib import Path

        from optikit.plugins import get_registry
        from optikit.problem_io import load_document
        from optikit.runner import solve

        registry = get_registry(tuple(Path(d) for d in payload.get("plugins_dirs") or ()))
        timings["startup_s"] = time.monotonic() - t0
        t1 = time.monotonic()
        loaded = load_document(dict(payload["document"]), registry, source=payload["source"])
        timings["load_s"] = time.monotonic() - t1
        options = SolveOptions(
            time_limit=payload.get("time_limit"),
            threads=int(payload.get("threads", 1)),
            seed=int(payload.get("seed", 0)),
            gap=float(payload.get("gap", 1e-6)),
            extra=dict(payload.get("options") or {}),
        )
        t2 = time.monotonic()
        outcome = solve(
            loaded,
            registry,
            solver=payload.get("solver"),
            formulation=payload.get("formulation"),
            options=options,
        )
        timings["solve_s"] = time.monotonic() - t2
        result["ok"] = True
        result["document"] = _plain(outcome.document)
        result["exit_code"] = int(outcome.exit_code)
        result["trajectory"] = [
            [e.time_s, e.objective, e.bound, e.source]
            for e in (getattr(outcome, "trajectory", None) or [])
        ]
    except InvalidProblem as exc:
        result.update(ok=False, error_kind="invalid", error=str(exc))
    except OptikitError as exc:
        result.update(ok=False, error_kind="usage", error=str(exc))
    except Exception as exc:
        result.update(
            ok=False,
            error_kind="internal",
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(limit=20),
        )
    timings["total_s"] = time.monotonic() - t0
    result["timings"] = timings
    result["provenance"] = _provenance(registry, result)
    return result


def _provenance(registry: Any, result: Mapping[str, Any]) -> dict[str, Any]:
    from optikit import __version__
    from optikit.bench import provenance

    backend = (result.get("document") or {}).get("solver")
    info = provenance.machine()
    info["optikit_version"] = __version__
    info["plugin_versions"] = provenance.plugin_versions(registry) if registry else {}
    info["solver_version"] = provenance.solver_version(registry, backend) if registry else ""
    return info


def main() -> None:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # solver chatter on fd 1 now lands on stderr
    sys.stdout = sys.stderr
    _watch_parent(os.getppid())
    try:
        payload = json.loads(sys.stdin.read())
        if payload.get("protocol") != PROTOCOL:
            raise ValueError(f"protocol {payload.get('protocol')!r}, expected {PROTOCOL}")
    except (ValueError, AttributeError) as exc:
        result: dict[str, Any] = {
            "protocol": PROTOCOL, "ok": False, "error_kind": "internal",
            "error": f"bad run payload: {exc}",
        }
    else:
        result = execute(payload)
    with os.fdopen(result_fd, "w", encoding="utf-8") as out:
        json.dump(result, out, default=str)
        out.flush()
    # Skip interpreter teardown: native solver libraries sometimes crash in atexit.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
