"""``optikit report``: the ledger as a table, CSV or JSON; the HTML page is drawn by
:mod:`optikit.bench.report_html` from the same :class:`ReportData`."""

from __future__ import annotations

import csv
import datetime as dt
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
    f"{analysis.TIME_FLOOR:g} s as {analysis.TIME_FLOOR:g} s (performance profiles count "
    f"them as {analysis.PROFILE_FLOOR:g} s, so sub-second solvers differ there). "
    f"SGM = shifted geometric mean with shift {analysis.SHIFT:g} s; "
    "'rel.' is relative to the best solver of the type. "
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
            "profile_time_floor_s": analysis.PROFILE_FLOOR,
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


def render(data: ReportData, fmt: str, plot_format: str = "interactive",
           script_src: str | None = None) -> str:
    if fmt == "table":
        return render_table(data)
    if fmt == "csv":
        return render_csv(data)
    if fmt == "json":
        return render_json(data)
    if fmt == "html":
        from optikit.bench.report_html import render_html

        return render_html(data, plot_format, script_src)
    raise ValueError(f"unknown format {fmt!r}")
