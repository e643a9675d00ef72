"""Where the MILP time of the small lot-sizing instances goes, and what changes it.

    .venv/bin/python benchmarks/lot-sizing/milp_profile.py                  # every variant
    .venv/bin/python benchmarks/lot-sizing/milp_profile.py --instances F1 --seeds 5 \\
        --variants bigm root-only setup-counts

Each variant is the plain ``bigm`` model (the baseline's MILP, and ``fl``'s on G73 and
the medium instances) with one change: extra valid rows, extra integer columns, a MIP
start, or HiGHS options.  Each is solved by the ``highs`` backend with every HiGHS random
seed in ``--seeds`` (HiGHS's node count on F1 swings 2x between seeds, so one run says
little), and the line gives the status, the objective, the dual bound, the nodes, the wall
time and the CPU time of this process (both HiGHS threads; less sensitive than wall time
to the other sessions on a shared machine).  Every plan is priced by the independent
checker, and a variant whose plan fails it or disagrees with the solver's objective is
reported as such.  ``guided`` is what ``fl`` runs on small models; the others are the
measurements behind the lot-sizing README's section on issue 16 (tried, not kept).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(Path(__file__).resolve().parent)]

from compare import _document  # noqa: E402
from optikit_highs.backend import HighsBackend  # noqa: E402
from optikit_lotsizing import cuts, heuristic, proof, windows  # noqa: E402
from optikit_lotsizing.checker import check  # noqa: E402
from optikit_lotsizing.formulation import payload, plan  # noqa: E402
from optikit_lotsizing.linear import LotModel, build  # noqa: E402
from optikit_lotsizing.model import LotSizingProblem  # noqa: E402

from optikit.paradigms import INF, LinearModel, LinearResult  # noqa: E402
from optikit.plugins import get_registry  # noqa: E402
from optikit.problem_io import load_document  # noqa: E402
from optikit.types import SolveContext, SolveOptions  # noqa: E402

DEFAULT_INSTANCES = ["F1", "small-1", "small-2", "small-3"]
#: Longest interval (periods) of the surrogate capacity rows.
SURROGATE_SPAN = 4
NO_SUB_MIPS = {"highs.mip_heuristic_run_rins": "false", "highs.mip_heuristic_run_rens": "false"}


@dataclasses.dataclass
class Case:
    """One instance: its problem, the plain model and what the variants derive from it."""

    name: str
    problem: LotSizingProblem
    lm: LotModel
    limit: float
    threads: int
    optimum: LinearResult | None = None

    def context(self, seed: int, extra: dict[str, Any] | None = None) -> SolveContext:
        options = {"highs.random_seed": seed, **(extra or {})}
        return SolveContext(SolveOptions(time_limit=self.limit, threads=self.threads,
                                         extra=options))

    def best_plan(self) -> LinearResult:
        """The plain MILP's answer (seed 0), the MIP start of the ``hint-*`` variants."""
        if self.optimum is None:
            self.optimum = HighsBackend().solve(self.lm.model, self.context(0))
        return self.optimum


Variant = Callable[[Case], tuple[LinearModel, dict[str, Any]]]


