"""The HTML report in a real browser (Debian's Chromium through Playwright, as the
service page tests): the plots draw, a table sorts, the solver selector filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from optikit.bench.cli import report_command

pytest.importorskip("plotly", reason="the interactive report needs plotly (charts extra)")
# The service's browser set-up: skips with the reason when Chromium or Playwright is absent.
page_kit = pytest.importorskip("tests.service.test_page")
sync_api: Any = page_kit.sync_api


def test_report_page_sorts_filters_and_draws(mixed_ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report_command, ["--db", str(mixed_ledger), "--format", "html",
                                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    # plotly.js is one shared file beside the page, not inlined in every page
    shared = tmp_path / "plotly.min.js"
    assert shared.stat().st_size > 1_000_000 and out.stat().st_size < 500_000
    assert '<script src="plotly.min.js"></script>' in out.read_text()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=page_kit.CHROMIUM, args=page_kit.ARGS)
        try:
            tab = browser.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(out.as_uri())
            # plotly drew the profile and the gap curves of bench-cover
            sync_api.expect(tab.locator("div.plot .main-svg").first).to_be_visible()
            assert tab.locator("div.plot").count() == 2
            time_heading = tab.locator("#per-run thead th[data-key='time_s']")
            times = tab.locator("#per-run tbody tr td:nth-child(13)")

            def shown() -> list[float]:
                return [float(t) for t in times.all_inner_texts() if t]

            time_heading.click()
            assert time_heading.get_attribute("aria-sort") == "ascending"
            assert shown() == sorted(shown()) and len(set(shown())) > 1
            time_heading.click()
            assert shown() == sorted(shown(), reverse=True)
            tab.uncheck("input.solver-toggle[value='greedy']")
            rows = tab.locator("#per-run tbody tr[data-solver='greedy']")
            assert rows.count() >= 1 and not rows.first.is_visible()
            assert not tab.locator("table.matrix th[data-solver='greedy']").first.is_visible()
            assert errors == []
        finally:
            browser.close()
