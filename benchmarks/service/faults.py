"""Fault figures of `optikit serve` (issue target): a real server process with a SQLite
store and 2 workers takes N jobs from 2 tenants; a worker process is SIGKILLed mid-solve,
then the whole server is SIGKILLed mid-queue and started again on the same database.
Every job must end done (with a checked document), failed with a reason, or be re-run;
none may stay running or queued, none be lost or doubled.

    .venv/bin/python benchmarks/service/faults.py [--jobs 40] [--problem FILE]
        [--time-limit 2] [--option KEY=VALUE] [--db postgresql://... | --temp-postgres]
        [--json OUT]

With ``--db postgresql://...`` the store is PostgreSQL, where a restarted server takes
back the jobs of the dead one once its heartbeat is ``--stale-s`` old.

Exits 1 when any of those promises is broken.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
FINAL = ("done", "failed", "cancelled")
TENANTS = ("plant-a", "plant-b")
START_TIMEOUT_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--problem", default=str(ROOT / "problems/fjsp/mixed_model_line.yaml"))
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--option", action="append", default=[], help="KEY=VALUE per job")
    parser.add_argument("--kill-after", type=float,
                        help="seconds into the solves to kill a worker (default: a quarter "
                             "of the time limit, at most 0.5)")
    parser.add_argument("--db", help="a postgresql:// store (default: a new SQLite file)")
    parser.add_argument("--temp-postgres", action="store_true",
                        help="--db on a throw-away PostgreSQL server started here, as the "
                             "tests do (needs the server binaries)")
    parser.add_argument("--stale-s", type=float, default=10.0,
                        help="on PostgreSQL: a silent server's jobs are taken over after this")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.jobs < 6:
        parser.error("--jobs: at least 6, so that jobs are still queued when the server dies")
    if args.kill_after is None:
        args.kill_after = min(0.5, args.time_limit / 4)
    with contextlib.ExitStack() as stack:
        if args.temp_postgres:
            sys.path.insert(0, str(ROOT))
            from tests.service.postgres import running_server

            args.db = stack.enter_context(running_server())
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="optikit-faults-"))
        figures = run(args, Path(tmp))
    print_report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    sys.exit(0 if figures["ok"] else 1)


# -- the server process ----------------------------------------------------------------
class Server:
    """``optikit serve`` as its own process (own session), logging to a file."""

    def __init__(self, db: str, log: Path, stale_s: float) -> None:
        self.db, self.log = db, log
        self.env = {**os.environ, "OPTIKIT_SERVICE_SERVER_STALE_S": str(stale_s),
                    "OPTIKIT_SERVICE_HEARTBEAT_S": str(max(0.5, stale_s / 5))}
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait for /health; the seconds that took."""
        t0 = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "optikit", "serve", "--port", str(self.port),
                 "--db", str(self.db), "--workers", "2", "--max-running-per-tenant", "2",
                 "--max-queued-per-tenant", "100000"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() - t0 > START_TIMEOUT_S:
                raise SystemExit(f"the server did not start; its log:\n{self.tail()}")
            time.sleep(0.05)

    def workers(self) -> list[int]:
        """The server's worker processes, found in the process tree."""
        assert self.proc is not None
        return [pid for pid in children(self.proc.pid)
                if b"optikit.service.worker" in _read(f"/proc/{pid}/cmdline")]

    def kill(self) -> None:
        """SIGKILL the server process alone (its workers are left to notice)."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid, from /proc (None once it is gone)."""
    text = _read(f"/proc/{pid}/stat").decode(errors="replace")
    if ")" not in text:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid:
                out.append(int(entry))
    return out


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


# -- the scenario ----------------------------------------------------------------------
class Client:
    """The API as the two tenants see it."""

    def __init__(self, server: Server, keys: dict[str, str]) -> None:
        self.server = server
        self.keys = keys

    def auth(self, tenant: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant]}"}

    def submit(self, tenant: str, problem: Path, params: dict[str, Any]) -> str:
        response = httpx.post(f"{self.server.url}/v1/jobs", headers=self.auth(tenant),
                              params=params, timeout=60,
                              files={"file": (problem.name, problem.read_bytes())})
        if response.status_code != 202:
            raise SystemExit(f"submitting failed: {response.status_code} {response.text}")
        return str(response.json()["id"])

    def jobs(self) -> dict[str, dict[str, Any]]:
        """Every job of both tenants (paged), by id."""
        out: dict[str, dict[str, Any]] = {}
        for tenant in self.keys:
            offset = 0
            while True:
                page = httpx.get(f"{self.server.url}/v1/jobs", headers=self.auth(tenant),
                                 params={"limit": 200, "offset": offset}, timeout=60).json()
                for job in page["jobs"]:
                    out[job["id"]] = {**job, "tenant": tenant}
                offset += len(page["jobs"])
                if not page["jobs"] or offset >= page["total"]:
                    break
        return out

    def job(self, job_id: str, tenant: str) -> dict[str, Any]:
        return dict(httpx.get(f"{self.server.url}/v1/jobs/{job_id}", headers=self.auth(tenant),
                              timeout=60).json())


