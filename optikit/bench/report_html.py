"""The report as one HTML page: sortable tables, selectors per problem type and solver,
interactive plots (plotly.js from ``plotly.min.js`` beside the page, written once for
every page in the folder, or inline on stdout; offline either way) and instance x solver
tables in the manner of Mittelmann's benchmark pages.

Without plotly the page embeds the static matplotlib images instead; the tables and
selectors work either way (plain JavaScript, ``static/report.js``).
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from optikit.bench import analysis, iplots
from optikit.bench.report import (
    CONVENTIONS,
    INSTANCE_COLUMNS,
    SUMMARY_COLUMNS,
    ReportData,
    _cells,
    figures,
    provenance_summary,
)
from optikit.bench.verdict import FAILED, FEASIBLE, NOSOLUTION, SKIPPED, SOLVED, WRONG

#: Plot formats of the page: interactive plotly, or static images embedded.
PLOT_FORMATS = ("interactive", "png", "svg")

#: Sort keys of the instance x solver cells: solved by time first, then the rest.
_RANK = {FEASIBLE: 1e9, NOSOLUTION: 2e9, FAILED: 3e9, WRONG: 4e9, SKIPPED: 5e9}


def _asset(name: str) -> str:
    return resources.files("optikit.bench").joinpath("static", name).read_text("utf-8")


def _sort_key(value: Any) -> str:
    """The raw value a column sorts by ('' sorts as text)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return "" if math.isnan(value) else repr(float(value))
    return ""


def _attrs(row: Mapping[str, Any]) -> str:
    return (f' data-type="{html.escape(str(row.get("problem_type") or "?"))}"'
            f' data-solver="{html.escape(str(row.get("solver") or ""))}"')


