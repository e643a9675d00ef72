"""The Gantt chart (with power profile and tariff) and the human summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from optikit_energy.gantt import draw
from optikit_energy.summary import summarize

from optikit.numbers import number
from tests.energy.conftest import SAMPLES, load, read, run


@pytest.fixture(scope="module")
def solved(registry):
    document = read(SAMPLES / "machining_cell_day.yaml")
    result = run(registry, document, time_limit=3)
    assert "solution" in result.document
    return load(registry, document).problem, result.document


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".html"])
def test_gantt_renders(solved, tmp_path: Path, suffix: str) -> None:
    problem, document = solved
    path = tmp_path / f"chart{suffix}"
    draw(problem, document, path)
    data = path.read_bytes()
    assert len(data) > 5_000
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    elif suffix in (".svg", ".html"):
        text = data.decode()
        assert "<svg" in text
        # Machine rows, the power panel and the tariff panel are all there.
        for word in ("OVEN", "MILL1", "kW", "price/kWh"):
            assert word in text
    else:
        assert data.startswith(b"%PDF")


def test_gantt_refuses_unknown_formats(solved, tmp_path: Path) -> None:
    problem, document = solved
    with pytest.raises(ValueError, match="unsupported"):
        draw(problem, document, tmp_path / "chart.bmp")


def test_summary_rows(solved) -> None:
    problem, document = solved
    rows = dict(summarize(problem, document))
    energy = document["solution"]["energy"]
    assert rows["energy cost"] == number(energy["cost"], decimals=2)
    assert rows["CO2"].startswith(number(energy["co2_kg"], decimals=1))
    assert "cap 120 kW" in rows["peak"]
    assert "kWh" in rows["energy"] and "switch-on" in rows["energy"]
    assert "weighted tardiness" in rows  # the sample has due dates
    assert rows["saving"].startswith("cost ")
    assert "makespan alone" in rows["saving"]


def test_summary_without_a_baseline(solved) -> None:
    problem, document = solved
    rows = dict(summarize(problem, {**document, "analysis": {}}))
    assert "saving" not in rows
    assert "energy cost" in rows


def test_summary_says_which_relaxation_gave_the_bound() -> None:
    """Issue #20: the gap is read against the bound, so the summary names its source."""
    from optikit_energy.summary import bound_source

    stats = {"bound_source": "bucket-milp",
             "bucket_bound": {"method": "bucket-milp", "relaxation": "preemptive",
                              "buckets": 19}}
    assert bound_source({"bound": 205.2, "stats": stats}) == (
        "time-bucket relaxation, MILP dual bound (HiGHS), preemptive, 19 buckets")
    assert bound_source({"bound": 74.0, "stats": {"bound_source": "time-indexed-milp (highs)"}}
                        ) == "time-indexed MILP beside the search, dual bound (HiGHS)"
    assert bound_source({"bound": None, "stats": stats}) is None
    # The guided search's tariff-period MILP: the thread's bucket record (the finer LP,
    # 22 buckets) is not the one that gave the bound, so its bucket count is not shown.
    coarse = {"bound_source": "bucket-milp (tariff periods)",
              "bucket_bound": {"method": "bucket-lp", "relaxation": "preemptive",
                               "buckets": 22}}
    assert bound_source({"bound": 663.7, "stats": coarse}) == (
        "time-bucket relaxation on the tariff periods, MILP dual bound (HiGHS)")
    assert bound_source({"bound": 1.0, "stats": {}}) is None
