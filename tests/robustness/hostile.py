"""Running the installed ``optikit`` script against hostile input, and judging the result.

Each run gets a memory limit (``RLIMIT_AS``, set in the child before it starts) and a
generous timeout: a case that hangs or balloons fails the test instead of the machine.
The verdict helpers check what the contract promises for exit 2: exactly one line on
stderr, ``error: ...`` naming the file (or option) and the field, and no traceback.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Address-space limit of every run: a normal command needs well under 1 GiB.
MEMORY_LIMIT = 1536 * 2**20
#: A generous bound; the cases end in well under a second when they hold.
TIMEOUT_S = 60.0


def optikit_script() -> str:
    """The console script installed beside the running interpreter."""
    beside = Path(sys.executable).parent / "optikit"
    if beside.exists():
        return str(beside)
    found = shutil.which("optikit")
    assert found, "the optikit script is not installed"
    return found


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run(
    args: Iterable[str], cwd: Path, env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_S,
) -> Run:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIKIT_")}
    full_env.update(env or {})
    proc = subprocess.run(
        [optikit_script(), *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_refused(result: Run, *fragments: str, code: int = 2) -> str:
    """Exit ``code`` with one ``error:`` line holding every fragment; returns the line."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.code == code, (result.code, result.stderr[-2000:])
    lines = result.error_lines
    assert len(lines) == 1, lines[:5]
    line = lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert "internal error" not in line, line
    return line


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> set[str]:
    """Every name in a directory (hidden temporary files included)."""
    return {p.name for p in directory.iterdir()}
