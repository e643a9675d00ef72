"""Reading and writing ``.xlsx`` workbooks (openpyxl, the ``optikit[sheets]`` extra).

A workbook from outside is hostile until proven otherwise: the zip is checked before
openpyxl sees it (size after decompression, compression ratio), rows are read in
streaming mode, formulas are replaced by the values Excel last computed (refused if
there are none) and merged cells are refused, since they hide which row a value is for.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from optikit.sheets.book import Sheet, column_letter
from optikit.types import InvalidProblem, UsageError

#: Decompressed size a workbook may have (XML is ~10x its data; 200 MB is ~1M rows).
MAX_UNPACKED = 200 * 1024 * 1024
#: A member packed more tightly than this is a zip bomb, not a spreadsheet.
MAX_RATIO = 200
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 16_384
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def require_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise UsageError(
            "reading and writing .xlsx needs openpyxl: pip install 'optikit[sheets]'"
        ) from None
    return openpyxl


def check_zip(path: Path, kind: str = "an .xlsx workbook") -> None:
    """Refuse what is no zip, a zip bomb, or too large once unpacked."""
    if not zipfile.is_zipfile(path):
        hint = "; save .xls files as .xlsx" if "xlsx" in kind else ""
        raise InvalidProblem("", f"not {kind} (not a zip file{hint})")
    try:
        with zipfile.ZipFile(path) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(
                    1, info.compress_size
                ):
                    raise InvalidProblem(
                        "", f"{info.filename} unpacks {info.file_size / info.compress_size:,.0f}"
                        "-fold: refused as a zip bomb"
                    )
            if total > MAX_UNPACKED:
                raise InvalidProblem(
                    "", f"unpacks to {total / 1e6:,.0f} MB, over the {MAX_UNPACKED / 1e6:.0f} MB "
                    "limit for zip packages"
                )
    except zipfile.BadZipFile as exc:
        raise InvalidProblem("", f"not {kind} ({exc})") from None


def _merged(path: Path, member: str) -> str | None:
    """The first merged range in a worksheet part, scanning its XML in chunks."""
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                found = _MERGE.search(tail + chunk)
                if found:
                    return found.group(1).decode()
                tail = chunk[-200:]
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    return None


def read_xlsx(path: Path) -> list[Sheet]:
    """Every sheet of a workbook as header + rows of typed values."""
    openpyxl = require_openpyxl()
    check_zip(path)
    values_wb: Any = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
        sheets: list[Sheet] = []
        for ws in wb.worksheets:
            member = getattr(ws, "_worksheet_path", None)
            if isinstance(member, str):
                merged = _merged(path, member)
                if merged:
                    raise InvalidProblem(
                        f"{ws.title}!{merged}",
                        "merged cells are not supported: unmerge them and fill every cell",
                    )
            rows: list[list[Any]] = []
            numbers: list[int] = []
            header: list[str] | None = None
            for r, row in enumerate(ws.iter_rows(), 1):
                if r > MAX_ROWS:
                    raise InvalidProblem(ws.title, f"more than {MAX_ROWS:,} rows")
                if len(row) > MAX_COLUMNS:
                    raise InvalidProblem(ws.title, f"more than {MAX_COLUMNS:,} columns")
                values: list[Any] = []
                for c, cell in enumerate(row):
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f":
                        if values_wb is None:
                            with warnings.catch_warnings():
                                warnings.simplefilter("ignore")
                                values_wb = openpyxl.load_workbook(
                                    path, read_only=False, data_only=True
                                )
                        value = values_wb[ws.title].cell(r, c + 1).value
                        if value is None:
                            raise InvalidProblem(
                                f"{ws.title}!{column_letter(c)}{r}",
                                "a formula without a computed value: open and save the "
                                "workbook in a spreadsheet program, or enter the value",
                            )
                    if isinstance(value, str) and value.startswith("#") and (
                        getattr(cell, "data_type", None) == "e"
                    ):
                        raise InvalidProblem(f"{ws.title}!{column_letter(c)}{r}",
                                             f"spreadsheet error {value}")
                    if value is not None and not isinstance(value, str | int | float | bool):
                        raise InvalidProblem(
                            f"{ws.title}!{column_letter(c)}{r}",
                            f"{type(value).__name__} values are not supported: enter a number "
                            "or text",
                        )
                    values.append(value)
                while values and values[-1] in (None, ""):
                    values.pop()
                if header is None:
                    if not values:
                        continue
                    header = _header(ws.title, values, r)
                    continue
                if values:
                    if len(values) > len(header):
                        raise InvalidProblem(
                            f"{ws.title}!{column_letter(len(header))}{r}",
                            "a value in a column without a header",
                        )
                    rows.append(values)
                    numbers.append(r)
            sheets.append(Sheet(ws.title, header or [], rows, numbers, label=ws.title))
        wb.close()
        return sheets
    except InvalidProblem:
        raise
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        raise InvalidProblem("", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
                             ) from None


def _header(label: str, values: list[Any], row: int) -> list[str]:
    header: list[str] = []
    for c, value in enumerate(values):
        text = "" if value is None else str(value).strip()
        if not text:
            raise InvalidProblem(f"{label}!{column_letter(c)}{row}", "empty column header")
        if text in header:
            raise InvalidProblem(f"{label}!{column_letter(c)}{row}",
                                 f"column {text!r} appears twice")
        header.append(text)
    return header


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    """Write the sheets; text stays text (never a formula), header notes become comments."""
    openpyxl = require_openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    try:
        _fill(openpyxl.Workbook(), sheets, Comment, Font(bold=True)).save(path)
    except Exception as exc:  # openpyxl's IllegalCharacterError and friends
        raise UsageError(f"{path}: cannot write the workbook ({exc})") from None


def _fill(wb: Any, sheets: list[Sheet], comment: Any, bold: Any) -> Any:
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for c, name in enumerate(sheet.header, 1):
            cell = ws.cell(1, c, name)
            cell.font = bold
            cell.data_type = "s"
            note = sheet.notes.get(name)
            if note:
                cell.comment = comment(note, "optikit")
        for r, row in enumerate(sheet.rows, 2):
            for c, value in enumerate(row, 1):
                if value is None:
                    continue
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for c, name in enumerate(sheet.header, 1):
            ws.column_dimensions[column_letter(c - 1)].width = max(10, min(40, len(name) + 2))
    return wb
