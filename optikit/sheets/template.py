"""``optikit template TYPE``: a workbook to fill in, with one example row per sheet.

The example comes from the type's first sample (or its generator), cut to the first
row of every table; every other column the schema offers is added empty, and each
header carries the schema's description (with its unit) as a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.sheets.book import KEY_COLUMN, LINK, SETTINGS, Sheet, escape_key, split_path
from optikit.sheets.flatten import document_to_sheets
from optikit.sheets.schema_nav import SCALARS, Schema, SchemaNav


def first_rows(value: Any) -> Any:
    """The document with every list of objects cut to its first element."""
    if isinstance(value, dict):
        return {k: first_rows(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [first_rows(value[0])]
    return value


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
    nav = SchemaNav(schema)
    sheets = document_to_sheets(first_rows(dict(example)), schema, text_only=text_only)
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
