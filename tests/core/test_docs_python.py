"""The examples in docs/python.md run and print what the page says they print."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_every_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    blocks = _blocks()
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}  # blocks build on each other, as in a notebook
    for block in blocks:
        code = block.replace('"out.json"', repr(os.fspath(tmp_path / "out.json")))
        expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(PAGE), "exec"), namespace)
        if expected:
            assert out.getvalue().strip().splitlines()[-len(expected):] == expected
    assert (tmp_path / "out.json").is_file()