def html_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str, Any]],
    left: Sequence[str] = (), table_id: str = "",
) -> str:
    """A sortable table; each row is tagged with its type and solver for the filters."""
    head = "".join(
        f'<th class="{"l" if key in left else ""}" data-key="{html.escape(key)}">'
        f"{html.escape(title)}</th>"
        for title, key, _ in columns
    )
    body = []
    for row in rows:
        cells = []
        for (_, key, _), text in zip(columns, _cells(row, columns), strict=True):
            cls = "l" if key in left else ""
            if key == "outcome":
                cls += f" {html.escape(str(row.get('outcome')))}"
            sort = _sort_key(row.get(key))
            data = f' data-sort="{sort}"' if sort else ""
            cells.append(f'<td class="{cls.strip()}"{data}>{html.escape(text)}</td>')
        body.append(f"<tr{_attrs(row)}>" + "".join(cells) + "</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    return (f'<table class="sortable"{ident}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _cell_text(run: Mapping[str, Any]) -> tuple[str, float]:
    """What an instance x solver cell shows, and its sort key (lower is better)."""
    outcome = str(run.get("outcome"))
    if outcome == SOLVED:
        t = float(run.get("time_s") or 0.0)
        return f"{t:.2f}", t
    gap = run.get("gap_to_reference")
    if outcome == FEASIBLE:
        text = "t/o" if gap is None else f"t/o {100.0 * float(gap):.1f}%"
        return text, _RANK[FEASIBLE] + (float(gap) if gap is not None else 1.0)
    label = {NOSOLUTION: "no sol.", FAILED: "fail", WRONG: "WRONG", SKIPPED: "–"}
    return label.get(outcome, outcome), _RANK.get(outcome, 6e9)


def _problem_label(run: Mapping[str, Any], seeds: int) -> str:
    label = f"{run['instance_set']}/{run['instance']}"
    if seeds > 1:
        label += f" s{run.get('seed')}"
    if run.get("repeat"):
        label += f" r{run.get('repeat')}"
    return label


def instance_solver_table(ptype: str, runs: Sequence[Mapping[str, Any]],
                          solvers: Sequence[Mapping[str, Any]]) -> str:
    """Mittelmann-style: one row per problem, one column per solver, the time of a solved
    run (the fastest in bold), else what happened; totals and SGM at the foot."""
    names = sorted({str(r["solver"]) for r in runs})
    seeds = len({r.get("seed") for r in runs})
    grid: dict[tuple[Any, ...], dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for r in runs:
        grid[analysis.problem_id(r)][str(r["solver"])] = r
    t = html.escape(ptype)
    head = "".join(f'<th data-solver="{html.escape(s)}">{html.escape(s)}</th>' for s in names)
    body = []
    for pid in sorted(grid, key=lambda p: tuple(str(x) for x in p)):
        per = grid[pid]
        first = next(iter(per.values()))
        keyed = {s: _cell_text(r) for s, r in per.items()}
        fastest = min((k for _, k in keyed.values() if k < _RANK[FEASIBLE]), default=None)
        cells = [f'<td class="l">{html.escape(_problem_label(first, seeds))}</td>']
        for s in names:
            run = per.get(s)
            if run is None:
                cells.append(f'<td data-solver="{html.escape(s)}" data-sort="7e9"></td>')
                continue
            text, key = keyed[s]
            cls = str(run.get("outcome"))
            if fastest is not None and key == fastest:
                cls += " best"
            tip = (f"{run.get('status')}, objective {_fmt_num(run.get('objective'))}, "
                   f"bound {_fmt_num(run.get('bound'))}, {float(run.get('time_s') or 0):.3g} s")
            cells.append(f'<td class="{cls}" data-solver="{html.escape(s)}" '
                         f'data-sort="{key!r}" title="{html.escape(tip)}">'
                         f"{html.escape(text)}</td>")
        body.append(f'<tr data-type="{t}">' + "".join(cells) + "</tr>")
    by_solver = {str(r["solver"]): r for r in solvers if r["problem_type"] == ptype}
    foot = []
    foot_rows: tuple[tuple[str, str, Any], ...] = (
        ("solved", "solved", str),
        ("SGM time (s)", "sgm_time", lambda v: f"{v:.2f}"),
        ("rel. SGM", "sgm_relative", lambda v: f"{v:.2f}"))
    for label, name, fmt in foot_rows:
        cells = [f'<th class="l">{label}</th>']
        for s in names:
            value = by_solver.get(s, {}).get(name)
            cells.append(f'<th data-solver="{html.escape(s)}">'
                         f"{'' if value is None else html.escape(fmt(value))}</th>")
        foot.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="sortable matrix" data-type="{t}"><thead><tr>'
            f'<th class="l">instance</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            f'<tfoot>{"".join(foot)}</tfoot></table>')


def _fmt_num(value: Any) -> str:
    return "–" if value is None else f"{float(value):.6g}"


def _controls(types: Sequence[str], solvers: Sequence[str]) -> str:
    options = "".join(f'<option value="{html.escape(t)}">{html.escape(t)}</option>'
                      for t in types)
    boxes = "".join(
        f'<label><input type="checkbox" class="solver-toggle" value="{html.escape(s)}" '
        f'checked> {html.escape(s)}</label>' for s in solvers)
    return ('<div id="controls"><label>problem type <select id="type-filter">'
            f'<option value="">all types</option>{options}</select></label>'
            f'<span class="solvers">solvers: {boxes}</span></div>')


def _plots(data: ReportData, plot_format: str, ptype: str) -> list[str]:
    out = []
    if plot_format == "interactive":
        figs = []
        for profile in data.profiles:
            if profile.problem_type == ptype:
                figs.append(("profile", iplots.profile_figure(profile)))
        if ptype in data.curves:
            figs.append(("gap", iplots.gap_figure(ptype, data.curves[ptype],
                                                  data.integrals.get(ptype, {}))))
        for kind, fig in figs:
            text = json.dumps(fig, allow_nan=False, default=str).replace("</", "<\\/")
            out.append(f'<div class="plot" data-plot="{kind}-{html.escape(ptype)}">'
                       f'<script type="application/json">{text}</script></div>')
        return out
    images = figures(data, plot_format)
    for name in (f"profile-{ptype}.{plot_format}", f"gap-{ptype}.{plot_format}"):
        if name in images:
            out.append(f"<figure>{_embed(images[name], plot_format, name)}</figure>")
    return out


def _embed(image: bytes, fmt: str, alt: str) -> str:
    import base64

    if fmt == "svg":
        text = image.decode("utf-8")
        start = text.find("<svg")
        return text[start:] if start >= 0 else text
    b64 = base64.b64encode(image).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def render_html(data: ReportData, plot_format: str = "interactive",
                script_src: str | None = None) -> str:
    """The page; ``script_src``: load plotly.js from this file beside the page (one copy
    shared by the report pages, still offline) instead of inlining it (~4.6 MB)."""
    script = iplots.plotly_js() if plot_format == "interactive" else None
    if plot_format == "interactive" and script is None:
        from optikit.types import UsageError

        raise UsageError("interactive plots need plotly: pip install 'optikit[charts]' "
                         "(or --plot-format png)")
    title = "optikit benchmark report"
    if data.suites:
        title += ": " + ", ".join(s["name"] for s in data.suites)
    types = sorted({str(r.get("problem_type") or "?") for r in data.runs})
    solver_names = sorted({str(r["solver"]) for r in data.runs})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_asset('report.css')}</style>",
        (f'<script src="{html.escape(script_src)}"></script>' if script_src
         else f"<script>{script}</script>") if script else "",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Provenance</h2><table>",
        *[
            f'<tr><th class="l">{html.escape(k)}</th><td class="l">{html.escape(v)}</td></tr>'
            for k, v in provenance_summary(data)
        ],
        "</table>",
        _controls(types, solver_names),
        '<p class="note">Click a column heading to sort; click again to reverse.</p>',
        "<h2>Per solver</h2>",
        html_table(data.solvers, SUMMARY_COLUMNS, left=("problem_type", "solver"),
                   table_id="per-solver"),
        f'<p class="note">{html.escape(CONVENTIONS)}</p>',
    ]
    for ptype in types:
        t = html.escape(ptype)
        parts.append(f'<section data-type="{t}"><h2>{t}</h2><div class="plots">')
        parts.extend(_plots(data, plot_format, ptype))
        parts.append("</div><h3>Instances × solvers</h3>")
        parts.append(instance_solver_table(
            ptype, [r for r in data.runs if str(r.get("problem_type") or "?") == ptype],
            data.solvers))
        parts.append('<p class="note">Solved: time in s, the fastest in bold. t/o: stopped '
                     "at the limit with a solution (gap to the reference); no sol.: none; "
                     "hover a cell for status, objective and bound.</p></section>")
    parts.append("<h2>Per instance</h2>")
    parts.append(html_table(
        data.runs, INSTANCE_COLUMNS,
        left=("instance_set", "instance", "problem_type", "solver", "status", "outcome",
              "checked"),
        table_id="per-run",
    ))
    flagged = [r for r in data.runs if r.get("outcome") in (WRONG, FAILED, SKIPPED)]
    if flagged:
        parts.append(_flagged(flagged))
    parts.append(f"<script>{_asset('report.js')}</script></body></html>")
    return "\n".join(p for p in parts if p) + "\n"


def _flagged(flagged: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for r in flagged:
        outcome = html.escape(str(r["outcome"]))
        rows.append(
            f"<tr{_attrs(r)}><td class=\"l\">{html.escape(str(r['instance_set']))}/"
            f"{html.escape(str(r['instance']))}</td>"
            f'<td class="l">{html.escape(str(r["solver"]))}</td>'
            f'<td class="l {outcome}">{outcome}</td>'
            f'<td class="l wrap">{html.escape(str(r.get("message") or ""))}</td></tr>')
    return ('<h2>Wrong, failed and skipped runs</h2><table class="sortable"><thead><tr>'
            '<th class="l">instance</th><th class="l">solver</th><th class="l">outcome</th>'
            f'<th class="l">why</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
