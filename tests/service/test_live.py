"""Against the real server on loopback: slow and oversize clients, and the commands
``optikit keys`` and ``optikit serve`` themselves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
from click.testing import CliRunner

from optikit.cli import cli
from tests.service.conftest import Served


def _raw(served: Served, request: bytes, stall: bool = False) -> str:
    address = urlparse(served.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request)
        if not stall:
            sock.shutdown(socket.SHUT_WR)
        return sock.recv(4096).decode("latin-1")


def test_a_slow_body_answers_408_and_a_declared_huge_one_413(served: Served) -> None:
    head = (f"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {served.keys['acme']}"
            "\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n")
    slow = _raw(served, head.replace("{n}", "1000").encode() + b'{"type":', stall=True)
    assert slow.startswith("HTTP/1.1 408"), slow[:200]
    huge = _raw(served, head.replace("{n}", str(10**12)).encode(), stall=True)
    assert huge.startswith("HTTP/1.1 413"), huge[:200]
    assert served.client.get("/health").status_code == 200


def test_keys_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "k.sqlite")
    runner = CliRunner()
    added = runner.invoke(cli, ["keys", "add", "acme", "--db", db])
    assert added.exit_code == 0
    key = added.output.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    listed = runner.invoke(cli, ["keys", "list", "--db", db])
    assert key_id in listed.output and "active" in listed.output and key not in listed.output
    assert runner.invoke(cli, ["keys", "revoke", key_id, "--db", db]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["keys", "list", "--db", db]).output
    again = runner.invoke(cli, ["keys", "revoke", key_id, "--db", db])
    assert again.exit_code == 2 and "no active key" in again.output
    bad = runner.invoke(cli, ["keys", "add", "../etc", "--db", db])
    assert bad.exit_code == 2 and "TENANT" in bad.output
    dask = runner.invoke(cli, ["serve", "--executor", "dask", "--db", db])
    assert dask.exit_code == 2 and "--scheduler" in dask.output


def test_optikit_serve_command(tmp_path: Path, toy_plugins: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "cli.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "optikit", "serve", "--port", str(port), "--db", str(db),
         "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert health.json()["workers"] == 1
        assert httpx.get(f"http://127.0.0.1:{port}/v1/jobs").status_code == 401
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0].decode()
    assert '"path": "/v1/jobs", "status": 401' in out  # the structured access log
    assert db.exists()
