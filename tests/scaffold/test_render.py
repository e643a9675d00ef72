"""Rendering the plugin project: complete, valid Python, lint-clean, all or nothing."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from optikit.scaffold import ScaffoldError, create_plugin
from optikit.scaffold import render as render_module
from optikit.scaffold.render import LAYOUT, TEMPLATES
from optikit.types import UsageError

LONG_NAME = "very-long-plugin-name-for-line-lengths"


def test_every_template_is_used_and_ships_as_package_data() -> None:
    used = {template for template, _ in LAYOUT}
    on_disk = {p.name for p in TEMPLATES.glob("*.tmpl")}
    assert used == on_disk
    assert (TEMPLATES / "__init__.py").is_file()  # a package, so setuptools ships *.tmpl


def test_project_layout_and_metadata(tmp_path: Path) -> None:
    project = create_plugin("lot-sizing", tmp_path / "p", refuse_installed=False)
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == sorted(
        relative.format(package="optikit_lot_sizing", name="lot-sizing")
        for _, relative in LAYOUT
    )
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "optikit-lot-sizing"
    assert meta["project"]["entry-points"]["optikit"] == {"lot-sizing": "optikit_lot_sizing"}
    assert any(dep.startswith("optikit") for dep in meta["project"]["dependencies"])
    for path in project.rglob("*"):
        if path.is_file():
            assert "${" not in path.read_text(), f"unrendered placeholder in {path}"


def test_generated_code_compiles_and_is_lint_clean(tmp_path: Path) -> None:
    description = 'A "quoted", \\ backslashed description ' + "long enough to wrap " * 5
    project = create_plugin(LONG_NAME, tmp_path / "p", refuse_installed=False,
                            description=description)
    namespace: dict[str, object] = {}
    init = project / "src" / "optikit_very_long_plugin_name_for_line_lengths" / "__init__.py"
    source = init.read_text()
    exec(source[source.index("DESCRIPTION ="):source.index("\n\nif optikit")], namespace)
    assert namespace["DESCRIPTION"] == " ".join(description.split())
    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    # The project's own ruff settings (pyproject.toml), as its author will run them.
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                          cwd=project, capture_output=True, text=True)
    if "No module named ruff" in ruff.stderr:
        pytest.skip("ruff is not installed")
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_existing_directories_are_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        create_plugin("demo", target, refuse_installed=False)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert create_plugin("demo", empty, refuse_installed=False) == empty
    assert (empty / "pyproject.toml").is_file()


def test_default_location_is_the_distribution_name(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert create_plugin("demo", refuse_installed=False) == tmp_path / "optikit-demo"


def test_installed_plugin_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="already used"):
        create_plugin("ortools", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_a_failure_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = render_module.render

    def flaky(template: str, values: dict[str, str]) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(template, values)

    monkeypatch.setattr(render_module, "render", flaky)
    with pytest.raises(OSError):
        create_plugin("demo", tmp_path / "out", refuse_installed=False)
    assert list(tmp_path.iterdir()) == []
