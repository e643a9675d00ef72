"""The command line on energy problems: solve (with the energy summary), check, validate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from optikit.cli import cli
from tests.energy.conftest import TOY_FULL, TOY_FULL_OPTIMUM, read


def invoke(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_solve_prints_the_energy_summary_and_the_saving(tmp_path: Path) -> None:
    out = tmp_path / "toy.json"
    chart = tmp_path / "toy.png"
    result = invoke("solve", TOY_FULL, "--time-limit", "20", "--threads", "2", "-o", out,
                    "--gantt", chart)
    assert result.exit_code == 0, result.output
    text = result.output
    for label in ("energy cost", "kWh", "CO2", "peak", "saving", "makespan-only plan",
                  "bound from"):
        assert label in text, text
    assert "108,900" in text
    document = json.loads(out.read_text())
    assert document["objective"] == TOY_FULL_OPTIMUM
    saving = document["analysis"]["saving"]
    base = document["analysis"]["baseline"]
    assert saving["cost"] == base["energy"]["cost"] - document["solution"]["energy"]["cost"]
    assert saving["cost"] > 0
    assert chart.stat().st_size > 10_000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    checked = invoke("check", TOY_FULL, out)
    assert checked.exit_code == 0, checked.output


def test_check_rejects_a_tampered_energy_block(tmp_path: Path) -> None:
    out = tmp_path / "toy.json"
    assert invoke("solve", TOY_FULL, "--time-limit", "20", "-o", out, "-q").exit_code == 0
    document = json.loads(out.read_text())
    document["solution"]["energy"]["kwh"] -= 50
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    result = invoke("check", TOY_FULL, tampered)
    assert result.exit_code == 1
    assert "energy.kwh" in result.output


def test_validate_names_the_tariff_field(tmp_path: Path) -> None:
    document = read(TOY_FULL)
    document["tariff"][3]["start"] = 14
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "tariff[3].start" in result.output
    assert "Traceback" not in result.output


def test_json_output_carries_energy(tmp_path: Path) -> None:
    result = invoke("solve", TOY_FULL, "--time-limit", "20", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document["solution"]["energy"]) == {"kwh", "cost", "co2_kg", "peak_kw"}
    assert set(document["solution"]["switch_on"]) == {"M1", "M2"}
