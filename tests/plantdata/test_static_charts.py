"""PNG/SVG charts on the shared static module: the blend against its specs, the energy
legends (tariff bands, switch-ons) and maintenance labels that never overlap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optikit import api
from optikit.registry import Registry

pytest.importorskip("matplotlib", reason="static charts need the plot extra")

from optikit.plotting import static

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = Path(__file__).parent / "solutions"


def _draw(registry: Registry, sample: str, solution: str, path: Path) -> str:
    loaded = api.load(str(ROOT / "problems" / sample), registry=registry)
    document = json.loads((SOLUTIONS / solution).read_text())
    loaded.ptype.plots["gantt"](loaded.problem, document, path)
    return path.read_text() if path.suffix == ".svg" else ""


def test_blend_chart_shows_specs_and_charge(registry: Registry, tmp_path: Path) -> None:
    svg = _draw(registry, "blend/westerberg_steel.yaml", "westerberg_steel.json",
                tmp_path / "blend.svg")
    for text in ("spec band (min to max)", "charge by material", "content (%)",
                 "charged (t)", "westerberg-steel (blend): composition"):
        assert text in svg
    _draw(registry, "blend/westerberg_steel.yaml", "westerberg_steel.json",
          tmp_path / "blend.png")
    assert (tmp_path / "blend.png").read_bytes().startswith(b"\x89PNG")


def test_energy_legends_name_tariff_bands_and_switch_ons(registry: Registry,
                                                         tmp_path: Path) -> None:
    svg = _draw(registry, "energy-scheduling/machining_cell_day.yaml",
                "machining_cell_day.json", tmp_path / "energy.svg")
    for text in ("switch-on", "tariff band 0.08/kWh", "price per kWh", "job A1",
                 "plant power (kW)"):
        assert text in svg


def test_maintenance_labels_do_not_overlap(registry: Registry, tmp_path: Path) -> None:
    svg = _draw(registry, "maintenance/press-line.yaml", "press-line.json",
                tmp_path / "plan.svg")
    for text in ("RUL deadline", "due date", "late job", "maintenance", "time (hour)"):
        assert text in svg


def test_place_labels_keeps_labels_apart() -> None:
    _fig, (ax,) = static.new_figure(6, 2)
    ax.set_xlim(0, 100)
    spans = [(0.0, 2.0, "a-long-label"), (2.0, 4.0, "another-long-one"),
             (4.0, 6.0, "third-long-label"), (10.0, 60.0, "fits")]
    placed = static.place_labels(ax, spans)
    assert next(p for p in placed if p.text == "fits").level == 0
    outside = [p for p in placed if p.level > 0]
    assert len({p.level for p in outside}) == 3  # three narrow neighbours, three levels
    for a in outside:
        for b in outside:
            if a is not b and a.level == b.level:
                gap: Any = abs(a.x - b.x)
                assert gap >= static.text_width(a.text, ax) / 2 + static.text_width(b.text, ax) / 2
