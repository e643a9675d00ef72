"""The formulations' own evaluator of a sequence (class indices), with prefix sums.

Separate from the checker on purpose: the checker counts window by window from ids; this
works on index arrays and also says where the violated windows are, which the LNS uses to
pick neighbourhoods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optikit_carseq.model import CarSeqProblem


@dataclass(frozen=True)
class Evaluation:
    value: float
    feasible: bool  # the hard paint batch limit holds
    hot: tuple[int, ...]  # today's positions inside violated windows (option or batch)


def evaluate(problem: CarSeqProblem, seq: list[int]) -> Evaluation:
    p0 = len(problem.previous)
    line = np.asarray(list(problem.previous) + list(seq), dtype=np.int64)
    req = np.asarray(problem.requires, dtype=np.int64).reshape(len(problem.classes), -1)
    # +1 at the first and -1 past the last line position of every violated window: the
    # positions with a positive running sum are the hot ones (no per-window loop)
    marks = np.zeros(len(line) + 1, dtype=np.int64)
    value = 0.0
    w = problem.weights
    for j, opt in enumerate(problem.options):
        flags = req[line, j]
        csum = np.concatenate(([0], np.cumsum(flags)))
        starts = np.arange(max(0, p0 - opt.window + 1), len(line) - opt.window + 1)
        if starts.size == 0:
            continue
        over = np.maximum(0, csum[starts + opt.window] - csum[starts] - opt.max)
        value += problem.term_weight(opt) * float(over.sum())
        violated = starts[over > 0]
        np.add.at(marks, violated, 1)
        np.add.at(marks, violated + opt.window, -1)
    feasible = True
    if problem.has_paint:
        colour = np.asarray([c.colour for c in problem.classes], dtype=np.int64)[line]
        painted = np.flatnonzero(colour >= 0)
        if painted.size > 1:
            a, b = painted[:-1], painted[1:]
            changed = (colour[a] != colour[b]) & (b >= p0)
            value += w.colour * problem.change_cost * float(changed.sum())
        if problem.max_batch is not None:
            run = 0
            colours = colour.tolist()
            for i, col in enumerate(colours):
                same = i > 0 and col >= 0 and col == colours[i - 1]
                run = run + 1 if same else (1 if col >= 0 else 0)
                if run > problem.max_batch and i >= p0:
                    feasible = False
                    marks[i - run + 1] += 1
                    marks[i + 1] -= 1
    if w.level:
        n = len(seq)
        today = line[p0:]
        t = np.arange(1, n + 1)
        for k, c in enumerate(problem.classes):
            built = np.cumsum(today == k)
            value += w.level * float(np.abs(n * built - t * c.count).sum()) / n
    inside = np.flatnonzero(np.cumsum(marks[:-1]) > 0) - p0
    hot = tuple(int(i) for i in inside[inside >= 0])
    return Evaluation(value, feasible, hot)
