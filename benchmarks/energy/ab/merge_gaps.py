"""The rows of ab.sh output folders' gaps.json files, one file per tree (for
compare_gaps.py).  Usage: merge_gaps.py TAG OUT.json FOLDER...   (TAG: the tree's folder name)"""
from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

tag, out, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = []
for folder in folders:
    for f in sorted(glob.glob(f"{folder}/{tag}/*/gaps.json")):
        rows += json.loads(Path(f).read_text())
Path(out).write_text(json.dumps(rows, indent=1, default=str))
print(len(rows), "rows ->", out)
