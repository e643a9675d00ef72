"""The maintenance plugin's own test suite (parsing, checker, formulations, CLI,
conformance), collected here so that optikit's ``make test`` runs it."""

from __future__ import annotations

import pytest

from tests.maintenance.vendor import NOT_INSTALLED, VENDOR_MODULES, vendor_module

pytest.importorskip("optikit_maintenance", reason=NOT_INSTALLED)


def _export() -> None:
    seen: dict[str, str] = {}
    for name in VENDOR_MODULES:
        for key, value in vars(vendor_module(name)).items():
            if key.startswith("_") or getattr(value, "__module__", None) != \
                    vendor_module(name).__name__:
                continue
            if key in seen:
                raise RuntimeError(f"{key} is defined in both {seen[key]} and {name}")
            seen[key] = name
            globals()[key] = value


_export()
