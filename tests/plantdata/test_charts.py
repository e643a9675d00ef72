"""Interactive charts for every type (``--gantt x.html``, ``optikit chart``): drawn from
the export tables of a stored solution of each type's sample, no solving."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from optikit.problem_io import load_problem
from optikit.registry import Registry
from optikit.sheets.export import plant_sheets

pytest.importorskip("plotly", reason="plotly absent: interactive charts untested")

from optikit.plotting.interactive import figure

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = Path(__file__).parent / "solutions"
SAMPLES = {
    "westerberg_steel": "blend/westerberg_steel.yaml",
    "paint_shop_line": "car-sequencing/paint_shop_line.yaml",
    "machining_cell_day": "energy-scheduling/machining_cell_day.yaml",
    "moulding_changeovers": "fjsp/moulding_changeovers.yaml",
    "assembly-hall": "intralogistics/assembly-hall.yaml",
    "gearbox_plant": "lot-sizing/gearbox_plant.yaml",
    "press-line": "maintenance/press-line.yaml",
    "refinery_3periods": "pooling/refinery_3periods.yaml",
    "press_shop_three_shift": "rostering/press_shop_three_shift.yaml",
}
#: What each chart must show: trace names (legend entries) or trace types.
EXPECTED = {
    "westerberg_steel": ("blend", {"content within its spec", "spec band (min to max)",
                                   "tonnes charged (label: share)"}),
    "paint_shop_line": ("sequence", {"car needs the option", "in an overloaded window"}),
    "machining_cell_day": ("gantt", {"tariff band: price per kWh (darker = dearer)",
                                     "switch-on", "due date", "job A1"}),
    "moulding_changeovers": ("gantt", {"due date", "late job (red outline)",
                                       "changeover (none in this schedule)"}),
    "assembly-hall": ("routes", {"AGV4"}),
    "gearbox_plant": ("production", {"GB-S", "SHAFT"}),
    "press-line": ("gantt", {"maintenance", "due date", "job hoods"}),
    "refinery_3periods": ("flows", {"sankey"}),
    "press_shop_three_shift": ("roster", {"heatmap"}),
}


def _load(name: str, registry: Registry) -> tuple[dict[str, Any], Any]:
    document = json.loads((SOLUTIONS / f"{name}.json").read_text())
    problem = load_problem(ROOT / "problems" / SAMPLES[name], registry).problem
    return document, problem


def test_every_type_has_a_stored_solution(registry: Registry) -> None:
    stored = {json.loads(p.read_text())["type"] for p in SOLUTIONS.glob("*.json")}
    assert stored == set(registry.problem_types)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_interactive_chart_of_every_type(name: str, registry: Registry) -> None:
    document, problem = _load(name, registry)
    fig, what = figure(plant_sheets(document, problem, registry), document, problem,
                       currency="KRW")
    kind, shown = EXPECTED[name]
    assert kind in what
    names = {t.name for t in fig.data if t.name} | {t.type for t in fig.data}
    assert shown <= names, names
    title = fig.layout.title.text
    assert title.startswith(f"{document['name']} ({document['type']}): ")
    assert document["status"].upper() in title


def test_family_colours_and_html_file(cli: Callable[..., Result], tmp_path: Path,
                                      registry: Registry) -> None:
    document, problem = _load("moulding_changeovers", registry)
    fig, _ = figure(plant_sheets(document, problem, registry), document, problem,
                    colour_by="family")
    assert fig.layout.legend.title.text == "colour: family"
    notes: list[str] = []
    figure(plant_sheets(document, problem, registry), document, problem,
           colour_by="family", notes=notes)
    assert notes == []


def test_unknown_colour_by_is_named(cli: Callable[..., Result], tmp_path: Path) -> None:
    """An unknown ``--colour-by`` is a warning for ``.html`` (any schedule column may
    serve, known only after solving) and a usage error, before solving, for a static chart."""
    problem = ROOT / "problems" / SAMPLES["moulding_changeovers"]
    out = tmp_path / "chart.html"
    result = cli("chart", SOLUTIONS / "moulding_changeovers.json", "--problem", problem,
                 "--colour-by", "colour", "-o", out)
    assert result.exit_code == 0, result.output
    assert "--colour-by 'colour': neither a column of schedule nor a job attribute" \
        in result.output and out.exists()
    result = cli("solve", problem, "--gantt", tmp_path / "plan.png", "--colour-by", "colour")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --colour-by 'colour': a .png chart is coloured by job, family, product, "
        "machine (any schedule column in .html)"]
    assert not (tmp_path / "plan.png").exists()
    out = tmp_path / "chart.html"
    result = cli("chart", SOLUTIONS / "westerberg_steel.json", "--problem",
                 ROOT / "problems" / SAMPLES["westerberg_steel"], "-o", out)
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "composition against the specs" in page and "charge by material" in page