def _epoch(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp).timestamp()


def _statuses(jobs: dict[str, dict[str, Any]]) -> Counter[str]:
    return Counter(j["status"] for j in jobs.values())


def _wait_for(client: Client, test: Any, timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = client.jobs()
        if test(jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.1)


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from optikit.service.store import open_store

    db, problem = args.db or str(tmp / "jobs.sqlite"), Path(args.problem)
    store = open_store(db)
    run_id = os.urandom(3).hex()  # a shared database may hold other runs' jobs
    keys = {f"{t}-{run_id}": store.add_key(f"{t}-{run_id}")[1] for t in TENANTS}
    tenants = list(keys)
    server = Server(db, tmp / "server.log", args.stale_s)
    figures: dict[str, Any] = {"store": "postgresql" if args.db else "sqlite",
                               "jobs": args.jobs, "tenants": len(TENANTS), "workers": 2,
                               "problem": problem.name, "time_limit": args.time_limit,
                               "options": args.option}
    t_all = time.monotonic()
    try:
        figures["first_start_s"] = round(server.start(), 2)
        client = Client(server, keys)
        params: dict[str, Any] = {"time_limit": args.time_limit}
        if args.option:
            params["option"] = args.option
        submitted = {client.submit(tenants[i % 2], problem, params): tenants[i % 2]
                     for i in range(args.jobs)}

        # 1. a worker process dies mid-solve (again, should the kill find it idle)
        def killed(jobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            return [j for j in jobs.values() if "SIGKILL" in (j["error"] or "")]

        failed: list[dict[str, Any]] = []
        tries = 0
        while not failed and tries < 3:
            tries += 1
            _wait_for(client, lambda jobs: _statuses(jobs)["running"] >= 2, 120)
            time.sleep(args.kill_after)  # well into the solve
            running = [j for j in client.jobs().values() if j["status"] == "running"]
            os.kill(server.workers()[0], signal.SIGKILL)
            t_kill = time.monotonic()
            failed = killed(_wait_for(client, lambda jobs: bool(killed(jobs)), 10))
        figures["worker_kill"] = {
            "running_then": len(running), "tries": tries,
            "job_failed_after_s": round(time.monotonic() - t_kill, 2),
            "job_error": failed[0]["error"] if failed else None,
        }

        # 2. the whole server dies mid-queue
        quarter = max(1, args.jobs // 4)

        def mid_queue(jobs: dict[str, dict[str, Any]]) -> bool:
            counts = _statuses(jobs)
            return counts["done"] >= quarter and counts["running"] >= 1 and counts["queued"] >= 1

        before = _wait_for(client, mid_queue, 120 + args.jobs * (args.time_limit + 2))
        if not mid_queue(before):
            raise SystemExit(f"the queue never was mid-way: {dict(_statuses(before))}")
        workers = server.workers()
        server.kill()
        t_dead = time.monotonic()
        left_running = [str(j) for (j,) in store._rows(
            "SELECT id FROM jobs WHERE status = 'running' AND tenant IN (?, ?)", tenants)]
        while any(alive(p) for p in workers) and time.monotonic() - t_dead < 30:
            time.sleep(0.02)
        stray = [p for p in workers if alive(p)]
        for pid in stray:
            os.kill(pid, signal.SIGKILL)
        figures["server_kill"] = {
            "statuses_then": dict(_statuses(before)),
            "running_in_store": len(left_running),
            "workers_gone_after_s": round(time.monotonic() - t_dead, 2),
            "workers_left_behind": len(stray),
        }

        # 3. the server starts again on the same database
        t_restart = time.time()
        health_s = server.start()
        deadline = 120 + 3 * args.jobs * (args.time_limit + 2)
        final = _wait_for(client, lambda jobs: all(
            row["status"] in FINAL for row in jobs.values()), deadline)

        def after(stamps: list[str | None], pick: Any) -> float | None:
            """Seconds from the restart to the earliest/latest of the jobs' timestamps."""
            times = [_epoch(t) for t in stamps if t]
            later = [t - t_restart for t in times if t > t_restart]
            return round(pick(later), 2) if later else None

        figures["restart"] = {
            "health_after_s": round(health_s, 2),
            "left_running_claimed_again_after_s": after(
                [final[j]["started"] for j in left_running if j in final], max),
            "first_job_finished_after_s": after([j["finished"] for j in final.values()], min),
            "all_finished_after_s": after([j["finished"] for j in final.values()], max),
        }
        figures["total_s"] = round(time.monotonic() - t_all, 1)
        figures.update(verdict(client, submitted, final, left_running))
    finally:
        server.stop()
        store.close()
    figures["server_log_tail"] = server.tail(8)
    return figures


def verdict(client: Client, submitted: dict[str, str], final: dict[str, dict[str, Any]],
            left_running: list[str]) -> dict[str, Any]:
    """Count the final states and check every promise."""
    statuses = _statuses(final)
    attempts = Counter(int(j["attempts"]) for j in final.values())
    failed_reasons = Counter(str(j["error"]).split(" (")[0] for j in final.values()
                             if j["status"] == "failed")
    unchecked = 0
    for job_id, row in final.items():
        if row["status"] == "done":
            document = client.job(job_id, row["tenant"]).get("document") or {}
            unchecked += not (document.get("check") or {}).get("feasible")
    rerun = [j for j, row in final.items() if int(row["attempts"]) > 1]
    out = {
        "final": dict(statuses),
        "attempts": {str(k): v for k, v in sorted(attempts.items())},
        "rerun": len(rerun),
        "left_running_rerun": sum(final[j]["attempts"] > 1 for j in left_running if j in final),
        "failed_reasons": dict(failed_reasons),
        "stuck_running": statuses["running"],
        "stuck_queued": statuses["queued"],
        "failed_without_reason": sum(1 for j in final.values()
                                     if j["status"] == "failed" and not j["error"]),
        "done_without_checked_document": unchecked,
        "lost": len(set(submitted) - set(final)),
        "unknown": len(set(final) - set(submitted)),
    }
    out["ok"] = (not any(out[k] for k in ("stuck_running", "stuck_queued",
                                          "failed_without_reason",
                                          "done_without_checked_document", "lost", "unknown"))
                 and statuses["cancelled"] == 0)
    return out


def print_report(f: dict[str, Any]) -> None:
    w, s, r = f["worker_kill"], f["server_kill"], f["restart"]
    print(f"store: {f['store']}; jobs: {f['jobs']} from {f['tenants']} tenants, "
          f"{f['workers']} workers, problem {f['problem']}, "
          f"time limit {f['time_limit']:g} s {' '.join(f['options'])}")
    again = f" (kill {w['tries']}: the earlier ones found it idle)" if w["tries"] > 1 else ""
    print(f"worker SIGKILLed with {w['running_then']} jobs running{again}: its job failed "
          f"{w['job_failed_after_s']} s later: {w['job_error']!r}")
    print(f"server SIGKILLed at {s['statuses_then']}: {s['running_in_store']} left running "
          f"in the store; its workers exited {s['workers_gone_after_s']} s later "
          f"({s['workers_left_behind']} left behind)")
    print(f"restart: /health after {r['health_after_s']} s; first job finished after "
          f"{r['first_job_finished_after_s']} s; the jobs left running were claimed again "
          f"after {r['left_running_claimed_again_after_s']} s; all finished after "
          f"{r['all_finished_after_s']} s")
    print(f"final: {f['final']}  attempts: {f['attempts']}  re-run: {f['rerun']} "
          f"({f['left_running_rerun']} of those the dead server left running)")
    print(f"failed, by reason: {f['failed_reasons']}")
    print(f"stuck running: {f['stuck_running']}, stuck queued: {f['stuck_queued']}, "
          f"failed without a reason: {f['failed_without_reason']}, done without a checked "
          f"document: {f['done_without_checked_document']}, lost: {f['lost']}")
    print(f"total {f['total_s']} s: {'OK' if f['ok'] else 'BROKEN PROMISE'}")


if __name__ == "__main__":
    main()
