"""Checks of command-line options and output paths, run before any work starts.

A solve that runs for an hour and then cannot write its answer, or overwrites the problem
it was solving, is worse than a refusal up front.  Each check raises
:class:`~optikit.types.UsageError` (exit 2, one line ``error: PATH: OPTION: why``), so a
Python API or a rewritten ``solve`` can call them as they are.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from optikit.types import UsageError


def _option_name(param: click.Parameter | None) -> str:
    if param is None:
        return "option"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    return opts[0] if opts else str(param.name)


class FiniteFloat(click.ParamType):
    """A float option that is finite and within bounds (``nan`` and ``inf`` refused:
    they would end up as ``NaN``/``Infinity`` in a JSON document, which is not JSON).

    Errors are one line (``error: --gap: ...``, exit 2), as the contract asks.
    """

    name = "float"

    def __init__(
        self, minimum: float | None = None, min_open: bool = False,
        maximum: float | None = None,
    ) -> None:
        self.minimum = minimum
        self.min_open = min_open
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        where = _option_name(param)
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise UsageError(f"{where}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise UsageError(f"{where}: {value!r} is not a finite number")
        low = self.minimum
        if low is not None and (number < low or (self.min_open and number == low)):
            raise UsageError(f"{where}: {value!r} must be {'>' if self.min_open else '>='} {low:g}")
        if self.maximum is not None and number > self.maximum:
            raise UsageError(f"{where}: {value!r} must be <= {self.maximum:g}")
        return number


class BoundedInt(click.ParamType):
    """An integer option within ``[low, high]``, with a one-line error."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        where = _option_name(param)
        text = str(value).strip()
        if isinstance(value, int):
            number = value
        elif len(text) > 30:
            raise UsageError(f"{where}: {text[:20]}... is out of range ({self.low}..{self.high})")
        else:
            try:
                number = int(text)
            except ValueError:
                raise UsageError(f"{where}: {text!r} is not an integer") from None
        if not self.low <= number <= self.high:
            raise UsageError(f"{where}: {number} is out of range ({self.low}..{self.high})")
        return number


#: Seeds are handed to solvers that keep them in 32 bits (CP-SAT's ``random_seed``).
SEED_RANGE = BoundedInt(-(2**31), 2**31 - 1)
#: More threads than this is a typo, and solvers fail allocating them.
MAX_THREADS = 1024
THREADS_RANGE = BoundedInt(1, MAX_THREADS)
_SYSTEM_DIRS = ("/dev/", "/proc/", "/sys/")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_output_path(path: Path, option: str, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output path that cannot be written, or that is one of the inputs.

    The comparison is by device and inode, so symbolic and hard links to an input are
    caught too.  Output is written beside the target and renamed (atomic), so the
    directory must exist and be writable, and the target, if it exists, must be a
    regular file (not a directory, device or ``/dev/stdout``).
    """
    real = check_output_target(path, option, inputs)
    where = f"{path}: {option}"
    directory = Path(real).parent
    if not directory.is_dir():
        raise UsageError(f"{where}: directory {directory} does not exist")
    _probe_writable(directory, where)


def check_output_target(path: Path, option: str, inputs: Iterable[Path] = ()) -> str:
    """The resolved output path, after refusing devices, directories and the inputs
    themselves (by device and inode, so through any link)."""
    where = f"{path}: {option}"
    real = os.path.realpath(path)
    for hop in _link_hops(path, real):
        if hop.startswith(_SYSTEM_DIRS):
            raise UsageError(f"{where}: is a device or system path ({hop}); give a file")
    try:
        target = os.stat(real)
    except FileNotFoundError:
        target = None
    except OSError as exc:
        raise UsageError(f"{where}: cannot use this path ({exc.strerror or exc})") from None
    if target is not None:
        if stat.S_ISDIR(target.st_mode):
            raise UsageError(f"{where}: is a directory; give a file name")
        if not stat.S_ISREG(target.st_mode):
            raise UsageError(f"{where}: is not a regular file (a device, pipe or socket)")
        for source in inputs:
            try:
                if _same_file(target, os.stat(source)):
                    raise UsageError(
                        f"{where}: is the input file {source}; writing would destroy it"
                    )
            except OSError:
                continue
    return real


def _link_hops(path: Path, real: str) -> list[str]:
    """The path, each symbolic link it goes through, and where it ends
    (``/dev/stdout`` -> ``/proc/self/fd/1`` -> a pipe or the terminal's file)."""
    current = os.path.abspath(path)
    hops = [current]
    for _ in range(40):
        if not os.path.islink(current):
            break
        try:
            link = os.readlink(current)
        except OSError:
            break
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
        hops.append(current)
    return [*hops, real]


def _probe_writable(directory: Path, where: str) -> None:
    """Create and remove a file where the output will go (``os.access`` says yes to root
    on read-only file systems and /proc)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".optikit-probe.", dir=directory)
    except OSError as exc:
        raise UsageError(
            f"{where}: directory {directory} is not writable ({exc.strerror or exc})"
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def check_distinct_outputs(outputs: Iterable[tuple[str, Path | None]]) -> None:
    """Refuse two options writing the same file (``-o x --gantt x``)."""
    seen: dict[str, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{path}: {option}: is also the {seen[key]} file")
        seen[key] = option


def check_plot_support(path: Path) -> None:
    """Refuse a chart format whose drawing library is missing, before solving."""
    if path.suffix.lower() in (".html", ".htm"):
        from optikit.plotting.interactive import require_plotly

        try:
            require_plotly()
        except UsageError as exc:
            raise UsageError(f"{path}: --gantt: {exc}") from None
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"{path}: --gantt: cannot draw {path.suffix} charts: {exc} "
            "(install the 'plot' extra: pip install optikit[plot], or use .html)"
        ) from None
