"""Benchmark statistics, following MIPLIB / Mittelmann / Dolan-Moré conventions.

- Times: wall time of the solve as reported by the run; runs that were not solved
  (including failed and wrong ones) are charged the time limit; times below
  :data:`TIME_FLOOR` count as the floor (MIPLIB's ``parse.awk`` uses 1 s), so that
  sub-second noise does not decide rankings.  Performance profiles use the much smaller
  :data:`PROFILE_FLOOR` instead: a ratio of times is meaningful well below a second, and
  flooring at 1 s made every sub-second solver look equally fast.
- Shifted geometric mean with shift 10 s: ``exp(mean(log(t + 10))) - 10``.
- Performance profiles (Dolan & Moré 2002): ratio of a solver's time to the best time
  on each problem, unsolved = infinity; rho(tau) = share of problems within tau.
- Primal gap and primal integral (Berthold 2013) against the best-known value where one
  is recorded, else the best checked objective any run found.
- Cross-check: a run that claims optimality (or a bound, or infeasibility) which
  another run's *checked* solution refutes is re-labelled ``wrong``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.bench.verdict import FAILED, FEASIBLE, NOSOLUTION, SKIPPED, SOLVED, WRONG, tolerance

SHIFT = 10.0
TIME_FLOOR = 1.0
#: Below this, times are timer and process noise; profiles count them as this much.
PROFILE_FLOOR = 0.01


def shifted_geometric_mean(values: Iterable[float], shift: float = SHIFT) -> float | None:
    vals = [max(0.0, float(v)) for v in values]
    if not vals:
        return None
    return math.exp(sum(math.log(v + shift) for v in vals) / len(vals)) - shift


def charged_time(run: Mapping[str, Any]) -> float:
    """The time a run counts for in speed aggregates."""
    limit = float(run.get("time_limit") or 0.0)
    if run.get("outcome") == SOLVED and run.get("time_s") is not None:
        return max(TIME_FLOOR, min(float(run["time_s"]), limit or float(run["time_s"])))
    return max(TIME_FLOOR, limit)


def profile_time(run: Mapping[str, Any]) -> float:
    """The time of a solved run in a performance profile: capped at the limit, floored
    at :data:`PROFILE_FLOOR` (not :data:`TIME_FLOOR`); infinity when not solved."""
    if run.get("outcome") != SOLVED or run.get("time_s") is None:
        return math.inf
    limit = float(run.get("time_limit") or 0.0)
    t = float(run["time_s"])
    return max(PROFILE_FLOOR, min(t, limit) if limit else t)


def primal_gap(value: float | None, reference: float | None, sense: str = "min") -> float:
    """Berthold's primal gap in [0, 1]; 1 without an incumbent or reference."""
    if value is None or reference is None:
        return 1.0
    better = value < reference if sense == "min" else value > reference
    if better or abs(value - reference) <= tolerance(reference):
        return 0.0
    if value * reference < 0:
        return 1.0
    return min(1.0, abs(reference - value) / max(abs(reference), abs(value)))


def instance_id(run: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(run["suite"]), str(run["instance_set"]), str(run["instance"]))


def problem_id(run: Mapping[str, Any]) -> tuple[Any, ...]:
    """One 'problem' of a performance profile: an instance under one seed and repeat."""
    return (*instance_id(run), run.get("seed"), run.get("repeat"))


def _better(a: float, b: float, sense: str) -> bool:
    return a < b if sense == "min" else a > b


@dataclass
class Analysis:
    runs: list[dict[str, Any]]
    solver_rows: list[dict[str, Any]] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


def annotate(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copy the runs and add: reference value, gap to it, best flag, cross-check verdict."""
    out = [dict(r) for r in runs]
    by_instance: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in out:
        r["ledger_outcome"] = r.get("outcome")
        by_instance[instance_id(r)].append(r)
    for group in by_instance.values():
        sense = next((str(r["sense"]) for r in group if r.get("sense")), "min")
        verified = [
            r for r in group
            if r.get("checked") == "passed" and r.get("objective") is not None
            and r.get("outcome") != WRONG
        ]
        best_found: float | None = None
        for r in verified:
            v = float(r["objective"])
            if best_found is None or _better(v, best_found, sense):
                best_found = v
        for r in group:
            _cross_check(r, best_found, sense, verified)
        known = None
        first = group[0]
        known = first.get("known_ub") if sense == "min" else first.get("known_lb")
        if known is not None:
            reference, kind = float(known), "best-known"
            if best_found is not None and _better(best_found, reference, sense):
                reference, kind = best_found, "best-found"
        elif best_found is not None:
            reference, kind = best_found, "best-found"
        else:
            reference, kind = None, None
        for r in group:
            r["best_found"] = best_found
            r["reference"] = reference
            r["reference_kind"] = kind
            raw = r.get("objective")
            obj = float(raw) if raw is not None else None
            ok = r.get("checked") == "passed" and r.get("outcome") != WRONG
            if ok and obj is not None and reference is not None:
                sign = 1.0 if sense == "min" else -1.0
                r["gap_to_reference"] = sign * (obj - reference) / max(abs(reference), 1e-9)
            else:
                r["gap_to_reference"] = None
            # Bounded in [0, 1] and 1 without a (trusted) solution, so averages over a
            # solver's runs do not flatter one that fails often.
            r["primal_gap"] = (
                None if reference is None or r.get("outcome") == SKIPPED
                else primal_gap(obj if ok else None, reference, sense)
            )
            r["is_best"] = bool(
                ok and obj is not None and best_found is not None
                and abs(obj - best_found) <= tolerance(best_found)
            )
    return out


def _cross_check(
    run: dict[str, Any], best_found: float | None, sense: str,
    verified: list[dict[str, Any]],
) -> None:
    if best_found is None or run.get("outcome") in (WRONG, SKIPPED):
        return
    sign = 1.0 if sense == "min" else -1.0
    problems = []
    status = run.get("status")
    obj, bound = run.get("objective"), run.get("bound")
    gap = float(run.get("gap_limit") or 0.0)
    if (
        status == "optimal" and obj is not None
        and sign * (float(obj) - best_found) > tolerance(best_found, gap)
    ):
        problems.append(f"claims optimal {float(obj):g}; another run's checked "
                        f"solution has {best_found:g}")
    if (
        bound is not None and not problems
        and sign * (float(bound) - best_found) > tolerance(best_found)
    ):
        problems.append(f"claims bound {float(bound):g}; another run's checked solution "
                        f"has {best_found:g}")
    if status in ("infeasible", "unbounded") and verified:
        problems.append(f"claims {status}; another run found a checked solution")
    if problems:
        run["outcome"] = WRONG
        run["message"] = "; ".join(p for p in [*problems, run.get("message")] if p)


def solver_summary(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per (problem type, solver): counts, shifted geometric mean of time, primal integral."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in runs:
        groups[(str(r.get("problem_type") or "?"), str(r["solver"]))].append(r)
    rows = []
    for (ptype, solver), group in sorted(groups.items()):
        counted = [r for r in group if r.get("outcome") != SKIPPED]
        counts = {k: sum(1 for r in group if r.get("outcome") == k)
                  for k in (SOLVED, FEASIBLE, NOSOLUTION, FAILED, WRONG, SKIPPED)}
        integrals = [r["primal_integral"] for r in counted if r.get("primal_integral") is not None]
        gaps = [r["primal_gap"] for r in counted if r.get("primal_gap") is not None]
        rows.append({
            "problem_type": ptype,
            "solver": solver,
            "runs": len(group),
            **counts,
            "failed_total": counts[FAILED] + counts[NOSOLUTION],
            "best": sum(1 for r in counted if r.get("is_best")),
            "sgm_time": shifted_geometric_mean(charged_time(r) for r in counted),
            "mean_primal_integral": (sum(integrals) / len(integrals)) if integrals else None,
            "mean_primal_gap": (sum(gaps) / len(gaps)) if gaps else None,
        })
    # Mittelmann's convention: also show each SGM relative to the best of its type.
    best_by_type: dict[str, float] = {}
    for row in rows:
        sgm, t = row["sgm_time"], str(row["problem_type"])
        if sgm is not None:
            best_by_type[t] = min(best_by_type.get(t, math.inf), float(sgm))
    for row in rows:
        sgm, best = row["sgm_time"], best_by_type.get(str(row["problem_type"]))
        row["sgm_relative"] = float(sgm) / best if sgm is not None and best else None
    return rows


@dataclass
class Profile:
    """Dolan-Moré profile of one problem type: per solver, sorted finite ratios."""

    problem_type: str
    problems: int
    ratios: dict[str, list[float]]

    def rho(self, solver: str, tau: float) -> float:
        r = self.ratios.get(solver, [])
        return sum(1 for x in r if x <= tau) / self.problems if self.problems else 0.0

    def curve(self, solver: str, top: float) -> tuple[list[float], list[float]]:
        """The step function rho(tau) of ``solver`` from tau = 1 to ``top``, as points."""
        xs, ys = [1.0], [self.rho(solver, 1.0)]
        for r in self.ratios.get(solver, []):
            xs.append(r)
            ys.append(self.rho(solver, r))
        xs.append(top)
        ys.append(ys[-1])
        return xs, ys

    @property
    def max_ratio(self) -> float:
        finite = [x for rs in self.ratios.values() for x in rs]
        return max(finite, default=1.0)


def performance_profiles(runs: Sequence[Mapping[str, Any]]) -> list[Profile]:
    by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in runs:
        if r.get("outcome") != SKIPPED:
            by_type[str(r.get("problem_type") or "?")].append(r)
    profiles = []
    for ptype, group in sorted(by_type.items()):
        solvers = sorted({str(r["solver"]) for r in group})
        times: dict[tuple[Any, ...], dict[str, float]] = defaultdict(dict)
        for r in group:
            t = profile_time(r)
            pid = problem_id(r)
            prev = times[pid].get(str(r["solver"]), math.inf)
            times[pid][str(r["solver"])] = min(prev, t)
        ratios: dict[str, list[float]] = {s: [] for s in solvers}
        for per_solver in times.values():
            best = min(per_solver.values(), default=math.inf)
            if math.isinf(best):
                continue
            for s in solvers:
                t = per_solver.get(s, math.inf)
                if not math.isinf(t):
                    ratios[s].append(t / best)
        for s in solvers:
            ratios[s].sort()
        profiles.append(Profile(ptype, len(times), ratios))
    return profiles


@dataclass
class GapCurve:
    """Primal gap p(t) of one run as a step function: p = values[i] from times[i] on."""

    times: list[float]
    values: list[float]
    horizon: float

    def at(self, t: float) -> float:
        value = 1.0
        for ti, vi in zip(self.times, self.values, strict=True):
            if ti <= t:
                value = vi
            else:
                break
        return value

    def integral(self) -> float:
        total, last_t, last_v = 0.0, 0.0, 1.0
        for ti, vi in zip(self.times, self.values, strict=True):
            ti = min(max(ti, 0.0), self.horizon)
            total += (ti - last_t) * last_v
            last_t, last_v = ti, vi
        return total + (self.horizon - last_t) * last_v


def gap_curve(
    run: Mapping[str, Any], trajectory: Sequence[tuple[float, Any, Any]]
) -> GapCurve | None:
    """The run's primal gap over [0, time limit], None without a reference value."""
    reference = run.get("reference")
    if reference is None or run.get("outcome") == SKIPPED:
        return None
    sense = str(run.get("sense") or "min")
    horizon = float(run.get("time_limit") or 0.0) or 1.0
    points: list[tuple[float, float]] = []
    trusted = run.get("checked") == "passed" and run.get("outcome") != WRONG
    if trusted:
        best: float | None = None
        for t, obj, _bound in trajectory:
            if obj is None:
                continue
            v = float(obj)
            if best is None or _better(v, best, sense):
                best = v
                points.append((float(t), primal_gap(best, reference, sense)))
        final_t = float(run.get("time_s") or (points[-1][0] if points else 0.0))
        points.append((final_t, primal_gap(run.get("objective"), reference, sense)))
    points.sort(key=lambda p: p[0])
    # Keep the curve monotone: a later point never undoes an earlier improvement.
    times, values, current = [], [], 1.0
    for t, v in points:
        current = min(current, v)
        times.append(t)
        values.append(current)
    return GapCurve(times, values, horizon)


def attach_primal(
    runs: list[dict[str, Any]], trajectories: Mapping[int, Sequence[tuple[float, Any, Any]]]
) -> dict[int, GapCurve]:
    curves = {}
    for r in runs:
        curve = gap_curve(r, trajectories.get(int(r["id"]), []))
        r["primal_integral"] = None if curve is None else curve.integral()
        if curve is not None:
            curves[int(r["id"])] = curve
    return curves


def mean_gap_curves(
    runs: Sequence[Mapping[str, Any]], curves: Mapping[int, GapCurve], points: int = 200
) -> dict[str, dict[str, tuple[list[float], list[float]]]]:
    """problem type -> solver -> (time grid, mean primal gap over the solver's runs)."""
    by_type: dict[str, dict[str, list[GapCurve]]] = defaultdict(lambda: defaultdict(list))
    for r in runs:
        c = curves.get(int(r["id"]))
        if c is not None:
            by_type[str(r.get("problem_type") or "?")][str(r["solver"])].append(c)
    out: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    for ptype, per_solver in sorted(by_type.items()):
        horizon = max(c.horizon for cs in per_solver.values() for c in cs)
        grid = [horizon * i / (points - 1) for i in range(points)]
        out[ptype] = {
            s: (grid, [sum(c.at(t) for c in cs) / len(cs) for t in grid])
            for s, cs in sorted(per_solver.items())
        }
    return out
