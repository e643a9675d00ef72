"""Where and with what a run was made: machine, Python, optikit, plugins, solver.

Collected inside the child process (so a run on a remote Dask worker records that
worker's CPU and versions), plus a suite-level block recorded by the coordinator.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
from functools import cache
from pathlib import Path
from typing import Any


def usable_cores() -> int:
    """Logical CPUs this process may run on (respects affinity masks and cgroups' cpusets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@cache
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@cache
def physical_cores() -> int | None:
    """Distinct (package, core) pairs in /proc/cpuinfo; None where that is not available."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    pairs: set[tuple[str, str]] = set()
    package = core = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("physical id"):
            package = line.split(":", 1)[1].strip()
        elif line.startswith("core id"):
            core = line.split(":", 1)[1].strip()
        elif not line.strip():
            if package is not None and core is not None:
                pairs.add((package, core))
            package = core = None
    return len(pairs) or None


def memory_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python_version": platform.python_version(),
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "physical_cores": physical_cores(),
        "memory_gb": memory_gb(),
    }


def git_revision(directory: Path) -> str | None:
    """The commit of the repository holding the suite (read-only), if it is one."""
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def plugin_versions(registry: Any) -> dict[str, str]:
    """name -> version of every plugin the registry loaded (failed ones are left out)."""
    versions: dict[str, str] = {}
    for record in getattr(registry, "plugins", None) or ():
        name = getattr(record, "name", None)
        if name and getattr(record, "status", "ok") == "ok":
            versions[str(name)] = str(getattr(record, "version", "") or "")
    return versions


def solver_version(registry: Any, backend: str | None) -> str:
    if backend is None:
        return ""
    b = getattr(registry, "backends", {}).get(backend)
    if b is None:
        return ""
    try:
        return str(b.availability().version or "")
    except Exception:  # availability() must not raise; a broken probe is no provenance
        return ""
