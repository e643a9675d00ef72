"""Atomic writes: all or nothing, with ordinary permissions."""

from __future__ import annotations

import os
import stat

import pytest

from optikit.atomic import write_text_atomic, write_with_atomic


def test_written_file_has_ordinary_permissions(tmp_path):
    target = tmp_path / "out.json"
    write_text_atomic(target, "{}")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert target.read_text() == "{}"


def test_failed_writer_leaves_nothing(tmp_path):
    target = tmp_path / "plot.png"
    target.write_text("old")

    def broken(path):
        path.write_text("half")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        write_with_atomic(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
