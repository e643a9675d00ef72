"""Problem document -> workbook, laid out by the type's JSON Schema.

The layout (documented in docs/plant-data.md):

- top-level scalars, and anything that is no table, go to the ``settings`` sheet as
  ``key | value`` rows (nested mappings as dotted keys: ``units.flow``);
- a top-level list of objects is a sheet, one row per object; an object's nested
  mappings become dotted columns (``composition.SiO2``), other lists JSON text;
- a list of objects inside a row is a child sheet named by its path
  (``jobs.operations``), whose ``@`` columns name the parent row: ``@jobs`` its id (when
  every parent row has a unique id) or ``@jobs#`` its position;
- a top-level mapping of objects (``specs``: component -> {min, max}) is a sheet with an
  ``@key`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.sheets.book import (
    KEY_COLUMN,
    LINK,
    SETTINGS,
    SETTINGS_HEADER,
    Sheet,
    escape_key,
    split_path,
    valid_sheet_name,
)
from optikit.sheets.cells import Cell, CellError, encode
from optikit.sheets.schema_nav import Schema, SchemaNav


class LayoutError(ValueError):
    """A document value that has no cell form; the message names its path."""


class _Writer:
    def __init__(self, nav: SchemaNav, text_only: bool) -> None:
        self.nav = nav
        self.text_only = text_only
        self.sheets: list[Sheet] = []

    def cell(self, value: Any, schema: Schema, where: str) -> Cell:
        try:
            return encode(value, schema, self.nav, text_only=self.text_only)
        except CellError as exc:
            raise LayoutError(f"{where}: {exc}") from None

    def flatten(
        self, obj: Mapping[str, Any], schema: Schema, prefix: str, sheet: str | None,
        cols: dict[str, Cell], children: list[tuple[str, list[Any]]], where: str,
    ) -> None:
        """Columns of one object; lists of objects go to ``children`` when ``sheet``."""
        for key, value in obj.items():
            sub = self.nav.child(schema, str(key))
            name = prefix + escape_key(str(key))
            if isinstance(value, dict) and value and self.nav.object_like(sub):
                self.flatten(value, sub, name + ".", sheet, cols, children, f"{where}.{key}")
            elif (
                sheet is not None
                and is_table(value, sub, self.nav)
                and valid_sheet_name(f"{sheet}.{name}")
            ):
                children.append((name, value))
            else:
                cols[name] = self.cell(value, sub, f"{where}.{key}")

    def table(
        self, name: str, groups: list[tuple[list[Cell], list[Any]]], links: list[str],
        item_schema: Schema,
    ) -> None:
        """One sheet for every list found at this path, in parent order."""
        id_schema = self.nav.child(item_schema, "id")
        use_id = all(_unique_ids(items) for _, items in groups)
        own_link = LINK + name + ("" if use_id else "#")
        columns: dict[str, None] = {}
        rows: list[dict[str, Cell]] = []
        child_groups: dict[str, list[tuple[list[Cell], list[Any]]]] = {}
        for parent_links, items in groups:
            for pos, item in enumerate(items, 1):
                cols: dict[str, Cell] = dict(zip(links, parent_links, strict=True))
                children: list[tuple[str, list[Any]]] = []
                self.flatten(item, item_schema, "", name, cols, children, f"{name}[{pos}]")
                rows.append(cols)
                columns.update(dict.fromkeys(cols))
                if use_id:
                    mine = self.cell(item["id"], id_schema, f"{name}[{pos}].id")
                else:
                    mine = str(pos) if self.text_only else pos
                for rel, lst in children:
                    child_groups.setdefault(rel, []).append(([*parent_links, mine], lst))
        header = list(dict.fromkeys([*links, *columns]))
        sheet = Sheet(name, header, [[row.get(h) for h in header] for row in rows])
        self.sheets.append(sheet)
        for rel, sub_groups in child_groups.items():
            schema = item_schema
            for part in split_path(rel):
                schema = self.nav.child(schema, part)
            self.table(f"{name}.{rel}", sub_groups, [*links, own_link], self.nav.items(schema))

    def mapping(self, name: str, value: Mapping[str, Any], schema: Schema) -> None:
        value_schema = self.nav.child(schema, "")
        columns: dict[str, None] = {KEY_COLUMN: None}
        rows: list[dict[str, Cell]] = []
        for key, entry in value.items():
            cols: dict[str, Cell] = {KEY_COLUMN: self.cell(str(key), {"type": "string"}, name)}
            self.flatten(entry, value_schema, "", None, cols, [], f"{name}.{key}")
            rows.append(cols)
            columns.update(dict.fromkeys(cols))
        header = list(columns)
        self.sheets.append(Sheet(name, header, [[row.get(h) for h in header] for row in rows]))


def _unique_ids(items: list[Any]) -> bool:
    ids = [item.get("id") for item in items]
    plain = all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids)
    return plain and len({(type(i).__name__, i) for i in ids}) == len(ids)


def is_table(value: Any, schema: Schema, nav: SchemaNav) -> bool:
    """A non-empty list of objects whose schema allows objects as items."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
        and nav.array_like(schema)
        and nav.object_like(nav.items(schema))
    )


def document_to_sheets(
    document: Mapping[str, Any], schema: Schema, *, text_only: bool = False
) -> list[Sheet]:
    """The sheets of a (valid) problem document; ``settings`` first."""
    nav = SchemaNav(schema)
    writer = _Writer(nav, text_only)
    settings: dict[str, Cell] = {}
    for key, value in document.items():
        sub = nav.child(schema, str(key))
        if key != SETTINGS and valid_sheet_name(str(key)) and "." not in str(key):
            if is_table(value, sub, nav) or (
                isinstance(value, list) and not value and nav.object_like(nav.items(sub))
                and "array" in nav.types(sub)
            ):
                writer.table(str(key), [([], value)], [], nav.items(sub))
                continue
            if (
                isinstance(value, dict) and value and nav.is_free_mapping(sub)
                and all(isinstance(v, dict) and v for v in value.values())
            ):
                writer.mapping(str(key), value, sub)
                continue
        writer.flatten({key: value}, schema, "", None, settings, [], SETTINGS)
    rows = [[k, v, None] for k, v in settings.items()]
    return [Sheet(SETTINGS, list(SETTINGS_HEADER), rows), *writer.sheets]
