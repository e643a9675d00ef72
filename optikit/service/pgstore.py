"""The job store on PostgreSQL (psycopg 3), for servers on more than one machine.

Same SQL as SQLite: placeholders become ``%s``, floats are ``DOUBLE PRECISION`` and the
event log's key a ``BIGSERIAL``.  Each thread has its own autocommit connection; a job
is claimed by a conditional ``UPDATE``, so two servers never run the same job.
"""

from __future__ import annotations

from typing import Any

from optikit.service.store import SqlStore


class PostgresStore(SqlStore):
    """Jobs, keys and events in a PostgreSQL database given by URL."""

    FLOAT = "DOUBLE PRECISION"
    SERIAL_KEY = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.create_schema()

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")
