"""Workbooks with mistakes, and hostile ones: one line naming file, sheet and cell; exit 2."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture
def blend_book(cli: Callable[..., Result], tmp_path: Path) -> Path:
    out = tmp_path / "plant.xlsx"
    sample = Path("problems/blend/westerberg_steel.yaml")
    assert cli("convert", sample, "-o", out).exit_code == 0
    return out


def _edit(path: Path, sheet: str, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def _error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    return lines[0]


def test_valid_workbook_solves(cli: Callable[..., Result], blend_book: Path) -> None:
    result = cli("solve", blend_book, "--time-limit", "5", "--json")
    assert result.exit_code == 0, result.output
    assert '"objective": 8495' in result.stdout


def test_negative_cell_is_named(cli: Callable[..., Result], blend_book: Path) -> None:
    header = [c.value for c in openpyxl.load_workbook(blend_book)["materials"][1]]
    col = "ABCDEFGHIJ"[header.index("composition.C")]
    _edit(blend_book, "materials", f"{col}3", -1)
    line = _error(cli("validate", blend_book))
    assert line == f"error: {blend_book}: materials!{col}3 (composition.C): must be >= 0"


def test_text_in_number_cell(cli: Callable[..., Result], blend_book: Path) -> None:
    _edit(blend_book, "materials", "B4", "cheap")
    assert "materials!B4 (cost): must be a number, not a string" in _error(
        cli("validate", blend_book))


def test_missing_required_column_names_the_row(
    cli: Callable[..., Result], blend_book: Path
) -> None:
    _edit(blend_book, "materials", "B2", None)
    assert "materials row 2: cost: is required" in _error(cli("validate", blend_book))


def test_settings_value_is_named(cli: Callable[..., Result], blend_book: Path) -> None:
    wb = openpyxl.load_workbook(blend_book)
    row = next(r for r in wb["settings"].iter_rows(min_row=2) if r[0].value == "total")
    row[1].value = 0
    wb.save(blend_book)
    assert f"settings!B{row[1].row} (total): must be > 0" in _error(cli("validate", blend_book))


def test_formula_without_value_merged_cells_and_unknown_sheet(
    cli: Callable[..., Result], blend_book: Path, tmp_path: Path
) -> None:
    _edit(blend_book, "materials", "B3", "=B2*2")
    assert "materials!B3: a formula without a computed value" in _error(cli("validate", blend_book))
    _edit(blend_book, "materials", "B3", 1)
    wb = openpyxl.load_workbook(blend_book)
    wb["materials"].merge_cells("B2:B3")
    wb.save(blend_book)
    assert "materials!B2:B3: merged cells are not supported" in _error(cli("validate", blend_book))
    wb["materials"].unmerge_cells("B2:B3")
    wb.create_sheet("Sheet1")["A1"] = "x"
    wb.save(blend_book)
    assert "Sheet1: unknown field" in _error(cli("validate", blend_book))


def test_child_sheet_naming_a_missing_parent(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "shop.xlsx"
    assert cli("convert", "problems/fjsp/machining_cell.yaml", "-o", out).exit_code == 0
    _edit(out, "jobs.operations.modes", "A2", "NOPE")
    assert "jobs.operations.modes!A2 (@jobs): no row" in _error(cli("validate", out))


def test_zip_bomb_and_non_zip(cli: Callable[..., Result], tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    assert "refused as a zip bomb" in _error(cli("validate", bomb))
    fake = tmp_path / "fake.xlsx"
    fake.write_text("type: blend\n")
    assert "not an .xlsx workbook" in _error(cli("validate", fake))


def test_no_settings_sheet(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "materials"
    wb.save(path)
    assert "no 'settings' sheet" in _error(cli("validate", path))


def test_csv_folder_errors(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "plant"
    assert cli("convert", "problems/blend/westerberg_steel.yaml", "-o", folder).exit_code == 0
    assert cli("validate", folder).exit_code == 0
    text = (folder / "materials.csv").read_text().splitlines()
    text[2] = text[2].replace("330", "-330")
    (folder / "materials.csv").write_text("\n".join(text) + "\n")
    assert "materials.csv!B3 (cost): must be >= 0" in _error(cli("validate", folder))
    (folder / "specs.csv").write_bytes(b"@key,min\nC,\x005\n")
    assert "specs.csv: not a text file" in _error(cli("validate", folder))


def test_convert_refuses_a_folder_with_other_files(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    line = _error(cli("convert", "problems/blend/westerberg_steel.yaml", "-o", tmp_path))
    assert "holds files other than CSV" in line
    assert (tmp_path / "notes.txt").exists()


def test_template_then_fill_in(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert cli("template", "blend", "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["materials"][1]]
    assert {"id", "cost", "loss", "min", "max"} <= set(header)
    # the sample's 12 materials cut to the fewest that still meet every spec's component
    assert 2 < wb["materials"].max_row < 13
    assert cli("validate", out).exit_code == 0  # the example is whole as it stands
    assert wb["materials"]["B1"].comment is not None  # the schema's description
    _edit(out, "materials", f"{'ABCDEFGHIJKLMNOP'[header.index('cost')]}2", -3)
    assert "materials!" in _error(cli("validate", out))


def test_row_and_size_caps(
    cli: Callable[..., Result], blend_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optikit.sheets.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    assert "more than 3 rows" in _error(cli("validate", blend_book))
    monkeypatch.setattr(xlsx, "MAX_UNPACKED", 1000)
    assert "over the 0 MB limit" in _error(cli("validate", blend_book))
