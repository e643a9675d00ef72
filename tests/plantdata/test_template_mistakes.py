"""For every installed type: a workbook written by ``optikit template`` is a valid problem
as it stands, and with a mistake in one cell (text where a number belongs) it is refused
with that sheet and cell named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from optikit.plugins import get_registry

openpyxl = pytest.importorskip("openpyxl")

#: Numeric cells tried per type: settings, a record sheet and a child sheet when present.
TRIES = 4


def _numeric_cells(path: Path) -> list[tuple[str, str]]:
    """(sheet, cell) of example values in number columns, a few per sheet."""
    book = openpyxl.load_workbook(path)
    out: list[tuple[str, str]] = []
    for ws in book.worksheets:
        mine = [(ws.title, c.coordinate) for row in ws.iter_rows(min_row=2) for c in row
                if isinstance(c.value, int | float) and not isinstance(c.value, bool)
                and not str(ws.cell(1, c.column).value).startswith("@")]
        out.extend(mine[:2])
    return out


@pytest.mark.parametrize("type_name", sorted(get_registry().problem_types))
def test_a_mistake_in_a_template_cell_names_that_cell(
    cli: Callable[..., Result], tmp_path: Path, type_name: str
) -> None:
    template = tmp_path / "plant.xlsx"
    assert cli("template", type_name, "-o", template).exit_code == 0
    assert cli("validate", template).exit_code == 0, f"{type_name}: unedited template"
    cells = _numeric_cells(template)
    assert cells, f"{type_name}: the template has no example number to get wrong"
    step = max(1, len(cells) // TRIES)
    for sheet, cell in cells[::step][:TRIES]:
        book = openpyxl.load_workbook(template)
        book[sheet][cell] = "twelve"
        wrong = tmp_path / "wrong.xlsx"
        book.save(wrong)
        result = cli("validate", wrong)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output
        assert f"wrong.xlsx: {sheet}!{cell} (" in lines[0], (sheet, cell, lines[0])


def test_a_mistake_inside_a_one_of_field_names_its_cell(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """energy-scheduling's ``objective`` is a term or a mapping of weights (oneOf): a bad
    weight is named, not reported as 'objective: must be one of the terms'."""
    template = tmp_path / "plant.xlsx"
    assert cli("template", "energy-scheduling", "-o", template).exit_code == 0
    book = openpyxl.load_workbook(template)
    settings = book["settings"]
    row = next(r for r in range(2, settings.max_row + 1)
               if str(settings.cell(r, 1).value).startswith("objective."))
    settings.cell(row, 2).value = "twelve"
    book.save(template)
    result = cli("validate", template)
    assert result.exit_code == 2
    assert f"settings!B{row} (objective." in result.stderr
    assert "must be a number" in result.stderr


def test_an_unedited_template_solves(cli: Callable[..., Result], tmp_path: Path) -> None:
    """The example rows are cut from a sample only as far as the rows left still refer
    to each other (a pooling arc needs its input, pool and product)."""
    template = tmp_path / "plant.xlsx"
    assert cli("template", "pooling", "-o", template).exit_code == 0
    solved = cli("solve", template, "--time-limit", "20", "--json")
    assert solved.exit_code == 0, solved.output
    assert openpyxl.load_workbook(template)["arcs"].max_row == 2  # one example arc


def test_smallest_example_cuts_only_as_far_as_references_allow() -> None:
    from optikit.sheets.template import smallest_example

    sample: dict[str, Any] = {"machines": [{"id": f"M{i}"} for i in range(1, 6)],
              "jobs": [{"id": "J1", "ops": [{"machine": "M3"}, {"machine": "M1"}]},
                       {"id": "J2", "ops": [{"machine": "M5"}]}]}

    def valid(doc: dict) -> bool:
        known = {m["id"] for m in doc["machines"]}
        return all(op["machine"] in known for job in doc["jobs"] for op in job["ops"])

    small = smallest_example(sample, valid)
    assert small == {"machines": [{"id": "M1"}, {"id": "M2"}, {"id": "M3"}, {"id": "M4"}],
                     "jobs": [{"id": "J1", "ops": [{"machine": "M3"}]}]}
    assert len(sample["machines"]) == 5  # the sample itself is left as it was
