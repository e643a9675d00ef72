"""The in-memory workbook both file formats share: named sheets of header + rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from optikit.sheets.cells import Cell

SETTINGS = "settings"
SETTINGS_HEADER = ("key", "value", "description")
#: Structural columns start with "@": links to the parent row, mapping keys.
LINK = "@"
KEY_COLUMN = "@key"
#: Excel's limit on sheet names, and the characters it refuses in them.
MAX_SHEET_NAME = 31
BAD_SHEET_CHARS = frozenset("[]:*?/\\")


@dataclass
class Sheet:
    """One sheet (or CSV file): a header row and data rows."""

    name: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    #: file row number of each data row (1-based; the header is row 1 when written)
    row_numbers: list[int] = field(default_factory=list)
    #: header -> note shown on the header cell (description and unit), templates only
    notes: dict[str, str] = field(default_factory=dict)
    #: how errors name the sheet: "materials" in a workbook, "materials.csv" in a folder
    label: str = ""

    def where_row(self, index: int) -> int:
        return self.row_numbers[index] if index < len(self.row_numbers) else index + 2


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def valid_sheet_name(name: str) -> bool:
    return 0 < len(name) <= MAX_SHEET_NAME and not (set(name) & BAD_SHEET_CHARS)


def escape_key(key: str) -> str:
    """A mapping key as one segment of a dotted column name."""
    text = key.replace("\\", "\\\\").replace(".", "\\.")
    return "\\" + text if text.startswith(LINK) else text


def split_path(name: str) -> list[str]:
    """'composition.SiO2' -> ['composition', 'SiO2']; backslash escapes a dot."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(name)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, ""))
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts
