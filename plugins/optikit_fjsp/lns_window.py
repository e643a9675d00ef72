"""The LNS sub-model: what a neighbourhood frees, what stays, and what is left out.

Why a module of its own: on large shops the wall time of a sub-solve is mostly CP-SAT
loading and presolving the model of the whole shop, not search.  With ``compact``, the
sub-model holds only the operations that can still move plus, on each machine, the
two frozen operations that border them; every other operation is a constant (its
start and end enter the job precedences and the objective, nothing else), so a
sub-model of a 1,200-operation shop has a few dozen operations, not 1,200.

Why that splices back into a valid schedule: let ``T0`` be the earliest start of a
relaxed operation and ``T1`` the freeze-after boundary.  Operations ending by ``T0``
("before") or starting from ``T1`` ("after") keep their start; the rest keep mode and
machine order.  On each machine every "before" operation precedes every movable one,
which precedes every "after" one, so it is enough to model the last "before" and the
first "after" operation of each machine (fixed, in the no-overlap and, with
changeovers, in the setup circuit with their machine order) and to keep relaxed
operations inside ``[T0, T1]``: they cannot then reach any operation left out.  That
window is a restriction (the full model could also fill an idle gap earlier in the
schedule), the price of a small model.  Calendars need nothing more: the constants
are the operations' real starts and ends, pauses included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from optikit_fjsp import cpsat_model
from optikit_fjsp.timetable import machine_sequences

if TYPE_CHECKING:
    from optikit_fjsp.lns import LnsState


def sub_model(
    state: LnsState,
    relaxed: set[int],
    tie_break: Sequence[int] | None = None,
    freeze_before: bool = True,
    load_cuts: bool = False,
    freeze_after: int | None = None,
    compact: bool = False,
) -> cpsat_model.CpShopModel:
    """The CP-SAT model with everything outside ``relaxed`` kept in mode and order.

    With ``freeze_before``, operations that end before the earliest relaxed one starts
    also keep their start time: nothing they depend on changes, and presolve removes
    them, which matters on large shops where the sub-model is otherwise rebuilt in full.
    With ``freeze_after`` (a time margin), operations that start that long after the
    last relaxed one ends keep their start time too: a restriction (the relaxed part
    must fit before them), so the sub-model shrinks to a window of the schedule; the
    caller left-shifts the answer to pass the gain on to the frozen tail.  With
    ``compact``, the frozen operations are left out of the model (see the module).
    """
    problem = state.problem
    flat = problem.flat
    cur = state.current
    before: set[int] = set()
    after: set[int] = set()
    first = last = None
    if freeze_before and relaxed:
        first = min(cur.starts[g] for g in relaxed)
        before = {
            g for g in range(flat.num_ops) if g not in relaxed and cur.end(flat, g) <= first
        }
    if freeze_after is not None and relaxed:
        last = max(cur.end(flat, g) for g in relaxed) + freeze_after
        after = {
            g for g in range(flat.num_ops)
            if g not in relaxed and g not in before and cur.starts[g] >= last
        }
    sequences = machine_sequences(flat, cur)
    include: set[int] | None = None
    window: dict[int, tuple[int, int]] | None = None
    if compact and (before or after):
        include = set(range(flat.num_ops)) - before - after
        for seq in sequences:
            kept_before = [g for g in seq if g in before]
            kept_after = [g for g in seq if g in after]
            include.update(kept_before[-1:] + kept_after[:1])
        lo = 0 if first is None else first
        hi = state.horizon if last is None else last
        window = {g: (lo, hi) for g in relaxed}
    frozen = {g: cur.starts[g] for g in before | after if include is None or g in include}
    allowed = [
        tuple(range(len(flat.modes[g]))) if g in relaxed else (cur.modes[g],)
        for g in range(flat.num_ops)
    ]
    chains = [
        [g for g in seq if g not in relaxed and (include is None or g in include)]
        for seq in sequences
    ]
    cm = cpsat_model.build(
        problem,
        state.horizon,
        allowed=allowed,
        chains=chains,
        frozen=frozen,
        objective_upper=state.best_value,
        machine_load_cuts=load_cuts,
        tie_break=tie_break,
        include=include,
        fixed=cur,
        window=window,
    )
    cm.add_hint(problem, cur)
    return cm
