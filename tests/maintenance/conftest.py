"""The maintenance plugin's fixtures, shared with its tests run from here."""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("optikit_maintenance") is not None:
    from tests.maintenance.vendor import vendor_module

    _vendor = vendor_module("conftest")
    hand = _vendor.hand
    hand_optimum = _vendor.hand_optimum
    samples = _vendor.samples
