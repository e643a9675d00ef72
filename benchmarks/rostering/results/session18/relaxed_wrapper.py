"""compare.py with colgen_roster.RELAXED_AT from the environment (-1: every attempt a dive);
how i9_i8_relaxed.txt was run (from the worktree: RELAXED_AT=2 python .../relaxed_wrapper.py
<compare.py arguments>)."""

import os
import runpy
import sys

import optikit_rostering.colgen_roster as colgen_roster

colgen_roster.RELAXED_AT = int(os.environ["RELAXED_AT"])
sys.argv = ["compare.py", *sys.argv[1:]]
runpy.run_path("benchmarks/rostering/compare.py", run_name="__main__")
