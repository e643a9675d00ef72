"""The job store: tenants' keys, jobs, and each job's event log, in one SQL database.

One class carries the SQL both engines share (written with ``?`` placeholders); a
subclass per engine supplies the connection and the column types.  Every method is a
single statement or a short transaction, so several server threads (and, on
PostgreSQL, several servers) can share a store.  Timestamps are Unix seconds.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optikit.service.keys import KeyRecord, hash_key, new_key

ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled")

_JOB_COLUMNS = (
    "id", "tenant", "status", "created", "started", "finished", "problem_type", "name",
    "solver", "time_limit", "options", "objective", "bound", "gap", "error",
    "cancel_requested", "attempts",
)


@dataclass
class Job:
    """One job as the API shows it; ``problem`` is filled only for the worker that runs it."""

    id: str
    tenant: str
    status: str
    created: float
    problem_type: str
    name: str
    solver: str | None
    time_limit: float
    options: dict[str, str] = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    error: str | None = None
    cancel_requested: bool = False
    attempts: int = 0
    document: dict[str, Any] | None = None
    summary: list[list[str]] | None = None
    problem: dict[str, Any] | None = None


@dataclass(frozen=True)
class Event:
    """One line of a job's event log (incumbent, bound, status change)."""

    id: int
    job_id: str
    time: float
    kind: str
    data: dict[str, Any]


class QueueFull(Exception):
    """The tenant already has as many jobs in the queue (waiting or running) as it may."""

    def __init__(self, tenant: str, active: int, retry_after: float | None) -> None:
        super().__init__(tenant)
        self.tenant = tenant
        self.active = active
        self.retry_after = retry_after
        """Seconds until the tenant's first running job reaches its time limit (None when
        none of its jobs runs yet)."""


