"""Search settings for objectives with weighted tardiness (the ``cpsat`` formulation).

Why a separate set: on tardiness shops with changeovers (issue #20's fresh shops) the
search behaves unlike on Brandimarte's pure-makespan instances, where the defaults
were tuned; pure makespan keeps those defaults untouched.
"""

from __future__ import annotations

from dataclasses import replace

from optikit_fjsp import lns

# Restarts of the dispatching rules within their time share (only a cap: the share,
# option ``dispatch_share``, normally ends them).
MAX_RESTARTS = 100_000
# The global CP-SAT solve gets this fraction of ``global_share``: on the fresh shops,
# 0.05 instead of 0.2 won 6 of 7 paired 60 s runs (benchmarks/fjsp/README.md), the
# time going to LNS sub-solves instead.
GLOBAL_SHARE_FACTOR = 0.25
# LNS sub-solves get this many times ``lns_sub_dtime`` ...
DTIME_FACTOR = 2.0
# ... and freeze what starts this many mean operation durations after the neighbourhood.
FREEZE_AFTER = 3.0
# ... and leave the frozen operations out of the sub-model (``optikit_fjsp.lns_window``).
COMPACT = True


def lns_settings(settings: lns.LnsSettings) -> lns.LnsSettings:
    """LNS sub-solves for tardiness objectives: a compact window, light presolve, twice the work.

    On the fresh shops of issue #20 (changeover circuits, nearly every job late):

    - a sub-solve there costs a second or more of wall time, mostly presolve and model
      loading of the whole shop, not search; freezing the operations that start more
      than ``FREEZE_AFTER`` mean durations after the neighbourhood (see
      :func:`optikit_fjsp.lns.sub_model`) shrinks the model to a window.  20 s of LNS
      from the same start: 8,806 -> 6,995 (607 operations), 9,236 -> 8,452 (304),
      32,598 -> 32,370 (1,198); a margin of 10 did worse than 3, 0 about the same;
    - CP-SAT's probing used up the whole deterministic-time budget of 11 of 30
      sub-solves on the 304-operation shop, which then returned no schedule, not even
      the hint; without probing and the LP none did, and with twice the budget 30
      iterations reached 8,943 where the default settings reached 9,721;
    - the frozen operations are then left out of the sub-model (``COMPACT``, see
      :mod:`optikit_fjsp.lns_window`): 4-5x fewer variables, a third less wall time per
      sub-solve (what remains is mostly the deterministic-time-limited search itself).
      20 s of LNS from one start, load 7-8.6: 9,614 -> 9,016 and 9,312 -> 8,712
      (304 operations), 7,750 -> 7,599, 8,457 -> 7,840 and 7,944 -> 7,215 (607, the
      last with two parallel sub-solves), one loss 7,320 -> 7,652 (607); 1.3-1.8x the
      iterations.

    Pure makespan keeps the settings tuned on Brandimarte.
    """
    dtime = settings.sub_dtime
    return replace(
        settings,
        large_model=0,
        sub_dtime=None if dtime is None else DTIME_FACTOR * dtime,
        freeze_after=FREEZE_AFTER,
        compact=COMPACT,
    )
