"""compare.py with colgen_roster.DIVE_FIX set from the environment."""
import os, runpy, sys
import optikit_rostering.colgen_roster as colgen_roster
colgen_roster.DIVE_FIX = float(os.environ["DIVE_FIX"])
sys.argv = ["compare.py", *sys.argv[1:]]
runpy.run_path("benchmarks/rostering/compare.py", run_name="__main__")
