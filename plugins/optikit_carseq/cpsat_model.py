"""The main CP-SAT model, over all of today's positions or only a relaxed subset.

One boolean per (relaxed position, class): identical cars are one class, so the
permutation symmetry of interchangeable cars is gone by construction.  Every other
position keeps its class from ``base`` and enters the window sums as a constant, which is
what the large-neighbourhood search needs; the full model is the case "every position
relaxed".  Per option and window an excess variable carries the soft capacity; the
paint rules are a change literal per neighbouring pair and a ``max_batch + 1`` window per
colour; the level term is an absolute deviation per class and position.

The full model adds the redundant "remaining demand" constraints of the CSPLib
literature, made valid for soft capacities: the last ``k`` disjoint windows of an option
hold at most ``k*p`` cars plus their excess, so the positions before them hold at least
the rest of the demand (and the same from the front).  With them CP-SAT sees the
option-wise bound ``excess >= demand - capacity(n)`` at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit_carseq.model import CarSeqProblem


@dataclass
class SeqModel:
    model: Any
    relaxed: list[int]
    x: dict[tuple[int, int], Any]
    objective_scale: float = 1.0
    stats: dict[str, int] = field(default_factory=dict)
    #: The objective as a linear expression when its coefficients are integers (a
    #: cutoff on it is then exact), else None.
    objective: Any = None

    def hint(self, seq: Sequence[int]) -> dict[Any, int]:
        return {var: int(seq[i] == k) for (i, k), var in self.x.items()}

    def solution(self, base: Sequence[int], value: Callable[[Any], bool]) -> list[int]:
        seq = list(base)
        for (i, k), var in self.x.items():
            if value(var):
                seq[i] = k
        return seq


def build(problem: CarSeqProblem, base: Sequence[int] | None, relaxed: Sequence[int] | None,
          redundant: bool = True) -> SeqModel:
    """The model with positions ``relaxed`` free (all when ``relaxed`` is None)."""
    from ortools.sat.python import cp_model

    n = problem.num_cars
    p0 = len(problem.previous)
    full = relaxed is None or base is None
    free = list(range(n)) if full else sorted(set(relaxed or ()))
    base_seq: list[int] = list(base) if base is not None else [-1] * n
    counts = (Counter({k: c.count for k, c in enumerate(problem.classes) if c.count}) if full
              else Counter(base_seq[i] for i in free))
    kinds = sorted(counts)
    m = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    for i in free:
        for k in kinds:
            x[i, k] = m.new_bool_var(f"x{i}_{k}")
        m.add_exactly_one(x[i, k] for k in kinds)
    for k in kinds:
        m.add(sum(x[i, k] for i in free) == counts[k])
    is_free = set(free)
    line = list(problem.previous) + base_seq
    terms: list[tuple[int, Any]] = []
    scale = n if problem.weights.level else 1

    shared: dict[tuple[int, frozenset[int]], Any] = {}

    def indicator(li: int, members: frozenset[int]) -> tuple[int, list[Any]]:
        """(constant, variables) saying whether line position ``li`` holds a member class.

        A free position with several member classes gets one boolean (their sum), made
        once and shared by every window over it: the window sums then have ``q`` terms,
        not ``q x classes`` (a 1,000-car line builds in a second instead of six).
        """
        i = li - p0
        if i not in is_free:
            return int(line[li] in members), []
        y = shared.get((i, members))
        if y is None:
            inside = [x[i, k] for k in kinds if k in members]
            if len(inside) == len(kinds):
                return 1, []
            if len(inside) <= 1:
                return 0, inside
            y = m.new_bool_var(f"y{i}_{len(shared)}")
            m.add(y == sum(inside))
            shared[i, members] = y
        return 0, [y]

    free_line = sorted(p0 + i for i in free)
    excess: dict[tuple[int, int], Any] = {}
    for j, opt in enumerate(problem.options):
        weight = problem.term_weight(opt)
        if weight == 0 or opt.max >= opt.window:
            continue
        members = frozenset(k for k, c in enumerate(problem.classes) if j in c.options)
        lo, hi = max(0, p0 - opt.window + 1), p0 + n - opt.window
        starts: set[int] = set()
        for li in free_line:
            starts.update(range(max(lo, li - opt.window + 1), min(hi, li) + 1))
        for s in sorted(starts):
            const, vars_ = 0, []
            for li in range(s, s + opt.window):
                c, v = indicator(li, members)
                const += c
                vars_ += v
            if not vars_ or const + len(vars_) <= opt.max:
                continue
            e = m.new_int_var(0, min(opt.window, const + len(vars_)) - opt.max, f"e{j}_{s}")
            m.add(sum(vars_) + const - opt.max <= e)
            excess[j, s] = e
            terms.append((weight * scale, e))
    if full and redundant:
        _remaining_demand(problem, m, indicator, excess)
    if problem.has_paint:
        _paint(problem, m, terms, scale, indicator, free_line)
    if problem.weights.level:
        _level(problem, m, terms, x, kinds, free, base_seq)
    objective = sum(c * v for c, v in terms)
    m.minimize(objective)
    integral = all(float(c).is_integer() for c, _ in terms)
    return SeqModel(m, free, x, 1.0 / scale,
                    {"booleans": len(x), "excess_vars": len(excess)},
                    objective if integral else None)


def size_estimate(problem: CarSeqProblem) -> int:
    """About how many linear terms :func:`build` writes for the full model.

    Per position: the class choice (twice: exactly-one and counts), each option's
    indicator and window sum (plus its remaining-demand chain), each colour's indicator,
    batch window and change literal.
    """
    n, classes = problem.num_cars, len(problem.classes)
    per_car = 2 * classes
    for j, opt in enumerate(problem.options):
        members = sum(1 for c in problem.classes if j in c.options)
        per_car += members + opt.window + 1 + 6
    if problem.has_paint:
        batch = problem.max_batch + 1 if problem.max_batch is not None else 0
        per_car += classes + len(problem.colours) * (batch + 3)
    if problem.weights.level:
        per_car += 4 * classes
    return n * per_car


def _remaining_demand(problem: CarSeqProblem, m: Any,
                      indicator: Callable[[int, frozenset[int]], tuple[int, list[Any]]],
                      excess: Mapping[tuple[int, int], Any]) -> None:
    n = problem.num_cars
    p0 = len(problem.previous)
    for j, opt in enumerate(problem.options):
        if problem.term_weight(opt) == 0 or opt.max >= opt.window:
            continue
        demand = problem.demand[j]
        members = frozenset(k for k, c in enumerate(problem.classes) if j in c.options)
        if not demand:
            continue
        cum = [m.new_int_var(0, min(t + 1, demand), f"c{j}_{t}") for t in range(n)]
        for t in range(n):
            const, here = indicator(p0 + t, members)
            m.add(cum[t] == (cum[t - 1] if t else 0) + const + sum(here))
        m.add(cum[n - 1] == demand)
        q, p = opt.window, opt.max

        count = n // q
        # the last k disjoint windows start at n - q, n - 2q, ..., n - kq
        tails = _running(m, [excess.get((j, p0 + n - k * q)) for k in range(1, count + 1)],
                         q - p, f"t{j}")
        fronts = _running(m, [excess.get((j, p0 + k * q)) for k in range(count)], q - p,
                          f"f{j}")
        for k in range(1, count + 1):
            cut = n - k * q
            head_cars = cum[cut - 1] if cut > 0 else 0
            m.add(head_cars >= demand - k * p - tails[k - 1])
            m.add(demand - cum[k * q - 1] >= demand - k * p - fronts[k - 1])


def _running(m: Any, terms: Sequence[Any], most: int, name: str) -> list[Any]:
    """Running sums of ``terms`` (excess variables or None for 0), one variable each.

    A chain ``s_k = s_(k-1) + e_k`` keeps the remaining-demand constraints at three
    terms each; summing the windows afresh for every ``k`` grows as ``(n/q)^2`` terms
    (1.4 million on a 1,000-car line).
    """
    out: list[Any] = []
    total: Any = 0
    for k, term in enumerate(terms):
        if term is not None:
            var = m.new_int_var(0, (k + 1) * most, f"{name}_{k}")
            m.add(var == total + term)
            total = var
        out.append(total)
    return out


def _paint(problem: CarSeqProblem, m: Any, terms: list[tuple[int, Any]], scale: int,
           indicator: Callable[[int, frozenset[int]], tuple[int, list[Any]]],
           free_line: list[int]) -> None:
    p0 = len(problem.previous)
    end = p0 + problem.num_cars
    by_colour = [frozenset(k for k, c in enumerate(problem.classes) if c.colour == col)
                 for col in range(len(problem.colours))]
    wcol = problem.weights.colour * problem.change_cost
    free_set = {f - p0 for f in free_line}
    if wcol:
        pairs = sorted({li for f in free_line for li in (f, f + 1) if p0 <= li < end and li >= 1})
        for li in pairs:
            if li - p0 not in free_set and li - 1 - p0 not in free_set:
                continue  # both neighbours fixed: the change (or not) is a constant
            change = m.new_bool_var(f"chg{li}")
            for members in by_colour:
                c1, v1 = indicator(li, members)
                c0, v0 = indicator(li - 1, members)
                m.add(change >= sum(v1) + c1 - sum(v0) - c0)
            terms.append((wcol * scale, change))
    if problem.max_batch is not None:
        b = problem.max_batch
        starts = {s for f in free_line for s in range(max(0, f - b), f + 1)
                  if s + b < end and s + b >= p0}
        for s in sorted(starts):
            for members in by_colour:
                const, vars_ = 0, []
                for li in range(s, s + b + 1):
                    c, v = indicator(li, members)
                    const += c
                    vars_ += v
                if vars_ and const + len(vars_) > b:
                    m.add(sum(vars_) + const <= b)


def _level(problem: CarSeqProblem, m: Any, terms: list[tuple[int, Any]],
           x: Mapping[tuple[int, int], Any], kinds: list[int], free: list[int],
           base: list[int]) -> None:
    n = problem.num_cars
    lo, hi = free[0], free[-1]
    weight = problem.weights.level
    is_free = set(free)
    for k in kinds:
        d = problem.classes[k].count
        fixed_before = sum(1 for i in range(lo) if base[i] == k)
        built: Any = fixed_before
        for t in range(lo, hi + 1):
            step = x[t, k] if t in is_free else int(base[t] == k)
            cum = m.new_int_var(0, d, f"lc{k}_{t}")
            m.add(cum == built + step)
            built = cum
            dev = m.new_int_var(0, n * n, f"lv{k}_{t}")
            m.add_abs_equality(dev, n * cum - (t + 1) * d)
            terms.append((weight, dev))


def complete_hint(sm: SeqModel, seq: Sequence[int]) -> dict[Any, int]:
    """A hint for every variable, not only the x: CP-SAT repairs partial hints poorly.

    The auxiliary values (excess, cumulative counts, changes) follow from the sequence by
    propagation, so a one-worker solve of the model with the x fixed finds them at once.
    """
    from ortools.sat.python import cp_model

    fixed = sm.model.clone()
    variables = fixed.proto.variables
    for var, value in sm.hint(seq).items():
        domain = variables[var.index].domain  # fixed in place: no constraint to add
        domain[0] = domain[1] = value
    from optikit_ortools.sat_parameters import keep_python_sigint, solve_in_flight

    solver = cp_model.CpSolver()
    keep_python_sigint(solver.parameters)  # else a Ctrl-C kills the run, best line lost
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5.0
    status = solve_in_flight(solver, fixed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return sm.hint(seq)
    var_at = sm.model.get_int_var_from_proto_index
    return {var_at(i): int(v) for i, v in enumerate(solver.response_proto.solution)}
