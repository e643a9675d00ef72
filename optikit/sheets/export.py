"""Solution documents as tables: ``optikit export`` and ``Solution`` frames.

Generic first: every list of records in the solution payload is a table, a mapping of
numbers a two-column table (``amounts``: material -> tonnes), a mapping of records a
table keyed by ``key``; scalars go to the ``run`` table beside status and objective.
Plugins add tables in plant terms through the ``export_tables`` hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.sheets.book import BAD_SHEET_CHARS, KEY_COLUMN, MAX_SHEET_NAME, Sheet
from optikit.sheets.flatten import _Writer, document_to_sheets
from optikit.sheets.schema_nav import SchemaNav

RUN_KEYS = ("type", "name", "status", "objective", "bound", "gap", "solver", "formulation",
            "time_s", "message")
_SCALAR = (str, int, float, bool, type(None))


def _records_sheet(name: str, rows: list[Mapping[str, Any]]) -> Sheet:
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(str(k) for k in row))
    cols = list(header)
    return Sheet(name, cols, [[_cell(row.get(c)) for c in cols] for row in rows])


def _cell(value: Any) -> Any:
    if isinstance(value, _SCALAR):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def solution_sheets(
    document: Mapping[str, Any], plugin_tables: Mapping[str, list[Mapping[str, Any]]] = {}
) -> list[Sheet]:
    """The tables of a solution document, plant tables first, ``run`` last."""
    sheets = [_records_sheet(name, rows) for name, rows in plugin_tables.items()]
    run: list[list[Any]] = [[k, document.get(k)] for k in RUN_KEYS if k in document]
    payload = document.get("solution")
    payload = payload if isinstance(payload, Mapping) else {}
    writer = _Writer(SchemaNav({}), text_only=False)
    for key, value in payload.items():
        if key in plugin_tables:  # the plugin's table in plant terms replaces the raw one
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            sheets.extend(s for s in document_to_sheets({key: value}, {})[1:])
        elif isinstance(value, dict) and value and all(isinstance(v, _SCALAR)
                                                       for v in value.values()):
            sheets.append(Sheet(key, ["key", "value"], [[k, v] for k, v in value.items()]))
        elif isinstance(value, dict) and value and all(isinstance(v, dict)
                                                       for v in value.values()):
            writer.sheets = []
            writer.mapping(key, value, {})
            sheet = writer.sheets[0]
            sheet.header = ["key" if h == KEY_COLUMN else h for h in sheet.header]
            sheets.append(sheet)
        else:
            run.append([f"solution.{key}", _cell(value)])
    sheets.append(Sheet("run", ["key", "value"], run))
    return _unique_names(sheets)


def _unique_names(sheets: list[Sheet]) -> list[Sheet]:
    """Sheet names a spreadsheet accepts: no []:*?/\\, at most 31 characters, distinct."""
    seen: set[str] = set()
    for sheet in sheets:
        base = "".join("_" if ch in BAD_SHEET_CHARS else ch for ch in sheet.name)[:MAX_SHEET_NAME]
        name, n = base or "table", 1
        while name.lower() in seen:
            n += 1
            name = f"{base[: MAX_SHEET_NAME - len(str(n)) - 1]}~{n}"
        seen.add(name.lower())
        sheet.name = name
    return sheets


def write_parquet(sheets: list[Sheet], folder: Any) -> None:
    """One ``.parquet`` file per table (pyarrow, the ``optikit[parquet]`` extra)."""
    from pathlib import Path

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from optikit.types import UsageError

        raise UsageError("--format parquet needs pyarrow: pip install 'optikit[parquet]'"
                         ) from None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        columns = {}
        for c, name in enumerate(sheet.header):
            values = [row[c] if c < len(row) else None for row in sheet.rows]
            try:
                columns[name] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                columns[name] = pa.array([None if v is None else str(v) for v in values])
        pq.write_table(pa.table(columns), folder / f"{sheet.name}.parquet")


def tables_hook(type_name: str, target: str) -> Any:
    """An ``export_tables`` hook implementation for ``type_name`` that calls
    ``target`` (``"package.module:function"``, imported on first use) with the parsed
    problem and the solution document; other types and a missing problem get None::

        export_tables = hookimpl(tables_hook(NAME, "optikit_x.export:x_tables"))
    """
    from optikit.lazy import lazy

    build = lazy(target)

    def export_tables(
        problem_type: str, problem: Any, document: dict[str, Any]
    ) -> dict[str, list[dict[str, Any]]] | None:
        if problem_type != type_name or problem is None:
            return None
        return dict(build(problem, document))

    return export_tables


def plant_sheets(document: Mapping[str, Any], problem: Any, registry: Any) -> list[Sheet]:
    """Plugin tables (``export_tables`` hook, given the parsed problem or None) followed
    by the generic tables of the payload."""
    tables: dict[str, list[Mapping[str, Any]]] = {}
    for _plugin, answer in registry.collect(
        "export_tables", problem_type=document.get("type"), problem=problem,
        document=dict(document),
    ):
        if isinstance(answer, Mapping):
            tables.update({str(k): list(v) for k, v in answer.items() if isinstance(v, list)})
    return solution_sheets(document, tables)


def sheets_to_frames(sheets: list[Sheet]) -> dict[str, Any]:
    """Table name -> pandas DataFrame (pandas is optional: ``pip install pandas``)."""
    try:
        import pandas as pd
    except ImportError:
        from optikit.types import UsageError

        raise UsageError("DataFrames need pandas: pip install pandas") from None
    return {s.name: pd.DataFrame(s.rows, columns=s.header) for s in sheets}
