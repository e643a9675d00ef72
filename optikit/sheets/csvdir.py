"""A folder of CSV files, one per sheet (``settings.csv``, ``materials.csv``, ...).

Files are read with the same guards as problem files (size cap, UTF-8, no NUL bytes);
every cell is text and the schema decides what it means.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from optikit.sheets.book import Sheet, column_letter
from optikit.sheets.cells import Cell
from optikit.sheets.xlsx import MAX_COLUMNS, _header
from optikit.types import InvalidProblem, UsageError

MAX_FILES = 200


def read_csv_dir(path: Path) -> list[Sheet]:
    from optikit.problem_io import ProblemFileError, read_text

    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise InvalidProblem("", "is a directory with no .csv files (a problem folder holds "
                                 "settings.csv and one CSV file per table)")
    if len(files) > MAX_FILES:
        raise InvalidProblem("", f"{len(files)} CSV files (at most {MAX_FILES})")
    sheets: list[Sheet] = []
    old_limit = csv.field_size_limit()
    try:
        csv.field_size_limit(1 << 20)
        for file in files:
            label = file.name
            try:
                text = read_text(file, label)
            except ProblemFileError as exc:
                raise InvalidProblem(label, exc.message) from None
            header: list[str] | None = None
            rows: list[list[Cell]] = []
            numbers: list[int] = []
            reader = csv.reader(io.StringIO(text, newline=""))
            try:
                for r, raw in enumerate(reader, 1):
                    if len(raw) > MAX_COLUMNS:
                        raise InvalidProblem(label, f"more than {MAX_COLUMNS:,} columns")
                    values: list[Cell] = [v if v != "" else None for v in raw]
                    while values and values[-1] is None:
                        values.pop()
                    if header is None:
                        if values:
                            header = _header(label, values, r)
                        continue
                    if values:
                        if len(values) > len(header):
                            raise InvalidProblem(f"{label}!{column_letter(len(header))}{r}",
                                                 "a value in a column without a header")
                        rows.append(values)
                        numbers.append(reader.line_num)
            except csv.Error as exc:
                raise InvalidProblem(f"{label} line {reader.line_num}", f"bad CSV: {exc}") from None
            sheets.append(Sheet(file.stem, header or [], rows, numbers, label=label))
    finally:
        csv.field_size_limit(old_limit)
    return sheets


def write_csv_dir(sheets: list[Sheet], path: Path) -> None:
    """Write one CSV per sheet; refuses a folder holding anything but CSV files."""
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{path}: exists and is not a folder")
        others = [p.name for p in path.iterdir() if p.suffix.lower() != ".csv"]
        if others:
            raise UsageError(f"{path}: holds files other than CSV ({others[0]}): refused")
        for old in path.glob("*.csv"):
            old.unlink()
    else:
        path.mkdir(parents=True)
    for sheet in sheets:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(sheet.header)
        for row in sheet.rows:
            writer.writerow(["" if v is None else v for v in row])
        tmp = path / f".{sheet.name}.csv.tmp"
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        os.replace(tmp, path / f"{sheet.name}.csv")
