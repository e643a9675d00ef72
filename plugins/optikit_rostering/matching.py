"""The checker's placement of staff at stations when a payload names none (solutions written
before stations existed, or by hand).

Part of the independent checker: shares no code with the formulations.  On each day and
shift, everyone working it may fill one station (a skill some cover line asks for there,
held by the person).  The placement chosen is the most favourable one: the j-th person at
station k is worth ``sum(under_weight of k's lines with requirement >= j) - sum(over_weight
of k's lines with requirement < j)``, a value that falls as j grows, so the best placement is
a maximum-weight matching of people to the positive-valued slots, found greedily (heaviest
slot first, kept when an augmenting path seats it: the seatable slot sets form a transversal
matroid, where greedy is exact).
"""

from __future__ import annotations

from optikit_rostering.model import Roster

Grid = list[list[int | None]]


def _slots(lines: list[tuple[int, int, int]], people: int) -> list[int]:
    """Values of the 1st, 2nd, ... person at one station (only the positive ones; at most
    one per person who could stand there)."""
    out = []
    top = max((r for r, _u, _o in lines), default=0)
    for j in range(1, min(top, people) + 1):
        value = sum(u for r, u, _o in lines if r >= j) - sum(o for r, _u, o in lines if r < j)
        if value <= 0:
            break
        out.append(value)
    return out


def _seat(start: int, skill_of: list[str], eligible: dict[str, list[int]],
          holder: dict[int, int], owner: dict[int, int]) -> bool:
    """Seat slot ``start`` by an augmenting path (breadth first, no recursion); seated slots
    stay seated, possibly by someone else."""
    parent: dict[int, int] = {}  # person -> the slot that reached them
    queue = [start]
    for slot in queue:  # the queue grows while it is read
        for e in eligible[skill_of[slot]]:
            if e in parent:
                continue
            parent[e] = slot
            if e in holder:
                queue.append(holder[e])
                continue
            while True:  # flip the path back to ``start``
                taken = parent[e]
                before = owner.get(taken)
                holder[e], owner[taken] = taken, e
                if before is None:
                    return True
                e = before
    return False


def best_placement(roster: Roster, grid: Grid) -> dict[tuple[int, int], str]:
    """(employee, day) -> station for the placement with the lowest skill-cover penalty."""
    lines: dict[tuple[int, int], dict[str, list[tuple[int, int, int]]]] = {}
    for c in roster.cover:
        if c.skill is not None:
            lines.setdefault((c.day, c.shift), {}).setdefault(c.skill, []).append(
                (c.requirement, c.under_weight, c.over_weight))
    placed: dict[tuple[int, int], str] = {}
    for (d, s), by_skill in lines.items():
        on_shift = [e for e in range(roster.num_employees) if grid[e][d] == s]
        eligible = {k: [e for e in on_shift if k in roster.employees[e].skills]
                    for k in by_skill}
        slots: list[tuple[int, str]] = [
            (value, k) for k, ls in by_skill.items() for value in _slots(ls, len(eligible[k]))]
        slots.sort(key=lambda t: -t[0])
        skill_of = [k for _v, k in slots]
        holder: dict[int, int] = {}
        owner: dict[int, int] = {}
        for i in range(len(slots)):
            _seat(i, skill_of, eligible, holder, owner)
        placed.update({(e, d): skill_of[i] for e, i in holder.items()})
    return placed

