"""The parsed ``rostering`` problem: one index-based form for benchmark files and plant documents.

Formulations, the checker, the summary and the chart all work on :class:`Roster`, where
employees, days and shifts are 0-based integers and every limit is already resolved (the
stricter of contract, inline override, ``rules`` preset and safety rule).  Ids come back only
when a payload is written or a violation is worded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.types import InvalidProblem
from optikit_rostering.presets import PRESETS

#: Largest roster accepted (employees x days x shifts); 200 staff x 4 weeks x 3 shifts is 16,800.
MAX_CELLS = 2_000_000
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_MINUTES = 1440

#: Contract keys (on a contract, or inline on an employee, or set by a preset).
LIMIT_KEYS = (
    "max_shifts", "max_total_minutes", "min_total_minutes", "max_consecutive_shifts",
    "min_consecutive_shifts", "min_consecutive_days_off", "max_weekends",
    "max_consecutive_nights", "max_weekly_hours", "max_average_weekly_hours",
    "min_rest_hours", "min_days_off_per_week",
)
#: Keys where the smaller value is the stricter one (the rest: larger is stricter).
_CAPS = {"max_total_minutes", "max_consecutive_shifts", "max_weekends", "max_consecutive_nights",
         "max_weekly_hours", "max_average_weekly_hours"}


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    start: int | None  # minutes after midnight, None when the file gives no clock time
    night: bool


@dataclass(frozen=True)
class Limits:
    """One employee's resolved limits (None: no limit)."""

    max_per_shift: tuple[int | None, ...]
    max_minutes: int | None = None
    min_minutes: int | None = None
    max_consecutive: int | None = None
    min_consecutive: int = 1
    min_days_off_run: int = 1
    max_weekends: int | None = None
    max_consecutive_nights: int | None = None
    max_week_minutes: int | None = None  # per calendar week
    max_average_week_minutes: int | None = None  # averaged over the horizon
    min_days_off_per_week: int = 0  # in every full calendar week


@dataclass(frozen=True)
class Employee:
    id: str
    limits: Limits
    skills: frozenset[str] = frozenset()
    days_off: frozenset[int] = frozenset()
    forbidden: frozenset[tuple[int, int]] = frozenset()  # (s, u): u may not follow s next day
    contract: str = ""


@dataclass(frozen=True)
class Request:
    employee: int
    day: int
    shift: int  # -1: any shift (an off request for the whole day)
    on: bool
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: int
    requirement: int
    under_weight: int
    over_weight: int
    skill: str | None = None

    def penalty(self, count: int) -> int:
        """The weighted under- and over-cover of this line with ``count`` people on it (the
        solvers' one formula; the checker keeps its own)."""
        return self.under_weight * max(0, self.requirement - count) \
            + self.over_weight * max(0, count - self.requirement)


@dataclass(frozen=True)
class HardCover:
    """A safety rule's minimum: at least ``minimum`` staff with ``skill`` on the shift."""

    day: int
    shift: int
    skill: str
    minimum: int
    rule: str


