"""Same file, same seed, one thread: the same solution document, apart from timings.

Each type's small instance is solved twice by the installed ``optikit`` script with
``--threads 1 --seed 7 --json``, in two processes with different ``PYTHONHASHSEED``s, so
an answer that depends on set or dict-of-set iteration order (which changes between
processes) shows up here, not only run-to-run randomness.  Instances are small enough to
be solved to a proven status: a run cut by a wall-clock limit stops wherever the clock
says and is not expected to repeat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import load_registry

OPTIKIT = shutil.which("optikit", path=str(Path(sys.executable).parent)) or "optikit"
ROOT = Path(__file__).resolve().parents[2]
REGISTRY = load_registry()
TYPES = sorted(n for n, t in REGISTRY.problem_types.items() if t.generate is not None)
PROVEN = ("optimal", "infeasible")


def is_timing(key: str) -> bool:
    """Wall-clock figures (``time_s``, ``wall_time``, ``solve_time_s``, ...) and the work
    counters the testing kit knows to depend on the clock; CP-SAT's ``deterministic_time``
    counts work, not seconds, and must repeat."""
    from optikit.testing.determinism import CLOCK_DEPENDENT_SUFFIXES

    return (
        ("time" in key and not key.startswith("deterministic"))
        or key.endswith("_s")
        or key.endswith(CLOCK_DEPENDENT_SUFFIXES)
    )


def without_timings(node: Any, inside_stats: bool = False) -> Any:
    if isinstance(node, dict):
        return {
            k: without_timings(v, inside_stats or k == "stats")
            for k, v in node.items()
            if not (k == "time_s" or (inside_stats and is_timing(k)))
        }
    if isinstance(node, list):
        return [without_timings(v, inside_stats) for v in node]
    return node


def solve_twice(path: Path, *extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
    documents = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run(
            [OPTIKIT, "solve", str(path), "--threads", "1", "--seed", "7", "--json",
             "--time-limit", "30", *extra],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert proc.returncode in (0, 3), proc.stderr
        assert "Traceback" not in proc.stderr
        documents.append(json.loads(proc.stdout))
    return documents[0], documents[1]


def assert_same(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert first["status"] in PROVEN, "a limit-cut run cannot be compared"
    a, b = without_timings(first), without_timings(second)
    if a != b:  # name the first differing key, not two pages of JSON
        for key in sorted(set(a) | set(b)):
            assert a.get(key) == b.get(key), f"documents differ at {key!r}"
    assert a == b


@pytest.mark.parametrize("type_name", TYPES)
def test_generated_instance_repeats_exactly(type_name: str, tmp_path: Path) -> None:
    ptype = REGISTRY.problem_types[type_name]
    assert ptype.generate is not None
    path = tmp_path / f"{type_name}.json"
    path.write_text(json.dumps(ptype.generate(3, "tiny")))
    assert_same(*solve_twice(path))


@pytest.mark.slow
def test_blend_milp_and_its_diagnosis_repeat_exactly(tmp_path: Path) -> None:
    """A MILP (lots, counts) and an infeasible blend, whose diagnosis runs a dozen solves."""
    if "blend" not in REGISTRY.problem_types:
        pytest.skip("blend is not registered")
    milp = tmp_path / "blend-milp.json"
    generate = REGISTRY.problem_types["blend"].generate
    assert generate is not None
    milp.write_text(json.dumps(generate(3, "small-milp")))
    assert_same(*solve_twice(milp))
    sample = ROOT / "problems" / "blend" / "sinter_feed_raw_basis_infeasible.yaml"
    first, second = solve_twice(sample)
    assert first["analysis"]["diagnosis"]["conflicts"]
    assert_same(first, second)
    assert_same(*solve_twice(sample, "--solver", "cbc"))


def test_timing_keys_are_told_apart() -> None:
    document = {"time_s": 1.0, "objective": 2.0, "options": {"time_limit": 5},
                "stats": {"solve_time_s": 0.1, "wall_time": 0.2, "deterministic_time": 0.3,
                          "nodes": 4, "inner": {"user_time": 0.5, "iterations": 6}}}
    assert without_timings(document) == {
        "objective": 2.0, "options": {"time_limit": 5},
        "stats": {"deterministic_time": 0.3, "nodes": 4, "inner": {"iterations": 6}},
    }
