"""``optikit report``: the ledger as a table, CSV, JSON or a self-contained HTML page."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optikit.bench import analysis
from optikit.bench.ledger import Ledger

FORMATS = ("table", "csv", "json", "html")

#: The CSV's first columns are fixed by the contract; the rest follow.
CSV_COLUMNS = [
    "suite", "instance", "solver", "status", "objective", "bound", "time_s", "checked",
    "instance_set", "problem_type", "backend", "formulation", "seed", "repeat", "outcome",
    "ledger_outcome", "gap", "reference", "reference_kind", "gap_to_reference", "primal_gap",
    "is_best",
    "known_lb", "known_ub", "primal_integral", "time_limit", "threads", "gap_limit",
    "wall_s", "killed", "exit_code", "message", "log", "run_key", "instance_source",
    "instance_checksum", "optikit_version", "plugin_versions", "solver_version",
    "python_version", "platform", "cpu", "cores", "hostname", "executor", "jobs",
    "started_at", "finished_at",
]

_JSON_RUN_DROP = ("document", "log")


@dataclass
class ReportData:
    runs: list[dict[str, Any]]
    suites: list[dict[str, Any]]
    solvers: list[dict[str, Any]]
    profiles: list[analysis.Profile]
    curves: dict[str, dict[str, tuple[list[float], list[float]]]]
    integrals: dict[str, dict[str, float | None]] = field(default_factory=dict)


def collect(db: Path, suites: Sequence[str] = ()) -> ReportData:
    """Read the ledger and compute everything the formats show."""
    with Ledger(db, readonly=True) as ledger:
        rows = ledger.runs(suites or None)
        suite_rows = [s for s in ledger.suites() if not suites or s["name"] in suites]
        trajectories = ledger.trajectories(int(r["id"]) for r in rows)
    runs = analysis.annotate(rows)
    curves = analysis.attach_primal(runs, trajectories)
    solvers = analysis.solver_summary(runs)
    integrals: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in solvers:
        integrals[row["problem_type"]][row["solver"]] = row["mean_primal_integral"]
    return ReportData(
        runs=runs,
        suites=suite_rows,
        solvers=solvers,
        profiles=analysis.performance_profiles(runs),
        curves=analysis.mean_gap_curves(runs, curves),
        integrals=dict(integrals),
    )


# -- helpers -----------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 6) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return str(value)
        return f"{value:.{digits}g}"
    return str(value)


def _pct(value: Any) -> str:
    return "" if value is None else f"{100.0 * float(value):.2f}%"


def _secs(value: Any) -> str:
    return "" if value is None else f"{float(value):.2f}"


def provenance_summary(data: ReportData) -> list[tuple[str, str]]:
    """Key/value lines: what ran, where, with which versions and limits."""

    def distinct(key: str) -> str:
        vals = sorted({str(r[key]) for r in data.runs if r.get(key) not in (None, "")})
        return ", ".join(vals)

    solver_versions = sorted({
        f"{r['backend']} {r['solver_version']}".strip()
        for r in data.runs if r.get("backend") and r.get("solver_version")
    })
    plugins: dict[str, set[str]] = defaultdict(set)
    for r in data.runs:
        for name, version in (r.get("plugin_versions") or {}).items():
            plugins[name].add(str(version))
    lines = [
        ("suites", ", ".join(f"{s['name']} ({s['path']})" for s in data.suites)),
        ("runs", str(len(data.runs))),
        ("optikit", distinct("optikit_version")),
        ("plugins", ", ".join(f"{n} {'/'.join(sorted(v))}" for n, v in sorted(plugins.items()))),
        ("solvers", ", ".join(solver_versions)),
        ("python", distinct("python_version")),
        ("platform", distinct("platform")),
        ("CPU", distinct("cpu")),
        ("cores", distinct("cores")),
        ("hosts", distinct("hostname")),
        ("executor", distinct("executor")),
        ("concurrent runs", distinct("jobs")),
        ("threads per run", distinct("threads")),
        ("time limits (s)", distinct("time_limit")),
        ("seeds", distinct("seed")),
        ("git revision", ", ".join(sorted({
            str(s["provenance"].get("git_revision")) for s in data.suites
            if s.get("provenance", {}).get("git_revision")
        }))),
        ("first run", min((str(r["started_at"]) for r in data.runs if r.get("started_at")),
                          default="")),
        ("last run", max((str(r["finished_at"]) for r in data.runs if r.get("finished_at")),
                         default="")),
    ]
    return [(k, v) for k, v in lines if v]


CONVENTIONS = (
    "Times are the solve's wall time. Speed aggregates charge every run that was not solved "
    f"(including failed and wrong runs) at its time limit and count times below "
    f"{analysis.TIME_FLOOR:g} s as {analysis.TIME_FLOOR:g} s. SGM = shifted geometric mean "
    f"with shift {analysis.SHIFT:g} s; 'rel.' is relative to the best solver of the type. "
    "'best' counts runs that reached the best checked objective of their instance. "
    "Gaps are to the best-known value where the suite records one, else to the best checked "
    "objective any run found (marked *). 'primal gap' is the mean over a solver's runs of "
    "Berthold's primal gap of the final solution (100 % without a checked solution). "
    "The primal integral (Berthold 2013) is the primal gap "
    "integrated over [0, time limit], in seconds. A claim refuted by the independent "
    "checker, a best-known bound, or another run's checked solution is counted as wrong."
)


SUMMARY_COLUMNS = [
    ("type", "problem_type", str),
    ("solver", "solver", str),
    ("runs", "runs", str),
    ("solved", "solved", str),
    ("best", "best", str),
    ("feasible", "feasible", str),
    ("no sol.", "nosolution", str),
    ("failed", "failed", str),
    ("wrong", "wrong", str),
    ("skipped", "skipped", str),
    ("SGM time (s)", "sgm_time", _secs),
    ("rel.", "sgm_relative", lambda v: "" if v is None else f"{v:.2f}"),
    ("primal gap", "mean_primal_gap", _pct),
    ("primal int. (s)", "mean_primal_integral", lambda v: "" if v is None else f"{v:.3g}"),
]

INSTANCE_COLUMNS = [
    ("set", "instance_set", str),
    ("instance", "instance", str),
    ("type", "problem_type", lambda v: v or ""),
    ("solver", "solver", str),
    ("seed", "seed", str),
    ("rep", "repeat", str),
    ("status", "status", str),
    ("outcome", "outcome", str),
    ("objective", "objective", _fmt),
    ("bound", "bound", _fmt),
    ("reference", "reference", None),
    ("gap to ref.", "gap_to_reference", _pct),
    ("time (s)", "time_s", _secs),
    ("check", "checked", str),
]


def _reference(row: Mapping[str, Any]) -> str:
    """The reference value; a star marks one found by a run (no best-known value)."""
    value = row.get("reference")
    if value is None:
        return ""
    return _fmt(value) + ("*" if row.get("reference_kind") == "best-found" else "")


def _cells(row: Mapping[str, Any], columns: Iterable[tuple[str, str, Any]]) -> list[str]:
    out = []
    for _, key, fn in columns:
        if key == "reference":
            out.append(_reference(row))
        else:
            out.append(fn(row.get(key)) if row.get(key) is not None else "")
    return out


# -- formats ------------------------------------------------------------------------------


def render_table(data: ReportData, width: int = 200) -> str:
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, force_terminal=False,
                      highlight=False)
    prov = Table(title="Provenance", show_header=False, box=None)
    for k, v in provenance_summary(data):
        prov.add_row(k, v)
    console.print(prov)
    summary = Table(title="Per solver")
    for title, _, _ in SUMMARY_COLUMNS:
        summary.add_column(title, justify="left" if title in ("type", "solver") else "right")
    for row in data.solvers:
        summary.add_row(*_cells(row, SUMMARY_COLUMNS))
    console.print(summary)
    inst = Table(title="Per instance")
    for title, _, _ in INSTANCE_COLUMNS:
        inst.add_column(title, no_wrap=title in ("set", "instance", "solver"))
    for r in data.runs:
        inst.add_row(*_cells(r, INSTANCE_COLUMNS))
    console.print(inst)
    flagged = [r for r in data.runs if r.get("outcome") in ("wrong", "failed", "skipped")]
    if flagged:
        notes = Table(title="Wrong, failed and skipped runs")
        for title in ("instance", "solver", "outcome", "why"):
            notes.add_column(title, overflow="fold")
        for r in flagged:
            notes.add_row(f"{r['instance_set']}/{r['instance']}", str(r["solver"]),
                          str(r["outcome"]), str(r.get("message") or ""))
        console.print(notes)
    console.print(CONVENTIONS, soft_wrap=False)
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value


def render_csv(data: ReportData) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in data.runs:
        writer.writerow([_csv_value(r.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def render_json(data: ReportData) -> str:
    doc = {
        "schema_version": 1,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "conventions": {
            "sgm_shift_s": analysis.SHIFT,
            "time_floor_s": analysis.TIME_FLOOR,
            "unsolved_charged_at": "time_limit",
        },
        "provenance": dict(provenance_summary(data)),
        "suites": data.suites,
        "solvers": data.solvers,
        "profiles": [
            {"problem_type": p.problem_type, "problems": p.problems, "ratios": p.ratios}
            for p in data.profiles
        ],
        "runs": [{k: v for k, v in r.items() if k not in _JSON_RUN_DROP} for r in data.runs],
    }
    return json.dumps(_json_safe(doc), indent=2, sort_keys=False, default=str) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}
th{background:#f4f4f4}td.l,th.l{text-align:left}
.solved{color:#176b1c}.feasible{color:#6b5a17}.nosolution,.failed{color:#a03010}
.wrong{color:#fff;background:#c0182a}.skipped{color:#777}
.plots{display:flex;flex-wrap:wrap;gap:1em}.plots figure{margin:0}
.plots img,.plots svg{max-width:640px;height:auto}
p.note{max-width:60em;font-size:.85em;color:#555}
"""


