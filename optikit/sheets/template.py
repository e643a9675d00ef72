"""``optikit template TYPE``: a workbook to fill in, with an example that solves.

The example comes from the type's sample (or its generator), cut to one row per table
wherever the rows that remain still make a valid problem (an operation's machine must
stay in the machines table); every other column the schema offers is added empty, and
each header carries the schema's description (with its unit) as a note.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from optikit.sheets.book import KEY_COLUMN, LINK, SETTINGS, Sheet, escape_key, split_path
from optikit.sheets.flatten import document_to_sheets
from optikit.sheets.schema_nav import SCALARS, Schema, SchemaNav

TablePath = tuple[str | int, ...]

MAX_PASSES = 3


def _tables(value: Any, path: TablePath = ()) -> Iterator[TablePath]:
    """Paths of every list of objects with more than one row, outermost first."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    if isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value):
        yield path
    for key, child in items:
        yield from _tables(child, (*path, key))


def _at(document: Any, path: TablePath) -> Any:
    for key in path:
        document = document[key]
    return document


def smallest_example(example: Mapping[str, Any],
                     valid: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """``example`` with each table cut to its first 1, 2, 4... rows, the fewest with
    which the document stays ``valid`` (``example`` itself is taken as valid); cut
    greedily, outer tables first, until nothing more can be cut."""
    document = copy.deepcopy(dict(example))
    for _ in range(MAX_PASSES):
        cut_any = False
        for path in sorted(_tables(document), key=len):
            try:
                rows = _at(document, path)
            except (KeyError, IndexError, TypeError):  # under a row an earlier cut removed
                continue
            size = 1
            while size < len(rows):
                kept = rows[size:]
                del rows[size:]
                if valid(document):
                    cut_any = True
                    break
                rows.extend(kept)
                size *= 2
        if not cut_any:
            break
    return document


def note(nav: SchemaNav, schema: Schema) -> str:
    """Description with the unit in front when the schema gives one (``unit``/``x-unit``)."""
    unit = ""
    for node in nav.alternatives(schema):
        unit = str(node.get("x-unit") or node.get("unit") or unit)
    text = nav.description(schema)
    return f"[{unit}] {text}".strip() if unit else text


def scalar_columns(nav: SchemaNav, schema: Schema, prefix: str = "") -> list[tuple[str, Schema]]:
    """Dotted names of the scalar fields an object schema declares (fixed fields only)."""
    out: list[tuple[str, Schema]] = []
    for key, sub in nav.properties(schema):
        name = prefix + escape_key(key)
        types = nav.types(sub)
        if types and types <= SCALARS:
            out.append((name, sub))
        elif types == {"object"} and nav.properties(sub) and len(prefix) < 100:
            out.extend(scalar_columns(nav, sub, name + "."))
    return out


def _walk(nav: SchemaNav, schema: Schema, path: str) -> Schema:
    for part in split_path(path):
        schema = nav.child(schema, part)
    return schema


def template_sheets(
    example: Mapping[str, Any], schema: Schema, *, text_only: bool = False
) -> list[Sheet]:
    """The sheets of ``example`` (already cut small), with every column the schema
    offers and a note on each header."""
    nav = SchemaNav(schema)
    sheets = document_to_sheets(dict(example), schema, text_only=text_only)
    tables: dict[str, Schema] = {}
    for sheet in sheets:
        if sheet.name == SETTINGS:
            _settings(nav, schema, sheet, {s.name for s in sheets})
            continue
        parent = max((t for t in tables if sheet.name.startswith(t + ".")), key=len, default=None)
        if parent is None:
            container = nav.child(schema, sheet.name)
        else:
            container = _walk(nav, tables[parent], sheet.name[len(parent) + 1 :])
        if KEY_COLUMN in sheet.header:
            item = nav.child(container, "")
        else:
            item = nav.items(container)
            tables[sheet.name] = item
        known = set(sheet.header)
        for name, _sub in scalar_columns(nav, item):
            if name not in known:
                sheet.header.append(name)
                for row in sheet.rows:
                    row.append(None)
        for name in sheet.header:
            if not name.startswith(LINK):
                sheet.notes[name] = note(nav, _walk(nav, item, name))
    return sheets


def _settings(nav: SchemaNav, schema: Schema, sheet: Sheet, sheet_names: set[str]) -> None:
    present = {str(row[0]) for row in sheet.rows}
    for name, _sub in scalar_columns(nav, schema):
        if name not in present and split_path(name)[0] not in sheet_names and name != "$schema":
            sheet.rows.append([name, None, None])
    for row in sheet.rows:
        row[2] = note(nav, _walk(nav, schema, str(row[0]))) or None