class SqlStore:
    """The engine-independent part of a job store."""

    #: Column type of a float, and the event log's auto-increment key.
    FLOAT = "DOUBLE PRECISION"
    SERIAL_KEY = "INTEGER PRIMARY KEY AUTOINCREMENT"
    #: Whether several servers may share the store (then a starting server re-queues
    #: only the jobs of servers that stopped beating, not every running job).
    SHARED = False
    url = ""

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[Any] = []
        self._opened_lock = threading.Lock()

    # -- engine hooks -------------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        return text

    @contextlib.contextmanager
    def _serialized(self, name: str) -> Iterator[None]:
        """One transaction that no other one serialized under ``name`` overlaps, on any
        server sharing the store: a read-then-write (count, then claim or insert) holds."""
        raise NotImplementedError
        yield

    # -- plumbing -----------------------------------------------------------------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn().execute(self._sql(sql), tuple(params))

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._exec(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self._exec(sql, params).fetchone()
        return None if row is None else tuple(row)

    def close(self) -> None:
        """Close every thread's connection (a thread that uses the store later reopens)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            try:
                conn.close()
            except Exception:  # closed already, or a thread is mid-statement
                continue
        self._local = threading.local()

    def create_schema(self) -> None:
        f = self.FLOAT
        for ddl in (
            "CREATE TABLE IF NOT EXISTS api_keys (key_id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
            f" key_hash TEXT NOT NULL UNIQUE, created {f} NOT NULL, revoked {f})",
            "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
            f" status TEXT NOT NULL, created {f} NOT NULL, started {f}, finished {f},"
            " problem_type TEXT NOT NULL, name TEXT NOT NULL, solver TEXT,"
            f" time_limit {f} NOT NULL, options TEXT NOT NULL, objective {f}, bound {f},"
            f" gap {f}, error TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0,"
            " attempts INTEGER NOT NULL DEFAULT 0, problem TEXT NOT NULL, document TEXT,"
            " summary TEXT)",
            "CREATE INDEX IF NOT EXISTS jobs_tenant ON jobs (tenant, created)",
            "CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created)",
            f"CREATE TABLE IF NOT EXISTS events (id {self.SERIAL_KEY}, job_id TEXT NOT NULL,"
            f" time {f} NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS events_job ON events (job_id, id)",
            f"CREATE TABLE IF NOT EXISTS servers (id TEXT PRIMARY KEY, started {f} NOT NULL,"
            f" heartbeat {f} NOT NULL)",
        ):
            self._exec(ddl)
        columns = [d[0] for d in self._exec("SELECT * FROM jobs LIMIT 0").description]
        if "owner" not in columns:  # a store made before servers claimed jobs by name
            self._exec("ALTER TABLE jobs ADD COLUMN owner TEXT")

    # -- keys ---------------------------------------------------------------------------
    def add_key(self, tenant: str) -> tuple[KeyRecord, str]:
        """A new key for ``tenant``: its record and the key itself (shown once, never stored)."""
        key_id, key = new_key()
        now = time.time()
        self._exec("INSERT INTO api_keys (key_id, tenant, key_hash, created) VALUES (?, ?, ?, ?)",
                   (key_id, tenant, hash_key(key), now))
        return KeyRecord(key_id, tenant, now, None), key

    def list_keys(self) -> list[KeyRecord]:
        rows = self._rows("SELECT key_id, tenant, created, revoked FROM api_keys"
                          " ORDER BY tenant, created")
        return [KeyRecord(*row) for row in rows]

    def revoke_key(self, key_id: str) -> bool:
        cur = self._exec("UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                         (time.time(), key_id))
        return bool(cur.rowcount)

    def tenant_for(self, key: str) -> str | None:
        """The tenant a (not revoked) key belongs to."""
        row = self._one("SELECT tenant FROM api_keys WHERE key_hash = ? AND revoked IS NULL",
                        (hash_key(key),))
        return None if row is None else str(row[0])

    # -- jobs ---------------------------------------------------------------------------
    def submit(
        self, tenant: str, problem: dict[str, Any], *, problem_type: str, name: str,
        solver: str | None, time_limit: float, options: dict[str, str], max_queued: int,
    ) -> Job:
        """Queue a job, unless the tenant already has ``max_queued`` jobs in the queue,
        waiting or running (QueueFull)."""
        job = Job(uuid.uuid4().hex, tenant, "queued", time.time(), problem_type, name,
                  solver, float(time_limit), dict(options))
        with self._serialized(f"submit:{tenant}"):
            rows = self._rows("SELECT status, started, time_limit FROM jobs WHERE tenant = ?"
                              " AND status IN ('queued', 'running')", (tenant,))
            if len(rows) >= max_queued:
                ends = [started + limit for status, started, limit in rows
                        if status == "running" and started is not None]
                wait = max(0.0, min(ends) - job.created) if ends else None
                raise QueueFull(tenant, len(rows), wait)
            self._exec(
                "INSERT INTO jobs (id, tenant, status, created, problem_type, name, solver,"
                " time_limit, options, problem) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
                (job.id, tenant, job.created, problem_type, name, solver, job.time_limit,
                 json.dumps(job.options), json.dumps(problem)))
            self.add_event(job.id, "status", {"status": "queued"})
        return job

    def get(self, job_id: str, tenant: str | None = None, *, full: bool = True) -> Job | None:
        """A job by id; with ``tenant``, only that tenant's (anyone else's answers None)."""
        cols = ", ".join(_JOB_COLUMNS) + (", document, summary" if full else "")
        sql = f"SELECT {cols} FROM jobs WHERE id = ?"
        params: list[Any] = [job_id]
        if tenant is not None:
            sql += " AND tenant = ?"
            params.append(tenant)
        row = self._one(sql, params)
        return None if row is None else _job(row, full)

    def list_jobs(self, tenant: str, limit: int, offset: int) -> tuple[list[Job], int]:
        """A page of a tenant's jobs, newest first, and how many it has in all."""
        rows = self._rows(
            f"SELECT {', '.join(_JOB_COLUMNS)} FROM jobs WHERE tenant = ?"
            " ORDER BY created DESC, id LIMIT ? OFFSET ?", (tenant, limit, offset))
        total = self._one("SELECT COUNT(*) FROM jobs WHERE tenant = ?", (tenant,))
        return [_job(r, False) for r in rows], int(total[0] if total else 0)

    def running_count(self, tenant: str) -> int:
        row = self._one("SELECT COUNT(*) FROM jobs WHERE tenant = ? AND status = 'running'",
                        (tenant,))
        return int(row[0]) if row else 0

    def claim(self, max_running_per_tenant: int, owner: str | None = None) -> Job | None:
        """Take the oldest queued job whose tenant is under its running limit (or None),
        for the server ``owner``.

        Claims are serialized across every server of the store, so a job is never
        claimed twice and a tenant never runs more than its limit, even for a moment."""
        with self._serialized("claim"):
            row = self._one(
                "SELECT id FROM jobs j WHERE status = 'queued' AND cancel_requested = 0 AND"
                " (SELECT COUNT(*) FROM jobs r WHERE r.tenant = j.tenant"
                "  AND r.status = 'running') < ? ORDER BY created, id LIMIT 1",
                (max_running_per_tenant,))
            if row is None:
                return None
            job_id = str(row[0])
            cur = self._exec(
                "UPDATE jobs SET status = 'running', started = ?, attempts = attempts + 1,"
                " owner = ? WHERE id = ? AND status = 'queued'", (time.time(), owner, job_id))
            if not cur.rowcount:  # cannot happen while claims are serialized
                return None
            self.add_event(job_id, "status", {"status": "running"})
        job = self.get(job_id, full=False)
        got = self._one("SELECT problem FROM jobs WHERE id = ?", (job_id,))
        assert job is not None and got is not None
        job.problem = json.loads(got[0])
        return job

    def progress(self, job_id: str, time_s: float, objective: float | None,
                 bound: float | None) -> None:
        """Record a new incumbent and/or bound."""
        sets, params = [], []
        for column, value in (("objective", objective), ("bound", bound)):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        if sets:
            self._exec(f"UPDATE jobs SET {', '.join(sets)} WHERE id = ?", (*params, job_id))
        self.add_event(job_id, "progress",
                       {"time_s": time_s, "objective": objective, "bound": bound})

    def finish(self, job_id: str, status: str, *, document: dict[str, Any] | None = None,
               summary: list[list[str]] | None = None, error: str | None = None) -> None:
        """A job's end: its final status, the solution document and summary, or the reason."""
        doc = document or {}
        values = {k: doc.get(k) for k in ("objective", "bound", "gap")}
        self._exec(
            "UPDATE jobs SET status = ?, finished = ?, document = ?, summary = ?, error = ?,"
            " objective = COALESCE(?, objective), bound = COALESCE(?, bound), gap = ?"
            " WHERE id = ?",
            (status, time.time(), None if document is None else json.dumps(document),
             None if summary is None else json.dumps(summary), error,
             _num(values["objective"]), _num(values["bound"]), _num(values["gap"]), job_id))
        data: dict[str, Any] = {"status": status}
        if document is not None:
            data["solution_status"] = document.get("status")
        if error:
            data["error"] = error
        self.add_event(job_id, "status", data)

    def cancel(self, job_id: str, tenant: str) -> Job | None:
        """Stop a tenant's job: a queued one is cancelled now, a running one is asked to stop."""
        job = self.get(job_id, tenant, full=False)
        if job is None:
            return None
        if job.status == "queued":
            cur = self._exec("UPDATE jobs SET status = 'cancelled', finished = ?,"
                             " cancel_requested = 1 WHERE id = ? AND status = 'queued'",
                             (time.time(), job_id))
            if cur.rowcount:
                self.add_event(job_id, "status", {"status": "cancelled"})
                return self.get(job_id, tenant, full=False)
        self._exec("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status = 'running'",
                   (job_id,))
        return self.get(job_id, tenant, full=False)

    def cancel_requested(self, job_id: str) -> bool:
        row = self._one("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,))
        return bool(row and row[0])

    def requeue(self, job_id: str, reason: str) -> None:
        """Put a running job back in the queue (its worker was stopped, not the job)."""
        self._exec("UPDATE jobs SET status = 'queued', started = NULL, objective = NULL,"
                   " bound = NULL WHERE id = ? AND status = 'running'", (job_id,))
        self.add_event(job_id, "status", {"status": "queued", "reason": reason})

    def problem(self, job_id: str, tenant: str) -> dict[str, Any] | None:
        """The problem document a tenant's job was submitted with."""
        row = self._one("SELECT problem FROM jobs WHERE id = ? AND tenant = ?", (job_id, tenant))
        return None if row is None else dict(json.loads(row[0]))

    # -- events -------------------------------------------------------------------------
    def add_event(self, job_id: str, kind: str, data: dict[str, Any]) -> None:
        self._exec("INSERT INTO events (job_id, time, kind, data) VALUES (?, ?, ?, ?)",
                   (job_id, time.time(), kind, json.dumps(data)))

    def events(self, job_id: str, after: int = 0, limit: int = 500) -> list[Event]:
        rows = self._rows("SELECT id, job_id, time, kind, data FROM events WHERE job_id = ?"
                          " AND id > ? ORDER BY id LIMIT ?", (job_id, after, limit))
        return [Event(int(r[0]), str(r[1]), float(r[2]), str(r[3]), json.loads(r[4]))
                for r in rows]

    # -- housekeeping -------------------------------------------------------------------
    def recover(self, max_attempts: int, stale_before: float | None = None) -> tuple[int, int]:
        """Running jobs whose server is gone go back to the queue, or fail once they have
        been started ``max_attempts`` times.  Gone: every server, without
        ``stale_before``; else servers whose last heartbeat is older.  Returns
        (re-queued, failed)."""
        sql = "SELECT id, attempts FROM jobs WHERE status = 'running'"
        params: tuple[Any, ...] = ()
        if stale_before is not None:
            sql += (" AND (owner IS NULL OR owner NOT IN"
                    " (SELECT id FROM servers WHERE heartbeat >= ?))")
            params = (stale_before,)
        requeued = failed = 0
        with self._serialized("recover"):
            for job_id, attempts in self._rows(sql, params):
                if int(attempts) < max_attempts:
                    self.requeue(job_id, "its server stopped while it ran; re-queued")
                    requeued += 1
                else:
                    self.finish(job_id, "failed", error=(
                        f"its server stopped while it ran ({attempts} attempts)"))
                    failed += 1
            if stale_before is not None:
                self._exec("DELETE FROM servers WHERE heartbeat < ?", (stale_before,))
        return requeued, failed

    # -- servers ------------------------------------------------------------------------
    def heartbeat(self, server_id: str) -> None:
        """This server is alive (its running jobs are its own)."""
        now = time.time()
        cur = self._exec("UPDATE servers SET heartbeat = ? WHERE id = ?", (now, server_id))
        if not cur.rowcount:
            self._exec("INSERT INTO servers (id, started, heartbeat) VALUES (?, ?, ?)",
                       (server_id, now, now))

    def leave(self, server_id: str) -> None:
        self._exec("DELETE FROM servers WHERE id = ?", (server_id,))

    def expire(self, before: float) -> int:
        """Delete finished jobs (and their events) that ended before ``before``."""
        rows = self._rows("SELECT id FROM jobs WHERE finished IS NOT NULL AND finished < ?"
                          " AND status IN ('done', 'failed', 'cancelled')", (before,))
        for (job_id,) in rows:
            self._exec("DELETE FROM events WHERE job_id = ?", (job_id,))
            self._exec("DELETE FROM jobs WHERE id = ?", (job_id,))
        return len(rows)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _job(row: Sequence[Any], full: bool) -> Job:
    values = dict(zip(_JOB_COLUMNS, row, strict=False))
    values["options"] = json.loads(values["options"] or "{}")
    values["cancel_requested"] = bool(values["cancel_requested"])
    job = Job(**values)
    if full:
        document, summary = row[len(_JOB_COLUMNS)], row[len(_JOB_COLUMNS) + 1]
        job.document = None if document is None else json.loads(document)
        job.summary = None if summary is None else json.loads(summary)
    return job


class SQLiteStore(SqlStore):
    """The embedded store: one file in WAL mode, one connection per thread."""

    FLOAT = "REAL"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.url = str(self.path)
        self.create_schema()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextlib.contextmanager
    def _serialized(self, name: str) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the database's one write lock at once: every writer on
        # the file, in any process, waits for this transaction.
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def open_store(url: str | Path) -> SqlStore:
    """A store from ``--db``: ``postgresql://...`` or a SQLite file path."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from optikit.service.pgstore import PostgresStore

        return PostgresStore(text)
    return SQLiteStore(text)
