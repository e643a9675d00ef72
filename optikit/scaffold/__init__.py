"""``optikit plugin new``: start a plugin package that installs and passes its tests at once.

The generated package is a working example (a small order-selection problem type with a
schema, model, checker, CP-SAT formulation, generator and sample) wired to optikit's
testing kit; a vendor replaces the example with their own problem, keeping the tests
green.  See ``docs/plugins.md``.
"""

from __future__ import annotations

from optikit.scaffold.names import PluginNames, plugin_names
from optikit.scaffold.render import ScaffoldError, create_plugin

__all__ = ["PluginNames", "ScaffoldError", "create_plugin", "plugin_names"]
