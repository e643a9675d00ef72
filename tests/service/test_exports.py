"""Downloads of a job's tables (``/v1/jobs/{id}/export``), the interactive chart's
route, and the page as the server renders it (with and without plotly)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from optikit.service import page
from tests.service.conftest import Served


def test_export_csv_zip_and_xlsx_of_own_jobs_only(served: Served) -> None:
    job_id = served.submit(time_limit=5)
    assert served.wait(job_id)["status"] == "done"
    url = f"/v1/jobs/{job_id}/export"
    answer = served.client.get(url, params={"format": "csv"}, headers=served.auth())
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert 'filename="toy-knapsack.solution.csv.zip"' in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as zf:
        assert zf.namelist() == ["run.csv"]  # the toy has no plant tables: the run only
        run = dict(csv.reader(io.StringIO(zf.read("run.csv").decode())))
    assert run["status"] == "optimal" and run["objective"] == "9"
    openpyxl = pytest.importorskip("openpyxl")
    book = served.client.get(url, params={"format": "xlsx"}, headers=served.auth())
    assert book.status_code == 200 and book.headers["content-type"].endswith(".sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["run"]
    assert ["objective", 9] in [[c.value for c in row] for row in sheet.iter_rows()]

    bad = served.client.get(url, params={"format": "pdf"}, headers=served.auth())
    assert bad.status_code == 422 and bad.json()["field"] == "format"
    assert "'csv' or 'xlsx'" in bad.json()["error"]
    for path in (url, f"/v1/jobs/{job_id}/chart.json"):  # another tenant's job: 404
        other = served.client.get(path, headers=served.auth("globex"))
        assert other.status_code == 404 and other.json()["field"] == "id"
    assert served.client.get(url).status_code == 401


def test_no_export_before_the_solution(served: Served) -> None:
    job_id = served.submit(time_limit=10, option="sleep=5")
    answer = served.client.get(f"/v1/jobs/{job_id}/export", headers=served.auth())
    served.client.delete(f"/v1/jobs/{job_id}", headers=served.auth())
    assert answer.status_code == 409 and "no solution" in answer.json()["error"]


def test_the_page_is_rendered_by_the_server(served: Served,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    html = served.client.get("/").text
    assert 'data-charts="plotly"' in html and "/static/plotly.min.js" in html
    assert ">fjsp: machining_cell.yaml</option>" in html  # samples and types filled in
    assert "<td>toy-knapsack</td>" in html and '<option value="brute">' in html
    js = served.client.get("/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
    assert b"plotly.js" in js.content[:200] and "max-age" in js.headers["cache-control"]

    monkeypatch.setattr(page, "plotly_js", lambda: None)  # a server without plotly
    html = served.client.get("/").text
    assert 'id="chart-note"' in html and "plotly.min.js" not in html
    assert served.client.get("/static/plotly.min.js").status_code == 404
