"""compare.py with colgen_roster.DIVE_LAZY from the environment (1: lazy dives);
how i8_lazy.txt was run (from the worktree: DIVE_LAZY=1 python .../lazy_wrapper.py
<compare.py arguments>)."""

import os
import runpy
import sys

import optikit_rostering.colgen_roster as colgen_roster

colgen_roster.DIVE_LAZY = os.environ["DIVE_LAZY"] == "1"
sys.argv = ["compare.py", *sys.argv[1:]]
runpy.run_path("benchmarks/rostering/compare.py", run_name="__main__")
