"""Problems as spreadsheets: an ``.xlsx`` workbook or a folder of CSV files.

Works for every problem type without knowing any: the layout comes from the type's JSON
Schema (see :mod:`optikit.sheets.flatten`), and a workbook reads back to exactly the
document it was written from.  Errors name the sheet, cell and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.sheets.book import Sheet
from optikit.sheets.unflatten import Locations

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class SheetDocument(dict[str, Any]):
    """A problem document read from sheets, knowing which cell each value came from."""

    locations: Locations

    def locate(self, field: str) -> str:
        return self.locations.locate(field)


def is_tabular(path: Path) -> bool:
    """A workbook, or a folder (of CSV files)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES or path.is_dir()


def read_sheets(path: Path) -> list[Sheet]:
    from optikit.sheets.csvdir import read_csv_dir
    from optikit.sheets.xlsx import read_xlsx

    return read_csv_dir(path) if path.is_dir() else read_xlsx(path)


def read_tabular(path: Path, schema_for: Any) -> SheetDocument:
    """The problem document of a workbook or CSV folder (not yet validated).

    ``schema_for(type_name)`` returns the full schema of the type the settings name.
    Raises :class:`~optikit.types.InvalidProblem` with a sheet/cell as the field.
    """
    from optikit.sheets.unflatten import sheets_to_document

    document, locations = sheets_to_document(read_sheets(path), schema_for)
    out = SheetDocument(document)
    out.locations = locations
    return out


def document_sheets(
    document: Mapping[str, Any], schema: Mapping[str, Any], *, text_only: bool = False
) -> list[Sheet]:
    from optikit.sheets.flatten import document_to_sheets

    return document_to_sheets(document, schema, text_only=text_only)


def write_sheets(sheets: list[Sheet], path: Path) -> None:
    """To ``.xlsx`` by suffix, otherwise to a folder of CSV files."""
    from optikit.sheets.csvdir import write_csv_dir
    from optikit.sheets.xlsx import write_xlsx

    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        write_xlsx(sheets, path)
    else:
        write_csv_dir(sheets, path)


def write_tabular(document: Mapping[str, Any], schema: Mapping[str, Any], path: Path) -> None:
    """Write a (valid) problem document as a workbook or CSV folder."""
    text_only = path.suffix.lower() not in WORKBOOK_SUFFIXES
    write_sheets(document_sheets(document, schema, text_only=text_only), path)