def _html_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str, Any]],
    left: Sequence[str] = (),
) -> str:
    head = "".join(
        f'<th class="{"l" if key in left else ""}">{html.escape(title)}</th>'
        for title, key, _ in columns
    )
    body = []
    for row in rows:
        cells = []
        for (_, key, _), text in zip(columns, _cells(row, columns), strict=True):
            cls = "l" if key in left else ""
            if key == "outcome":
                cls += f" {html.escape(str(row.get('outcome')))}"
            cells.append(f'<td class="{cls.strip()}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _embed(image: bytes, fmt: str, alt: str) -> str:
    if fmt == "svg":
        text = image.decode("utf-8")
        start = text.find("<svg")
        return text[start:] if start >= 0 else text
    b64 = base64.b64encode(image).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def figures(data: ReportData, fmt: str = "png") -> dict[str, bytes]:
    """File name -> image bytes for every plot of the report."""
    from optikit.bench import plots

    out: dict[str, bytes] = {}
    for profile in data.profiles:
        out[f"profile-{profile.problem_type}.{fmt}"] = plots.performance_profile(profile, fmt)
    for ptype, curves in data.curves.items():
        out[f"gap-{ptype}.{fmt}"] = plots.gap_over_time(
            ptype, curves, data.integrals.get(ptype, {}), fmt
        )
    return out


def render_html(data: ReportData, fmt: str = "png") -> str:
    images = figures(data, fmt)
    title = "optikit benchmark report"
    if data.suites:
        title += ": " + ", ".join(s["name"] for s in data.suites)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Provenance</h2><table>",
        *[
            f'<tr><th class="l">{html.escape(k)}</th><td class="l">{html.escape(v)}</td></tr>'
            for k, v in provenance_summary(data)
        ],
        "</table>",
        "<h2>Per solver</h2>",
        _html_table(data.solvers, SUMMARY_COLUMNS, left=("problem_type", "solver")),
        f'<p class="note">{html.escape(CONVENTIONS)}</p>',
    ]
    types = sorted({p.problem_type for p in data.profiles} | set(data.curves))
    for ptype in types:
        parts.append(f"<h2>Plots: {html.escape(ptype)}</h2><div class=\"plots\">")
        for name in (f"profile-{ptype}.{fmt}", f"gap-{ptype}.{fmt}"):
            if name in images:
                parts.append(f"<figure>{_embed(images[name], fmt, name)}</figure>")
        parts.append("</div>")
    parts.append("<h2>Per instance</h2>")
    parts.append(_html_table(
        data.runs, INSTANCE_COLUMNS,
        left=("instance_set", "instance", "problem_type", "solver", "status", "outcome",
              "checked"),
    ))
    flagged = [r for r in data.runs if r.get("outcome") in ("wrong", "failed", "skipped")]
    if flagged:
        parts.append("<h2>Wrong, failed and skipped runs</h2><table><thead><tr>"
                     '<th class="l">instance</th><th class="l">solver</th>'
                     '<th class="l">outcome</th><th class="l">why</th></tr></thead><tbody>')
        for r in flagged:
            parts.append(
                f'<tr><td class="l">{html.escape(r["instance_set"])}/'
                f'{html.escape(r["instance"])}</td>'
                f'<td class="l">{html.escape(str(r["solver"]))}</td>'
                f'<td class="l {html.escape(str(r["outcome"]))}">'
                f'{html.escape(str(r["outcome"]))}</td>'
                f'<td class="l" style="white-space:normal">'
                f'{html.escape(str(r.get("message") or ""))}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(data: ReportData, fmt: str, plot_format: str = "png") -> str:
    if fmt == "table":
        return render_table(data)
    if fmt == "csv":
        return render_csv(data)
    if fmt == "json":
        return render_json(data)
    if fmt == "html":
        return render_html(data, plot_format)
    raise ValueError(f"unknown format {fmt!r}")
