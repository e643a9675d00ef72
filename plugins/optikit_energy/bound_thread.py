"""The bucket-relaxation bound of an interval run, in a thread beside the LNS.

Why a thread: HiGHS releases the GIL, and on a loaded machine the relaxation's LP can
take tens of seconds, which a sequential budget would not give it.

Why the tariff periods first: on big instances the LP on the finer buckets takes the
time (generated 500 operations: 16.5 s idle, 28-51 s beside the LNS; 1,200 operations:
not done in 60 s, so those runs had no bound at all), while the same relaxation cut only
at the tariff boundaries is solved in a fifteenth of that (1.1 s and 4.6 s idle) and
bounds almost as well (1,244.26 against 1,244.36 on the 500 operations; every bucket
partition gives a relaxation).  So the thread publishes that bound at once, then solves
the finer LP as before: only the finer point guides the schedule search (from the coarse
point CP-SAT found no schedule in 8 s on the 500 operations, measured).
"""

from __future__ import annotations

import threading
from typing import Any

from optikit_energy.run import Run

# How the bound is named when it comes from the tariff periods' LP.
COARSE_LABEL = "bucket-lp (tariff periods)"


class BucketBoundThread(threading.Thread):
    """The bucket relaxation on HiGHS while the LNS searches with one worker fewer; then,
    from its point, the guided search (:mod:`optikit_energy.guided`).  It ends by the
    run's deadline."""

    def __init__(self, run: Run, relaxation: str) -> None:
        super().__init__(name="energy-bucket-bound", daemon=True)
        self.run_ = run
        self.relaxation = relaxation
        self.found: Any = None
        self.label: str | None = None  # COARSE_LABEL when ``found`` is the coarse LP's
        self.cancel = threading.Event()  # set on Ctrl-C or when the solve ends early
        self.start()

    def run(self) -> None:
        run = self.run_
        remaining = run.ctx.remaining()
        budget = 600.0 if remaining is None else max(0.0, remaining - 0.5)
        coarse = coarse_lp(run, budget, self.cancel) if self._fine_is_lp() else None
        if coarse is not None:
            self.found, self.label = coarse, COARSE_LABEL
            take_bucket_bound(run, coarse, label=COARSE_LABEL)
        remaining = run.ctx.remaining()
        budget = 600.0 if remaining is None else max(0.0, remaining - 0.5)
        fine = bucket_bound(run, budget, threads=1, stop=self.cancel,
                            relaxation=self.relaxation)
        if fine is not None or coarse is None:
            self.found, self.label = fine, None
        # Only the finer point guides (the coarse one's windows are whole tariff periods).
        plan = None if self.found is None or self.label else self.found.plan
        if plan is not None and not self.cancel.is_set():
            from optikit_energy import guided

            guided.for_run(run, plan, self.cancel)
        # Not followed by the bucket MILP: its dual bound passes the LP's (large-1: 650.7
        # -> 658.7 in 60 s), but the LNS then keeps one worker fewer all run and ends
        # far worse (797 against 747-772 at 60 s, measured side by side).

    def _fine_is_lp(self) -> bool:
        """True when ``lower_bound`` would solve the finer relaxation as an LP (a model
        above its MILP size): only there does the coarse LP come first."""
        from optikit_energy import bucket_bound as bb

        if self.relaxation != bb.PREEMPTIVE:
            return False
        try:
            columns = bb.build(self.run_.problem, integer=False).model.num_cols
        except Exception as exc:  # a bound is optional: never lose the schedule over it
            self.run_.stats["bucket_bound_error"] = str(exc)
            return False
        return bool(columns > bb.MILP_COLUMNS)


def coarse_lp(run: Run, budget_s: float, stop: threading.Event) -> Any:
    """The bucket LP on the tariff periods alone (None if none within ``budget_s``)."""
    return bucket_bound(run, budget_s, threads=1, stop=stop, integer=False,
                        bucket_len=run.problem.horizon)


def bucket_bound(run: Run, budget_s: float, threads: int | None = None,
                 stop: threading.Event | None = None, relaxation: str = "preemptive",
                 integer: bool | None = None, bucket_len: int | None = None) -> Any:
    """The time-bucket relaxation's bound within ``budget_s`` (None if none)."""
    from optikit_energy import bucket_bound as bb

    try:
        return bb.lower_bound(run.problem, run.ctx, budget_s, threads=threads, stop=stop,
                              relaxation=relaxation, integer=integer, bucket_len=bucket_len)
    except Exception as exc:  # a bound is optional: never lose the schedule over it
        run.stats["bucket_bound_error"] = str(exc)
        return None


def take_bucket_bound(run: Run, found: Any, label: str | None = None) -> None:
    """Raise ``run.bound`` with a bucket bound, and say which bound the figure is."""
    if found is None:
        run.stats["bucket_bound"] = None
        return
    run.stats["bucket_bound"] = {"method": label or found.method, "value": found.value,
                                 "status": found.status, "buckets": found.buckets,
                                 "seconds": found.seconds, "relaxation": found.relaxation}
    if run.bound is None or found.value > run.bound:
        run.bound = found.value
        run.stats["bound_source"] = label or found.method
        run.ctx.report(None, found.value, source=label or found.method)
