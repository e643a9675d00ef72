"""compare.py with colgen_roster.DIVE_FIX from the environment; how i8_divefix015.txt was run
(from the worktree: DIVE_FIX=0.15 python .../divefix_wrapper.py <compare.py arguments>)."""

import os
import runpy
import sys

import optikit_rostering.colgen_roster as colgen_roster

colgen_roster.DIVE_FIX = float(os.environ["DIVE_FIX"])
sys.argv = ["compare.py", *sys.argv[1:]]
runpy.run_path("benchmarks/rostering/compare.py", run_name="__main__")
