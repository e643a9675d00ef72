"""The conformance suite itself: it passes an honest plugin and fails each flawed one on
exactly the tests that are about that flaw.

The suite is run in a separate pytest process (as a plugin author runs it) on a test
module holding one conformance class per flawed variant of a small plugin; the outcome
of every test is read from the JUnit XML report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parents[1]

VARIANTS = {
    "Honest": ("honest", True),
    "LenientChecker": ("lenient-checker", True),
    "UnseededGenerator": ("unseeded-generator", True),
    "Nondeterministic": ("nondeterministic", True),
    "IgnoresTimeLimit": ("ignores-time-limit", True),
    "BoundOnWrongSide": ("bound-on-wrong-side", True),
    "Undescribed": ("undescribed", True),
    "NoCorruptions": ("honest", False),
}

# The tests each flaw must fail (and no others).
EXPECTED_FAILURES = {
    "Honest": set(),
    "LenientChecker": {"test_checker_rejects_corrupted_solutions",
                       "test_checker_agrees_with_solver[mini-brute]"},
    "UnseededGenerator": {"test_generator_is_seeded_and_valid"},
    "Nondeterministic": {"test_seeded_single_thread_run_is_reproducible[mini-brute]"},
    "IgnoresTimeLimit": {"test_time_limit_is_respected[mini-brute]"},
    "BoundOnWrongSide": {"test_tiny_instance_solves[mini-brute]",
                         "test_time_limit_is_respected[mini-brute]"},
    "Undescribed": {"test_type_is_described"},
    "NoCorruptions": {"test_type_specific_corruptions_are_provided"},
}

# Tests skipped on purpose: the type has no samples (allowed here); a run that does not
# prove optimality cannot be expected to be reproducible.
EXPECTED_SKIPS = {
    "BoundOnWrongSide": {"test_samples_validate",
                         "test_seeded_single_thread_run_is_reproducible[mini-brute]"},
}

HEADER = '''
from optikit.testing import ProblemTypeConformance
from flawed_plugin import make_plugin


class _Base(ProblemTypeConformance):
    problem_type = "mini-knapsack"
    entry_points = False
    require_samples = False
    limit_time = 0.2
    time_limit_slack = 1.5

    def corruptions(self, problem, payload):
        if sum(i["weight"] for i in problem["items"]) > problem["capacity"]:
            yield "every item", {"picked": [i["id"] for i in problem["items"]]}
        yield "an unknown item", {"picked": [*payload["picked"], "nope"]}
'''


def _module_text() -> str:
    parts = [HEADER]
    for name, (flaw, corruptions) in VARIANTS.items():
        base = "_Base" if corruptions else "ProblemTypeConformance"
        extra = "" if corruptions else (
            "    problem_type = 'mini-knapsack'\n    entry_points = False\n"
            "    require_samples = False\n")
        parts.append(f"\n\nclass Test{name}({base}):\n{extra}"
                     f"    plugins = [('mini', make_plugin({flaw!r}))]\n")
    return "".join(parts)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    work = tmp_path_factory.mktemp("conformance-run")
    (work / "flawed_plugin.py").write_text((HERE / "flawed_plugin.py").read_text())
    (work / "test_variants.py").write_text(_module_text())
    report = work / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTIKIT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(work), str(REPO)])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(work / "test_variants.py"), "-q",
         "-p", "no:cacheprovider", "--rootdir", str(work), f"--junitxml={report}"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )
    assert report.exists(), run.stdout + run.stderr
    results: dict[str, dict[str, str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        cls = case.get("classname", "").rsplit(".", 1)[-1].removeprefix("Test")
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        results.setdefault(cls, {})[case.get("name", "")] = outcome
    return results


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_flaw_fails_exactly_its_tests(outcomes: dict[str, dict[str, str]],
                                           variant: str) -> None:
    results = outcomes[variant]
    assert len(results) >= 14, f"too few conformance tests ran: {sorted(results)}"
    failed = {name for name, outcome in results.items() if outcome == "failed"}
    assert failed == EXPECTED_FAILURES[variant]
    skipped = {name for name, outcome in results.items() if outcome == "skipped"}
    assert skipped == EXPECTED_SKIPS.get(variant, {"test_samples_validate"})
