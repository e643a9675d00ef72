"""The coordinator of ``optikit bench``: plan, dispatch, judge, record.

It is the only process that writes the ledger: each finished run is judged (re-checked)
and inserted in its own transaction as soon as its child returns.  Killing the
coordinator at any moment loses at most the runs in flight; ``--resume`` redoes
exactly those.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from optikit.bench import provenance
from optikit.bench.executors import ChildTask, DaskExecutor, Executor, LocalExecutor
from optikit.bench.ledger import CoordinatorLock, Ledger
from optikit.bench.plan import RunSpec, plan_suite
from optikit.bench.progress import BenchProgress
from optikit.bench.suite import Suite, load_suite
from optikit.bench.verdict import judge, skipped_record
from optikit.types import UsageError


@dataclass
class BenchConfig:
    suites: Sequence[Path]
    db: Path
    jobs: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    resume: bool = False
    oversubscribe: bool = False
    progress: bool = True
    #: Extra plugin directories (``optikit --plugins-dir``); children load them too.
    plugins_dirs: tuple[Path, ...] = ()


@dataclass
class BenchSummary:
    planned: int = 0
    already_done: int = 0
    ran: int = 0
    skipped: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    jobs: int = 1

    def line(self) -> str:
        parts = [f"{n} {k}" for k, n in sorted(self.outcomes.items()) if k != "skipped"]
        head = f"{self.ran} run(s) finished"
        if self.skipped:
            head += f", {self.skipped} skipped"
        if self.already_done:
            head += f", {self.already_done} already in the ledger"
        return head + (": " + ", ".join(parts) if parts else "")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def choose_jobs(
    requested: int | None, threads: Sequence[int], cores: int, oversubscribe: bool
) -> int:
    """How many runs may run at once, given the threads per run and the cores.

    The local executor also keeps the threads of the runs in flight within the cores,
    so mixed suites stay within budget; this refuses requests that could only be met
    by oversubscribing.
    """
    narrowest, widest = min(threads, default=1), max(threads, default=1)
    if not oversubscribe and widest > cores:
        raise UsageError(
            f"runs use up to {widest} threads, this machine has {cores} cores; "
            "lower `threads` in the suite or pass --oversubscribe"
        )
    if requested is None:
        return max(1, cores // max(1, narrowest))
    if requested < 1:
        raise UsageError("--jobs must be at least 1")
    if requested * narrowest > cores and not oversubscribe:
        raise UsageError(
            f"--jobs {requested} x {narrowest} thread(s) per run needs "
            f"{requested * narrowest} cores, this machine has {cores}; "
            "lower --jobs or pass --oversubscribe"
        )
    return requested


def run_bench(config: BenchConfig, stream: IO[str] | None = None) -> BenchSummary:
    """Run (or resume) the suites into the ledger; returns what happened."""
    from optikit.plugins import get_registry

    suites = [load_suite(Path(p)) for p in config.suites]
    names = Counter(s.name for s in suites)
    dupes = [n for n, c in names.items() if c > 1]
    if dupes:
        raise UsageError(f"two suite files are both named {dupes[0]!r}")
    registry = get_registry(tuple(config.plugins_dirs))
    summary = BenchSummary()
    plans: list[tuple[Suite, list[RunSpec]]] = []
    for suite in suites:
        plan = plan_suite(suite, registry)
        plans.append((suite, plan.runs))
        summary.notes.extend(plan.notes)
        summary.planned += len(plan.runs)

    lock = CoordinatorLock(config.db)
    lock.acquire()
    try:
        ledger = Ledger(config.db)
    except BaseException:
        lock.release(discard=True)
        raise
    try:
        with ledger:
            return _run(config, ledger, plans, summary, stream)
    finally:
        lock.release()


def _partition(
    config: BenchConfig, ledger: Ledger, plans: list[tuple[Suite, list[RunSpec]]],
    summary: BenchSummary,
) -> tuple[list[RunSpec], list[RunSpec]]:
    """(runs to do, runs to record as skipped); finished runs are left out."""
    todo: list[RunSpec] = []
    skipped: list[RunSpec] = []
    for suite, runs in plans:
        existing = ledger.count_runs(suite.name)
        if existing and not config.resume:
            raise UsageError(
                f"{config.db} already holds {existing} run(s) of suite {suite.name!r}; "
                "pass --resume to finish it, or use another --db"
            )
        done = ledger.finished_keys(suite.name)
        for spec in runs:
            if spec.key in done:
                summary.already_done += 1
            elif spec.skip_reason is not None:
                skipped.append(spec)
            else:
                todo.append(spec)
    return todo, skipped


def _executor(
    config: BenchConfig, todo: list[RunSpec], on_start: Callable[[ChildTask], None]
) -> tuple[Executor, int]:
    """The executor and how many runs it runs at once (within the core budget)."""
    threads = [s.threads for s in todo]
    cores = provenance.usable_cores()
    if config.executor == "local":
        jobs = choose_jobs(config.jobs, threads, cores, config.oversubscribe)
        budget = None if config.oversubscribe else cores
        return LocalExecutor(jobs, cores=budget, on_start=on_start), jobs
    if config.executor == "dask":
        if config.scheduler is None:  # a loopback cluster on this machine
            jobs = choose_jobs(config.jobs, [max(threads, default=1)], cores,
                               config.oversubscribe)
        else:
            jobs = config.jobs or 1  # the cluster's workers decide what runs at once
        return DaskExecutor(config.scheduler, jobs), jobs
    raise UsageError(f"unknown executor {config.executor!r} (local or dask)")


def _run(
    config: BenchConfig,
    ledger: Ledger,
    plans: list[tuple[Suite, list[RunSpec]]],
    summary: BenchSummary,
    stream: IO[str] | None,
) -> BenchSummary:
    from optikit.runner import check_solution

    started = _now()
    todo, skipped = _partition(config, ledger, plans, summary)
    progress: BenchProgress | None = None

    def on_start(task: ChildTask) -> None:
        if progress is not None:
            progress.refresh()

    executor, jobs = _executor(config, todo, on_start)
    summary.jobs = jobs
    suite_prov = {
        **provenance.machine(),
        "executor": executor.name,
        "scheduler": config.scheduler,
        "jobs": jobs,
        "resume": config.resume,
    }
    for suite, _ in plans:
        suite_prov["git_revision"] = provenance.git_revision(suite.directory)
        ledger.record_suite(
            suite.name, str(suite.path), suite.checksum, suite.raw, suite_prov, started
        )
    context = {
        "executor": f"dask@{config.scheduler}" if config.scheduler else executor.name,
        "jobs": jobs,
    }
    by_key = {spec.key: spec for spec in todo}
    dirs = [str(Path(d).resolve()) for d in config.plugins_dirs]
    tasks = [
        ChildTask(s.key, {**s.payload(), "plugins_dirs": dirs}, s.threads, s.kill_after)
        for s in todo
    ]
    progress = BenchProgress(
        len(todo) + len(skipped),
        [s.time_limit for s in todo],
        jobs,
        running=lambda: executor.running,
        stream=stream,
        enabled=config.progress,
    )
    with progress:
        for note in summary.notes:
            progress.note(f"note: {note}")
        for spec in skipped:
            record = skipped_record(spec, context, _now())
            ledger.record_run(record)
            summary.skipped += 1
            summary.outcomes["skipped"] += 1
            progress.run_finished(record.values)
        if tasks:
            for task, child in executor.run(tasks):
                record = judge(by_key[task.key], task, child, context, check_solution)
                ledger.record_run(record)
                summary.ran += 1
                summary.outcomes[record.values["outcome"]] += 1
                progress.run_finished(record.values)
    return summary


def describe(summary: BenchSummary) -> dict[str, Any]:
    return {
        "planned": summary.planned,
        "already_done": summary.already_done,
        "ran": summary.ran,
        "skipped": summary.skipped,
        "outcomes": dict(summary.outcomes),
        "jobs": summary.jobs,
    }
