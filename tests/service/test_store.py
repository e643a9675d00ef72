"""The job store's contract, run against SQLite and against a real PostgreSQL server."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from optikit.service.store import QueueFull, SQLiteStore, SqlStore, open_store
from tests.service import postgres

DOC = {"type": "toy-knapsack", "capacity": 1, "items": [{"id": "a", "value": 1, "weight": 1}]}


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres.running_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        made: SqlStore = SQLiteStore(tmp_path / "jobs.sqlite")
    else:
        url = request.getfixturevalue("pg_url")
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS jobs, events, api_keys")
        made = open_store(url)
    yield made
    made.close()


def _submit(store: SqlStore, tenant: str = "acme", max_queued: int = 10) -> str:
    return store.submit(tenant, DOC, problem_type="toy-knapsack", name="t", solver=None,
                        time_limit=5, options={"sleep": "1"}, max_queued=max_queued).id


def test_keys_are_stored_as_hashes_and_revocable(store: SqlStore) -> None:
    record, key = store.add_key("acme")
    assert store.tenant_for(key) == "acme"
    assert store.tenant_for(key + "x") is None
    assert [r.key_id for r in store.list_keys()] == [record.key_id]
    row = store._one("SELECT key_hash FROM api_keys")
    assert row is not None and key not in row[0]
    assert store.revoke_key(record.key_id) and not store.revoke_key(record.key_id)
    assert store.tenant_for(key) is None


def test_job_lifecycle_and_events(store: SqlStore) -> None:
    job_id = _submit(store)
    job = store.claim(max_running_per_tenant=2)
    assert job is not None and job.id == job_id and job.problem == DOC
    assert job.options == {"sleep": "1"} and job.attempts == 1
    assert store.claim(2) is None
    store.progress(job_id, 0.5, 3.0, None)
    store.progress(job_id, 0.7, None, 4.0)
    got = store.get(job_id, "acme")
    assert got is not None and (got.objective, got.bound, got.status) == (3.0, 4.0, "running")
    document = {"status": "optimal", "objective": 4.0, "bound": 4.0, "gap": 0.0}
    store.finish(job_id, "done", document=document, summary=[["a", "b"]])
    got = store.get(job_id, "acme")
    assert got is not None and got.document == document and got.summary == [["a", "b"]]
    assert (got.objective, got.gap, got.status) == (4.0, 0.0, "done")
    kinds = [(e.kind, e.data.get("status")) for e in store.events(job_id)]
    assert kinds == [("status", "queued"), ("status", "running"), ("progress", None),
                     ("progress", None), ("status", "done")]
    first = store.events(job_id)[1].id
    assert next(e.id for e in store.events(job_id, after=first)) > first


def test_tenants_see_only_their_own_jobs(store: SqlStore) -> None:
    mine = _submit(store, "acme")
    _submit(store, "globex")
    assert store.get(mine, "globex") is None
    assert store.cancel(mine, "globex") is None
    jobs, total = store.list_jobs("acme", 10, 0)
    assert total == 1 and [j.id for j in jobs] == [mine]


def test_queue_and_running_limits(store: SqlStore) -> None:
    for _ in range(2):
        _submit(store, max_queued=2)
    with pytest.raises(QueueFull):
        _submit(store, max_queued=2)
    _submit(store, "globex", max_queued=2)
    claimed = [store.claim(max_running_per_tenant=1) for _ in range(3)]
    tenants = sorted(j.tenant for j in claimed if j is not None)
    assert tenants == ["acme", "globex"]  # acme's second job waits for its first


def test_cancel_queued_and_running(store: SqlStore) -> None:
    running, queued = _submit(store), _submit(store)
    assert store.claim(1) is not None
    job = store.cancel(queued, "acme")
    assert job is not None and job.status == "cancelled"
    assert store.claim(5) is None  # a cancelled job is never claimed
    job = store.cancel(running, "acme")
    assert job is not None and job.status == "running" and store.cancel_requested(running)


def test_recover_requeues_then_fails_and_expire_deletes(store: SqlStore) -> None:
    job_id = _submit(store)
    store.claim(1)
    assert store.recover(max_attempts=2) == (1, 0)
    job = store.get(job_id)
    assert job is not None and job.status == "queued"
    store.claim(1)
    assert store.recover(max_attempts=2) == (0, 1)
    job = store.get(job_id)
    assert job is not None and job.status == "failed" and "server stopped" in (job.error or "")
    assert store.expire(time.time() - 3600) == 0
    assert store.expire(time.time() + 1) == 1
    assert store.get(job_id) is None and store.events(job_id) == []


def test_only_jobs_of_servers_that_stopped_beating_are_recovered(store: SqlStore) -> None:
    """Several servers on one store: a starting (or watching) server re-queues the jobs
    of a server whose heartbeat is stale, never those of a live one."""
    live, dead = _submit(store), _submit(store, "globex")
    store.heartbeat("server-a")
    store.heartbeat("server-b")
    assert store.claim(5, owner="server-a") is not None
    assert store.claim(5, owner="server-b") is not None
    store._exec("UPDATE servers SET heartbeat = ? WHERE id = 'server-b'", (time.time() - 60,))
    assert store.recover(max_attempts=2, stale_before=time.time() - 30) == (1, 0)
    statuses = {j: store.get(j).status for j in (live, dead)}  # type: ignore[union-attr]
    assert statuses == {live: "running", dead: "queued"}
    assert [r[0] for r in store._rows("SELECT id FROM servers")] == ["server-a"]
    store.leave("server-a")
    assert store.recover(max_attempts=2, stale_before=time.time() - 30) == (1, 0)


def test_concurrent_claims_never_double_run(store: SqlStore) -> None:
    ids = {_submit(store, f"t{i % 4}", max_queued=50) for i in range(24)}
    claimed: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        while (job := store.claim(max_running_per_tenant=100)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)


def test_a_server_on_postgresql(pg_url: str, toy_plugins: Path) -> None:
    """``--db postgresql://...`` end to end: submit, solve, read; tenants kept apart."""
    import psycopg

    from optikit.service.settings import Settings
    from tests.service.conftest import serve

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS jobs, events, api_keys")
    server = serve(Settings(db=pg_url, workers=1))
    served = next(server)
    try:
        job = served.wait(served.submit(time_limit=5))
        assert job["status"] == "done" and job["document"]["objective"] == 9
        other = served.client.get(f"/v1/jobs/{job['id']}", headers=served.auth("globex"))
        assert other.status_code == 404
    finally:
        server.close()


def test_two_processes_claim_each_job_exactly_once(store: SqlStore) -> None:
    """Two stand-in servers (separate processes, two claiming threads each) race over 50
    jobs of 5 tenants limited to one running job each: every job is claimed once, no
    tenant ever runs two."""
    ids = {_submit(store, f"t{i % 5}", max_queued=50) for i in range(50)}
    script = Path(__file__).with_name("claimer.py")
    procs = [subprocess.Popen([sys.executable, str(script), store.url, "2", "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:  # both start claiming at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(proc.communicate(timeout=60)[0]) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    claimed = [job_id for result in results for job_id in result["claimed"]]
    assert sorted(claimed) == sorted(ids)  # none lost, none twice
    assert [r["overruns"] for r in results] == [0, 0]
    rows = store._rows("SELECT status, attempts, COUNT(*) FROM jobs GROUP BY status, attempts")
    assert [tuple(r) for r in rows] == [("done", 1, 50)]
    running = store._one("SELECT COUNT(*) FROM events WHERE kind = 'status'"
                         " AND data LIKE ?", ('%"running"%',))
    assert running is not None and running[0] == 50
