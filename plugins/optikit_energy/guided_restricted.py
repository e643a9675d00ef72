"""The finer bucket LP restricted to the tariff-period LP's support: a guide, not a bound.

Why: on 500-1,200 operations the finer bucket LP (:mod:`optikit_energy.bucket_bound`,
50,531 columns on a generated 504-operation instance) takes 16.5 s on an idle core and
28-51 s beside the LNS on a loaded machine, so the guided search that starts from its
point (:mod:`optikit_energy.guided`) never ran within the minute; the tariff-period LP
is solved in 1-5 s but its windows are whole tariff periods, too wide to guide CP-SAT.
Here the finer LP keeps only the modes the tariff-period point uses and, for each
operation, the finer buckets inside its tariff-period window widened by ``slack``
periods (the other columns fixed at zero; HiGHS' presolve removes them).  The tariff
point spread evenly over the finer buckets of each period is feasible for it, so it
always has a point; being a restriction, its value is not a bound and is never
published as one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from optikit_energy.bucket_bound import BucketModel, bucket_edges
from optikit_energy.guided import RelaxedPlan
from optikit_energy.model import EnergyProblem

# Tariff periods added on each side of an operation's window in the tariff point.
SLACK_PERIODS = 1


@dataclass
class Restricted:
    model: BucketModel  # the finer model with the closed columns' upper bounds at zero
    open_cols: int  # its x and y columns left open


def restrict(problem: EnergyProblem, fine: BucketModel, coarse: RelaxedPlan,
             slack: int = SLACK_PERIODS) -> Restricted:
    """``fine`` with only the modes ``coarse`` uses, and their units only in the finer
    buckets within ``coarse``'s windows widened by ``slack`` tariff periods."""
    edges = bucket_edges(problem, problem.horizon)
    upper = fine.model.col_upper.copy()
    opened = 0
    for i, (g, k) in enumerate(fine.modes):
        used = coarse.used.get(g)
        window = coarse.windows.get(g)
        cols = fine.mode_cols[i]
        if (used is not None and k not in used) or window is None:
            upper[fine.x0 + i] = 0.0
            upper[cols] = 0.0
            continue
        a = int(np.searchsorted(edges, window[0], side="right")) - 1 - slack
        b = int(np.searchsorted(edges, window[1], side="left")) + slack
        lo, hi = edges[max(0, a)], edges[min(edges.size - 1, b)]
        buckets = fine.mode_buckets[i]
        outside = (fine.ends[buckets] <= lo) | (fine.starts[buckets] >= hi)
        upper[cols[outside]] = 0.0
        opened += 1 + int((~outside).sum())
    model = dataclasses.replace(fine.model, col_upper=upper)
    return Restricted(dataclasses.replace(fine, model=model), opened)
