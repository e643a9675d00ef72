"""A throw-away PostgreSQL server on loopback, for the store tests.

initdb and postgres refuse to run as root, so under root they run as the ``postgres``
user (Debian's package creates it) on a data directory that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest


def binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> dict[str, Any]:
    """Popen arguments that run PostgreSQL as an unprivileged user when we are root (the
    process itself switches user, so signals reach postgres directly)."""
    if os.geteuid() != 0:
        return {}
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("PostgreSQL tests: running as root and there is no 'postgres' user")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Start a server in a temp dir; yield its URL; stop and delete it afterwards."""
    bindir = binaries()
    if bindir is None:
        pytest.skip("PostgreSQL tests: no PostgreSQL server binaries "
                    "(apt-get install postgresql; .ci/run does)")
    pytest.importorskip("psycopg", reason="PostgreSQL tests need psycopg (the serve extra)")
    as_user = _as_user()
    base = tempfile.mkdtemp(prefix="optikit-pg-")
    data = os.path.join(base, "data")
    os.chmod(base, 0o755)
    if as_user:
        os.chown(base, as_user["user"], as_user["group"])
    port = _free_port()
    subprocess.run([f"{bindir}/initdb", "-D", data, "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"],
                   check=True, capture_output=True, cwd=base, **as_user)
    server = subprocess.Popen(
        [f"{bindir}/postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port),
         "-k", base, "-c", "fsync=off", "-c", "full_page_writes=off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=base, **as_user)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown: do not wait for clients
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)
