"""The SQLite run ledger: one row per finished run, written by the coordinator only.

Workers never touch the database; the coordinator inserts each finished run (with its
trajectory) in one transaction, so a coordinator killed at any point leaves a consistent
file, and ``--resume`` skips every run key already present.  WAL mode lets ``optikit
report`` (or ``sqlite3``) read while a suite is running.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optikit.types import OptikitError

SCHEMA_VERSION = 1

# Column name -> SQL type, in table order.  Everything a report or an auditor needs
# to reproduce or judge a run lives in its row (provenance included).
RUN_COLUMNS: dict[str, str] = {
    "run_key": "TEXT NOT NULL UNIQUE",
    "suite": "TEXT NOT NULL",
    "instance_set": "TEXT NOT NULL",
    "instance": "TEXT NOT NULL",
    "problem_type": "TEXT",
    "sense": "TEXT",
    "instance_source": "TEXT",
    "instance_checksum": "TEXT",
    "solver": "TEXT NOT NULL",
    "backend": "TEXT",
    "formulation": "TEXT",
    "seed": "INTEGER NOT NULL",
    "repeat": "INTEGER NOT NULL",
    "time_limit": "REAL NOT NULL",
    "threads": "INTEGER NOT NULL",
    "gap_limit": "REAL",
    "kill_after": "REAL",
    "options": "TEXT",
    # What happened.
    "status": "TEXT NOT NULL",
    "outcome": "TEXT NOT NULL",
    "checked": "TEXT NOT NULL",
    "objective": "REAL",
    "bound": "REAL",
    "gap": "REAL",
    "known_lb": "REAL",
    "known_ub": "REAL",
    "time_s": "REAL",
    "wall_s": "REAL",
    "exit_code": "INTEGER",
    "killed": "INTEGER NOT NULL DEFAULT 0",
    "message": "TEXT",
    "violations": "TEXT",
    "document": "TEXT",
    "timings": "TEXT",
    "log": "TEXT",
    # Provenance.
    "optikit_version": "TEXT",
    "plugin_versions": "TEXT",
    "solver_version": "TEXT",
    "python_version": "TEXT",
    "platform": "TEXT",
    "cpu": "TEXT",
    "cores": "INTEGER",
    "hostname": "TEXT",
    "executor": "TEXT",
    "jobs": "INTEGER",
    "started_at": "TEXT",
    "finished_at": "TEXT",
}

_JSON_COLUMNS = ("options", "violations", "document", "plugin_versions", "timings")

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS suites (
        name TEXT PRIMARY KEY,
        path TEXT,
        checksum TEXT,
        config TEXT,
        provenance TEXT,
        first_started TEXT,
        last_started TEXT
    )""",
    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    + ", ".join(f'"{name}" {kind}' for name, kind in RUN_COLUMNS.items())
    + ")",
    "CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, instance_set, instance)",
    """CREATE TABLE IF NOT EXISTS trajectory (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        time_s REAL NOT NULL,
        objective REAL,
        bound REAL,
        source TEXT,
        PRIMARY KEY (run_id, seq)
    )""",
]


class LedgerError(OptikitError):
    """The database cannot be used as a ledger (wrong schema, locked by a coordinator)."""


@dataclass
class RunRecord:
    """A finished (or skipped) run as stored in the ledger."""

    values: dict[str, Any]
    trajectory: Sequence[tuple[float, float | None, float | None, str]] = field(
        default_factory=list
    )


