"""Every literature instance: the published global optimum, proven (status optimal)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from optikit.runner import SolveResult
from tests.pooling.conftest import KNOWN, instance

SLOW = {"foulds3", "foulds4", "foulds5", "adhya3", "adhya4", "bental5"}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in sorted(KNOWN)
])
def test_known_optimum_is_proven(run: Callable[..., SolveResult], name: str) -> None:
    document = run(instance(name), time_limit=60.0).document
    assert document["status"] == "optimal", document.get("message")
    # Within the default gap 1e-6 (published values have 5-8 significant digits).
    assert document["objective"] == pytest.approx(KNOWN[name], rel=1e-6, abs=1e-4)
    assert document["bound"] >= document["objective"] - 1e-9
