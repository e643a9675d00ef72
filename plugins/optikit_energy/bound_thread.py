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
        fine_model = self._fine_model()
        coarse = None
        if fine_model is not None and self._is_lp(fine_model):
            coarse = coarse_lp(run, self._budget(), self.cancel)
        if coarse is not None:
            self.found, self.label = coarse, COARSE_LABEL
            take_bucket_bound(run, coarse, label=COARSE_LABEL)
        fine = None if fine_model is None else bucket_bound(
            run, self._budget(), threads=1, stop=self.cancel, relaxation=self.relaxation,
            built=fine_model)
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

    def _budget(self) -> float:
        remaining = self.run_.ctx.remaining()
        return 600.0 if remaining is None else max(0.0, remaining - 0.5)

    def _fine_model(self) -> Any:
        """The finer relaxation's model, built once (it is read for its size, then
        solved: 0.55 s to build on 1,200 operations); None if it cannot be built."""
        from optikit_energy import bucket_bound as bb

        try:
            return bb.build(self.run_.problem, relaxation=self.relaxation)
        except Exception as exc:  # a bound is optional: never lose the schedule over it
            self.run_.stats["bucket_bound_error"] = str(exc)
            return None

    def _is_lp(self, fine_model: Any) -> bool:
        """True when ``lower_bound`` solves the finer relaxation as an LP (a model above
        its MILP size): only there does the coarse LP come first."""
        from optikit_energy import bucket_bound as bb

        return bool(self.relaxation == bb.PREEMPTIVE
                    and fine_model.model.num_cols > bb.MILP_COLUMNS)


def coarse_lp(run: Run, budget_s: float, stop: threading.Event) -> Any:
    """The bucket LP on the tariff periods alone (None if none within ``budget_s``)."""
    return bucket_bound(run, budget_s, threads=1, stop=stop, integer=False,
                        bucket_len=run.problem.horizon)


def bucket_bound(run: Run, budget_s: float, threads: int | None = None,
                 stop: threading.Event | None = None, relaxation: str = "preemptive",
                 integer: bool | None = None, bucket_len: int | None = None,
                 built: Any = None) -> Any:
    """The time-bucket relaxation's bound within ``budget_s`` (None if none)."""
    from optikit_energy import bucket_bound as bb

    try:
        return bb.lower_bound(run.problem, run.ctx, budget_s, threads=threads, stop=stop,
                              relaxation=relaxation, integer=integer, bucket_len=bucket_len,
                              built=built)
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
    raise_bound(run, found.value, label or found.method)


def raise_bound(run: Run, value: float, source: str) -> None:
    """``run.bound`` up to ``value`` if that is higher, named ``source`` in the stats and
    reported as progress."""
    if run.bound is None or value > run.bound:
        run.bound = value
        run.stats["bound_source"] = source
        run.ctx.report(None, value, source=source)
