"""compare.py with colgen_roster.MILP_GAP = 0 (the restricted master MILP skipped under exact
pricing); how i12_no_milp.txt was run (from the worktree, compare.py's arguments after)."""

import runpy
import sys

import optikit_rostering.colgen_roster as colgen_roster

colgen_roster.MILP_GAP = 0.0
sys.argv = ["compare.py", *sys.argv[1:]]
runpy.run_path("benchmarks/rostering/compare.py", run_name="__main__")
