"""optikit import-aas on a plant built with the basyx SDK (no downloads)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from optikit.problem_io import load_document
from optikit.registry import Registry

pytest.importorskip("basyx.aas", reason="basyx-python-sdk absent: AAS import untested")


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tests.plantdata.aas_fixture import write_plant

    return write_plant(tmp_path_factory.mktemp("aas"))


@pytest.mark.parametrize("kind", [0, 1], ids=["aasx", "json"])
def test_machines_by_semantic_id(
    cli: Callable[..., Result], plant: tuple[Path, Path], tmp_path: Path, kind: int
) -> None:
    out = tmp_path / "machines.yaml"
    result = cli("import-aas", plant[kind], "-o", out)
    assert result.exit_code == 0, result.output
    machines = {m["id"]: m for m in yaml.safe_load(out.read_text())["machines"]}
    press = machines["press-1"]
    assert press["manufacturer"] == "ACME Presses" and press["serial_number"] == "P-0042"
    assert press["product"] == "Servo press 400 t"  # English text of a multi-language value
    assert press["idle_power"] == 12.5 and press["startup_energy"] == 30
    assert press["rul"] == 40 and press["failure"] == {"repair_time": 10}
    assert set(machines) == {"press-1", "weld-1"}
    assert "technical data: not mapped: MaxPressForce" in result.stderr
    assert "submodel VendorStuff: not mapped: Colour" in result.stderr


def test_fitted_to_a_type_gives_a_valid_document(
    cli: Callable[..., Result], plant: tuple[Path, Path], tmp_path: Path, registry: Registry
) -> None:
    out = tmp_path / "machines.yaml"
    result = cli("import-aas", plant[0], "-o", out, "--type", "energy-scheduling")
    assert result.exit_code == 0, result.output
    machines = yaml.safe_load(out.read_text())["machines"]
    assert machines[0]["description"] == "ACME Presses, serial P-0042, built 2019"
    assert "rul = 40: not a field of energy-scheduling machines" in result.stderr
    mode = {"machine": "press-1", "duration": 2, "power": 50}
    doc = {"type": "energy-scheduling", "machines": machines, "horizon": 10,
           "tariff": [{"start": 0, "end": 10, "price": 1}],
           "jobs": [{"id": "J", "operations": [{"modes": [mode]}]}]}
    load_document(doc, registry)


def test_extra_mapping_and_bad_files(
    cli: Callable[..., Result], plant: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "m.json"
    result = cli("import-aas", plant[1], "-o", out, "--map", "0173-1#02-BAF999=press_force")
    assert result.exit_code == 0 and "MaxPressForce" not in result.stderr
    assert '"press_force": 4000' in out.read_text()
    bad = (("bad.aasx", b"not a zip"), ("bad.json", b'{"assetAdministrationShells": 3}'),
           ("empty.json", b"{}"))
    for name, data in bad:
        (tmp_path / name).write_bytes(data)
        result = cli("import-aas", tmp_path / name, "-o", out)
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr
