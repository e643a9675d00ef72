"""Access to the maintenance plugin's own tests (plugins/optikit-maintenance/tests).

The plugin is a separate distribution with its own test suite; optikit's suite runs it
too, in-process, by importing those modules under private names.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "optikit-maintenance"
PLUGIN_TESTS = PLUGIN / "tests"
NOT_INSTALLED = "the optikit-maintenance plugin is not installed (run make install)"
VENDOR_MODULES = ("test_model", "test_checker", "test_formulations", "test_cli",
                  "test_conformance")


def vendor_module(name: str) -> ModuleType:
    """Import ``plugins/optikit-maintenance/tests/<name>.py`` once."""
    qualified = f"optikit_maintenance_vendor_tests.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, PLUGIN_TESTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {name} from {PLUGIN_TESTS}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module
