"""A job's solution as tables to download: what ``optikit export`` writes, over HTTP.

The tables are the CLI's (plugin tables in plant terms from the ``export_tables`` hook,
given the job's own problem, then the generic tables of the payload).  ``csv`` is the
CLI's folder of one CSV file per table, zipped (a download is one file); ``xlsx`` is
the CLI's workbook, one sheet per table.
"""

from __future__ import annotations

import importlib.util
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from optikit.service.errors import ApiError
from optikit.types import UsageError

if TYPE_CHECKING:
    from optikit.service.app import Service
    from optikit.service.store import Job

Format = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    """One file to send: its bytes, media type and suggested name (without directory)."""

    data: bytes
    media_type: str
    suffix: str


def job_sheets(svc: Service, job: Job) -> list[Any]:
    """The export tables of a finished job, with its problem for the plant terms."""
    from optikit import api
    from optikit.sheets.export import plant_sheets

    if job.document is None or "solution" not in job.document:
        raise ApiError(409, f"job {job.id} has no solution to export (status {job.status})",
                       "id")
    problem_doc = svc.store.problem(job.id, job.tenant)
    problem = None
    if problem_doc is not None:
        problem = api.load(problem_doc, registry=svc.registry).problem
    return plant_sheets(job.document, problem, svc.registry)


def export_job(svc: Service, job: Job, fmt: Format) -> Export:
    """The job's tables as one file in ``fmt``."""
    if fmt == "xlsx" and importlib.util.find_spec("openpyxl") is None:
        raise ApiError(501, "Excel downloads need openpyxl on the server: pip install "
                            "'optikit[serve]'", "format")
    sheets = job_sheets(svc, job)
    with tempfile.TemporaryDirectory(prefix="optikit-export-") as tmp:
        try:
            if fmt == "xlsx":
                return Export(_xlsx(sheets, Path(tmp)), XLSX_TYPE, ".xlsx")
            return Export(_csv_zip(sheets, Path(tmp)), "application/zip", ".csv.zip")
        except UsageError as exc:  # a cell a workbook refuses
            raise ApiError(503, f"cannot write the {fmt} export: {exc}", "format") from None


def _xlsx(sheets: list[Any], tmp: Path) -> bytes:
    from optikit.sheets.xlsx import write_xlsx

    path = tmp / "solution.xlsx"
    write_xlsx(sheets, path)
    return path.read_bytes()


def _csv_zip(sheets: list[Any], tmp: Path) -> bytes:
    from optikit.sheets.csvdir import write_csv_dir

    folder, archive = tmp / "tables", tmp / "tables.zip"
    write_csv_dir(sheets, folder)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for sheet in sheets:  # the tables' order, not the folder's
            zf.write(folder / f"{sheet.name}.csv", f"{sheet.name}.csv")
    return archive.read_bytes()
