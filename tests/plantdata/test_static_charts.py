"""PNG/SVG charts on the shared static module: the blend against its specs, the energy
legends (tariff bands, switch-ons), maintenance labels that never overlap, the fjsp Gantt
(due dates, late jobs, colour by family, clock times, 100 jobs)."""

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


def _draw(registry: Registry, sample: str, solution: str, path: Path, **options: Any) -> str:
    loaded = api.load(str(ROOT / "problems" / sample), registry=registry)
    document = json.loads((SOLUTIONS / solution).read_text())
    loaded.ptype.plots["gantt"](loaded.problem, document, path, **options)
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
                 "plant power (kW)", "due date", "on, idle"):
        assert text in svg
    svg = _draw(registry, "energy-scheduling/machining_cell_day.yaml",
                "machining_cell_day.json", tmp_path / "by_machine.svg", colour_by="machine")
    assert "machine OVEN" in svg and "job A1" not in svg


def test_maintenance_labels_do_not_overlap(registry: Registry, tmp_path: Path) -> None:
    svg = _draw(registry, "maintenance/press-line.yaml", "press-line.json",
                tmp_path / "plan.svg")
    for text in ("RUL deadline", "due date", "maintenance", "time (hour)"):
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


def test_fjsp_gantt_marks_due_dates_and_late_jobs(registry: Registry, tmp_path: Path) -> None:
    svg = _draw(registry, "fjsp/moulding_changeovers.yaml", "moulding_changeovers.json",
                tmp_path / "plan.svg", colour_by="job")
    for text in ("moulding_changeovers (fjsp): schedule, 6 late - FEASIBLE", "job W1",
                 "due date", "late job", "time (time units)", "machine"):
        assert text in svg
    svg = _draw(registry, "fjsp/moulding_changeovers.yaml", "moulding_changeovers.json",
                tmp_path / "family.svg", colour_by="family")
    assert "family WHITE" in svg and "job W1" not in svg


def _hundred_jobs(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """100 one-operation jobs on two machines: 99 short ones, one long (J100)."""
    jobs, ops, t = [], [], 0
    for k in range(1, 101):
        d = 50 if k == 100 else 1
        jobs.append({"id": f"J{k}", "product": f"F{k % 4}", "due": t + d,
                     "operations": [{"modes": [{"machine": "M1" if k % 2 else "M2",
                                                "duration": d}]}]})
        ops.append({"job": f"J{k}", "operation": 0, "mode": 0,
                    "machine": "M1" if k % 2 else "M2", "start": t, "end": t + d})
        t += d
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"type": "fjsp", "name": "hundred", "machines": [
        {"id": "M1"}, {"id": "M2"}], "jobs": jobs}))
    return problem, {"type": "fjsp", "name": "hundred", "solution": {"operations": ops}}


def test_fjsp_gantt_at_100_jobs_labels_only_what_fits(registry: Registry,
                                                       tmp_path: Path) -> None:
    problem, document = _hundred_jobs(tmp_path)
    loaded = api.load(str(problem), registry=registry)
    path = tmp_path / "plan.svg"
    gantt: Any = loaded.ptype.plots["gantt"]  # takes colour_by beyond the hook's three
    gantt(loaded.problem, document, path, colour_by="job")
    svg = path.read_text()
    assert ">J100.0<" in svg  # the long bar carries its label
    assert ">J57" not in svg and "job J57" not in svg  # narrow: no label, legend capped
    assert "80 more" in svg


def test_fjsp_gantt_clock_axis(registry: Registry, tmp_path: Path) -> None:
    loaded = api.load(str(ROOT / "problems/fjsp/two_shift_cell.yaml"), registry=registry)
    ops = [{"job": "A100", "operation": o, "mode": 0, "machine": m, "start": a, "end": b}
           for o, (m, a, b) in enumerate([("LATHE1", 0, 120), ("MILL2", 120, 240),
                                          ("GRIND", 240, 300)])]
    path = tmp_path / "plan.svg"
    loaded.ptype.plots["gantt"](loaded.problem, {"solution": {"operations": ops}}, path)
    svg = path.read_text()
    assert "clock time (time 0 = 2026-12-04 Fri 06:00; 1 unit = 1 minute)" in svg
    assert "Fri 08:00" in svg and "non-working time" in svg


def test_colour_by_reaches_static_charts_that_take_it(registry: Registry) -> None:
    """``solve --colour-by`` is passed to a type's static chart when it has the keyword."""
    import functools

    from optikit.cli.solve_cmd import _with_colour_by

    fjsp = _with_colour_by(registry.problem_types["fjsp"].plots["gantt"], "family")
    assert isinstance(fjsp, functools.partial) and fjsp.keywords == {"colour_by": "family"}

    def plain(problem: Any, document: Any, path: Path) -> None: ...

    assert _with_colour_by(plain, "family") is plain
