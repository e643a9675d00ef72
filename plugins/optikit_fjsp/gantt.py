"""Gantt charts of ``fjsp`` schedules: machines as rows, jobs coloured by product.

``.png``, ``.svg`` and ``.pdf`` are drawn with matplotlib (imported here only, from the
``plot`` extra); ``.html`` is a self-contained page with an inline SVG written by hand,
so it needs no plotting library and no network: hovering a bar shows the job,
operation, product, times and due date.  Changeovers are drawn as hatched grey bars
just before the operation they prepare.  On a batch machine each batch is one bar,
coloured by its family and labelled with its id and member count.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optikit import scheduling
from optikit_fjsp.batching_check import group_batches, operation_numbers
from optikit_fjsp.checker import payload_of
from optikit_fjsp.model import FjspProblem

# Twenty distinguishable colours (hues spread around the wheel, alternating lightness).
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8",
)  # fmt: skip
SETUP_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class Bar:
    machine: int
    start: int
    end: int
    label: str
    group: str  # what the colour stands for (product, or job without products)
    tooltip: str
    setup: bool = False
    job: str = ""  # the job of an operation bar ('' for changeovers and batches)
    operation: int = 0


def bars(problem: FjspProblem, document: Mapping[str, Any]) -> tuple[list[Bar], list[str]]:
    """Operation and changeover bars, and the colour groups in legend order."""
    shop = problem.shop
    schedule, _violations = scheduling.schedule_from_payload(shop, payload_of(document))
    by_product = any(job.product is not None for job in shop.jobs)
    out: list[Bar] = []
    groups: list[str] = []
    by_machine: dict[int, list[scheduling.ScheduledOperation]] = {}
    for s in schedule:
        job = shop.jobs[s.job]
        group = (job.product or "(none)") if by_product else job.id
        if group not in groups:
            groups.append(group)
        due = f", due {job.due}" if job.due is not None else ""
        tip = (
            f"{job.id} op {s.operation}"
            + (f", product {job.product}" if job.product is not None else "")
            + f": {s.start}-{s.end} on {shop.machines[s.machine].id}{due}"
        )
        out.append(Bar(s.machine, s.start, s.end, f"{job.id}.{s.operation}", group, tip,
                       job=str(job.id), operation=s.operation))
        by_machine.setdefault(s.machine, []).append(s)
    for m, ops in by_machine.items():
        ops.sort(key=lambda s: (s.start, s.end))
        for a, b in itertools.pairwise(ops):
            t = shop.setup_time(m, a.job, b.job)
            if t > 0:
                tip = (
                    f"changeover {shop.jobs[a.job].product} -> {shop.jobs[b.job].product}: "
                    f"{t} on {shop.machines[m].id}"
                )
                out.append(Bar(m, b.start - t, b.start, "", "changeover", tip, setup=True))
    if problem.batching is not None:
        out = _batch_bars(problem, payload_of(document), schedule, out, groups)
    groups.sort(key=_natural)
    return out, groups


def _batch_bars(
    problem: FjspProblem,
    payload: Mapping[str, Any],
    schedule: list[scheduling.ScheduledOperation],
    out: list[Bar],
    groups: list[str],
) -> list[Bar]:
    """Replace the member bars on batch machines by one bar per batch."""
    spec = problem.batching
    assert spec is not None
    shop = problem.shop
    batches, _violations = group_batches(shop, spec, schedule, payload)
    kept = [b for b in out if not spec.is_batch(b.machine)]
    first_op = operation_numbers(shop)
    for bid, batch in batches.items():
        members = batch.members
        head = members[0]
        family = spec.family_names[spec.family[first_op[(head.job, head.operation)]]]
        if family not in groups:
            groups.append(family)
        load = sum(spec.size[first_op[(s.job, s.operation)]] for s in members)
        names = ", ".join(f"{shop.jobs[s.job].id}.{s.operation}" for s in members)
        tip = (
            f"batch {bid} ({family}): {head.start}-{head.end} on "
            f"{shop.machines[head.machine].id}, load {load}/"
            f"{spec.machines[head.machine].capacity}: {names}"
        )
        kept.append(Bar(head.machine, head.start, head.end, f"{bid} ({len(members)})",
                        family, tip))
    return kept


def _natural(text: str) -> list[Any]:
    """Sort key that puts J2 before J10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def draw(problem: FjspProblem, document: Mapping[str, Any], path: Path,
         colour_by: str | None = None) -> None:
    """Write the chart; the format follows the file's suffix.  ``colour_by``: ``job``,
    ``family`` (= ``product``) or ``machine``; by default products where jobs have them."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(render_html(problem, document), encoding="utf-8")
    else:
        _draw_matplotlib(problem, document, path, colour_by)


OFF_SHIFT_COLOUR = "#e4e4e4"


def off_shift(problem: FjspProblem, horizon: int) -> list[tuple[int, int, int]]:
    """Non-working time ``(machine, start, end)`` up to ``horizon`` of calendar machines."""
    out = []
    for m in range(len(problem.shop.machines)):
        cal = problem.shop.calendar(m)
        if cal is None:
            continue
        t = 0
        for a, b in cal.working_windows(horizon):
            if a > t:
                out.append((m, t, a))
            t = b
        if t < horizon:
            out.append((m, t, horizon))
    return out


def _colour(groups: list[str], group: str) -> str:
    return PALETTE[groups.index(group) % len(PALETTE)] if group in groups else SETUP_COLOUR


def _title(problem: FjspProblem, document: Mapping[str, Any]) -> str:
    name = document.get("name") or problem.name or "fjsp"
    status = document.get("status")
    objective = document.get("objective")
    parts = [str(name)]
    if status:
        parts.append(str(status))
    if isinstance(objective, int | float):
        parts.append(f"objective {objective:g}")
    return " - ".join(parts)


def _draw_matplotlib(problem: FjspProblem, document: Mapping[str, Any], path: Path,
                     colour_by: str | None = None) -> None:
    """The static chart on the shared Gantt panel (:mod:`optikit.plotting.static_gantt`)."""
    from optikit.plotting import static
    from optikit.plotting import static_gantt as sg

    shop = problem.shop
    items, _groups = bars(problem, document)
    machines = [m.id for m in shop.machines]
    ends: dict[str, int] = {}
    last: dict[str, tuple[int, int]] = {}  # job -> (operation, machine) of its last op
    for b in items:
        if b.job and not b.setup:
            ends[b.job] = max(ends.get(b.job, b.end), b.end)
            if b.operation >= last.get(b.job, (-1, 0))[0]:
                last[b.job] = (b.operation, b.machine)
    due = {job.id: job.due for job in shop.jobs}
    late = sg.late_jobs(ends, due)
    title, group_of = _colouring(problem, colour_by)
    horizon = max([b.end for b in items] + [d for j, d in due.items()
                                              if d is not None and j in last] + [1])
    panel = [sg.GanttBar(machines[m], a, z, kind="off") for m, a, z in off_shift(problem, horizon)]
    groups: list[str] = []
    for b in items:
        if b.setup:
            panel.append(sg.GanttBar(machines[b.machine], b.start, b.end, kind="setup"))
            continue
        group = f"{title} {group_of(b)}" if b.job else f"family {b.group}"
        if group not in groups:
            groups.append(group)
        labels = (b.label, b.job) if b.job else (b.label,)
        is_last = b.job in last and (b.operation, b.machine) == last[b.job]
        panel.append(sg.GanttBar(machines[b.machine], b.start, b.end, group, labels,
                                 late=b.job in late and is_last))
    groups.sort(key=_natural)
    job_group = {b.job: f"{title} {group_of(b)}" for b in items if b.job}
    dues = [sg.DueMark(machines[last[j][1]], d, j in late, job_group[j])
            for j, d in due.items() if d is not None and j in last]
    fig, (ax,) = static.new_figure(sg.width(panel), sg.height(len(machines)))
    sg.draw_gantt(ax, machines, panel, groups, "", dues, problem.time_unit,
                  shop.clock, horizon)
    head = {**document, "name": document.get("name") or problem.name or "fjsp",
            "type": document.get("type") or "fjsp"}
    static.set_title(fig, head, "schedule" + (f", {len(late)} late" if late else ""))
    static.save(fig, path, str(head["name"]))


def _colouring(problem: FjspProblem, colour_by: str | None) -> tuple[str, Any]:
    """What the bar colours stand for: (legend title, Bar -> group)."""
    shop = problem.shop
    product = {job.id: job.product for job in shop.jobs}
    by_product = any(p is not None for p in product.values())
    key = colour_by or ("product" if by_product else "job")
    if key in ("family", "product"):
        return key, lambda b: str(product.get(b.job) or "(none)")
    if key == "machine":
        return key, lambda b: shop.machines[b.machine].id
    return "job", lambda b: b.job


def render_html(problem: FjspProblem, document: Mapping[str, Any]) -> str:
    """A standalone HTML page with the chart as inline SVG (no scripts, no downloads)."""
    items, groups = bars(problem, document)
    machines = [m.id for m in problem.shop.machines]
    horizon = max((b.end for b in items), default=1) or 1
    left, row_h, width = 90, 26, 1100
    scale = width / horizon
    height = 40 + row_h * len(machines) + 30
    out: list[str] = []
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" '
        f'height="{height}" font-family="sans-serif" font-size="11">'
    )
    out.append(
        '<defs><pattern id="setup" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SETUP_COLOUR}" stroke-width="2"/>'
        "</pattern></defs>"
    )
    for i, mid in enumerate(machines):
        y = 30 + i * row_h
        fill = "#f6f6f6" if i % 2 else "#ffffff"
        out.append(f'<rect x="{left}" y="{y}" width="{width}" height="{row_h}" fill="{fill}"/>')
        out.append(
            f'<text x="{left - 8}" y="{y + row_h / 2 + 4}" text-anchor="end">'
            f"{html.escape(mid)}</text>"
        )
    step = _tick_step(horizon)
    t = 0
    while t <= horizon:
        x = left + t * scale
        out.append(
            f'<line x1="{x:.1f}" y1="30" x2="{x:.1f}" y2="{30 + row_h * len(machines)}" '
            'stroke="#dddddd"/>'
        )
        out.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{t}</text>')
        t += step
    for b in items:
        x = left + b.start * scale
        w = max(1.0, (b.end - b.start) * scale)
        y = 30 + b.machine * row_h
        tip = f"<title>{html.escape(b.tooltip)}</title>"
        if b.setup:
            out.append(
                f'<rect x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" '
                f'fill="url(#setup)" stroke="{SETUP_COLOUR}">{tip}</rect>'
            )
            continue
        out.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{_colour(groups, b.group)}" stroke="black" stroke-width="0.5">{tip}</rect>'
        )
        if w > 7 * len(b.label):
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{y + row_h / 2 + 4}" text-anchor="middle" '
                f'pointer-events="none">{html.escape(b.label)}</text>'
            )
    out.append("</svg>")
    legend = "".join(
        f'<span class="key"><span class="swatch" style="background:{_colour(groups, g)}">'
        f"</span>{html.escape(g)}</span>"
        for g in groups
    )
    if any(b.setup for b in items):
        legend += '<span class="key"><span class="swatch setup"></span>changeover</span>'
    title = html.escape(_title(problem, document))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>"
        "body{font-family:sans-serif;margin:16px}"
        ".key{margin-right:14px;white-space:nowrap;font-size:13px}"
        ".swatch{display:inline-block;width:12px;height:12px;margin-right:4px;"
        "border:1px solid #333;vertical-align:middle}"
        ".swatch.setup{background:repeating-linear-gradient("
        f"45deg,#fff 0 3px,{SETUP_COLOUR} 3px 5px)}}"
        "</style></head><body>"
        f"<h3>{title}</h3><div>{legend}</div><div>{''.join(out)}</div>"
        '<p style="font-size:12px;color:#666">Hover a bar for details.</p>'
        "</body></html>\n"
    )


def _tick_step(horizon: int) -> int:
    """A round tick spacing giving about ten ticks."""
    raw = max(1, horizon // 10)
    magnitude = 10 ** (len(str(raw)) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return raw
