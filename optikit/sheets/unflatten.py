"""Workbook -> problem document (the inverse of :mod:`optikit.sheets.flatten`).

Besides the document, the reader returns where every value came from, so that a schema
or parse error on ``materials[5].composition.SiO2`` can be reported as
``materials!D7 (composition.SiO2)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.sheets.book import (
    KEY_COLUMN,
    LINK,
    SETTINGS,
    Sheet,
    column_letter,
    split_path,
)
from optikit.sheets.cells import ABSENT, decode
from optikit.sheets.schema_nav import Schema, SchemaNav
from optikit.types import InvalidProblem

Path_ = tuple[Any, ...]


@dataclass
class Locations:
    """Document path -> where it was read ('materials!D7 (cost)')."""

    cells: dict[Path_, str] = field(default_factory=dict)

    def locate(self, field_path: str) -> str:
        """The sheet/cell text for a validation error's field path."""
        parts = parse_field(field_path)
        for cut in range(len(parts), 0, -1):
            where = self.cells.get(tuple(parts[:cut]))
            if where is not None:
                rest = parts[cut:]
                return f"{where}: {_format(rest)}" if rest else where
        return field_path


_FIELD = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def parse_field(text: str) -> list[Any]:
    """'jobs[2].operations[0].machine' -> ['jobs', 2, 'operations', 0, 'machine']."""
    return [int(m.group(1)) if m.group(1) else m.group(2) for m in _FIELD.finditer(text)]


def _format(parts: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__ if not isinstance(value, int | float) else "n", value)


class _Reader:
    def __init__(self, schema: Schema, source_label: str) -> None:
        self.nav = SchemaNav(schema)
        self.schema = schema
        self.loc = Locations()
        self.label = source_label
        # sheet name -> (links tuple -> items by id / by position, with their paths)
        self.by_id: dict[str, dict[tuple[Any, ...], tuple[dict[str, Any], Path_]]] = {}
        self.by_pos: dict[str, dict[tuple[Any, ...], tuple[dict[str, Any], Path_]]] = {}

    def error(self, sheet: Sheet, col: int, row: int, message: str) -> InvalidProblem:
        header = sheet.header[col] if col < len(sheet.header) else ""
        return InvalidProblem(f"{sheet.label}!{column_letter(col)}{row} ({header})", message)

    def set_cell(
        self, target: dict[str, Any], parts: list[str], schema: Schema, raw: Any,
        path: Path_, where: str,
    ) -> None:
        for part in parts[:-1]:
            schema = self.nav.child(schema, part)
        schema = self.nav.child(schema, parts[-1])
        value = decode(raw, schema, self.nav)
        if value is ABSENT:
            return
        node = target
        for i, part in enumerate(parts[:-1]):
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise InvalidProblem(where, f"{'.'.join(parts[: i + 1])} is already set")
            node = nxt
        last = parts[-1]
        if last in node and not (node[last] == {} and isinstance(value, dict)):
            raise InvalidProblem(where, f"{'.'.join(parts)} is given twice")
        if isinstance(node.get(last), dict) and isinstance(value, dict):
            value = {**value, **node[last]}
        node[last] = value
        self.loc.cells[(*path, *parts)] = where

    def settings(self, sheet: Sheet, doc: dict[str, Any]) -> None:
        head = [h.strip().lower() for h in sheet.header]
        if "key" not in head or "value" not in head:
            raise InvalidProblem(f"{sheet.label}!A1", "needs the columns 'key' and 'value'")
        k, v = head.index("key"), head.index("value")
        for i, row in enumerate(sheet.rows):
            rn = sheet.where_row(i)
            key = row[k] if k < len(row) else None
            if key is None or str(key).strip() == "":
                if v < len(row) and row[v] not in (None, ""):
                    raise self.error(sheet, k, rn, "a value without a key")
                continue
            parts = split_path(str(key).strip())
            where = f"{sheet.label}!{column_letter(v)}{rn} ({key})"
            self.set_cell(doc, parts, self.schema, row[v] if v < len(row) else None, (), where)

    def fill_row(
        self, sheet: Sheet, i: int, row: list[Any], item: dict[str, Any], schema: Schema,
        path: Path_, skip: set[int],
    ) -> None:
        rn = sheet.where_row(i)
        for c, header in enumerate(sheet.header):
            if c in skip or c >= len(row):
                continue
            where = f"{sheet.label}!{column_letter(c)}{rn} ({header})"
            self.set_cell(item, split_path(header), schema, row[c], path, where)

    def table(
        self, sheet: Sheet, doc: dict[str, Any], key: str, schema: Schema
    ) -> None:
        item_schema = self.nav.items(schema)
        items: list[Any] = doc.setdefault(key, [])
        if not isinstance(items, list):
            raise InvalidProblem(f"{sheet.label}", f"{key} is also set in {SETTINGS}")
        self.loc.cells[(key,)] = sheet.label
        self._index_rows(sheet, key, item_schema, lambda _i, _links: (items, (key,)))

    def _index_rows(
        self, sheet: Sheet, name: str, item_schema: Schema,
        target: Any,
    ) -> None:
        links = [c for c, h in enumerate(sheet.header) if h.startswith(LINK)]
        by_id = self.by_id.setdefault(name, {})
        by_pos = self.by_pos.setdefault(name, {})
        counts: dict[tuple[Any, ...], int] = {}
        for i, row in enumerate(sheet.rows):
            if all(v is None or v == "" for v in row):
                continue
            link_vals = tuple(self._link_value(sheet, c, i, row) for c in links)
            items, parent_path = target(i, link_vals)
            item: dict[str, Any] = {}
            path: Path_ = (*parent_path, len(items))
            self.fill_row(sheet, i, row, item, item_schema, path, set(links))
            items.append(item)
            self.loc.cells[path] = f"{sheet.label} row {sheet.where_row(i)}"
            counts[link_vals] = counts.get(link_vals, 0) + 1
            by_pos[(*link_vals, counts[link_vals])] = (item, path)
            if "id" in item:
                by_id[(*link_vals, _key(item["id"]))] = (item, path)

    def _link_value(self, sheet: Sheet, c: int, i: int, row: list[Any]) -> Any:
        header = sheet.header[c]
        raw = row[c] if c < len(row) else None
        if header.endswith("#"):
            value = decode(raw, {"type": "integer"}, self.nav)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.error(sheet, c, sheet.where_row(i), "must be a row position (1, 2, ...)")
            return value
        value = decode(raw, {"type": ["string", "integer"]}, self.nav)
        if value is ABSENT:
            raise self.error(sheet, c, sheet.where_row(i), "names no parent row")
        return _key(value)

    def child(self, sheet: Sheet, parent: str, rel: list[str], parent_schema: Schema) -> None:
        schema = parent_schema
        for part in rel:
            schema = self.nav.child(schema, part)
        last_link = next((h for h in reversed(sheet.header) if h.startswith(LINK)), None)
        if last_link is None or last_link.rstrip("#")[1:] != parent:
            raise InvalidProblem(
                f"{sheet.label}!A1", f"needs a column '{LINK}{parent}' (or '{LINK}{parent}#') "
                "naming the parent row"
            )
        index = self.by_pos[parent] if last_link.endswith("#") else self.by_id[parent]
        link_cols = [c for c, h in enumerate(sheet.header) if h.startswith(LINK)]
        prefixes = {key[:k] for key in index for k in range(1, len(key) + 1)}

        def target(i: int, links: tuple[Any, ...]) -> tuple[list[Any], Path_]:
            found = index.get(links)
            if found is None:
                k = next(k for k in range(1, len(links) + 1) if links[:k] not in prefixes)
                col = link_cols[k - 1]
                value = sheet.rows[i][col] if col < len(sheet.rows[i]) else None
                names = sheet.header[col].rstrip("#")[1:]
                raise self.error(sheet, col, sheet.where_row(i), f"no row {value!r} in {names}")
            item, path = found
            node = item
            for part in rel[:-1]:
                node = node.setdefault(part, {})
            lst = node.setdefault(rel[-1], [])
            if not isinstance(lst, list):
                raise self.error(sheet, link_cols[-1], sheet.where_row(i),
                                 f"{rel[-1]} is set twice")
            return lst, (*path, *rel)

        self._index_rows(sheet, sheet.name, self.nav.items(schema), target)

    def mapping(self, sheet: Sheet, doc: dict[str, Any], key: str, schema: Schema) -> None:
        value_schema = self.nav.child(schema, "")
        k = sheet.header.index(KEY_COLUMN)
        out = doc.setdefault(key, {})
        self.loc.cells[(key,)] = sheet.label
        for i, row in enumerate(sheet.rows):
            if all(v is None or v == "" for v in row):
                continue
            entry_key = decode(row[k] if k < len(row) else None, {"type": "string"}, self.nav)
            if entry_key is ABSENT:
                raise self.error(sheet, k, sheet.where_row(i), "is empty")
            entry_key = str(entry_key)
            if entry_key in out:
                raise self.error(sheet, k, sheet.where_row(i), f"{entry_key!r} appears twice")
            entry: dict[str, Any] = {}
            path = (key, entry_key)
            self.loc.cells[path] = f"{sheet.label} row {sheet.where_row(i)}"
            self.fill_row(sheet, i, row, entry, value_schema, path, {k})
            out[entry_key] = entry


