"""``--executor dask``: jobs solved on a real Dask cluster on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optikit.service.settings import Settings
from tests.service.conftest import Served, serve

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def on_dask(toy_plugins: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
        db = tmp_path_factory.mktemp("dask") / "jobs.sqlite"
        yield from serve(Settings(db=str(db), executor="dask",
                                  scheduler=cluster.scheduler_address, workers=2,
                                  kill_margin_s=0.5), tenants=("acme",))


def test_jobs_run_and_stop_on_the_cluster(on_dask: Served) -> None:
    done_id = on_dask.submit(time_limit=5)
    slow_id = on_dask.submit(time_limit=25, option="sleep=20")
    job = on_dask.wait(done_id)
    assert job["status"] == "done" and job["document"]["objective"] == 9
    assert job["document"]["check"]["feasible"] is True
    on_dask.wait(slow_id, until=("running",))
    on_dask.client.delete(f"/v1/jobs/{slow_id}", headers=on_dask.auth())
    stopped = on_dask.wait(slow_id, timeout=15)
    assert stopped["status"] == "cancelled" and stopped["document"]["interrupted"] is True


def test_a_dask_worker_reuses_its_worker_process(on_dask: Served) -> None:
    from optikit.service import dask_executor

    assert on_dask.wait(on_dask.submit(time_limit=5))["status"] == "done"
    idle = {w.proc.pid for w in dask_executor._idle}
    assert idle  # the task handed its worker process back
    assert on_dask.wait(on_dask.submit(time_limit=5))["status"] == "done"
    assert {w.proc.pid for w in dask_executor._idle} == idle  # and the next one used it
