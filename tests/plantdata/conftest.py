"""Fixtures for the plant-data tests: the installed registry and an in-process CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from optikit.plugins import get_registry
from optikit.registry import Registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The installed plugins only: the service tests put a toy plugin on the session's path."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OPTIKIT_PLUGINS_DIR", raising=False)
        return get_registry(refresh=True)


@pytest.fixture
def cli() -> Callable[..., Result]:
    from optikit.cli import cli as group

    def invoke(*args: Any) -> Result:
        return CliRunner().invoke(group, [str(a) for a in args])

    return invoke


def all_samples() -> list[tuple[str, Path]]:
    """(type, sample) for every installed type: new types are covered automatically."""
    reg = get_registry()
    return [
        (name, Path(sample))
        for name, ptype in sorted(reg.problem_types.items())
        for sample in ptype.samples
    ]