@dataclass(frozen=True)
class Roster:
    name: str
    days: int
    shifts: tuple[Shift, ...]
    employees: tuple[Employee, ...]
    requests: tuple[Request, ...] = ()
    cover: tuple[Cover, ...] = ()
    hard_cover: tuple[HardCover, ...] = ()
    start_weekday: int = 0
    presets: tuple[str, ...] = ()
    shift_index: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def num_employees(self) -> int:
        return len(self.employees)

    @property
    def num_shifts(self) -> int:
        return len(self.shifts)

    def weekday(self, day: int) -> int:
        return (day + self.start_weekday) % 7

    def week_of(self, day: int) -> int:
        """Calendar week (Monday to Sunday) of ``day``; week 0 holds day 0."""
        return (day + self.start_weekday) // 7

    def weekends(self) -> list[list[int]]:
        """Per calendar weekend, its Saturday/Sunday days inside the horizon."""
        out: dict[int, list[int]] = {}
        for d in range(self.days):
            if self.weekday(d) >= 5:
                out.setdefault(self.week_of(d), []).append(d)
        return [out[k] for k in sorted(out)]

    def full_weeks(self) -> list[list[int]]:
        """The calendar weeks wholly inside the horizon, as lists of days."""
        out: dict[int, list[int]] = {}
        for d in range(self.days):
            out.setdefault(self.week_of(d), []).append(d)
        return [v for _k, v in sorted(out.items()) if len(v) == 7]

    def weeks(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for d in range(self.days):
            out.setdefault(self.week_of(d), []).append(d)
        return [v for _k, v in sorted(out.items())]


def _clock(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value * 60
    else:
        text = str(value)
        try:
            hh, mm = text.split(":")
            minutes = int(hh) * 60 + int(mm)
        except ValueError:
            raise InvalidProblem(where, f"{text!r} is not a clock time HH:MM") from None
    if not 0 <= minutes <= DAY_MINUTES:
        raise InvalidProblem(where, f"{value!r} is not between 00:00 and 24:00")
    return minutes % DAY_MINUTES


def _shifts(document: Mapping[str, Any]) -> tuple[Shift, ...]:
    out: list[Shift] = []
    seen: set[str] = set()
    for i, raw in enumerate(document["shifts"]):
        where = f"shifts[{i}]"
        sid = str(raw["id"])
        if sid in seen:
            raise InvalidProblem(f"{where}.id", f"duplicate shift id {sid!r}")
        seen.add(sid)
        start = _clock(raw["start"], f"{where}.start") if "start" in raw else None
        end = _clock(raw["end"], f"{where}.end") if "end" in raw else None
        if (start is None) != (end is None):
            raise InvalidProblem(where, "give both `start` and `end`, or neither")
        if start is not None and end is not None:
            minutes = (end - start) % DAY_MINUTES or DAY_MINUTES
            if "minutes" in raw and int(raw["minutes"]) != minutes:
                raise InvalidProblem(f"{where}.minutes",
                                     f"{raw['minutes']} disagrees with {minutes} from the times")
            crosses = end <= start
        elif "minutes" in raw:
            minutes = int(raw["minutes"])
            crosses = False
        else:
            raise InvalidProblem(where, "needs `start` and `end` clock times or `minutes`")
        night = bool(raw.get("night", crosses))
        out.append(Shift(sid, minutes, start, night))
    return tuple(out)


def _merge_limits(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """The stricter of two limit sets, key by key (``max_shifts`` per shift)."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged or merged[key] is None:
            merged[key] = value
        elif key == "max_shifts":
            both = dict(merged[key])
            for s, n in value.items():
                both[s] = min(both.get(s, n), n)
            merged[key] = both
        elif key in _CAPS:
            merged[key] = min(merged[key], value)
        else:
            merged[key] = max(merged[key], value)
    return merged


def _resolve_presets(raw: Any) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else list(raw or [])
    for i, name in enumerate(names):
        if name not in PRESETS:
            raise InvalidProblem(f"rules[{i}]" if not isinstance(raw, str) else "rules",
                                 f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
    return tuple(names)


def _forbidden(shifts: tuple[Shift, ...], explicit: set[tuple[int, int]],
               min_rest: int | None) -> frozenset[tuple[int, int]]:
    """Explicit ``not_followed_by`` pairs plus pairs whose clock times leave too little rest."""
    pairs = set(explicit)
    if min_rest:
        for s, a in enumerate(shifts):
            for u, b in enumerate(shifts):
                if a.start is None or b.start is None:
                    continue
                rest = DAY_MINUTES + b.start - (a.start + a.minutes)
                if rest < min_rest:
                    pairs.add((s, u))
    return frozenset(pairs)


def parse(document: Mapping[str, Any]) -> Roster:
    """Document -> :class:`Roster`; references and ranges a schema cannot say raise here."""
    days = int(document["days"])
    shifts = _shifts(document)
    cells = days * len(shifts) * len(document["employees"])
    if cells > MAX_CELLS:
        raise InvalidProblem("employees", f"{cells:,} employee-day-shift cells is more than the "
                             f"{MAX_CELLS:,} accepted")
    index = {s.id: k for k, s in enumerate(shifts)}
    start_weekday = WEEKDAYS.index(str(document.get("start_weekday", "monday")).lower())

    explicit: set[tuple[int, int]] = set()
    for i, raw in enumerate(document["shifts"]):
        for j, other in enumerate(raw.get("not_followed_by", [])):
            if str(other) not in index:
                raise InvalidProblem(f"shifts[{i}].not_followed_by[{j}]",
                                     f"unknown shift {other!r}")
            explicit.add((i, index[str(other)]))

    presets = _resolve_presets(document.get("rules"))
    preset_limits: dict[str, Any] = {}
    for name in presets:
        preset_limits = _merge_limits(preset_limits, PRESETS[name]["limits"])

    contracts: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(document.get("contracts", [])):
        cid = str(raw["id"])
        if cid in contracts:
            raise InvalidProblem(f"contracts[{i}].id", f"duplicate contract id {cid!r}")
        contracts[cid] = {k: raw[k] for k in LIMIT_KEYS if k in raw}
        for sid in raw.get("max_shifts", {}):
            if sid not in index:
                raise InvalidProblem(f"contracts[{i}].max_shifts", f"unknown shift {sid!r}")

    skills_held = {str(k) for raw in document["employees"] for k in raw.get("skills", [])}
    safety_nights: int | None = None
    hard: list[HardCover] = []
    for i, rule in enumerate(document.get("safety", [])):
        kind = rule["rule"]
        if kind == "max_consecutive_nights":
            n = int(rule["max"])
            safety_nights = n if safety_nights is None else min(safety_nights, n)
        else:  # skill_per_shift
            if str(rule["skill"]) not in skills_held:
                raise InvalidProblem(f"safety[{i}].skill",
                                     f"no employee holds {rule['skill']!r}")
            names = rule.get("shifts") or [s.id for s in shifts]
            for j, sid in enumerate(names):
                if sid not in index:
                    raise InvalidProblem(f"safety[{i}].shifts[{j}]", f"unknown shift {sid!r}")
                for d in range(days):
                    hard.append(HardCover(d, index[sid], str(rule["skill"]),
                                          int(rule.get("min", 1)), f"{rule['skill']} per shift"))

    employees: list[Employee] = []
    eindex: dict[str, int] = {}
    for i, raw in enumerate(document["employees"]):
        where = f"employees[{i}]"
        eid = str(raw["id"])
        if eid in eindex:
            raise InvalidProblem(f"{where}.id", f"duplicate employee id {eid!r}")
        eindex[eid] = i
        cid = str(raw.get("contract", ""))
        if cid and cid not in contracts:
            raise InvalidProblem(f"{where}.contract", f"unknown contract {cid!r}")
        spec = dict(contracts.get(cid, {}))
        spec.update({k: raw[k] for k in LIMIT_KEYS if k in raw})
        spec = _merge_limits(spec, preset_limits)
        if safety_nights is not None:
            spec = _merge_limits(spec, {"max_consecutive_nights": safety_nights})
        limits = _limits(spec, index, shifts, days, where)
        for d in raw.get("days_off", []):
            if not 0 <= int(d) < days:
                raise InvalidProblem(f"{where}.days_off", f"day {d} is outside 0..{days - 1}")
        rest = spec.get("min_rest_hours")
        employees.append(Employee(
            id=eid, limits=limits, skills=frozenset(str(s) for s in raw.get("skills", [])),
            days_off=frozenset(int(d) for d in raw.get("days_off", [])),
            forbidden=_forbidden(shifts, explicit, round(float(rest) * 60) if rest else None),
            contract=cid,
        ))

    requests: list[Request] = []
    for i, raw in enumerate(document["employees"]):
        for j, req in enumerate(raw.get("requests", [])):
            where = f"employees[{i}].requests[{j}]"
            day = int(req["day"])
            if not 0 <= day < days:
                raise InvalidProblem(f"{where}.day", f"day {day} is outside 0..{days - 1}")
            sid = req.get("shift")
            on = req["type"] in ("on", True)  # YAML 1.1 reads unquoted on/off as booleans
            if sid is None and on:
                raise InvalidProblem(f"{where}.shift", "an `on` request names its shift")
            if sid is not None and str(sid) not in index:
                raise InvalidProblem(f"{where}.shift", f"unknown shift {sid!r}")
            requests.append(Request(i, day, -1 if sid is None else index[str(sid)], on,
                                    int(req.get("weight", 1))))

    cover: list[Cover] = []
    for i, raw in enumerate(document.get("cover", [])):
        where = f"cover[{i}]"
        sid = str(raw["shift"])
        if sid not in index:
            raise InvalidProblem(f"{where}.shift", f"unknown shift {sid!r}")
        for d in _cover_days(raw, days, start_weekday, where):
            cover.append(Cover(d, index[sid], int(raw["requirement"]),
                               int(raw.get("under_weight", 1)), int(raw.get("over_weight", 0)),
                               str(raw["skill"]) if raw.get("skill") is not None else None))
    return Roster(
        name=str(document.get("name", "")), days=days, shifts=shifts,
        employees=tuple(employees), requests=tuple(requests), cover=tuple(cover),
        hard_cover=tuple(hard), start_weekday=start_weekday, presets=presets,
        shift_index=index,
    )


def _cover_days(raw: Mapping[str, Any], days: int, start_weekday: int, where: str) -> list[int]:
    if "day" in raw:
        out = [int(raw["day"])]
    elif "days" in raw:
        out = [int(d) for d in raw["days"]]
    elif "weekdays" in raw:
        wanted = set()
        for name in raw["weekdays"]:
            if str(name).lower() not in WEEKDAYS:
                raise InvalidProblem(f"{where}.weekdays", f"unknown weekday {name!r}")
            wanted.add(WEEKDAYS.index(str(name).lower()))
        out = [d for d in range(days) if (d + start_weekday) % 7 in wanted]
    else:
        out = list(range(days))
    for d in out:
        if not 0 <= d < days:
            raise InvalidProblem(f"{where}.day", f"day {d} is outside 0..{days - 1}")
    return out


def _limits(spec: Mapping[str, Any], index: Mapping[str, int], shifts: tuple[Shift, ...],
            days: int, where: str) -> Limits:
    per_shift: list[int | None] = [None] * len(shifts)
    for sid, n in dict(spec.get("max_shifts", {})).items():
        if sid not in index:
            raise InvalidProblem(f"{where}.max_shifts", f"unknown shift {sid!r}")
        per_shift[index[sid]] = int(n)

    def opt(key: str, scale: float = 1) -> int | None:
        value = spec.get(key)
        return None if value is None else round(float(value) * scale)

    average = opt("max_average_weekly_hours", 60)
    return Limits(
        max_per_shift=tuple(per_shift),
        max_minutes=opt("max_total_minutes"),
        min_minutes=opt("min_total_minutes"),
        max_consecutive=opt("max_consecutive_shifts"),
        # A minimum above the horizon acts like the horizon (only edge runs are allowed).
        min_consecutive=min(days, int(spec.get("min_consecutive_shifts", 1))),
        min_days_off_run=min(days, int(spec.get("min_consecutive_days_off", 1))),
        max_weekends=opt("max_weekends"),
        max_consecutive_nights=opt("max_consecutive_nights"),
        max_week_minutes=opt("max_weekly_hours", 60),
        max_average_week_minutes=average,
        min_days_off_per_week=int(spec.get("min_days_off_per_week", 0)),
    )


def average_cap(roster: Roster, limits: Limits) -> int | None:
    """Total minutes over the horizon allowed by an average weekly cap (None: no cap)."""
    if limits.max_average_week_minutes is None:
        return None
    return limits.max_average_week_minutes * roster.days // 7


#: ``stations[(e, d)]``: the skill (station) employee ``e`` fills on day ``d``, if any.
Stations = dict[tuple[int, int], str]


def station_skills(roster: Roster) -> dict[tuple[int, int], tuple[str, ...]]:
    """Per (day, shift), the skills some cover line asks for there: the stations a person
    on that shift can be placed at (one at most each)."""
    out: dict[tuple[int, int], list[str]] = {}
    for c in roster.cover:
        if c.skill is not None:
            skills = out.setdefault((c.day, c.shift), [])
            if c.skill not in skills:
                skills.append(c.skill)
    return {k: tuple(v) for k, v in out.items()}


def _trim(roster: Roster, grid: list[list[int | None]], stations: Stations) -> Stations:
    """Drop placements beyond a station's largest requirement where no line there weighs
    over-cover: the penalty is unchanged and the summary shows who is needed where."""
    room: dict[tuple[int, int, str], int] = {}
    weighed: set[tuple[int, int, str]] = set()
    for c in roster.cover:
        if c.skill is not None:
            key = (c.day, c.shift, c.skill)
            room[key] = max(room.get(key, 0), c.requirement)
            if c.over_weight:
                weighed.add(key)
    out: Stations = {}
    for (e, d), k in sorted(stations.items()):
        s = grid[e][d]
        key = (d, s if s is not None else -1, k)
        if key in weighed or room.get(key, 0) > 0:
            out[e, d] = k
            room[key] = room.get(key, 0) - 1
    return out


def to_payload(roster: Roster, grid: list[list[int | None]],
               stations: Stations | None = None) -> dict[str, Any]:
    """The contract's payload from a grid of shift indices (None: day off).  With cover by
    skill every row names its station (``skill``, null for none), so the checker counts the
    solver's placement rather than the most favourable one."""
    placed = any(c.skill is not None for c in roster.cover)
    stations = _trim(roster, grid, stations or {})
    rows: list[dict[str, Any]] = []
    for e, emp in enumerate(roster.employees):
        for d, s in enumerate(grid[e]):
            if s is None:
                continue
            row: dict[str, Any] = {"employee": emp.id, "day": d, "shift": roster.shifts[s].id}
            if placed:
                row["skill"] = stations.get((e, d))
            rows.append(row)
    return {"assignments": rows}
