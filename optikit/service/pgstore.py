"""The job store on PostgreSQL (psycopg 3), for servers on more than one machine.

Same SQL as SQLite: placeholders become ``%s``, floats are ``DOUBLE PRECISION`` and the
event log's key a ``BIGSERIAL``.  Each thread has its own autocommit connection.  A
read-then-write (claiming a job, queueing one under the tenant's limit) runs in a
transaction that first takes a transaction-level advisory lock named after it, so it
runs alone across every server on the database: two servers never claim the same job,
and a tenant's running and queue limits hold exactly.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

from optikit.service.store import SqlStore


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of a lock name (stable across processes)."""
    return int.from_bytes(hashlib.sha256(f"optikit:{name}".encode()).digest()[:8], "big",
                          signed=True)


class PostgresStore(SqlStore):
    """Jobs, keys and events in a PostgreSQL database given by URL."""

    FLOAT = "DOUBLE PRECISION"
    SERIAL_KEY = "BIGSERIAL PRIMARY KEY"
    SHARED = True

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        with self._serialized("schema"):  # servers starting at once: one creates the tables
            self.create_schema()

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    @contextlib.contextmanager
    def _serialized(self, name: str) -> Iterator[None]:
        conn = self._conn()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))
            yield
