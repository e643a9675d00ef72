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
point CP-SAT found no schedule in 8 s on the 500 operations, measured).  Above
``RESTRICT_COLUMNS`` the finer LP is not waited for: its restriction to the coarse
point's support (:mod:`optikit_energy.guided_restricted`, 4 s against 71 s on the 500
operations at load 5) guides instead, and the bound stays the coarse one.

Where the finer relaxation is a MILP (the generated medium instances), its MILP on the
tariff periods alone comes first too: it bounds about as well (medium-2 205.21 against
205.23, medium-3 216.50 against 216.53, medium-1 175.68 against 175.92) in a fraction of
the time (0.8-5.6 s against 7.6-28.5 s, one HiGHS thread at load 6; the finer one took
14-58 s beside the LNS on a loaded machine, leaving the guided search 9 s or nothing),
and its point guides CP-SAT as well (12 s from each: medium-2 218.36 against 218.67,
medium-3 235.92 against 235.88).  Proven, it guides at once, and the finer MILP runs
after the guided search for its bound (with ``FINE_AFTER_MIN_S`` left).  Not proven, the
finer MILP gets at most ``FINE_MILP_SHARE`` of the time left and its point guides when
proven, else the coarse one's (a stopped incumbent can be far off: medium-2's after 4 s,
a 429 point, guided to 297).
"""

from __future__ import annotations

import threading
from typing import Any

from optikit_energy.run import Run

# How the bound is named when it comes from the tariff periods' LP, or MILP.
COARSE_LABEL = "bucket-lp (tariff periods)"
COARSE_MILP_LABEL = "bucket-milp (tariff periods)"
# Where the finer relaxation is a MILP: at most this share of the time left for the tariff
# periods' MILP, then (when that is not proven) as much for the finer one, so that the
# guided search always gets time from a point; and the finer MILP after the guided
# search only with this much time left.
COARSE_MILP_SHARE = 0.4
FINE_MILP_SHARE = 0.4
FINE_AFTER_MIN_S = 10.0
# From this many columns of the finer LP, the restricted finer LP guides instead of it
# (generated 504 operations: 50,531 columns; the LP 71 s at load 5, restricted 4 s).
RESTRICT_COLUMNS = 20_000
# The restricted LP's share of the time left (it has a point within seconds).
RESTRICT_SHARE = 0.4


class BucketBoundThread(threading.Thread):
    """The bucket relaxation on HiGHS while the LNS searches with one worker fewer; then,
    from its point, the guided search (:mod:`optikit_energy.guided`).  It ends by the
    run's deadline."""

    def __init__(self, run: Run, relaxation: str) -> None:
        super().__init__(name="energy-bucket-bound", daemon=True)
        self.run_ = run
        self.relaxation = relaxation
        self.found: Any = None
        self.label: str | None = None  # a COARSE_* label when ``found`` is the coarse one
        self.cancel = threading.Event()  # set on Ctrl-C or when the solve ends early
        self.start()

    def run(self) -> None:
        fine_model = self._fine_model()
        if fine_model is None:
            return
        if self._coarse_milp_first(fine_model):
            self._milp_path(fine_model)
            return
        coarse = None
        if self._is_lp(fine_model):
            coarse = coarse_bound(self.run_, self._budget(), self.cancel)
        if coarse is not None:
            self._keep(coarse, COARSE_LABEL)
        # On big instances the finer LP restricted to the coarse point's support guides
        # (not a bound: the coarse LP stays the run's).
        if coarse is not None and fine_model.model.num_cols > RESTRICT_COLUMNS:
            plan = self._restricted(fine_model, coarse.plan)
            if plan is not None:
                self._guide(plan, "finer, restricted")
                return
        fine = self._fine(fine_model, self._budget())
        if fine is not None:
            self.found, self.label = fine, None  # (its record, even when a bit lower)
        # Only the finer point guides (the coarse LP's windows are whole tariff periods).
        self._guide(None if fine is None else fine.plan, "finer")
        # Not followed by the bucket MILP: its dual bound passes the LP's (large-1: 650.7
        # -> 658.7 in 60 s), but the LNS then keeps one worker fewer all run and ends
        # far worse (797 against 747-772 at 60 s, measured side by side).

    def _milp_path(self, fine_model: Any) -> None:
        """The tariff periods' MILP first; its point guides when it is proven (else the
        finer MILP's, within ``FINE_MILP_SHARE`` of the time left); the finer MILP for its
        bound in the time the guided search leaves."""
        coarse = coarse_bound(self.run_, COARSE_MILP_SHARE * self._budget(), self.cancel,
                              integer=True)
        if coarse is not None:
            self._keep(coarse, COARSE_MILP_LABEL)
        fine = None
        if coarse is not None and coarse.status == "optimal" and _complete(
                self.run_, coarse.plan):
            self._guide(coarse.plan, "tariff periods")
        else:
            fine = self._fine(fine_model, FINE_MILP_SHARE * self._budget())
            proven = fine is not None and fine.status == "optimal"
            if proven or coarse is None or not _complete(self.run_, coarse.plan):
                self._guide(None if fine is None else fine.plan, "finer")
            else:
                self._guide(coarse.plan, "tariff periods")
        remaining = self.run_.ctx.remaining()
        if fine is None and not self.cancel.is_set() and (
                remaining is None or remaining >= FINE_AFTER_MIN_S):
            self._fine(fine_model, self._budget())

    def _restricted(self, fine_model: Any, coarse_plan: Any) -> Any:
        """The point of the finer LP restricted to ``coarse_plan``'s support
        (:mod:`optikit_energy.guided_restricted`; its value is no bound), or None."""
        from optikit_energy import guided_restricted

        if coarse_plan is None or self.cancel.is_set():
            return None
        try:
            restricted = guided_restricted.restrict(self.run_.problem, fine_model, coarse_plan)
        except Exception as exc:  # optional: the full finer LP then, as before
            self.run_.stats["restricted_error"] = str(exc)
            return None
        found = bucket_bound(self.run_, RESTRICT_SHARE * self._budget(), threads=1,
                             stop=self.cancel, relaxation=self.relaxation,
                             built=restricted.model)
        self.run_.stats["restricted_lp"] = None if found is None else {
            "value": round(found.value, 4), "seconds": found.seconds,
            "open_columns": restricted.open_cols, "status": found.status}
        return None if found is None else found.plan

    def _fine(self, fine_model: Any, budget_s: float) -> Any:
        """The finer relaxation within ``budget_s``; kept as the thread's bound when it
        is the higher one."""
        fine = bucket_bound(self.run_, budget_s, threads=1, stop=self.cancel,
                            relaxation=self.relaxation, built=fine_model)
        if fine is not None and (self.found is None or fine.value >= self.found.value):
            self.found, self.label = fine, None
        return fine

    def _keep(self, found: Any, label: str) -> None:
        """A coarse bound: the thread's, and the run's at once."""
        self.found, self.label = found, label
        take_bucket_bound(self.run_, found, label=label)

    def _guide(self, plan: Any, source: str) -> None:
        """The guided search from ``plan`` (if any); ``stats.guided_plan`` says whose."""
        self.run_.stats["guided_plan"] = None if plan is None else source
        if plan is not None and not self.cancel.is_set():
            from optikit_energy import guided

            guided.for_run(self.run_, plan, self.cancel)

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


    def _coarse_milp_first(self, fine_model: Any) -> bool:
        """True when the finer relaxation is a MILP on more buckets than the tariff
        periods: then the MILP on the tariff periods comes first (module docstring)."""
        from optikit_energy import bucket_bound as bb

        if self.relaxation != bb.PREEMPTIVE or fine_model.model.num_cols > bb.MILP_COLUMNS:
            return False
        coarse = bb.bucket_edges(self.run_.problem, self.run_.problem.horizon).size - 1
        return bool(fine_model.starts.size > coarse)


def _complete(run: Run, plan: Any) -> bool:
    """A plan that picks a mode for every operation (a MILP point)."""
    return plan is not None and len(plan.modes) == len(run.problem.ops)


def coarse_bound(run: Run, budget_s: float, stop: threading.Event,
                 integer: bool = False) -> Any:
    """The bucket LP (or MILP) on the tariff periods alone (None if none within
    ``budget_s``)."""
    return bucket_bound(run, budget_s, threads=1, stop=stop, integer=integer,
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
