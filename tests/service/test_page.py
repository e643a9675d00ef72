"""The web page in a real browser: Debian's Chromium driven by Playwright, through sign-in,
upload, live progress drawn by plotly, the result, the type's interactive chart and the
downloads (JSON, CSV, Excel)."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from optikit.service import page as pagemod
from tests.service.conftest import TOY, Served

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests: no {CHROMIUM} (apt-get install chromium; .ci/run does)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (the test extra)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page(served: Served) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        sync_api.expect.set_options(timeout=20_000)  # a worker may be starting up
        try:
            yield tab
        finally:
            browser.close()


def test_sign_in_upload_watch_read_and_download(page: Any, served: Served,
                                                tmp_path: Path) -> None:
    page.goto(served.url + "/")
    page.fill("#key", "ok_wrong_key")
    page.click("#signin")
    sync_api.expect(page.locator("#error")).to_contain_text("unknown or revoked API key")
    page.fill("#key", served.keys["acme"])
    page.click("#signin")
    sync_api.expect(page.locator("#app")).to_be_visible()
    page.wait_for_selector("#sample option:has-text('fjsp: ')", state="attached")
    problem = tmp_path / "browser_toy.json"
    problem.write_text(json.dumps(TOY))
    page.set_input_files("#file", str(problem))
    page.select_option("#solver", "brute")
    page.fill("#time-limit", "5")
    page.click("#submit")
    sync_api.expect(page.locator("#job-status")).to_have_text("done")
    sync_api.expect(page.locator("#job-objective")).to_have_text("9")
    sync_api.expect(page.locator("#summary")).to_contain_text("optimal")
    sync_api.expect(page.locator("#summary")).to_contain_text("picked")
    # objective over time, drawn by plotly.js as the page's server ships it
    page.wait_for_function("() => ((document.querySelector('#progress.js-plotly-plot') || {})"
                           ".data || [{y: []}])[0].y.length >= 1")
    traces = page.locator("#progress").evaluate("div => div.data.map(t => t.name)")
    assert traces == ["objective", "bound"]
    assert page.locator("#progress .scatterlayer .trace").count() >= 1
    sync_api.expect(page.locator("#jobs tbody tr").first).to_contain_text("browser_toy")
    assert served.wait(page.locator("#jobs tbody tr").first.get_attribute("data-id"))[
        "document"]["solver"] == "brute"
    document = json.loads(_download(page, "#download", tmp_path).read_text())
    assert document["status"] == "optimal" and document["objective"] == 9


def _download(page: Any, button: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.click(button)
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_live_progress_and_stop_a_running_job(page: Any, served: Served) -> None:
    job_id = served.submit(time_limit=25, option="sleep=20")
    served.wait(job_id, until=("running",))
    page.reload()  # signs in again from the session, with the new job in the list
    row = page.locator(f"#jobs tbody tr[data-id='{job_id}']")
    row.click()
    sync_api.expect(page.locator("#stop")).to_be_visible()
    # live: progress reaching the store while the job runs is drawn at once
    for t, objective, bound in ((0.5, 3, 9), (1.0, 4, 8)):
        served.service.store.add_event(job_id, "progress",
                                       {"time_s": t, "objective": objective, "bound": bound})
    page.wait_for_function("() => (document.querySelector('#progress').data || [])"
                           ".every(t => t.y.length === 2)")
    sync_api.expect(page.locator("#job-bound")).to_have_text("8")
    sync_api.expect(page.locator("#job-status")).to_have_text("running")
    page.click("#stop")
    sync_api.expect(page.locator("#job-status")).to_have_text("cancelled")
    assert served.wait(job_id)["document"]["interrupted"] is True


def test_a_sample_solved_with_its_chart_and_tables(page: Any, served: Served,
                                                  tmp_path: Path) -> None:
    page.select_option("#sample", label="fjsp: machining_cell.yaml")
    page.fill("#time-limit", "1")
    page.click("#submit")
    sync_api.expect(page.locator("#job-status")).to_have_text("done")
    sync_api.expect(page.locator("#summary")).to_contain_text("makespan")
    # the type's interactive chart (a Gantt chart of the schedule), drawn by plotly
    sync_api.expect(page.locator("#chart-what")).to_contain_text("gantt of schedule")
    bars = page.locator("#chart.js-plotly-plot .barlayer .point")
    sync_api.expect(bars.first).to_be_attached()
    assert bars.count() >= 3  # one bar per operation of the sample's schedule
    # the tables optikit export writes: a zip of CSV files, and a workbook
    with zipfile.ZipFile(_download(page, "#download-csv", tmp_path)) as zf:
        assert "schedule.csv" in zf.namelist() and zf.namelist()[-1] == "run.csv"
        header = next(csv.reader(io.StringIO(zf.read("schedule.csv").decode())))
    assert {"job", "machine", "start", "end"} <= set(header)
    book = _download(page, "#download-xlsx", tmp_path)
    assert book.name == "machining_cell.solution.xlsx"
    openpyxl = pytest.importorskip("openpyxl")
    assert "schedule" in openpyxl.load_workbook(book).sheetnames


def test_without_plotly_the_page_says_so_and_draws_svg(page: Any, served: Served,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagemod, "plotly_js", lambda: None)  # a server without plotly
    page.reload()
    sync_api.expect(page.locator("#chart-note")).to_contain_text("need plotly")
    page.locator("#jobs tbody tr", has_text="machining_cell").first.click()
    sync_api.expect(page.locator("#job-status")).to_have_text("done")
    sync_api.expect(page.locator("#progress svg path.series-objective")).to_be_attached()
    sync_api.expect(page.locator("#chart img")).to_be_visible()
    assert page.locator("#chart img").evaluate("img => img.naturalWidth") > 100
