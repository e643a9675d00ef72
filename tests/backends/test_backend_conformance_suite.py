"""The project's plugin-author conformance suite, run against every backend of ours.

``optikit.testing.BackendConformance`` reaches backends through the registry, exactly
as a vendor's backend would be tested.
"""

from __future__ import annotations

from optikit.testing.backend_conformance import BackendConformance


class TestCpSat(BackendConformance):
    backend = "cpsat"


class TestGlop(BackendConformance):
    backend = "glop"


class TestPdlp(BackendConformance):
    backend = "pdlp"


class TestScip(BackendConformance):
    backend = "scip"


class TestOrtoolsHighs(BackendConformance):
    backend = "ortools-highs"


class TestCbc(BackendConformance):
    backend = "cbc"


class TestPulpHighs(BackendConformance):
    backend = "pulp-highs"
