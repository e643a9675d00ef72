"""Rendering the plugin templates into a new directory, all or nothing.

Templates are flat ``*.tmpl`` files in ``optikit/scaffold/templates`` (so they ship as
package data without globs for sub-directories); :data:`LAYOUT` says where each one goes.
They are ``string.Template`` texts: ``${package}`` is replaced, ``$$`` is a literal ``$``,
and an unknown placeholder is an error rather than a silently broken file.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import string
import tempfile
from collections.abc import Mapping
from pathlib import Path

from optikit import API_VERSION, __version__
from optikit.scaffold.names import PluginNames, plugin_names
from optikit.types import OptikitError, UsageError

TEMPLATES = Path(__file__).parent / "templates"

#: template file -> path in the new project (``{package}`` and ``{name}`` are filled in).
LAYOUT: tuple[tuple[str, str], ...] = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("gitignore.tmpl", ".gitignore"),
    ("plugin_init.py.tmpl", "src/{package}/__init__.py"),
    ("schema.py.tmpl", "src/{package}/schema.py"),
    ("model.py.tmpl", "src/{package}/model.py"),
    ("checker.py.tmpl", "src/{package}/checker.py"),
    ("formulation.py.tmpl", "src/{package}/formulation.py"),
    ("generator.py.tmpl", "src/{package}/generator.py"),
    ("sample.yaml.tmpl", "src/{package}/samples/example.yaml"),
    ("test_conformance.py.tmpl", "tests/test_conformance.py"),
    ("test_model.py.tmpl", "tests/test_model.py"),
)


MAX_DESCRIPTION = 300


class ScaffoldError(OptikitError):
    """The plugin cannot be created where asked (the CLI exits with 2)."""


def installed_plugin_names() -> set[str]:
    """Entry-point names already used in the ``optikit`` group."""
    return {ep.name for ep in importlib.metadata.entry_points(group="optikit")}


def python_string(text: str, indent: int = 4, width: int = 72) -> str:
    """A Python expression for ``text`` that keeps every line short (wrapped literals)."""
    import textwrap

    def literal(chunk: str) -> str:  # a JSON string is a valid, double-quoted Python one
        return json.dumps(chunk, ensure_ascii=False)

    chunks = textwrap.wrap(text, width, drop_whitespace=False) or [""]
    if len(chunks) == 1:
        return literal(chunks[0])
    pad = " " * indent
    return "(\n" + "".join(f"{pad}{literal(chunk)}\n" for chunk in chunks) + ")"


def placeholders(names: PluginNames, description: str) -> dict[str, str]:
    api_major = API_VERSION.split(".")[0]
    return {
        **names.as_mapping(),
        "description": description,
        "description_py": python_string(description),
        "description_toml": json.dumps(description, ensure_ascii=False),
        "optikit_version": __version__,
        "api_version": API_VERSION,
        "api_major": api_major,
    }


def render(template: str, values: Mapping[str, str]) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    try:
        return string.Template(text).substitute(values)
    except (KeyError, ValueError) as exc:
        raise RuntimeError(f"template {template} is broken: {exc!r}") from exc


def create_plugin(
    name: str,
    target: Path | None = None,
    *,
    description: str | None = None,
    refuse_installed: bool = True,
) -> Path:
    """Create the plugin project ``name`` in ``target`` (default ``./optikit-NAME``).

    Refuses an existing non-empty directory and, unless ``refuse_installed`` is False,
    a name an installed plugin already uses.  Returns the project directory.
    """
    names = plugin_names(name)
    if refuse_installed and names.name in installed_plugin_names():
        raise UsageError(
            f"plugin name {name!r} is already used by an installed optikit plugin "
            "(see 'optikit plugins')"
        )
    target = Path(target) if target is not None else Path.cwd() / names.distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target}: already exists; choose another --path")
    text = " ".join((description or f"the {names.title.lower()} problem type").split())
    if len(text) > MAX_DESCRIPTION:
        raise UsageError(f"--description: at most {MAX_DESCRIPTION} characters, one line")
    values = placeholders(names, text)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        for template, relative in LAYOUT:
            out = staging / relative.format(package=names.package, name=names.name)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render(template, values), encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty, checked above
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
