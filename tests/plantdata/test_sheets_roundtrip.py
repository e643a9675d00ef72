"""Every sample of every installed type survives YAML -> workbook/CSV -> YAML unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from optikit.problem_io import read_document
from optikit.registry import Registry
from optikit.sheets import write_tabular
from optikit.sheets.cells import same
from optikit.validation import full_schema
from tests.plantdata.conftest import all_samples

pytest.importorskip("openpyxl")

SAMPLES = all_samples()


@pytest.mark.parametrize(
    ("type_name", "sample"), SAMPLES, ids=[f"{t}-{s.name}" for t, s in SAMPLES]
)
@pytest.mark.parametrize("kind", [".xlsx", "_csv"])
def test_roundtrip_is_lossless(
    registry: Registry, tmp_path: Path, type_name: str, sample: Path, kind: str
) -> None:
    document = dict(read_document(sample, registry))
    out = tmp_path / f"{sample.stem}{kind}"
    write_tabular(document, full_schema(registry.problem_types[type_name]), out)
    back = dict(read_document(out, registry))
    assert same(document, back), {k for k in document.keys() | back.keys()
                                  if not same(document.get(k), back.get(k))}


def test_every_type_has_a_sample_to_roundtrip() -> None:
    assert SAMPLES, "no installed problem type ships samples"