def sheets_to_document(
    sheets: list[Sheet], schema_for: Any
) -> tuple[dict[str, Any], Locations]:
    """The problem document of a workbook.  ``schema_for(type_name)`` gives the full
    schema once the ``settings`` sheet has named the type."""
    named = {s.name: s for s in sheets}
    settings = named.get(SETTINGS)
    doc: dict[str, Any] = {}
    if settings is None:
        raise InvalidProblem(SETTINGS, "no 'settings' sheet (it names the problem 'type')")
    probe = _Reader({}, "")
    probe.settings(settings, doc)
    type_name = doc.get("type")
    if not isinstance(type_name, str):
        raise InvalidProblem(f"{settings.label}", "no 'type' row naming the problem type")
    schema: Schema = schema_for(type_name)
    reader = _Reader(schema, "")
    doc = {}
    reader.settings(settings, doc)
    tables: dict[str, Schema] = {}
    for sheet in sorted(sheets, key=lambda s: len(split_path(s.name))):
        if sheet.name == SETTINGS:
            continue
        parent = _parent_table(sheet.name, tables)
        if parent is not None:
            rel = split_path(sheet.name[len(parent) + 1 :])
            reader.child(sheet, parent, rel, tables[parent])
            tables[sheet.name] = _walk(reader.nav, tables[parent], rel)
            continue
        sub = reader.nav.child(schema, sheet.name)
        types = reader.nav.types(sub)
        if KEY_COLUMN in sheet.header and (not types or "object" in types):
            reader.mapping(sheet, doc, sheet.name, sub)
        else:
            reader.table(sheet, doc, sheet.name, sub)
            tables[sheet.name] = reader.nav.items(sub)
    return doc, reader.loc


def _walk(nav: SchemaNav, schema: Schema, rel: list[str]) -> Schema:
    for part in rel:
        schema = nav.child(schema, part)
    return nav.items(schema)


def _parent_table(name: str, tables: Mapping[str, Schema]) -> str | None:
    best = None
    for table in tables:
        if name.startswith(table + ".") and (best is None or len(table) > len(best)):
            best = table
    return best
