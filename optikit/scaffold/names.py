"""Plugin names: what a user types, and every identifier derived from it.

One name drives everything so that the distribution, the import package, the entry point
and the problem type can never disagree: ``optikit plugin new widget-plan`` gives the
distribution ``optikit-widget-plan``, the package ``optikit_widget_plan``, the entry point
``widget-plan`` and the problem type ``widget-plan``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from optikit.types import UsageError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_LENGTH = 40
RESERVED = frozenset({"optikit", "core", "test", "tests", "testing", "plugin", "plugins"})


@dataclass(frozen=True)
class PluginNames:
    name: str  # entry point and problem type: widget-plan
    distribution: str  # optikit-widget-plan
    package: str  # optikit_widget_plan
    class_name: str  # WidgetPlan
    title: str  # Widget plan

    def as_mapping(self) -> dict[str, str]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "package": self.package,
            "class_name": self.class_name,
            "title": self.title,
        }


def plugin_names(name: str) -> PluginNames:
    """Validate ``name`` and derive the identifiers; raises :class:`UsageError`."""
    if not NAME_PATTERN.match(name):
        raise UsageError(
            f"invalid plugin name {name!r}: use lower-case letters, digits and single "
            "hyphens, starting with a letter (e.g. 'maintenance', 'lot-sizing')"
        )
    if len(name) > MAX_LENGTH:
        raise UsageError(f"invalid plugin name {name!r}: at most {MAX_LENGTH} characters")
    if name in RESERVED:
        raise UsageError(f"invalid plugin name {name!r}: reserved by optikit")
    words = name.split("-")
    snake = "_".join(words)  # always prefixed with optikit_, so never a Python keyword
    return PluginNames(
        name=name,
        distribution=f"optikit-{name}",
        package=f"optikit_{snake}",
        class_name="".join(w.capitalize() for w in words),
        title=" ".join(words).capitalize(),
    )
