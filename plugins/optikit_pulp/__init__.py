"""Built-in plugin: the PuLP backends ``cbc`` (PuLP's bundled CBC) and ``pulp-highs``.

Nothing here imports PuLP at module level; the solvers are imported when probed or used.
"""

from __future__ import annotations

from collections.abc import Callable

from optikit import hookimpl
from optikit.types import Backend
from optikit_pulp.cbc import CbcBackend
from optikit_pulp.pulp_highs import PulpHighsBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    register(CbcBackend())
    register(PulpHighsBackend())