def plain(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    return case.lm.model, {}


def root_only(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    return case.lm.model, {"highs.mip_max_nodes": 1}


def rounded_start(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """``fl``'s start on small models: two cut rounds, the LP rounded (the plan as hint)."""
    lm = build(case.problem, strong=False)
    ctx = case.context(0)
    lp = cuts.strengthen(case.problem, lm, HighsBackend(), ctx, share=1.0,
                         max_rounds=heuristic.FL_ROUNDS).lp
    lm.model = case.lm.model
    start = None if lp is None else heuristic.round_lp(lm.model, lm, lp, HighsBackend(), ctx,
                                                       None)
    return windows.hinted(case.lm.model, start), {}


def optimum_start(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    return windows.hinted(case.lm.model, case.best_plan()), {}


def optimum_start_no_sub_mips(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    return windows.hinted(case.lm.model, case.best_plan()), dict(NO_SUB_MIPS)


def ls_pool(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """The (l,S) cut loop run to the end, its dual-priced cuts kept as rows."""
    lm = build(case.problem, strong=False)
    cuts.strengthen(case.problem, lm, HighsBackend(), case.context(0), share=1.0)
    return lm.model, {}


def surrogate_rows(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """Per resource and interval ``[k, l]`` of at most ``SURROGATE_SPAN`` periods: setup
    time in the interval minus the time to make the stock entering it is at most the
    interval's capacity (with overtime) less the time to make its external demand (items
    made without lead time, never bought nor backlogged; others are left out)."""
    problem, lm = case.problem, case.lm
    demand = np.concatenate([np.zeros((problem.num_items, 1)),
                             np.cumsum(problem.demand, axis=1)], axis=1)
    rows: list[cuts.Cut] = []
    for r in range(problem.num_resources):
        users = [i for i in np.flatnonzero(problem.uses[:, r])
                 if problem.lead[i] == 0 and not problem.backlog[i]
                 and not problem.purchased[i]]
        for k in range(problem.periods):
            for last in range(k, min(problem.periods, k + SURROGATE_SPAN)):
                cols: list[int] = []
                vals: list[float] = []
                room = float(problem.capacity[r, k:last + 1].sum())
                for i in users:
                    a, st = problem.time_per_unit[i, r], problem.setup_time[i, r]
                    made = lm.y[i, k:last + 1]
                    cols += made[made >= 0].tolist()
                    vals += [-st] * int((made >= 0).sum())
                    need = demand[i, last + 1] - demand[i, k]
                    if k == 0:
                        room -= a * max(0.0, need - problem.initial[i])
                    else:
                        room -= a * need
                        cols.append(int(lm.stock[i, k - 1]))
                        vals.append(a)
                extra = lm.overtime[r, k:last + 1]
                cols += extra[extra >= 0].tolist()
                vals += [1.0] * int((extra >= 0).sum())
                rows.append((np.array(cols, dtype=np.int64), np.array(vals), -room))
    return cuts.with_cuts(lm.model, rows), {}


def setup_counts(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """An integer column per period equal to its number of setups (something HiGHS can
    branch on)."""
    lm = build(case.problem, strong=False)
    builder = lm.builder
    for t in range(case.problem.periods):
        ys = lm.y[:, t][lm.y[:, t] >= 0]
        if ys.size < 2:
            continue
        count = builder.add_columns(1, upper=float(ys.size), integer=True)
        builder.add_rows_coo(1, np.zeros(ys.size + 1, dtype=np.int64),
                             np.concatenate([ys, count]),
                             np.concatenate([np.ones(ys.size), [-1.0]]), 0.0, 0.0)
    model = builder.build()
    # the plan is read from the plain model's columns, which keep their indices
    return model, {}


def guided(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """What ``fl`` runs on small models (:mod:`optikit_lotsizing.proof`): the setup counts,
    the LP-guided start as hint, RINS and RENS off (the start's own solve not counted)."""
    ext = build(case.problem, strong=True)
    lp = HighsBackend().solve(cuts.relaxation(ext.model), case.context(0))
    if lp.x is None:
        raise SystemExit(f"{case.name}: the facility-location LP was not solved")
    start = proof.guided_start(case.lm, lp.x[ext.y[case.lm.x >= 0]], HighsBackend(),
                               case.context(0), None)
    counted = proof.with_setup_counts(case.lm.model, case.lm)
    if start is None or start.x is None:
        return counted, {}
    return (counted.with_hint(proof.counted_point(case.lm, start.x)),
            dict(proof.HIGHS_WITH_START))


def integral_objective(case: Case) -> tuple[LinearModel, dict[str, Any]]:
    """Stop within 1 of the incumbent: a proof only where an optimal plan's cost is an
    integer (F1 and the generated small instances: integer data, one time unit per unit
    made, single level, so with the setups fixed the rest is a transportation problem);
    measured here, not used by ``fl``."""
    return case.lm.model, {"highs.mip_abs_gap": 0.99}


VARIANTS: dict[str, Variant] = {
    "bigm": plain,
    "root-only": root_only,
    "start-rounded": rounded_start,
    "start-optimum": optimum_start,
    "start-optimum-no-rins-rens": optimum_start_no_sub_mips,
    "ls-pool": ls_pool,
    "surrogate": surrogate_rows,
    "setup-counts": setup_counts,
    "integral-objective": integral_objective,
    "guided": guided,
}


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def checked(case: Case, result: LinearResult) -> str:
    """The checker's verdict on the plan, against the solver's objective."""
    if result.x is None or result.objective is None:
        return "no plan"
    report = check(case.problem, payload(case.problem, *plan(case.problem, case.lm,
                                                              result.x)))
    if not report.feasible or report.objective is None:
        return "CHECK FAILED"
    if abs(report.objective - result.objective) > 1e-6 * max(1.0, abs(report.objective)):
        return f"checker {report.objective:,.1f} != solver"
    return "checked"


def run(names: list[str], variants: list[str], seeds: int, limit: float, threads: int
        ) -> None:
    print(f"{'instance':9} {'variant':27} seed {'status':9} {'objective':>11} "
          f"{'bound':>11} {'nodes':>6} {'wall s':>7} {'cpu s':>6}")
    registry = get_registry()
    for name in names:
        problem = load_document(_document(name), registry, source=name).problem
        assert isinstance(problem, LotSizingProblem)
        case = Case(name, problem, build(problem, strong=False), limit, threads)
        for variant in variants:
            model, extra = VARIANTS[variant](case)
            for seed in range(seeds):
                began_cpu, began = cpu_s(), time.monotonic()
                result = HighsBackend().solve(model, case.context(seed, extra))
                wall, cpu = time.monotonic() - began, cpu_s() - began_cpu
                bound = result.bound if result.bound is not None else -INF
                print(f"{name:9} {variant:27} {seed:4} {result.status.value:9} "
                      f"{result.objective or float('nan'):11,.1f} {bound:11,.1f} "
                      f"{result.stats.get('mip_nodes', 0):6} {wall:7.2f} {cpu:6.2f} "
                      f"{checked(case, result)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*", default=DEFAULT_INSTANCES)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument("--seeds", type=int, default=2, help="HiGHS random seeds 0..N-1")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    run(args.instances, args.variants, args.seeds, args.limit, args.threads)


if __name__ == "__main__":
    main()