class Ledger:
    """A ledger file.  Open one per process; only the coordinator writes."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            if not self.path.exists():
                raise LedgerError(f"{self.path}: no such ledger")
            uri = f"file:{self.path.resolve()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, timeout=30)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=30)
        try:
            self._open(readonly)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise LedgerError(f"{self.path}: not an optikit ledger ({exc})") from None

    def _open(self, readonly: bool) -> None:
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            # Never add ledger tables to some other database (or a corrupt file).
            tables = {
                row[0]
                for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables and "meta" not in tables:
                raise LedgerError(
                    f"{self.path}: not an optikit ledger (an SQLite file with other tables: "
                    f"{', '.join(sorted(tables)[:5])}); use a new --db file"
                )
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
            self._create()
        self._check_version()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------

    def _create(self) -> None:
        with self._transaction() as cur:
            for statement in _DDL:
                cur.execute(statement)
            cur.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def _check_version(self) -> None:
        try:
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: not an optikit ledger ({exc})") from None
        if row is None or str(row[0]) != str(SCHEMA_VERSION):
            found = None if row is None else row[0]
            raise LedgerError(
                f"{self.path}: ledger schema version {found}, this optikit reads "
                f"{SCHEMA_VERSION}"
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()
        finally:
            cur.close()

    # -- writing (coordinator only) -------------------------------------------------

    def record_suite(
        self, name: str, path: str, checksum: str, config: Mapping[str, Any],
        provenance: Mapping[str, Any], started: str,
    ) -> None:
        with self._transaction() as cur:
            cur.execute(
                """INSERT INTO suites (name, path, checksum, config, provenance,
                                       first_started, last_started)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET path = excluded.path,
                       checksum = excluded.checksum, config = excluded.config,
                       provenance = excluded.provenance, last_started = excluded.last_started""",
                (name, path, checksum, _dumps(config), _dumps(provenance), started, started),
            )

    def record_run(self, record: RunRecord) -> int:
        """Insert one run and its trajectory in a single transaction; returns its id.

        A skipped run may be replaced later (the plugin may have been installed since);
        any other existing key is a programming error and raises.
        """
        values = {k: record.values[k] for k in RUN_COLUMNS if record.values.get(k) is not None}
        for key in _JSON_COLUMNS:
            if key in values and not isinstance(values[key], str):
                values[key] = _dumps(values[key])
        names = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        with self._transaction() as cur:
            cur.execute(
                "DELETE FROM runs WHERE run_key = ? AND outcome = 'skipped'", (values["run_key"],)
            )
            cur.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(values.values()))
            run_id = int(cur.lastrowid or 0)
            cur.executemany(
                "INSERT INTO trajectory (run_id, seq, time_s, objective, bound, source) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, i, *event) for i, event in enumerate(record.trajectory)],
            )
        return run_id

    # -- reading --------------------------------------------------------------------

    def finished_keys(self, suite: str | None = None) -> set[str]:
        """Keys of runs that must not be redone (everything except skipped runs)."""
        sql = "SELECT run_key FROM runs WHERE outcome != 'skipped'"
        args: tuple[Any, ...] = ()
        if suite is not None:
            sql += " AND suite = ?"
            args = (suite,)
        return {row[0] for row in self.conn.execute(sql, args)}

    def count_runs(self, suite: str | None = None) -> int:
        if suite is None:
            return int(self.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        row = self.conn.execute("SELECT COUNT(*) FROM runs WHERE suite = ?", (suite,)).fetchone()
        return int(row[0])

    def suites(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM suites ORDER BY name").fetchall()
        out = []
        for row in rows:
            d = dict(row)
            for key in ("config", "provenance"):
                d[key] = json.loads(d[key]) if d[key] else {}
            out.append(d)
        return out

    def runs(self, suites: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every run (optionally of some suites) as dicts, JSON columns decoded."""
        sql = "SELECT * FROM runs"
        args: list[Any] = []
        wanted = list(suites) if suites is not None else None
        if wanted:
            sql += " WHERE suite IN (" + ", ".join("?" for _ in wanted) + ")"
            args = wanted
        sql += " ORDER BY suite, instance_set, instance, solver, seed, repeat, id"
        out = []
        for row in self.conn.execute(sql, args):
            d = dict(row)
            for key in _JSON_COLUMNS:
                if d.get(key):
                    d[key] = json.loads(d[key])
            out.append(d)
        return out

    def trajectories(self, run_ids: Iterable[int]) -> dict[int, list[tuple[float, Any, Any]]]:
        ids = list(run_ids)
        result: dict[int, list[tuple[float, Any, Any]]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"SELECT run_id, time_s, objective, bound FROM trajectory "
                f"WHERE run_id IN ({marks}) ORDER BY run_id, seq",
                chunk,
            )
            for run_id, t, obj, bound in rows:
                result[run_id].append((t, obj, bound))
        return result

    def integrity(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class CoordinatorLock:
    """An exclusive OS lock next to the ledger, so two coordinators never share one file.

    The kernel releases it when the holder dies (even by SIGKILL), so a killed suite
    can always be resumed.
    """

    def __init__(self, ledger_path: Path) -> None:
        self.path = Path(str(ledger_path) + ".lock")
        self._fh: Any = None
        self._created = False

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: no locking
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._created = not self.path.exists()
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            raise LedgerError(
                f"{self.path.with_suffix('')}: another `optikit bench` is writing this ledger"
            ) from None

    def release(self, *, discard: bool = False) -> None:
        """Unlock; with ``discard``, also remove a lock file this lock created (a
        refused ledger should leave nothing behind beside the user's file)."""
        if self._fh is not None:
            if discard and self._created:
                self.path.unlink(missing_ok=True)
            self._fh.close()
            self._fh = None
