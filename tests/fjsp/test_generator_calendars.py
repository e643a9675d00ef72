"""``optikit generate fjsp --calendars``: shift calendars on generated shops (no solve)."""

from __future__ import annotations

from click.testing import CliRunner
from optikit_fjsp.generator import generate

from optikit.cli import cli
from optikit.plugins import get_registry
from optikit.problem_io import load_document


def test_generated_calendar_shop_loads_with_a_clock_and_shifts() -> None:
    doc = generate(3, "small", calendars="two-shifts")
    assert doc == generate(3, "small", calendars="two-shifts")  # reproducible
    shop = load_document(doc, get_registry(), source="gen").problem.shop
    assert shop.has_calendars and shop.clock is not None
    assert any(op.interruptible for op in shop.operations())
    plain = generate(3, "small")
    assert [j["due"] for j in plain["jobs"]] < [j["due"] for j in doc["jobs"]]  # stretched


def test_cli_option_and_refusals() -> None:
    run = CliRunner().invoke
    result = run(cli, ["generate", "fjsp", "--size", "tiny", "--calendars", "one-shift"])
    assert result.exit_code == 0 and "calendar: one-shift" in result.output
    result = run(cli, ["generate", "fjsp", "--calendars", "night"])
    assert result.exit_code == 2 and "unknown calendars 'night'" in result.output
    result = run(cli, ["generate", "blend", "--calendars", "two-shifts"])
    assert result.exit_code == 2 and "cannot generate calendars" in result.output


def test_round_the_clock_preset_loads() -> None:
    load_document(generate(0, "medium", calendars="three-shifts"), get_registry(), source="gen")
