"""Shared fixtures: a small hand-made instance whose optimum is known by hand."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import optikit_maintenance
import pytest

SAMPLES = {Path(p).stem: Path(p) for p in optikit_maintenance.SAMPLES}

# One machine, one crew member: a 2 h renewal and one 3 h job due at 3 (weight 10).
# Breakdown probability 0.1 now, 0.5 at t=4, 0.9 at t=8; a breakdown costs 100 + 5 x 10.
# Renew first: risk 0.1 x 150 = 15, job late 2 -> 20; total 10 (planned 2 x 5) + 35 = 45.
# Job first: job on time, renew at 3: risk (0.1 + 0.4 x 3/4) x 150 = 60; total 70.
HAND = {
    "type": "maintenance",
    "name": "hand",
    "horizon": 12,
    "machines": [{"id": "M", "downtime_cost": 5, "failure": {
        "probability": [[0, 0.1], [4, 0.5], [8, 0.9]], "repair_time": 10,
        "repair_cost": 100}}],
    "crews": [{"id": "tech", "size": 1}],
    "tasks": [{"id": "renew", "machine": "M", "duration": 2, "crew": "tech"}],
    "jobs": [{"id": "J", "due": 3, "weight": 10,
              "operations": [{"modes": [{"machine": "M", "duration": 3}]}]}],
}
HAND_OPTIMUM = 45.0


@pytest.fixture
def hand() -> dict[str, Any]:
    return copy.deepcopy(HAND)


@pytest.fixture
def hand_optimum() -> float:
    return HAND_OPTIMUM


@pytest.fixture
def samples() -> dict[str, Path]:
    return dict(SAMPLES)
